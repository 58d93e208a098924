"""The stored AIS positions read back (only the columns asked for, only the days in range), and what is
derived from them: behaviour events, the vessel list with its sanctions matches, tracks for a view."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from tracker.vessels import listed
from tracker.vessels.events import EventRules, detect_events
from tracker.vessels.reading import POSITION_SCHEMA
from tracker.vessels.tracks import vessel_summary

EVENT_INPUT = ["mmsi", "time", "lat", "lon", "sog", "name", "imo", "flag"]
"""The position columns event detection and the vessel list read."""


def _bounds(since: dt.date | None, until: dt.date | None) -> ds.Expression | None:
    expr = None
    if since is not None:
        expr = ds.field("day") >= pa.scalar(since, pa.date32())
    if until is not None:
        upper = ds.field("day") <= pa.scalar(until, pa.date32())
        expr = upper if expr is None else expr & upper
    return expr


def read_positions(
    store, *, columns: list[str] | None = None, since: dt.date | None = None, until: dt.date | None = None
) -> pd.DataFrame:
    """The standing positions from day ``since`` to day ``until`` (inclusive, UTC; None: open), only ``columns``.

    Only the day files in range are opened and only the named columns read."""
    names = columns or [f.name for f in POSITION_SCHEMA]
    data = store.positions_dataset()
    if data is None:
        return POSITION_SCHEMA.empty_table().select(names).to_pandas()
    table = data.to_table(columns=names, filter=_bounds(since, until))
    frame: dict[str, pd.Series] = {}
    for name in names:  # one column at a time, each Arrow column dropped once converted: about one copy at peak
        frame[name] = table.column(name).to_pandas()
        table = table.drop_columns([name])
    del table
    pa.default_memory_pool().release_unused()  # hand the read buffers back now, not at some later allocation
    return pd.DataFrame(frame, copy=False)


def positions_between(store, start: dt.datetime, end: dt.datetime, columns: list[str]) -> pd.DataFrame:
    """The standing positions with ``start <= time <= end`` (UTC datetimes), only ``columns``: the day
    files of those days are opened, then the times filtered."""
    data = store.positions_dataset()
    if data is None:
        return POSITION_SCHEMA.empty_table().select(columns).to_pandas()
    window = _bounds(start.date(), end.date())
    moment = pa.timestamp("s", tz="UTC")
    window &= (ds.field("time") >= pa.scalar(start, moment)) & (ds.field("time") <= pa.scalar(end, moment))
    return data.to_table(columns=columns, filter=window).to_pandas()


def has_positions(store) -> bool:
    return store.positions_dataset() is not None


def events(
    store,
    *,
    rules: EventRules | None = None,
    kinds: tuple[str, ...] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> pd.DataFrame:
    """Behaviour events in the stored positions of the date range (detected on those positions only)."""
    positions = read_positions(store, columns=EVENT_INPUT, since=since, until=until)
    return detect_events(positions, rules or EventRules(), kinds)


def vessels(
    store,
    positions: pd.DataFrame | None = None,
    found: pd.DataFrame | None = None,
    *,
    entities: pd.DataFrame | None = None,
    designations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per vessel (:func:`tracker.vessels.tracks.vessel_summary`) with ``listed``: the sanctions
    matches of its IMO or MMSI, and how each was made (empty when none)."""
    if positions is None:
        positions = read_positions(store, columns=[*EVENT_INPUT, "vessel_type"])
    if found is None:
        found = detect_events(positions)
    table = vessel_summary(positions, found)
    matches = listed.match_listed(table, entities, designations)
    table["listed"] = table["mmsi"].map(listed.listed_text(matches)).fillna("")
    return table


def day_range(store) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the standing positions, or None."""
    data = store.positions_dataset()
    if data is None:
        return None
    lo, hi = pc.min_max(data.to_table(columns=["day"])["day"]).values()
    return lo.as_py(), hi.as_py()
