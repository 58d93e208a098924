# ruff: noqa: E501  (the AIS layout's header line is written whole)
"""AIS positions with one planted event of each kind and near misses that must not fire, written as a
MarineCadastre CSV (shared by the event, store and command-line tests)."""

from __future__ import annotations

import math

import pandas as pd

DAY = pd.Timestamp("2024-03-01", tz="UTC")
HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass"


def _leg(mmsi, start, end, every_min, lon, lat, kn, course, name="", imo=""):
    """Fixes from ``start`` to ``end`` (times of day "HH:MM", inclusive) every ``every_min`` minutes,
    moving from (lon, lat) at ``kn`` knots on ``course`` degrees; returns rows and the end point."""
    t0, t1 = DAY + pd.Timedelta(start + ":00"), DAY + pd.Timedelta(end + ":00")
    times = pd.date_range(t0, t1, freq=f"{every_min}min")
    rows = []
    for k, t in enumerate(times):
        nm = kn * k * every_min / 60
        la = lat + nm / 60 * math.cos(math.radians(course))
        lo = lon + nm / 60 * math.sin(math.radians(course)) / math.cos(math.radians(lat))
        rows.append(dict(mmsi=mmsi, time=t, lat=la, lon=lo, sog=kn, cog=course, name=name, imo=imo))
    return rows, (rows[-1]["lon"], rows[-1]["lat"])


def _planted() -> list[dict]:
    rows = []
    # gap: 14 h dark in the Eastern Pacific (400 nm out), 5 kn east
    r, end = _leg(100000001, "00:00", "04:00", 10, -95.0, 8.0, 5, 90)
    rows += r
    rows += _leg(100000001, "18:00", "20:00", 10, end[0] + 70 / 60, end[1], 5, 90)[0]
    # encounter: side by side, 200 m apart, 1 kn north for 3 h, 100 nm off Colombia
    rows += _leg(200000001, "06:00", "09:00", 5, -80.0, 12.0, 1, 0)[0]
    rows += _leg(200000002, "06:00", "09:00", 5, -80.0 + 0.2 / 111.195 / math.cos(math.radians(12)), 12.0, 1, 0)[0]
    # loitering: 12 kn, then 1 kn for 6 h, then 12 kn again
    r, end = _leg(300000001, "00:00", "01:50", 10, -88.0, 11.0, 12, 270)
    rows += r
    r, end = _leg(300000001, "02:00", "08:00", 10, end[0] - 2 / 60, end[1], 1, 270)
    rows += r
    rows += _leg(300000001, "08:10", "10:00", 10, end[0] - 2 / 60, end[1], 12, 270)[0]
    # jump: 200 nm in 10 minutes, then on from there
    r, end = _leg(400000001, "00:00", "03:00", 10, -90.0, 5.0, 10, 90)
    rows += r
    rows += _leg(400000001, "03:10", "05:00", 10, end[0] + 200 / 60, end[1], 10, 90)[0]
    # identity: name OCEAN STAR -> SEA STAR at 02:00-02:10 (a missing name and another spelling are no change),
    # IMO 9543500 -> 9876543 at 03:00-03:10
    r, _ = _leg(500000001, "00:00", "05:00", 10, -82.0, 13.0, 12, 180, name="OCEAN STAR", imo="IMO9543500")
    for row in r:
        hhmm = row["time"].strftime("%H:%M")
        if hhmm == "01:00":
            row["name"] = ""
        elif hhmm == "01:30":
            row["name"] = " ocean  star"
        elif hhmm > "02:00":
            row["name"] = "SEA STAR"
        if hhmm > "03:00":
            row["imo"] = "IMO9876543"
    rows += r
    return rows


def _near_misses() -> list[dict]:
    rows = []
    # two ships crossing at 12 kn: within 500 m for a minute or two
    rows += _leg(600000001, "11:00", "13:00", 1, -80.0 - 12 / 60, 14.0, 12, 90)[0]
    rows += _leg(600000002, "11:00", "13:00", 1, -80.0, 14.0 - 12 / 60, 12, 0)[0]
    # a 6-hour gap far offshore
    r, end = _leg(700000001, "00:00", "03:00", 10, -93.0, 7.0, 5, 90)
    rows += r
    rows += _leg(700000001, "09:00", "12:00", 10, end[0] + 30 / 60, end[1], 5, 90)[0]
    # 3 kn all day
    rows += _leg(800000001, "00:00", "23:50", 10, -90.0, 12.0, 3, 45)[0]
    # a 14-hour gap 15 nm off Jamaica
    r, end = _leg(900000001, "00:00", "02:00", 10, -77.0, 17.5, 5, 90)
    rows += r
    rows += _leg(900000001, "16:00", "18:00", 10, end[0], end[1], 5, 270)[0]
    # loitering 5 nm off Jamaica
    rows += _leg(910000001, "00:00", "06:00", 10, -77.0, 17.75, 1, 90)[0]
    return rows


def _write(rows: list[dict], path) -> None:
    lines = [HEADER]
    for r in rows:
        t = r["time"].strftime("%Y-%m-%dT%H:%M:%S")
        lines.append(
            f"{r['mmsi']},{t},{r['lat']:.6f},{r['lon']:.6f},{r['sog']},{r['cog']},511,{r['name']},{r['imo']},,70,0,,,,,A"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
