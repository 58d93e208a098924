import json

import numpy as np
import pandas as pd
import pytest

from tracker import layers
from tracker.filters import Filters


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
    assert [l["id"] for l in spec["layers"]] == [
        "ocean",
        "basemap",
        "routes",
        "designations",
        "rings",
        "strikes",
        "strike_counts",
    ]
    by_id = {l["id"]: l for l in spec["layers"]}
    assert by_id["strikes"]["radiusUnits"] == "pixels"
    assert by_id["rings"]["radiusUnits"] == "meters"
    assert by_id["strike_counts"]["sizeUnits"] == "pixels"


def test_strikes_are_grouped_by_position_and_sized_by_deaths(bundle):
    agg = layers.aggregate_strikes(bundle.incidents)
    assert agg["records"].sum() == 54  # 56 records, 2 without a position
    s11 = agg[agg["ids"] == "S11"].iloc[0]
    assert (s11["longitude"], s11["latitude"], s11["killed"], s11["presumed_dead"]) == (-105.0, 11.77, 14, 1)
    assert s11["symbol_px"] == pytest.approx(layers.strike_symbol_px(np.array([15.0]))[0])
    assert s11["symbol_px"] ** 2 / layers.strike_symbol_px(np.array([60.0]))[0] ** 2 == pytest.approx(0.25)
    assert "within about 120 km" in s11["tooltip"]


def test_data_text_never_enters_an_accessor(bundle):
    hostile = bundle.incidents.head(1).assign(
        affiliation_text="<img src=x onerror=alert(1)>",
        affiliation="${alert(1)}",
        location_text='=HYPERLINK("http://x")',
    )
    spec = _deck_json(bundle, incidents=hostile)
    strikes = next(l for l in spec["layers"] if l["id"] == "strikes")
    accessors = {k: v for k, v in strikes.items() if k.startswith("get")}
    assert "alert" not in json.dumps(accessors)
    assert "${alert(1)}" in strikes["data"][0]["tooltip"]  # present only as data


def test_a_million_rows_are_aggregated_before_the_browser(bundle):
    rng = np.random.default_rng(0)
    n = 1_000_000
    big = pd.DataFrame(
        {
            "incident_id": np.arange(n).astype(str),
            "date": pd.Timestamp("2025-10-01"),
            "longitude": rng.uniform(-100, -60, n),
            "latitude": rng.uniform(0, 25, n),
            "location_precision": "exact",
            "radius_km": 0.0,
            "strikes": 1,
            "killed": 1,
            "presumed_dead": 0,
        }
    ).astype({"strikes": "Int64", "killed": "Int64", "presumed_dead": "Int64"})
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


# -- counts on stacked positions ----------------------------------------------------


def _default_view(bundle):
    f = Filters()
    return f.apply_incidents(bundle.incidents), f.apply_designations(bundle.designations), f.apply_routes(bundle.routes)


def test_stacked_strike_positions_show_their_count_as_a_text_layer(bundle):
    incidents, designations, routes = _default_view(bundle)
    spec = json.loads(layers.build_deck(layers.build_layers(incidents, designations, routes)).to_json())
    text = next(l for l in spec["layers"] if l["id"] == "strike_counts")
    assert text["@@type"] == "TextLayer" and text["getText"] == "@@=count_label"
    assert text["fontSettings"] == {"sdf": True} and text["outlineWidth"] > 0 and text["pickable"] is False
    labels = {(row["longitude"], row["latitude"]): row["count_label"] for row in text["data"]}
    # 29 records (34 engagements) at the Eastern Pacific point, 15 at the Caribbean Sea point;
    # single-strike positions carry no number.
    assert labels == {
        (-88.0, 8.0): "34",
        (-75.0, 14.5): "15",
        (-79.5, 3.5): "5",
        (-105.0, 11.77): "3",
        (-97.0, 9.75): "3",
        (-67.0, 12.3): "3",
    }
    assert set(text["data"][0]) == {"longitude", "latitude", "count_label"}  # nothing else is sent


