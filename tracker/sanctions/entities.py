"""One canonical model of a sanctions-list entity, whatever list it came from, and list diffs.

Both readers (:mod:`tracker.sanctions.ofac_sdn`, :mod:`tracker.sanctions.opensanctions`) return
an *entities frame*: one row per entity with exactly :data:`ENTITY_COLUMNS`:

* ``entity_id``: the list's prefix and its own id, ``ofac:12345`` or ``os:NK-...``;
* ``list_name``: ``"OFAC SDN"``, ``"OpenSanctions"`` or ``"OpenSanctions maritime"``;
* ``source_id``: the id as the list writes it (OFAC ``ent_num``, OpenSanctions ``id``);
* ``entity_type``: one of :data:`ENTITY_TYPES`;
* ``name``; ``aliases``, ``programs``, ``addresses``: lists of text;
* ``countries``: ISO 3166-1 alpha-2 codes where the list's country names can be mapped
  (nationality, citizenship, vessel flag, then address countries);
* ``identifiers``: ``[kind, value]`` pairs (``["IMO", "9187629"]``, ``["MMSI", ...]``,
  ``["Call sign", ...]``, ``["Cedula", ...]``, ``["Passport", ...]``);
* ``imo_valid``: for entities with a ship IMO number, whether every one passes the check digit
  (:func:`is_valid_imo`); missing (``<NA>``) when the entity has none.  Invalid ones are kept;
* ``list_date``: when the list first listed the entity, from OpenSanctions ``first_seen``; the
  OFAC legacy CSV states no date, so it is ``NaT`` there (never invented);
* ``remarks``: the list's free text, in full;
* ``links``: ``{"name", "entity_id", "relation", "how", "score"}`` dicts, e.g. an OFAC
  ``Linked To: NAME.`` as ``{"name": NAME, "entity_id": None, "relation": "Linked To (OFAC
  remarks)", "how": "not resolved", "score": None}`` until
  :func:`tracker.sanctions.search.link_entities` resolves it;
* ``facts``: ``{label: [values]}`` for what is stated but is neither a name nor an identifier
  (``DOB``, ``POB``, ``nationality``, ``citizenship``, ``gender``, ``former flags``, ``flag``,
  ``vessel type``, ``tonnage``, ``title`` ...).

Lists are plain Python lists so a frame can be written to the store as JSON as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tracker.schema import Problem

ENTITY_TYPES = ("person", "organization", "company", "vessel", "aircraft")

LIST_COLUMNS = ("aliases", "programs", "addresses", "countries", "identifiers", "links")
ENTITY_COLUMNS: dict[str, str] = {
    "entity_id": "str",
    "list_name": "str",
    "source_id": "str",
    "entity_type": "str",
    "name": "str",
    "aliases": "object",
    "programs": "object",
    "addresses": "object",
    "countries": "object",
    "identifiers": "object",
    "imo_valid": "boolean",
    "list_date": "datetime64[ns]",
    "remarks": "str",
    "links": "object",
    "facts": "object",
}
"""The columns of an entities frame, in order, with their dtypes."""

DIFF_FIELDS = tuple(c for c in ENTITY_COLUMNS if c not in ("entity_id", "list_name", "source_id", "imo_valid"))
"""The fields :func:`list_diff` compares (``imo_valid`` follows from ``identifiers``)."""

SHIP_IMO = "IMO"
"""The identifier kind of a ship's IMO number (checked by :func:`is_valid_imo`)."""

_IMO_WEIGHTS = np.array([7, 6, 5, 4, 3, 2])


@dataclass(frozen=True)
class ListRead:
    """What a list reader returns: the entities that passed, every problem, and records read per file."""

    entities: pd.DataFrame
    problems: list[Problem]
    records: Mapping[str, int] = field(default_factory=dict)
    list_name: str = ""
    source_format: str = ""

    @property
    def errors(self) -> list[Problem]:
        """The problems that kept a record out (severity ``error``)."""
        return [p for p in self.problems if p.severity == "error"]


def is_valid_imo(number: object) -> bool:
    """Whether ``number`` is a ship IMO number: 7 digits, the last = (d1*7 + d2*6 + ... + d6*2) mod 10.

    ``"9187629"`` and ``"IMO 9187629"`` are valid; ``"9187628"`` and ``"918762"`` are not.
    """
    digits = str(number or "").upper().replace("IMO", "").strip()
    if len(digits) != 7 or not digits.isascii() or not digits.isdigit():
        return False
    return int(np.dot(_IMO_WEIGHTS, [int(d) for d in digits[:6]])) % 10 == int(digits[6])


def imo_validity(identifiers: list) -> bool | None:
    """True when every ship IMO number in ``identifiers`` is valid, False when one is not, None without any."""
    imos = [p[1] for p in identifiers if isinstance(p, list | tuple) and len(p) >= 2 and p[0] == SHIP_IMO]
    return all(is_valid_imo(v) for v in imos) if imos else None


def empty_entities() -> pd.DataFrame:
    """An entities frame with no rows."""
    return entities_frame([])


def _as_list(value: object) -> list:
    """A list cell: lists, tuples and arrays as a list; anything else (None, NaN) as ``[]``."""
    return (
        [list(v) if isinstance(v, tuple) else v for v in value] if isinstance(value, list | tuple | np.ndarray) else []
    )


def _as_dict(value: object) -> dict:
    return dict(value) if isinstance(value, Mapping) else {}


