"""AIS position files -> one canonical positions table, read in chunks.

The canonical positions are a :class:`pyarrow.Table` with :data:`POSITION_SCHEMA`:
``mmsi`` (int64), ``time`` (timestamp, seconds, UTC), ``lat``/``lon`` (float64,
EPSG:4326 degrees), ``sog`` (knots), ``cog`` and ``heading`` (degrees; NaN when
not available), ``name``, ``imo`` (digits only, "IMO9543500" -> "9543500"),
``call_sign``, ``flag``, ``vessel_type`` (text, null when not given) and ``row``
(the line number in the source file: the header is line 1, so the first record
is row 2; for Parquet, the record number counted from 1).

Layouts recognised from the header (case-insensitive): MarineCadastre up to 2024,
MarineCadastre 2025 (CSV, zstd-compressed CSV or GeoParquet with a WKB point
``geometry``) and the Danish Maritime Authority; any other CSV is read with an
explicit mapping {canonical field: source column}.

"Not available" values become null, never positions: heading 511, SOG 102.3,
COG 360, latitude 91 and longitude 181 (a row without a latitude or longitude is
left out, silently for the documented sentinels).  Rows without an MMSI or a time,
with an unreadable time or a position off the globe, and rows with another number
of columns than the header, are left out and reported as :class:`Problem` rows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely

from tracker.schema import Problem

POSITION_SCHEMA = pa.schema(
    [
        ("mmsi", pa.int64()),
        ("time", pa.timestamp("s", tz="UTC")),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("sog", pa.float64()),
        ("cog", pa.float64()),
        ("heading", pa.float64()),
        ("name", pa.string()),
        ("imo", pa.string()),
        ("call_sign", pa.string()),
        ("flag", pa.string()),
        ("vessel_type", pa.string()),
        ("row", pa.int64()),
    ]
)
TEXT_FIELDS = ("name", "imo", "call_sign", "flag", "vessel_type")
MAX_PROBLEMS = 1_000
"""Problems kept as :class:`Problem` rows per file; the rest are only counted."""
DEFAULT_CHUNK_ROWS = 250_000

LAYOUTS: dict[str, dict[str, str]] = {
    "marinecadastre_2024": {
        "mmsi": "MMSI", "time": "BaseDateTime", "lat": "LAT", "lon": "LON", "sog": "SOG", "cog": "COG",
        "heading": "Heading", "name": "VesselName", "imo": "IMO", "call_sign": "CallSign",
        "vessel_type": "VesselType",
    },
    "marinecadastre_2025": {
        "mmsi": "mmsi", "time": "base_date_time", "lat": "latitude", "lon": "longitude", "sog": "sog",
        "cog": "cog", "heading": "heading", "name": "vessel_name", "imo": "imo", "call_sign": "call_sign",
        "vessel_type": "vessel_type",
    },
    "dma": {
        "mmsi": "MMSI", "time": "Timestamp", "lat": "Latitude", "lon": "Longitude", "sog": "SOG", "cog": "COG",
        "heading": "Heading", "name": "Name", "imo": "IMO", "call_sign": "Callsign", "vessel_type": "Ship type",
    },
}  # fmt: skip
"""Canonical field -> source column of each known layout."""
_TIME_FORMATS = {"dma": "%d/%m/%Y %H:%M:%S"}
_DMA_NOT_VESSELS = ("base station", "aton")
"""DMA "Type of mobile" values that are not ships (fixed stations, aids to navigation): left out."""
_NULL_TEXT = {"", "unknown", "none", "null", "nan", "n/a", "na", "0", "imo0000000"}


def _norm(name: str) -> str:
    return name.strip().lstrip("\ufeff").lstrip("#").strip().lower()


AIS_ALIASES: dict[str, tuple[str, ...]] = {
    "mmsi": ("mmsi", "userid", "user_id", "mmsi_number"),
    "time": ("time", "timestamp", "datetime", "date_time", "base_date_time", "basedatetime", "time_utc", "utc"),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "long", "lng", "longitude", "x"),
    "sog": ("sog", "speed", "speed_over_ground"),
    "cog": ("cog", "course", "course_over_ground"),
    "heading": ("heading", "true_heading"),
    "name": ("name", "vessel_name", "vesselname", "ship_name", "shipname"),
    "imo": ("imo", "imo_number"),
    "call_sign": ("call_sign", "callsign"),
    "flag": ("flag", "flag_state"),
    "vessel_type": ("vessel_type", "ship_type", "shiptype"),
}
"""Column names recognised in any other AIS CSV (compared in lower case, with spaces and dashes as _)."""
REQUIRED_FIELDS = ("mmsi", "time", "lat", "lon")


def suggest_mapping(header: list[str]) -> dict[str, str]:
    """{field: column} for the columns of ``header`` whose names :data:`AIS_ALIASES` knows."""
    by_name = {re.sub(r"[^a-z0-9]+", "_", _norm(h)).strip("_"): h for h in header}
    found = {}
    for field_name, names in AIS_ALIASES.items():
        column = next((by_name[n] for n in names if n in by_name), None)
        if column is not None:
            found[field_name] = column
    return found


def detect_layout(header: list[str]) -> str | None:
    """The layout whose columns a header holds ("marinecadastre_2024", "marinecadastre_2025", "dma"), or None.

    Names compare case-insensitively; a leading "# " (DMA) and a UTF-8 BOM are ignored.
    The 2025 GeoParquet files may lack latitude and longitude (a ``geometry`` column holds them).
    """
    names = {_norm(h) for h in header}
    for layout, mapping in LAYOUTS.items():
        need = {_norm(c) for c in mapping.values()}
        if layout == "marinecadastre_2025" and "geometry" in names:
            need -= {"latitude", "longitude"}
        if need <= names:
            return layout
    return None


@dataclass
class ProblemLog:
    """Problems of one file: the first :data:`MAX_PROBLEMS` kept, all counted."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    count: int = 0

    def add(
        self, rows, column: str, values, message: str, severity: Literal["error", "warning"] = "error"
    ) -> list[Problem]:
        """Record one problem per row of ``rows`` (with the matching ``values``); returns those kept."""
        rows = np.atleast_1d(np.asarray(rows))
        room = max(0, MAX_PROBLEMS - len(self.problems))
        self.count += len(rows)
        vals = list(values[:room]) if room else []
        kept = [
            Problem(
                self.file,
                None if r is None or r < 0 else int(r),
                column,
                "" if v is None else str(v),
                message,
                severity,
            )  # fmt: skip
            for r, v in zip(rows[:room].tolist(), vals)
        ]
        self.problems.extend(kept)
        return kept


