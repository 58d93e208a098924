"""The columnar path of the store: each batch's rows as one Parquet file, read back with pyarrow.

* Where: ``<store file>.columns/<kind>/<batch_id>.parquet``, one file per batch.  The
  catalogue (:mod:`tracker.store.catalogue`) says which files count: only those of
  batches that are committed and not undone are ever read.  A file is never found by
  listing the folder.
* Writing: :class:`ColumnFile` streams canonical chunks into ``<batch_id>.parquet.tmp``
  (one row group per chunk, so memory is bounded by the chunk) and holds an advisory
  lock on it while it lives.  :meth:`ColumnFile.publish` renames it to its final name;
  the catalogue does that inside the batch's write transaction, just before COMMIT.
* Layout of a file: the canonical columns of the kind (:data:`tracker.schema.COLUMNS`)
  with Arrow types that pandas turns into the canonical dtypes without per-row work:
  text ``large_string`` (``""`` for missing text, never null), dates ``timestamp[ns]``,
  counts nullable ``int64`` (-> ``Int64``), positions ``float64`` (null -> NaN), flags
  ``bool``.  Routes add ``geometry_wkb`` (WKB, EPSG:4326 longitude/latitude).
* A column the schema gains later is missing from older files: it reads as the
  canonical empty value (``""``, NA, NaT, False).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely

from tracker import schema

try:  # advisory locks mark a temporary file as in use; without fcntl, age alone decides
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".parquet"
TEMP_SUFFIX = ".tmp"
GEOMETRY_COLUMN = "geometry_wkb"
COMPRESSION = "lz4"  # with dictionary pages for the repetitive text: a fifth quicker to read than snappy
_ONE_OFF_TEXT = frozenset(
    {"incident_id", "designation_id", "route_id", "name", "aliases", "identifiers", "notes", "source_urls"}
)
"""Text columns whose values rarely repeat, written without a dictionary (it would only be abandoned)."""
ABANDONED_AFTER_S = 24 * 3600  # without advisory locks: a temporary file this old is left over
_ARROW_TYPES = {
    "str": pa.large_string(),
    "datetime64[ns]": pa.timestamp("ns"),
    "float64": pa.float64(),
    "Int64": pa.int64(),
    "bool": pa.bool_(),
}


def folder_for(store_path: Path) -> Path:
    """The folder of a store's Parquet files: ``<store file>.columns`` beside the store file."""
    return store_path.with_name(store_path.name + ".columns")


def file_for(folder: Path, kind: str, batch_id: str) -> Path:
    """Where the rows of ``batch_id`` (of ``kind``) are stored once the batch is committed."""
    return folder / kind / f"{batch_id}{SUFFIX}"


def arrow_schema(kind: str) -> pa.Schema:
    """The Arrow schema of a ``kind`` file: the canonical columns (plus ``geometry_wkb`` for routes)."""
    fields = [pa.field(col, _ARROW_TYPES[dtype]) for col, dtype in schema.COLUMNS[kind].items()]
    if kind == "routes":
        fields.append(pa.field(GEOMETRY_COLUMN, pa.binary()))
    return pa.schema(fields)


def _dictionary_columns(kind: str) -> list[str]:
    """The text columns written with dictionary pages: those whose values repeat (places, rules, sources)."""
    return [f.name for f in arrow_schema(kind) if pa.types.is_large_string(f.type) and f.name not in _ONE_OFF_TEXT]


# -- frames -> Arrow ---------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _canonical_dtypes(kind: str, columns: tuple[tuple[str, str], ...]) -> dict[str, object]:
    """The dtype :func:`tracker.schema.canonicalise` gives each column (text: ``astype(str)``'s)."""
    known: dict[str, object] = {
        "str": pd.Series(["x"]).astype(str).dtype,
        "bool": np.dtype(bool),
        "Int64": pd.Int64Dtype(),
    }
    return {col: known[dtype] if dtype in known else np.dtype(dtype) for col, dtype in columns}


def _is_canonical(kind: str, frame: pd.DataFrame) -> bool:
    """Whether ``frame`` holds every column of ``kind`` with its canonical dtype (a cheap check)."""
    expected = _canonical_dtypes(kind, tuple(schema.COLUMNS[kind].items()))
    return all(col in frame.columns and frame[col].dtype == dtype for col, dtype in expected.items())


