"""Incidents: the filtered strikes as a table and a map; picking one shows its detail."""

import pandas as pd
import streamlit as st

from tracker import reports, schema
from tracker.sanctions import affiliations
from ui import cache, render
from ui.state import bundle, current_filters, sanctions_lists

b = bundle()
f = current_filters()
incidents = f.apply_incidents(b.incidents).sort_values(["date", "incident_id"])

TABLE_ROWS = 5_000  # the most rows the table shows (the first by date); the Export page downloads them all

st.title("Incidents")
st.caption(
    f"{len(incidents):,} strike record(s) {f.caption(as_of=b.as_of.date())}. Pick a row or a point on the map "
    "to see its detail. Positions are rarely reported: see each record's precision and radius."
)
shown = incidents.head(TABLE_ROWS)
if len(incidents) > TABLE_ROWS:
    st.caption(
        f"The table shows the first {TABLE_ROWS:,} of them by date; narrow the filters to see others, "
        "or download them all from the Export page."
    )

table = shown.assign(
    source=shown["source_urls"].map(lambda s: (schema.source_links(s) or [None])[0]),
    date=shown["date"].dt.date,
)[
    [
        "incident_id",
        "date",
        "date_precision",
        "region",
        "location_precision",
        "radius_km",
        "strikes",
        "vessels",
        "killed",
        "presumed_dead",
        "survivors",
        "affiliation",
        "source_basis",
        "source",
        "location_text",
    ]
]
event = st.dataframe(
    table,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="incident_table",
    column_config={
        "incident_id": "ID",
        "date_precision": "date precision",
        "location_precision": "position precision",
        "radius_km": st.column_config.NumberColumn("radius (km)", format="%d"),
        "killed": "deaths announced",
        "presumed_dead": "presumed dead",
        "source_basis": "evidence",
        "source": st.column_config.LinkColumn("first source"),
        "location_text": "location as reported",
    },
)
picked: list[str] = [str(table.iloc[i]["incident_id"]) for i in event.selection.rows]

MAP_LAYERS = ("basemap", "rings", "strikes")
shown_map = cache.map_view(f, show=MAP_LAYERS, context=False)
map_event = st.pydeck_chart(
    shown_map.deck(), height=480, on_select="rerun", selection_mode="single-object", key="incident_map"
)
render.legend(shown_map.legend)
for obj in (map_event.selection.objects or {}).get("strikes", []) if map_event else []:
    picked.extend(i for i in str(obj.get("all_ids", "")).split(",") if i)

FIELDS = [
    ("incident_id", "ID"),
    ("date", "Date"),
    ("date_precision", "Date precision"),
    ("date_note", "Date note"),
    ("announced_date", "Announced"),
    ("region", "Region"),
    ("region_note", "Region note"),
    ("event_type", "Event type"),
    ("location_text", "Location as reported"),
    ("location_precision", "Position precision"),
    ("radius_km", "Uncertainty radius (km)"),
    ("latitude", "Latitude (placed)"),
    ("longitude", "Longitude (placed)"),
    ("location_basis", "How it was placed"),
    ("strikes", "Strikes"),
    ("vessels", "Vessels"),
    ("killed", "Deaths announced"),
    ("presumed_dead", "Survivors presumed dead"),
    ("survivors", "Survivors"),
    ("affiliation_text", "Alleged affiliation (as stated)"),
    ("vessel_type", "Vessel"),
    ("announced_by", "Announced by"),
    ("notes", "Notes"),
    ("source_basis", "Evidence"),
]


REPORT_SHOWN = [
    "field",
    "value",
    "source_type",
    "source_name",
    "source_date",
    "link",
    "strike_ref",
    "source_urls",
    "note",
]


def _other_reports(record: pd.Series) -> None:
    """Beneath the official figures: every other source's report on this strike, each with its
    source, type and date; the figures above stay the announced ones."""
    mine = reports.for_strikes(b.reports, [record["incident_id"]])
    if mine.empty:
        st.caption("Other sources: none in the bundled table of reports for this strike.")
        return
    one = b.incidents[b.incidents["incident_id"] == record["incident_id"]].head(1)  # typed, unlike a row
    ranges = [
        f"{label} {'announced ' + str(int(announced)) if pd.notna(announced) else 'not announced'}"
        f" · reported {low:g}–{high:g}"
        for field, label in (("killed", "deaths"), ("presumed_dead", "presumed dead"), ("vessels", "vessels"))
        for announced, low, high in reports.strike_ranges(one, b.reports, field)[
            ["announced", "low", "high"]
        ].itertuples(index=False)
        if pd.notna(low) and (low != high)
    ]
    st.caption(
        f"Other sources: {len(mine)} report(s) on this strike: confirmations, other figures, names and "
        "nationalities where reported, and disputes. The figures above stay the announced ones."
        + (" Where sources differ: " + "; ".join(ranges) + "." if ranges else "")
    )
    shown = mine[REPORT_SHOWN].assign(source_type=mine["source_type"].map(reports.SOURCE_TYPE_LABELS))
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "source_type": "source type",
            "source_name": "source",
            "source_date": "date reported",
            "link": st.column_config.TextColumn("link to this strike", help="exact, uncertain (?), or several strikes"),
            "strike_ref": "strike as the source names it",
            "source_urls": st.column_config.LinkColumn("link"),
        },
    )


def _affiliation_links(record: pd.Series) -> None:
    """The designations of the group the strike is said to belong to, each saying how it was matched."""
    group = affiliations.named_group(record.get("affiliation"))
    if group is None:
        st.caption("Designations of the alleged affiliation: the source names no group, so none is linked.")
        return
    entities, index = sanctions_lists()
    links = affiliations.affiliation_links(group, b.designations, entities, index)
    st.caption(
        f"Designations of the alleged affiliation: {len(links)} found among the bundled designation actions "
        f"(exact name or alias) and the imported lists' organizations (exact, alias or fuzzy name, with its score)."
        + ("" if len(entities) else " No sanctions list is imported; import one on the Upload page.")
    )
    if len(links):
        st.dataframe(links, hide_index=True, column_config={"listed_by": "listed by", "how": "how matched"})


if picked:
    st.subheader("Detail")
    by_id = incidents.set_index("incident_id", drop=False)
    for incident_id in dict.fromkeys(picked):
        if incident_id in by_id.index:
            record = by_id.loc[incident_id]
            record = record.iloc[0] if isinstance(record, pd.DataFrame) else record
            with st.container(border=True):
                render.detail(record.to_dict(), FIELDS)
                _other_reports(record)
                _affiliation_links(record)
