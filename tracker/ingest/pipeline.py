"""The pipeline: one file's bytes -> an :class:`ImportPlan`, every step run in order.

:func:`prepare` reads the file (:mod:`tracker.readers`), maps its columns
(:mod:`.mapping`), parses dates and numbers (:mod:`.values`), fills places
from the gazetteer (:mod:`.placing`), validates (:mod:`tracker.schema`) and
runs the geographic and duplicate checks (:mod:`.checks`); routes come from
GeoJSON or GeoPackage instead.  Positions are EPSG:4326 longitude/latitude in
degrees, radii in km, rows numbered as in the file (header = row 1).  Nothing
is written here.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tracker import gazetteer as gz
from tracker import readers, rules, schema
from tracker.errors import check_option
from tracker.ingest import reading
from tracker.ingest.checks import DUPLICATE_COLUMNS, find_duplicates, on_land_mask, swapped_mask
from tracker.ingest.mapping import missing_required, suggest_mapping
from tracker.ingest.placing import place_from_text
from tracker.ingest.values import DATE_ORDERS, DateEvidence, date_evidence, parse_dates, parse_numbers
from tracker.schema import Problem

_COUNT_FIELDS = ("killed", "survivors", "presumed_dead", "vessels", "strikes")
_ACLED_GEO = {"1": ("approximate", 5.0), "2": ("approximate", 25.0), "3": ("area", 100.0)}
_ACLED_TIME = {"1": "day", "2": "approximate", "3": "approximate"}


@dataclass
class ImportPlan:
    """Everything known about one file before it is stored."""

    kind: str
    file: str
    sha256: str
    encoding: str = ""
    delimiter: str = ""
    header: tuple[str, ...] = ()
    mapping: dict[str, str] = field(default_factory=dict)
    missing_fields: list[str] = field(default_factory=list)
    ambiguous_dates: bool = False
    date_order: str | None = None
    swapped_rows: list[int] = field(default_factory=list)
    rows_read: int = 0
    accepted: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: list[Problem] = field(default_factory=list)
    duplicates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DUPLICATE_COLUMNS))
    inferred_date_order: str | None = None  # what the numeric dates of the whole file settle
    rows_accepted: int | None = None  # a streamed import: the rows that passed (``accepted`` holds none)
    problems_omitted: int = 0  # problems past the cap of a streamed import: counted, not kept ...
    omitted_errors: int = 0  # ... and how many of them are errors

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def accepted_rows(self) -> int:
        return len(self.accepted) if self.rows_accepted is None else self.rows_accepted

    @property
    def rejected_rows(self) -> int:
        return self.rows_read - self.accepted_rows

    @property
    def file_errors(self) -> list[Problem]:
        """Errors about the whole file: no row (a repeated column name) or row 1 (the header line).

        They block the import: the columns themselves may be wrong.
        """
        return [p for p in self.errors if p.row is None or p.row == 1]

    @property
    def ready(self) -> bool:
        """True when nothing is left for the user to decide or fix before importing."""
        return not self.not_ready_reasons()

    def not_ready_reasons(self) -> list[str]:
        """Why the file cannot be imported yet, one sentence each (empty when it can)."""
        reasons = []
        if self.missing_fields:
            reasons.append("map the required fields: " + ", ".join(self.missing_fields))
        if self.ambiguous_dates and self.date_order is None:
            reasons.append("choose whether dates are day/month/year or month/day/year")
        reasons += [
            f"the file has an error: {p.message}" + (f" ({p.value})" if p.value else "") for p in self.file_errors
        ]
        return reasons

    def summary(self) -> str:
        errors = len(self.errors) + self.omitted_errors
        warnings = len(self.problems) + self.problems_omitted - errors
        text = (
            f"{self.file}: {self.rows_read} row(s) read, {self.accepted_rows} accepted, "
            f"{self.rejected_rows} rejected, {len(self.duplicates)} possible duplicate(s), "
            f"{errors} error(s), {warnings} warning(s)"
        )
        if self.problems_omitted:
            text += f" (the first {len(self.problems)} problems are listed; {self.problems_omitted} more were counted)"
        return text


def _cell(plan: ImportPlan, row: int, column: str, value: object, message: str, severity: str = "error") -> Problem:
    return Problem(plan.file, row + 2, column, "" if value is None else str(value), message, severity)  # type: ignore[arg-type]


def prepare(
    kind: str,
    data: bytes,
    *,
    file: str,
    mapping: dict[str, str] | None = None,
    remembered: dict[str, str] | None = None,
    date_order: str | None = None,
    fix_swapped: bool = False,
    existing: pd.DataFrame | None = None,
    gazetteer: gz.Gazetteer | None = None,
    default_event_type: str = "boat strike",
    encoding: str | None = None,
    today=None,
    reader: str = "auto",
    max_bytes: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> ImportPlan:
    """Read, map, parse, place, validate and check one file of ``kind``; store nothing.

    ``reader`` picks the delimited reader (see :data:`READERS`: pyarrow where it reads the file
    faithfully, else the robust one); ``max_bytes`` refuses larger files (default
    :data:`tracker.readers.MAX_UPLOAD_BYTES`); ``progress`` is told the share of rows checked (0..1).
    """
    check_option("kind", kind, schema.KINDS)
    if date_order is not None:
        check_option("date_order", date_order, DATE_ORDERS)
    plan = ImportPlan(kind=kind, file=file, sha256=hashlib.sha256(data).hexdigest(), date_order=date_order)
    if kind == "routes":
        if file.lower().endswith((".geojson", ".json", ".gpkg")):
            return _prepare_routes(plan, data, mapping=mapping, remembered=remembered)
        plan.accepted = _empty_routes()
        plan.problems.append(
            Problem(
                file,
                None,
                "",
                "",
                "routes are read from GeoJSON or GeoPackage files (one "
                "line per route): save the file as .geojson or .gpkg",
            )
        )
        return plan
    chunks = _read_text(plan, data, encoding=encoding, reader=reader, max_bytes=max_bytes)
    if chunks is None:
        return plan
    plan.mapping = mapping if mapping is not None else suggest_mapping(kind, plan.header, remembered)
    plan.missing_fields = missing_required(kind, plan.mapping)
    if plan.missing_fields:
        plan.problems += [p for _, rows in chunks for p in rows]
        return plan
    decide_date_order(plan, _evidence(plan, (f for f, _ in chunks)))
    check = ChunkCheck(
        plan, default_event_type=default_event_type, fix_swapped=fix_swapped, gazetteer=gazetteer, today=today
    )
    passed = []
    for frame, reader_problems in chunks:
        passed.append(check.run(frame, reader_problems))
        if progress is not None:
            progress(min(1.0, (int(frame.index[-1]) + 1) / max(plan.rows_read, 1)))
    accepted = pd.concat(passed) if len(passed) > 1 else passed[0]
    check.finish(accepted, existing)
    plan.accepted = accepted
    return plan


_ON_LAND = "a boat strike placed on land: check the position"
_DATE_FIELD = {"incidents": "date", "designations": "designation_date"}


def _column(src: pd.DataFrame, plan: ImportPlan, fld: str) -> pd.Series:
    """The text of ``fld``'s column, stripped; "" in every row when the field is not mapped."""
    name = plan.mapping.get(fld)
    if name not in src.columns:
        return pd.Series("", index=src.index)
    return src[name].fillna("").astype(str).str.strip()  # a short row's missing cells are ""


