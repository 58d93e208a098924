"""The static map: projection, extent, symbols and a page layout measured in points.

A map is planned first (:func:`plan_map`: which records are in the frame, the
projection, the frame's projected limits, the counters of what is in view) and
then drawn (:func:`draw_map`) on a matplotlib figure whose layout is computed in
typographic points, so the same preset at 150 or 300 dpi has the same layout,
only sharper.  Title, subtitle, counters, key, scale and credits sit in panels
outside the map frame; nothing is drawn over the data but the map's own labels,
which are placed only where they cover no strike symbol.

Coordinates come in as EPSG:4326 longitude/latitude.  Regional maps use a
Lambert azimuthal equal-area projection centred on the view (symbol areas and
rings keep their proportions); world-spanning views use Equal Earth.  Distances
are metres in the projected CRS and kilometres in labels.  No tiles, no network.

The modules, in the order they build on each other:

- :mod:`.style`: matplotlib settings, ink and symbol colours;
- :mod:`.frame`: extent options, projection and the projected frame (degrees in, metres out);
- :mod:`.plan`: the spec, the records in the frame, counters, notes and the manifest's description;
- :mod:`.shapes`: land, rings and routes clipped and projected into the frame;
- :mod:`.vessels`: AIS vessel tracks and events in the frame, their marks, key entries and footnote;
- :mod:`.page`: text measured, wrapped and placed in points;
- :mod:`.key`: the key panel (counters, legend, size key, scale bar, locator);
- :mod:`.layout`: header, footer, panel and map boxes, and the frame settled to the map box;
- :mod:`.draw`: the map drawn, labelled and rendered to PNG, SVG or PDF bytes.
"""

from __future__ import annotations

import matplotlib

# before any submodule imports pyplot: the package always runs ahead of its modules
matplotlib.use("Agg")

from tracker import layers as layers  # noqa: E402
from tracker.cartography.draw import draw_map, pixel_of, render_map, render_plan  # noqa: E402
from tracker.cartography.frame import REGIONS, Frame, check_bounds, default_extent  # noqa: E402
from tracker.cartography.key import _Scale as _Scale  # noqa: E402
from tracker.cartography.plan import IMAGE_FORMATS as IMAGE_FORMATS  # noqa: E402
from tracker.cartography.plan import MAP_LAYER_NAMES as MAP_LAYER_NAMES  # noqa: E402
from tracker.cartography.plan import (  # noqa: E402
    PRESETS,
    MapPlan,
    MapSpec,
    check_spec,
    describe,
    plan_map,
    spec_for_preset,
    subtitle_for,
    title_for,
)
from tracker.cartography.plan import in_date_range as in_date_range  # noqa: E402
from tracker.cartography.style import _STYLE as _STYLE  # noqa: E402
from tracker.cartography.vessels import VESSELS as VESSELS  # noqa: E402

__all__ = [
    "PRESETS",
    "REGIONS",
    "MapSpec",
    "MapPlan",
    "Frame",
    "plan_map",
    "draw_map",
    "render_map",
    "render_plan",
    "pixel_of",
    "describe",
    "default_extent",
    "check_bounds",
    "check_spec",
    "title_for",
    "subtitle_for",
    "spec_for_preset",
]
