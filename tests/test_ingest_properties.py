"""Property-based tests of the import pipeline (hypothesis): whatever the bytes, a report, never a traceback.

* :func:`tracker.ingest.prepare` turns arbitrary bytes, arbitrary CSV shapes (headers mixing
  known names and noise, random delimiters and quoting, ragged rows) and extreme values into
  an :class:`~tracker.ingest.ImportPlan` whose problems all name file, row, column and message,
  and whose accepted rows pass :func:`tracker.schema.validate` again.
* Importing through the command line into a real SQLite store leaves the store unchanged
  unless the plan was ready and had accepted rows.
* The bounded duplicate search finds exactly the rows a brute-force comparison of every pair finds.

Runs are bounded (at most 150 examples each, no deadline) so the module stays well under 60 s.
"""

import contextlib
import csv
import datetime as dt
import io
import json
import math
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from tracker import gazetteer as gz
from tracker import ingest, schema
from tracker.__main__ import main
from tracker.store import Store

TODAY = dt.date(2026, 11, 22)
BOUNDED = settings(
    max_examples=120,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

KNOWN_NAMES = sorted(
    {
        alias
        for kind in ("incidents", "designations")
        for aliases in ingest.FIELD_ALIASES[kind].values()
        for alias in aliases
    }
)
EXTREME_CELLS = [
    "",
    " ",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "1e20",
    "-1e20",
    "1e400",
    "9999999999999999999",
    "-0",
    "0",
    "10000",
    "10001",
    "2.5",
    "12,5",
    "\u22125",
    "0001-01-01",
    "1600-01-01",
    "1899-12-31",
    "1900-01-01",
    "9999-12-31",
    "2262-04-12",
    "May 5 1500",
    "31/02/2025",
    "03/04/2026",
    "13/13/13",
    "2025-11-20",
    "2025-11-20T10:00Z",
    "15 de octubre de 2025",
    "Sept. 15, 2025",
    "May 5 2025 10:00 UTC+05:00",
    "90.0000001",
    "-180.5",
    "12.5",
    "-70.1",
    "https://example.org/a",
    "javascript:alert(2)",
    "data:text/html,<b>x</b>",
    "file:///etc/passwd",
    "SOUTHCOM press release 2025-09-15",
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "80 nm south of Beata Island",
    "Caribbean Sea",
    "Atlantis",
    "exact",
    "area",
    "unknown",
    "boat strike",
    "\x00",
    "\ufeff",
    "\u202e",
    "a\nb",
    '"',
    "'",
    ";",
    ",",
    "\t",
    "|",
    "x" * 300,
]
cells = st.one_of(
    st.sampled_from(EXTREME_CELLS),
    st.text(max_size=20),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**22), max_value=10**22).map(str),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str),
)
headers = st.lists(st.one_of(st.sampled_from(KNOWN_NAMES), st.text(max_size=12)), min_size=1, max_size=12)
USABLE = {  # headers that map every required field, so rows reach parsing, validation and the duplicate check
    "incidents": ["id", "date", "latitude", "longitude", "killed", "source", "location", "radius_km"],
    "designations": ["name", "entity_type", "authority", "source", "designation_date", "country"],
}
PLAUSIBLE = {
    "id": st.sampled_from(["X1", "X2", "X1", "S03"]),
    "date": st.dates(dt.date(2025, 9, 1), dt.date(2026, 3, 1)).map(str),
    "designation_date": st.dates(dt.date(2025, 9, 1), dt.date(2026, 3, 1)).map(str),
    "latitude": st.floats(5, 20).map(lambda v: f"{v:.3f}"),
    "longitude": st.floats(-90, -60).map(lambda v: f"{v:.3f}"),
    "killed": st.integers(0, 20).map(str),
    "source": st.sampled_from(["https://example.org/a", "SOUTHCOM press release", "https://x.example/b | c"]),
    "location": st.sampled_from(["Caribbean Sea", "80 nm south of Beata Island", ""]),
    "radius_km": st.sampled_from(["", "0", "10", "300"]),
    "name": st.sampled_from(["Acme Shipping", "Cartel X"]),
    "entity_type": st.sampled_from(["organization", "vessel", "individual"]),
    "authority": st.sampled_from(["US Treasury OFAC", "UK HM Treasury"]),
    "country": st.sampled_from(["VE", "CO", ""]),
}


def usable_header(kind: str) -> st.SearchStrategy[list[str]]:
    """The required names of ``kind`` in any order, with up to three more known names."""
    names = USABLE.get(kind, USABLE["incidents"])
    return st.permutations(names).flatmap(
        lambda h: st.lists(st.sampled_from(KNOWN_NAMES), max_size=3).map(lambda extra: [*h, *extra])
    )


