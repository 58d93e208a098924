"""Sanctions: designations in a table, counts by authority, program and entity type, and a timeline."""

import streamlit as st

from tracker import metrics, schema
from ui import render
from ui.state import bundle, current_filters

b = bundle()
f = current_filters()
as_of = metrics.counters_as_of(f.date_to, b.as_of.date())
d = f.apply_designations(b.designations)

st.title("Sanctions and designations")
counter = metrics.designation_counter(d, as_of=as_of)
st.metric(counter.label, counter.value, help=counter.definition)
st.caption(
    f"unit: {counter.unit} · as of {as_of} · {counter.caveat or 'all rows in view are listings'}. "
    f"Designations made after the end of the date range are hidden; undated ones always show. "
    f"Rows marked uncertain have a date, identifier or place that the sources do not confirm."
)

table = d.assign(
    source=d["source_urls"].map(lambda s: (schema.source_links(s) or [None])[0]),
    designation_date=d["designation_date"].dt.date,
    status=d["uncertain"].map({True: "uncertain", False: ""}),
)[
    [
        "designation_id",
        "name",
        "entity_type",
        "authority",
        "program",
        "program_text",
        "action_kind",
        "designation_date",
        "status",
        "country",
        "identifiers",
        "location_precision",
        "source",
    ]
]
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "designation_id": "ID",
        "program": "program (grouped)",
        "program_text": "program or list (as stated)",
        "action_kind": "action",
        "designation_date": st.column_config.DateColumn("date (blank = not known)"),
        "location_precision": "placed at",
        "source": st.column_config.LinkColumn("first source"),
    },
)

st.subheader("Counts")
st.caption(
    "Rows in view per authority, program and entity type (every row, including those that are not sanctions listings)."
)
for field, label in [
    ("authority_group", "Authority"),
    ("program", "Program (grouped)"),
    ("entity_type", "Entity type"),
]:
    render.count_bars(d[field].value_counts(), category=label, value="Designation rows in view")

st.subheader("Designation dates")
dated = d.dropna(subset=["designation_date"])
st.caption(f"Designations per month; {len(d) - len(dated)} row(s) in view have no known date and are not shown.")
if not dated.empty:
    monthly = (
        dated.set_index("designation_date")
        .resample("MS")["designation_id"]
        .count()
        .rename("Designations")
        .rename_axis("Month")
    )
    st.bar_chart(monthly, x_label="Month of designation", y_label="Designations (rows)")
