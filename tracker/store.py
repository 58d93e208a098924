"""The embedded store: SQLite (stdlib), user imports layered over the read-only bundled data.

* Where: the path in ``INTERDICTION_TRACKER_DB``, else
  ``~/.local/share/interdiction-tracker/store.sqlite`` (outside the source tree).
* Each import is a *batch* (file name, sha256, time, counts) written in one
  ``BEGIN IMMEDIATE`` transaction: all of its rows or none.  A process killed
  mid-import leaves the store as it was (SQLite's journal rolls it back).
* WAL mode and a busy timeout let several sessions import at once: writers
  queue, nothing is lost.
* Undo removes exactly one batch's rows and marks the batch undone.
* :meth:`Store.revision` changes on every write, for cache keys.

* The same file (kind and sha256) is stored once: a second import of it is
  refused inside the write transaction (:class:`DuplicateBatchError`) until
  the first batch is undone.

Migrations are frozen, numbered lists of SQL statements (:data:`MIGRATIONS`)
applied in order, tracked by ``PRAGMA user_version``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import shapely

from tracker import schema
from tracker.errors import TrackerError, check_option

if TYPE_CHECKING:
    from tracker.readers import Bundle

ENV_VAR = "INTERDICTION_TRACKER_DB"
CHUNK_ROWS = 5000


def default_path() -> Path:
    """The store's path: ``$INTERDICTION_TRACKER_DB`` or a file under the user's data folder."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "interdiction-tracker" / "store.sqlite"


# Each migration is frozen SQL: once a version is released its statements never change, so a
# store made by any earlier version reaches the same tables as a new one.  A column the
# schema gains later is one new numbered step of ``ALTER TABLE ... ADD COLUMN`` (old rows read
# it as NULL, which :meth:`Store.read` turns into the canonical empty value); a test checks
# that the latest tables hold every column of :data:`tracker.schema.COLUMNS`.
MIGRATIONS: list[tuple[int, list[str]]] = [
    # 1 (d401d2c): batches, the three record kinds, remembered column mappings, a revision counter
    (
        1,
        [
            """CREATE TABLE batches (
        batch_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        rows_read INTEGER NOT NULL,
        rows_accepted INTEGER NOT NULL,
        rows_rejected INTEGER NOT NULL,
        rows_skipped INTEGER NOT NULL,
        undone_at TEXT
    )""",
            'CREATE TABLE incidents ("incident_id" TEXT, "date" TEXT, "date_precision" TEXT, "announced_date" TEXT, '
            '"date_note" TEXT, "region" TEXT, "region_note" TEXT, "event_type" TEXT, "latitude" REAL, '
            '"longitude" REAL, "location_precision" TEXT, "radius_km" REAL, "location_text" TEXT, '
            '"location_basis" TEXT, "vessels" INTEGER, "strikes" INTEGER, "killed" INTEGER, "survivors" INTEGER, '
            '"presumed_dead" INTEGER, "affiliation" TEXT, "affiliation_text" TEXT, "vessel_type" TEXT, '
            '"announced_by" TEXT, "notes" TEXT, "source_urls" TEXT, "source_basis" TEXT, "batch_id" TEXT)',
            'CREATE TABLE designations ("designation_id" TEXT, "name" TEXT, "aliases" TEXT, "entity_type" TEXT, '
            '"authority" TEXT, "authority_group" TEXT, "program" TEXT, "program_text" TEXT, "action_kind" TEXT, '
            '"designation_date" TEXT, "uncertain" INTEGER, "country" TEXT, "base_location_text" TEXT, '
            '"identifiers" TEXT, "latitude" REAL, "longitude" REAL, "location_precision" TEXT, "radius_km" REAL, '
            '"location_basis" TEXT, "notes" TEXT, "source_urls" TEXT, "batch_id" TEXT NOT NULL)',
            'CREATE TABLE routes ("route_id" TEXT, "name" TEXT, "route_type" TEXT, "origin_text" TEXT, '
            '"destination_text" TEXT, "waypoints_text" TEXT, "period" TEXT, "vessels_or_actors" TEXT, "notes" TEXT, '
            '"source_urls" TEXT, "line_precision" TEXT, "geometry_basis" TEXT, "stops" TEXT, "geometry_wkt" TEXT, '
            '"batch_id" TEXT NOT NULL)',
            "CREATE INDEX incidents_batch ON incidents(batch_id)",
            "CREATE INDEX designations_batch ON designations(batch_id)",
            "CREATE INDEX routes_batch ON routes(batch_id)",
            "CREATE TABLE column_mappings (header_key TEXT PRIMARY KEY, mapping_json TEXT NOT NULL, "
            "updated_at TEXT NOT NULL)",
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO meta VALUES ('revision', '0')",
        ],
    ),
    # 2: the same-file check and the already-stored-id check run inside the write transaction;
    #    indexes keep them cheap, and each batch records how many rows it left out as already stored.
    #    Not UNIQUE: a store may already hold the same file twice (the bug this fixes), and an
    #    undone batch's file may be imported again.
    (
        2,
        [
            "CREATE INDEX batches_kind_sha256 ON batches(kind, sha256)",
            "CREATE INDEX incidents_id ON incidents(incident_id)",
            "CREATE INDEX designations_id ON designations(designation_id)",
            "CREATE INDEX routes_id ON routes(route_id)",
            "ALTER TABLE batches ADD COLUMN rows_already_stored INTEGER NOT NULL DEFAULT 0",
        ],
    ),
]
LATEST_VERSION = MIGRATIONS[-1][0]
assert [number for number, _ in MIGRATIONS] == list(range(1, LATEST_VERSION + 1)), "migrations are numbered 1, 2, ..."

