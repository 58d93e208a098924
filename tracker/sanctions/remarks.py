"""The Remarks of an OFAC SDN entry -> identifiers, facts, ``Linked To:`` names and aliases.

OFAC writes Remarks as ``;``-separated statements ending in a full stop, each starting with a
label, an ``alt.`` before a second value of the same label::

    DOB 28 Aug 1966; Cedula No. 9466199 (Colombia); alt. Cedula No. 9466833 (Colombia);
    a.k.a. 'ESTEVAN'; Vessel Registration Identification IMO 9187629; MMSI 572469210;
    Former Vessel Flag Malta; Linked To: NATIONAL IRANIAN TANKER COMPANY.

Statements that match no label stay in the remarks text only.  :func:`parse_remarks` never
raises, whatever the text (a property test feeds it arbitrary strings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

IDENTIFIER_LABELS: tuple[tuple[str, str], ...] = (
    (r"Vessel Registration Identification IMO", "IMO"),
    (r"Identification Number IMO", "IMO company"),
    (r"IMO", "IMO"),
    (r"MMSI", "MMSI"),
    (r"Cedula No\.?", "Cedula"),
    (r"Passport", "Passport"),
    (r"National ID No\.?", "National ID"),
    (r"National Foreign ID Number", "National foreign ID"),
    (r"NIT #", "NIT"),
    (r"RIF #", "RIF"),
    (r"R\.?U\.?C\.? #", "RUC"),
    (r"Tax ID No\.?", "Tax ID"),
    (r"R\.F\.C\.", "RFC"),
    (r"C\.U\.R\.P\.", "CURP"),
    (r"SSN", "SSN"),
    (r"Aircraft Tail Number", "Aircraft tail number"),
    (r"Aircraft Manufacturer's Serial Number \(MSN\)", "Aircraft MSN"),
    (r"Aircraft Construction Number \(also called L/N or S/N or F/N\)", "Aircraft construction number"),
    (r"Matricula Mercantil No\.?", "Matricula Mercantil"),
    (r"Folio Mercantil No\.?", "Folio Mercantil"),
    (r"Residency Number", "Residency number"),
    (r"Registration Number", "Registration number"),
    (r"Registration ID", "Registration ID"),
    (r"Company Number", "Company number"),
    (r"File Number", "File number"),
    (r"D-U-N-S Number", "DUNS"),
    (r"US FEIN", "US FEIN"),
    (r"Business Registration Document #", "Business registration document"),
    (r"Business Registration Number", "Business registration number"),
    (r"Commercial Registry Number", "Commercial registry number"),
    (r"Electoral Registry No\.?", "Electoral registry"),
    (r"Credencial electoral", "Credencial electoral"),
    (r"N\.I\.E\.", "NIE"),
    (r"Driver's License No\.?", "Driver's license"),
    (r"Identification Number", "Identification number"),
)
"""Statement labels read as identifiers, longest first where one label starts another, and the kind given."""

FACT_LABELS: tuple[tuple[str, str], ...] = (
    (r"DOB", "DOB"),
    (r"POB", "POB"),
    (r"nationality", "nationality"),
    (r"citizen", "citizenship"),
    (r"Gender", "gender"),
    (r"Former Vessel Flag", "former flags"),
    (r"Vessel Year of Build", "year of build"),
    (r"Other Vessel Type", "vessel type"),
    (r"Other Vessel Flag", "other flags"),
    (r"Other Vessel Call Sign", "other call signs"),
    (r"Aircraft Model", "aircraft model"),
    (r"Aircraft Operator", "aircraft operator"),
    (r"Aircraft Manufacture Date", "aircraft manufacture date"),
    (r"Additional Sanctions Information -", "additional sanctions information"),
    (r"Website", "website"),
    (r"Email Address", "email"),
    (r"Phone Number", "phone"),
    (r"Organization Established Date", "established"),
    (r"Organization Type:", "organization type"),
    (r"Executive Order 13662 Directive Determination -", "directive"),
)
"""Statement labels read as facts, and the fact's name."""

_SEPARATOR = r"(?:\s*[:#]?\s+|\s*:\s*|(?=\d))"


