"""AppTest: the Sanctions lists page on an empty store and on the imported OFAC sample."""

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from support import ROOT
from tracker.sanctions import importing
from tracker.store import Store

SAMPLE = ROOT.parent / "shared" / "samples" / "ofac_sdn"


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("views/lists.py")
    return at.run()


def test_without_a_list_the_page_says_how_to_import_one():
    at = _page()
    assert not at.exception
    assert "No sanctions list is imported yet" in at.info[0].value


@pytest.fixture
def listed(_private_store):
    store = Store(_private_store)
    result = importing.import_list(SAMPLE / "sdn.csv", store, fmt="ofac_sdn", file_name="sdn.csv")
    assert result.batch_id
    return store


def test_a_search_ranks_the_person_first_and_shows_his_record_and_links(listed):
    at = _page()
    assert not at.exception
    assert "OFAC SDN: 893 entities from sdn.csv" in " ".join(t.value for t in at.text)
    at.text_input(key="list_query").set_value("alex saab").run()
    table = at.dataframe[0].value
    assert table.iloc[0]["name"] == "SAAB MORAN, Alex Nain" and table.iloc[0]["how"] == "alias"
    record = " ".join(t.value for t in at.text)
    assert "Name: SAAB MORAN, Alex Nain" in record
    assert "Programs: VENEZUELA-EO13850" in record and "Passport: PE085897" in record
    links = at.dataframe[1].value
    assert "GROUP GRAND LIMITED" in set(links["name"])


def test_an_imo_search_says_whether_the_check_digit_holds(listed):
    at = _page()
    at.text_input(key="list_query").set_value("IMO 9187629").run()
    assert at.dataframe[0].value.iloc[0]["how"] == "exact identifier"
    assert "IMO: 9187629 (check digit valid)" in " ".join(t.value for t in at.text)


def test_html_in_a_listed_name_is_shown_as_text(_private_store):
    store = Store(_private_store)
    sdn = b'1,"<b>BOLD</b> <script>x()</script> TRADING",-0- ,"SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    importing.import_list({"sdn.csv": sdn, "add.csv": b"", "alt.csv": b""}, store, fmt="ofac_sdn", file_name="x")
    at = _page()
    at.text_input(key="list_query").set_value("bold trading").run()
    assert "Name: <b>BOLD</b> <script>x()</script> TRADING" in [line for t in at.text for line in t.value.split("\n")]
    assert not any("<script>" in m.value for m in [*at.markdown, *at.subheader, *at.caption])


def _upload_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("views/upload.py")
    return at.run()


def test_the_upload_page_offers_lists_and_the_cli_format_detection_tells_them_apart(tmp_path):
    at = _upload_page()
    assert not at.exception
    at.radio(key="upload_kind").set_value("Sanctions list (OFAC SDN or OpenSanctions)").run()
    assert not at.exception
    assert importing.list_format(SAMPLE / "sdn.csv") == "ofac_sdn"
    targets = tmp_path / "export.csv"
    targets.write_text("id,schema,name,aliases\nNK-1,Person,X,\n")
    assert importing.list_format(targets) == "opensanctions_targets"
    assert importing.list_format(ROOT / "tests" / "fixtures" / "good" / "utf8_comma.csv") is None


def test_a_listed_vessel_and_group_meet_their_bundled_designations(bundle):
    vessel = pd.Series({"name": "ADISA", "aliases": [], "identifiers": [["IMO", "9304667"], ["MMSI", "1"]]})
    found = importing.bundled_designation_links(vessel, bundle.designations)
    assert found[["designation_id", "name", "how", "matched"]].values.tolist() == [
        ["D060", "Skipper", "exact identifier", "IMO 9304667"]
    ]
    group = pd.Series({"name": "TREN DE ARAGUA", "aliases": ["TdA"], "identifiers": []})
    found = importing.bundled_designation_links(group, bundle.designations)
    assert set(found["how"]) == {"exact name"} and {"D001", "D014"} <= set(found["designation_id"])
    assert importing.bundled_designation_links(
        pd.Series({"name": "NOBODY", "aliases": [], "identifiers": []}), bundle.designations
    ).empty


def test_the_page_shows_a_lists_changes_since_its_previous_import(_private_store):
    store = Store(_private_store)
    row = b'%d,"%s",-0- ,"SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    first = row % (1, b"ALPHA TRADING") + row % (2, b"BETA TRADING")
    second = row % (1, b"ALPHA TRADING") + row % (3, b"GAMMA TRADING")
    for sdn in (first, second):
        importing.import_list({"sdn.csv": sdn, "add.csv": b"", "alt.csv": b""}, store, fmt="ofac_sdn", file_name="x")
    at = _page()
    assert not at.exception
    texts = " ".join(t.value for t in at.text)
    assert "1 added, 1 removed (delisted), 0 changed" in texts
    shown = {name for df in at.dataframe for name in df.value.get("name", [])}
    assert {"GAMMA TRADING", "BETA TRADING"} <= shown


def test_the_filters_set_the_counter_the_map_and_the_counts(listed):
    at = _page()
    counter = at.metric[0]
    assert counter.label == "Listed entities in view" and counter.value == "893"
    assert any("unit: listed entities · as of OFAC SDN" in c.value for c in at.caption)
    at.multiselect(key="list_types").set_value(["vessel"]).run()
    assert not at.exception
    assert at.metric[0].value == "267"
    places = at.dataframe[0].value  # no search yet: the first table is the map's table of countries
    said = next(c.value for c in at.caption if "are placed at country level" in c.value)
    placed = int(re.match(r"([\d,]+) of 267 entities in view", said).group(1).replace(",", ""))
    assert 0 < placed <= places["entities"].sum()  # an entity with two countries counts in each
    deck = at.get("deck_gl_json_chart")[0]
    assert '"id":"listed_entities"' in deck.proto.json.replace(" ", "")
    at.multiselect(key="list_programs").set_value(["IRAN"]).run()
    assert 0 < int(at.metric[0].value.replace(",", "")) < 267


def test_a_strike_detail_lists_the_designations_of_its_alleged_group():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("views/incidents.py").run()
    table = at.dataframe[0].value
    row = list(table["affiliation"]).index("Tren de Aragua")
    at.session_state["incident_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    links = at.dataframe[-1].value
    assert list(links["id"]) == ["D001", "D014", "D030", "D117", "D118", "D119"]
    assert any("Designations of the alleged affiliation: 6 found" in c.value for c in at.caption)
    unnamed = list(table["affiliation"]).index("Unnamed designated terrorist organization")
    at.session_state["incident_table"] = {"selection": {"rows": [unnamed], "columns": [], "cells": []}}
    at.run()
    assert any("the source names no group, so none is linked" in c.value for c in at.caption)
