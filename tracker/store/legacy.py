"""Rows stored the way versions 1 and 2 of the store kept them: in the SQLite row tables.

Batches whose ``storage`` is ``'sqlite'`` (every batch made before migration 3) keep their
rows in the ``incidents``, ``designations`` and ``routes`` tables, routes' geometry as WKT.
They are still read and undone; new batches go to Parquet (:mod:`tracker.store.columns`).
:func:`insert_rows` writes that old way, so that tests and benchmarks can make such a store.
"""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tracker import schema

CHUNK_ROWS = 5000
ID_COLUMNS = {"incidents": "incident_id", "designations": "designation_id", "routes": "route_id"}


def read_rows(con: sqlite3.Connection, kind: str) -> pd.DataFrame | None:
    """The rows of standing ``'sqlite'`` batches of ``kind``, canonical, in the order stored (None if none)."""
    if kind not in ID_COLUMNS:  # a kind added after the row tables: stored in Parquet only
        return None
    any_legacy = con.execute(
        "SELECT 1 FROM batches WHERE kind = ? AND storage = 'sqlite' AND undone_at IS NULL LIMIT 1", (kind,)
    ).fetchone()
    if any_legacy is None:
        return None
    frame = pd.read_sql_query(
        f"SELECT t.* FROM {kind} t JOIN batches b USING (batch_id) "
        "WHERE b.undone_at IS NULL AND b.storage = 'sqlite' ORDER BY t.rowid",
        con,
    )
    if frame.empty:
        return None
    out = schema.canonicalise(kind, frame)
    if kind == "incidents":
        out["batch_id"] = frame["batch_id"].values
    if kind == "routes":
        wkt = frame["geometry_wkt"].to_numpy(dtype=object)
        geoms = shapely.from_wkt(np.where(pd.isna(wkt) | (wkt == ""), None, wkt))
        return gpd.GeoDataFrame(out, geometry=geoms, crs="EPSG:4326")
    return out


def stored_ids(con: sqlite3.Connection, kind: str) -> list[str]:
    """Every id of ``kind`` in the row tables (undone batches' rows are deleted, so every one stands)."""
    column = ID_COLUMNS[kind]
    return [r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM {kind} WHERE "{column}" IS NOT NULL')]


def delete_rows(con: sqlite3.Connection, kind: str, batch_id: str) -> int:
    """Delete the rows of ``batch_id``; return how many went."""
    return con.execute(f"DELETE FROM {kind} WHERE batch_id = ?", (batch_id,)).rowcount


def insert_rows(con: sqlite3.Connection, kind: str, rows: pd.DataFrame, batch_id: str) -> int:
    """Insert ``rows`` of ``kind`` into its row table as ``batch_id`` (executemany); return how many."""
    frame = schema.canonicalise(kind, rows)
    if kind == "incidents":
        frame["batch_id"] = batch_id
    names = list(schema.COLUMNS[kind])
    records = records_of(frame, names)
    if kind == "routes":
        names.append("geometry_wkt")
        wkt = shapely.to_wkt(rows.geometry.values) if len(rows) else []
        records = [(*r, w) for r, w in zip(records, wkt)]
    if kind != "incidents":
        names.append("batch_id")
        records = [(*r, batch_id) for r in records]
    placeholders = ", ".join("?" for _ in names)
    quoted = ", ".join(f'"{c}"' for c in names)
    for start in range(0, len(records), CHUNK_ROWS):
        con.executemany(f"INSERT INTO {kind} ({quoted}) VALUES ({placeholders})", records[start : start + CHUNK_ROWS])
    return len(records)


def records_of(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """``frame``'s ``columns`` as SQLite row tuples: dates as YYYY-MM-DD text, flags 0/1, missing None."""
    out = frame[columns].astype(object)
    for col in columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            out[col] = frame[col].dt.strftime("%Y-%m-%d").astype(object)
        elif frame[col].dtype == bool:
            out[col] = frame[col].astype(int)
    out = out.where(frame[columns].notna(), None)
    return [tuple(r) for r in out.itertuples(index=False, name=None)]
