"""Importing a file of any size: read in chunks, check each chunk, write the accepted rows as they come.

:func:`import_file` is what ``python -m tracker import`` runs. It takes the same steps as
:func:`tracker.ingest.prepare` (the page's preview) through the same :class:`ChunkCheck`, so the
two accept and reject the same rows, but holds only one chunk of the file at a time:

1. one pass checks chunk after chunk and appends the accepted rows to the store's batch; it also
   hashes the file (sha256), counts its records and checks that the fast reader reads it
   faithfully. Numeric dates (03/04/2026) are read in the order the dates seen so far settle;
   when a later chunk settles another order (or makes the order ambiguous), nothing is stored and
   the file is read in two passes instead: a first pass over the date column settles the order
   once, as :func:`prepare` does, then the checked pass;
2. the duplicate check runs at the end on the id, day, position, toll and radius of every
   accepted row (a few dozen bytes a row), then the batch is committed as one transaction.

With ``duplicates="skip"`` the accepted rows are spooled to a temporary Parquet file first and
appended without the duplicates once those are known. A file the fast reader cannot read
faithfully (another encoding, ragged rows, unclosed quotes...) is read whole by the robust
reader instead. Problems are kept in full up to ``max_problems`` and counted past it.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tracker import gazetteer as gz
from tracker import schema
from tracker.errors import TrackerError, check_option
from tracker.ingest import reading
from tracker.ingest.mapping import missing_required, suggest_mapping
from tracker.ingest.pipeline import (
    _DATE_FIELD,
    ChunkCheck,
    ImportPlan,
    _column,
    decide_date_order,
    prepare,
)
from tracker.ingest.values import DATE_ORDERS, DateEvidence, date_evidence

MAX_PROBLEMS = 100_000
"""Problems kept in full by a streamed import; past this they are counted (the report says so)."""
DUPLICATE_MODES = ("keep", "skip")
_PLAIN_ISO = r"^\d{4}-\d{2}-\d{2}$"  # as values._PLAIN_ISO, matched whole
_TEXT = {pa.string(): pd.StringDtype("pyarrow", na_value=float("nan"))}
_DUPLICATE_KEYS = ["incident_id", "date", "latitude", "longitude", "killed", "radius_km"]


@dataclass(frozen=True)
class Progress:
    """How far an import has got: ``stage`` is "reading" (a first pass, when one is needed), "checking"
    or "storing"; the share done is told by rows once they are counted, else by bytes."""

    stage: str
    rows: int
    bytes_done: int
    bytes_total: int | None
    rows_total: int | None = None  # known after the first pass

    @property
    def share(self) -> float | None:
        """How much of this stage is done (0..1), when it can be told."""
        if self.rows_total:
            return min(1.0, self.rows / self.rows_total)
        if self.bytes_total and self.stage in ("reading", "checking"):
            return min(1.0, self.bytes_done / self.bytes_total)
        return None


@dataclass
class ImportResult:
    """A streamed import: its plan (``plan.accepted`` is empty; ``plan.rows_accepted`` counts), and
    what was stored: the batch id (None when nothing was), rows stored and duplicates skipped."""

    plan: ImportPlan
    batch_id: str | None = None
    rows_stored: int = 0
    rows_skipped: int = 0
    refused: TrackerError | None = None  # the store refused the batch (the same file already stored)


class _CollectedBatch:
    """The store's batch writer for a store without ``open_batch``: rows collected, one ``import_batch``."""

    def __init__(self, store: Any, kind: str, file_name: str) -> None:
        self.store, self.kind, self.file_name = store, kind, file_name
        self.batch_id: str | None = None
        self._frames: list[pd.DataFrame] = []

    def append(self, frame: pd.DataFrame) -> None:
        self._frames.append(frame)

    def commit(self, *, sha256: str, rows_read: int, rows_rejected: int, rows_skipped: int = 0, **options) -> str:
        rows = pd.concat(self._frames) if self._frames else schema.empty_frame(self.kind)
        self.batch_id = self.store.import_batch(
            self.kind,
            rows,
            file_name=self.file_name,
            sha256=sha256,
            rows_read=rows_read,
            rows_rejected=rows_rejected,
            rows_skipped=rows_skipped,
            **options,
        )
        return self.batch_id


