"""The catalogue of the store: SQLite (stdlib) for batches, remembered mappings and the revision.

* Where: the path in ``INTERDICTION_TRACKER_DB``, else
  ``~/.local/share/interdiction-tracker/store.sqlite`` (outside the source tree).  Batches'
  rows sit beside it, one Parquet file per batch (:mod:`tracker.store.columns`).
* Each import is a *batch* (file name, sha256, time, counts).  Its rows are streamed to a
  temporary Parquet file (:meth:`Store.open_batch`); the batch is then recorded in one
  ``BEGIN IMMEDIATE`` transaction, and the file is renamed to its final name just before
  COMMIT (removed again if the commit fails).  Only files of committed batches that are not
  undone are ever read, so a process killed mid-import leaves the store as it was; what it
  left on disk is removed the next time the store is opened.
* WAL mode and a busy timeout let several sessions import at once: writers
  queue, nothing is lost.
* Undo marks the batch undone in its transaction, then removes its file (or, for a batch
  stored by an older version in the SQLite row tables, deletes its rows in the transaction).
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
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from tracker import schema
from tracker.errors import DuplicateBatchError, StoreError, check_option
from tracker.store import columns, legacy, lists, positions
from tracker.store.writer import BatchWriter, new_batch_id

if TYPE_CHECKING:
    from tracker.readers import Bundle

ENV_VAR = "INTERDICTION_TRACKER_DB"
CHUNK_ROWS = 131_072
"""Rows per chunk when :meth:`Store.import_batch` streams a whole frame (one Parquet row group each)."""
STORAGES = ("sqlite", "parquet")


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
# it as NULL, which :meth:`Store.read` turns into the canonical empty value; Parquet files
# written before it read it as the canonical empty value too); a test checks that the latest
# tables hold every column of :data:`tracker.schema.COLUMNS`.
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
    # 3: a batch's rows are stored either in the SQLite row tables (every batch before this step)
    #    or as one Parquet file per batch beside the store file (tracker.store.columns).
    (
        3,
        [
            "ALTER TABLE batches ADD COLUMN storage TEXT NOT NULL DEFAULT 'sqlite'",
        ],
    ),
    # 4: sanctions lists (OFAC SDN, OpenSanctions): each import kept whole, for the list's history
    #    (tracker.store.lists).
    (4, lists.MIGRATION),
    # 5: AIS positions: GeoParquet files partitioned by day, one folder per import (tracker.store.positions).
    (5, positions.MIGRATION),
]
LATEST_VERSION = MIGRATIONS[-1][0]
assert [number for number, _ in MIGRATIONS] == list(range(1, LATEST_VERSION + 1)), "migrations are numbered 1, 2, ..."

ID_COLUMNS = {**legacy.ID_COLUMNS, "reports": "report_id"}


class Store:
    """A handle on one store file.  Cheap to create; each call opens its own connection.

    Opening it migrates the catalogue and removes what a killed import left behind.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.columns_folder = columns.folder_for(self.path)
        self.positions_folder = positions.folder_for(self.path)
        with self._connect() as con:
            self._migrate(con)
            self._clean(con)

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
            _rollback(con)
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

    def _clean(self, con: sqlite3.Connection) -> None:
        """Remove files no committed batch stands for: left by a killed import or an interrupted undo.

        Temporary files are removed unless a live writer holds their lock.  A final-named file
        whose batch is undone goes at once; one with no batch row at all is only removed under
        the write lock, since a writer renames its file just before its COMMIT.
        """
        self._clean_positions(con)
        columns.remove_abandoned_temp_files(self.columns_folder)
        files = columns.stored_files(self.columns_folder)
        if not files:
            return
        standing = self._standing_batches(con)
        undone = {batch_id for batch_id in files if standing.get(batch_id) is False}
        for batch_id in undone:
            files.pop(batch_id).unlink(missing_ok=True)
        if all(batch_id in standing for batch_id in files):
            return
        con.execute("BEGIN IMMEDIATE")  # no writer is between its rename and its COMMIT now
        try:
            standing = self._standing_batches(con)
            for batch_id, path in files.items():
                if standing.get(batch_id) is not True:
                    path.unlink(missing_ok=True)
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise

    def _clean_positions(self, con: sqlite3.Connection) -> None:
        """Remove position folders no standing import stands for (a killed import, an interrupted undo).
        A final-named folder with no catalogue row is only removed under the write lock, since an
        import renames its folder just before its COMMIT."""
        temps, finals = positions.abandoned(self.positions_folder, set(positions.standing_ids(con)))
        for path in temps:
            shutil.rmtree(path, ignore_errors=True)
        if not finals:
            return
        con.execute("BEGIN IMMEDIATE")
        try:
            standing = set(positions.standing_ids(con))
            for path in finals:
                if path.name not in standing:
                    shutil.rmtree(path, ignore_errors=True)
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise

    @staticmethod
    def _standing_batches(con: sqlite3.Connection) -> dict[str, bool]:
        """Parquet batches in the catalogue: batch id -> True while not undone."""
        rows = con.execute("SELECT batch_id, undone_at IS NULL FROM batches WHERE storage = 'parquet'")
        return {batch_id: bool(standing) for batch_id, standing in rows}

    # -- reading -----------------------------------------------------------

    def revision(self) -> int:
        """A number that grows with every write (imports, undos, remembered mappings)."""
        with self._connect() as con:
            return int(con.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])

    def read(self, kind: str) -> pd.DataFrame:
        """Every stored row of ``kind`` from batches that are not undone, as a canonical frame.

        Batches in import order: those an older version stored in the SQLite row tables first
        (they all predate this version's batches), then the Parquet batches.  Routes come back
        as a GeoDataFrame (EPSG:4326).
        """
        return columns.to_frame(kind, self.read_table(kind))

    def read_table(self, kind: str) -> pa.Table:
        """What :meth:`read` returns, as an Arrow table in the layout of :func:`tracker.store.columns.arrow_schema`."""
        check_option("kind", kind, schema.KINDS)
        with self._connect() as con:
            con.execute("BEGIN")  # one snapshot of the catalogue and the legacy rows
            try:
                stored = legacy.read_rows(con, kind)
                batch_ids = [
                    r[0]
                    for r in con.execute(
                        "SELECT batch_id FROM batches WHERE kind = ? AND storage = 'parquet' AND undone_at IS NULL "
                        "ORDER BY imported_at, rowid",
                        (kind,),
                    )
                ]
            finally:
                con.execute("COMMIT")
        table = self._read_files(kind, batch_ids)
        if stored is None:
            return table
        return pa.concat_tables([columns.to_arrow(kind, stored, batch_id=None), table])

    def _read_files(self, kind: str, batch_ids: list[str]) -> pa.Table:
        """The rows of these Parquet batches, in this order; a batch undone meanwhile is left out."""
        try:
            return columns.read_table(kind, [columns.file_for(self.columns_folder, kind, b) for b in batch_ids])
        except FileNotFoundError:
            with self._connect() as con:
                standing = self._standing_batches(con)
            still = [b for b in batch_ids if standing.get(b)]
            missing = [b for b in still if not columns.file_for(self.columns_folder, kind, b).exists()]
            if missing:
                raise StoreError(
                    f"the store at {self.path} has lost the rows of batch {missing[0]} "
                    f"({columns.file_for(self.columns_folder, kind, missing[0])} is missing); undo that batch"
                ) from None
            return columns.read_table(kind, [columns.file_for(self.columns_folder, kind, b) for b in still])

    def batches(self) -> pd.DataFrame:
        """The batch history, newest first; ``storage`` says where a batch's rows are ('sqlite' or 'parquet')."""
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

    def open_batch(self, kind: str, *, file_name: str) -> BatchWriter:
        """Start streaming one import of ``kind`` (see :class:`BatchWriter`); nothing is visible until commit."""
        return BatchWriter(self, kind, file_name=file_name)

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

        :meth:`open_batch`, one :meth:`BatchWriter.append` per :data:`CHUNK_ROWS` rows, then
        :meth:`BatchWriter.commit` (which documents the same-file refusal and ``skip_existing_ids``).
        """
        with self.open_batch(kind, file_name=file_name) as batch:
            for start in range(0, len(rows), CHUNK_ROWS):
                batch.append(rows.iloc[start : start + CHUNK_ROWS])
                if progress is not None:
                    progress(min(0.99, (start + CHUNK_ROWS) / max(len(rows), 1)))
                if _after_chunk is not None:
                    _after_chunk(start)
            batch_id = batch.commit(
                sha256=sha256,
                rows_read=rows_read,
                rows_rejected=rows_rejected,
                rows_skipped=rows_skipped,
                skip_existing_ids=skip_existing_ids,
            )
        if progress is not None:
            progress(1.0)
        return batch_id

    def _commit_file(
        self,
        batch: BatchWriter,
        file: columns.ColumnFile,
        *,
        sha256: str,
        rows_read: int,
        rows_rejected: int,
        rows_skipped: int,
        skip_existing_ids: bool,
    ) -> None:
        """Record ``batch`` and publish its (closed) file in one write transaction."""
        kind = batch.kind
        published = False
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                _refuse_same_file(con, kind, sha256)
                written = file.rows
                if skip_existing_ids:
                    file = columns.keep_rows_without_ids(file, self._stored_ids(con, kind), ID_COLUMNS[kind])
                _insert_batch(
                    con,
                    batch.batch_id,
                    kind,
                    file_name=batch.file_name,
                    sha256=sha256,
                    rows_read=rows_read,
                    rows_accepted=file.rows,
                    rows_rejected=rows_rejected,
                    rows_skipped=rows_skipped,
                    rows_already_stored=written - file.rows,
                    storage="parquet",
                )
                con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
                file.publish()
                published = True
                con.execute("COMMIT")
            except BaseException:
                _rollback(con)
                if published:
                    file.final.unlink(missing_ok=True)
                file.discard()
                raise
            finally:
                file.release()

    def _stored_ids(self, con: sqlite3.Connection, kind: str) -> pa.ChunkedArray:
        """Every id of ``kind`` stored in a batch that is not undone (inside the caller's transaction)."""
        column = ID_COLUMNS[kind]
        batch_ids = [
            r[0]
            for r in con.execute(
                "SELECT batch_id FROM batches WHERE kind = ? AND storage = 'parquet' AND undone_at IS NULL", (kind,)
            )
        ]
        ids = columns.read_ids(kind, [columns.file_for(self.columns_folder, kind, b) for b in batch_ids], column)
        older = legacy.stored_ids(con, kind) if kind in legacy.ID_COLUMNS else []  # kinds older versions stored
        if older:
            ids = pa.chunked_array([*ids.chunks, pa.array(older, pa.large_string())], pa.large_string())
        return ids

    def _import_batch_into_sqlite(
        self,
        kind: str,
        rows: pd.DataFrame,
        *,
        file_name: str,
        sha256: str,
        rows_read: int,
        rows_rejected: int,
        rows_skipped: int = 0,
    ) -> str:
        """The way versions 1 and 2 stored a batch: its rows inserted into the SQLite row tables.

        Kept so that tests and benchmarks can make a store as older versions wrote it; the
        program itself never calls it.
        """
        check_option("kind", kind, schema.KINDS)
        batch_id = new_batch_id()
        with self._connect() as con, self._write(con):
            _refuse_same_file(con, kind, sha256)
            _insert_batch(
                con,
                batch_id,
                kind,
                file_name=file_name,
                sha256=sha256,
                rows_read=rows_read,
                rows_accepted=len(rows),
                rows_rejected=rows_rejected,
                rows_skipped=rows_skipped,
                rows_already_stored=0,
                storage="sqlite",
            )
            legacy.insert_rows(con, kind, rows, batch_id)
        return batch_id

    # -- sanctions lists ---------------------------------------------------

    def import_list(
        self,
        entities: pd.DataFrame,
        *,
        list_name: str,
        source_format: str,
        file_name: str,
        sha256: str,
        list_date: str | None = None,
    ) -> str:
        """Store one import of a sanctions list (every entity, or nothing); return its batch id.

        The same file of the same list is refused (:class:`DuplicateBatchError`) while it stands.
        """
        batch_id = new_batch_id()
        with self._connect() as con, self._write(con):
            lists.insert_import(
                con,
                batch_id,
                entities,
                list_name=list_name,
                source_format=source_format,
                file_name=file_name,
                sha256=sha256,
                imported_at=_now(),
                list_date=list_date,
            )
        return batch_id

    def list_imports(self) -> pd.DataFrame:
        """Every import of a sanctions list, newest first (undone ones with ``undone_at``)."""
        with self._connect() as con:
            return lists.imports(con)

    def read_list(self, batch_id: str) -> pd.DataFrame:
        """The entities of one list import (also an undone one: the history keeps them)."""
        with self._connect() as con:
            return lists.read_import(con, batch_id)

    def standing_lists(self) -> pd.DataFrame:
        """The entities of the newest standing import of each list, one frame (empty when none)."""
        with self._connect() as con:
            con.execute("BEGIN")  # one snapshot
            try:
                frames = [lists.read_import(con, batch_id) for _, batch_id in lists.standing(con)]
            finally:
                con.execute("COMMIT")
        frames = [f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    # -- AIS positions -------------------------------------------------------

    def open_positions(self) -> positions.DayWriter:
        """A writer for one import of positions (files in a temporary folder until :meth:`commit_positions`)."""
        return positions.DayWriter(self.positions_folder, new_batch_id())

    def commit_positions(self, writer: positions.DayWriter, record: dict[str, object]) -> str:
        """Record ``writer``'s import (``record``: file_name, layout, sha256, rows_read, rows_rejected,
        vessels, first_time, last_time) and make its files visible, all or nothing.

        The same file (sha256) is refused (:class:`DuplicateBatchError`) while an import of it stands;
        the writer's files are then removed.
        """
        batch_id = writer.final.name
        try:
            with self._connect() as con, self._write(con):
                same = con.execute(
                    "SELECT batch_id, imported_at FROM position_imports WHERE sha256 = ? AND undone_at IS NULL",
                    (record["sha256"],),
                ).fetchone()
                if same:
                    raise DuplicateBatchError("positions", str(record["sha256"]), same[0], same[1])
                row = {**record, "batch_id": batch_id, "imported_at": _now(), "rows_stored": writer.rows}
                positions.insert_import(con, {**row, "days": writer.days})
                writer.publish()  # renamed just before COMMIT; removed again below if the COMMIT fails
        except BaseException:
            writer.discard()
            shutil.rmtree(writer.final, ignore_errors=True)
            raise
        return batch_id

    def position_imports(self) -> pd.DataFrame:
        """Every import of AIS positions, newest first (undone ones with ``undone_at``)."""
        with self._connect() as con:
            return pd.read_sql_query("SELECT * FROM position_imports ORDER BY imported_at DESC, rowid DESC", con)

    def positions_dataset(self):
        """The standing position files as one pyarrow dataset (None when no positions are stored)."""
        with self._connect() as con:
            ids = positions.standing_ids(con)
        return positions.dataset(self.positions_folder, ids)

    def _undo_positions(self, batch_id: str) -> int | None:
        """Undo a position import: how many positions went (0 if already undone), None if no such import."""
        with self._connect() as con, self._write(con):
            row = con.execute(
                "SELECT rows_stored, undone_at FROM position_imports WHERE batch_id = ?", (batch_id,)
            ).fetchone()
            if row is None or row[1] is not None:
                return None if row is None else 0
            con.execute("UPDATE position_imports SET undone_at = ? WHERE batch_id = ?", (_now(), batch_id))
        shutil.rmtree(self.positions_folder / batch_id, ignore_errors=True)  # a left folder goes at next open
        return int(row[0])

    def undo(self, batch_id: str) -> int:
        """Mark ``batch_id`` undone and remove exactly its rows; return how many rows went.

        A list import is marked undone (the list falls back to its import before); its entities
        stay in the history.  A position import's files are removed.
        """
        moved = self._undo_positions(batch_id)
        if moved is not None:
            return moved
        with self._connect() as con, self._write(con):
            row = con.execute(
                "SELECT kind, undone_at, storage, rows_accepted FROM batches WHERE batch_id = ?", (batch_id,)
            ).fetchone()
            if row is None:
                listed = lists.undo(con, batch_id, _now())
                if listed is not None:
                    return listed
                raise StoreError(f"no batch {batch_id!r} in the store")
            kind, undone, storage, accepted = row
            if undone:
                return 0
            if storage == "sqlite":
                removed = legacy.delete_rows(con, kind, batch_id)
            else:
                removed = int(accepted)
            con.execute("UPDATE batches SET undone_at = ? WHERE batch_id = ?", (_now(), batch_id))
        if storage == "parquet":  # reads leave it out from the COMMIT on; a left file is cleaned at next open
            columns.file_for(self.columns_folder, kind, batch_id).unlink(missing_ok=True)
        return removed

    def integrity_ok(self) -> bool:
        with self._connect() as con:
            return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _rollback(con: sqlite3.Connection) -> None:
    if con.in_transaction:
        con.execute("ROLLBACK")


def _refuse_same_file(con: sqlite3.Connection, kind: str, sha256: str) -> None:
    same = con.execute(
        "SELECT batch_id, imported_at FROM batches WHERE kind = ? AND sha256 = ? "
        "AND undone_at IS NULL ORDER BY imported_at LIMIT 1",
        (kind, sha256),
    ).fetchone()
    if same is not None:
        raise DuplicateBatchError(kind, sha256, *same)


def _insert_batch(
    con: sqlite3.Connection,
    batch_id: str,
    kind: str,
    *,
    file_name: str,
    sha256: str,
    rows_read: int,
    rows_accepted: int,
    rows_rejected: int,
    rows_skipped: int,
    rows_already_stored: int,
    storage: str,
) -> None:
    check_option("storage", storage, STORAGES)
    con.execute(
        "INSERT INTO batches (batch_id, kind, file_name, sha256, imported_at, rows_read, "
        "rows_accepted, rows_rejected, rows_skipped, undone_at, rows_already_stored, storage) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
        (
            batch_id,
            kind,
            file_name,
            sha256,
            _now(),
            rows_read,
            rows_accepted,
            rows_rejected,
            rows_skipped,
            rows_already_stored,
            storage,
        ),
    )


def layered(bundle: Bundle, store: Store) -> Bundle:
    """The bundled records with the store's imported rows layered on top (bundled first).

    The frames are joined as Arrow tables and turned into pandas once (one copy, not two).
    A kind with no stored rows is the bundled frame itself.  The frames are shared: treat
    them as read-only.
    """
    from dataclasses import replace

    def stacked(kind: str, bundled: pd.DataFrame) -> pd.DataFrame:
        stored = store.read_table(kind)
        if not stored.num_rows:
            return bundled
        return columns.to_frame(kind, pa.concat_tables([columns.to_arrow(kind, bundled, batch_id=None), stored]))

    return replace(
        bundle,
        incidents=stacked("incidents", bundle.incidents),
        designations=stacked("designations", bundle.designations),
        routes=stacked("routes", bundle.routes),
        reports=stacked("reports", bundle.reports),
    )
