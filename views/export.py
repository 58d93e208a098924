"""Export: the filtered map as PNG, SVG or PDF, the filtered data, and an evidence pack.

The preview is the file: the page renders the image once, at its final size, and
shows and downloads those same bytes.
"""

import streamlit as st

from tracker import cartography, export, layers, readers
from tracker.errors import TrackerError
from ui import cache
from ui.state import bundle, current_filters, store

PRESET_LABELS = {
    "Screen 1920×1080": "screen",
    "A4 landscape, 300 dpi": "a4-landscape",
    "Square 1080×1080": "square",
    "Custom": "custom",
}
EXTENTS = {
    "Automatic": "auto",
    "Fit to the strikes": "fit",
    "Caribbean": "caribbean",
    "Eastern Pacific": "eastern-pacific",
    "Venezuela and approaches": "venezuela",
    "Western Hemisphere": "western-hemisphere",
    "Custom bounds": "custom",
}

b = bundle()
f = current_filters()
inc, des, rts = f.apply_incidents(b.incidents), f.apply_designations(b.designations), f.apply_routes(b.routes)

st.title("Export")

left, right = st.columns([1, 2])
with left:
    title = st.text_input(
        "Title",
        "",
        max_chars=120,
        key="export_title",
        placeholder=cartography.title_for(f),
        help="Leave empty and the title follows the filters.",
    )
    subtitle = st.text_input(
        "Subtitle",
        "",
        max_chars=240,
        key="export_subtitle",
        placeholder="The dates and what the symbols mean",
        help="Leave empty for the dates and a line on what the symbols mean.",
    )
    preset = PRESET_LABELS[st.selectbox("Size", list(PRESET_LABELS), key="export_preset")]
    if preset == "custom":
        c = st.columns(3)
        width = c[0].number_input("Width (px)", 200, 12000, 1600, key="export_w")
        height = c[1].number_input("Height (px)", 200, 12000, 900, key="export_h")
        dpi = c[2].number_input("dpi", 30, 1200, 150, key="export_dpi")
    else:
        width, height, dpi = cartography.PRESETS[preset]
    fmt = st.radio("Image format", cartography.IMAGE_FORMATS, horizontal=True, key="export_fmt")
    extent = EXTENTS[
        st.selectbox(
            "Extent",
            list(EXTENTS),
            key="export_extent",
            help="Automatic: the region filter's own extent when one region is chosen, "
            "else fitted to the strikes and their uncertainty rings. Routes and "
            "designations are context, clipped at the frame.",
        )
    ]
    if extent == "custom":
        c = st.columns(4)
        extent = (
            c[0].number_input("West", -180.0, 180.0, -95.0, key="export_west"),
            c[1].number_input("South", -90.0, 90.0, 0.0, key="export_south"),
            c[2].number_input("East", -180.0, 180.0, -55.0, key="export_east"),
            c[3].number_input("North", -90.0, 90.0, 30.0, key="export_north"),
        )

# below the two columns, full width (the image in the right column is drawn after it)
shown = st.pills(
    "Layers", list(layers.LAYER_NAMES), selection_mode="multi", default=list(layers.LAYER_NAMES), key="export_layers"
)
ais = cache.vessel_layer(f)
show_vessels = st.checkbox(
    "Vessel tracks and events",
    value=not ais.empty,
    key="export_vessels",
    disabled=ais.empty,
    help="The AIS tracks (thin lines by vessel group) and behaviour events (markers by kind) of the date range, "
    "under the strikes."
    if not ais.empty
    else "No AIS positions or events in the date range: import positions on the Upload page.",
)
vessels = ais if show_vessels and not ais.empty else None

spec = cartography.MapSpec(
    width_px=int(width),
    height_px=int(height),
    dpi=int(dpi),
    extent=extent,
    title=title,
    subtitle=subtitle,
    show=tuple(shown or ()),
    fmt=fmt,
    filters=f,
    data_as_of=b.as_of.date(),
    coverage_note=b.coverage_note,
    preset=preset,
)
cache_key = (repr(f), store().revision(), readers.data_version(), vessels is not None)


@st.cache_data(max_entries=8, show_spinner=False)
def render(map_spec: cartography.MapSpec, key: tuple, _vessels=None) -> tuple[bytes, bytes, dict]:
    """The image in the chosen format, a PNG of the very same plan (to show SVG and PDF), and its description.

    ``_vessels`` (not hashed) follows from the filters and the store's revision, both in ``key``."""
    plan = cartography.plan_map(inc, des, rts, map_spec, vessels=_vessels, reports=b.reports)
    image = cartography.render_plan(plan)
    png = (
        image
        if map_spec.fmt == "png"
        else cartography.render_plan(
            cartography.plan_map(inc, des, rts, _as_png(map_spec), vessels=_vessels, reports=b.reports)
        )
    )
    return image, png, cartography.describe(plan)


