"""The import pipeline, one fixture file per case (tests/fixtures/good|bad)."""

import datetime as dt

import pandas as pd
import pytest

from support import fixture_bytes
from tracker import ingest, schema

TODAY = dt.date(2026, 11, 22)


def prepare(name, kind="incidents", **kw):
    kw.setdefault("today", TODAY)
    return ingest.prepare(kind, fixture_bytes(name), file=name.split("/")[-1], **kw)


def problems(plan):
    return [(p.row, p.column, p.value, p.message, p.severity) for p in plan.problems]


@pytest.mark.parametrize("name, encoding, delimiter", [
    ("good/utf8_comma.csv", "utf-8", ","),
    ("good/utf8_bom_semicolon_decimal_comma.csv", "utf-8-sig", ";"),
    ("good/latin1_semicolon.csv", "cp1252", ";"),
    ("good/utf16.csv", "utf-16", ","),
    ("good/tab_delimited.tsv", "utf-8", "\t"),
])
def test_encodings_and_delimiters_are_detected(name, encoding, delimiter):
    plan = prepare(name)
    assert (plan.encoding, plan.delimiter) == (encoding, delimiter)
    assert plan.errors == [] and len(plan.accepted) == plan.rows_read > 0


def test_spanish_names_survive_windows_1252():
    plan = prepare("good/latin1_semicolon.csv")
    assert list(plan.accepted["location_text"]) == ["Ciudad Juárez", "Cúcuta (frontera)"]
    assert plan.mapping["killed"] == "muertos" and plan.mapping["date"] == "fecha"


def test_decimal_commas_become_numbers():
    plan = prepare("good/utf8_bom_semicolon_decimal_comma.csv")
    assert list(plan.accepted["latitude"]) == [12.5, 9.25]
    assert list(plan.accepted["longitude"]) == [-70.1, -90.5]


def test_quoted_newlines_stay_inside_their_cell():
    plan = prepare("good/quoted_newlines.csv")
    assert plan.accepted.loc[0, "notes"] == "first line\nsecond line, with comma"
    assert len(plan.accepted) == 2


def test_acled_columns_and_precisions_are_understood():
    plan = prepare("good/acled_export.csv")
    a = plan.accepted
    assert list(a["incident_id"]) == ["VEN1234", "VEN1235"]
    assert list(a["killed"]) == [3, 2]
    assert list(a["location_precision"]) == ["approximate", "area"]
    assert list(a["radius_km"]) == [25.0, 100.0]
    assert list(a["date_precision"]) == ["day", "approximate"]
    assert list(a["event_type"]) == ["boat strike", "other"]
    assert (3, "event_type", "Explosions/Remote violence") in [p[:3] for p in problems(plan)]


def test_place_names_are_placed_with_their_precision():
    plan = prepare("good/place_names_only.csv")
    a = plan.accepted
    assert (a.loc[0, "latitude"], a.loc[0, "longitude"]) == pytest.approx((16.241, -71.52), abs=0.01)
    assert a.loc[0, "location_precision"] == "approximate" and a.loc[0, "radius_km"] == pytest.approx(37.0)
    assert "148 km south of 'Beata Island'" in a.loc[0, "location_basis"]
    assert (a.loc[1, "location_precision"], a.loc[1, "radius_km"]) == ("area", 300.0)


def test_unknown_place_is_a_row_error_not_a_guess():
    plan = prepare("bad/unknown_place.csv")
    assert problems(plan) == [(2, "location", "Atlantis", "place not found in the offline gazetteer: give "
                               "coordinates or a known place", "error")]
    assert list(plan.accepted["incident_id"]) == ["X2"]


def test_written_and_spanish_dates_parse():
    plan = prepare("good/written_dates.csv")
    assert list(plan.accepted["date"].dt.date) == [dt.date(2025, 9, 15), dt.date(2025, 10, 15),
                                                   dt.date(2025, 11, 2)]


def test_day_first_dates_are_inferred_when_unambiguous():
    plan = prepare("good/dmy_dates.csv")
    assert not plan.ambiguous_dates
    assert list(plan.accepted["date"].dt.date) == [dt.date(2025, 10, 25), dt.date(2025, 11, 3)]


def test_ambiguous_dates_wait_for_the_users_choice():
    plan = prepare("bad/ambiguous_dates.csv")
    assert plan.ambiguous_dates and not plan.ready and plan.accepted.empty
    assert problems(plan)[0][:3] == (2, "date", "03/04/2026")
    dmy = prepare("bad/ambiguous_dates.csv", date_order="dmy")
    mdy = prepare("bad/ambiguous_dates.csv", date_order="mdy")
    assert dmy.accepted.loc[0, "date"].date() == dt.date(2026, 4, 3)
    assert mdy.accepted.loc[0, "date"].date() == dt.date(2026, 3, 4)


def test_bad_dates_name_row_column_and_reason():
    plan = prepare("bad/bad_dates.csv")
    assert [p[:2] + p[3:4] for p in problems(plan)] == [
        (2, "date", "date lies in the future"),
        (3, "date", "cannot read this as a date (use YYYY-MM-DD)"),
        (4, "date", "a date is required"),
    ]
    assert list(plan.accepted["incident_id"]) == ["F4"]


