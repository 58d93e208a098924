"""Overview: counters, the map and the weekly timeline."""

import streamlit as st

from tracker import layers, metrics
from ui import render
from ui.state import bundle, current_filters

b = bundle()
f = current_filters()
as_of = metrics.counters_as_of(f.date_to, b.as_of.date())
incidents = f.apply_incidents(b.incidents)
designations = f.apply_designations(b.designations)
routes = f.apply_routes(b.routes)

st.title("Interdiction Tracker")
fatal = metrics.count_fatal_strikes(incidents)
st.subheader(f"{fatal} fatal strikes since {f.date_from:%-d %B %Y}" if f.date_from else f"{fatal} fatal strikes")
st.caption(f"Bundled data as of {b.as_of.date()}. {b.coverage_note}  Showing records {f.caption(as_of=as_of)}.")

render.counters(metrics.view_counters(incidents, designations, as_of=as_of))

st.divider()
shown = st.pills(
    "Layers",
    ["strikes", "rings", "routes", "designations", "basemap"],
    selection_mode="multi",
    default=["strikes", "rings", "routes", "designations", "basemap"],
    key="overview_layers",
)
show = tuple(shown or ())
deck = layers.build_deck(layers.build_layers(incidents, designations, routes, show=show))
st.pydeck_chart(deck, height=560, key="overview_map")
render.legend(layers.legend_entries(incidents, designations, routes, show=show))
unplaced = int(incidents["latitude"].isna().sum())
if unplaced:
    st.caption(f"{unplaced} strike record(s) in view have no usable position: they are counted above but not drawn.")
st.page_link(
    "views/export.py", label="Export this map (PNG, SVG, PDF) and its data", icon=None, query_params=f.to_query_params()
)

st.divider()
st.subheader("Weekly timeline")
weekly = metrics.weekly_series(incidents)
if weekly.empty:
    st.info("No strikes match the filters.")
else:
    week_label = "Week (starting Monday)"
    by_week = weekly.set_index("week").rename_axis("Week")
    left, right = st.columns(2)
    with left:
        st.caption("Strike engagements per week")
        st.bar_chart(
            by_week[["strikes"]].rename(columns={"strikes": "Strike engagements"}),
            x_label=week_label,
            y_label="Strike engagements",
            color="#d62728",
        )
    with right:
        st.caption("Deaths to date: announced, and including survivors presumed dead")
        series = by_week[["cumulative_deaths", "cumulative_deaths_with_presumed"]].rename(
            columns={
                "cumulative_deaths": "Announced",
                "cumulative_deaths_with_presumed": "With presumed dead",
            }
        )
        st.line_chart(series, x_label=week_label, y_label="Deaths, running total in view")
