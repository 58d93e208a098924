"""Strike records grouped into the points a map draws, on columns (no per-row Python).

Records at the same position and precision are one point.  When there are more such
points than ``max_points``, the records are grouped into square grid cells instead
(``cell_km`` a side, measured east-west at the middle latitude of the records), still
apart by precision, the cell growing until the groups fit: the cap holds after
grouping.  A grouped point sits at its cell's centre and its ring (``ring_km``) reaches
every record's possible position: half the cell's diagonal plus the largest uncertainty
radius of its records, so a grouped or approximate position is never drawn as exact.

Longitude/latitude are EPSG:4326 degrees; distances are kilometres.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from tracker.incident_arrays import incident_arrays
from tracker.layers.places import _join_text, _short
from tracker.layers.style import MAX_POINTS, STRIKE_SYMBOL_MIN_PX, strike_symbol_px

KM_PER_DEGREE = 111.32
"""Kilometres per degree of latitude (and of longitude at the equator), for grid cells."""
CELL_LADDER_KM = (5.0, 10.0, 20.0, 25.0, 50.0, 75.0, 100.0, 150.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0)
"""Grid cell sides tried, smallest first."""
GRID_SYMBOL_MAX_PX = 24.0
"""The largest grid-cell dot (radius, pixels): the others are scaled with it, area in proportion."""
DETAIL_ROWS = 20_000
"""Up to this many records, points carry their ids, affiliations and placement in the tooltip."""
ALL_IDS_CHARS = 200
"""Longest list of record ids a point carries for picking (longer lists are left empty)."""

COLUMNS = [
    "longitude",
    "latitude",
    "precision",
    "radius_km",
    "ring_km",
    "cell_km",
    "records",
    "strikes",
    "killed",
    "presumed_dead",
    "symbol_px",
    "count_label",
    "ids",
    "all_ids",
    "tooltip",
]

_DENSE_SPAN = 1 << 24
_PRECISION_RANK = {"exact": 0, "approximate": 1, "area": 2}

_PLACEMENT = re.compile(r".*: placed (?:at )?(?:the )?(.+?)(?: \(hand-placed|;|$)")


def _common_placement(basis: pd.Series) -> str:
    """How the records at one position were placed, when they all say the same
    ("representative point of 'Eastern Pacific'"); "" when they differ or do not say."""
    found = {m.group(1).strip() if (m := _PLACEMENT.match(str(b))) else "" for b in basis.dropna().unique()}
    return _short(found.pop(), 80) if len(found) == 1 else ""


def _group_codes(keys: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """Dense group numbers (0..n-1) of rows sharing every key, and n.

    Integer keys are offset by their minimum; other keys are factorised first.
    """
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    span = 1
    for key in keys:
        if key.dtype.kind in "iu":
            low = int(key.min()) if len(key) else 0
            codes, size = key.astype(np.int64) - low, (int(key.max()) - low + 1 if len(key) else 1)
        else:
            codes, uniques = pd.factorize(key, use_na_sentinel=False)
            size = max(len(uniques), 1)
        combined = combined * size + codes
        span = span * size
    if span <= _DENSE_SPAN:  # small integer range: count and number the groups with a table
        seen = np.bincount(combined, minlength=span) > 0
        table = np.cumsum(seen) - 1
        return table[combined], int(seen.sum())
    codes, uniques = pd.factorize(combined)
    return codes, len(uniques)


def _cells(lon: np.ndarray, lat: np.ndarray, lat0: float, cell_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Grid cell indices (east, north) of each position for cells of ``cell_km``."""
    x = lon * (KM_PER_DEGREE * np.cos(np.radians(lat0)))
    return np.floor(x / cell_km).astype(np.int64), np.floor(lat * KM_PER_DEGREE / cell_km).astype(np.int64)


