"""Links between entities: OFAC ``Linked To:`` names resolved to entity ids, and shared identifiers.

A link is one row of a *links frame* (:data:`LINK_COLUMNS`): ``entity_id`` -> ``linked_entity_id``
(or ``None`` when the name could not be resolved), ``linked_name``, ``relation`` (what the list
says: ``Linked To (OFAC remarks)``, its reverse ``Linked from (OFAC remarks)``, or ``same IMO
9187629``), ``how`` the other end was found (``exact name``, ``alias``, ``fuzzy name``,
``exact identifier``, ``not resolved``), ``score`` (100 for exact; the fuzzy score) and
``candidates`` (how many entities had that name: more than one means the link is ambiguous and
each candidate is linked).

Links never merge entities: the entities frame keeps one row per listed entity, and
:func:`with_links` only rewrites each row's ``links`` column.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from tracker.sanctions.names import name_key, normalise_identifier, normalise_name

LINKED_TO = "Linked To (OFAC remarks)"
LINKED_FROM = "Linked from (OFAC remarks)"
STRONG_IDENTIFIERS = ("IMO", "IMO company", "MMSI")
"""Identifier kinds that name one vessel or company worldwide, so sharing one is worth a link."""
MAX_SHARED = 25
"""An identifier shared by more entities than this is taken for a placeholder and not linked."""
LINK_COLUMNS = ["entity_id", "linked_entity_id", "linked_name", "relation", "how", "score", "candidates"]


def _links_frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=LINK_COLUMNS).astype({"score": "float64", "candidates": "int64"})
    return frame.astype({"linked_entity_id": "object"})


def _stated(links: object) -> list[str]:
    """The linked names an entity's ``links`` cell states (its ``Linked To`` links, resolved or not)."""
    if not isinstance(links, list | tuple | np.ndarray):
        return []
    names = []
    for link in links:
        if isinstance(link, Mapping) and link.get("relation", LINKED_TO) == LINKED_TO and link.get("name"):
            if str(link["name"]) not in names:
                names.append(str(link["name"]))
    return names


def resolve_linked_names(entities: pd.DataFrame, *, min_score: float | None = None) -> pd.DataFrame:
    """Each stated ``Linked To`` name resolved to the entities of the same list with that name.

    First the exact normalised name (any word order), then an exact alias, then, only when
    ``min_score`` is given, the closest name by rapidfuzz ``token_sort_ratio`` scoring at least
    ``min_score``.  An entity is never linked to itself.  Names found nowhere are kept, with
    ``linked_entity_id`` None and ``how`` "not resolved".
    """
    rows: list[tuple[object, ...]] = []
    if entities.empty or "links" not in entities:
        return _links_frame(rows)
    lists = entities["list_name"] if "list_name" in entities else pd.Series([""] * len(entities))
    for list_name in pd.unique(lists):
        part = entities[(lists == list_name).to_numpy()]
        ids = part["entity_id"].astype(str).tolist()
        by_name: dict[str, list[str]] = {}
        by_alias: dict[str, list[str]] = {}
        for eid, name, aliases in zip(ids, part["name"], part.get("aliases", pd.Series([[]] * len(part)))):
            by_name.setdefault(name_key(name), []).append(eid)
            for alias in aliases if isinstance(aliases, list | tuple | np.ndarray) else []:
                by_alias.setdefault(name_key(alias), []).append(eid)
        normal_names = [normalise_name(n) for n in part["name"]]
        for eid, links in zip(ids, part["links"]):
            for linked in _stated(links):
                key = name_key(linked)
                found, how, score = [i for i in by_name.get(key, []) if i != eid], "exact name", 100.0
                if not found:
                    found, how = [i for i in by_alias.get(key, []) if i != eid], "alias"
                if not found and min_score is not None and normal_names:
                    best = process.extractOne(
                        normalise_name(linked), normal_names, scorer=fuzz.token_sort_ratio, score_cutoff=min_score
                    )
                    if best is not None and ids[best[2]] != eid:
                        found, how, score = [ids[best[2]]], "fuzzy name", round(float(best[1]), 1)
                if not found:
                    rows.append((eid, None, linked, LINKED_TO, "not resolved", np.nan, 0))
                rows += [(eid, other, linked, LINKED_TO, how, score, len(found)) for other in found]
    return _links_frame(rows)