def test_stacked_strike_tooltip_says_how_many_and_where(bundle):
    agg = layers.aggregate_strikes(_default_view(bundle)[0]).set_index(["longitude", "latitude"])
    assert agg.loc[(-88.0, 8.0), "tooltip"].startswith(
        "34 strikes placed at the same position (area: representative point of 'Eastern Pacific')\n29 record(s)"
    )
    assert agg.loc[(-75.0, 14.5), "tooltip"].startswith(
        "15 strikes placed at the same position (area: representative point of 'Caribbean Sea')"
    )
    assert agg.loc[(-105.0, 11.77), "tooltip"].startswith("3 strikes reported together, placed at one position")
    assert agg.loc[(-83.89, 6.66), "tooltip"].startswith("1 record(s), 1 strike(s)")
    assert agg.loc[(-83.89, 6.66), "count_label"] == ""


def test_strike_symbol_area_is_proportional_to_deaths_above_a_minimum():
    px = layers.strike_symbol_px(np.array([0, 1, 4, 16, 98]))
    assert px[0] == px[1] == layers.STRIKE_SYMBOL_MIN_PX  # no deaths: still visible
    assert (px[4] / px[3]) ** 2 == pytest.approx(98 / 16)
    assert (px[3] / px[2]) ** 2 == pytest.approx(16 / 4)


def test_no_accessor_string_carries_data(bundle):
    hostile = bundle.incidents.assign(location_basis="x: placed at ${alert(1)}; y", affiliation="'+alert(1)+'")
    spec = _deck_json(bundle, incidents=hostile)
    expressions = {
        value
        for layer in spec["layers"]
        for key, value in layer.items()
        if isinstance(value, str) and value.startswith("@@=")
    }
    assert expressions == {
        "@@=polygon",
        "@@=path",
        "@@=color",
        "@@=width",
        "@@=[longitude, latitude]",
        "@@=fill",
        "@@=radius_px",
        "@@=radius_km * 1000",
        "@@=symbol_px",
        "@@=count_label",
    }


# -- legend ---------------------------------------------------------------------------


def test_legend_lists_every_drawn_kind_in_its_drawn_colour(bundle):
    entries = layers.legend_entries(*_default_view(bundle))
    by_label = {e.label: e for e in entries}
    assert [e.layer for e in entries][:3] == ["strikes", "strikes", "rings"]
    assert by_label["Route: drug trafficking"].rgba == tuple(layers.ROUTE_COLORS["drug trafficking"]) + (230,)
    assert by_label["Route: drug trafficking"].style == "line"
    assert {e.style for e in entries if e.layer == "routes"} == {"line", "thin line"}  # 21 routes are schematic
    organizations = next(e for e in entries if e.label.startswith("Designations: organization"))
    assert organizations.rgba[:3] == tuple(layers.ENTITY_COLORS["organization"]) and organizations.style == "dot"
    assert any(e.style == "count" for e in entries)


def test_legend_leaves_out_hidden_layers_and_absent_types(bundle):
    incidents, designations, routes = _default_view(bundle)
    only_strikes = layers.legend_entries(incidents, designations, routes, show=("basemap", "strikes"))
    assert {e.layer for e in only_strikes} == {"strikes"}

    tankers = Filters(route_types=("sanctioned tanker",)).apply_routes(bundle.routes)
    vessels = Filters(entity_types=("vessel",)).apply_designations(bundle.designations)
    entries = layers.legend_entries(incidents.iloc[0:0], vessels, tankers)
    assert [e.label for e in entries if e.layer == "routes"][0] == "Route: sanctioned tanker"
    assert not any("drug trafficking" in e.label for e in entries)
    kinds = [e.label.split(" (")[0] for e in entries if e.layer == "designations"]
    # bundled vessels are all placed at country level or not at all: drawn hollow, so listed hollow
    assert kinds == [
        "Designations: vessel",
        "Hollow circle: designation placed at country or area level, not at an address",
    ]
    assert next(e for e in entries if e.label.startswith("Designations: vessel")).style == "hollow dot"
    assert not any(e.layer in ("strikes", "rings") for e in entries)  # nothing placed, nothing listed


def test_legend_has_no_count_entry_when_nothing_is_stacked(bundle):
    single = bundle.incidents[bundle.incidents["incident_id"] == "S36"]
    entries = layers.legend_entries(single, bundle.designations.iloc[0:0], bundle.routes.iloc[0:0])
    assert [e.style for e in entries] == ["dot", "ring"]
