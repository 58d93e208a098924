"""The vectorised checks of the import agree with the pandas and pandera code they replace."""

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import schema
from tracker.ingest import checks
from tracker.ingest import values as values_module
from tracker.ingest.values import _parse_numbers_slow, parse_numbers

_NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(-1e6, 1e6).map(lambda x: f"{x:.6f}"),
    st.integers(-(10**20), 10**20).map(str),
    st.from_regex(r"-?[0-9]{0,18}([.,][0-9]{0,22})?", fullmatch=True),
    st.sampled_from(["", " ", "inf", "-inf", "nan", "1e400", "\u22123.5", " 7 ", "12,5", "abc", "+4", ".5", "5."]),
    st.text(max_size=6),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_NUMBER_TEXT, max_size=30), st.sampled_from(["str", "object"]))
def test_parse_numbers_agrees_with_the_pandas_reference(texts, dtype):
    values = pd.Series(texts, dtype=dtype, index=pd.RangeIndex(5, 5 + len(texts)))
    nums, bad = parse_numbers(values)
    ref_nums, ref_bad = _parse_numbers_slow(values)
    assert nums.index.equals(values.index) and bad.index.equals(values.index)
    np.testing.assert_array_equal(nums.to_numpy(), ref_nums.to_numpy())
    assert np.signbit(nums.to_numpy()).tolist() == np.signbit(ref_nums.to_numpy()).tolist()
    assert bad.tolist() == ref_bad.tolist()


_TEXT = st.sampled_from(["", " ", "day", "x", "Caribbean", "Unknown", "boat strike", "other", "exact", "area"])
_FLOAT = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.floats(-200, 200))
_COUNT = st.one_of(st.none(), st.integers(-5, 20_000))


_DATES = ["2025-09-02", None, "1850-01-01", "2099-01-01"]


@st.composite
def _incident_frames(draw):
    n = draw(st.integers(0, 12))

    def text(*valid):  # every text valid in some frames: then only numbers or dates fail (their dtypes mix)
        return draw(st.lists(st.sampled_from(valid) if draw(st.booleans()) else _TEXT, min_size=n, max_size=n))

    rows = {
        "incident_id": text("A1", "B2"),
        "date": draw(st.lists(st.sampled_from(_DATES), min_size=n, max_size=n)),
        "date_precision": text(*schema.DATE_PRECISIONS),
        "region": text(*schema.REGIONS),
        "event_type": text(*schema.EVENT_TYPES),
        "latitude": draw(st.lists(_FLOAT, min_size=n, max_size=n)),
        "longitude": draw(st.lists(_FLOAT, min_size=n, max_size=n)),
        "location_precision": text(*schema.LOCATION_PRECISIONS),
        "radius_km": draw(st.lists(st.one_of(_FLOAT, st.floats(-10, 30_000)), min_size=n, max_size=n)),
        "source_urls": text("https://a.example/1", "x"),
    }
    for name in ("vessels", "strikes", "killed", "survivors", "presumed_dead"):
        rows[name] = pd.array(draw(st.lists(_COUNT, min_size=n, max_size=n)), dtype="Int64")
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    return schema.canonicalise("incidents", frame)


def _records(failures: pd.DataFrame) -> list[tuple]:
    return [
        (int(r.index), str(r.column), "" if pd.isna(r.failure_case) else str(r.failure_case), str(r.message))
        for r in failures.itertuples(index=False)
    ]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_incident_frames())
def test_column_failures_agree_with_pandera(frame):
    fast = schema._column_failures("incidents", frame)
    assert fast is not None
    assert _records(fast) == _records(schema._pandera_failures("incidents", frame))


@pytest.mark.parametrize("kind", ["designations", "routes"])
def test_column_failures_agree_with_pandera_for_the_other_kinds(kind):
    frame = schema.canonicalise(kind, pd.DataFrame({"name": ["a", "", "b"], "latitude": [1.0, 95.0, None]}))
    fast = schema._column_failures(kind, frame)
    assert fast is not None
    assert _records(fast) == _records(schema._pandera_failures(kind, frame))


def test_a_frame_that_is_not_canonical_goes_to_pandera():
    frame = schema.canonicalise("incidents", pd.DataFrame({"incident_id": ["a"]}))
    assert schema._column_failures("incidents", frame.astype({"latitude": object})) is None
    assert schema._column_failures("incidents", frame.drop(columns=["region"])) is None


