"""Vessels: the AIS positions users import, as a vessel list with sanctions matches, behaviour events
under rules the user can change, and one vessel's track and timeline."""

import dataclasses

import pandas as pd
import pydeck as pdk
import streamlit as st

from tracker import export, layers
from tracker.layers import vessels as vessel_layers
from tracker.vessels import stored, view
from tracker.vessels.events import KINDS, EventRules
from ui import cache, render
from ui.state import store

st.title("Vessels (AIS)")
s = store()
if not stored.has_positions(s):
    st.info(
        "No AIS positions are imported yet. Import a MarineCadastre CSV (2024 or 2025 layout, also .csv.zst or "
        "GeoParquet), a Danish Maritime Authority CSV, or any CSV with MMSI, time, latitude and longitude on the "
        "Upload page, or with `python -m tracker import positions.csv`."
    )
    st.stop()

imports = s.position_imports()
standing = imports[imports["undone_at"].isna()]
first_day, last_day = stored.day_range(s)
st.text(  # file names come from the user: plain text
    f"{int(standing['rows_stored'].sum()):,} positions from {len(standing)} import(s), "
    f"{first_day} to {last_day} (UTC): " + "; ".join(f"{r.file_name} ({r.layout})" for r in standing.itertuples())
)

st.subheader("Event rules")
defaults = EventRules()
with st.expander("Thresholds (published defaults: Global Fishing Watch)", expanded=False):
    c1, c2, c3 = st.columns(3)
    values = {
        "gap_hours": c1.number_input("Gap: hours without a position", 1.0, 240.0, defaults.gap_hours, 1.0),
        "gap_min_shore_nm": c1.number_input("Gap: nm from shore at both ends", 0.0, 500.0, defaults.gap_min_shore_nm),
        "encounter_max_distance_m": c2.number_input(
            "Encounter: metres apart at most", 50.0, 5000.0, defaults.encounter_max_distance_m, 50.0
        ),
        "encounter_min_hours": c2.number_input(
            "Encounter: hours at least", 0.5, 48.0, defaults.encounter_min_hours, 0.5
        ),
        "encounter_max_speed_kn": c2.number_input(
            "Encounter: median speed under (kn)", 0.5, 10.0, defaults.encounter_max_speed_kn, 0.5
        ),
        "encounter_min_shore_km": c2.number_input(
            "Encounter: km from shore", 0.0, 500.0, defaults.encounter_min_shore_km
        ),
        "loiter_max_speed_kn": c3.number_input(
            "Loitering: speed under (kn)", 0.5, 10.0, defaults.loiter_max_speed_kn, 0.5
        ),
        "loiter_min_hours": c3.number_input("Loitering: hours at least", 0.5, 72.0, defaults.loiter_min_hours, 0.5),
        "loiter_min_shore_nm": c3.number_input("Loitering: nm from shore", 0.0, 500.0, defaults.loiter_min_shore_nm),
        "jump_min_speed_kn": c1.number_input(
            "Jump: implied speed over (kn)", 5.0, 500.0, defaults.jump_min_speed_kn, 1.0
        ),
    }
rules = dataclasses.replace(defaults, **values)
st.text("\n".join(f"{kind}: {rules.describe(kind)}" for kind in KINDS))
if rules != defaults:
    st.caption("Thresholds changed from the published defaults: the events below follow the values above.")

events = cache.vessel_events(rules)
vessels = cache.vessel_table(rules)
listed = vessels[vessels["listed"] != ""]
m1, m2, m3 = st.columns(3)
m1.metric("Vessels", f"{len(vessels):,}", help="Distinct MMSI numbers in the stored positions.")
m2.metric("Behaviour events", f"{len(events):,}", help="Events found under the rules above, all kinds.")
m3.metric(
    "Vessels matching a listing",
    f"{len(listed):,}",
    help="Vessels whose IMO (check digit valid) or MMSI equals a listed vessel's: the imported sanctions lists "
    "and the bundled designations. Names never make a match.",
)
st.caption(f"unit: vessels (MMSI) and events · positions of {first_day} to {last_day} UTC · rules as shown above")

st.subheader("Events")
kinds = st.multiselect("Kinds", list(KINDS), default=list(KINDS), key="vessel_event_kinds")
shown_events = events[events["kind"].isin(kinds)]
table = shown_events.assign(
    start=pd.to_datetime(shown_events["start"], utc=True).dt.strftime("%Y-%m-%d %H:%M"),
    end=pd.to_datetime(shown_events["end"], utc=True).dt.strftime("%Y-%m-%d %H:%M"),
    other_mmsi=shown_events["other_mmsi"].astype("Int64"),
)
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "lat": st.column_config.NumberColumn("latitude", format="%.4f"),
        "lon": st.column_config.NumberColumn("longitude", format="%.4f"),
        "hours": st.column_config.NumberColumn(format="%.1f"),
        "distance_km": st.column_config.NumberColumn("distance (km)", format="%.1f"),
        "speed_kn": st.column_config.NumberColumn("speed (kn)", format="%.1f"),
        "start": "start (UTC)",
        "end": "end (UTC)",
    },
)
st.download_button(
    "Download these events (CSV)",
    export.to_csv_bytes(table),
    file_name="vessel_events.csv",
    mime="text/csv",
    key="download_events",
)

