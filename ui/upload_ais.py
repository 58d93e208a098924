"""The Upload page's AIS section: a position file checked in full, then stored as one batch, with undo."""

from __future__ import annotations

import streamlit as st

from tracker import schema
from tracker.vessels.importing import import_positions

AIS_LABEL = "AIS positions (MarineCadastre, Danish Maritime Authority)"
TYPES = ["csv", "zst", "parquet"]


def section(store, limit_mb: float) -> None:
    """Upload, check (nothing stored), import, and the history of position imports with undo."""
    nonce = st.session_state.setdefault("ais_nonce", 0)
    upload = st.file_uploader(
        "Position file",
        type=TYPES,
        key=f"ais_file_{nonce}",
        help="MarineCadastre CSV (2024 or 2025 layout, or .csv.zst), MarineCadastre GeoParquet, or a Danish "
        f"Maritime Authority CSV. Up to {limit_mb:g} MB here; any size with python -m tracker import FILE.",
    )
    if upload is not None:
        data = upload.getvalue()
        check_key = f"ais_checked_{upload.file_id}_{nonce}"  # the check runs once per file, not on every rerun
        checked = st.session_state.get(check_key)
        if checked is None:
            bar = st.progress(0.0, text="Checking the positions…")
            checked = import_positions(
                data,
                store,
                file_name=upload.name,
                dry_run=True,
                progress=lambda n: bar.progress(0.5, text=f"Checked {n:,} rows…"),
            )
            bar.empty()
            st.session_state[check_key] = checked
        st.text(checked.summary())  # the file name comes from the user: plain text
        if checked.problems:
            more = checked.problem_count - len(checked.problems)
            st.caption(
                f"{checked.problem_count:,} problem(s): file, row and column of each"
                + (f" (the first {len(checked.problems):,} listed)" if more else "")
                + ". Rejected rows are left out; the others can be stored."
            )
            st.dataframe(schema.problems_frame(checked.problems), hide_index=True)
        if checked.refused:
            st.error("Nothing can be stored from this file: " + checked.refused)
        elif st.button(f"Import {checked.rows_stored:,} positions", type="primary", key="ais_import"):
            done = import_positions(data, store, file_name=upload.name)
            if done.refused:
                st.error("Nothing imported: " + done.refused)
            else:
                st.session_state["ais_nonce"] = nonce + 1
                st.session_state["ais_message"] = (
                    f"Imported {done.rows_stored:,} positions of {done.vessels:,} vessels as batch {done.batch_id}; "
                    "the Vessels page shows them."
                )
                st.rerun()
    if "ais_message" in st.session_state:
        st.success(st.session_state.pop("ais_message"))
    history = store.position_imports()
    if len(history):
        st.subheader("Position imports")
        st.dataframe(history.drop(columns=["sha256"]), hide_index=True)
        standing = history[history["undone_at"].isna()]["batch_id"].tolist()
        if standing:
            target = st.selectbox("Undo a position import", standing, key="ais_undo_target")
            if st.button("Undo this position import", key="ais_undo"):
                removed = store.undo(target)
                again = store.position_imports().set_index("batch_id").at[target, "undone_at"]
                st.session_state["ais_message"] = (
                    f"Undid batch {target}: removed {removed:,} positions."
                    if removed
                    else f"Batch {target} was already undone (at {str(again)[:19]}): nothing changed."
                )
                st.rerun()
