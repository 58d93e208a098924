"""The command line: ``python -m tracker import FILE``, ``export``, ``search``, ``events``, ``vessels``,
``batches`` and ``undo``.

Runs the same pipeline as the dashboard's Upload page, prints the report and
stores the accepted rows as one batch.  Exit codes: 0 every row imported;
1 some rows were rejected (the accepted ones are imported); 2 nothing could be
imported (unreadable file, unmapped required columns, ambiguous dates without
--date-order).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
import time
from pathlib import Path
from typing import NoReturn

import pandas as pd

from tracker import cartography, export, ingest, layers, readers, schema
from tracker.errors import TrackerError
from tracker.filters import DEFAULT_START, Filters
from tracker.sanctions import importing, search
from tracker.store import Store, layered
from tracker.vessels import cli as vessel_cli
from tracker.vessels.importing import looks_like_ais


def _print_report(plan: ingest.ImportPlan) -> None:
    print(plan.summary())
    if plan.encoding and plan.delimiter:
        delim = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(plan.delimiter, plan.delimiter)
        print(f"read as {plan.encoding}, {delim}-delimited")
    if plan.mapping:
        print("columns: " + ", ".join(f"{f} <- {c!r}" for f, c in plan.mapping.items()))
    if plan.missing_fields:
        print("missing required fields: " + ", ".join(plan.missing_fields) + " (map them with --map FIELD=COLUMN)")
    if plan.ambiguous_dates and plan.date_order is None:
        print("dates are ambiguous (day/month or month/day): rerun with --date-order dmy or mdy")
    if plan.problems:
        _print_problems(plan.problems)
    if len(plan.duplicates):
        print("possible duplicates:")
        print(plan.duplicates.to_string(index=False))


_CELL_WIDTH = 70  # a longer value is cut, ending in "..."


def _print_problems(problems: list[schema.Problem]) -> None:
    """The problems as an aligned table, one line each, written as it goes (bounded memory for 100,000 of them)."""

    def cells(p: schema.Problem) -> list[str]:
        texts = [p.file, "-" if p.row is None else str(p.row), p.column, p.value, p.message, p.severity]
        # file, column and value may be long and are cut; the message never is (it may list the valid values)
        return [t if len(t) <= _CELL_WIDTH or i == 4 else t[: _CELL_WIDTH - 3] + "..." for i, t in enumerate(texts)]

    names = list(schema.PROBLEM_COLUMNS)  # file, row (right-aligned), column, value, message, severity
    widths = [len(n) for n in names]
    for p in problems:
        widths = [max(w, len(c)) for w, c in zip(widths, cells(p))]
    out = sys.stdout
    for texts in itertools.chain([names], map(cells, problems)):
        line = "  ".join(t.rjust(w) if i == 1 else t.ljust(w) for i, (t, w) in enumerate(zip(texts, widths)))
        out.write(line.rstrip() + "\n")


def cmd_import(args: argparse.Namespace) -> int:
    overrides: list[tuple[str, str]] = []  # --map FIELD=COLUMN, each on top of the automatic mapping
    for text in args.map or []:
        field, sep, column = text.partition("=")
        if not sep or not field.strip():
            print(
                f"python -m tracker import: error: --map {text!r}: expected FIELD=COLUMN (e.g. --map date=fecha; "
                "FIELD= unmaps the field)",
                file=sys.stderr,
            )
            return 2
        overrides.append((field.strip(), column.strip()))
    path = Path(args.file)
    try:
        path.open("rb").close()
    except OSError as exc:
        print(f"{path}: cannot read the file: {exc.strerror}", file=sys.stderr)
        return 2
    store = Store(args.db) if args.db else Store()
    fmt = importing.list_format(path)
    if fmt is not None:
        return _import_list(path, store, fmt, dry_run=args.dry_run)
    if looks_like_ais(path) or any(field == "mmsi" for field, _ in overrides):
        return vessel_cli.import_ais(
            path, store, dry_run=args.dry_run, print_problems=_print_problems, overrides=dict(overrides)
        )
    existing = layered(readers.read_bundle(), store).incidents if args.kind == "incidents" else None

    def with_overrides(header: tuple[str, ...], remembered: dict[str, str]) -> dict[str, str]:
        """The automatic mapping (remembered choices first, then known header names) with each --map on top."""
        mapping = ingest.suggest_mapping(args.kind, header, remembered)
        fields = ingest.FIELD_ALIASES[args.kind]
        for field, column in overrides:
            if field not in fields:
                raise TrackerError(
                    f"--map {field}={column}: {field!r} is not a field of {args.kind}; choose one of: "
                    + ", ".join(fields)
                )
            if not column:
                mapping.pop(field, None)
            elif column not in header:
                raise TrackerError(
                    f"--map {field}={column}: the file has no column {column!r}; its columns are: "
                    + ", ".join(repr(h) for h in header)
                )
            else:
                mapping[field] = column
        return mapping

    try:
        header = ingest.read_header(path, kind=args.kind, encoding=args.encoding)
    except OSError as exc:
        print(f"{path}: cannot read the file: {exc.strerror}", file=sys.stderr)
        return 2
    mapping = None
    if header:
        mapping = with_overrides(header, store.remembered_mapping(ingest.header_key(args.kind, header)))
    meter = _ProgressLine(sys.stderr)
    try:
        result = ingest.import_file(
            path,
            store,
            kind=args.kind,
            mapping=mapping,
            date_order=args.date_order,
            fix_swapped=args.fix_swapped,
            duplicates=args.duplicates,
            existing=existing,
            encoding=args.encoding,
            dry_run=args.dry_run,
            progress=meter,
        )
    finally:
        meter.close()
    plan = result.plan
    _print_report(plan)
    if not plan.ready or not plan.accepted_rows:
        for reason in plan.not_ready_reasons():
            print(f"cannot import: {reason}")
        print("nothing imported")
        return 2
    if args.dry_run:
        skipped = len(plan.duplicates) if args.duplicates == "skip" else 0
        print(f"dry run: would import {plan.accepted_rows - skipped} row(s), skipping {skipped} duplicate(s)")
        return 1 if plan.rejected_rows else 0
    if result.refused is not None:
        raise result.refused
    if result.batch_id is None:
        print(f"nothing imported: all {result.rows_skipped} accepted row(s) are duplicates (use --duplicates keep)")
        return 2
    store.remember_mapping(ingest.header_key(args.kind, plan.header), plan.mapping)
    skipped = result.rows_skipped
    print(
        f"imported {result.rows_stored} row(s) as batch {result.batch_id} into {store.path}"
        + (f"; skipped {skipped} duplicate(s)" if skipped else "")
    )
    return 1 if plan.rejected_rows else 0


def _import_list(path: Path, store: Store, fmt: str, *, dry_run: bool) -> int:
    """A sanctions list (OFAC SDN set, OpenSanctions CSV): read, compare with the list as it stands, store."""
    result = importing.import_list(path, store, fmt=fmt, file_name=path.name, dry_run=dry_run)
    read = result.read
    kinds = read.entities["entity_type"].value_counts()
    files = ", ".join(f"{n} row(s) of {f}" for f, n in read.records.items())
    print(f"{path.name}: {read.list_name} ({fmt}): {files}; {len(read.entities)} entities read")
    if len(kinds):
        print("entities: " + ", ".join(f"{n} {k}" for k, n in kinds.items()))
    if read.problems:
        _print_problems(read.problems)
    since = f"the import {result.previous_batch}" if result.previous_batch else "an empty list (first import)"
    print(f"changes since {since}: {result.diff.summary()}")
    if result.file_errors or not len(read.entities):
        print("nothing imported")
        return 2
    if dry_run:
        print(f"dry run: would import {len(read.entities)} entities")
        return 1 if read.errors else 0
    if result.refused is not None:
        raise result.refused
    print(f"imported {len(read.entities)} entities of {read.list_name} as batch {result.batch_id} into {store.path}")
    return 1 if read.errors else 0


def cmd_search(args: argparse.Namespace) -> int:
    store = Store(args.db) if args.db else Store()
    entities = importing.standing_entities(store)
    if entities.empty:
        print(
            f"no sanctions list in {store.path}: import one first (python -m tracker import sdn.csv)", file=sys.stderr
        )
        return 2
    hits = search.search(search.build_search_index(entities), args.text, min_score=args.min_score, limit=args.limit)
    table = search.describe_hits(hits, entities)
    if args.format == "csv":
        sys.stdout.flush()
        sys.stdout.buffer.write(export.to_csv_bytes(table))
    elif table.empty:
        print(f"no entity matches {args.text!r} (lists searched: {', '.join(sorted(set(entities['list_name'])))})")
    else:
        with pd.option_context("display.max_colwidth", 60, "display.width", 250):
            print(table.to_string(index=False))
    return 0 if len(table) else 1


class _ProgressLine:
    """Progress on stderr: rows read, rows/s and ETA; redrawn in place on a terminal, else a line every 10 s."""

    def __init__(self, stream, *, every_s: float | None = None) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.every_s = every_s if every_s is not None else (0.2 if self.tty else 10.0)
        self.started = time.monotonic()
        self.last = self.started
        self.shown = False
        self.stage_started: dict[str, tuple[float, float]] = {}

    def __call__(self, p: ingest.Progress) -> None:
        now = time.monotonic()
        self.stage_started.setdefault(p.stage, (now, p.share or 0.0))
        if now - self.last < self.every_s:
            return
        self.last = now
        spent = now - self.stage_started[p.stage][0]
        rate = p.rows / spent if spent > 0 else 0.0
        text = f"{p.stage}: {p.rows:,} rows, {rate:,.0f} rows/s"
        share = p.share
        if share is not None and p.stage != "storing":
            text += f", {share:.0%}"
            stage_started = self.stage_started.setdefault(p.stage, (now, share))
            spent, done = now - stage_started[0], share - stage_started[1]
            if done > 0 and share < 1:
                text += f", ETA {spent * (1 - share) / done:,.0f} s" + (
                    " for this pass" if p.stage == "reading" else ""
                )
        if self.tty:
            self.stream.write("\r" + text.ljust(78)[:120])
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown and self.tty:
            self.stream.write("\r" + " " * 78 + "\r")
            self.stream.flush()


def cmd_undo(args: argparse.Namespace) -> int:
    store = Store(args.db) if args.db else Store()
    imports = [store.batches(), store.list_imports(), store.position_imports()]
    done = [
        str(t.loc[t["batch_id"] == args.batch, "undone_at"].iloc[0])
        for t in imports
        if (t["batch_id"] == args.batch).any()
    ]
    if done and done[0] not in ("None", "nan", ""):
        print(f"batch {args.batch} was already undone on {done[0][:10]}: nothing changed")
        return 1
    removed = store.undo(args.batch)
    print(f"undid batch {args.batch}: removed {removed} row(s)")
    return 0


def cmd_batches(args: argparse.Namespace) -> int:
    store = Store(args.db) if args.db else Store()
    history = store.batches()
    lists = store.list_imports()
    if len(lists):
        print("sanctions-list imports:")
        print(lists.to_string(index=False))
    ais = store.position_imports()
    if len(ais):
        print(f"AIS position imports (GeoParquet by day under {store.positions_folder}):")
        print(ais.drop(columns=["sha256"]).fillna("").to_string(index=False))
    if history.empty:
        print(f"no import batches in {store.path}" if lists.empty and ais.empty else "no batches of records")
        return 0
    print("record batches (incidents, designations, routes, reports):")
    print(history.to_string(index=False))
    where = {"parquet": f"one file per batch under {store.columns_folder}", "sqlite": f"the tables of {store.path}"}
    for storage in sorted(set(history["storage"])):
        print(f"rows of {storage!r} batches: {where.get(storage, storage)}")
    return 0


REGION_NAMES = {"caribbean": "Caribbean", "eastern-pacific": "Eastern Pacific", "unknown": "Unknown"}
EXPORT_FORMATS = ("png", "svg", "pdf", "csv", "geojson", "gpkg", "zip")


def _bounds(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError as exc:
        raise TrackerError(f"--bounds {text!r}: expected four numbers WEST,SOUTH,EAST,NORTH") from exc
    return cartography.check_bounds(values)


def cmd_export(args: argparse.Namespace) -> int:
    regions = tuple(REGION_NAMES[r] for r in args.region or [])
    if args.until and args.since and args.since > args.until:
        default = " (the default start: set --since)" if args.since == DEFAULT_START else ""
        raise TrackerError(f"the date range is inverted: --until {args.until} is before --since {args.since}{default}")
    f = Filters(date_from=args.since, date_to=args.until, regions=regions, text=args.text or "")
    extent: str | tuple = args.extent or "auto"
    if args.bounds:
        extent = _bounds(args.bounds)
    show = layers.LAYER_NAMES
    if args.layers is not None:
        show = tuple(name.strip() for name in args.layers.split(",") if name.strip())
        if not show:
            raise TrackerError("--layers names no layer; choose from: " + ", ".join(cartography.MAP_LAYER_NAMES))
    # the AIS vessel tracks and events: drawn when positions are stored, unless --layers leaves "vessels" out
    want_vessels = args.layers is None or cartography.VESSELS in show
    width, height, dpi = cartography.PRESETS[args.preset]
    custom = (args.width, args.height, args.dpi)
    preset = args.preset if custom == (None, None, None) else "custom"
    width, height, dpi = (v if v is not None else d for v, d in zip(custom, (width, height, dpi)))
    store = Store(args.db) if args.db else Store()
    b = layered(readers.read_bundle(), store)
    f.date_range(b.as_of.date())  # refuse an empty range before any work
    inc, des, rts = f.apply_incidents(b.incidents), f.apply_designations(b.designations), f.apply_routes(b.routes)
    fmt = "png" if args.format in ("zip", "csv", "geojson", "gpkg") else args.format
    spec = cartography.MapSpec(
        width_px=width,
        height_px=height,
        dpi=dpi,
        extent=extent,
        title=args.title or "",
        subtitle=args.subtitle or "",
        show=show,
        fmt=fmt,
        filters=f,
        data_as_of=b.as_of.date(),
        coverage_note=b.coverage_note,
        preset=preset,
    )
    cartography.check_spec(spec)
    vessels = None
    if want_vessels and args.format not in ("csv", "geojson", "gpkg"):
        from tracker.vessels import stored, view

        if stored.has_positions(store):
            positions = stored.read_positions(
                store, columns=["mmsi", "time", "lat", "lon", "name", "vessel_type"], since=args.since, until=args.until
            )
            vessels = view.vessel_layer(positions, stored.events(store), since=args.since, until=args.until)
    # the reported ranges of other sources beside the announced counters, and the reports in the pack
    plan = cartography.plan_map(inc, des, rts, spec, vessels=vessels, reports=b.reports)
    image = cartography.render_plan(plan) if args.format not in ("csv", "geojson", "gpkg") else b""
    print(
        f"{len(inc)} incident(s), {len(des)} designation(s), {len(rts)} route(s) {f.caption(as_of=plan.date_range[1])}"
    )
    out = Path(args.out)
    if args.format in ("csv", "geojson", "gpkg"):
        data = {
            "csv": lambda: export.to_csv_bytes(inc),
            "geojson": lambda: export.to_geojson_bytes(inc),
            "gpkg": lambda: export.to_gpkg_bytes(inc, layer="incidents"),
        }[args.format]()
        out.write_bytes(data)
        print(f"wrote {out} ({len(data):,} bytes, {len(inc)} row(s))")
        return 0
    if args.format == "zip":
        image = export.evidence_pack(
            image=image,
            plan=plan,
            incidents=inc,
            designations=des,
            routes=rts,
            batches=store.batches(),
            position_imports=store.position_imports(),
        )
    out.write_bytes(image)
    drawn = "no strikes match these filters; " if plan.incidents.empty else ""
    ais = ""
    if plan.vessel_tracks is not None and plan.vessel_events is not None:
        ais = (
            f"; {plan.vessel_tracks['mmsi'].nunique()} vessel(s) with a track and "
            f"{len(plan.vessel_events)} vessel event(s) in the frame"
        )
    print(
        f"wrote {out} ({len(image):,} bytes, {width}x{height} px at {dpi} dpi; {drawn}"
        f"{len(plan.incidents)} strike record(s) in the frame{ais})"
    )
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from exc


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line (no usage dump), exit code 2 as usual."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def main(argv: list[str] | None = None) -> int:
    prog = "interdiction-tracker" if Path(sys.argv[0]).name == "interdiction-tracker" else "python -m tracker"
    ap = _Parser(prog=prog, description="Interdiction Tracker command line")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=_Parser)
    imp = sub.add_parser("import", help="validate a file and store its accepted rows as one batch")
    imp.add_argument("file")
    imp.add_argument("--kind", choices=schema.KINDS, default="incidents")
    imp.add_argument("--date-order", choices=ingest.DATE_ORDERS)
    imp.add_argument("--fix-swapped", action="store_true", help="swap back latitude/longitude that look swapped")
    imp.add_argument("--duplicates", choices=("skip", "keep"), default="skip")
    imp.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN",
        help="map a file column to a field, on top of the automatic mapping (FIELD= unmaps it)",
    )
    imp.add_argument("--encoding", help="force an encoding (default: detect)")
    imp.add_argument("--dry-run", action="store_true", help="report only; store nothing")
    imp.add_argument("--db", help="store path (default: $INTERDICTION_TRACKER_DB or the user data folder)")
    imp.set_defaults(func=cmd_import)
    find = sub.add_parser("search", help="search the imported sanctions lists by name, alias or identifier")
    find.add_argument("text", help='a name in any order or spelling ("alex saab"), or an identifier ("IMO 9543500")')
    find.add_argument("--format", choices=("table", "csv"), default="table")
    find.add_argument("--min-score", type=float, default=search.DEFAULT_MIN_SCORE, help="lowest fuzzy score, 0-100")
    find.add_argument("--limit", type=int, default=20)
    find.add_argument("--db")
    find.set_defaults(func=cmd_search)
    undo = sub.add_parser("undo", help="remove one import batch")
    undo.add_argument("batch")
    undo.add_argument("--db")
    undo.set_defaults(func=cmd_undo)
    bat = sub.add_parser("batches", help="list import batches")
    bat.add_argument("--db")
    bat.set_defaults(func=cmd_batches)
    vessel_cli.add_parsers(sub, _date, lambda command: lambda a: command(a, Store(a.db) if a.db else Store()))
    exp = sub.add_parser("export", help="export the filtered map or data")
    exp.add_argument("--since", type=_date, default=DEFAULT_START)
    exp.add_argument("--until", type=_date)
    exp.add_argument("--region", action="append", choices=sorted(REGION_NAMES))
    exp.add_argument("--text", help="only records containing this text")
    exp.add_argument("--format", choices=EXPORT_FORMATS, default="png")
    exp.add_argument("--preset", choices=sorted(cartography.PRESETS), default="screen")
    exp.add_argument("--width", type=int)
    exp.add_argument("--height", type=int)
    exp.add_argument("--dpi", type=int)
    exp.add_argument(
        "--extent",
        choices=sorted(cartography.REGIONS) + ["fit"],
        help="map extent (default: the --region's own, else fitted to the strikes)",
    )
    exp.add_argument("--bounds", help="custom extent WEST,SOUTH,EAST,NORTH in degrees")
    exp.add_argument(
        "--layers",
        help="comma-separated: " + ",".join(cartography.MAP_LAYER_NAMES) + " (vessels: stored AIS tracks, events)",
    )
    exp.add_argument("--title", default="", help="map title (default: follows the filters)")
    exp.add_argument("--subtitle", default="", help="map subtitle (default: the dates and what the symbols mean)")
    exp.add_argument("--out", required=True)
    exp.add_argument("--db")
    exp.set_defaults(func=cmd_export)
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except TrackerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
