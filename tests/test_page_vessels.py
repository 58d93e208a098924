"""AppTest: the Vessels page, the AIS layers of the Overview, and AIS uploads."""

from __future__ import annotations

import json

import pytest
from ais_planted import HEADER, _near_misses, _planted, _write
from streamlit.testing.v1 import AppTest

from support import ROOT
from tracker.sanctions import importing as list_importing
from tracker.store import Store
from tracker.vessels.importing import import_positions

SDN = ROOT.parent / "shared" / "samples" / "ofac_sdn" / "sdn.csv"
TANKER = HEADER + "\n538001234,2024-03-01T00:00:00,11.0,-70.0,11,90,511,ANY NAME,IMO9187629,,80,0,,,,,A\n"


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


@pytest.fixture
def ais(_private_store, tmp_path):
    store = Store(_private_store)
    path = tmp_path / "planted.csv"
    _write(_planted() + _near_misses(), path)
    assert import_positions(path, store, file_name="planted.csv").batch_id
    assert import_positions(TANKER.encode(), store, file_name="tanker.csv").batch_id
    list_importing.import_list(SDN, store, fmt="ofac_sdn", file_name="sdn.csv")
    return store


def test_without_positions_the_page_says_how_to_import_them():
    at = _app()
    at.switch_page("views/vessels.py").run()
    assert not at.exception
    assert "No AIS positions are imported yet" in at.info[0].value


def test_the_page_counts_vessels_events_and_listed_vessels_and_rules_can_change(ais):
    at = _app()
    at.switch_page("views/vessels.py").run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["13", "6", "2"]
    rules = at.text[1].value
    assert "gap: No position for 12 h or more; both ends 50 nm or more from shore" in rules
    events = at.dataframe[0].value
    assert sorted(events["kind"]) == ["encounter", "gap", "identity", "identity", "jump", "loitering"]
    record = at.text[2].value
    assert "MMSI: 500000001" in record  # a vessel matching a listing comes first
    assert "exact IMO 9543500" in record and "OFAC SDN" in record
    at.number_input[0].set_value(16.0).run()  # gap: 16 h without a position; the planted gap lasts 14 h
    assert not at.exception
    assert at.metric[1].value == "5" and "gap" not in set(at.dataframe[0].value["kind"])
    assert any("Thresholds changed from the published defaults" in c.value for c in at.caption)


def test_the_overview_draws_tracks_and_events_in_the_date_range_with_a_legend(ais):
    at = _app()
    at.query_params["from"] = "2024-02-20"
    at.run()
    assert not at.exception
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    ids = [layer.get("id") for layer in deck["layers"]]
    tracks = [i for i in ids if str(i).startswith("vessel_tracks_")]
    assert tracks and "vessel_events_gap" in ids
    assert ids.index(tracks[-1]) < ids.index("strikes") < ids.index("vessel_events_gap")  # tracks under, events over
    events = [layer for layer in deck["layers"] if str(layer.get("id")).startswith("vessel_events_")]
    assert sum(len(layer["data"]) for layer in events) == 6
    gap = next(layer for layer in events if layer["id"] == "vessel_events_gap")["data"][0]
    assert gap["tooltip"] == "gap · MMSI 100000001 · 2024-03-01 04:00 UTC · 14.0 h"
    caption = next(c.value for c in at.caption if c.value.startswith("Vessels (AIS)"))
    assert "13 vessel track(s) from 723 AIS positions" in caption and "1 gap" in caption


def test_the_overview_in_the_default_range_draws_no_2024_positions_and_says_when_they_are(ais):
    at = _app()
    at.run()
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert not [i for i in (layer.get("id") for layer in deck["layers"]) if str(i).startswith("vessel_")]
    caption = next(c.value for c in at.caption if c.value.startswith("Vessels (AIS)"))
    assert "0 vessel track(s)" in caption and "run from 2024-03-01 to 2024-03-01" in caption


def test_an_ais_upload_is_checked_then_stored_and_undone(_private_store):
    at = _app()
    at.switch_page("views/upload.py").run()
    at.radio(key="upload_kind").set_value("AIS positions (MarineCadastre, Danish Maritime Authority)").run()
    bad = TANKER + ",2024-03-01T01:00:00,11.0,-70.0,11,90,511,X,,,80,0,,,,,A\n"
    at.file_uploader[0].set_value(("tanker.csv", bad.encode(), "text/csv")).run()
    assert not at.exception
    assert "would store 1 positions" in at.text[0].value
    problems = at.dataframe[0].value
    assert problems.iloc[0]["row"] == 3 and problems.iloc[0]["column"] == "MMSI"
    at.button(key="ais_import").click().run()
    assert not at.exception
    assert "Imported 1 positions of 1 vessels" in at.success[0].value
    assert Store(_private_store).position_imports().iloc[0]["rows_stored"] == 1
    at.button(key="ais_undo").click().run()
    assert "removed 1 positions" in at.success[0].value


def test_the_time_window_plays_the_tracks_forward(ais):
    import datetime as dt

    at = _app()
    at.switch_page("views/vessels.py").run()
    whole = next(c.value for c in at.caption if " UTC: " in c.value and "vessel track(s)" in c.value)
    assert whole.startswith("2024-03-01 00:00 to 2024-03-02 00:00 UTC: 13 vessel track(s)")
    at.select_slider(key="window_hours").set_value(3).run()
    at.slider(key="window_start").set_value(dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)).run()
    assert not at.exception
    later = next(c.value for c in at.caption if " UTC: " in c.value and "vessel track(s)" in c.value)
    assert later.startswith("2024-03-01 12:00 to 2024-03-01 15:00 UTC: ")
    shown = int(later.split("UTC: ")[1].split()[0])
    assert 0 < shown < 13  # the 3-kn ship and the crossing pair sail at noon; the gap vessel is dark
    deck = json.loads(at.get("deck_gl_json_chart")[1].proto.json)
    tips = [row["tooltip"] for layer in deck["layers"] if str(layer.get("id")).startswith("vessel_tracks_")
            for row in layer["data"]]  # fmt: skip
    assert tips and not any(t.startswith("MMSI 100000001") for t in tips)


def test_a_listed_vessels_record_shows_the_ais_vessels_that_carry_its_imo(ais):
    at = _app()
    at.switch_page("views/lists.py").run()
    at.text_input(key="list_query").set_value("IMO 9543500").run()
    assert not at.exception
    assert any(
        "1 vessel(s) of the imported AIS positions carry this entity's IMO or MMSI" in c.value for c in at.caption
    )
    table = next(d.value for d in at.dataframe if list(d.value.columns) == ["mmsi", "how"])
    assert table.iloc[0]["mmsi"] == 500000001 and table.iloc[0]["how"] == "exact IMO 9543500"
