"""python -m tracker import (sanctions lists) and search: what a person sees on the command line."""

import csv
import io
import shutil
import subprocess
import sys

import pytest

from support import ROOT

SAMPLE = ROOT.parent / "shared" / "samples" / "ofac_sdn"


def _cli(*args, db):
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args, "--db", str(db)], capture_output=True, text=True, cwd=ROOT
    )


@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    db = tmp_path_factory.mktemp("lists") / "s.sqlite"
    out = _cli("import", str(SAMPLE / "sdn.csv"), db=db)
    assert out.returncode == 0, out.stdout + out.stderr
    return db, out.stdout


def test_an_ofac_set_is_detected_and_imported_whole(listed):
    _, stdout = listed
    assert "893 row(s) of sdn.csv" in stdout and "893 entities read" in stdout
    assert "267 vessel" in stdout
    assert "changes since an empty list (first import): 893 added, 0 removed (delisted), 0 changed" in stdout
    assert "imported 893 entities of OFAC SDN as batch B" in stdout


@pytest.mark.parametrize(
    ("query", "entity", "how"),
    [
        ("diosdado cabello", "CABELLO RONDON, Diosdado", "fuzzy name"),
        ("alex saab", "SAAB MORAN, Alex Nain", "alias"),
        ("IMO 9187629", "ARTAVIL", "exact identifier"),
    ],
)
def test_search_finds_the_entity_first_and_says_how(listed, query, entity, how):
    db, _ = listed
    out = _cli("search", query, "--format", "csv", db=db)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout.lstrip("\ufeff"))))
    assert (rows[0]["name"], rows[0]["how"]) == (entity, how)
    assert float(rows[0]["score"]) == 100.0 and rows[0]["list_name"] == "OFAC SDN"


def test_the_vessel_hit_lists_its_identifiers_and_linked_company(listed):
    db, _ = listed
    out = _cli("search", "9187629", db=db)
    assert "IMO 9187629" in out.stdout and "MMSI 572469210" in out.stdout
    assert "NATIONAL IRANIAN TANKER COMPANY" in out.stdout


def test_no_match_says_so_with_exit_one(listed):
    db, _ = listed
    out = _cli("search", "zzqx nobody", db=db)
    assert out.returncode == 1 and "no entity matches 'zzqx nobody'" in out.stdout


def test_search_without_a_list_says_what_to_do(tmp_path):
    out = _cli("search", "anything", db=tmp_path / "empty.sqlite")
    assert out.returncode == 2 and "import one first" in out.stderr


def test_a_newer_copy_shows_what_was_added_removed_and_changed(tmp_path):
    db = tmp_path / "s.sqlite"
    assert _cli("import", str(SAMPLE / "sdn.csv"), db=db).returncode == 0
    newer = tmp_path / "newer"
    shutil.copytree(SAMPLE, newer)
    raw = (newer / "sdn.csv").read_bytes()
    lines = raw.split(b"\r\n")
    dropped = lines.pop(0)  # the first entry is delisted
    assert dropped.startswith(b"8134,")
    lines = [line.replace(b'"ARTAVIL"', b'"ARTAVIL II"') for line in lines]  # a vessel renamed
    lines.insert(-1, b'99999,"NEW TRADING S.A.",-0- ,"SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ')
    (newer / "sdn.csv").write_bytes(b"\r\n".join(lines))
    out = _cli("import", str(newer / "sdn.csv"), db=db)
    assert "893 row(s) of sdn.csv" in out.stdout
    assert "1 added, 1 removed (delisted), 1 changed" in out.stdout
    again = _cli("import", str(newer / "sdn.csv"), db=db)
    assert again.returncode == 2 and "already imported" in again.stderr + again.stdout
    batches = _cli("batches", db=db).stdout
    assert batches.count("OFAC SDN") == 2
