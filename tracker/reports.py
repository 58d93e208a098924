"""What other sources reported about each strike: confirmations, other figures, names and disputes.

A *report* is one figure or fact about a strike from a source other than the announcement: an
independent tracker, the government of the victims' country, a family, the press, or another
official body.  Reports never replace the announced figures: they are shown beside them, and
where sources give other numbers the counters show the range across sources next to the
announced figure.

Each report keeps the strike reference as its source table wrote it (``strike_ref``) and is
linked to the bundled strikes it names:

* ``exact``: one strike, named by its id ("S08");
* ``uncertain``: one strike with a ``?`` ("S15?"): the source's link to that strike is not sure;
* ``several``: a list or a span of strikes ("S31; S32", "S04-S10 (October)") the source did not
  separate;
* ``campaign``: the whole campaign ("ALL");
* ``unlinked``: no bundled strike matches.

A report on a possible strike that was never announced (``unannounced``) is listed and counted
apart, and never added to any official figure.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from tracker import schema

SOURCE_TYPES = schema.REPORT_SOURCE_TYPES
SOURCE_TYPE_LABELS = {
    "independent": "independent tracker",
    "government_of_victims": "government of the victims' country",
    "family": "family",
    "media": "press",
    "official": "other official source",
}
RANGE_SOURCE_TYPES = ("independent", "government_of_victims", "family", "media")
"""Source types whose figures count toward a range: everyone but other official restatements."""
FIELDS = schema.REPORT_FIELDS
FIGURE_FIELDS = ("killed", "presumed_dead", "vessels")
"""Fields whose numbers are compared with the announced figure of the same name."""
LINKS = schema.REPORT_LINKS
REPORT_COLUMNS = list(schema.REPORT_COLUMNS)

_ID = re.compile(r"\bS(\d{2,3})\b")
_SPAN = re.compile(r"\bS(\d{2,3})\s*[-–]\s*S(\d{2,3})\b")
_RANGE = re.compile(r"^\s*(\d+)\s*[-–]\s*(\d+)\b")
_LEADING = re.compile(
    r"^\s*(\d+)\s*(?:$|\(|;|,"  # a bare number, or one followed by a bracket or a list
    r"|(?:people|men|killed|dead|survivors?|vessels?|boats?)\b"  # "6 men", "2 killed", "1 survivor"
    r"|on (?:one|two|three|four|\d+) (?:boats?|vessels?))"  # "8 on three boats"
)
_TOTAL = re.compile(r"\b(\d+)\s+(?:in\s+)?total\b", re.IGNORECASE)
_UNANNOUNCED = re.compile(r"\b(?:unannounced|undisclosed|never announced|not announced)\b", re.IGNORECASE)


def parse_figure(value: object) -> tuple[float, float]:
    """The number a report's text gives, as (low, high): "3" -> (3, 3), "2–3 (range)" -> (2, 3),
    "14 (8 + 4 + 3 …)" -> (14, 14), "… (11 total)" -> (11, 11).  Text that does not open with a
    figure ("2 bodies recovered", "0 rescued", "'three people died…'") gives (NaN, NaN): it is shown
    as written and never turned into a number."""
    text = str(value or "")
    if m := _RANGE.match(text):
        lo, hi = sorted((float(m.group(1)), float(m.group(2))))
        return lo, hi
    if m := _TOTAL.search(text):
        return float(m.group(1)), float(m.group(1))
    if m := _LEADING.match(text):
        return float(m.group(1)), float(m.group(1))
    return np.nan, np.nan


def link_of(strike_ref: object, known: set[str]) -> tuple[list[str], str]:
    """The bundled strike ids a reference names and how (one of :data:`LINKS`)."""
    text = str(strike_ref or "").strip()
    if text.upper().startswith("ALL"):
        return [], "campaign"
    ids: list[str] = []
    for a, b in _SPAN.findall(text):
        ids += [f"S{n:02d}" for n in range(int(a), int(b) + 1)]
    spans = _SPAN.sub("", text)
    ids += [f"S{int(n):02d}" for n in _ID.findall(spans)]
    ids = [i for i in dict.fromkeys(ids) if i in known]
    if not ids:
        return [], "unlinked"
    if len(ids) > 1:
        return ids, "several"
    return ids, "uncertain" if "?" in text else "exact"


def build_reports(table: pd.DataFrame, incident_ids: set[str], *, check_types: bool = True) -> pd.DataFrame:
    """The reports of a source table (columns strike_id, strike_date, field, value, source_type,
    source_name, source_date, url, note) as canonical rows (:data:`REPORT_COLUMNS`).  ``check_types``
    refuses an unknown source type (the bundled build); uploads leave that to validation, which
    reports the row."""
    rows = []
    for k, r in enumerate(table.itertuples(index=False), start=1):
        ids, link = link_of(r.strike_id, incident_ids)
        lo, hi = parse_figure(r.value) if r.field in FIGURE_FIELDS or r.field == "survivors" else (np.nan, np.nan)
        rows.append(
            {
                "report_id": f"R{k:03d}",
                "strike_ref": str(r.strike_id),
                "incident_ids": "; ".join(ids),
                "link": link,
                "strike_date": str(r.strike_date),
                "field": r.field,
                "value": str(r.value),
                "low": lo,
                "high": hi,
                "source_type": r.source_type,
                "source_name": str(r.source_name),
                "source_date": "" if pd.isna(r.source_date) else str(r.source_date),
                "source_urls": "" if pd.isna(r.url) else str(r.url),
                "note": "" if pd.isna(r.note) else str(r.note),
                "unannounced": bool(r.field == "vessels" and _UNANNOUNCED.search(str(r.value))),
            }
        )
    frame = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    if check_types and len(frame) and (bad := sorted(set(frame["source_type"]) - set(SOURCE_TYPES))):
        raise ValueError(f"unknown source types {bad}; expected {SOURCE_TYPES}")
    return schema.canonicalise("reports", frame)


def empty_reports() -> pd.DataFrame:
    return schema.empty_frame("reports")


def for_strikes(reports: pd.DataFrame, incident_ids) -> pd.DataFrame:
    """The reports naming any of ``incident_ids`` (exact, uncertain or several), in table order; a report
    of a possible unannounced strike is about another strike, so it is never among them."""
    wanted = set(incident_ids)
    named = reports["incident_ids"].map(lambda text: bool(wanted.intersection(filter(None, text.split("; ")))))
    return reports[named & ~reports["unannounced"].astype(bool)]


def strike_ranges(incidents: pd.DataFrame, reports: pd.DataFrame, field: str) -> pd.DataFrame:
    """Per strike in ``incidents``: the announced ``field`` and the lowest and highest figure across
    the announcement and the reports that count toward a range (an exact link to that one strike, a
    source type of :data:`RANGE_SOURCE_TYPES`, a figure read from the text).  Columns incident_id,
    announced, low, high, sources (how many reports gave a figure)."""
    counted = reports[
        (reports["field"] == field)
        & (reports["link"] == "exact")
        & reports["source_type"].isin(RANGE_SOURCE_TYPES)
        & reports["low"].notna()
        & ~reports["unannounced"]
    ]
    by_strike = counted.groupby("incident_ids").agg(lo=("low", "min"), hi=("high", "max"), n=("low", "size"))
    out = pd.DataFrame({"incident_id": incidents["incident_id"].to_numpy(), "announced": incidents[field].to_numpy()})
    out = out.join(by_strike, on="incident_id")
    announced = pd.to_numeric(out["announced"], errors="coerce").astype(float)  # not announced: NaN
    out["low"] = np.fmin(announced, out["lo"])
    out["high"] = np.fmax(announced, out["hi"])
    out["sources"] = out["n"].fillna(0).astype(int)
    return out[["incident_id", "announced", "low", "high", "sources"]]


def range_text(incidents: pd.DataFrame, reports: pd.DataFrame, field: str) -> str:
    """ "reported 192–194" when the sources' range for the strikes in view differs from the announced
    total, else "" (sources agree, or none gave a figure)."""
    r = strike_ranges(incidents, reports, field)
    announced = int(np.nansum(r["announced"].astype(float)))
    lo, hi = int(np.nansum(r["low"])), int(np.nansum(r["high"]))
    if lo == announced and hi == announced:
        return ""
    return f"reported {lo:,}–{hi:,}" if lo != hi else f"reported {lo:,}"


RANGE_DEFINITION = (
    "Reported range: per strike in view, the lowest and highest figure across the announcement and the "
    "reports of independent trackers, the victims' governments, families and the press that name that one "
    "strike (not those whose link is uncertain or that cover several strikes), summed over the strikes."
)


def unannounced(reports: pd.DataFrame) -> pd.DataFrame:
    """Reports of possible strikes that were never announced: listed apart, never counted."""
    return reports[reports["unannounced"]]


SUMMARY_COLUMNS = [
    "incident_id", "date", "region", "reports", "sources", "confirm", "contest", "disputed_by_victims_side",
    "source_types",
]  # fmt: skip


def source_summary(incidents: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """Per strike in ``incidents``: how many reports name it (any link), how many distinct sources
    confirm its announced figures (same number), how many contest them (another number, or a
    dispute), whether the victims' government or a family disputes it, and the source types."""
    rows = []
    for inc in incidents.itertuples(index=False):
        mine = for_strikes(reports, [inc.incident_id])
        confirms = contests = 0
        for r in mine.itertuples(index=False):
            if r.field == "dispute":
                contests += 1
            elif r.field in FIGURE_FIELDS and not np.isnan(r.low) and r.link == "exact":
                announced = getattr(inc, r.field)
                if pd.isna(announced):
                    continue
                if r.low == r.high == float(announced):
                    confirms += 1
                else:
                    contests += 1
        disputed_by_victims = bool(
            ((mine["field"] == "dispute") & mine["source_type"].isin(["government_of_victims", "family"])).any()
        )
        rows.append(
            {
                "incident_id": inc.incident_id,
                "date": inc.date,
                "region": inc.region,
                "reports": len(mine),
                "sources": mine["source_name"].nunique(),
                "confirm": confirms,
                "contest": contests,
                "disputed_by_victims_side": disputed_by_victims,
                "source_types": ", ".join(SOURCE_TYPE_LABELS.get(t, t) for t in sorted(set(mine["source_type"]))),
            }
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
