"""The key panel beside or under the map: counters, legend, symbol-size key, scale bar, locator.

Blocks are laid out in points from the page's top left; symbol sizes are diameters in
points (circle area proportional to deaths); the scale bar states kilometres measured on
the WGS84 ellipsoid; the locator is drawn in plain longitude/latitude degrees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle

from tracker import layers
from tracker.cartography import vessels as vessel_marks
from tracker.cartography.frame import _GEOD, _box_outline
from tracker.cartography.page import _Page
from tracker.cartography.plan import MapPlan
from tracker.cartography.shapes import _land_lonlat, _route_segments
from tracker.cartography.style import _DASH, _INK, _MUTED, _STRIKE_EDGE, _STRIKE_FACE, _rgb, _route_rgba

SCALE_BAR_MAX_LAT_SPAN = 60.0
"""Maps spanning more latitude than this get no scale bar: their scale varies too much."""


def _nice(value: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above ``value``."""
    if value <= 0:
        return 0.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (5, 2, 1):
        if step * exp <= value:
            return step * exp
    return exp


def _size_key_values(max_deaths: float) -> list[float]:
    top = _nice(max_deaths)
    values = [top]
    for v in (_nice(top / 4), _nice(top / 16)):
        if v >= 1 and v not in values:
            values.append(v)
    return values


@dataclass(frozen=True)
class _Scale:
    """Symbol sizes: area (pt²) per death, the largest diameter and the floor for small ones."""

    per_death: float
    min_diameter: float

    def diameter(self, deaths) -> np.ndarray:
        d = np.sqrt(np.clip(np.asarray(deaths, float), 0, None) * self.per_death)
        return np.maximum(d, self.min_diameter)


def _cell_km(strikes: pd.DataFrame) -> float:
    """The grid cell side (km) the strikes are grouped in, or 0 when drawn at their positions."""
    return float(strikes["cell_km"].iloc[0]) if len(strikes) and "cell_km" in strikes else 0.0


def _symbol_scale(strikes: pd.DataFrame, map_w: float, map_h: float, frame_width_m: float | None = None) -> _Scale:
    """Symbol sizes for a map ``map_w`` × ``map_h`` points: the largest 8.5 % of its short side
    (16 to 46 pt).  Strikes grouped in grid cells: the largest no wider than a cell on the map
    (``frame_width_m``, the frame's width in metres, gives the cell's size in points)."""
    deaths = (strikes["killed"] + strikes["presumed_dead"]).to_numpy(float) if len(strikes) else np.zeros(0)
    max_d = float(deaths.max()) if len(deaths) and deaths.max() > 0 else 1.0
    biggest = float(np.clip(min(map_w, map_h) * 0.085, 16.0, 46.0))
    cell = _cell_km(strikes)
    if cell and frame_width_m:
        biggest = float(np.clip(cell * 1000.0 / (frame_width_m / map_w), 6.0, biggest))
    return _Scale(per_death=biggest**2 / max_d, min_diameter=4.0)


