"""Export: the filtered map as PNG, SVG or PDF, the filtered data, and an evidence pack."""

import streamlit as st

from tracker import export, layers, metrics, readers
from ui.state import bundle, current_filters, require_app, store

require_app()

PRESET_LABELS = {"Screen 1920×1080": "screen", "A4 landscape, 300 dpi": "a4-landscape", "Square 1080×1080": "square",
                 "Custom": "custom"}
EXTENTS = {"Fit to the records": "fit", "Caribbean": "caribbean", "Eastern Pacific": "eastern-pacific",
           "Venezuela and approaches": "venezuela", "Western Hemisphere": "western-hemisphere",
           "Custom bounds": "custom"}

b = bundle()
f = current_filters()
as_of = metrics.counters_as_of(f.date_to, b.as_of.date())
inc, des, rts = f.apply_incidents(b.incidents), f.apply_designations(b.designations), f.apply_routes(b.routes)

st.title("Export")
st.caption(f"Exports use the records {f.caption(as_of=as_of)}: {len(inc)} incident(s), {len(des)} designation(s), "
           f"{len(rts)} route(s). Change the filters in the sidebar.")

left, right = st.columns([1, 2])
with left:
    title = st.text_input("Title", "U.S. strikes on alleged drug boats", max_chars=120, key="export_title")
    preset = PRESET_LABELS[st.selectbox("Size", list(PRESET_LABELS), key="export_preset")]
    if preset == "custom":
        c = st.columns(3)
        width = c[0].number_input("Width (px)", 200, 8000, 1600, key="export_w")
        height = c[1].number_input("Height (px)", 200, 8000, 900, key="export_h")
        dpi = c[2].number_input("dpi", 50, 600, 150, key="export_dpi")
    else:
        width, height, dpi = export.PRESETS[preset]
    fmt = st.radio("Image format", export.IMAGE_FORMATS, horizontal=True, key="export_fmt")
    extent_label = st.selectbox("Extent", list(EXTENTS), key="export_extent")
    extent = EXTENTS[extent_label]
    if extent == "custom":
        c = st.columns(4)
        extent = (c[0].number_input("West", -180.0, 180.0, -95.0, key="export_west"),
                  c[1].number_input("South", -85.0, 85.0, 0.0, key="export_south"),
                  c[2].number_input("East", -180.0, 180.0, -55.0, key="export_east"),
                  c[3].number_input("North", -85.0, 85.0, 30.0, key="export_north"))
        if extent[0] >= extent[2] or extent[1] >= extent[3]:
            st.error("West must be less than east, and south less than north.")
            st.stop()

# below the two columns, full width (the preview in the right column is drawn after it)
shown = st.pills("Layers", list(layers.LAYER_NAMES), selection_mode="multi", default=list(layers.LAYER_NAMES),
                 key="export_layers")

counters = tuple(metrics.view_counters(inc, des, as_of=as_of))


def spec_for(w: int, h: int, d: int, image_format: str) -> export.MapSpec:
    return export.MapSpec(width_px=int(w), height_px=int(h), dpi=int(d), extent=extent, title=title,
                          show=tuple(shown or ()), fmt=image_format, counters=counters,
                          filter_line=f.caption(as_of=as_of), as_of=as_of)


@st.cache_data(max_entries=16, show_spinner=False)
def render(spec: export.MapSpec, key: tuple) -> bytes:
    return export.render_map(inc, des, rts, spec)


cache_key = (f.to_query_params().__repr__(), store().revision(), readers.data_version())
with right:
    preview_w = 960
    # the preview keeps the final image's proportions, and its text and symbols scale with it
    preview = spec_for(preview_w, round(preview_w * height / width), max(24, round(dpi * preview_w / width)), "png")
    try:
        with st.spinner("Rendering the preview…"):
            png = render(preview, cache_key)
    except export.EmptyExportError:
        st.info("The filters leave nothing to draw: widen the date range or clear some filters.")
        st.stop()
    st.image(png, caption=f"Preview (final size {width}×{height} px at {dpi} dpi)")

full = spec_for(width, height, dpi, fmt)
stem = "interdiction-map"
mime = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}[fmt]
st.subheader("Download")
cols = st.columns(3)
cols[0].download_button(f"Map ({fmt.upper()}, {width}×{height})", lambda: render(full, cache_key),
                        file_name=f"{stem}.{fmt}", mime=mime, key="dl_image", type="primary")
cols[1].download_button("Incidents (CSV)", lambda: export.to_csv_bytes(inc), file_name="incidents.csv",
                        mime="text/csv", key="dl_csv")
cols[2].download_button("Incidents (GeoJSON)", lambda: export.to_geojson_bytes(inc),
                        file_name="incidents.geojson", mime="application/geo+json", key="dl_geojson")
cols = st.columns(3)
cols[0].download_button("Incidents (GeoPackage)", lambda: export.to_gpkg_bytes(inc, layer="incidents"),
                        file_name="incidents.gpkg", mime="application/geopackage+sqlite3", key="dl_gpkg")
cols[1].download_button("Designations (CSV)", lambda: export.to_csv_bytes(des), file_name="designations.csv",
                        mime="text/csv", key="dl_des")


def pack() -> bytes:
    image = render(spec_for(width, height, dpi, "png"), cache_key)
    return export.evidence_pack(
        image=image, image_name="map.png", incidents=inc, designations=des, routes=rts,
        filters_params=f.to_query_params(), filter_line=f.caption(as_of=as_of), as_of=as_of,
        source_files=readers.bundled_files(), batches=store().batches())


cols[2].download_button("Evidence pack (ZIP)", pack, file_name="interdiction-evidence.zip", mime="application/zip",
                        key="dl_zip", help="The map, the filtered data and a manifest with the filters, the as-of "
                                           "date, row counts and the sha256 of every source file and import batch.")
