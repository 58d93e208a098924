import datetime as dt

import pandas as pd
import pytest

from tracker import schema
from tracker.errors import InvalidOptionError, ValidationError


def _incidents(**overrides):
    base = {
        "incident_id": ["A1", "A2"],
        "date": ["2025-09-02", "2025-09-03"],
        "date_precision": ["day", "day"],
        "region": ["Caribbean", "Eastern Pacific"],
        "event_type": ["boat strike", "boat strike"],
        "latitude": [12.3, None],
        "longitude": [-67.0, None],
        "location_precision": ["area", "unknown"],
        "radius_km": [250, None],
        "killed": [3, 2],
        "source_urls": ["https://a.example/1", "https://a.example/2"],
    }
    base.update(overrides)
    return schema.canonicalise("incidents", pd.DataFrame(base))


def test_canonical_frame_has_exact_columns_and_types():
    frame = _incidents()
    assert list(frame.columns) == list(schema.INCIDENT_COLUMNS)
    assert str(frame["killed"].dtype) == "Int64"
    assert str(frame["date"].dtype) == "datetime64[ns]"
    assert frame.loc[1, "notes"] == ""


def test_valid_rows_pass_without_problems():
    passed, problems = schema.validate("incidents", _incidents(), file="ok.csv")
    assert problems == []
    assert len(passed) == 2


def test_each_problem_names_file_row_column_and_value():
    frame = _incidents(latitude=[95.0, None], killed=[-1, 2], region=["Caribbean", "Mars"])
    passed, problems = schema.validate("incidents", frame, file="bad.csv")
    found = {(p.row, p.column, p.value) for p in problems}
    assert (2, "latitude", "95.0") in found
    assert (2, "killed", "-1") in found
    assert (3, "region", "Mars") in found
    assert all(p.file == "bad.csv" for p in problems)
    assert passed.empty


def test_future_date_is_an_error():
    frame = _incidents(date=["2025-09-02", "2030-01-01"])
    _, problems = schema.validate("incidents", frame, today=dt.date(2026, 11, 22))
    assert [(p.row, p.column, p.message) for p in problems] == [(3, "date", "date lies in the future")]


def test_position_and_precision_must_agree():
    frame = _incidents(location_precision=["area", "area"], radius_km=[0, None])
    _, problems = schema.validate("incidents", frame)
    messages = {(p.row, p.message) for p in problems}
    assert (2, "an approximate position needs an uncertainty radius above 0 km") in messages
    assert (3, "no position is given, so precision must be 'unknown'") in messages


def test_on_invalid_modes():
    frame = _incidents(killed=[-1, 2])
    with pytest.raises(ValidationError, match="row 2"):
        schema.validate("incidents", frame, on_invalid="raise")
    passed, problems = schema.validate("incidents", frame, on_invalid="drop")
    assert problems == [] and list(passed["incident_id"]) == ["A2"]
    with pytest.raises(InvalidOptionError, match="report"):
        schema.validate("incidents", frame, on_invalid="ignore")


def test_source_links_keep_only_http_urls():
    cell = "https://a.example/x | javascript:alert(1) | data:text/html,hi | http://b.example/y"
    assert schema.source_links(cell) == ["https://a.example/x", "http://b.example/y"]


def test_problems_frame_lists_every_problem():
    frame = _incidents(killed=[-1, -2])
    _, problems = schema.validate("incidents", frame, file="f.csv")
    table = schema.problems_frame(problems)
    assert list(table.columns) == list(schema.PROBLEM_COLUMNS)
    assert list(table["row"]) == [2, 3]


def test_counts_must_be_whole_numbers_up_to_the_maximum():
    frame = _incidents(killed=[schema.MAX_COUNT, schema.MAX_COUNT + 1])
    _, problems = schema.validate("incidents", frame, file="f.csv")
    assert [(p.row, p.column, p.message) for p in problems] == [
        (3, "killed", "must be a whole number from 0 to 10,000")
    ]


def test_canonicalise_never_raises_on_extreme_values():
    frame = schema.canonicalise(
        "incidents",
        pd.DataFrame(
            {
                "killed": [float("inf"), 1e20, "9999999999999999999", 2.5, 3],
                "date": [pd.Timestamp(dt.datetime(1500, 5, 5)), "9999-12-31", "0001-01-01", "2025-01-01", "not a date"],
            }
        ),
    )
    assert frame["killed"].tolist()[:4] == [pd.NA] * 4 and frame["killed"].iloc[4] == 3
    assert frame["date"].isna().tolist() == [True, True, True, False, True]


def test_dates_before_1900_or_after_today_are_errors_one_message_each():
    frame = _incidents(date=["1899-12-31", "2030-01-01"])
    _, problems = schema.validate("incidents", frame, file="f.csv", today=dt.date(2026, 11, 22))
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "date", "date out of range: this tool handles dates from 1900-01-01 to today"),
        (3, "date", "date lies in the future"),
    ]


@pytest.mark.parametrize(
    "source, message",
    [
        ("https://a.example/1", None),
        ("http://a.example/1 | https://b.example/2", None),
        ("SOUTHCOM press release 2025-09-15", None),
        ("Reuters: strike on a boat", None),
        ("javascript:alert(2)", "'javascript:' is not accepted as a source"),
        ("JaVa\tScRiPt:alert(1)", "'javascript:' is not accepted as a source"),
        ("https://a.example/1 | data:text/html,<b>hi</b>", "'data:' is not accepted as a source"),
        ("file:///etc/passwd", "'file:' is not accepted as a source"),
        ("mailto:press@example.org", "'mailto:' is not accepted as a source"),
        ("https://", "not a valid https URL"),
    ],
)
def test_a_source_is_an_http_url_or_a_named_document(source, message):
    frame = _incidents(source_urls=[source, "https://a.example/2"])
    passed, problems = schema.validate("incidents", frame, file="f.csv")
    if message is None:
        assert problems == [] and len(passed) == 2
    else:
        assert [(p.row, p.column, p.value) for p in problems] == [(2, "source_urls", source)]
        assert problems[0].message.startswith(message) and list(passed["incident_id"]) == ["A2"]


def test_routes_and_designations_check_their_sources_too():
    routes = schema.canonicalise(
        "routes",
        pd.DataFrame(
            {
                "route_id": ["R1"],
                "name": ["r"],
                "route_type": ["other"],
                "line_precision": ["none"],
                "source_urls": ["javascript:alert(2)"],
            }
        ),
    )
    _, problems = schema.validate("routes", routes)
    assert [(p.row, p.column) for p in problems] == [(2, "source_urls")]
