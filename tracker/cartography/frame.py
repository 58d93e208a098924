"""The map frame: which lon/lat box a map shows, in which projection, and with which limits.

Bounds are (west, south, east, north) in EPSG:4326 degrees.  A regional frame is a
Lambert azimuthal equal-area projection centred on its box, a world-spanning one Equal
Earth; a :class:`Frame`'s limits are metres in that projected CRS.  Also here: the
option checks of an extent, and clipping of shapes at the projection's antimeridian.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS, Geod, Transformer

from tracker.errors import InvalidOptionError, check_option
from tracker.filters import Filters

if TYPE_CHECKING:
    from tracker.cartography.plan import MapSpec

REGIONS: dict[str, tuple[float, float, float, float]] = {
    "caribbean": (-90.0, 7.0, -58.0, 27.0),
    "eastern-pacific": (-120.0, -5.0, -76.0, 25.0),
    "venezuela": (-75.0, 4.0, -58.0, 17.0),
    "western-hemisphere": (-170.0, -60.0, -20.0, 75.0),
}
"""Named extents as (west, south, east, north) in degrees."""

REGION_EXTENTS = {"Caribbean": "caribbean", "Eastern Pacific": "eastern-pacific"}
"""The sidebar's region filter values that have a named extent of their own."""

THEATRE = (-120.0, -5.0, -58.0, 30.0)
"""Where the strikes happen: the frame of an empty view (west, south, east, north)."""

EXTENT_CHOICES = ("auto", "fit") + tuple(REGIONS)

_GEOD = Geod(ellps="WGS84")


class MapOptionError(InvalidOptionError):
    """A map option that cannot be drawn: inverted dates, degenerate bounds, a page too small."""


def check_bounds(bounds: tuple[float, ...]) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees, or :class:`MapOptionError` saying what is wrong."""
    if len(bounds) != 4:
        raise MapOptionError(f"bounds need four numbers WEST,SOUTH,EAST,NORTH; got {len(bounds)}")
    w, s, e, n = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (w, s, e, n)):
        raise MapOptionError("bounds must be finite numbers")
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= 90 and -90 <= n <= 90):
        raise MapOptionError(
            f"bounds out of range: longitudes must lie in -180..180 and latitudes in -90..90 "
            f"(got {w:g},{s:g},{e:g},{n:g})"
        )
    if w >= e or s >= n:
        raise MapOptionError(
            f"bounds enclose no area: west must be less than east and south less than north "
            f"(got {w:g},{s:g},{e:g},{n:g})"
        )
    if e - w < 0.5 or n - s < 0.5:
        raise MapOptionError(f"bounds too small to map: at least 0.5 degrees each way (got {e - w:g} x {n - s:g})")
    return w, s, e, n


def default_extent(filters: Filters) -> str:
    """The extent a map of ``filters`` opens on: the chosen region's own, else fitted to the strikes.

    The Export page and the command line both call this, so a region filter frames the
    map the same way in both.
    """
    if len(filters.regions) == 1 and filters.regions[0] in REGION_EXTENTS:
        return REGION_EXTENTS[filters.regions[0]]
    return "fit"


def _lonlat_of_strikes(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lon = incidents["longitude"].to_numpy(dtype=float, na_value=np.nan)
    lat = incidents["latitude"].to_numpy(dtype=float, na_value=np.nan)
    placed = np.isfinite(lon) & np.isfinite(lat)
    radius = np.nan_to_num(incidents["radius_km"].to_numpy(dtype=float, na_value=np.nan)[placed], nan=0.0)
    return lon[placed], lat[placed], radius


def resolve_bounds(
    spec: MapSpec,
    incidents: pd.DataFrame,
    context: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[float, float, float, float]:
    """The lon/lat box the map must show: a named region, custom bounds, or the strikes with
    their uncertainty rings (routes and designations are context and are clipped at the frame).
    With no placed strike, the ``context`` points (lon, lat degrees: the vessel tracks and events)
    are fitted instead; a view with neither gets the strike theatre."""
    extent = spec.extent
    if extent == "auto":
        extent = default_extent(spec.filters)
    if isinstance(extent, tuple):
        return check_bounds(extent)
    if extent != "fit":
        check_option("extent", extent, EXTENT_CHOICES)
        return REGIONS[extent]
    lon, lat, radius = _lonlat_of_strikes(incidents)
    if not len(lon) and context is not None and len(context[0]):
        lon, lat = np.asarray(context[0], float), np.asarray(context[1], float)
        radius = np.zeros(len(lon))
    if not len(lon):
        return THEATRE
    dlat = radius / 111.2
    dlon = radius / (111.2 * np.clip(np.cos(np.radians(lat)), 0.05, None))
    w, e = float(np.min(lon - dlon)), float(np.max(lon + dlon))
    s, n = float(np.min(lat - dlat)), float(np.max(lat + dlat))
    pad_x, pad_y = max((e - w) * 0.04, 0.5), max((n - s) * 0.04, 0.5)
    return (max(w - pad_x, -180.0), max(s - pad_y, -85.0), min(e + pad_x, 180.0), min(n + pad_y, 85.0))


def choose_crs(bounds: tuple[float, float, float, float]) -> str:
    """A PROJ string: Equal Earth for world-spanning boxes, else Lambert azimuthal equal-area
    centred on the box (to the nearest half degree)."""
    w, s, e, n = bounds
    if e - w > 180 or n - s > 150:
        return f"+proj=eqearth +lon_0={round((w + e) / 2 / 5) * 5:g} +datum=WGS84 +units=m +no_defs +type=crs"
    lon0, lat0 = round((w + e) / 2 * 2) / 2, round((s + n) / 2 * 2) / 2
    return f"+proj=laea +lat_0={lat0:g} +lon_0={lon0:g} +datum=WGS84 +units=m +no_defs +type=crs"


@lru_cache(maxsize=16)
def _to_map(crs_text: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", CRS.from_user_input(crs_text), always_xy=True)


@lru_cache(maxsize=16)
def _to_lonlat(crs_text: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(crs_text), "EPSG:4326", always_xy=True)


def _box_outline(bounds: tuple[float, float, float, float], n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    w, s, e, nn = bounds
    t = np.linspace(0, 1, n)
    xs = np.concatenate([w + (e - w) * t, np.full(n, e), e - (e - w) * t, np.full(n, w)])
    ys = np.concatenate([np.full(n, s), s + (nn - s) * t, np.full(n, nn), nn - (nn - s) * t])
    return xs, ys


@dataclass(frozen=True)
class Frame:
    """The map frame: its projection and projected limits (metres), and the lon/lat box it covers."""

    crs: str
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    bounds: tuple[float, float, float, float]
    world: bool

    def project(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        x, y = _to_map(self.crs).transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x), np.asarray(y)

    def unproject(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = _to_lonlat(self.crs).transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon), np.asarray(lat)

    def contains(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> np.ndarray:
        """Which lon/lat points fall inside the frame."""
        return self.contains_xy(*self.project(lon, lat))

    def contains_xy(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Which points, already projected to the frame's CRS (metres), fall inside the frame."""
        ok = np.isfinite(x) & np.isfinite(y)
        return ok & (x >= self.xlim[0]) & (x <= self.xlim[1]) & (y >= self.ylim[0]) & (y <= self.ylim[1])

    @property
    def lonlat_box(self) -> tuple[float, float, float, float]:
        """A lon/lat box that covers the whole frame (for clipping before projecting)."""
        if self.world:
            return (-180.0, -90.0, 180.0, 90.0)
        xs, ys = _box_outline((self.xlim[0], self.ylim[0], self.xlim[1], self.ylim[1]))
        lon, lat = self.unproject(xs, ys)
        ok = np.isfinite(lon) & np.isfinite(lat)
        if not ok.all():
            return (-180.0, -90.0, 180.0, 90.0)
        return (
            max(float(lon.min()) - 2, -180.0),
            max(float(lat.min()) - 2, -90.0),
            min(float(lon.max()) + 2, 180.0),
            min(float(lat.max()) + 2, 90.0),
        )

    @property
    def lat_span(self) -> float:
        """Degrees of latitude from the frame's southernmost to its northernmost point."""
        if self.world:
            return 180.0
        xs, ys = _box_outline((self.xlim[0], self.ylim[0], self.xlim[1], self.ylim[1]), 32)
        _lon, lat = self.unproject(xs, ys)
        return float(np.nanmax(lat) - np.nanmin(lat))


