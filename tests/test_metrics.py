import datetime as dt

import pandas as pd
import pytest
import reference
import test_filters

from support import synthetic_incidents
from tracker import metrics
from tracker.filters import Filters


def _counters(bundle, **kw):
    f = Filters(**kw)
    as_of = metrics.counters_as_of(f.date_to, bundle.as_of.date())
    return {c.key: c for c in metrics.incident_counters(f.apply_incidents(bundle.incidents), as_of=as_of)}


def test_mid_november_2025_matches_the_public_tallies(bundle):
    # 15 Nov 2025: 21 strikes (Anadolu '21 attacks'), 22 vessels (BNO), 82 announced deaths (Anadolu),
    # 83 counting the 27 Oct survivor presumed dead (CNN)
    c = _counters(bundle, date_to=dt.date(2025, 11, 15))
    assert {k: v.value for k, v in c.items()} == {
        "strikes": 21,
        "fatal_strikes": 21,
        "vessels": 22,
        "deaths_announced": 82,
        "presumed_dead": 1,
        "deaths_with_presumed": 83,
        "living_survivors": 2,
    }
    assert c["strikes"].as_of == dt.date(2025, 11, 15)


def test_whole_bundle_counters(bundle):
    c = _counters(bundle)
    assert {k: v.value for k, v in c.items()} == {
        "strikes": 67,
        "fatal_strikes": 63,
        "vessels": 68,
        "deaths_announced": 192,
        "presumed_dead": 14,
        "deaths_with_presumed": 206,
        "living_survivors": 10,
    }
    assert c["living_survivors"].face == (
        "survived the strike and not later presumed dead: 24 survived, 14 of them presumed dead"
    )
    assert c["deaths_announced"].caveat == "4 row(s) in view have no death figure"
    assert c["strikes"].as_of == dt.date(2026, 10, 4)


def test_every_counter_states_unit_and_definition(bundle):
    for c in _counters(bundle).values():
        assert c.unit in {"engagements", "vessels", "people"}
        assert len(c.definition) > 30


def test_multi_strike_rows_count_engagements_and_vessels_apart(bundle):
    s11 = bundle.incidents[bundle.incidents["incident_id"] == "S11"]
    assert metrics.count_strikes(s11) == 3 and metrics.count_vessels(s11) == 4


def test_designation_counter_leaves_out_non_listings(bundle):
    c = metrics.designation_counter(bundle.designations, as_of=None)
    assert c.value == 119 and c.caveat == "3 non-listing action(s) not counted"


def test_weekly_series_adds_up(bundle):
    w = metrics.weekly_series(bundle.incidents)
    assert w["strikes"].sum() == 67
    assert w["cumulative_deaths"].iloc[-1] == 192
    assert w["cumulative_deaths_with_presumed"].iloc[-1] == 206
    assert (w["week"].dt.day_of_week == 0).all()
    assert metrics.weekly_series(bundle.incidents.iloc[0:0]).empty


def test_counters_as_of_never_passes_the_data():
    assert metrics.counters_as_of(dt.date(2030, 1, 1), dt.date(2026, 10, 4)) == dt.date(2026, 10, 4)
    assert metrics.counters_as_of(None, dt.date(2026, 10, 4)) == dt.date(2026, 10, 4)


@pytest.mark.parametrize("func", [metrics.count_strikes, metrics.count_deaths_announced])
def test_counters_on_empty_frames_are_zero(bundle, func):
    assert func(bundle.incidents.iloc[0:0]) == 0


# -- the column path gives the plain path's numbers ----------------------------------


@pytest.mark.parametrize("f", test_filters.CASES, ids=lambda f: f.caption())
def test_counters_on_a_row_mask_equal_the_plain_counters_of_the_filtered_rows(bundle, f):
    for frame in (bundle.incidents, synthetic_incidents(20_000, seed=3)):
        rows = f.incident_mask(frame)
        expected = reference.counters(reference.apply_incidents(f, frame))
        masked = {c.key: c.value for c in metrics.incident_counters(frame, as_of=None, rows=rows)}
        copied = {c.key: c.value for c in metrics.incident_counters(f.apply_incidents(frame), as_of=None)}
        assert masked == copied == expected


@pytest.mark.parametrize("f", test_filters.CASES[:6], ids=lambda f: f.caption())
def test_weekly_series_on_a_row_mask_equals_the_plain_series(bundle, f):
    for frame in (bundle.incidents, synthetic_incidents(20_000, seed=4)):
        expected = reference.weekly_series(reference.apply_incidents(f, frame))
        got = metrics.weekly_series(frame, rows=f.incident_mask(frame))
        if expected.empty:
            assert got.empty
            continue
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))
