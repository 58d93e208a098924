"""Benchmark: storing incident rows and loading the store into the dashboard's frames.

    python bench/bench_load.py [--rows 1000000]     # default: 10,000, 100,000 and 1,000,000

For each size, on the synthetic CSV of bench/synthetic.py, prints each figure beside its
baseline from the same run:

* the baseline: a bare ``pyarrow.csv.read_csv`` of the CSV;
* storing the rows, already canonical (built from the same table with
  ``schema.canonicalise``, outside the timing), as one batch with ``open_batch`` /
  ``append`` / ``commit`` (Parquet) vs the old path (``executemany`` into the SQLite tables);
* the cold load, ``layered(read_bundle(), Store(path))`` in a fresh process (the store
  opened inside the timing), vs the baseline, and the same load of the store the old path wrote
  (the baseline and the load run alternately, seven times each: medians, each round's ratio, and
  the quickest round of each, since on a shared virtual machine a round's kernel time alone can
  jump by a second, for the parse and the load alike),
  and the store's part of it alone (``Store(path).read`` of the three kinds, no bundled files);
* peak memory: each measurement runs in its own process, which reports its peak resident
  set size during the measured step (``VmHWM``, reset just before it; ``ru_maxrss`` where
  /proc is missing) and, in brackets, how much that is above what it held before the step.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10_000, 100_000, 1_000_000)
ROUNDS = 7


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> None:
    """Start the peak (VmHWM) afresh: a forked child inherits its parent's high-water mark."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _rss_mb() -> float:
    """The current resident set size (MB)."""
    now = _status_mb("VmRSS")
    return now if now is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_mb() -> float:
    """The peak resident set size since :func:`_reset_peak` (MB)."""
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the measurements, each run in a fresh process ----------------------------------------------


def _canonical_rows(n: int):
    """The synthetic incidents as canonical rows (what the import pipeline hands the store)."""
    from synthetic import incident_table

    from tracker import schema

    frame = incident_table(n).to_pandas().rename(columns={"location": "location_text"})
    frame["date_precision"], frame["region"], frame["event_type"] = "day", "Caribbean", "boat strike"
    frame["source_basis"] = "user import"
    return schema.canonicalise("incidents", frame)


def measure_parse(csv: str) -> dict:
    import pyarrow.csv as pacsv

    _reset_peak()
    before = _rss_mb()
    cpu = time.process_time()
    t = time.perf_counter()
    table = pacsv.read_csv(csv)
    seconds = time.perf_counter() - t
    return {
        "seconds": seconds,
        "rows": table.num_rows,
        "cpu": time.process_time() - cpu,
        "before_mb": before,
        "peak_mb": _peak_mb(),
    }


def measure_store(rows_file: str, db: str, how: str) -> dict:
    import pandas as pd

    from tracker.store import CHUNK_ROWS, Store

    rows = pd.read_pickle(rows_file)
    store = Store(db)
    _reset_peak()
    before = _rss_mb()
    cpu = time.process_time()
    t = time.perf_counter()
    if how == "parquet":
        with store.open_batch("incidents", file_name="bench.csv") as batch:
            for start in range(0, len(rows), CHUNK_ROWS):
                batch.append(rows.iloc[start : start + CHUNK_ROWS])
            batch.commit(sha256="bench", rows_read=len(rows), rows_rejected=0)
    else:
        store._import_batch_into_sqlite(
            "incidents", rows, file_name="bench.csv", sha256="bench", rows_read=len(rows), rows_rejected=0
        )
    seconds = time.perf_counter() - t
    return {
        "seconds": seconds,
        "rows": len(rows),
        "cpu": time.process_time() - cpu,
        "before_mb": before,
        "peak_mb": _peak_mb(),
    }


def measure_load(db: str) -> dict:
    from tracker import readers
    from tracker.store import Store, layered

    _reset_peak()
    before = _rss_mb()
    cpu = time.process_time()
    t = time.perf_counter()
    bundle = layered(readers.read_bundle(), Store(db))
    seconds = time.perf_counter() - t
    return {
        "seconds": seconds,
        "rows": len(bundle.incidents),
        "cpu": time.process_time() - cpu,
        "before_mb": before,
        "peak_mb": _peak_mb(),
    }


