"""Encounters: two vessels close together, slowly, for a long time (the pairing behind :mod:`tracker.vessels.events`).

Method.  Each track is sampled at every ``encounter_step_minutes`` mark of the clock (10:00,
10:10, ...) by linear interpolation between consecutive fixes no more than
``max_fix_interval_hours`` apart (a fix that falls on a mark is taken as it is).  Samples
under ``encounter_min_shore_km`` from shore are dropped.  The rest are sorted into cubes
(Earth-centred coordinates, edge = the encounter distance) per mark, so two samples
within the distance lie in the same or adjacent cubes: only those are compared.  Pairs
within the distance at consecutive marks form runs; a run lasting ``encounter_min_hours``
or more whose two vessels each have a median speed under ``encounter_max_speed_kn`` is an
encounter.  Start and end are marks, so they are exact to the step (10 minutes).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from tracker.vessels.shore import KM_PER_NM, distance_from_shore_nm

EARTH_RADIUS_KM = 6371.0088


def _offsets(counts: np.ndarray) -> np.ndarray:
    """0..c-1 for each count c, concatenated."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)


def samples(mmsi, t, x, y, speed, link, dt, rules) -> pd.DataFrame:
    """The tracks at every mark of the clock: columns ``mmsi, mark`` (seconds), ``x, y, v`` (knots)."""
    step = int(rules.encounter_step_minutes) * 60
    joinable = link & (dt > 0) & (dt <= rules.max_fix_interval_hours * 3600)
    i = np.flatnonzero(joinable)
    k0, k1 = t[i] // step, t[i + 1] // step
    count = k1 - k0
    seg = np.repeat(i, count)
    mark = (np.repeat(k0, count) + 1 + _offsets(count)) * step
    f = (mark - t[seg]) / dt[seg]
    v0, v1 = speed[seg], speed[seg + 1]
    v = np.where(np.isfinite(v0) & np.isfinite(v1), v0 + f * (v1 - v0), np.where(np.isfinite(v0), v0, v1))
    # a fix on a mark that no sampled segment ends at (first of a track, or after a break)
    alone = np.flatnonzero(~np.r_[False, joinable] & (t % step == 0))
    return pd.DataFrame(
        {
            "mmsi": np.r_[mmsi[seg], mmsi[alone]],
            "mark": np.r_[mark, t[alone]],
            "x": np.r_[x[seg] + f * (x[seg + 1] - x[seg]), x[alone]],
            "y": np.r_[y[seg] + f * (y[seg + 1] - y[seg]), y[alone]],
            "v": np.r_[v, speed[alone]],
        }
    )


