"""Distance from the nearest land (nautical miles), offline, from the bundled basemap's country polygons.

Accuracy.  Each point is answered by the centre of the grid cell it falls in, and
cells are computed once per process and remembered:

* cells of :data:`COARSE_DEG` (0.1 degree) first; where the coarse answer could be under
  :data:`REFINE_NM` (60 nm), cells of :data:`FINE_DEG` (0.01 degree) instead;
* the rounding error is at most the cell's half-diagonal: 0.43 nm (0.79 km) for any
  point under 60 nm from land, 4.3 nm beyond (where the answer is over 64 nm), so
  thresholds of 10 km, 20 nm or 50 nm are decided to within 0.8 km;
* the distance from a cell centre is measured in a local equidistant approximation
  (longitudes scaled by the cosine of the centre's latitude, 1 degree of latitude =
  111.195 km) to the coastline segments of the basemap, which is itself Natural
  Earth 1:10m simplified for shipping (its own error near intricate coasts is
  typically under 1 km); the approximation adds under 1 % within 100 nm of land
  at latitudes under 60 degrees;
* a cell whose centre lies on land answers 0 (points on land return 0); shores
  are not joined across the antimeridian.

The basemap does not hold small islets, so distances near reefs and cays are larger
than true; it is meant for thresholds such as "20 nm or more from shore".
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely

from tracker.basemap import load_countries

COARSE_DEG = 0.1
FINE_DEG = 0.01
REFINE_NM = 60.0
KM_PER_DEG = 111.195
KM_PER_NM = 1.852
_OFFSET = 1 << 20  # cell indices are shifted to be positive before they are packed in one int64 key


@lru_cache(maxsize=1)
def _coast() -> tuple[shapely.STRtree, np.ndarray]:
    """An STRtree of the basemap's coastline segments (two-point lines) and their ends (n, 4: x1, y1, x2, y2)."""
    rings = shapely.get_parts(shapely.boundary(load_countries().geometry.values))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    ends = np.column_stack([coords[:-1][same], coords[1:][same]])
    lines = shapely.linestrings(ends.reshape(-1, 2, 2))
    return shapely.STRtree(lines), ends


def _centre_distance_nm(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Distance (nm) from each point to the nearest coastline segment, 0 on land (no rounding)."""
    from tracker.ingest.checks import on_land_mask

    out = np.zeros(len(x))
    if not len(x):
        return out
    sea = ~on_land_mask(pd.Series(x), pd.Series(y)).to_numpy()
    xs, ys = x[sea], y[sea]
    tree, ends = _coast()
    pts = shapely.points(xs, ys)
    (near_pt, _), near_deg = tree.query_nearest(pts, return_distance=True)
    deg = np.empty(len(xs))
    deg[near_pt] = near_deg
    k = np.maximum(np.cos(np.radians(ys)), 0.02)
    # the nearest segment in km lies within (nearest in degrees) / cos(lat) degrees
    pi, si = tree.query(pts, predicate="dwithin", distance=deg / k * 1.001 + 1e-9)
    best = np.full(len(xs), np.inf)
    for lo in range(0, len(pi), 2_000_000):  # bounded memory for very many candidates
        p, s = pi[lo : lo + 2_000_000], si[lo : lo + 2_000_000]
        km = _segment_km(xs[p], ys[p], k[p], ends[s])
        np.minimum.at(best, p, km)
    out[np.flatnonzero(sea)] = best / KM_PER_NM
    return out


def _segment_km(px, py, k, ends) -> np.ndarray:
    """km from points to segments in the local approximation (x scaled by ``k``)."""
    ax, ay = (ends[:, 0] - px) * k, ends[:, 1] - py
    bx, by = (ends[:, 2] - px) * k, ends[:, 3] - py
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = np.clip(-(ax * dx + ay * dy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    return np.hypot(ax + t * dx, ay + t * dy) * KM_PER_DEG


class _CellMemo:
    """Distances of cell centres for one cell size, remembered in sorted arrays (lookups by binary search)."""

    def __init__(self, size: float):
        self.size = size
        self.keys = np.empty(0, dtype=np.int64)
        self.values = np.empty(0)

    def lookup(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        ix = np.floor(lon / self.size).astype(np.int64) + _OFFSET
        iy = np.floor(lat / self.size).astype(np.int64) + _OFFSET
        keys = (ix << 22) | iy
        unique, back = np.unique(keys, return_inverse=True)
        at: np.ndarray = np.searchsorted(self.keys, unique).clip(0, max(len(self.keys) - 1, 0))
        known = (self.keys[at] == unique) if len(self.keys) else np.zeros(len(unique), dtype=bool)
        if not known.all():
            new = unique[~known]
            cx = ((new >> 22) - _OFFSET + 0.5) * self.size
            cy = ((new & ((1 << 22) - 1)) - _OFFSET + 0.5) * self.size
            values = _centre_distance_nm(cx, np.clip(cy, -90, 90))
            keys_all = np.concatenate([self.keys, new])
            order = np.argsort(keys_all, kind="stable")
            self.keys, self.values = keys_all[order], np.concatenate([self.values, values])[order]
            at = np.asarray(np.searchsorted(self.keys, unique))
        return self.values[at][back]


_coarse = _CellMemo(COARSE_DEG)
_fine = _CellMemo(FINE_DEG)
COARSE_HALF_DIAGONAL_NM = COARSE_DEG * math.sqrt(0.5) * KM_PER_DEG / KM_PER_NM
FINE_HALF_DIAGONAL_NM = FINE_DEG * math.sqrt(0.5) * KM_PER_DEG / KM_PER_NM


def distance_from_shore_nm(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Distance (nautical miles) from each point to the nearest land of the basemap; 0 on land, NaN off the globe.

    Answered per grid cell (see the module notes for the error bound) and remembered for the
    process, so millions of points cost one lookup each plus the work for cells not seen before.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.full(lon.shape, np.nan)
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    if not ok.any():
        return out
    x, y = lon[ok], lat[ok]
    d = _coarse.lookup(x, y)
    near = d - COARSE_HALF_DIAGONAL_NM < REFINE_NM
    if near.any():
        d[near] = _fine.lookup(x[near], y[near])
    out[ok] = d
    return out
