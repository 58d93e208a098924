"""Benchmark: rendering the default export of the bundled data at each preset.

    python bench/bench_export.py

For each preset and format it prints the render time beside a baseline from
the same run: matplotlib saving an empty figure of the same size and dpi (the
floor that any server-side renderer of that image pays).
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker import export, metrics, readers  # noqa: E402
from tracker.filters import Filters  # noqa: E402


def best_of(func, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        func()
        times.append(time.perf_counter() - t)
    return min(times)


def empty_figure(w: int, h: int, dpi: int, fmt: str) -> None:
    fig = plt.figure(figsize=(w / dpi, h / dpi), dpi=dpi)
    fig.savefig(io.BytesIO(), format=fmt, dpi=dpi)
    plt.close(fig)


def main() -> int:
    b = readers.read_bundle()
    f = Filters()
    inc, des, rts = f.apply_incidents(b.incidents), f.apply_designations(b.designations), f.apply_routes(b.routes)
    as_of = b.as_of.date()
    counters = tuple(metrics.view_counters(inc, des, as_of=as_of))
    export.render_map(inc, des, rts, export.MapSpec(width_px=400, height_px=300))  # warm caches
    for name, (w, h, dpi) in export.PRESETS.items():
        for fmt in export.IMAGE_FORMATS:
            spec = export.MapSpec(width_px=w, height_px=h, dpi=dpi, fmt=fmt, counters=counters,
                                  filter_line=f.caption(as_of=as_of), as_of=as_of)
            t = best_of(lambda spec=spec: export.render_map(inc, des, rts, spec))
            base = best_of(lambda w=w, h=h, dpi=dpi, fmt=fmt: empty_figure(w, h, dpi, fmt))
            print(f"{name:13s} {fmt}: {w}x{h} @ {dpi} dpi  {t:6.2f} s   baseline empty figure: {base:6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
