"""AIS ship type codes (ITU-R M.1371, the ``VesselType`` column) grouped for the map's colours and legend.

MarineCadastre writes the two-digit code ("70"); the Danish files write a word ("Cargo", "Tanker").
Both map to the same groups; anything else is "other or not reported".
"""

from __future__ import annotations

import pandas as pd

GROUPS = (
    "tanker",
    "cargo",
    "passenger",
    "fishing",
    "tug or service",
    "pleasure or sailing",
    "military or law enforcement",
    "other or not reported",
)
"""The vessel groups, in legend order."""

GROUP_COLORS: dict[str, list[int]] = {
    "tanker": [0, 150, 136],  # teal: apart from the strikes' red and the routes' colours
    "cargo": [55, 71, 79],
    "passenger": [199, 21, 133],
    "fishing": [44, 160, 44],
    "tug or service": [188, 143, 143],
    "pleasure or sailing": [23, 190, 207],
    "military or law enforcement": [0, 0, 0],
    "other or not reported": [127, 127, 127],
}
"""RGB of each group: hues the strikes, rings and routes do not use (tracks are also thinner)."""

_WORDS = {
    "tanker": "tanker", "cargo": "cargo", "passenger": "passenger", "fishing": "fishing", "tug": "tug or service",
    "towing": "tug or service", "towing long/wide": "tug or service", "pilot": "tug or service",
    "port tender": "tug or service", "sar": "tug or service", "dredging": "tug or service",
    "diving": "tug or service", "anti-pollution": "tug or service", "medical": "tug or service",
    "pleasure": "pleasure or sailing", "sailing": "pleasure or sailing", "military": "military or law enforcement",
    "law enforcement": "military or law enforcement",
}  # fmt: skip


def _group_of_code(code: int) -> str:
    if 80 <= code <= 89:
        return "tanker"
    if 70 <= code <= 79:
        return "cargo"
    if 60 <= code <= 69:
        return "passenger"
    if code == 30:
        return "fishing"
    if code in (31, 32, 33, 34, 50, 51, 52, 53, 54, 58):
        return "tug or service"
    if code in (36, 37):
        return "pleasure or sailing"
    if code in (35, 55):
        return "military or law enforcement"
    return "other or not reported"


def group_of(vessel_type: object) -> str:
    """The group of one AIS vessel type (a code such as "70" or "80.0", or a word such as "Tanker")."""
    text = str(vessel_type or "").strip().lower()
    if not text or text in ("nan", "none", "undefined"):
        return "other or not reported"
    try:
        return _group_of_code(int(float(text)))
    except ValueError:
        return _WORDS.get(text, "other or not reported")


def groups_of(vessel_types: pd.Series) -> pd.Series:
    """:func:`group_of` for a column, worked out once per distinct value."""
    distinct = {v: group_of(v) for v in vessel_types.dropna().unique()}
    return vessel_types.map(distinct).fillna("other or not reported")
