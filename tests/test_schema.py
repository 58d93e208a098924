import datetime as dt

import pandas as pd
import pytest

from tracker import schema
from tracker.errors import InvalidOptionError, ValidationError


def _incidents(**overrides):
    base = {
        "incident_id": ["A1", "A2"], "date": ["2025-09-02", "2025-09-03"], "date_precision": ["day", "day"],
        "region": ["Caribbean", "Eastern Pacific"], "event_type": ["boat strike", "boat strike"],
        "latitude": [12.3, None], "longitude": [-67.0, None], "location_precision": ["area", "unknown"],
        "radius_km": [250, None], "killed": [3, 2], "source_urls": ["https://a.example/1", "https://a.example/2"],
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