def measure_read(db: str) -> dict:
    from tracker.store import Store

    _reset_peak()
    before = _rss_mb()
    cpu = time.process_time()
    t = time.perf_counter()
    store = Store(db)
    frames = [store.read(kind) for kind in ("incidents", "designations", "routes")]
    seconds = time.perf_counter() - t
    return {
        "seconds": seconds,
        "rows": sum(len(f) for f in frames),
        "cpu": time.process_time() - cpu,
        "before_mb": before,
        "peak_mb": _peak_mb(),
    }


def _child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", *args], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- the report ------------------------------------------------------------------------------


def _median(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda m: m["seconds"])[len(runs) // 2]


def _peak(m: dict) -> str:
    return f"(cpu {m['cpu']:5.2f} s)  peak {m['peak_mb']:5.0f} MB (+{m['peak_mb'] - m['before_mb']:4.0f} MB)"


def run(n: int, tmp: Path, *, old_path: bool) -> None:
    from synthetic import incident_csv

    csv = incident_csv(n, tmp / f"incidents_{n}.csv")
    rows_file = tmp / f"rows_{n}.pkl"
    _canonical_rows(n).to_pickle(rows_file)
    print(f"{n:,} rows ({csv.stat().st_size / 1e6:.1f} MB of CSV)")
    new_db, old_db = tmp / f"new_{n}.sqlite", tmp / f"old_{n}.sqlite"
    stored = _child("store", str(rows_file), str(new_db), "parquet")
    store_line = f"  store: open_batch/append/commit           {stored['seconds']:6.2f} s   {_peak(stored)}"
    if old_path:
        old = _child("store", str(rows_file), str(old_db), "sqlite")
        store_line += f"   | old executemany path {old['seconds']:6.2f} s ({old['seconds'] / stored['seconds']:.0f}x)"
    # the baseline and the load alternate, so both see the same machine (other work on it comes and goes)
    parses, loads = [], []
    for _ in range(ROUNDS):
        parses.append(_child("parse", str(csv)))
        loads.append(_child("load", str(new_db)))
    parse, load = _median(parses), _median(loads)
    base = parse["seconds"]
    ratios = ", ".join(f"{lo['seconds'] / pa['seconds']:.2f}" for pa, lo in zip(parses, loads))
    quickest = min(lo["seconds"] for lo in loads), min(pa["seconds"] for pa in parses)
    print(f"  baseline pyarrow.csv.read_csv             {base:6.2f} s   {_peak(parse)}")
    line = (
        f"  cold load: layered(read_bundle(), store)  {load['seconds']:6.2f} s   {_peak(load)}"
        f"   | baseline {base:.2f} s: {load['seconds'] / base:.2f}x"
        f" (each round: {ratios}; quickest rounds {quickest[0]:.2f} s / {quickest[1]:.2f} s ="
        f" {quickest[0] / quickest[1]:.2f}x)"
    )
    if old_path:
        old_load = _child("load", str(old_db))
        seconds = old_load["seconds"]
        line += f"   | old SQLite store {seconds:6.2f} s ({seconds / base:.0f}x), {_peak(old_load)}"
    read = _median([_child("read", str(new_db)) for _ in range(ROUNDS)])
    print(store_line)
    print(line)
    print(
        f"  of which the store alone: Store().read()  {read['seconds']:6.2f} s   {_peak(read)}"
        f"   | baseline {base:.2f} s: {read['seconds'] / base:.2f}x",
        flush=True,
    )


def main() -> int:
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        what, *args = sys.argv[2:]
        measures = {"parse": measure_parse, "store": measure_store, "load": measure_load, "read": measure_read}
        result = measures[what](*args)
        print(json.dumps(result))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, action="append", help="a size to run (repeatable); default 10k, 100k, 1M")
    ap.add_argument("--no-old-path", action="store_true", help="skip the old SQLite path (slow at 1M rows)")
    args = ap.parse_args()
    print(f"parse and cold load: median of {ROUNDS} fresh processes, alternating; each figure beside its baseline")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.rows or SIZES:
            run(n, Path(tmp), old_path=not args.no_old_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
