"""The legend of the browser map: one entry per kind of symbol drawn, in its drawn colour."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

from tracker.layers.places import aggregate_designations, route_paths
from tracker.layers.strikes import aggregate_strikes
from tracker.layers.style import (
    ENTITY_COLORS,
    LAYER_NAMES,
    MAX_POINTS,
    RING_COLOR,
    ROUTE_COLORS,
    SCHEMATIC_LEGEND_COLOR,
    STRIKE_COLOR,
)

if TYPE_CHECKING:
    import geopandas as gpd


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
    max_points: int = MAX_POINTS,
    strikes: pd.DataFrame | None = None,
    context: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> list[LegendEntry]:
    """The legend of what ``build_layers`` draws for the same arguments, in its colours.

    ``strikes``, when given, is the :func:`aggregate_strikes` of ``incidents`` already made.

    Only layers that are shown and have something drawn get entries; routes list only the
    route types drawn, designations only the entity types that colour a drawn place (the
    most common type at each place).
    """
    entries: list[LegendEntry] = []
    if "strikes" in show or "rings" in show:
        if strikes is None:
            strikes = aggregate_strikes(incidents, max_points=max_points)
        entries.extend(strike_legend(strikes, show=show))
    if "routes" in show and routes is not None and len(routes):
        paths = route_paths(routes) if context is None else context[1]
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
        pts = aggregate_designations(designations) if context is None else context[0]
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


def strike_legend(strikes: pd.DataFrame, *, show: tuple[str, ...] = LAYER_NAMES) -> list[LegendEntry]:
    """The strike and ring lines of the legend for aggregated ``strikes``: what a dot, its
    number and its ring mean, in grid cells when the records were grouped in cells."""
    entries: list[LegendEntry] = []
    if not len(strikes):
        return entries
    cell = float(strikes["cell_km"].iloc[0]) if "cell_km" in strikes else 0.0
    if "strikes" in show:
        if cell:
            label = (
                f"Strikes grouped in grid cells of about {cell:g} km (too many positions to draw one by one): "
                "dot area in proportion to the deaths in the cell (announced and presumed dead), at the cell's "
                "centre; cells with no deaths keep the smallest dot"
            )
        else:
            label = (
                "Strikes at a placed position: dot area in proportion to deaths (announced and "
                "presumed dead); positions with no deaths keep the smallest dot"
            )
        entries.append(LegendEntry("strikes", label, _rgba(STRIKE_COLOR, 220), "dot"))
        if (strikes["count_label"] != "").any():
            label = (
                "Number on a dot: strike engagements in that cell (hover for records, dates and deaths)"
                if cell
                else "Number on a dot: strike engagements placed at that same position (hover for where and why)"
            )
            entries.append(LegendEntry("strikes", label, _rgba(STRIKE_COLOR, 220), "count"))
    if "rings" in show and ((strikes["precision"] != "exact") | (strikes["ring_km"] > 0)).any():
        label = (
            "Ring: how far the true positions of a cell's records may lie from its dot (the cell and each "
            "record's own uncertainty)"
            if cell
            else "Ring: how far the true position may lie from the placed one (approximate or area placement)"
        )
        entries.append(LegendEntry("rings", label, _rgba(RING_COLOR), "ring"))
    return entries


def listed_legend(places: pd.DataFrame) -> list[LegendEntry]:
    """The legend of :func:`tracker.layers.deck.listed_entities_deck`: one line per entity type that
    colours a drawn country, and what the circles mean."""
    entries = [
        LegendEntry(
            "listed_entities",
            f"Listed entities, most of them {t} (circle area grows with the count)",
            _rgba(ENTITY_COLORS.get(t, [127, 127, 127]), 230),
            "hollow dot",
        )
        for t in dict.fromkeys(places["entity_type"])
    ]
    if entries:
        entries.append(
            LegendEntry(
                "listed_entities",
                "Each circle sits on its country's label point, not on an address",
                (90, 90, 90, 230),
                "ring",
            )
        )
    return entries
