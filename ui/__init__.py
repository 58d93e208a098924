"""Streamlit glue: cached loaders, the shared sidebar, URL state and rendering helpers.

Besides app.py and views/, this is the only package that imports streamlit.
"""
