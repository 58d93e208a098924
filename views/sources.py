"""Sources: per strike, how many sources confirm or contest it, what the victims' side disputes, and
the possible strikes that were never announced."""

import pandas as pd
import streamlit as st

from tracker import export, reports
from ui.state import bundle, current_filters, store

b = bundle()
f = current_filters()
incidents = f.apply_incidents(b.incidents).sort_values(["date", "incident_id"])

history = store().batches()
imported = (
    int(history.loc[(history["kind"] == "reports") & history["undone_at"].isna(), "rows_accepted"].sum())
    if len(history)
    else 0
)

st.title("Sources")
st.text(  # the filter summary holds text from the link (a search): plain text, never markdown
    f"What sources other than the announcements reported about the {len(incidents):,} strike record(s) "
    f"{f.caption(as_of=b.as_of.date())}: {len(b.reports) - imported:,} reports in the bundled table"
    + (f" and {imported:,} imported" if imported else "")
    + " (independent trackers, the victims' governments, families, the press, other official bodies). "
    "The announced figures are never replaced: the counters show them, with the range across sources beside."
)

labels = reports.SOURCE_TYPE_LABELS
chosen = st.multiselect(
    "Source types",
    list(labels),
    default=list(labels),
    format_func=lambda t: labels[t],
    key="source_types",
)
only_disputed = st.toggle("Only strikes disputed by the victims' governments or families", key="only_disputed")
shown_reports = b.reports[b.reports["source_type"].isin(chosen)]
table = reports.source_summary(incidents, shown_reports)
if only_disputed:
    table = table[table["disputed_by_victims_side"]]
table = table.assign(date=pd.to_datetime(table["date"]).dt.date) if len(table) else table

st.subheader("Per strike")
st.caption(
    "reports: rows naming the strike (also those that name it uncertainly or with other strikes); sources: distinct "
    "sources among them; confirm: reports giving the same number as announced; contest: another number, or a "
    "dispute (of the date, place, who was aboard, or the strike itself). Only the source types chosen above count."
)
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "incident_id": "strike",
        "disputed_by_victims_side": st.column_config.CheckboxColumn("disputed by victims' government or family"),
        "source_types": "source types",
    },
)
st.download_button(
    "Download this table (CSV)",
    export.to_csv_bytes(table),
    file_name="sources_per_strike.csv",
    mime="text/csv",
    key="download_sources",
)
in_view = reports.for_strikes(shown_reports, incidents["incident_id"])
st.download_button(
    f"Download the {len(in_view):,} reports on these strikes (CSV)",
    export.to_csv_bytes(in_view),
    file_name="reports_in_view.csv",
    mime="text/csv",
    key="download_reports",
)

st.subheader("Possible unannounced strikes")
possible = reports.unannounced(b.reports)
st.caption(
    f"{len(possible)} possible strike(s) that were never announced, as other sources reported them. They are not "
    "in the strike records and are never counted in any figure."
)
st.dataframe(
    possible[["strike_date", "value", "source_type", "source_name", "source_date", "source_urls", "note"]],
    hide_index=True,
    column_config={
        "source_urls": st.column_config.LinkColumn("link"),
        "value": "what was reported",
        "strike_date": "date (as filed)",
        "source_type": "source type",
        "source_name": "source",
        "source_date": "date reported",
    },
)

st.subheader("Reports not tied to one strike")
loose = b.reports[(b.reports["link"] != "exact") & ~b.reports["unannounced"]]
st.caption(
    "Reports whose link to a strike is uncertain (the source's strike id carries a ?), that cover several strikes "
    "the source did not separate, or the whole campaign: shown with each strike they name, never in its range."
)
st.dataframe(
    loose[["strike_ref", "link", "incident_ids", "field", "value", "source_type", "source_name", "source_urls"]],
    hide_index=True,
    column_config={
        "source_urls": st.column_config.LinkColumn("link"),
        "incident_ids": "strikes named",
        "strike_ref": "strike as the source names it",
        "source_type": "source type",
        "source_name": "source",
    },
)
