# ruff: noqa: E501  (the AIS layouts' header lines are written whole)
"""Behaviour events: one planted event of each kind, with its exact start and end, and near misses that must not fire.

The positions are written as a MarineCadastre CSV and read back, so the whole path runs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from ais_planted import DAY, _near_misses, _planted, _write

from tracker.vessels.events import KINDS, EventRules, detect_events
from tracker.vessels.reading import read_positions_frame
from tracker.vessels.shore import distance_from_shore_nm


@pytest.fixture(scope="module")
def positions(tmp_path_factory):
    path = tmp_path_factory.mktemp("ais") / "planted.csv"
    _write(_planted() + _near_misses(), path)
    frame, problems = read_positions_frame(path, file="planted.csv")
    assert problems == []
    return frame


def test_the_planted_places_are_where_the_rules_need_them():
    lon = np.array([-95.0, -80.0, -88.0, -77.0, -77.0])
    lat = np.array([8.0, 12.0, 11.0, 17.5, 17.75])
    far, encounter, loiter, near_gap, near_loiter = distance_from_shore_nm(lon, lat)
    assert far > 50 and encounter * 1.852 > 10 and loiter > 20
    assert near_gap < 50 and near_loiter < 20


def _at(hhmm: str) -> pd.Timestamp:
    return DAY + pd.Timedelta(hhmm + ":00")


def test_exactly_the_planted_events_are_found(positions):
    events = detect_events(positions)
    got = [
        (e.kind, e.mmsi, None if pd.isna(e.other_mmsi) else int(e.other_mmsi), e.start.floor("min"), e.end.floor("min"))
        for e in events.itertuples()
    ]
    expected = [
        ("gap", 100000001, None, _at("04:00"), _at("18:00")),
        ("encounter", 200000001, 200000002, _at("06:00"), _at("09:00")),
        ("loitering", 300000001, None, _at("02:00"), _at("08:00")),
        ("jump", 400000001, None, _at("03:00"), _at("03:10")),
        ("identity", 500000001, None, _at("02:00"), _at("02:10")),
        ("identity", 500000001, None, _at("03:00"), _at("03:10")),
    ]
    assert sorted(got, key=lambda e: (e[0], e[1], e[3])) == sorted(expected, key=lambda e: (e[0], e[1], e[3]))
    details = events.set_index("kind")["detail"]
    assert set(details["identity"]) == {"name OCEAN STAR -> SEA STAR", "IMO 9543500 -> 9876543"}
    enc = events[events["kind"] == "encounter"].iloc[0]
    assert enc["distance_km"] == pytest.approx(0.2, abs=0.01)
    assert enc["hours"] == 3.0
    jump = events[events["kind"] == "jump"].iloc[0]
    assert jump["distance_km"] / 1.852 == pytest.approx(
        200 * math.cos(math.radians(5)), rel=0.01
    )  # 200/60 degrees east


def test_each_event_carries_its_rule_sentence(positions):
    events = detect_events(positions)
    rules = EventRules()
    for e in events.itertuples():
        assert e.rule == rules.describe(e.kind)
    assert rules.describe("gap") == "No position for 12 h or more; both ends 50 nm or more from shore"


def test_changed_thresholds_change_the_events(positions):
    loose = EventRules(gap_hours=5, loiter_max_speed_kn=4, encounter_min_hours=4)
    events = detect_events(positions, loose, kinds=["gap", "loitering", "encounter"])
    gaps = set(events.loc[events["kind"] == "gap", "mmsi"])
    assert gaps == {100000001, 700000001}  # the 6-hour gap now counts; the one near Jamaica still does not
    assert 800000001 in set(events.loc[events["kind"] == "loitering", "mmsi"])  # 3 kn is now slow
    assert "encounter" not in set(events["kind"])  # 3 h side by side is under 4 h
    assert "under 4 kn" in loose.describe("loitering")


def test_kinds_limit_the_search_and_unknown_kinds_are_refused(positions):
    only = detect_events(positions, kinds=["jump"])
    assert list(only["kind"]) == ["jump"]
    with pytest.raises(ValueError):
        detect_events(positions, kinds=["teleport"])
    assert set(KINDS) == {"gap", "encounter", "loitering", "jump", "identity"}


def test_input_order_does_not_matter(positions):
    shuffled = positions.sample(frac=1.0, random_state=1).reset_index(drop=True)
    a = detect_events(positions)
    b = detect_events(shuffled)
    pd.testing.assert_frame_equal(a, b)


def test_no_positions_no_events():
    empty = pd.DataFrame({"mmsi": pd.Series(dtype="int64"), "time": pd.Series(dtype="datetime64[s, UTC]"),
                          "lat": pd.Series(dtype=float), "lon": pd.Series(dtype=float)})  # fmt: skip
    out = detect_events(empty)
    assert len(out) == 0
    assert list(out.columns)[:3] == ["kind", "mmsi", "other_mmsi"]


def test_tracks_are_cut_at_gaps_and_kept_under_the_vertex_budget(positions):
    from tracker.vessels.tracks import tracks_for_view, vessel_summary

    pieces = tracks_for_view(positions, max_points=200)
    assert sum(len(p["path"]) for p in pieces) <= 200
    gap_vessel = [p for p in pieces if p["mmsi"] == 100000001]
    assert [(p["first_time"], p["last_time"]) for p in gap_vessel] == [
        (_at("00:00"), _at("04:00")),
        (_at("18:00"), _at("20:00")),
    ]
    full = tracks_for_view(positions, max_points=10_000, tolerance_deg=0.0)
    first = positions[positions["mmsi"] == 100000001].iloc[0]
    assert full[0]["path"][0] == [first["lon"], first["lat"]]  # straight legs keep their ends
    assert all(len(p["path"]) >= 2 for p in full)
    summary = vessel_summary(positions, detect_events(positions)).set_index("mmsi")
    assert summary.loc[500000001, "names"] == "OCEAN STAR; SEA STAR"  # " ocean  star" is the same name
    assert summary.loc[500000001, "imo"] == "9543500; 9876543"
    assert summary.loc[500000001, "events"] == 2
    assert summary.loc[200000002, "events"] == 1
    assert summary["positions"].sum() == len(positions)
