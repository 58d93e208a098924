"""tracker.sanctions.ofac_sdn (and the entities model): the OFAC SDN legacy CSV set as a user brings it."""

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.errors import InvalidOptionError, TrackerError, ValidationError
from tracker.sanctions.entities import ENTITY_COLUMNS, identifiers_frame, is_valid_imo, list_diff
from tracker.sanctions.ofac_sdn import read_ofac_sdn, split_programs, untyped_entity_type
from tracker.sanctions.remarks import parse_remarks

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "ofac_sdn"
pytestmark = pytest.mark.skipif(not (SAMPLES / "sdn.csv").exists(), reason="the shared OFAC SDN sample is not here")


@pytest.fixture(scope="module")
def sample():
    return read_ofac_sdn(SAMPLES)


@pytest.fixture(scope="module")
def sdn_lines() -> list[bytes]:
    """The sample's sdn.csv lines as published (cp1252 bytes, no CRLF, no Ctrl-Z)."""
    return (SAMPLES / "sdn.csv").read_bytes().rstrip(b"\x1a").split(b"\r\n")[:-1]


def entity(read, entity_id: str) -> dict:
    rows = read.entities[read.entities["entity_id"] == entity_id]
    assert len(rows) == 1, entity_id
    return rows.iloc[0].to_dict()


def write_set(folder: Path, **files: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name.replace("_csv", ".csv")).write_bytes(data)
    return folder


def crlf(*lines: bytes) -> bytes:
    return b"".join(line + b"\r\n" for line in lines)


# -- the shared sample -------------------------------------------------------------------------


def test_the_sample_reads_to_893_entries_267_vessels_and_no_problems(sample):
    e = sample.entities
    assert list(e.columns) == list(ENTITY_COLUMNS)
    assert len(e) == 893 and e["entity_id"].is_unique
    assert sample.problems == []
    types = e["entity_type"].value_counts().to_dict()
    assert (types["person"], types["vessel"], types["aircraft"]) == (346, 267, 56)
    assert types["company"] + types["organization"] == 224  # the entries without an SDN_Type
    assert (e["list_name"] == "OFAC SDN").all() and e["list_date"].isna().all()  # the legacy CSV states no date


def test_every_address_and_alias_row_is_read_onto_its_entry(sample):
    assert sample.records == {"sdn.csv": 893, "add.csv": 1226, "alt.csv": 432}
    aliases = sample.entities["aliases"].map(len).sum()
    # the 432 aliases of alt.csv plus the 156 a.k.a./f.k.a. written in Remarks (none repeats an alt.csv one)
    assert aliases == 432 + 156
    assert entity(sample, "ofac:8134")["aliases"] == ["FUNDACION POR LA PAS DE CORDOBA", "FUNDAZCOR", "FUNPAZCOR"]
    assert entity(sample, "ofac:8134")["addresses"] == ["Carrera 6 No. 29-12, Monteria, Cordoba, Colombia"]


def test_277_imo_numbers_are_found_in_remarks_and_every_ship_number_passes_its_check_digit(sample):
    ids = identifiers_frame(sample.entities)
    imo = ids[ids["kind"].str.startswith("IMO")]
    assert len(imo) == 277
    assert imo["kind"].value_counts().to_dict() == {"IMO": 267, "IMO company": 10}
    ships = imo[imo["kind"] == "IMO"]
    assert ships["valid"].all() and ships["entity_id"].is_unique
    e = sample.entities
    assert set(e.loc[e["entity_type"] == "vessel", "entity_id"]) == set(ships["entity_id"])
    assert e["imo_valid"].sum() == 267 and not (e["imo_valid"] == False).any()  # noqa: E712


def test_a_vessel_entry_reads_with_its_programs_identifiers_flags_and_link(sample):
    artavil = entity(sample, "ofac:15036")
    assert artavil["name"] == "ARTAVIL" and artavil["entity_type"] == "vessel"
    assert artavil["programs"] == ["IRAN"]
    assert artavil["identifiers"] == [["Call sign", "T2EU4"], ["IMO", "9187629"], ["MMSI", "572469210"]]
    assert artavil["countries"] == ["IR"]
    assert artavil["facts"]["former flags"] == ["Malta", "Tuvalu", "None Identified", "Tanzania"]
    assert artavil["facts"]["vessel type"] == ["Crude/Oil Products Tanker"]
    assert "ALPHA" in artavil["aliases"]  # f.k.a. 'ALPHA' in Remarks
    assert artavil["links"] == [
        {
            "name": "NATIONAL IRANIAN TANKER COMPANY",
            "entity_id": None,
            "relation": "Linked To (OFAC remarks)",
            "how": "not resolved",
            "score": None,
        }
    ]