def _legend_handles(plan: MapPlan, routes_drawn: list, scale: _Scale, b: float) -> list:
    show = set(plan.spec.show)
    handles = []
    strikes = plan.strikes
    red = _rgb(layers.STRIKE_COLOR)
    cell = _cell_km(strikes)
    if "strikes" in show and len(strikes):
        deaths = strikes["killed"] + strikes["presumed_dead"]
        if (deaths > 0).any():
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markerfacecolor=_STRIKE_FACE,
                    markeredgecolor=red,
                    markeredgewidth=_STRIKE_EDGE,
                    markersize=b * 1.1,
                    label=f"Strikes in a grid cell of about {cell:g} km, at its centre (area: deaths in the cell; "
                    "number, where it fits: strike engagements)"
                    if cell
                    else "Strike position (area: deaths)",
                )
            )
        if (deaths == 0).any():
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markerfacecolor="white",
                    markeredgecolor=red,
                    markeredgewidth=_STRIKE_EDGE,
                    markersize=scale.min_diameter,
                    label="Grid cell of strikes, no deaths recorded" if cell else "Strike position, no deaths recorded",
                )
            )
    ringed = (strikes["precision"] != "exact") | (strikes["ring_km"] > 0) if "ring_km" in strikes else None
    if "rings" in show and len(strikes) and ringed is not None and ringed.any():
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="none",
                markeredgecolor=_rgb(layers.RING_COLOR),
                markersize=b * 1.6,
                label="How far a cell's strikes may lie from its circle (the cell and each position's uncertainty)"
                if cell
                else "Uncertainty of an approximate or area position",
            )
        )
    present: dict[str, set[bool]] = {}
    for _xy, rtype, schematic in routes_drawn:
        present.setdefault(rtype, set()).add(schematic)
    for rtype in layers.ROUTE_COLORS:
        kinds = present.get(rtype, set())
        if kinds:  # drawn as the map draws it: solid where traced, dashed where only schematic
            schematic_only = kinds == {True}
            handles.append(
                Line2D(
                    [],
                    [],
                    color=_route_rgba(rtype, schematic_only),
                    linewidth=1.2 if schematic_only else 2.0,
                    linestyle=_DASH if schematic_only else "solid",
                    label=f"Route: {rtype}",
                )
            )
    if any(True in v for v in present.values()):
        handles.append(
            Line2D(
                [],
                [],
                color="#8a8a8a",
                linewidth=1.2,
                linestyle=_DASH,
                label="Dashed, fainter: schematic route, drawn between named places",
            )
        )
    des = layers.aggregate_designations(plan.designations) if len(plan.designations) else None
    if des is not None and len(des):
        for etype in layers.ENTITY_COLORS:
            rows = des[des["entity_type"] == etype]
            if rows.empty:
                continue
            color = _rgb(layers.ENTITY_COLORS[etype])
            if rows["filled"].any():
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker="o",
                        linestyle="",
                        markerfacecolor=color,
                        markeredgecolor=color,
                        markersize=b * 0.8,
                        label=f"Designations: {etype}",
                    )
                )
            if (~rows["filled"]).any():
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker="o",
                        linestyle="",
                        markerfacecolor="none",
                        markeredgecolor=color,
                        markeredgewidth=1.5,
                        markersize=b * 0.8,
                        label=f"Designations: {etype}, placed at country or area level",
                    )
                )
    return handles


def _vessel_handles(plan: MapPlan, b: float) -> list:
    """The key of the AIS vessels drawn: one entry per vessel group and per event kind in the frame."""
    if plan.vessel_tracks is None:
        return []
    return vessel_marks.legend_handles(plan.vessel_tracks, plan.vessel_events, b)


_KEEP = "\u00a0"
"""A no-break space: holds a reported range together when the counter lines are wrapped."""


def _counter_lines(plan: MapPlan, *, keep_ranges_whole: bool = False) -> str:
    """One line per counter: "Deaths announced: 192 people", with the reported range beside the
    announced figure where other sources differ ("… (reported 192–195)"); ``keep_ranges_whole``
    joins the range's words with no-break spaces, so wrapping moves it to the next line whole."""
    space = _KEEP if keep_ranges_whole else " "
    return "\n".join(
        f"{c.label}: {c.value:,} {_unit(c.value, c.unit)}"
        + (f" ({c.reported.replace(' ', space)})" if c.reported else "")
        for c in plan.counters
    )


_SINGULAR = {
    "engagements": "engagement",
    "vessels": "vessel",
    "people": "person",
    "listings": "listing",
    "events": "event",
}


def _unit(value: int, unit: str) -> str:
    """'1 person', '2 people': the unit's first word in the singular when the value is one."""
    if value != 1:
        return unit
    first, _, rest = unit.partition(" ")
    return " ".join(filter(None, [_SINGULAR.get(first, first), rest]))


