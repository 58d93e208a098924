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

import pandas as pd


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


def _sum(series: pd.Series) -> int:
    return int(series.sum(skipna=True)) if len(series) else 0


def count_strikes(incidents: pd.DataFrame) -> int:
    """Strike engagements: the sum of `strikes` over boat-strike rows (27 Oct 2025 counts 3)."""
    rows = incidents[incidents["event_type"] == "boat strike"]
    return _sum(rows["strikes"])


def count_fatal_strikes(incidents: pd.DataFrame) -> int:
    """Fatal strike engagements: the sum of `strikes` over boat-strike rows with at least one death
    announced or presumed. Rows with no death figure are not counted as fatal."""
    rows = incidents[incidents["event_type"] == "boat strike"]
    deaths = rows["killed"].fillna(0) + rows["presumed_dead"].fillna(0)
    return _sum(rows.loc[deaths > 0, "strikes"])


def count_vessels(incidents: pd.DataFrame) -> int:
    """Vessels struck: the sum of `vessels` over boat-strike rows (27 Oct 2025 counts 4)."""
    rows = incidents[incidents["event_type"] == "boat strike"]
    return _sum(rows["vessels"])


def count_deaths_announced(incidents: pd.DataFrame) -> int:
    """People killed as announced at the time: the sum of `killed`; rows with no figure add nothing."""
    return _sum(incidents["killed"])


def count_presumed_dead(incidents: pd.DataFrame) -> int:
    """Survivors later presumed dead after searches ended: the sum of `presumed_dead`."""
    return _sum(incidents["presumed_dead"])


def count_deaths_with_presumed(incidents: pd.DataFrame) -> int:
    """Deaths as official tallies give them: announced deaths plus survivors presumed dead."""
    return count_deaths_announced(incidents) + count_presumed_dead(incidents)


def count_survivors(incidents: pd.DataFrame) -> int:
    """People reported to have survived the strike itself (including those later presumed dead)."""
    return _sum(incidents["survivors"])


def count_living_survivors(incidents: pd.DataFrame) -> int:
    """Survivors not later presumed dead: per row, people reported to have survived the strike
    minus those of them later presumed dead after searches ended (never below zero)."""
    alive = incidents["survivors"].astype("Float64") - incidents["presumed_dead"].astype("Float64").fillna(0)
    return _sum(alive.clip(lower=0).dropna())


def count_designations(designations: pd.DataFrame) -> int:
    """Designation actions in view that are sanctions or terrorist listings (one row per
    authority and action on an entity); export denials, seizures and non-binding motions are left out."""
    return int((designations["action_kind"] == "listing").sum())


def definition(func: Callable[..., int]) -> str:
    """A counter's definition: its function's docstring on one line."""
    return " ".join((inspect.getdoc(func) or "").split())


def incident_counters(incidents: pd.DataFrame, *, as_of: dt.date | None) -> list[Counter]:
    """The Overview counters for a filtered incident frame."""
    no_figure = int(incidents["killed"].isna().sum())
    no_figure_note = f"{no_figure} row(s) in view have no death figure" if no_figure else ""
    spec = [
        ("strikes", "Strikes", count_strikes, "engagements", ""),
        ("fatal_strikes", "Fatal strikes", count_fatal_strikes, "engagements", no_figure_note),
        ("vessels", "Vessels struck", count_vessels, "vessels", ""),
        ("deaths_announced", "Deaths announced", count_deaths_announced, "people", no_figure_note),
        ("presumed_dead", "Survivors presumed dead", count_presumed_dead, "people", ""),
        ("deaths_with_presumed", "Deaths incl. presumed", count_deaths_with_presumed, "people", no_figure_note),
        ("living_survivors", "Living survivors", count_living_survivors, "people", ""),
    ]
    counters = [
        Counter(key, label, func(incidents), unit, definition(func), as_of, caveat)
        for key, label, func, unit, caveat in spec
    ]
    survived, presumed = count_survivors(incidents), count_presumed_dead(incidents)
    face = f"survived the strike and not later presumed dead: {survived} survived, {presumed} of them presumed dead"
    return [replace(c, face=face) if c.key == "living_survivors" else c for c in counters]


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


def view_counters(incidents: pd.DataFrame, designations: pd.DataFrame, *, as_of: dt.date | None) -> list[Counter]:
    """Every counter of a view: the incident counters, then "designations to date"."""
    return incident_counters(incidents, as_of=as_of) + [designation_counter(designations, as_of=as_of)]


def counters_as_of(date_to: dt.date | None, data_as_of: dt.date) -> dt.date:
    """The day the counters hold for: the end of the date range, or the data's as-of date if earlier."""
    return min(date_to, data_as_of) if date_to else data_as_of


def weekly_series(incidents: pd.DataFrame) -> pd.DataFrame:
    """Per ISO week (starting Monday): strike engagements, deaths announced, and the cumulative
    deaths announced and deaths including presumed dead."""
    cols = ["week", "strikes", "deaths_announced", "cumulative_deaths", "cumulative_deaths_with_presumed"]
    if incidents.empty:
        return pd.DataFrame(columns=cols)
    week = incidents["date"].dt.to_period("W-SUN").dt.start_time
    grouped = (
        pd.DataFrame(
            {
                "week": week,
                "strikes": incidents["strikes"].fillna(0).astype(int),
                "deaths_announced": incidents["killed"].fillna(0).astype(int),
                "presumed": incidents["presumed_dead"].fillna(0).astype(int),
            }
        )
        .groupby("week", as_index=False)
        .sum()
    )
    full = pd.DataFrame({"week": pd.date_range(grouped["week"].min(), grouped["week"].max(), freq="7D")})
    out = full.merge(grouped, on="week", how="left").fillna(0)
    out["cumulative_deaths"] = out["deaths_announced"].cumsum().astype(int)
    out["cumulative_deaths_with_presumed"] = (out["deaths_announced"] + out["presumed"]).cumsum().astype(int)
    out[["strikes", "deaths_announced"]] = out[["strikes", "deaths_announced"]].astype(int)
    return out[cols]
