"""Counters and time series computed from filtered canonical frames.

Every counter is a :class:`Counter` carrying its unit, its definition and the
as-of date it holds for, so a page can show them beside the number.  The
definition of each counter is the docstring of the function that computes it.

Units used by public tallies differ ("strikes" are engagements, "boats" are
vessels, some outlets count announcements), and official death tolls add
deaths announced at the time to survivors later presumed dead.  The counters
keep each of these apart.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from tracker.incident_arrays import incident_arrays


@dataclass(frozen=True)
class Counter:
    """One number shown to the user, with what it counts and when it holds."""

    key: str
    label: str
    value: int
    unit: str
    definition: str
    as_of: dt.date | None
    caveat: str = ""
    face: str = ""
    """A short definition shown on the counter itself (the full one is ``definition``)."""
    reported: str = ""
    """The range across other sources where they differ from the announced figure ("reported 192–195"),
    else empty; the announced figure stays the counter's value."""


@dataclass(frozen=True)
class _Rows:
    """The incident columns the counters read, as float arrays (missing as NaN), of the rows in view."""

    boat_strike: np.ndarray
    strikes: np.ndarray
    vessels: np.ndarray
    killed: np.ndarray
    presumed_dead: np.ndarray
    survivors: np.ndarray

    @classmethod
    def of(cls, incidents: pd.DataFrame, rows: np.ndarray | None = None) -> _Rows:
        """The counted columns of ``incidents``, or of the rows a boolean mask ``rows`` selects."""
        arrays = incident_arrays(incidents)
        keep = slice(None) if rows is None else np.asarray(rows, dtype=bool)
        return cls(
            boat_strike=arrays.boat_strike[keep],
            strikes=arrays.numbers("strikes")[keep],
            vessels=arrays.numbers("vessels")[keep],
            killed=arrays.numbers("killed")[keep],
            presumed_dead=arrays.numbers("presumed_dead")[keep],
            survivors=arrays.numbers("survivors")[keep],
        )


def _sum(values: np.ndarray) -> int:
    return int(np.nansum(values)) if len(values) else 0


def _strikes(r: _Rows) -> int:
    return _sum(r.strikes[r.boat_strike])


def _fatal_strikes(r: _Rows) -> int:
    deaths = np.nan_to_num(r.killed) + np.nan_to_num(r.presumed_dead)
    return _sum(r.strikes[r.boat_strike & (deaths > 0)])


def _vessels(r: _Rows) -> int:
    return _sum(r.vessels[r.boat_strike])


def _deaths_announced(r: _Rows) -> int:
    return _sum(r.killed)


def _presumed_dead(r: _Rows) -> int:
    return _sum(r.presumed_dead)


def _survivors(r: _Rows) -> int:
    return _sum(r.survivors)


def _living_survivors(r: _Rows) -> int:
    return _sum(np.clip(r.survivors - np.nan_to_num(r.presumed_dead), 0, None))


def count_strikes(incidents: pd.DataFrame) -> int:
    """Strike engagements: the sum of `strikes` over boat-strike rows (27 Oct 2025 counts 3)."""
    return _strikes(_Rows.of(incidents))


def count_fatal_strikes(incidents: pd.DataFrame) -> int:
    """Fatal strike engagements: the sum of `strikes` over boat-strike rows with at least one death
    announced or presumed. Rows with no death figure are not counted as fatal."""
    return _fatal_strikes(_Rows.of(incidents))


def count_vessels(incidents: pd.DataFrame) -> int:
    """Vessels struck: the sum of `vessels` over boat-strike rows (27 Oct 2025 counts 4)."""
    return _vessels(_Rows.of(incidents))


def count_deaths_announced(incidents: pd.DataFrame) -> int:
    """People killed as announced at the time: the sum of `killed`; rows with no figure add nothing."""
    return _deaths_announced(_Rows.of(incidents))


def count_presumed_dead(incidents: pd.DataFrame) -> int:
    """Survivors later presumed dead after searches ended: the sum of `presumed_dead`."""
    return _presumed_dead(_Rows.of(incidents))


def count_deaths_with_presumed(incidents: pd.DataFrame) -> int:
    """Deaths as official tallies give them: announced deaths plus survivors presumed dead."""
    r = _Rows.of(incidents)
    return _deaths_announced(r) + _presumed_dead(r)


def count_survivors(incidents: pd.DataFrame) -> int:
    """People reported to have survived the strike itself (including those later presumed dead)."""
    return _survivors(_Rows.of(incidents))


def count_living_survivors(incidents: pd.DataFrame) -> int:
    """Survivors not later presumed dead: per row, people reported to have survived the strike
    minus those of them later presumed dead after searches ended (never below zero)."""
    return _living_survivors(_Rows.of(incidents))


def count_designations(designations: pd.DataFrame) -> int:
    """Designation actions in view that are sanctions or terrorist listings (one row per
    authority and action on an entity); export denials, seizures and non-binding motions are left out."""
    return int((designations["action_kind"] == "listing").sum())


def definition(func: Callable[..., int]) -> str:
    """A counter's definition: its function's docstring on one line."""
    return " ".join((inspect.getdoc(func) or "").split())