def _draw_panel(
    page: _Page,
    plan: MapPlan,
    x: float,
    y: float,
    width: float,
    b: float,
    *,
    probe: bool,
    columns: int = 1,
    max_height: float | None = None,
    scale: _Scale | None = None,
    routes_drawn: list | None = None,
    locator: bool = True,
) -> dict:
    """The key panel: counters, key, symbol-size key, scale bar and locator, in that order.

    The blocks flow down ``columns`` columns: a column ends where the next block would pass
    ``max_height`` (beside the map), or where the columns come out even (under it).
    Returns the panel's height and its artists.
    """
    if routes_drawn is None:
        routes_drawn = _route_segments(plan.frame, plan.routes) if plan.routes is not None else []
    if scale is None:
        scale = _symbol_scale(plan.strikes, 400, 400)
    blocks = _panel_blocks(plan, probe=probe, scale=scale, routes_drawn=routes_drawn, locator=locator)
    gutter = b * 1.5
    col_w = (width - gutter * (columns - 1)) / columns
    heights = []
    for block in blocks:
        trial: list = []
        heights.append(block(page, x, 0.0, col_w, b, trial))
        for a in trial:
            a.remove()
    limit = max_height if max_height else max(max(heights, default=0.0), sum(heights) / columns)
    cols: list[list[int]] = [[]]
    used = 0.0
    for i, h in enumerate(heights):
        if cols[-1] and used + h > limit + 0.5 and len(cols) < columns:
            cols.append([])
            used = 0.0
        cols[-1].append(i)
        used += h
    artists: list = []
    bottom = y
    for c, members in enumerate(cols):
        cy = y
        for i in members:
            cy = blocks[i](page, x + c * (col_w + gutter), cy, col_w, b, artists)
        bottom = max(bottom, cy)
    return {"height": bottom - y, "artists": artists}


