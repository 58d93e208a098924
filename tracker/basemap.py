"""The bundled basemap: Natural Earth 1:10m country polygons, simplified to ship.

No tiles and no network: the interactive map and the static exports both draw
this layer themselves.  Coordinates are EPSG:4326 degrees.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from tracker.errors import DataFileError
from tracker.readers import DATA_DIR

BASEMAP_PATH = DATA_DIR / "basemap" / "countries.geojson"
LABELS_PATH = BASEMAP_PATH.with_name("labels.csv")
ATTRIBUTION = "Basemap: Natural Earth (public domain)"


@lru_cache(maxsize=4)
def load_countries(path: str | Path = BASEMAP_PATH) -> gpd.GeoDataFrame:
    """Country polygons with ``iso_a2`` and ``name`` columns (cached per path)."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(f"basemap file not found: {path}")
    return gpd.read_file(path)


@lru_cache(maxsize=8)
def countries_geojson(tolerance_deg: float = 0.05, path: str | Path = BASEMAP_PATH) -> str:
    """The countries as a GeoJSON string, simplified by ``tolerance_deg`` for the browser.

    Returned as a string so callers can cache it and parse it once per use.
    """
    g = load_countries(path)[["name", "geometry"]].copy()
    if tolerance_deg > 0:
        g["geometry"] = shapely.set_precision(g.geometry.simplify(tolerance_deg), 0.01)
        g = g[~g.geometry.is_empty]
    return g.to_json(drop_id=True)


def countries_feature_collection(tolerance_deg: float = 0.05) -> dict:
    """The simplified countries as a GeoJSON FeatureCollection dict."""
    return json.loads(countries_geojson(tolerance_deg))


@lru_cache(maxsize=2)
def load_labels(path: str | Path = LABELS_PATH) -> pd.DataFrame:
    """Map labels: ``name``, ``kind`` (country or sea), ``longitude``, ``latitude`` and ``rank``
    (Natural Earth's MIN_LABEL for countries: lower ranks are shown on wider maps)."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(f"labels file not found: {path}")
    return pd.read_csv(path, dtype={"name": str, "kind": str}, keep_default_na=False)
