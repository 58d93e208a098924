"""Interdiction Tracker: the frame (page config, navigation, shared sidebar)."""

from __future__ import annotations

import streamlit as st

from ui.state import enter_frame, sidebar_filters

PAGES = [
    st.Page("pages/overview.py", title="Overview", default=True),
    st.Page("pages/incidents.py", title="Incidents"),
    st.Page("pages/sanctions.py", title="Sanctions"),
    st.Page("pages/routes.py", title="Routes"),
    st.Page("pages/upload.py", title="Upload"),
    st.Page("pages/export.py", title="Export"),
]

st.set_page_config(page_title="Interdiction Tracker", layout="wide")
page = st.navigation(PAGES)
st.session_state["filters"] = sidebar_filters()
enter_frame()
page.run()
