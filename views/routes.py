"""Routes: trafficking, fuel and tanker routes and deployments on a map and in a table."""

import pydeck as pdk
import streamlit as st

from tracker import layers, schema
from ui import render
from ui.state import bundle, current_filters

b = bundle()
f = current_filters()
routes = f.apply_routes(b.routes)

st.title("Routes")
st.caption(
    f"{len(routes)} route(s). Routes are described in words by the sources: lines are traced along sea "
    "lanes between the named places (traced) or drawn between areas (schematic); neither is a vessel track."
)
MAP_LAYERS = ("basemap", "routes")
no_incidents, no_designations = b.incidents.iloc[0:0], b.designations.iloc[0:0]
deck = layers.build_deck(
    layers.build_layers(no_incidents, no_designations, routes, show=MAP_LAYERS),
    view=pdk.ViewState(longitude=-40, latitude=15, zoom=1.3),
)
st.pydeck_chart(deck, height=480, key="routes_map")
render.legend(layers.legend_entries(no_incidents, no_designations, routes, show=MAP_LAYERS))
no_line = routes[routes.geometry.isna() | routes.geometry.is_empty]
if len(no_line):
    st.caption(f"{len(no_line)} route(s) have no drawable path (see 'line' below).")
table = routes.drop(columns="geometry").assign(
    source=routes["source_urls"].map(lambda s: (schema.source_links(s) or [None])[0])
)
st.dataframe(
    table[
        [
            "route_id",
            "name",
            "route_type",
            "period",
            "line_precision",
            "origin_text",
            "destination_text",
            "waypoints_text",
            "geometry_basis",
            "vessels_or_actors",
            "notes",
            "source",
        ]
    ],
    hide_index=True,
    column_config={
        "route_id": "ID",
        "line_precision": "line",
        "geometry_basis": "how the line was drawn",
        "source": st.column_config.LinkColumn("first source"),
    },
)