def _panel_blocks(plan: MapPlan, *, probe: bool, scale: _Scale, routes_drawn: list, locator: bool) -> list:
    """The panel's blocks, each ``block(page, x, y, width, b, artists) -> y below it`` (points)."""

    def counters(page, x, y, width, b, artists):
        head = page.text(x, y, "In this view", b * 1.0, width=width, weight="bold", gid="panel")
        artists.append(head)
        lines = _counter_lines(plan, keep_ranges_whole=True)
        ct = page.text(x, page.extent_pt(head)[3] + b * 0.3, lines, b * 0.85, width=width, gid="counters")
        ct.set_text(ct.get_text().replace(_KEEP, " "))  # wrapped: plain spaces in the text the file carries
        artists.append(ct)
        return page.extent_pt(ct)[3] + b * 0.9

    def key(page, x, y, width, b, artists):
        return legend(page, x, y, width, b, artists, "Key", _legend_handles(plan, routes_drawn, scale, b), "legend")

    def vessel_key(page, x, y, width, b, artists):
        return legend(page, x, y, width, b, artists, "AIS vessels", _vessel_handles(plan, b), "vessel-legend")

    def legend(page, x, y, width, b, artists, title, handles, gid):
        kt = page.text(x, y, title, b * 1.0, width=width, weight="bold", gid="panel")
        artists.append(kt)
        y = page.extent_pt(kt)[3] + b * 0.2
        for h in handles:
            h.set_label(page.wrap(h.get_label(), b * 0.8, width - b * 2.6))
        leg = page.fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(page.fx(x), page.fy(y)),
            frameon=False,
            fontsize=b * 0.8,
            borderaxespad=0,
            borderpad=0,
            handlelength=1.6,
            handletextpad=0.6,
            labelspacing=0.5,
            alignment="left",
        )
        leg.set_gid(gid)
        artists.append(leg)
        return page.extent_pt(leg)[3] + b * 0.9

    def size_key(page, x, y, width, b, artists):
        deaths = plan.strikes["killed"] + plan.strikes["presumed_dead"]
        values = _size_key_values(float(deaths.max()))
        diam = [float(scale.diameter(v)) for v in values]
        what = "Deaths in a grid cell (circle area)" if _cell_km(plan.strikes) else "Deaths at a position (circle area)"
        st = page.text(x, y, what, b * 0.8, width=width, gid="panel")
        artists.append(st)
        y = page.extent_pt(st)[3] + b * 0.4
        # the reference circles side by side, bottom-aligned, drawn as the map draws strikes
        label_size = b * 0.72
        slots = [max(d, page.width_of(f"{v:g}", label_size)) for v, d in zip(values, diam)]
        gap = b * 0.9
        key_w = min(width, sum(slots) + gap * (len(slots) - 1) + 2)
        key_h = max(diam) + label_size * 1.5 + 2
        kax = page.fig.add_axes((page.fx(x), page.fy(y + key_h), key_w / page.w, key_h / page.h))
        kax.set_xlim(0, key_w)
        kax.set_ylim(0, key_h)
        kax.set_axis_off()
        kax.set_gid("sizekey")
        left, base = 1.0, label_size * 1.5
        for v, d, slot in zip(values, diam, slots):
            cx = left + slot / 2
            kax.add_patch(
                Circle(
                    (cx, base + d / 2),
                    d / 2,
                    facecolor=_STRIKE_FACE,
                    edgecolor=_rgb(layers.STRIKE_COLOR),
                    linewidth=_STRIKE_EDGE,
                )
            )
            kax.text(cx, 0, f"{v:g}", va="bottom", ha="center", fontsize=label_size, color=_INK)
            left += slot + gap
        artists.append(kax)
        note = page.text(
            x,
            y + key_h + b * 0.4,
            f"Smallest circles are drawn at least {scale.min_diameter:g} pt wide.",
            b * 0.72,
            width=width,
            color=_MUTED,
            gid="panel",
        )
        artists.append(note)
        return page.extent_pt(note)[3] + b * 0.9

    def scale_bar(page, x, y, width, b, artists):
        return _scale_bar(page, plan, x, y, width, b, artists, probe)

    def locator_map(page, x, y, width, b, artists):
        return _locator(page, plan, x, y, min(width, 260.0), b, artists, probe)

    blocks = [counters]
    if _legend_handles(plan, routes_drawn, scale, 10.0):
        blocks.append(key)
    if _vessel_handles(plan, 10.0):
        blocks.append(vessel_key)
    strikes = plan.strikes
    if "strikes" in plan.spec.show and len(strikes) and (strikes["killed"] + strikes["presumed_dead"]).max() > 0:
        blocks.append(size_key)
    frame = plan.frame
    plan.scale_bar = None
    if not frame.world and frame.lat_span <= SCALE_BAR_MAX_LAT_SPAN:
        blocks.append(scale_bar)
    if locator and not frame.world and (frame.lonlat_box[2] - frame.lonlat_box[0]) < 100:
        blocks.append(locator_map)
    return blocks


