"""Vessels from AIS matched to listed vessels: the imported sanctions lists and the bundled designations.

A match is made only by an exact identifier, never by name:

* the vessel's IMO number (check digit valid) equals a listed entity's IMO identifier, or an
  ``IMO nnnnnnn`` in a bundled designation's identifiers;
* the vessel's MMSI equals a listed entity's MMSI identifier.

Each match says which list, which entity, and how ("exact IMO 9187629", "exact MMSI 538001234").
An MMSI can be reused by another ship after a reflagging, so an MMSI-only match says so.
"""

from __future__ import annotations

import re

import pandas as pd

from tracker.sanctions.entities import SHIP_IMO, is_valid_imo
from tracker.sanctions.names import normalise_identifier

MATCH_COLUMNS = ["mmsi", "list_name", "entity_id", "name", "programs", "how"]
SHIP_MMSI = "MMSI"
_IMO_IN_TEXT = re.compile(r"\bIMO\s*(\d{7})\b", re.IGNORECASE)


def _identifier_index(entities: pd.DataFrame, kind: str) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    if entities is None or entities.empty:
        return index
    for row, identifiers in enumerate(entities["identifiers"]):
        for k, value in identifiers:
            if k == kind:
                index.setdefault(normalise_identifier(value), []).append(row)
    return index


def match_listed(
    vessels: pd.DataFrame, entities: pd.DataFrame | None, designations: pd.DataFrame | None
) -> pd.DataFrame:
    """Every match of ``vessels`` (columns mmsi, imo: IMOs '; '-joined) to a listed vessel (columns
    :data:`MATCH_COLUMNS`), IMO matches first."""
    entities = entities if entities is not None else pd.DataFrame(columns=["identifiers"])
    by_imo = _identifier_index(entities, SHIP_IMO)
    by_mmsi = _identifier_index(entities, SHIP_MMSI)
    bundled: dict[str, list[tuple[str, str, str]]] = {}
    if designations is not None:
        for d in designations.itertuples(index=False):
            for imo in _IMO_IN_TEXT.findall(str(d.identifiers)):
                bundled.setdefault(imo, []).append((d.designation_id, d.name, d.program_text))
    rows = []
    for mmsi, imos in zip(vessels["mmsi"], vessels["imo"]):
        for imo in [i.strip() for i in str(imos or "").split(";") if i.strip()]:
            if not is_valid_imo(imo):
                continue  # a mistyped IMO would match the wrong ship
            for r in by_imo.get(imo, []):
                e = entities.iloc[r]
                rows.append(
                    (mmsi, e["list_name"], e["entity_id"], e["name"], "; ".join(e["programs"]), f"exact IMO {imo}")
                )
            for designation_id, name, program in bundled.get(imo, []):
                rows.append((mmsi, "bundled designations", designation_id, name, program, f"exact IMO {imo}"))
        for r in by_mmsi.get(str(int(mmsi)), []):
            e = entities.iloc[r]
            rows.append(
                (mmsi, e["list_name"], e["entity_id"], e["name"], "; ".join(e["programs"]),
                 f"exact MMSI {int(mmsi)} (an MMSI can pass to another ship: check the IMO)")
            )  # fmt: skip
    frame = pd.DataFrame(rows, columns=MATCH_COLUMNS).drop_duplicates(["mmsi", "list_name", "entity_id"])
    return frame.reset_index(drop=True)


def listed_text(matches: pd.DataFrame) -> pd.Series:
    """Per MMSI, the matches as one line: "OFAC SDN: NAME (id), exact IMO 9187629 | …"."""
    if matches.empty:
        return pd.Series(dtype=object)
    lines = (
        matches["list_name"] + ": " + matches["name"] + " (" + matches["entity_id"].astype(str) + "), " + matches["how"]
    )
    return lines.groupby(matches["mmsi"]).agg(" | ".join)