def test_bad_counts_and_coordinates():
    plan = prepare("bad/bad_counts.csv")
    assert [p[:4] for p in problems(plan)] == [
        (2, "killed", "-2.0", "must be 0 or more"),
        (3, "killed", "2.5", "must be a whole number"),
        (4, "killed", "three", "must be a whole number"),
        (5, "latitude", "95.0", "latitude must lie between -90 and 90"),
    ]
    assert plan.accepted.empty


def test_swapped_coordinates_are_flagged_and_can_be_fixed():
    plan = prepare("bad/lat_lon_swapped.csv")
    assert plan.swapped_rows == [2, 4]
    assert [(p.row, p.column) for p in plan.errors] == [(2, "latitude"), (4, "latitude")]
    fixed = prepare("bad/lat_lon_swapped.csv", fix_swapped=True)
    assert fixed.errors == []
    row = fixed.accepted.set_index("incident_id").loc["S1"]
    assert (row["latitude"], row["longitude"]) == (12.5, -70.1)


def test_a_boat_strike_on_land_is_a_warning():
    plan = prepare("bad/on_land.csv")
    assert problems(plan) == [(2, "latitude", "10.49, -66.9", "a boat strike placed on land: check the position",
                               "warning")]
    assert len(plan.accepted) == 1


def test_missing_required_columns_ask_for_a_mapping():
    plan = prepare("good/unknown_headers.csv")
    assert plan.missing_fields == ["date", "latitude + longitude, or location_text"]
    assert not plan.ready
    mapped = prepare("good/unknown_headers.csv", mapping={
        "date": "when", "latitude": "north", "longitude": "east", "killed": "toll", "source_urls": "link"})
    assert mapped.ready and len(mapped.accepted) == 1 and mapped.accepted.loc[0, "killed"] == 3


def test_missing_source_column_is_reported():
    assert prepare("bad/missing_source.csv").missing_fields == ["source_urls"]


@pytest.mark.parametrize("name, message", [
    ("bad/empty.csv", "file is empty"),
    ("bad/header_only.csv", "the file has a header but no records"),
    ("bad/binary.csv", "this is not a text file: it looks like a PNG image"),
    ("bad/nul_bytes.csv", "this is not a text file: it contains binary data"),
])
def test_unreadable_files_get_one_clear_error(name, message):
    plan = prepare(name)
    assert [p.message for p in plan.problems] == [message]
    assert plan.accepted.empty


def test_malformed_files_name_the_row():
    ragged = prepare("bad/ragged_rows.csv")
    assert [(p.row, p.message) for p in ragged.problems] == [(3, "this row has 7 fields but the header has 6")]
    quotes = prepare("bad/malformed_quotes.csv")
    assert quotes.problems[0].row == 3 and "quoting" in quotes.problems[0].message


def test_hostile_strings_are_kept_as_plain_text():
    plan = prepare("bad/hostile_strings.csv")
    a = plan.accepted.set_index("incident_id")
    assert a.loc["H1", "notes"] == "<img src=x onerror=alert(1)>"
    assert a.loc["H1", "affiliation_text"] == '=HYPERLINK("http://evil.example","click")'
    assert schema.source_links(a.loc["H1", "source_urls"]) == []


def test_duplicates_within_the_file_and_against_stored(bundle):
    plan = prepare("bad/duplicates.csv", existing=bundle.incidents)
    assert plan.duplicates.to_dict("records") == [
        {"row": 3, "incident_id": "DU2", "duplicate_of": "DU1 (row 2)",
         "reason": "same day, 1.6 km apart, same death toll"},
        {"row": 4, "incident_id": "DU1", "duplicate_of": "DU1 (row 2)", "reason": "same id"},
        {"row": 5, "incident_id": "S03", "duplicate_of": "S03 (stored)", "reason": "same id"},
    ]


def test_designation_csv_keeps_unknown_dates_unknown():
    plan = prepare("good/designations.csv", kind="designations")
    a = plan.accepted
    assert list(a["name"]) == ["Example Shipping Ltd", "Undated Org"]
    assert pd.isna(a.loc[1, "designation_date"])
    assert list(a["location_precision"]) == ["country", "country"]
    assert list(a["authority_group"]) == ["United States", "United Kingdom"]
    assert list(a["program"]) == ["Venezuela-related", "Venezuela-related"]
    assert list(a["action_kind"]) == ["listing", "listing"]


def test_route_geojson_is_read_with_its_line():
    plan = ingest.prepare("routes", fixture_bytes("good/route.geojson"), file="route.geojson")
    assert plan.errors == [] and len(plan.accepted) == 1
    assert plan.accepted.geometry.iloc[0].geom_type == "LineString"
    assert plan.accepted["line_precision"].iloc[0] == "schematic"


def test_header_key_ignores_case_and_spacing():
    assert ingest.header_key("incidents", ("Lat", "Lon ")) == ingest.header_key("incidents", ("lat", "lon"))
    assert ingest.header_key("incidents", ("lat",)) != ingest.header_key("designations", ("lat",))
