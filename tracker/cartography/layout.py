"""The page's layout: header, footer, key panel and the map box, and the frame settled to that box.

Boxes are (x0, y0, x1, y1) in points from the page's top left; frame limits are metres
in the frame's projected CRS.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from tracker import __version__
from tracker.basemap import ATTRIBUTION
from tracker.cartography.frame import Frame, MapOptionError, _deg, make_frame
from tracker.cartography.key import _cell_km, _draw_panel, _symbol_scale
from tracker.cartography.page import _base_size, _Page
from tracker.cartography.plan import MapPlan, _select, subtitle_for, title_for
from tracker.cartography.style import _MUTED, _PANEL_GAP


def _footer_lines(plan: MapPlan) -> list[str]:
    spec, frame = plan.spec, plan.frame
    show = set(spec.show)
    proj = (
        f"Equal Earth projection centred on {_deg(frame.crs, 'lon_0', 'E', 'W') or '0°'}"
        if frame.world
        else "Lambert azimuthal equal-area projection centred on "
        f"{_deg(frame.crs, 'lat_0', 'N', 'S')} {_deg(frame.crs, 'lon_0', 'E', 'W')}"
    )
    foot = list(plan.notes)
    foot.append(f"Filters: {spec.filters.caption(as_of=plan.date_range[1]).removeprefix('where ')}.")
    if spec.data_as_of:
        foot.append(f"Data as of {spec.data_as_of.isoformat()}. {spec.coverage_note}".strip())
    if "rings" in show and len(plan.strikes):
        foot.append(
            "Reports rarely give coordinates: each ring shows how far the true position may lie from "
            "where the strike is drawn."
        )
    foot.append(
        "Sources: records compiled from public reporting, linked per record in the data export. "
        f"{ATTRIBUTION}; labels: Natural Earth; sea lanes: searoute. {proj}. "
        f"Made with Interdiction Tracker {__version__}."
    )
    return foot


@dataclass
class _Layout:
    fig: Figure
    page: _Page
    b: float
    boxes: dict[str, tuple[float, float, float, float]]
    panel_x: float
    panel_y: float
    panel_w: float
    locator: bool
    columns: int
    max_height: float | None


def _compose(plan: MapPlan) -> _Layout:
    """Header, footer and the measured key panel; the map takes the box that is left.

    Tries, in order: the key beside the map, then without the locator, then the key below
    the map (two columns), then smaller type; refuses a page where none of these leaves a
    legible map.
    """
    spec = plan.spec
    W, H = spec.size_pt
    landscape = W / H >= 0.9
    # (where, columns): the key beside the map in one or two columns, or under it
    modes = ([("side", 1), ("side", 2)] if landscape else []) + [("below", 2), ("below", 3)]
    tries = [(scale, mode, locator) for scale in (1.0, 0.9, 0.8, 0.72) for mode in modes for locator in (True, False)]
    for scale, (where, columns), locator in tries:
        b = _base_size(spec) * scale
        m, gap = b * 1.1, b * _PANEL_GAP
        fig = plt.figure(figsize=(spec.width_px / spec.dpi, spec.height_px / spec.dpi), dpi=spec.dpi)
        fig.patch.set_facecolor("white")
        page = _Page(fig, W, H, spec.dpi)
        title = spec.title.strip() or title_for(spec.filters)
        subtitle = spec.subtitle.strip() or subtitle_for(
            spec.filters, plan.date_range, spec.show, cell_km=_cell_km(plan.strikes)
        )
        t = page.text(m, m, title, b * 1.7, width=W - 2 * m, weight="bold", gid="title")
        st = page.text(
            m, page.extent_pt(t)[3] + b * 0.35, subtitle, b * 0.95, width=W - 2 * m, color=_MUTED, gid="subtitle"
        )
        header_bottom = page.extent_pt(st)[3]
        ft = page.text(
            m, H - m, "\n".join(_footer_lines(plan)), b * 0.78, width=W - 2 * m, va="bottom", color=_MUTED, gid="footer"
        )
        footer_top = page.extent_pt(ft)[1]
        top, bottom = header_bottom + gap, footer_top - gap
        below = where == "below"
        column_w = float(np.clip(W * 0.24 / columns**0.5, 140.0, 240.0))
        panel_w = W - 2 * m if below else column_w * columns + b * 1.5 * (columns - 1)
        panel_x = m if below else W - m - panel_w
        probe = _draw_panel(
            page,
            plan,
            panel_x,
            0.0,
            panel_w,
            b,
            probe=True,
            columns=columns,
            locator=locator,
            max_height=None if below else bottom - top,
        )
        for a in probe["artists"]:
            a.remove()
        panel_h = probe["height"]
        if below:
            map_box = (m, top, W - m, bottom - panel_h - gap)
            panel_y = bottom - panel_h
        else:
            map_box = (m, top, W - m - panel_w - gap, bottom)
            panel_y = top
        map_w, map_h = map_box[2] - map_box[0], map_box[3] - map_box[1]
        fits = map_w >= W * 0.4 and map_h >= H * 0.3 and (below or panel_h <= bottom - top)
        if fits:
            boxes = {"header": (m, m, W - m, header_bottom), "footer": (m, footer_top, W - m, H - m), "map": map_box}
            return _Layout(
                fig, page, b, boxes, panel_x, panel_y, panel_w, locator, columns, None if below else bottom - top
            )
        plt.close(fig)
    raise MapOptionError(
        f"{spec.width_px}×{spec.height_px} px at {spec.dpi} dpi is a {W / 72:.1f}×{H / 72:.1f} in page: too small "
        f"for the map, its key and its notes in legible type; use a lower dpi (e.g. {max(30, spec.dpi // 2)}) "
        "or more pixels"
    )


def _symbol_overflow(plan: MapPlan, frame: Frame, map_box) -> tuple[float, float, float, float]:
    """How far (metres) strike symbols reach past each side of ``frame``: (left, bottom, right, top)."""
    if "strikes" not in plan.spec.show or plan.strikes.empty:
        return (0.0, 0.0, 0.0, 0.0)
    map_w, map_h = map_box[2] - map_box[0], map_box[3] - map_box[1]
    m_per_pt = (frame.xlim[1] - frame.xlim[0]) / map_w
    x, y = frame.project(plan.strikes["longitude"], plan.strikes["latitude"])
    r = (
        _symbol_scale(plan.strikes, map_w, map_h, frame.xlim[1] - frame.xlim[0]).diameter(
            plan.strikes["killed"] + plan.strikes["presumed_dead"]
        )
        / 2
        * m_per_pt
        + 2 * m_per_pt
    )
    return (
        max(0.0, float(np.max(frame.xlim[0] - (x - r)))),
        max(0.0, float(np.max(frame.ylim[0] - (y - r)))),
        max(0.0, float(np.max((x + r) - frame.xlim[1]))),
        max(0.0, float(np.max((y + r) - frame.ylim[1]))),
    )


def _same_frame(a: Frame, b: Frame) -> bool:
    """The same projection and limits, to a millionth of the frame's size."""
    tol = 1e-6 * max(a.xlim[1] - a.xlim[0], a.ylim[1] - a.ylim[0])
    return a.crs == b.crs and bool(np.allclose(a.xlim + a.ylim, b.xlim + b.ylim, rtol=0, atol=tol))


