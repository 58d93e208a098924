"""Record kinds (incidents, designations, routes): columns, types, allowed values.

Every frame that leaves :mod:`tracker.readers` is *canonical*: it has exactly the
columns listed here, in this order, with these dtypes.  Positions are EPSG:4326
longitude/latitude in degrees; ``radius_km`` is the radius of the circle that
the true position is believed to lie in.

:func:`validate` checks a canonical frame and returns the rows that passed and a
list of :class:`Problem` rows (file, row, column, value, message).  It never
raises on bad data unless asked to with ``on_invalid="raise"``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from tracker.errors import ValidationError, check_option

# -- allowed values ------------------------------------------------------------

LOCATION_PRECISIONS = ("exact", "approximate", "area", "country", "unknown")
"""How precise a position is.

* ``exact``: coordinates reported by a source.
* ``approximate``: placed from a reported place and distance ("80 nm south of X").
* ``area``: a representative point of a named sea area, region or city.
* ``country``: a representative point of a country.
* ``unknown``: no usable position; the record is counted but not drawn.
"""

DATE_PRECISIONS = ("day", "announcement", "approximate", "unknown")
"""How precise a date is: the day itself; only the announcement day is known
(used in place of the event day); an assumed or disputed day; not known."""

REGIONS = ("Caribbean", "Eastern Pacific", "Unknown")
EVENT_TYPES = ("boat strike", "interdiction", "seizure", "other")
ENTITY_TYPES = ("organization", "individual", "vessel", "company", "aircraft")
ACTION_KINDS = ("listing", "export denial", "seizure or forfeiture", "non-binding motion")
ROUTE_TYPES = (
    "drug trafficking",
    "fuel or oil shipment",
    "sanctioned tanker",
    "military deployment",
    "other",
)
LINE_PRECISIONS = ("traced", "schematic", "none")
"""``traced``: sea-lane path between named ports; ``schematic``: corridor between
areas or a straight line for air and land legs; ``none``: no path can be drawn."""

SOURCE_BASES = (
    "pages",
    "pages (headline only)",
    "pages (feed index only)",
    "pages (low quality)",
    "github-file-reference",
    "pages + github-file-reference",
    "user import",
)

# -- columns -------------------------------------------------------------------

INCIDENT_COLUMNS: dict[str, str] = {
    "incident_id": "str",
    "date": "datetime64[ns]",
    "date_precision": "str",
    "announced_date": "datetime64[ns]",
    "date_note": "str",
    "region": "str",
    "region_note": "str",
    "event_type": "str",
    "latitude": "float64",
    "longitude": "float64",
    "location_precision": "str",
    "radius_km": "float64",
    "location_text": "str",
    "location_basis": "str",
    "vessels": "Int64",
    "strikes": "Int64",
    "killed": "Int64",
    "survivors": "Int64",
    "presumed_dead": "Int64",
    "affiliation": "str",
    "affiliation_text": "str",
    "vessel_type": "str",
    "announced_by": "str",
    "notes": "str",
    "source_urls": "str",
    "source_basis": "str",
    "batch_id": "str",
}

DESIGNATION_COLUMNS: dict[str, str] = {
    "designation_id": "str",
    "name": "str",
    "aliases": "str",
    "entity_type": "str",
    "authority": "str",
    "authority_group": "str",
    "program": "str",
    "program_text": "str",
    "action_kind": "str",
    "designation_date": "datetime64[ns]",
    "uncertain": "bool",
    "country": "str",
    "base_location_text": "str",
    "identifiers": "str",
    "latitude": "float64",
    "longitude": "float64",
    "location_precision": "str",
    "radius_km": "float64",
    "location_basis": "str",
    "notes": "str",
    "source_urls": "str",
}

ROUTE_COLUMNS: dict[str, str] = {
    "route_id": "str",
    "name": "str",
    "route_type": "str",
    "origin_text": "str",
    "destination_text": "str",
    "waypoints_text": "str",
    "period": "str",
    "vessels_or_actors": "str",
    "notes": "str",
    "source_urls": "str",
    "line_precision": "str",
    "geometry_basis": "str",
    "stops": "str",
}

REPORT_COLUMNS: dict[str, str] = {
    "report_id": "str",
    "strike_ref": "str",
    "incident_ids": "str",
    "link": "str",
    "strike_date": "str",
    "field": "str",
    "value": "str",
    "low": "float64",
    "high": "float64",
    "source_type": "str",
    "source_name": "str",
    "source_date": "str",
    "source_urls": "str",
    "note": "str",
    "unannounced": "bool",
}
"""What another source reported about a strike (:mod:`tracker.reports`)."""

REPORT_FIELDS = ("killed", "survivors", "presumed_dead", "vessels", "nationality", "dispute")
REPORT_SOURCE_TYPES = ("independent", "government_of_victims", "family", "media", "official")
REPORT_LINKS = ("exact", "uncertain", "several", "campaign", "unlinked")

COLUMNS: dict[str, dict[str, str]] = {
    "incidents": INCIDENT_COLUMNS,
    "designations": DESIGNATION_COLUMNS,
    "routes": ROUTE_COLUMNS,
    "reports": REPORT_COLUMNS,
}
KINDS = tuple(COLUMNS)


@dataclass(frozen=True)
class Problem:
    """One problem with one cell (or one row, when ``column`` is empty).

    ``row`` is the line number a person sees in the file: the header is line 1,
    so the first record is row 2.
    """

    file: str
    row: int | None
    column: str
    value: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row is not None else self.file
        col = f", column {self.column!r}" if self.column else ""
        return f"{where}{col}: {self.message} (value: {self.value!r})"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


PROBLEM_COLUMNS = ("file", "row", "column", "value", "message", "severity")


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The problems as a table (one row each), for display and download."""
    return pd.DataFrame([p.as_dict() for p in problems], columns=list(PROBLEM_COLUMNS))


