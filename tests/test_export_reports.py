"""Exported maps and the evidence pack carry the reported ranges and the reports of the strikes in view;
the announced figures stay the counts."""

import datetime as dt
import io
import itertools
import json
import zipfile

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.text import Text

from support import boxes_overlap, pt_box, view_of
from tracker import cartography, export, readers
from tracker import reports as rp
from tracker.__main__ import main
from tracker.filters import Filters

S08_ONLY = Filters(date_from=dt.date(2025, 10, 21), date_to=dt.date(2025, 10, 21), regions=("Eastern Pacific",))
NO_BATCHES = pd.DataFrame(columns=["batch_id", "file_name", "sha256"])


@pytest.fixture(scope="module")
def bundle():
    return readers.read_bundle()


def _plan(bundle, f: Filters, preset: str = "screen", **kw):
    _, inc, des, rts = view_of(bundle, f)
    spec = cartography.spec_for_preset(
        preset, filters=f, data_as_of=bundle.as_of.date(), coverage_note=bundle.coverage_note
    )
    return cartography.plan_map(inc, des, rts, spec, **kw)


def _drawn(plan):
    with plt.rc_context(cartography._STYLE):
        fig = cartography.draw_map(plan)
        fig.canvas.draw()
    return fig


def _text(fig, gid: str) -> str:
    """The text of the artist ``gid`` as one line (the page wraps long lines)."""
    return " ".join(next(t for t in fig.texts if t.get_gid() == gid).get_text().split())


# -- the map -----------------------------------------------------------------------------------


def test_the_full_view_shows_the_reported_range_beside_the_announced_deaths(bundle):
    _, inc, _des, _rts = view_of(bundle, Filters())
    assert rp.range_text(inc, bundle.reports, "killed") == "reported 192–195"
    plan = _plan(bundle, Filters(), reports=bundle.reports)
    fig = _drawn(plan)
    counters = _text(fig, "counters")
    assert "Deaths announced: 192 people (reported 192–195)" in counters
    assert "Vessels struck: 68 vessels (reported 67–68)" in counters
    # the announced figure stays the count; counters whose sources agree carry no range
    deaths = next(c for c in plan.counters if c.key == "deaths_announced")
    assert deaths.value == 192 and deaths.reported == "reported 192–195"
    assert "Deaths incl. presumed: 206 people Living" in counters
    footer = _text(fig, "footer")
    assert "Reported ranges: other sources' figures for the strikes in this frame" in footer
    assert "the announced figures are the counts." in footer
    assert "2 possible unannounced strike(s) reported elsewhere are not counted." in footer
    plt.close(fig)


def test_a_view_of_one_strike_shows_that_strikes_range(bundle):
    plan = _plan(bundle, S08_ONLY, reports=bundle.reports)
    fig = _drawn(plan)
    assert list(plan.incidents["incident_id"]) == ["S08"]
    counters = _text(fig, "counters")
    assert "Deaths announced: 2 people (reported 2–3)" in counters
    assert "Vessels struck: 1 vessel Deaths" in counters  # sources agree on one boat: no range
    info = cartography.describe(plan)
    assert info["counters"]["deaths_announced"] == {
        "value": 2,
        "unit": "people",
        "definition": info["counters"]["deaths_announced"]["definition"],
        "reported": "reported 2–3",
    }
    assert rp.RANGE_DEFINITION in info["counters"]["deaths_announced"]["definition"]
    plt.close(fig)


def test_the_range_follows_the_strikes_placed_in_the_frame_not_the_filters(bundle):
    """A chosen extent that holds only the Caribbean strikes: the ranges are those of its strikes."""
    f = Filters()
    _, inc, des, rts = view_of(bundle, f)
    spec = cartography.spec_for_preset(
        "screen", filters=f, data_as_of=bundle.as_of.date(), extent="caribbean", coverage_note=bundle.coverage_note
    )
    plan = cartography.plan_map(inc, des, rts, spec, reports=bundle.reports)
    fig = _drawn(plan)  # drawing settles the frame the counters describe
    deaths = next(c for c in plan.counters if c.key == "deaths_announced")
    assert deaths.reported == rp.range_text(plan.incidents, bundle.reports, "killed")
    assert deaths.value == int(plan.incidents["killed"].sum()) < 192
    plt.close(fig)


def test_without_reports_the_map_shows_no_range(bundle):
    for f in (Filters(), S08_ONLY):
        plan = _plan(bundle, f)
        fig = _drawn(plan)
        assert "reported" not in _text(fig, "counters")
        assert "Reported ranges" not in _text(fig, "footer") and "unannounced" not in _text(fig, "footer")
        assert all(c.reported == "" for c in plan.counters)
        plt.close(fig)


@pytest.mark.parametrize("preset", list(cartography.PRESETS))
def test_with_ranges_nothing_is_cut_or_covered(bundle, preset):
    plan = _plan(bundle, Filters(), preset, reports=bundle.reports)
    fig = _drawn(plan)
    W, H = plan.spec.size_pt
    raw = next(t for t in fig.texts if t.get_gid() == "counters").get_text()
    assert any("(reported 192–195)" in line for line in raw.splitlines())  # never split across lines
    assert "\u00a0" not in raw  # the range is wrapped whole and carried with plain spaces
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip():
            x0, y0, x1, y1 = pt_box(fig, t, plan.spec.dpi)
            assert x0 >= 0 and y0 >= 0 and x1 <= W and y1 <= H, f"{t.get_text()[:40]!r} is cut at {preset}"
    for a, b in itertools.combinations(["header", "map", "panel", "footer"], 2):
        assert not boxes_overlap(plan.layout[a], plan.layout[b]), f"{a} overlaps {b} at {preset}"
    mx0, my0, mx1, my1 = plan.layout["map"]
    assert plan.symbols
    for x, y, r in plan.symbols:
        assert mx0 <= x - r and x + r <= mx1 and my0 <= y - r and y + r <= my1
    plt.close(fig)


