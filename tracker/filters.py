"""A frozen :class:`Filters` value: apply it to canonical frames, describe it, and
round-trip it through URL query parameters.

The date range applies to incidents (by their ``date``) and, as an upper bound,
to designations: a designation is *in view* when it was made on or before the
end of the range, or its date is unknown.  Empty tuples mean "no restriction".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from tracker.errors import InvalidOptionError, check_option
from tracker.incident_arrays import contains_text, incident_arrays, text_array
from tracker.schema import REGIONS

DEFAULT_START = dt.date(2025, 9, 1)

_LIST_FIELDS = ("regions", "event_types", "affiliations", "authorities", "programs", "entity_types", "route_types")
_TEXT_COLUMNS = {
    "incidents": ("incident_id", "location_text", "affiliation_text", "vessel_type", "announced_by", "notes"),
    "designations": ("name", "aliases", "authority", "program_text", "base_location_text", "identifiers", "notes"),
    "routes": ("name", "origin_text", "destination_text", "waypoints_text", "vessels_or_actors", "notes"),
}
_PARAM = {
    "date_from": "from",
    "date_to": "to",
    "regions": "region",
    "event_types": "event",
    "affiliations": "affiliation",
    "authorities": "authority",
    "programs": "program",
    "entity_types": "entity",
    "route_types": "route",
    "text": "q",
}


@dataclass(frozen=True)
class Filters:
    """What the user has chosen to look at.  Dates are inclusive calendar days."""

    date_from: dt.date | None = DEFAULT_START
    date_to: dt.date | None = None
    regions: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    affiliations: tuple[str, ...] = ()
    authorities: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    entity_types: tuple[str, ...] = ()
    route_types: tuple[str, ...] = ()
    text: str = field(default="")

    def __post_init__(self) -> None:
        for region in self.regions:
            check_option("region", region, REGIONS)
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidOptionError(f"the date range is inverted: from {self.date_from} is after to {self.date_to}")

    def date_range(self, data_as_of: dt.date | None) -> tuple[dt.date | None, dt.date]:
        """(first day or None, last day) the view covers: an open end stops at the data's as-of date.

        Raises :class:`InvalidOptionError` when the range is empty (its start after its end).
        """
        end = self.date_to or data_as_of or dt.date.today()
        if self.date_from and self.date_from > end:
            why = "" if self.date_to else f" (the data run to {end})"
            raise InvalidOptionError(f"the date range is inverted: from {self.date_from} is after {end}{why}")
        return self.date_from, end

    # -- applying ----------------------------------------------------------

    def _text_mask(self, kind: str, frame: pd.DataFrame) -> np.ndarray:
        """Rows where any text column of ``kind`` contains the search text, ignoring case (literal,
        not a pattern).  Computed on the Arrow columns: lower-cased, then a substring match."""
        needle = self.text.strip().lower()
        if kind == "incidents":
            return incident_arrays(frame).contains(needle)
        mask = np.zeros(len(frame), dtype=bool) if needle else np.ones(len(frame), dtype=bool)
        if not needle:
            return mask
        for col in _TEXT_COLUMNS[kind]:
            mask |= contains_text(pc.utf8_lower(text_array(frame[col])), needle)
        return mask

    def incident_mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Which incidents (a boolean array in row order) fall inside the date range, regions,
        event types, affiliations and text: the rows :meth:`apply_incidents` keeps, without a copy.

        Reads the frame's :func:`incident_arrays` (derived once per frame, then reused)."""
        arrays = incident_arrays(frame)
        mask = arrays.contains(self.text.strip().lower())
        if self.date_from is not None:
            mask &= arrays.dates >= np.datetime64(self.date_from, "ns")
        if self.date_to is not None:
            mask &= arrays.dates < np.datetime64(self.date_to + dt.timedelta(days=1), "ns")
        for name, codes in (
            ("regions", "region"),
            ("event_types", "event_type"),
            ("affiliations", "affiliation"),
        ):
            chosen = getattr(self, name)
            if chosen:
                mask &= getattr(arrays, codes).isin(chosen)
        return mask

    def apply_incidents(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The incidents inside the date range, regions, event types, affiliations and text."""
        return frame[self.incident_mask(frame)]

    def apply_designations(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Designations made by the end of the range (or undated) matching authority, program, type, text."""
        mask = pd.Series(self._text_mask("designations", frame), index=frame.index)
        if self.date_to is not None:
            end = pd.Timestamp(self.date_to) + pd.Timedelta(days=1)
            mask &= frame["designation_date"].isna() | (frame["designation_date"] < end)
        for name, col in (("authorities", "authority_group"), ("programs", "program"), ("entity_types", "entity_type")):
            chosen = getattr(self, name)
            if chosen:
                mask &= frame[col].isin(chosen)
        return frame[mask]

    def apply_routes(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Routes of the chosen types matching the text."""
        mask = pd.Series(self._text_mask("routes", frame), index=frame.index)
        if self.route_types:
            mask &= frame["route_type"].isin(self.route_types)
        return frame[mask]

    def apply(self, kind: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Apply to a canonical frame of ``kind`` ("incidents", "designations" or "routes")."""
        return {
            "incidents": self.apply_incidents,
            "designations": self.apply_designations,
            "routes": self.apply_routes,
        }[kind](frame)

    # -- describing --------------------------------------------------------

    def caption(self, *, as_of: dt.date | None = None) -> str:
        """A readable one-line summary, e.g. 'where date 2025-09-01 to 2026-10-04; region Caribbean'."""
        end = self.date_to or as_of
        parts = []
        if self.date_from or end:
            parts.append(f"date {self.date_from or 'start'} to {end or 'latest'}")
        labels = {
            "regions": "region",
            "event_types": "event type",
            "affiliations": "affiliation",
            "authorities": "authority",
            "programs": "program",
            "entity_types": "entity type",
            "route_types": "route type",
        }
        for name, label in labels.items():
            chosen = getattr(self, name)
            if chosen:
                parts.append(f"{label} {' or '.join(chosen)}")
        if self.text.strip():
            parts.append(f"text contains {self.text.strip()!r}")
        return "where " + "; ".join(parts) if parts else "all records"

    def as_dict(self) -> dict[str, object]:
        """Every field, defaults included, as JSON-ready values (dates as ISO text, tuples as lists)."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = (
                value.isoformat() if isinstance(value, dt.date) else list(value) if isinstance(value, tuple) else value
            )
        return out

    # -- URL round trip ----------------------------------------------------

    def to_query_params(self) -> dict[str, str | list[str]]:
        """Only the fields that differ from the defaults, as URL query parameters."""
        out: dict[str, str | list[str]] = {}
        default = Filters()
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            key = _PARAM[f.name]
            if f.name in _LIST_FIELDS:
                out[key] = list(value)
            elif f.name in ("date_from", "date_to"):
                out[key] = value.isoformat() if value else ""
            else:
                out[key] = str(value)
        return out

    @classmethod
    def from_query_params(cls, params: Mapping[str, object]) -> tuple[Filters, list[str]]:
        """Parse URL query parameters; unreadable values are ignored and reported as messages."""
        values: dict[str, object] = {}
        problems: list[str] = []

        def get_all(key: str) -> list[str]:
            getter = getattr(params, "get_all", None)
            if getter is not None:
                return [str(v) for v in getter(key)]
            raw = params.get(key)
            if raw is None:
                return []
            return [str(v) for v in raw] if isinstance(raw, (list, tuple)) else [str(raw)]

        for name, key in _PARAM.items():
            got = get_all(key)
            if not got:
                continue
            if name in _LIST_FIELDS:
                values[name] = tuple(dict.fromkeys(v for v in got if v))
            elif name in ("date_from", "date_to"):
                if got[-1] == "":
                    values[name] = None
                    continue
                try:
                    values[name] = dt.date.fromisoformat(got[-1])
                except ValueError:
                    problems.append(f"ignored '{key}={got[-1]}': not a date (use YYYY-MM-DD)")
            else:
                values[name] = got[-1][:200]
        regions = values.get("regions", ())
        assert isinstance(regions, tuple)
        unknown = [r for r in regions if r not in REGIONS]
        if unknown:
            problems.extend(f"ignored unknown region {r!r} from the link" for r in unknown)
            values["regions"] = tuple(r for r in regions if r in REGIONS)
        start, end = values.get("date_from"), values.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            problems.append("ignored the date range: 'from' is after 'to'")
            values["date_from"], values["date_to"] = DEFAULT_START, None
        return cls(**values), problems  # type: ignore[arg-type]
