"""Places: a position for a row that gives a place description instead of coordinates.

:func:`place_from_text` reads plain place names and offsets such as "80 nm
south of Beata Island" (nautical miles, km or statute miles; eight compass
directions) against the offline gazetteer (:mod:`tracker.gazetteer`).  It
returns EPSG:4326 longitude and latitude in degrees, a precision word, an
uncertainty radius in km and a sentence saying how the place was found.
"""

from __future__ import annotations

import re

from tracker import gazetteer as gz

_OFFSET = re.compile(
    r"(?P<dist>\d+(?:[.,]\d+)?)\s*(?P<unit>nm|nmi|nautical miles?|km|kilomet(?:er|re)s?|mi|miles?)\s+"
    r"(?P<dir>north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|"
    r"south-west|n|s|e|w|ne|nw|se|sw)\s+(?:of|off|from)\s+(?P<place>.+)",
    re.IGNORECASE,
)
_BEARINGS = {"n": 0, "ne": 45, "e": 90, "se": 135, "s": 180, "sw": 225, "w": 270, "nw": 315}
_UNIT_KM = {
    "nm": gz.NAUTICAL_MILE_KM,
    "nmi": gz.NAUTICAL_MILE_KM,
    "nautical": gz.NAUTICAL_MILE_KM,
    "km": 1.0,
    "kilometer": 1.0,
    "kilometre": 1.0,
    "mi": 1.609344,
    "mile": 1.609344,
}


def place_from_text(g: gz.Gazetteer, text: str) -> tuple[float, float, str, float, str] | None:
    """(longitude, latitude, precision, radius_km, basis) for a place description, or None.

    Understands "80 nm south of Beata Island" (a distance and direction from a
    known place: precision ``approximate``, radius a quarter of the distance or
    the place's own radius, whichever is larger) and plain place names.
    """
    m = _OFFSET.search(text)
    if m:
        place = g.find_in_text(m.group("place"))
        if place is not None:
            word = m.group("dir").lower().replace("-", "")
            key = {
                "north": "n",
                "south": "s",
                "east": "e",
                "west": "w",
                "northeast": "ne",
                "northwest": "nw",
                "southeast": "se",
                "southwest": "sw",
            }.get(word, word)
            unit = m.group("unit").lower().split()[0].rstrip("s")
            km = float(m.group("dist").replace(",", ".")) * _UNIT_KM.get(unit, 1.0)
            lon, lat = gz.offset(place.longitude, place.latitude, km, _BEARINGS[key])
            radius = max(place.radius_km, km / 4)
            basis = (
                f"placed {km:.0f} km {word} of '{place.name}' ({place.basis}) from the text "
                f"'{m.group(0)}'; radius allows for the bearing and distance being approximate"
            )
            return round(lon, 3), round(lat, 3), "approximate", round(radius, 1), basis
    place = g.find_in_text(text)
    if place is None:
        return None
    return (
        place.longitude,
        place.latitude,
        place.precision,
        place.radius_km,
        f"placed from the place name '{place.name}' by the offline gazetteer ({place.basis})",
    )
