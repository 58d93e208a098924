"""Simple reference implementations the fast column paths are checked against.

These are the earlier, plainly written pandas versions: a filtered copy of the frame, then
the counters and the weekly series on it.  Slow on large frames, obviously right.
"""

from __future__ import annotations

import pandas as pd

from tracker.filters import _TEXT_COLUMNS, Filters


def apply_incidents(f: Filters, frame: pd.DataFrame) -> pd.DataFrame:
    """The incidents inside the date range, regions, event types, affiliations and text."""
    needle = f.text.strip().lower()
    mask = pd.Series(True, index=frame.index)
    if needle:
        mask = pd.Series(False, index=frame.index)
        for col in _TEXT_COLUMNS["incidents"]:
            mask |= frame[col].str.lower().str.contains(needle, regex=False, na=False)
    if f.date_from is not None:
        mask &= frame["date"] >= pd.Timestamp(f.date_from)
    if f.date_to is not None:
        mask &= frame["date"] < pd.Timestamp(f.date_to) + pd.Timedelta(days=1)
    for name, col in (("regions", "region"), ("event_types", "event_type"), ("affiliations", "affiliation")):
        chosen = getattr(f, name)
        if chosen:
            mask &= frame[col].isin(chosen)
    return frame[mask]


def _sum(series: pd.Series) -> int:
    return int(series.sum(skipna=True)) if len(series) else 0


def counters(incidents: pd.DataFrame) -> dict[str, int]:
    """Every incident counter's value, by key, computed row-set by row-set."""
    strikes = incidents[incidents["event_type"] == "boat strike"]
    deaths = strikes["killed"].fillna(0) + strikes["presumed_dead"].fillna(0)
    alive = incidents["survivors"].astype("Float64") - incidents["presumed_dead"].astype("Float64").fillna(0)
    announced, presumed = _sum(incidents["killed"]), _sum(incidents["presumed_dead"])
    return {
        "strikes": _sum(strikes["strikes"]),
        "fatal_strikes": _sum(strikes.loc[deaths > 0, "strikes"]),
        "vessels": _sum(strikes["vessels"]),
        "deaths_announced": announced,
        "presumed_dead": presumed,
        "deaths_with_presumed": announced + presumed,
        "living_survivors": _sum(alive.clip(lower=0).dropna()),
    }


def weekly_series(incidents: pd.DataFrame) -> pd.DataFrame:
    """Per ISO week: strikes, deaths announced and the two cumulative death tolls."""
    cols = ["week", "strikes", "deaths_announced", "cumulative_deaths", "cumulative_deaths_with_presumed"]
    incidents = incidents[incidents["date"].notna()]
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