def _compile(table: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every label of ``table`` (a group per label) and group name -> kind."""
    groups = "|".join(f"(?P<l{i}>{label})" for i, (label, _) in enumerate(table))
    pattern = re.compile(rf"^(?:alt\.\s+)?(?:{groups}){_SEPARATOR}(?P<rest>\S.*)$", re.IGNORECASE)
    return pattern, {f"l{i}": kind for i, (_, kind) in enumerate(table)}


_IDENTIFIER, _IDENTIFIER_KINDS = _compile(IDENTIFIER_LABELS)
_FACT, _FACT_NAMES = _compile(FACT_LABELS)
_LINKED_TO = re.compile(r"^(?:alt\.\s+)?Linked\s+To:\s*(?P<name>\S.*)$", re.IGNORECASE)
_ALIAS = re.compile(r"^(?P<kind>[afn])\.\s?k\.\s?a\.?[\s:]*(?P<name>\S.*)$", re.IGNORECASE)
_LOOSE_IMO = re.compile(r"\bIMO\s*(?P<number>\d{7})\b")
_VALUE = re.compile(r"^(?P<value>[^()]*?)\s*(?:\((?P<country>[^)]*)\).*)?$")
_QUOTES = "'\"\u2018\u2019\u201c\u201d"


@dataclass(frozen=True)
class Remarks:
    """What :func:`parse_remarks` found.

    ``identifiers``: ``(kind, value)``; ``facts``: name -> values in order; ``links``: the names
    after ``Linked To:``; ``aliases``: the names after ``a.k.a.``/``f.k.a.``/``n.k.a.``, quotes removed.
    """

    identifiers: list[tuple[str, str]] = field(default_factory=list)
    facts: dict[str, list[str]] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


def split_statements(text: str) -> list[str]:
    """The ``;``-separated statements of a Remarks text, outside parentheses, without the final full stop."""
    text = str(text or "").strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    if "(" not in text or not re.search(r"\([^)]*;", text):
        parts = text.split(";")
    else:
        parts, depth, start = [], 0, 0
        for i, char in enumerate(text):
            if char == "(":
                depth += 1
            elif char == ")" and depth:
                depth -= 1
            elif char == ";" and not depth:
                parts.append(text[start:i])
                start = i + 1
        parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_KINDS_SEEN: dict[str, str] = {}


def _kind(table: dict[str, str], match: re.Match[str]) -> str:
    """The kind of the label group that matched (remembered by the label's text, which repeats)."""
    seen = f"{id(table)}:{match.string[: match.start('rest')].lower()}"
    kind = _KINDS_SEEN.get(seen)
    if kind is None:
        kind = next(kind for group, kind in table.items() if match.group(group) is not None)
        if len(_KINDS_SEEN) < 10_000:
            _KINDS_SEEN[seen] = kind
    return kind


def _add(facts: dict[str, list[str]], name: str, value: str) -> None:
    values = facts.setdefault(name, [])
    if value and value not in values:
        values.append(value)


def parse_statement(statement: str, found: Remarks) -> bool:
    """Add what one statement says to ``found``; False when it matches no known label."""
    if m := _LINKED_TO.match(statement):
        name = m["name"].strip()
        if name and name not in found.links:
            found.links.append(name)
        return True
    if m := _ALIAS.match(statement):
        name = m["name"].strip().strip(_QUOTES).strip()
        if name and name not in found.aliases:
            found.aliases.append(name)
        return True
    if m := _IDENTIFIER.match(statement):
        kind = _kind(_IDENTIFIER_KINDS, m)
        rest = m["rest"].strip()
        if kind in ("IMO", "IMO company", "MMSI"):
            value = re.match(r"[0-9A-Za-z-]+", rest)
            text = value.group(0) if value else rest
        else:
            v = _VALUE.match(rest)
            text = (v["value"] if v else rest).strip() or rest
        pair = (kind, text.strip())
        if pair[1] and pair not in found.identifiers:
            found.identifiers.append(pair)
        return True
    if m := _FACT.match(statement):
        _add(found.facts, _kind(_FACT_NAMES, m), m["rest"].strip())
        return True
    if m := _LOOSE_IMO.search(statement):
        pair = ("IMO", m["number"])
        if pair not in found.identifiers:
            found.identifiers.append(pair)
        return True
    return False


def parse_remarks(text: str) -> Remarks:
    """Identifiers, facts, ``Linked To:`` names and aliases stated in an OFAC Remarks text.

    >>> r = parse_remarks("Vessel Registration Identification IMO 9187629; MMSI 572469210; "
    ...                   "Linked To: NATIONAL IRANIAN TANKER COMPANY.")
    >>> r.identifiers, r.links
    ([('IMO', '9187629'), ('MMSI', '572469210')], ['NATIONAL IRANIAN TANKER COMPANY'])
    """
    found = Remarks()
    for statement in split_statements(text):
        parse_statement(statement, found)
    return found
