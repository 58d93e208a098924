"""Sanctions lists: the imported OFAC SDN and OpenSanctions lists, searched by name or identifier,
each entity with its links, the lists' changes from one import to the next, and counts by program."""

import pandas as pd
import streamlit as st

from tracker import layers
from tracker.sanctions import entities as ent
from tracker.sanctions import importing, placing, search
from tracker.vessels import listed, stored
from ui import cache, render
from ui.state import bundle, list_changes, sanctions_lists, store


def _ais_vessels(entity: pd.Series) -> None:
    """The vessels of the imported AIS positions whose IMO (check digit valid) or MMSI is this entity's."""
    kinds = {k for k, _ in entity["identifiers"]}
    if not kinds & {ent.SHIP_IMO, "MMSI"} or not stored.has_positions(store()):
        return
    one = ent.entities_frame([{**entity.to_dict(), "entity_id": entity.name}])
    matches = listed.match_listed(cache.vessel_identifiers(), one, None)
    st.caption(
        f"{matches['mmsi'].nunique()} vessel(s) of the imported AIS positions carry this entity's IMO or MMSI "
        "(exact identifier; the Vessels page has their tracks and events)."
    )
    if len(matches):
        st.dataframe(matches[["mmsi", "how"]], hide_index=True)


st.title("Sanctions lists")
s = store()
imports = s.list_imports()
entities, index = sanctions_lists()
if entities.empty:
    st.info(
        "No sanctions list is imported yet. Import the OFAC SDN files (sdn.csv with add.csv and alt.csv, "
        "or the ZIP) or an OpenSanctions targets.simple.csv or maritime.csv on the Upload page, or with "
        "`python -m tracker import sdn.csv`. The bundled designation actions are on the Sanctions page."
    )
    st.stop()

standing = imports[imports["undone_at"].isna()].drop_duplicates("list_name")
st.text(  # file names come from the user: plain text, never markdown
    "Lists as they stand (the newest import of each): "
    + "; ".join(
        f"{r.list_name}: {r.entities:,} entities from {r.file_name}, imported {str(r.imported_at)[:10]}"
        for r in standing.itertuples()
    )
    + ". The OFAC legacy CSV states no listing dates."
)

st.subheader("Entities in view")
lists_col, programs_col, types_col = st.columns(3)
all_programs = sorted(set(entities["programs"].explode().dropna()))
chosen_lists = lists_col.multiselect("Lists", sorted(entities["list_name"].unique()), key="list_lists")
chosen_programs = programs_col.multiselect("Programs", all_programs, key="list_programs")
chosen_types = types_col.multiselect("Entity types", list(ent.ENTITY_TYPES), key="list_types")
in_view = placing.filter_entities(entities, lists=chosen_lists, programs=chosen_programs, types=chosen_types)
dated_as = standing["list_date"].fillna(standing["imported_at"]).astype(str).str[:10]
as_of = "; ".join(f"{name} {date}" for name, date in zip(standing["list_name"], dated_as))
st.metric(
    "Listed entities in view",
    f"{len(in_view):,}",
    help="Entities (people, organizations, companies, vessels, aircraft) on the lists as they stand, each "
    "counted once per list that holds it, with the list, program and type chosen above (none chosen: all).",
)
st.caption(
    f"unit: listed entities · as of {as_of} (the list's own date, or the day imported where the file "
    f"states none) · of {len(entities):,} on the lists as they stand. "
    "The filters apply to the search, the map and the counts below."
)

