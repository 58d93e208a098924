"""Listed entities placed on the map at country level, as the bundled designations are.

An entity's countries are those its list states (nationality, citizenship, flag, the countries of
its addresses, OpenSanctions' ``countries``).  Each country is placed at the label point of the
bundled gazetteer's country row (Natural Earth), with the country's radius as the uncertainty: a
listed entity is never drawn as if its address were an exact position.  An entity with several
countries is counted once in each; an entity with none is counted as "not placed".
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

PLACE_COLUMNS = [
    "country",
    "country_name",
    "longitude",
    "latitude",
    "radius_km",
    "entities",
    "by_type",
    "entity_type",
    "tooltip",
]


@lru_cache(maxsize=1)
def _country_points() -> pd.DataFrame:
    """ISO alpha-2 -> name, label point and radius (km), from the bundled gazetteer's country rows."""
    from tracker import gazetteer
    from tracker.errors import TrackerError
    from tracker.readers import DATA_DIR

    try:
        table = gazetteer.load_gazetteer(DATA_DIR / "gazetteer.csv").table
    except TrackerError:
        return pd.DataFrame(columns=["country_name", "longitude", "latitude", "radius_km"])
    rows = table[(table["kind"] == "country") & table["country"].astype(str).str.fullmatch(r"[A-Za-z]{2}")]
    rows = rows.assign(country=rows["country"].str.upper()).drop_duplicates("country")
    return rows.set_index("country")[["name", "longitude", "latitude", "radius_km"]].rename(
        columns={"name": "country_name"}
    )


def entity_countries(entities: pd.DataFrame) -> pd.DataFrame:
    """One row per (list, entity, country it is listed with): list_name, entity_id, entity_type, country (ISO
    alpha-2).  An entity on two lists counts once per list, as the page's counter counts it."""
    columns = ["list_name", "entity_id", "entity_type", "country"]
    if entities.empty:
        return pd.DataFrame(columns=columns)
    pairs = entities[["list_name", "entity_id", "entity_type", "countries"]].explode("countries")
    pairs = pairs.dropna(subset=["countries"]).rename(columns={"countries": "country"})
    pairs["country"] = pairs["country"].astype(str).str.upper()
    return pairs.drop_duplicates(["list_name", "entity_id", "country"]).reset_index(drop=True)[columns]


def place_entities(entities: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Listed entities counted per country and placed at the country's label point.

    Returns the places (columns :data:`PLACE_COLUMNS`, most entities first) and the number of
    entities that could not be placed (no country stated, or a code the gazetteer does not hold).
    ``entity_type`` is the most common type in the country (it sets the colour).
    """
    pairs = entity_countries(entities)
    points = _country_points()
    placed = pairs[pairs["country"].isin(points.index)]
    unplaced = len(entities) - len(placed[["list_name", "entity_id"]].drop_duplicates()) if len(entities) else 0
    if placed.empty:
        return pd.DataFrame(columns=PLACE_COLUMNS), unplaced
    counts = placed.groupby(["country", "entity_type"]).size().unstack(fill_value=0)
    rows = []
    for code, by_type in counts.iterrows():
        by_type = by_type[by_type > 0].sort_values(ascending=False, kind="stable")
        point = points.loc[code]
        total = int(by_type.sum())
        breakdown = ", ".join(f"{n:,} {t}" for t, n in by_type.items())
        rows.append(
            {
                "country": code,
                "country_name": point["country_name"],
                "longitude": float(point["longitude"]),
                "latitude": float(point["latitude"]),
                "radius_km": float(point["radius_km"]),
                "entities": total,
                "by_type": breakdown,
                "entity_type": str(by_type.index[0]),
                "tooltip": f"{point['country_name']}: {total:,} listed entit{'y' if total == 1 else 'ies'}"
                f" ({breakdown})\nplaced at country level (the country's label point), not an address",
            }
        )
    frame = pd.DataFrame(rows, columns=PLACE_COLUMNS)
    return frame.sort_values(["entities", "country"], ascending=[False, True], ignore_index=True), unplaced


def filter_entities(
    entities: pd.DataFrame,
    *,
    lists: list[str] | None = None,
    programs: list[str] | None = None,
    types: list[str] | None = None,
) -> pd.DataFrame:
    """The entities on any of ``lists``, with any of ``programs`` and of any of ``types`` (None or an
    empty list: no condition on that field)."""
    keep = pd.Series(True, index=entities.index)
    if lists:
        keep &= entities["list_name"].isin(lists)
    if types:
        keep &= entities["entity_type"].isin(types)
    if programs:
        wanted = set(programs)
        keep &= entities["programs"].map(lambda values: bool(wanted.intersection(values)))
    return entities[keep]
