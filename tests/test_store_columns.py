"""The store's columnar path: batches streamed to Parquet files, read back as canonical frames."""

import os
import shutil
import signal
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from store_worker import rows
from support import FIXTURES, ROOT
from tracker import readers, schema
from tracker.store import BatchWriter, DuplicateBatchError, Store, StoreError, catalogue, columns, layered

WORKER = ROOT / "tests" / "store_worker.py"
STORE_V1 = FIXTURES / "store" / "store_v1.sqlite"


def _files(s):
    """Every file under the store's Parquet folder, as paths relative to it."""
    folder = s.columns_folder
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _edge_incidents():
    """Canonical incidents with missing values of every kind, text beyond ASCII and a date at the limit."""
    frame = rows(4, "E")
    frame["announced_date"] = pd.to_datetime(["2025-11-21", None, "1900-01-01", "2262-04-10"])
    frame["latitude"] = [12.5, np.nan, -0.0, 89.999999]
    frame["longitude"] = [-70.1, np.nan, 0.0, -179.123456789]
    frame["killed"] = pd.array([3, None, 0, 10000], dtype="Int64")
    frame["notes"] = ["Ciudad Juárez", "", 'quote " and | pipe', "new\nline"]
    frame["location_precision"] = ["exact", "unknown", "exact", "approximate"]
    return schema.canonicalise("incidents", frame)


def _edge_designations(bundle):
    frame = bundle.designations.copy()
    frame.loc[frame.index[:3], "uncertain"] = [True, False, True]
    frame.loc[frame.index[:2], "designation_date"] = pd.NaT
    return frame


# -- the streaming write API --------------------------------------------------------------


def test_a_batch_streamed_in_several_appends_reads_back_as_one_frame(tmp_path):
    frame = rows(1000, "S")
    whole = Store(tmp_path / "whole.sqlite")
    whole.import_batch("incidents", frame, file_name="s.csv", sha256="s", rows_read=1000, rows_rejected=0)
    streamed = Store(tmp_path / "streamed.sqlite")
    with streamed.open_batch("incidents", file_name="s.csv") as batch:
        assert isinstance(batch, BatchWriter) and batch.batch_id.startswith("B")
        for start in (0, 10, 11, 500):  # chunks of 10, 1, 489 and 500 rows
            batch.append(frame.iloc[start : {0: 10, 10: 11, 11: 500, 500: 1000}[start]])
        assert streamed.read("incidents").empty and streamed.batches().empty  # nothing visible before commit
        batch_id = batch.commit(sha256="s", rows_read=1000, rows_rejected=0)
    assert batch_id == batch.batch_id and batch.rows_written == 1000
    got = streamed.read("incidents")
    assert (got["batch_id"] == batch_id).all()
    pd.testing.assert_frame_equal(
        got.drop(columns="batch_id"), whole.read("incidents").drop(columns="batch_id"), check_exact=True
    )
    history = streamed.batches().set_index("batch_id")
    assert history.loc[batch_id, ["storage", "rows_accepted", "rows_read"]].tolist() == ["parquet", 1000, 1000]
    assert _files(streamed) == [f"incidents/{batch_id}.parquet"]


