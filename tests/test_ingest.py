"""The import pipeline, one fixture file per case (tests/fixtures/good|bad)."""

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from support import ROOT, fixture_bytes
from tracker import ingest

TODAY = dt.date(2026, 11, 22)


def prepare(name, kind="incidents", **kw):
    kw.setdefault("today", TODAY)
    return ingest.prepare(kind, fixture_bytes(name), file=name.split("/")[-1], **kw)


def problems(plan):
    return [(p.row, p.column, p.value, p.message, p.severity) for p in plan.problems]


@pytest.mark.parametrize(
    "name, encoding, delimiter",
    [
        ("good/utf8_comma.csv", "utf-8", ","),
        ("good/utf8_bom_semicolon_decimal_comma.csv", "utf-8-sig", ";"),
        ("good/latin1_semicolon.csv", "cp1252", ";"),
        ("good/utf16.csv", "utf-16", ","),
        ("good/tab_delimited.tsv", "utf-8", "\t"),
    ],
)
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
    # ACLED codes the US strikes as "Explosions/Remote violence" / "Air/drone strike": a boat strike here
    assert list(a["event_type"]) == ["boat strike", "boat strike"]
    assert not [p for p in problems(plan) if p[1] == "event_type"]


def test_acled_strikes_take_the_target_group_and_the_sea_region_from_the_coordinates():
    """Issue 9, defect 7: actor2 is the targeted group (actor1 is the attacker); "South America"
    resolves from the coordinates; the strikes count as strikes."""
    plan = prepare("good/acled_region_actor2.csv")
    a = plan.accepted
    assert list(a["event_type"]) == ["boat strike", "boat strike"]
    assert list(a["affiliation"]) == ["Tren de Aragua", "ELN"]
    assert "Military Forces" not in " ".join(a["affiliation_text"])
    assert list(a["region"]) == ["Caribbean", "Eastern Pacific"]


def test_place_names_are_placed_with_their_precision():
    plan = prepare("good/place_names_only.csv")
    a = plan.accepted
    assert (a.loc[0, "latitude"], a.loc[0, "longitude"]) == pytest.approx((16.241, -71.52), abs=0.01)
    assert a.loc[0, "location_precision"] == "approximate" and a.loc[0, "radius_km"] == pytest.approx(37.0)
    assert "148 km south of 'Beata Island'" in a.loc[0, "location_basis"]
    assert (a.loc[1, "location_precision"], a.loc[1, "radius_km"]) == ("area", 300.0)


def test_unknown_place_is_a_row_error_not_a_guess():
    plan = prepare("bad/unknown_place.csv")
    assert problems(plan) == [
        (
            2,
            "location",
            "Atlantis",
            "place not found in the offline gazetteer: give coordinates or a known place",
            "error",
        )
    ]
    assert list(plan.accepted["incident_id"]) == ["X2"]


def test_written_and_spanish_dates_parse():
    plan = prepare("good/written_dates.csv")
    assert list(plan.accepted["date"].dt.date) == [dt.date(2025, 9, 15), dt.date(2025, 10, 15), dt.date(2025, 11, 2)]


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
    assert problems(plan) == [
        (2, "latitude", "10.49, -66.9", "a boat strike placed on land: check the position", "warning")
    ]
    assert len(plan.accepted) == 1


def test_missing_required_columns_ask_for_a_mapping():
    plan = prepare("good/unknown_headers.csv")
    assert plan.missing_fields == ["date", "latitude + longitude, or location_text"]
    assert not plan.ready
    mapped = prepare(
        "good/unknown_headers.csv",
        mapping={"date": "when", "latitude": "north", "longitude": "east", "killed": "toll", "source_urls": "link"},
    )
    assert mapped.ready and len(mapped.accepted) == 1 and mapped.accepted.loc[0, "killed"] == 3


def test_missing_source_column_is_reported():
    assert prepare("bad/missing_source.csv").missing_fields == ["source_urls"]


