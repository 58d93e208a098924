import io

import pandas as pd

from tracker import export


def test_formula_cells_are_neutralised_but_numbers_are_not():
    frame = pd.DataFrame(
        {
            "text": ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "-70.1", "plain", "\t=1"],
            "number": [1, 2, 3, 4, 5, 6, 7],
        }
    )
    out = pd.read_csv(io.BytesIO(export.to_csv_bytes(frame)), encoding="utf-8-sig", dtype=str)
    assert list(out["text"]) == [
        '\'=HYPERLINK("http://x","y")',
        "'+cmd|' /C calc'!A0",
        "'@SUM(1)",
        "'-2+3",
        "-70.1",
        "plain",
        "'\t=1",
    ]
    assert list(out["number"]) == [str(i) for i in range(1, 8)]


# -- data files and the evidence pack ----------------------------------------------------------

import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import zipfile  # noqa: E402

import geopandas as gpd  # noqa: E402
import pytest  # noqa: E402

from tracker import cartography, readers  # noqa: E402
from tracker.basemap import BASEMAP_PATH, LABELS_PATH  # noqa: E402
from tracker.filters import Filters  # noqa: E402


@pytest.fixture(scope="module")
def bundle():
    return readers.read_bundle()


def _pack(bundle, f: Filters, **spec_options):
    inc, des, rts = (
        f.apply_incidents(bundle.incidents),
        f.apply_designations(bundle.designations),
        f.apply_routes(bundle.routes),
    )
    spec = cartography.MapSpec(
        width_px=800, height_px=600, dpi=96, filters=f, data_as_of=bundle.as_of.date(), **spec_options
    )
    plan = cartography.plan_map(inc, des, rts, spec)
    png = cartography.render_plan(plan)
    batches = pd.DataFrame(columns=["batch_id", "file_name", "sha256"])
    data = export.evidence_pack(
        image=png,
        plan=plan,
        incidents=inc,
        designations=des,
        routes=rts,
        batches=batches,
    )
    return zipfile.ZipFile(io.BytesIO(data)), plan


def test_geojson_and_gpkg_hold_the_filtered_rows(bundle):
    inc = Filters().apply_incidents(bundle.incidents)
    gj = json.loads(export.to_geojson_bytes(inc))
    assert len(gj["features"]) == 56
    unplaced = [f for f in gj["features"] if f["geometry"] is None]
    assert sorted(f["properties"]["incident_id"] for f in unplaced) == ["S37", "S55"]
    g = gpd.read_file(io.BytesIO(export.to_gpkg_bytes(bundle.routes, layer="routes", routes=True)))
    assert len(g) == 29


def test_evidence_pack_manifest_records_the_whole_view_and_matches_its_files(bundle):
    z, plan = _pack(bundle, Filters(regions=("Caribbean",)), preset="custom")
    manifest = json.loads(z.read("manifest.json"))
    assert {e["name"] for e in manifest["files"]} | {"manifest.json"} == set(z.namelist())
    for entry in manifest["files"]:
        assert hashlib.sha256(z.read(entry["name"])).hexdigest() == entry["sha256"]
    # every filter, defaults included
    assert manifest["filters"]["regions"] == ["Caribbean"] and manifest["filters"]["date_from"] == "2025-09-01"
    assert manifest["filters"]["date_to"] is None and manifest["date_range"]["to"] == "2026-10-04"
    assert manifest["data_as_of"] == "2026-10-04"
    m = manifest["map"]
    assert m["extent_option"] == "auto" and m["requested_bounds"] == list(cartography.REGIONS["caribbean"])
    assert m["preset"] == "custom" and m["layers"] == list(cartography.layers.LAYER_NAMES)
    assert "laea" in m["projection"] and m["counters"]["strikes"]["value"] == 19
    hashes = {s["name"]: s["sha256"] for s in manifest["source_files"]}
    assert hashes["basemap/countries.geojson"] == export.sha256_file(BASEMAP_PATH)
    assert hashes["basemap/labels.csv"] == export.sha256_file(LABELS_PATH)
    assert hashes["incidents.csv"] == export.sha256_file(readers.DATA_DIR / "incidents.csv")
    # the data say which rows the map drew and counted
    inc = pd.read_csv(io.BytesIO(z.read("incidents.csv")), encoding="utf-8-sig")
    assert inc["in_map_frame"].sum() == len(plan.incidents) == manifest["rows_in_map_frame"]["incidents"]
    routes = json.loads(z.read("routes.geojson"))["features"]
    assert sum(r["properties"]["in_map_frame"] for r in routes) == m["counters"]["routes_in_frame"]["value"]


def test_the_packed_designations_follow_the_map_date_rule(bundle):
    z, plan = _pack(bundle, Filters(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 2, 1)))
    manifest = json.loads(z.read("manifest.json"))
    des = pd.read_csv(io.BytesIO(z.read("designations.csv")), encoding="utf-8-sig")
    assert des.empty and manifest["row_counts"]["designations"] == 0


def test_an_empty_view_still_builds_the_pack_with_zero_row_files(bundle):
    z, plan = _pack(bundle, Filters(date_from=dt.date(2026, 10, 5), date_to=dt.date(2026, 10, 6), text="nothing such"))
    assert plan.incidents.empty
    assert pd.read_csv(io.BytesIO(z.read("incidents.csv")), encoding="utf-8-sig").empty
    assert json.loads(z.read("incidents.geojson"))["features"] == []
    assert z.read("map.png").startswith(b"\x89PNG")
