"""Rendering helpers.  Text from data is only ever shown through st.text, st.dataframe
or as a widget label-free value: never through markdown or HTML."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from tracker import layers, schema
from tracker.metrics import Counter


def counters(items: list[Counter], *, per_row: int = 4) -> None:
    """Each counter as a metric with its unit, definition and as-of date beside it."""
    for start in range(0, len(items), per_row):
        cols = st.columns(per_row)
        for col, c in zip(cols, items[start : start + per_row]):
            with col:
                st.metric(c.label, f"{c.value:,}", help=c.definition)
                as_of = f"as of {c.as_of.isoformat()}" if c.as_of else ""
                st.caption(
                    (f"{c.reported} · " if c.reported else "")
                    + f"unit: {c.unit} · {as_of}"
                    + (f" · {c.face}" if c.face else "")
                    + (f" · {c.caveat}" if c.caveat else "")
                )


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
        st.dataframe(
            pd.DataFrame({"source": links}),
            hide_index=True,
            column_config={"source": st.column_config.LinkColumn("Sources")},
        )


_SWATCH = {
    "dot": '<circle cx="24" cy="12" r="7" fill="{rgb}" fill-opacity="{a}" stroke="#ffffff" stroke-width="1.5"/>',
    "hollow dot": '<circle cx="24" cy="12" r="7" fill="none" stroke="{rgb}" stroke-opacity="{a}" stroke-width="2.5"/>',
    "ring": '<circle cx="24" cy="12" r="10" fill="none" stroke="{rgb}" stroke-opacity="{a}" stroke-width="1.2"/>',
    "line": '<line x1="3" y1="12" x2="45" y2="12" stroke="{rgb}" stroke-opacity="{a}" stroke-width="4" '
    'stroke-linecap="round"/>',
    "thin line": '<line x1="3" y1="12" x2="45" y2="12" stroke="{rgb}" stroke-opacity="{a}" stroke-width="2" '
    'stroke-linecap="round"/>',
    "count": '<circle cx="24" cy="12" r="11" fill="{rgb}" fill-opacity="{a}" stroke="#ffffff" stroke-width="1"/>'
    '<text x="24" y="16.5" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" '
    'font-size="13" font-weight="700" fill="#ffffff" stroke="#212121" stroke-width="2.5" '
    'paint-order="stroke">34</text>',
}
_LEGEND_GROUPS = (
    ("Strikes", ("strikes", "rings")),
    ("Routes", ("routes",)),
    ("Designations", ("designations",)),
    ("Listed entities", ("listed_entities",)),
    ("Vessels", ("vessels",)),
)


def swatch_svg(rgba: tuple[int, int, int, int], style: str) -> str:
    """One legend symbol as a small SVG, built from the colour's numbers and fixed markup only."""
    r, g, b, a = (int(v) for v in rgba)
    shape = _SWATCH[style].format(rgb=f"#{r:02x}{g:02x}{b:02x}", a=f"{a / 255:.2f}")
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="48" height="24" viewBox="0 0 48 24">{shape}</svg>'


def legend(entries: list[layers.LegendEntry]) -> None:
    """The map legend, grouped by layer: each drawn symbol in its true colour and shape beside its meaning.

    The labels are the tracker's own words (layer, route and entity type names from fixed lists),
    never free text from records.
    """
    groups = [(name, [e for e in entries if e.layer in ids]) for name, ids in _LEGEND_GROUPS]
    groups = [(name, group) for name, group in groups if group]
    if not groups:
        st.caption("Legend: nothing is drawn on the map.")
        return
    for col, (name, group) in zip(st.columns(len(groups)), groups):
        with col:
            st.caption(f"**Legend: {name.lower()}**")
            for entry in group:
                with st.container(horizontal=True, wrap=False, vertical_alignment="center", gap="small"):
                    st.image(swatch_svg(entry.rgba, entry.style), width=48)
                    st.caption(entry.label, width="stretch")


def count_bars(counts: pd.Series, *, category: str, value: str, color: str = "#1f77b4") -> None:
    """Counts per category as horizontal bars, largest first, with whole category names (never
    truncated), axis titles in words and each bar's number at its end."""
    if counts.empty:
        st.caption(f"{category}: no rows in view.")
        return
    frame = pd.DataFrame({"category": counts.index.astype(str), "count": counts.to_numpy()})
    base = alt.Chart(frame).encode(
        y=alt.Y(
            "category:N",
            sort="-x",
            title=category,
            axis=alt.Axis(labelLimit=0, labelOverlap=False, titleAngle=0, titleAlign="left", titleY=-8),
        ),
        x=alt.X("count:Q", title=value, axis=alt.Axis(tickMinStep=1, format="d", tickCount=6)),
        tooltip=[alt.Tooltip("category:N", title=category), alt.Tooltip("count:Q", title=value)],
    )
    chart = base.mark_bar(color=color) + base.mark_text(align="left", dx=4).encode(text="count:Q")
    st.altair_chart(chart, width="stretch", height=26 * len(frame) + 70)
