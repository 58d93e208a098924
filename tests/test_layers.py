import json

import numpy as np
import pandas as pd
import pytest

from tracker import layers


def _deck_json(bundle, incidents=None, **kw):
    inc = bundle.incidents if incidents is None else incidents
    deck = layers.build_deck(layers.build_layers(inc, bundle.designations, bundle.routes, **kw))
    return json.loads(deck.to_json())


def test_deck_asks_for_no_tiles_and_uses_text_tooltips(bundle):
    spec = _deck_json(bundle)
    assert "mapProvider" not in spec
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")
    text = json.dumps(spec)
    assert "cartocdn" not in text and "mapbox" not in text
    deck = layers.build_deck([])
    assert deck._tooltip == {"text": "{tooltip}"}


def test_layers_are_drawn_in_order_with_pixel_units(bundle):
    spec = _deck_json(bundle)
    assert [l["id"] for l in spec["layers"]] == ["ocean", "basemap", "routes", "designations", "rings", "strikes"]
    strikes = spec["layers"][-1]
    assert strikes["radiusUnits"] == "pixels"
    assert spec["layers"][-2]["radiusUnits"] == "meters"


def test_strikes_are_grouped_by_position_and_sized_by_deaths(bundle):
    agg = layers.aggregate_strikes(bundle.incidents)
    assert agg["records"].sum() == 54  # 56 records, 2 without a position
    s11 = agg[agg["ids"] == "S11"].iloc[0]
    assert (s11["longitude"], s11["latitude"], s11["killed"], s11["presumed_dead"]) == (-105.0, 11.77, 14, 1)
    assert s11["radius_px"] == pytest.approx(4 + 2.2 * np.sqrt(15))
    assert "within about 120 km" in s11["tooltip"]


def test_data_text_never_enters_an_accessor(bundle):
    hostile = bundle.incidents.head(1).assign(
        affiliation_text="<img src=x onerror=alert(1)>", affiliation="${alert(1)}",
        location_text="=HYPERLINK(\"http://x\")")
    spec = _deck_json(bundle, incidents=hostile)
    strikes = spec["layers"][-1]
    accessors = {k: v for k, v in strikes.items() if k.startswith("get")}
    assert "alert" not in json.dumps(accessors)
    assert "${alert(1)}" in strikes["data"][0]["tooltip"]  # present only as data


def test_a_million_rows_are_aggregated_before_the_browser(bundle):
    rng = np.random.default_rng(0)
    n = 1_000_000
    big = pd.DataFrame({
        "incident_id": np.arange(n).astype(str), "date": pd.Timestamp("2025-10-01"),
        "longitude": rng.uniform(-100, -60, n), "latitude": rng.uniform(0, 25, n),
        "location_precision": "exact", "radius_km": 0.0, "strikes": 1, "killed": 1, "presumed_dead": 0,
    }).astype({"strikes": "Int64", "killed": "Int64", "presumed_dead": "Int64"})
    agg = layers.aggregate_strikes(big, max_points=5000)
    assert 0 < len(agg) <= 5000
    assert agg["records"].sum() == n and agg["killed"].sum() == n
    assert agg["tooltip"].str.contains("grid").all()


def test_schematic_routes_are_thinner_and_fainter(bundle):
    paths = layers.route_paths(bundle.routes)
    schematic = paths[paths["schematic"]]
    traced = paths[~paths["schematic"]]
    assert (schematic["width"] < traced["width"].min()).all()
    assert all(c[3] < 200 for c in schematic["color"]) and all(c[3] > 200 for c in traced["color"])


def test_area_level_designations_are_hollow(bundle):
    pts = layers.aggregate_designations(bundle.designations)
    assert (pts.loc[~pts["filled"], "fill"].map(lambda c: c[3]) == 0).all()
    assert pts["count"].sum() == bundle.designations["latitude"].notna().sum()
