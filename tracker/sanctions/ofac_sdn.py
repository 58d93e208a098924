"""The OFAC SDN list in its legacy CSV layout -> an entities frame and problems.

The set is ``sdn.csv`` (one entry a line), ``add.csv`` (addresses), ``alt.csv`` (aliases) and,
when present, ``sdn_comments.csv`` (the rest of Remarks too long for ``sdn.csv``, appended to
them).  As the Treasury publishes them: no header row, ``-0-`` (often ``-0- ``) for an empty
cell, CRLF line ends, Windows-1252, and a Ctrl-Z (0x1A) after the last line.  Programs are
written ``SDGT] [IFSR`` for two programs.  The set may be a folder, ``sdn.csv`` with its siblings
next to it, a ZIP holding them, or uploaded files (see :data:`tracker.sanctions.files.Source`).

Every record is one physical line (the legacy CSV never breaks a line inside a cell), so a
broken line is reported and skipped without swallowing the lines after it.  Rows in problems
are line numbers as a person counts them: there is no header, so row 1 is the first entry.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tracker.errors import ValidationError, check_option
from tracker.sanctions.countries import country_codes
from tracker.sanctions.entities import ListRead, entities_frame
from tracker.sanctions.files import Source, decode_text, gather_files, split_lines
from tracker.sanctions.names import normalise_name
from tracker.sanctions.remarks import parse_remarks
from tracker.schema import Problem

LIST_NAME = "OFAC SDN"
SOURCE_FORMAT = "ofac_sdn"
SDN_FILE, ADD_FILE, ALT_FILE, COMMENTS_FILE = "sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"
FILES = (SDN_FILE, ADD_FILE, ALT_FILE, COMMENTS_FILE)
COLUMNS: dict[str, tuple[str, ...]] = {
    SDN_FILE: (
        "ent_num",
        "SDN_Name",
        "SDN_Type",
        "Program",
        "Title",
        "Call_Sign",
        "Vess_type",
        "Tonnage",
        "GRT",
        "Vess_flag",
        "Vess_owner",
        "Remarks",
    ),
    ADD_FILE: ("Ent_num", "Add_num", "Address", "City/State/Province/Postal Code", "Country", "Add_remarks"),
    ALT_FILE: ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"),
    COMMENTS_FILE: ("ent_num", "Remarks"),
}
"""The columns of each file, by position (the files have no header)."""

ENTITY_TYPE_OF = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}
"""OFAC ``SDN_Type`` -> entity type; a blank type is a company or an organization (:func:`untyped_entity_type`)."""

COMPANY_FORMS = frozenset(
    "sa sas sac saca ca ltda ltd limited llc inc incorporated corp corporation company co cia compania gmbh srl "
    "plc fze fzco fzc dmcc pte bv nv ag sal jsc ojsc pjsc cjsc ooo holding holdings trading shipping "
    "comercializadora inversiones empresa sociedad sdn bhd spa eu sl cv rl sirketi".split()
)
"""Words (dots and spaces between letters removed: "S.A.S." -> "sas") that make an untyped entry a company."""

ON_INVALID = ("report", "raise")
MAX_ORPHANS_LISTED = 10
"""Rows of add.csv, alt.csv or sdn_comments.csv for entries not in sdn.csv: this many are listed
one by one, the rest in one problem (a partial sdn.csv would otherwise list every sibling row)."""
_EMPTY = "-0-"


def untyped_entity_type(name: str) -> str:
    """``company`` when ``name`` carries a company form (S.A., LTDA, LLC, INC ...), else ``organization``."""
    words, merged, letters = normalise_name(name).split(), [], ""
    for word in words:  # "s a s" -> "sas", so dotted forms count as one word
        if len(word) == 1:
            letters += word
            continue
        merged += [letters, word] if letters else [word]
        letters = ""
    merged += [letters] if letters else []
    if COMPANY_FORMS.intersection(merged) or " s en c" in f" {' '.join(words)}":
        return "company"
    return "organization"


def split_programs(text: str) -> list[str]:
    """``"SDGT] [IFSR"`` -> ``["SDGT", "IFSR"]``: the programs of one entry, brackets stripped."""
    parts = (p.strip().strip("[]").strip() for p in re.split(r"\]\s*\[|;", text or ""))
    return [p for p in parts if p and p != _EMPTY]


def _cell(value: str) -> str:
    value = value.strip()
    return "" if value == _EMPTY else value


def split_line(line: str) -> tuple[list[str], str]:
    """The cells of one CSV line and how it parsed: ``"ok"``; ``"unclosed"`` (it ends inside a quoted
    cell, as a cut line does); or ``"stray"`` (a quote inside a quoted cell, read leniently)."""
    try:
        return next(csv.reader([line], strict=True)), "ok"
    except csv.Error:
        pass
    try:
        return next(csv.reader([line + '"'], strict=True)), "unclosed"
    except csv.Error:
        return next(csv.reader([line], strict=False)), "stray"


def read_records(text: str, file: str) -> Iterator[tuple[int, list[str]] | Problem]:
    """Each line of a headerless legacy CSV as ``(line number, cells)``, or a Problem when it is broken.

    A line with a stray quote that still splits into the right number of cells is kept (the
    stray quote removed) with a warning.  A line cut short (too few cells, or ending inside a
    quoted cell) or with too many cells is an error and is left out.  Cells are stripped and
    ``-0-`` becomes ``""``.
    """
    columns = COLUMNS[file]
    lines = split_lines(text)
    last = max((i for i, line in enumerate(lines, start=1) if line.strip()), default=0)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        cells, state = split_line(line)
        if state == "unclosed" or len(cells) != len(columns):
            yield _broken(file, number, line, cells, columns, unclosed=state == "unclosed", at_end=number == last)
            continue
        if state == "stray":
            at = next((i for i, c in enumerate(cells) if '"' in c), None)
            column = columns[at] if at is not None else ""
            value = cells[at] if at is not None else line[:200]
            message = "a stray quote character in this cell; read without it"
            yield Problem(file, number, column, value, message, "warning")
            cells = [c.replace('"', "") for c in cells]
        if file == COMMENTS_FILE:  # the rest of a Remarks text cut mid-sentence: its spaces are kept
            yield number, [_cell(cells[0]), "" if cells[1].strip() == _EMPTY else cells[1]]
        else:
            yield number, [_cell(c) for c in cells]


def _broken(
    file: str, number: int, line: str, cells: list[str], columns: tuple[str, ...], *, unclosed: bool, at_end: bool
) -> Problem:
    """The problem of a line that is cut short or has too many cells (it is left out)."""
    n, expected = len(cells), len(columns)
    if n > expected:
        message = f"this line has {n} cells, not {expected} (a comma outside quotes?); left out"
        return Problem(file, number, "", line[:200], message)
    column = columns[n - 1] if unclosed else columns[n]
    where = f"it ends inside the quoted {column} cell" if unclosed else f"{column} and the cells after it are missing"
    cut = "the last record is cut short (the file looks truncated)" if at_end else "this record is cut short"
    count = "" if n == expected else f"{n} of {expected} cells, "
    return Problem(file, number, column, line[:200], f"{cut}: {count}{where}; left out")


@dataclass
class _Entry:
    """One checked line of sdn.csv and what its sibling files add to it."""

    cells: list[str]
    row: int
    addresses: list[str] = field(default_factory=list)
    address_countries: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    overflow: str = ""


def _parse(data: bytes, file: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    text, _, problems = decode_text(data, file, default="cp1252")
    rows: list[tuple[int, list[str]]] = []
    for item in read_records(text, file):
        if isinstance(item, Problem):
            problems.append(item)
        else:
            rows.append(item)
    return rows, problems


def _entries(rows: list[tuple[int, list[str]]], problems: list[Problem]) -> dict[str, _Entry]:
    """The entries of sdn.csv by ent_num, checked (a number, a name, not seen before)."""
    entries: dict[str, _Entry] = {}
    first_row: dict[str, int] = {}
    for number, cells in rows:
        ent, name, kind = cells[0], cells[1], cells[2].lower()
        if not ent.isdigit():
            problems.append(
                Problem(SDN_FILE, number, "ent_num", ent, "the entry number is not a whole number; left out")
            )
            continue
        if ent in first_row:
            problems.append(
                Problem(
                    SDN_FILE,
                    number,
                    "ent_num",
                    ent,
                    f"entry {ent} is listed again (first on row {first_row[ent]}); left out",
                )
            )
            continue
        if not name:
            problems.append(Problem(SDN_FILE, number, "SDN_Name", "", "the entry has no name; left out"))
            continue
        if kind and kind not in ENTITY_TYPE_OF:
            problems.append(
                Problem(SDN_FILE, number, "SDN_Type", cells[2], "unknown entry type; read as having none", "warning")
            )
            cells[2] = ""
        first_row[ent] = number
        entries[ent] = _Entry(cells=cells, row=number)
    return entries


def _attach(entries: dict[str, _Entry], file: str, rows: list[tuple[int, list[str]]], problems: list[Problem]) -> None:
    """Add the addresses, aliases or Remarks overflow of ``file`` to their entries."""
    key = COLUMNS[file][0]
    orphans: list[tuple[int, str]] = []
    for number, cells in rows:
        entry = entries.get(cells[0])
        if entry is None:
            orphans.append((number, cells[0]))
            continue
        if file == ADD_FILE:
            address = ", ".join(c for c in cells[2:5] if c)
            if address:
                entry.addresses.append(address)
            if cells[4]:
                entry.address_countries.append(cells[4])
        elif file == ALT_FILE:
            if cells[3] and cells[3] not in entry.aliases:
                entry.aliases.append(cells[3])
        else:
            entry.overflow += cells[1]
    for number, ent in orphans[:MAX_ORPHANS_LISTED]:
        problems.append(
            Problem(file, number, key, ent, f"no entry {ent} in {SDN_FILE}; this row is not used", "warning")
        )
    if len(orphans) > MAX_ORPHANS_LISTED:
        more = len(orphans) - MAX_ORPHANS_LISTED
        first_row, first_ent = orphans[MAX_ORPHANS_LISTED]
        message = f"and {more} more rows (from this one on) for entries not in {SDN_FILE}; not used"
        problems.append(Problem(file, first_row, key, first_ent, message, "warning"))


def _record(ent: str, entry: _Entry) -> dict[str, object]:
    """One entities-frame record from a checked entry and what its sibling files added."""
    cells = entry.cells
    name, kind = cells[1], cells[2].lower()
    remarks_text = cells[11] + entry.overflow
    remarks = parse_remarks(remarks_text)
    facts: dict[str, list[str]] = {}
    for label, value in (("title", cells[4]), ("vessel type", cells[6]), ("tonnage", cells[7]), ("GRT", cells[8])):
        if value:
            facts[label] = [value]
    if cells[9]:
        facts["flag"] = [cells[9]]
    if cells[10]:
        facts["vessel owner"] = [cells[10]]
    for label, values in remarks.facts.items():
        facts.setdefault(label, []).extend(v for v in values if v not in facts.get(label, []))
    identifiers = [["Call sign", cells[5]]] if cells[5] else []
    identifiers += [[k, v] for k, v in remarks.identifiers if [k, v] not in identifiers]
    aliases = list(entry.aliases)
    aliases += [a for a in remarks.aliases if a not in aliases and a != name]
    stated = facts.get("nationality", []) + facts.get("citizenship", []) + facts.get("flag", [])
    return {
        "entity_id": f"ofac:{ent}",
        "list_name": LIST_NAME,
        "source_id": ent,
        "entity_type": ENTITY_TYPE_OF.get(kind) or untyped_entity_type(name),
        "name": name,
        "aliases": aliases,
        "programs": split_programs(cells[3]),
        "addresses": list(entry.addresses),
        "countries": country_codes(stated + entry.address_countries),
        "identifiers": identifiers,
        "list_date": None,
        "remarks": remarks_text,
        "links": [
            {"name": n, "entity_id": None, "relation": "Linked To (OFAC remarks)", "how": "not resolved", "score": None}
            for n in remarks.links
        ],
        "facts": facts,
    }


def read_ofac_sdn(source: Source, *, on_invalid: str = "report") -> ListRead:
    """Read an OFAC SDN legacy CSV set into entities (``ofac:ENT_NUM``) and problems.

    ``on_invalid="report"`` (default) returns the entries that passed with every problem;
    ``"raise"`` raises :class:`tracker.errors.ValidationError` when any problem is an error.
    Without ``sdn.csv`` there are no entries (an error problem); a missing ``add.csv`` or
    ``alt.csv`` is a warning naming the file, and the entries are read without it.
    ``records`` counts the rows read from each file.  Nothing else is raised.
    """
    check_option("on_invalid", on_invalid, ON_INVALID)
    files, problems = gather_files(source, FILES)
    label = str(source) if not isinstance(source, bytes | bytearray | dict) else SDN_FILE
    if SDN_FILE not in files:
        if not problems:
            problems.append(Problem(label, None, "", "", f"{SDN_FILE} was not found, so no entries were read"))
        return _finish(ListRead(entities_frame([]), problems, {}, LIST_NAME, SOURCE_FORMAT), on_invalid)
    rows, sdn_problems = _parse(files[SDN_FILE], SDN_FILE)
    problems += sdn_problems
    entries = _entries(rows, problems)
    records = {SDN_FILE: len(rows)}
    for file in (ADD_FILE, ALT_FILE, COMMENTS_FILE):
        if file not in files:
            if file != COMMENTS_FILE:
                what = "addresses" if file == ADD_FILE else "aliases"
                problems.append(
                    Problem(
                        file,
                        None,
                        "",
                        "",
                        f"{file} was not found next to {SDN_FILE}; entries read without {what}",
                        "warning",
                    )
                )
            continue
        file_rows, file_problems = _parse(files[file], file)
        problems += file_problems
        records[file] = len(file_rows)
        _attach(entries, file, file_rows, problems)
    frame = entities_frame([_record(ent, entry) for ent, entry in entries.items()])
    return _finish(ListRead(frame, problems, records, LIST_NAME, SOURCE_FORMAT), on_invalid)


def _finish(result: ListRead, on_invalid: str) -> ListRead:
    if on_invalid == "raise" and result.errors:
        raise ValidationError(result.errors)
    return result
