"""The command line: ``python -m tracker import FILE``.

Runs the same pipeline as the dashboard's Upload page, prints the report and
stores the accepted rows as one batch.  Exit codes: 0 every row imported;
1 some rows were rejected (the accepted ones are imported); 2 nothing could be
imported (unreadable file, unmapped required columns, ambiguous dates without
--date-order).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from tracker import ingest, readers, schema
from tracker.errors import TrackerError
from tracker.store import Store, layered


def _print_report(plan: ingest.ImportPlan) -> None:
    print(plan.summary())
    if plan.encoding:
        delim = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(plan.delimiter, plan.delimiter)
        print(f"read as {plan.encoding}, {delim}-delimited")
    if plan.mapping:
        print("columns: " + ", ".join(f"{f} <- {c!r}" for f, c in plan.mapping.items()))
    if plan.missing_fields:
        print("missing required fields: " + ", ".join(plan.missing_fields)
              + " (map them with --map FIELD=COLUMN)")
    if plan.ambiguous_dates and plan.date_order is None:
        print("dates are ambiguous (day/month or month/day): rerun with --date-order dmy or mdy")
    if plan.problems:
        table = schema.problems_frame(plan.problems)
        table["row"] = table["row"].astype("Int64")
        with pd.option_context("display.max_colwidth", 70, "display.width", 200, "display.max_rows", 200):
            print(table.to_string(index=False))
    if len(plan.duplicates):
        print("possible duplicates:")
        print(plan.duplicates.to_string(index=False))


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"{path}: cannot read the file: {exc.strerror}", file=sys.stderr)
        return 2
    mapping = None
    if args.map:
        mapping = dict(m.split("=", 1) for m in args.map)
    store = Store(args.db) if args.db else Store()
    existing = layered(readers.read_bundle(), store).incidents if args.kind == "incidents" else None
    header_plan = ingest.prepare(args.kind, data, file=path.name, date_order=args.date_order, mapping=mapping,
                                 fix_swapped=args.fix_swapped, existing=existing, encoding=args.encoding)
    remembered = store.remembered_mapping(ingest.header_key(args.kind, header_plan.header)) if not mapping else {}
    plan = header_plan
    if remembered:
        plan = ingest.prepare(args.kind, data, file=path.name, date_order=args.date_order, remembered=remembered,
                              fix_swapped=args.fix_swapped, existing=existing, encoding=args.encoding)
    _print_report(plan)
    if not plan.ready or plan.accepted.empty:
        print("nothing imported")
        return 2
    rows = plan.accepted
    skipped = 0
    if args.duplicates == "skip" and len(plan.duplicates):
        dup_rows = set(plan.duplicates["row"])
        keep = ~(rows.index + 2).isin(dup_rows)
        skipped = int((~keep).sum())
        rows = rows[keep]
    if args.dry_run:
        print(f"dry run: would import {len(rows)} row(s), skipping {skipped} duplicate(s)")
        return 1 if plan.rejected_rows else 0
    if rows.empty:
        print(f"nothing imported: all {skipped} accepted row(s) are duplicates (use --duplicates keep)")
        return 2
    batch = store.import_batch(args.kind, rows, file_name=path.name, sha256=plan.sha256, rows_read=plan.rows_read,
                               rows_rejected=plan.rejected_rows, rows_skipped=skipped)
    store.remember_mapping(ingest.header_key(args.kind, plan.header), plan.mapping)
    print(f"imported {len(rows)} row(s) as batch {batch} into {store.path}"
          + (f"; skipped {skipped} duplicate(s)" if skipped else ""))
    return 1 if plan.rejected_rows else 0


def cmd_undo(args: argparse.Namespace) -> int:
    store = Store(args.db) if args.db else Store()
    removed = store.undo(args.batch)
    print(f"undid batch {args.batch}: removed {removed} row(s)")
    return 0


def cmd_batches(args: argparse.Namespace) -> int:
    store = Store(args.db) if args.db else Store()
    print(store.batches().to_string(index=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tracker", description="Interdiction Tracker command line")
    sub = ap.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="validate a file and store its accepted rows as one batch")
    imp.add_argument("file")
    imp.add_argument("--kind", choices=schema.KINDS, default="incidents")
    imp.add_argument("--date-order", choices=ingest.DATE_ORDERS)
    imp.add_argument("--fix-swapped", action="store_true", help="swap back latitude/longitude that look swapped")
    imp.add_argument("--duplicates", choices=("skip", "keep"), default="skip")
    imp.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="map a file column to a field")
    imp.add_argument("--encoding", help="force an encoding (default: detect)")
    imp.add_argument("--dry-run", action="store_true", help="report only; store nothing")
    imp.add_argument("--db", help="store path (default: $INTERDICTION_TRACKER_DB or the user data folder)")
    imp.set_defaults(func=cmd_import)
    undo = sub.add_parser("undo", help="remove one import batch")
    undo.add_argument("batch")
    undo.add_argument("--db")
    undo.set_defaults(func=cmd_undo)
    bat = sub.add_parser("batches", help="list import batches")
    bat.add_argument("--db")
    bat.set_defaults(func=cmd_batches)
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except TrackerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
