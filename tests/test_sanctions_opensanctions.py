"""tracker.sanctions.opensanctions: targets.simple.csv (both header layouts) and maritime.csv."""

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.errors import ValidationError
from tracker.sanctions.entities import ENTITY_COLUMNS
from tracker.sanctions.opensanctions import read_opensanctions_maritime, read_opensanctions_targets

OLD_HEADER = [
    "id",
    "schema",
    "name",
    "aliases",
    "birth_date",
    "countries",
    "addresses",
    "identifiers",
    "sanctions",
    "phones",
    "emails",
    "dataset",
    "first_seen",
    "last_seen",
    "last_change",
]
NEW_HEADER = OLD_HEADER[:11] + ["program_ids"] + OLD_HEADER[11:]

TARGETS = [
    {
        "id": "NK-cabello",
        "schema": "Person",
        "name": "Diosdado Cabello Rondón",
        "aliases": "Diosdado CABELLO RONDON;Diosdado Cabello Rondón",
        "birth_date": "1963-04-15",
        "countries": "ve",
        "identifiers": "8370825;A0237802",
        "sanctions": "US OFAC SDN - VENEZUELA;EU - Venezuela",
        "program_ids": "US-VEN;EU-VEN",
        "dataset": "US OFAC Specially Designated Nationals (SDN) List;EU Financial Sanctions Files (FSF)",
        "first_seen": "2018-05-18T10:12:01",
        "last_seen": "2025-06-01T00:00:00",
    },
    {
        "id": "NK-yare",
        "schema": "Vessel",
        "name": "YARE",
        "countries": "ve;pa",
        "identifiers": "IMO9543500;572469210",
        "sanctions": "US OFAC SDN - VENEZUELA-EO13884",
        "first_seen": "2019-08-06T00:00:00",
    },
    {
        "id": "NK-address",
        "schema": "Address",
        "name": "Caracas",
    },
    {
        "id": "NK-pdvsa",
        "schema": "Company",
        "name": "PETROLEOS DE VENEZUELA, S.A.",
        "aliases": "PDVSA",
        "countries": "ve;suhh",
        "addresses": "Avenida Libertador\nCaracas",  # a quoted line break: the next row is two lines down
        "identifiers": "IMO 1234567",
        "first_seen": "not a date",
    },
    {"id": "", "schema": "Person", "name": "NOBODY"},
    {"id": "NK-plane", "schema": "Airplane", "name": "YV3360", "first_seen": "2020-02-01"},
]


