"""Geographic and duplicate checks on parsed incident rows.

* :func:`swapped_mask`: latitude and longitude that look swapped (outside
  :data:`INTEREST_BOX` as given, inside it swapped);
* :func:`on_land_mask`: points inside a country polygon of the bundled basemap;
* :func:`find_duplicates`: rows with the same id, or the same day and death
  toll within :data:`DUPLICATE_DISTANCE_KM` (or a larger uncertainty radius),
  in bounded memory.

Positions are EPSG:4326 longitude/latitude in degrees; distances and radii
are km (on the WGS84 ellipsoid, via :func:`tracker.gazetteer.distance_km`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely

from tracker import gazetteer as gz
from tracker.basemap import load_countries

DUPLICATE_DISTANCE_KM = 5.0
DUPLICATE_COLUMNS = ["row", "incident_id", "duplicate_of", "reason"]


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


@lru_cache(maxsize=1)
def _prepared_land() -> np.ndarray:
    geoms = _land().geometries
    shapely.prepare(geoms)
    return geoms


def _within_land(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True where a point lies within a country polygon: the polygons whose box holds it, each tested
    (prepared) on all its points at once; the same answer as the tree's ``within`` query point by point."""
    geoms = _prepared_land()
    pts, cands = _land().query(shapely.points(x, y))
    inside = np.zeros(len(x), dtype=bool)
    order = np.argsort(cands, kind="stable")
    pts, cands = pts[order], cands[order]
    bounds = np.flatnonzero(np.diff(cands)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(cands)]):
        if lo == hi:
            continue
        at = pts[lo:hi]
        inside[at[shapely.contains_xy(geoms[cands[lo]], x[at], y[at])]] = True
    return inside


_GRID_DEG = 0.25
"""Edge (degrees) of the grid cells the on-land check remembers as all sea or all land."""
_SEA, _LAND, _MIXED = 0, 1, 2
_cells: dict[int, int] = {}


def _cell_states(keys: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
    """Sea, land or mixed for each grid cell (classified once per process, then remembered)."""
    unknown = np.array([k not in _cells for k in keys.tolist()], dtype=bool)
    if unknown.any():
        x0, y0 = cx[unknown] * _GRID_DEG, cy[unknown] * _GRID_DEG
        boxes = shapely.box(x0, y0, x0 + _GRID_DEG, y0 + _GRID_DEG)
        state = np.full(len(boxes), _SEA, dtype=np.int8)
        state[np.unique(_land().query(boxes, predicate="intersects")[0])] = _MIXED
        state[np.unique(_land().query(boxes, predicate="within")[0])] = _LAND  # its interior is land
        _cells.update(zip(keys[unknown].tolist(), state.tolist()))
    return np.array([_cells[k] for k in keys.tolist()], dtype=np.int8)


def on_land_mask(lon: pd.Series, lat: pd.Series) -> pd.Series:
    """True where a point falls inside a country polygon of the bundled basemap.

    Points strictly inside a 0.25-degree cell that lies wholly at sea or wholly within a
    country are answered by the cell; the rest (cells on a coast, points on a cell's edge)
    are tested against the polygons.
    """
    ok = lon.notna() & lat.notna()
    result = pd.Series(False, index=lon.index)
    if not ok.any():
        return result
    x, y = lon[ok].to_numpy(dtype=float), lat[ok].to_numpy(dtype=float)
    flagged = np.zeros(len(x), dtype=bool)
    exact = np.ones(len(x), dtype=bool)
    on_globe = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180) & (np.abs(y) <= 90)
    if on_globe.any():
        fx, fy = x[on_globe] / _GRID_DEG, y[on_globe] / _GRID_DEG
        cx, cy = np.floor(fx), np.floor(fy)
        inside = (fx != cx) & (fy != cy)  # not on a cell's edge
        keys = ((cx.astype(np.int64) + 1000) << 16) | (cy.astype(np.int64) + 1000)
        unique, back = np.unique(keys, return_inverse=True)
        first = np.zeros(len(unique), dtype=np.int64)
        first[back[::-1]] = np.arange(len(back))[::-1]
        state = _cell_states(unique, cx[first], cy[first])[back]
        decided = inside & (state != _MIXED)
        at = np.flatnonzero(on_globe)
        flagged[at[decided]] = state[decided] == _LAND
        exact[at[decided]] = False
    if exact.any():
        flagged[np.flatnonzero(exact)] = _within_land(x[exact], y[exact])
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