def _evidence(plan: ImportPlan, frames) -> DateEvidence:
    evidence = DateEvidence()
    if plan.kind not in _DATE_FIELD:  # reports keep their dates as the source wrote them
        return evidence
    for frame in frames:
        evidence = evidence | date_evidence(_column(frame, plan, _DATE_FIELD[plan.kind]))
    return evidence


def decide_date_order(plan: ImportPlan, evidence: DateEvidence) -> None:
    """Settle the order of the file's numeric dates once, from the evidence of the whole date column."""
    plan.ambiguous_dates = evidence.needed
    plan.inferred_date_order = evidence.order


def _read_text(
    plan: ImportPlan, data: bytes, *, encoding: str | None, reader: str, max_bytes: int | None
) -> list[tuple[pd.DataFrame, list[Problem]]] | None:
    """The file's records as frames of text, each with the reader's problems about its rows.

    ``reader``: ``"auto"`` (pyarrow when it reads the file faithfully, else the robust reader),
    ``"arrow"`` (the same; the name for tests that want the fast path) or ``"python"`` (always the
    robust reader). None (and the plan's problems say why) when there is no record.
    """
    check_option("reader", reader, READERS)
    limit = readers.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if reader != "python" and len(data) <= limit and len(data) >= FAST_MIN_BYTES:
        try:
            layout = reading.sniff_layout(data[: reading.SAMPLE_BYTES], encoding=encoding)
            source = reading.ScanningReader(io.BytesIO(data))
            frames = list(reading.record_frames(source, layout))
            source.finish()
        except reading.FastPathUnsafe:
            pass
        else:
            rows = sum(len(f) for _, f in frames)
            plan.encoding, plan.delimiter, plan.header = layout.encoding, layout.delimiter, tuple(layout.names)
            plan.problems = reading.layout_problems(plan.file, layout, rows)
            plan.accepted = schema.empty_frame(plan.kind)
            if not rows:
                return None
            plan.rows_read = rows
            return [(f, []) for _, f in frames if len(f)]
    raw = readers.read_delimited(data, file=plan.file, encoding=encoding, max_bytes=limit)
    plan.encoding, plan.delimiter, plan.header = raw.encoding, raw.delimiter, raw.header
    plan.problems = list(raw.problems)
    plan.accepted = schema.empty_frame(plan.kind)
    if raw.frame.empty:
        return None
    plan.problems = [p for p in raw.problems if p.row is None]  # the rows' own go with their chunk
    plan.rows_read = len(raw.frame)
    return [(raw.frame.reset_index(drop=True), [p for p in raw.problems if p.row is not None])]