def targets_csv(header: list[str], rows: list[dict], *, bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def targets():
    return read_opensanctions_targets(targets_csv(NEW_HEADER, TARGETS))


def one(read, entity_id: str) -> dict:
    rows = read.entities[read.entities["entity_id"] == entity_id]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


def test_both_header_layouts_read_the_same_entities(targets, tmp_path):
    (tmp_path / "targets.simple.csv").write_bytes(targets_csv(OLD_HEADER, TARGETS, bom=True))
    old = read_opensanctions_targets(tmp_path / "targets.simple.csv")
    assert [(p.row, p.column, p.severity) for p in old.problems] == [
        (p.row, p.column, p.severity) for p in targets.problems
    ]
    pd.testing.assert_frame_equal(old.entities.drop(columns="facts"), targets.entities.drop(columns="facts"))
    without_ids = [{k: v for k, v in f.items() if k != "program ids"} for f in targets.entities["facts"]]
    assert old.entities["facts"].tolist() == without_ids
    assert one(targets, "os:NK-cabello")["facts"]["program ids"] == ["US-VEN", "EU-VEN"]


def test_header_names_are_matched_whatever_their_case_and_spacing(targets):
    shouting = targets_csv([f" {c.upper()} " for c in NEW_HEADER], [])
    data = shouting + targets_csv(NEW_HEADER, TARGETS).split(b"\r\n", 1)[1]
    pd.testing.assert_frame_equal(read_opensanctions_targets(data).entities, targets.entities)


def test_targets_become_canonical_entities(targets):
    e = targets.entities
    assert list(e.columns) == list(ENTITY_COLUMNS)
    assert e["entity_id"].tolist() == ["os:NK-cabello", "os:NK-yare", "os:NK-pdvsa", "os:NK-plane"]
    assert e["entity_type"].tolist() == ["person", "vessel", "company", "aircraft"]
    assert (e["list_name"] == "OpenSanctions").all()
    cabello = one(targets, "os:NK-cabello")
    assert cabello["aliases"] == ["Diosdado CABELLO RONDON"]  # the name itself is not repeated as an alias
    assert cabello["programs"] == ["US OFAC SDN - VENEZUELA", "EU - Venezuela"]
    assert cabello["countries"] == ["VE"] and cabello["facts"]["DOB"] == ["1963-04-15"]
    assert cabello["list_date"] == pd.Timestamp("2018-05-18")
    yare = one(targets, "os:NK-yare")
    assert yare["identifiers"] == [["IMO", "9543500"], ["MMSI", "572469210"]] and yare["imo_valid"] is True
    assert yare["countries"] == ["VE", "PA"]
    pdvsa = one(targets, "os:NK-pdvsa")
    assert pdvsa["identifiers"] == [["IMO company", "1234567"]] and pd.isna(pdvsa["imo_valid"])
    assert pdvsa["countries"] == ["VE"] and pdvsa["facts"]["other countries"] == ["suhh"]
    assert pdvsa["addresses"] == ["Avenida Libertador\nCaracas"] and pd.isna(pdvsa["list_date"])


def test_target_problems_name_the_row_and_column_counting_quoted_line_breaks(targets):
    assert [(p.file, p.row, p.column, p.value, p.severity) for p in targets.problems] == [
        ("targets.simple.csv", 4, "schema", "Address", "warning"),
        ("targets.simple.csv", 5, "first_seen", "not a date", "warning"),
        ("targets.simple.csv", 7, "id", "", "error"),  # row 5 holds a line break, so this is line 7
    ]
    assert targets.records == {"targets.simple.csv": 6}


def test_a_row_with_the_wrong_number_of_cells_is_left_out_with_its_row():
    data = (
        targets_csv(OLD_HEADER, TARGETS[:2])
        + b"NK-short,Person\r\n"
        + targets_csv(OLD_HEADER, TARGETS[5:]).split(b"\r\n", 1)[1]
    )
    got = read_opensanctions_targets(data)
    assert got.entities["entity_id"].tolist() == ["os:NK-cabello", "os:NK-yare", "os:NK-plane"]
    [problem] = got.problems
    assert (problem.row, problem.column, problem.severity) == (4, "", "error") and "2 cells, not 15" in problem.message


def test_a_header_without_a_required_column_reads_nothing_and_says_which(tmp_path):
    header = [c for c in OLD_HEADER if c != "schema"]
    got = read_opensanctions_targets(targets_csv(header, TARGETS))
    assert got.entities.empty
    [problem] = got.problems
    assert (problem.row, problem.column, problem.severity) == (1, "schema", "error")
    with pytest.raises(ValidationError):
        read_opensanctions_targets(targets_csv(header, TARGETS), on_invalid="raise")
    assert read_opensanctions_targets(tmp_path / "missing.csv").errors[0].message == "no such file or folder"
    assert read_opensanctions_targets(b"").errors[0].message == "the file is empty"


MARITIME = (
    "type,caption,imo,risk,countries,flag,mmsi,id,url,datasets,aliases\r\n"
    "VESSEL,YARE,IMO9543500,sanction,ve,ve,572469210,NK-yare,https://www.opensanctions.org/entities/NK-yare/,"
    "us_ofac_sdn,\r\n"
    "ORGANIZATION,RUSTANKER LLC,IMO6166689,sanction.linked,ru,,,NK-rustanker,,us_ofac_sdn;eu_fsf,RUSTANKER\r\n"
    "VESSEL,BAD CHECK,IMO9543501,sanction,,pa,,NK-bad,,us_ofac_sdn,\r\n"
    "WALLET,0xabc,,,,,,NK-wallet,,,\r\n"
)


def test_maritime_csv_reads_vessels_and_organizations_with_their_identifiers():
    got = read_opensanctions_maritime({"maritime.csv": MARITIME.encode("utf-8")})
    e = got.entities
    assert e["entity_id"].tolist() == ["os:NK-yare", "os:NK-rustanker", "os:NK-bad"]
    assert e["entity_type"].tolist() == ["vessel", "organization", "vessel"]
    assert (e["list_name"] == "OpenSanctions maritime").all() and e["list_date"].isna().all()
    yare = one(got, "os:NK-yare")
    assert yare["identifiers"] == [["IMO", "9543500"], ["MMSI", "572469210"]]
    assert yare["countries"] == ["VE"] and yare["facts"]["risk"] == ["sanction"]
    rustanker = one(got, "os:NK-rustanker")
    assert rustanker["identifiers"] == [["IMO company", "6166689"]] and rustanker["aliases"] == ["RUSTANKER"]
    assert rustanker["facts"]["datasets"] == ["us_ofac_sdn", "eu_fsf"]
    assert e["imo_valid"].tolist() == [True, pd.NA, False]  # an invalid IMO is kept and flagged, not dropped
    assert [(p.row, p.column, p.value, p.severity) for p in got.problems] == [(5, "type", "WALLET", "warning")]


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400) | st.text(max_size=300).map(lambda t: ("id,schema,name\n" + t).encode("utf-8")))
def test_any_bytes_give_entities_and_problems_never_an_exception(data):
    for read in (read_opensanctions_targets, read_opensanctions_maritime):
        got = read(data)
        assert list(got.entities.columns) == list(ENTITY_COLUMNS)
        assert all(p.severity in ("error", "warning") for p in got.problems)