def _great_circle_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Great-circle (haversine, mean Earth radius) distance in kilometres."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _cell_reach_km(lat_centre: np.ndarray, lat0: float, cell_km: float) -> np.ndarray:
    """How far (km) a position in a cell may lie from the cell's centre, never less than the true
    great-circle distance: half the cell's diagonal, its east-west side as long as at the cell's
    edge nearest the equator (the longest it gets in the cell), plus 1 %."""
    half_height = cell_km / KM_PER_DEGREE / 2
    south, north = lat_centre - half_height, lat_centre + half_height
    nearest = np.where(south * north <= 0, 0.0, np.minimum(np.abs(south), np.abs(north)))
    width = cell_km * np.cos(np.radians(nearest)) / np.cos(np.radians(lat0))
    return np.hypot(width, cell_km) / 2 * 1.01


def choose_cell_km(
    lon: np.ndarray, lat: np.ndarray, precision: np.ndarray, *, max_points: int, min_cell_km: float = 0.0
) -> float:
    """The grid cell (km) the points are grouped in: 0 when the distinct (position, precision)
    pairs fit in ``max_points``, else the smallest cell of :data:`CELL_LADDER_KM` (at least
    ``min_cell_km``, e.g. a map's scale) that leaves at most ``max_points`` groups."""
    if not len(lon):
        return 0.0
    if len(lon) <= max_points:
        return 0.0
    # as many groups as distinct positions at least: when the longitudes alone are too many, skip the count
    head = lon[: 4 * max_points]
    if (
        len(np.unique(head)) <= max_points
        and len(pd.unique(lon)) <= max_points
        and _group_codes([lon, lat, precision])[1] <= max_points
    ):
        return 0.0
    lat0 = _middle_latitude(lat)
    ladder = [c for c in CELL_LADDER_KM if c >= min_cell_km] or [CELL_LADDER_KM[-1]]
    kinds = int(np.count_nonzero(np.bincount(precision)))

    def fits(cell: float) -> bool:
        ix, iy = _cells(lon, lat, lat0, cell)
        return _group_codes([ix, iy, precision])[1] <= max_points

    def box_fits(cell: float) -> bool:  # every cell of the records' bounding box, each precision: an upper bound
        ix, iy = _cells(np.array([lon.min(), lon.max()]), np.array([lat.min(), lat.max()]), lat0, cell)
        return (int(ix[1] - ix[0]) + 1) * (int(iy[1] - iy[0]) + 1) * kinds <= max_points

    # the number of groups shrinks as the cell grows: the bounding box bounds the search, spread
    # records usually need the rung just below that bound, else search the ladder in halves
    hi = next((i for i, c in enumerate(ladder) if box_fits(c)), len(ladder) - 1)
    if hi == 0 or not fits(ladder[hi - 1]):
        return ladder[hi]
    lo, hi = 0, hi - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(ladder[mid]):
            hi = mid
        else:
            lo = mid + 1
    return ladder[lo]


def _middle_latitude(lat: np.ndarray) -> float:
    return float(np.clip((np.min(lat) + np.max(lat)) / 2, -70.0, 70.0))