READERS = ("auto", "arrow", "python")
FAST_MIN_BYTES = 0
"""Files at least this large are read by pyarrow where it is safe (every size: the readers agree)."""


class ChunkCheck:
    """Map, parse, place, validate and check one chunk of a file's records after another.

    Each :meth:`run` takes a frame of text whose index counts the data records from 0
    (file row ``index + 2``) and returns its passed rows (canonical, same index); the plan
    collects the problems. :meth:`finish` runs the checks that need every row (duplicates).
    """

    def __init__(
        self,
        plan: ImportPlan,
        *,
        default_event_type: str = "boat strike",
        fix_swapped: bool = False,
        gazetteer: gz.Gazetteer | None = None,
        today=None,
        max_problems: int | None = None,
    ) -> None:
        self.plan = plan
        self.default_event_type = default_event_type
        self.fix_swapped = fix_swapped
        self.gazetteer = gazetteer
        self.today = today
        self.max_problems = max_problems

    def run(self, src: pd.DataFrame, reader_problems: list[Problem]) -> pd.DataFrame:
        plan, kind = self.plan, self.plan.kind
        start = int(src.index[0]) if len(src) else 0
        kept = plan.problems
        plan.problems = list(reader_problems)  # this chunk's problems, merged into the plan's below

        columns: dict[str, pd.Series] = {}

        def col(fld: str) -> pd.Series:  # each field's text read once per chunk; callers never change it
            if fld not in columns:
                columns[fld] = _column(src, plan, fld)
            return columns[fld]

        if kind == "incidents":
            frame = _incidents(plan, src, col, self.default_event_type, self.fix_swapped, self.gazetteer)
        elif kind == "reports":
            frame = _reports(plan, src, col)
        else:  # designations (routes come from GeoJSON or GeoPackage, above)
            frame = _designations(plan, src, col)
        on_land = frame.pop("_on_land") if "_on_land" in frame.columns else None
        frame = schema.canonicalise(kind, frame)
        cell_errors = {(p.row, p.column) for p in plan.problems if p.severity == "error" and p.row is not None}
        passed, problems = schema.validate(kind, frame, file=plan.file, row_offset=2 + start, today=self.today)
        passed.index = passed.index + start
        # name the file's own column, and keep one message per cell (the reader's or parser's comes first)
        problems = [replace(p, column=plan.mapping.get(p.column, p.column)) for p in problems]
        plan.problems.extend(p for p in problems if (p.row, p.column) not in cell_errors)
        bad_rows = {p.row - 2 for p in plan.problems if p.severity == "error" and p.row is not None}
        passed = passed[~passed.index.isin(bad_rows)]
        # a row the reader refused (ragged, unclosed quote) has its cells shifted: its one error says it all
        refused = {p.row for p in reader_problems if p.severity == "error"}
        if refused:
            plan.problems = reader_problems + [p for p in plan.problems[len(reader_problems) :] if p.row not in refused]
        if kind == "incidents" and len(passed) and on_land is not None:
            land = on_land[passed.index].to_numpy(dtype=bool) & (passed["event_type"] == "boat strike").to_numpy()
            hit = passed[land]
            shown = len(hit)
            if self.max_problems is not None:  # past the cap they are only counted (as _keep would)
                shown = min(shown, max(0, max(0, self.max_problems - len(kept)) - len(plan.problems)))
                self.plan.problems_omitted += len(hit) - shown
                hit = hit.iloc[:shown]
            plan.problems.extend(
                Problem(plan.file, int(idx) + 2, "latitude", f"{y}, {x}", _ON_LAND, "warning")
                for idx, y, x in zip(hit.index.tolist(), hit["latitude"].tolist(), hit["longitude"].tolist())
            )
        chunk = plan.problems
        plan.problems = kept
        self._keep(chunk)
        return passed

    def _keep(self, problems: list[Problem]) -> None:
        plan = self.plan
        if self.max_problems is not None:
            room = max(0, self.max_problems - len(plan.problems))
            for p in problems[room:]:
                plan.problems_omitted += 1
                plan.omitted_errors += p.severity == "error"
            problems = problems[:room]
        plan.problems.extend(problems)

    def finish(self, accepted: pd.DataFrame, existing: pd.DataFrame | None) -> None:
        """Duplicates among ``accepted`` (every passed row, or their id, date, position, toll and radius
        columns) and against ``existing``; then the problems in row order."""
        plan = self.plan
        if plan.kind == "incidents" and len(accepted):
            plan.duplicates = find_duplicates(accepted, existing, rows=accepted.index + 2)
        plan.problems.sort(key=lambda p: (p.row if p.row is not None else -1, p.column))