def empty_frame(kind: str) -> pd.DataFrame:
    """A canonical frame of ``kind`` with no rows."""
    check_option("kind", kind, KINDS)
    return canonicalise(kind, pd.DataFrame(columns=list(COLUMNS[kind])))


def canonicalise(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the columns of ``kind``, in order, cast to their dtypes.

    Missing columns are added empty; extra columns are dropped.  Text columns
    hold Python strings with ``""`` for missing text.  Never raises on values:
    a count that is not a whole number (or is infinite) and a date pandas
    cannot hold become missing (:mod:`tracker.ingest` reports them first).
    """
    check_option("kind", kind, KINDS)
    out: dict[str, pd.Series] = {}
    for col, dtype in COLUMNS[kind].items():
        series = frame[col] if col in frame.columns else pd.Series(pd.NA, index=frame.index)
        if dtype == "str":
            if series.dtype == _STR:  # already text: only the missing cells to fill
                out[col] = series.fillna("") if series.hasnans else series
            elif series.dtype == object:
                out[col] = series.where(series.notna(), "").astype(str)
            else:
                out[col] = series.astype("object").where(series.notna(), "").astype(str)
        elif dtype == "bool":
            if series.dtype == bool:
                out[col] = series
            else:
                out[col] = series.astype("object").map(lambda v: str(v).strip().lower() in {"true", "1", "yes"})
        elif dtype.startswith("datetime"):
            out[col] = _datetimes_ns(series)
        elif dtype == "Int64":
            nums = pd.to_numeric(series, errors="coerce").astype("float64")
            whole = np.isfinite(nums) & (nums == nums.round()) & (nums.abs() < 2.0**53)
            out[col] = nums.where(whole).astype("Int64")
        else:
            out[col] = pd.to_numeric(series, errors="coerce").astype(dtype)
    return pd.DataFrame({col: series.array for col, series in out.items()}, index=frame.index)


_STR = pd.Series([], dtype=str).dtype
"""The dtype of canonical text (``astype(str)``)."""
_CANONICAL_DTYPES = {
    kind: {col: (_STR if dtype == "str" else pd.api.types.pandas_dtype(dtype)) for col, dtype in cols.items()}
    for kind, cols in COLUMNS.items()
}


def _datetimes_ns(series: pd.Series) -> pd.Series:
    """``series`` as naive ``datetime64[ns]``; what cannot be read or lies outside 1677-2262 becomes NaT."""
    if str(series.dtype) == "datetime64[ns]":
        return series
    try:
        stamps = pd.to_datetime(series, errors="coerce")
    except (ValueError, TypeError, OverflowError):  # e.g. mixed time zones
        stamps = pd.to_datetime(series.astype(str), errors="coerce", utc=True, format="mixed")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert(None)
    lo, hi = pd.Timestamp("1677-09-22"), pd.Timestamp("2262-04-11")
    return stamps.where((stamps >= lo) & (stamps <= hi)).astype("datetime64[ns]")


def source_links(text: str) -> list[str]:
    """The http(s) URLs in a " | "-separated sources cell; anything else (javascript:, data:) is dropped."""
    links = [part.strip() for part in str(text or "").split("|")]
    return [u for u in links if u.lower().startswith(("http://", "https://")) and " " not in u]


_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_HTTP_URL = re.compile(r"^https?://[^\s/?#@]+(?:[/?#]\S*)?$", re.IGNORECASE)
_UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file", "blob", "about", "filesystem"})
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_PLAIN_URL = r"https?://[A-Za-z0-9.\-]+(?:[/?#][!-{}~]*)?"
"""A cell :func:`source_problem` accepts at a glance: one http(s) URL in printable ASCII with no space or '|'."""


def source_problem(part: str) -> str | None:
    """Why one source (a part of a " | "-separated cell) is not acceptable, or None when it is.

    A source is an http(s) URL, or a named document in plain words with no URL
    scheme ("SOUTHCOM press release 2025-09-15", "Reuters: strike on a boat").
    Any other scheme (``javascript:``, ``data:``, ``file:``, ``mailto:``, a
    Windows path ``C:\\...``) is refused: a browser would treat it as a link.
    Browsers ignore tabs, newlines and spaces inside a scheme, so they are
    ignored here too before the dangerous schemes are looked for.
    """
    text = part.strip()
    if not text:
        return None
    compact = _CONTROL.sub("", text)
    m = _SCHEME.match(compact)
    if m is None:
        return None
    scheme = m.group(1).lower()
    if scheme in ("http", "https"):
        return None if _HTTP_URL.match(text) else f"not a valid {scheme} URL (a host is needed and no spaces)"
    as_written = _SCHEME.match(text)
    if scheme not in _UNSAFE_SCHEMES and as_written is not None and text[as_written.end() :][:1] in (" ", ""):
        return None  # "Reuters: headline" is a document name, not a link
    return (
        f"'{scheme}:' is not accepted as a source: give an http(s) URL or the name of a document "
        "(plain text, no scheme)"
    )


# -- classification of designation rows ----------------------------------------


def authority_group(authority: str) -> str:
    """Group an authority: United States, European Union, United Kingdom, Canada or Other governments."""
    if authority.startswith("US "):
        return "United States"
    if authority.startswith("EU"):
        return "European Union"
    if authority.startswith("UK"):
        return "United Kingdom"
    if authority.startswith("Canada"):
        return "Canada"
    return "Other governments"


def action_kind(program: str) -> str:
    """What an action is: a listing, or an export denial, seizure or non-binding motion (not counted)."""
    p = program.lower()
    if "temporary denial order" in p:
        return "export denial"
    if "seizure" in p or "forfeiture" in p:
        return "seizure or forfeiture"
    if "non-binding" in p:
        return "non-binding motion"
    return "listing"


def program_family(program: str, authority: str) -> str:
    """Group a program or list text into a family the filters offer (FTO/SDGT, Venezuela-related, ...)."""
    p = program.lower()
    if action_kind(program) != "listing":
        return "Not a sanctions listing"
    if authority.startswith("US ") and re.search(r"\bfto\b|sdgt|counter-terrorism", p):
        return "US terrorism (FTO / SDGT)"
    if "iran" in p:
        return "Iran-related"
    if "russia" in p:
        return "Russia-related"
    if "venezuela" in p:
        return "Venezuela-related"
    if "14059" in p or "kingpin" in p or "sdntk" in p or "tco" in p:
        return "Narcotics and transnational crime"
    if "terror" in p:
        return "Terrorist listing (other governments)"
    return "Other"


# -- validation ----------------------------------------------------------------


def _text_in(allowed: tuple[str, ...]) -> pa.Check:
    return pa.Check.isin(list(allowed), error=f"must be one of: {', '.join(allowed)}")


MAX_COUNT = 10_000
"""The largest count (killed, survivors, vessels, ...) one record may hold."""
COUNT_RANGE_MESSAGE = f"must be a whole number from 0 to {MAX_COUNT:,}"
MIN_DATE = pd.Timestamp("1900-01-01")
"""The earliest date this tool handles; the latest is today."""
DATE_RANGE_MESSAGE = f"date out of range: this tool handles dates from {MIN_DATE.date()} to today"
FUTURE_DATE_MESSAGE = "date lies in the future"
MAX_RADIUS_KM = 20_000.0
"""Half the Earth's circumference: no uncertainty radius can usefully be larger."""


def _count(name: str) -> pa.Column:
    return pa.Column(
        nullable=True,
        name=name,
        checks=[pa.Check.ge(0, error="must be 0 or more"), pa.Check.le(MAX_COUNT, error=COUNT_RANGE_MESSAGE)],
    )


_LAT = pa.Column(nullable=True, checks=pa.Check.in_range(-90, 90, error="latitude must lie between -90 and 90"))
_LON = pa.Column(nullable=True, checks=pa.Check.in_range(-180, 180, error="longitude must lie between -180 and 180"))
_RADIUS = pa.Column(
    nullable=True,
    checks=[
        pa.Check.ge(0, error="radius_km must be 0 or more"),
        pa.Check.le(MAX_RADIUS_KM, error=f"radius_km must be at most {MAX_RADIUS_KM:,.0f} km"),
    ],
)


def _nonempty(error: str) -> pa.Check:
    return pa.Check(lambda s: s.astype(str).str.strip() != "", error=error)


_PLACED = {
    "latitude": _LAT,
    "longitude": _LON,
    "location_precision": pa.Column(checks=_text_in(LOCATION_PRECISIONS)),
    "radius_km": _RADIUS,
}
_SOURCED = {"source_urls": pa.Column(checks=_nonempty("at least one source is required"))}

_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "incidents": pa.DataFrameSchema(
        {
            "incident_id": pa.Column(checks=_nonempty("an id is required")),
            "date": pa.Column(nullable=False),
            "date_precision": pa.Column(checks=_text_in(DATE_PRECISIONS)),
            "region": pa.Column(checks=_text_in(REGIONS)),
            "event_type": pa.Column(checks=_text_in(EVENT_TYPES)),
            **_PLACED,
            **{name: _count(name) for name in ("vessels", "strikes", "killed", "survivors", "presumed_dead")},
            **_SOURCED,
        },
        strict=False,
    ),
    "designations": pa.DataFrameSchema(
        {
            "designation_id": pa.Column(checks=_nonempty("an id is required")),
            "name": pa.Column(checks=_nonempty("a name is required")),
            "entity_type": pa.Column(checks=_text_in(ENTITY_TYPES)),
            "action_kind": pa.Column(checks=_text_in(ACTION_KINDS)),
            **_PLACED,
            **_SOURCED,
        },
        strict=False,
    ),
    "reports": pa.DataFrameSchema(
        {
            "report_id": pa.Column(checks=_nonempty("an id is required")),
            "strike_ref": pa.Column(checks=_nonempty("the strike it is about is required (e.g. S08, or S15?)")),
            "field": pa.Column(checks=_text_in(REPORT_FIELDS)),
            "value": pa.Column(checks=_nonempty("what the source reported is required")),
            "source_type": pa.Column(checks=_text_in(REPORT_SOURCE_TYPES)),
            "source_name": pa.Column(checks=_nonempty("the source's name is required")),
            "link": pa.Column(checks=_text_in(REPORT_LINKS)),
            **_SOURCED,
        },
        strict=False,
    ),
    "routes": pa.DataFrameSchema(
        {
            "route_id": pa.Column(checks=_nonempty("an id is required")),
            "name": pa.Column(checks=_nonempty("a name is required")),
            "route_type": pa.Column(checks=_text_in(ROUTE_TYPES)),
            "line_precision": pa.Column(checks=_text_in(LINE_PRECISIONS)),
            **_SOURCED,
        },
        strict=False,
    ),
}

