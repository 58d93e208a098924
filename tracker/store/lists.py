"""Sanctions lists in the store: each import of a list is kept whole, so its history can be compared.

* ``list_imports``: one row per import (list name, format, file, sha256, time, the list's own
  date when the file states one, entity count, undone time);
* ``list_entities``: the entities of each import, one JSON record each (aliases, programs,
  identifiers and links as lists).

The newest import of a list that is not undone is the list as it stands; the one before it is what
:func:`tracker.sanctions.entities.list_diff` compares it with.  Imports are written in one
transaction (all entities or none); the same file of the same list is refused while it stands.
Tables are created by migration 4 of :data:`tracker.store.catalogue.MIGRATIONS`.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable

import numpy as np
import pandas as pd

from tracker.errors import DuplicateBatchError

MIGRATION = [
    "CREATE TABLE list_imports (batch_id TEXT PRIMARY KEY, list_name TEXT NOT NULL, "
    "source_format TEXT NOT NULL, file_name TEXT NOT NULL, sha256 TEXT NOT NULL, imported_at TEXT NOT NULL, "
    "list_date TEXT, entities INTEGER NOT NULL, undone_at TEXT)",
    "CREATE INDEX list_imports_name ON list_imports(list_name, imported_at)",
    "CREATE TABLE list_entities (batch_id TEXT NOT NULL, entity_id TEXT NOT NULL, record TEXT NOT NULL)",
    "CREATE INDEX list_entities_batch ON list_entities(batch_id)",
]
"""Migration 4 (frozen): the two tables above."""

IMPORT_COLUMNS = [
    "batch_id",
    "list_name",
    "source_format",
    "file_name",
    "sha256",
    "imported_at",
    "list_date",
    "entities",
    "undone_at",
]


def _plain(value: object) -> object:
    """A cell as JSON can hold it: tuples and arrays as lists, missing numbers and NaT as None."""
    if isinstance(value, tuple | list | np.ndarray):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, np.generic):
        return _plain(value.item())
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def records_of(entities: pd.DataFrame) -> Iterable[tuple[str, str]]:
    """``(entity_id, JSON record)`` for each row of an entities frame."""
    columns = list(entities.columns)
    for row in entities.itertuples(index=False, name=None):
        record = {c: _plain(v) for c, v in zip(columns, row)}
        yield str(record["entity_id"]), json.dumps(record, ensure_ascii=False, sort_keys=True)


def insert_import(
    con: sqlite3.Connection,
    batch_id: str,
    entities: pd.DataFrame,
    *,
    list_name: str,
    source_format: str,
    file_name: str,
    sha256: str,
    imported_at: str,
    list_date: str | None,
) -> None:
    """Record one import and its entities on ``con`` (inside the caller's write transaction)."""
    same = con.execute(
        "SELECT batch_id, imported_at FROM list_imports WHERE list_name = ? AND sha256 = ? AND undone_at IS NULL",
        (list_name, sha256),
    ).fetchone()
    if same is not None:
        raise DuplicateBatchError(f"list {list_name!r}", sha256, *same)
    con.execute(
        "INSERT INTO list_imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        (batch_id, list_name, source_format, file_name, sha256, imported_at, list_date, len(entities)),
    )
    con.executemany(
        "INSERT INTO list_entities VALUES (?, ?, ?)", ((batch_id, eid, rec) for eid, rec in records_of(entities))
    )


def imports(con: sqlite3.Connection) -> pd.DataFrame:
    """Every list import, newest first (undone ones too, with ``undone_at``)."""
    return pd.read_sql_query("SELECT * FROM list_imports ORDER BY imported_at DESC, rowid DESC", con)


def read_import(con: sqlite3.Connection, batch_id: str) -> pd.DataFrame:
    """The entities of one import as a frame (one row per entity, in the order they were stored)."""
    rows = con.execute("SELECT record FROM list_entities WHERE batch_id = ? ORDER BY rowid", (batch_id,))
    return pd.DataFrame([json.loads(r[0]) for r in rows])


def standing(con: sqlite3.Connection) -> list[tuple[str, str]]:
    """``(list_name, batch_id)`` of the newest import of each list that is not undone."""
    return list(
        con.execute(
            "SELECT list_name, batch_id FROM list_imports AS i WHERE undone_at IS NULL AND imported_at = "
            "(SELECT MAX(imported_at) FROM list_imports WHERE list_name = i.list_name AND undone_at IS NULL) "
            "ORDER BY list_name"
        )
    )


def undo(con: sqlite3.Connection, batch_id: str, now: str) -> int | None:
    """Mark a list import undone (its entities are kept for the history); None when there is no such import."""
    row = con.execute("SELECT entities, undone_at FROM list_imports WHERE batch_id = ?", (batch_id,)).fetchone()
    if row is None:
        return None
    if row[1]:
        return 0
    con.execute("UPDATE list_imports SET undone_at = ? WHERE batch_id = ?", (now, batch_id))
    return int(row[0])