def _incidents(plan, src, col, default_event_type, fix_swapped, gazetteer) -> pd.DataFrame:
    out = pd.DataFrame(index=src.index)
    # dates
    raw_dates = col("date")
    order = plan.date_order or plan.inferred_date_order
    if plan.ambiguous_dates and plan.date_order is None:
        order = None
    dates, reasons = parse_dates(raw_dates, order)
    for idx in src.index[reasons != ""]:
        plan.problems.append(_cell(plan, idx, plan.mapping["date"], raw_dates[idx], reasons[idx]))
    out["date"] = dates
    if "announced_date" in plan.mapping:
        out["announced_date"], _ = parse_dates(col("announced_date"), order)
    # precision of the date
    dp = col("date_precision").str.lower()
    tp = col("time_precision").map(_ACLED_TIME).fillna("")
    out["date_precision"] = np.where(dp != "", dp, np.where(tp != "", tp, "day"))
    # numbers
    lat, bad_lat = parse_numbers(col("latitude"))
    lon, bad_lon = parse_numbers(col("longitude"))
    for mask, fld, series in ((bad_lat, "latitude", col("latitude")), (bad_lon, "longitude", col("longitude"))):
        for idx in src.index[mask]:
            plan.problems.append(_cell(plan, idx, plan.mapping[fld], series[idx], "not a number"))
    swapped = swapped_mask(lat, lon)
    plan.swapped_rows = [int(i) + 2 for i in src.index[swapped]]
    for idx in src.index[swapped]:
        value = f"{col('latitude')[idx]}, {col('longitude')[idx]}"
        if fix_swapped:
            plan.problems.append(
                _cell(
                    plan,
                    idx,
                    plan.mapping["latitude"],
                    value,
                    "latitude and longitude were swapped; fixed as asked",
                    "warning",
                )
            )
        else:
            plan.problems.append(
                _cell(
                    plan,
                    idx,
                    plan.mapping["latitude"],
                    value,
                    "latitude and longitude look swapped: choose to swap them back",
                )
            )
    if fix_swapped:
        lat, lon = lat.where(~swapped, lon), lon.where(~swapped, lat)
    out["latitude"], out["longitude"] = lat, lon
    # precision of the position
    precision = col("location_precision").str.lower()
    radius, _ = parse_numbers(col("radius_km"))
    geo = col("geo_precision")
    has_xy = lat.notna() & lon.notna()
    precision = precision.where(precision != "", geo.map({k: v[0] for k, v in _ACLED_GEO.items()}).fillna(""))
    radius = radius.where(radius.notna(), geo.map({k: v[1] for k, v in _ACLED_GEO.items()}).astype(float))
    precision = precision.where(precision != "", np.where(has_xy, "exact", ""))
    radius = radius.where(radius.notna(), np.where(precision == "exact", 0.0, np.nan))
    basis = pd.Series(np.where(has_xy, f"coordinates as given in {plan.file}", ""), index=src.index, dtype=object)
    basis[has_xy & (col("location_precision") == "") & (col("geo_precision") == "")] = (
        f"coordinates as given in {plan.file}; the file states no precision"
    )
    # places without coordinates
    location_text = col("location_text")
    need_place = ~has_xy & ~bad_lat & ~bad_lon
    if need_place.any():
        g = gazetteer or gz.load_gazetteer(readers.DATA_DIR / "gazetteer.csv")
        texts = location_text[need_place]
        places = {t: place_from_text(g, t) if t else None for t in texts.unique()}  # each distinct text once
        found = texts.map(lambda t: places[t] is not None).astype(bool)
        for idx in texts.index[~found]:
            text = location_text[idx]
            message = (
                "place not found in the offline gazetteer: give coordinates or a known place"
                if text
                else "no position: give latitude and longitude, or a place name"
            )
            plan.problems.append(_cell(plan, idx, plan.mapping.get("location_text", "location_text"), text, message))
        precision = precision.astype(object)
        precision[texts.index[~found]] = "unknown"
        if found.any():
            hits = texts[found]
            table = pd.DataFrame(
                [places[t] for t in hits.unique()],
                index=hits.unique(),
                columns=["longitude", "latitude", "precision", "radius", "basis"],
            ).reindex(hits.to_numpy())
            at = hits.index
            out.loc[at, "longitude"] = table["longitude"].to_numpy(dtype=float)
            out.loc[at, "latitude"] = table["latitude"].to_numpy(dtype=float)
            precision[at] = table["precision"].to_numpy()
            radius[at] = table["radius"].to_numpy(dtype=float)
            basis[at] = table["basis"].to_numpy()
    out["location_precision"], out["radius_km"], out["location_basis"] = precision, radius, basis
    out["location_text"] = location_text
    # counts
    for fld in _COUNT_FIELDS:
        if fld not in plan.mapping:
            continue
        nums, bad = parse_numbers(col(fld))
        huge = nums.notna() & ~(nums.abs() <= schema.MAX_COUNT)  # inf, 1e20, 9999999999999999999
        frac = nums.notna() & ~huge & (nums != nums.round())
        for idx in src.index[bad | frac]:
            plan.problems.append(_cell(plan, idx, plan.mapping[fld], col(fld)[idx], "must be a whole number"))
        for idx in src.index[huge]:
            plan.problems.append(_cell(plan, idx, plan.mapping[fld], col(fld)[idx], schema.COUNT_RANGE_MESSAGE))
        out[fld] = nums.where(~frac & ~huge)
    if "vessels" not in plan.mapping:
        out["vessels"] = 1
    if "strikes" not in plan.mapping:
        out["strikes"] = 1
    if "presumed_dead" not in plan.mapping:
        out["presumed_dead"] = np.where(out.get("killed", pd.Series(np.nan, index=src.index)).notna(), 0, np.nan)
    # text fields
    # region, event type and affiliation: the same rules as the bundled data (tracker.rules)
    lon_filled, lat_filled = out["longitude"].astype(float), out["latitude"].astype(float)
    by_text = _per_distinct(rules.region_from_text, col("region"))  # as rules.region_of: the text, else the position
    by_position = rules.region_from_position(lon_filled, lat_filled)
    out["region"] = by_text.where(by_text != "Unknown", by_position)
    placed = lon_filled.notna() & lat_filled.notna()
    land = on_land_mask(lon_filled.where(placed), lat_filled.where(placed))
    at_sea = placed & ~land
    event = col("event_type")
    out["event_type"] = rules.event_type_of(
        event,
        col("sub_event_type") if "sub_event_type" in plan.mapping else None,
        at_sea=at_sea,
        default=default_event_type,
    )
    unknown = (out["event_type"] == "other") & ~event.str.lower().isin(["", "other"])
    for idx in src.index[unknown]:
        plan.problems.append(
            _cell(
                plan,
                idx,
                plan.mapping["event_type"],
                event[idx],
                "event type not one of " + ", ".join(schema.EVENT_TYPES) + ": stored as 'other'",
                "warning",
            )
        )
    ids = col("incident_id")
    out["incident_id"] = _ids_or_made_up(plan, ids)
    given = col("affiliation_text")  # "" for every row when the file has no such column
    actor2 = col("actor2") if "actor2" in plan.mapping else None
    out["affiliation_text"] = rules.affiliation_text_of(given, actor2=actor2)
    out["affiliation"] = _per_distinct(lambda t: rules.affiliation_of(t), actor2 if actor2 is not None else given)
    for fld in ("vessel_type", "announced_by", "notes", "source_urls"):
        out[fld] = col(fld)
    basis_col = col("source_basis")
    out["source_basis"] = basis_col.where(basis_col != "", "user import")
    out["_on_land"] = land  # the on-land warning of a passed boat strike needs it too
    return out


