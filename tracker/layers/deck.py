"""The browser map: pydeck layers in drawing order and a deck with no tiles.

Text from data only ever enters a layer as a data column: accessor strings here name
columns and never embed data.  Tooltips use deck.gl's ``text`` mode (set as text,
never parsed as HTML).  No basemap tiles: ``map_provider=None`` and the bundled
countries are drawn as the first layer over an ocean rectangle.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from tracker.basemap import countries_feature_collection
from tracker.layers.places import aggregate_designations, route_paths
from tracker.layers.strikes import aggregate_strikes
from tracker.layers.style import (
    BORDER_COLOR,
    COUNT_OUTLINE_COLOR,
    COUNT_TEXT_COLOR,
    COUNT_TEXT_PX,
    DEFAULT_VIEW,
    LAND_COLOR,
    LAYER_NAMES,
    MAX_POINTS,
    METERS,
    OCEAN_COLOR,
    PIXELS,
    RING_COLOR,
    SCREEN_TOLERANCE_DEG,
    STRIKE_COLOR,
)

if TYPE_CHECKING:
    import geopandas as gpd


def basemap_layers() -> list[pdk.Layer]:
    """The ocean rectangle and the bundled countries: the map's ground, with no tiles."""
    layers: list[pdk.Layer] = []
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
            BASEMAP_DATA,
            id="basemap",
            get_fill_color=LAND_COLOR,
            get_line_color=BORDER_COLOR,
            line_width_min_pixels=0.5,
            pickable=False,
        )
    )
    return layers