@contextlib.contextmanager
def _open_batch(store: Any, kind: str, file_name: str) -> Iterator[Any]:
    if hasattr(store, "open_batch"):
        with store.open_batch(kind, file_name=file_name) as batch:
            yield batch
    else:
        yield _CollectedBatch(store, kind, file_name)


class _Spool:
    """Accepted rows held in a temporary Parquet file until the duplicates are known."""

    def __init__(self, folder: str) -> None:
        self.path = Path(folder) / "accepted.parquet"
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None

    def append(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=True)
        if self._writer is None:
            self._schema = table.schema
            self._writer = pq.ParquetWriter(self.path, table.schema)
        self._writer.write_table(table.cast(self._schema))

    def frames(self) -> Iterator[pd.DataFrame]:
        if self._writer is None:
            return
        self._writer.close()
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=100_000):
            yield batch.to_pandas()


def read_header(path: str | Path, *, kind: str, encoding: str | None = None) -> tuple[str, ...]:
    """The column names of a delimited file (its first record), read from its first bytes where possible."""
    path = Path(path)
    with path.open("rb") as f:
        sample = f.read(reading.SAMPLE_BYTES)
    try:
        return tuple(reading.sniff_layout(sample, encoding=encoding).names)
    except reading.FastPathUnsafe:
        return prepare(kind, path.read_bytes(), file=path.name, encoding=encoding, max_bytes=_NO_LIMIT).header


_NO_LIMIT = 1 << 62


def import_file(
    path: str | Path,
    store: Any,
    *,
    kind: str,
    mapping: dict[str, str] | None = None,
    remembered: dict[str, str] | None = None,
    date_order: str | None = None,
    fix_swapped: bool = False,
    duplicates: str = "keep",
    existing: pd.DataFrame | None = None,
    gazetteer: gz.Gazetteer | None = None,
    default_event_type: str = "boat strike",
    encoding: str | None = None,
    dry_run: bool = False,
    progress: Callable[[Progress], None] | None = None,
    max_problems: int = MAX_PROBLEMS,
    block_bytes: int = reading.BLOCK_BYTES,
    today=None,
) -> ImportResult:
    """Check ``path`` chunk by chunk and store its accepted rows as one batch of ``store``; any size.

    ``store`` is written through ``store.open_batch(kind, file_name=...)`` (append each chunk,
    commit once) when it has one, else with one ``store.import_batch``. Nothing is stored when the
    plan is not ready (unmapped fields, ambiguous dates, an error about the whole file), when no row
    is accepted, with ``dry_run``, or when the store refuses the file (``result.refused``).
    ``duplicates="skip"`` leaves out the possible duplicates and stored ids.
    """
    check_option("kind", kind, ("incidents", "designations", "reports"))
    check_option("duplicates", duplicates, DUPLICATE_MODES)
    if date_order is not None:
        check_option("date_order", date_order, DATE_ORDERS)
    path = Path(path)
    total = path.stat().st_size
    options = dict(default_event_type=default_event_type, fix_swapped=fix_swapped, gazetteer=gazetteer, today=today)

    def tell(stage: str, rows: int, done: int) -> None:
        if progress is not None:
            progress(Progress(stage, rows, done, total, plan.rows_read if stage != "reading" else None))

    plan = ImportPlan(kind=kind, file=path.name, sha256="", date_order=date_order)
    check = ChunkCheck(plan, max_problems=max_problems, **options)
    try:
        with path.open("rb") as f:
            layout = reading.sniff_layout(f.read(reading.SAMPLE_BYTES), encoding=encoding)
        _map_columns(plan, layout, mapping, remembered)
        if plan.missing_fields:  # nothing can be checked: count the rows for the report
            _first_pass(path, plan, layout, block_bytes, tell)
            return ImportResult(plan)
        result = _checked_pass(path, store, check, layout, duplicates, existing, dry_run, block_bytes, tell, one=True)
        if result is None:  # the dates were read in an order the rest of the file changed: two passes
            plan = ImportPlan(kind=kind, file=path.name, sha256="", date_order=date_order)
            check = ChunkCheck(plan, max_problems=max_problems, **options)
            _map_columns(plan, layout, mapping, remembered)
            _first_pass(path, plan, layout, block_bytes, tell)
            if not plan.rows_read:
                return ImportResult(plan)
            result = _checked_pass(
                path, store, check, layout, duplicates, existing, dry_run, block_bytes, tell, one=False
            )
        assert result is not None
        return result
    except reading.FastPathUnsafe:
        plan = ImportPlan(kind=kind, file=path.name, sha256="", date_order=date_order)
        return _import_whole(path, store, plan, mapping, remembered, encoding, duplicates, existing, dry_run, **options)