def _close_pairs(xyz: np.ndarray, bins: np.ndarray, edge_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (a, b) of samples in the same bin within ``edge_km`` of each other (chord distance)."""
    bits = int(np.ceil(np.log2(2 * EARTH_RADIUS_KM / edge_km + 4)))
    cells = np.floor(xyz / edge_km).astype(np.int64) + (1 << (bits - 1))
    bin_bits = 63 - 3 * bits
    pa, pb = [], []
    lo_bin = bins.min(initial=0)
    for b0 in range(int(lo_bin), int(bins.max(initial=0)) + 1, 1 << bin_bits):
        sel = np.flatnonzero((bins >= b0) & (bins < b0 + (1 << bin_bits)))
        key = ((bins[sel] - b0) << (3 * bits)) | (cells[sel, 0] << (2 * bits)) | (cells[sel, 1] << bits) | cells[sel, 2]
        order = np.argsort(key, kind="stable")
        key, sel = key[order], sel[order]
        cubes, first, size = np.unique(key, return_index=True, return_counts=True)
        steps = [(dx, dy, dz) for dx, dy, dz in itertools.product((-1, 0, 1), repeat=3) if (dx, dy, dz) > (0, 0, 0)]
        for dx, dy, dz in [(0, 0, 0), *steps]:
            if (dx, dy, dz) == (0, 0, 0):
                a = np.flatnonzero(size > 1)
                b = a
            else:
                target = cubes + ((dx << (2 * bits)) + (dy << bits) + dz)
                pos = np.searchsorted(cubes, target).clip(0, len(cubes) - 1)
                a = np.flatnonzero(cubes[pos] == target)
                b = pos[a]
            na, nb = size[a], size[b]
            local = _offsets(na * nb)
            ia = np.repeat(first[a], na * nb) + local // np.repeat(nb, na * nb)
            ib = np.repeat(first[b], na * nb) + local % np.repeat(nb, na * nb)
            if (dx, dy, dz) == (0, 0, 0):
                keep = ia < ib
                ia, ib = ia[keep], ib[keep]
            ia, ib = sel[ia], sel[ib]
            near = np.sum((xyz[ia] - xyz[ib]) ** 2, axis=1) <= edge_km**2
            pa.append(ia[near])
            pb.append(ib[near])
    if not pa:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(pa), np.concatenate(pb)


def encounter_columns(mmsi, t, x, y, speed, link, dt, rules) -> dict:
    """Columns of the encounter events (see the module notes) from tracks sorted by vessel and time."""
    step = int(rules.encounter_step_minutes) * 60
    s = samples(mmsi, t, x, y, speed, link, dt, rules)
    if len(s):
        s = s[distance_from_shore_nm(s["x"].to_numpy(), s["y"].to_numpy()) * KM_PER_NM >= rules.encounter_min_shore_km]
    empty = {k: np.empty(0) for k in ("mmsi", "other_mmsi", "start", "end", "lat", "lon", "distance_km", "speed_kn")}
    if len(s) < 2:
        return empty | {"detail": []}
    sx, sy = np.radians(s["x"].to_numpy()), np.radians(s["y"].to_numpy())
    xyz = EARTH_RADIUS_KM * np.column_stack([np.cos(sy) * np.cos(sx), np.cos(sy) * np.sin(sx), np.sin(sy)])
    bins = s["mark"].to_numpy() // step
    a, b = _close_pairs(xyz, bins, rules.encounter_max_distance_m / 1000.0)
    sm = s["mmsi"].to_numpy()
    keep = sm[a] != sm[b]
    a, b = a[keep], b[keep]
    swap = sm[a] > sm[b]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    if not len(a):
        return empty | {"detail": []}
    sv = s["v"].to_numpy()
    sx_deg, sy_deg = s["x"].to_numpy(), s["y"].to_numpy()
    pairs = pd.DataFrame(
        {
            "va": sm[a], "vb": sm[b], "bin": bins[a],
            "km": np.sqrt(np.sum((xyz[a] - xyz[b]) ** 2, axis=1)),
            "x": (sx_deg[a] + sx_deg[b]) / 2, "y": (sy_deg[a] + sy_deg[b]) / 2,
            "speed_a": sv[a], "speed_b": sv[b],
        }
    ).sort_values(["va", "vb", "bin"], kind="stable", ignore_index=True)  # fmt: skip
    va, vb, bn = pairs["va"].to_numpy(), pairs["vb"].to_numpy(), pairs["bin"].to_numpy()
    new_run = np.r_[True, (va[1:] != va[:-1]) | (vb[1:] != vb[:-1]) | (bn[1:] != bn[:-1] + 1)]
    pairs["run"] = np.cumsum(new_run)
    g = pairs.groupby("run", sort=True)
    r = g.agg(
        va=("va", "first"), vb=("vb", "first"), b0=("bin", "first"), b1=("bin", "last"), km=("km", "median"),
        closest=("km", "min"), x=("x", "mean"), y=("y", "mean"), speed_a=("speed_a", "median"),
        speed_b=("speed_b", "median"),
    )  # fmt: skip
    r = r[
        ((r["b1"] - r["b0"]) * step >= rules.encounter_min_hours * 3600)
        & (r["speed_a"] < rules.encounter_max_speed_kn)
        & (r["speed_b"] < rules.encounter_max_speed_kn)
    ]
    detail = [
        f"closest {c * 1000:.0f} m; median speeds {p:.1f} and {q:.1f} kn"
        for c, p, q in zip(r["closest"], r["speed_a"], r["speed_b"])
    ]
    return {
        "mmsi": r["va"].to_numpy(), "other_mmsi": r["vb"].to_numpy(), "start": r["b0"].to_numpy() * step,
        "end": r["b1"].to_numpy() * step, "lat": r["y"].to_numpy(), "lon": r["x"].to_numpy(),
        "distance_km": r["km"].to_numpy(), "speed_kn": np.maximum(r["speed_a"], r["speed_b"]).to_numpy(),
        "detail": detail,
    }  # fmt: skip
