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


# -- export ---------------------------------------------------------------------------------

import json  # noqa: E402
import zipfile  # noqa: E402

import pytest  # noqa: E402

from tracker.__main__ import main  # noqa: E402


@pytest.mark.parametrize("args, message", [
    (["--since", "2027-01-01"], "error: the date range is inverted: from 2027-01-01 is after 2026-10-04"),
    (["--since", "2026-02-01", "--until", "2026-01-01"], "error: the date range is inverted"),
    (["--bounds=-80,10,-70,10"], "error: bounds enclose no area"),
    (["--bounds=west,10,-70,20"], "error: --bounds 'west,10,-70,20': expected four numbers"),
    (["--width", "300", "--height", "200", "--dpi", "300"], "too small for a legible map"),
    (["--width", "0"], "width and height must be positive"),
    (["--dpi", "0"], "dpi=0 is outside 30..1200"),
    (["--layers", ""], "--layers names no layer"),
    (["--layers", "strikes,bogus"], "layer='bogus' is not valid"),
    (["--until", "2025-08-01"], "--until 2025-08-01 is before --since 2025-09-01 (the default start: set --since)"),
])
def test_bad_export_options_exit_two_with_one_clear_line(tmp_path, capsys, args, message):
    out = tmp_path / "map.png"
    code = main(["export", *args, "--out", str(out), "--db", str(tmp_path / "s.sqlite")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0]
    assert not out.exists()


def test_export_region_frames_the_map_and_the_pack_says_so(tmp_path, capsys):
    out = tmp_path / "pack.zip"
    assert main(["export", "--region", "caribbean", "--format", "zip", "--out", str(out),
                 "--db", str(tmp_path / "s.sqlite")]) == 0
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert manifest["map"]["requested_bounds"] == [-90.0, 7.0, -58.0, 27.0]
    assert manifest["filters"]["regions"] == ["Caribbean"] and manifest["map"]["preset"] == "screen"


def test_export_of_an_empty_view_writes_a_map_that_says_so(tmp_path, capsys):
    out = tmp_path / "map.png"
    assert main(["export", "--text", "no such text anywhere", "--out", str(out),
                 "--db", str(tmp_path / "s.sqlite")]) == 0
    assert "no strikes match these filters" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"\x89PNG")


def test_export_runs_as_a_command_too(tmp_path):
    out = run("export", "--preset", "square", "--format", "svg", "--out", str(tmp_path / "m.svg"), db=tmp_path / "s")
    assert out.returncode == 0, out.stderr
    assert "U.S. strikes on alleged drug boats" in (tmp_path / "m.svg").read_text()


@pytest.mark.parametrize("args", [["--region", "atlantic"], ["--extent", "mars"], ["--since", "yesterday"]])
def test_argument_errors_are_one_line_too(tmp_path, capsys, args):
    with pytest.raises(SystemExit) as exc:
        main(["export", *args, "--out", str(tmp_path / "m.png")])
    err = capsys.readouterr().err.strip().splitlines()
    assert exc.value.code == 2 and len(err) == 1 and "error:" in err[0]