def test_a_person_entry_reads_with_birth_nationality_and_documents(sample):
    cabello = entity(sample, "ofac:24424")
    assert cabello["name"] == "CABELLO RONDON, Diosdado" and cabello["entity_type"] == "person"
    assert cabello["programs"] == ["VENEZUELA"] and cabello["countries"] == ["VE"]
    assert cabello["identifiers"] == [["Cedula", "8370825"], ["Passport", "A0237802"]]
    assert cabello["facts"] == {"DOB": ["15 Apr 1963"], "citizenship": ["Venezuela"], "gender": ["Male"]}


def test_bracketed_programs_are_split(sample):
    assert split_programs("SDGT] [IFSR") == ["SDGT", "IFSR"]
    assert split_programs("[IRAN] [NPWMD] [IFSR]") == ["IRAN", "NPWMD", "IFSR"]
    assert split_programs("-0- ") == []
    programs = sample.entities["programs"]
    assert programs.map(lambda p: p == ["IRAN", "NPWMD", "IFSR"]).sum() == 119
    assert not programs.map(lambda p: any("[" in x or "]" in x for x in p)).any()


def test_a_zip_loose_files_and_uploaded_files_read_like_the_folder(sample, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("sdn.csv", "add.csv", "alt.csv"):
            archive.write(SAMPLES / name, f"sdn_csv/{name.upper()}")
    (tmp_path / "list.zip").write_bytes(buffer.getvalue())
    uploaded = {name: (SAMPLES / name).read_bytes() for name in ("sdn.csv", "add.csv", "alt.csv")}
    for source in (tmp_path / "list.zip", buffer.getvalue(), SAMPLES / "sdn.csv", uploaded):
        got = read_ofac_sdn(source)
        assert got.problems == [] and got.records == sample.records
        pd.testing.assert_frame_equal(got.entities, sample.entities)


def test_remarks_overflow_in_sdn_comments_is_appended_and_parsed(tmp_path, sdn_lines):
    cut = sdn_lines[0].replace(b'(Colombia)."', b'(Colombia); Linked To: SAAB MO"')  # cut mid-word, as OFAC does
    folder = write_set(
        tmp_path / "set", sdn_csv=crlf(cut), add_csv=b"", alt_csv=b"", sdn_comments_csv=crlf(b'8134,"RAN, Alex Nain."')
    )
    got = read_ofac_sdn(folder)
    assert got.problems == [] and got.records["sdn_comments.csv"] == 1
    e = entity(got, "ofac:8134")
    assert e["remarks"] == "NIT # 830054536-9 (Colombia); Linked To: SAAB MORAN, Alex Nain."
    assert [link["name"] for link in e["links"]] == ["SAAB MORAN, Alex Nain"]


# -- bad input: a Problem with the file, row and column, and the rows that passed ---------------


def test_a_truncated_sdn_csv_reports_the_cut_record_and_keeps_the_others(tmp_path, sdn_lines):
    cut = sdn_lines[4][:120]  # inside the quoted Remarks of the fifth entry, as a broken download ends
    folder = write_set(tmp_path / "set", sdn_csv=crlf(*sdn_lines[:4]) + cut, add_csv=b"", alt_csv=b"")
    got = read_ofac_sdn(folder)
    assert len(got.entities) == 4
    [problem] = got.problems
    assert (problem.file, problem.row, problem.column, problem.severity) == ("sdn.csv", 5, "Remarks", "error")
    assert "truncated" in problem.message and "left out" in problem.message


def test_a_record_cut_inside_the_program_names_that_column(tmp_path, sdn_lines):
    folder = write_set(tmp_path / "set", sdn_csv=crlf(*sdn_lines[:2]) + sdn_lines[2][:52], add_csv=b"", alt_csv=b"")
    [problem] = read_ofac_sdn(folder).problems
    assert (problem.row, problem.column) == (3, "Program")


def test_a_missing_sibling_file_is_a_warning_naming_it_and_entries_are_still_read(tmp_path):
    folder = write_set(
        tmp_path / "set", sdn_csv=(SAMPLES / "sdn.csv").read_bytes(), alt_csv=(SAMPLES / "alt.csv").read_bytes()
    )
    got = read_ofac_sdn(folder / "sdn.csv")
    assert len(got.entities) == 893
    [problem] = got.problems
    assert (problem.file, problem.row, problem.severity) == ("add.csv", None, "warning")
    assert "add.csv was not found" in problem.message
    assert got.entities["addresses"].map(len).sum() == 0 and got.entities["aliases"].map(len).sum() == 588


def test_a_line_with_a_missing_column_is_an_error_on_that_row_and_column(tmp_path, sdn_lines):
    short = sdn_lines[2].rsplit(b',"', 1)[0]  # the Remarks cell dropped: 11 cells
    folder = write_set(
        tmp_path / "set", sdn_csv=crlf(sdn_lines[0], sdn_lines[1], short, sdn_lines[3]), add_csv=b"", alt_csv=b""
    )
    got = read_ofac_sdn(folder)
    assert got.entities["source_id"].tolist() == ["8134", "8137", "8139"]
    [problem] = got.problems
    assert (problem.file, problem.row, problem.column, problem.severity) == ("sdn.csv", 3, "Remarks", "error")
    assert "11 of 12 cells" in problem.message


def test_a_line_with_too_many_cells_is_an_error_on_that_row(tmp_path, sdn_lines):
    folder = write_set(
        tmp_path / "set", sdn_csv=crlf(sdn_lines[0], sdn_lines[1] + b',"extra"'), add_csv=b"", alt_csv=b""
    )
    got = read_ofac_sdn(folder)
    assert got.entities["source_id"].tolist() == ["8134"]
    assert [(p.row, p.column, p.severity) for p in got.problems] == [(2, "", "error")]
    assert "13 cells, not 12" in got.problems[0].message


def test_a_stray_quote_in_a_name_is_a_warning_on_that_cell_and_the_entry_is_kept(tmp_path, sdn_lines):
    line = next(x for x in sdn_lines if b'"CABELLO RONDON, Diosdado"' in x)
    stray = line.replace(b"RONDON, Diosdado", b'RONDON, "Diosdado')
    folder = write_set(tmp_path / "set", sdn_csv=crlf(sdn_lines[0], stray, sdn_lines[2]), add_csv=b"", alt_csv=b"")
    got = read_ofac_sdn(folder)
    assert got.entities["name"].tolist() == [
        "FUNDACION PARA LA PAZ DE CORDOBA",
        "CABELLO RONDON, Diosdado",
        "ARROYAVE RUIZ, Elkin Alberto",
    ]
    [problem] = got.problems
    assert (problem.file, problem.row, problem.column, problem.severity) == ("sdn.csv", 2, "SDN_Name", "warning")


def test_rows_in_sibling_files_for_unknown_entries_are_warnings_with_their_rows(tmp_path, sdn_lines):
    add = crlf(b'8134,7375,"Carrera 6","Monteria","Colombia",-0- ', b"99999,1,-0- ,-0- ,-0- ,-0- ")
    folder = write_set(tmp_path / "set", sdn_csv=crlf(sdn_lines[0]), add_csv=add, alt_csv=b"")
    got = read_ofac_sdn(folder)
    assert [(p.file, p.row, p.column, p.value, p.severity) for p in got.problems] == [
        ("add.csv", 2, "Ent_num", "99999", "warning")
    ]
    assert entity(got, "ofac:8134")["addresses"] == ["Carrera 6, Monteria, Colombia"]


def test_an_entry_number_that_is_not_a_number_or_repeats_is_an_error(tmp_path, sdn_lines):
    bad = b"X1" + sdn_lines[1][4:]
    folder = write_set(tmp_path / "set", sdn_csv=crlf(sdn_lines[0], bad, sdn_lines[0]), add_csv=b"", alt_csv=b"")
    got = read_ofac_sdn(folder)
    assert len(got.entities) == 1
    assert [(p.row, p.column, p.value) for p in got.problems] == [(2, "ent_num", "X1"), (3, "ent_num", "8134")]


def test_no_sdn_csv_or_no_such_path_is_a_problem_not_an_exception(tmp_path):
    for source in (tmp_path, tmp_path / "nowhere", b"PK\x03\x04 not a zip", {"add.csv": b""}):
        got = read_ofac_sdn(source)
        assert got.entities.empty and list(got.entities.columns) == list(ENTITY_COLUMNS)
        assert got.errors, source


def test_raise_mode_raises_a_tracker_error_and_options_are_checked(tmp_path, sdn_lines):
    folder = write_set(tmp_path / "set", sdn_csv=crlf(sdn_lines[0]) + b"8137,", add_csv=b"", alt_csv=b"")
    with pytest.raises(ValidationError, match="1 problem"):
        read_ofac_sdn(folder, on_invalid="raise")
    with pytest.raises(InvalidOptionError, match="'raise', 'report'"):
        read_ofac_sdn(folder, on_invalid="drop")
    with pytest.raises(TrackerError):
        read_ofac_sdn(12345)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600) | st.text(max_size=400).map(lambda t: t.encode("utf-8")))
