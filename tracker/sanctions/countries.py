"""Country names as the lists write them -> ISO 3166-1 alpha-2 codes.

The names come from the country rows of the bundled gazetteer (``data/gazetteer.csv``, Natural
Earth names with English and Spanish aliases), plus the spellings OFAC uses that Natural Earth
does not ("Korea, North", "Burma", "Virgin Islands, British" ...).  A name that is not a country
("None Identified", "Netherlands Antilles", a region) gives ``None``: a code is never guessed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tracker.sanctions.names import normalise_name

OFAC_SPELLINGS: dict[str, str] = {
    "united states": "US",
    "usa": "US",
    "korea north": "KP",
    "korea south": "KR",
    "burma": "MM",
    "virgin islands british": "VG",
    "virgin islands u s": "VI",
    "st kitts nevis": "KN",
    "saint kitts and nevis": "KN",
    "st vincent and the grenadines": "VC",
    "st lucia": "LC",
    "congo democratic republic of the": "CD",
    "congo republic of the": "CG",
    "cote d ivoire": "CI",
    "gambia the": "GM",
    "the gambia": "GM",
    "bahamas the": "BS",
    "turkiye": "TR",
    "west bank": "PS",
    "gaza": "PS",
    "macau": "MO",
    "hong kong": "HK",
    "czechia": "CZ",
    "eswatini": "SZ",
    "timor leste": "TL",
    "micronesia federated states of": "FM",
    "region crimea": "UA",
}
"""Spellings used by OFAC (normalised) that the gazetteer does not list."""

_CODE = re.compile(r"^[A-Za-z]{2}$")


@lru_cache(maxsize=1)
def _gazetteer_names() -> dict[str, str]:
    """Normalised country name or alias -> ISO alpha-2, from the bundled gazetteer."""
    from tracker import gazetteer
    from tracker.errors import TrackerError
    from tracker.readers import DATA_DIR

    try:
        table = gazetteer.load_gazetteer(DATA_DIR / "gazetteer.csv").table
    except TrackerError:  # without the bundled table, only the spellings above are known
        return {}
    rows = table[table["kind"] == "country"]
    names: dict[str, str] = {}
    for name, aliases, code in zip(rows["name"], rows["aliases"], rows["country"]):
        if not isinstance(code, str) or not _CODE.match(code):
            continue
        for spelling in [name, *str(aliases or "").split(";")]:
            key = normalise_name(spelling)
            if key:
                names.setdefault(key, code.upper())
    return names


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """The ISO alpha-2 code of a country name ("Venezuela" -> "VE"), or None when not a known country.

    A two-letter code is taken as a code already ("ve" -> "VE"), as OpenSanctions writes them.
    """
    text = str(name or "").strip()
    if _CODE.match(text):
        return text.upper()
    key = normalise_name(text)
    if not key:
        return None
    return OFAC_SPELLINGS.get(key) or _gazetteer_names().get(key)


def country_codes(names: list[str]) -> list[str]:
    """The distinct codes of ``names`` in order of first appearance; unknown names left out."""
    codes: list[str] = []
    for name in names:
        code = country_code(name)
        if code and code not in codes:
            codes.append(code)
    return codes
