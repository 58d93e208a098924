"""Vessel tracks and behaviour events for one view (a date range), ready for the browser map and the export.

:func:`vessel_layer` takes the stored positions of the date range and the events found in the store,
and returns the tracks simplified to a vertex budget (so the map's payload stays small at any
zoom), each coloured by its vessel group, and the events that start in the range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from tracker.vessels.tracks import tracks_for_view
from tracker.vessels.types import GROUP_COLORS, groups_of

MAX_TRACK_VERTICES = 40_000
"""Vertices of all tracks drawn at once: about 0.9 MB of the browser map's JSON at 5 decimals."""

TRACK_COLUMNS = ["mmsi", "name", "group", "first_time", "last_time", "path", "color"]
EVENT_KIND_LABELS = {
    "gap": "AIS gap (transmission off)",
    "encounter": "Encounter (possible ship-to-ship transfer)",
    "loitering": "Loitering",
    "jump": "Implausible jump (possible spoofing)",
    "identity": "Identity change (name, IMO or flag)",
}
EVENT_COLORS = {
    "gap": [255, 127, 14],
    "encounter": [214, 39, 40],
    "loitering": [148, 103, 189],
    "jump": [227, 119, 194],
    "identity": [140, 86, 75],
}


@dataclass(frozen=True)
class VesselLayer:
    """What the maps draw of the AIS positions in one view.

    ``tracks``: one row per track piece (columns :data:`TRACK_COLUMNS`; ``path`` is [[lon, lat], ...]);
    ``events``: the events starting in the view's date range (columns of
    :func:`tracker.vessels.events.detect_events`); ``vessels`` and ``positions``: how many are in range.
    """

    tracks: pd.DataFrame
    events: pd.DataFrame
    vessels: int
    positions: int

    @property
    def empty(self) -> bool:
        return self.positions == 0 and self.events.empty

    def caption(self) -> str:
        """One line for the map's caption or footnote: what is drawn and how it was simplified."""
        kinds = self.events["kind"].value_counts()
        counts = ", ".join(f"{n:,} {k}" for k, n in kinds.items()) or "none"
        return (
            f"{self.vessels:,} vessel track(s) from {self.positions:,} AIS positions (simplified to at most "
            f"{MAX_TRACK_VERTICES:,} points; tracks break at gaps of 12 h or more); events: {counts}"
        )


def empty_layer() -> VesselLayer:
    return VesselLayer(pd.DataFrame(columns=TRACK_COLUMNS), pd.DataFrame(columns=["kind", "lat", "lon"]), 0, 0)


def vessel_layer(
    positions: pd.DataFrame,
    events: pd.DataFrame,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    max_points: int = MAX_TRACK_VERTICES,
) -> VesselLayer:
    """The tracks of ``positions`` (already read for the range) and the ``events`` starting from day
    ``since`` to day ``until`` (inclusive, UTC)."""
    if len(events):
        start = pd.to_datetime(events["start"], utc=True).dt.date
        keep = pd.Series(True, index=events.index)
        if since is not None:
            keep &= start >= since
        if until is not None:
            keep &= start <= until
        events = events[keep].reset_index(drop=True)
    if not len(positions):
        return VesselLayer(pd.DataFrame(columns=TRACK_COLUMNS), events, 0, 0)
    pieces = pd.DataFrame(tracks_for_view(positions, max_points=max_points))
    pieces["group"] = groups_of(pieces["vessel_type"])
    pieces["color"] = pieces["group"].map(lambda g: GROUP_COLORS[g] + [200])
    return VesselLayer(pieces[TRACK_COLUMNS], events, int(positions["mmsi"].nunique()), len(positions))
