"""AppTest: every page opens on the bundled data; counters, filters and the URL agree."""

import datetime as dt
import json

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from support import ROOT

PAGES = ["views/overview.py", "views/incidents.py", "views/sanctions.py", "views/routes.py"]


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
        "Strikes": "67",
        "Fatal strikes": "63",
        "Vessels struck": "68",
        "Deaths announced": "192",
        "Survivors presumed dead": "14",
        "Deaths incl. presumed": "206",
        "Living survivors": "10",
        "Designations to date": "119",
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
        "21",
        "22",
        "82",
        "83",
    )
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
    at.switch_page("views/incidents.py").run()
    table = at.dataframe[0].value
    assert len(table) == 19 and set(table["region"]) == {"Caribbean"}
    assert table["source"].str.startswith("http").all()


def test_sanctions_page_shows_undated_rows_and_uncertainty():
    at = _app()
    at.switch_page("views/sanctions.py").run()
    table = at.dataframe[0].value
    assert len(table) == 122
    assert table["designation_date"].isna().sum() == 10
    assert (table["status"] == "uncertain").sum() == 27
    assert at.metric[0].value == "119"


def test_overview_map_has_no_tile_basemap():
    at = _app()
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert "mapProvider" not in spec and "cartocdn" not in json.dumps(spec)
    assert [l["id"] for l in spec["layers"]][-2:] == ["strikes", "strike_counts"]


def _chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def _chart_data(chart) -> pd.DataFrame:
    """The data a chart element carries (Arrow IPC, inline or as its one named dataset)."""
    raw = chart.proto.data.data or chart.proto.datasets[0].data.data
    return pa.ipc.open_stream(raw).read_all().to_pandas()


def _axis_titles(spec: dict) -> dict[str, str]:
    encoding = spec.get("encoding") or spec["layer"][0]["encoding"]
    return {axis: encoding[axis]["title"] for axis in ("x", "y")}


def test_overview_legend_lists_what_the_map_draws():
    at = _app()
    captions = [c.value for c in at.caption]
    assert {"**Legend: strikes**", "**Legend: routes**", "**Legend: designations**"} <= set(captions)
    assert "Route: drug trafficking" in captions
    assert any(c.startswith("Number on a dot: strike engagements placed at that same position") for c in captions)
    assert not any("sized by deaths (announced + presumed dead)" in c for c in captions)  # the old text legend
    assert len(at.get("image")) >= 10  # one symbol per legend line

    at.button_group(key="overview_layers").set_value(["strikes", "basemap"]).run()
    captions = [c.value for c in at.caption]
    assert "**Legend: strikes**" in captions and "**Legend: routes**" not in captions
    assert not any(c.startswith("Route:") or c.startswith("Ring:") for c in captions)


def test_overview_charts_have_axis_titles_and_series_in_words():
    at = _app()
    bars, lines = at.get("vega_lite_chart")[:2]
    assert _axis_titles(json.loads(bars.proto.spec)) == {"x": "Week (starting Monday)", "y": "Strike engagements"}
    assert _axis_titles(json.loads(lines.proto.spec)) == {
        "x": "Week (starting Monday)",
        "y": "Deaths, running total in view",
    }
    series = set(_chart_data(lines)["color -- streamlit-generated"])
    assert series == {"Announced", "With presumed dead"}


def test_sanctions_count_charts_are_horizontal_with_whole_labels():
    at = _app()
    at.switch_page("views/sanctions.py").run()
    specs = _chart_specs(at)
    counts = [s for s in specs if "layer" in s]
    assert [_axis_titles(s)["y"] for s in counts] == ["Authority", "Program (grouped)", "Entity type"]
    for spec in counts:
        y = spec["layer"][0]["encoding"]["y"]
        assert y["type"] == "nominal" and y["axis"]["labelLimit"] == 0  # never truncated
        assert _axis_titles(spec)["x"] == "Designation rows in view"
    program = _chart_data(at.get("vega_lite_chart")[1])
    assert "Terrorist listing (other governments)" in set(program["category"])
    assert _axis_titles(specs[-1]) == {"x": "Month of designation", "y": "Designations (rows)"}


