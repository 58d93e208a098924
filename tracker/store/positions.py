"""AIS positions in the store: GeoParquet files partitioned by day, one folder per import batch.

Layout, beside the store file (``<store file>.positions/``)::

    <batch_id>/day=2024-01-01/part-0.parquet
    <batch_id>/day=2024-01-02/part-0.parquet

Each file holds the canonical position columns (:data:`tracker.vessels.reading.POSITION_SCHEMA`)
plus ``geometry``, the point as WKB with GeoParquet 1.1 metadata (CRS OGC:CRS84), so DuckDB
(``read_parquet('…/*/day=*/*.parquet', hive_partitioning = true)``), GeoPandas or Apache
Sedona read the same files.  Only folders of committed, standing batches are ever read.

An import writes into ``<batch_id>.tmp/``; :meth:`tracker.store.catalogue.Store.import_positions`
records the batch in the catalogue's write transaction and renames the folder to its final
name just before COMMIT, so a killed import leaves nothing visible (its folder is removed the
next time the store is opened).  Undo marks the batch undone, then removes its folder.

The catalogue table ``position_imports`` is created by migration 5.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from tracker.store import columns

MIGRATION = [
    "CREATE TABLE position_imports (batch_id TEXT PRIMARY KEY, file_name TEXT NOT NULL, layout TEXT NOT NULL, "
    "sha256 TEXT NOT NULL, imported_at TEXT NOT NULL, rows_read INTEGER NOT NULL, rows_stored INTEGER NOT NULL, "
    "rows_rejected INTEGER NOT NULL, vessels INTEGER NOT NULL, first_time TEXT, last_time TEXT, "
    "days INTEGER NOT NULL, undone_at TEXT)",
    "CREATE INDEX position_imports_sha256 ON position_imports(sha256)",
]

DICTIONARY_COLUMNS = ("name", "imo", "call_sign", "flag", "vessel_type")
"""Columns written with dictionary pages (each vessel repeats its values); the numbers are not
(dictionary encoding of millions of distinct coordinates costs time and saves nothing)."""
TEMP_SUFFIX = ".tmp"
LOCK_NAME = ".lock"
GEO_METADATA = {
    "version": "1.1.0",
    "primary_column": "geometry",
    "columns": {
        "geometry": {
            "encoding": "WKB",
            "geometry_types": ["Point"],
            "crs": {"id": {"authority": "OGC", "code": "CRS84"}},  # longitude, latitude
        }
    },
}
"""GeoParquet file metadata (the ``geo`` key) of every positions file."""


def folder_for(store_path: Path) -> Path:
    """The folder of a store's positions: ``<store file>.positions`` beside the store file."""
    return store_path.with_name(store_path.name + ".positions")


def wkb_points(lon: np.ndarray, lat: np.ndarray) -> pa.Array:
    """Little-endian WKB points (21 bytes each) built with numpy, no Python object per point."""
    n = len(lon)
    raw = np.empty((n, 21), dtype=np.uint8)
    raw[:, 0] = 1  # little endian
    raw[:, 1:5] = np.frombuffer(np.uint32(1).tobytes(), dtype=np.uint8)  # type 1: Point
    raw[:, 5:13] = np.ascontiguousarray(lon, dtype="<f8").view(np.uint8).reshape(n, 8)
    raw[:, 13:21] = np.ascontiguousarray(lat, dtype="<f8").view(np.uint8).reshape(n, 8)
    offsets = np.arange(0, 21 * (n + 1), 21, dtype=np.int32)
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(raw)])


