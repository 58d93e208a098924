"""The map's house style: matplotlib settings, ink colours, line dashes and symbol colours.

Colours are matplotlib RGBA tuples with channels in 0..1 (:func:`_rgb` converts the
0..255 lists of :mod:`tracker.layers`); dashes and widths are in points.
"""

from __future__ import annotations

from typing import Any

from matplotlib.typing import RcKeyType

from tracker import layers

_STYLE: dict[RcKeyType, Any] = {
    "svg.hashsalt": "interdiction-tracker",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",
    "axes.linewidth": 0.6,
    "text.hinting": "none",
}
_INK = "#222222"
_MUTED = "#555555"
_PANEL_GAP = 0.8  # in units of the base font size
_LINESPACING = 1.3
_DASH = (0, (4, 3))
_STRIKE_FACE = (214 / 255, 39 / 255, 40 / 255, 0.82)
_STRIKE_EDGE = 0.9
MIN_TEXT_PX = 9.0
"""No text is set smaller than this many pixels (and 0.72 × the base size in points)."""


def _rgb(color) -> tuple:
    alpha = color[3] / 255 if len(color) > 3 else 1.0
    return (color[0] / 255, color[1] / 255, color[2] / 255, alpha)


def _route_rgba(route_type: str, schematic: bool) -> tuple:
    """A route's line colour: its type's colour, fainter when the line is schematic."""
    return _rgb(layers.ROUTE_COLORS.get(route_type, layers.ROUTE_COLORS["other"])[:3] + [150 if schematic else 235])
