"""The map's shared styles (the static export uses the same ones) and the strike symbol size.

Colours are RGB(A) lists of 0..255; on-screen sizes are pixels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pydeck as pdk

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
    "person": [23, 190, 207],  # the lists say person where the designations say individual
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
MAX_POINTS = 1500
"""The most strike points (and as many rings and count labels) the browser map is sent."""
TOOLTIP_FIELD_CHARS = 40
"""Longest text from a record that a tooltip shows in one field (the detail panel has the rest)."""


def strike_symbol_px(deaths: pd.Series | np.ndarray) -> np.ndarray:
    """On-screen strike symbol radius in pixels: 3 px per square root of deaths, at least 4 px.

    Above the minimum the symbol's area is proportional to deaths (announced plus presumed
    dead); positions with no deaths (or one) keep the 4 px minimum so they stay visible.
    """
    d = np.nan_to_num(np.asarray(deaths, dtype=float), nan=0.0)
    return np.maximum(STRIKE_SYMBOL_MIN_PX, STRIKE_SYMBOL_PX_PER_SQRT_DEATH * np.sqrt(np.clip(d, 0, None)))
