"""python -m tracker import: the report it prints and its exit codes."""

import re
import subprocess
import sys

from support import FIXTURES, ROOT
from tracker.store import Store


def run(*args, db):
    return subprocess.run([sys.executable, "-m", "tracker", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_a_clean_file_imports_and_exits_zero(tmp_path):
    db = tmp_path / "s.sqlite"
    out = run("import", str(FIXTURES / "good/latin1_semicolon.csv"), db=db)
    assert out.returncode == 0, out.stderr
    assert "latin1_semicolon.csv: 2 row(s) read, 2 accepted, 0 rejected" in out.stdout
    assert "read as cp1252, semicolon-delimited" in out.stdout
    assert "imported 2 row(s) as batch" in out.stdout
    assert len(Store(db).read("incidents")) == 2


def test_rejected_rows_are_listed_and_exit_non_zero(tmp_path):
    db = tmp_path / "s.sqlite"
    out = run("import", str(FIXTURES / "bad/lat_lon_swapped.csv"), db=db)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert any(re.search(r"lat_lon_swapped\.csv\s+2\s+latitude\s+-70\.1, 12\.5 .*look swapped", l) for l in lines)
    assert "imported 1 row(s)" in out.stdout
    fixed = run("import", str(FIXTURES / "bad/lat_lon_swapped.csv"), "--fix-swapped", "--duplicates", "keep", db=db)
    assert fixed.returncode == 0 and "imported 3 row(s)" in fixed.stdout


def test_unreadable_file_exits_two_and_stores_nothing(tmp_path):
    db = tmp_path / "s.sqlite"
    out = run("import", str(FIXTURES / "bad/binary.csv"), db=db)
    assert out.returncode == 2
    assert "this is not a text file: it looks like a PNG image" in out.stdout
    assert Store(db).batches().empty


def test_ambiguous_dates_need_date_order(tmp_path):
    db = tmp_path / "s.sqlite"
    out = run("import", str(FIXTURES / "bad/ambiguous_dates.csv"), db=db)
    assert out.returncode == 2 and "--date-order" in out.stdout
    ok = run("import", str(FIXTURES / "bad/ambiguous_dates.csv"), "--date-order", "dmy", db=db)
    assert ok.returncode == 0
    assert str(Store(db).read("incidents")["date"].iloc[0].date()) == "2026-04-03"


def test_mapping_is_remembered_for_the_next_file_with_that_header(tmp_path):
    db = tmp_path / "s.sqlite"
    path = FIXTURES / "good/unknown_headers.csv"
    first = run("import", str(path), db=db)
    assert first.returncode == 2 and "missing required fields: date" in first.stdout
    mapped = run("import", str(path), "--map", "date=when", "--map", "latitude=north", "--map", "longitude=east",
                 "--map", "source_urls=link", "--map", "killed=toll", db=db)
    assert mapped.returncode == 0, mapped.stdout
    again = run("import", str(path), "--duplicates", "keep", db=db)
    assert again.returncode == 0 and "date <- 'when'" in again.stdout


def test_undo_and_batches_commands(tmp_path):
    db = tmp_path / "s.sqlite"
    run("import", str(FIXTURES / "good/utf8_comma.csv"), db=db)
    batch = Store(db).batches()["batch_id"].iloc[0]
    listed = run("batches", db=db)
    assert batch in listed.stdout
    undone = run("undo", batch, db=db)
    assert undone.returncode == 0 and "removed 2 row(s)" in undone.stdout
    assert Store(db).read("incidents").empty
