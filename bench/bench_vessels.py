"""Benchmark: behaviour events on synthetic AIS tracks.

    python bench/bench_vessels.py [--rows 1000000]     # 10_000_000 for the full-size check

Generates ``--rows`` positions of synthetic vessel tracks (2,000 fixes per vessel, one every
2 minutes on average, in the open Eastern Pacific; some vessels drift slowly, some go dark for
hours, some sail in pairs) and prints, one line each, each figure beside its baseline from the
same run:

* event detection (``detect_events``, all kinds) vs a plain ``sort_values(["mmsi", "time"])``
  of the same frame;
* peak resident memory during event detection vs during the sort (Linux ``VmHWM``, reset before
  each step), beside the memory the frame holds and the process peak (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.vessels.events import detect_events  # noqa: E402

FIXES_PER_VESSEL = 2_000


def synthetic_positions(rows: int, seed: int = 0) -> pd.DataFrame:
    """``rows`` positions of synthetic tracks, shuffled by vessel order (not sorted by time within the frame)."""
    rng = np.random.default_rng(seed)
    vessels = max(2, rows // FIXES_PER_VESSEL)
    per = np.full(vessels, rows // vessels)
    per[: rows - per.sum()] += 1
    vessel = np.repeat(np.arange(vessels), per)
    first = np.r_[0, np.cumsum(per)[:-1]]
    step = rng.exponential(120.0, rows).astype(np.int64) + 1
    step[first] = rng.integers(0, 86_400 * 3, vessels)
    dark = rng.random(rows) < 0.0005  # AIS off for 6 to 30 hours now and then
    step[dark] += rng.integers(6 * 3600, 30 * 3600, int(dark.sum()))
    t = np.cumsum(step)
    t -= np.repeat(t[first], per) - np.repeat(step[first], per)
    kind = rng.random(vessels)
    base_speed = np.where(kind < 0.1, 0.8, rng.uniform(6, 16, vessels))  # a tenth of the fleet drifts
    speed = np.repeat(base_speed, per) * rng.uniform(0.7, 1.3, rows)
    course = np.repeat(rng.uniform(0, 2 * np.pi, vessels), per) + np.cumsum(rng.normal(0, 0.05, rows))
    hours = np.diff(np.r_[0, t]) / 3600.0
    hours[first] = 0
    nm = speed * np.minimum(hours, 2.0)
    dlat = nm / 60 * np.cos(course)
    dlon = nm / 60 * np.sin(course)
    lat0 = np.repeat(rng.uniform(2, 15, vessels), per)
    lon0 = np.repeat(rng.uniform(-120, -100, vessels), per)
    lat = lat0 + _cumsum_by(dlat, first, per)
    lon = lon0 + _cumsum_by(dlon, first, per)
    # every twentieth vessel shadows the one before it, 300 m away
    shadow = np.flatnonzero(np.arange(vessels) % 20 == 1)
    for v in shadow:
        a, b = first[v - 1], first[v]
        n = min(per[v - 1], per[v])
        t[b : b + n], lat[b : b + n], lon[b : b + n] = t[a : a + n], lat[a : a + n] + 0.0027, lon[a : a + n]
        speed[b : b + n] = speed[a : a + n]
    mmsi = 200_000_000 + vessel.astype(np.int64) * 7
    names = pd.Categorical.from_codes(vessel % 5_000, [f"VESSEL {i}" for i in range(5_000)])
    return pd.DataFrame(
        {
            "mmsi": mmsi,
            "time": pd.to_datetime(t + 1_704_067_200, unit="s", utc=True).astype("datetime64[s, UTC]"),
            "lat": lat,
            "lon": lon,
            "sog": np.round(speed, 1),
            "name": names,
        }
    )


def _cumsum_by(values: np.ndarray, first: np.ndarray, per: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    return total - np.repeat(total[first] - values[first], per)


def _peak_mb() -> float:
    """Peak resident set size (MB) since the last reset: VmHWM where /proc has it, else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _current_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def _reset_peak() -> None:
    """Start the peak over from the current size (Linux: writing 5 to clear_refs); a no-op elsewhere."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    frame = synthetic_positions(args.rows)
    generated = time.perf_counter() - start
    generated_peak = _peak_mb()
    held = _current_mb()

    _reset_peak()
    start = time.perf_counter()
    sorted_frame = frame.sort_values(["mmsi", "time"])
    sort_s = time.perf_counter() - start
    del sorted_frame

    sort_peak = _peak_mb()
    _reset_peak()
    start = time.perf_counter()
    events = detect_events(frame)
    detect_s = time.perf_counter() - start
    detect_peak = _peak_mb()

    counts = ", ".join(f"{k} {n}" for k, n in events["kind"].value_counts().sort_index().items())
    print(f"rows {args.rows:,}; generated in {generated:.1f} s; events: {counts}")
    print(f"event detection {detect_s:.2f} s vs sort_values(['mmsi','time']) {sort_s:.2f} s ({detect_s / sort_s:.1f}x)")
    print(
        f"peak RSS during event detection {detect_peak:,.0f} MB vs during sort_values {sort_peak:,.0f} MB "
        f"(frame held: {held:,.0f} MB; generating it peaked at {generated_peak:,.0f} MB; "
        f"process peak ru_maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB)"
    )


if __name__ == "__main__":
    main()