st.subheader("Vessel list")
only_listed = st.toggle("Only vessels matching a listing", key="only_listed")
rows = listed if only_listed else vessels
st.dataframe(
    rows.assign(
        first_seen=pd.to_datetime(rows["first_seen"], utc=True).dt.strftime("%Y-%m-%d %H:%M"),
        last_seen=pd.to_datetime(rows["last_seen"], utc=True).dt.strftime("%Y-%m-%d %H:%M"),
    ),
    hide_index=True,
    column_config={"listed": "listed (match and how)", "vessel_type": "AIS type"},
)
st.download_button(
    "Download the vessel list (CSV)", export.to_csv_bytes(rows), file_name="vessels.csv", mime="text/csv"
)

st.subheader("Tracks over time")
span = (pd.Timestamp(first_day, tz="UTC"), pd.Timestamp(last_day, tz="UTC") + pd.Timedelta(days=1))
window_hours = st.select_slider(
    "Window length", options=[1, 3, 6, 12, 24, 72, 168], value=24, format_func=lambda h: f"{h} h", key="window_hours"
)
latest_start = span[1] - pd.Timedelta(hours=window_hours)
if latest_start > span[0]:
    window_start = st.slider(
        "Window start (UTC): move it to play the tracks forward",
        min_value=span[0].to_pydatetime(),
        max_value=latest_start.to_pydatetime(),
        value=span[0].to_pydatetime(),
        step=pd.Timedelta(hours=1).to_pytimedelta(),
        format="YYYY-MM-DD HH:mm",
        key="window_start",
    )
else:  # the positions fit in one window: nothing to move
    window_start = span[0].to_pydatetime()
window_end = window_start + pd.Timedelta(hours=window_hours).to_pytimedelta()
moving = cache.window_layer(window_start, window_end, rules)
st.caption(f"{window_start:%Y-%m-%d %H:%M} to {window_end:%Y-%m-%d %H:%M} UTC: " + moving.caption())
st.pydeck_chart(
    layers.build_deck([*layers.basemap_layers(), *vessel_layers.vessel_deck_layers(moving)]),
    height=460,
    key="window_map",
)
render.legend(vessel_layers.vessel_legend(moving))

st.subheader("One vessel")
listed_set = set(listed["mmsi"])
choices = list(listed["mmsi"]) + [m for m in vessels["mmsi"] if m not in listed_set]
names = vessels.set_index("mmsi")["names"].fillna("").to_dict()  # once, not per option
mmsi = st.selectbox(
    "MMSI (vessels matching a listing first)",
    choices,
    format_func=lambda m: f"{m} · {names.get(m) or '(no name)'}",
    key="vessel_mmsi",
)
record = vessels.set_index("mmsi").loc[mmsi].map(lambda v: "" if v is None or v is pd.NA or v != v else v)
track = cache.vessel_track(mmsi)
mine = events[(events["mmsi"] == mmsi) | (events["other_mmsi"] == mmsi)]
st.text(
    "\n".join(
        [
            f"MMSI: {mmsi}",
            f"IMO: {record['imo'] or 'not reported'}",
            f"Names used: {record['names'] or 'none reported'}",
            f"Flags: {record['flags'] or 'not reported'}",
            f"AIS type: {record['vessel_type'] or 'not reported'}",
            f"Seen: {record['first_seen']:%Y-%m-%d %H:%M} to {record['last_seen']:%Y-%m-%d %H:%M} UTC "
            f"({len(track):,} positions)",
            f"Events: {len(mine)}",
            f"Listing: {record['listed'] or 'no match by IMO or MMSI'}",
        ]
    )
)
one = view.vessel_layer(track.assign(mmsi=mmsi), mine, max_points=5_000)
deck = layers.build_deck(
    [*layers.basemap_layers(), *vessel_layers.vessel_deck_layers(one)],
    view=pdk.ViewState(longitude=float(track["lon"].median()), latitude=float(track["lat"].median()), zoom=5),
)
st.pydeck_chart(deck, height=420, key="vessel_map")
render.legend(vessel_layers.vessel_legend(one))
st.caption("Speed over ground (kn) over time, as reported; gaps in the line are times with no position.")
speed = track.set_index("time")["sog"].rename("Speed over ground (kn)")
st.line_chart(speed, x_label="Time (UTC)", y_label="Speed (kn)")
if len(mine):
    st.dataframe(mine.drop(columns=["rule"]), hide_index=True)
