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
    return Summary(
        counters=metrics.view_counters(_b.incidents, designations, as_of=as_of, rows=rows),
        weekly=metrics.weekly_series(_b.incidents, rows=rows),
    )


def summary(filters: Filters) -> Summary:
    """The counters (incidents, then designations to date) and the weekly timeline of ``filters``."""
    return _summary(data_key(), repr(filters), bundle(), filters)