def test_any_bytes_as_sdn_csv_give_entries_and_problems_never_an_exception(data):
    got = read_ofac_sdn({"sdn.csv": data, "add.csv": data[:50], "alt.csv": b""})
    assert list(got.entities.columns) == list(ENTITY_COLUMNS)
    assert all(p.file in ("sdn.csv", "add.csv", "alt.csv") for p in got.problems)


# -- remarks, IMO numbers, entity types ---------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_the_remarks_parser_never_raises(text):
    parsed = parse_remarks(text)
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in parsed.identifiers)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=999_999), st.sampled_from(["Vessel Registration Identification IMO ", "IMO "])
)
def test_an_imo_in_remarks_is_found_and_its_check_digit_decides_validity(six, label):
    digits = f"{six:06d}"
    check = sum(int(d) * w for d, w in zip(digits, (7, 6, 5, 4, 3, 2))) % 10
    good, bad = digits + str(check), digits + str((check + 1) % 10)
    remarks = f"Former Vessel Flag Malta; {label}{good}; alt. {label}{bad}; Linked To: X S.A."
    assert parse_remarks(remarks).identifiers == [("IMO", good), ("IMO", bad)]
    assert is_valid_imo(good) and is_valid_imo(f"IMO {good}") and not is_valid_imo(bad)


