"""The classification rules: region, event type, affiliation, "uncertain" and designation groups.

One implementation, used by the data build (``scripts/build_data.py``) and by
uploads (:mod:`tracker.ingest`) alike, so a bundled record and an uploaded one
with the same text land in the same class.  Every rule takes pandas Series and
returns a Series with the same index; none loops in Python per row except over
the distinct values of a text column.

Positions are EPSG:4326 longitude/latitude in decimal degrees.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

from tracker import schema
from tracker.errors import check_option

# -- helpers ---------------------------------------------------------------------


def _text(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """``values`` as stripped str ("" for missing), aligned on ``index``; all "" when None."""
    if values is None:
        return pd.Series("", index=index, dtype=object)
    values = pd.Series(values, index=index) if not isinstance(values, pd.Series) else values
    return values.astype(object).where(values.notna(), "").astype(str).str.strip()


def _folded(text: pd.Series) -> pd.Series:
    """Lower case without accents: 'Pacífico' -> 'pacifico' (vectorised)."""
    return text.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii").str.lower()


def _index_of(*series: pd.Series | None) -> pd.Index:
    for s in series:
        if isinstance(s, pd.Series):
            return s.index
    raise TypeError("at least one argument must be a pandas Series")


# -- region ----------------------------------------------------------------------

# The divide between the two sea regions, north to south, as (longitude, latitude) in
# EPSG:4326 degrees: the Sierra Madre in Mexico, the isthmus of Tehuantepec, the
# Central American divide to Panama and the Darién, then the Western Cordillera
# and the Andes.  Sea west or south of it is Pacific; east or north of it is
# Caribbean.  Land points take the side of the divide they lie on (the upload
# check for strikes on land is separate).
_DIVIDE = (
    (-108.0, 31.0),
    (-106.0, 28.0),
    (-102.0, 23.0),
    (-99.5, 20.0),
    (-97.5, 18.5),
    (-94.8, 17.0),
    (-92.5, 15.6),
    (-90.5, 14.7),
    (-89.0, 14.4),
    (-87.3, 13.9),
    (-86.3, 13.0),
    (-86.0, 11.8),
    (-85.5, 11.0),
    (-84.8, 10.5),
    (-84.0, 9.9),
    (-83.0, 9.2),
    (-82.0, 8.8),
    (-81.0, 8.6),
    (-80.0, 8.8),
    (-79.6, 9.1),
    (-79.0, 9.3),
    (-78.2, 9.0),
    (-77.6, 8.3),
    (-77.3, 7.3),
    (-77.0, 5.5),
    (-76.4, 4.0),
)
_ANDES = (
    (-76.8, 2.0),
    (-77.8, 0.8),
    (-78.6, -1.0),
    (-79.2, -4.0),
    (-78.0, -7.5),
    (-76.5, -11.0),
    (-74.5, -14.0),
    (-70.0, -17.5),
    (-68.5, -22.0),
    (-68.5, -25.0),
)

CARIBBEAN_WATERS = Polygon([*_DIVIDE, (-50.0, 2.0), (-50.0, 31.0)])
"""The Caribbean basin, the Gulf of Mexico and the Atlantic approaches (to 50°W,
2°N-31°N), east of the Central American divide; EPSG:4326 lon/lat degrees."""

EASTERN_PACIFIC_WATERS = Polygon([(-130.0, 33.0), (-108.5, 33.0), *_DIVIDE, *_ANDES, (-130.0, -25.0)])
"""The Eastern Pacific from 130°W to the Americas, 25°S-33°N, west of the divide;
EPSG:4326 lon/lat degrees."""

_REGION_WORDS = r"(carib|gulf of mexico|golfo de mexico|pacific)"
_REGION_OF_WORD = {
    "carib": "Caribbean",
    "gulf of mexico": "Caribbean",
    "golfo de mexico": "Caribbean",
    "pacific": "Eastern Pacific",
}


def region_from_text(region_text: pd.Series) -> pd.Series:
    """The sea region a text names, or "Unknown" when it names neither.

    "Caribbean", "Caribe", "Mar Caribe", "Gulf of Mexico", "Golfo de México" ->
    "Caribbean"; "Eastern Pacific", "Pacific", "Pacífico oriental" -> "Eastern
    Pacific" (case and accents ignored).  When a text names both, the one named
    first wins: "Caribbean (disputed: one outlet says Eastern Pacific)" is
    Caribbean.  Continents ("South America", "Central America", as in ACLED's
    region column) and "unknown" name neither.
    """
    folded = _folded(_text(region_text, region_text.index))
    word = folded.str.extract(_REGION_WORDS, expand=False)
    return word.map(_REGION_OF_WORD).fillna("Unknown").astype(object)


def region_from_position(longitude: pd.Series, latitude: pd.Series) -> pd.Series:
    """The sea region a point lies in (longitude, latitude: EPSG:4326 degrees).

    "Caribbean" inside :data:`CARIBBEAN_WATERS`, "Eastern Pacific" inside
    :data:`EASTERN_PACIFIC_WATERS`, else (elsewhere, or no position) "Unknown".
    Around Central America that means a point at sea west of the isthmus is
    Pacific and one east of it is Caribbean.
    """
    lon = pd.to_numeric(longitude, errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(latitude, errors="coerce").to_numpy(dtype=float)
    caribbean = shapely.intersects_xy(CARIBBEAN_WATERS, lon, lat)
    pacific = shapely.intersects_xy(EASTERN_PACIFIC_WATERS, lon, lat)
    out = np.select([caribbean, pacific], ["Caribbean", "Eastern Pacific"], "Unknown")
    return pd.Series(out, index=longitude.index, dtype=object)


def region_of(
    longitude: pd.Series | None,
    latitude: pd.Series | None,
    region_text: pd.Series | None = None,
) -> pd.Series:
    """The sea region of each record: "Caribbean", "Eastern Pacific" or "Unknown".

    From ``region_text`` when it names the Caribbean (or the Gulf of Mexico) or
    the Pacific, in English or Spanish (:func:`region_from_text`); otherwise from
    the position, ``longitude``/``latitude`` in EPSG:4326 degrees
    (:func:`region_from_position`); otherwise "Unknown".  So ACLED's "South
    America" or "Central America" resolve from the coordinates.  Any argument may
    be None (not known for any row).
    """
    index = _index_of(region_text, longitude, latitude)
    by_text = region_from_text(_text(region_text, index))
    if longitude is None or latitude is None:
        return by_text
    by_position = region_from_position(pd.Series(longitude, index=index), pd.Series(latitude, index=index))
    return by_text.where(by_text != "Unknown", by_position)


# -- event type --------------------------------------------------------------------

ACLED_EXPLOSIONS = "explosions/remote violence"
ACLED_AIR_STRIKE = "air/drone strike"


def event_type_of(
    event_type_text: pd.Series,
    sub_event_type_text: pd.Series | None = None,
    *,
    at_sea: pd.Series | None = None,
    default: str = "boat strike",
) -> pd.Series:
    """The event type of each record, one of :data:`tracker.schema.EVENT_TYPES`.

    * blank -> ``default`` (a file of strikes need not say so);
    * one of the allowed values, any case ("Boat strike", "seizure") -> itself;
    * ACLED "Explosions/Remote violence" with sub-event "Air/drone strike" ->
      "boat strike" (how ACLED codes the US strikes on boats);
    * ACLED "Explosions/Remote violence" with any other sub-event ("Shelling/
      artillery/missile attack", "Remote explosive/landmine/IED", ...) -> "boat
      strike" where ``at_sea`` is True (a boolean Series: the point lies at sea),
      else "other";
    * anything else (ACLED "Battles", "Violence against civilians", "Protests",
      "Strategic developments", free text) -> "other".
    """
    check_option("default", default, schema.EVENT_TYPES)
    index = event_type_text.index
    event = _text(event_type_text, index).str.lower()
    sub = _text(sub_event_type_text, index).str.lower()
    sea = pd.Series(False, index=index) if at_sea is None else pd.Series(at_sea, index=index).fillna(False)
    explosion = event == ACLED_EXPLOSIONS
    strike = explosion & ((sub == ACLED_AIR_STRIKE) | sea.astype(bool))
    out = np.select(
        [event == "", event.isin(schema.EVENT_TYPES), strike],
        [default, event, "boat strike"],
        "other",
    )
    return pd.Series(out, index=index, dtype=object)


# -- affiliation -------------------------------------------------------------------

ACLED_TARGET_COLUMN = "actor2"
"""In ACLED files the targeted group is ``actor2``; ``actor1`` is the attacker
("Military Forces of the United States (2025-)") and is never an affiliation."""

NOT_STATED = "Not stated"


def affiliation_text_of(affiliation: pd.Series | None = None, *, actor2: pd.Series | None = None) -> pd.Series:
    """The text naming the group a record is said to belong to, as the source wrote it.

    For ACLED files pass ``actor2`` (the targeted group): its text is used, and
    ``affiliation`` is ignored, since in ACLED the only other actor column is
    the attacker.  For plain files pass the file's affiliation column.
    """
    index = _index_of(actor2, affiliation)
    return _text(actor2 if actor2 is not None else affiliation, index)


_TDA = r"tren de aragua|\btda\b"
_ELN = r"\beln\b|liberacion nacional"
_TERROR = r"terror|\bdto\b|\bdtos\b"
_UNNAMED = r"unnamed|not named|no group|unidentified|unknown|sin identificar|desconocid|no identificad"


def affiliation_of(affiliation: pd.Series | None = None, *, actor2: pd.Series | None = None) -> pd.Series:
    """The affiliation group of each record, for the filters and counters.

    Read from :func:`affiliation_text_of` (ACLED: ``actor2``; plain files: the
    affiliation column), case and accents ignored, first match wins:

    * blank -> "Not stated";
    * names Tren de Aragua (or TdA) -> "Tren de Aragua";
    * names the ELN (or Ejército de Liberación Nacional) -> "ELN";
    * mentions terrorism or a DTO ("Designated Terrorist Organization (unnamed)",
      "narcoterrorists") -> "Unnamed designated terrorist organization";
    * says the group is not named ("narco-trafficking vessel (group not named)",
      ACLED's "Unidentified Armed Group (Venezuela)") -> "Unnamed trafficking group";
    * any other text names a group and is kept as written ("Clan del Golfo").
    """
    text = affiliation_text_of(affiliation, actor2=actor2)
    folded = _folded(text)
    out = np.select(
        [
            text == "",
            folded.str.contains(_TDA),
            folded.str.contains(_ELN),
            folded.str.contains(_TERROR),
            folded.str.contains(_UNNAMED),
        ],
        [NOT_STATED, "Tren de Aragua", "ELN", "Unnamed designated terrorist organization", "Unnamed trafficking group"],
        np.array(None, dtype=object),  # no match: None, filled below (what np.select makes of a bare None)
    )
    return pd.Series(out, index=text.index, dtype=object).fillna(text)


# -- designations ------------------------------------------------------------------


def is_uncertain(notes: pd.Series, *other_texts: pd.Series) -> pd.Series:
    """True where a designation is marked uncertain: the word "uncertain" (any case)
    appears in ``notes`` or in any of ``other_texts`` (the build also reads the
    identifiers and base location text, where the reference tables say so)."""
    index = notes.index
    marked = pd.Series(False, index=index)
    for text in (notes, *other_texts):
        marked |= _text(text, index).str.lower().str.contains("uncertain", regex=False)
    return marked


def _per_value(values: pd.Series, rule: Callable[[str], str]) -> pd.Series:
    """Apply a scalar text rule once per distinct value."""
    text = _text(values, values.index)
    return text.map({v: rule(v) for v in text.unique()}).astype(object)


def authority_group_of(authority: pd.Series) -> pd.Series:
    """The authority group of each designation: United States, European Union,
    United Kingdom, Canada or Other governments (:func:`tracker.schema.authority_group`)."""
    return _per_value(authority, schema.authority_group)


def action_kind_of(program_text: pd.Series) -> pd.Series:
    """What each action is, one of :data:`tracker.schema.ACTION_KINDS`: a listing, or an
    export denial, seizure or forfeiture, or non-binding motion (:func:`tracker.schema.action_kind`)."""
    return _per_value(program_text, schema.action_kind)


def program_family_of(program_text: pd.Series, authority: pd.Series) -> pd.Series:
    """The program family of each designation ("US terrorism (FTO / SDGT)", "Venezuela-related",
    "Not a sanctions listing", ...) from its program text and authority
    (:func:`tracker.schema.program_family`)."""
    pairs = pd.DataFrame({"p": _text(program_text, program_text.index), "a": _text(authority, program_text.index)})
    families = {(p, a): schema.program_family(p, a) for p, a in pairs.drop_duplicates().itertuples(index=False)}
    return pd.Series([families[k] for k in zip(pairs["p"], pairs["a"])], index=pairs.index, dtype=object)
