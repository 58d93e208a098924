"""AIS vessel tracks and behaviour events on the static map: which fall in the frame, their lines and
markers in the frame's projection, their legend entries, counters and the footnote that counts them.

Tracks come in as [[lon, lat], ...] paths in EPSG:4326 (:class:`tracker.vessels.view.VesselLayer`);
they are split where they cross the antimeridian, clipped to the frame (and at the projection's own
antimeridian) before projecting, and go out in the frame's projected metres.  Line widths and marker
sizes are points.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from matplotlib.lines import Line2D

from tracker import metrics
from tracker.cartography.frame import Frame, _clip
from tracker.cartography.style import _rgb
from tracker.vessels.tracks import BREAK_HOURS
from tracker.vessels.types import GROUP_COLORS, GROUPS
from tracker.vessels.view import EVENT_COLORS, EVENT_KIND_LABELS, MAX_TRACK_VERTICES

if TYPE_CHECKING:
    from tracker.vessels.view import VesselLayer

VESSELS = "vessels"
"""The layer name of the vessel tracks and events (``--layers``, the manifest's layers)."""

TRACK_WIDTH = 0.7
"""Track line width in points."""
TRACK_ALPHA = 200
"""Track line opacity (0..255): crossings stay readable."""
EVENT_SIZE = 0.7
"""Event marker size, in units of the base type size (points)."""
EVENT_MARKERS: dict[str, tuple[str, bool]] = {
    "gap": ("o", False),
    "encounter": ("D", True),
    "loitering": ("s", True),
    "jump": ("x", False),
    "identity": ("^", True),
}
"""kind -> (matplotlib marker, filled): hollow circle, diamond, square, cross, triangle."""
EVENT_LINE = 1.2
"""Stroke width (points) of the hollow and line markers; filled ones get a thin white edge."""

_ZORDER_TRACKS = 3.5  # above routes and designations, under rings and strike symbols
_ZORDER_EVENTS = 5.5  # small markers above the strike symbols (a big strike circle would hide them), under counts


def _paths(tracks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Every track vertex as (coords n×2 lon/lat, the row number of its track)."""
    if tracks.empty:
        return np.zeros((0, 2)), np.zeros(0, dtype=int)
    arrays = [np.asarray(p, dtype=float).reshape(-1, 2) for p in tracks["path"]]
    coords = np.concatenate(arrays) if arrays else np.zeros((0, 2))
    index = np.repeat(np.arange(len(arrays)), [len(a) for a in arrays])
    return coords, index


def _lines(tracks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The tracks as shapely lines, split where a path jumps across the antimeridian, and the row of each."""
    coords, index = _paths(tracks)
    ok = np.isfinite(coords).all(axis=1)
    coords, index = coords[ok], index[ok]
    if not len(coords):
        return np.array([], dtype=object), np.zeros(0, dtype=int)
    cut = np.r_[True, (index[1:] != index[:-1]) | (np.abs(np.diff(coords[:, 0])) > 180)]
    piece = np.cumsum(cut) - 1
    starts = np.flatnonzero(cut)
    sizes = np.diff(np.r_[starts, len(coords)])
    # a piece of a single vertex is repeated to make a line
    lone = starts[sizes == 1]
    at = np.sort(np.r_[np.arange(len(coords)), lone], kind="stable")
    lines = shapely.linestrings(coords[at], indices=piece[at])
    return lines, index[starts]


def lonlat_of(layer: VesselLayer) -> tuple[np.ndarray, np.ndarray]:
    """Every track vertex and event position of ``layer`` (degrees; placed ones only)."""
    coords, _ = _paths(layer.tracks)
    lon = np.r_[coords[:, 0], pd.to_numeric(layer.events.get("lon"), errors="coerce")]
    lat = np.r_[coords[:, 1], pd.to_numeric(layer.events.get("lat"), errors="coerce")]
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    return lon[ok], lat[ok]


def select(layer: VesselLayer, frame: Frame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The track pieces with a part inside ``frame`` and the events placed inside it."""
    tracks = layer.tracks
    hit = np.zeros(len(tracks), dtype=bool)
    lines, rows = _lines(tracks)
    if len(lines):
        # a finer check than the vertices alone: lines densified to half a degree
        dense = shapely.segmentize(lines, 0.5)
        xy, part = shapely.get_coordinates(dense, return_index=True)
        inside = frame.contains(xy[:, 0], xy[:, 1])
        hit[np.unique(rows[part[inside]])] = True
    events = layer.events
    if len(events):
        lon = pd.to_numeric(events["lon"], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(events["lat"], errors="coerce").to_numpy(float)
        placed = np.isfinite(lon) & np.isfinite(lat)
        ev_in = np.zeros(len(events), dtype=bool)
        if placed.any():
            ev_in[placed] = frame.contains(lon[placed], lat[placed])
        events = events[ev_in]
    return tracks[hit], events


def track_segments(frame: Frame, tracks: pd.DataFrame) -> list[tuple[np.ndarray, str]]:
    """The tracks clipped to the frame and projected: (x/y metres n×2, vessel group) per line part."""
    lines, rows = _lines(tracks)
    if not len(lines):
        return []
    groups = tracks["group"].astype(str).to_numpy()
    out: list[tuple[np.ndarray, str]] = []
    dense = shapely.segmentize(lines, 1.0)
    clipped = _clip(dense, frame.crs, frame.lonlat_box)  # one copy of the lines per side of the seam
    owner = np.tile(rows, len(clipped) // len(dense))
    parts, which = shapely.get_parts(clipped, return_index=True)
    keep = shapely.get_type_id(parts) == 1  # LineString
    parts, which = parts[keep], which[keep]
    if not len(parts):
        return out
    xy, idx = shapely.get_coordinates(parts, return_index=True)
    x, y = frame.project(xy[:, 0], xy[:, 1])
    bounds = np.r_[0, np.cumsum(np.bincount(idx, minlength=len(parts)))]
    for k in range(len(parts)):
        a, b = bounds[k], bounds[k + 1]
        if b - a >= 2:
            out.append((np.column_stack([x[a:b], y[a:b]]), str(groups[owner[which[k]]])))
    return out


def track_rgba(group: str) -> tuple:
    return _rgb(GROUP_COLORS.get(group, GROUP_COLORS["other or not reported"]) + [TRACK_ALPHA])


def event_rgba(kind: str) -> tuple:
    return _rgb(EVENT_COLORS.get(kind, [90, 90, 90]))


def event_style(kind: str, size: float) -> dict:
    """Keyword arguments of ``Axes.scatter`` (and, with ``legend``, of ``Line2D``) for an event kind."""
    marker, filled = EVENT_MARKERS.get(kind, ("o", True))
    color = event_rgba(kind)
    if marker == "x":
        return {"marker": "x", "s": size**2, "color": color, "linewidths": EVENT_LINE}
    if not filled:
        return {"marker": marker, "s": size**2, "facecolors": "none", "edgecolors": [color], "linewidths": EVENT_LINE}
    return {"marker": marker, "s": size**2, "facecolors": [color], "edgecolors": "white", "linewidths": 0.5}


def draw(ax, frame: Frame, tracks: pd.DataFrame, events: pd.DataFrame | None, b: float) -> list[tuple[np.ndarray, str]]:
    """Tracks as thin lines in their group's colour, then the events as markers by kind; returns the
    track segments drawn."""
    from matplotlib.collections import LineCollection

    segments = track_segments(frame, tracks)
    if segments:
        ax.add_collection(
            LineCollection(
                [s[0] for s in segments],
                colors=[track_rgba(s[1]) for s in segments],
                linewidths=TRACK_WIDTH,
                zorder=_ZORDER_TRACKS,
                capstyle="round",
                joinstyle="round",
                gid="vessel-tracks",
            )
        )
    if events is not None and len(events):
        x, y = frame.project(events["lon"].to_numpy(float), events["lat"].to_numpy(float))
        kinds = events["kind"].astype(str).to_numpy()
        for kind in _kinds_in_order(kinds):
            mine = kinds == kind
            ax.scatter(
                x[mine], y[mine], zorder=_ZORDER_EVENTS, gid=f"vessel-event-{kind}", **event_style(kind, b * EVENT_SIZE)
            )
    return segments


def _kinds_in_order(kinds) -> list[str]:
    present = set(kinds)
    return [k for k in EVENT_KIND_LABELS if k in present] + sorted(present - set(EVENT_KIND_LABELS))


def legend_handles(tracks: pd.DataFrame | None, events: pd.DataFrame | None, b: float) -> list[Line2D]:
    """One entry per vessel group with a track in the frame and per event kind placed in it."""
    handles: list[Line2D] = []
    if tracks is not None and len(tracks):
        present = set(tracks["group"].astype(str))
        for group in [g for g in GROUPS if g in present] + sorted(present - set(GROUPS)):
            handles.append(
                Line2D([], [], color=track_rgba(group), linewidth=TRACK_WIDTH * 1.4, label=f"Vessel track: {group}")
            )
    if events is not None and len(events):
        size = b * EVENT_SIZE
        for kind in _kinds_in_order(events["kind"].astype(str)):
            style = event_style(kind, size)
            color = event_rgba(kind)
            filled = style.get("facecolors") not in ("none", None)
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=style["marker"],
                    linestyle="",
                    markersize=size,
                    markerfacecolor=color if filled else "none",
                    markeredgecolor="white" if filled else color,
                    markeredgewidth=style["linewidths"],
                    label=EVENT_KIND_LABELS.get(kind, kind),
                )
            )
    return handles


def counters(tracks: pd.DataFrame, events: pd.DataFrame, as_of: dt.date) -> list[metrics.Counter]:
    return [
        metrics.Counter(
            "vessels_in_frame",
            "Vessels (AIS)",
            int(tracks["mmsi"].nunique()) if len(tracks) else 0,
            "vessels with a track in frame",
            "Vessels (by MMSI) with some part of an AIS track, as drawn, inside the map frame; tracks are the "
            "positions of the date range, simplified and broken at long gaps.",
            as_of,
        ),
        metrics.Counter(
            "vessel_events_in_frame",
            "Vessel events",
            len(events),
            "events in frame",
            "Behaviour events (AIS gaps, encounters, loitering, implausible jumps, identity changes) starting in "
            "the date range and placed inside the map frame: patterns worth checking, not findings of wrongdoing.",
            as_of,
        ),
    ]


def note(layer: VesselLayer, tracks: pd.DataFrame, events: pd.DataFrame) -> str:
    """The footnote: what of the layer is in the frame, and how the tracks were made."""
    vessels = int(tracks["mmsi"].nunique()) if len(tracks) else 0
    kinds = events["kind"].astype(str).value_counts() if len(events) else pd.Series(dtype=int)
    by_kind = ", ".join(f"{int(kinds[k]):,} {k}" for k in _kinds_in_order(kinds.index))
    total_events = len(layer.events)
    return (
        f"AIS vessels: {vessels:,} of {layer.vessels:,} vessel(s) have a track in this frame "
        f"({len(tracks):,} track piece(s)), with {len(events):,} of {total_events:,} behaviour event(s)"
        + (f" ({by_kind})" if by_kind else "")
        + f"; tracks are drawn from {layer.positions:,} AIS positions, simplified to at most "
        f"{MAX_TRACK_VERTICES:,} points and broken at gaps of {BREAK_HOURS:g} h or more."
    )