def incident_counters(
    incidents: pd.DataFrame, *, as_of: dt.date | None, rows: np.ndarray | None = None
) -> list[Counter]:
    """The Overview counters for a filtered incident frame, or for the rows of ``incidents``
    that a boolean mask ``rows`` selects (the same numbers, without copying the frame)."""
    r = _Rows.of(incidents, rows)
    no_figure = int(np.isnan(r.killed).sum())
    no_figure_note = f"{no_figure} row(s) in view have no death figure" if no_figure else ""
    spec = [
        ("strikes", "Strikes", count_strikes, _strikes(r), "engagements", ""),
        ("fatal_strikes", "Fatal strikes", count_fatal_strikes, _fatal_strikes(r), "engagements", no_figure_note),
        ("vessels", "Vessels struck", count_vessels, _vessels(r), "vessels", ""),
        (
            "deaths_announced",
            "Deaths announced",
            count_deaths_announced,
            _deaths_announced(r),
            "people",
            no_figure_note,
        ),
        ("presumed_dead", "Survivors presumed dead", count_presumed_dead, _presumed_dead(r), "people", ""),
        (
            "deaths_with_presumed",
            "Deaths incl. presumed",
            count_deaths_with_presumed,
            _deaths_announced(r) + _presumed_dead(r),
            "people",
            no_figure_note,
        ),
        ("living_survivors", "Living survivors", count_living_survivors, _living_survivors(r), "people", ""),
    ]
    counters = [
        Counter(key, label, value, unit, definition(func), as_of, caveat)
        for key, label, func, value, unit, caveat in spec
    ]
    survived, presumed = _survivors(r), _presumed_dead(r)
    face = f"survived the strike and not later presumed dead: {survived} survived, {presumed} of them presumed dead"
    return [replace(c, face=face) if c.key == "living_survivors" else c for c in counters]


RANGED = {"deaths_announced": "killed", "vessels": "vessels", "presumed_dead": "presumed_dead"}
"""Counters that show the range across sources, and the report field each is compared with."""


def with_reported_ranges(
    counters: list[Counter], incidents_in_view: pd.DataFrame, reports: pd.DataFrame
) -> list[Counter]:
    """The counters with, where other sources' figures differ, the reported range beside the announced
    value (:func:`tracker.reports.range_text`); the value itself never changes."""
    from tracker import reports as rp

    out = []
    for c in counters:
        field = RANGED.get(c.key)
        if field is None or reports is None or not len(reports):
            out.append(c)
            continue
        text = rp.range_text(incidents_in_view, reports, field)
        out.append(replace(c, reported=text, definition=c.definition + (" " + rp.RANGE_DEFINITION if text else "")))
    return out


def designation_counter(designations: pd.DataFrame, *, as_of: dt.date | None) -> Counter:
    """The "designations to date" counter: the sidebar's designation filters apply, the region
    filter does not (it picks strikes by their region), and the date range's end bounds it."""
    other = int((designations["action_kind"] != "listing").sum())
    caveat = f"{other} non-listing action(s) not counted" if other else ""
    return Counter(
        "designations",
        "Designations to date",
        count_designations(designations),
        "listings, all regions",
        definition(count_designations) + " Made on or before the end of the date range, or undated; all regions.",
        as_of,
        caveat,
    )


def view_counters(
    incidents: pd.DataFrame,
    designations: pd.DataFrame,
    *,
    as_of: dt.date | None,
    rows: np.ndarray | None = None,
) -> list[Counter]:
    """Every counter of a view: the incident counters (of the ``rows`` mask, when given), then
    "designations to date"."""
    return incident_counters(incidents, as_of=as_of, rows=rows) + [designation_counter(designations, as_of=as_of)]


def counters_as_of(date_to: dt.date | None, data_as_of: dt.date) -> dt.date:
    """The day the counters hold for: the end of the date range, or the data's as-of date if earlier."""
    return min(date_to, data_as_of) if date_to else data_as_of


def weekly_series(incidents: pd.DataFrame, *, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Per ISO week (starting Monday): strike engagements, deaths announced, and the cumulative
    deaths announced and deaths including presumed dead.  Rows with no date are left out."""
    cols = ["week", "strikes", "deaths_announced", "cumulative_deaths", "cumulative_deaths_with_presumed"]
    arrays = incident_arrays(incidents)
    keep = slice(None) if rows is None else np.asarray(rows, dtype=bool)
    days = arrays.dates[keep].astype("datetime64[D]")
    dated = ~np.isnat(days)
    if not dated.any():
        return pd.DataFrame(columns=cols)
    day_number = days[dated].astype(np.int64)
    week = (day_number - (day_number + 3) % 7) // 7  # 1970-01-01 was a Thursday: weeks from Monday 1969-12-29
    first = int(week.min())
    slot = week - first

    def weekly(col: str) -> np.ndarray:
        values = np.nan_to_num(arrays.numbers(col)[keep][dated])
        return np.bincount(slot, weights=values).round().astype(np.int64)

    strikes, killed, presumed = weekly("strikes"), weekly("killed"), weekly("presumed_dead")
    start = np.datetime64("1970-01-05", "D") + (7 * (first + np.arange(len(strikes)))).astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "week": pd.to_datetime(start.astype("datetime64[us]")),
            "strikes": strikes,
            "deaths_announced": killed,
            "cumulative_deaths": np.cumsum(killed),
            "cumulative_deaths_with_presumed": np.cumsum(killed + presumed),
        }
    )[cols]
