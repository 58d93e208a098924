"""Files -> canonical frames.

One function per outside format.  The bundled data in ``data/`` is stored in
the canonical columns already, so reading it is a parse plus
:func:`tracker.schema.canonicalise`.  Nothing here uses the network.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from tracker import schema
from tracker.errors import DataFileError


def _data_dir() -> Path:
    """The bundled data: data/ beside the package in the repository, or tracker/_data when installed."""
    here = Path(__file__).resolve().parent
    repo = here.parent / "data"
    return repo if (repo / "manifest.json").exists() else here / "_data"


DATA_DIR = _data_dir()


def _empty_reports() -> pd.DataFrame:
    from tracker import reports

    return reports.empty_reports()


@dataclass(frozen=True)
class Bundle:
    """The three record kinds read from one data folder, plus its manifest."""

    incidents: pd.DataFrame
    designations: pd.DataFrame
    routes: gpd.GeoDataFrame
    as_of: pd.Timestamp
    coverage_note: str
    licence_note: str
    reports: pd.DataFrame = field(default_factory=_empty_reports)
    """What other sources reported about the strikes (:mod:`tracker.reports`); never replaces the announced figures."""


def _require(path: Path) -> Path:
    if not path.exists():
        raise DataFileError(f"bundled data file not found: {path}")
    return path


def read_canonical_csv(kind: str, path: str | Path) -> pd.DataFrame:
    """Read a CSV already in the canonical columns of ``kind`` (as written by the data build)."""
    raw = pd.read_csv(_require(Path(path)), dtype=str, keep_default_na=False, encoding="utf-8")
    raw = raw.replace("", pd.NA)
    return schema.canonicalise(kind, raw)


def read_routes_geojson(path: str | Path) -> gpd.GeoDataFrame:
    """Read routes (LineString / MultiLineString, EPSG:4326) with their canonical columns."""
    g = gpd.read_file(_require(Path(path)))
    frame = schema.canonicalise("routes", pd.DataFrame(g.drop(columns="geometry")))
    return gpd.GeoDataFrame(frame, geometry=g.geometry.values, crs="EPSG:4326")


def bundled_files(data_dir: str | Path = DATA_DIR) -> list[Path]:
    """The bundled data files (top level of ``data_dir``), sorted by name."""
    return sorted(p for p in Path(data_dir).glob("*") if p.is_file())


def data_version(data_dir: str | Path = DATA_DIR) -> str:
    """A key that changes whenever a bundled file changes (names, sizes and modification times)."""
    return "|".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in bundled_files(data_dir))


def read_bundle(data_dir: str | Path = DATA_DIR) -> Bundle:
    """Read the bundled incidents, designations, routes and manifest from ``data_dir``."""
    data_dir = Path(data_dir)
    manifest = json.loads(_require(data_dir / "manifest.json").read_text(encoding="utf-8"))
    return Bundle(
        incidents=read_canonical_csv("incidents", data_dir / "incidents.csv"),
        designations=read_canonical_csv("designations", data_dir / "designations.csv"),
        routes=read_routes_geojson(data_dir / "routes.geojson"),
        as_of=pd.Timestamp(manifest["as_of"]),
        coverage_note=manifest.get("coverage_note", ""),
        licence_note=manifest.get("licence_note", ""),
        reports=read_reports(data_dir / "reports.csv"),
    )


def read_reports(path: str | Path) -> pd.DataFrame:
    """The bundled reports table (``data/reports.csv``), typed: figures as floats, text never NaN."""
    frame = pd.read_csv(_require(Path(path)), dtype=str, keep_default_na=False)
    return schema.canonicalise("reports", frame)


# -- files people send ---------------------------------------------------------

UPLOAD_LIMIT_ENV = "TRACKER_MAX_UPLOAD_MB"
"""Environment variable: the largest file the dashboard accepts, in MB (Streamlit's MB: 2**20 bytes)."""
DEFAULT_UPLOAD_MB = 50


def upload_limit_mb(config: str | Path | None = None) -> float:
    """The largest upload in MB: ``$TRACKER_MAX_UPLOAD_MB``, else ``server.maxUploadSize`` in
    ``.streamlit/config.toml`` (the folder the app runs from), else 50.

    The command line reads files of any size (streamed); this limit is the dashboard's.
    """
    text = os.environ.get(UPLOAD_LIMIT_ENV, "").strip()
    if text:
        try:
            value = float(text)
        except ValueError:
            value = 0
        if value > 0:
            return value
    path = Path(config) if config is not None else Path.cwd() / ".streamlit" / "config.toml"
    setting: object = None
    try:
        with path.open("rb") as f:
            setting = tomllib.load(f).get("server", {}).get("maxUploadSize")
    except (OSError, tomllib.TOMLDecodeError):
        pass
    if isinstance(setting, int | float) and not isinstance(setting, bool) and setting > 0:
        return float(setting)
    return float(DEFAULT_UPLOAD_MB)


MAX_UPLOAD_BYTES = int(upload_limit_mb() * 1024 * 1024)
"""The largest file the dashboard's checks accept (see :func:`upload_limit_mb`)."""

_MAGIC = {
    b"PK\x03\x04": "a ZIP archive or an Excel/ODS workbook: save the sheet as CSV first",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Excel/Word file: save the sheet as CSV first",
    b"SQLite format 3": "a SQLite database",
}


@dataclass(frozen=True)
class RawTable:
    """A delimited text file read as strings, before any mapping or parsing."""

    frame: pd.DataFrame  # every cell a str ("" when empty); index 0.. = record order
    encoding: str
    delimiter: str
    problems: list[schema.Problem]

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(self.frame.columns)


def _file_problem(file: str, message: str, value: str = "") -> schema.Problem:
    return schema.Problem(file=file, row=None, column="", value=value, message=message)


# a valid multi-byte UTF-8 sequence (2, 3 or 4 bytes); Windows-1252 text rarely forms one
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_UTF8_START = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")  # a quick first look (the full pattern is slow to search)
MIXED_ENCODING = "mixed utf-8/cp1252"


@dataclass(frozen=True)
class _Decoded:
    text: str | None
    encoding: str
    problems: list[schema.Problem]
    utf8_lines: tuple[int, ...] = ()  # mixed files only: 0-based lines read as UTF-8 ...
    cp1252_lines: tuple[int, ...] = ()  # ... and those read as Windows-1252 (ASCII-only lines in neither)


def _decode_mixed(data: bytes) -> _Decoded | None:
    """Decode line by line (UTF-8 where a line decodes, else Windows-1252), or None if not mixed.

    Only tried when the whole file is not UTF-8; a file counts as mixed when some line
    with non-ASCII bytes is valid UTF-8 and another is not.
    """
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if not any(_UTF8_SEQUENCE.match(body, m.start()) for m in _UTF8_START.finditer(body)):
        return None
    parts: list[str] = []
    utf8: list[int] = []
    other: list[int] = []
    for i, line in enumerate(body.splitlines(keepends=True)):  # \n, \r\n, \r: the csv reader's lines
        if line.isascii():
            parts.append(line.decode("ascii"))
            continue
        try:
            parts.append(line.decode("utf-8"))
            utf8.append(i)
        except UnicodeDecodeError:
            try:
                parts.append(line.decode("cp1252"))
            except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
                parts.append(line.decode("latin-1"))
            other.append(i)
    if not utf8 or not other:
        return None
    return _Decoded("".join(parts), MIXED_ENCODING, [], tuple(utf8), tuple(other))


def _list_rows(rows: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"{'row' if len(rows) == 1 else 'rows'} {shown}{more}"


def _mixed_warning(file: str, utf8_rows: list[int], cp1252_rows: list[int]) -> schema.Problem:
    return schema.Problem(
        file,
        None,
        "",
        "",
        f"the file mixes encodings: {_list_rows(utf8_rows)} {'was' if len(utf8_rows) == 1 else 'were'} read as "
        f"UTF-8, {_list_rows(cp1252_rows)} as Windows-1252; check accented names in those rows",
        "warning",
    )


def _decode(data: bytes, *, file: str, encoding: str | None = None, max_bytes: int | None = None) -> _Decoded:
    most = MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if len(data) > most:
        limit = f"{most / (1024 * 1024):g} MB"
        return _Decoded(None, "", [_file_problem(file, f"file is larger than the {limit} limit")])
    if not data.strip():
        return _Decoded(None, "", [_file_problem(file, "file is empty")])
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return _Decoded(None, "", [_file_problem(file, f"this is not a text file: it looks like {what}")])
    candidates: list[str]
    if encoding:
        candidates = [encoding]
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif len(data) > 3 and data[1:2] == b"\x00" and data[3:4] == b"\x00":
        candidates = ["utf-16-le"]
    elif len(data) > 3 and data[0:1] == b"\x00" and data[2:3] == b"\x00":
        candidates = ["utf-16-be"]
    else:
        candidates = ["utf-8", "cp1252", "latin-1"]
    decoded = None
    for enc in candidates:
        try:
            decoded = _Decoded(data.decode(enc), enc, [])
        except UnicodeDecodeError:
            if not encoding and enc in ("utf-8", "utf-8-sig"):
                decoded = _decode_mixed(data)
        except LookupError:
            pass
        if decoded is not None:
            break
    if decoded is None or decoded.text is None:
        return _Decoded(None, "", [_file_problem(file, f"cannot decode the file as {', '.join(candidates)}")])
    text = decoded.text.rstrip("\x1a")  # a DOS end-of-file mark (Ctrl-Z) is not data
    if not text.strip():
        return _Decoded(None, decoded.encoding, [_file_problem(file, "file is empty")])
    if "\x00" in text or sum(1 for c in text[:20000] if ord(c) < 32 and c not in "\t\r\n") > 20:
        binary = _file_problem(file, "this is not a text file: it contains binary data")
        return _Decoded(None, decoded.encoding, [binary])
    return _Decoded(text, decoded.encoding, [], decoded.utf8_lines, decoded.cp1252_lines)


def decode_text(data: bytes, *, file: str, encoding: str | None = None) -> tuple[str | None, str, list[schema.Problem]]:
    """Decode ``data``: BOMs first, then UTF-8, then UTF-8 and Windows-1252 line by line, then
    Windows-1252, then Latin-1.  A trailing Ctrl-Z (DOS end of file) is dropped.

    Returns ``(text, encoding_used, problems)``; ``text`` is None when the file
    cannot be read as text (empty, binary, too large).  A file that mixes UTF-8
    and Windows-1252 lines is reported as ``"mixed utf-8/cp1252"`` with a warning
    naming its lines (line 1 is the first line of the file).
    """
    d = _decode(data, file=file, encoding=encoding)
    problems = list(d.problems)
    if d.encoding == MIXED_ENCODING:
        problems.append(_mixed_warning(file, [i + 1 for i in d.utf8_lines], [i + 1 for i in d.cp1252_lines]))
    return d.text, d.encoding, problems


def sniff_delimiter(text: str) -> str:
    """The most likely field delimiter among comma, semicolon, tab and pipe."""
    sample = "\n".join(text[:65536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        return max(",;\t|", key=first.count)


_END = "\x00\n"  # a last line no decoded text contains (NUL means binary): the reader ends inside a quote iff it
# swallows this line
_MAX_QUOTE_REPAIRS = 20
"""How many unclosed quotes are cut at their own line before the rest of the file is left in one bad row."""


@dataclass(frozen=True)
class _Records:
    records: list[list[str]]  # blank lines dropped
    starts: list[int]  # 0-based first line of each record
    ends: list[int]  # the line after each record's last line
    unclosed: set[int]  # records whose quote never closed (cut at the end of their first line)
    lines: list[str]


def _split_records(text: str, delimiter: str) -> _Records:
    """Split ``text`` into records with the standard csv reader, keeping where each came from.

    Quoted newlines stay inside their field.  A quote that never closes would swallow the
    rest of the file; that record is cut at the end of its first line and reading goes on
    from the next line.
    """
    lines = io.StringIO(text, newline="").readlines()  # split at \n, \r\n and \r, as the csv reader wants
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    lines.append(_END)
    records: list[list[str]] = []
    ends: list[int] = []  # the line after each record's last line
    unclosed: set[int] = set()
    first = 0
    while True:
        reader = csv.reader(lines[first:] if first else lines, delimiter=delimiter, skipinitialspace=True)
        chunk: list[int] = []
        add_record, add_end = records.append, chunk.append
        try:
            for record in reader:
                add_record(record)
                add_end(reader.line_num)
        except csv.Error:  # a field over the csv module's size limit: an unclosed quote in a large file
            add_record([_END])  # stands for the record cut short; replaced below
            add_end(len(lines) - first)
        ends.extend([first + e for e in chunk] if first else chunk)
        last, end = records.pop(), ends.pop()
        start = ends[-1] if ends else 0
        if last == [_END.rstrip("\n")] and start == len(lines) - 1:
            break
        if len(unclosed) >= _MAX_QUOTE_REPAIRS:  # leave the rest of the file in this one bad record
            last[-1] = last[-1].split(_END, 1)[0].rstrip("\r\n")
            cut, end = last, len(lines) - 1
        else:  # cut the record at the end of its first line and read on from the next
            cut = next(csv.reader([lines[start]], delimiter=delimiter, skipinitialspace=True), [""])
            cut[-1] = cut[-1].rstrip("\r\n")
            end = start + 1
        records.append(cut)
        ends.append(end)
        unclosed.add(len(records) - 1)
        if end == len(lines) - 1:
            break
        first = end
    starts = [0, *ends[:-1]]
    keep = [i for i, r in enumerate(records) if len(r) > 1 or (r and r[0].strip()) or i in unclosed]
    if len(keep) != len(records):
        kept = set(keep)
        unclosed = {keep.index(i) for i in unclosed if i in kept} if unclosed else set()
        records, starts, ends = [records[i] for i in keep], [starts[i] for i in keep], [ends[i] for i in keep]
    return _Records(records, starts, ends, unclosed, lines[:-1])


def _column_names(header: list[str]) -> tuple[list[str], list[str]]:
    """Header cells stripped, blanks named ``Unnamed: i`` and repeats ``name.1`` (as pandas does).

    Returns ``(names, renamed_repeats)``.
    """
    names: list[str] = []
    repeats: list[str] = []
    used: set[str] = set()
    for i, cell in enumerate(header):
        name = cell.strip() or f"Unnamed: {i}"
        if name in used:
            k = 1
            while f"{name}.{k}" in used:
                k += 1
            name = f"{name}.{k}"
            repeats.append(name)
        used.add(name)
        names.append(name)
    return names, repeats


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def read_delimited(data: bytes, *, file: str, encoding: str | None = None, max_bytes: int | None = None) -> RawTable:
    """Read delimited text (CSV, semicolon, tab, pipe) into strings, one frame row per record.

    Row ``i`` of the frame (0-based) is row ``i + 2`` of the file as a person counts it
    (row 1 is the header; a record with quoted newlines is one row; blank lines are skipped).
    Every record is kept in file order: a record with fewer fields than the header is padded
    with "", one with more is cut to the header's width, and each such record, like one whose
    quote never closes, gets an error :class:`~tracker.schema.Problem` so that it is not imported.
    A file larger than ``max_bytes`` (default :data:`MAX_UPLOAD_BYTES`) is refused.
    """
    decoded = _decode(data, file=file, encoding=encoding, max_bytes=max_bytes)
    enc, problems = decoded.encoding, list(decoded.problems)
    if decoded.text is None:
        return RawTable(pd.DataFrame(), enc, "", problems)
    text = decoded.text
    delimiter = sniff_delimiter(text)
    parsed = _split_records(text, delimiter)
    if not parsed.records:
        return RawTable(pd.DataFrame(), enc, delimiter, problems + [_file_problem(file, "file is empty")])

    def raw_text(k: int) -> str:
        return "".join(parsed.lines[parsed.starts[k] : parsed.ends[k]]).rstrip("\r\n")[:200]

    names, repeats = _column_names(parsed.records[0])
    width = len(names)
    if 0 in parsed.unclosed:
        problems.append(
            schema.Problem(
                file,
                1,
                "",
                raw_text(0),
                "malformed quoting in the header: a quote opened "
                "in this row is never closed, so the column names may be wrong",
            )
        )
    rows = parsed.records[1:]
    lengths = [len(r) for r in rows]
    unclosed = {k - 1 for k in parsed.unclosed if k}
    for i in sorted({i for i, n in enumerate(lengths) if n != width} | unclosed):
        n = lengths[i]
        if i in unclosed:
            column, message = "", "malformed quoting: a quote opened in this row is never closed: it was not imported"
        else:
            column = names[n] if n < width else ""  # the first column left without a value
            message = f"this row has {_plural(n, 'field')} but the header has {width}: it was not imported"
        problems.append(schema.Problem(file, i + 2, column, raw_text(i + 1), message))
        if n != width:
            rows[i] = (rows[i] + [""] * (width - n))[:width]
    frame = pd.DataFrame(rows or None, columns=names, dtype="str")  # the dtype pandas.read_csv(dtype=str) gives
    if frame.empty:
        problems.append(_file_problem(file, "the file has a header but no records"))
    if repeats:
        problems.append(_file_problem(file, "the header repeats a column name", ", ".join(repeats)))
    if enc == MIXED_ENCODING:
        problems.append(
            _mixed_warning(
                file, _rows_of_lines(parsed, decoded.utf8_lines), _rows_of_lines(parsed, decoded.cp1252_lines)
            )
        )
    problems.sort(key=lambda p: -1 if p.row is None else p.row)
    return RawTable(frame, enc, delimiter, problems)


def _rows_of_lines(parsed: _Records, lines: tuple[int, ...]) -> list[int]:
    """The rows (header = 1) holding the given 0-based lines."""
    starts = np.asarray(parsed.starts)
    at = np.searchsorted(starts, np.asarray(lines, dtype=int), side="right") - 1
    inside = (at >= 0) & (at < len(starts)) & (np.asarray(lines) < np.asarray(parsed.ends)[at.clip(0)])
    return sorted({int(k) + 1 for k in at[inside]})