def test_an_exception_inside_open_batch_stores_nothing(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    s.import_batch("incidents", rows(2, "OK"), file_name="ok.csv", sha256="ok", rows_read=2, rows_rejected=0)
    before, files = s.revision(), _files(s)
    for exc in (RuntimeError("disk full"), KeyboardInterrupt()):
        with pytest.raises(type(exc)), s.open_batch("incidents", file_name="x.csv") as batch:
            batch.append(rows(3000, "X"))
            assert any(name.endswith(".tmp") for name in _files(s))  # streamed to a temporary file
            raise exc
    assert s.revision() == before and _files(s) == files
    assert len(s.batches()) == 1 and s.read("incidents")["incident_id"].str.startswith("OK").all()


def test_a_refused_commit_leaves_no_file_and_the_writer_is_finished(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    first = s.import_batch("incidents", rows(3, "A"), file_name="a.csv", sha256="a", rows_read=3, rows_rejected=0)
    before = s.revision()
    with s.open_batch("incidents", file_name="again.csv") as batch:
        batch.append(rows(3, "A"))
        with pytest.raises(DuplicateBatchError) as refused:
            batch.commit(sha256="a", rows_read=3, rows_rejected=0)
        assert refused.value.batch_id == first
        with pytest.raises(StoreError, match="already"):
            batch.append(rows(1, "A"))
    assert s.revision() == before and _files(s) == [f"incidents/{first}.parquet"]
    with s.open_batch("incidents", file_name="b.csv") as batch:
        batch.commit(sha256="b", rows_read=0, rows_rejected=0)  # an empty batch is a batch
        with pytest.raises(StoreError, match="already committed"):
            batch.commit(sha256="b", rows_read=0, rows_rejected=0)
    assert s.batches().set_index("batch_id").loc[batch.batch_id, "rows_accepted"] == 0
    assert len(s.read("incidents")) == 3


def test_ids_already_stored_are_left_out_across_parquet_and_sqlite_batches(tmp_path):
    db = tmp_path / "old.sqlite"
    shutil.copy(STORE_V1, db)  # incidents D1, D2, D3 in the SQLite row tables
    s = Store(db)
    s.import_batch("incidents", rows(2, "P"), file_name="p.csv", sha256="p", rows_read=2, rows_rejected=0)
    frame = pd.concat([rows(4, "P"), s.read("incidents").iloc[:2]], ignore_index=True)  # P-0..3, D1, D2
    with s.open_batch("incidents", file_name="more.csv") as batch:
        batch.append(frame.iloc[:3])
        batch.append(frame.iloc[3:])
        more = batch.commit(sha256="more", rows_read=6, rows_rejected=0, skip_existing_ids=True)
    stored = s.read("incidents")
    assert sorted(stored.loc[stored["batch_id"] == more, "incident_id"]) == ["P-2", "P-3"]
    assert s.batches().set_index("batch_id").loc[more, ["rows_accepted", "rows_already_stored"]].tolist() == [2, 4]
    assert not any(name.endswith(".tmp") for name in _files(s))


# -- what a killed import or an interrupted undo leaves ----------------------------------


@pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")
def test_a_temporary_file_left_by_a_killed_import_is_never_read_and_is_removed_on_open(tmp_path):
    db = tmp_path / "s.sqlite"
    s = Store(db)
    kept = s.import_batch("incidents", rows(5, "KEEP"), file_name="keep.csv", sha256="k", rows_read=5, rows_rejected=0)
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), str(db), "20000", "KILL", "--pause-after-first-chunk"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "CHUNK WRITTEN"
    left = [name for name in _files(s) if name.endswith(".tmp")]
    assert len(left) == 1
    # while the writer lives, opening the store leaves its file alone
    Store(db)
    assert [name for name in _files(s) if name.endswith(".tmp")] == left
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert s.read("incidents")["incident_id"].str.startswith("KEEP").all()
    after = Store(db)
    assert _files(after) == [f"incidents/{kept}.parquet"]
    assert after.batches()["batch_id"].tolist() == [kept] and len(after.read("incidents")) == 5


def test_an_orphan_file_without_a_committed_batch_is_never_read_and_is_removed_on_open(tmp_path):
    db = tmp_path / "s.sqlite"
    s = Store(db)
    kept = s.import_batch("incidents", rows(5, "KEEP"), file_name="keep.csv", sha256="k", rows_read=5, rows_rejected=0)
    gone = s.import_batch("incidents", rows(3, "GONE"), file_name="gone.csv", sha256="g", rows_read=3, rows_rejected=0)
    folder = s.columns_folder / "incidents"
    # a file renamed just before a COMMIT that never came, and an undone batch whose file stayed
    shutil.copy(folder / f"{kept}.parquet", folder / "B20990101000000-dead00.parquet")
    saved = (folder / f"{gone}.parquet").read_bytes()
    s.undo(gone)
    (folder / f"{gone}.parquet").write_bytes(saved)
    (folder / f"{kept}.parquet.tmp").write_bytes(b"PAR1 half a file")
    revision = s.revision()
    assert s.read("incidents")["incident_id"].str.startswith("KEEP").all() and len(s.read("incidents")) == 5
    again = Store(db)
    assert _files(again) == [f"incidents/{kept}.parquet"]
    assert again.revision() == revision and len(again.read("incidents")) == 5


def test_undo_of_a_parquet_batch_removes_exactly_its_rows_and_its_file(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    first = s.import_batch("incidents", rows(3, "A"), file_name="a.csv", sha256="a", rows_read=3, rows_rejected=0)
    second = s.import_batch("incidents", rows(2, "B"), file_name="b.csv", sha256="b", rows_read=2, rows_rejected=0)
    third = s.import_batch("incidents", rows(4, "C"), file_name="c.csv", sha256="c", rows_read=4, rows_rejected=0)
    before = s.revision()
    assert s.undo(second) == 2
    assert s.revision() > before
    got = s.read("incidents")
    assert got["incident_id"].tolist() == ["A-0", "A-1", "A-2", "C-0", "C-1", "C-2", "C-3"]  # import order
    assert got["batch_id"].unique().tolist() == [first, third]
    assert _files(s) == sorted([f"incidents/{first}.parquet", f"incidents/{third}.parquet"])
    assert s.undo(second) == 0


# -- old stores and old layouts -------------------------------------------------------------


def test_a_version_1_store_reads_its_sqlite_rows_and_new_parquet_batches_together(tmp_path, bundle):
    db = tmp_path / "old.sqlite"
    shutil.copy(STORE_V1, db)
    s = Store(db)
    assert set(s.batches()["storage"]) == {"sqlite"}
    new = s.import_batch("incidents", rows(2, "NEW"), file_name="new.csv", sha256="new", rows_read=2, rows_rejected=0)
    des = s.import_batch(
        "designations", bundle.designations.iloc[:2], file_name="d.csv", sha256="d", rows_read=2, rows_rejected=0
    )
    assert s.batches().set_index("batch_id").loc[[new, des], "storage"].tolist() == ["parquet", "parquet"]
    incidents = s.read("incidents")
    assert incidents["incident_id"].tolist() == ["D1", "D2", "D3", "NEW-0", "NEW-1"]  # older batches first
    assert incidents.dtypes.to_dict() == schema.empty_frame("incidents").dtypes.to_dict()
    designations = s.read("designations")
    assert designations["name"].tolist() == ["Example Shipping Ltd", *bundle.designations["name"].iloc[:2]]
    b = layered(readers.read_bundle(), s)
    assert len(b.incidents) == len(bundle.incidents) + 5 and len(b.designations) == len(bundle.designations) + 3


def test_a_column_added_later_reads_as_empty_from_older_parquet_files(tmp_path, monkeypatch):
    s = Store(tmp_path / "s.sqlite")
    s.import_batch("incidents", rows(2, "OLD"), file_name="o.csv", sha256="o", rows_read=2, rows_rejected=0)
    step = (catalogue.LATEST_VERSION + 1, ['ALTER TABLE incidents ADD COLUMN "vessel_name" TEXT'])
    monkeypatch.setattr(catalogue, "MIGRATIONS", [*catalogue.MIGRATIONS, step])
    monkeypatch.setattr(catalogue, "LATEST_VERSION", step[0])
    monkeypatch.setitem(schema.COLUMNS["incidents"], "vessel_name", "str")
    s = Store(s.path)
    s.import_batch(
        "incidents",
        rows(1, "V").assign(vessel_name="Esperanza"),
        file_name="v.csv",
        sha256="v",
        rows_read=1,
        rows_rejected=0,
    )
    got = s.read("incidents")
    assert got.set_index("incident_id")["vessel_name"].to_dict() == {"OLD-0": "", "OLD-1": "", "V-0": "Esperanza"}
    assert got["vessel_name"].dtype == schema.empty_frame("incidents")["vessel_name"].dtype


# -- the old path and the new one give the same frames ----------------------------------------


def _both_ways(tmp_path, kind, frame):
    """``frame`` stored the way versions 1 and 2 did (SQLite rows) and the new way (Parquet); both read back."""
    old = Store(tmp_path / f"old_{kind}.sqlite")
    old._import_batch_into_sqlite(kind, frame, file_name="f", sha256="f", rows_read=len(frame), rows_rejected=0)
    new = Store(tmp_path / f"new_{kind}.sqlite")
    new.import_batch(kind, frame, file_name="f", sha256="f", rows_read=len(frame), rows_rejected=0)
    assert old.batches()["storage"].tolist() == ["sqlite"] and new.batches()["storage"].tolist() == ["parquet"]
    return old.read(kind), new.read(kind)


def test_old_and_new_storage_read_back_the_same_incidents(tmp_path, bundle):
    frame = pd.concat([bundle.incidents, _edge_incidents()], ignore_index=True)
    old, new = _both_ways(tmp_path, "incidents", frame)
    assert old["batch_id"].nunique() == new["batch_id"].nunique() == 1
    pd.testing.assert_frame_equal(new.drop(columns="batch_id"), old.drop(columns="batch_id"), check_exact=True)
    pd.testing.assert_frame_equal(new.drop(columns="batch_id"), frame.drop(columns="batch_id"), check_exact=True)
    assert new["announced_date"].isna().sum() > 0 and new["killed"].isna().sum() > 0
    assert new["latitude"].isna().sum() > 0 and (new["notes"] == "").sum() > 0


def test_old_and_new_storage_read_back_the_same_designations(tmp_path, bundle):
    frame = _edge_designations(bundle)
    old, new = _both_ways(tmp_path, "designations", frame)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    pd.testing.assert_frame_equal(new, frame.reset_index(drop=True), check_exact=True)
    assert new["uncertain"].dtype == bool and new["uncertain"].any() and not new["uncertain"].all()


def test_old_and_new_storage_read_back_the_same_routes(tmp_path, bundle):
    frame = bundle.routes.copy()
    frame.loc[frame.index[0], "notes"] = ""
    old, new = _both_ways(tmp_path, "routes", frame)
    assert isinstance(new, gpd.GeoDataFrame) and new.crs == old.crs == "EPSG:4326"
    pd.testing.assert_frame_equal(
        pd.DataFrame(new.drop(columns="geometry")), pd.DataFrame(old.drop(columns="geometry")), check_exact=True
    )
    # the old path kept WKT rounded to 6 decimals; WKB keeps every coordinate as it was
    missing = frame.geometry.isna().to_numpy()
    assert missing.sum() == 1 and new.geometry.isna().tolist() == old.geometry.isna().tolist() == missing.tolist()
    assert shapely.equals_exact(new.geometry.values[~missing], old.geometry.values[~missing], tolerance=1e-6).all()
    assert shapely.equals_exact(new.geometry.values[~missing], frame.geometry.values[~missing], tolerance=0).all()


@pytest.mark.parametrize("kind", ["incidents", "designations", "routes"])  # the kinds versions 1-2 stored in SQLite
def test_no_rows_read_back_the_same_empty_frames_both_ways(tmp_path, kind, bundle):
    frame = schema.empty_frame(kind)
    if kind == "routes":
        frame = gpd.GeoDataFrame(frame, geometry=[], crs="EPSG:4326")
    old, new = _both_ways(tmp_path, kind, frame)
    assert list(new.columns) == list(schema.COLUMNS[kind]) + (["geometry"] if kind == "routes" else [])
    pd.testing.assert_frame_equal(new, old)
    canonical = getattr(bundle, kind)
    assert new.dtypes.to_dict() == canonical.dtypes.to_dict()  # as a frame with rows: uncertain is bool


def test_the_file_layout_is_the_canonical_columns():
    for kind in schema.KINDS:
        names = columns.arrow_schema(kind).names
        assert names == list(schema.COLUMNS[kind]) + (["geometry_wkb"] if kind == "routes" else [])


def test_layered_frames_are_the_bundled_rows_then_the_stored_ones(tmp_path, bundle):
    db = tmp_path / "old.sqlite"
    shutil.copy(STORE_V1, db)  # legacy incidents and a legacy designation
    s = Store(db)
    s.import_batch("incidents", _edge_incidents(), file_name="e.csv", sha256="e", rows_read=4, rows_rejected=0)
    des = _edge_designations(bundle).iloc[:5]
    s.import_batch("designations", des, file_name="d.csv", sha256="d", rows_read=5, rows_rejected=0)
    s.import_batch("routes", bundle.routes.iloc[:3], file_name="r.geojson", sha256="r", rows_read=3, rows_rejected=0)
    b = layered(bundle, s)
    for kind, bundled in (("incidents", bundle.incidents), ("designations", bundle.designations)):
        expected = pd.concat([bundled, s.read(kind)], ignore_index=True)
        pd.testing.assert_frame_equal(getattr(b, kind), expected, check_exact=True)
    routes = pd.concat([bundle.routes, bundle.routes.iloc[:3]], ignore_index=True)
    assert isinstance(b.routes, gpd.GeoDataFrame) and b.routes.crs == "EPSG:4326"
    pd.testing.assert_frame_equal(
        pd.DataFrame(b.routes.drop(columns="geometry")), pd.DataFrame(routes.drop(columns="geometry")), check_exact=True
    )
    assert b.routes.geometry.equals(routes.geometry)
    s.import_batch("reports", bundle.reports.iloc[:2], file_name="p.csv", sha256="p", rows_read=2, rows_rejected=0)
    b = layered(bundle, s)
    pd.testing.assert_frame_equal(b.reports, pd.concat([bundle.reports, bundle.reports.iloc[:2]], ignore_index=True))
    assert b.incidents["incident_id"].iloc[len(bundle.incidents) :].tolist() == [
        "D1",
        "D2",
        "D3",
        "E-0",
        "E-1",
        "E-2",
        "E-3",
    ]
    empty = layered(bundle, Store(tmp_path / "empty.sqlite"))
    assert empty.incidents is bundle.incidents and empty.routes is bundle.routes  # nothing stored: nothing copied


@pytest.mark.parametrize("kind", schema.KINDS)
def test_canonical_rows_are_recognised_and_written_without_canonicalising_again(kind, bundle):
    frame = getattr(bundle, kind)
    assert columns._is_canonical(kind, frame)
    assert columns._is_canonical(kind, schema.canonicalise(kind, frame.iloc[:1]))
    assert not columns._is_canonical(kind, frame.astype(object))
