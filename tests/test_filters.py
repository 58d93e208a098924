import datetime as dt

import pandas as pd
import pytest

from tracker.filters import DEFAULT_START, Filters


def test_default_window_starts_in_september_2025(bundle):
    f = Filters()
    assert f.date_from == DEFAULT_START == dt.date(2025, 9, 1)
    assert len(f.apply_incidents(bundle.incidents)) == 56


def test_date_range_is_inclusive_of_both_days(bundle):
    f = Filters(date_from=dt.date(2025, 10, 27), date_to=dt.date(2025, 10, 29))
    assert list(f.apply_incidents(bundle.incidents)["incident_id"]) == ["S11", "S12"]


def test_regions_affiliations_and_text_narrow_the_rows(bundle):
    carib = Filters(regions=("Caribbean",)).apply_incidents(bundle.incidents)
    assert set(carib["region"]) == {"Caribbean"} and len(carib) == 19
    tda = Filters(affiliations=("Tren de Aragua",)).apply_incidents(bundle.incidents)
    assert list(tda["incident_id"]) == ["S01", "S10"]
    beata = Filters(text="beata").apply_incidents(bundle.incidents)
    assert list(beata["incident_id"]) == ["S03"]


def test_designations_in_view_are_those_made_by_the_end_date_or_undated(bundle):
    d = bundle.designations
    early = Filters(date_from=None, date_to=dt.date(2025, 1, 1)).apply_designations(d)
    assert (early["designation_date"].isna() | (early["designation_date"] <= "2025-01-01")).all()
    assert early["designation_date"].isna().sum() == d["designation_date"].isna().sum()
    fto = Filters(entity_types=("vessel",), authorities=("United States",)).apply_designations(d)
    assert set(fto["entity_type"]) == {"vessel"} and set(fto["authority_group"]) == {"United States"}


def test_text_search_is_literal_not_a_regex(bundle):
    assert Filters(text="(").apply_incidents(bundle.incidents).shape[0] > 0
    assert Filters(text=".*").apply_incidents(bundle.incidents).empty


def test_query_params_round_trip():
    f = Filters(
        date_from=dt.date(2025, 10, 1),
        date_to=dt.date(2025, 12, 31),
        regions=("Caribbean",),
        affiliations=("ELN", "Tren de Aragua"),
        programs=("Iran-related",),
        text="tanker",
    )
    params = f.to_query_params()
    assert params["region"] == ["Caribbean"] and params["from"] == "2025-10-01"
    again, problems = Filters.from_query_params(params)
    assert again == f and problems == []


def test_default_filters_make_an_empty_url():
    assert Filters().to_query_params() == {}
    assert Filters.from_query_params({}) == (Filters(), [])


def test_bad_query_params_are_ignored_with_a_reason():
    f, problems = Filters.from_query_params({"from": "yesterday", "region": "Caribbean"})
    assert f.date_from == DEFAULT_START and f.regions == ("Caribbean",)
    assert problems == ["ignored 'from=yesterday': not a date (use YYYY-MM-DD)"]
    f, problems = Filters.from_query_params({"from": "2026-01-01", "to": "2025-01-01"})
    assert f == Filters() and "after" in problems[0]


def test_caption_reads_like_a_sentence():
    f = Filters(date_to=dt.date(2025, 11, 15), regions=("Caribbean", "Eastern Pacific"), text="x")
    assert f.caption() == (
        "where date 2025-09-01 to 2025-11-15; region Caribbean or Eastern Pacific; text contains 'x'"
    )


# -- the column path keeps the plain path's rows -------------------------------------


CASES = [
    Filters(),
    Filters(date_from=None),
    Filters(date_from=dt.date(2025, 10, 27), date_to=dt.date(2025, 12, 31)),
    Filters(regions=("Caribbean",)),
    Filters(regions=("Eastern Pacific", "Unknown"), event_types=("boat strike",)),
    Filters(affiliations=("Tren de Aragua", "ELN")),
    Filters(text="beata"),
    Filters(text="  SUCRE "),
    Filters(text="survivors", date_to=dt.date(2026, 3, 1), regions=("Caribbean",)),
    Filters(text="no such text anywhere"),
]


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.caption())
def test_the_column_filter_keeps_exactly_the_rows_of_the_plain_filter(bundle, f):
    import reference

    from support import synthetic_incidents

    for frame in (bundle.incidents, synthetic_incidents(20_000)):
        expected = reference.apply_incidents(f, frame)
        mask = f.incident_mask(frame)
        assert mask.dtype == bool and len(mask) == len(frame)
        assert list(frame.index[mask]) == list(expected.index)
        pd.testing.assert_frame_equal(f.apply_incidents(frame), expected)


def test_the_text_search_never_matches_across_two_text_columns(bundle):
    import reference

    frame = bundle.incidents.iloc[:3].copy()
    frame["incident_id"] = ["AB", "CD", "EF"]
    frame["location_text"] = ["xy", "Beata", None]
    for needle in ("bxy", "b\x1fxy", "ab\x1fx", "beata", "d\x1fbe", "ef"):
        f = Filters(date_from=None, text=needle)
        assert list(frame.index[f.incident_mask(frame)]) == list(reference.apply_incidents(f, frame).index), needle
