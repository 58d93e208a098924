"""Synthetic incident, sanctions-list and AIS files for the benchmarks: the same rows for every bench at a given size.

    python bench/synthetic.py --rows 1000000 --out /tmp/incidents_1m.csv

``incident_csv(n, path)`` writes a CSV as a user would bring it (a header row of common
column names, ISO dates, coordinates with a stated precision, a source link per row), about
120 bytes a row: 1,000,000 rows are about 120 MB.  A small share of rows carry only a place
name (placed by the gazetteer) and a few are bad (a date that is no date, a latitude out of
range), so the import's slow paths are measured too.  Deterministic for a given ``n`` and seed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker import schema  # noqa: E402

PLACES = ("80 nm south of Beata Island", "Eastern Pacific", "Caribbean Sea", "off Sucre, Venezuela")
AFFILIATIONS = ("Tren de Aragua", "ELN", "Cartel de los Soles", "not stated")
PLACE_NAME_SHARE = 0.01  # rows with no coordinates, only a place name
BAD_SHARE = 0.001  # rows with a bad date or a latitude out of range


def incident_table(n: int, seed: int = 0) -> pa.Table:
    """``n`` synthetic incident rows as text columns, as a CSV file holds them."""
    rng = np.random.default_rng(seed)
    days = np.datetime64("2025-09-02") + rng.integers(0, 420, n).astype("timedelta64[D]")
    dates = np.datetime_as_string(days, unit="D").astype(object)
    lat = np.char.mod("%.4f", rng.uniform(2, 24, n)).astype(object)
    lon = np.char.mod("%.4f", rng.uniform(-110, -60, n)).astype(object)
    precision = np.where(rng.random(n) < 0.5, "approximate", "exact").astype(object)
    radius = np.where(precision == "exact", "0", "25").astype(object)
    location = np.asarray(PLACES, dtype=object)[rng.integers(0, len(PLACES), n)]
    by_name = rng.random(n) < PLACE_NAME_SHARE
    lat[by_name], lon[by_name], precision[by_name], radius[by_name] = "", "", "", ""
    bad = np.flatnonzero(rng.random(n) < BAD_SHARE)
    dates[bad[::2]] = "not a date"
    lat[bad[1::2]] = "97.5"
    ids = np.char.add("SYN-", np.arange(1, n + 1).astype(str)).astype(object)
    return pa.table(
        {
            "incident_id": ids,
            "date": dates,
            "latitude": lat,
            "longitude": lon,
            "location_precision": precision,
            "radius_km": radius,
            "location": location,
            "killed": rng.integers(0, 6, n).astype(str).astype(object),
            "survivors": rng.integers(0, 2, n).astype(str).astype(object),
            "affiliation": np.asarray(AFFILIATIONS, dtype=object)[rng.integers(0, len(AFFILIATIONS), n)],
            "source_urls": np.char.add("https://example.org/report/", rng.integers(0, 10**6, n).astype(str)).astype(
                object
            ),
        }
    )


def incident_frame(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` synthetic incidents as a canonical frame, as the store would hand them to a page.

    The rows of :func:`incident_table` with what the import adds: every row a boat strike of
    one engagement and one vessel, the region from the longitude (east of 80° W: Caribbean), and
    the reported place as ``location_text``.  Bad dates and latitudes stay missing; a
    row without a usable position is ``unknown`` (counted, not drawn).
    """
    table = incident_table(n, seed).to_pandas()
    lon = pd.to_numeric(table["longitude"], errors="coerce")
    lat = pd.to_numeric(table["latitude"], errors="coerce")
    off = lat.abs() > 90
    table.loc[off, ["latitude", "longitude"]] = ""
    table["region"] = np.where(lon.isna() | off, "Unknown", np.where(lon > -80, "Caribbean", "Eastern Pacific"))
    table["event_type"] = "boat strike"
    table["strikes"] = 1
    table["vessels"] = 1
    table["presumed_dead"] = 0
    table["location_text"] = table["location"]
    table["affiliation_text"] = table["affiliation"]
    table.loc[lon.isna() | off, ["location_precision", "radius_km"]] = ["unknown", ""]
    return schema.canonicalise("incidents", table)


def incident_csv(n: int, path: str | Path, seed: int = 0) -> Path:
    """Write ``n`` synthetic incident rows to ``path`` as CSV (UTF-8, comma, header); return the path."""
    path = Path(path)
    pacsv.write_csv(incident_table(n, seed), path, pacsv.WriteOptions(quoting_style="needed"))
    return path


FIXES_PER_VESSEL = 2_000