@st.composite
def csv_files(draw, kind: str = "incidents") -> bytes:
    """A delimited file: random header, ragged rows, random delimiter, quoting, line ends and encoding.

    Three files in four have a header that maps every required field of ``kind``, with mostly
    plausible cells, so that rows get as far as validation and the duplicate check.
    """
    header = draw(usable_header(kind)) if draw(st.integers(0, 3)) else draw(headers)
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        row = [draw(cells if draw(st.integers(0, 4)) == 0 else PLAUSIBLE.get(name, cells)) for name in header]
        if draw(st.integers(0, 9)) == 0:  # ragged: a cell short or a cell over
            row = row[:-1] if draw(st.booleans()) else [*row, draw(cells)]
        rows.append(row)
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buffer = io.StringIO()
    if draw(st.booleans()):
        writer = csv.writer(
            buffer,
            delimiter=delimiter,
            lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])),
            quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        )
        for record in [header, *rows]:
            writer.writerow(record)
    else:  # no quoting at all: delimiters and quotes inside cells break the shape
        buffer.write("\n".join(delimiter.join(record) for record in [header, *rows]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return buffer.getvalue().encode(encoding, errors="replace")


def files(kind: str) -> st.SearchStrategy[bytes]:
    return st.one_of(csv_files(kind), csv_files(kind), csv_files(kind), st.binary(max_size=600))


def _check_plan(plan: ingest.ImportPlan, kind: str, name: str) -> None:
    assert isinstance(plan, ingest.ImportPlan)
    for p in plan.problems:
        assert isinstance(p, schema.Problem) and p.file == name
        assert p.row is None or (isinstance(p.row, int) and p.row >= 1)
        assert isinstance(p.column, str) and isinstance(p.value, str)
        assert isinstance(p.message, str) and p.message.strip()
        assert p.severity in ("error", "warning")
    assert plan.rows_read >= len(plan.accepted)
    error_rows = {p.row for p in plan.errors}
    assert not error_rows & set(plan.accepted.index + 2), "a row with an error was accepted"
    if len(plan.accepted):
        assert list(plan.accepted.columns[: len(schema.COLUMNS[kind])]) == list(schema.COLUMNS[kind])
        again, problems = schema.validate(kind, plan.accepted, file=name, today=TODAY)
        assert problems == [] and len(again) == len(plan.accepted)
    assert list(plan.duplicates.columns) == ingest.DUPLICATE_COLUMNS
    assert set(plan.duplicates["row"]) <= set(plan.accepted.index + 2)
    assert isinstance(plan.ready, bool) and isinstance(plan.summary(), str)


@BOUNDED
@given(
    data=st.data(),
    kind=st.sampled_from(["incidents", "incidents", "designations", "routes"]),
    date_order=st.sampled_from([None, "dmy", "mdy"]),
    fix_swapped=st.booleans(),
)
def test_any_file_gives_a_report_never_an_exception(bundle, data, kind, date_order, fix_swapped):
    data = data.draw(files(kind), label="file")
    plan = ingest.prepare(
        kind,
        data,
        file="any.csv",
        date_order=date_order,
        fix_swapped=fix_swapped,
        existing=bundle.incidents,
        today=TODAY,
    )
    _check_plan(plan, kind, "any.csv")
    event("rows accepted" if len(plan.accepted) else "rows read, none accepted" if plan.rows_read else "no rows")


coordinates = st.one_of(
    st.floats(min_value=-1000, max_value=1000), st.sampled_from([-700.0, 500.0, 95.0, -180.0, 180.0])
)


@BOUNDED
@given(
    lines=st.lists(st.lists(st.tuples(coordinates, coordinates), min_size=0, max_size=4), max_size=4),
    geometry=st.sampled_from(["LineString", "MultiPoint", "Point"]),
    source=st.sampled_from(["https://example.org/r", "javascript:alert(2)", "a named report", ""]),
)
def test_any_route_file_gives_a_report_and_accepts_only_lines_on_the_globe(lines, geometry, source):
    features = []
    for i, points in enumerate(lines):
        coords = [list(p) for p in points]
        geom = {"type": geometry, "coordinates": coords[0] if geometry == "Point" and coords else coords}
        features.append(
            {
                "type": "Feature",
                "properties": {"name": f"r{i}", "route_type": "other", "sources": source},
                "geometry": geom if coords else None,
            }
        )
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    plan = ingest.prepare("routes", data, file="any.geojson")
    _check_plan(plan, "routes", "any.geojson")
    for line in plan.accepted.geometry:
        xmin, ymin, xmax, ymax = line.bounds
        assert -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90


def _snapshot(store: Store) -> tuple:
    return (
        store.revision(),
        len(store.batches()),
        *(len(store.read(kind)) for kind in ("incidents", "designations", "routes")),
    )


@settings(BOUNDED, max_examples=60)
@given(data=st.data(), kind=st.sampled_from(["incidents", "designations", "routes"]))
def test_the_store_changes_only_when_the_plan_was_ready_with_accepted_rows(bundle, data, kind):
    data = data.draw(files(kind), label="file")
    with tempfile.TemporaryDirectory() as tmp:
        path, db = Path(tmp) / "upload.csv", Path(tmp) / "store.sqlite"
        path.write_bytes(data)
        store = Store(db)
        before = _snapshot(store)
        plan = ingest.prepare(kind, data, file=path.name, existing=bundle.incidents if kind == "incidents" else None)
        with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()):
            code = main(["import", str(path), "--kind", kind, "--db", str(db)])
        after = _snapshot(store)
        if not (plan.ready and len(plan.accepted)):
            assert code == 2 and after == before, out.getvalue()
        elif code != 2:
            kept = len(plan.accepted) - len(set(plan.duplicates["row"]))
            stored = sum(after[2:]) - sum(before[2:])
            assert after[1] == before[1] + 1 and stored == kept and code == (1 if plan.rejected_rows else 0)
        else:  # every accepted row is a duplicate, so nothing is stored
            assert after == before and "nothing imported" in out.getvalue()


# -- the duplicate search against brute force ---------------------------------------------------


def _brute_force(new: pd.DataFrame, existing: pd.DataFrame) -> dict[int, set[str]]:
    """Row -> every acceptable duplicate_of label, by comparing every pair."""
    new = new.rename(columns={"_row": "row"})  # itertuples renames names that start with "_"
    pool = [(r.incident_id, r, f"{r.incident_id} (stored)", False) for r in existing.itertuples()]
    pool += [(r.incident_id, r, f"{r.incident_id} (row {r.row})", True) for r in new.itertuples()]
    found: dict[int, set[str]] = {}
    for k, (ident, a, _, a_file) in enumerate(pool):
        if not a_file:
            continue
        earlier = pool[:k]
        same_id = [label for other, _, label, _ in earlier if other == ident]
        if same_id:
            found[a.row] = {same_id[0]}
            continue
        labels = set()
        for _, b, label, b_file in earlier:
            toll_a = -1 if pd.isna(a.killed) else a.killed
            toll_b = -1 if pd.isna(b.killed) else b.killed
            if a.date != b.date or toll_a != toll_b:
                continue
            km = float(gz.distance_km(a.longitude, a.latitude, b.longitude, b.latitude))
            limit = ingest.DUPLICATE_DISTANCE_KM
            if not b_file:
                limit = max(limit, a.radius_km or 0, b.radius_km or 0)
            if km <= limit * (1 - 1e-9) or km == 0:
                labels.add(label)
            elif km <= limit * (1 + 1e-9):
                labels.add(label)  # on the boundary: either answer is right
                labels.add("boundary")
        if labels:
            found[a.row] = labels
    return found


def _incident_frame(rows, *, id_prefix):
    frame = pd.DataFrame(rows, columns=["day", "killed", "latitude", "longitude", "radius_km"])
    frame["incident_id"] = [f"{id_prefix}{i}" for i in range(len(frame))]
    frame["date"] = pd.to_datetime("2025-10-01") + pd.to_timedelta(frame["day"], unit="D")
    return schema.canonicalise("incidents", frame)


near = st.tuples(
    st.integers(0, 1),
    st.sampled_from([1, 2, None]),
    st.floats(12.0, 12.12),
    st.floats(-70.12, -70.0),
    st.sampled_from([0.0, 0.0, 3.0, 8.0, 30.0]),
)


@settings(BOUNDED, max_examples=150)
@given(
    file_rows=st.lists(near, max_size=25),
    stored_rows=st.lists(near, max_size=6),
    repeat=st.lists(st.integers(0, 24), max_size=5),
    shared_id=st.booleans(),
)
def test_the_bounded_search_finds_what_comparing_every_pair_finds(file_rows, stored_rows, repeat, shared_id):
    file_rows = file_rows + [file_rows[i] for i in repeat if i < len(file_rows)]  # identical rows too
    new = _incident_frame(file_rows, id_prefix="F")
    if shared_id and len(new) > 2:
        new.loc[len(new) - 1, "incident_id"] = "F0"
    new["_row"] = new.index + 2
    existing = _incident_frame(stored_rows, id_prefix="S")
    got = ingest.find_duplicates(new, existing)
    expected = _brute_force(new, existing)
    boundary = {row for row, labels in expected.items() if "boundary" in labels}
    assume(not boundary)  # a pair exactly 5 km (or one radius) apart may go either way on rounding
    assert set(got["row"]) == set(expected), got.to_string()
    for rec in got.itertuples():
        assert rec.duplicate_of in expected[rec.row], (rec, expected[rec.row])
        km = re.match(r"same day, ([\d.,]+) km apart", rec.reason)
        assert rec.reason == "same id" or (km and math.isfinite(float(km.group(1).replace(",", ""))))
    assert np.issubdtype(got["row"].dtype, np.integer)
