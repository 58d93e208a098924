"""What a page shows for one filter state, computed once and cached per filters and data revision.

The counters, the map (its deck JSON and legend) and the weekly timeline are computed from a
row mask over the cached bundle's frames (no filtered copy of the incidents is made) and
cached with ``st.cache_data`` keyed on the filters, the shown layers and the data's revision
(bundled files and the store).  The bundle is read, never changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from tracker import layers, metrics, readers
from tracker.filters import Filters
from ui.state import bundle, store


@dataclass(frozen=True)
class MapView:
    """The browser map of one view: its deck's JSON, its legend and what it leaves undrawn."""

    deck_json: str
    legend: list[layers.LegendEntry]
    unplaced: int
    """Strike records in view with no usable position: counted, never drawn."""
    points: int
    """Strike points drawn (positions, or grid cells when there are too many)."""
    cell_km: float
    """The grid cell side when strikes are grouped in cells, else 0."""

    def deck(self) -> layers.PrebuiltDeck:
        return layers.PrebuiltDeck(self.deck_json)


@dataclass(frozen=True)
class Summary:
    """The counters and the weekly timeline of one view."""

    counters: list[metrics.Counter]
    weekly: pd.DataFrame


def data_key() -> tuple[str, str, int]:
    """Changes whenever the data a page reads changes: the bundled files and the store's revision."""
    s = store()
    return readers.data_version(), str(s.path), s.revision()


@st.cache_data(max_entries=64, show_spinner=False)
def _map_view(
    key: tuple, filters: str, show: tuple[str, ...], context: bool, _b: readers.Bundle, _f: Filters
) -> MapView:
    rows = _f.incident_mask(_b.incidents)
    designations = _f.apply_designations(_b.designations) if context else _b.designations.iloc[0:0]
    routes = _f.apply_routes(_b.routes) if context else _b.routes.iloc[0:0]
    deck, legend, strikes = layers.build_map(_b.incidents, designations, routes, show=show, rows=rows)
    if "vessels" in show:
        from tracker.layers import vessels as vessel_layers

        ais = vessel_layer(_f)
        if not ais.empty:  # tracks under the rings and strikes; event markers above them (small, never hidden)
            at = next((i for i, layer in enumerate(deck.layers) if layer.id in ("rings", "strikes")), len(deck.layers))
            built = vessel_layers.vessel_deck_layers(ais)
            tracks = [x for x in built if str(x.id).startswith("vessel_tracks_")]
            deck.layers[at:at] = tracks
            deck.layers.extend(x for x in built if x not in tracks)
            legend = legend + vessel_layers.vessel_legend(ais)
    placed = _b.incidents["latitude"].notna().to_numpy() & _b.incidents["longitude"].notna().to_numpy()
    return MapView(
        deck_json=deck.to_json(),
        legend=legend,
        unplaced=int((rows & ~placed).sum()),
        points=len(strikes),
        cell_km=float(strikes["cell_km"].iloc[0]) if len(strikes) else 0.0,
    )


def map_view(filters: Filters, *, show: tuple[str, ...], context: bool = True) -> MapView:
    """The map of the strikes in ``filters`` (with their designations and routes when ``context``)."""
    return _map_view(data_key(), repr(filters), tuple(show), context, bundle(), filters)


@st.cache_data(max_entries=64, show_spinner=False)
def _summary(key: tuple, filters: str, _b: readers.Bundle, _f: Filters) -> Summary:
    rows = _f.incident_mask(_b.incidents)
    as_of = metrics.counters_as_of(_f.date_to, _b.as_of.date())
    designations = _f.apply_designations(_b.designations)
    counters = metrics.view_counters(_b.incidents, designations, as_of=as_of, rows=rows)
    return Summary(
        counters=metrics.with_reported_ranges(counters, _b.incidents[rows], _b.reports),
        weekly=metrics.weekly_series(_b.incidents, rows=rows),
    )


def summary(filters: Filters) -> Summary:
    """The counters (incidents, then designations to date) and the weekly timeline of ``filters``."""
    return _summary(data_key(), repr(filters), bundle(), filters)


# -- AIS positions -----------------------------------------------------------------------

MAP_POSITION_COLUMNS = ["mmsi", "time", "lat", "lon", "name", "vessel_type"]


