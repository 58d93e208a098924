"""Importing an AIS position file into the store: streamed, checked, written by day, all or nothing.

The file is read chunk by chunk (:func:`tracker.vessels.reading.read_positions`); each chunk's
accepted positions go straight to the batch's day files (:class:`tracker.store.positions.DayWriter`)
and its problems are kept (the first :data:`tracker.vessels.reading.MAX_PROBLEMS`, all counted).
Rows without MMSI or time, or with a position out of range, are rejected and reported by row and
column; the accepted ones are stored as one batch.  Nothing is visible before the batch commits,
and an unreadable file, a file with no position, or one already stored stores nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tracker.errors import DuplicateBatchError
from tracker.schema import Problem
from tracker.vessels import reading

HASH_BLOCK = 8 << 20


@dataclass
class PositionImport:
    """What one import of a position file did (or, for a dry run, would do)."""

    file_name: str
    layout: str | None = None
    rows_read: int = 0
    rows_stored: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    vessels: int = 0
    first_time: str | None = None
    last_time: str | None = None
    days: int = 0
    batch_id: str | None = None
    refused: str | None = None
    """Why nothing was stored (unreadable, no position, already imported), or None."""

    @property
    def rows_rejected(self) -> int:
        return self.rows_read - self.rows_stored

    def summary(self) -> str:
        if self.refused:
            return f"{self.file_name}: nothing stored: {self.refused}"
        span = f" from {self.first_time} to {self.last_time} UTC" if self.first_time else ""
        stored = "would store" if self.batch_id is None else f"stored as batch {self.batch_id}:"
        return (
            f"{self.file_name} ({self.layout}): {self.rows_read:,} rows read, {stored} {self.rows_stored:,} "
            f"positions of {self.vessels:,} vessels{span} in {self.days:,} day file(s); "
            f"{self.rows_rejected:,} rows rejected, {self.problem_count:,} problem(s)"
        )


def looks_like_ais(path: str | Path, data: bytes | None = None) -> bool:
    """Whether a file holds AIS positions: a known layout (MarineCadastre, DMA; CSV, .csv.zst or Parquet),
    or any CSV whose columns name an MMSI, a time, a latitude and a longitude."""
    try:
        source: str | bytes = data if data is not None else str(path)
        if reading._is_parquet(source):
            names = pq.ParquetFile(source if isinstance(source, str) else pa.BufferReader(source)).schema_arrow.names
        else:
            names = reading._read_header(reading._open(source))
    except (OSError, ValueError, pa.ArrowException):
        return False
    if reading.detect_layout(names) is not None:
        return True
    named = reading.suggest_mapping(names)  # any CSV naming an MMSI, a time and a position
    return all(f in named for f in reading.REQUIRED_FIELDS)


def sha256_of(source: str | Path | bytes) -> str:
    """The file's sha256 (read in blocks: bounded memory)."""
    h = hashlib.sha256()
    if isinstance(source, bytes | bytearray):
        h.update(source)
        return h.hexdigest()
    with open(source, "rb") as f:
        while block := f.read(HASH_BLOCK):
            h.update(block)
    return h.hexdigest()


def _time_text(value) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def _write_chunks(stream, writer, progress):
    """Read every chunk of ``stream`` and hand it to ``writer`` (None: check only); return the MMSIs
    seen and the first and last time.  The day files are written on a second thread while the next
    chunk is read and checked (both release the GIL in Arrow's C++); at most one chunk waits to be
    written, so memory stays bounded."""
    vessels: set[int] = set()
    first = last = None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="positions-writer")
    pending: Future | None = None
    try:
        for chunk in stream:
            table = chunk.positions
            if table.num_rows:
                vessels.update(np.unique(table["mmsi"].to_numpy()).tolist())
                lo, hi = (v.as_py() for v in pc.min_max(table["time"]).values())
                first = lo if first is None or lo < first else first
                last = hi if last is None or hi > last else last
                if writer is not None:
                    if pending is not None:
                        pending.result()
                    pending = pool.submit(writer.append, table)
            if progress is not None:
                progress(stream.rows_read)
            pa.default_memory_pool().release_unused()  # chunks' buffers go back as they are done with
        if pending is not None:
            pending.result()
    finally:
        pool.shutdown(wait=True)
    return vessels, first, last


def import_positions(
    source: str | Path | bytes,
    store,
    *,
    file_name: str,
    mapping: dict[str, str] | None = None,
    time_format: str | None = None,
    dry_run: bool = False,
    chunk_rows: int = reading.DEFAULT_CHUNK_ROWS,
    progress: Callable[[int], None] | None = None,
) -> PositionImport:
    """Read ``source`` (a path or the file's bytes) and store its accepted positions as one batch.

    ``dry_run`` checks the whole file and stores nothing.  ``progress`` is called with the rows
    read so far after each chunk.  Never raises for bad input: see :attr:`PositionImport.refused`
    and :attr:`PositionImport.problems`.
    """
    result = PositionImport(file_name)
    hashing = None if dry_run else ThreadPoolExecutor(max_workers=1, thread_name_prefix="positions-hash")
    digest = None if hashing is None else hashing.submit(sha256_of, source)  # hashlib releases the GIL
    try:
        for fast in (True, False):
            stream = reading.read_positions(
                source, file=file_name, mapping=mapping, chunk_rows=chunk_rows, time_format=time_format, fast=fast
            )
            writer = None if dry_run else store.open_positions()
            try:
                vessels, first, last = _write_chunks(stream, writer, progress)
                break
            except reading.SlowReadNeeded:
                if writer is not None:
                    writer.discard()
            except (ValueError, OSError, pa.ArrowException) as exc:
                if writer is not None:
                    writer.discard()
                result.refused = f"the file cannot be read as AIS positions: {exc}"
                result.problems = [Problem(file_name, None, "", "", result.refused)]
                result.problem_count = 1
                return result
            except BaseException:
                if writer is not None:
                    writer.discard()
                raise
    finally:
        if hashing is not None:
            hashing.shutdown(wait=True)
    result.layout = stream.layout
    result.rows_read, result.rows_stored = stream.rows_read, stream.rows_kept
    result.problems, result.problem_count = stream.problems, stream.problem_count
    result.vessels = len(vessels)
    result.first_time, result.last_time = _time_text(first), _time_text(last)
    if writer is not None:
        result.days = writer.days
    if result.rows_stored == 0:
        result.refused = (
            "the file has a header but no records"
            if result.rows_read == 0
            else "no row holds a usable position (MMSI, time, latitude and longitude)"
        )
        if writer is not None:
            writer.discard()
        return result
    if writer is None:
        return result
    record = {
        "file_name": file_name,
        "layout": result.layout or "mapped",
        "sha256": digest.result() if digest is not None else sha256_of(source),
        "rows_read": result.rows_read,
        "rows_rejected": result.rows_rejected,
        "vessels": result.vessels,
        "first_time": result.first_time,
        "last_time": result.last_time,
    }
    try:
        result.batch_id = store.commit_positions(writer, record)
    except DuplicateBatchError as exc:
        result.refused = str(exc)
    return result
