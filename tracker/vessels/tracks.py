"""Vessel tracks for the map (simplified to a vertex budget) and a one-row-per-vessel summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from tracker.vessels.events import seconds

BREAK_HOURS = 12.0
"""A track is cut where fixes are this far apart, so no straight line is drawn across an AIS-off gap."""


def _sorted(positions: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    t = seconds(positions["time"])
    order = np.lexsort((t, positions["mmsi"].to_numpy(np.int64)))
    return positions.iloc[order].reset_index(drop=True), t[order]


def tracks_for_view(
    positions: pd.DataFrame, *, max_points: int, tolerance_deg: float | None = None, break_hours: float = BREAK_HOURS
) -> list[dict]:
    """One dict per track piece: ``mmsi``, ``name``, ``vessel_type``, ``first_time``, ``last_time``, ``path``.

    ``path`` is [[lon, lat], ...].  A vessel's track is cut at gaps of ``break_hours`` or more.
    Pieces are simplified (Douglas-Peucker, :func:`shapely.simplify`) with ``tolerance_deg``, or,
    when None, with the smallest tolerance from 1/4000 of the view's extent upwards (doubling)
    that brings the total under ``max_points`` vertices.  Each piece keeps at least its two ends;
    if the pieces' ends alone pass the budget, the longest pieces (most fixes) are kept.
    """
    if not len(positions):
        return []
    p, t = _sorted(positions)
    x, y = p["lon"].to_numpy(float), p["lat"].to_numpy(float)
    m = p["mmsi"].to_numpy(np.int64)
    cut = np.r_[True, (m[1:] != m[:-1]) | (np.diff(t) >= break_hours * 3600)]
    piece = np.cumsum(cut) - 1
    starts = np.flatnonzero(cut)
    ends = np.r_[starts[1:], len(m)] - 1
    size = ends - starts + 1
    keep = np.argsort(-size, kind="stable")
    budget_pieces = max(1, max_points // 2)
    if len(keep) > budget_pieces:
        keep = np.sort(keep[:budget_pieces])
    else:
        keep = np.arange(len(starts))
    # the kept pieces as lines, numbered 0.. in order; a single fix is repeated to make a line
    new_id = np.full(len(starts), -1)
    new_id[keep] = np.arange(len(keep))
    chosen = np.flatnonzero(new_id[piece] >= 0)
    lone = chosen[size[piece[chosen]] == 1]
    at = np.sort(np.r_[chosen, lone], kind="stable")
    lines = shapely.linestrings(np.column_stack([x[at], y[at]]), indices=new_id[piece[at]])
    if tolerance_deg is None:
        extent = max(np.ptp(x), np.ptp(y), 1e-6)
        tolerance_deg = extent / 4000
        simple = shapely.simplify(lines, tolerance_deg, preserve_topology=False)
        while shapely.get_num_coordinates(simple).sum() > max_points and tolerance_deg < extent:
            tolerance_deg *= 2
            simple = shapely.simplify(lines, tolerance_deg, preserve_topology=False)
    else:
        simple = shapely.simplify(lines, tolerance_deg, preserve_topology=False)
    name = p["name"] if "name" in p else pd.Series(None, index=p.index, dtype=object)
    vtype = p["vessel_type"] if "vessel_type" in p else pd.Series(None, index=p.index, dtype=object)
    out = []
    for k, geom in zip(keep, simple):
        s, e = starts[k], ends[k]
        names = name.iloc[s : e + 1].dropna()
        types = vtype.iloc[s : e + 1].dropna()
        out.append(
            {
                "mmsi": int(m[s]),
                "name": str(names.iloc[-1]) if len(names) else None,
                "vessel_type": str(types.iloc[-1]) if len(types) else None,
                "first_time": pd.Timestamp(int(t[s]), unit="s", tz="UTC"),
                "last_time": pd.Timestamp(int(t[e]), unit="s", tz="UTC"),
                "path": shapely.get_coordinates(geom).tolist(),
            }
        )
    return out


SUMMARY_COLUMNS = ["mmsi", "imo", "names", "flags", "vessel_type", "first_seen", "last_seen", "events", "positions"]


def vessel_summary(positions: pd.DataFrame, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per MMSI: ``imo`` and ``names`` and ``flags`` (every value used, in order of first use,
    '; '-joined; spellings that differ only in case or spacing count once, as first written),
    ``vessel_type`` (the last reported), ``first_seen``, ``last_seen``, ``events`` (events naming the
    vessel, as ``mmsi`` or ``other_mmsi``) and ``positions`` (count)."""
    if not len(positions):
        return pd.DataFrame({c: [] for c in SUMMARY_COLUMNS})
    p, t = _sorted(positions)
    g = p.groupby("mmsi", sort=True)
    out = pd.DataFrame({"positions": g.size()})
    out["first_seen"] = pd.to_datetime(pd.Series(t).groupby(p["mmsi"].to_numpy()).min(), unit="s", utc=True)
    out["last_seen"] = pd.to_datetime(pd.Series(t).groupby(p["mmsi"].to_numpy()).max(), unit="s", utc=True)
    for col, name in (("imo", "imo"), ("name", "names"), ("flag", "flags")):
        if col in p:
            used = p[["mmsi", col]].dropna()
            used = used.assign(key=used[col].astype(str).str.split().str.join(" ").str.upper())
            used = used[used["key"] != ""].drop_duplicates(["mmsi", "key"])  # one spelling per name
            out[name] = used.groupby("mmsi")[col].agg(lambda v: "; ".join(map(str, v)))
        else:
            out[name] = None
    if "vessel_type" in p:
        out["vessel_type"] = p.dropna(subset=["vessel_type"]).groupby("mmsi")["vessel_type"].last()
    else:
        out["vessel_type"] = None
    counts = pd.Series(0, index=out.index)
    if events is not None and len(events):
        named = pd.concat([events["mmsi"], events["other_mmsi"].dropna().astype("int64")])
        counts = named.value_counts().reindex(out.index, fill_value=0)
    out["events"] = counts.astype(int)
    return out.reset_index()[SUMMARY_COLUMNS]
