"""The map's geometry in its projection: land, the globe's edge, uncertainty rings and routes.

Shapes come in as EPSG:4326 longitude/latitude, are clipped (and split at the
projection's antimeridian) before projecting, and go out as coordinates or matplotlib
paths in the frame's projected metres; ring radii are kilometres on the WGS84 ellipsoid.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.path import Path as MplPath

from tracker.basemap import load_countries
from tracker.cartography.frame import _GEOD, Frame, _box_outline, _clip, _deg_value


def _polygon_paths(geoms) -> list[MplPath]:
    """Matplotlib paths of (multi)polygons, holes included."""
    paths = []
    for geom in geoms:
        for poly in getattr(geom, "geoms", [geom]):
            if poly.is_empty or poly.geom_type != "Polygon":
                continue
            rings = [poly.exterior, *poly.interiors]
            paths.append(
                MplPath.make_compound_path(*[MplPath(np.asarray(r.coords)[:, :2], closed=True) for r in rings])
            )
    return paths


@lru_cache(maxsize=8)
def _land(crs: str, box: tuple[float, float, float, float]) -> list[MplPath]:
    """The bundled countries clipped to ``box`` and projected, as paths (cached per frame)."""
    land = _clip(load_countries().geometry.to_numpy(), crs, box)
    land = land[~shapely.is_empty(land)]
    return _polygon_paths(gpd.GeoSeries(land, crs="EPSG:4326").to_crs(crs))


@lru_cache(maxsize=8)
def _land_lonlat(box: tuple[float, float, float, float]) -> list[MplPath]:
    return _polygon_paths(shapely.clip_by_rect(load_countries().geometry.to_numpy(), *box))


def _globe_outline(frame: Frame) -> np.ndarray:
    """The edge of the world in the frame's projection (between lon_0 - 180 and lon_0 + 180)."""
    lon0 = _deg_value(frame.crs, "lon_0") or 0.0
    lon, lat = _box_outline((lon0 - 179.999, -90.0, lon0 + 179.999, 90.0), 181)
    x, y = frame.project(lon, lat)
    return np.column_stack([x, y])


def _rings(frame: Frame, strikes: pd.DataFrame) -> list[np.ndarray]:
    """Each point's ring (90 vertices, projected): ``ring_km`` where the points carry it (how far
    their records may lie, grid cells included), else the ``radius_km`` of non-exact positions."""
    if "ring_km" in strikes:  # one ring per point: the widest (it holds the others drawn there)
        rows = (
            strikes[strikes["ring_km"] > 0]
            .groupby(["longitude", "latitude"], as_index=False, sort=False)["ring_km"]
            .max()
            .assign(radius_km=lambda d: d["ring_km"])
        )
    else:
        rows = strikes[(strikes["precision"] != "exact") & (strikes["radius_km"] > 0)]
    if rows.empty:
        return []
    n = 90
    az = np.tile(np.linspace(0, 360, n), len(rows))
    lon = np.repeat(rows["longitude"].to_numpy(float), n)
    lat = np.repeat(rows["latitude"].to_numpy(float), n)
    dist = np.repeat(rows["radius_km"].to_numpy(float) * 1000.0, n)
    rl, rt, _ = _GEOD.fwd(lon, lat, az, dist)
    x, y = frame.project(rl, rt)
    return [np.column_stack([x[i * n : (i + 1) * n], y[i * n : (i + 1) * n]]) for i in range(len(rows))]


def _route_segments(frame: Frame, routes: gpd.GeoDataFrame) -> list[tuple[np.ndarray, str, bool]]:
    out = []
    box = frame.lonlat_box
    for rec, geom in zip(routes.to_dict("records"), routes.geometry):
        if geom is None or geom.is_empty:
            continue
        parts: list[shapely.Geometry] = []
        for clipped in _clip([shapely.segmentize(geom, 1.0)], frame.crs, box):
            parts.extend(getattr(clipped, "geoms", [clipped]))
        for part in parts:
            if part.is_empty or part.geom_type != "LineString":
                continue
            xy = np.asarray(part.coords)
            x, y = frame.project(xy[:, 0], xy[:, 1])
            out.append((np.column_stack([x, y]), rec["route_type"], rec["line_precision"] == "schematic"))
    return out