def make_frame(bounds: tuple[float, float, float, float], aspect: float) -> Frame:
    """The frame showing ``bounds`` in its projection, widened (never narrowed) to ``aspect`` (width/height).

    A regional projection whose widened frame would reach past the visible hemisphere or
    span more than 180° of longitude gives way to Equal Earth.
    """
    frame = _frame_in(choose_crs(bounds), bounds, aspect)
    if not frame.world:
        xs, ys = _box_outline((frame.xlim[0], frame.ylim[0], frame.xlim[1], frame.ylim[1]), 32)
        lon, lat = frame.unproject(xs, ys)
        if not (np.isfinite(lon).all() and np.isfinite(lat).all()) or np.ptp(lon) > 180:
            w, _s, e, _n = bounds
            world = f"+proj=eqearth +lon_0={round((w + e) / 2 / 5) * 5:g} +datum=WGS84 +units=m +no_defs +type=crs"
            frame = _frame_in(world, bounds, aspect)
    return frame


def _frame_in(text: str, bounds: tuple[float, float, float, float], aspect: float) -> Frame:
    world = "eqearth" in text
    xs, ys = _box_outline(bounds)
    x, y = _to_map(text).transform(xs, ys)
    x, y = np.asarray(x), np.asarray(y)
    ok = np.isfinite(x) & np.isfinite(y)
    x0, x1, y0, y1 = float(x[ok].min()), float(x[ok].max()), float(y[ok].min()), float(y[ok].max())
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return Frame(crs=text, xlim=(cx - w / 2, cx + w / 2), ylim=(cy - h / 2, cy + h / 2), bounds=bounds, world=world)


def _deg_value(crs: str, key: str) -> float | None:
    for part in crs.split():
        if part.startswith(f"+{key}="):
            return float(part.split("=", 1)[1])
    return None


def _deg(crs: str, key: str, pos: str, neg: str) -> str:
    v = _deg_value(crs, key)
    return "" if v is None else f"{abs(v):g}°{pos if v >= 0 else neg}"


def _seam_boxes(crs: str, box: tuple[float, float, float, float]) -> list[tuple[float, float, float, float]]:
    """``box`` split at the projection's antimeridian (lon_0 ± 180), so no shape is drawn across it."""
    lon0 = float(_deg_value(crs, "lon_0") or 0.0)
    if lon0 == 0:
        return [box]
    seam = lon0 + 180 if lon0 < 0 else lon0 - 180
    w, s, e, n = box
    eps = 1e-6
    parts = [(w, s, min(e, seam - eps), n), (max(w, seam + eps), s, e, n)]
    return [p for p in parts if p[0] < p[2]]


def _clip(geoms, crs: str, box: tuple[float, float, float, float]) -> np.ndarray:
    """Geometries clipped to ``box`` and split at the projection's antimeridian (lon/lat)."""
    pieces = [shapely.clip_by_rect(np.asarray(geoms), *part) for part in _seam_boxes(crs, box)]
    return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
