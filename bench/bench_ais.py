"""Benchmark: AIS positions through the whole pipeline, each figure beside a baseline from the same run.

    python bench/bench_ais.py [--rows 10000000]

Writes ``--rows`` synthetic positions as a MarineCadastre CSV (:func:`synthetic.ais_csv`), then,
each step in its own process so each peak memory is its own:

* import (read, check, write GeoParquet by day, commit) vs a bare ``pyarrow.csv.read_csv`` of the
  same file (all columns, both cores, no checks, nothing written); peak memory of each;
* event detection on the stored positions (read from the store + all five kinds) vs reading the
  same columns and sorting them by vessel and time; peak memory of each;
* the browser map's vessel payload (tracks and events as deck JSON) for the whole range and for
  one day vs every position of the range sent as [lon, lat] (estimated from a 100,000-position sample).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

STEPS = {
    "parse": """
import pyarrow.csv as pacsv
t = time.perf_counter(); table = pacsv.read_csv(FILE); seconds = time.perf_counter() - t
out = {"seconds": seconds, "rows": table.num_rows}
""",
    "import": """
from tracker.store import Store
from tracker.vessels.importing import import_positions
t = time.perf_counter()
r = import_positions(FILE, Store(DB), file_name="ais.csv")
seconds = time.perf_counter() - t
out = {"seconds": seconds, "rows": r.rows_stored, "days": r.days, "refused": r.refused}
""",
    "sort": """
from tracker.store import Store
from tracker.vessels import stored
t = time.perf_counter()
p = stored.read_positions(Store(DB), columns=stored.EVENT_INPUT)
p = p.sort_values(["mmsi", "time"])
out = {"seconds": time.perf_counter() - t, "rows": len(p)}
""",
    "events": """
from tracker.store import Store
from tracker.vessels import stored
t = time.perf_counter()
e = stored.events(Store(DB))
out = {"seconds": time.perf_counter() - t, "events": e["kind"].value_counts().to_dict()}
""",
    "payload": """
import datetime as dt
from tracker.store import Store
from tracker.layers import basemap_layers, build_deck
from tracker.layers.vessels import vessel_deck_layers
from tracker.vessels import stored, view
s = Store(DB)
events = stored.events(s)
cols = ["mmsi", "time", "lat", "lon", "name", "vessel_type"]
first, last = stored.day_range(s)
out = {}
for label, since, until in (("all days", None, None), ("one day", first, first)):
    p = stored.read_positions(s, columns=cols, since=since, until=until)
    t = time.perf_counter()
    layer = view.vessel_layer(p, events, since=since, until=until)
    size = len(json.dumps([l for l in json.loads(build_deck(vessel_deck_layers(layer)).to_json())["layers"]]))
    seconds = time.perf_counter() - t
    sample = p.head(100_000)
    per = len(json.dumps(sample[["lon", "lat"]].round(5).values.tolist())) / max(len(sample), 1)
    raw = per * len(p)  # every position as [lon, lat] at 5 decimals, from a 100,000-position sample
    out[label] = {"bytes": size, "unsimplified_track_bytes": raw, "seconds": seconds, "positions": len(p),
                  "vertices": int(layer.tracks["path"].map(len).sum()), "events": len(layer.events)}
""",
}

PRELUDE = """
import json, sys, time
sys.path.insert(0, {root!r})
FILE, DB = {file!r}, {db!r}
"""
EPILOGUE = """
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec
out["peak_mb"] = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM")) / 1024
print("RESULT " + json.dumps(out, default=str))
"""


def _run(step: str, file: Path, db: Path) -> dict:
    code = PRELUDE.format(root=str(ROOT), file=str(file), db=str(db)) + STEPS[step] + EPILOGUE
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"step {step} failed:\n{done.stderr}")
    return json.loads(line[len("RESULT ") :])


def main(argv: list[str] | None = None) -> None:
    from synthetic import ais_csv

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        file, db = Path(tmp) / "ais.csv", Path(tmp) / "store.sqlite"
        t = time.perf_counter()
        ais_csv(args.rows, file)
        size_mb = file.stat().st_size / 1e6
        print(f"rows {args.rows:,}; MarineCadastre CSV {size_mb:,.0f} MB written in {time.perf_counter() - t:.0f} s")
        parse = _run("parse", file, db)
        imp = _run("import", file, db)
        parse2 = _run("parse", file, db)  # again after the import: the file is as warm for both
        base = min(parse["seconds"], parse2["seconds"])
        print(
            f"import {imp['seconds']:.2f} s ({imp['rows']:,} positions, {imp['days']} day files) vs bare "
            f"pyarrow parse {base:.2f} s (runs {parse['seconds']:.2f} / {parse2['seconds']:.2f} s): "
            f"{imp['seconds'] / base:.1f}x"
        )
        print(f"peak memory: import {imp['peak_mb']:,.0f} MB vs bare parse {parse['peak_mb']:,.0f} MB")
        srt = _run("sort", file, db)
        ev = _run("events", file, db)
        print(
            f"event detection from the store {ev['seconds']:.2f} s vs reading and sorting the same columns "
            f"{srt['seconds']:.2f} s ({ev['seconds'] / srt['seconds']:.1f}x); events {ev['events']}"
        )
        print(f"peak memory: event detection {ev['peak_mb']:,.0f} MB vs read and sort {srt['peak_mb']:,.0f} MB")
        pay = _run("payload", file, db)
        for label in ("all days", "one day"):
            p = pay[label]
            print(
                f"map payload, {label}: {p['bytes'] / 1e6:.2f} MB ({p['vertices']:,} track vertices of "
                f"{p['positions']:,} positions, {p['events']:,} events, built in {p['seconds']:.1f} s) vs every "
                f"position sent {p['unsimplified_track_bytes'] / 1e6:.1f} MB"
            )


if __name__ == "__main__":
    main()