def find_duplicates(
    new: pd.DataFrame, existing: pd.DataFrame | None, *, rows: np.ndarray | pd.Index | None = None
) -> pd.DataFrame:
    """Possible duplicates of the rows of ``new``: the same id, or the same day and death toll nearby.

    ``new`` is a canonical incidents frame (at least its id, date, position, toll
    and radius columns) and ``rows`` its file row numbers (else its ``_row``
    column); ``existing`` holds the stored and bundled records.  A row is a
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
    old = existing if existing is not None and len(existing) else new.iloc[0:0]
    parts = (old, new)
    n = len(old) + len(new)
    pos = np.arange(n)
    is_file = np.arange(n) >= len(old)
    file_rows = np.asarray(new["_row"] if rows is None else rows, dtype=np.int64)

    def values(p: pd.DataFrame, column: str) -> pd.Series:  # a column a frame lacks is missing in every row
        return p[column] if column in p.columns else pd.Series(np.nan, index=p.index, dtype=object)

    def numbers(column: str) -> np.ndarray:
        return np.concatenate(
            [pd.to_numeric(values(p, column), errors="coerce").to_numpy("float64", na_value=np.nan) for p in parts]
        )

    ids = pd.concat([values(p, "incident_id").astype(str) for p in parts], ignore_index=True)
    first = pos[_first_alike(pd.factorize(ids)[0])]
    same_id = is_file & (first != pos)
    best = np.where(same_id, first, n)  # the earliest earlier record each row duplicates; n: none

    lon, lat = numbers("longitude"), numbers("latitude")
    radius = np.nan_to_num(numbers("radius_km"), nan=0.0)
    day = np.concatenate(
        [pd.to_datetime(values(p, "date"), errors="coerce").dt.normalize().to_numpy("datetime64[ns]") for p in parts]
    )
    toll = np.nan_to_num(numbers("killed"), nan=-1.0)
    placed = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180) & ~np.isnat(day)
    if (placed & is_file & ~same_id).any():
        at = np.flatnonzero(placed)
        group = _group_codes(day[at].view(np.int64), toll[at])
        near = _nearby(at, group, lon, lat, radius, query=is_file & ~same_id, origin_file=is_file)
        best = np.minimum(best, near)

    dup = np.flatnonzero(is_file & (best < n))
    if not len(dup):
        return pd.DataFrame({c: pd.Series(dtype=int if c == "row" else object) for c in DUPLICATE_COLUMNS})
    of = best[dup]
    row_of = file_rows[np.clip(of - len(old), 0, None)] if len(file_rows) else np.zeros(len(of), dtype=np.int64)
    where = np.where(is_file[of], "row " + row_of.astype(str), "stored")
    label = ids.iloc[of].to_numpy(dtype=object).astype(str) + " (" + where + ")"
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
                texts.append(f"same day, {k:.1f} km apart (within the {r:,.0f} km uncertainty radius of {whose}), {tt}")
        reason[by_place] = texts
    out = pd.DataFrame(
        {
            "row": file_rows[dup - len(old)].astype(int),
            "incident_id": ids.iloc[dup].to_numpy(dtype=object),
            "duplicate_of": label,
            "reason": reason,
        }
    )
    return out.sort_values("row", kind="stable", ignore_index=True)[DUPLICATE_COLUMNS]


def _nearby(at, group, lon, lat, radius, *, query, origin_file) -> np.ndarray:
    """For each pool position, the earliest earlier position matched by place (len(lon) when none).

    ``at``: the pool positions that have a day and a position, in pool order;
    ``group``: their day-and-toll group.  Only positions in ``query`` look for a
    match; any placed position can be matched.
    """
    n = len(lon)
    best = np.full(n, n, dtype=np.int64)
    x, y = lon[at], lat[at]
    # 1. the same day, toll and position: later ones are duplicates of the first
    same_place = _group_codes(group, x, y)
    first_same = at[_first_alike(same_place)]
    later = first_same != at
    take = later & query[at]
    best[at[take]] = first_same[take]
    unique = ~later
    u, ug = at[unique], group[unique]
    for g0 in range(0, int(ug.max()) + 1, _GROUP_BLOCK):
        block = (ug >= g0) & (ug < g0 + _GROUP_BLOCK)
        _within_5_km(u[block], ug[block] - g0, lon, lat, best, query)
    # 2. existing records by radius: only the first of those alike in day, toll, position and radius can win
    first_alike = at[_first_alike(_group_codes(same_place, radius[at]))]
    b = (first_alike == at) & ~origin_file[at]
    a = unique & query[at]
    _within_radius(at[a], group[a], at[b], group[b], lon, lat, radius, best)
    return best


def _group_codes(*keys: np.ndarray) -> np.ndarray:
    """One int64 code per position for the tuple of its ``keys`` (equal tuples, equal codes; -0.0 is 0.0)."""
    codes = np.zeros(len(keys[0]), dtype=np.int64)
    for key in keys:
        part, uniques = pd.factorize(key + 0 if key.dtype.kind == "f" else key, use_na_sentinel=False)
        codes = pd.factorize(codes * len(uniques) + part, use_na_sentinel=False)[0]
    return codes


def _first_alike(codes: np.ndarray) -> np.ndarray:
    """For each position, the first position holding the same code (what ``groupby.transform("min")`` of
    the positions gives, by one sort instead of a hash table per group)."""
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    return first[inverse]


def _cube_keys(group: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """One int64 per position: its day-and-toll group and the cube it lies in."""
    lam, phi = np.radians(lon), np.radians(lat)
    xyz = _EARTH_RADIUS_KM * np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])
    cells = np.floor(xyz / _CUBE_KM).astype(np.int64) + (1 << (_CELL_BITS - 1))
    return (
        (group.astype(np.int64) << (3 * _CELL_BITS))
        | (cells[0] << (2 * _CELL_BITS))
        | (cells[1] << _CELL_BITS)
        | cells[2]
    )


def _within_5_km(u, group, lon, lat, best, query) -> None:
    """Match positions ``u`` (unique per group) within 5 km of an earlier one of the same group."""
    keys = _cube_keys(group, lon[u], lat[u])
    first_in_cube = u[_first_alike(keys)]
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
    # the cubes of one slab (same x cell, y cells within reach, any z) are neighbours in key order: one
    # range per slab holds the 25 columns of cubes around (and, where a slab meets the globe twice, a few
    # positions far away that the distance check then leaves out)
    slabs = steps << (2 * _CELL_BITS)
    z_bits = (1 << _CELL_BITS) - 1
    # looked up in key order, slab by slab: each search starts where the one before ended
    firsts = firsts[np.argsort(keys[firsts], kind="stable")]
    per_block = max(1, MAX_CANDIDATE_PAIRS // (2 * len(steps) ** 3))
    for start in range(0, len(firsts), per_block):
        a = firsts[start : start + per_block]
        column = keys[a] & ~z_bits  # the cube's x and y cells, z cell 0
        lo = np.searchsorted(sorted_keys, (slabs[:, None] + (column - (_REACH << _CELL_BITS))[None, :]).ravel())
        top = column + (_REACH << _CELL_BITS) + z_bits
        hi = np.searchsorted(sorted_keys, (slabs[:, None] + top[None, :]).ravel(), "right")
        for i, j in _pairs(np.tile(u[a], len(slabs)), lo, hi):
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


def _pairs(
    a: np.ndarray, lo: np.ndarray, hi: np.ndarray, limit: int = MAX_CANDIDATE_PAIRS // 2
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
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
