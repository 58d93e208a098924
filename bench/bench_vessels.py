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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic import ais_positions as synthetic_positions  # noqa: E402

from tracker.vessels.events import detect_events  # noqa: E402


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
