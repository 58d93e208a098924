"""Behaviour events in AIS positions: gaps, encounters, loitering, implausible jumps, identity changes.

The defaults follow Global Fishing Watch's published event definitions and can be changed
with :class:`EventRules`; each rule states itself as a sentence (:meth:`EventRules.describe`).

:func:`detect_events` takes canonical positions (at least ``mmsi``, ``time``, ``lat``, ``lon``;
``sog``, ``name``, ``imo``, ``flag`` when present), sorts them by vessel and time once and works
on numpy arrays.  Distances are great-circle (sphere of radius 6,371 km); distance from shore
comes from :func:`tracker.vessels.shore.distance_from_shore_nm`.

Columns of the result (:data:`EVENT_COLUMNS`), by kind:

* ``gap``: start/end = the last fix before and the first fix after; lat/lon = where the vessel went
  dark; distance_km and speed_kn = between the two ends;
* ``encounter``: one row per pair (mmsi < other_mmsi); start/end = the first and last 10-minute mark
  of the run; lat/lon = its mean midpoint; distance_km = the median separation; speed_kn = the
  higher of the two vessels' median speeds;
* ``loitering``: start/end = the first and last fix of the run; lat/lon = its mean; distance_km =
  start to end; speed_kn = the median speed;
* ``jump``: the two consecutive fixes; lat/lon = the first; distance_km and the implied speed_kn;
* ``identity``: start = the last fix with the old value, end = the first with the new; lat/lon = the
  latter; detail "name OCEAN STAR -> SEA STAR".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.vessels.encounters import encounter_columns
from tracker.vessels.shore import KM_PER_NM, distance_from_shore_nm

KINDS = ("gap", "encounter", "loitering", "jump", "identity")
EVENT_COLUMNS = [
    "kind", "mmsi", "other_mmsi", "start", "end", "lat", "lon", "hours", "distance_km", "speed_kn", "detail", "rule",
]  # fmt: skip
EARTH_RADIUS_KM = 6371.0088
IDENTITY_FIELDS = ("name", "imo", "flag")


def _n(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class EventRules:
    """Thresholds of the events (defaults: Global Fishing Watch's published definitions)."""

    gap_hours: float = 12.0
    gap_min_shore_nm: float = 50.0
    encounter_max_distance_m: float = 500.0
    encounter_min_hours: float = 2.0
    encounter_max_speed_kn: float = 2.0
    encounter_min_shore_km: float = 10.0
    encounter_step_minutes: int = 10
    loiter_max_speed_kn: float = 2.0
    loiter_min_hours: float = 4.0
    loiter_min_shore_nm: float = 20.0
    jump_min_speed_kn: float = 25.0
    jump_min_distance_nm: float = 1.0
    max_fix_interval_hours: float = 2.0
    """Fixes further apart than this do not join one loitering or encounter run (nor are interpolated)."""

    def describe(self, kind: str) -> str:
        """The rule of ``kind`` as a sentence with its thresholds."""
        if kind == "gap":
            return (
                f"No position for {_n(self.gap_hours)} h or more; "
                f"both ends {_n(self.gap_min_shore_nm)} nm or more from shore"
            )
        if kind == "encounter":
            return (
                f"Two vessels within {_n(self.encounter_max_distance_m)} m of each other for "
                f"{_n(self.encounter_min_hours)} h or more (checked every {self.encounter_step_minutes} min), "
                f"median speed of each under {_n(self.encounter_max_speed_kn)} kn, "
                f"{_n(self.encounter_min_shore_km)} km or more from shore"
            )
        if kind == "loitering":
            return (
                f"One vessel under {_n(self.loiter_max_speed_kn)} kn for {_n(self.loiter_min_hours)} h or more, "
                f"{_n(self.loiter_min_shore_nm)} nm or more from shore"
            )
        if kind == "jump":
            return (
                f"Consecutive positions more than {_n(self.jump_min_distance_nm)} nm apart implying over "
                f"{_n(self.jump_min_speed_kn)} kn: possible spoofing or a shared MMSI"
            )
        if kind == "identity":
            return (
                "One MMSI reporting another name, IMO or flag (trimmed, upper-case text; a missing value is no change)"
            )
        raise ValueError(f"unknown event kind {kind!r}; expected one of {KINDS}")


@dataclass
class _Tracks:
    """Positions sorted by vessel and time, as arrays; ``link[i]``: fixes i and i+1 are of one vessel."""

    order: np.ndarray
    mmsi: np.ndarray
    t: np.ndarray  # int64 seconds since the epoch
    x: np.ndarray
    y: np.ndarray
    speed: np.ndarray  # knots: reported SOG, else implied by the neighbouring fixes
    link: np.ndarray
    dt: np.ndarray  # seconds from fix i to i+1
    km: np.ndarray  # great-circle km from fix i to i+1


def detect_events(positions: pd.DataFrame, rules: EventRules = EventRules(), kinds=None) -> pd.DataFrame:
    """Events of ``kinds`` (default: all of :data:`KINDS`) in ``positions`` under ``rules``, sorted by start."""
    kinds = KINDS if kinds is None else tuple(kinds)
    for k in kinds:
        rules.describe(k)  # unknown kinds raise
    tr = _tracks(positions)
    parts: list = []
    if "gap" in kinds:
        parts.append(_gaps(tr, rules))
    if "encounter" in kinds:
        parts.append(_encounters(tr, rules))
    if "loitering" in kinds:
        parts.append(_loitering(tr, rules))
    if "jump" in kinds:
        parts.append(_jumps(tr, rules))
    if "identity" in kinds:
        parts.append(_identity(positions, tr, rules))
    parts = [p for p in parts if len(p)]
    if not parts:
        return _frame({c: [] for c in EVENT_COLUMNS}, "gap", rules).iloc[0:0]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["start", "kind", "mmsi"], kind="stable", ignore_index=True)[EVENT_COLUMNS]


