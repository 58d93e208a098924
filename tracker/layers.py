"""pydeck layers and the map built from filtered canonical frames.

Text from data only ever enters a layer as a data column: accessor strings
here name columns and never embed data.  Tooltips use deck.gl's ``text`` mode
(set as text, never parsed as HTML).  Points are aggregated on the server
before they are sent to the browser: records sharing a position become one
point, and when there are more distinct positions than ``max_points`` the
positions are snapped to a grid that grows until they fit.  A position holding two or
more strike engagements shows their number in a text layer (the number is a data
column too), and ``legend_entries`` lists what ``build_layers`` draws, in its colours.

No basemap tiles: ``map_provider=None`` and the bundled countries are drawn as
the first layer over an ocean rectangle.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from tracker.basemap import countries_feature_collection

if TYPE_CHECKING:
    import geopandas as gpd

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

# The legend in words, kept for plain-text use; screens draw ``legend_entries`` instead.
LEGEND = (
    "Strikes: red dots sized by deaths (announced + presumed dead); red rings show how uncertain an "
    "approximate or area position is.",
    "Routes: purple drug trafficking, orange fuel or oil shipment, brown sanctioned tanker, blue military "
    "deployment, grey other; thin faded lines are schematic.",
    "Designations: green organizations, cyan individuals, olive vessels, pink companies, grey aircraft; "
    "size grows with the number at a place; hollow circles are placed at country or area level.",
)
# Count labels on stacked strike positions: white digits with a dark outline, sized in screen pixels.
COUNT_TEXT_COLOR = [255, 255, 255, 255]
COUNT_OUTLINE_COLOR = [33, 33, 33, 255]
COUNT_TEXT_PX = 14
SCHEMATIC_LEGEND_COLOR = [90, 90, 90, 160]
STRIKE_SYMBOL_MIN_PX = 4.0
STRIKE_SYMBOL_PX_PER_SQRT_DEATH = 3.0
LAYER_NAMES = ("basemap", "strikes", "rings", "routes", "designations")
SCREEN_TOLERANCE_DEG = 0.08
"""Basemap simplification for the browser (about 9 km): plenty at the zooms the map opens at."""
DEFAULT_VIEW = pdk.ViewState(longitude=-80.0, latitude=12.0, zoom=3.2)


def strike_symbol_px(deaths: pd.Series | np.ndarray) -> np.ndarray:
    """On-screen strike symbol radius in pixels: 3 px per square root of deaths, at least 4 px.

    Above the minimum the symbol's area is proportional to deaths (announced plus presumed
    dead); positions with no deaths (or one) keep the 4 px minimum so they stay visible.
    """
    d = np.nan_to_num(np.asarray(deaths, dtype=float), nan=0.0)
    return np.maximum(STRIKE_SYMBOL_MIN_PX, STRIKE_SYMBOL_PX_PER_SQRT_DEATH * np.sqrt(np.clip(d, 0, None)))


_PLACEMENT = re.compile(r".*: placed (?:at )?(?:the )?(.+?)(?: \(hand-placed|;|$)")


def _common_placement(basis: pd.Series) -> str:
    """How the records at one position were placed, when they all say the same
    ("representative point of 'Eastern Pacific'"); "" when they differ or do not say."""
    found = {m.group(1).strip() if (m := _PLACEMENT.match(str(b))) else "" for b in basis.dropna().unique()}
    return found.pop() if len(found) == 1 else ""


def _grid_for(frame: pd.DataFrame, max_points: int) -> float:
    """The smallest grid (degrees, 0 = exact positions) that leaves at most ``max_points`` cells."""
    for cell in (0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0):
        if cell == 0:
            n = len(frame.drop_duplicates(["longitude", "latitude"]))
        else:
            n = len(
                pd.DataFrame(
                    {"x": np.floor(frame["longitude"] / cell), "y": np.floor(frame["latitude"] / cell)}
                ).drop_duplicates()
            )
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
    presumed_dead, symbol_px (on-screen radius,
    area proportional to deaths), count_label (the number of strike engagements where it is
    2 or more, else ""), ids, all_ids, tooltip.
    """
    placed = incidents[incidents["latitude"].notna() & incidents["longitude"].notna()]
    cols = [
        "longitude",
        "latitude",
        "precision",
        "radius_km",
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
    if placed.empty:
        return pd.DataFrame(columns=cols)
    cell = _grid_for(placed, max_points)
    placed = _snap(placed, cell)
    keys = ["longitude", "latitude", "location_precision"]
    placed = placed.assign(radius_km=placed["radius_km"].fillna(0.0))
    g = placed.groupby(keys, sort=True, dropna=False)
    agg = (
        g.agg(
            radius_km=("radius_km", "max"),
            records=("incident_id", "size"),
            strikes=("strikes", "sum"),
            killed=("killed", "sum"),
            presumed_dead=("presumed_dead", "sum"),
            date_min=("date", "min"),
            date_max=("date", "max"),
        )
        .reset_index()
        .rename(columns={"location_precision": "precision"})
    )
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
        agg["placement"] = (
            g["location_basis"].agg(_common_placement).reset_index(drop=True)
            if "location_basis" in placed.columns
            else ""
        )
    else:
        agg["ids"] = ""
        agg["all_ids"] = ""
        agg["placement"] = ""
    agg["killed"] = agg["killed"].fillna(0).astype(int)
    agg["presumed_dead"] = agg["presumed_dead"].fillna(0).astype(int)
    agg["strikes"] = agg["strikes"].fillna(0).astype(int)
    agg["symbol_px"] = strike_symbol_px(agg["killed"] + agg["presumed_dead"])
    stacked = agg["strikes"] >= 2
    agg["count_label"] = np.where(stacked, agg["strikes"].astype(str), "")
    dates = np.where(
        agg["date_min"] == agg["date_max"],
        agg["date_min"].dt.strftime("%Y-%m-%d"),
        agg["date_min"].dt.strftime("%Y-%m-%d") + " to " + agg["date_max"].dt.strftime("%Y-%m-%d"),
    )
    where = np.where(
        agg["precision"] == "exact",
        "exact position",
        agg["precision"] + " position, within about " + agg["radius_km"].round(0).astype(int).astype(str) + " km",
    )
    how = np.where(agg["placement"] != "", agg["precision"] + ": " + agg["placement"], agg["precision"])
    if cell:
        same = np.full(len(agg), " strikes grouped at this point\n", dtype=object)
    else:
        same = (
            np.where(
                agg["records"] >= 2,
                " strikes placed at the same position (",
                " strikes reported together, placed at one position (",
            )
            + how
            + ")\n"
        )
    headline = np.where(stacked, agg["strikes"].astype(str) + same, "")
    tip = (
        headline
        + agg["records"].astype(str)
        + " record(s), "
        + agg["strikes"].astype(str)
        + " strike(s)\n"
        + "Date: "
        + dates
        + "\n"
        + "Deaths announced: "
        + agg["killed"].astype(str)
        + ", presumed dead: "
        + agg["presumed_dead"].astype(str)
        + "\n"
        + "Position: "
        + where
    )
    if small:
        tip = (
            tip
            + "\nAffiliation: "
            + agg["affiliations"]
            + "\nReported place: "
            + agg["place"]
            + "\nIDs: "
            + agg["ids"]
            + "\nSource: "
            + agg["sources"]
        )
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


class LegendEntry(NamedTuple):
    """One legend line: the layer it explains, its words, its colour (RGBA 0-255) and how the
    symbol is drawn: "dot" (filled circle), "hollow dot", "ring" (thin outline), "line",
    "thin line" (thinner, fainter line) or "count" (a number on a strike dot)."""

    layer: str
    label: str
    rgba: tuple[int, int, int, int]
    style: str


def _rgba(color: list[int], alpha: int = 255) -> tuple[int, int, int, int]:
    return (int(color[0]), int(color[1]), int(color[2]), int(color[3]) if len(color) > 3 else alpha)


def legend_entries(
    incidents: pd.DataFrame,
    designations: pd.DataFrame,
    routes: gpd.GeoDataFrame | None,
    *,
    show: tuple[str, ...] = LAYER_NAMES,
    max_points: int = 5000,
) -> list[LegendEntry]:
    """The legend of what ``build_layers`` draws for the same arguments, in its colours.

    Only layers that are shown and have something drawn get entries; routes list only the
    route types drawn, designations only the entity types that colour a drawn place (the
    most common type at each place).
    """
    entries: list[LegendEntry] = []
    if "strikes" in show or "rings" in show:
        strikes = aggregate_strikes(incidents, max_points=max_points)
        if "strikes" in show and len(strikes):
            entries.append(
                LegendEntry(
                    "strikes",
                    "Strikes at a placed position: dot area in proportion to deaths (announced and "
                    "presumed dead); positions with no deaths keep the smallest dot",
                    _rgba(STRIKE_COLOR, 220),
                    "dot",
                )
            )
            if (strikes["count_label"] != "").any():
                entries.append(
                    LegendEntry(
                        "strikes",
                        "Number on a dot: strike engagements placed at that same position (hover for where and why)",
                        _rgba(STRIKE_COLOR, 220),
                        "count",
                    )
                )
        if "rings" in show and (strikes["precision"] != "exact").any():
            entries.append(
                LegendEntry(
                    "rings",
                    "Ring: how far the true position may lie from the placed one (approximate or area placement)",
                    _rgba(RING_COLOR),
                    "ring",
                )
            )
    if "routes" in show and routes is not None and len(routes):
        paths = route_paths(routes)
        if len(paths):
            types = {str(t) for t in routes.loc[routes["route_id"].isin(paths["route_id"]), "route_type"]}
            drawn = {t if t in ROUTE_COLORS else "other" for t in types}
            for name, color in ROUTE_COLORS.items():
                if name in drawn:
                    entries.append(LegendEntry("routes", f"Route: {name}", _rgba(color, 230), "line"))
            if paths["schematic"].any():
                entries.append(
                    LegendEntry(
                        "routes",
                        "Thinner, fainter line: schematic route drawn between areas, not traced",
                        _rgba(SCHEMATIC_LEGEND_COLOR),
                        "thin line",
                    )
                )
    if "designations" in show:
        pts = aggregate_designations(designations)
        if len(pts):
            first = len(entries)
            for name, color in ENTITY_COLORS.items():
                of_type = pts[pts["entity_type"] == name]
                if len(of_type):
                    style = "dot" if of_type["filled"].any() else "hollow dot"
                    entries.append(LegendEntry("designations", f"Designations: {name}", _rgba(color, 230), style))
            other = sorted(set(pts["entity_type"]) - set(ENTITY_COLORS))
            if other:
                entries.append(
                    LegendEntry("designations", "Designations: " + ", ".join(other), (127, 127, 127, 230), "dot")
                )
            entries[first] = entries[first]._replace(
                label=entries[first].label + " (a place takes the colour of its most common entity type; "
                "the circle grows with the number of designations there)"
            )
            if (~pts["filled"]).any():
                entries.append(
                    LegendEntry(
                        "designations",
                        "Hollow circle: designation placed at country or area level, not at an address",
                        (90, 90, 90, 230),
                        "hollow dot",
                    )
                )
    return entries


def build_layers(
    incidents: pd.DataFrame,
    designations: pd.DataFrame,
    routes: gpd.GeoDataFrame | None,
    *,
    show: tuple[str, ...] = LAYER_NAMES,
    max_points: int = 5000,
) -> list[pdk.Layer]:
    """The map's layers in drawing order (basemap first, strikes on top)."""
    layers: list[pdk.Layer] = []
    if "basemap" in show:
        ocean = [{"polygon": [[-180, -85], [180, -85], [180, 85], [-180, 85]]}]
        layers.append(
            pdk.Layer(
                "PolygonLayer",
                ocean,
                id="ocean",
                get_polygon="polygon",
                get_fill_color=OCEAN_COLOR,
                stroked=False,
                pickable=False,
            )
        )
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                countries_feature_collection(SCREEN_TOLERANCE_DEG),
                id="basemap",
                get_fill_color=LAND_COLOR,
                get_line_color=BORDER_COLOR,
                line_width_min_pixels=0.5,
                pickable=False,
            )
        )
    if "routes" in show:
        paths = route_paths(routes)
        layers.append(
            pdk.Layer(
                "PathLayer",
                paths,
                id="routes",
                get_path="path",
                get_color="color",
                get_width="width",
                width_units=PIXELS,
                pickable=True,
                auto_highlight=True,
            )
        )
    if "designations" in show:
        pts = aggregate_designations(designations)
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                pts,
                id="designations",
                get_position=["longitude", "latitude"],
                get_fill_color="fill",
                get_line_color="color",
                get_radius="radius_px",
                radius_units=PIXELS,
                stroked=True,
                filled=True,
                line_width_min_pixels=2,
                pickable=True,
            )
        )
    strikes = aggregate_strikes(incidents, max_points=max_points)
    if "rings" in show:
        rings = strikes.loc[strikes["precision"] != "exact", ["longitude", "latitude", "radius_km"]]
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                rings,
                id="rings",
                get_position=["longitude", "latitude"],
                get_radius="radius_km * 1000",
                radius_units=METERS,
                stroked=True,
                filled=False,
                get_line_color=RING_COLOR,
                line_width_min_pixels=1,
                pickable=False,
            )
        )
    if "strikes" in show:
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                strikes,
                id="strikes",
                get_position=["longitude", "latitude"],
                get_radius="symbol_px",
                radius_units=PIXELS,
                get_fill_color=STRIKE_COLOR + [220],
                get_line_color=[255, 255, 255],
                stroked=True,
                line_width_min_pixels=1,
                pickable=True,
                auto_highlight=True,
            )
        )
        counts = strikes.loc[strikes["count_label"] != "", ["longitude", "latitude", "count_label"]]
        if len(counts):
            layers.append(
                pdk.Layer(
                    "TextLayer",
                    counts,
                    id="strike_counts",
                    get_position=["longitude", "latitude"],
                    get_text="count_label",
                    get_size=COUNT_TEXT_PX,
                    size_units=PIXELS,
                    get_color=COUNT_TEXT_COLOR,
                    font_weight=700,
                    font_family="'Helvetica, Arial, sans-serif'",
                    font_settings={"sdf": True},
                    outline_width=4,
                    outline_color=COUNT_OUTLINE_COLOR,
                    get_text_anchor="'middle'",
                    get_alignment_baseline="'center'",
                    pickable=False,
                )
            )
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