class DayWriter:
    """Appends canonical position tables to one batch's temporary folder, a Parquet file per UTC day."""

    def __init__(self, folder: Path, batch_id: str) -> None:
        self.final = folder / batch_id
        self.temp = folder / f"{batch_id}{TEMP_SUFFIX}"
        self.temp.mkdir(parents=True, exist_ok=False)
        self._lock: int | None = os.open(self.temp / LOCK_NAME, os.O_RDWR | os.O_CREAT)
        fcntl.flock(self._lock, fcntl.LOCK_EX)  # held while this import runs: clean-up leaves the folder alone
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.rows = 0

    def append(self, table: pa.Table) -> None:
        """Write ``table`` (canonical positions) to the files of the days it covers."""
        if table.num_rows == 0:
            return
        table = table.append_column(
            "geometry", wkb_points(table["lon"].to_numpy(), table["lat"].to_numpy())
        ).replace_schema_metadata({b"geo": json.dumps(GEO_METADATA).encode()})
        days = pc.cast(pc.floor_temporal(table["time"], unit="day"), pa.date32()).to_numpy().astype("datetime64[D]")
        if days.min() == days.max():  # a daily file: the whole chunk is one day
            parts = [(str(days[0]), table)]
        else:
            order = np.argsort(days, kind="stable")
            sorted_days = days[order]
            starts = np.flatnonzero(np.r_[True, sorted_days[1:] != sorted_days[:-1]])
            ends = np.r_[starts[1:], len(order)]
            parts = [(str(sorted_days[s]), table.take(pa.array(order[s:e]))) for s, e in zip(starts, ends)]
        for day, part in parts:
            writer = self._writers.get(day)
            if writer is None:
                path = self.temp / f"day={day}" / "part-0.parquet"
                path.parent.mkdir()
                writer = pq.ParquetWriter(
                    path,
                    part.schema,
                    compression="lz4",
                    use_dictionary=list(DICTIONARY_COLUMNS),
                    write_statistics=["mmsi", "time", "lat", "lon"],
                )
                self._writers[day] = writer
            writer.write_table(part, row_group_size=1 << 20)
        self.rows += table.num_rows

    @property
    def days(self) -> int:
        return len(self._writers)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def _unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def discard(self) -> None:
        """Close and remove the temporary folder: nothing of this import is kept."""
        self.close()
        shutil.rmtree(self.temp, ignore_errors=True)
        self._unlock()

    def publish(self) -> None:
        """Close the files and give the folder its final name (done inside the write transaction)."""
        self.close()
        (self.temp / LOCK_NAME).unlink()
        self.temp.rename(self.final)
        self._unlock()


def insert_import(con: sqlite3.Connection, row: dict[str, object]) -> None:
    """Record one position import (in the caller's write transaction)."""
    names = [
        "batch_id", "file_name", "layout", "sha256", "imported_at", "rows_read", "rows_stored",
        "rows_rejected", "vessels", "first_time", "last_time", "days",
    ]  # fmt: skip
    con.execute(
        f"INSERT INTO position_imports ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [row[n] for n in names],
    )


def standing_ids(con: sqlite3.Connection) -> list[str]:
    """Batch ids of the position imports that are not undone, oldest first."""
    rows = con.execute("SELECT batch_id FROM position_imports WHERE undone_at IS NULL ORDER BY imported_at, rowid")
    return [batch_id for (batch_id,) in rows]


def abandoned(folder: Path, known: set[str]) -> tuple[list[Path], list[Path]]:
    """Folders no standing batch stands for: temporary ones no live import holds (a killed import),
    and final-named ones whose batch is not in ``known`` (undone, or never committed)."""
    if not folder.is_dir():
        return [], []
    temps, finals = [], []
    for path in folder.iterdir():
        if not path.is_dir():
            continue
        if path.name.endswith(TEMP_SUFFIX):
            if not columns.in_use(path / LOCK_NAME):
                temps.append(path)
        elif path.name not in known:
            finals.append(path)
    return temps, finals


def dataset(folder: Path, batch_ids: list[str]) -> ds.Dataset | None:
    """The standing batches' files as one pyarrow dataset (``day`` a partition column), or None."""
    paths = [str(p) for b in batch_ids for p in sorted((folder / b).glob("day=*/*.parquet"))]
    if not paths:
        return None
    partitioning = ds.partitioning(pa.schema([("day", pa.date32())]), flavor="hive")
    # the repeated text comes back dictionary-encoded (pandas: categorical), not as millions of strings
    parquet = ds.ParquetFileFormat(read_options=ds.ParquetReadOptions(dictionary_columns=set(DICTIONARY_COLUMNS)))
    return ds.dataset(paths, format=parquet, partitioning=partitioning, partition_base_dir=str(folder))
