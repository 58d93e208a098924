import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pandas as pd
import pytest

from store_worker import rows
from support import FIXTURES, ROOT, fixture_bytes
from tracker import ingest, readers, schema
from tracker.store import (
    LATEST_VERSION,
    MIGRATIONS,
    DuplicateBatchError,
    Store,
    StoreError,
    catalogue,
    default_path,
    layered,
    legacy,
)

WORKER = ROOT / "tests" / "store_worker.py"


def test_default_path_comes_from_the_environment(_private_store):
    assert default_path() == _private_store
    assert Store().path == _private_store


def test_new_store_is_migrated_and_empty(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    with sqlite3.connect(s.path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION == 5
    assert s.read("incidents").empty and s.batches().empty and s.revision() == 0
    Store(s.path)  # opening again is a no-op
    assert s.revision() == 0


def test_import_then_undo_removes_exactly_that_batch(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    first = s.import_batch("incidents", rows(3, "A"), file_name="a.csv", sha256="a", rows_read=4, rows_rejected=1)
    second = s.import_batch("incidents", rows(2, "B"), file_name="b.csv", sha256="b", rows_read=2, rows_rejected=0)
    assert sorted(s.read("incidents")["incident_id"]) == ["A-0", "A-1", "A-2", "B-0", "B-1"]
    batches = s.batches().set_index("batch_id")
    assert batches.loc[first, ["file_name", "sha256", "rows_read", "rows_accepted", "rows_rejected"]].tolist() == [
        "a.csv",
        "a",
        4,
        3,
        1,
    ]
    before = s.revision()
    assert s.undo(first) == 3
    assert sorted(s.read("incidents")["incident_id"]) == ["B-0", "B-1"]
    assert s.revision() > before
    assert s.undo(first) == 0  # undoing twice changes nothing
    assert pd.notna(s.batches().set_index("batch_id").loc[first, "undone_at"])
    assert s.read("incidents")["batch_id"].unique().tolist() == [second]
    with pytest.raises(StoreError, match="no batch"):
        s.undo("nope")


def test_a_failing_batch_writes_nothing(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    s.import_batch("incidents", rows(2, "OK"), file_name="ok.csv", sha256="ok", rows_read=2, rows_rejected=0)

    def boom(_start):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        s.import_batch(
            "incidents",
            rows(12000, "X"),
            file_name="x.csv",
            sha256="x",
            rows_read=12000,
            rows_rejected=0,
            _after_chunk=boom,
        )
    assert len(s.read("incidents")) == 2 and len(s.batches()) == 1


def test_stored_rows_round_trip_into_the_dashboard_frames(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    plan = ingest.prepare("incidents", fixture_bytes("good/latin1_semicolon.csv"), file="latin1_semicolon.csv")
    s.import_batch("incidents", plan.accepted, file_name=plan.file, sha256=plan.sha256, rows_read=2, rows_rejected=0)
    b = layered(readers.read_bundle(), s)
    assert len(b.incidents) == 58
    new = b.incidents.set_index("incident_id").loc["L1"]
    assert new["location_text"] == "Ciudad Juárez" and new["killed"] == 3 and new["date"] == pd.Timestamp("2025-11-20")
    route = ingest.prepare("routes", fixture_bytes("good/route.geojson"), file="route.geojson")
    s.import_batch("routes", route.accepted, file_name="route.geojson", sha256="r", rows_read=1, rows_rejected=0)
    assert len(layered(readers.read_bundle(), s).routes) == 30


def test_mappings_are_remembered_per_header(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    key = ingest.header_key("incidents", ("ref", "when"))
    assert s.remembered_mapping(key) == {}
    s.remember_mapping(key, {"date": "when"})
    assert s.remembered_mapping(key) == {"date": "when"}


def _worker(db, n, tag, *extra):
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(db), str(n), tag, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_importers_at_once_lose_nothing(tmp_path):
    db = tmp_path / "s.sqlite"
    Store(db)
    start = f"{time.time() + 2:.3f}"
    procs = [_worker(db, 30000, tag, "--start-at", start) for tag in ("P1", "P2")]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    s = Store(db)
    stored = s.read("incidents")
    assert len(stored) == 60000
    assert stored["incident_id"].str.slice(0, 2).value_counts().to_dict() == {"P1": 30000, "P2": 30000}
    assert len(s.batches()) == 2 and s.integrity_ok()


@pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")
def test_a_killed_import_leaves_the_store_as_it_was(tmp_path):
    db = tmp_path / "s.sqlite"
    s = Store(db)
    kept = s.import_batch("incidents", rows(5, "KEEP"), file_name="keep.csv", sha256="k", rows_read=5, rows_rejected=0)
    proc = _worker(db, 20000, "KILL", "--pause-after-first-chunk")
    assert proc.stdout.readline().strip() == "CHUNK WRITTEN"  # 5,000 rows are written inside the transaction
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    after = Store(db)
    assert after.integrity_ok()
    assert after.read("incidents")["incident_id"].str.startswith("KEEP").all()
    assert len(after.read("incidents")) == 5
    assert after.batches()["batch_id"].tolist() == [kept]
    # the store still takes new imports after the kill
    after.import_batch("incidents", rows(1, "NEXT"), file_name="n.csv", sha256="n", rows_read=1, rows_rejected=0)
    assert len(after.read("incidents")) == 6


# -- migrations: frozen SQL, upgrades from a version-1 store ----------------------------------

STORE_V1 = FIXTURES / "store" / "store_v1.sqlite"  # made by tests/fixtures/store/make_store_v1.py


def _layout(path):
    """Each table's columns (name, type, not null, default) and each index's columns."""
    with sqlite3.connect(path) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        tables = {t: con.execute(f"PRAGMA table_info({t})").fetchall() for t in names}
        indexes = {
            r[0]: con.execute(f"PRAGMA index_info({r[0]})").fetchall()
            for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
        }
    return tables, indexes


def test_version_1_sql_is_frozen_as_version_1_wrote_it():
    fresh = sqlite3.connect(":memory:")
    for statement in MIGRATIONS[0][1]:
        fresh.execute(statement)
    query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    with sqlite3.connect(STORE_V1) as written_by_v1:
        assert written_by_v1.execute("PRAGMA user_version").fetchone()[0] == 1
        assert fresh.execute(query).fetchall() == written_by_v1.execute(query).fetchall()


def test_every_schema_column_has_a_migration(tmp_path):
    tables, _ = _layout(Store(tmp_path / "s.sqlite").path)
    for kind in legacy.ID_COLUMNS:  # the kinds older versions kept in row tables (later kinds: Parquet only)
        stored = {c[1] for c in tables[kind]}
        missing = [c for c in schema.COLUMNS[kind] if c not in stored]
        assert not missing, f"add an ALTER TABLE {kind} ADD COLUMN step to store.MIGRATIONS for {missing}"


def test_a_version_1_store_is_upgraded_and_keeps_its_batches(tmp_path):
    db = tmp_path / "old.sqlite"
    shutil.copy(STORE_V1, db)
    s = Store(db)
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert _layout(db) == _layout(Store(tmp_path / "new.sqlite").path)  # same tables as a new store
    assert s.integrity_ok() and s.revision() == 2

    history = s.batches().set_index("file_name")
    assert history.loc["written_dates.csv", ["kind", "rows_read", "rows_accepted", "rows_already_stored"]].tolist() == [
        "incidents",
        3,
        3,
        0,
    ]
    assert history.loc["designations.csv", ["kind", "rows_accepted", "rows_skipped"]].tolist() == ["designations", 1, 1]
    assert history["undone_at"].isna().all()
    incidents = s.read("incidents").set_index("incident_id")
    assert incidents["killed"].to_dict() == {"D1": 3, "D2": 2, "D3": 1}
    assert incidents.loc["D1", "date"] == pd.Timestamp("2025-09-15")
    assert (incidents["batch_id"] == history.loc["written_dates.csv", "batch_id"]).all()
    designations = s.read("designations")
    assert designations[["name", "uncertain"]].values.tolist() == [["Example Shipping Ltd", False]]

    # the same file again is refused; a new file imports; undo still works on old and new batches
    with pytest.raises(DuplicateBatchError, match="already imported as batch B"):
        s.import_batch(
            "incidents",
            s.read("incidents"),
            file_name="written_dates.csv",
            sha256=history.loc["written_dates.csv", "sha256"],
            rows_read=3,
            rows_rejected=0,
        )
    new = s.import_batch("incidents", rows(2, "NEW"), file_name="new.csv", sha256="new", rows_read=2, rows_rejected=0)
    assert sorted(s.read("incidents")["incident_id"]) == ["D1", "D2", "D3", "NEW-0", "NEW-1"]
    assert s.undo(history.loc["written_dates.csv", "batch_id"]) == 3
    assert sorted(s.read("incidents")["incident_id"]) == ["NEW-0", "NEW-1"]
    assert s.undo(new) == 2 and s.read("incidents").empty and len(s.read("designations")) == 1
    assert s.integrity_ok()


def test_a_column_added_later_reaches_an_existing_store(tmp_path, monkeypatch):
    db = tmp_path / "old.sqlite"
    shutil.copy(STORE_V1, db)
    Store(db)  # at the latest version
    step = (LATEST_VERSION + 1, ['ALTER TABLE incidents ADD COLUMN "vessel_name" TEXT'])
    monkeypatch.setattr(catalogue, "MIGRATIONS", [*MIGRATIONS, step])
    monkeypatch.setattr(catalogue, "LATEST_VERSION", step[0])
    monkeypatch.setitem(schema.COLUMNS["incidents"], "vessel_name", "str")
    s = Store(db)
    frame = rows(1, "V").assign(vessel_name="Esperanza")
    s.import_batch("incidents", frame, file_name="v.csv", sha256="v", rows_read=1, rows_rejected=0)
    names = s.read("incidents").set_index("incident_id")["vessel_name"].to_dict()
    assert names == {"D1": "", "D2": "", "D3": "", "V-0": "Esperanza"}  # old rows: NULL -> canonical empty


def test_a_store_from_a_newer_program_is_refused(tmp_path):
    db = tmp_path / "s.sqlite"
    with sqlite3.connect(db) as con:
        con.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this program"):
        Store(db)


# -- the same file, the same ids: checked inside the write transaction -------------------------


def test_the_same_file_is_refused_until_its_batch_is_undone(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    first = s.import_batch("incidents", rows(3, "A"), file_name="a.csv", sha256="a", rows_read=3, rows_rejected=0)
    before = s.revision()
    with pytest.raises(DuplicateBatchError) as refused:
        s.import_batch("incidents", rows(3, "A"), file_name="renamed.csv", sha256="a", rows_read=3, rows_rejected=0)
    assert refused.value.batch_id == first
    on = s.batches()["imported_at"].iloc[0][:10]
    assert str(refused.value) == (
        f"this file was already imported as batch {first} on {on}; undo that batch first to import it again"
    )
    assert s.revision() == before and len(s.batches()) == 1 and len(s.read("incidents")) == 3
    s.undo(first)
    again = s.import_batch("incidents", rows(3, "A"), file_name="a.csv", sha256="a", rows_read=3, rows_rejected=0)
    assert s.read("incidents")["batch_id"].unique().tolist() == [again]


def test_rows_already_stored_are_left_out_when_asked(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    s.import_batch("incidents", rows(3, "A"), file_name="a.csv", sha256="a", rows_read=3, rows_rejected=0)
    more = s.import_batch(
        "incidents", rows(5, "A"), file_name="a2.csv", sha256="a2", rows_read=5, rows_rejected=0, skip_existing_ids=True
    )
    assert s.read("incidents").groupby("batch_id")["incident_id"].apply(sorted)[more] == ["A-3", "A-4"]
    assert s.batches().set_index("batch_id").loc[more, ["rows_accepted", "rows_already_stored"]].tolist() == [2, 3]
    # without the option every row is stored, as before
    s.import_batch("incidents", rows(1, "A"), file_name="a3.csv", sha256="a3", rows_read=1, rows_rejected=0)
    assert (s.read("incidents")["incident_id"] == "A-0").sum() == 2


def test_the_same_file_imported_twice_at_once_is_stored_once(tmp_path):
    db = tmp_path / "s.sqlite"
    Store(db)
    start = f"{time.time() + 2:.3f}"
    procs = [_worker(db, 20000, "SAME", "--start-at", start) for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert sorted(p.returncode for p in procs) == [0, 3], outs
    winner = next(out for (out, _), p in zip(outs, procs) if p.returncode == 0).strip()
    loser = next(out for (out, _), p in zip(outs, procs) if p.returncode == 3)
    assert f"REFUSED this file was already imported as batch {winner} on " in loser
    s = Store(db)
    assert s.batches()["batch_id"].tolist() == [winner]
    assert len(s.read("incidents")) == 20000 and s.integrity_ok()
