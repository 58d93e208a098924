"""Upload: read a file, review every problem, map columns, then import it as one undoable batch."""

import hashlib
import os

import pandas as pd
import streamlit as st

from tracker import export, ingest, layers, metrics, readers, schema
from tracker.errors import TrackerError
from tracker.sanctions import importing
from ui import upload_ais
from ui.state import bundle, current_filters, store

KINDS = {
    "Incidents (CSV)": ("incidents", ["csv", "tsv", "txt"]),
    "Designations (CSV)": ("designations", ["csv", "tsv", "txt"]),
    "Strike reports by other sources (CSV)": ("reports", ["csv", "tsv", "txt"]),
    "Routes (GeoJSON or GeoPackage)": ("routes", ["geojson", "json", "gpkg"]),
}


LIMIT_MB = (
    readers.upload_limit_mb()
    if os.environ.get(readers.UPLOAD_LIMIT_ENV, "").strip()
    else float(st.get_option("server.maxUploadSize"))
)
# The largest file the page takes: $TRACKER_MAX_UPLOAD_MB, else Streamlit's server.maxUploadSize (from
# .streamlit/config.toml, $STREAMLIT_SERVER_MAX_UPLOAD_SIZE or --server.maxUploadSize).


def prepare(kind, data, name, mapping, date_order, fix_swapped, encoding, event_type, revision):
    """The import plan for one file and set of choices, with a progress bar while the file is checked.

    Plans are kept in the session (the last 8), so reruns do not re-read the file.
    """
    plans = st.session_state.setdefault("upload_plans", {})
    key = (kind, hashlib.sha256(data).hexdigest(), name, mapping, date_order, fix_swapped, encoding, event_type)
    key += (revision,)
    if key in plans:
        return plans[key]
    bar = st.progress(0.0, text="Checking the file…")
    try:
        plan = ingest.prepare(
            kind,
            data,
            file=name,
            mapping=None if mapping is None else dict(mapping),
            date_order=date_order,
            fix_swapped=fix_swapped,
            existing=bundle().incidents if kind == "incidents" else None,
            encoding=encoding,
            default_event_type=event_type,
            max_bytes=int(LIMIT_MB * 1024 * 1024),
            progress=lambda share: bar.progress(share, text=f"Checking the file… {share:.0%}"),
        )
    finally:
        bar.empty()
    while len(plans) >= 8:
        plans.pop(next(iter(plans)))
    plans[key] = plan
    return plan


ENCODINGS = {"Detect": None, "UTF-8": "utf-8", "UTF-16": "utf-16", "Windows-1252": "cp1252", "Latin-1": "latin-1"}

st.title("Upload")
st.caption(
    "Files are checked before anything is stored. Each import is one batch that you can undo. "
    "The bundled records are never changed."
)

b = bundle()
s = store()
LIST_LABEL = "Sanctions list (OFAC SDN or OpenSanctions)"
label = st.radio(
    "What does the file hold?", [*KINDS, LIST_LABEL, upload_ais.AIS_LABEL], horizontal=True, key="upload_kind"
)
if label == upload_ais.AIS_LABEL:
    upload_ais.section(s, LIMIT_MB)
    st.stop()
if label == LIST_LABEL:
    list_nonce = st.session_state.setdefault("list_nonce", 0)
    files = st.file_uploader(
        "Files",
        type=["csv", "zip"],
        accept_multiple_files=True,
        key=f"list_files_{list_nonce}",
        help="The OFAC SDN set: sdn.csv with add.csv and alt.csv (and sdn_comments.csv), or the ZIP holding them; "
        "or OpenSanctions targets.simple.csv or maritime.csv.",
    )
    if files:
        given = {f.name: f.getvalue() for f in files}
        fmt = next(
            (found for name, data in given.items() if (found := importing.list_format(name, data)) is not None),
            None,
        )
        if fmt is None:
            st.error(
                "None of these files is a sanctions list this program reads: give sdn.csv (with add.csv and "
                "alt.csv) or their ZIP, or an OpenSanctions targets.simple.csv or maritime.csv."
            )
            st.stop()
        source = given if fmt == "ofac_sdn" else next(v for k, v in given.items() if importing.list_format(k, v))
        names = ", ".join(sorted(given))
        result = importing.import_list(source, s, fmt=fmt, file_name=names, dry_run=True)
        read = result.read
        st.text(
            f"{read.list_name}: {len(read.entities):,} entities read from {names}. "
            f"Changes since the list's last import: {result.diff.summary()}."
        )
        if read.problems:
            st.caption(f"{len(read.problems)} problem(s): file, row and column of each.")
            st.dataframe(schema.problems_frame(read.problems), hide_index=True)
        if result.file_errors or not len(read.entities):
            st.error("This list cannot be imported: see the problems above.")
        elif st.button(f"Import {len(read.entities):,} entities", type="primary"):
            stored = importing.import_list(source, s, fmt=fmt, file_name=names)
            if stored.refused is not None:
                st.error(str(stored.refused))
            else:
                st.success(f"Imported as {stored.batch_id}; the Sanctions lists page searches it. Undo it below.")
                st.session_state["list_nonce"] = list_nonce + 1
    history = s.list_imports()
    if len(history):
        st.subheader("List imports")
        st.dataframe(history, hide_index=True)
        standing = history[history["undone_at"].isna()]["batch_id"].tolist()
        if standing:
            undo = st.selectbox("Undo a list import (the list falls back to its import before)", standing)
            if st.button("Undo this list import"):
                s.undo(undo)
                st.rerun()
    st.stop()
