"""What other sources reported: the bundled table, its links, figures, ranges, and the pages that show them."""

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from support import ROOT, pick_incident
from tracker import metrics, reports
from tracker.readers import read_bundle

REFERENCE = ROOT.parent / "shared" / "reference" / "strike_figures_by_source.csv"


@pytest.fixture(scope="module")
def b():
    return read_bundle()


def _one(b, incident_id):
    return b.incidents[b.incidents["incident_id"] == incident_id]


def test_the_bundled_table_is_the_reference_table_row_for_row(b):
    reference = pd.read_csv(REFERENCE, dtype=str, keep_default_na=False)
    assert len(b.reports) == len(reference) == 102
    assert list(b.reports["value"]) == list(reference["value"])
    assert b.reports["incident_ids"].str.split("; ").explode().replace("", None).dropna().nunique() == 38


def test_every_report_links_to_existing_strikes_or_says_it_does_not(b):
    known = set(b.incidents["incident_id"])
    for r in b.reports.itertuples():
        named = [i for i in r.incident_ids.split("; ") if i]
        assert set(named) <= known
        assert (r.link in ("exact", "uncertain")) == (len(named) == 1)
        assert (r.link == "several") == (len(named) > 1)
        assert (r.link in ("campaign", "unlinked")) == (not named)
    assert set(b.reports.loc[b.reports["strike_ref"] == "S15?", "link"]) == {"uncertain"}
    assert b.reports.loc[b.reports["strike_ref"] == "S31; S32", "incident_ids"].iloc[0] == "S31; S32"


@pytest.mark.parametrize(
    "text, figure",
    [
        ("3", (3, 3)),
        ("2–3 (range): 'believed that two to three people aboard were killed'", (2, 3)),
        ("14 (8 + 4 + 3 by boat/strike, per Hegseth)", (14, 14)),
        ("9 in first strike + 2 survivors in second strike (11 total)", (11, 11)),
        ("8 on three boats (Eastern Pacific)", (8, 8)),
        ("2 killed, 1 survivor (campaign total 130)", (2, 2)),
    ],
)
def test_a_figure_is_read_from_a_report_only_where_the_text_gives_one(text, figure):
    assert reports.parse_figure(text) == figure


@pytest.mark.parametrize("text", ["2 bodies recovered on the Guajira shore (vs 3 announced)", "0 rescued: ...", ""])
def test_text_that_is_not_a_toll_gives_no_figure(text):
    assert all(pd.isna(v) for v in reports.parse_figure(text))


def test_s08_shows_2_announced_and_2_to_3_reported(b):
    r = reports.strike_ranges(_one(b, "S08"), b.reports, "killed").iloc[0]
    assert (r["announced"], r["low"], r["high"]) == (2, 2, 3)
    assert reports.range_text(_one(b, "S08"), b.reports, "killed") == "reported 2–3"


def test_a_strike_with_only_confirmations_shows_no_range(b):
    s01 = b.reports[b.reports["incident_ids"] == "S01"]
    assert set(s01.loc[s01["field"] == "killed", "low"]) == {11}  # Airwars and the official restatement confirm 11
    assert reports.range_text(_one(b, "S01"), b.reports, "killed") == ""


def test_the_counters_keep_the_announced_figures_and_show_the_range_beside(b):
    counters = metrics.incident_counters(b.incidents, as_of=b.as_of.date())
    ranged = {c.key: c for c in metrics.with_reported_ranges(counters, b.incidents, b.reports)}
    assert ranged["deaths_announced"].value == 192 and ranged["deaths_announced"].reported == "reported 192–195"
    assert ranged["vessels"].value == 68 and ranged["vessels"].reported == "reported 67–68"
    assert ranged["strikes"].value == 67 and ranged["strikes"].reported == ""
    assert "independent trackers, the victims' governments, families and the press" in (
        ranged["deaths_announced"].definition
    )


def test_possible_unannounced_strikes_are_listed_and_never_counted(b):
    possible = reports.unannounced(b.reports)
    assert len(possible) == 2
    assert "4 Oct 2025" in possible.iloc[0]["value"] and possible.iloc[1]["strike_date"] == "2026-02-13"
    without = b.reports[~b.reports["unannounced"]]
    for field in reports.FIGURE_FIELDS:
        assert reports.range_text(b.incidents, b.reports, field) == reports.range_text(b.incidents, without, field)
    counters = metrics.incident_counters(b.incidents, as_of=b.as_of.date())
    assert [c.value for c in counters] == [
        c.value for c in metrics.with_reported_ranges(counters, b.incidents, b.reports)
    ]


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def test_the_overview_shows_the_range_beside_deaths_and_the_unannounced_apart():
    at = _app().run()
    assert not at.exception
    deaths = next(m for m in at.metric if m.label == "Deaths announced")
    assert deaths.value == "192"
    assert any(c.value.startswith("reported 192–195 · unit: people") for c in at.caption)
    assert any(
        "2 possible unannounced strike(s) reported by other sources, not counted above" in c.value for c in at.caption
    )


def test_a_strike_detail_lists_the_other_reports_beneath_the_official_figures():
    at = _app()
    at.switch_page("views/incidents.py").run()
    pick_incident(at, "S08")
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "source_name" in d.value.columns)
    assert len(shown) == 5 and any("2–3 (range)" in v for v in shown["value"])
    assert set(shown["link"]) == {"exact", "several"}  # S08; S09 from Colombia's Foreign Ministry too
    assert any("deaths announced 2 · reported 2–3" in c.value for c in at.caption)