@pytest.mark.parametrize(
    "name, message",
    [
        ("bad/empty.csv", "file is empty"),
        ("bad/header_only.csv", "the file has a header but no records"),
        ("bad/binary.csv", "this is not a text file: it looks like a PNG image"),
        ("bad/nul_bytes.csv", "this is not a text file: it contains binary data"),
    ],
)
def test_unreadable_files_get_one_clear_error(name, message):
    plan = prepare(name)
    assert [p.message for p in plan.problems] == [message]
    assert plan.accepted.empty


def test_malformed_files_name_the_row():
    ragged = prepare("bad/ragged_rows.csv")
    assert [(p.row, p.message) for p in ragged.problems] == [
        (3, "this row has 7 fields but the header has 6: it was not imported")
    ]
    quotes = prepare("bad/malformed_quotes.csv")
    assert quotes.problems[0].row == 3 and "quoting" in quotes.problems[0].message


def test_hostile_strings_are_kept_as_plain_text():
    plan = prepare("bad/hostile_strings.csv")
    a = plan.accepted.set_index("incident_id")
    assert a.loc["H1", "notes"] == "<img src=x onerror=alert(1)>"
    assert a.loc["H1", "affiliation_text"] == '=HYPERLINK("http://evil.example","click")'


def test_duplicates_within_the_file_and_against_stored(bundle):
    plan = prepare("bad/duplicates.csv", existing=bundle.incidents)
    assert plan.duplicates.to_dict("records") == [
        {
            "row": 3,
            "incident_id": "DU2",
            "duplicate_of": "DU1 (row 2)",
            "reason": "same day, 1.6 km apart, same death toll",
        },
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


# -- issue 9: inputs that crashed the importer or slipped past it ------------------------------------


def test_same_day_and_toll_7_km_apart_in_neighbouring_cells_is_no_duplicate():
    """Two rows more than 5 km apart in neighbouring 0.1-degree cells used to raise a TypeError."""
    plan = prepare("bad/same_day_toll_neighbouring_cells_7km.csv")
    assert plan.problems == [] and list(plan.accepted["incident_id"]) == ["N1", "N2"]
    assert plan.duplicates.empty and list(plan.duplicates.columns) == ingest.DUPLICATE_COLUMNS


def test_a_row_at_real_coordinates_matches_a_bundled_strike_within_its_radius(bundle):
    """ACLED places the 2 Sep 2025 strike at sea off Venezuela; the bundle has it at an area point, radius 250 km."""
    plan = prepare("bad/acled_row_matches_bundled_area_strike.csv", existing=bundle.incidents)
    assert plan.duplicates.to_dict("records") == [
        {
            "row": 2,
            "incident_id": "VEN9001",
            "duplicate_of": "S01 (stored)",
            "reason": "same day, 166.6 km apart (within the 250 km uncertainty radius of S01 (stored)), "
            "same death toll",
        },
    ]


def test_identical_rows_are_duplicates_of_the_first_at_no_distance():
    data = b"date,latitude,longitude,killed,source\n" + b"2025-12-20,12.5,-70.1,3,https://example.org/a\n" * 4
    plan = ingest.prepare("incidents", data, file="same.csv", today=TODAY)
    assert plan.duplicates["row"].tolist() == [3, 4, 5]
    assert set(plan.duplicates["reason"]) == {"same day, 0.0 km apart, same death toll"}
    assert set(plan.duplicates["duplicate_of"]) == {f"U{plan.sha256[:8]}-2 (row 2)"}


def test_extreme_counts_are_row_errors():
    plan = prepare("bad/killed_inf_huge.csv")
    assert [p[:4] for p in problems(plan)] == [
        (2, "killed", "inf", "must be a whole number from 0 to 10,000"),
        (3, "killed", "1e20", "must be a whole number from 0 to 10,000"),
        (4, "killed", "9999999999999999999", "must be a whole number from 0 to 10,000"),
    ]
    assert list(plan.accepted["incident_id"]) == ["K4"] and plan.accepted["killed"].tolist() == [10_000]


def test_dates_outside_1900_to_today_are_row_errors_one_message_each():
    plan = prepare("bad/dates_out_of_range.csv")
    assert [p[:4] for p in problems(plan)] == [
        (2, "date", "0001-01-01", "date out of range: this tool handles dates from 1900-01-01 to today"),
        (3, "date", "1600-01-01", "date out of range: this tool handles dates from 1900-01-01 to today"),
        (4, "date", "9999-12-31", "date lies in the future"),
        (5, "date", "May 5 1500", "date out of range: this tool handles dates from 1900-01-01 to today"),
    ]
    assert list(plan.accepted["incident_id"]) == ["D5"]


def test_problems_name_the_files_own_column():
    data = b"fecha,lat,lon,muertos,fuente\n2031-01-01,12.5,-70.1,-1,https://example.org/a\n"
    plan = ingest.prepare("incidents", data, file="es.csv", today=TODAY)
    assert [p[:2] + p[3:4] for p in problems(plan)] == [
        (2, "fecha", "date lies in the future"),
        (2, "muertos", "must be 0 or more"),
    ]


def test_a_short_row_without_a_position_is_one_row_error():
    plan = prepare("bad/short_row_without_position.csv")
    assert [(p.row, p.message) for p in plan.errors] == [
        (3, "this row has 2 fields but the header has 5: it was not imported")
    ]
    assert list(plan.accepted["incident_id"]) == ["R1"] and plan.ready


def test_an_error_about_the_whole_file_blocks_the_import():
    plan = prepare("bad/header_repeats_column.csv")
    assert [(p.row, p.value, p.message) for p in plan.errors] == [
        (None, "killed.1", "the header repeats a column name")
    ]
    assert not plan.ready
    assert plan.not_ready_reasons() == ["the file has an error: the header repeats a column name (killed.1)"]


def test_sources_must_be_http_urls_or_named_documents():
    plan = prepare("bad/source_url_schemes.csv")
    assert [(p.row, p.column, p.value, p.message.split(" is not")[0]) for p in plan.errors] == [
        (2, "source", "javascript:alert(2)", "'javascript:'"),
        (3, "source", "data:text/html,<script>alert(1)</script>", "'data:'"),
        (4, "source", "file:///etc/passwd", "'file:'"),
        (5, "source", "https://example.org/d | JaVa\tScRiPt:alert(1)", "'javascript:'"),
    ]
    assert list(plan.accepted["incident_id"]) == ["U5", "U6"]
    assert plan.accepted.loc[4, "source_urls"] == "SOUTHCOM press release 2025-09-15"


def test_route_coordinates_out_of_range_are_row_errors():
    plan = prepare("bad/route_coordinates_out_of_range.geojson", kind="routes")
    assert [(p.row, p.column, p.value, p.message) for p in plan.problems] == [
        (
            2,
            "geometry",
            "(-700, 10)\u2013(500, 95)",
            "coordinates out of range: longitude must lie between -180 and 180 and latitude between -90 and 90",
        )
    ]
    assert list(plan.accepted["name"]) == ["Test corridor"]


def test_fifty_thousand_identical_rows_fit_in_one_gib_of_address_space():
    """50,000 identical rows (no id column, 2.3 MB) through ingest.prepare under RLIMIT_AS = 1 GiB finish.

    The old duplicate check joined every row with every other (2,000 rows: 2 GB).  The
    child process imports pandas, pyarrow, geopandas and the tracker first (about 0.4 GiB
    of address space measured on the CI machine), then limits its whole address space to
    1 GiB; if the imports alone ever take more than 0.5 GiB (many-core BLAS buffers), the
    limit becomes what they take plus 1 GiB, and the child says so.  BLAS threads are set
    to one so the figure does not depend on the number of cores.
    """
    child = textwrap.dedent("""
        import resource
        from tracker import ingest, readers
        existing = readers.read_bundle().incidents
        baseline = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize"))
        limit = 1 << 30 if baseline < 1 << 29 else baseline + (1 << 30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        print(f"address space after imports {baseline >> 20} MiB, limit {limit >> 20} MiB")
        row = b"2025-12-20,12.5,-70.1,3,https://example.org/a\\n"
        data = b"date,latitude,longitude,killed,source\\n" + row * 50_000
        plan = ingest.prepare("incidents", data, file="identical.csv", existing=existing)
        print(plan.summary())
    """)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", child], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (
        "identical.csv: 50000 row(s) read, 50000 accepted, 0 rejected, 49999 possible duplicate(s), "
        "0 error(s), 0 warning(s)"
    ) in out.stdout
