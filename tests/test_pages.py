"""AppTest: every page opens on the bundled data; counters, filters and the URL agree."""

import datetime as dt
import json

import pytest
from conftest import ROOT
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

PAGES = ["pages/overview.py", "pages/incidents.py", "pages/sanctions.py", "pages/routes.py"]


@pytest.fixture(autouse=True)
def _navigation_replaces_pages_directory(monkeypatch):
    """Make AppTest treat pages/ as the running server does once app.py calls st.navigation.

    A live server sets ``PagesManager.uses_pages_directory = False`` on the first
    st.navigation call and keeps it; AppTest resets it before every run, so from
    the second run on it would execute pages/ in the old multipage mode and drop
    app.py's sidebar.  This fixture keeps it False, as in the browser.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def _app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_counters_match_the_bundled_rows():
    at = _app()
    assert not at.exception
    assert _metrics(at) == {
        "Strikes": "67", "Fatal strikes": "63", "Vessels struck": "68", "Deaths announced": "192",
        "Survivors presumed dead": "14", "Deaths incl. presumed": "206", "Survivors": "24",
        "Designations in view": "119",
    }
    assert at.subheader[0].value == "63 fatal strikes since 1 September 2025"
    captions = " ".join(c.value for c in at.caption)
    assert "unit: engagements · as of 2026-10-04" in captions
    assert "2 strike record(s) in view have no usable position" in captions
    assert dict(at.query_params) == {}


def test_changing_the_date_range_changes_counters_and_url():
    at = _app()
    at.sidebar.date_input[0].set_value((dt.date(2025, 9, 1), dt.date(2025, 11, 15))).run()
    m = _metrics(at)
    assert (m["Strikes"], m["Vessels struck"], m["Deaths announced"], m["Deaths incl. presumed"]) == (
        "21", "22", "82", "83")
    assert at.query_params["to"] == "2025-11-15"
    assert at.subheader[0].value == "21 fatal strikes since 1 September 2025"


def test_changing_the_region_changes_counters_and_url():
    at = _app()
    at.sidebar.multiselect[0].set_value(["Caribbean"]).run()
    assert _metrics(at)["Strikes"] == "19"
    assert at.query_params["region"] == "Caribbean"


def test_a_copied_link_reopens_the_same_view():
    at = _app({"to": "2025-11-15", "region": "Eastern Pacific"})
    assert not at.exception
    assert at.sidebar.multiselect[0].value == ["Eastern Pacific"]
    assert at.sidebar.date_input[0].value == (dt.date(2025, 9, 1), dt.date(2025, 11, 15))
    # Eastern Pacific to 15 Nov 2025: S08, S09, S11 (3 strikes), S12, S14, S16 (2), S18
    assert _metrics(at)["Strikes"] == "10"


def test_a_bad_link_opens_with_a_warning_not_an_error():
    at = _app({"from": "not-a-date", "region": "Atlantis"})
    assert not at.exception
    warnings = [w.value for w in at.sidebar.warning]
    assert any("not-a-date" in w for w in warnings) and any("Atlantis" in w for w in warnings)
    assert _metrics(at)["Strikes"] == "67"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_without_an_exception(page):
    at = _app()
    at.switch_page(page).run()
    assert not at.exception
    assert at.title


def test_incidents_table_lists_the_filtered_strikes_with_sources():
    at = _app({"region": "Caribbean"})
    at.switch_page("pages/incidents.py").run()
    table = at.dataframe[0].value
    assert len(table) == 19 and set(table["region"]) == {"Caribbean"}
    assert table["source"].str.startswith("http").all()


def test_sanctions_page_shows_undated_rows_and_uncertainty():
    at = _app()
    at.switch_page("pages/sanctions.py").run()
    table = at.dataframe[0].value
    assert len(table) == 122
    assert table["designation_date"].isna().sum() == 10
    assert (table["status"] == "uncertain").sum() == 27
    assert at.metric[0].value == "119"


def test_overview_map_has_no_tile_basemap():
    at = _app()
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert "mapProvider" not in spec and "cartocdn" not in json.dumps(spec)
    assert [l["id"] for l in spec["layers"]][-1] == "strikes"
