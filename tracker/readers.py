"""Files -> canonical frames.

One function per outside format.  The bundled data in ``data/`` is stored in
the canonical columns already, so reading it is a parse plus
:func:`tracker.schema.canonicalise`.  Nothing here uses the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from tracker import schema
from tracker.errors import DataFileError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True)
class Bundle:
    """The three record kinds read from one data folder, plus its manifest."""

    incidents: pd.DataFrame
    designations: pd.DataFrame
    routes: gpd.GeoDataFrame
    as_of: pd.Timestamp
    coverage_note: str
    licence_note: str


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
    )


# -- files people send ---------------------------------------------------------

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
"""The largest file accepted (the same limit as the dashboard's upload box)."""

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


def decode_text(data: bytes, *, file: str, encoding: str | None = None) -> tuple[str | None, str, list[schema.Problem]]:
    """Decode ``data``: BOMs first, then UTF-8, then Windows-1252, then Latin-1.

    Returns ``(text, encoding_used, problems)``; ``text`` is None when the file
    cannot be read as text (empty, binary, too large).
    """
    if len(data) > MAX_UPLOAD_BYTES:
        limit = f"{MAX_UPLOAD_BYTES / (1024 * 1024):g} MB"
        return None, "", [_file_problem(file, f"file is larger than the {limit} limit")]
    if not data.strip():
        return None, "", [_file_problem(file, "file is empty")]
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return None, "", [_file_problem(file, f"this is not a text file: it looks like {what}")]
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
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\x00" in text or sum(1 for c in text[:20000] if ord(c) < 32 and c not in "\t\r\n") > 20:
            return None, enc, [_file_problem(file, "this is not a text file: it contains binary data")]
        return text, enc, []
    return None, "", [_file_problem(file, f"cannot decode the file as {', '.join(candidates)}")]


def sniff_delimiter(text: str) -> str:
    """The most likely field delimiter among comma, semicolon, tab and pipe."""
    import csv

    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        return max(",;\t|", key=first.count)


def _malformed(text: str, delimiter: str, file: str, exc: Exception) -> schema.Problem:
    """Say on which row a malformed delimited file breaks (row 1 is the header)."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    width = None
    try:
        for record in reader:
            width = len(record) if width is None else width
            if len(record) != width:
                return schema.Problem(file, reader.line_num, "", delimiter.join(record)[:200],
                                      f"this row has {len(record)} fields but the header has {width}")
    except csv.Error as err:
        return schema.Problem(file, reader.line_num, "", "", f"malformed quoting: {err}")
    return _file_problem(file, f"cannot read the file as delimited text: {exc}")


def read_delimited(data: bytes, *, file: str, encoding: str | None = None) -> RawTable:
    """Read delimited text (CSV, semicolon, tab) into strings; quoted newlines are kept."""
    import csv
    import io

    text, enc, problems = decode_text(data, file=file, encoding=encoding)
    if text is None:
        return RawTable(pd.DataFrame(), enc, "", problems)
    delimiter = sniff_delimiter(text)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            skipinitialspace=True, quoting=csv.QUOTE_MINIMAL, engine="python",
                            on_bad_lines="error")
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        return RawTable(pd.DataFrame(), enc, delimiter, [_malformed(text, delimiter, file, exc)])
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        problems.append(_file_problem(file, "the file has a header but no records"))
    dupes = [c for c in frame.columns if str(c).endswith(".1")]
    if dupes:
        problems.append(_file_problem(file, "the header repeats a column name", ", ".join(dupes)))
    return RawTable(frame, enc, delimiter, problems)