def _scale_bar(
    page: _Page, plan: MapPlan, x: float, y: float, width: float, b: float, artists: list, probe: bool
) -> float:
    """A scale bar true at the map's centre, where the projection has no distortion."""
    frame = plan.frame
    spec = plan.spec
    map_box = plan.layout.get("map") if not probe else None
    if map_box is None:  # before the map is placed, measure with the panel's own estimate
        W, H = spec.size_pt
        map_w = W * 0.7
    else:
        map_w = map_box[2] - map_box[0]
    m_per_pt = (frame.xlim[1] - frame.xlim[0]) / map_w
    cy = (frame.ylim[0] + frame.ylim[1]) / 2
    cx = (frame.xlim[0] + frame.xlim[1]) / 2
    lon, lat = frame.unproject([cx], [cy])
    max_len_pt = width * 0.75
    km = _nice(max_len_pt * m_per_pt / 1000.0)
    # the bar's length on the page: the geodesic distance along the centre line, measured by pyproj
    half = km * 1000.0 / 2
    lon1, lat1, _ = _GEOD.fwd(lon[0], lat[0], 270.0, half)
    lon2, lat2, _ = _GEOD.fwd(lon[0], lat[0], 90.0, half)
    xs, _ys = frame.project([lon1, lon2], [lat1, lat2])
    length_pt = float(abs(xs[1] - xs[0]) / m_per_pt)
    lat_txt = f"{abs(lat[0]):.0f}°{'N' if lat[0] >= 0 else 'S'}"
    st = page.text(x, y, f"Scale at the map's centre ({lat_txt})", b * 0.8, width=width, gid="panel")
    artists.append(st)
    y = page.extent_pt(st)[3] + b * 0.3
    bar_h = b * 1.6
    sax = page.fig.add_axes((page.fx(x), page.fy(y + bar_h), width / page.w, bar_h / page.h))
    sax.set_xlim(0, width)
    sax.set_ylim(0, bar_h)
    sax.set_axis_off()
    sax.set_gid("scalebar")
    sax.add_patch(
        Rectangle((1, bar_h - b * 0.45), length_pt / 2, b * 0.3, facecolor=_INK, edgecolor=_INK, linewidth=0.5)
    )
    sax.add_patch(
        Rectangle(
            (1 + length_pt / 2, bar_h - b * 0.45),
            length_pt / 2,
            b * 0.3,
            facecolor="white",
            edgecolor=_INK,
            linewidth=0.5,
        )
    )
    sax.text(1, 0, "0", fontsize=b * 0.72, ha="left", va="bottom", color=_INK)
    sax.text(1 + length_pt, 0, f"{km:,.0f} km", fontsize=b * 0.72, ha="right", va="bottom", color=_INK)
    artists.append(sax)
    if not probe:
        plan.scale_bar = (length_pt, km)
    return y + bar_h + b * 0.9


def _locator(
    page: _Page, plan: MapPlan, x: float, y: float, width: float, b: float, artists: list, probe: bool
) -> float:
    """A small map of the hemisphere with the frame outlined."""
    frame = plan.frame
    w, s, e, n = frame.lonlat_box
    cx, cy = (w + e) / 2, (s + n) / 2
    half_w = max(e - w, 50.0) * 1.6
    box = (
        max(cx - half_w, -180.0),
        max(cy - half_w * 0.6, -80.0),
        min(cx + half_w, 180.0),
        min(cy + half_w * 0.6, 85.0),
    )
    loc_w = width * 0.75
    loc_h = loc_w * (box[3] - box[1]) / ((box[2] - box[0]) * max(math.cos(math.radians(cy)), 0.3))
    loc_h = min(loc_h, loc_w)
    st = page.text(x, y, "Locator", b * 0.8, width=width, gid="panel")
    artists.append(st)
    y = page.extent_pt(st)[3] + b * 0.3
    lax = page.fig.add_axes((page.fx(x), page.fy(y + loc_h), loc_w / page.w, loc_h / page.h))
    lax.set_gid("locator")
    lax.set_xlim(box[0], box[2])
    lax.set_ylim(box[1], box[3])
    lax.set_facecolor(_rgb(layers.OCEAN_COLOR))
    lax.set_xticks([])
    lax.set_yticks([])
    for sp in lax.spines.values():
        sp.set_color("#888888")
    if not probe:
        lax.add_collection(PathCollection(_land_lonlat(box), facecolors=[_rgb(layers.LAND_COLOR)], linewidths=0))
    xs, ys = _box_outline((frame.xlim[0], frame.ylim[0], frame.xlim[1], frame.ylim[1]), 16)
    lon, lat = frame.unproject(xs, ys)
    lax.plot(lon, lat, color=_rgb(layers.STRIKE_COLOR), linewidth=1.0)
    lax.set_aspect("auto")
    artists.append(lax)
    return y + loc_h + b * 0.9