ON_INVALID = ("report", "raise", "drop")


def _position_problems(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose position and precision disagree (vectorised cross-field check)."""
    has_pos = frame["latitude"].notna() & frame["longitude"].notna()
    half = frame["latitude"].notna() ^ frame["longitude"].notna()
    unknown = frame["location_precision"] == "unknown"
    rows = []
    for mask, column, message in (
        (half, "longitude", "latitude and longitude must both be given or both be empty"),
        (has_pos & unknown, "location_precision", "a position is given but its precision says 'unknown'"),
        (~has_pos & ~half & ~unknown, "location_precision", "no position is given, so precision must be 'unknown'"),
        (
            has_pos & (frame["location_precision"] != "exact") & ~(frame["radius_km"] > 0),
            "radius_km",
            "an approximate position needs an uncertainty radius above 0 km",
        ),
    ):
        for idx in frame.index[mask]:
            rows.append((idx, column, frame.at[idx, column], message))
    return pd.DataFrame(rows, columns=["index", "column", "failure_case", "message"])


def _source_problems(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells of ``source_urls`` with a part that is neither an http(s) URL nor a document name."""
    columns = ["index", "column", "failure_case", "message"]
    if "source_urls" not in frame.columns or frame.empty:
        return pd.DataFrame(columns=columns)
    cells = frame["source_urls"].astype(str)
    suspect = cells.str.contains(":", regex=False)  # no colon, no scheme: a plain document name
    # one plain http(s) URL (ASCII host, no space, no second source): acceptable, no need to look closer
    plain = cells[suspect].str.fullmatch(_PLAIN_URL).fillna(False).astype(bool)
    suspect[plain.index[plain]] = False
    parts = cells[suspect].str.split("|").explode()
    reasons = parts.map(lambda part: source_problem(str(part)) if isinstance(part, str) else None).dropna()
    reasons = reasons[~reasons.index.duplicated()]  # one message per cell: the first bad part
    return pd.DataFrame(
        {
            "index": reasons.index,
            "column": "source_urls",
            "failure_case": cells[reasons.index].to_numpy(),
            "message": reasons.to_numpy(),
        },
        columns=columns,
    )


def _date_problems(frame: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Incident dates before :data:`MIN_DATE` or after ``today``."""
    early = frame["date"] < MIN_DATE
    future = frame["date"] > pd.Timestamp(today)
    rows = [(i, "date", frame.at[i, "date"], DATE_RANGE_MESSAGE) for i in frame.index[early]]
    rows += [(i, "date", frame.at[i, "date"], FUTURE_DATE_MESSAGE) for i in frame.index[future]]
    return pd.DataFrame(rows, columns=["index", "column", "failure_case", "message"])


_FAILURE_COLUMNS = ["index", "column", "failure_case", "message"]


def _pandera_failures(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The failed column checks of ``kind``'s schema as pandera reports them (any frame)."""
    try:
        _SCHEMAS[kind].validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc.assign(message=fc["check"].astype(str))
        return fc[_FAILURE_COLUMNS]
    return pd.DataFrame(columns=_FAILURE_COLUMNS)


def _check_mask(check: pa.Check, series: pd.Series) -> np.ndarray | None:
    """Where a value fails ``check`` (its missing values pass), or None for a check not known here."""
    stats: dict = check.statistics or {}
    if check.name == "isin":
        fails = ~series.isin(stats["allowed_values"])
    elif check.name == "in_range" and stats["include_min"] and stats["include_max"]:
        fails = ~((series >= stats["min_value"]) & (series <= stats["max_value"]))
    elif check.name == "greater_than_or_equal_to":
        fails = ~(series >= stats["min_value"])
    elif check.name == "less_than_or_equal_to":
        fails = ~(series <= stats["max_value"])
    elif check.name == "<lambda>" and not stats:
        fails = ~check._check_fn(series).astype(bool)
    else:
        return None
    return np.asarray(fails.fillna(False) if fails.dtype != bool else fails, dtype=bool) & series.notna().to_numpy()


def _column_failures(kind: str, frame: pd.DataFrame) -> pd.DataFrame | None:
    """:func:`_pandera_failures` worked out column by column with vectorised masks, for a canonical frame.

    The same rows in the same order (column after column of the schema; in a column, its missing
    values first, then each check's failures in row order) with the same values and messages.
    None when the frame is not canonical or a check is not one of those known here: pandera then.
    """
    schema = _SCHEMAS[kind]
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        return None
    parts: list[pd.DataFrame] = []
    for name, column in schema.columns.items():
        if name not in frame.columns or str(frame[name].dtype) != str(_CANONICAL_DTYPES[kind][name]):
            return None
        if column.dtype is not None or column.unique or column.coerce or not column.required:
            return None
        series = frame[name]
        missing = series.isna().to_numpy()
        found: list[tuple[np.ndarray, str]] = []
        if not column.nullable and missing.any():
            found.append((missing, "not_nullable"))
        for check in column.checks:
            if check.groupby is not None or check.element_wise or not check.ignore_na or check.n_failure_cases:
                return None
            mask = _check_mask(check, series)
            if mask is None:
                return None
            if mask.any():
                found.append((mask, str(check.error)))
        for mask, message in found:
            at = np.flatnonzero(mask)
            parts.append(
                pd.DataFrame(
                    {
                        "index": at,
                        "column": name,
                        "failure_case": series.iloc[at].reset_index(drop=True),  # its own dtype, as pandera
                        "message": message,
                    }
                )
            )
    if schema.checks or schema.unique or schema.index is not None or schema.coerce:
        return None
    if not parts:
        return pd.DataFrame(columns=_FAILURE_COLUMNS)
    # pandera concatenates the failing values of every column: counts print as 3.0 beside a float, 3 beside text
    return pd.concat(parts, ignore_index=True)


def validate(
    kind: str,
    frame: pd.DataFrame,
    *,
    file: str = "",
    row_offset: int = 2,
    on_invalid: str = "report",
    today: dt.date | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a canonical frame of ``kind``.

    Returns ``(passed, problems)``: the rows with no error-level problem and
    every problem found (all of them, not just the first).  ``row_offset`` turns
    the frame's positional index into the line number a person sees (2 for a
    CSV with one header line).  ``on_invalid``: ``"report"`` returns problems,
    ``"raise"`` raises :class:`ValidationError` if there is any error,
    ``"drop"`` returns only the passing rows and no problems.
    """
    check_option("kind", kind, KINDS)
    check_option("on_invalid", on_invalid, ON_INVALID)
    frame = frame.reset_index(drop=True)
    failures: list[pd.DataFrame] = []
    fast = _column_failures(kind, frame)
    if fast is not None:
        failures.append(fast)
    else:
        failures.append(_pandera_failures(kind, frame))
    if "latitude" in frame.columns and "location_precision" in frame.columns:
        failures.append(_position_problems(frame))
    failures.append(_source_problems(frame))
    if kind == "incidents":
        failures.append(_date_problems(frame, today or dt.date.today()))
    problems: list[Problem] = []
    bad_rows: set[int] = set()
    seen: set[tuple[int | None, str]] = set()
    for fc in failures:
        for rec in fc.itertuples(index=False):
            idx = None if pd.isna(rec.index) else int(rec.index)
            cell = (idx, str(rec.column) if rec.column is not None else "")
            if idx is not None and cell in seen:
                continue  # one message per cell: the first check that failed
            seen.add(cell)
            if idx is not None:
                bad_rows.add(idx)
            value = "" if pd.isna(rec.failure_case) else str(rec.failure_case)
            message = str(rec.message)
            if message.startswith("not_nullable"):
                message = "a value is required"
            problems.append(
                Problem(
                    file=file,
                    row=None if idx is None else idx + row_offset,
                    column=str(rec.column) if rec.column is not None else "",
                    value=value,
                    message=message,
                )
            )
    problems.sort(key=lambda p: (p.row if p.row is not None else -1, p.column))
    passed = frame.drop(index=sorted(bad_rows))
    if on_invalid == "raise" and problems:
        raise ValidationError(problems)
    if on_invalid == "drop":
        return passed, []
    return passed, problems