def test_the_sources_page_counts_confirmations_and_contests_and_filters_by_type():
    at = _app()
    at.switch_page("views/sources.py").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("incident_id")
    assert table.loc["S01", "confirm"] >= 2 and table.loc["S01", "contest"] >= 1  # the strike date is disputed
    assert table.loc["S08", "contest"] >= 1
    assert len(at.dataframe[1].value) == 2  # the possible unannounced strikes
    at.toggle(key="only_disputed").set_value(True).run()
    disputed = at.dataframe[0].value
    assert 0 < len(disputed) < len(table) and disputed["disputed_by_victims_side"].all()
    at.multiselect(key="source_types").set_value(["independent"]).run()
    assert set(at.dataframe[0].value["source_types"]) <= {"independent tracker", ""}


def test_html_in_a_report_is_shown_as_text(monkeypatch, b):
    hostile = b.reports.copy()
    hostile.loc[hostile["incident_ids"] == "S08", "value"] = "<script>alert(1)</script> <b>bold</b>"
    from tracker import readers

    original = readers.read_bundle

    def patched(*args, **kwargs):
        from dataclasses import replace

        return replace(original(*args, **kwargs), reports=hostile)

    monkeypatch.setattr(readers, "read_bundle", patched)
    at = _app()
    at.switch_page("views/incidents.py").run()
    pick_incident(at, "S08")
    shown = next(d.value for d in at.dataframe if "source_name" in d.value.columns)
    assert "<script>alert(1)</script> <b>bold</b>" in set(shown["value"])  # in a data frame: text, never HTML
    assert not any("<script>" in m.value for m in [*at.markdown, *at.caption, *at.subheader])


UPLOAD = (
    "strike_id,strike_date,field,value,source_type,source_name,source_date,url,note\n"
    "S02,2025-09-15,killed,4,family,Relatives in Carúpano,2025-09-20,https://example.org/a,one more name given\n"
    "S03?,2025-09-19,dispute,the boat was fishing,government_of_victims,Ministry,2025-09-21,https://example.org/b,\n"
    "S02,2025-09-15,killed,5,rumour,Someone,2025-09-20,https://example.org/c,\n"
    "S02,2025-09-15,killed,6,media,Paper,2025-09-20,,no link\n"
)


def test_an_upload_of_reports_runs_the_same_pipeline_and_report_as_incidents():
    from tracker import ingest

    plan = ingest.prepare("reports", UPLOAD.encode(), file="more_reports.csv")
    assert (
        not plan.missing_fields and plan.mapping["source_urls"] == "url" and plan.mapping["strike_ref"] == "strike_id"
    )
    assert {(p.row, p.column) for p in plan.problems if p.severity == "error"} == {(4, "source_type"), (5, "url")}
    accepted = plan.accepted.set_index("strike_ref")
    assert len(plan.accepted) == 2
    assert accepted.loc["S02", "link"] == "exact" and accepted.loc["S02", "low"] == 4
    assert accepted.loc["S03?", "link"] == "uncertain" and accepted.loc["S03?", "incident_ids"] == "S03"


def test_stored_reports_widen_the_range_and_undo_takes_them_back(_private_store, b):
    from tracker import ingest
    from tracker.store import Store, layered

    store = Store(_private_store)
    plan = ingest.prepare("reports", UPLOAD.encode(), file="more_reports.csv")
    batch = store.import_batch(
        "reports", plan.accepted, file_name="more_reports.csv", sha256=plan.sha256, rows_read=4, rows_rejected=2
    )
    with_upload = layered(b, store)
    assert len(with_upload.reports) == len(b.reports) + 2
    assert reports.range_text(_one(b, "S02"), with_upload.reports, "killed") == "reported 3–4"
    store.undo(batch)
    assert reports.range_text(_one(b, "S02"), layered(b, store).reports, "killed") == ""


def test_the_command_line_imports_reports_with_the_same_report(tmp_path, capsys):
    from tracker.__main__ import main

    path = tmp_path / "more.csv"
    path.write_text(UPLOAD, encoding="utf-8")
    assert main(["import", str(path), "--kind", "reports"]) == 1  # some rows rejected, the others imported
    out = capsys.readouterr().out
    assert "4 row(s) read, 2 accepted, 2 rejected" in out
    assert "source_type" in out and "rumour" in out  # the problem row, its column and value


def test_a_report_on_a_strike_with_no_announced_figure_gives_its_own_range(b):
    s37 = _one(b, "S37")
    assert s37["killed"].isna().all()
    extra = pd.concat([b.reports, b.reports.iloc[[0]].assign(incident_ids="S37", strike_ref="S37", low=4.0, high=4.0)])
    r = reports.strike_ranges(s37, extra, "killed").iloc[0]
    assert pd.isna(r["announced"]) and (r["low"], r["high"]) == (4, 4)


def test_the_sources_table_keeps_its_columns_when_no_strike_is_in_view(b):
    table = reports.source_summary(b.incidents.iloc[0:0], b.reports)
    assert table.empty and "disputed_by_victims_side" in table.columns