@dataclass
class Chunk:
    """One chunk of canonical positions and the problems found in it (those kept under the cap)."""

    positions: pa.Table
    problems: list[Problem]


class SlowReadNeeded(Exception):
    """The quick read (both cores, numbers parsed by the CSV reader) met a row it cannot take: a row with
    another number of columns, or a number that is no number.  Read the file again with ``fast=False``
    (one core, every cell as text), which reports each such row by its line."""


class PositionStream:
    """The chunks of one position file; iterate once.  After iteration: ``problems`` (capped at
    :data:`MAX_PROBLEMS`), ``problem_count`` (all), ``rows_read``, ``rows_kept`` and ``layout``."""

    def __init__(
        self, source, *, file: str, mapping: dict | None, chunk_rows: int, time_format: str | None, fast: bool = True
    ):
        self.file = file
        self.fast = fast
        self.log = ProblemLog(file)
        self.rows_read = 0
        self.rows_kept = 0
        self._source, self._chunk_rows, self._time_format = source, chunk_rows, time_format
        self._mapping = mapping
        self.layout: str | None = None

    @property
    def problems(self) -> list[Problem]:
        return self.log.problems

    @property
    def problem_count(self) -> int:
        return self.log.count

    def __iter__(self) -> Iterator[Chunk]:
        if _is_parquet(self._source):
            batches = self._parquet_batches()
        else:
            batches = self._csv_batches()
        for batch, rows, spec in batches:
            before = len(self.log.problems)
            table = _canonical(batch, rows, spec, self.log)
            self.rows_read += batch.num_rows
            self.rows_kept += table.num_rows
            yield Chunk(table, self.log.problems[before:])

    # -- sources ---------------------------------------------------------------

    def _spec(self, header: list[str]) -> _Spec:
        self.layout = detect_layout(header) if self._mapping is None else "mapped"
        if self.layout is None:
            suggested = suggest_mapping(header)
            lacking = [f for f in REQUIRED_FIELDS if f not in suggested]
            if lacking:
                raise ValueError(
                    f"{self.file}: not a known AIS layout, and no column is named for {', '.join(lacking)} "
                    f"(header: {', '.join(header)}); map them, e.g. --map time=COLUMN"
                )
            self.layout, self._mapping = "mapped by column names", suggested
        mapping = self._mapping if self._mapping is not None else LAYOUTS[self.layout]
        missing = [f for f in ("mmsi", "time", "lat", "lon") if f not in mapping]
        by_norm = {_norm(h): h for h in header}
        if self.layout == "marinecadastre_2025" and "geometry" in by_norm and "latitude" not in by_norm:
            mapping = {k: v for k, v in mapping.items() if k not in ("lat", "lon")} | {"geometry": "geometry"}
            missing = []
        absent = [c for c in mapping.values() if _norm(c) not in by_norm]
        if missing or absent:
            raise ValueError(f"{self.file}: mapping lacks {missing} or names absent columns {absent}")
        columns = {k: by_norm[_norm(v)] for k, v in mapping.items()}
        if self.layout == "dma" and "type of mobile" in by_norm:
            columns["_mobile"] = by_norm["type of mobile"]
        fmt = self._time_format or _TIME_FORMATS.get(self.layout or "")
        return _Spec(columns, fmt)

    def _csv_batches(self):
        header = _read_header(_open(self._source))
        spec = self._spec(header)
        if self.fast:
            yield from self._quick_csv_batches(header, spec)
            return
        skipped: list[int] = []

        def on_invalid(row) -> str:
            if row.text.strip():
                self.log.add([row.number if row.number is not None else -1], "", [row.text[:200]],
                             f"row has {row.actual_columns} columns, the header {row.expected_columns} "
                             "(mixed formats in one file?)")  # fmt: skip
            skipped.append(row.number if row.number is not None else -1)
            return "skip"

        wanted = list(dict.fromkeys(spec.columns.values()))
        reader = pacsv.open_csv(
            _open(self._source),
            read_options=pacsv.ReadOptions(block_size=max(1 << 16, self._chunk_rows * 120), use_threads=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header}, include_columns=wanted, strings_can_be_null=True
            ),
        )
        done = 0  # records (valid rows) yielded so far
        for batch in reader:
            k = np.arange(done, done + batch.num_rows, dtype=np.int64)
            # the k-th valid record's line: k + 2 plus the skipped lines before it
            s = np.sort(np.asarray([x for x in skipped if x >= 0], dtype=np.int64))
            rows = k + 2 + np.searchsorted(s - 2 - np.arange(len(s)), k, side="right")
            done += batch.num_rows
            yield batch, rows, spec

    def _quick_csv_batches(self, header: list[str], spec: _Spec):
        """Both cores, the numbers parsed by the reader; any odd row raises :class:`SlowReadNeeded`."""
        numeric = {spec.columns[f]: pa.float64() for f in ("lat", "lon", "sog", "cog", "heading") if f in spec.columns}
        numeric[spec.columns["mmsi"]] = pa.int64()
        wanted = list(dict.fromkeys(spec.columns.values()))
        try:
            reader = pacsv.open_csv(
                _open(self._source),
                read_options=pacsv.ReadOptions(block_size=max(1 << 16, self._chunk_rows * 120), use_threads=True),
                parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "error", ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: numeric.get(c, pa.string()) for c in header},
                    include_columns=wanted,
                    strings_can_be_null=True,
                ),
            )
            done = 0
            for batch in reader:
                yield batch, np.arange(done + 2, done + 2 + batch.num_rows, dtype=np.int64), spec
                done += batch.num_rows
        except pa.ArrowInvalid as exc:
            raise SlowReadNeeded(str(exc)) from exc

    def _parquet_batches(self):
        src = self._source
        f = pq.ParquetFile(io.BytesIO(src) if isinstance(src, (bytes, bytearray)) else src)
        spec = self._spec(f.schema_arrow.names)
        done = 0
        for batch in f.iter_batches(batch_size=self._chunk_rows, columns=list(dict.fromkeys(spec.columns.values()))):
            rows = np.arange(done + 1, done + 1 + batch.num_rows, dtype=np.int64)
            done += batch.num_rows
            yield batch, rows, spec


