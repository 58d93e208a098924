"""The pyarrow reader and the robust reader give the same ImportPlan: same accepted rows, same problems."""

import string

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import FIXTURES
from tracker import ingest
from tracker.ingest import reading

CSV_FIXTURES = sorted(
    p.relative_to(FIXTURES).as_posix()
    for p in FIXTURES.glob("*/*")
    if p.suffix in (".csv", ".tsv", ".txt") and p.is_file()
)


def _plans(kind, data, name, **options):
    fast = ingest.prepare(kind, data, file=name, reader="arrow", **options)
    slow = ingest.prepare(kind, data, file=name, reader="python", **options)
    return fast, slow


def assert_same_plan(fast, slow):
    assert fast.problems == slow.problems
    assert (fast.encoding, fast.delimiter, fast.header) == (slow.encoding, slow.delimiter, slow.header)
    assert (fast.rows_read, fast.mapping, fast.missing_fields) == (slow.rows_read, slow.mapping, slow.missing_fields)
    assert (fast.ambiguous_dates, fast.swapped_rows) == (slow.ambiguous_dates, slow.swapped_rows)
    pd.testing.assert_frame_equal(fast.accepted, slow.accepted, check_index_type=False)
    pd.testing.assert_frame_equal(
        fast.duplicates.reset_index(drop=True), slow.duplicates.reset_index(drop=True), check_dtype=False
    )


@pytest.mark.parametrize("name", CSV_FIXTURES)
@pytest.mark.parametrize("kind", ["incidents", "designations"])
def test_the_fast_path_gives_the_same_plan_on_every_fixture(bundle, name, kind):
    data = (FIXTURES / name).read_bytes()
    fast, slow = _plans(kind, data, name, existing=bundle.incidents if kind == "incidents" else None)
    assert_same_plan(fast, slow)


@pytest.mark.parametrize(
    "name", ["good/utf8_comma.csv", "good/quoted_newlines.csv", "good/utf8_bom_semicolon_decimal_comma.csv"]
)
def test_plain_utf8_files_take_the_fast_path(name):
    data = (FIXTURES / name).read_bytes()
    layout = reading.sniff_layout(data[: reading.SAMPLE_BYTES])
    frames = list(reading.record_frames(reading.ScanningReader(__import__("io").BytesIO(data)), layout))
    assert sum(len(f) for _, f in frames) > 0


@pytest.mark.parametrize(
    "name",
    [
        "bad/ragged_rows.csv",
        "bad/unclosed_quote_mid_file.csv",
        "bad/mixed_utf8_cp1252.csv",
        "bad/nul_bytes.csv",
        "good/utf16.csv",
        "good/latin1_semicolon.csv",
    ],
)
def test_files_the_fast_path_cannot_read_faithfully_are_refused_to_it(name):
    data = (FIXTURES / name).read_bytes()
    with pytest.raises(reading.FastPathUnsafe):
        layout = reading.sniff_layout(data[: reading.SAMPLE_BYTES])
        source = reading.ScanningReader(__import__("io").BytesIO(data))
        list(reading.record_frames(source, layout))
        source.finish()


HEADER = ["incident_id", "date", "latitude", "longitude", "killed", "location", "source_urls"]
cell = st.one_of(
    st.sampled_from(
        [
            "",
            "2025-10-01",
            "01/02/2025",
            "13/02/2025",
            "2025-02-30",
            "1850-01-01",
            "Sept. 15, 2025",
            "12.5",
            "-70.1",
            "97.5",
            "12,5",
            "3",
            "x",
            "Caribbean Sea",
            "80 nm south of Beata Island",
            "https://example.org/a",
            "a\nb",
            'say "hi"',
            "a,b",
            " padded ",
            "inf",
            "São Tomé",
        ]
    ),
    st.text(alphabet=string.ascii_letters + string.digits + " ,;\"'\n-./é", max_size=12),
)


def _quote(v: str) -> str:
    return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n;') or v != v.strip() else v


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(cell, min_size=len(HEADER), max_size=len(HEADER)), min_size=1, max_size=12),
    ragged=st.booleans(),
    raw=st.booleans(),
    crlf=st.booleans(),
)
def test_the_fast_path_gives_the_same_plan_on_generated_files(bundle, rows, ragged, raw, crlf):
    lines = [",".join(HEADER)]
    for r in rows:
        lines.append(",".join(v if raw else _quote(v) for v in r))
    if ragged:
        lines.append("X1,2025-10-01")
    data = ("\r\n" if crlf else "\n").join(lines).encode()
    fast, slow = _plans(
        "incidents", data, "gen.csv", existing=bundle.incidents, today=pd.Timestamp("2026-06-01").date()
    )
    assert_same_plan(fast, slow)