def ais_positions(rows: int, seed: int = 0) -> pd.DataFrame:
    """``rows`` positions of synthetic tracks, shuffled by vessel order (not sorted by time within the frame)."""
    rng = np.random.default_rng(seed)
    vessels = max(2, rows // FIXES_PER_VESSEL)
    per = np.full(vessels, rows // vessels)
    per[: rows - per.sum()] += 1
    vessel = np.repeat(np.arange(vessels), per)
    first = np.r_[0, np.cumsum(per)[:-1]]
    step = rng.exponential(120.0, rows).astype(np.int64) + 1
    step[first] = rng.integers(0, 86_400 * 3, vessels)
    dark = rng.random(rows) < 0.0005  # AIS off for 6 to 30 hours now and then
    step[dark] += rng.integers(6 * 3600, 30 * 3600, int(dark.sum()))
    t = np.cumsum(step)
    t -= np.repeat(t[first], per) - np.repeat(step[first], per)
    kind = rng.random(vessels)
    base_speed = np.where(kind < 0.1, 0.8, rng.uniform(6, 16, vessels))  # a tenth of the fleet drifts
    speed = np.repeat(base_speed, per) * rng.uniform(0.7, 1.3, rows)
    course = np.repeat(rng.uniform(0, 2 * np.pi, vessels), per) + np.cumsum(rng.normal(0, 0.05, rows))
    hours = np.diff(np.r_[0, t]) / 3600.0
    hours[first] = 0
    nm = speed * np.minimum(hours, 2.0)
    dlat = nm / 60 * np.cos(course)
    dlon = nm / 60 * np.sin(course)
    lat0 = np.repeat(rng.uniform(2, 15, vessels), per)
    lon0 = np.repeat(rng.uniform(-120, -100, vessels), per)
    lat = lat0 + _cumsum_by(dlat, first, per)
    lon = lon0 + _cumsum_by(dlon, first, per)
    # every twentieth vessel shadows the one before it, 300 m away
    shadow = np.flatnonzero(np.arange(vessels) % 20 == 1)
    for v in shadow:
        a, b = first[v - 1], first[v]
        n = min(per[v - 1], per[v])
        t[b : b + n], lat[b : b + n], lon[b : b + n] = t[a : a + n], lat[a : a + n] + 0.0027, lon[a : a + n]
        speed[b : b + n] = speed[a : a + n]
    mmsi = 200_000_000 + vessel.astype(np.int64) * 7
    names = pd.Categorical.from_codes(vessel % 5_000, [f"VESSEL {i}" for i in range(5_000)])
    return pd.DataFrame(
        {
            "mmsi": mmsi,
            "time": pd.to_datetime(t + 1_704_067_200, unit="s", utc=True).astype("datetime64[s, UTC]"),
            "lat": lat,
            "lon": lon,
            "sog": np.round(speed, 1),
            "name": names,
        }
    )


def _cumsum_by(values: np.ndarray, first: np.ndarray, per: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    return total - np.repeat(total[first] - values[first], per)


MARINECADASTRE_2024 = (
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,"
    "TransceiverClass"
)


def ais_csv(rows: int, path: str | Path, seed: int = 0) -> Path:
    """:func:`ais_positions` written as a MarineCadastre (2024 layout) CSV, about 110 bytes a row."""
    p = ais_positions(rows, seed)
    n = len(p)
    out = pa.table(
        {
            "MMSI": p["mmsi"].to_numpy(),
            "BaseDateTime": pa.array(p["time"].dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)),
            "LAT": p["lat"].round(5).to_numpy(),
            "LON": p["lon"].round(5).to_numpy(),
            "SOG": p["sog"].to_numpy(),
            "COG": np.full(n, 90.0),
            "Heading": np.full(n, 511),
            "VesselName": pa.array(p["name"].astype(str).to_numpy(dtype=object)),
            "IMO": pa.nulls(n, pa.string()),
            "CallSign": pa.nulls(n, pa.string()),
            "VesselType": np.where(p["mmsi"].to_numpy() % 3 == 0, 80, 70),
            "Status": np.zeros(n, dtype=np.int64),
            "Length": np.full(n, 180),
            "Width": np.full(n, 30),
            "Draft": np.full(n, 9.5),
            "Cargo": np.full(n, 70),
            "TransceiverClass": pa.array(["A"] * n),
        }
    )
    pacsv.write_csv(out, path)
    return Path(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    path = incident_csv(args.rows, args.out)
    print(f"{args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# -- sanctions lists --------------------------------------------------------------------------

_SURNAMES = (
    "RONDON",
    "MORAN",
    "CABELLO",
    "SAAB",
    "GARCIA",
    "PEREZ",
    "RODRIGUEZ",
    "GOMEZ",
    "SUAREZ",
    "LOPEZ",
    "MARTINEZ",
    "HERNANDEZ",
    "TORRES",
    "RAMIREZ",
    "FLORES",
    "RIVERA",
    "VARGAS",
    "CASTRO",
    "ORTIZ",
    "ROJAS",
)
_GIVEN = (
    "Diosdado",
    "Alex",
    "Nain",
    "Luis",
    "Alberto",
    "Maria",
    "Jose",
    "Carlos",
    "Ana",
    "Rafael",
    "Elkin",
    "Victor",
    "Julio",
    "Sor",
    "Teresa",
    "German",
    "Edgar",
    "Gustavo",
    "Rubi",
    "Oscar",
)
_ORG_WORDS = (
    "TRADING",
    "SHIPPING",
    "MARITIME",
    "PETROLEUM",
    "INVESTMENTS",
    "GLOBAL",
    "ANDES",
    "CARIBE",
    "ORINOCO",
    "PACIFIC",
    "TANKER",
    "LOGISTICS",
    "HOLDINGS",
    "ENERGY",
    "FUNDACION",
    "INDUSTRIAL",
)
_PROGRAMS = ("SDNTK", "VENEZUELA-EO13850", "VENEZUELA-EO13884", "SDGT", "IRAN", "SDGT] [IFSR", "ILLICIT-DRUGS-EO14059")


def _imo(n: int) -> str:
    """A 7-digit IMO number with a valid check digit, from a six-digit seed."""
    digits = f"{100000 + n % 900000:06d}"
    check = sum(int(d) * w for d, w in zip(digits, (7, 6, 5, 4, 3, 2))) % 10
    return digits + str(check)


def sdn_set(n: int, folder: Path, seed: int = 0) -> Path:
    """An OFAC SDN legacy CSV set of ``n`` synthetic entries (``sdn.csv``, ``add.csv``, ``alt.csv``) in ``folder``.

    As the Treasury publishes it: no header, ``-0- `` for empty, CRLF, Windows-1252, a trailing 0x1A
    byte. A quarter are individuals (DOB, cédula, passport in Remarks), a quarter vessels (IMO with
    a valid check digit, MMSI, former flags, ``Linked To:`` a company), the rest companies; about
    one alias and one address per entry. Invented names: for benchmarks, never for the map.
    """
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    empty = "-0- "
    sdn, add, alt = [], [], []
    companies: list[str] = []
    for i in range(n):
        ent = 10_000 + i
        kind = ("individual", "vessel", "", "")[i % 4]
        program = _PROGRAMS[rng.integers(len(_PROGRAMS))]
        if kind == "individual":
            name = f"{_SURNAMES[rng.integers(20)]} {_SURNAMES[rng.integers(20)]}, {_GIVEN[rng.integers(20)]}"
            remarks = (
                f"DOB {1 + i % 28:02d} Jan {1950 + i % 50}; POB Caracas, Venezuela; "
                f"Cedula No. {4_000_000 + i} (Venezuela); Passport {i:09d} (Venezuela)."
            )
            row = [ent, name, "individual", program, empty, empty, empty, empty, empty, empty, empty, remarks]
        elif kind == "vessel":
            name = f"{_ORG_WORDS[rng.integers(16)]} {i}"
            link = companies[rng.integers(len(companies))] if companies else "NATIONAL IRANIAN TANKER COMPANY"
            remarks = (
                f"Former Vessel Flag Malta; Vessel Registration Identification IMO {_imo(i)}; "
                f"MMSI {200_000_000 + i}; Linked To: {link}."
            )
            row = [
                ent,
                name,
                "vessel",
                program,
                empty,
                f"T{i:04d}",
                "Crude Oil Tanker",
                "99,144",
                "56,068",
                "Panama",
                empty,
                remarks,
            ]
        else:
            name = f"{_ORG_WORDS[rng.integers(16)]} {_ORG_WORDS[rng.integers(16)]} {i} S.A."
            companies.append(name)
            row = [
                ent,
                name,
                empty,
                program,
                empty,
                empty,
                empty,
                empty,
                empty,
                empty,
                empty,
                f"RIF # J-{30_000_000 + i} (Venezuela).",
            ]
        sdn.append(row)
        add.append([ent, 20_000 + i, f"Avenida {i % 97}", "Caracas", "Venezuela", empty])
        alt.append([ent, 30_000 + i, "aka", name.split(",")[0] + " ALIAS", empty])

    def cell(v: object) -> str:
        return v if v == empty else (str(v) if isinstance(v, int) else '"' + str(v).replace('"', '""') + '"')

    for file, rows in (("sdn.csv", sdn), ("add.csv", add), ("alt.csv", alt)):
        text = "".join(",".join(cell(v) for v in r) + "\r\n" for r in rows)
        (folder / file).write_bytes(text.encode("cp1252") + (b"\x1a" if file == "sdn.csv" else b""))
    return folder / "sdn.csv"
