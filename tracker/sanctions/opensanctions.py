"""OpenSanctions CSV exports -> an entities frame and problems.

* ``targets.simple.csv``: ``id, schema, name, aliases, birth_date, countries, addresses,
  identifiers, sanctions, phones, emails, [program_ids,] dataset, first_seen, last_seen,
  last_change``.  Newer exports add ``program_ids``; columns are found by their header name,
  never by position, so both layouts read the same.
* ``maritime.csv``: ``type, caption, imo, risk, countries, flag, mmsi, id, url, datasets, aliases``.

UTF-8 (with or without BOM), a header row, multi-values joined with ``;``.  Rows in problems
are line numbers as a person counts them: the header is row 1, the first entity row 2.
Entity ids are ``os:`` and the OpenSanctions id.  ``list_date`` is ``first_seen`` (the day
OpenSanctions first saw the entity on a source list); maritime.csv has none.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pandas as pd

from tracker.errors import ValidationError, check_option
from tracker.sanctions.countries import country_code
from tracker.sanctions.entities import ListRead, entities_frame
from tracker.sanctions.files import Source, decode_text, gather_files
from tracker.sanctions.names import normalise_identifier
from tracker.schema import Problem

LIST_NAME = "OpenSanctions"
MARITIME_LIST_NAME = "OpenSanctions maritime"
SOURCE_FORMATS = {"targets.simple.csv": "opensanctions_targets", "maritime.csv": "opensanctions_maritime"}
TARGETS_FILE, MARITIME_FILE = "targets.simple.csv", "maritime.csv"
TARGETS_COLUMNS = (
    "id",
    "schema",
    "name",
    "aliases",
    "birth_date",
    "countries",
    "addresses",
    "identifiers",
    "sanctions",
    "phones",
    "emails",
    "program_ids",
    "dataset",
    "first_seen",
    "last_seen",
    "last_change",
)
"""The columns of ``targets.simple.csv`` this reader uses (``program_ids`` is optional)."""
MARITIME_COLUMNS = ("type", "caption", "imo", "risk", "countries", "flag", "mmsi", "id", "url", "datasets", "aliases")

ENTITY_TYPE_OF_SCHEMA = {
    "person": "person",
    "organization": "organization",
    "legalentity": "organization",
    "publicbody": "organization",
    "company": "company",
    "vessel": "vessel",
    "airplane": "aircraft",
}
"""OpenSanctions schema (lower case) -> entity type; other schemata (addresses, wallets ...) are left out."""
ENTITY_TYPE_OF_MARITIME = {"vessel": "vessel", "organization": "organization", "company": "company", "person": "person"}

ON_INVALID = ("report", "raise")
_IMO = re.compile(r"^\s*IMO\s*:?\s*(\d{7})\s*$", re.IGNORECASE)
_MMSI = re.compile(r"^\s*(\d{9})\s*$")


def split_values(text: str) -> list[str]:
    """``"a; b;;c"`` -> ``["a", "b", "c"]``: a multi-value cell, blanks dropped, duplicates once."""
    values: list[str] = []
    for part in str(text or "").split(";"):
        part = part.strip()
        if part and part not in values:
            values.append(part)
    return values


def read_table(
    data: bytes, file: str, required: tuple[str, ...]
) -> tuple[dict[str, int], list[tuple[int, list[str]]], list[Problem]]:
    """``(column -> position, [(row, cells)], problems)`` of a CSV with a header row.

    Header names are matched case-insensitively.  A missing required column is an error and no
    rows are returned; a row with the wrong number of cells is an error and is left out.
    """
    text, _, problems = decode_text(data, file, default="utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        if not header:
            return {}, [], [*problems, Problem(file, None, "", "", "the file is empty")]
        positions = {name.strip().lstrip("\ufeff").lower(): i for i, name in reversed(list(enumerate(header)))}
        missing = [c for c in required if c not in positions]
        if missing:
            message = f"the header has no {', '.join(missing)} column; no rows were read"
            return positions, [], [*problems, Problem(file, 1, missing[0], ",".join(header)[:200], message)]
        start = reader.line_num + 1
        for cells in reader:
            if len(cells) != len(header) and any(c.strip() for c in cells):
                problems.append(
                    Problem(
                        file,
                        start,
                        "",
                        ",".join(cells)[:200],
                        f"this row has {len(cells)} cells, not {len(header)}; left out",
                    )
                )
            elif any(c.strip() for c in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(file, reader.line_num, "", "", f"the rest of the file cannot be read as CSV: {exc}"))
    return positions, rows, problems


def _identifiers(values: list[str], entity_type: str) -> list[list[str]]:
    """OpenSanctions identifier values -> ``[kind, value]``: IMO and (for vessels) MMSI recognised, else ``ID``."""
    pairs: list[list[str]] = []
    for value in values:
        imo = _IMO.match(value)
        if imo:
            pair = ["IMO" if entity_type == "vessel" else "IMO company", imo.group(1)]
        elif entity_type == "vessel" and _MMSI.match(value):
            pair = ["MMSI", value.strip()]
        else:
            pair = ["ID", value]
        if pair not in pairs:
            pairs.append(pair)
    return pairs


def _countries(values: list[str], facts: dict[str, list[str]]) -> list[str]:
    """ISO alpha-2 codes of the listed countries; codes that are not alpha-2 ("suhh") kept in facts only."""
    codes: list[str] = []
    for value in values:
        code = country_code(value)
        if code and code not in codes:
            codes.append(code)
        elif not code:
            facts.setdefault("other countries", []).append(value)
    return codes


def _first_seen_dates(records: list[dict[str, object]], rows: list[int], file: str, problems: list[Problem]) -> None:
    """Turn each record's ``first_seen`` text into its ``list_date`` (the day), all at once; text that
    is not a date is a warning on its row and leaves the date empty."""
    text = pd.Series([str(r.pop("first_seen", "") or "").strip() for r in records], dtype=object)
    days = pd.to_datetime(text.str[:10], format="%Y-%m-%d", errors="coerce")
    for i in (text.ne("") & days.isna()).to_numpy().nonzero()[0]:
        problems.append(Problem(file, rows[i], "first_seen", text[i], "not a date (YYYY-MM-DD); left empty", "warning"))
    for record, day in zip(records, days):
        record["list_date"] = None if pd.isna(day) else day


def _sources(source: Source, name: str) -> tuple[bytes | None, str, list[Problem]]:
    files, problems = gather_files(source, (name,))
    if name not in files and not problems:
        problems.append(Problem(name, None, "", "", f"{name} was not found, so no entities were read"))
    return files.get(name), name, problems


def _finish(
    records: list[dict[str, object]],
    problems: list[Problem],
    file: str,
    rows: int | None,
    list_name: str,
    on_invalid: str,
) -> ListRead:
    """The result (``rows`` read from ``file``, None when it was not found), raised when asked and it has errors."""
    read = {} if rows is None else {file: rows}
    result = ListRead(entities_frame(records), problems, read, list_name, SOURCE_FORMATS[file])
    if on_invalid == "raise" and result.errors:
        raise ValidationError(result.errors)
    return result


def _checked(
    cells: list[str], at: dict[str, int], file: str, row: int, problems: list[Problem], seen: dict[str, int]
) -> bool:
    """Whether a row has an id not seen before and a name; a problem for each that has not."""
    eid, name_column = cells[at["id"]].strip(), "name" if "name" in at else "caption"
    if not eid:
        problems.append(Problem(file, row, "id", "", "the row has no id; left out"))
    elif eid in seen:
        problems.append(Problem(file, row, "id", eid, f"id {eid} is listed again (first on row {seen[eid]}); left out"))
    elif not cells[at[name_column]].strip():
        problems.append(Problem(file, row, name_column, "", "the row has no name; left out"))
    else:
        seen[eid] = row
        return True
    return False


def _open(
    source: Source, name: str, required: tuple[str, ...], list_name: str, on_invalid: str
) -> ListRead | tuple[str, dict[str, int], list[tuple[int, list[str]]], Callable[[list[str], str], str], list[Problem]]:
    """The rows of one OpenSanctions file, its column positions and a ``cell(cells, column)`` reader by
    header name; or, when the file is missing, the (empty) :class:`ListRead` to return."""
    check_option("on_invalid", on_invalid, ON_INVALID)
    data, file, problems = _sources(source, name)
    if data is None:
        return _finish([], problems, file, None, list_name, on_invalid)
    at, rows, table_problems = read_table(data, file, required)
    problems += table_problems

    def cell(cells: list[str], column: str) -> str:
        return cells[at[column]].strip() if column in at else ""

    return file, at, rows, cell, problems


def read_opensanctions_targets(source: Source, *, on_invalid: str = "report") -> ListRead:
    """Read an OpenSanctions ``targets.simple.csv`` (with or without ``program_ids``) into entities ``os:ID``.

    ``programs`` are the ``sanctions`` descriptions; ``program_ids``, ``dataset``, ``phones``,
    ``emails``, ``last_seen`` and ``last_change`` go into ``facts``; ``birth_date`` is the fact ``DOB``.
    Rows of other schemata (addresses, wallets, securities ...) are left out with a warning.
    """
    opened = _open(source, TARGETS_FILE, ("id", "schema", "name"), LIST_NAME, on_invalid)
    if isinstance(opened, ListRead):
        return opened
    file, at, rows, cell, problems = opened

    records: list[dict[str, object]] = []
    kept_rows: list[int] = []
    seen: dict[str, int] = {}
    for row, cells in rows:
        schema = cell(cells, "schema")
        entity_type = ENTITY_TYPE_OF_SCHEMA.get(schema.lower())
        if entity_type is None:
            problems.append(
                Problem(
                    file,
                    row,
                    "schema",
                    schema,
                    "not a person, organization, company, vessel or airplane; left out",
                    "warning",
                )
            )
            continue
        if not _checked(cells, at, file, row, problems, seen):
            continue
        facts = {
            label: split_values(cell(cells, column))
            for label, column in (
                ("DOB", "birth_date"),
                ("program ids", "program_ids"),
                ("datasets", "dataset"),
                ("phones", "phones"),
                ("emails", "emails"),
                ("last seen", "last_seen"),
                ("last change", "last_change"),
            )
            if cell(cells, column)
        }
        kept_rows.append(row)
        name = cell(cells, "name")
        records.append(
            {
                "entity_id": f"os:{cell(cells, 'id')}",
                "list_name": LIST_NAME,
                "source_id": cell(cells, "id"),
                "entity_type": entity_type,
                "name": name,
                "aliases": [a for a in split_values(cell(cells, "aliases")) if a != name],
                "programs": split_values(cell(cells, "sanctions")),
                "addresses": split_values(cell(cells, "addresses")),
                "countries": _countries(split_values(cell(cells, "countries")), facts),
                "identifiers": _identifiers(split_values(cell(cells, "identifiers")), entity_type),
                "first_seen": cell(cells, "first_seen"),
                "facts": facts,
            }
        )
    _first_seen_dates(records, kept_rows, file, problems)
    problems.sort(key=lambda p: p.row or 0)  # the date warnings in their place among the others
    return _finish(records, problems, file, len(rows), LIST_NAME, on_invalid)


def read_opensanctions_maritime(source: Source, *, on_invalid: str = "report") -> ListRead:
    """Read an OpenSanctions ``maritime.csv`` (vessels and the organizations linked to them) into entities ``os:ID``.

    ``imo`` and ``mmsi`` become identifiers (an IMO number on an organization is its IMO company
    number); the flag comes first in ``countries`` and is the fact ``flag``; ``risk``, ``url`` and
    ``datasets`` go into ``facts``.  The list is ``"OpenSanctions maritime"``, kept apart from
    ``targets.simple.csv`` so each has its own history and diffs.
    """
    opened = _open(source, MARITIME_FILE, ("type", "caption", "id"), MARITIME_LIST_NAME, on_invalid)
    if isinstance(opened, ListRead):
        return opened
    file, at, rows, cell, problems = opened

    records: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for row, cells in rows:
        kind = cell(cells, "type")
        entity_type = ENTITY_TYPE_OF_MARITIME.get(kind.lower())
        if entity_type is None:
            problems.append(
                Problem(file, row, "type", kind, "not a vessel, organization, company or person; left out", "warning")
            )
            continue
        if not _checked(cells, at, file, row, problems, seen):
            continue
        facts = {
            label: split_values(cell(cells, label))
            for label in ("risk", "url", "datasets", "flag")
            if cell(cells, label)
        }
        identifiers = []
        for imo in split_values(cell(cells, "imo")):
            identifiers.append(["IMO" if entity_type == "vessel" else "IMO company", normalise_identifier(imo) or imo])
        identifiers += [["MMSI", normalise_identifier(m) or m] for m in split_values(cell(cells, "mmsi"))]
        name = cell(cells, "caption")
        records.append(
            {
                "entity_id": f"os:{cell(cells, 'id')}",
                "list_name": MARITIME_LIST_NAME,
                "source_id": cell(cells, "id"),
                "entity_type": entity_type,
                "name": name,
                "aliases": [a for a in split_values(cell(cells, "aliases")) if a != name],
                "countries": _countries(
                    split_values(cell(cells, "flag")) + split_values(cell(cells, "countries")), facts
                ),
                "identifiers": identifiers,
                "facts": facts,
            }
        )
    return _finish(records, problems, file, len(rows), MARITIME_LIST_NAME, on_invalid)