def entities_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """An entities frame from one dict per entity (missing keys become empty values).

    ``imo_valid`` is worked out from ``identifiers`` when a record does not give it.
    """
    columns: dict[str, object] = {}
    for name, dtype in ENTITY_COLUMNS.items():
        if name in LIST_COLUMNS:
            columns[name] = pd.Series([_as_list(r.get(name)) for r in records], dtype="object")
        elif name == "facts":
            columns[name] = pd.Series([_as_dict(r.get(name)) for r in records], dtype="object")
        elif name == "imo_valid":
            values = [r.get(name, imo_validity(_as_list(r.get("identifiers")))) for r in records]
            columns[name] = pd.array([pd.NA if v is None else bool(v) for v in values], dtype="boolean")
        elif name == "list_date":
            columns[name] = pd.to_datetime(pd.Series([r.get(name) for r in records], dtype="object"), errors="coerce")
        else:
            columns[name] = pd.Series([str(r.get(name) or "") for r in records], dtype=dtype)
    frame = pd.DataFrame(columns)
    frame["list_date"] = frame["list_date"].astype("datetime64[ns]")
    return frame


def identifiers_frame(entities: pd.DataFrame) -> pd.DataFrame:
    """One row per identifier: ``entity_id``, ``kind``, ``value``, ``valid`` (the IMO check for
    ship IMO numbers; ``<NA>`` for other kinds)."""
    rows = [
        (eid, str(kind), str(value), is_valid_imo(value) if kind == SHIP_IMO else None)
        for eid, ids in zip(entities["entity_id"], entities["identifiers"])
        for kind, value in (ids if isinstance(ids, list | tuple | np.ndarray) else [])
    ]
    frame = pd.DataFrame(rows, columns=["entity_id", "kind", "value", "valid"])
    frame["valid"] = pd.array([pd.NA if v is None else v for v in frame["valid"]], dtype="boolean")
    return frame


# -- list diff ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListDiff:
    """Two imports of the same list compared by ``entity_id``.

    ``added``: entities only in the new import; ``removed``: only in the old one (delisted);
    ``changed``: ``entity_id``, ``name`` (new) and ``fields`` (the names of the fields that differ).
    """

    added: pd.DataFrame
    removed: pd.DataFrame
    changed: pd.DataFrame

    def summary(self) -> str:
        """One line for a person: '3 added, 1 removed (delisted), 2 changed'."""
        return f"{len(self.added)} added, {len(self.removed)} removed (delisted), {len(self.changed)} changed"


def _plain(value: object) -> object:
    """A cell as plain, ordered Python values: lists as sorted tuples (order ignored), mappings as sorted
    items, blank text and missing values as None, numpy scalars as Python ones."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(sorted((_plain(v) for v in value), key=repr))
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _plain(v)) for k, v in value.items()))
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _comparable(value: object) -> str:
    """A cell as one comparable text (see :func:`_plain`)."""
    return repr(_plain(value))


def _day(value: object) -> str:
    """A date cell (Timestamp, or ISO text as the store gives it back) as ``YYYY-MM-DD``; ``""`` when missing."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    return "" if pd.isna(stamp) else stamp.date().isoformat()


def _link_names(links: object) -> list[str]:
    """What a diff compares of links: the linked names as the list states them (not how they resolved)."""
    if not isinstance(links, list | tuple | np.ndarray):
        return []
    return sorted({str(link.get("name") or link.get("entity_id") or "") for link in links if isinstance(link, Mapping)})


def _canonical(frame: pd.DataFrame, field: str) -> np.ndarray:
    """One comparable text per row of ``frame[field]``."""
    if field == "list_date":
        return frame[field].map(_day).to_numpy(dtype=object)
    values = frame[field].map(_link_names) if field == "links" else frame[field]
    return values.map(_comparable).to_numpy(dtype=object)


def _by_id(frame: pd.DataFrame) -> pd.DataFrame:
    if not len(frame):
        return frame.assign(entity_id=pd.Series([], dtype=str)).set_index("entity_id")
    return frame.assign(entity_id=frame["entity_id"].astype(str)).drop_duplicates("entity_id").set_index("entity_id")


def list_diff(old: pd.DataFrame, new: pd.DataFrame) -> ListDiff:
    """What changed between two imports of one list, keyed by ``entity_id``.

    Works on entities frames from a reader or read back from the store (lists, ``None`` and ISO
    date text).  Fields are compared as values, not as text: list order and how links were
    resolved are ignored; ``""`` and a missing value are the same; ``list_date`` is compared by
    day.  Fields that only one of the frames has are not compared.
    """
    before, after = _by_id(old), _by_id(new)
    added = after.index.difference(before.index, sort=False)
    removed = before.index.difference(after.index, sort=False)
    common = after.index.intersection(before.index, sort=False)
    fields = [f for f in DIFF_FIELDS if f in before.columns and f in after.columns]
    a, b = before.loc[common], after.loc[common]
    differs = np.column_stack([_canonical(a, f) != _canonical(b, f) for f in fields]) if fields else None
    changed: list[tuple[str, str, list[str]]] = []
    if differs is not None and len(common):
        names = b["name"].astype(str).to_numpy() if "name" in b else np.full(len(common), "")
        for i in np.flatnonzero(differs.any(axis=1)):
            changed.append((str(common[i]), str(names[i]), [f for f, d in zip(fields, differs[i]) if d]))
    return ListDiff(
        added=after.loc[added].reset_index(),
        removed=before.loc[removed].reset_index(),
        changed=pd.DataFrame(changed, columns=["entity_id", "name", "fields"]),
    )