def seconds(times: pd.Series) -> np.ndarray:
    """int64 seconds since the epoch (UTC) of a time column (naive times are taken as UTC)."""
    s = times if isinstance(times.dtype, pd.DatetimeTZDtype) else pd.to_datetime(times, utc=True)
    per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[s.dtype.unit]
    ticks = s.array.asi8  # the stored UTC ticks, no copy; NaT is the int64 minimum
    out = ticks // per_second if per_second > 1 else ticks.copy()
    out[ticks == np.iinfo(np.int64).min] = np.iinfo(np.int64).min
    return out


def _tracks(p: pd.DataFrame) -> _Tracks:
    mmsi = p["mmsi"].to_numpy(dtype=np.int64)
    t = seconds(p["time"])
    x, y = p["lon"].to_numpy(dtype=float), p["lat"].to_numpy(dtype=float)
    sog = p["sog"].to_numpy(dtype=float) if "sog" in p else np.full(len(p), np.nan)
    ok = np.isfinite(x) & np.isfinite(y) & (t != np.iinfo(np.int64).min)
    base = t[ok].min() if ok.any() else 0
    if (
        ok.all()
        and mmsi.min(initial=0) >= 0
        and mmsi.max(initial=0) < (1 << 30)
        and t.max(initial=0) - base < (1 << 33)
    ):
        key = (mmsi << 33) | (t - base)  # one int64 key: one argsort instead of a two-key sort
        order = None if np.all(key[1:] >= key[:-1]) else np.argsort(key, kind="stable")
        del key
    else:
        order = np.flatnonzero(ok)[np.lexsort((t[ok], mmsi[ok]))]
    if order is None:
        order = np.arange(len(p))
        sog = sog.copy()  # filled in place below: never write into the caller's frame
    else:
        mmsi, t, x, y, sog = mmsi[order], t[order], x[order], y[order], sog[order]
    if len(order) < (1 << 31):  # 32-bit row numbers: half the memory for the usual sizes
        order = order.astype(np.int32)
    link = mmsi[1:] == mmsi[:-1]
    dt = np.diff(t)
    if len(dt) and dt.max() < (1 << 31):
        dt = dt.astype(np.int32)  # seconds between fixes
    km = haversine_km(x[:-1], y[:-1], x[1:], y[1:])
    with np.errstate(divide="ignore", invalid="ignore"):  # in place: millions of fixes
        seg = km * (3600.0 / KM_PER_NM)
        seg /= dt
        seg[~(link & (dt > 0))] = np.nan
    speed = sog  # reported SOG, else the speed implied by the next fix, else by the one before
    missing = np.flatnonzero(~np.isfinite(speed))
    if len(missing):
        after = np.r_[seg, np.nan][missing]
        before = np.r_[np.nan, seg][missing]
        speed[missing] = np.where(np.isfinite(after), after, before)
    del seg
    return _Tracks(order, mmsi, t, x, y, speed, link, dt, km)


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km on a sphere of radius :data:`EARTH_RADIUS_KM` (worked in place: about
    three temporary arrays at a time, for millions of fixes)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.subtract(p2, p1)
    h *= 0.5
    np.sin(h, out=h)
    h *= h
    np.cos(p1, out=p1)
    np.cos(p2, out=p2)
    p1 *= p2
    del p2
    d = np.radians(np.subtract(lon2, lon1))
    d *= 0.5
    np.sin(d, out=d)
    d *= d
    d *= p1
    del p1
    h += d
    del d
    np.clip(h, 0, 1, out=h)
    np.sqrt(h, out=h)
    np.arcsin(h, out=h)
    h *= 2 * EARTH_RADIUS_KM
    return h


