"""tracker.ingest.import_file: a file checked and stored chunk by chunk accepts and rejects what prepare does."""

import contextlib

import pandas as pd
import pytest

from support import FIXTURES
from tracker import ingest
from tracker.store import DuplicateBatchError, Store


class BatchWriter:
    """The store's batch writer as the streamed import uses it (open_batch -> append ... commit)."""

    def __init__(self, store, kind, file_name):
        self.store, self.kind, self.file_name = store, kind, file_name
        self.batch_id = "B-test"
        self.frames = []
        self.committed = None

    def append(self, frame):
        self.frames.append(frame)

    def commit(self, *, sha256, rows_read, rows_rejected, rows_skipped=0, skip_existing_ids=False):
        if sha256 in self.store.seen:
            raise DuplicateBatchError(self.kind, sha256, "B-earlier", "2026-01-01T00:00:00")
        self.store.seen.add(sha256)
        self.committed = dict(
            sha256=sha256, rows_read=rows_read, rows_rejected=rows_rejected, rows_skipped=rows_skipped
        )
        self.store.batches.append(self)
        return self.batch_id


class BatchStore:
    def __init__(self):
        self.batches, self.seen, self.opened = [], set(), 0

    @contextlib.contextmanager
    def open_batch(self, kind, *, file_name):
        self.opened += 1
        yield BatchWriter(self, kind, file_name)

    def rows(self):
        return pd.concat([f for b in self.batches for f in b.frames])


CSV_FIXTURES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.glob("*/*.csv"))


@pytest.mark.parametrize("name", CSV_FIXTURES)
def test_a_streamed_import_stores_the_rows_prepare_accepts(bundle, tmp_path, name):
    path = FIXTURES / name
    plan = ingest.prepare("incidents", path.read_bytes(), file=path.name, existing=bundle.incidents)
    store = BatchStore()
    result = ingest.import_file(path, store, kind="incidents", existing=bundle.incidents, block_bytes=1 << 10)
    got = result.plan
    assert got.problems == plan.problems
    assert (got.rows_read, got.accepted_rows, got.sha256) == (plan.rows_read, len(plan.accepted), plan.sha256)
    assert (got.header, got.mapping, got.ambiguous_dates) == (plan.header, plan.mapping, plan.ambiguous_dates)
    pd.testing.assert_frame_equal(got.duplicates.reset_index(drop=True), plan.duplicates.reset_index(drop=True))
    if plan.ready and len(plan.accepted):
        assert result.batch_id == "B-test"
        pd.testing.assert_frame_equal(store.rows(), plan.accepted, check_index_type=False)
        assert store.batches[0].committed["rows_read"] == plan.rows_read
    else:
        assert result.batch_id is None and not store.batches


def test_many_chunks_give_the_plan_of_one(bundle, tmp_path):
    lines = ["incident_id,date,latitude,longitude,killed,source_urls"]
    for i in range(3000):
        date = "2025-10-01" if i % 7 else "01/02/2025" if i % 2 else "2025-13-40"
        lines.append(f"S{i % 2900},{date},{10 + (i % 50) / 100},{-70 - (i % 30) / 100},{i % 3},https://example.org/{i}")
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n")
    plan = ingest.prepare("incidents", path.read_bytes(), file=path.name, existing=bundle.incidents, date_order="dmy")
    store = BatchStore()
    result = ingest.import_file(
        path, store, kind="incidents", existing=bundle.incidents, date_order="dmy", block_bytes=1 << 12
    )
    assert len(store.batches[0].frames) > 10
    assert result.plan.problems == plan.problems
    pd.testing.assert_frame_equal(store.rows(), plan.accepted, check_index_type=False)
    pd.testing.assert_frame_equal(result.plan.duplicates, plan.duplicates)
    skip = BatchStore()
    skipped = ingest.import_file(
        path,
        skip,
        kind="incidents",
        existing=bundle.incidents,
        date_order="dmy",
        duplicates="skip",
        block_bytes=1 << 12,
    )
    assert skipped.rows_skipped == len(plan.duplicates) > 0
    assert set(skip.rows().index + 2).isdisjoint(plan.duplicates["row"])
    assert skipped.rows_stored == len(plan.accepted) - len(plan.duplicates)


