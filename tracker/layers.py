"""pydeck layers and the map built from filtered canonical frames.

Text from data only ever enters a layer as a data column: accessor strings
here name columns and never embed data.  Tooltips use deck.gl's ``text`` mode
(set as text, never parsed as HTML).  Points are aggregated on the server
before they are sent to the browser: records sharing a position become one
point, and when there are more distinct positions than ``max_points`` the
positions are snapped to a grid that grows until they fit.

No basemap tiles: ``map_provider=None`` and the bundled countries are drawn as
the first layer over an ocean rectangle.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from tracker.basemap import countries_feature_collection

# -- shared styles (the static export uses the same ones) ---------------------

OCEAN_COLOR = [220, 232, 242]
LAND_COLOR = [246, 244, 238]
BORDER_COLOR = [170, 170, 170]
STRIKE_COLOR = [214, 39, 40]
RING_COLOR = [214, 39, 40, 150]
ROUTE_COLORS: dict[str, list[int]] = {
    "drug trafficking": [148, 103, 189],
    "fuel or oil shipment": [255, 127, 14],
    "sanctioned tanker": [140, 86, 75],
    "military deployment": [31, 119, 180],
    "other": [127, 127, 127],
}
ENTITY_COLORS: dict[str, list[int]] = {
    "organization": [44, 160, 44],
    "individual": [23, 190, 207],
    "vessel": [188, 189, 34],
    "company": [227, 119, 194],
    "aircraft": [127, 127, 127],
}
# pydeck turns every plain string into a JavaScript expression; these quoted forms
# evaluate to the string constants deck.gl expects.
PIXELS = "'pixels'"
METERS = "'meters'"

LEGEND = (
    "Strikes: red dots sized by deaths (announced + presumed dead); red rings show how uncertain an "
    "approximate or area position is.",
    "Routes: purple drug trafficking, orange fuel or oil shipment, brown sanctioned tanker, blue military "
    "deployment, grey other; thin faded lines are schematic.",
    "Designations: green organizations, cyan individuals, olive vessels, pink companies, grey aircraft; "
    "size grows with the number at a place; hollow circles are placed at country or area level.",
)
LAYER_NAMES = ("basemap", "strikes", "rings", "routes", "designations")
SCREEN_TOLERANCE_DEG = 0.08
"""Basemap simplification for the browser (about 9 km): plenty at the zooms the map opens at."""
DEFAULT_VIEW = pdk.ViewState(longitude=-80.0, latitude=12.0, zoom=3.2)


def strike_radius_px(deaths: pd.Series | np.ndarray) -> np.ndarray:
    """Strike dot radius in screen pixels: 4 px plus 2.2 px per square root of deaths."""
    d = np.nan_to_num(np.asarray(deaths, dtype=float), nan=0.0)
    return 4.0 + 2.2 * np.sqrt(np.clip(d, 0, None))


def _grid_for(frame: pd.DataFrame, max_points: int) -> float:
    """The smallest grid (degrees, 0 = exact positions) that leaves at most ``max_points`` cells."""
    for cell in (0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0):
        if cell == 0:
            n = len(frame.drop_duplicates(["longitude", "latitude"]))
        else:
            n = len(pd.DataFrame({"x": np.floor(frame["longitude"] / cell), "y": np.floor(frame["latitude"] / cell)})
                    .drop_duplicates())
        if n <= max_points:
            return cell
    return 10.0


def _snap(frame: pd.DataFrame, cell: float) -> pd.DataFrame:
    if cell == 0:
        return frame
    out = frame.copy()
    out["longitude"] = (np.floor(out["longitude"] / cell) + 0.5) * cell
    out["latitude"] = (np.floor(out["latitude"] / cell) + 0.5) * cell
    return out


def _join_text(values: pd.Series, limit: int = 6) -> str:
    uniq = list(dict.fromkeys(str(v) for v in values if str(v)))
    more = f" (+{len(uniq) - limit} more)" if len(uniq) > limit else ""
    return ", ".join(uniq[:limit]) + more


def aggregate_strikes(incidents: pd.DataFrame, *, max_points: int = 5000) -> pd.DataFrame:
    """One row per drawn strike point: records at the same position (and precision) are summed.

    Records with no position are left out (they are counted but never drawn).
    Columns: longitude, latitude, precision, radius_km, records, strikes, killed,
    presumed_dead, radius_px, ids, tooltip.
    """
    placed = incidents[incidents["latitude"].notna() & incidents["longitude"].notna()]
    cols = ["longitude", "latitude", "precision", "radius_km", "records", "strikes", "killed",
            "presumed_dead", "radius_px", "ids", "all_ids", "tooltip"]
    if placed.empty:
        return pd.DataFrame(columns=cols)
    cell = _grid_for(placed, max_points)
    placed = _snap(placed, cell)
    keys = ["longitude", "latitude", "location_precision"]
    placed = placed.assign(radius_km=placed["radius_km"].fillna(0.0))
    g = placed.groupby(keys, sort=True, dropna=False)
    agg = g.agg(
        radius_km=("radius_km", "max"),
        records=("incident_id", "size"),
        strikes=("strikes", "sum"),
        killed=("killed", "sum"),
        presumed_dead=("presumed_dead", "sum"),
        date_min=("date", "min"),
        date_max=("date", "max"),
    ).reset_index().rename(columns={"location_precision": "precision"})
    small = len(agg) <= 2000
    if small:
        details = g.agg(
            ids=("incident_id", _join_text),
            all_ids=("incident_id", lambda s: ",".join(s)),
            affiliations=("affiliation", lambda s: _join_text(s, 3)),
            place=("location_text", lambda s: _join_text(s, 1)),
            sources=("source_urls", lambda s: _join_text(s.str.split(" | ").str[0], 1)),
        ).reset_index(drop=True)
        agg = pd.concat([agg, details], axis=1)
    else:
        agg["ids"] = ""
        agg["all_ids"] = ""
    agg["killed"] = agg["killed"].fillna(0).astype(int)
    agg["presumed_dead"] = agg["presumed_dead"].fillna(0).astype(int)
    agg["strikes"] = agg["strikes"].fillna(0).astype(int)
    agg["radius_px"] = strike_radius_px(agg["killed"] + agg["presumed_dead"])
    dates = np.where(
        agg["date_min"] == agg["date_max"],
        agg["date_min"].dt.strftime("%Y-%m-%d"),
        agg["date_min"].dt.strftime("%Y-%m-%d") + " to " + agg["date_max"].dt.strftime("%Y-%m-%d"),
    )
    where = np.where(
        agg["precision"] == "exact", "exact position",
        agg["precision"] + " position, within about " + agg["radius_km"].round(0).astype(int).astype(str) + " km",
    )
    tip = (agg["records"].astype(str) + " record(s), " + agg["strikes"].astype(str) + " strike(s)\n"
           + "Date: " + dates + "\n"
           + "Deaths announced: " + agg["killed"].astype(str)
           + ", presumed dead: " + agg["presumed_dead"].astype(str) + "\n"
           + "Position: " + where)
    if small:
        tip = (tip + "\nAffiliation: " + agg["affiliations"] + "\nReported place: " + agg["place"]
               + "\nIDs: " + agg["ids"] + "\nSource: " + agg["sources"])
    if cell:
        tip = tip + f"\n(grouped on a {cell} degree grid)"
    agg["tooltip"] = tip
    return agg[cols]


def aggregate_designations(designations: pd.DataFrame) -> pd.DataFrame:
    """One row per place: how many designations of each entity type sit there.

    ``entity_type`` is the most common type at the place and sets the colour;
    ``filled`` is False for area- and country-level placements (drawn hollow).
    """
    placed = designations[designations["latitude"].notna()]
    cols = ["longitude", "latitude", "precision", "radius_km", "count", "entity_type", "filled",
            "color", "fill", "radius_px", "tooltip"]
    if placed.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (lon, lat, prec), grp in placed.groupby(["longitude", "latitude", "location_precision"], sort=True):
        counts = grp["entity_type"].value_counts()
        names = _join_text(grp["name"], 5)
        uncertain = int(grp["uncertain"].sum())
        tip = (f"{len(grp)} designation(s) placed at {prec} level"
               f" (within about {int(grp['radius_km'].max())} km)\n"
               + ", ".join(f"{n} {t}" for t, n in counts.items())
               + f"\nNames: {names}\nAuthorities: {_join_text(grp['authority_group'], 4)}"
               + (f"\nUncertain rows: {uncertain}" if uncertain else ""))
        etype = str(counts.index[0])
        rows.append({
            "longitude": lon, "latitude": lat, "precision": prec, "radius_km": float(grp["radius_km"].max()),
            "count": len(grp), "entity_type": etype, "filled": prec in ("exact", "approximate"),
            "color": ENTITY_COLORS.get(etype, [127, 127, 127]) + [230],
            "fill": ENTITY_COLORS.get(etype, [127, 127, 127]) + [200 if prec in ("exact", "approximate") else 0],
            "radius_px": 3.0 + 2.0 * math.sqrt(len(grp)), "tooltip": tip,
        })
    return pd.DataFrame(rows, columns=cols)


def route_paths(routes) -> pd.DataFrame:
    """One row per drawable line part: path (list of [lon, lat]), colour, width and a tooltip."""
    rows = []
    for rec, geom in zip(routes.drop(columns="geometry").to_dict("records"), routes.geometry):
        if geom is None or geom.is_empty:
            continue
        parts = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
        schematic = rec["line_precision"] == "schematic"
        color = ROUTE_COLORS.get(rec["route_type"], ROUTE_COLORS["other"]) + [140 if schematic else 230]
        tip = (f"{rec['name']}\nType: {rec['route_type']}; period: {rec['period']}\n"
               f"Line: {rec['line_precision']} ({rec['geometry_basis']})\n"
               f"Source: {rec['source_urls'].split(' | ')[0]}")
        for part in parts:
            rows.append({
                "route_id": rec["route_id"], "path": [list(map(float, xy)) for xy in part.coords],
                "color": color, "width": 2 if schematic else 3, "schematic": schematic, "tooltip": tip,
            })
    return pd.DataFrame(rows, columns=["route_id", "path", "color", "width", "schematic", "tooltip"])


def build_layers(
    incidents: pd.DataFrame,
    designations: pd.DataFrame,
    routes,
    *,
    show: tuple[str, ...] = LAYER_NAMES,
    max_points: int = 5000,
) -> list[pdk.Layer]:
    """The map's layers in drawing order (basemap first, strikes on top)."""
    layers: list[pdk.Layer] = []
    if "basemap" in show:
        ocean = [{"polygon": [[-180, -85], [180, -85], [180, 85], [-180, 85]]}]
        layers.append(pdk.Layer("PolygonLayer", ocean, id="ocean", get_polygon="polygon",
                                get_fill_color=OCEAN_COLOR, stroked=False, pickable=False))
        layers.append(pdk.Layer("GeoJsonLayer", countries_feature_collection(SCREEN_TOLERANCE_DEG), id="basemap",
                                get_fill_color=LAND_COLOR, get_line_color=BORDER_COLOR,
                                line_width_min_pixels=0.5, pickable=False))
    if "routes" in show:
        paths = route_paths(routes)
        layers.append(pdk.Layer("PathLayer", paths, id="routes", get_path="path", get_color="color",
                                get_width="width", width_units=PIXELS, pickable=True, auto_highlight=True))
    if "designations" in show:
        pts = aggregate_designations(designations)
        layers.append(pdk.Layer("ScatterplotLayer", pts, id="designations", get_position=["longitude", "latitude"],
                                get_fill_color="fill", get_line_color="color", get_radius="radius_px",
                                radius_units=PIXELS, stroked=True, filled=True, line_width_min_pixels=2,
                                pickable=True))
    strikes = aggregate_strikes(incidents, max_points=max_points)
    if "rings" in show:
        rings = strikes.loc[strikes["precision"] != "exact", ["longitude", "latitude", "radius_km"]]
        layers.append(pdk.Layer("ScatterplotLayer", rings, id="rings", get_position=["longitude", "latitude"],
                                get_radius="radius_km * 1000", radius_units=METERS, stroked=True, filled=False,
                                get_line_color=RING_COLOR, line_width_min_pixels=1, pickable=False))
    if "strikes" in show:
        layers.append(pdk.Layer("ScatterplotLayer", strikes, id="strikes", get_position=["longitude", "latitude"],
                                get_radius="radius_px", radius_units=PIXELS, get_fill_color=STRIKE_COLOR + [220],
                                get_line_color=[255, 255, 255], stroked=True, line_width_min_pixels=1,
                                pickable=True, auto_highlight=True))
    return layers


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation (pydeck indents by 2, which triples the size)."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def build_deck(layers: list[pdk.Layer], *, view: pdk.ViewState = DEFAULT_VIEW) -> pdk.Deck:
    """A deck with no tile basemap and text-only tooltips."""
    return CompactDeck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        tooltip={"text": "{tooltip}"},
    )