# -- the evidence pack ---------------------------------------------------------------------------


def _pack(bundle, f: Filters, reports):
    _, inc, des, rts = view_of(bundle, f)
    spec = cartography.MapSpec(width_px=800, height_px=600, dpi=96, filters=f, data_as_of=bundle.as_of.date())
    plan = cartography.plan_map(inc, des, rts, spec, reports=reports)
    png = cartography.render_plan(plan)
    data = export.evidence_pack(image=png, plan=plan, incidents=inc, designations=des, routes=rts, batches=NO_BATCHES)
    return zipfile.ZipFile(io.BytesIO(data)), plan


def _csv(z, name):
    return pd.read_csv(io.BytesIO(z.read(name)), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_the_pack_holds_the_reports_of_the_strikes_in_view_and_the_unannounced_ones(bundle):
    z, plan = _pack(bundle, S08_ONLY, bundle.reports)
    packed = _csv(z, "reports.csv")
    s08 = bundle.reports[bundle.reports["incident_ids"].str.split("; ").map(lambda ids: "S08" in ids)]
    unannounced = bundle.reports[bundle.reports["unannounced"]]
    assert len(s08) == 5 and len(unannounced) == 2
    assert sorted(packed["report_id"]) == sorted([*s08["report_id"], *unannounced["report_id"]])
    assert sorted(packed.loc[packed["unannounced"] == "True", "report_id"]) == sorted(unannounced["report_id"])
    assert set(packed.loc[packed["unannounced"] == "False", "report_id"]) == set(s08["report_id"])
    assert set(packed.loc[packed["in_map_frame"] == "True", "report_id"]) == set(s08["report_id"])
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["reports"]["rows"] == 7 and manifest["reports"]["unannounced_rows"] == 2
    assert manifest["reports"]["rows_naming_strikes_in_view"] == 5
    assert manifest["reports"]["range_definition"] == rp.RANGE_DEFINITION
    counters = manifest["map"]["counters"]
    assert counters["deaths_announced"]["value"] == 2 and counters["deaths_announced"]["reported"] == "reported 2–3"
    assert counters["strikes"]["reported"] == ""
    assert "reports.csv" in {e["name"] for e in manifest["files"]}


def test_the_full_pack_holds_every_report_naming_a_strike_and_the_counters_ranges(bundle):
    z, plan = _pack(bundle, Filters(), bundle.reports)
    packed = _csv(z, "reports.csv")
    named = rp.for_strikes(bundle.reports, plan.sources[0]["incident_id"])  # never the unannounced ones
    expected = bundle.reports[bundle.reports.index.isin(named.index) | bundle.reports["unannounced"]]
    assert list(packed["report_id"]) == list(expected["report_id"])
    assert (packed["unannounced"] == "True").sum() == 2
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["reports"]["rows"] == len(packed)
    assert manifest["map"]["counters"]["deaths_announced"]["reported"] == "reported 192–195"
    assert manifest["map"]["counters"]["deaths_announced"]["value"] == 192


def test_a_report_cell_a_spreadsheet_would_run_is_neutralised(bundle):
    reports = bundle.reports.copy()
    s08 = reports.index[reports["incident_ids"] == "S08"][0]
    reports.loc[s08, "note"] = '=HYPERLINK("http://example.invalid","click")'
    reports.loc[s08, "source_name"] = "+cmd|' /C calc'!A0"
    z, _plan = _pack(bundle, S08_ONLY, reports)
    packed = _csv(z, "reports.csv").set_index("report_id")
    rid = reports.loc[s08, "report_id"]
    assert packed.loc[rid, "note"] == '\'=HYPERLINK("http://example.invalid","click")'
    assert packed.loc[rid, "source_name"] == "'+cmd|' /C calc'!A0"


def test_a_pack_of_a_plan_without_reports_has_no_reports_file(bundle):
    z, _plan = _pack(bundle, S08_ONLY, None)
    assert "reports.csv" not in z.namelist()
    assert json.loads(z.read("manifest.json"))["reports"] is None


def test_an_empty_view_packs_only_the_unannounced_reports(bundle):
    z, plan = _pack(bundle, Filters(date_from=dt.date(2026, 10, 5), date_to=dt.date(2026, 10, 6)), bundle.reports)
    assert plan.incidents.empty
    packed = _csv(z, "reports.csv")
    assert set(packed["unannounced"]) == {"True"} and len(packed) == 2


# -- the command line -----------------------------------------------------------------------------


def test_the_command_line_pack_carries_the_ranges_and_the_reports(tmp_path, capsys):
    out = tmp_path / "pack.zip"
    args = ["export", "--since", "2025-10-21", "--until", "2025-10-21", "--region", "eastern-pacific"]
    assert main([*args, "--format", "zip", "--out", str(out), "--db", str(tmp_path / "s.sqlite")]) == 0
    z = zipfile.ZipFile(out)
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["map"]["counters"]["deaths_announced"]["reported"] == "reported 2–3"
    assert len(_csv(z, "reports.csv")) == 7