def link_by_identifier(entities: pd.DataFrame, *, kinds: tuple[str, ...] = STRONG_IDENTIFIERS) -> pd.DataFrame:
    """Entities, in the same list or not, that share an identifier of ``kinds`` (IMO, MMSI), linked both ways.

    ``relation`` says which (``same IMO 9187629``); ``how`` is ``exact identifier``.  IMO ship
    and IMO company numbers are compared as the same number.
    """
    owners: dict[tuple[str, str], list[tuple[str, str]]] = {}
    if entities.empty or "identifiers" not in entities:
        return _links_frame([])
    for eid, name, pairs in zip(entities["entity_id"].astype(str), entities["name"], entities["identifiers"]):
        for pair in pairs if isinstance(pairs, list | tuple | np.ndarray) else []:
            if len(pair) >= 2 and pair[0] in kinds and (value := normalise_identifier(pair[1])):
                family = "IMO" if str(pair[0]).startswith("IMO") else str(pair[0])
                sharing = owners.setdefault((family, value), [])
                if eid not in (e for e, _ in sharing):
                    sharing.append((eid, str(name)))
    rows: list[tuple[object, ...]] = []
    for (family, value), sharing in owners.items():
        if 1 < len(sharing) <= MAX_SHARED:
            for eid, _ in sharing:
                for other, other_name in sharing:
                    if other != eid:
                        rows.append((eid, other, other_name, f"same {family} {value}", "exact identifier", 100.0, 1))
    return _links_frame(rows)


def link_entities(
    entities: pd.DataFrame, *, min_score: float | None = None, by_identifier: bool = True
) -> pd.DataFrame:
    """Every link among ``entities``: stated links resolved (:func:`resolve_linked_names`) and their
    reverse (``Linked from``), plus shared identifiers (:func:`link_by_identifier`) when ``by_identifier``.

    The result is a links frame; pass it to :func:`with_links` to write it into the entities.
    """
    stated = resolve_linked_names(entities, min_score=min_score)
    resolved = stated[stated["linked_entity_id"].notna()]
    names = dict(zip(entities["entity_id"].astype(str), entities["name"].astype(str))) if len(entities) else {}
    reverse = pd.DataFrame(
        {
            "entity_id": resolved["linked_entity_id"].to_numpy(),
            "linked_entity_id": resolved["entity_id"].to_numpy(),
            "linked_name": [names.get(e, "") for e in resolved["entity_id"]],
            "relation": LINKED_FROM,
            "how": resolved["how"].to_numpy(),
            "score": resolved["score"].to_numpy(),
            "candidates": resolved["candidates"].to_numpy(),
        },
        columns=LINK_COLUMNS,
    )
    parts = [stated, reverse] + ([link_by_identifier(entities)] if by_identifier else [])
    parts = [p for p in parts if len(p)]
    if not parts:
        return _links_frame([])
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.drop_duplicates(["entity_id", "linked_entity_id", "linked_name", "relation"], ignore_index=True)
    frame = frame.astype({"linked_entity_id": "object", "score": "float64", "candidates": "int64"})
    frame["linked_entity_id"] = frame["linked_entity_id"].where(frame["linked_entity_id"].notna(), None)
    return frame


def with_links(entities: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """``entities`` with each row's ``links`` replaced by its rows of ``links`` (a links frame), as dicts
    ``{"name", "entity_id", "relation", "how", "score"}``.  Rows and their order are unchanged."""
    by_entity: dict[str, list[dict[str, object]]] = {}
    for row in links.itertuples(index=False):
        score = None if pd.isna(row.score) else float(row.score)
        other = None if row.linked_entity_id is None or pd.isna(row.linked_entity_id) else str(row.linked_entity_id)
        by_entity.setdefault(str(row.entity_id), []).append(
            {"name": row.linked_name, "entity_id": other, "relation": row.relation, "how": row.how, "score": score}
        )
    out = entities.copy()
    out["links"] = pd.Series([by_entity.get(str(e), []) for e in out["entity_id"]], index=out.index, dtype="object")
    return out
