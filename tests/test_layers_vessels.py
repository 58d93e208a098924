"""The browser map's vessel layers: one marker per event, or counts per grid cell beyond the cap."""

import numpy as np
import pandas as pd

from tracker.layers import vessels as vl
from tracker.vessels.view import VesselLayer, empty_layer


def _events(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "kind": rng.choice(["gap", "loitering"], n),
            "mmsi": rng.integers(1, 50, n),
            "start": pd.Timestamp("2024-03-01", tz="UTC"),
            "hours": 13.0,
            "lat": rng.uniform(5, 15, n),
            "lon": rng.uniform(-100, -80, n),
        }
    )


def test_below_the_cap_each_event_is_one_marker_in_its_kinds_layer():
    layer = VesselLayer(empty_layer().tracks, _events(100), 0, 0)
    rows = vl.event_rows(layer)
    assert len(rows) == 100
    ids = [x.id for x in vl.vessel_deck_layers(layer)]
    assert sorted(ids) == ["vessel_events_gap", "vessel_events_loitering"]
    assert not any("cell" in e.label for e in vl.vessel_legend(layer))


def test_beyond_the_cap_events_are_counted_per_kind_and_cell_and_the_legend_says_so():
    events = _events(vl.MAX_EVENT_POINTS + 1)
    layer = VesselLayer(empty_layer().tracks, events, 0, 0)
    rows = vl.event_rows(layer)
    assert len(rows) < len(events)
    counts = rows["tooltip"].str.extract(r"^(\d+) ")[0].astype(int)
    assert counts.sum() == len(events)  # every event is in one cell's count
    assert any("each marker is the events of one kind" in e.label for e in vl.vessel_legend(layer))