def aggregate_strikes(
    incidents: pd.DataFrame,
    *,
    max_points: int = MAX_POINTS,
    rows: np.ndarray | None = None,
    min_cell_km: float = 0.0,
) -> pd.DataFrame:
    """One row per drawn strike point, never more than ``max_points`` of them.

    ``rows`` (a boolean mask over ``incidents``) selects the records without copying the
    frame.  Records with no position are left out (they are counted but never drawn).
    Columns: longitude, latitude, precision, radius_km (the largest record radius),
    ring_km (how far the records' true positions may lie from the point: the largest
    record radius, plus half the cell's diagonal when grouped in cells), cell_km (0 for
    exact positions), records, strikes, killed, presumed_dead, symbol_px (on-screen radius,
    area proportional to deaths), count_label (the number of strike engagements where it is
    2 or more, else ""), ids, all_ids (for picking, when short), tooltip (short: the
    detail panel and the table hold the rest).
    """
    arrays = incident_arrays(incidents)
    placed = arrays.placed if rows is None else arrays.placed & np.asarray(rows, dtype=bool)
    if not placed.any():
        return pd.DataFrame(columns=COLUMNS)
    lon, lat = arrays.numbers("longitude")[placed], arrays.numbers("latitude")[placed]
    precision_codes, precision_names = arrays.precision
    precision = precision_codes[placed]
    cell = choose_cell_km(lon, lat, precision, max_points=max_points, min_cell_km=min_cell_km)
    lat0 = _middle_latitude(lat)
    radius = np.nan_to_num(arrays.numbers("radius_km")[placed], nan=0.0)
    reach: np.ndarray | None = None  # per-row distance to the point, where the cell formula does not hold
    if cell:
        ix, iy = _cells(lon, lat, lat0, cell)
        codes, n = _group_codes([ix, iy, precision])
        if n > max_points:  # more precisions than the cap allows: the cells hold every precision
            codes, n = _group_codes([ix, iy])
        px = (ix + 0.5) * cell / (KM_PER_DEGREE * np.cos(np.radians(lat0)))
        py = (iy + 0.5) * cell / KM_PER_DEGREE
        if n > max_points:  # still too many: one point at the middle of the records' box
            codes, n = np.zeros(len(lon), dtype=np.int64), 1
            px = np.full(len(lon), (lon.min() + lon.max()) / 2)
            py = np.full(len(lon), (lat.min() + lat.max()) / 2)
            reach = _great_circle_km(lon, lat, px, py) * 1.01 + radius
    else:
        codes, n = _group_codes([lon, lat, precision])
        px, py = lon, lat
    dates = arrays.dates[placed].view(np.int64)
    nat = np.iinfo(np.int64).min  # NaT's integer: the largest date and the smallest
    first = np.full(n, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    radius_km = np.full(n, -np.inf)
    np.maximum.at(radius_km, codes, radius)
    centre_lat = np.asarray(py, dtype=float)[first]
    ring_km = radius_km + (_cell_reach_km(centre_lat, lat0, cell) if cell else 0.0)
    if reach is not None:
        ring_km = np.array([float(reach.max())])
    # a group's precision: the least precise of its records (they differ only when the cap forced it)
    rank = np.array([_PRECISION_RANK.get(str(name), len(_PRECISION_RANK)) for name in precision_names])
    least = np.full(n, -1, dtype=np.int64)
    np.maximum.at(least, codes, rank[precision])
    group_precision = precision[first]
    mixed = rank[group_precision] != least
    if mixed.any():
        by_rank = {r: i for i, r in enumerate(rank)}
        group_precision = np.where(mixed, [by_rank.get(int(r), -1) for r in least], group_precision)
    date_min, date_max = np.full(n, np.iinfo(np.int64).max), np.full(n, nat)
    np.minimum.at(date_min, codes, np.where(dates == nat, np.iinfo(np.int64).max, dates))
    np.maximum.at(date_max, codes, dates)
    date_min[date_min == np.iinfo(np.int64).max] = nat

    def total(col: str) -> np.ndarray:
        values = np.nan_to_num(arrays.numbers(col)[placed], nan=0.0)
        return np.bincount(codes, weights=values, minlength=n).round().astype(np.int64)

    agg = pd.DataFrame(
        {
            "longitude": np.asarray(px, dtype=float)[first],
            "latitude": np.asarray(py, dtype=float)[first],
            "precision": group_precision,
            "radius_km": radius_km,
            "ring_km": ring_km,
            "records": np.bincount(codes, minlength=n),
            "strikes": total("strikes"),
            "killed": total("killed"),
            "presumed_dead": total("presumed_dead"),
            "date_min": pd.to_datetime(date_min.view("datetime64[ns]")),
            "date_max": pd.to_datetime(date_max.view("datetime64[ns]")),
        }
    )
    agg["code"] = agg.index.to_numpy()
    agg["precision"] = np.asarray(precision_names, dtype=object)[agg["precision"].to_numpy()]
    agg = agg.sort_values(["longitude", "latitude", "precision"], kind="stable").reset_index(drop=True)
    if not cell:
        agg["ring_km"] = np.where(agg["precision"] == "exact", 0.0, agg["radius_km"])
    agg["cell_km"] = cell
    deaths = (agg["killed"] + agg["presumed_dead"]).to_numpy(float)
    agg["symbol_px"] = strike_symbol_px(deaths)
    if cell and len(agg):  # cells hold many deaths: one smaller scale for all, area still in proportion
        scale = min(1.0, GRID_SYMBOL_MAX_PX / float(agg["symbol_px"].max()))
        agg["symbol_px"] = np.maximum(STRIKE_SYMBOL_MIN_PX, agg["symbol_px"] * scale)
    agg["count_label"] = np.where(agg["strikes"] >= 2, agg["strikes"].astype(str), "")
    details = not cell and int(placed.sum()) <= DETAIL_ROWS
    if details:
        agg = agg.join(_details(incidents, placed, codes), on="code")
    else:
        agg["ids"], agg["all_ids"], agg["affiliations"], agg["placement"] = "", "", "", ""
    agg["tooltip"] = _tooltips(agg, cell, details)
    return agg[COLUMNS]


def _details(incidents: pd.DataFrame, placed: np.ndarray, codes: np.ndarray) -> pd.DataFrame:
    """Per group code: ids (a few), all_ids (for picking, when short), affiliations, placement."""
    cols = [c for c in ("incident_id", "affiliation", "location_basis") if c in incidents.columns]
    part = incidents.loc[placed, cols].reset_index(drop=True)
    g = part.groupby(codes, sort=False)
    out = pd.DataFrame(
        {
            "ids": g["incident_id"].agg(lambda s: _join_text(s, 3)),
            "all_ids": g["incident_id"].agg(_all_ids),
            "affiliations": g["affiliation"].agg(lambda s: _join_text(s, 2)) if "affiliation" in cols else "",
        }
    )
    out["placement"] = g["location_basis"].agg(_common_placement) if "location_basis" in cols else ""
    return out


def _all_ids(ids: pd.Series) -> str:
    text = ",".join(ids)
    return text if len(text) <= ALL_IDS_CHARS else ""


def _tooltips(agg: pd.DataFrame, cell: float, details: bool) -> pd.Series:
    """Short text tooltips: what the point holds, when, the deaths and how exact the position is."""
    day_min = agg["date_min"].dt.strftime("%Y-%m-%d").fillna("date unknown")
    day_max = agg["date_max"].dt.strftime("%Y-%m-%d").fillna("date unknown")
    dates = np.where(day_min == day_max, day_min, day_min + " to " + day_max)
    stacked = agg["strikes"] >= 2
    ring = agg["ring_km"].round(0).astype(int).astype(str)
    if cell:
        headline = agg["strikes"].astype(str) + f" strike(s) in a {cell:g} km grid cell\n"
        where = agg["precision"] + " positions, all within about " + ring + " km of this point"
    else:
        how = np.where(agg["placement"] != "", agg["precision"] + ": " + agg["placement"], agg["precision"])
        same = np.where(
            agg["records"] >= 2,
            " strikes placed at the same position (",
            " strikes reported together, placed at one position (",
        )
        headline = pd.Series(np.where(stacked, agg["strikes"].astype(str) + same + how + ")\n", ""), index=agg.index)
        where = pd.Series(
            np.where(
                agg["precision"] == "exact",
                "exact position",
                agg["precision"] + " position, within about " + ring + " km",
            ),
            index=agg.index,
        )
    tip = (
        headline
        + agg["records"].astype(str)
        + " record(s), "
        + agg["strikes"].astype(str)
        + " strike(s)\nDate: "
        + dates
        + "\nDeaths announced: "
        + agg["killed"].astype(str)
        + ", presumed dead: "
        + agg["presumed_dead"].astype(str)
        + "\nPosition: "
        + where
    )
    if details:
        tip = tip + "\nAffiliation: " + agg["affiliations"] + "\nIDs: " + agg["ids"]
    return tip
