"""Cached data loading and the shared sidebar of filters, kept in the URL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from tracker import readers, schema
from tracker import store as store_mod
from tracker.filters import DEFAULT_START, Filters

_WIDGETS = {
    "regions": "f_regions",
    "event_types": "f_event_types",
    "affiliations": "f_affiliations",
    "authorities": "f_authorities",
    "programs": "f_programs",
    "entity_types": "f_entity_types",
    "route_types": "f_route_types",
}


@st.cache_resource
def _store(path: str) -> store_mod.Store:
    return store_mod.Store(path)


def store() -> store_mod.Store:
    """The embedded store (path from INTERDICTION_TRACKER_DB or the user's data folder)."""
    return _store(str(store_mod.default_path()))


LOADED_BUNDLES = 2
"""How many loaded bundles are kept: the current one, and the one before while sessions move on."""


@st.cache_resource(max_entries=LOADED_BUNDLES, show_spinner="Loading records…")
def _load(version: str, path: str, revision: int) -> readers.Bundle:
    return store_mod.layered(readers.read_bundle(), _store(path))


def bundle() -> readers.Bundle:
    """Bundled records plus imported ones, loaded once until a data file or the store changes.

    Kept as one shared object (``st.cache_resource``), not pickled and unpickled on each
    rerun: every session and rerun gets the same frames, so callers must treat them as
    read-only (filter, copy or derive new frames; never assign into them).
    """
    s = store()
    return _load(readers.data_version(), str(s.path), s.revision())


def _options(b: readers.Bundle) -> dict[str, list[str]]:
    def uniq(series: pd.Series) -> list[str]:
        return sorted(v for v in series.dropna().unique() if v)

    return {
        "regions": list(schema.REGIONS),
        "event_types": list(schema.EVENT_TYPES),
        "affiliations": uniq(b.incidents["affiliation"]),
        "authorities": uniq(b.designations["authority_group"]),
        "programs": uniq(b.designations["program"]),
        "entity_types": list(schema.ENTITY_TYPES),
        "route_types": list(schema.ROUTE_TYPES),
    }


def _seed_from_url(b: readers.Bundle, options: dict[str, list[str]]) -> None:
    """On a session's first run, put the URL's filters into the widgets' state."""
    if st.session_state.get("_filters_seeded"):
        return
    filters, problems = Filters.from_query_params(st.query_params)
    for name, key in _WIDGETS.items():
        chosen = getattr(filters, name)
        valid = [v for v in chosen if v in options[name]]
        for bad in [v for v in chosen if v not in options[name]]:
            problems.append(f"ignored unknown {name.replace('_', ' ')} {bad!r} from the link")
        st.session_state[key] = valid
    start = filters.date_from or DEFAULT_START
    end = filters.date_to or b.as_of.date()
    st.session_state["f_dates"] = (start, end)
    st.session_state["f_text"] = filters.text
    st.session_state["_url_problems"] = problems
    st.session_state["_filters_seeded"] = True


def sidebar_filters() -> Filters:
    """Draw the shared sidebar and return the current :class:`Filters`; keep the URL in step."""
    b = bundle()
    options = _options(b)
    _seed_from_url(b, options)
    earliest = min(b.incidents["date"].min().date(), DEFAULT_START)
    latest = max(b.as_of.date(), dt.date.today())
    with st.sidebar:
        st.header("Filters")
        dates = st.date_input(
            "Date range",
            key="f_dates",
            min_value=dt.date(2000, 1, 1),
            max_value=latest,
            help=f"Strikes are filtered by their date. Bundled records run from {earliest} to {b.as_of.date()}.",
        )
        st.multiselect("Region", options["regions"], key="f_regions", placeholder="All regions")
        st.multiselect("Event type", options["event_types"], key="f_event_types", placeholder="All event types")
        st.multiselect(
            "Alleged affiliation", options["affiliations"], key="f_affiliations", placeholder="All affiliations"
        )
        st.text_input(
            "Search text",
            key="f_text",
            max_chars=200,
            help="Matches ids, places, affiliations, names, notes (case-insensitive).",
        )
        with st.expander("Designations and routes", expanded=False):
            st.multiselect("Authority", options["authorities"], key="f_authorities", placeholder="All authorities")
            st.multiselect("Program", options["programs"], key="f_programs", placeholder="All programs")
            st.multiselect("Entity type", options["entity_types"], key="f_entity_types", placeholder="All entity types")
            st.multiselect("Route type", options["route_types"], key="f_route_types", placeholder="All route types")
        for message in st.session_state.get("_url_problems", []):
            st.warning(message)
    date_from, date_to = DEFAULT_START, b.as_of.date()
    if isinstance(dates, (tuple, list)) and len(dates) == 2:
        date_from, date_to = dates
    elif isinstance(dates, (tuple, list)) and len(dates) == 1:
        date_from, date_to = dates[0], b.as_of.date()
    filters = Filters(
        date_from=date_from,
        date_to=None if date_to == b.as_of.date() else date_to,
        text=st.session_state.get("f_text", ""),
        **{name: tuple(st.session_state.get(key, [])) for name, key in _WIDGETS.items()},
    )
    wanted = filters.to_query_params()
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    normalised = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if current != normalised:
        st.query_params.from_dict(wanted)
    return filters


def current_filters() -> Filters:
    """The filters the shared sidebar set on this run."""
    return st.session_state.get("filters", Filters())


@st.cache_resource(max_entries=LOADED_BUNDLES, show_spinner="Loading sanctions lists…")
def _lists(path: str, revision: int):
    from tracker.sanctions import importing, search

    entities = importing.standing_entities(_store(path))
    return entities, search.build_search_index(entities)


def sanctions_lists():
    """The entities of the imported lists as they stand and their search index, loaded once per store revision."""
    s = store()
    return _lists(str(s.path), s.revision())


@st.cache_resource(max_entries=8, show_spinner="Comparing the two imports…")
def _list_changes(path: str, old_batch: str, new_batch: str):
    from tracker.sanctions import entities as ent

    s = _store(path)
    return ent.list_diff(
        ent.entities_frame(s.read_list(old_batch).to_dict("records")),
        ent.entities_frame(s.read_list(new_batch).to_dict("records")),
    )


def list_changes(old_batch: str, new_batch: str):
    """What changed in a list from one import to the next (imports never change once stored: cached by their ids)."""
    return _list_changes(str(store().path), old_batch, new_batch)
