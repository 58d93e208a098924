"""Benchmark: filtering, counting and building the map for a million incident rows.

    python bench/bench_map.py [--rows 1000000]

Prints each figure beside a baseline measured in the same run:
* filter + counters, vectorised (what the app does) vs a per-row Python loop;
* map layer JSON with server-side aggregation (what the app sends) vs sending
  every row as its own point (measured on a 100,000-row slice and scaled).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker import layers, metrics, schema  # noqa: E402
from tracker.filters import Filters  # noqa: E402


def synthetic_incidents(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "incident_id": np.char.add("X", np.arange(n).astype(str)),
            "date": pd.Timestamp("2025-09-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
            "date_precision": "day",
            "region": rng.choice(["Caribbean", "Eastern Pacific"], n),
            "event_type": "boat strike",
            "latitude": rng.uniform(0, 25, n).round(3),
            "longitude": rng.uniform(-110, -60, n).round(3),
            "location_precision": "approximate",
            "radius_km": 20.0,
            "location_text": "synthetic",
            "vessels": 1,
            "strikes": 1,
            "killed": rng.integers(0, 6, n),
            "survivors": 0,
            "presumed_dead": 0,
            "affiliation": rng.choice(["Tren de Aragua", "ELN", "Not stated"], n),
            "source_urls": "https://example.org/x",
        }
    )
    return schema.canonicalise("incidents", frame)


def timed(func, *args, repeat: int = 3, **kwargs):
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = func(*args, **kwargs)
        best = min(best, time.perf_counter() - t)
    return best, result


def vectorised(frame: pd.DataFrame, f: Filters) -> tuple[int, int]:
    view = f.apply_incidents(frame)
    return metrics.count_strikes(view), metrics.count_deaths_announced(view)


def per_row(frame: pd.DataFrame, f: Filters) -> tuple[int, int]:
    start, end = pd.Timestamp(f.date_from), pd.Timestamp(f.date_to)
    strikes = deaths = 0
    for r in frame.itertuples(index=False):
        if start <= r.date <= end and r.region in f.regions:
            strikes += int(r.strikes)
            deaths += 0 if pd.isna(r.killed) else int(r.killed)
    return strikes, deaths


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    n = ap.parse_args().rows
    frame = synthetic_incidents(n)
    f = Filters(date_from=dt.date(2025, 10, 1), date_to=dt.date(2026, 6, 30), regions=("Caribbean",))

    t_fast, got_fast = timed(vectorised, frame, f)
    t_slow, got_slow = timed(per_row, frame, f, repeat=1)
    assert got_fast == got_slow, (got_fast, got_slow)
    print(
        f"filter + counters on {n:,} rows: {t_fast * 1000:8.1f} ms   baseline per-row loop: "
        f"{t_slow * 1000:8.1f} ms   ({t_slow / t_fast:,.0f}x)"
    )

    view = f.apply_incidents(frame)

    def deck_json(rows: pd.DataFrame, max_points: int) -> str:
        built = layers.build_layers(
            rows, rows.iloc[0:0].assign(), None, show=("strikes", "rings"), max_points=max_points
        )
        return layers.build_deck(built).to_json()

    t_agg, spec = timed(deck_json, view, 5000)
    sample = view.iloc[:100_000]
    t_all, spec_all = timed(deck_json, sample, len(sample) + 1, repeat=1)
    scale = len(view) / len(sample)
    print(
        f"map layers for {len(view):,} filtered rows, aggregated: {t_agg * 1000:8.1f} ms, "
        f"{len(spec) / 1e6:6.2f} MB   baseline one point per row: ~{t_all * scale * 1000:8.1f} ms, "
        f"~{len(spec_all) * scale / 1e6:6.1f} MB (scaled from {len(sample):,} rows)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