# -- Upload page ------------------------------------------------------------------

from support import fixture_bytes  # noqa: E402


def _upload(at: AppTest, name: str, mime: str = "text/csv") -> AppTest:
    at.switch_page("views/upload.py").run()
    at.file_uploader[0].set_value((name.split("/")[-1], fixture_bytes(name), mime)).run()
    return at


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def test_upload_import_grows_the_counters_and_undo_restores_them():
    at = _upload(_app(), "good/utf8_comma.csv")
    assert not at.exception
    assert at.text[0].value.startswith("utf8_comma.csv: 2 row(s) read, 2 accepted, 0 rejected")
    preview = {m.label: m.value for m in at.metric}
    assert preview["Strikes"] == "69" and preview["Deaths announced"] == "197"
    _button(at, "import_button").click().run()
    assert "Imported 2 row(s) from utf8_comma.csv" in at.success[0].value
    at.switch_page("views/overview.py").run()
    assert _metrics(at)["Strikes"] == "69" and _metrics(at)["Deaths announced"] == "197"
    at.switch_page("views/upload.py").run()
    _button(at, "undo_button").click().run()
    assert "removed 2 row(s)" in at.success[0].value
    at.switch_page("views/overview.py").run()
    assert _metrics(at)["Strikes"] == "67"


def test_upload_of_a_file_another_import_stored_meanwhile_stores_nothing_twice(_private_store):
    """Another import stores the same file between the preview and the click: the rerun finds
    every row already stored, and the store's own check inside its write transaction backs it up."""
    from tracker import ingest
    from tracker.store import Store

    at = _upload(_app(), "good/utf8_comma.csv")
    plan = ingest.prepare("incidents", fixture_bytes("good/utf8_comma.csv"), file="utf8_comma.csv")
    Store(_private_store).import_batch(
        "incidents",
        plan.accepted,
        file_name="utf8_comma.csv",
        sha256=plan.sha256,
        rows_read=plan.rows_read,
        rows_rejected=0,
        rows_skipped=0,
    )
    _button(at, "import_button").click().run()
    assert not at.exception
    assert len(Store(_private_store).batches()) == 1
    assert _button(at, "import_button").disabled
    duplicates = next(d.value for d in at.dataframe if "duplicate_of" in d.value.columns)
    assert set(duplicates["reason"]) == {"same id"}


def test_upload_problems_are_listed_by_row_and_column():
    at = _upload(_app(), "bad/bad_dates.csv")
    assert not at.exception
    table = at.dataframe[0].value
    assert table[["row", "column", "message"]].values.tolist() == [
        [2, "date", "date lies in the future"],
        [3, "date", "cannot read this as a date (use YYYY-MM-DD)"],
        [4, "date", "a date is required"],
    ]
    assert _button(at, "import_button").label == "Import 1 row(s)"


def test_upload_unmapped_columns_are_chosen_with_select_boxes():
    at = _upload(_app(), "good/unknown_headers.csv")
    assert "Map the required fields" in at.error[0].value
    assert _button(at, "import_button").disabled
    for field, column in {"date": "when", "latitude": "north", "longitude": "east", "source_urls": "link"}.items():
        box = next(s for s in at.selectbox if s.key and s.key.startswith("map_") and s.key.endswith("_" + field))
        box.set_value(column)
    at.run()
    assert not at.error and not _button(at, "import_button").disabled
    _button(at, "import_button").click().run()
    # the same header again: the mapping is remembered
    at = _upload(at, "good/unknown_headers.csv")
    assert not at.error
    assert "remembered" in " ".join(c.value for c in at.caption)


def test_upload_ambiguous_dates_wait_for_a_choice():
    at = _upload(_app(), "bad/ambiguous_dates.csv")
    assert _button(at, "import_button").disabled
    radio = next(r for r in at.radio if r.key and r.key.startswith("order_"))
    radio.set_value("day/month/year").run()
    assert not _button(at, "import_button").disabled