def test_problems_past_the_cap_are_counted_not_kept(bundle, tmp_path):
    path = tmp_path / "bad.csv"
    rows = "".join(f"X{i},not a date,10,-70,https://example.org/{i}\n" for i in range(50))
    path.write_text("incident_id,date,latitude,longitude,source_urls\n" + rows)
    result = ingest.import_file(path, BatchStore(), kind="incidents", existing=bundle.incidents, max_problems=10)
    assert len(result.plan.problems) == 10 and result.plan.problems_omitted == 40
    assert "50 error(s)" in result.plan.summary() and "40 more were counted" in result.plan.summary()


def test_the_same_file_twice_is_refused_at_commit(bundle):
    store = BatchStore()
    path = FIXTURES / "good/utf8_comma.csv"
    first = ingest.import_file(path, store, kind="incidents", existing=bundle.incidents)
    again = ingest.import_file(path, store, kind="incidents", existing=bundle.incidents)
    assert first.batch_id and again.batch_id is None and isinstance(again.refused, DuplicateBatchError)


def test_a_store_without_open_batch_gets_one_import_batch(bundle, tmp_path):
    store = Store(tmp_path / "s.sqlite")
    path = FIXTURES / "good/utf8_comma.csv"
    result = ingest.import_file(path, store, kind="incidents", existing=bundle.incidents)
    plan = ingest.prepare("incidents", path.read_bytes(), file=path.name, existing=bundle.incidents)
    assert result.batch_id and len(store.read("incidents")) == len(plan.accepted) == result.rows_stored


def test_progress_is_reported_with_rows_and_bytes(bundle):
    seen = []
    ingest.import_file(
        FIXTURES / "good/utf8_comma.csv",
        BatchStore(),
        kind="incidents",
        existing=bundle.incidents,
        progress=seen.append,
        block_bytes=1 << 10,
    )
    assert [p.stage for p in seen][-1] == "storing" and {p.stage for p in seen} == {"checking", "storing"}
    assert all(p.bytes_total and p.bytes_done <= p.bytes_total for p in seen)
    shares = [p.share for p in seen if p.stage == "checking"]
    assert shares == sorted(shares) and shares[-1] == 1.0  # one pass: its share told by bytes


def _numeric_dates_file(tmp_path, late_date):
    lines = ["incident_id,date,latitude,longitude,killed,source_urls"]
    for i in range(400):
        lines.append(f"S{i},0{1 + i % 9}/0{1 + i % 8}/2025,{10 + i / 1000},{-70 - i / 1000},1,https://example.org/{i}")
    lines.append(f"S400,{late_date},10.5,-70.5,1,https://example.org/400")
    path = tmp_path / "numeric_dates.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("late_date", ["25/02/2025", "02/25/2025", "2025-02-25"])
def test_numeric_dates_settled_only_by_the_last_chunk_are_read_as_the_whole_file_settles(bundle, tmp_path, late_date):
    # the first chunks alone are ambiguous (no part over 12); the last row settles day/month, month/day or nothing
    path = _numeric_dates_file(tmp_path, late_date)
    plan = ingest.prepare("incidents", path.read_bytes(), file=path.name, existing=bundle.incidents)
    store = BatchStore()
    seen = []
    result = ingest.import_file(
        path, store, kind="incidents", existing=bundle.incidents, block_bytes=1 << 10, progress=seen.append
    )
    assert result.plan.problems == plan.problems
    assert (result.plan.ambiguous_dates, result.plan.inferred_date_order) == (
        plan.ambiguous_dates,
        plan.inferred_date_order,
    )
    if plan.ready:
        assert "reading" in {p.stage for p in seen}  # read again in two passes
        pd.testing.assert_frame_equal(store.rows(), plan.accepted, check_index_type=False)
        # row S399 says 04/08/2025: 4 August read day first, 8 April month first
        assert store.rows()["date"].iloc[-2] == pd.Timestamp("2025-08-04" if late_date[:2] == "25" else "2025-04-08")
    else:
        assert plan.ambiguous_dates and not store.batches and result.batch_id is None