@dataclass(frozen=True)
class _Spec:
    columns: dict[str, str]  # canonical field -> source column
    time_format: str | None


def read_positions(
    source: str | Path | bytes,
    *,
    file: str,
    mapping: dict[str, str] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    time_format: str | None = None,
    fast: bool = True,
) -> PositionStream:
    """Stream the canonical positions of an AIS file (a path or its bytes) in chunks of about ``chunk_rows``.

    ``file`` names the file in problems.  The layout is detected from the header unless
    ``mapping`` ({canonical field: source column}, at least mmsi, time, lat and lon) is given;
    ``time_format`` (strptime) overrides the layout's time format (default: ISO 8601, UTC).
    Only one chunk of Arrow columns is held at a time.  Iterate the returned stream for
    :class:`Chunk` objects; raises ValueError when the layout is unknown.  With ``fast`` (the
    default) a CSV is read on both cores with the numbers parsed by the reader; a file with an odd
    row raises :class:`SlowReadNeeded` part-way, and is then read again with ``fast=False``.
    """
    return PositionStream(source, file=file, mapping=mapping, chunk_rows=chunk_rows, time_format=time_format, fast=fast)


def read_positions_frame(source, *, file: str, **kwargs) -> tuple[pd.DataFrame, list[Problem]]:
    """The whole file as one pandas DataFrame (columns of :data:`POSITION_SCHEMA`) and its kept problems."""
    try:
        stream = read_positions(source, file=file, **kwargs)
        tables = [c.positions for c in stream]
    except SlowReadNeeded:
        stream = read_positions(source, file=file, fast=False, **kwargs)
        tables = [c.positions for c in stream]
    table = pa.concat_tables(tables) if tables else POSITION_SCHEMA.empty_table()
    return table.to_pandas(), stream.problems


