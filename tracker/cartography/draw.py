"""Drawing a planned map on a matplotlib figure, its labels, and the image bytes out.

The map axes are in the frame's projected metres; symbols, labels and the returned
:attr:`MapPlan.symbols` are in points from the page's top left; :func:`pixel_of` gives
pixels of the rendered image.  Output is PNG, SVG or PDF; SVG and PDF are deterministic.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.transforms import ScaledTranslation

from tracker import layers
from tracker.basemap import load_labels
from tracker.cartography import vessels as vessel_marks
from tracker.cartography.frame import Frame
from tracker.cartography.key import _draw_panel, _symbol_scale
from tracker.cartography.layout import _compose, _Layout, _same_frame, _settle_frame
from tracker.cartography.page import _Page
from tracker.cartography.plan import MapPlan, MapSpec, plan_map
from tracker.cartography.shapes import _globe_outline, _land, _rings, _route_segments
from tracker.cartography.style import _DASH, _INK, _STRIKE_EDGE, _STRIKE_FACE, _STYLE, _rgb, _route_rgba

if TYPE_CHECKING:
    import geopandas as gpd

    from tracker.vessels.view import VesselLayer

MAX_CELL_LABELS = 60
"""Strikes grouped in grid cells: at most this many cells carry their number (the largest)."""


def draw_map(plan: MapPlan) -> Figure:
    """Draw ``plan`` on a new figure and return it; records the panel boxes in ``plan.layout``.

    The panels are measured first; the frame is then fitted to the map box that is left
    (and widened so no strike symbol is cut), the records are selected again for it, and
    the page is composed again until the counters and notes describe the frame as drawn.
    """
    spec = plan.spec
    W, H = spec.size_pt
    lay: _Layout | None = None
    for _ in range(4):
        if lay is not None:
            plt.close(lay.fig)
        lay = _compose(plan)
        before = plan.frame
        _settle_frame(plan, lay.boxes["map"])
        if _same_frame(plan.frame, before):
            break
    assert lay is not None  # the loop runs at least once
    fig, page, b, map_box = lay.fig, lay.page, lay.b, lay.boxes["map"]
    plan.layout = dict(lay.boxes)
    frame = plan.frame
    map_w, map_h = map_box[2] - map_box[0], map_box[3] - map_box[1]
    ax = fig.add_axes((page.fx(map_box[0]), page.fy(map_box[3]), map_w / W, map_h / H))
    ax.set_gid("map")
    ax.set_xlim(*frame.xlim)
    ax.set_ylim(*frame.ylim)
    ax.set_autoscale_on(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_color("#888888")
    show = set(spec.show)
    if frame.world:
        ax.set_facecolor("white")
        ax.fill(*_globe_outline(frame).T, color=_rgb(layers.OCEAN_COLOR), zorder=0, linewidth=0)
    else:
        ax.set_facecolor(_rgb(layers.OCEAN_COLOR))
    if "basemap" in show:
        ax.add_collection(
            PathCollection(
                _land(frame.crs, frame.lonlat_box),
                facecolors=[_rgb(layers.LAND_COLOR)],
                edgecolors=[_rgb(layers.BORDER_COLOR)],
                linewidths=0.4,
                zorder=1,
            )
        )
    routes_drawn = _route_segments(frame, plan.routes) if plan.routes is not None else []
    context: list[tuple[float, float, float]] = []  # designation symbols: (x, y, radius) in points
    for schematic in (True, False):
        group = [r for r in routes_drawn if r[2] == schematic]
        if not group:
            continue
        colors = [_route_rgba(r[1], schematic) for r in group]
        ax.add_collection(
            LineCollection(
                [r[0] for r in group],
                colors=colors,
                linewidths=1.2 if schematic else 2.0,
                linestyles=_DASH if schematic else "solid",
                zorder=2,
                capstyle="round",
            )
        )
    if len(plan.designations):
        pts = layers.aggregate_designations(plan.designations)
        x, y = frame.project(pts["longitude"], pts["latitude"])
        d = 4.0 + 2.0 * np.sqrt(pts["count"].to_numpy(float))
        ax.scatter(
            x,
            y,
            s=d**2,
            c=[_rgb(c) for c in pts["fill"]],
            edgecolors=[_rgb(c) for c in pts["color"]],
            linewidths=1.5,
            zorder=3,
        )
        for xi, yi, di in zip(x, y, d):
            px, py = ax.transData.transform((xi, yi))
            context.append((px * 72 / spec.dpi, H - py * 72 / spec.dpi, di / 2 + 0.75))
    if plan.vessel_tracks is not None:  # above routes and designations, under rings and strikes
        vessel_marks.draw(ax, frame, plan.vessel_tracks, plan.vessel_events, b)
        if plan.vessel_events is not None and len(plan.vessel_events):  # labels keep clear of the markers
            ev = plan.vessel_events
            x, y = frame.project(ev["lon"].to_numpy(float), ev["lat"].to_numpy(float))
            r = b * vessel_marks.EVENT_SIZE / 2 + 0.75
            for px, py in ax.transData.transform(np.column_stack([x, y])):
                context.append((px * 72 / spec.dpi, H - py * 72 / spec.dpi, r))
    strikes = plan.strikes
    cell_km = float(strikes["cell_km"].iloc[0]) if len(strikes) and "cell_km" in strikes else 0.0
    sym = _symbol_scale(strikes, map_w, map_h, frame.xlim[1] - frame.xlim[0])
    if "rings" in show:
        rings = _rings(frame, strikes)
        if rings:
            ax.add_collection(LineCollection(rings, colors=[_rgb(layers.RING_COLOR)], linewidths=0.8, zorder=4))
    plan.symbols = []
    if "strikes" in show and len(strikes):
        x, y = frame.project(strikes["longitude"], strikes["latitude"])
        deaths = (strikes["killed"] + strikes["presumed_dead"]).to_numpy(float)
        diam = sym.diameter(deaths)
        order = np.argsort(-diam)  # big ones first, small ones stay visible on top
        face = np.array([_STRIKE_FACE if v > 0 else (1.0, 1.0, 1.0, 1.0) for v in deaths])
        ax.scatter(
            x[order],
            y[order],
            s=diam[order] ** 2,
            c=face[order],
            edgecolors=[_rgb(layers.STRIKE_COLOR)],
            linewidths=_STRIKE_EDGE,
            zorder=5,
        )
        page_xy = ax.transData.transform(np.column_stack([x, y])) * (72 / spec.dpi)
        plan.symbols = [(float(px), float(H - py), float(di / 2)) for (px, py), di in zip(page_xy, diam)]
        counts = strikes["strikes"].to_numpy()
        labelled = np.flatnonzero(counts >= 2)
        if cell_km:  # grouped in cells: numbers only inside the larger circles, the largest first
            fits = diam[labelled] >= float(np.clip(b * 0.75, 0, None)) * 1.6 * 1.6
            labelled = labelled[fits][np.argsort(-diam[labelled][fits], kind="stable")][:MAX_CELL_LABELS]
        for i in labelled:
            xi, yi, di, n = x[i], y[i], diam[i], counts[i]
            size = float(np.clip(di * 0.42, b * 0.75, b * 1.1))
            inside = di >= size * 1.6
            ax.annotate(
                str(int(n)),
                (xi, yi),
                xytext=(0, 0) if inside else (di / 2 + 1.5, di / 2 + 1.5),
                textcoords="offset points",
                ha="center" if inside else "left",
                va="center" if inside else "bottom",
                fontsize=size,
                weight="bold",
                color="white" if inside else _INK,
                zorder=7,
                gid="count",
                path_effects=[
                    patheffects.withStroke(linewidth=2.2, foreground=_rgb(layers.STRIKE_COLOR) if inside else "white")
                ],
            )
    if not plan.symbols:
        assert plan.sources  # set by plan_map (and _settle_frame needed it above)
        message = (
            "No strikes match these filters"
            if plan.sources[0].empty
            else "No strike of these filters is drawn in this frame"
        )
        # over vessel tracks, the message keeps to the top of the frame in smaller type
        over_vessels = plan.vessel_tracks is not None and bool(
            len(plan.vessel_tracks) or (plan.vessel_events is not None and len(plan.vessel_events))
        )
        ax.text(
            0.5,
            0.97 if over_vessels else 0.5,
            message,
            transform=ax.transAxes,
            ha="center",
            va="top" if over_vessels else "center",
            fontsize=b * (1.1 if over_vessels else 1.5),
            weight="bold",
            color=_INK,
            zorder=8,
            gid="empty",
            wrap=False,
            bbox={"facecolor": "white", "edgecolor": "#888888", "boxstyle": "round,pad=0.5"},
        )
    if "basemap" in show:
        _place_labels(page, ax, frame, plan, b, context)

    panel = _draw_panel(
        page,
        plan,
        lay.panel_x,
        lay.panel_y,
        lay.panel_w,
        b,
        probe=False,
        scale=sym,
        routes_drawn=routes_drawn,
        locator=lay.locator,
        columns=lay.columns,
        max_height=lay.max_height,
    )
    plan.layout["panel"] = (lay.panel_x, lay.panel_y, lay.panel_x + lay.panel_w, lay.panel_y + panel["height"])
    return fig


def _place_labels(
    page: _Page, ax, frame: Frame, plan: MapPlan, b: float, context: list[tuple[float, float, float]]
) -> None:
    """Country and sea names, most important first, each only where it covers no symbol or label."""
    labels = load_labels()
    span = frame.lonlat_box[2] - frame.lonlat_box[0]
    max_rank = 6.0 if span <= 25 else 4.0 if span <= 70 else 3.0 if span <= 200 else 2.0
    rows = labels[labels["rank"] <= max_rank]
    inside = frame.contains(rows["longitude"], rows["latitude"])
    rows = rows[inside]
    if rows.empty:
        return
    x, y = frame.project(rows["longitude"], rows["latitude"])
    taken = [(sx - r, sy - r, sx + r, sy + r) for sx, sy, r in plan.symbols + context]
    for c in ax.texts:  # count labels
        taken.append(page.extent_pt(c))
    mx0, my0, mx1, my1 = page.extent_pt(ax)
    order = np.argsort(
        rows["rank"].to_numpy(float) + np.where(rows["kind"].to_numpy() == "sea", -0.5, 0.0), kind="stable"
    )
    pad = 1.5
    for i in order:
        rec = rows.iloc[i]
        sea = rec["kind"] == "sea"
        size = b * (0.85 if sea else 0.72)
        t = ax.text(
            x[i],
            y[i],
            str(rec["name"]),
            ha="center",
            va="center",
            fontsize=size,
            style="italic" if sea else "normal",
            color="#4a6f8a" if sea else "#6b6b6b",
            zorder=6,
            gid="label",
            clip_on=True,
        )
        # at the label point, else clear of a symbol sitting on it: below, above, then beside
        step = size * 0.6 + 10.0
        for dx, dy in ((0.0, 0.0), (0.0, -step), (0.0, step), (step * 2.5, 0.0), (-step * 2.5, 0.0)):
            t.set_transform(ax.transData + ScaledTranslation(dx / 72.0, dy / 72.0, page.fig.dpi_scale_trans))
            box = page.extent_pt(t)
            if not (
                box[0] < mx0 + pad
                or box[2] > mx1 - pad
                or box[1] < my0 + pad
                or box[3] > my1 - pad
                or any(_overlap(box, o) for o in taken)
            ):
                taken.append(box)
                break
        else:
            t.remove()


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def render_map(
    incidents: pd.DataFrame,
    designations: pd.DataFrame,
    routes: gpd.GeoDataFrame | None,
    spec: MapSpec,
    *,
    vessels: VesselLayer | None = None,
    reports: pd.DataFrame | None = None,
) -> bytes:
    """The filtered records drawn as a publishable map: PNG, SVG or PDF bytes; with ``vessels``
    (not empty), the AIS tracks and events too; with ``reports``, the reported ranges beside the
    announced counters (see :func:`plan_map`).

    Deterministic: the same inputs give the same SVG and PDF bytes.
    """
    plan = plan_map(incidents, designations, routes, spec, vessels=vessels, reports=reports)
    return render_plan(plan)


def render_plan(plan: MapPlan) -> bytes:
    """A planned map as PNG, SVG or PDF bytes."""
    spec = plan.spec
    with plt.rc_context(_STYLE):
        fig = draw_map(plan)
        out = io.BytesIO()
        metadata = {
            "png": {"Software": None},
            "svg": {"Date": None, "Creator": None},
            "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
        }[spec.fmt]
        fig.savefig(out, format=spec.fmt, dpi=spec.dpi, metadata=metadata)
        plt.close(fig)
    return out.getvalue()


def pixel_of(lon: float, lat: float, plan: MapPlan) -> tuple[float, float]:
    """Where (lon, lat) lands in the image of a drawn ``plan``: (x, y) pixels from the top left."""
    x0, y0, x1, y1 = plan.layout["map"]
    fx, fy = plan.frame.project([lon], [lat])
    px = x0 + (fx[0] - plan.frame.xlim[0]) / (plan.frame.xlim[1] - plan.frame.xlim[0]) * (x1 - x0)
    py = y0 + (plan.frame.ylim[1] - fy[0]) / (plan.frame.ylim[1] - plan.frame.ylim[0]) * (y1 - y0)
    k = plan.spec.dpi / 72.0
    return px * k, py * k