def _as_png(map_spec: cartography.MapSpec) -> cartography.MapSpec:
    from dataclasses import replace

    return replace(map_spec, fmt="png")


try:
    with right, st.spinner("Rendering the map at its final size…"):
        image, png, info = render(spec, cache_key, vessels)
except TrackerError as exc:
    with right:
        st.error(f"Cannot draw this map: {exc}")
    st.stop()

counters = info["counters"]
in_frame = [f"{counters['strikes']['value']} strike engagement(s)"]
if "designations_in_frame" in counters:
    in_frame.append(f"{counters['designations_in_frame']['value']} designation listing(s)")
if "routes_in_frame" in counters:
    in_frame.append(f"{counters['routes_in_frame']['value']} route(s)")
if "vessels_in_frame" in counters:
    in_frame.append(f"{counters['vessels_in_frame']['value']} vessel(s) with an AIS track")
    in_frame.append(f"{counters['vessel_events_in_frame']['value']} vessel event(s)")
with left:
    st.caption(
        f"The map shows the records {f.caption(as_of=spec.filters.date_range(spec.data_as_of)[1])}: "
        f"{', '.join(in_frame)} in the frame. Change the filters in the sidebar."
    )
with right:
    if counters["strikes"]["value"] == 0 and not len(inc):
        st.info("No strikes match these filters: the map says so, and the data files hold zero rows.")
    note = "" if fmt == "png" else f" The {fmt.upper()} file has the same layout; shown here as PNG."
    st.image(
        png,
        caption=f"The file you download: {width}×{height} px at {dpi} dpi "
        f"({width / dpi:.1f}×{height / dpi:.1f} in).{note}",
    )

stem = "interdiction-map"
mime = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}[fmt]
st.subheader("Download")
cols = st.columns(3)
cols[0].download_button(
    f"Map ({fmt.upper()}, {width}×{height})",
    image,
    file_name=f"{stem}.{fmt}",
    mime=mime,
    key="dl_image",
    type="primary",
)
cols[1].download_button(
    "Incidents (CSV)", lambda: export.to_csv_bytes(inc), file_name="incidents.csv", mime="text/csv", key="dl_csv"
)
cols[2].download_button(
    "Incidents (GeoJSON)",
    lambda: export.to_geojson_bytes(inc),
    file_name="incidents.geojson",
    mime="application/geo+json",
    key="dl_geojson",
)
cols = st.columns(3)
cols[0].download_button(
    "Incidents (GeoPackage)",
    lambda: export.to_gpkg_bytes(inc, layer="incidents"),
    file_name="incidents.gpkg",
    mime="application/geopackage+sqlite3",
    key="dl_gpkg",
)
cols[1].download_button(
    "Designations (CSV)", lambda: export.to_csv_bytes(des), file_name="designations.csv", mime="text/csv", key="dl_des"
)


def pack() -> bytes:
    plan = cartography.plan_map(inc, des, rts, _as_png(spec), vessels=vessels, reports=b.reports)
    image_png = cartography.render_plan(plan)  # drawing settles the frame the manifest describes
    return export.evidence_pack(
        image=image_png,
        plan=plan,
        incidents=inc,
        designations=des,
        routes=rts,
        batches=store().batches(),
        position_imports=store().position_imports(),
    )


cols[2].download_button(
    "Evidence pack (ZIP)",
    pack,
    file_name="interdiction-evidence.zip",
    mime="application/zip",
    key="dl_zip",
    help="The map, the filtered data, what other sources reported about the strikes in view "
    "(with the possible unannounced strikes) and a manifest with every filter, the map's "
    "size, extent, projection, layers and counters (with their reported ranges), the as-of date, row "
    "counts and the sha256 of every source file, basemap and import batch.",
)
cols = st.columns(3)
cols[0].download_button(
    "Reports of the strikes (CSV)",
    lambda: export.to_csv_bytes(export.reports_in_view(b.reports, inc)),
    file_name="reports.csv",
    mime="text/csv",
    key="dl_reports",
    help="What other sources reported about the strikes of these filters (independent trackers, victims' "
    "governments, families, press), and the possible unannounced strikes, which are never counted.",
)
