"""The static map: size, dpi, the strike pixel, text, determinism, the evidence pack."""

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from tracker import export, layers, metrics, readers
from tracker.filters import Filters


@pytest.fixture(scope="module")
def view():
    b = readers.read_bundle()
    f = Filters()
    inc, des, rts = f.apply_incidents(b.incidents), f.apply_designations(b.designations), f.apply_routes(b.routes)
    counters = tuple(metrics.incident_counters(inc, as_of=b.as_of.date())) + (
        metrics.designation_counter(des, as_of=b.as_of.date()),)
    return b, f, inc, des, rts, counters


def _spec(view, **kw):
    b, f, *_rest, counters = view
    kw.setdefault("counters", counters)
    kw.setdefault("filter_line", f.caption(as_of=b.as_of.date()))
    kw.setdefault("as_of", b.as_of.date())
    return export.MapSpec(**kw)


@pytest.mark.parametrize("preset", list(export.PRESETS))
def test_png_has_the_preset_size_and_dpi(view, preset):
    w, h, dpi = export.PRESETS[preset]
    _, _, inc, des, rts, _ = view
    png = export.render_map(inc, des, rts, _spec(view, width_px=w, height_px=h, dpi=dpi, extent="caribbean"))
    img = Image.open(io.BytesIO(png))
    assert img.size == (w, h)
    assert round(img.info["dpi"][0]) == dpi


def test_a_strike_is_drawn_in_the_strike_colour_where_the_projection_puts_it(view):
    _, _, inc, des, rts, _ = view
    s03 = inc[inc["incident_id"] == "S03"]  # alone at 16.24 N, 71.52 W
    spec = _spec(view, width_px=1200, height_px=900, dpi=96, extent="caribbean", show=("basemap", "strikes"))
    png = export.render_map(s03, des.iloc[0:0], None, spec)
    x, y = export.pixel_of(-71.52, 16.24, spec, s03, des.iloc[0:0], None)
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    centre = rgb[int(round(y)), int(round(x))]
    assert np.abs(centre - np.array(layers.STRIKE_COLOR)).max() <= 12
    # 40 px away the ocean shows, not the strike
    far = rgb[int(round(y)), int(round(x)) + 40]
    assert np.abs(far - np.array(layers.OCEAN_COLOR)).max() <= 12


def test_svg_carries_title_legend_counters_and_filter_line_as_text(view):
    _, _, inc, des, rts, _ = view
    svg = export.render_map(inc, des, rts, _spec(view, fmt="svg", title="Strikes <&> report", extent="caribbean"))
    text = svg.decode("utf-8")
    assert "Strikes &lt;&amp;&gt; report" in text
    assert "Legend" in text and "Position uncertainty" in text
    assert "Fatal strikes: 63 engagements" in text
    assert "Showing where date 2025-09-01 to 2026-10-04" in text
    assert "Natural Earth (public domain)" in text and "km" in text


def test_same_inputs_give_the_same_svg_and_pdf(view):
    _, _, inc, des, rts, _ = view
    for fmt in ("svg", "pdf"):
        a = export.render_map(inc, des, rts, _spec(view, fmt=fmt, extent="venezuela"))
        b = export.render_map(inc, des, rts, _spec(view, fmt=fmt, extent="venezuela"))
        assert a == b
    assert a.startswith(b"%PDF")


def test_nothing_to_draw_is_a_clear_error(view):
    _, _, inc, des, rts, _ = view
    with pytest.raises(export.EmptyExportError, match="nothing to draw"):
        export.render_map(inc.iloc[0:0], des.iloc[0:0], rts.iloc[0:0], _spec(view))


def test_fit_extent_wraps_the_records_with_a_margin(view):
    _, _, inc, des, rts, _ = view
    spec = _spec(view, show=("strikes",))
    w, s, e, n = export.resolve_extent(spec, inc, des.iloc[0:0], None)
    placed = inc[inc["latitude"].notna()]
    assert w == placed["longitude"].min() - 2 and n == placed["latitude"].max() + 2


def test_geojson_and_gpkg_hold_the_filtered_rows(view):
    _, _, inc, des, rts, _ = view
    gj = json.loads(export.to_geojson_bytes(inc))
    assert len(gj["features"]) == 56
    unplaced = [f for f in gj["features"] if f["geometry"] is None]
    assert sorted(f["properties"]["incident_id"] for f in unplaced) == ["S37", "S55"]
    import geopandas as gpd
    g = gpd.read_file(io.BytesIO(export.to_gpkg_bytes(rts, layer="routes", routes=True)))
    assert len(g) == 29


def test_evidence_pack_manifest_matches_its_files(view):
    b, f, inc, des, rts, _ = view
    png = export.render_map(inc, des, rts, _spec(view, width_px=800, height_px=450, extent="caribbean"))
    batches = pd.DataFrame(columns=["batch_id", "file_name", "sha256"])
    data = export.evidence_pack(image=png, image_name="map.png", incidents=inc, designations=des, routes=rts,
                                filters_params=f.to_query_params(), filter_line=f.caption(), as_of=b.as_of.date(),
                                source_files=[readers.DATA_DIR / "incidents.csv"], batches=batches)
    z = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(z.read("manifest.json"))
    names = {e["name"] for e in manifest["files"]}
    assert names | {"manifest.json"} == set(z.namelist())
    import hashlib
    for entry in manifest["files"]:
        assert hashlib.sha256(z.read(entry["name"])).hexdigest() == entry["sha256"]
    assert manifest["row_counts"] == {"incidents": 56, "designations": 122, "routes": 29}
    assert manifest["as_of"] == "2026-10-04" and manifest["app_version"]
    assert manifest["source_files"][0]["sha256"] == export.sha256_file(readers.DATA_DIR / "incidents.csv")


def test_a_square_world_map_stays_within_the_mapped_latitudes(view):
    _, _, inc, des, rts, _ = view
    spec = _spec(view, width_px=1080, height_px=1080, dpi=96)
    png = export.render_map(inc, des, rts, spec)
    assert Image.open(io.BytesIO(png)).size == (1080, 1080)
    w, s, e, n = export._fit_aspect(export.resolve_extent(spec, inc, des, rts), 1080, 1080)
    assert -85 <= s < n <= 85
