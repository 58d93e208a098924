"""Benchmark: a full-size OFAC SDN set imported and searched, each figure beside a baseline from the same run.

    python bench/bench_sanctions.py [--entries 12000]

The set is ``bench/synthetic.py``'s ``sdn_set`` (invented entries in the Treasury's layout, about
the size of the current list). Figures:

* import (``tracker.sanctions.importing.import_list``: read the three files, parse the remarks,
  resolve links, compare with the list as it stood, store in one transaction) vs the bare parse of
  the same files with the csv module (baseline);
* search (``tracker.sanctions.search.search`` on an index built once) for a few queries as a
  person types them, vs scoring every name and alias with rapidfuzz's ``token_sort_ratio`` one by
  one in Python (baseline), and the index's build time.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz  # noqa: E402
from synthetic import sdn_set  # noqa: E402

from tracker.sanctions import importing, search  # noqa: E402
from tracker.sanctions.names import normalise_name  # noqa: E402
from tracker.store import Store  # noqa: E402

QUERIES = ("rafael torres", "garcia perez maria", "IMO 1000019", "tanker fundacion 3", "cabelo rondon")


def _best(seconds: list[float]) -> float:
    return min(seconds)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=12_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sdn = sdn_set(args.entries, Path(tmp) / "sdn")
        size = sum(p.stat().st_size for p in sdn.parent.iterdir()) / 1e6
        t = time.perf_counter()
        rows = 0
        for name in ("sdn.csv", "add.csv", "alt.csv"):
            rows += sum(1 for _ in csv.reader(io.StringIO((sdn.parent / name).read_bytes().decode("cp1252"))))
        parse = time.perf_counter() - t
        store = Store(Path(tmp) / "store.sqlite")
        t = time.perf_counter()
        result = importing.import_list(sdn, store, fmt="ofac_sdn", file_name="sdn.csv")
        imported = time.perf_counter() - t
        print(
            f"{args.entries:,} entries ({size:.1f} MB, {rows:,} rows in 3 files): import {imported:5.2f} s "
            f"({len(result.read.entities):,} entities, {len(result.read.problems)} problems, batch {result.batch_id})"
            f" | bare csv-module parse {parse:5.2f} s ({imported / parse:.0f}x)"
        )
        t = time.perf_counter()
        entities = importing.standing_entities(store)
        index = search.build_search_index(entities)
        built = time.perf_counter() - t
        print(f"load the stored list and build the search index: {built:5.2f} s (once per store change)")
        names = [(normalise_name(n), i) for i, n in enumerate(entities["name"])]
        names += [(normalise_name(a), i) for i, aliases in enumerate(entities["aliases"]) for a in aliases]
        for query in QUERIES:
            runs = []
            for _ in range(5):
                t = time.perf_counter()
                hits = search.search(index, query)
                runs.append(time.perf_counter() - t)
            t = time.perf_counter()
            q = normalise_name(query)
            scored = sorted(((fuzz.token_sort_ratio(q, n), i) for n, i in names), reverse=True)[:20]
            loop = time.perf_counter() - t
            top = hits.iloc[0] if len(hits) else None
            found = f"{top['name']} ({top['how']}, {top['score']:.0f})" if top is not None else "nothing"
            print(
                f"  search {query!r:22}: {_best(runs) * 1000:6.1f} ms, first hit {found}"
                f" | baseline: every name scored in a Python loop {loop * 1000:6.1f} ms ({len(scored)} kept)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