def test_upload_swapped_coordinates_offer_the_fix():
    at = _upload(_app(), "bad/lat_lon_swapped.csv")
    assert _button(at, "import_button").label == "Import 1 row(s)"
    box = next(c for c in at.checkbox if c.key and c.key.startswith("swap_"))
    assert "rows 2, 4" in box.label
    box.check().run()
    assert _button(at, "import_button").label == "Import 3 row(s)"


@pytest.mark.parametrize("name", ["bad/binary.csv", "bad/empty.csv", "bad/nul_bytes.csv"])
def test_upload_bad_files_get_a_clear_message_not_a_traceback(name):
    at = _upload(_app(), name)
    assert not at.exception
    assert (
        "this is not a text file" in at.dataframe[0].value["message"][0]
        or "file is empty" in at.dataframe[0].value["message"][0]
    )
    assert _button(at, "import_button").disabled


def test_upload_hostile_text_is_shown_as_data():
    at = _upload(_app(), "bad/hostile_strings.csv")
    assert not at.exception
    preview = next(d.value for d in at.dataframe if "notes" in d.value.columns)
    assert "<img src=x onerror=alert(1)>" in preview["notes"].tolist()


# -- Export page ------------------------------------------------------------------


def test_export_page_shows_the_file_it_downloads_with_the_counts_of_its_frame():
    at = _app({"region": "Caribbean"})
    at.switch_page("views/export.py").run()
    assert not at.exception
    assert "19 strike engagement(s)" in at.caption[0].value
    images = at.get("image")
    assert len(images) == 1
    caption = images[0].proto.imgs[0].caption
    assert caption.startswith("The file you download: 1920×1080 px at 96 dpi")
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels[0] == "Map (PNG, 1920×1080)" and "Evidence pack (ZIP)" in labels


def test_export_page_draws_an_empty_view_and_keeps_every_download():
    at = _app({"from": "2026-10-05", "to": "2026-10-06", "q": "no such text anywhere"})
    at.switch_page("views/export.py").run()
    assert not at.exception
    assert "No strikes match these filters" in at.info[0].value
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Incidents (CSV)" in labels and "Evidence pack (ZIP)" in labels and labels[0].startswith("Map (PNG")


def test_export_page_with_designations_and_routes_unticked_counts_what_it_draws():
    at = _app()
    at.switch_page("views/export.py").run()
    at.button_group(key="export_layers").set_value(["basemap", "strikes", "rings"]).run()
    assert not at.exception
    caption = at.caption[0].value
    assert "67 strike engagement(s) in the frame" in caption and "route" not in caption


def test_export_page_refuses_bad_bounds_with_one_clear_line():
    at = _app()
    at.switch_page("views/export.py").run()
    at.selectbox(key="export_extent").select("Custom bounds").run()
    at.number_input(key="export_north").set_value(0.0).run()
    assert not at.exception
    assert "bounds enclose no area" in at.error[0].value


def test_overview_links_to_the_export_with_its_filters():
    at = _app({"region": "Caribbean"})
    link = at.get("page_link")[0].proto
    assert link.label.startswith("Export this map") and (link.page, link.query_string) == ("export", "region=Caribbean")


# -- import pipeline defects on the Upload page ---------------------------------------------------


def test_upload_page_blocks_a_file_with_a_whole_file_error_and_says_why():
    at = _upload(_app(), "bad/header_repeats_column.csv")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Nothing can be imported until the file is fixed: the header repeats a column name (killed.1)"
    ]
    button = _button(at, "import_button")
    assert button.disabled and button.help == (
        "Cannot import: the file has an error: the header repeats a column name (killed.1)"
    )


def test_upload_page_takes_rows_7_km_apart_in_neighbouring_cells():
    at = _upload(_app(), "bad/same_day_toll_neighbouring_cells_7km.csv")
    assert not at.exception
    assert at.text[0].value.startswith(
        "same_day_toll_neighbouring_cells_7km.csv: 2 row(s) read, 2 accepted, 0 rejected, 0 possible duplicate(s)"
    )
    assert not _button(at, "import_button").disabled and _button(at, "import_button").label == "Import 2 row(s)"