st.subheader("Search")
left, right = st.columns([3, 1])
query = left.text_input(
    "Name, alias or identifier", key="list_query", placeholder="alex saab · diosdado cabello · IMO 9187629"
)
min_score = right.slider(
    "Lowest fuzzy score",
    50,
    100,
    int(search.DEFAULT_MIN_SCORE),
    help="0-100: the share of the query's words found in a name, allowing for slips of spelling. "
    "Exact names, aliases and identifiers score 100.",
)
hits = search.search(index, query, min_score=min_score, limit=200) if query.strip() else None
if hits is not None:
    hits = hits[hits["entity_id"].isin(in_view["entity_id"])]
    table = search.describe_hits(hits, entities)
    st.caption(f"{len(table)} entit{'y' if len(table) == 1 else 'ies'} match, best first (at most 200 shown).")
    st.dataframe(table, hide_index=True, column_config={"score": st.column_config.NumberColumn(format="%.1f")})
    if len(table):
        labels = {f"{r.name} ({r.entity_id})": r.entity_id for r in table.itertuples()}
        chosen = labels[st.selectbox("Entity", list(labels), key="list_entity")]
        row = entities.set_index("entity_id").loc[chosen]
        st.subheader("Entity record")
        lines = [
            f"Name: {row['name']}",
            f"List: {row['list_name']} (id {row['source_id']})",
            f"Type: {row['entity_type']}",
            "Programs: " + "; ".join(row["programs"]),
            "Aliases: " + "; ".join(row["aliases"]),
            "Countries: " + ", ".join(row["countries"]),
            "Addresses: " + " | ".join(row["addresses"]),
        ]
        for kind, value in row["identifiers"]:
            check = ""
            if kind == ent.SHIP_IMO:
                check = " (check digit valid)" if ent.is_valid_imo(value) else " (check digit does NOT match)"
            lines.append(f"{kind}: {value}{check}")
        lines += [f"{label}: {'; '.join(map(str, values))}" for label, values in dict(row["facts"]).items()]
        lines.append(
            "Listed since: " + (row["list_date"].date().isoformat() if pd.notna(row["list_date"]) else "not stated")
        )
        st.text(
            "\n".join(line for line in lines if not line.endswith(": "))
        )  # fields the list leaves blank are left out
        st.caption("Remarks as listed")
        st.text(row["remarks"] or "(none)")
        links = pd.DataFrame(list(row["links"]), columns=["name", "entity_id", "relation", "how", "score"])
        st.caption(
            f"{len(links)} link(s), both ways. Each says how it was made: a stated link resolved by exact "
            "name or fuzzy name (with its score), or a shared identifier. Entities are never merged."
        )
        st.dataframe(links, hide_index=True)
        related = importing.bundled_designation_links(row, bundle().designations)
        st.caption(
            f"{len(related)} bundled designation action(s) on the same target (the Sanctions page), matched by "
            "exact identifier (the same IMO number) or exact name or alias."
        )
        if len(related):
            st.dataframe(related, hide_index=True)
        _ais_vessels(row)

st.subheader("Where listed entities are")
places, unplaced = placing.place_entities(in_view)
st.caption(
    f"{len(in_view) - unplaced:,} of {len(in_view):,} entities in view are placed at country level (nationality, "
    f"flag or address country, as listed), each in every country it is listed with; {unplaced:,} state no country "
    "and are not drawn. Hover a circle for its counts."
)
st.pydeck_chart(layers.listed_entities_deck(places), height=440, key="lists_map")
render.legend(layers.listed_legend(places))
if len(places):
    st.dataframe(
        places[["country_name", "country", "entities", "by_type"]],
        hide_index=True,
        column_config={"country_name": "country", "country": "code", "by_type": "by type"},
    )

st.subheader("Listed entities by program and type")
programs = in_view.explode("programs")["programs"].fillna("(none)").value_counts()
render.count_bars(programs.head(25), category="Program", value="Listed entities in view")
render.count_bars(in_view["entity_type"].value_counts(), category="Entity type", value="Listed entities in view")

st.subheader("Over time")
kept = imports[imports["undone_at"].isna()]
sizes = kept.assign(dated=pd.to_datetime(kept["list_date"].fillna(kept["imported_at"]).astype(str).str[:10]))
st.caption(
    "Entities on each list at each import kept in the store (whole lists, not filtered), dated by the list's "
    "own date or, where the file states none, the day imported. Undone imports are left out."
)
sizes_by_date = sizes.pivot_table(index="dated", columns="list_name", values="entities", aggfunc="last")
sizes_by_date.index = sizes_by_date.index.strftime("%Y-%m-%d")  # whole dates on the axis, also for one import
st.bar_chart(sizes_by_date, x_label="List date (or day imported)", y_label="Entities on the list", stack=False)
dated = in_view.dropna(subset=["list_date"])
st.caption(
    f"Entities in view first listed per year: {len(dated):,} of {len(in_view):,} have a listing date "
    "(OpenSanctions' first_seen; the OFAC legacy CSV states none)."
)
if len(dated):
    yearly = dated.groupby(dated["list_date"].dt.year)["entity_id"].count().rename("Entities")
    st.bar_chart(yearly, x_label="Year first listed", y_label="Entities")

st.subheader("List changes")
history = imports.sort_values("imported_at")
for list_name, group in history[history["undone_at"].isna()].groupby("list_name"):
    if len(group) < 2:
        st.caption(f"{list_name}: one import so far; changes show from the next one.")
        continue
    old, new = group.iloc[-2], group.iloc[-1]
    diff = list_changes(old["batch_id"], new["batch_id"])
    st.text(f"{list_name}: {str(old['imported_at'])[:10]} → {str(new['imported_at'])[:10]}: {diff.summary()}")
    for label, frame in (("Added", diff.added), ("Removed (delisted)", diff.removed), ("Changed", diff.changed)):
        if len(frame):
            st.text(label)
            shown = frame[[c for c in ("entity_id", "name", "entity_type", "fields") if c in frame.columns]]
            st.dataframe(shown.astype(str), hide_index=True)