def _runs(cond: np.ndarray, joinable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last index of each run of consecutive ``cond`` fixes; i and i+1 join where ``joinable[i]``."""
    joined = cond[:-1] & cond[1:] & joinable
    starts = np.flatnonzero(cond & ~np.r_[False, joined])
    ends = np.flatnonzero(cond & ~np.r_[joined, False])
    return starts, ends


def _times(sec: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(sec, dtype=np.int64).astype("datetime64[s]")).dt.tz_localize("UTC")


def _frame(cols: dict, kind: str, rules: EventRules) -> pd.DataFrame:
    n = len(cols["mmsi"])
    out = pd.DataFrame(
        {
            "kind": pd.Series([kind] * n, dtype=object),
            "mmsi": np.asarray(cols["mmsi"], dtype=np.int64),
            "other_mmsi": pd.array(cols.get("other_mmsi", [None] * n), dtype="Int64"),
            "start": _times(cols["start"]),
            "end": _times(cols["end"]),
            "lat": np.asarray(cols["lat"], dtype=float),
            "lon": np.asarray(cols["lon"], dtype=float),
        }
    )
    out["hours"] = (out["end"] - out["start"]).dt.total_seconds() / 3600.0
    out["distance_km"] = np.asarray(cols.get("distance_km", [np.nan] * n), dtype=float)
    out["speed_kn"] = np.asarray(cols.get("speed_kn", [np.nan] * n), dtype=float)
    out["detail"] = pd.Series(cols.get("detail", [""] * n), dtype=object)
    out["rule"] = rules.describe(kind)
    return out


def _gaps(tr: _Tracks, rules: EventRules) -> pd.DataFrame:
    i = np.flatnonzero(tr.link & (tr.dt >= rules.gap_hours * 3600))
    if len(i):
        shore = distance_from_shore_nm(np.r_[tr.x[i], tr.x[i + 1]], np.r_[tr.y[i], tr.y[i + 1]])
        far = (shore[: len(i)] >= rules.gap_min_shore_nm) & (shore[len(i) :] >= rules.gap_min_shore_nm)
        i = i[far]
    hours = tr.dt[i] / 3600.0
    detail = [f"dark {h:.1f} h; reappeared {k / KM_PER_NM:.0f} nm away" for h, k in zip(hours, tr.km[i])]
    cols = dict(mmsi=tr.mmsi[i], start=tr.t[i], end=tr.t[i + 1], lat=tr.y[i], lon=tr.x[i], distance_km=tr.km[i],
                speed_kn=tr.km[i] / KM_PER_NM / hours, detail=detail)  # fmt: skip
    return _frame(cols, "gap", rules)


def _jumps(tr: _Tracks, rules: EventRules) -> pd.DataFrame:
    nm = tr.km / KM_PER_NM
    with np.errstate(divide="ignore", invalid="ignore"):
        kn = np.where(tr.dt > 0, nm / (tr.dt / 3600.0), np.inf)
    i = np.flatnonzero(tr.link & (nm > rules.jump_min_distance_nm) & (kn > rules.jump_min_speed_kn))
    detail = [
        f"{d:.1f} nm in {s / 60:.0f} min to {la:.3f}, {lo:.3f}"
        for d, s, la, lo in zip(nm[i], tr.dt[i], tr.y[i + 1], tr.x[i + 1])
    ]
    cols = dict(mmsi=tr.mmsi[i], start=tr.t[i], end=tr.t[i + 1], lat=tr.y[i], lon=tr.x[i], distance_km=tr.km[i],
                speed_kn=kn[i], detail=detail)  # fmt: skip
    return _frame(cols, "jump", rules)


def _loitering(tr: _Tracks, rules: EventRules) -> pd.DataFrame:
    slow = tr.speed < rules.loiter_max_speed_kn
    joinable = tr.link & (tr.dt <= rules.max_fix_interval_hours * 3600)
    need = rules.loiter_min_hours * 3600
    s, e = _runs(slow, joinable)
    long = tr.t[e] - tr.t[s] >= need
    s, e = s[long], e[long]
    # distance from shore only for the fixes of slow runs long enough
    at = _ranges(s, e)
    offshore = np.zeros(len(tr.t), dtype=bool)
    if len(at):
        offshore[at] = distance_from_shore_nm(tr.x[at], tr.y[at]) >= rules.loiter_min_shore_nm
    s, e = _runs(slow & offshore, joinable)
    long = tr.t[e] - tr.t[s] >= need
    s, e = s[long], e[long]
    run = np.repeat(np.arange(len(s)), e - s + 1)
    at = _ranges(s, e)
    g = pd.DataFrame({"run": run, "x": tr.x[at], "y": tr.y[at], "v": tr.speed[at]}).groupby("run")
    mean, median = g[["x", "y"]].mean(), g["v"].median()
    km = haversine_km(tr.x[s], tr.y[s], tr.x[e], tr.y[e])
    detail = [f"{n} positions; median {v:.1f} kn" for n, v in zip(e - s + 1, median.to_numpy())]
    cols = dict(mmsi=tr.mmsi[s], start=tr.t[s], end=tr.t[e], lat=mean["y"].to_numpy(), lon=mean["x"].to_numpy(),
                distance_km=km, speed_kn=median.to_numpy(), detail=detail)  # fmt: skip
    return _frame(cols, "loitering", rules)


def _ranges(s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """All indices s[k]..e[k] (inclusive), run after run."""
    size = e - s + 1
    if not len(size):
        return np.empty(0, dtype=np.int64)
    return np.repeat(s - np.r_[0, np.cumsum(size)[:-1]], size) + np.arange(size.sum())


def _identity(p: pd.DataFrame, tr: _Tracks, rules: EventRules) -> pd.DataFrame:
    index = np.int32 if len(tr.t) < (1 << 31) else np.int64  # half the memory for the usual sizes
    firsts = np.flatnonzero(np.r_[True, ~tr.link]).astype(index)
    group_start = np.repeat(firsts, np.diff(np.r_[firsts, len(tr.t)]))
    parts: list[dict] = []
    for field in IDENTITY_FIELDS:
        if field not in p:
            continue
        codes, uniques = pd.factorize(p[field])
        norm = pd.Series(uniques, dtype=object).astype(str).str.upper().str.split().str.join(" ")
        norm = norm.where(norm != "", None)
        merged, labels = pd.factorize(norm)
        if len(merged):
            c = np.where(codes >= 0, merged.astype(index)[np.maximum(codes, 0)], index(-1))[tr.order]
        else:
            c = np.full(len(tr.t), -1, dtype=index)
        del codes
        valid = c >= 0
        last = np.maximum.accumulate(np.where(valid, np.arange(len(c), dtype=index), index(-1)))
        prev = np.r_[-1, last[:-1]]
        prev = np.where(prev >= group_start, prev, -1)
        i = np.flatnonzero(valid & (prev >= 0) & (c != c[np.maximum(prev, 0)]))
        j = prev[i]
        label = "IMO" if field == "imo" else field
        detail = [f"{label} {labels[a]} -> {labels[b]}" for a, b in zip(c[j], c[i])]
        parts.append(dict(mmsi=tr.mmsi[i], start=tr.t[j], end=tr.t[i], lat=tr.y[i], lon=tr.x[i], detail=detail))
    cols: dict = {
        k: np.concatenate([q[k] for q in parts]) if parts else [] for k in ("mmsi", "start", "end", "lat", "lon")
    }
    cols["detail"] = [d for q in parts for d in q["detail"]]
    return _frame(cols, "identity", rules)


def _encounters(tr: _Tracks, rules: EventRules) -> pd.DataFrame:
    cols = encounter_columns(tr.mmsi, tr.t, tr.x, tr.y, tr.speed, tr.link, tr.dt, rules)
    return _frame(cols, "encounter", rules)
