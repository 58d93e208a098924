"""Rendering helpers.  Text from data is only ever shown through st.text, st.dataframe
or as a widget label-free value: never through markdown or HTML."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker import schema
from tracker.metrics import Counter


def counters(items: list[Counter], *, per_row: int = 4) -> None:
    """Each counter as a metric with its unit, definition and as-of date beside it."""
    for start in range(0, len(items), per_row):
        cols = st.columns(per_row)
        for col, c in zip(cols, items[start:start + per_row]):
            with col:
                st.metric(c.label, f"{c.value:,}", help=c.definition)
                as_of = f"as of {c.as_of.isoformat()}" if c.as_of else ""
                st.caption(f"unit: {c.unit} · {as_of}" + (f" · {c.caveat}" if c.caveat else ""))


def detail(record: dict[str, object], fields: list[tuple[str, str]]) -> None:
    """One record's fields as plain text, then its source links as a link table."""
    lines = []
    for key, label in fields:
        value = record.get(key)
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA or value == "":
            continue
        if isinstance(value, pd.Timestamp):
            value = value.date().isoformat()
        lines.append(f"{label}: {value}")
    st.text("\n".join(lines))
    links = schema.source_links(str(record.get("source_urls", "")))
    if links:
        st.dataframe(pd.DataFrame({"source": links}), hide_index=True,
                     column_config={"source": st.column_config.LinkColumn("Sources")})