kind, types = KINDS[label]
nonce = st.session_state.setdefault("upload_nonce", 0)
upload = st.file_uploader(
    "File",
    type=types,
    key=f"uploader_{kind}_{nonce}",
    help=f"Up to {LIMIT_MB:g} MB (larger files: python -m tracker import FILE). "
    "CSV may be comma, semicolon or tab separated, in UTF-8, UTF-16 or Windows-1252.",
)
st.caption(
    f"Files up to {LIMIT_MB:g} MB (set by {readers.UPLOAD_LIMIT_ENV} or server.maxUploadSize in "
    ".streamlit/config.toml). Larger files: `python -m tracker import FILE` streams any size."
)

if upload is not None:
    data = upload.getvalue()
    opts = st.columns(3)
    encoding = ENCODINGS[opts[0].selectbox("Encoding", list(ENCODINGS), key="upload_encoding")]
    event_type = "boat strike"
    if kind == "incidents":
        event_type = opts[1].selectbox("Event type for rows without one", schema.EVENT_TYPES, key="upload_event")
    revision = s.revision()
    first = prepare(kind, data, upload.name, None, None, False, encoding, event_type, revision)
    key = ingest.header_key(kind, first.header)
    remembered = s.remembered_mapping(key)
    suggested = ingest.suggest_mapping(kind, first.header, remembered) if first.header else {}

    mapping = dict(suggested)
    if first.header:
        with st.expander("Column mapping", expanded=bool(first.missing_fields) and not remembered):
            if remembered:
                st.caption("Using the mapping remembered for files with this header.")
            fields = list(ingest.FIELD_ALIASES[kind])
            required = set(ingest.REQUIRED[kind]) | (
                {"latitude", "longitude", "location_text"} if kind == "incidents" else set()
            )
            cols = st.columns(3)
            choices = ["(none)", *first.header]
            for i, fld in enumerate(f for f in fields if f in required or f in suggested):
                current = suggested.get(fld)
                picked = cols[i % 3].selectbox(
                    fld + (" *" if fld in ingest.REQUIRED[kind] else ""),
                    choices,
                    index=choices.index(current) if current in choices else 0,
                    key=f"map_{key}_{fld}",
                )
                if picked == "(none)":
                    mapping.pop(fld, None)
                else:
                    mapping[fld] = picked
            st.caption(
                "* required. Incidents also need latitude and longitude, or a location the offline gazetteer knows."
            )

    date_order = None
    fix_swapped = False
    chosen = tuple(sorted(mapping.items())) if first.header else None
    plan = prepare(kind, data, upload.name, chosen, None, False, encoding, event_type, revision)
    if plan.ambiguous_dates:
        answer = st.radio(
            "Dates such as 03/04/2026 in this file mean",
            ["day/month/year", "month/day/year"],
            index=None,
            horizontal=True,
            key=f"order_{plan.sha256}",
        )
        date_order = {"day/month/year": "dmy", "month/day/year": "mdy"}.get(answer or "")
    if plan.swapped_rows:
        fix_swapped = st.checkbox(
            f"Swap latitude and longitude back on {len(plan.swapped_rows)} row(s) where they "
            f"look swapped (rows {', '.join(map(str, plan.swapped_rows[:20]))})",
            key=f"swap_{plan.sha256}",
        )
    if date_order or fix_swapped:
        plan = prepare(kind, data, upload.name, chosen, date_order, fix_swapped, encoding, event_type, revision)

    st.subheader("Report")
    st.text(plan.summary())
    if plan.encoding:
        st.caption(f"Read as {plan.encoding}, delimiter {plan.delimiter!r}.")
    if plan.missing_fields:
        st.error("Map the required fields above before importing: " + ", ".join(plan.missing_fields))
    if plan.ambiguous_dates and date_order is None:
        st.warning("The dates in this file could be day/month or month/day: choose above.")
    if plan.file_errors:
        st.error(
            "Nothing can be imported until the file is fixed: "
            + "; ".join(p.message + (f" ({p.value})" if p.value else "") for p in plan.file_errors)
        )
    if plan.problems:
        table = schema.problems_frame(plan.problems)
        st.dataframe(table, hide_index=True, key="problems_table")
        st.download_button(
            "Download the problems (CSV)",
            export.to_csv_bytes(table),
            file_name=f"{upload.name}.problems.csv",
            mime="text/csv",
        )

    skip = set()
    if len(plan.duplicates):
        st.subheader("Possible duplicates")
        st.dataframe(plan.duplicates, hide_index=True, key="duplicates_table")
        keep = st.radio("These rows", ["Skip them", "Keep them"], horizontal=True, key=f"dups_{plan.sha256}")
        if keep == "Skip them":
            skip = set(plan.duplicates["row"])
    rows = plan.accepted
    if len(rows) and skip:
        rows = rows[~(rows.index + 2).isin(skip)]

    if len(rows):
        st.subheader("Preview")
        if kind == "incidents":
            f = current_filters()
            as_of = metrics.counters_as_of(f.date_to, b.as_of.date())
            now = {c.key: c for c in metrics.incident_counters(f.apply_incidents(b.incidents), as_of=as_of)}
            after_frame = pd.concat([b.incidents, rows], ignore_index=True)
            after = metrics.incident_counters(f.apply_incidents(after_frame), as_of=as_of)
            st.caption("Counters for the current filters, now and after this import:")
            cols = st.columns(len(after))
            for col, c in zip(cols, after):
                col.metric(c.label, f"{c.value:,}", delta=c.value - now[c.key].value, help=c.definition)
            deck = layers.build_deck(
                layers.build_layers(
                    rows, b.designations.iloc[0:0], b.routes.iloc[0:0], show=("basemap", "rings", "strikes")
                )
            )
            st.pydeck_chart(deck, height=320, key="preview_map")
            shown = rows.drop(columns=["batch_id"])
        else:
            shown = rows.drop(columns="geometry") if kind == "routes" else rows
        st.dataframe(shown, hide_index=True, key="preview_table")

    can_import = plan.ready and len(rows) > 0
    why_not = "; ".join(plan.not_ready_reasons()) or ("no row can be imported" if not len(rows) else "")
    if st.button(
        f"Import {len(rows)} row(s)",
        type="primary",
        disabled=not can_import,
        key="import_button",
        help=None if can_import else f"Cannot import: {why_not}",
    ):
        bar = st.progress(0.0, text=f"Storing {len(rows):,} row(s)…")
        try:
            # the store checks again inside its write transaction: the same file, or rows whose ids
            # another import stored in the meantime
            batch = s.import_batch(
                kind,
                rows,
                file_name=upload.name,
                sha256=plan.sha256,
                rows_read=plan.rows_read,
                rows_rejected=plan.rejected_rows,
                rows_skipped=len(plan.accepted) - len(rows),
                progress=lambda x: bar.progress(x, text=f"Storing {len(rows):,} row(s)… {x:.0%}"),
                skip_existing_ids=bool(skip),
            )
        except TrackerError as exc:
            bar.empty()
            st.error(f"Nothing imported: {exc}")
        else:
            if first.header:
                s.remember_mapping(key, plan.mapping)
            st.session_state["upload_nonce"] = nonce + 1
            st.session_state["upload_message"] = f"Imported {len(rows)} row(s) from {upload.name} as batch {batch}."
            st.rerun()

if "upload_message" in st.session_state:
    st.success(st.session_state.pop("upload_message"))

st.divider()
st.subheader("Import history")
history = s.batches()
if history.empty:
    st.caption("No imports yet.")
else:
    st.dataframe(history, hide_index=True, key="history_table")
    active = history.loc[history["undone_at"].isna(), "batch_id"].tolist()
    if active:
        cols = st.columns([3, 1])
        target = cols[0].selectbox("Batch to undo", active, key="undo_target")
        if cols[1].button("Undo batch", key="undo_button"):
            removed = s.undo(target)
            st.session_state["upload_message"] = f"Undid batch {target}: removed {removed} row(s)."
            st.rerun()
