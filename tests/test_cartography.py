"""The static map as a graphics desk would check it: nothing cut or covered, type in points,
a legend of what is drawn, an honest scale, counts that match the view."""

import datetime as dt
import io
import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image

from support import boxes_overlap, pt_box, view_of
from tracker import cartography, layers, readers
from tracker.errors import TrackerError
from tracker.filters import Filters


@pytest.fixture(scope="module")
def bundle():
    return readers.read_bundle()


def _spec(bundle, f: Filters, **kw) -> cartography.MapSpec:
    kw.setdefault("data_as_of", bundle.as_of.date())
    kw.setdefault("coverage_note", bundle.coverage_note)
    return cartography.MapSpec(filters=f, **kw)


def _preset_spec(bundle, f, preset, **kw):
    w, h, dpi = cartography.PRESETS[preset]
    return _spec(bundle, f, width_px=w, height_px=h, dpi=dpi, preset=preset, **kw)


def _drawn(plan):
    with plt.rc_context(cartography._STYLE):
        fig = cartography.draw_map(plan)
        fig.canvas.draw()
    return fig


def _renderer(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


# -- layout ------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", list(cartography.PRESETS))
def test_every_text_lies_inside_the_page_and_no_panel_covers_another_or_a_strike(bundle, preset):
    f, inc, des, rts = view_of(bundle)
    spec = _preset_spec(bundle, f, preset)
    plan = cartography.plan_map(inc, des, rts, spec)
    fig = _drawn(plan)
    W, H = spec.size_pt
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert len(texts) > 20
    for t in texts:
        x0, y0, x1, y1 = pt_box(fig, t, spec.dpi)
        assert x0 >= 0 and y0 >= 0 and x1 <= W and y1 <= H, f"{t.get_text()[:40]!r} is cut at {preset}"
    panels = plan.layout
    for a, b in itertools.combinations(["header", "map", "panel", "footer"], 2):
        assert not boxes_overlap(panels[a], panels[b]), f"{a} overlaps {b} at {preset}"
    mx0, my0, mx1, my1 = panels["map"]
    assert plan.symbols
    for x, y, r in plan.symbols:
        # every strike symbol whole inside the map frame, so no panel can cover it
        assert mx0 <= x - r and x + r <= mx1 and my0 <= y - r and y + r <= my1
    # map labels never sit on a strike symbol
    for t in fig.findobj(lambda a: isinstance(a, Text) and a.get_gid() == "label"):
        box = pt_box(fig, t, spec.dpi)
        for x, y, r in plan.symbols:
            assert not boxes_overlap(box, (x - r, y - r, x + r, y + r)), t.get_text()
    plt.close(fig)


@pytest.mark.parametrize("preset", list(cartography.PRESETS))
def test_type_is_sized_in_points_and_readable(bundle, preset):
    f, inc, des, rts = view_of(bundle)
    spec = _preset_spec(bundle, f, preset)
    fig = _drawn(cartography.plan_map(inc, des, rts, spec))
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    # nothing smaller than 5.4 pt (a footnote in print) nor smaller than 9 px on screen
    assert min(sizes) >= 5.4 and min(sizes) * spec.dpi / 72 >= 9
    title = next(t for t in fig.texts if t.get_gid() == "title")
    assert 12 <= title.get_fontsize() <= 24
    plt.close(fig)


def test_a4_at_300_dpi_is_the_150_dpi_layout_only_sharper(bundle):
    f, inc, des, rts = view_of(bundle)
    images = {}
    for dpi in (150, 300):
        spec = _spec(bundle, f, width_px=round(11.6929 * dpi), height_px=round(8.2677 * dpi), dpi=dpi)
        images[dpi] = Image.open(io.BytesIO(cartography.render_map(inc, des, rts, spec))).convert("RGB")
    small = np.asarray(images[300].resize(images[150].size, Image.LANCZOS)).astype(float)
    ref = np.asarray(images[150]).astype(float)
    diff = np.abs(small - ref).max(axis=2)
    assert diff.mean() < 3.0
    assert (diff > 64).mean() < 0.01


CASES = [
    {"width_px": 700, "height_px": 500, "dpi": 96},
    {"width_px": 1920, "height_px": 1080, "dpi": 200},
    {"width_px": 1500, "height_px": 1000, "dpi": 200},
    {"width_px": 3000, "height_px": 1000, "dpi": 150},
    {"width_px": 1000, "height_px": 3000, "dpi": 150},
    {"width_px": 3508, "height_px": 2480, "dpi": 300, "extent": "venezuela"},
    {"width_px": 1920, "height_px": 1080, "dpi": 96, "extent": "western-hemisphere"},
    {"width_px": 1080, "height_px": 1080, "dpi": 96, "extent": "eastern-pacific"},
    {"width_px": 1600, "height_px": 900, "dpi": 150, "extent": (-80.0, 10.0, -76.0, 14.0)},
]


@pytest.mark.parametrize("options", CASES, ids=lambda o: "-".join(str(v) for v in o.values()))
def test_custom_sizes_and_extents_cut_nothing_and_cover_no_strike(bundle, options):
    f, inc, des, rts = view_of(bundle)
    spec = _spec(bundle, f, **options)
    plan = cartography.plan_map(inc, des, rts, spec)
    fig = _drawn(plan)
    W, H = spec.size_pt
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and t.get_gid() not in ("label",):
            x0, y0, x1, y1 = pt_box(fig, t, spec.dpi)
            assert x0 >= -0.5 and y0 >= -0.5 and x1 <= W + 0.5 and y1 <= H + 0.5, t.get_text()[:40]
    mx0, my0, mx1, my1 = plan.layout["map"]
    for x, y, r in plan.symbols:
        assert mx0 <= x - r and x + r <= mx1 and my0 <= y - r and y + r <= my1
    for a, b in itertools.combinations(["header", "map", "panel", "footer"], 2):
        assert not boxes_overlap(plan.layout[a], plan.layout[b])
    plt.close(fig)


def test_a_wide_page_of_the_western_hemisphere_switches_to_a_world_projection(bundle):
    f, inc, des, rts = view_of(bundle)
    plan = cartography.plan_map(inc, des, rts, _spec(bundle, f, extent="western-hemisphere"))
    plt.close(_drawn(plan))
    assert plan.frame.world and "+lon_0=-95" in plan.frame.crs


def test_country_names_clear_the_designation_circles_on_their_label_points(bundle):
    f, inc, des, rts = view_of(bundle)
    fig = _drawn(cartography.plan_map(inc, des, rts, _preset_spec(bundle, f, "a4-landscape")))
    names = {t.get_text() for t in fig.findobj(Text) if t.get_gid() == "label"}
    assert {"Colombia", "Venezuela", "Ecuador", "Caribbean Sea"} <= names
    plt.close(fig)


def test_a_page_too_small_for_the_key_and_notes_is_refused_with_its_size_in_inches(bundle):
    f, inc, des, rts = view_of(bundle)
    plan = cartography.plan_map(inc, des, rts, _spec(bundle, f, width_px=1920, height_px=1080, dpi=300))
    with pytest.raises(TrackerError, match=r"is a 6\.4×3\.6 in page: too small .* use a lower dpi \(e\.g\. 150\)"):
        cartography.render_plan(plan)


def test_a_page_too_small_for_a_legible_map_is_refused_with_the_reason(bundle):
    f, inc, des, rts = view_of(bundle)
    with pytest.raises(TrackerError, match="too small for a legible map"):
        cartography.plan_map(inc, des, rts, _spec(bundle, f, width_px=400, height_px=300, dpi=300))


def test_a_portrait_page_puts_the_key_below_the_map_and_cuts_nothing(bundle):
    f, inc, des, rts = view_of(bundle)
    spec = _spec(bundle, f, width_px=1200, height_px=1800, dpi=150)
    plan = cartography.plan_map(inc, des, rts, spec)
    fig = _drawn(plan)
    W, H = spec.size_pt
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip():
            x0, y0, x1, y1 = pt_box(fig, t, spec.dpi)
            assert x0 >= 0 and y0 >= 0 and x1 <= W and y1 <= H
    assert plan.layout["panel"][1] >= plan.layout["map"][3]
    plt.close(fig)


# -- extent and projection ------------------------------------------------------------------


@pytest.mark.parametrize("preset", ["square", "a4-landscape", "screen"])
def test_the_default_extent_contains_every_placed_strike(bundle, preset):
    f, inc, des, rts = view_of(bundle)
    plan = cartography.plan_map(inc, des, rts, _preset_spec(bundle, f, preset))
    placed = inc[inc["latitude"].notna()]
    assert plan.frame.contains(placed["longitude"], placed["latitude"]).all()
    # routes reach Asia, but they are context: the map stays on the strikes
    assert not plan.frame.world and plan.frame.lonlat_box[2] - plan.frame.lonlat_box[0] < 80


def test_the_extent_is_widened_to_the_page_never_narrowed(bundle):
    f, inc, des, rts = view_of(bundle)
    for w, h in ((1080, 1080), (1920, 1080), (1000, 2000)):
        plan = cartography.plan_map(
            inc, des, rts, _spec(bundle, f, width_px=w, height_px=h, dpi=96, extent="caribbean")
        )
        plt.close(_drawn(plan))  # the frame as drawn, fitted to the map box
        west, south, east, north = np.array(cartography.REGIONS["caribbean"]) + [0.01, 0.01, -0.01, -0.01]
        lon = np.array([west, east, west, east, (west + east) / 2, (west + east) / 2])
        lat = np.array([south, south, north, north, south, north])
        assert plan.frame.contains(lon, lat).all()


def test_a_world_view_uses_a_world_projection(bundle):
    f, inc, des, rts = view_of(bundle)
    plan = cartography.plan_map(inc, des, rts, _spec(bundle, f, extent=(-180, -60, 180, 80)))
    assert plan.frame.world and "eqearth" in plan.frame.crs and plan.scale_bar is None


def test_the_region_filter_frames_the_map_the_same_way_on_the_page_and_the_command_line():
    assert cartography.default_extent(Filters(regions=("Caribbean",))) == "caribbean"
    assert cartography.default_extent(Filters(regions=("Eastern Pacific",))) == "eastern-pacific"
    assert cartography.default_extent(Filters(regions=("Caribbean", "Eastern Pacific"))) == "fit"
    assert cartography.default_extent(Filters()) == "fit"


# -- scale bar -----------------------------------------------------------------------------


@pytest.mark.parametrize("extent", ["caribbean", "venezuela", "eastern-pacific", "fit"])
def test_the_scale_bar_is_as_long_as_the_distance_it_claims(bundle, extent):
    from pyproj import Geod

    f, inc, des, rts = view_of(bundle)
    spec = _spec(bundle, f, width_px=2400, height_px=1600, dpi=200, extent=extent)
    plan = cartography.plan_map(inc, des, rts, spec)
    fig = _drawn(plan)
    length_pt, km = plan.scale_bar
    fr = plan.frame
    mx0, _, mx1, _ = plan.layout["map"]
    metres_per_pt = (fr.xlim[1] - fr.xlim[0]) / (mx1 - mx0)
    cx, cy = (fr.xlim[0] + fr.xlim[1]) / 2, (fr.ylim[0] + fr.ylim[1]) / 2
    half = length_pt * metres_per_pt / 2
    lon, lat = fr.unproject([cx - half, cx + half], [cy, cy])
    geodesic_km = Geod(ellps="WGS84").inv(lon[0], lat[0], lon[1], lat[1])[2] / 1000
    assert abs(geodesic_km - km) / km < 0.02
    label = [t.get_text() for t in fig.findobj(Text) if t.get_text().endswith(" km")]
    assert label == [f"{km:,.0f} km"]
    plt.close(fig)


# -- symbols, counts, legend ----------------------------------------------------------------


def test_stacked_strikes_show_their_count_and_a_note(bundle):
    f, inc, des, rts = view_of(bundle)
    plan = cartography.plan_map(inc, des, rts, _preset_spec(bundle, f, "screen"))
    pacific = plan.strikes[(plan.strikes["longitude"] == -88.0) & (plan.strikes["latitude"] == 8.0)].iloc[0]
    assert pacific["strikes"] == 34
    fig = _drawn(plan)
    counts = sorted(t.get_text() for t in fig.findobj(Text) if t.get_gid() == "count")
    assert "34" in counts and "15" in counts
    assert any("34 strikes placed at the representative point of “Eastern Pacific”" in n for n in plan.notes)
    plt.close(fig)


def test_symbol_area_is_proportional_to_deaths():
    scale = cartography._Scale(per_death=20.0, min_diameter=4.0)
    d = scale.diameter(np.array([5.0, 20.0, 80.0]))
    assert np.allclose((d / d[0]) ** 2, [1, 4, 16])


def test_the_legend_lists_only_what_is_drawn_in_the_drawn_style(bundle):
    f, inc, des, rts = view_of(bundle)
    spec = _spec(bundle, f, show=("basemap", "strikes"), extent="caribbean")
    fig = _drawn(cartography.plan_map(inc, des, rts, spec))
    legend = next(a for a in fig.legends if a.get_gid() == "legend")
    labels = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
    assert labels == ["Strike position (area: deaths)"]
    plt.close(fig)
    spec = _spec(bundle, f, extent="caribbean")
    plan = cartography.plan_map(inc, des, rts, spec)
    fig = _drawn(plan)
    legend = next(a for a in fig.legends if a.get_gid() == "legend")
    labels = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
    assert "Uncertainty of an approximate or area position" in labels
    present = set(plan.routes["route_type"])
    assert any(lab.startswith("Route: ") for lab in labels)
    assert {lab.removeprefix("Route: ") for lab in labels if lab.startswith("Route:")} <= present
    # a route type drawn only as schematic lines is dashed in the key too
    drawn = {}
    for rec in plan.routes.to_dict("records"):
        drawn.setdefault(rec["route_type"], set()).add(rec["line_precision"] == "schematic")
    for h, lab in zip(legend.legend_handles, labels):
        if lab.startswith("Route: "):
            schematic_only = drawn[lab.removeprefix("Route: ")] == {True}
            assert (h.get_linestyle() == "--") == schematic_only, lab
    # hollow on the map, hollow in the legend: country-level designations
    hollow = [h for h, lab in zip(legend.legend_handles, labels) if "country or area level" in lab]
    assert hollow and all(h.get_markerfacecolor() == "none" for h in hollow)
    plt.close(fig)


def test_a_strike_is_drawn_in_the_strike_colour_where_the_projection_puts_it(bundle):
    f, inc, des, rts = view_of(bundle)
    s03 = inc[inc["incident_id"] == "S03"]  # alone at 16.24 N, 71.52 W
    spec = _spec(bundle, f, width_px=1200, height_px=900, dpi=96, extent="caribbean", show=("basemap", "strikes"))
    plan = cartography.plan_map(s03, des.iloc[0:0], None, spec)
    png = cartography.render_plan(plan)
    x, y = cartography.pixel_of(-71.52, 16.24, plan)
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    centre = rgb[int(round(y)), int(round(x))]
    red = np.array(layers.STRIKE_COLOR)
    assert np.abs(centre - (red * 0.82 + 255 * 0.18)).max() <= 16
    far = rgb[int(round(y)), int(round(x)) + 40]
    assert np.abs(far - np.array(layers.OCEAN_COLOR)).max() <= 12


# -- text follows the view ------------------------------------------------------------------


def test_counters_count_designations_and_routes_in_the_frame_and_the_dates(bundle):
    f = Filters(date_from=dt.date(2025, 9, 1), date_to=dt.date(2025, 10, 31), regions=("Caribbean",))
    f, inc, des, rts = view_of(bundle, f)
    plan = cartography.plan_map(inc, des, rts, _spec(bundle, f))
    plt.close(_drawn(plan))
    counters = {c.key: c.value for c in plan.counters}
    # counted independently: listings dated Sept-Oct 2025 whose point lies inside the drawn frame
    d = bundle.designations
    dated = d[
        (d["designation_date"] >= "2025-09-01")
        & (d["designation_date"] <= "2025-10-31")
        & (d["action_kind"] == "listing")
        & d["latitude"].notna()
    ]
    expected = int(plan.frame.contains(dated["longitude"], dated["latitude"]).sum())
    assert counters["designations_in_frame"] == expected
    assert 0 < expected < int((bundle.designations["action_kind"] == "listing").sum())
    # routes whose line has a vertex inside the frame
    import shapely

    crossing = sum(
        bool(plan.frame.contains(*shapely.get_coordinates(shapely.segmentize(g, 0.5)).T).any()) for g in rts.geometry
    )
    assert counters["routes_in_frame"] == crossing
    assert counters["strikes"] == int(inc.loc[inc["event_type"] == "boat strike", "strikes"].sum()) == 8


def test_records_with_no_position_count_only_where_the_frame_follows_the_filters(bundle):
    f = Filters(regions=("Unknown",))
    f, inc, des, rts = view_of(bundle, f)
    assert inc["latitude"].isna().all() and len(inc) == 2
    auto = cartography.plan_map(inc, des, rts, _spec(bundle, f))
    fig = _drawn(auto)
    assert {c.key: c.value for c in auto.counters}["strikes"] == 2
    assert [t.get_text() for t in fig.findobj(Text) if t.get_gid() == "empty"] == [
        "No strike of these filters is drawn in this frame"
    ]
    plt.close(fig)
    assert cartography.title_for(f) == "U.S. strikes on alleged drug boats in waters not stated"
    boxed = cartography.plan_map(inc, des, rts, _spec(bundle, f, extent=(-80, 10, -78, 12)))
    assert {c.key: c.value for c in boxed.counters}["strikes"] == 0
    assert any("neither drawn nor counted" in n for n in boxed.notes)


def test_title_subtitle_and_as_of_follow_the_filters_and_the_data(bundle):
    f = Filters(date_from=dt.date(2025, 9, 1), date_to=dt.date(2025, 10, 31), regions=("Caribbean",))
    f, inc, des, rts = view_of(bundle, f)
    svg = cartography.render_map(inc, des, rts, _spec(bundle, f, fmt="svg")).decode()
    assert "U.S. strikes on alleged drug boats in the Caribbean" in svg
    assert "1 Sep 2025 – 31 Oct 2025" in svg
    assert "Data as of 2026-10-04" in svg  # the data's date, not the end of the range
    assert "Data as of 2025-10-31" not in svg


def test_svg_carries_title_legend_counters_and_credits_as_escaped_text(bundle):
    f, inc, des, rts = view_of(bundle)
    svg = cartography.render_map(
        inc, des, rts, _spec(bundle, f, fmt="svg", title="Strikes <&> report", extent="caribbean")
    ).decode("utf-8")
    assert "Strikes &lt;&amp;&gt; report" in svg
    assert "Key" in svg and "Uncertainty of an approximate" in svg
    assert "Fatal strikes: " in svg and "Natural Earth (public domain)" in svg


def test_same_inputs_give_the_same_svg_and_pdf(bundle):
    f, inc, des, rts = view_of(bundle)
    for fmt in ("svg", "pdf"):
        a = cartography.render_map(inc, des, rts, _spec(bundle, f, fmt=fmt, extent="venezuela"))
        b = cartography.render_map(inc, des, rts, _spec(bundle, f, fmt=fmt, extent="venezuela"))
        assert a == b
    assert a.startswith(b"%PDF")


# -- empty views and bad options -------------------------------------------------------------


def test_an_empty_view_still_exports_a_map_that_says_so(bundle):
    f = Filters(text="no such text anywhere")
    f, inc, des, rts = view_of(bundle, f)
    plan = cartography.plan_map(inc, des, rts, _spec(bundle, f))
    fig = _drawn(plan)
    assert [t.get_text() for t in fig.findobj(Text) if t.get_gid() == "empty"] == ["No strikes match these filters"]
    assert {c.key: c.value for c in plan.counters}["strikes"] == 0
    plt.close(fig)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"extent": (-80, 10, -70, 10)}, "enclose no area"),
        ({"extent": (-70, 10, -80, 20)}, "enclose no area"),
        ({"extent": (-200, 10, -70, 20)}, "out of range"),
        ({"extent": "atlantis"}, "extent='atlantis' is not valid"),
        ({"filters": Filters(date_from=dt.date(2027, 1, 1))}, "date range is inverted"),
        ({"fmt": "gif"}, "fmt='gif' is not valid"),
    ],
)
def test_bad_options_are_refused_by_the_domain_code(bundle, options, message):
    f, inc, des, rts = view_of(bundle)
    options.setdefault("filters", f)
    spec = cartography.MapSpec(data_as_of=bundle.as_of.date(), **options)
    with pytest.raises(TrackerError, match=message):
        cartography.plan_map(inc, des, rts, spec)