def _per_distinct(rule: Callable[[pd.Series], pd.Series], text: pd.Series) -> pd.Series:
    """``rule(text)`` for a row-by-row rule on one text column, worked out once per distinct text."""
    codes, uniques = pd.factorize(text.to_numpy(dtype=object), use_na_sentinel=False)
    if len(uniques) * 2 > len(text):
        return rule(text)
    answers = rule(pd.Series(uniques, dtype=object)).to_numpy(dtype=object)
    return pd.Series(answers[codes], index=text.index, dtype=object)


def _ids_or_made_up(plan: ImportPlan, ids: pd.Series) -> pd.Series:
    """The ids a file gives; ``U<first 8 of the file's sha256>-<row>`` where it gives none."""
    blank = ids == ""
    if not blank.any():
        return ids
    out = ids.astype(object)
    out[blank] = [f"U{plan.sha256[:8]}-{i + 2}" for i in ids.index[blank]]
    return out


def _designations(plan, src, col) -> pd.DataFrame:
    out = pd.DataFrame(index=src.index)
    for fld in (
        "name",
        "aliases",
        "authority",
        "program_text",
        "country",
        "base_location_text",
        "identifiers",
        "notes",
        "source_urls",
    ):
        out[fld] = col(fld)
    out["entity_type"] = col("entity_type").str.lower()
    raw_dates = col("designation_date")
    order = plan.date_order or plan.inferred_date_order
    dates, reasons = parse_dates(raw_dates, order if not (plan.ambiguous_dates and plan.date_order is None) else None)
    for idx in src.index[(reasons != "") & (raw_dates != "")]:
        plan.problems.append(
            _cell(plan, idx, plan.mapping.get("designation_date", "designation_date"), raw_dates[idx], reasons[idx])
        )
    out["designation_date"] = dates  # blank stays unknown
    ids = col("designation_id")
    out["designation_id"] = _ids_or_made_up(plan, ids)
    out["authority_group"] = rules.authority_group_of(out["authority"])
    out["program"] = rules.program_family_of(out["program_text"], out["authority"])
    out["action_kind"] = rules.action_kind_of(out["program_text"])
    out["uncertain"] = rules.is_uncertain(out["notes"], out["identifiers"], out["base_location_text"])
    g = gz.load_gazetteer(readers.DATA_DIR / "gazetteer.csv")
    places = [g.country(c.split(";")[0]) if c else None for c in out["country"]]
    out["latitude"] = [p.latitude if p else np.nan for p in places]
    out["longitude"] = [p.longitude if p else np.nan for p in places]
    out["location_precision"] = ["country" if p else "unknown" for p in places]
    out["radius_km"] = [p.radius_km if p else np.nan for p in places]
    out["location_basis"] = [f"country column: {p.basis}" if p else "no country given: not placed" for p in places]
    return out