def to_arrow(kind: str, rows: pd.DataFrame, *, batch_id: str | None) -> pa.Table:
    """``rows`` of ``kind`` as an Arrow table in the file layout (no per-row Python work).

    Rows that are already canonical (:func:`tracker.schema.canonicalise` output) are taken
    as they are; anything else is canonicalised first.  Incidents get ``batch_id`` (None
    keeps theirs); routes keep their geometry as WKB.
    """
    frame = rows if _is_canonical(kind, rows) else schema.canonicalise(kind, rows)
    target = arrow_schema(kind)
    columns = list(schema.COLUMNS[kind])
    arrays: list[pa.Array | pa.ChunkedArray] = []
    n = len(frame)
    for col in columns:
        field = target.field(col)
        if kind == "incidents" and col == "batch_id" and batch_id is not None:
            arrays.append(pa.repeat(pa.scalar(batch_id, field.type), n))
            continue
        array = pa.array(frame[col], type=field.type, from_pandas=True)
        if pa.types.is_large_string(field.type) and array.null_count:
            array = pc.fill_null(array, "")  # canonical text: "" for missing, never null
        arrays.append(array)
    if kind == "routes":
        geometry = rows.geometry.values if isinstance(rows, gpd.GeoDataFrame) else None
        if geometry is None and "geometry" in rows.columns:
            geometry = rows["geometry"].to_numpy()
        wkb = shapely.to_wkb(np.asarray(geometry, dtype=object)) if geometry is not None and n else [None] * n
        arrays.append(pa.array(wkb, type=pa.binary()))
    return pa.Table.from_arrays(arrays, schema=target)


# -- writing -----------------------------------------------------------------------------


