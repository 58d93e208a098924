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
    return [[round(x, 5), round(y, 5)] for x, y in path]


def track_rows(layer: VesselLayer) -> pd.DataFrame:
    """One row per track piece: path, colour and a short tooltip."""
    t = layer.tracks
    if t.empty:
        return pd.DataFrame(columns=["path", "color", "tooltip"])
    first = pd.to_datetime(t["first_time"], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    last = pd.to_datetime(t["last_time"], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    tip = (
        "Vessel MMSI " + t["mmsi"].astype(str) + " " + t["name"].fillna("(no name)").astype(str).str[:40]
        + "\n" + t["group"] + ", " + first + " to " + last + " UTC"
    )  # fmt: skip
    return pd.DataFrame({"path": t["path"].map(_round_path), "color": t["color"], "tooltip": tip})


def event_rows(layer: VesselLayer) -> pd.DataFrame:
    """One row per event: position, colour and a tooltip with its figures and rule."""
    e = layer.events
    if e.empty:
        return pd.DataFrame(columns=["longitude", "latitude", "color", "tooltip"])
    start = pd.to_datetime(e["start"], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    end = pd.to_datetime(e["end"], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    tip = (
        e["kind"].map(EVENT_KIND_LABELS) + ": MMSI " + e["mmsi"].astype(str) + "\n" + start + " to " + end
        + " UTC (" + e["hours"].round(1).astype(str) + " h)\n" + e["detail"].fillna("").astype(str).str[:80]
    )  # fmt: skip
    return pd.DataFrame(
        {
            "longitude": e["lon"].round(5),
            "latitude": e["lat"].round(5),
            "color": e["kind"].map(lambda k: EVENT_COLORS[k] + [235]),
            "tooltip": tip,
        }
    )


def vessel_deck_layers(layer: VesselLayer) -> list[pdk.Layer]:
    """The track lines (thin, by vessel group) and the event markers (by kind)."""
    out = []
    if not layer.tracks.empty:
        out.append(
            pdk.Layer(
                "PathLayer",
                track_rows(layer),
                id="vessel_tracks",
                get_path="path",
                get_color="color",
                get_width=1.5,
                width_units=PIXELS,
                pickable=True,
            )
        )
    if not layer.events.empty:
        out.append(
            pdk.Layer(
                "ScatterplotLayer",
                event_rows(layer),
                id="vessel_events",
                get_position=["longitude", "latitude"],
                get_line_color="color",
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
    return entries