def _reports(plan, src, col) -> pd.DataFrame:
    """Reports of other sources (:mod:`tracker.reports`): linked to the bundled strikes they name, the
    figure read from the text where it opens with one; dates kept as written ("2025-10", "2025-10-21/22")."""
    from tracker import reports

    table = pd.DataFrame(
        {
            "strike_id": col("strike_ref"),
            "strike_date": col("strike_date"),
            "field": col("field").str.lower(),
            "value": col("value"),
            "source_type": col("source_type").str.lower(),
            "source_name": col("source_name"),
            "source_date": col("source_date"),
            "url": col("source_urls"),
            "note": col("note"),
        },
        index=src.index,
    )
    out = reports.build_reports(table, _bundled_strike_ids(), check_types=False)
    out.index = src.index
    out["report_id"] = _ids_or_made_up(plan, col("report_id"))
    return out


def _bundled_strike_ids() -> set[str]:
    return set(pd.read_csv(readers.DATA_DIR / "incidents.csv", usecols=["incident_id"], dtype=str)["incident_id"])


def _empty_routes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(schema.empty_frame("routes"), geometry=gpd.GeoSeries([], crs="EPSG:4326"))


def _prepare_routes(plan: ImportPlan, data: bytes, *, mapping, remembered) -> ImportPlan:
    """Routes from GeoJSON or GeoPackage: one route per feature, row ``i + 2`` for feature ``i``.

    A feature must be a LineString or MultiLineString with every coordinate a
    longitude in -180..180 and a latitude in -90..90 (after conversion to
    EPSG:4326 when the file names another CRS); anything else is a row error.
    """
    plan.accepted = _empty_routes()
    try:
        g = gpd.read_file(io.BytesIO(data))
        if g.crs is not None and g.crs.to_epsg() != 4326:
            g = g.to_crs("EPSG:4326")
    except Exception as exc:  # pyogrio and pyproj raise several types for unreadable input
        plan.problems.append(Problem(plan.file, None, "", "", f"cannot read the file as GeoJSON or GeoPackage: {exc}"))
        return plan
    g = g.reset_index(drop=True)
    plan.rows_read = len(g)
    plan.header = tuple(str(c) for c in g.columns if c != "geometry")
    plan.mapping = mapping if mapping is not None else suggest_mapping("routes", plan.header, remembered)
    plan.missing_fields = missing_required("routes", plan.mapping)
    if plan.missing_fields or g.empty:
        return plan
    frame = pd.DataFrame(
        {
            fld: g[c].astype(object).where(g[c].notna(), "").astype(str)
            for fld, c in plan.mapping.items()
            if c in g.columns
        },
        index=g.index,
    )
    if "route_id" not in frame.columns:
        frame["route_id"] = [f"U{plan.sha256[:8]}-{i + 2}" for i in g.index]
    if "line_precision" not in frame.columns:
        frame["line_precision"] = "schematic"
    frame["geometry_basis"] = f"line as given in {plan.file}"
    frame = schema.canonicalise("routes", frame)
    geoms = g.geometry
    kinds = geoms.geom_type
    not_line = ~kinds.isin(["LineString", "MultiLineString"]) | geoms.is_empty.fillna(True)
    for idx in geoms.index[not_line]:
        plan.problems.append(
            Problem(
                plan.file,
                idx + 2,
                "geometry",
                "" if pd.isna(kinds[idx]) else str(kinds[idx]),
                "a route must be a LineString or MultiLineString",
            )
        )
    xmin, ymin, xmax, ymax = shapely.bounds(geoms.to_numpy()).T
    out_of_range = ~not_line & ~((xmin >= -180) & (xmax <= 180) & (ymin >= -90) & (ymax <= 90))
    for idx in geoms.index[out_of_range]:
        plan.problems.append(
            Problem(
                plan.file,
                idx + 2,
                "geometry",
                f"({xmin[idx]:g}, {ymin[idx]:g})\u2013({xmax[idx]:g}, {ymax[idx]:g})",
                "coordinates out of range: longitude must lie between -180 and 180 and latitude between -90 and 90",
            )
        )
    passed, problems = schema.validate("routes", frame, file=plan.file)
    problems = [replace(p, column=plan.mapping.get(p.column, p.column)) for p in problems]
    plan.problems.extend(problems)
    passed = passed[~passed.index.isin(geoms.index[not_line | out_of_range])]
    plan.problems.sort(key=lambda p: (p.row if p.row is not None else -1, p.column))
    plan.accepted = gpd.GeoDataFrame(passed, geometry=geoms[passed.index].values, crs="EPSG:4326")
    return plan
