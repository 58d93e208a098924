"""A strike's alleged affiliation linked to the designations of that group.

The affiliation group of a strike (:func:`tracker.rules.affiliation_of`: "Tren de Aragua", "ELN",
a name kept as written) is matched against

* the bundled designation actions, by exact name or alias (compared as
  :func:`tracker.sanctions.names.name_key` compares them: case, accents, punctuation and word
  order ignored), and
* the organizations of the imported lists, by :func:`tracker.sanctions.search.search` (exact name,
  alias, or fuzzy name at or above a stated score).

Each link says how it was made.  A strike whose source names no group ("Not stated", "Unnamed
designated terrorist organization") is linked to nothing: a group is never guessed.
"""

from __future__ import annotations

import pandas as pd

from tracker import rules
from tracker.sanctions.names import name_key
from tracker.sanctions.search import DEFAULT_MIN_SCORE, SearchIndex, search

LINK_COLUMNS = ["source", "id", "name", "listed_by", "program", "date", "how", "score"]
"""One row per link: ``source`` is "bundled designation" or the imported list's name."""

GROUP_TYPES = ("organization", "company")
"""List entity types an affiliation can name (a group, never a person or vessel)."""


def named_group(affiliation: object) -> str | None:
    """The group a strike's affiliation names, or None when its source names none."""
    text = str(affiliation or "").strip()
    if not text or text == rules.NOT_STATED or text.lower().startswith("unnamed"):
        return None
    return text


def _designation_rows(group: str, designations: pd.DataFrame) -> list[dict[str, object]]:
    key = name_key(group)
    rows = []
    for d in designations.itertuples(index=False):
        names = [str(d.name), *[a.strip() for a in str(d.aliases or "").split(";") if a.strip()]]
        same = [n for n in names if name_key(n) == key]
        if same:
            date = d.designation_date.date().isoformat() if pd.notna(d.designation_date) else ""
            how = "exact name" if same[0] == str(d.name) else f"alias ({same[0]})"
            rows.append(
                {
                    "source": "bundled designation",
                    "id": d.designation_id,
                    "name": d.name,
                    "listed_by": d.authority,
                    "program": d.program_text,
                    "date": date,
                    "how": how,
                    "score": 100.0,
                }
            )
    return rows


def _list_rows(group: str, entities: pd.DataFrame, index: SearchIndex, min_score: float) -> list[dict[str, object]]:
    if index is None or len(index) == 0:
        return []
    hits = search(index, group, min_score=min_score, limit=50)
    if hits.empty:
        return []
    hits = hits[hits["entity_type"].isin(GROUP_TYPES)]
    by_id = entities.drop_duplicates(["list_name", "entity_id"]).set_index(["list_name", "entity_id"])
    rows = []
    for h in hits.itertuples(index=False):  # the same id may stand on two lists (OpenSanctions and its maritime subset)
        entity = by_id.loc[(h.list_name, h.entity_id)]
        date = entity["list_date"]
        rows.append(
            {
                "source": h.list_name,
                "id": h.entity_id,
                "name": h.name,
                "listed_by": h.list_name,
                "program": "; ".join(entity["programs"]),
                "date": date.date().isoformat() if pd.notna(date) else "",
                "how": h.how if h.how.startswith("exact") else f"{h.how} ({h.matched})",
                "score": float(h.score),
            }
        )
    return rows


def affiliation_links(
    affiliation: object,
    designations: pd.DataFrame,
    entities: pd.DataFrame | None = None,
    index: SearchIndex | None = None,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
) -> pd.DataFrame:
    """The designations and listed organizations of the group named by ``affiliation`` (columns
    :data:`LINK_COLUMNS`; bundled actions first, then list entities best first).  Empty when the
    affiliation names no group or nothing matches."""
    group = named_group(affiliation)
    if group is None:
        return pd.DataFrame(columns=LINK_COLUMNS)
    rows = _designation_rows(group, designations)
    if entities is not None and index is not None:
        rows += _list_rows(group, entities, index, min_score)
    return pd.DataFrame(rows, columns=LINK_COLUMNS)