def _used_order(plan: ImportPlan) -> str | None:
    """The order the numeric dates of a chunk are read in, as :class:`ChunkCheck` takes it from the plan."""
    if plan.ambiguous_dates and plan.date_order is None:
        return None
    return plan.date_order or plan.inferred_date_order


def _checked_pass(
    path: Path, store, check: ChunkCheck, layout, duplicates, existing, dry_run, block_bytes, tell, *, one: bool
) -> ImportResult | None:
    """Check the file chunk by chunk and append the accepted rows to one batch, committed at the end.

    ``one``: the only pass over the file, which also hashes it, counts its records, checks that the
    fast reader reads it faithfully and gathers the evidence of the date order as it goes. Each chunk
    is read in the order the dates seen so far settle; None (nothing stored) when the whole file settles
    another order than a chunk was read in. Else a first pass has done all that.
    """
    plan, kind = check.plan, check.plan.kind
    write = not dry_run and (one or plan.ready)
    date_field = plan.mapping.get(_DATE_FIELD.get(kind, ""))
    if one:  # the header's own problems (a repeated name) come first, as the first pass puts them
        plan.problems = reading.layout_problems(plan.file, layout, 1)
    evidence = DateEvidence()
    orders: set[str | None] = set()
    keys: list[pd.DataFrame] = []
    accepted = records = 0
    with contextlib.ExitStack() as stack:
        batch = stack.enter_context(_open_batch(store, kind, path.name)) if write else None
        spool = _Spool(stack.enter_context(tempfile.TemporaryDirectory())) if write and duplicates == "skip" else None
        sink = spool if spool is not None else batch
        with path.open("rb") as f:
            source = reading.ScanningReader(f, check=one, hash=one)
            for _, frame in reading.record_frames(source, layout, block_bytes=block_bytes):
                if one:
                    if date_field in frame.columns and plan.date_order is None:
                        evidence = evidence | date_evidence(frame[date_field])
                        decide_date_order(plan, evidence)
                    orders.add(_used_order(plan))
                passed = check.run(frame, [])
                records += len(frame)
                accepted += len(passed)
                if kind == "incidents":
                    keys.append(passed[_DUPLICATE_KEYS].astype({"incident_id": "str"}))  # compact
                if sink is not None and len(passed):
                    sink.append(passed)
                tell("checking", records, source.bytes_read)
            if one:
                source.finish()
        if one:
            if orders - {_used_order(plan)}:
                stack.close()  # the batch is left uncommitted: nothing is stored
                return None
            plan.sha256 = source.sha256.hexdigest()
            plan.rows_read = records
            if not records:  # a header alone: nothing to map (as prepare reports it)
                plan.problems = reading.layout_problems(plan.file, layout, records)
                plan.mapping, plan.missing_fields = {}, []
                return ImportResult(plan)
            if not plan.ready:
                batch = None
        plan.rows_accepted = accepted
        frame_keys = pd.concat(keys) if keys else schema.empty_frame(kind)
        keys.clear()  # the chunks' keys are in frame_keys now: not held twice while the duplicates are sought
        check.finish(frame_keys, existing)
        del keys, frame_keys
        return _commit(plan, batch, spool, duplicates, tell)


def _map_columns(plan: ImportPlan, layout, mapping, remembered) -> None:
    plan.encoding, plan.delimiter, plan.header = layout.encoding, layout.delimiter, tuple(layout.names)
    plan.mapping = mapping if mapping is not None else suggest_mapping(plan.kind, plan.header, remembered)
    plan.missing_fields = missing_required(plan.kind, plan.mapping)
    plan.accepted = schema.empty_frame(plan.kind)


