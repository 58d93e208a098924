"""Interdiction Tracker: the domain package (no Streamlit imports here)."""

__version__ = "0.1.0"
