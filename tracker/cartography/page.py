"""Type on the page: text measured, wrapped and placed in typographic points.

A :class:`_Page` places text by points from the page's top-left corner (1 pt = 1/72 in),
so a layout is the same at any dpi; :func:`_base_size` is the base type size in points.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path

from tracker.cartography.plan import MapSpec
from tracker.cartography.style import _INK, _LINESPACING, MIN_TEXT_PX

_FontStyle = Literal["normal", "italic", "oblique"]


@lru_cache(maxsize=50_000)
def _width_10pt(text: str, weight: str, style: _FontStyle) -> float:
    prop = FontProperties(family="DejaVu Sans", size=10, weight=weight, style=style)
    w, _h, _d = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return float(w)


class _Page:
    """Places artists on a figure by points measured from the top-left corner."""

    def __init__(self, fig, w_pt: float, h_pt: float, dpi: float) -> None:
        self.fig, self.w, self.h, self.dpi = fig, w_pt, h_pt, dpi
        self.renderer = fig.canvas.get_renderer()

    def fx(self, x: float) -> float:
        return x / self.w

    def fy(self, y: float) -> float:
        return 1.0 - y / self.h

    def width_of(self, text: str, size: float, weight: str = "normal", style: _FontStyle = "normal") -> float:
        """Width in points of one line of ``text`` (the font's advance widths, whatever the dpi)."""
        return _width_10pt(text, weight, style) * size / 10.0

    def wrap(self, text: str, size: float, width: float, weight: str = "normal") -> str:
        """Greedy word wrap so no line is wider than ``width`` points (2% kept for kerning)."""
        limit = width * 0.98
        space = self.width_of(" ", size, weight)
        out = []
        for para in text.split("\n"):
            line, line_w = "", 0.0
            for word in para.split(" "):
                word_w = self.width_of(word, size, weight)
                if line and line_w + space + word_w > limit:
                    out.append(line)
                    line, line_w = word, word_w
                else:
                    line, line_w = (f"{line} {word}", line_w + space + word_w) if line else (word, word_w)
            # a single word wider than the line is broken by characters
            while self.width_of(line, size, weight) > limit and len(line) > 1:
                cut = max(1, int(len(line) * limit / self.width_of(line, size, weight)) - 1)
                out.append(line[:cut])
                line = line[cut:]
            out.append(line)
        return "\n".join(out)

    def extent_pt(self, artist) -> tuple[float, float, float, float]:
        """An artist's box in points from the top left: (x0, y0, x1, y1)."""
        bb = artist.get_window_extent(self.renderer)
        k = 72.0 / self.dpi
        return bb.x0 * k, self.h - bb.y1 * k, bb.x1 * k, self.h - bb.y0 * k

    def text(
        self, x: float, y: float, text: str, size: float, *, width: float, va: str = "top", gid: str | None = None, **kw
    ):
        wrapped = self.wrap(text, size, width, kw.get("weight", "normal"))
        t = self.fig.text(
            self.fx(x),
            self.fy(y),
            wrapped,
            fontsize=size,
            ha="left",
            va=va,
            linespacing=_LINESPACING,
            color=kw.pop("color", _INK),
            **kw,
        )
        if gid:
            t.set_gid(gid)
        return t


def _base_size(spec: MapSpec) -> float:
    """The base type size in points: grows with the page, and the smallest type (0.72 of it)
    is never below :data:`MIN_TEXT_PX` pixels."""
    W, _H = spec.size_pt
    return max(float(np.clip(W / 90.0, 8.0, 13.0)), MIN_TEXT_PX / 0.72 * 72.0 / spec.dpi)
