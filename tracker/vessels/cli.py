"""The vessel commands of the command line: AIS imports, ``events`` and ``vessels``.

``python -m tracker import positions.csv`` detects an AIS file (MarineCadastre, DMA) and comes here;
``python -m tracker events`` prints the behaviour events of the stored positions; ``python -m tracker
vessels`` the vessel list with each vessel's sanctions matches.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tracker import export
from tracker.readers import read_bundle
from tracker.sanctions import importing as list_importing
from tracker.vessels import reading, stored
from tracker.vessels.events import KINDS, EventRules
from tracker.vessels.importing import import_positions

EVENT_OUTPUT = [
    "kind", "mmsi", "other_mmsi", "start", "end", "latitude", "longitude", "hours", "distance_km", "speed_kn",
    "detail", "rule",
]  # fmt: skip
VESSEL_OUTPUT = ["mmsi", "imo", "names", "flags", "vessel_type", "first_seen", "last_seen", "events", "listed"]


def import_ais(
    path: Path, store, *, dry_run: bool, print_problems: Callable[[list], None], overrides: dict | None = None
) -> int:
    """Import one AIS file; exit code 0 all rows stored, 1 some rejected, 2 nothing stored.

    ``overrides`` ({field: column}, from --map) go on top of the columns recognised by name; with
    none, a known layout is read as it is."""
    mapping = None
    if overrides:
        header = reading._read_header(reading._open(path))
        mapping = {k: v for k, v in (reading.suggest_mapping(header) | overrides).items() if v}
    result = import_positions(path, store, file_name=path.name, dry_run=dry_run, mapping=mapping)
    if result.problems:
        print_problems(result.problems)
        if result.problem_count > len(result.problems):
            print(f"... and {result.problem_count - len(result.problems):,} more problem(s) not listed")
    print(result.summary())
    if result.refused:
        return 2
    if dry_run:
        print("dry run: nothing stored")
    else:
        print(f"into {store.path}")
    return 1 if result.rows_rejected else 0


def _write(table: pd.DataFrame, fmt: str, empty: str) -> None:
    if fmt == "csv":
        sys.stdout.flush()
        sys.stdout.buffer.write(export.to_csv_bytes(table))
    elif table.empty:
        print(empty)
    else:
        with pd.option_context("display.max_colwidth", 70, "display.width", 250, "display.max_rows", None):
            print(table.to_string(index=False))


def _events_output(found: pd.DataFrame) -> pd.DataFrame:
    out = found.rename(columns={"lat": "latitude", "lon": "longitude"})
    out["other_mmsi"] = out["other_mmsi"].astype("Int64")
    out = out.round({"latitude": 5, "longitude": 5, "hours": 2, "distance_km": 3, "speed_kn": 2})
    for col in ("start", "end"):
        out[col] = pd.to_datetime(out[col], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    return out[EVENT_OUTPUT]


def cmd_events(args: argparse.Namespace, store) -> int:
    if not stored.has_positions(store):
        print(f"no AIS positions in {store.path}: import a file first (python -m tracker import positions.csv)",
              file=sys.stderr)  # fmt: skip
        return 2
    kinds = tuple(args.kind) if args.kind else None
    found = stored.events(store, rules=EventRules(), kinds=kinds, since=args.since, until=args.until)
    _write(_events_output(found), args.format, "no event in the stored positions for these options")
    return 0


def cmd_vessels(args: argparse.Namespace, store) -> int:
    if not stored.has_positions(store):
        print(f"no AIS positions in {store.path}: import a file first (python -m tracker import positions.csv)",
              file=sys.stderr)  # fmt: skip
        return 2
    table = stored.vessels(
        store, entities=list_importing.standing_entities(store), designations=read_bundle().designations
    )
    for col in ("first_seen", "last_seen"):
        table[col] = pd.to_datetime(table[col], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    shown = table[VESSEL_OUTPUT].astype(object)
    _write(shown.where(shown.notna(), ""), args.format, "no vessel")
    return 0


def add_parsers(sub, date: Callable[[str], object], run: Callable) -> None:
    """Add ``events`` and ``vessels`` to the command line's subparsers; ``run`` wraps a command taking the store."""
    ev = sub.add_parser("events", help="behaviour events in the stored AIS positions (gaps, encounters, ...)")
    ev.add_argument("--kind", action="append", choices=KINDS, help="only this kind (repeat for several)")
    ev.add_argument("--since", type=date, help="first day (UTC), YYYY-MM-DD")
    ev.add_argument("--until", type=date, help="last day (UTC), YYYY-MM-DD")
    ev.add_argument("--format", choices=("table", "csv"), default="table")
    ev.add_argument("--db")
    ev.set_defaults(func=run(cmd_events))
    ves = sub.add_parser("vessels", help="the vessels of the stored AIS positions, with sanctions matches")
    ves.add_argument("--format", choices=("table", "csv"), default="table")
    ves.add_argument("--db")
    ves.set_defaults(func=run(cmd_vessels))
