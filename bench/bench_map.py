"""Benchmark: a filter change on the Overview (counters + map layers + deck JSON) at 10k, 100k, 1M rows.

    python bench/bench_map.py              # 10,000, 100,000 and 1,000,000 rows
    python bench/bench_map.py --rows N     # one size

Rows are ``bench/synthetic.py``'s ``incident_frame(n)`` (the synthetic CSV rows as a canonical
frame).  Each line prints a figure beside a baseline measured in the same run:

* filter -> counters + layers + deck JSON, on columns with a row mask (what the app does, the
  slowest of several filters) vs a per-row Python loop for the same counters and positions
  (timed on a 20,000-row slice and scaled);
* deck JSON size vs the naive one-point-per-row payload (every record its own point with its
  tooltip: built on a 20,000-row slice and scaled);
* peak memory of the filter change (tracemalloc: Python and numpy allocations).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic import incident_frame  # noqa: E402

from tracker import layers, metrics, readers  # noqa: E402
from tracker.filters import Filters  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)
SAMPLE = 20_000
FILTERS = (
    Filters(),
    Filters(date_from=dt.date(2025, 10, 1), date_to=dt.date(2026, 6, 30), regions=("Caribbean",)),
    Filters(affiliations=("ELN", "Tren de Aragua")),
    Filters(text="beata"),
)


def filter_change(frame: pd.DataFrame, bundle: readers.Bundle, f: Filters) -> tuple[list[metrics.Counter], str]:
    """What the Overview computes on a filter change: counters, the map's layers and its deck JSON."""
    rows = f.incident_mask(frame)
    designations, routes = f.apply_designations(bundle.designations), f.apply_routes(bundle.routes)
    counters = metrics.view_counters(frame, designations, as_of=None, rows=rows)
    deck, _legend, _strikes = layers.build_map(frame, designations, routes, rows=rows)
    return counters, deck.to_json()


def per_row(frame: pd.DataFrame, f: Filters) -> tuple[int, int, int]:
    """The baseline: each row tested and summed in Python, points keyed by position in a dict."""
    start = pd.Timestamp(f.date_from) if f.date_from else None
    end = pd.Timestamp(f.date_to) + pd.Timedelta(days=1) if f.date_to else None
    needle = f.text.strip().lower()
    strikes = deaths = 0
    points: dict[tuple[float, float, str], list[int]] = {}
    for r in frame.itertuples(index=False):
        if start is not None and not (r.date >= start):
            continue
        if end is not None and not (r.date < end):
            continue
        if f.regions and r.region not in f.regions:
            continue
        if f.affiliations and r.affiliation not in f.affiliations:
            continue
        if needle and not any(needle in str(v).lower() for v in (r.incident_id, r.location_text, r.affiliation_text)):
            continue
        if r.event_type == "boat strike":
            strikes += 0 if pd.isna(r.strikes) else int(r.strikes)
        deaths += 0 if pd.isna(r.killed) else int(r.killed)
        if not pd.isna(r.latitude):
            points.setdefault((r.longitude, r.latitude, r.location_precision), []).append(int(r.strikes))
    return strikes, deaths, len(points)


def naive_deck(frame: pd.DataFrame, bundle: readers.Bundle) -> str:
    """Every placed record its own point with a full tooltip (no grouping, no cap)."""
    placed = frame[frame["latitude"].notna()]
    points = pd.DataFrame(
        {
            "longitude": placed["longitude"],
            "latitude": placed["latitude"],
            "symbol_px": layers.strike_symbol_px(placed["killed"].to_numpy(dtype=float, na_value=np.nan)),
            "tooltip": "ID: "
            + placed["incident_id"]
            + "\nDate: "
            + placed["date"].dt.strftime("%Y-%m-%d")
            + "\nDeaths announced: "
            + placed["killed"].astype(str)
            + "\nPosition: "
            + placed["location_precision"]
            + " within "
            + placed["radius_km"].astype(str)
            + " km\nAffiliation: "
            + placed["affiliation"]
            + "\nReported place: "
            + placed["location_text"]
            + "\nSource: "
            + placed["source_urls"],
        }
    )
    import pydeck as pdk

    built = layers.build_layers(frame.iloc[0:0], bundle.designations, bundle.routes, show=("basemap",))
    built.append(pdk.Layer("ScatterplotLayer", points, id="strikes", get_position=["longitude", "latitude"]))
    return layers.build_deck(built).to_json()


def best(func, *args, repeat: int = 3):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - t)
    return min(times), result


def bench(n: int, bundle: readers.Bundle) -> None:
    frame = incident_frame(n)
    sample = frame.iloc[: min(SAMPLE, n)]
    scale = n / len(sample)
    slowest, slowest_f, biggest, each = 0.0, FILTERS[0], 0, []
    for f in FILTERS:
        filter_change(frame, bundle, f)  # warm the process caches (basemap JSON)
        t, (counters, deck) = best(filter_change, frame, bundle, f)
        each.append(f"{t * 1000:.0f}")
        if t > slowest:
            slowest, slowest_f = t, f
        biggest = max(biggest, len(deck))
        # the same numbers as the per-row loop (on the sample, quickly)
        small = {c.key: c.value for c in filter_change(sample, bundle, f)[0]}
        loop = per_row(sample, f)
        assert (small["strikes"], small["deaths_announced"]) == loop[:2], (f, small, loop)
    t_loop, _ = best(per_row, sample, slowest_f, repeat=1)
    tracemalloc.start()
    filter_change(frame, bundle, slowest_f)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"{n:>9,} rows  filter -> counters + layers + deck JSON: {slowest * 1000:7.1f} ms (slowest of "
        f"{len(FILTERS)} filters, {' / '.join(each)} ms: {slowest_f.caption()})   "
        f"baseline per-row loop: ~{t_loop * scale * 1000:9.1f} ms "
        f"(scaled from {len(sample):,} rows)   peak memory {peak / 1e6:6.1f} MB"
    )
    naive = naive_deck(sample, bundle)
    basemap = len(naive_deck(sample.iloc[0:0], bundle))
    naive_size = basemap + (len(naive) - basemap) * scale
    print(
        f"{n:>9,} rows  deck JSON: {biggest / 1e6:6.2f} MB (largest of {len(FILTERS)} filters)   baseline one "
        f"point per row: ~{naive_size / 1e6:8.1f} MB (scaled from {len(sample):,} rows)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, help="one size instead of 10k, 100k and 1M")
    args = ap.parse_args()
    bundle = readers.read_bundle()
    for n in (args.rows,) if args.rows else SIZES:
        bench(n, bundle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
