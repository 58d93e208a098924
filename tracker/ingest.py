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

import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from dateutil import parser as date_parser

from tracker import gazetteer as gz
from tracker import readers, schema
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
        "affiliation_text": ("alleged_affiliation", "affiliation", "actor1", "group", "grupo", "actor"),
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
    def ready(self) -> bool:
        """True when nothing is left for the user to decide before importing."""
        return not self.missing_fields and not (self.ambiguous_dates and self.date_order is None)

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
_ISO_DATE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}(?:[T ][\d:.]+Z?)?\s*$")


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
def _parse_written_date(text: str) -> pd.Timestamp | None:
    cleaned = text.strip().lower()
    for es, en in _SPANISH_MONTHS.items():
        cleaned = re.sub(rf"\b{es}\b", en, cleaned)
    cleaned = re.sub(r"\bde\b", " ", cleaned)
    cleaned = re.sub(r"\bsept\b\.?", "sep", cleaned).replace(".", " ")
    try:
        return pd.Timestamp(date_parser.parse(cleaned, default=pd.Timestamp("1900-01-01").to_pydatetime()))
    except (ValueError, OverflowError):
        return None


def parse_dates(values: pd.Series, order: str | None) -> tuple[pd.Series, pd.Series]:
    """Parse ISO, dd/mm/yyyy or mm/dd/yyyy (by ``order``) and written dates ("Sept. 15, 2025").

    Returns ``(dates, reasons)``: NaT where a date could not be read, with the reason.
    """
    values = values.fillna("").astype(str).str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    reasons = pd.Series("", index=values.index, dtype=object)
    iso = values.str.match(_ISO_DATE)
    out[iso] = pd.to_datetime(values[iso].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    numeric = values.str.extract(_NUMERIC_DATE)
    is_num = numeric[0].notna() & ~iso
    if is_num.any():
        a, b, y = numeric.loc[is_num, 0].astype(int), numeric.loc[is_num, 1].astype(int), numeric.loc[is_num, 2]
        y = y.astype(int).where(y.str.len() == 4, 2000 + y.astype(int))
        if order is None:
            settled = (a > 12) | (b > 12)
            day = np.where(a > 12, a, b)
            month = np.where(a > 12, b, a)
            amb = is_num.copy()
            amb[is_num] = ~settled
            reasons[amb] = "ambiguous date: choose whether it is day/month/year or month/day/year"
            stamps = pd.to_datetime(pd.DataFrame({"year": y, "month": month, "day": day})[settled.values],
                                    errors="coerce")
            out[stamps.index] = stamps
        else:
            day, month = (a, b) if order == "dmy" else (b, a)
            out[is_num] = pd.to_datetime(pd.DataFrame({"year": y, "month": month, "day": day}), errors="coerce")
    rest = ~iso & ~is_num & (values != "")
    for idx in values.index[rest]:
        parsed = _parse_written_date(values[idx])
        if parsed is not None and parsed.year != 1900:
            out[idx] = parsed.normalize()
    bad = out.isna() & (values != "") & (reasons == "")
    reasons[bad] = "cannot read this as a date (use YYYY-MM-DD)"
    reasons[values == ""] = "a date is required"
    return out, reasons


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers with a dot or a decimal comma ("12,5"); returns (floats, unreadable mask)."""
    text = values.fillna("").astype(str).str.strip().str.replace("\u2212", "-", regex=False)
    text = text.str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True)
    nums = pd.to_numeric(text, errors="coerce")
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

def find_duplicates(new: pd.DataFrame, existing: pd.DataFrame | None) -> pd.DataFrame:
    """Possible duplicates: the same id, or the same day, within 5 km and the same death toll.

    Checked within ``new`` (later rows against earlier ones) and against
    ``existing``.  ``new`` must carry a ``_row`` column (the file row number).
    Vectorised: candidate pairs come from a join on day, death toll and a
    0.1-degree grid cell (with its neighbours), so cost grows with the number of
    near pairs, not with the square of the rows.
    """
    parts = [new.assign(_origin="file")]
    if existing is not None and len(existing):
        parts.insert(0, existing.assign(_origin="stored", _row=-1))
    cols = ["incident_id", "date", "latitude", "longitude", "killed", "_origin", "_row"]
    pool = pd.concat([p[cols] for p in parts], ignore_index=True)
    pool["_pos"] = np.arange(len(pool))
    pool["_where"] = np.where(pool["_origin"] == "stored", "stored", "row " + pool["_row"].astype(str))
    pool["_label"] = pool["incident_id"].astype(str) + " (" + pool["_where"] + ")"
    is_file = pool["_origin"] == "file"

    first = pool.groupby("incident_id", sort=False)["_pos"].transform("first")
    same_id = is_file & (first != pool["_pos"])
    found = [pd.DataFrame({
        "row": pool.loc[same_id, "_row"], "incident_id": pool.loc[same_id, "incident_id"],
        "duplicate_of": pool.loc[first[same_id].to_numpy(), "_label"].to_numpy(), "reason": "same id"})]

    placed = pool[pool["latitude"].notna() & pool["longitude"].notna() & pool["date"].notna()].assign(
        _day=lambda d: d["date"].dt.normalize(),
        _toll=lambda d: d["killed"].astype("Float64").fillna(-1.0).astype(float),
        _cx=lambda d: np.floor(d["longitude"] / 0.1).astype(int),
        _cy=lambda d: np.floor(d["latitude"] / 0.1).astype(int),
    )
    left = placed[(placed["_origin"] == "file") & ~placed["_pos"].isin(pool.loc[same_id, "_pos"])]
    if len(left):
        keys = ["_day", "_toll", "_cx", "_cy"]
        right = pd.concat([placed.assign(_cx=placed["_cx"] + dx, _cy=placed["_cy"] + dy)
                           for dx in (-1, 0, 1) for dy in (-1, 0, 1)], ignore_index=True)
        pairs = left.merge(right, on=keys, suffixes=("", "_b"))
        pairs = pairs[pairs["_pos_b"] < pairs["_pos"]]
        if len(pairs):
            pairs["_km"] = gz.distance_km(pairs["longitude"].to_numpy(), pairs["latitude"].to_numpy(),
                                          pairs["longitude_b"].to_numpy(), pairs["latitude_b"].to_numpy())
            pairs = pairs[pairs["_km"] <= DUPLICATE_DISTANCE_KM].sort_values(["_pos", "_pos_b"])
            pairs = pairs.drop_duplicates("_pos")
            found.append(pd.DataFrame({
                "row": pairs["_row"], "incident_id": pairs["incident_id"], "duplicate_of": pairs["_label_b"],
                "reason": "same day, " + pairs["_km"].map(lambda k: f"{k:.1f}") + " km apart, same death toll",
            }))
    out = pd.concat(found, ignore_index=True)
    return out.astype({"row": int}).sort_values("row", ignore_index=True)[DUPLICATE_COLUMNS]


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
    if kind == "routes" and file.lower().endswith((".geojson", ".json", ".gpkg")):
        return _prepare_routes(plan, data, mapping=mapping, remembered=remembered)
    raw = readers.read_delimited(data, file=file, encoding=encoding)
    plan.encoding, plan.delimiter, plan.header = raw.encoding, raw.delimiter, raw.header
    plan.problems.extend(raw.problems)
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
        return src[name].astype(str).str.strip() if name in src.columns else pd.Series("", index=src.index)

    if kind == "incidents":
        frame = _incidents(plan, src, col, default_event_type, fix_swapped, gazetteer)
    else:
        frame = _designations(plan, src, col)
    frame = schema.canonicalise(kind, frame)
    cell_errors = {(p.row, p.column) for p in plan.problems if p.severity == "error" and p.row is not None}
    passed, problems = schema.validate(kind, frame, file=file, today=today)
    plan.problems.extend(p for p in problems if (p.row, p.column) not in cell_errors)
    bad_rows = {p.row - 2 for p in plan.problems if p.severity == "error" and p.row is not None}
    passed = passed[~passed.index.isin(bad_rows)]
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
        frac = nums.notna() & (nums != nums.round())
        for idx in src.index[bad | frac]:
            plan.problems.append(_cell(plan, idx, plan.mapping[fld], col(fld)[idx], "must be a whole number"))
        out[fld] = nums.where(~frac)
    if "vessels" not in plan.mapping:
        out["vessels"] = 1
    if "strikes" not in plan.mapping:
        out["strikes"] = 1
    if "presumed_dead" not in plan.mapping:
        out["presumed_dead"] = np.where(out.get("killed", pd.Series(np.nan, index=src.index)).notna(), 0, np.nan)
    # text fields
    region = col("region").str.lower()
    out["region"] = np.select(
        [region.str.contains("caribe|caribbean"), region.str.contains("pacific|pacífico|pacifico")],
        ["Caribbean", "Eastern Pacific"], "Unknown")
    event = col("event_type").str.lower()
    known = event.isin(schema.EVENT_TYPES)
    out["event_type"] = np.where(event == "", default_event_type, np.where(known, event, "other"))
    for idx in src.index[(event != "") & ~known]:
        plan.problems.append(_cell(plan, idx, plan.mapping["event_type"], col("event_type")[idx],
                                   "event type not one of " + ", ".join(schema.EVENT_TYPES) + ": stored as 'other'",
                                   "warning"))
    ids = col("incident_id")
    out["incident_id"] = ids.where(ids != "", [f"U{plan.sha256[:8]}-{i + 2}" for i in src.index])
    affiliation = col("affiliation_text")
    out["affiliation_text"] = affiliation
    out["affiliation"] = np.where(affiliation == "", "Not stated", affiliation)
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
    out["authority_group"] = out["authority"].map(schema.authority_group)
    out["program"] = [schema.program_family(p, a) for p, a in zip(out["program_text"], out["authority"])]
    out["action_kind"] = out["program_text"].map(schema.action_kind)
    out["uncertain"] = out["notes"].str.lower().str.contains("uncertain")
    g = gz.load_gazetteer(readers.DATA_DIR / "gazetteer.csv")
    places = [g.country(c.split(";")[0]) if c else None for c in out["country"]]
    out["latitude"] = [p.latitude if p else np.nan for p in places]
    out["longitude"] = [p.longitude if p else np.nan for p in places]
    out["location_precision"] = ["country" if p else "unknown" for p in places]
    out["radius_km"] = [p.radius_km if p else np.nan for p in places]
    out["location_basis"] = [f"country column: {p.basis}" if p else "no country given: not placed" for p in places]
    return out


def _prepare_routes(plan: ImportPlan, data: bytes, *, mapping, remembered) -> ImportPlan:
    plan.accepted = schema.empty_frame("routes")
    try:
        g = gpd.read_file(io.BytesIO(data))
    except Exception as exc:  # pyogrio raises several types for unreadable input
        plan.problems.append(Problem(plan.file, None, "", "", f"cannot read the file as GeoJSON or GeoPackage: {exc}"))
        return plan
    plan.rows_read = len(g)
    plan.header = tuple(c for c in g.columns if c != "geometry")
    plan.mapping = mapping if mapping is not None else suggest_mapping("routes", plan.header, remembered)
    plan.missing_fields = missing_required("routes", plan.mapping)
    if plan.missing_fields:
        return plan
    if g.crs is not None and g.crs.to_epsg() != 4326:
        g = g.to_crs("EPSG:4326")
    frame = pd.DataFrame({fld: g[c].astype(str) for fld, c in plan.mapping.items()}, index=g.index)
    frame["route_id"] = frame.get("route_id", pd.Series([f"U{plan.sha256[:8]}-{i + 2}" for i in g.index]))
    frame["line_precision"] = frame.get("line_precision", pd.Series("schematic", index=g.index))
    frame["geometry_basis"] = f"line as given in {plan.file}"
    frame = schema.canonicalise("routes", frame.reset_index(drop=True))
    geoms = g.geometry.reset_index(drop=True)
    bad = ~geoms.geom_type.isin(["LineString", "MultiLineString"])
    for idx in geoms.index[bad]:
        plan.problems.append(Problem(plan.file, idx + 2, "geometry", str(geoms[idx].geom_type if geoms[idx] else ""),
                                     "a route must be a LineString or MultiLineString"))
    passed, problems = schema.validate("routes", frame, file=plan.file)
    plan.problems.extend(problems)
    passed = passed[~passed.index.isin(geoms.index[bad])]
    plan.accepted = gpd.GeoDataFrame(passed, geometry=geoms[passed.index].values, crs="EPSG:4326")
    return plan