def build_layers(
    incidents: pd.DataFrame,
    designations: pd.DataFrame,
    routes: gpd.GeoDataFrame | None,
    *,
    show: tuple[str, ...] = LAYER_NAMES,
    max_points: int = MAX_POINTS,
    rows: np.ndarray | None = None,
    strikes: pd.DataFrame | None = None,
    context: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> list[pdk.Layer]:
    """The map's layers in drawing order (basemap first, strikes on top).

    ``rows`` (a boolean mask over ``incidents``) selects the strikes without copying the
    frame; ``strikes``, when given, is their :func:`aggregate_strikes` already made, and
    ``context`` the (:func:`aggregate_designations`, :func:`route_paths`) of the other two.  Each
    layer is sent only the columns it draws, positions to 5 decimals (about a metre).
    """
    layers: list[pdk.Layer] = []
    if "basemap" in show:
        layers += basemap_layers()
    if "routes" in show:
        paths = route_paths(routes) if context is None else context[1]
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
        pts = aggregate_designations(designations) if context is None else context[0]
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
    if strikes is None:
        strikes = aggregate_strikes(incidents, max_points=max_points, rows=rows)
    drawn = _compact(strikes)
    if "rings" in show:
        ringed = (strikes["precision"] != "exact") | (strikes["ring_km"] > 0)
        rings = (  # one ring per point: the widest (it holds the others drawn there)
            drawn.loc[ringed, ["longitude", "latitude", "ring_km"]]
            .groupby(["longitude", "latitude"], as_index=False, sort=False)["ring_km"]
            .max()
            .rename(columns={"ring_km": "radius_km"})
        )
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
                drawn[["longitude", "latitude", "symbol_px", "tooltip", "all_ids"]],
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
        counts = drawn.loc[drawn["count_label"] != "", ["longitude", "latitude", "count_label"]]
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


def _compact(strikes: pd.DataFrame) -> pd.DataFrame:
    """The strike points with positions to 5 decimals, sizes to 2 and ring radii to 0.1 km."""
    return strikes.assign(
        longitude=strikes["longitude"].astype(float).round(5),
        latitude=strikes["latitude"].astype(float).round(5),
        symbol_px=strikes["symbol_px"].astype(float).round(2),
        ring_km=strikes["ring_km"].astype(float).round(1),
    )


TOOLTIP = {"text": "{tooltip}"}
"""deck.gl's text-mode tooltip: the point's ``tooltip`` column, set as text, never parsed as HTML."""
BASEMAP_DATA = "tracker:basemap-countries"
"""The basemap layer's data in the layer itself: :class:`CompactDeck` puts the bundled countries
(GeoJSON, serialised once per process) in its place when it writes the deck's JSON."""


@lru_cache(maxsize=1)
def _basemap_json() -> str:
    return json.dumps(countries_feature_collection(SCREEN_TOLERANCE_DEG), separators=(",", ":"))


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation (pydeck indents by 2, which triples the size), with
    the bundled countries written in where the basemap layer names them."""

    def to_json(self) -> str:
        text = json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))
        return text.replace(json.dumps(BASEMAP_DATA), _basemap_json(), 1)


def build_deck(layers: list[pdk.Layer], *, view: pdk.ViewState = DEFAULT_VIEW) -> pdk.Deck:
    """A deck with no tile basemap and text-only tooltips."""
    return CompactDeck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        tooltip=TOOLTIP,
    )


class PrebuiltDeck(pdk.Deck):
    """A deck whose JSON was written before (by :meth:`CompactDeck.to_json`, e.g. from a cache):
    it hands that text on unchanged, with the same text-only tooltip."""

    def __init__(self, deck_json: str) -> None:
        super().__init__(layers=[], initial_view_state=DEFAULT_VIEW, map_provider=None, tooltip=TOOLTIP)
        self._deck_json = deck_json

    def to_json(self) -> str:
        return self._deck_json


def build_map(
    incidents: pd.DataFrame,
    designations: pd.DataFrame,
    routes: gpd.GeoDataFrame | None,
    *,
    show: tuple[str, ...] = LAYER_NAMES,
    max_points: int = MAX_POINTS,
    rows: np.ndarray | None = None,
) -> tuple[CompactDeck, list, pd.DataFrame]:
    """The deck, its legend entries and the strike points, each aggregate made once.

    ``rows`` (a boolean mask over ``incidents``) selects the strikes without copying the frame.
    """
    from tracker.layers.legend import legend_entries

    strikes = aggregate_strikes(incidents, max_points=max_points, rows=rows)
    context = (
        aggregate_designations(designations),
        route_paths(routes) if routes is not None else pd.DataFrame(columns=["route_id", "path", "schematic"]),
    )
    built = build_layers(incidents, designations, routes, show=show, strikes=strikes, context=context)
    legend = legend_entries(incidents, designations, routes, show=show, strikes=strikes, context=context)
    return build_deck(built), legend, strikes


LISTED_VIEW = pdk.ViewState(latitude=20.0, longitude=0.0, zoom=0.8)
"""The whole world: listed entities sit on every continent."""


def listed_entities_deck(places: pd.DataFrame) -> CompactDeck:
    """Listed entities per country (:func:`tracker.sanctions.placing.place_entities`) on the bundled
    basemap: one hollow circle per country (country level, like the bundled designations), its area
    growing with the count, coloured by the country's most common entity type."""
    from tracker.layers.style import ENTITY_COLORS

    grey = [127, 127, 127]
    points = places.assign(
        color=places["entity_type"].map(lambda t: ENTITY_COLORS.get(t, grey) + [230]),
        radius_px=3.0 + 2.0 * np.sqrt(places["entities"].astype(float)),
    )[["longitude", "latitude", "color", "radius_px", "tooltip"]]
    layer = pdk.Layer(
        "ScatterplotLayer",
        points,
        id="listed_entities",
        get_position=["longitude", "latitude"],
        get_line_color="color",
        get_fill_color="color",
        get_radius="radius_px",
        radius_units=PIXELS,
        stroked=True,
        filled=False,
        line_width_min_pixels=2,
        pickable=True,
    )
    return build_deck([*basemap_layers(), layer], view=LISTED_VIEW)
