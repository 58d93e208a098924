import os
import signal
import sqlite3
import subprocess
import sys
import time

import pandas as pd
import pytest

from store_worker import rows
from support import ROOT, fixture_bytes
from tracker import ingest, readers
from tracker.store import Store, StoreError, default_path, layered

WORKER = ROOT / "tests" / "store_worker.py"


def test_default_path_comes_from_the_environment(_private_store):
    assert default_path() == _private_store
    assert Store().path == _private_store


def test_new_store_is_migrated_and_empty(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    with sqlite3.connect(s.path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 1
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
        "a.csv", "a", 4, 3, 1]
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
        s.import_batch("incidents", rows(12000, "X"), file_name="x.csv", sha256="x", rows_read=12000,
                       rows_rejected=0, _after_chunk=boom)
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
    return subprocess.Popen([sys.executable, str(WORKER), str(db), str(n), tag, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


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
    kept = s.import_batch("incidents", rows(5, "KEEP"), file_name="keep.csv", sha256="k", rows_read=5,
                          rows_rejected=0)
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