# -- input ---------------------------------------------------------------------


def _is_parquet(source) -> bool:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source[:4]) == b"PAR1"
    return str(source).lower().endswith((".parquet", ".geoparquet"))


def _open(source) -> pa.NativeFile:
    """An input stream over the file or bytes, decompressed when zstd (by name or by magic number)."""
    raw = pa.BufferReader(source) if isinstance(source, (bytes, bytearray)) else pa.OSFile(str(source))
    zstd = str(source).lower().endswith(".zst") if not isinstance(source, (bytes, bytearray)) else (
        bytes(source[:4]) == b"\x28\xb5\x2f\xfd")  # fmt: skip
    return pa.CompressedInputStream(raw, "zstd") if zstd else raw


def _read_header(stream: pa.NativeFile) -> list[str]:
    """The first line's cells (any line ending; at most the first MiB is read)."""
    head = b""
    while not any(end in head for end in (b"\n", b"\r")) and len(head) < (1 << 20):
        part = stream.read(1 << 16)
        if not part:
            break
        head += part
    stream.close()
    line = head.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n", 1)[0]
    try:
        return next(csv.reader([line.decode("utf-8-sig", errors="replace")]), [])
    except csv.Error:
        return []


# -- conversion ----------------------------------------------------------------


def _canonical(batch: pa.RecordBatch, rows: np.ndarray, spec: _Spec, log: ProblemLog) -> pa.Table:
    """One batch of source columns -> canonical positions; problem rows are left out and logged."""
    cols = spec.columns
    n = batch.num_rows

    def col(name: str) -> Any:  # pa.Array, or None when the layout has no such column
        src = cols.get(name)
        return None if src is None else batch.column(batch.schema.get_field_index(src))

    def text(name):
        a = col(name)
        return None if a is None else a.cast(pa.string()).to_numpy(zero_copy_only=False)

    keep = np.ones(n, dtype=bool)
    if "_mobile" in cols:
        mobile = pc.utf8_lower(col("_mobile").cast(pa.string())).to_numpy(zero_copy_only=False)
        keep &= ~np.isin(mobile, _DMA_NOT_VESSELS)
    blank = np.ones(n, dtype=bool)  # rows with no value at all (",,,,"): left out silently
    for src in dict.fromkeys(cols.values()):
        blank &= batch.column(batch.schema.get_field_index(src)).is_null().to_numpy(zero_copy_only=False)
    keep &= ~blank

    mmsi = _numbers(col("mmsi"), cols["mmsi"], rows, keep, log, "MMSI is not a number")
    no_mmsi = keep & ~np.isfinite(mmsi)
    log.add(rows[no_mmsi & col("mmsi").is_null().to_numpy(zero_copy_only=False)], cols["mmsi"],
            [""] * int(no_mmsi.sum()), "row without MMSI: left out")  # fmt: skip
    keep &= np.isfinite(mmsi)

    time = _times(col("time"), spec.time_format)
    tnull = col("time").is_null().to_numpy(zero_copy_only=False)
    bad_time = keep & np.isnat(time)
    log.add(rows[bad_time & tnull], cols["time"], [""] * int((bad_time & tnull).sum()), "row without time: left out")
    at = bad_time & ~tnull
    if at.any():  # the raw text only when some time is unreadable
        log.add(rows[at], cols["time"], text("time")[at], "unreadable time: row left out")
    keep &= ~np.isnat(time)

    if "geometry" in cols:
        wkb = col("geometry").to_numpy(zero_copy_only=False)
        pts = shapely.from_wkb(wkb, on_invalid="ignore")
        lon, lat = shapely.get_x(pts), shapely.get_y(pts)
        lat_src, lon_src = cols["geometry"], cols["geometry"]
    else:
        lat = _numbers(col("lat"), cols["lat"], rows, keep, log, "latitude is not a number")
        lon = _numbers(col("lon"), cols["lon"], rows, keep, log, "longitude is not a number")
        lat_src, lon_src = cols["lat"], cols["lon"]
    for values, src, limit, sentinel, what in (
        (lat, lat_src, 90, 91, "latitude"),
        (lon, lon_src, 180, 181, "longitude"),
    ):
        off = keep & np.isfinite(values) & (np.abs(values) > limit) & (values != sentinel)
        log.add(rows[off], src, values[off], f"{what} outside [-{limit}, {limit}]: row left out")
        keep &= np.isfinite(values) & (np.abs(values) <= limit)

    numbers: dict[str, np.ndarray] = {}
    for name, top, not_available in (("sog", 102.2, 102.3), ("cog", 359.99, 360.0), ("heading", 359.99, 511.0)):
        a = col(name)
        v = np.full(n, np.nan) if a is None else _numbers(a, cols[name], rows, keep, log, f"{name} is not a number")
        off = keep & np.isfinite(v) & ((v < 0) | (v > top)) & (np.abs(v - not_available) > 1e-9)
        log.add(rows[off], cols.get(name, name), v[off], f"{name} out of range: taken as not available", "warning")
        numbers[name] = np.where((v >= 0) & (v <= top), v, np.nan)

    idx = np.flatnonzero(keep)
    out = {
        "mmsi": pa.array(mmsi[idx].astype(np.int64)),
        "time": pa.array(time[idx], type=pa.timestamp("s")).cast(pa.timestamp("s", tz="UTC")),
        "lat": pa.array(lat[idx]),
        "lon": pa.array(lon[idx]),
        **{k: pa.array(v[idx]) for k, v in numbers.items()},
    }
    for name in TEXT_FIELDS:
        a = col(name)
        out[name] = pa.nulls(len(idx), pa.string()) if a is None else _clean_text(a.take(pa.array(idx)), name)
    out["row"] = pa.array(rows[idx].astype(np.int64))
    return pa.table(out, schema=POSITION_SCHEMA)


