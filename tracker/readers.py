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


def data_version(data_dir: str | Path = DATA_DIR) -> str:
    """A key that changes whenever a bundled file changes (names, sizes and modification times)."""
    data_dir = Path(data_dir)
    parts = [
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
        for p in sorted(data_dir.glob("*"))
        if p.is_file()
    ]
    return "|".join(parts)


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
