"""Overview: counters, the map and the weekly timeline."""

import pandas as pd
import streamlit as st

from tracker import metrics, reports
from tracker.vessels import stored
from tracker.vessels import view as vessel_view
from ui import cache, render
from ui.state import bundle, current_filters, store

b = bundle()
f = current_filters()
as_of = metrics.counters_as_of(f.date_to, b.as_of.date())
view = cache.summary(f)

st.title("Interdiction Tracker")
fatal = next(c.value for c in view.counters if c.key == "fatal_strikes")
st.subheader(f"{fatal} fatal strikes since {f.date_from:%-d %B %Y}" if f.date_from else f"{fatal} fatal strikes")
st.caption(f"Bundled data as of {b.as_of.date()}. {b.coverage_note}  Showing records {f.caption(as_of=as_of)}.")

render.counters(view.counters)
possible = reports.unannounced(b.reports)
if len(possible):
    st.caption(
        f"{len(possible)} possible unannounced strike(s) reported by other sources, not counted above "
        '(see the Sources page). Where a counter says "reported", other sources gave other figures for the '
        "strikes in view: hover the ? beside a counter for which sources count."
    )

st.divider()
has_ais = stored.has_positions(store())
options = ["strikes", "rings", "routes", "designations", *(["vessels"] if has_ais else []), "basemap"]
shown = st.pills("Layers", options, selection_mode="multi", default=options, key="overview_layers")
show = tuple(shown or ())
shown_map = cache.map_view(f, show=show)
st.pydeck_chart(shown_map.deck(), height=560, key="overview_map")
render.legend(shown_map.legend)
if "vessels" in show:
    ais_span = stored.day_range(store())
    st.caption(
        "Vessels (AIS), in the date range of the filters: "
        + cache.vessel_layer(f).caption()
        + f". The stored positions run from {ais_span[0]} to {ais_span[1]} (UTC)."
    )
if shown_map.unplaced:
    st.caption(
        f"{shown_map.unplaced} strike record(s) in view have no usable position: they are counted above but not drawn."
    )
st.page_link(
    "views/export.py", label="Export this map (PNG, SVG, PDF) and its data", icon=None, query_params=f.to_query_params()
)

st.divider()
st.subheader("Weekly timeline")
weekly = view.weekly
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

if has_ais:
    events = cache.vessel_layer(f).events
    st.caption(f"AIS behaviour events per week, by kind ({len(events):,} in the date range; see the Vessels page)")
    if len(events):
        weekly_events = (
            events.assign(
                week=pd.to_datetime(events["start"], utc=True).dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
            )
            .pivot_table(index="week", columns="kind", values="mmsi", aggfunc="count", fill_value=0)
            .rename_axis("Week")
        )
        weekly_events.index = weekly_events.index.strftime("%Y-%m-%d")  # whole dates on the axis, any span
        colors = ["#{:02x}{:02x}{:02x}".format(*vessel_view.EVENT_COLORS[k]) for k in weekly_events.columns]
        st.bar_chart(weekly_events, x_label="Week (starting Monday)", y_label="Events", color=colors)
