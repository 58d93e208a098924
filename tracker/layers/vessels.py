"""Vessel tracks and behaviour events on the browser map, and their legend lines.

Tracks come simplified to a vertex budget (:func:`tracker.vessels.view.vessel_layer`), so the
payload stays small at any zoom; positions are rounded to 5 decimals (about a metre).  Tooltips
are text built from the tracker's own words and the records' values (deck.gl ``text`` mode).
"""

from __future__ import annotations

import pandas as pd
import pydeck as pdk

from tracker.layers.legend import LegendEntry, _rgba
from tracker.layers.style import PIXELS
from tracker.vessels.types import GROUP_COLORS, GROUPS
from tracker.vessels.view import EVENT_COLORS, EVENT_KIND_LABELS, VesselLayer


def _round_path(path: list) -> list:
    return [[round(x, 4), round(y, 4)] for x, y in path]  # about 11 m: finer than a simplified track


def track_rows(layer: VesselLayer) -> pd.DataFrame:
    """One row per track piece: path, vessel group and a short tooltip (MMSI and name: the Vessels page
    has the rest); short so that thousands of pieces stay a small payload."""
    t = layer.tracks
    if t.empty:
        return pd.DataFrame(columns=["path", "group", "tooltip"])
    tip = "MMSI " + t["mmsi"].astype(str) + " " + t["name"].fillna("").astype(str).str[:24]
    return pd.DataFrame({"path": t["path"].map(_round_path), "group": t["group"], "tooltip": tip})


MAX_EVENT_POINTS = 3_000
"""Event markers drawn one by one; beyond it, events are counted per kind in grid cells (the legend says so)."""
EVENT_CELL_DEG = 0.5


def event_rows(layer: VesselLayer, max_points: int = MAX_EVENT_POINTS) -> pd.DataFrame:
    """One row per event (columns x, y, kind, tooltip: short names keep the JSON small), or, when
    there are more than ``max_points``, one row per kind and grid cell of :data:`EVENT_CELL_DEG`
    degrees at the mean position of its events, its tooltip saying how many it holds."""
    e = layer.events
    if e.empty:
        return pd.DataFrame(columns=["x", "y", "kind", "tooltip"])
    if len(e) > max_points:
        cells = e.assign(cx=(e["lon"] // EVENT_CELL_DEG), cy=(e["lat"] // EVENT_CELL_DEG))
        grouped = cells.groupby(["kind", "cx", "cy"], sort=False).agg(
            x=("lon", "mean"), y=("lat", "mean"), n=("mmsi", "size"), vessels=("mmsi", "nunique")
        )
        grouped = grouped.reset_index()
        tip = (
            grouped["n"].astype(str) + " " + grouped["kind"].map(EVENT_KIND_LABELS) + " event(s) of "
            + grouped["vessels"].astype(str) + f" vessel(s) in this {EVENT_CELL_DEG:g}° cell"
        )  # fmt: skip
        return pd.DataFrame(
            {"x": grouped["x"].round(4), "y": grouped["y"].round(4), "kind": grouped["kind"], "tooltip": tip}
        )
    start = pd.to_datetime(e["start"], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    tip = (
        e["kind"] + " · MMSI " + e["mmsi"].astype(str) + " · " + start + " UTC · " + e["hours"].round(1).astype(str)
        + " h"
    )  # fmt: skip
    return pd.DataFrame({"x": e["lon"].round(4), "y": e["lat"].round(4), "kind": e["kind"], "tooltip": tip})


def vessel_deck_layers(layer: VesselLayer) -> list[pdk.Layer]:
    """The track lines (one layer per vessel group, thin, in its colour) and the event markers (one layer
    per kind, in its colour)."""
    out = []
    tracks = track_rows(layer)
    for group, rows_of_group in tracks.groupby("group", sort=False):  # one layer per group: one colour each
        out.append(
            pdk.Layer(
                "PathLayer",
                rows_of_group[["path", "tooltip"]],
                id=f"vessel_tracks_{GROUPS.index(str(group))}",
                get_path="path",
                get_color=GROUP_COLORS[str(group)] + [200],
                get_width=1.5,
                width_units=PIXELS,
                pickable=True,
            )
        )
    rows = event_rows(layer)
    for kind, group in rows.groupby("kind", sort=False):
        out.append(
            pdk.Layer(
                "ScatterplotLayer",
                group[["x", "y", "tooltip"]],
                id=f"vessel_events_{kind}",
                get_position=["x", "y"],
                get_line_color=EVENT_COLORS[str(kind)] + [235],
                get_fill_color=[255, 255, 255, 160],
                get_radius=5,
                radius_units=PIXELS,
                stroked=True,
                filled=True,
                line_width_min_pixels=2.5,
                pickable=True,
            )
        )
    return out


def vessel_legend(layer: VesselLayer) -> list[LegendEntry]:
    """One line per vessel group with a track drawn and per event kind drawn."""
    entries = []
    drawn = set(layer.tracks["group"]) if not layer.tracks.empty else set()
    for group in GROUPS:
        if group in drawn:
            entries.append(
                LegendEntry("vessels", f"Vessel track: {group}", _rgba(GROUP_COLORS[group], 200), "thin line")
            )
    kinds = set(layer.events["kind"]) if not layer.events.empty else set()
    for kind, label in EVENT_KIND_LABELS.items():
        if kind in kinds:
            entries.append(LegendEntry("vessels", f"Event: {label}", _rgba(EVENT_COLORS[kind], 235), "hollow dot"))
    if len(layer.events) > MAX_EVENT_POINTS:
        entries.append(
            LegendEntry(
                "vessels",
                f"More than {MAX_EVENT_POINTS:,} events in view: each marker is the events of one kind in a "
                f"{EVENT_CELL_DEG:g}° cell, at their mean position (hover for the count)",
                (90, 90, 90, 230),
                "hollow dot",
            )
        )
    return entries
