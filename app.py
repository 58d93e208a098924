"""Interdiction Tracker: the frame (page config, navigation, shared sidebar).

The screens live in views/, not pages/: Streamlit treats a pages/ folder beside the entry script
as its older multipage mode, which ran a bookmarked page without this frame.  With views/,
st.navigation alone decides which page a URL opens, always inside the frame.
"""

from __future__ import annotations

import streamlit as st

from ui.state import sidebar_filters

PAGES = [
    st.Page("views/overview.py", title="Overview", default=True),
    st.Page("views/incidents.py", title="Incidents"),
    st.Page("views/sources.py", title="Sources"),
    st.Page("views/sanctions.py", title="Sanctions"),
    st.Page("views/lists.py", title="Sanctions lists"),
    st.Page("views/routes.py", title="Routes"),
    st.Page("views/vessels.py", title="Vessels"),
    st.Page("views/upload.py", title="Upload"),
    st.Page("views/export.py", title="Export"),
]

st.set_page_config(page_title="Interdiction Tracker", layout="wide")
page = st.navigation(PAGES)
st.session_state["filters"] = sidebar_filters()
page.run()
