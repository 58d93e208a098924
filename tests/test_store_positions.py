"""AIS positions in the store: GeoParquet by day, one batch per import, all or nothing; and the command line."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stdout

import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely
from ais_planted import HEADER, _near_misses, _planted, _write

from support import ROOT
from tracker.__main__ import main
from tracker.sanctions import importing as list_importing
from tracker.store import Store
from tracker.vessels import reading, stored
from tracker.vessels.importing import import_positions, looks_like_ais

SDN = ROOT.parent / "shared" / "samples" / "ofac_sdn" / "sdn.csv"


@pytest.fixture
def planted(tmp_path):
    path = tmp_path / "planted.csv"
    _write(_planted() + _near_misses(), path)
    return path


def _cli(*argv: str) -> tuple[int, str]:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # --format csv writes bytes to stdout's buffer
    with redirect_stdout(out):
        code = main(list(argv))
    out.flush()
    return code, out.buffer.getvalue().decode("utf-8")


def test_an_import_is_stored_as_geoparquet_by_day_and_reads_back_whole(tmp_path, planted):
    store = Store(tmp_path / "s.db")
    result = import_positions(planted, store, file_name="planted.csv")
    rows = len(_planted()) + len(_near_misses())
    assert result.refused is None and result.rows_stored == rows and result.rows_rejected == 0
    assert result.first_time == "2024-03-01 00:00:00" and result.days == 1
    files = sorted(store.positions_folder.glob("*/day=*/*.parquet"))
    assert [f.parent.name for f in files] == ["day=2024-03-01"] and files[0].parts[-3] == result.batch_id
    meta = json.loads(pq.read_schema(files[0]).metadata[b"geo"])
    assert meta["columns"]["geometry"]["encoding"] == "WKB"
    table = pq.read_table(files[0])
    first = shapely.from_wkb(table["geometry"][0].as_py())
    assert (first.x, first.y) == (table["lon"][0].as_py(), table["lat"][0].as_py())
    back = stored.read_positions(store)
    assert len(back) == rows and back["mmsi"].nunique() == 12
    assert store.position_imports().iloc[0]["vessels"] == 12


def test_the_same_file_twice_stores_nothing_the_second_time(tmp_path, planted):
    store = Store(tmp_path / "s.db")
    first = import_positions(planted, store, file_name="planted.csv")
    again = import_positions(planted, store, file_name="planted.csv")
    assert again.batch_id is None and "already imported as batch " + first.batch_id in again.refused
    assert len(list(store.positions_folder.iterdir())) == 1
    assert len(stored.read_positions(store)) == first.rows_stored


def test_undo_removes_the_files_and_the_positions(tmp_path, planted):
    store = Store(tmp_path / "s.db")
    result = import_positions(planted, store, file_name="planted.csv")
    assert store.undo(result.batch_id) == result.rows_stored
    assert not (store.positions_folder / result.batch_id).exists()
    assert stored.read_positions(store).empty and not stored.has_positions(store)
    assert import_positions(planted, store, file_name="planted.csv").batch_id  # may come in again


def test_a_killed_import_leaves_nothing_and_its_folder_goes_at_the_next_open(tmp_path):
    store = Store(tmp_path / "s.db")
    writer = store.open_positions()
    writer.close()
    writer._unlock()  # what a killed process leaves: a temporary folder no one holds
    assert writer.temp.exists()
    assert stored.read_positions(store).empty
    Store(tmp_path / "s.db")
    assert not writer.temp.exists()


def test_a_live_import_is_not_cleaned_up_by_another_session(tmp_path):
    store = Store(tmp_path / "s.db")
    writer = store.open_positions()
    Store(tmp_path / "s.db")
    assert writer.temp.exists()
    writer.discard()


def test_bad_rows_are_reported_and_the_good_ones_stored(tmp_path):
    text = "\n".join(
        [
            HEADER,
            "367001234,2024-03-01T00:00:00,12.0,-80.0,1,1,511,A,,,70,0,,,,,A",
            ",2024-03-01T00:10:00,12.0,-80.0,1,1,511,A,,,70,0,,,,,A",
            "367001234,2024-03-01T00:20:00,95.5,-80.0,1,1,511,A,,,70,0,,,,,A",
            "367001234,,12.0,-80.0,1,1,511,A,,,70,0,,,,,A",
        ]
    )
    store = Store(tmp_path / "s.db")
    result = import_positions(text.encode(), store, file_name="bad.csv")
    assert result.rows_stored == 1 and result.rows_rejected == 3
    assert {(p.row, p.column) for p in result.problems} == {(3, "MMSI"), (4, "LAT"), (5, "BaseDateTime")}


def test_a_file_with_no_position_or_an_unknown_layout_stores_nothing(tmp_path):
    store = Store(tmp_path / "s.db")
    empty = import_positions((HEADER + "\n").encode(), store, file_name="empty.csv")
    assert empty.refused == "the file has a header but no records"
    odd = import_positions(b"a,b\n1,2\n", store, file_name="odd.csv")
    assert "cannot be read as AIS positions" in odd.refused
    assert not stored.has_positions(store) and list(store.positions_folder.iterdir()) == []


def test_the_cli_detects_ais_and_prints_events_and_vessels(tmp_path, planted, monkeypatch):
    monkeypatch.setenv("INTERDICTION_TRACKER_DB", str(tmp_path / "s.db"))
    assert looks_like_ais(planted) and not looks_like_ais(SDN)
    code, out = _cli("import", str(planted))
    assert code == 0 and "planted.csv (marinecadastre_2024)" in out and "positions of 12 vessels" in out
    code, out = _cli("events", "--kind", "gap", "--format", "csv")
    events = pd.read_csv(io.StringIO(out))
    assert code == 0 and list(events.columns[:5]) == ["kind", "mmsi", "other_mmsi", "start", "end"]
    assert events[["kind", "mmsi", "start", "end"]].values.tolist() == [
        ["gap", 100000001, "2024-03-01 04:00", "2024-03-01 18:00"]
    ]
    assert events.loc[0, "hours"] == 14 and "12 h or more" in events.loc[0, "rule"]
    code, out = _cli("events", "--since", "2024-03-02")
    assert code == 0 and "no event" in out
    code, out = _cli("vessels", "--format", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert len(table) == 12 and list(table.columns)[-1] == "listed"
    star = table.set_index("mmsi").loc[500000001]
    assert star["names"] == "OCEAN STAR; SEA STAR" and star["events"] >= 2


def test_a_vessel_whose_imo_is_listed_is_flagged_with_how(tmp_path):
    store = Store(tmp_path / "s.db")
    list_importing.import_list(SDN, store, fmt="ofac_sdn", file_name="sdn.csv")
    text = HEADER + "\n" + "538001234,2024-03-01T00:00:00,12.0,-80.0,1,1,511,ANY NAME,IMO9187629,,80,0,,,,,A\n"
    import_positions(text.encode(), store, file_name="one.csv")
    entities = list_importing.standing_entities(store)
    table = stored.vessels(store, entities=entities, designations=None)
    listed = table.set_index("mmsi").loc[538001234, "listed"]
    assert listed.startswith("OFAC SDN: ") and "exact IMO 9187629" in listed
    assert stored.day_range(store) == (dt.date(2024, 3, 1), dt.date(2024, 3, 1))


def test_a_row_of_another_layout_or_a_word_for_a_number_falls_back_to_the_line_by_line_read(tmp_path):
    text = "\n".join(
        [
            HEADER,
            "367001234,2024-03-01T00:00:00,12.0,-80.0,1,1,511,A,,,70,0,,,,,A",
            "367001234,2024-03-01T00:10:00,12.0,-80.0,1,1,511,A,,,70,0,,,,,A,extra,cells",
            "367001234,2024-03-01T00:20:00,twelve,-80.0,1,1,511,A,,,70,0,,,,,A",
            "367001234,2024-03-01T00:30:00,12.1,-80.0,1,1,511,A,,,70,0,,,,,A",
        ]
    )
    with pytest.raises(reading.SlowReadNeeded):
        list(reading.read_positions(text.encode(), file="odd.csv"))  # the quick read gives up
    store = Store(tmp_path / "s.db")
    result = import_positions(text.encode(), store, file_name="odd.csv")
    assert result.rows_stored == 2 and result.batch_id
    assert {(p.row, p.column) for p in result.problems} == {(3, ""), (4, "LAT")}
    assert stored.read_positions(store)["row"].tolist() == [2, 5]


def test_any_csv_naming_mmsi_time_and_position_comes_in_and_others_are_mapped(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERDICTION_TRACKER_DB", str(tmp_path / "s.db"))
    named = tmp_path / "named.csv"
    named.write_text("MMSI,Timestamp,Latitude,Longitude,Speed\n367001234,2024-03-01T00:00:00,12.0,-80.0,5\n")
    assert looks_like_ais(named)
    code, out = _cli("import", str(named))
    assert code == 0 and "(mapped by column names)" in out and "1 positions of 1 vessels" in out
    odd = tmp_path / "odd.csv"
    odd.write_text("ship,when,y,x\n367001235,2024-03-01 01:00:00,12.1,-80.0\n")
    assert not looks_like_ais(odd)  # no column says MMSI or time
    code, out = _cli("import", str(odd), "--map", "mmsi=ship", "--map", "time=when")
    assert code == 0 and "1 positions of 1 vessels" in out
    assert sorted(stored.read_positions(Store(tmp_path / "s.db"))["mmsi"]) == [367001234, 367001235]
    incidents = ROOT / "tests" / "fixtures" / "good" / "utf8_comma.csv"
    assert not looks_like_ais(incidents)


def test_undoing_twice_says_so_and_the_evidence_pack_lists_the_positions_it_draws(tmp_path, planted, monkeypatch):
    import zipfile

    monkeypatch.setenv("INTERDICTION_TRACKER_DB", str(tmp_path / "s.db"))
    code, out = _cli("import", str(planted))
    batch = out.split("stored as batch ")[1].split(":")[0]
    pack = tmp_path / "pack.zip"
    code, out = _cli("export", "--since", "2024-01-01", "--format", "zip", "--out", str(pack))
    assert code == 0
    with zipfile.ZipFile(pack) as z:
        manifest = json.loads(z.read("manifest.json"))
        tracks = pd.read_csv(io.BytesIO(z.read("vessel_tracks.csv")))
    assert [b["batch_id"] for b in manifest["position_batches"]] == [batch]
    assert manifest["position_batches"][0]["positions"] == 722
    assert tracks["wkt"].str.startswith("LINESTRING").all() and tracks["mmsi"].nunique() == 12
    assert _cli("undo", batch)[0] == 0
    code, out = _cli("undo", batch)
    assert code == 1 and f"batch {batch} was already undone on " in out