def test_remarks_give_links_aliases_identifiers_and_facts():
    parsed = parse_remarks(
        "DOB 01 Feb 1949; alt. DOB 02 Jan 1951; POB Cabrera, Colombia; nationality Colombia; Gender Male; "
        "Passport B0133819 (Venezuela) expires 08 Apr 2013; National ID No. 21495203 (Venezuela); "
        "a.k.a. 'MONO JOJOY'; MMSI 572469210; Linked To: IMPORTADORA SILVANIA, C.A.; Linked To: BODEGA MICHIGAN."
    )
    assert parsed.identifiers == [("Passport", "B0133819"), ("National ID", "21495203"), ("MMSI", "572469210")]
    assert parsed.facts == {
        "DOB": ["01 Feb 1949", "02 Jan 1951"],
        "POB": ["Cabrera, Colombia"],
        "nationality": ["Colombia"],
        "gender": ["Male"],
    }
    assert parsed.links == ["IMPORTADORA SILVANIA, C.A.", "BODEGA MICHIGAN"]
    assert parsed.aliases == ["MONO JOJOY"]


def test_an_untyped_entry_is_a_company_when_its_name_says_so():
    assert untyped_entity_type("PETROLEOS DE VENEZUELA, S.A.") == "company"
    assert untyped_entity_type("INVERSIONES CIFUENTES Y CIA. S. EN C.") == "company"
    assert untyped_entity_type("RUSTANKER LLC") == "company"
    assert untyped_entity_type("FUERZAS ARMADAS REVOLUCIONARIAS DE COLOMBIA") == "organization"


def test_a_ten_thousand_entry_set_reads_whole(tmp_path, sdn_lines):
    lines = [b"%d," % (100_000 + i) + sdn_lines[i % len(sdn_lines)].split(b",", 1)[1] for i in range(10_500)]
    got = read_ofac_sdn({"sdn.csv": crlf(*lines) + b"\x1a", "add.csv": b"", "alt.csv": b""})
    assert len(got.entities) == 10_500 and got.errors == []


# -- list diff --------------------------------------------------------------------------------------


def test_a_list_diff_names_the_added_removed_and_changed_entries(tmp_path, sdn_lines):
    old = read_ofac_sdn(write_set(tmp_path / "old", sdn_csv=crlf(*sdn_lines[:4]), add_csv=b"", alt_csv=b""))
    changed = sdn_lines[1].replace(b'"SDNTK"', b'"SDNTK] [ILLICIT-DRUGS-EO14059"').replace(b"16588328", b"16588329")
    new_lines = [sdn_lines[0], changed, sdn_lines[2], sdn_lines[10]]  # 8139 delisted, a new entry added
    new = read_ofac_sdn(write_set(tmp_path / "new", sdn_csv=crlf(*new_lines), add_csv=b"", alt_csv=b""))
    diff = list_diff(old.entities, new.entities)
    assert diff.added["entity_id"].tolist() == [f"ofac:{sdn_lines[10].split(b',')[0].decode()}"]
    assert diff.removed["entity_id"].tolist() == ["ofac:8139"]
    assert diff.changed.to_dict("records") == [
        {
            "entity_id": "ofac:8137",
            "name": "ALBAN BURBANO, Luis Alberto",
            "fields": ["programs", "identifiers", "remarks"],
        }
    ]
    assert diff.summary() == "1 added, 1 removed (delisted), 1 changed"


def test_a_list_compared_with_itself_read_back_from_json_has_no_changes(sample):
    records = json.loads(sample.entities.to_json(orient="records", date_format="iso"))
    stored = pd.DataFrame(records)  # as the store gives an import back: lists, None and ISO text
    diff = list_diff(stored, sample.entities)
    assert diff.added.empty and diff.removed.empty and diff.changed.empty
