"""Designation places and route lines as layer rows (longitude/latitude in EPSG:4326 degrees)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from tracker.layers.style import ENTITY_COLORS, ROUTE_COLORS, TOOLTIP_FIELD_CHARS

if TYPE_CHECKING:
    import geopandas as gpd


def _short(value: object, limit: int = TOOLTIP_FIELD_CHARS) -> str:
    """``value`` as text of at most ``limit`` characters (cut ones end with an ellipsis)."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _join_text(values: pd.Series, limit: int = 6) -> str:
    """The first ``limit`` distinct values, each shortened, and how many more there are."""
    uniq = list(dict.fromkeys(str(v) for v in values if str(v)))
    more = f" (+{len(uniq) - limit} more)" if len(uniq) > limit else ""
    return ", ".join(_short(v) for v in uniq[:limit]) + more


def aggregate_designations(designations: pd.DataFrame) -> pd.DataFrame:
    """One row per place: how many designations of each entity type sit there.

    ``entity_type`` is the most common type at the place and sets the colour;
    ``filled`` is False for area- and country-level placements (drawn hollow).
    """
    placed = designations[designations["latitude"].notna()]
    cols = [
        "longitude",
        "latitude",
        "precision",
        "radius_km",
        "count",
        "entity_type",
        "filled",
        "color",
        "fill",
        "radius_px",
        "tooltip",
    ]
    if placed.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (lon, lat, prec), grp in placed.groupby(["longitude", "latitude", "location_precision"], sort=True):
        counts = grp["entity_type"].value_counts()
        names = _join_text(grp["name"], 5)
        uncertain = int(grp["uncertain"].sum())
        tip = (
            f"{len(grp)} designation(s) placed at {prec} level"
            f" (within about {int(grp['radius_km'].max())} km)\n"
            + ", ".join(f"{n} {t}" for t, n in counts.items())
            + f"\nNames: {names}\nAuthorities: {_join_text(grp['authority_group'], 4)}"
            + (f"\nUncertain rows: {uncertain}" if uncertain else "")
        )
        etype = str(counts.index[0])
        rows.append(
            {
                "longitude": lon,
                "latitude": lat,
                "precision": prec,
                "radius_km": float(grp["radius_km"].max()),
                "count": len(grp),
                "entity_type": etype,
                "filled": prec in ("exact", "approximate"),
                "color": ENTITY_COLORS.get(etype, [127, 127, 127]) + [230],
                "fill": ENTITY_COLORS.get(etype, [127, 127, 127]) + [200 if prec in ("exact", "approximate") else 0],
                "radius_px": 3.0 + 2.0 * math.sqrt(len(grp)),
                "tooltip": tip,
            }
        )
    return pd.DataFrame(rows, columns=cols)


def route_paths(routes: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per drawable line part: path (list of [lon, lat]), colour, width and a tooltip."""
    rows = []
    for rec, geom in zip(routes.drop(columns="geometry").to_dict("records"), routes.geometry):
        if geom is None or geom.is_empty:
            continue
        parts = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
        schematic = rec["line_precision"] == "schematic"
        color = ROUTE_COLORS.get(rec["route_type"], ROUTE_COLORS["other"]) + [140 if schematic else 230]
        tip = (
            f"{rec['name']}\nType: {rec['route_type']}; period: {rec['period']}\n"
            f"Line: {rec['line_precision']} ({rec['geometry_basis']})\n"
            f"Source: {rec['source_urls'].split(' | ')[0]}"
        )
        for part in parts:
            rows.append(
                {
                    "route_id": rec["route_id"],
                    "path": [list(map(float, xy)) for xy in part.coords],
                    "color": color,
                    "width": 2 if schematic else 3,
                    "schematic": schematic,
                    "tooltip": tip,
                }
            )
    return pd.DataFrame(rows, columns=["route_id", "path", "color", "width", "schematic", "tooltip"])