def _numbers(a: pa.Array, src: str, rows, keep, log: ProblemLog, message: str) -> np.ndarray:
    """Float64 values of a column (NaN for nulls); unreadable text is logged (rows still kept) and NaN."""
    if pa.types.is_integer(a.type) or pa.types.is_floating(a.type):
        return pc.cast(a, pa.float64()).to_numpy(zero_copy_only=False)
    a = a.cast(pa.string())
    try:
        return pc.cast(a, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        raw = a.to_numpy(zero_copy_only=False)
        values = pd.to_numeric(pd.Series(raw, dtype=object).str.strip(), errors="coerce").to_numpy(float)
        bad = keep & np.isnan(values) & pd.notna(raw) & (pd.Series(raw, dtype=object).str.strip() != "").to_numpy()
        log.add(rows[bad], src, raw[bad], message)
        return values


def _times(a: pa.Array, fmt: str | None) -> np.ndarray:
    """datetime64[s] (UTC) of a time column; NaT where missing or unreadable."""
    if pa.types.is_timestamp(a.type):
        if a.type.tz is not None:
            a = pc.cast(a, pa.timestamp(a.type.unit, tz="UTC"))
        return pc.cast(a.cast(pa.timestamp(a.type.unit)), pa.timestamp("s"), safe=False).to_numpy(zero_copy_only=False)
    a = pc.utf8_trim_whitespace(a.cast(pa.string()))
    if fmt:
        return pc.strptime(a, format=fmt, unit="s", error_is_null=True).to_numpy(zero_copy_only=False)
    try:
        return pc.cast(a, pa.timestamp("s")).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        parsed = pd.to_datetime(pd.Series(a.to_numpy(zero_copy_only=False), dtype=object), format="ISO8601",
                                utc=True, errors="coerce")  # fmt: skip
        return parsed.dt.tz_localize(None).dt.floor("s").to_numpy("datetime64[s]")


def _clean_text(a: pa.Array, name: str) -> pa.Array:
    """Trimmed text, null for the "not available" spellings; IMO numbers as digits ("IMO9543500" -> "9543500").

    Worked out once per distinct value (names, call signs and types repeat on every fix of a vessel)."""
    coded = pc.dictionary_encode(a.cast(pa.string()))
    if isinstance(coded, pa.ChunkedArray):
        coded = coded.combine_chunks()
    return pc.take(_clean_values(coded.dictionary, name), coded.indices)


def _clean_values(a: pa.Array, name: str) -> pa.Array:
    a = pc.utf8_trim_whitespace(a)
    if name == "imo":
        a = pc.replace_substring_regex(pc.utf8_upper(a), r"^IMO\s*", "")
        a = pc.if_else(pc.match_substring_regex(a, r"^[0-9]+(\.0+)?$"), pc.replace_substring_regex(a, r"\.0+$", ""),
                       pa.scalar(None, pa.string()))  # fmt: skip
        a = pc.if_else(pc.match_substring_regex(a, r"^0+$"), pa.scalar(None, pa.string()), a)
    elif name == "vessel_type":
        a = pc.replace_substring_regex(a, r"^(\d+)\.0+$", r"\1")
    low = pc.utf8_lower(a)
    return pc.if_else(pc.is_in(low, pa.array(sorted(_NULL_TEXT))), pa.scalar(None, pa.string()), a)
