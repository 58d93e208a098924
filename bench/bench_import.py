"""Benchmark: the validated import of a synthetic incident CSV, beside a bare parse of the same file.

    python bench/bench_import.py [--rows 10000 100000 1000000]

For each size, one line: the bare ``pyarrow.csv.read_csv`` of the file (the baseline); the work
any streamed import does before a single check (every byte hashed, the records parsed as text in
blocks and written to Parquet as they come: the floor of an import that stores what it read); the
validated import as the command line runs it (``tracker.ingest.import_file``: streamed, checked,
written to a store in a temporary folder through ``Store.open_batch``, or a Parquet stand-in for it
while the store has none) with its ratio to the baseline, the robust (csv module)
reader's path up to 100,000 rows (``prepare(reader="python")``: what every file took before), and
the peak memory of each. Each figure is measured in its own process (its peak resident set is
``getrusage(RUSAGE_CHILDREN).ru_maxrss`` read by the parent after the child exits). The files
come from ``bench/synthetic.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ROBUST_UP_TO = 100_000


class _ParquetBatches:
    """Stands in for ``Store.open_batch`` until the store has it: each chunk appended as a Parquet part."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextlib.contextmanager
    def open_batch(self, kind: str, *, file_name: str):
        yield _ParquetBatch(self.folder / kind)


class _ParquetBatch:
    def __init__(self, folder: Path) -> None:
        import uuid

        self.batch_id = f"B-{uuid.uuid4().hex[:6]}"
        self.folder = folder / self.batch_id
        self.folder.mkdir(parents=True)
        self.parts = 0

    def append(self, frame) -> None:
        frame.to_parquet(self.folder / f"part-{self.parts:05d}.parquet", index=False)
        self.parts += 1

    def commit(self, **counts) -> str:
        return self.batch_id


def _measure(what: str, path: str) -> dict:
    """Run one measurement in this process; seconds exclude start-up and the bundled data's read."""
    if what == "parse":
        import pyarrow.csv as pacsv

        t = time.perf_counter()
        table = pacsv.read_csv(path)
        return {"seconds": time.perf_counter() - t, "rows": table.num_rows}
    if what == "floor":
        return _floor(path)
    from tracker import ingest, readers
    from tracker.store import Store, layered

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite")
        existing = layered(readers.read_bundle(), store).incidents
        t = time.perf_counter()
        if what == "import":
            target = store if hasattr(store, "open_batch") else _ParquetBatches(Path(tmp))
            result = ingest.import_file(path, target, kind="incidents", existing=existing)
            stored = result.rows_stored
        else:  # the robust reader's path, checks included, nothing stored
            plan = ingest.prepare(
                "incidents", Path(path).read_bytes(), file="bench.csv", existing=existing, reader="python"
            )
            stored = len(plan.accepted)
        return {"seconds": time.perf_counter() - t, "rows": stored}


def _floor(path: str) -> dict:
    """What any streamed import of the file does before a single check: every byte hashed (sha256), the
    records parsed as text in blocks, each block written to a Parquet file as it comes."""
    import hashlib

    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    class Hashing:  # a file object that hashes what pyarrow reads
        def __init__(self, f) -> None:
            self.f, self.sha256, self.closed = f, hashlib.sha256(), False

        def read(self, n: int = -1) -> bytes:
            data = self.f.read(n)
            self.sha256.update(data)
            return data

    with open(path, "rb") as f:
        header = pacsv.open_csv(path).schema.names
    with tempfile.TemporaryDirectory() as tmp, open(path, "rb") as f:
        t = time.perf_counter()
        source = Hashing(f)
        convert = pacsv.ConvertOptions(column_types={c: pa.string() for c in header})
        reader = pacsv.open_csv(source, read_options=pacsv.ReadOptions(block_size=8 << 20), convert_options=convert)
        rows = 0
        with pq.ParquetWriter(Path(tmp) / "rows.parquet", reader.schema, compression="lz4") as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
        source.sha256.hexdigest()
        return {"seconds": time.perf_counter() - t, "rows": rows}


def _run(what: str, path: Path) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(
        [sys.executable, __file__, "--measure", what, str(path)], capture_output=True, text=True, check=True
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, the largest child so far
    figures["peak_mb"] = peak / 1024 if peak > before else figures["self_peak_mb"]
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        figures = _measure(*args.measure)
        figures["self_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return 0
    from synthetic import incident_csv

    from tracker.store import Store

    if not hasattr(Store, "open_batch"):
        print("(the store has no open_batch yet: the import writes through a Parquet stand-in for it)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sorted(args.rows):  # small first: each child's peak is then its own
            path = incident_csv(n, Path(tmp) / f"incidents_{n}.csv")
            size = path.stat().st_size / 1e6
            parse = _run("parse", path)
            floor = _run("floor", path)
            imported = _run("import", path)
            line = (
                f"{n:>9,} rows ({size:6.1f} MB): bare parse {parse['seconds']:6.2f} s ({parse['peak_mb']:5.0f} MB)"
                f" | hash + parse as text + Parquet, no check {floor['seconds']:6.2f} s"
                f" = {floor['seconds'] / parse['seconds']:4.1f}x"
                f" | validated import {imported['seconds']:6.2f} s = {imported['seconds'] / parse['seconds']:5.1f}x"
                f" ({imported['peak_mb']:5.0f} MB, {imported['rows']:,} stored)"
            )
            if n <= ROBUST_UP_TO:
                robust = _run("robust", path)
                line += (
                    f" | robust reader path {robust['seconds']:6.2f} s = "
                    f"{robust['seconds'] / parse['seconds']:5.1f}x ({robust['peak_mb']:5.0f} MB)"
                )
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
