"""Benchmark: checking and storing an uploaded incident CSV.

    python bench/bench_import.py [--rows 100000]

Prints, beside a baseline measured in the same run:
* the import pipeline (decode, map, parse, place, validate, on-land check,
  duplicates) on a synthetic CSV;
* storing the accepted rows as one batch (one transaction, executemany) vs the
  naive way, one INSERT and one commit per row (measured on 2,000 rows and scaled).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker import ingest, schema  # noqa: E402
from tracker.store import Store, _records  # noqa: E402


def synthetic_csv(n: int) -> bytes:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "id": [f"X{i}" for i in range(n)],
            "date": (pd.Timestamp("2025-09-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")).strftime(
                "%Y-%m-%d"
            ),
            "latitude": rng.uniform(5, 20, n).round(4),
            "longitude": rng.uniform(-100, -60, n).round(4),
            "killed": rng.integers(0, 6, n),
            "source": "https://example.org/x",
        }
    )
    return frame.to_csv(index=False).encode()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    n = ap.parse_args().rows
    data = synthetic_csv(n)
    t = time.perf_counter()
    plan = ingest.prepare("incidents", data, file="bench.csv")
    t_prepare = time.perf_counter() - t
    print(
        f"pipeline on {n:,} rows ({len(data) / 1e6:.1f} MB): {t_prepare:6.2f} s, "
        f"{len(plan.accepted):,} accepted, {len(plan.duplicates):,} possible duplicates"
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "s.sqlite")
        t = time.perf_counter()
        store.import_batch(
            "incidents",
            plan.accepted,
            file_name="bench.csv",
            sha256=plan.sha256,
            rows_read=n,
            rows_rejected=plan.rejected_rows,
        )
        t_batch = time.perf_counter() - t
        sample = plan.accepted.iloc[:2000]
        cols = list(schema.INCIDENT_COLUMNS)
        con = sqlite3.connect(Path(tmp) / "naive.sqlite")
        con.execute(f"CREATE TABLE incidents ({', '.join(cols)})")
        t = time.perf_counter()
        for rec in _records(schema.canonicalise("incidents", sample), cols):
            con.execute(f"INSERT INTO incidents VALUES ({', '.join('?' for _ in cols)})", rec)
            con.commit()
        t_naive = (time.perf_counter() - t) * len(plan.accepted) / len(sample)
        con.close()
    print(
        f"store {len(plan.accepted):,} rows as one batch: {t_batch:6.2f} s   "
        f"baseline one commit per row: ~{t_naive:6.2f} s (scaled from 2,000 rows, {t_naive / t_batch:.0f}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