class ColumnFile:
    """One batch's rows being written to a temporary Parquet file, locked while it is written.

    ``append`` writes each chunk as its own row group.  ``close`` finishes the file (footer,
    fsync); ``publish`` renames it to ``final``; ``discard`` removes it.  Nothing at the
    temporary name is ever read.
    """

    def __init__(self, kind: str, final: Path, batch_id: str) -> None:
        self.kind, self.final, self.batch_id = kind, final, batch_id
        self.temp = final.with_name(final.name + TEMP_SUFFIX)
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.rows = 0
        self._lock = _lock_new(self.temp)
        try:
            self._writer: pq.ParquetWriter | None = pq.ParquetWriter(
                str(self.temp), arrow_schema(kind), compression=COMPRESSION, use_dictionary=_dictionary_columns(kind)
            )
        except BaseException:
            self._release()
            self.temp.unlink(missing_ok=True)
            raise

    def append(self, rows: pd.DataFrame) -> None:
        self.write_table(to_arrow(self.kind, rows, batch_id=self.batch_id))

    def write_table(self, table: pa.Table) -> None:
        if self._writer is None:
            raise ValueError("the file is closed")
        if table.num_rows:
            self._writer.write_table(table)
            self.rows += table.num_rows

    def close(self) -> None:
        """Finish the file (footer and fsync); it stays at its temporary name."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            _fsync(self.temp)

    def publish(self) -> None:
        """Rename the finished file to its final name (the catalogue's commit follows at once)."""
        self.close()
        os.replace(self.temp, self.final)
        _fsync_dir(self.final.parent)

    def discard(self) -> None:
        """Remove the temporary file (and release its lock); safe to call more than once."""
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001 - the file goes anyway
                pass
            self._writer = None
        self.temp.unlink(missing_ok=True)
        self._release()

    def release(self) -> None:
        """Release the lock once the file is published (or discarded)."""
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def _lock_new(path: Path) -> int | None:
    """Create ``path`` and hold an exclusive advisory lock on it (released when the fd closes, or the process ends).

    Without advisory locks (not POSIX) nothing is held open, so the file can be renamed.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    if fcntl is None:  # pragma: no cover - not POSIX
        os.close(fd)
        return None
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def in_use(path: Path) -> bool:
    """Whether another handle (a live writer, in any process) holds ``path``'s lock."""
    if fcntl is None:  # pragma: no cover - not POSIX
        try:
            return time.time() - path.stat().st_mtime < ABANDONED_AFTER_S
        except FileNotFoundError:
            return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_abandoned_temp_files(folder: Path) -> list[Path]:
    """Remove temporary files no live writer holds (left by a killed import); return them."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in sorted(folder.glob(f"*/*{TEMP_SUFFIX}")):
        if not in_use(path):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def stored_files(folder: Path) -> dict[str, Path]:
    """Every final-named file under ``folder``, by batch id (for clean-up: never for reading)."""
    if not folder.is_dir():
        return {}
    return {p.name[: -len(SUFFIX)]: p for p in folder.glob(f"*/*{SUFFIX}")}


# -- reading -----------------------------------------------------------------------------


def _conformed(kind: str, table: pa.Table) -> pa.Table:
    """``table`` with exactly the current columns of ``kind``: missing ones canonical empty, extra ones dropped."""
    target = arrow_schema(kind)
    n = table.num_rows
    arrays = []
    for field in target:
        if field.name in table.column_names:
            column = table.column(field.name)
            arrays.append(column if column.type == field.type else column.cast(field.type))
        elif pa.types.is_large_string(field.type):
            arrays.append(pa.repeat(pa.scalar("", field.type), n))
        elif pa.types.is_boolean(field.type):
            arrays.append(pa.repeat(pa.scalar(False), n))
        else:
            arrays.append(pa.nulls(n, field.type))
    return pa.Table.from_arrays(arrays, schema=target)


def _read(path: Path, names: list[str] | None = None) -> pa.Table:
    """One file's columns (all, or ``names``); ParquetFile, not read_table, spares the dataset machinery."""
    with pq.ParquetFile(path, memory_map=False) as file:
        return file.read(columns=names)


def read_table(kind: str, paths: Iterable[Path]) -> pa.Table:
    """The rows of the files at ``paths``, in that order, as one table in the current layout."""
    tables = [_conformed(kind, _read(path)) for path in paths]
    return pa.concat_tables(tables) if tables else arrow_schema(kind).empty_table()


def _pandas_type(arrow_type: pa.DataType) -> object | None:
    return pd.Int64Dtype() if pa.types.is_integer(arrow_type) else None


def to_frame(kind: str, table: pa.Table) -> pd.DataFrame:
    """A table in the file layout as the canonical frame of ``kind`` (a GeoDataFrame for routes).

    Vectorised: Arrow text becomes pandas' ``str`` dtype, counts ``Int64``, nulls NaN/NaT.
    """
    geometry = table.column(GEOMETRY_COLUMN) if kind == "routes" else None
    columns = table.select(list(schema.COLUMNS[kind]))
    frame = columns.to_pandas(types_mapper=_pandas_type, split_blocks=True, self_destruct=True)
    if geometry is not None:
        return gpd.GeoDataFrame(frame, geometry=shapely.from_wkb(geometry.to_numpy()), crs="EPSG:4326")
    return frame


def read_ids(kind: str, paths: Iterable[Path], id_column: str) -> pa.ChunkedArray:
    """The ``id_column`` values stored in the files at ``paths``."""
    chunks = [_read(path, [id_column]).column(id_column) for path in paths]
    if not chunks:
        return pa.chunked_array([], type=pa.large_string())
    return pa.chunked_array([c.cast(pa.large_string()) for chunk in chunks for c in chunk.chunks], pa.large_string())


def keep_rows_without_ids(source: ColumnFile, stored: pa.Array | pa.ChunkedArray, id_column: str) -> ColumnFile:
    """A new temporary file with the rows of the (closed) ``source`` whose id is not in ``stored``.

    Streams row group by row group; ``source`` is discarded.  Returns ``source`` itself
    (untouched) when no row is left out.
    """
    ids = _read(source.temp, [id_column]).column(id_column)
    if not len(stored) or not pc.any(pc.is_in(ids, value_set=stored)).as_py():
        return source
    kept = ColumnFile(source.kind, source.final.with_name(source.final.name + ".kept"), source.batch_id)
    try:
        reader = pq.ParquetFile(source.temp)
        for group in range(reader.num_row_groups):
            table = reader.read_row_group(group)
            mask = pc.invert(pc.is_in(table.column(id_column), value_set=stored))
            kept.write_table(table.filter(mask))
        kept.close()
        kept.final = source.final
    except BaseException:
        kept.discard()
        raise
    source.discard()
    return kept
