"""A person's paths through the running dashboard, in Debian's Chromium."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from browser.app_server import running_app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BUNDLED = {
    "Strikes": "67",
    "Fatal strikes": "63",
    "Vessels struck": "68",
    "Deaths announced": "192",
    "Survivors presumed dead": "14",
    "Deaths incl. presumed": "206",
    "Living survivors": "10",
    "Designations to date": "119",
}
PAGES = ["", "incidents", "sanctions", "routes", "upload", "export"]


def metrics(page, *, count: int | None = None) -> dict[str, str]:
    """The counters on the page, label -> value; with ``count``, once that many are drawn (a page still
    loading shows its counters one after another)."""
    page.wait_for_selector("[data-testid=stMetric]")
    if count is not None:
        page.wait_for_function(
            f"() => document.querySelectorAll('[data-testid=stMetric]').length >= {count}", timeout=60_000
        )
    return {
        m.locator("[data-testid=stMetricLabel]").inner_text().strip(): m.locator("[data-testid=stMetricValue]")
        .inner_text()
        .strip()
        for m in page.locator("[data-testid=stMetric]").all()
    }


def settle(page, seconds: float = 0.5) -> None:
    """Wait until Streamlit has finished the current run."""
    time.sleep(seconds)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
    time.sleep(0.3)


def open_app(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    settle(page)


def strike_pixels(png: bytes) -> int:
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(((r > 180) & (g < 110) & (b < 110)).sum())


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``."""
    box = page.locator("[data-testid=stSelectbox]").filter(has=page.get_by_text(label, exact=True)).first
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def test_1_dashboard_opens_with_bundled_counters_and_draws_the_map(page, app_url):
    open_app(page, app_url)
    assert metrics(page) == BUNDLED
    chart = page.locator("[data-testid=stDeckGlJsonChart]").first
    chart.scroll_into_view_if_needed()
    canvas = chart.locator("canvas").first
    canvas.wait_for()
    time.sleep(2)  # deck.gl draws after the first frame
    shot = canvas.screenshot()
    assert strike_pixels(shot) > 200, "no strike-coloured pixels in the map canvas"
    land = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).astype(int)
    assert (np.abs(land - np.array([246, 244, 238])).max(axis=-1) <= 4).sum() > 2000, "basemap land not drawn"


def test_2_sidebar_filters_change_counters_and_url_and_the_link_reopens_the_view(page, app_url, browser):
    open_app(page, app_url)
    page.get_by_role("spinbutton", name="year, Date range end date").focus()
    page.keyboard.type("20251115")
    page.keyboard.press("Escape")
    page.locator("h1").first.click()
    settle(page)
    m = metrics(page)
    assert (m["Strikes"], m["Vessels struck"], m["Deaths announced"], m["Deaths incl. presumed"]) == (
        "21",
        "22",
        "82",
        "83",
    )
    region = page.locator("[data-testid=stMultiSelect]").filter(has_text="Region").locator("input")
    region.click()
    page.keyboard.type("Caribbean")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    settle(page)
    assert metrics(page)["Strikes"] == "11"  # Caribbean strikes 2 Sep - 15 Nov 2025
    assert "to=2025-11-15" in page.url and "region=Caribbean" in page.url
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        open_app(other, page.url)
        expected = metrics(page)
        settle(other)
        assert metrics(other, count=len(expected)) == expected
    finally:
        other.context.close()


def test_3_upload_map_columns_import_then_undo(page, app_url):
    open_app(page, f"{app_url}/upload")
    page.set_input_files("input[type=file]", str(FIXTURES / "good" / "unknown_headers.csv"))
    page.wait_for_selector("text=Map the required fields")
    for field, column in (("date *", "when"), ("latitude", "north"), ("longitude", "east"), ("source_urls *", "link")):
        choose(page, field, column)
    page.get_by_role("button", name="Import 1 row(s)").click()
    page.wait_for_selector("text=Imported 1 row(s) from unknown_headers.csv")
    open_app(page, app_url)
    assert metrics(page)["Strikes"] == "68"
    open_app(page, f"{app_url}/upload")
    page.get_by_role("button", name="Undo batch").click()
    page.wait_for_selector("text=removed 1 row(s)")
    open_app(page, app_url)
    assert metrics(page) == BUNDLED


def test_4_hostile_upload_executes_nothing_and_shows_as_text(page, app_url):
    open_app(page, f"{app_url}/upload")
    page.set_input_files("input[type=file]", str(FIXTURES / "bad" / "hostile_strings.csv"))
    page.get_by_role("button", name="Import 3 row(s)").click()
    page.wait_for_selector("text=Imported 3 row(s)")
    open_app(page, f"{app_url}/incidents?q=onerror")
    grid = page.locator("[data-testid=stDataFrame]").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 36 + 17)  # the first row's selection box
    page.wait_for_selector("[data-testid=stText]")
    detail = page.locator("[data-testid=stText]").first.inner_text()
    assert "Notes: <img src=x onerror=alert(1)>" in detail
    assert page.locator("img[src=x]").count() == 0 and page.locator("script:text('alert')").count() == 0
    assert page.dialogs == []
    open_app(page, f"{app_url}/upload")
    page.get_by_role("button", name="Undo batch").click()
    page.wait_for_selector("text=removed 3 row(s)")
    assert page.dialogs == []


def test_5_export_shows_the_very_png_it_downloads(page, app_url, tmp_path):
    open_app(page, f"{app_url}/export")
    choose(page, "Size", "Square 1080×1080")
    page.get_by_text("The file you download: 1080×1080 px", exact=False).wait_for(timeout=120_000)
    settle(page)
    img = page.locator("[data-testid=stImage] img").first
    img.wait_for()
    shown = page.request.get(img.get_attribute("src")).body()
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=re.compile(r"Map \(PNG, 1080×1080\)")).click()
    path = tmp_path / "map.png"
    info.value.save_as(path)
    downloaded = path.read_bytes()
    assert downloaded == shown  # the preview is the file
    image = Image.open(path)
    assert image.format == "PNG" and image.size == (1080, 1080)
    assert strike_pixels(downloaded) > 50


@pytest.mark.parametrize("path", PAGES)
def test_6_every_page_opens_without_an_exception(page, app_url, path):
    open_app(page, f"{app_url}/{path}")
    assert page.locator("[data-testid=stException]").count() == 0
    assert "Traceback" not in page.locator("body").inner_text()
    assert page.locator("[data-testid=stSidebarNav]").get_by_text("Overview").count() == 1


def test_7_a_page_link_opened_first_after_start_shows_the_full_app(page, tmp_path):
    with running_app(tmp_path / "fresh.sqlite") as url:
        open_app(page, f"{url}/sanctions")
        assert page.locator("h1").first.inner_text() == "Sanctions and designations"
        assert page.locator("[data-testid=stSidebar]").get_by_text("Filters").count() == 1
        assert page.locator("[data-testid=stSidebarNav]").get_by_text("Overview").count() == 1
