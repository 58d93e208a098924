"""Benchmark: the A4 300-dpi PNG export of 10k, 100k and 1M incident rows.

    python bench/bench_export.py              # 10,000, 100,000 and 1,000,000 rows
    python bench/bench_export.py --rows N     # one size

Rows are ``bench/synthetic.py``'s ``incident_frame(n)`` (the same rows as bench_map.py), with
the bundled designations and routes.  Each line prints the figure beside baselines measured
in the same run:

* planning the map (records in the frame, counters, strike symbols);
* rendering the planned map to PNG, vs saving an empty figure of the same size and dpi (the
  floor any matplotlib render of that image pays), and vs drawing each uncertainty ring as
  its own patch, one point per record with no grouping (timed on a 2,000-ring sample and
  scaled to the rings of every placed approximate record);
* peak memory of planning and rendering (tracemalloc: Python and numpy allocations).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import tracemalloc
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic import incident_frame  # noqa: E402

from tracker import cartography, readers  # noqa: E402
from tracker.cartography.shapes import _rings  # noqa: E402
from tracker.filters import Filters  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)
RING_SAMPLE = 2_000


def empty_figure(w: int, h: int, dpi: int) -> None:
    fig = plt.figure(figsize=(w / dpi, h / dpi), dpi=dpi)
    fig.savefig(io.BytesIO(), format="png", dpi=dpi)
    plt.close(fig)


def rings_one_by_one(plan: cartography.MapPlan, frame, rows) -> float:
    """Seconds to draw ``rows``' rings as one patch each on a figure of the plan's size."""
    spec = plan.spec
    fig = plt.figure(figsize=(spec.width_px / spec.dpi, spec.height_px / spec.dpi), dpi=spec.dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(*frame.xlim)
    ax.set_ylim(*frame.ylim)
    t = time.perf_counter()
    for ring in _rings(frame, rows):
        ax.add_patch(Polygon(ring, closed=True, fill=False, linewidth=0.8))
    fig.savefig(io.BytesIO(), format="png", dpi=spec.dpi)
    elapsed = time.perf_counter() - t
    plt.close(fig)
    return elapsed


def best(func, repeat: int = 2):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t)
    return min(times), result


def bench(n: int, b: readers.Bundle) -> None:
    f = Filters()
    inc = incident_frame(n)
    des, rts = f.apply_designations(b.designations), f.apply_routes(b.routes)
    spec = cartography.spec_for_preset(
        "a4-landscape", filters=f, data_as_of=b.as_of.date(), coverage_note=b.coverage_note
    )
    cartography.render_plan(cartography.plan_map(inc, des, rts, spec))  # warm the basemap and font caches
    t_plan, plan = best(lambda: cartography.plan_map(inc, des, rts, spec))
    plans = [cartography.plan_map(inc, des, rts, spec) for _ in range(2)]
    t_render = min(best(lambda p=p: cartography.render_plan(p), repeat=1)[0] for p in plans)
    w, h, dpi = cartography.PRESETS["a4-landscape"]
    t_empty, _ = best(lambda: empty_figure(w, h, dpi))
    tracemalloc.start()
    cartography.render_plan(cartography.plan_map(inc, des, rts, spec))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # baseline: every approximate record's ring drawn as its own patch (a sample, scaled)
    ringed = inc[(inc["location_precision"] != "exact") & (inc["radius_km"] > 0) & inc["latitude"].notna()]
    sample = ringed.iloc[:RING_SAMPLE].assign(precision=lambda d: d["location_precision"])
    t_patches = rings_one_by_one(plans[0], plans[0].frame, sample) * len(ringed) / max(len(sample), 1)
    cell = float(plans[0].strikes["cell_km"].iloc[0]) if len(plans[0].strikes) else 0.0
    drawn = f"{len(plans[0].strikes):,} symbols" + (f" in {cell:g} km cells" if cell else " at their positions")
    print(
        f"{n:>9,} rows  A4 300 dpi PNG: plan {t_plan:5.2f} s, render {t_render:5.2f} s ({drawn})   "
        f"baseline empty figure: {t_empty:5.2f} s   baseline {len(ringed):,} rings one patch each: "
        f"~{t_patches:7.1f} s (scaled from {len(sample):,})   peak memory {peak / 1e6:6.1f} MB"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, help="one size instead of 10k, 100k and 1M")
    args = ap.parse_args()
    b = readers.read_bundle()
    np.seterr(all="ignore")
    for n in (args.rows,) if args.rows else SIZES:
        bench(n, b)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
