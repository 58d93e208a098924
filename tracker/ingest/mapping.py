"""Column mapping: which column of a file holds which canonical field.

:data:`FIELD_ALIASES` lists, per record kind, the header names recognised for
each field (compared after :func:`tracker.gazetteer.normalise_name`);
:data:`REQUIRED` the fields a file must provide.  :func:`suggest_mapping`
proposes a mapping (remembered choices first, then known header names),
:func:`missing_required` says what it still lacks, and :func:`header_key`
names a file layout so a mapping can be remembered for the next file like it.
Mappings are plain ``{field: column}`` dicts; no units are involved.  The
command line's ``--map FIELD=COLUMN`` overrides are applied on top of
:func:`suggest_mapping` by :mod:`tracker.__main__`.
"""

from __future__ import annotations

import hashlib

from tracker import gazetteer as gz
from tracker import schema
from tracker.errors import check_option

# Header names recognised for each canonical field (compared after normalise_name).
FIELD_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "incidents": {
        "incident_id": ("incident_id", "id", "event_id_cnty", "event_id", "strike_id", "record_id", "source_id"),
        "date": ("date", "event_date", "fecha", "strike_date", "day", "date_of_event"),
        "announced_date": ("announced_date", "announced", "announcement_date"),
        "latitude": ("latitude", "lat", "y", "latitud"),
        "longitude": ("longitude", "lon", "lng", "long", "x", "longitud"),
        "location_text": ("location_text", "location", "place", "lugar", "ubicacion", "site", "admin1"),
        "location_precision": ("location_precision", "position_precision"),
        "radius_km": ("radius_km", "uncertainty_km", "radius"),
        "geo_precision": ("geo_precision",),
        "time_precision": ("time_precision",),
        "date_precision": ("date_precision",),
        "region": ("region", "sea", "area"),
        "event_type": ("event_type", "type", "tipo"),
        "killed": ("killed", "fatalities", "deaths", "muertos", "dead", "death_toll", "fallecidos"),
        "survivors": ("survivors", "sobrevivientes", "survived"),
        "presumed_dead": ("presumed_dead", "presumed_dead_later", "missing_presumed_dead"),
        "vessels": ("vessels", "boats", "embarcaciones", "lanchas"),
        "strikes": ("strikes", "engagements", "ataques"),
        "affiliation_text": ("alleged_affiliation", "affiliation", "group", "grupo", "actor"),
        "actor2": ("actor2",),
        "sub_event_type": ("sub_event_type",),
        "vessel_type": ("vessel_type", "boat_type"),
        "announced_by": ("announced_by", "announcer"),
        "notes": ("notes", "description", "notas", "comments", "summary"),
        "source_urls": ("source_urls", "sources", "source", "source_url", "url", "urls", "fuente", "link"),
        "source_basis": ("source_basis", "evidence"),
    },
    "designations": {
        "designation_id": ("designation_id", "id"),
        "name": ("name", "entity", "entity_name", "nombre"),
        "aliases": ("aliases", "alias", "aka"),
        "entity_type": ("entity_type", "type"),
        "authority": ("authority", "designated_by"),
        "program_text": ("program_or_list", "program", "list", "programme"),
        "designation_date": ("designation_date", "date", "listed_on"),
        "country": ("country", "iso2", "country_code"),
        "base_location_text": ("base_location_text", "base_location", "location"),
        "identifiers": ("identifiers", "imo", "ids"),
        "notes": ("notes",),
        "source_urls": ("sources", "source_urls", "source", "url"),
    },
    "routes": {
        "route_id": ("route_id", "id"),
        "name": ("name",),
        "route_type": ("route_type", "type"),
        "origin_text": ("origin_text", "origin"),
        "destination_text": ("destination_text", "destination"),
        "waypoints_text": ("waypoints_text", "waypoints"),
        "period": ("period",),
        "vessels_or_actors": ("vessels_or_actors", "vessels", "actors"),
        "notes": ("notes",),
        "source_urls": ("sources", "source_urls", "source", "url"),
        "line_precision": ("line_precision",),
    },
}

FIELD_ALIASES["reports"] = {
    "report_id": ("report_id", "id"),
    "strike_ref": ("strike_ref", "strike_id", "strike", "incident_id", "incident"),
    "strike_date": ("strike_date", "date"),
    "field": ("field", "what", "figure"),
    "value": ("value", "reported", "text"),
    "source_type": ("source_type", "type"),
    "source_name": ("source_name", "source", "outlet"),
    "source_date": ("source_date", "published", "date_reported"),
    "source_urls": ("url", "source_urls", "source_url", "link", "urls"),
    "note": ("note", "notes", "comment"),
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "incidents": ("date", "source_urls"),
    "designations": ("name", "entity_type", "authority", "source_urls"),
    "routes": ("name", "route_type", "source_urls"),
    "reports": ("strike_ref", "field", "value", "source_type", "source_name", "source_urls"),
}
"""Fields a file must provide.  Incidents also need a position: latitude and
longitude, or a location text the gazetteer can place."""


def header_key(kind: str, header: tuple[str, ...]) -> str:
    """A stable key for a file layout: the kind plus its normalised column names."""
    norm = "|".join(gz.normalise_name(h) for h in header)
    return hashlib.sha256(f"{kind}:{norm}".encode()).hexdigest()[:24]


def suggest_mapping(kind: str, header: tuple[str, ...], remembered: dict[str, str] | None = None) -> dict[str, str]:
    """Canonical field -> file column, from remembered choices first, then known header names."""
    check_option("kind", kind, schema.KINDS)
    by_norm = {gz.normalise_name(h).replace(" ", "_"): h for h in header}
    mapping: dict[str, str] = {}
    for fld, col in (remembered or {}).items():
        if col in header:
            mapping[fld] = col
    used = set(mapping.values())
    for fld, aliases in FIELD_ALIASES[kind].items():
        if fld in mapping:
            continue
        for alias in aliases:
            found = by_norm.get(alias)
            if found is not None and found not in used:
                mapping[fld] = found
                used.add(found)
                break
    return mapping


def missing_required(kind: str, mapping: dict[str, str]) -> list[str]:
    """Required fields the mapping does not cover (incidents: also a position or a place)."""
    missing = [f for f in REQUIRED[kind] if f not in mapping]
    if kind == "incidents":
        has_xy = "latitude" in mapping and "longitude" in mapping
        if not has_xy and "location_text" not in mapping:
            missing.append("latitude + longitude, or location_text")
    return missing