@st.cache_data(max_entries=8, show_spinner="Finding behaviour events in the AIS positions…")
def _events(key: tuple, rules: str, _rules) -> pd.DataFrame:
    from tracker.vessels import stored

    return stored.events(store(), rules=_rules)


def vessel_events(rules=None) -> pd.DataFrame:
    """The behaviour events of every stored position under ``rules`` (default: the published defaults),
    found once per data revision and rules."""
    from tracker.vessels.events import EventRules

    rules = rules or EventRules()
    return _events(data_key(), repr(rules), rules)


@st.cache_data(max_entries=16, show_spinner="Drawing the vessel tracks…")
def _vessel_layer(key: tuple, since, until):
    from tracker.vessels import stored, view

    s = store()
    if not stored.has_positions(s):
        return view.empty_layer()
    positions = stored.read_positions(s, columns=MAP_POSITION_COLUMNS, since=since, until=until)
    return view.vessel_layer(positions, vessel_events(), since=since, until=until)


def vessel_layer(filters: Filters):
    """The vessel tracks and events in the filters' date range (:class:`tracker.vessels.view.VesselLayer`)."""
    return _vessel_layer(data_key(), filters.date_from, filters.date_to)


@st.cache_data(max_entries=8, show_spinner="Listing the vessels…")
def _vessel_table(key: tuple, rules: str, _rules) -> pd.DataFrame:
    from tracker.sanctions import importing
    from tracker.vessels import stored

    s = store()
    positions = stored.read_positions(s, columns=stored.EVENT_INPUT + ["vessel_type"])
    return stored.vessels(
        s,
        positions,
        vessel_events(_rules),
        entities=importing.standing_entities(s),
        designations=bundle().designations,
    )


def vessel_table(rules=None) -> pd.DataFrame:
    """One row per vessel of the stored positions, with its events under ``rules`` and its sanctions matches."""
    from tracker.vessels.events import EventRules

    rules = rules or EventRules()
    return _vessel_table(data_key(), repr(rules), rules)


@st.cache_data(max_entries=32, show_spinner=False)
def _vessel_track(key: tuple, mmsi: int) -> pd.DataFrame:
    import pyarrow.dataset as ds

    data = store().positions_dataset()
    if data is None:
        return pd.DataFrame()
    columns = ["time", "lat", "lon", "sog", "cog", "name", "imo", "vessel_type", "row"]
    table = data.to_table(columns=columns, filter=ds.field("mmsi") == mmsi)
    return table.to_pandas().sort_values("time", ignore_index=True)


def vessel_track(mmsi: int) -> pd.DataFrame:
    """Every stored position of one vessel, in time order."""
    return _vessel_track(data_key(), int(mmsi))


@st.cache_data(max_entries=16, show_spinner="Drawing the tracks of the window…")
def _window_layer(key: tuple, start, end, rules: str, _rules):
    from tracker.vessels import stored, view

    positions = stored.positions_between(store(), start, end, MAP_POSITION_COLUMNS)
    events = vessel_events(_rules)
    if len(events):
        starts = pd.to_datetime(events["start"], utc=True)
        events = events[(starts >= pd.Timestamp(start)) & (starts <= pd.Timestamp(end))]
    return view.vessel_layer(positions, events.reset_index(drop=True))


def window_layer(start, end, rules=None):
    """The tracks and events (under ``rules``, default: the published ones) between two UTC times."""
    from tracker.vessels.events import EventRules

    rules = rules or EventRules()
    return _window_layer(data_key(), start, end, repr(rules), rules)


@st.cache_data(max_entries=8, show_spinner=False)
def _vessel_identifiers(key: tuple) -> pd.DataFrame:
    from tracker.vessels import stored

    p = stored.read_positions(store(), columns=["mmsi", "imo"])
    every = p["mmsi"].drop_duplicates()
    known = p.dropna(subset=["imo"]).astype({"imo": str}).drop_duplicates()
    imos = known.groupby("mmsi")["imo"].agg("; ".join)
    return pd.DataFrame({"mmsi": every.to_numpy(), "imo": every.map(imos).to_numpy()})


def vessel_identifiers() -> pd.DataFrame:
    """One row per stored MMSI with its IMO numbers ('; '-joined): all a listing match needs, read light."""
    return _vessel_identifiers(data_key())