ID_COLUMNS = {"incidents": "incident_id", "designations": "designation_id", "routes": "route_id"}


class StoreError(TrackerError):
    """The store cannot be opened or written."""


class DuplicateBatchError(TrackerError):
    """The same file (same kind and sha256) is already stored as a batch that is not undone."""

    def __init__(self, kind: str, sha256: str, batch_id: str, imported_at: str) -> None:
        self.kind, self.sha256, self.batch_id, self.imported_at = kind, sha256, batch_id, imported_at
        super().__init__(
            f"this file was already imported as batch {batch_id} on {imported_at[:10]}; "
            "undo that batch first to import it again"
        )


class Store:
    """A handle on one store file.  Cheap to create; each call opens its own connection."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            self._migrate(con)

    # -- plumbing ----------------------------------------------------------

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA busy_timeout=60000")
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def _write(self, con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        """One write transaction; it also bumps the revision. Rolled back on any error."""
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
            con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _migrate(self, con: sqlite3.Connection) -> None:
        """Apply the frozen steps after the store's ``PRAGMA user_version``, all in one transaction."""
        if con.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION:
            return
        con.execute("BEGIN IMMEDIATE")
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
            if version > LATEST_VERSION:
                raise StoreError(
                    f"the store at {self.path} is version {version}, newer than this program "
                    f"(version {LATEST_VERSION}); upgrade the program to open it"
                )
            for number, statements in MIGRATIONS[version:]:
                for statement in statements:
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {number}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    # -- reading -----------------------------------------------------------

    def revision(self) -> int:
        """A number that grows with every write (imports, undos, remembered mappings)."""
        with self._connect() as con:
            return int(con.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])

    def read(self, kind: str) -> pd.DataFrame:
        """Every stored row of ``kind`` from batches that are not undone, as a canonical frame."""
        check_option("kind", kind, schema.KINDS)
        with self._connect() as con:
            frame = pd.read_sql_query(
                f"SELECT t.* FROM {kind} t JOIN batches b USING (batch_id) WHERE b.undone_at IS NULL", con
            )
        out = schema.canonicalise(kind, frame)
        if kind == "incidents":
            out["batch_id"] = frame["batch_id"].values if len(frame) else out["batch_id"]
        if kind == "routes":
            geoms = shapely.from_wkt(frame["geometry_wkt"].fillna("").replace("", None).values) if len(frame) else []
            return gpd.GeoDataFrame(out, geometry=list(geoms), crs="EPSG:4326")
        return out

    def batches(self) -> pd.DataFrame:
        """The batch history, newest first."""
        with self._connect() as con:
            return pd.read_sql_query("SELECT * FROM batches ORDER BY imported_at DESC, rowid DESC", con)

    def remembered_mapping(self, header_key: str) -> dict[str, str]:
        with self._connect() as con:
            row = con.execute("SELECT mapping_json FROM column_mappings WHERE header_key = ?", (header_key,)).fetchone()
        return json.loads(row[0]) if row else {}

    # -- writing -----------------------------------------------------------

    def remember_mapping(self, header_key: str, mapping: dict[str, str]) -> None:
        with self._connect() as con, self._write(con):
            con.execute(
                "INSERT OR REPLACE INTO column_mappings VALUES (?, ?, ?)",
                (header_key, json.dumps(mapping, sort_keys=True), _now()),
            )

    def import_batch(
        self,
        kind: str,
        rows: pd.DataFrame,
        *,
        file_name: str,
        sha256: str,
        rows_read: int,
        rows_rejected: int,
        rows_skipped: int = 0,
        skip_existing_ids: bool = False,
        progress: Callable[[float], None] | None = None,
        _after_chunk: Callable[[int], None] | None = None,
    ) -> str:
        """Store ``rows`` (canonical ``kind``) as one batch, all or nothing; return its id.

        Inside the one write transaction, so two processes importing at once cannot both pass:

        * a file whose ``(kind, sha256)`` is already stored in a batch that is not undone is
          refused with :class:`DuplicateBatchError` and nothing is written;
        * with ``skip_existing_ids=True``, rows whose id (``incident_id``, ``designation_id``,
          ``route_id``) is already stored are left out; the batch records how many in
          ``rows_already_stored`` (see :meth:`batches`), and ``rows_accepted`` counts the rows stored.
        """
        check_option("kind", kind, schema.KINDS)
        batch_id = f"B{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
        frame = schema.canonicalise(kind, rows)
        if kind == "incidents":
            frame["batch_id"] = batch_id
        columns = list(schema.COLUMNS[kind])
        records = _records(frame, columns)
        if kind == "routes":
            columns.append("geometry_wkt")
            wkt = shapely.to_wkt(rows.geometry.values) if len(rows) else []
            records = [(*r, w) for r, w in zip(records, wkt)]
        if kind != "incidents":
            columns.append("batch_id")
            records = [(*r, batch_id) for r in records]
        id_at = columns.index(ID_COLUMNS[kind])
        placeholders = ", ".join("?" for _ in columns)
        quoted = ", ".join(f'"{c}"' for c in columns)
        with self._connect() as con, self._write(con):
            same = con.execute(
                "SELECT batch_id, imported_at FROM batches WHERE kind = ? AND sha256 = ? "
                "AND undone_at IS NULL ORDER BY imported_at LIMIT 1",
                (kind, sha256),
            ).fetchone()
            if same is not None:
                raise DuplicateBatchError(kind, sha256, *same)
            already = 0
            if skip_existing_ids:
                stored = _stored_ids(con, kind, {r[id_at] for r in records})
                kept = [r for r in records if r[id_at] not in stored]
                already, records = len(records) - len(kept), kept
            con.execute(
                "INSERT INTO batches (batch_id, kind, file_name, sha256, imported_at, rows_read, "
                "rows_accepted, rows_rejected, rows_skipped, undone_at, rows_already_stored) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                (
                    batch_id,
                    kind,
                    file_name,
                    sha256,
                    _now(),
                    rows_read,
                    len(records),
                    rows_rejected,
                    rows_skipped,
                    already,
                ),
            )
            for start in range(0, len(records), CHUNK_ROWS):
                con.executemany(
                    f"INSERT INTO {kind} ({quoted}) VALUES ({placeholders})", records[start : start + CHUNK_ROWS]
                )
                if progress is not None:
                    progress(min(1.0, (start + CHUNK_ROWS) / max(len(records), 1)))
                if _after_chunk is not None:
                    _after_chunk(start)
        if progress is not None:
            progress(1.0)
        return batch_id

    def undo(self, batch_id: str) -> int:
        """Remove exactly the rows of ``batch_id`` and mark it undone; return how many rows went."""
        with self._connect() as con, self._write(con):
            row = con.execute("SELECT kind, undone_at FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
            if row is None:
                raise StoreError(f"no batch {batch_id!r} in the store")
            kind, undone = row
            if undone:
                return 0
            removed = con.execute(f"DELETE FROM {kind} WHERE batch_id = ?", (batch_id,)).rowcount
            con.execute("UPDATE batches SET undone_at = ? WHERE batch_id = ?", (_now(), batch_id))
        return removed

    def integrity_ok(self) -> bool:
        with self._connect() as con:
            return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _stored_ids(con: sqlite3.Connection, kind: str, ids: set[str | None]) -> set[str]:
    """Which of ``ids`` are already stored for ``kind`` (undone batches' rows are deleted, so not these)."""
    column, wanted = ID_COLUMNS[kind], sorted(i for i in ids if i is not None)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            r[0]
            for r in con.execute(
                f'SELECT DISTINCT "{column}" FROM {kind} WHERE "{column}" IN ({", ".join("?" for _ in chunk)})', chunk
            )
        )
    return found


def _records(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    out = frame[columns].astype(object)
    for col in columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            out[col] = frame[col].dt.strftime("%Y-%m-%d").astype(object)
        elif frame[col].dtype == bool:
            out[col] = frame[col].astype(int)
    out = out.where(frame[columns].notna(), None)
    return [tuple(r) for r in out.itertuples(index=False, name=None)]


def layered(bundle: Bundle, store: Store) -> Bundle:
    """The bundled records with the store's imported rows layered on top (bundled first)."""
    from dataclasses import replace

    incidents = pd.concat([bundle.incidents, store.read("incidents")], ignore_index=True)
    designations = pd.concat([bundle.designations, store.read("designations")], ignore_index=True)
    stored_routes = store.read("routes")
    routes = (
        gpd.GeoDataFrame(
            pd.concat([bundle.routes, stored_routes], ignore_index=True), geometry="geometry", crs="EPSG:4326"
        )
        if len(stored_routes)
        else bundle.routes
    )
    return replace(bundle, incidents=incidents, designations=designations, routes=routes)