def _settle_frame(plan: MapPlan, map_box) -> None:
    """Fit the frame to the map box's shape and widen it until every strike symbol lies whole
    inside it; select the records again for that frame."""
    aspect = (map_box[2] - map_box[0]) / (map_box[3] - map_box[1])
    frame = make_frame(plan.frame.bounds, aspect)
    assert plan.sources, "a plan from plan_map carries the frames it selected from"
    for _ in range(4):
        again = _select(
            *plan.sources,
            plan.spec,
            frame,
            plan.date_range,
            materialise=False,
            vessels=plan.vessel_source,
            reports=plan.reports,
        )
        left, bottom, right, top = _symbol_overflow(again, frame, map_box)
        if not any((left, bottom, right, top)):
            break
        x0, x1 = frame.xlim[0] - left, frame.xlim[1] + right
        y0, y1 = frame.ylim[0] - bottom, frame.ylim[1] + top
        w, h = x1 - x0, y1 - y0
        if w / h < aspect:
            x0, x1 = x0 - (h * aspect - w) / 2, x1 + (h * aspect - w) / 2
        else:
            y0, y1 = y0 - (w / aspect - h) / 2, y1 + (w / aspect - h) / 2
        frame = replace(frame, xlim=(x0, x1), ylim=(y0, y1))
    assert again.rows is not None
    if plan.rows is None or not np.array_equal(plan.rows, again.rows):
        plan.incidents = plan.sources[0][again.rows]
    for name in (
        "frame",
        "designations",
        "routes",
        "strikes",
        "counters",
        "notes",
        "rows",
        "vessel_tracks",
        "vessel_events",
    ):
        setattr(plan, name, getattr(again, name))