def _first_pass(path, plan, layout, block_bytes, tell) -> None:
    """Hash the file, count its records, settle the date order and check the fast path reads it faithfully."""
    date_column = plan.mapping.get(_DATE_FIELD.get(plan.kind, ""))
    at = layout.names.index(date_column) if date_column in layout.names else 0
    evidence = DateEvidence()
    records = 0
    with path.open("rb") as f:
        source = reading.ScanningReader(f)
        for start, batch in reading.arrow_batches(source, layout, block_bytes=block_bytes, include=[at]):
            values = batch.column(0)
            if start == 0:
                values = values.slice(1)
            if date_column in layout.names and not plan.missing_fields:
                # plain YYYY-MM-DD dates say nothing about the order: only the others are looked at
                text = pc.utf8_trim_whitespace(values)
                rest = pc.filter(text, pc.invert(pc.match_substring_regex(text, _PLAIN_ISO)))
                if len(rest):
                    frame = pd.DataFrame({date_column: rest.to_pandas(types_mapper=_TEXT.get)})
                    evidence = evidence | date_evidence(_column(frame, plan, _DATE_FIELD.get(plan.kind, "")))
            records += len(values)
            tell("reading", records, source.bytes_read)
        source.finish()
    plan.sha256 = source.sha256.hexdigest()
    plan.rows_read = records
    plan.problems = reading.layout_problems(plan.file, layout, records)
    if not records:  # a header alone: nothing to map (as prepare reports it)
        plan.mapping, plan.missing_fields = {}, []
        return
    decide_date_order(plan, evidence)


def _commit(plan: ImportPlan, batch, spool: _Spool | None, duplicates: str, tell) -> ImportResult:
    result = ImportResult(plan)
    if batch is None or not plan.accepted_rows:
        return result
    skipped = 0
    stored = plan.accepted_rows
    if spool is not None:
        skip = set(plan.duplicates["row"]) if len(plan.duplicates) else set()
        stored = 0
        for frame in spool.frames():
            keep = ~(frame.index + 2).isin(skip)
            stored += int(keep.sum())
            if keep.any():
                batch.append(frame[keep])
        skipped = plan.accepted_rows - stored
        if not stored:
            result.rows_skipped = skipped
            return result
    tell("storing", stored, 0)
    try:
        result.batch_id = batch.commit(
            sha256=plan.sha256,
            rows_read=plan.rows_read,
            rows_rejected=plan.rejected_rows,
            rows_skipped=skipped,
            skip_existing_ids=duplicates == "skip",
        )
    except TrackerError as exc:  # the same file already stored (DuplicateBatchError) and the like
        result.refused = exc
        return result
    result.rows_stored, result.rows_skipped = stored, skipped
    return result


def _import_whole(
    path, store, plan, mapping, remembered, encoding, duplicates, existing, dry_run, **options
) -> ImportResult:
    """A file the fast reader cannot read faithfully: the robust reader on the whole file, then one batch."""
    data = path.read_bytes()
    plan = prepare(
        plan.kind,
        data,
        file=path.name,
        mapping=mapping,
        remembered=remembered,
        date_order=plan.date_order,
        existing=existing,
        encoding=encoding,
        reader="python",
        max_bytes=_NO_LIMIT,
        **options,
    )
    del data
    rows = plan.accepted
    plan.rows_accepted = len(rows)
    plan.accepted = rows.iloc[0:0]
    if dry_run or not plan.ready or rows.empty:
        return ImportResult(plan)
    with _open_batch(store, plan.kind, path.name) as batch:
        skipped = 0
        if duplicates == "skip" and len(plan.duplicates):
            keep = ~(rows.index + 2).isin(set(plan.duplicates["row"]))
            skipped = int((~keep).sum())
            rows = rows[keep]
        if rows.empty:
            return ImportResult(plan, rows_skipped=skipped)
        for start in range(0, len(rows), 100_000):
            batch.append(rows.iloc[start : start + 100_000])
        result = ImportResult(plan)
        try:
            result.batch_id = batch.commit(
                sha256=plan.sha256,
                rows_read=plan.rows_read,
                rows_rejected=plan.rejected_rows,
                rows_skipped=skipped,
                skip_existing_ids=duplicates == "skip",
            )
        except TrackerError as exc:
            result.refused = exc
            return result
        result.rows_stored, result.rows_skipped = len(rows), skipped
        return result
