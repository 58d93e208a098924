"""Offline place names -> coordinates with the precision they imply.

The gazetteer is a bundled table (``data/gazetteer.csv``) built from Natural
Earth countries, the searoute package's port list and a short hand-placed list
of sea areas and places (``data/build/places_manual.csv``).  Every entry has a
``precision``, an uncertainty ``radius_km`` and a ``basis`` saying where its
point comes from.  Nothing here uses the network.

Coordinates are EPSG:4326 degrees; distances are kilometres; bearings are
degrees clockwise from true north.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Geod

from tracker.errors import DataFileError

GAZETTEER_COLUMNS = (
    "name",
    "aliases",
    "country",
    "kind",
    "longitude",
    "latitude",
    "radius_km",
    "precision",
    "basis",
)
NAUTICAL_MILE_KM = 1.852
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Place:
    """A gazetteer hit: where a named place is and how precisely."""

    name: str
    country: str
    kind: str
    longitude: float
    latitude: float
    radius_km: float
    precision: str
    basis: str


def normalise_name(text: str) -> str:
    """Lower-case, strip accents and punctuation: 'Isla Beata' -> 'isla beata'."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


class Gazetteer:
    """Name look-ups over a gazetteer table (one row per place)."""

    def __init__(self, table: pd.DataFrame) -> None:
        missing = set(GAZETTEER_COLUMNS) - set(table.columns)
        if missing:
            raise DataFileError(f"gazetteer is missing columns: {sorted(missing)}")
        self.table = table.reset_index(drop=True)
        keys: dict[str, list[int]] = {}
        # earlier rows win: the table lists hand-placed places first, then ports, then countries
        for i, name, aliases in zip(self.table.index, self.table["name"], self.table["aliases"]):
            for n in [name, *str(aliases or "").split(";")]:
                key = normalise_name(n)
                if key and i not in keys.setdefault(key, []):
                    keys[key].append(i)
        self._keys = keys
        # longest names first, so "eastern pacific off colombia" beats "eastern pacific"
        self._ordered = sorted(keys, key=len, reverse=True)

    def __len__(self) -> int:
        return len(self.table)

    def countries_named(self, name: str) -> set[str]:
        """The countries of every place called ``name`` (to spot names that need a country)."""
        return {str(self.table.at[i, "country"]) for i in self._keys.get(normalise_name(name), [])}

    def country(self, iso_a2: str) -> Place | None:
        """The representative point of the country with ISO 3166 alpha-2 code ``iso_a2``."""
        t = self.table
        hits = t.index[(t["kind"] == "country") & (t["country"] == iso_a2)]
        return self._place(int(hits[0])) if len(hits) else None

    def _place(self, i: int) -> Place:
        r = self.table.iloc[i]
        return Place(
            name=str(r["name"]),
            country=str(r["country"] or ""),
            kind=str(r["kind"]),
            longitude=float(r["longitude"]),
            latitude=float(r["latitude"]),
            radius_km=float(r["radius_km"]),
            precision=str(r["precision"]),
            basis=str(r["basis"]),
        )

    def lookup(self, name: str, *, country: str | None = None) -> Place | None:
        """The place called exactly ``name`` (accents, case and punctuation ignored), or None."""
        for i in self._keys.get(normalise_name(name), []):
            place = self._place(i)
            if not country or place.country == country:
                return place
        return None

    def find_in_text(self, text: str, *, countries: tuple[str, ...] = ()) -> Place | None:
        """The most specific known place named inside free ``text``, or None.

        With ``countries``, only places in those countries (or with no country,
        such as sea areas) count.  Longer names win over shorter ones.
        """
        norm = f" {normalise_name(text)} "
        for key in self._ordered:
            if f" {key} " in norm:
                for i in self._keys[key]:
                    place = self._place(i)
                    if not countries or not place.country or place.country in countries:
                        return place
        return None


def offset(longitude: float, latitude: float, distance_km: float, bearing_deg: float) -> tuple[float, float]:
    """The point ``distance_km`` from (longitude, latitude) along ``bearing_deg`` on the WGS84 ellipsoid."""
    lon, lat, _ = _GEOD.fwd(longitude, latitude, bearing_deg, distance_km * 1000.0)
    return float(lon), float(lat)


def distance_km(
    lon1: float | np.ndarray, lat1: float | np.ndarray, lon2: float | np.ndarray, lat2: float | np.ndarray
) -> float | np.ndarray:
    """Geodesic distance in km between points (scalars or arrays)."""
    _, _, metres = _GEOD.inv(lon1, lat1, lon2, lat2)
    return metres / 1000.0


@lru_cache(maxsize=4)
def load_gazetteer(path: str | Path) -> Gazetteer:
    """Read the bundled gazetteer CSV (cached per path)."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(f"gazetteer file not found: {path}")
    table = pd.read_csv(path, dtype={"country": str}, keep_default_na=False)
    return Gazetteer(table)
