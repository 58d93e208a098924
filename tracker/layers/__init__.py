"""pydeck layers and the map built from filtered canonical frames.

Points are aggregated on the server before they are sent to the browser (see
:mod:`.strikes`): records sharing a position become one point, and when there are more
points than :data:`MAX_POINTS` the records are grouped into grid cells that grow until
they fit, so the deck's size is bounded whatever the filters.  A point holding two or
more strike engagements shows their number in a text layer (the number is a data column
too), and ``legend_entries`` lists what ``build_layers`` draws, in its colours.

- :mod:`.style`: colours, units and symbol sizes shared with the static export;
- :mod:`.strikes`: strike records grouped into drawn points (positions or grid cells);
- :mod:`.places`: designation places and route lines;
- :mod:`.legend`: the legend entries;
- :mod:`.deck`: the layers and the deck.
"""

from tracker.layers.deck import (
    CompactDeck,
    PrebuiltDeck,
    basemap_layers,
    build_deck,
    build_layers,
    build_map,
    listed_entities_deck,
)
from tracker.layers.legend import LegendEntry, legend_entries, listed_legend, strike_legend
from tracker.layers.places import aggregate_designations, route_paths
from tracker.layers.strikes import CELL_LADDER_KM, aggregate_strikes, choose_cell_km
from tracker.layers.style import (
    BORDER_COLOR,
    COUNT_OUTLINE_COLOR,
    COUNT_TEXT_COLOR,
    COUNT_TEXT_PX,
    DEFAULT_VIEW,
    ENTITY_COLORS,
    LAND_COLOR,
    LAYER_NAMES,
    LEGEND,
    MAX_POINTS,
    METERS,
    OCEAN_COLOR,
    PIXELS,
    RING_COLOR,
    ROUTE_COLORS,
    SCHEMATIC_LEGEND_COLOR,
    SCREEN_TOLERANCE_DEG,
    STRIKE_COLOR,
    STRIKE_SYMBOL_MIN_PX,
    STRIKE_SYMBOL_PX_PER_SQRT_DEATH,
    strike_symbol_px,
)

__all__ = [
    "BORDER_COLOR",
    "CELL_LADDER_KM",
    "COUNT_OUTLINE_COLOR",
    "COUNT_TEXT_COLOR",
    "COUNT_TEXT_PX",
    "CompactDeck",
    "PrebuiltDeck",
    "DEFAULT_VIEW",
    "ENTITY_COLORS",
    "LAND_COLOR",
    "LAYER_NAMES",
    "LEGEND",
    "LegendEntry",
    "MAX_POINTS",
    "METERS",
    "OCEAN_COLOR",
    "PIXELS",
    "RING_COLOR",
    "ROUTE_COLORS",
    "SCHEMATIC_LEGEND_COLOR",
    "SCREEN_TOLERANCE_DEG",
    "STRIKE_COLOR",
    "STRIKE_SYMBOL_MIN_PX",
    "STRIKE_SYMBOL_PX_PER_SQRT_DEATH",
    "aggregate_designations",
    "aggregate_strikes",
    "basemap_layers",
    "build_deck",
    "build_layers",
    "build_map",
    "choose_cell_km",
    "legend_entries",
    "listed_entities_deck",
    "listed_legend",
    "route_paths",
    "strike_legend",
    "strike_symbol_px",
]