def test_canonicalise_keeps_arrow_text_as_it_is():
    text = pd.Series(["a", None, "b"], dtype="str")
    frame = schema.canonicalise("incidents", pd.DataFrame({"notes": text, "region": pd.Series(["x", None, 3])}))
    assert frame["notes"].tolist() == ["a", "", "b"] and frame["region"].tolist() == ["x", "", "3"]
    assert str(frame["notes"].dtype) == str(frame["region"].dtype) == "str"


def _within_5_km_reference(u, group, lon, lat, best, query) -> None:
    """The search as it was: each first's cube columns looked up in the order of the firsts."""
    keys = checks._cube_keys(group, lon[u], lat[u])
    first_in_cube = pd.Series(u).groupby(keys, sort=False).transform("min").to_numpy()
    take = (first_in_cube != u) & query[u]
    best[u[take]] = np.minimum(best[u[take]], first_in_cube[take])
    firsts = np.flatnonzero((first_in_cube == u) & query[u])
    if not len(firsts):
        return
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_u = keys[order], u[order]
    steps = np.arange(-checks._REACH, checks._REACH + 1, dtype=np.int64)
    dx, dy = np.meshgrid(steps, steps, indexing="ij")
    columns = ((dx << (2 * checks._CELL_BITS)) + (dy << checks._CELL_BITS)).ravel()
    wanted = (keys[firsts][:, None] + columns[None, :]).ravel()
    lo = np.searchsorted(sorted_keys, wanted - checks._REACH, "left")
    hi = np.searchsorted(sorted_keys, wanted + checks._REACH, "right")
    for i, j in checks._pairs(np.repeat(u[firsts], len(columns)), lo, hi):
        checks._keep_earliest_within(i, sorted_u[j], lon, lat, checks.DUPLICATE_DISTANCE_KM, best)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 400), st.integers(1, 4), st.integers(0, 2**31))
def test_within_5_km_agrees_with_the_unsorted_search(n, groups, seed):
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(-80.0, -79.8, n), rng.uniform(10.0, 10.2, n)
    if seed % 2:  # the mirror positions across the equator share the slabs searched (x and y, not z)
        lat[::2] = -lat[::2]
    if seed % 3 == 0:  # near the poles and the antimeridian
        lon, lat = rng.uniform(179.9, 180.0, n) * rng.choice([-1, 1], n), rng.uniform(89.9, 90.0, n)
    group = rng.integers(0, groups, n)
    query = rng.random(n) < 0.8
    u = np.arange(n)
    best, ref = np.full(n, n), np.full(n, n)
    checks._within_5_km(u, group, lon, lat, best, query)
    _within_5_km_reference(u, group, lon, lat, ref, query)
    assert best.tolist() == ref.tolist()


def _plain_iso_dates_reference(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The ISO fast path as it was: pandas' to_datetime with the format, years checked first."""
    years = pd.to_numeric(values.str.slice(0, 4), errors="coerce")
    in_range = (years >= schema.MIN_DATE.year) & (years <= 2261)
    fast = pd.to_datetime(values.where(in_range, ""), format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    good = (fast.notna() & in_range).to_numpy()
    return fast.to_numpy(), good


_ISO_TEXT = st.builds(
    lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_ISO_TEXT, st.dates().map(str)), max_size=40), st.sampled_from(["str", "object"]))
def test_plain_iso_dates_agree_with_pandas(texts, dtype):
    values = pd.Series(texts, dtype=dtype)
    stamps, good = values_module._plain_iso_dates(values)
    ref_stamps, ref_good = _plain_iso_dates_reference(values.astype(str))
    assert good.tolist() == ref_good.tolist()
    np.testing.assert_array_equal(stamps[good], ref_stamps[ref_good])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31), st.integers(1, 3000))
def test_within_land_agrees_with_the_tree_query(seed, n):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-100.0, -55.0, n), rng.uniform(-5.0, 30.0, n)
    coast = shapely.get_coordinates(checks._land().geometries[:40])  # vertices: on a boundary, not within
    take = rng.integers(0, len(coast), min(n, 50))
    x[: len(take)], y[: len(take)] = coast[take, 0], coast[take, 1]
    hits = checks._land().query(shapely.points(x, y), predicate="within")
    reference = np.zeros(n, dtype=bool)
    reference[np.unique(hits[0])] = True
    assert checks._within_land(x, y).tolist() == reference.tolist()
