"""python -m tracker import: the report it prints and its exit codes."""

import re
import subprocess
import sys

from support import FIXTURES, ROOT
from tracker.store import Store


def run(*args, db):
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args, "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


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
    # the same file again is refused while its batch stands (tracker.store), so a fresh store
    fixed = run("import", str(FIXTURES / "bad/lat_lon_swapped.csv"), "--fix-swapped", db=tmp_path / "fixed.sqlite")
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
    mapped = run(
        "import",
        str(path),
        "--map",
        "date=when",
        "--map",
        "latitude=north",
        "--map",
        "longitude=east",
        "--map",
        "source_urls=link",
        "--map",
        "killed=toll",
        db=db,
    )
    assert mapped.returncode == 0, mapped.stdout
    again = run("import", str(path), "--dry-run", db=db)  # the same file is not stored twice; a dry run shows it
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


@pytest.mark.parametrize(
    "args, message",
    [
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
    ],
)
def test_bad_export_options_exit_two_with_one_clear_line(tmp_path, capsys, args, message):
    out = tmp_path / "map.png"
    code = main(["export", *args, "--out", str(out), "--db", str(tmp_path / "s.sqlite")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0]
    assert not out.exists()


def test_export_region_frames_the_map_and_the_pack_says_so(tmp_path, capsys):
    out = tmp_path / "pack.zip"
    assert (
        main(
            [
                "export",
                "--region",
                "caribbean",
                "--format",
                "zip",
                "--out",
                str(out),
                "--db",
                str(tmp_path / "s.sqlite"),
            ]
        )
        == 0
    )
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert manifest["map"]["requested_bounds"] == [-90.0, 7.0, -58.0, 27.0]
    assert manifest["filters"]["regions"] == ["Caribbean"] and manifest["map"]["preset"] == "screen"


def test_export_of_an_empty_view_writes_a_map_that_says_so(tmp_path, capsys):
    out = tmp_path / "map.png"
    assert (
        main(["export", "--text", "no such text anywhere", "--out", str(out), "--db", str(tmp_path / "s.sqlite")]) == 0
    )
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


# -- import: inputs from issue 9 ------------------------------------------------------------


def _import(tmp_path, capsys, name, *args):
    """Run ``import`` in-process; return (exit code, stdout lines, stderr lines, stored incidents)."""
    db = tmp_path / "s.sqlite"
    code = main(["import", str(FIXTURES / name), *args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines(), Store(db).read("incidents")


def _has(lines, pattern):
    return any(re.search(pattern, line) for line in lines)


def test_rows_7_km_apart_in_neighbouring_cells_import_as_a_command(tmp_path):
    """This file made the duplicate check raise (a traceback, exit 1) in the command and on the page."""
    db = tmp_path / "s.sqlite"
    out = run("import", str(FIXTURES / "bad/same_day_toll_neighbouring_cells_7km.csv"), db=db)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and "0 possible duplicate(s)" in out.stdout
    assert sorted(Store(db).read("incidents")["incident_id"]) == ["N1", "N2"]


@pytest.mark.parametrize(
    "name, report, stored",
    [
        (
            "bad/killed_inf_huge.csv",
            [
                r"\s2\s+killed\s+inf\s+must be a whole number from 0 to 10,000",
                r"\s3\s+killed\s+1e20\s+must be a whole number from 0 to 10,000",
                r"\s4\s+killed\s+9999999999999999999\s+must be a whole number",
            ],
            ["K4"],
        ),
        (
            "bad/dates_out_of_range.csv",
            [
                r"\s2\s+date\s+0001-01-01\s+date out of range",
                r"\s3\s+date\s+1600-01-01\s+date out of range",
                r"\s4\s+date\s+9999-12-31\s+date lies in the future",
                r"\s5\s+date\s+May 5 1500\s+date out of range",
            ],
            ["D5"],
        ),
        ("bad/short_row_without_position.csv", [r"\s3\s+location\s+R2,2025-11-21\s+this row has 2 fields"], ["R1"]),
        (
            "bad/source_url_schemes.csv",
            [
                r"\s2\s+source\s+javascript:alert\(2\)\s+'javascript:' is not accepted",
                r"\s4\s+source\s+file:///etc/passwd\s+'file:' is not accepted",
            ],
            ["U5", "U6"],
        ),
    ],
)
def test_bad_values_are_row_errors_and_the_rest_imports_with_exit_one(tmp_path, capsys, name, report, stored):
    code, out, err, rows = _import(tmp_path, capsys, name)
    assert code == 1 and err == []
    assert all(_has(out, pattern) for pattern in report), "\n".join(out)
    assert _has(out, rf"imported {len(stored)} row\(s\) as batch")
    assert sorted(rows["incident_id"]) == stored


def test_an_error_about_the_whole_file_imports_nothing(tmp_path, capsys):
    code, out, err, rows = _import(tmp_path, capsys, "bad/header_repeats_column.csv")
    assert code == 2
    assert _has(out, r"header_repeats_column\.csv\s+-\s+killed\.1\s+the header repeats a column name\s+error")
    assert out[-2:] == [
        "cannot import: the file has an error: the header repeats a column name (killed.1)",
        "nothing imported",
    ]
    assert rows.empty and Store(tmp_path / "s.sqlite").batches().empty


def test_map_overrides_one_field_and_keeps_the_automatic_mapping(tmp_path, capsys):
    code, out, err, rows = _import(tmp_path, capsys, "good/two_death_columns.csv", "--map", "killed=confirmed")
    assert code == 0, "\n".join(out + err)
    assert (
        "columns: incident_id <- 'id', date <- 'date', latitude <- 'latitude', longitude <- 'longitude', "
        "killed <- 'confirmed', source_urls <- 'source'" in out
    )
    assert rows["killed"].tolist() == [3] and rows["incident_id"].tolist() == ["M1"]


def test_map_on_top_of_a_remembered_mapping(tmp_path, capsys):
    db = tmp_path / "s.sqlite"
    path = str(FIXTURES / "good/unknown_headers.csv")
    first = [
        "--map",
        "date=when",
        "--map",
        "latitude=north",
        "--map",
        "longitude=east",
        "--map",
        "source_urls=link",
        "--map",
        "killed=toll",
    ]
    assert main(["import", path, *first, "--db", str(db)]) == 0  # remembered for this header
    capsys.readouterr()
    assert main(["import", path, "--map", "incident_id=ref", "--map", "killed=", "--dry-run", "--db", str(db)]) == 0
    columns = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("columns: "))
    assert dict(re.findall(r"(\w+) <- '([^']*)'", columns)) == {
        "date": "when",
        "latitude": "north",
        "longitude": "east",
        "source_urls": "link",
        "incident_id": "ref",
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--map", "date"],
            "error: --map 'date': expected FIELD=COLUMN (e.g. --map date=fecha; FIELD= unmaps the field)",
        ),
        (["--map", "=fecha"], "error: --map '=fecha': expected FIELD=COLUMN"),
    ],
)
def test_a_malformed_map_is_one_clear_line_and_exit_two(tmp_path, capsys, args, message):
    code = main(["import", str(FIXTURES / "good/utf8_comma.csv"), *args, "--db", str(tmp_path / "s.sqlite")])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and message in err
    assert not (tmp_path / "s.sqlite").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--map", "deaths=killed"],
            "error: --map deaths=killed: 'deaths' is not a field of incidents; choose one of:",
        ),
        (["--map", "date=when"], "error: --map date=when: the file has no column 'when'; its columns are: 'id', "),
    ],
)
def test_a_map_naming_no_field_or_no_column_exits_two(tmp_path, capsys, args, message):
    code = main(["import", str(FIXTURES / "good/utf8_comma.csv"), *args, "--db", str(tmp_path / "s.sqlite")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith(message)
    assert Store(tmp_path / "s.sqlite").batches().empty
