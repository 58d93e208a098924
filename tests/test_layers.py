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


# -- the map stays small -------------------------------------------------------------


def _big_frame(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` canonical rows built quickly: three precisions, long ids and place text, spread wide."""
    rng = np.random.default_rng(seed)
    precision = np.asarray(["exact", "approximate", "area"], dtype=object)[rng.integers(0, 3, n)]
    frame = pd.DataFrame(
        {
            "incident_id": np.char.add("a-rather-long-record-identifier-", np.arange(n).astype(str)),
            "date": pd.Timestamp("2025-09-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
            "region": np.asarray(["Caribbean", "Eastern Pacific"], dtype=object)[rng.integers(0, 2, n)],
            "event_type": "boat strike",
            "longitude": rng.uniform(-179, 179, n),
            "latitude": rng.uniform(-60, 70, n),
            "location_precision": precision,
            "radius_km": np.where(precision == "exact", 0.0, 50.0),
            "location_text": "x" * 300,
            "location_basis": "gazetteer: placed at the representative point of a long named area " * 3,
            "affiliation": np.asarray(["Tren de Aragua", "ELN", "not stated"], dtype=object)[rng.integers(0, 3, n)],
            "strikes": 1,
            "vessels": 1,
            "killed": rng.integers(0, 6, n),
            "presumed_dead": 0,
            "survivors": 0,
            "source_urls": "https://example.org/" + "y" * 200,
        }
    )
    from tracker import schema

    return schema.canonicalise("incidents", frame)


@pytest.fixture(scope="module")
def million():
    return _big_frame(1_000_000)


@pytest.mark.parametrize(
    "f",
    [Filters(), Filters(regions=("Caribbean",)), Filters(text="identifier-99"), Filters(affiliations=("ELN",))],
    ids=lambda f: f.caption(),
)
def test_the_deck_of_a_million_rows_stays_under_two_megabytes_whatever_the_filters(bundle, million, f):
    rows = f.incident_mask(million)
    deck, _legend, strikes = layers.build_map(
        million, f.apply_designations(bundle.designations), f.apply_routes(bundle.routes), rows=rows
    )
    text = deck.to_json()
    assert len(text.encode("utf-8")) <= 2_000_000
    spec = json.loads(text)
    drawn = next(layer for layer in spec["layers"] if layer["id"] == "strikes")["data"]
    assert 0 < len(drawn) <= layers.MAX_POINTS
    assert sum(strikes["records"]) == int((rows & million["latitude"].notna().to_numpy()).sum())


@pytest.mark.parametrize("max_points", [1, 7, 100, 1500])
def test_the_point_cap_holds_after_grouping_by_precision(max_points):
    frame = _big_frame(30_000, seed=2)
    # the same 400 positions under three precisions: 1,200 groups from 400 distinct positions
    frame["longitude"] = np.round(frame["longitude"] % 20, 0) - 90
    frame["latitude"] = np.round(frame["latitude"] % 20, 0)
    agg = layers.aggregate_strikes(frame, max_points=max_points)
    assert len(agg) <= max_points
    assert agg["records"].sum() == len(frame) and agg["killed"].sum() == frame["killed"].sum()
    assert len(agg.drop_duplicates(["longitude", "latitude", "precision"])) == len(agg)


def test_few_points_are_sent_one_by_one_and_many_are_grouped_in_cells():
    frame = _big_frame(1_000, seed=3)
    exact = layers.aggregate_strikes(frame, max_points=1500)
    assert (exact["cell_km"] == 0).all() and len(exact) == 1_000
    assert (exact.loc[exact["precision"] == "exact", "ring_km"] == 0).all()
    grouped = layers.aggregate_strikes(frame, max_points=100)
    assert (grouped["cell_km"] > 0).all() and len(grouped) <= 100
    assert (grouped["ring_km"] > 0).all()  # a cell's point is never drawn as an exact position
    assert grouped["tooltip"].str.contains("km grid cell").all()


def test_a_grid_cell_holds_exactly_the_rows_inside_it_and_its_ring_reaches_each_of_them():
    from tracker.layers.strikes import KM_PER_DEGREE

    frame = _big_frame(50_000, seed=4)
    frame = frame[(frame["longitude"].between(-110, -60)) & frame["latitude"].between(-5, 30)]
    agg = layers.aggregate_strikes(frame, max_points=800)
    cell = float(agg["cell_km"].iloc[0])
    assert cell > 0 and len(agg) <= 800
    lat0 = float(np.clip((frame["latitude"].min() + frame["latitude"].max()) / 2, -70, 70))
    km_per_lon = KM_PER_DEGREE * np.cos(np.radians(lat0))
    for point in agg.sample(40, random_state=0).itertuples():
        half_lon, half_lat = cell / km_per_lon / 2, cell / KM_PER_DEGREE / 2
        inside = frame[
            (frame["location_precision"] == point.precision)
            & (frame["longitude"] >= point.longitude - half_lon - 1e-9)
            & (frame["longitude"] < point.longitude + half_lon - 1e-9)
            & (frame["latitude"] >= point.latitude - half_lat - 1e-9)
            & (frame["latitude"] < point.latitude + half_lat - 1e-9)
        ]
        assert point.records == len(inside)
        assert point.killed == inside["killed"].sum() and point.strikes == inside["strikes"].sum()
        assert point.count_label == (str(point.strikes) if point.strikes >= 2 else "")
        # great-circle distance plus the record's own radius: within the ring
        p1, p2 = np.radians(point.latitude), np.radians(inside["latitude"].to_numpy())
        dlon = np.radians(inside["longitude"].to_numpy() - point.longitude)
        a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
        reach = 2 * 6371.0088 * np.arcsin(np.sqrt(a)) + inside["radius_km"].to_numpy()
        assert (reach <= point.ring_km).all()


def test_the_legend_explains_grid_cells_when_strikes_are_grouped():
    frame = _big_frame(5_000, seed=5)
    strikes = layers.aggregate_strikes(frame, max_points=200)
    labels = [e.label for e in layers.strike_legend(strikes)]
    cell = f"{strikes['cell_km'].iloc[0]:g}"
    assert labels[0].startswith(f"Strikes grouped in grid cells of about {cell} km")
    assert "dot area in proportion to the deaths in the cell" in labels[0]
    assert any(label.startswith("Number on a dot: strike engagements in that cell") for label in labels)
    assert any(label.startswith("Ring: how far the true positions of a cell's records may lie") for label in labels)


def test_tooltips_and_picking_ids_stay_short(bundle):
    long_text = bundle.incidents.assign(affiliation="A" * 500, incident_id=lambda d: d["incident_id"] + "-" + "z" * 80)
    agg = layers.aggregate_strikes(long_text)
    assert agg["tooltip"].str.len().max() <= 600
    assert (agg["all_ids"].str.len() <= 200).all()