def test_an_inverted_explicit_range_cannot_be_built():
    with pytest.raises(TrackerError, match="inverted"):
        Filters(date_from=dt.date(2026, 1, 2), date_to=dt.date(2026, 1, 1))


# -- golden images -----------------------------------------------------------------------------


def _golden_module():
    import importlib.util

    from support import ROOT

    spec = importlib.util.spec_from_file_location("golden_maps", ROOT / "scripts" / "golden_maps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_golden_comparison_catches_a_small_change(bundle):
    golden = _golden_module()
    f, inc, des, rts = view_of(bundle)
    spec = cartography.spec_for_preset(
        "screen",
        filters=f,
        data_as_of=bundle.as_of.date(),
        coverage_note=bundle.coverage_note,
        title="U.S. strikes on alleged drug boat",
    )
    img = Image.open(io.BytesIO(cartography.render_map(inc, des, rts, spec))).convert("RGB")
    assert not golden.matches(golden.scaled(img), Image.open(golden.golden_path("screen")).convert("RGB"))


@pytest.mark.parametrize("preset", list(cartography.PRESETS))
def test_each_preset_matches_its_golden_image(preset):
    """Regenerate after a deliberate change with: python3 scripts/golden_maps.py (then look at them)."""
    golden = _golden_module()
    img, ref = golden.render_preset(preset), Image.open(golden.golden_path(preset)).convert("RGB")
    assert golden.matches(img, ref), f"{preset}: {golden.difference(img, ref)}"


# -- a large view -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def large_view(bundle):
    from support import synthetic_incidents

    f = Filters(date_from=None)
    inc = synthetic_incidents(150_000, seed=7)
    return f, inc, f.apply_designations(bundle.designations), f.apply_routes(bundle.routes)


def test_a_large_view_is_drawn_in_grid_cells_with_every_text_inside_the_page_and_counts_of_the_view(bundle, large_view):
    f, inc, des, rts = large_view
    spec = _preset_spec(bundle, f, "a4-landscape")
    plan = cartography.plan_map(inc, des, rts, spec)
    fig = _drawn(plan)
    W, H = spec.size_pt
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    for t in texts:
        x0, y0, x1, y1 = pt_box(fig, t, spec.dpi)
        assert x0 >= 0 and y0 >= 0 and x1 <= W and y1 <= H, f"{t.get_text()[:40]!r} is cut"
    for a, b in itertools.combinations(["header", "map", "panel", "footer"], 2):
        assert not boxes_overlap(plan.layout[a], plan.layout[b])
    strikes = plan.strikes
    cell = float(strikes["cell_km"].iloc[0])
    assert cell > 0 and 0 < len(strikes) <= cartography.plan.MAX_SYMBOLS
    assert len(plan.symbols) == len(strikes)
    assert len([t for t in texts if t.get_gid() == "count"]) <= 60
    # the key, the subtitle and a note say the circles are grid cells
    legend = next(a for a in fig.legends if a.get_gid() == "legend")
    labels = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
    assert labels[0].startswith(f"Strikes in a grid cell of about {cell:g} km")
    assert any(f"grid cells of about {cell:g} km" in n for n in plan.notes)
    # counts match the view: every placed record is in the fitted frame, unplaced ones count too
    counters = {c.key: c.value for c in plan.counters}
    boat = inc["event_type"] == "boat strike"
    assert counters["strikes"] == int(inc.loc[boat, "strikes"].sum())
    assert counters["deaths_announced"] == int(inc["killed"].sum())
    placed = inc["latitude"].notna()
    assert strikes["records"].sum() == int(placed.sum())
    assert strikes["killed"].sum() == int(inc.loc[placed, "killed"].sum())
    plt.close(fig)


def test_a_large_view_has_a_strike_pixel_where_its_strikes_are(bundle, large_view):
    f, inc, des, rts = large_view
    spec = _spec(bundle, f, width_px=1600, height_px=1000, dpi=100, show=("basemap", "strikes"))
    plan = cartography.plan_map(inc, des, rts, spec)
    rgb = np.asarray(Image.open(io.BytesIO(cartography.render_plan(plan))).convert("RGB")).astype(int)
    strikes = plan.strikes.assign(d=plan.strikes["killed"] + plan.strikes["presumed_dead"])
    labelled = strikes.nlargest(60, "d").index  # numbers are drawn on the largest: look elsewhere
    probe = strikes.drop(labelled)
    probe = probe[probe["d"] > 0].sample(20, random_state=1)
    red = 0
    for rec in probe.itertuples():
        x, y = cartography.pixel_of(rec.longitude, rec.latitude, plan)
        r, g, b = rgb[int(round(y)), int(round(x))]
        red += int(r > 150 and g < 110 and b < 110)
    assert red == len(probe)
    # and the ocean stays ocean far from any strike: the frame's corner
    x0, y0, _x1, _y1 = (v * spec.dpi / 72 for v in plan.layout["map"])
    assert np.abs(rgb[int(y0) + 3, int(x0) + 3] - np.array(layers.OCEAN_COLOR)).max() <= 40
