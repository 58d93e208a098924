"""The import pipeline: bytes -> mapped, parsed, placed and validated rows, ready to store.

    read (tracker.readers) -> map columns -> parse values -> fill places (tracker.gazetteer)
    -> validate (tracker.schema) -> geographic checks -> duplicates

:func:`prepare` runs every step and returns an :class:`ImportPlan`: the rows that
passed, every problem as (file, row, column, value, message), the duplicates
found, and what the user still has to decide (unmapped columns, ambiguous
dates, swapped coordinates).  Nothing is written here; :mod:`tracker.store`
writes a plan's rows as one batch.  The dashboard and ``python -m tracker
import`` both use this module, so they accept and reject the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from dateutil import parser as date_parser

from tracker import gazetteer as gz
from tracker import readers, rules, schema
from tracker.basemap import load_countries
from tracker.errors import check_option
from tracker.schema import Problem

DATE_ORDERS = ("dmy", "mdy")
DUPLICATE_DISTANCE_KM = 5.0

# Header names recognised for each canonical field (compared after normalise_name).
FIELD_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "incidents": {
        "incident_id": ("incident_id", "id", "event_id_cnty", "event_id", "strike_id", "record_id", "source_id"),
        "date": ("date", "event_date", "fecha", "strike_date", "day", "date_of_event"),
        "announced_date": ("announced_date", "announced", "announcement_date"),
        "latitude": ("latitude", "lat", "y", "latitud"),
        "longitude": ("longitude", "lon", "lng", "long", "x", "longitud"),
        "location_text": ("location_text", "location", "place", "lugar", "ubicacion", "site", "admin1"),
        "location_precision": ("location_precision", "position_precision"),
        "radius_km": ("radius_km", "uncertainty_km", "radius"),
        "geo_precision": ("geo_precision",),
        "time_precision": ("time_precision",),
        "date_precision": ("date_precision",),
        "region": ("region", "sea", "area"),
        "event_type": ("event_type", "type", "tipo"),
        "killed": ("killed", "fatalities", "deaths", "muertos", "dead", "death_toll", "fallecidos"),
        "survivors": ("survivors", "sobrevivientes", "survived"),
        "presumed_dead": ("presumed_dead", "presumed_dead_later", "missing_presumed_dead"),
        "vessels": ("vessels", "boats", "embarcaciones", "lanchas"),
        "strikes": ("strikes", "engagements", "ataques"),
        "affiliation_text": ("alleged_affiliation", "affiliation", "group", "grupo", "actor"),
        "actor2": ("actor2",),
        "sub_event_type": ("sub_event_type",),
        "vessel_type": ("vessel_type", "boat_type"),
        "announced_by": ("announced_by", "announcer"),
        "notes": ("notes", "description", "notas", "comments", "summary"),
        "source_urls": ("source_urls", "sources", "source", "source_url", "url", "urls", "fuente", "link"),
        "source_basis": ("source_basis", "evidence"),
    },
    "designations": {
        "designation_id": ("designation_id", "id"),
        "name": ("name", "entity", "entity_name", "nombre"),
        "aliases": ("aliases", "alias", "aka"),
        "entity_type": ("entity_type", "type"),
        "authority": ("authority", "designated_by"),
        "program_text": ("program_or_list", "program", "list", "programme"),
        "designation_date": ("designation_date", "date", "listed_on"),
        "country": ("country", "iso2", "country_code"),
        "base_location_text": ("base_location_text", "base_location", "location"),
        "identifiers": ("identifiers", "imo", "ids"),
        "notes": ("notes",),
        "source_urls": ("sources", "source_urls", "source", "url"),
    },
    "routes": {
        "route_id": ("route_id", "id"),
        "name": ("name",),
        "route_type": ("route_type", "type"),
        "origin_text": ("origin_text", "origin"),
        "destination_text": ("destination_text", "destination"),
        "waypoints_text": ("waypoints_text", "waypoints"),
        "period": ("period",),
        "vessels_or_actors": ("vessels_or_actors", "vessels", "actors"),
        "notes": ("notes",),
        "source_urls": ("sources", "source_urls", "source", "url"),
        "line_precision": ("line_precision",),
    },
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "incidents": ("date", "source_urls"),
    "designations": ("name", "entity_type", "authority", "source_urls"),
    "routes": ("name", "route_type", "source_urls"),
}
"""Fields a file must provide.  Incidents also need a position: latitude and
longitude, or a location text the gazetteer can place."""

_COUNT_FIELDS = ("killed", "survivors", "presumed_dead", "vessels", "strikes")
_SPANISH_MONTHS = {
    "enero": "January", "febrero": "February", "marzo": "March", "abril": "April", "mayo": "May",
    "junio": "June", "julio": "July", "agosto": "August", "septiembre": "September", "setiembre": "September",
    "octubre": "October", "noviembre": "November", "diciembre": "December",
}
_ACLED_GEO = {"1": ("approximate", 5.0), "2": ("approximate", 25.0), "3": ("area", 100.0)}
_ACLED_TIME = {"1": "day", "2": "approximate", "3": "approximate"}


@dataclass
class ImportPlan:
    """Everything known about one file before it is stored."""

    kind: str
    file: str
    sha256: str
    encoding: str = ""
    delimiter: str = ""
    header: tuple[str, ...] = ()
    mapping: dict[str, str] = field(default_factory=dict)
    missing_fields: list[str] = field(default_factory=list)
    ambiguous_dates: bool = False
    date_order: str | None = None
    swapped_rows: list[int] = field(default_factory=list)
    rows_read: int = 0
    accepted: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: list[Problem] = field(default_factory=list)
    duplicates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DUPLICATE_COLUMNS))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def rejected_rows(self) -> int:
        return self.rows_read - len(self.accepted)

    @property
    def file_errors(self) -> list[Problem]:
        """Errors about the whole file: no row (a repeated column name) or row 1 (the header line).

        They block the import: the columns themselves may be wrong.
        """
        return [p for p in self.errors if p.row is None or p.row == 1]

    @property
    def ready(self) -> bool:
        """True when nothing is left for the user to decide or fix before importing."""
        return not self.not_ready_reasons()

    def not_ready_reasons(self) -> list[str]:
        """Why the file cannot be imported yet, one sentence each (empty when it can)."""
        reasons = []
        if self.missing_fields:
            reasons.append("map the required fields: " + ", ".join(self.missing_fields))
        if self.ambiguous_dates and self.date_order is None:
            reasons.append("choose whether dates are day/month/year or month/day/year")
        reasons += [f"the file has an error: {p.message}" + (f" ({p.value})" if p.value else "")
                    for p in self.file_errors]
        return reasons

    def summary(self) -> str:
        return (f"{self.file}: {self.rows_read} row(s) read, {len(self.accepted)} accepted, "
                f"{self.rejected_rows} rejected, {len(self.duplicates)} possible duplicate(s), "
                f"{len(self.errors)} error(s), {len(self.problems) - len(self.errors)} warning(s)")


DUPLICATE_COLUMNS = ["row", "incident_id", "duplicate_of", "reason"]


def header_key(kind: str, header: tuple[str, ...]) -> str:
    """A stable key for a file layout: the kind plus its normalised column names."""
    norm = "|".join(gz.normalise_name(h) for h in header)
    return hashlib.sha256(f"{kind}:{norm}".encode()).hexdigest()[:24]


def suggest_mapping(kind: str, header: tuple[str, ...], remembered: dict[str, str] | None = None) -> dict[str, str]:
    """Canonical field -> file column, from remembered choices first, then known header names."""
    check_option("kind", kind, schema.KINDS)
    by_norm = {gz.normalise_name(h).replace(" ", "_"): h for h in header}
    mapping: dict[str, str] = {}
    for fld, col in (remembered or {}).items():
        if col in header:
            mapping[fld] = col
    used = set(mapping.values())
    for fld, aliases in FIELD_ALIASES[kind].items():
        if fld in mapping:
            continue
        for alias in aliases:
            col = by_norm.get(alias)
            if col is not None and col not in used:
                mapping[fld] = col
                used.add(col)
                break
    return mapping


def missing_required(kind: str, mapping: dict[str, str]) -> list[str]:
    """Required fields the mapping does not cover (incidents: also a position or a place)."""
    missing = [f for f in REQUIRED[kind] if f not in mapping]
    if kind == "incidents":
        has_xy = "latitude" in mapping and "longitude" in mapping
        if not has_xy and "location_text" not in mapping:
            missing.append("latitude + longitude, or location_text")
    return missing


# -- value parsing -------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?\s*$")
_LAST_YEAR = 2261
"""Years after this cannot be held as dates here (pandas' nanosecond limit is 2262-04-11); they are all
in the future anyway."""


def date_order_needed(values: pd.Series) -> bool:
    """True when numeric dates could be read day-first or month-first (no part above 12)."""
    parts = values.str.extract(_NUMERIC_DATE).dropna()
    if parts.empty:
        return False
    first, second = parts[0].astype(int), parts[1].astype(int)
    return not ((first > 12).any() or (second > 12).any())


def infer_date_order(values: pd.Series) -> str | None:
    """'dmy' or 'mdy' when the numeric dates themselves settle it, else None."""
    parts = values.str.extract(_NUMERIC_DATE).dropna()
    if parts.empty:
        return None
    if (parts[0].astype(int) > 12).any():
        return "dmy"
    if (parts[1].astype(int) > 12).any():
        return "mdy"
    return None


_OFFSET = re.compile(
    r"(?P<dist>\d+(?:[.,]\d+)?)\s*(?P<unit>nm|nmi|nautical miles?|km|kilomet(?:er|re)s?|mi|miles?)\s+"
    r"(?P<dir>north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|"
    r"south-west|n|s|e|w|ne|nw|se|sw)\s+(?:of|off|from)\s+(?P<place>.+)",
    re.IGNORECASE,
)
_BEARINGS = {"n": 0, "ne": 45, "e": 90, "se": 135, "s": 180, "sw": 225, "w": 270, "nw": 315}
_UNIT_KM = {"nm": gz.NAUTICAL_MILE_KM, "nmi": gz.NAUTICAL_MILE_KM, "nautical": gz.NAUTICAL_MILE_KM,
            "km": 1.0, "kilometer": 1.0, "kilometre": 1.0, "mi": 1.609344, "mile": 1.609344}


def place_from_text(g: gz.Gazetteer, text: str) -> tuple[float, float, str, float, str] | None:
    """(longitude, latitude, precision, radius_km, basis) for a place description, or None.

    Understands "80 nm south of Beata Island" (a distance and direction from a
    known place: precision ``approximate``, radius a quarter of the distance or
    the place's own radius, whichever is larger) and plain place names.
    """
    m = _OFFSET.search(text)
    if m:
        place = g.find_in_text(m.group("place"))
        if place is not None:
            word = m.group("dir").lower().replace("-", "")
            key = {"north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne", "northwest": "nw",
                   "southeast": "se", "southwest": "sw"}.get(word, word)
            unit = m.group("unit").lower().split()[0].rstrip("s")
            km = float(m.group("dist").replace(",", ".")) * _UNIT_KM.get(unit, 1.0)
            lon, lat = gz.offset(place.longitude, place.latitude, km, _BEARINGS[key])
            radius = max(place.radius_km, km / 4)
            basis = (f"placed {km:.0f} km {word} of '{place.name}' ({place.basis}) from the text "
                     f"'{m.group(0)}'; radius allows for the bearing and distance being approximate")
            return round(lon, 3), round(lat, 3), "approximate", round(radius, 1), basis
    place = g.find_in_text(text)
    if place is None:
        return None
    return (place.longitude, place.latitude, place.precision, place.radius_km,
            f"placed from the place name '{place.name}' by the offline gazetteer ({place.basis})")


@lru_cache(maxsize=100_000)
def _parse_written_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a written date ("Sept. 15, 2025", "15 de octubre de 2025"), or None.

    None when the text is not a date or names no year (it is parsed with two
    different default years: if the year follows the default, the text has none).
    """
    cleaned = text.strip().lower()
    for es, en in _SPANISH_MONTHS.items():
        cleaned = re.sub(rf"\b{es}\b", en, cleaned)
    cleaned = re.sub(r"\bde\b", " ", cleaned)
    cleaned = re.sub(r"\bsept\b\.?", "sep", cleaned).replace(".", " ")
    try:
        a = date_parser.parse(cleaned, default=dt.datetime(2000, 1, 1))
        b = date_parser.parse(cleaned, default=dt.datetime(2001, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    if a.year != b.year:
        return None
    return a.year, a.month, a.day


def _dates_from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates from whole-number parts (one index), and the reason where a part makes no date.

    Years before 1900 are out of the range this tool handles; years after 2261
    are in the future (and beyond what a nanosecond date can hold).
    """
    out = pd.Series(pd.NaT, index=year.index, dtype="datetime64[ns]")
    reasons = pd.Series("", index=year.index, dtype=object)
    early, late = year < schema.MIN_DATE.year, year > _LAST_YEAR
    reasons[early] = schema.DATE_RANGE_MESSAGE
    reasons[late] = schema.FUTURE_DATE_MESSAGE
    ok = ~early & ~late
    if ok.any():
        parts = pd.DataFrame({"year": year[ok], "month": month[ok], "day": day[ok]}).astype("int64")
        out[ok] = pd.to_datetime(parts, errors="coerce").astype("datetime64[ns]")
    reasons[ok & out.isna()] = "cannot read this as a date (use YYYY-MM-DD)"
    return out, reasons


def parse_dates(values: pd.Series, order: str | None) -> tuple[pd.Series, pd.Series]:
    """Parse ISO, dd/mm/yyyy or mm/dd/yyyy (by ``order``) and written dates ("Sept. 15, 2025").

    Returns ``(dates, reasons)``: NaT where a date could not be read, with the reason.
    Dates before 1900 and after 2261 are refused with their own reason (see
    :func:`_dates_from_parts`); later dates up to 2261 are left to
    :func:`tracker.schema.validate`'s check against today.
    """
    values = values.fillna("").astype(str).str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    reasons = pd.Series("", index=values.index, dtype=object)
    iso_parts = values.str.extract(_ISO_DATE)
    iso = iso_parts[0].notna()
    if iso.any():
        p = iso_parts[iso].astype("int64")
        out[iso], reasons[iso] = _dates_from_parts(p[0], p[1], p[2])
    numeric = values.str.extract(_NUMERIC_DATE)
    is_num = numeric[0].notna() & ~iso
    if is_num.any():
        a, b, y = numeric.loc[is_num, 0].astype(int), numeric.loc[is_num, 1].astype(int), numeric.loc[is_num, 2]
        y = y.astype(int).where(y.str.len() != 2, 2000 + y.astype(int))
        if order is None:
            settled = (a > 12) | (b > 12)
            day = a.where(a > 12, b)
            month = b.where(a > 12, a)
            amb = is_num.copy()
            amb[is_num] = ~settled
            reasons[amb] = "ambiguous date: choose whether it is day/month/year or month/day/year"
            if settled.any():
                idx = settled.index[settled]
                out[idx], reasons[idx] = _dates_from_parts(y[idx], month[idx], day[idx])
        else:
            day, month = (a, b) if order == "dmy" else (b, a)
            out[is_num], reasons[is_num] = _dates_from_parts(y, month, day)
    rest = ~iso & ~is_num & (values != "")
    if rest.any():
        parsed = values[rest].map(_parse_written_date)
        readable = parsed.notna()
        if readable.any():
            parts = pd.DataFrame(parsed[readable].tolist(), index=parsed.index[readable], columns=["y", "m", "d"])
            idx = parts.index
            out[idx], reasons[idx] = _dates_from_parts(parts["y"], parts["m"], parts["d"])
    bad = out.isna() & (values != "") & (reasons == "")
    reasons[bad] = "cannot read this as a date (use YYYY-MM-DD)"
    reasons[values == ""] = "a date is required"
    return out, reasons


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers with a dot or a decimal comma ("12,5"); returns (floats, unreadable mask)."""
    text = values.fillna("").astype(str).str.strip().str.replace("\u2212", "-", regex=False)
    text = text.str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True)
    nums = pd.to_numeric(text, errors="coerce").astype("float64")  # "inf" and 1e400 stay inf
    return nums, nums.isna() & (text != "")


def _cell(plan: ImportPlan, row: int, column: str, value: object, message: str, severity: str = "error") -> Problem:
    return Problem(plan.file, row + 2, column, "" if value is None else str(value), message, severity)  # type: ignore[arg-type]


# -- geography -----------------------------------------------------------------

INTEREST_BOX = (-130.0, -25.0, -30.0, 40.0)
"""lon/lat box of the waters this tool covers (Eastern Pacific to the Atlantic approaches)."""


def swapped_mask(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """Rows whose latitude and longitude look swapped.

    That is: the point as given lies outside the waters this tool covers
    (:data:`INTEREST_BOX`) and the swapped point lies inside them.
    """
    x0, y0, x1, y1 = INTEREST_BOX
    inside = lon.between(x0, x1) & lat.between(y0, y1)
    swapped_inside = lat.between(x0, x1) & lon.between(y0, y1)
    return (~inside & swapped_inside).fillna(False)


@lru_cache(maxsize=1)
def _land() -> shapely.STRtree:
    return shapely.STRtree(load_countries().geometry.values)


def on_land_mask(lon: pd.Series, lat: pd.Series) -> pd.Series:
    """True where a point falls inside a country polygon of the bundled basemap."""
    ok = lon.notna() & lat.notna()
    result = pd.Series(False, index=lon.index)
    if ok.any():
        pts = shapely.points(lon[ok].to_numpy(), lat[ok].to_numpy())
        hits = _land().query(pts, predicate="within")
        flagged = np.zeros(len(pts), dtype=bool)
        flagged[np.unique(hits[0])] = True
        result[ok] = flagged
    return result


# -- duplicates ----------------------------------------------------------------

MAX_CANDIDATE_PAIRS = 1_000_000
"""The most candidate pairs the duplicate check holds at once, whatever the size of the file."""

_EARTH_RADIUS_KM = 6371.0088
_CUBE_KM = 0.98 * DUPLICATE_DISTANCE_KM / math.sqrt(3)
"""Edge of the cubes (km, on a sphere) the duplicate check sorts positions into: the diagonal is 2 %
under 5 km, so any two positions in one cube are within 5 km on the ellipsoid too."""
_REACH = math.ceil(1.01 * DUPLICATE_DISTANCE_KM / _CUBE_KM)
"""Cubes to look at each way: every position within 5 km of a point lies in these."""
_CELL_BITS = 13  # cube coordinates run to +-2,300 (6,371 km / 2.8 km), offset by 4,096
_GROUP_BLOCK = 1 << (63 - 3 * _CELL_BITS - 1)  # day-and-toll groups per search, so a key fits in int64


def find_duplicates(new: pd.DataFrame, existing: pd.DataFrame | None) -> pd.DataFrame:
    """Possible duplicates of the rows of ``new``: the same id, or the same day and death toll nearby.

    ``new`` is a canonical incidents frame with a ``_row`` column (the file row
    number); ``existing`` holds the stored and bundled records.  A row is a
    possible duplicate of an earlier row of the file, or of an existing
    record, when either has the same ``incident_id``, or both have the same day
    and the same death toll (both unstated counts as the same) and lie

    * within 5 km of each other, or
    * (an existing record only) within the larger uncertainty radius
      (``radius_km``) of the two: a row at reported coordinates matches a
      record placed at the representative point of its sea area.

    Each row is reported once, against one earlier match: the first of its
    identical rows (same day, toll and position, 0.0 km), else the first
    record met in its 2.8 km cube, else the earliest match found (existing
    records come before the file's rows).  Returns the columns
    ``row, incident_id, duplicate_of, reason``; the reason states the distance
    and, past 5 km, the radius that allowed it.

    Memory is bounded whatever the file: identical rows collapse to their
    first occurrence; the rest are sorted into cubes of 2.8 km (any two
    positions in one cube are within 5 km) so that only the first position of
    each cube is compared, with the positions in the 125 cubes around it; and
    every comparison runs in chunks of at most :data:`MAX_CANDIDATE_PAIRS`.
    Time grows with the rows, except for the radius match, which compares each
    file row with the existing records of its day and toll.
    """
    parts = [new.assign(_origin="file")]
    if existing is not None and len(existing):
        parts.insert(0, existing.assign(_origin="stored", _row=-1))
    cols = ["incident_id", "date", "latitude", "longitude", "killed", "radius_km", "_origin", "_row"]
    pool = pd.concat([p.reindex(columns=cols) for p in parts], ignore_index=True)
    n = len(pool)
    pos = np.arange(n)
    is_file = (pool["_origin"] == "file").to_numpy()

    first = pd.Series(pos).groupby(pool["incident_id"].astype(str).to_numpy(), sort=False).transform("min").to_numpy()
    same_id = is_file & (first != pos)
    best = np.where(same_id, first, n)  # the earliest earlier record each row duplicates; n: none

    lon = pd.to_numeric(pool["longitude"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(pool["latitude"], errors="coerce").to_numpy(dtype=float)
    radius = np.nan_to_num(pd.to_numeric(pool["radius_km"], errors="coerce").to_numpy(dtype=float), nan=0.0)
    day = pd.to_datetime(pool["date"], errors="coerce").dt.normalize()
    toll = pd.to_numeric(pool["killed"], errors="coerce").astype("float64").fillna(-1.0).to_numpy()
    placed = (np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
              & day.notna().to_numpy())
    if (placed & is_file & ~same_id).any():
        at = np.flatnonzero(placed)
        group = pd.DataFrame({"d": day.to_numpy()[at], "t": toll[at]}).groupby(["d", "t"], sort=False).ngroup()
        near = _nearby(at, group.to_numpy(), lon, lat, radius, query=is_file & ~same_id, origin_file=is_file)
        best = np.minimum(best, near)

    dup = np.flatnonzero(is_file & (best < n))
    if not len(dup):
        return pd.DataFrame({c: pd.Series(dtype=int if c == "row" else object) for c in DUPLICATE_COLUMNS})
    of = best[dup]
    where = np.where(is_file[of], "row " + pool["_row"].to_numpy()[of].astype(int).astype(str), "stored")
    label = pool["incident_id"].to_numpy()[of].astype(str) + " (" + where + ")"
    reason = np.full(len(dup), "same id", dtype=object)
    by_place = ~same_id[dup]
    if by_place.any():
        a, b = dup[by_place], of[by_place]
        km = np.atleast_1d(gz.distance_km(lon[a], lat[a], lon[b], lat[b]))
        wide = np.maximum(radius[a], radius[b])
        toll_text = np.where(toll[a] >= 0, "same death toll", "no death toll stated in either")
        texts = []
        for k, r, ra, rb, lab, tt in zip(km, wide, radius[a], radius[b], label[by_place], toll_text):
            if k <= DUPLICATE_DISTANCE_KM:
                texts.append(f"same day, {k:.1f} km apart, {tt}")
            else:
                whose = lab if rb >= ra else "this row"
                texts.append(f"same day, {k:.1f} km apart (within the {r:,.0f} km uncertainty radius of {whose}), "
                             f"{tt}")
        reason[by_place] = texts
    out = pd.DataFrame({"row": pool["_row"].to_numpy()[dup].astype(int),
                        "incident_id": pool["incident_id"].to_numpy()[dup], "duplicate_of": label, "reason": reason})
    return out.sort_values("row", kind="stable", ignore_index=True)[DUPLICATE_COLUMNS]


def _nearby(at, group, lon, lat, radius, *, query, origin_file) -> np.ndarray:
    """For each pool position, the earliest earlier position matched by place (len(lon) when none).

    ``at``: the pool positions that have a day and a position, in pool order;
    ``group``: their day-and-toll group.  Only positions in ``query`` look for a
    match; any placed position can be matched.
    """
    n = len(lon)
    best = np.full(n, n, dtype=np.int64)
    frame = pd.DataFrame({"g": group, "x": lon[at], "y": lat[at], "r": radius[at], "p": at})
    # 1. the same day, toll and position: later ones are duplicates of the first
    first_same = frame.groupby(["g", "x", "y"], sort=False)["p"].transform("min").to_numpy()
    later = first_same != at
    take = later & query[at]
    best[at[take]] = first_same[take]
    unique = ~later
    u, ug = at[unique], group[unique]
    for g0 in range(0, int(ug.max()) + 1, _GROUP_BLOCK):
        block = (ug >= g0) & (ug < g0 + _GROUP_BLOCK)
        _within_5_km(u[block], ug[block] - g0, lon, lat, best, query)
    # 2. existing records by radius: only the first of those alike in day, toll, position and radius can win
    first_alike = frame.groupby(["g", "x", "y", "r"], sort=False)["p"].transform("min").to_numpy()
    b = (first_alike == at) & ~origin_file[at]
    a = unique & query[at]
    _within_radius(at[a], group[a], at[b], group[b], lon, lat, radius, best)
    return best


def _cube_keys(group: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """One int64 per position: its day-and-toll group and the cube it lies in."""
    lam, phi = np.radians(lon), np.radians(lat)
    xyz = _EARTH_RADIUS_KM * np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])
    cells = np.floor(xyz / _CUBE_KM).astype(np.int64) + (1 << (_CELL_BITS - 1))
    return ((group.astype(np.int64) << (3 * _CELL_BITS)) | (cells[0] << (2 * _CELL_BITS))
            | (cells[1] << _CELL_BITS) | cells[2])


def _within_5_km(u, group, lon, lat, best, query) -> None:
    """Match positions ``u`` (unique per group) within 5 km of an earlier one of the same group."""
    keys = _cube_keys(group, lon[u], lat[u])
    first_in_cube = pd.Series(u).groupby(keys, sort=False).transform("min").to_numpy()
    # everyone in a cube but its first is within 5 km of that first
    take = (first_in_cube != u) & query[u]
    best[u[take]] = np.minimum(best[u[take]], first_in_cube[take])
    # each cube's first looks at every position in the cubes around it
    firsts = np.flatnonzero((first_in_cube == u) & query[u])
    if not len(firsts):
        return
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_u = keys[order], u[order]
    steps = np.arange(-_REACH, _REACH + 1, dtype=np.int64)
    dx, dy, dz = np.meshgrid(steps, steps, steps, indexing="ij")
    offsets = ((dx << (2 * _CELL_BITS)) + (dy << _CELL_BITS) + dz).ravel()
    per_block = max(1, MAX_CANDIDATE_PAIRS // (2 * len(offsets)))
    for start in range(0, len(firsts), per_block):
        a = firsts[start:start + per_block]
        wanted = (keys[a][:, None] + offsets[None, :]).ravel()
        lo = np.searchsorted(sorted_keys, wanted, "left")
        hi = np.searchsorted(sorted_keys, wanted, "right")
        for i, j in _pairs(np.repeat(u[a], len(offsets)), lo, hi):
            _keep_earliest_within(i, sorted_u[j], lon, lat, DUPLICATE_DISTANCE_KM, best)


def _within_radius(a, a_group, b, b_group, lon, lat, radius, best) -> None:
    """Match file positions ``a`` to existing records ``b`` of the same group within the larger radius.

    Only pairs where one radius is over 5 km are looked at (closer pairs are the 5 km search's).
    """
    a_wide, b_wide = radius[a] > DUPLICATE_DISTANCE_KM, radius[b] > DUPLICATE_DISTANCE_KM
    for a_mask, b_mask in ((a_wide, np.ones(len(b), dtype=bool)), (~a_wide, b_wide)):
        if not a_mask.any() or not b_mask.any():
            continue
        order = np.argsort(b_group[b_mask], kind="stable")
        sorted_groups, sorted_b = b_group[b_mask][order], b[b_mask][order]
        lo = np.searchsorted(sorted_groups, a_group[a_mask], "left")
        hi = np.searchsorted(sorted_groups, a_group[a_mask], "right")
        for i, j in _pairs(a[a_mask], lo, hi):
            j = sorted_b[j]
            limit = np.maximum(DUPLICATE_DISTANCE_KM, np.maximum(radius[i], radius[j]))
            _keep_earliest_within(i, j, lon, lat, limit, best)


def _pairs(a: np.ndarray, lo: np.ndarray, hi: np.ndarray, limit: int = MAX_CANDIDATE_PAIRS // 2
           ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every (a[k], j) with lo[k] <= j < hi[k], in chunks of at most ``2 * limit`` pairs.

    A range longer than ``limit`` is cut into pieces first, so one crowded
    group cannot make a chunk larger than that.
    """
    size = hi - lo
    keep = size > 0
    a, lo, size = a[keep], lo[keep], size[keep]
    if not len(a):
        return
    pieces = -(-size // limit)
    which = np.repeat(np.arange(len(a)), pieces)
    k = np.arange(len(which)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    seg_lo = lo[which] + k * limit
    seg_size = np.minimum(size[which] - k * limit, limit)
    ends = np.cumsum(seg_size)
    chunk = (ends - seg_size) // limit
    bounds = np.flatnonzero(np.diff(chunk)) + 1
    for s, e in zip(np.r_[0, bounds], np.r_[bounds, len(chunk)]):
        sizes = seg_size[s:e]
        offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        yield np.repeat(a[which[s:e]], sizes), np.repeat(seg_lo[s:e], sizes) + offsets


def _keep_earliest_within(i, j, lon, lat, limit_km, best) -> None:
    """Make j the match of i where j comes before i and lies within ``limit_km`` (the earliest such j wins)."""
    earlier = j < i
    if np.ndim(limit_km):
        limit_km = limit_km[earlier]
    i, j = i[earlier], j[earlier]
    if not len(i):
        return
    rough = _haversine_km(lon[i], lat[i], lon[j], lat[j])
    close = rough <= np.asarray(limit_km) * 1.01  # a sphere is within 0.6 % of the ellipsoid
    if np.ndim(limit_km):
        limit_km = limit_km[close]
    i, j = i[close], j[close]
    if not len(i):
        return
    exact = np.atleast_1d(gz.distance_km(lon[i], lat[i], lon[j], lat[j])) <= limit_km
    np.minimum.at(best, i[exact], j[exact])


def _haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km on a sphere (a fast first sieve; :func:`gz.distance_km` decides)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2)
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


# -- the pipeline ----------------------------------------------------------------

def prepare(
    kind: str,
    data: bytes,
    *,
    file: str,
    mapping: dict[str, str] | None = None,
    remembered: dict[str, str] | None = None,
    date_order: str | None = None,
    fix_swapped: bool = False,
    existing: pd.DataFrame | None = None,
    gazetteer: gz.Gazetteer | None = None,
    default_event_type: str = "boat strike",
    encoding: str | None = None,
    today=None,
) -> ImportPlan:
    """Read, map, parse, place, validate and check one file of ``kind``; store nothing."""
    check_option("kind", kind, schema.KINDS)
    if date_order is not None:
        check_option("date_order", date_order, DATE_ORDERS)
    plan = ImportPlan(kind=kind, file=file, sha256=hashlib.sha256(data).hexdigest(), date_order=date_order)
    if kind == "routes":
        if file.lower().endswith((".geojson", ".json", ".gpkg")):
            return _prepare_routes(plan, data, mapping=mapping, remembered=remembered)
        plan.accepted = _empty_routes()
        plan.problems.append(Problem(file, None, "", "", "routes are read from GeoJSON or GeoPackage files (one "
                                     "line per route): save the file as .geojson or .gpkg"))
        return plan
    raw = readers.read_delimited(data, file=file, encoding=encoding)
    plan.encoding, plan.delimiter, plan.header = raw.encoding, raw.delimiter, raw.header
    plan.problems = list(raw.problems)
    plan.accepted = schema.empty_frame(kind)
    if raw.frame.empty:
        return plan
    plan.rows_read = len(raw.frame)
    plan.mapping = mapping if mapping is not None else suggest_mapping(kind, raw.header, remembered)
    plan.missing_fields = missing_required(kind, plan.mapping)
    if plan.missing_fields:
        return plan
    src = raw.frame.reset_index(drop=True)

    def col(fld: str) -> pd.Series:
        name = plan.mapping.get(fld)
        if name not in src.columns:
            return pd.Series("", index=src.index)
        return src[name].fillna("").astype(str).str.strip()  # a short row's missing cells are ""

    if kind == "incidents":
        frame = _incidents(plan, src, col, default_event_type, fix_swapped, gazetteer)
    else:  # designations (routes come from GeoJSON or GeoPackage, above)
        frame = _designations(plan, src, col)
    frame = schema.canonicalise(kind, frame)
    cell_errors = {(p.row, p.column) for p in plan.problems if p.severity == "error" and p.row is not None}
    passed, problems = schema.validate(kind, frame, file=file, today=today)
    # name the file's own column, and keep one message per cell (the reader's or parser's comes first)
    problems = [replace(p, column=plan.mapping.get(p.column, p.column)) for p in problems]
    plan.problems.extend(p for p in problems if (p.row, p.column) not in cell_errors)
    bad_rows = {p.row - 2 for p in plan.problems if p.severity == "error" and p.row is not None}
    passed = passed[~passed.index.isin(bad_rows)]
    # a row the reader refused (ragged, unclosed quote) has its cells shifted: its one error says it all
    refused = {p.row for p in raw.problems if p.severity == "error" and p.row is not None}
    if refused:
        plan.problems = raw.problems + [p for p in plan.problems[len(raw.problems):] if p.row not in refused]
    if kind == "incidents" and len(passed):
        land = on_land_mask(passed["longitude"], passed["latitude"]) & (passed["event_type"] == "boat strike")
        for idx in passed.index[land]:
            plan.problems.append(_cell(plan, idx, "latitude", f"{passed.at[idx, 'latitude']}, "
                                       f"{passed.at[idx, 'longitude']}",
                                       "a boat strike placed on land: check the position", "warning"))
        plan.duplicates = find_duplicates(passed.assign(_row=passed.index + 2), existing)
    plan.problems.sort(key=lambda p: (p.row if p.row is not None else -1, p.column))
    plan.accepted = passed
    return plan


def _incidents(plan, src, col, default_event_type, fix_swapped, gazetteer) -> pd.DataFrame:
    out = pd.DataFrame(index=src.index)
    # dates
    raw_dates = col("date")
    order = plan.date_order or infer_date_order(raw_dates)
    plan.ambiguous_dates = date_order_needed(raw_dates)
    if plan.ambiguous_dates and plan.date_order is None:
        order = None
    dates, reasons = parse_dates(raw_dates, order)
    for idx in src.index[reasons != ""]:
        plan.problems.append(_cell(plan, idx, plan.mapping["date"], raw_dates[idx], reasons[idx]))
    out["date"] = dates
    if "announced_date" in plan.mapping:
        out["announced_date"], _ = parse_dates(col("announced_date"), order)
    # precision of the date
    dp = col("date_precision").str.lower()
    tp = col("time_precision").map(_ACLED_TIME).fillna("")
    out["date_precision"] = np.where(dp != "", dp, np.where(tp != "", tp, "day"))
    # numbers
    lat, bad_lat = parse_numbers(col("latitude"))
    lon, bad_lon = parse_numbers(col("longitude"))
    for mask, fld, series in ((bad_lat, "latitude", col("latitude")), (bad_lon, "longitude", col("longitude"))):
        for idx in src.index[mask]:
            plan.problems.append(_cell(plan, idx, plan.mapping[fld], series[idx], "not a number"))
    swapped = swapped_mask(lat, lon)
    plan.swapped_rows = [int(i) + 2 for i in src.index[swapped]]
    for idx in src.index[swapped]:
        value = f"{col('latitude')[idx]}, {col('longitude')[idx]}"
        if fix_swapped:
            plan.problems.append(_cell(plan, idx, plan.mapping["latitude"], value,
                                       "latitude and longitude were swapped; fixed as asked", "warning"))
        else:
            plan.problems.append(_cell(plan, idx, plan.mapping["latitude"], value,
                                       "latitude and longitude look swapped: choose to swap them back"))
    if fix_swapped:
        lat, lon = lat.where(~swapped, lon), lon.where(~swapped, lat)
    out["latitude"], out["longitude"] = lat, lon
    # precision of the position
    precision = col("location_precision").str.lower()
    radius, _ = parse_numbers(col("radius_km"))
    geo = col("geo_precision").map(lambda v: _ACLED_GEO.get(v, ("", np.nan)))
    has_xy = lat.notna() & lon.notna()
    precision = precision.where(precision != "", geo.str[0])
    radius = radius.where(radius.notna(), geo.str[1].astype(float))
    precision = precision.where(precision != "", np.where(has_xy, "exact", ""))
    radius = radius.where(radius.notna(), np.where(precision == "exact", 0.0, np.nan))
    basis = pd.Series(np.where(has_xy, f"coordinates as given in {plan.file}", ""), index=src.index, dtype=object)
    basis[has_xy & (col("location_precision") == "") & (col("geo_precision") == "")] = (
        f"coordinates as given in {plan.file}; the file states no precision")
    # places without coordinates
    location_text = col("location_text")
    need_place = ~has_xy & ~bad_lat & ~bad_lon
    if need_place.any():
        g = gazetteer or gz.load_gazetteer(readers.DATA_DIR / "gazetteer.csv")
        for idx in src.index[need_place]:
            text = location_text[idx]
            place = place_from_text(g, text) if text else None
            if place is None:
                message = ("place not found in the offline gazetteer: give coordinates or a known place"
                           if text else "no position: give latitude and longitude, or a place name")
                plan.problems.append(_cell(plan, idx, plan.mapping.get("location_text", "location_text"),
                                           text, message))
                precision[idx] = "unknown"
                continue
            out.loc[idx, "longitude"], out.loc[idx, "latitude"], precision[idx], radius[idx], basis[idx] = place
    out["location_precision"], out["radius_km"], out["location_basis"] = precision, radius, basis
    out["location_text"] = location_text
    # counts
    for fld in _COUNT_FIELDS:
        if fld not in plan.mapping:
            continue
        nums, bad = parse_numbers(col(fld))
        huge = nums.notna() & ~(nums.abs() <= schema.MAX_COUNT)  # inf, 1e20, 9999999999999999999
        frac = nums.notna() & ~huge & (nums != nums.round())
        for idx in src.index[bad | frac]:
            plan.problems.append(_cell(plan, idx, plan.mapping[fld], col(fld)[idx], "must be a whole number"))
        for idx in src.index[huge]:
            plan.problems.append(_cell(plan, idx, plan.mapping[fld], col(fld)[idx], schema.COUNT_RANGE_MESSAGE))
        out[fld] = nums.where(~frac & ~huge)
    if "vessels" not in plan.mapping:
        out["vessels"] = 1
    if "strikes" not in plan.mapping:
        out["strikes"] = 1
    if "presumed_dead" not in plan.mapping:
        out["presumed_dead"] = np.where(out.get("killed", pd.Series(np.nan, index=src.index)).notna(), 0, np.nan)
    # text fields
    # region, event type and affiliation: the same rules as the bundled data (tracker.rules)
    lon_filled, lat_filled = out["longitude"].astype(float), out["latitude"].astype(float)
    out["region"] = rules.region_of(lon_filled, lat_filled, col("region"))
    placed = lon_filled.notna() & lat_filled.notna()
    at_sea = placed & ~on_land_mask(lon_filled.where(placed), lat_filled.where(placed))
    event = col("event_type")
    out["event_type"] = rules.event_type_of(
        event, col("sub_event_type") if "sub_event_type" in plan.mapping else None, at_sea=at_sea,
        default=default_event_type)
    unknown = (out["event_type"] == "other") & ~event.str.lower().isin(["", "other"])
    for idx in src.index[unknown]:
        plan.problems.append(_cell(plan, idx, plan.mapping["event_type"], event[idx],
                                   "event type not one of " + ", ".join(schema.EVENT_TYPES) + ": stored as 'other'",
                                   "warning"))
    ids = col("incident_id")
    out["incident_id"] = ids.where(ids != "", [f"U{plan.sha256[:8]}-{i + 2}" for i in src.index])
    given = col("affiliation_text")  # "" for every row when the file has no such column
    actor2 = col("actor2") if "actor2" in plan.mapping else None
    out["affiliation_text"] = rules.affiliation_text_of(given, actor2=actor2)
    out["affiliation"] = rules.affiliation_of(given, actor2=actor2)
    for fld in ("vessel_type", "announced_by", "notes", "source_urls"):
        out[fld] = col(fld)
    basis_col = col("source_basis")
    out["source_basis"] = basis_col.where(basis_col != "", "user import")
    return out


def _designations(plan, src, col) -> pd.DataFrame:
    out = pd.DataFrame(index=src.index)
    for fld in ("name", "aliases", "authority", "program_text", "country", "base_location_text", "identifiers",
                "notes", "source_urls"):
        out[fld] = col(fld)
    out["entity_type"] = col("entity_type").str.lower()
    raw_dates = col("designation_date")
    order = plan.date_order or infer_date_order(raw_dates)
    plan.ambiguous_dates = date_order_needed(raw_dates)
    dates, reasons = parse_dates(raw_dates, order if not (plan.ambiguous_dates and plan.date_order is None) else None)
    for idx in src.index[(reasons != "") & (raw_dates != "")]:
        plan.problems.append(_cell(plan, idx, plan.mapping.get("designation_date", "designation_date"),
                                   raw_dates[idx], reasons[idx]))
    out["designation_date"] = dates  # blank stays unknown
    ids = col("designation_id")
    out["designation_id"] = ids.where(ids != "", [f"U{plan.sha256[:8]}-{i + 2}" for i in src.index])
    out["authority_group"] = rules.authority_group_of(out["authority"])
    out["program"] = rules.program_family_of(out["program_text"], out["authority"])
    out["action_kind"] = rules.action_kind_of(out["program_text"])
    out["uncertain"] = rules.is_uncertain(out["notes"], out["identifiers"], out["base_location_text"])
    g = gz.load_gazetteer(readers.DATA_DIR / "gazetteer.csv")
    places = [g.country(c.split(";")[0]) if c else None for c in out["country"]]
    out["latitude"] = [p.latitude if p else np.nan for p in places]
    out["longitude"] = [p.longitude if p else np.nan for p in places]
    out["location_precision"] = ["country" if p else "unknown" for p in places]
    out["radius_km"] = [p.radius_km if p else np.nan for p in places]
    out["location_basis"] = [f"country column: {p.basis}" if p else "no country given: not placed" for p in places]
    return out


def _empty_routes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(schema.empty_frame("routes"), geometry=gpd.GeoSeries([], crs="EPSG:4326"))


def _prepare_routes(plan: ImportPlan, data: bytes, *, mapping, remembered) -> ImportPlan:
    """Routes from GeoJSON or GeoPackage: one route per feature, row ``i + 2`` for feature ``i``.

    A feature must be a LineString or MultiLineString with every coordinate a
    longitude in -180..180 and a latitude in -90..90 (after conversion to
    EPSG:4326 when the file names another CRS); anything else is a row error.
    """
    plan.accepted = _empty_routes()
    try:
        g = gpd.read_file(io.BytesIO(data))
        if g.crs is not None and g.crs.to_epsg() != 4326:
            g = g.to_crs("EPSG:4326")
    except Exception as exc:  # pyogrio and pyproj raise several types for unreadable input
        plan.problems.append(Problem(plan.file, None, "", "", f"cannot read the file as GeoJSON or GeoPackage: {exc}"))
        return plan
    g = g.reset_index(drop=True)
    plan.rows_read = len(g)
    plan.header = tuple(str(c) for c in g.columns if c != "geometry")
    plan.mapping = mapping if mapping is not None else suggest_mapping("routes", plan.header, remembered)
    plan.missing_fields = missing_required("routes", plan.mapping)
    if plan.missing_fields or g.empty:
        return plan
    frame = pd.DataFrame({fld: g[c].astype(object).where(g[c].notna(), "").astype(str)
                          for fld, c in plan.mapping.items() if c in g.columns}, index=g.index)
    if "route_id" not in frame.columns:
        frame["route_id"] = [f"U{plan.sha256[:8]}-{i + 2}" for i in g.index]
    if "line_precision" not in frame.columns:
        frame["line_precision"] = "schematic"
    frame["geometry_basis"] = f"line as given in {plan.file}"
    frame = schema.canonicalise("routes", frame)
    geoms = g.geometry
    kinds = geoms.geom_type
    not_line = ~kinds.isin(["LineString", "MultiLineString"]) | geoms.is_empty.fillna(True)
    for idx in geoms.index[not_line]:
        plan.problems.append(Problem(plan.file, idx + 2, "geometry", "" if pd.isna(kinds[idx]) else str(kinds[idx]),
                                     "a route must be a LineString or MultiLineString"))
    xmin, ymin, xmax, ymax = shapely.bounds(geoms.to_numpy()).T
    out_of_range = ~not_line & ~((xmin >= -180) & (xmax <= 180) & (ymin >= -90) & (ymax <= 90))
    for idx in geoms.index[out_of_range]:
        plan.problems.append(Problem(
            plan.file, idx + 2, "geometry", f"({xmin[idx]:g}, {ymin[idx]:g})\u2013({xmax[idx]:g}, {ymax[idx]:g})",
            "coordinates out of range: longitude must lie between -180 and 180 and latitude between -90 and 90"))
    passed, problems = schema.validate("routes", frame, file=plan.file)
    problems = [replace(p, column=plan.mapping.get(p.column, p.column)) for p in problems]
    plan.problems.extend(problems)
    passed = passed[~passed.index.isin(geoms.index[not_line | out_of_range])]
    plan.problems.sort(key=lambda p: (p.row if p.row is not None else -1, p.column))
    plan.accepted = gpd.GeoDataFrame(passed, geometry=geoms[passed.index].values, crs="EPSG:4326")
    return plan
