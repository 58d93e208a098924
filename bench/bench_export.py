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

from tracker import cartography, readers  # noqa: E402
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
    common = {"filters": f, "data_as_of": b.as_of.date(), "coverage_note": b.coverage_note}
    cartography.render_map(inc, des, rts, cartography.MapSpec(width_px=800, height_px=600, **common))  # warm caches
    for name, (w, h, dpi) in cartography.PRESETS.items():
        for fmt in cartography.IMAGE_FORMATS:
            spec = cartography.spec_for_preset(name, fmt=fmt, **common)
            t = best_of(lambda spec=spec: cartography.render_map(inc, des, rts, spec))
            base = best_of(lambda w=w, h=h, dpi=dpi, fmt=fmt: empty_figure(w, h, dpi, fmt))
            print(f"{name:13s} {fmt}: {w}x{h} @ {dpi} dpi  {t:6.2f} s   baseline empty figure: {base:6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
