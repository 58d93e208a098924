from pathlib import Path

import pandas as pd

from tracker import rules

# Two ACLED rows as an ACLED export writes them: a US strike off Curaçao filed under
# "South America", and one off Colombia's Pacific coast filed under "Central America".
ACLED = pd.DataFrame(
    {
        "event_type": ["Explosions/Remote violence", "Explosions/Remote violence"],
        "sub_event_type": ["Air/drone strike", "Air/drone strike"],
        "actor1": ["Military Forces of the United States (2025-)", "Military Forces of the United States (2025-)"],
        "actor2": ["Tren de Aragua", "Unidentified Armed Group (Colombia)"],
        "region": ["South America", "Central America"],
        "latitude": [12.1, 3.5],
        "longitude": [-66.9, -78.0],
    }
)


def test_acled_rows_are_boat_strikes_on_actor2_in_the_sea_of_their_coordinates():
    assert list(rules.event_type_of(ACLED["event_type"], ACLED["sub_event_type"])) == ["boat strike", "boat strike"]
    assert list(rules.affiliation_of(actor2=ACLED["actor2"])) == ["Tren de Aragua", "Unnamed trafficking group"]
    assert list(rules.affiliation_text_of(ACLED["actor1"], actor2=ACLED["actor2"])) == list(ACLED["actor2"])
    assert list(rules.region_of(ACLED["longitude"], ACLED["latitude"], ACLED["region"])) == [
        "Caribbean",
        "Eastern Pacific",
    ]


def test_region_text_wins_in_english_and_spanish_first_named_first():
    text = pd.Series(
        [
            "Caribbean",
            "Mar Caribe",
            "Pacífico oriental",
            "Eastern Pacific",
            "Caribbean (disputed: one outlet says Eastern Pacific)",
            "Golfo de México",
            "unknown",
            "",
        ]
    )
    # positions deliberately on the other side: the text decides where it names a sea
    lon = pd.Series([-90.0, -90.0, -70.0, -70.0, -90.0, -90.0, float("nan"), float("nan")])
    lat = pd.Series([5.0, 5.0, 14.0, 14.0, 5.0, 5.0, float("nan"), float("nan")])
    assert list(rules.region_of(lon, lat, text)) == [
        "Caribbean",
        "Caribbean",
        "Eastern Pacific",
        "Eastern Pacific",
        "Caribbean",
        "Caribbean",
        "Unknown",
        "Unknown",
    ]


def test_region_from_position_splits_at_the_central_american_isthmus():
    places = {  # (longitude, latitude) at sea
        "Gulf of Panama": (-79.5, 8.8),
        "off Colón": (-79.9, 9.4),
        "Gulf of Fonseca": (-87.7, 13.1),
        "off Puerto Limón": (-82.9, 10.0),
        "off Salina Cruz": (-95.2, 16.0),
        "off Coatzacoalcos": (-94.4, 18.3),
        "off Tumaco": (-79.0, 1.8),
        "Gulf of Urabá": (-76.8, 8.3),
        "off Hawaii": (-157.0, 20.0),
        "off Recife": (-34.5, -8.0),
    }
    lon = pd.Series([p[0] for p in places.values()], index=list(places))
    lat = pd.Series([p[1] for p in places.values()], index=list(places))
    assert rules.region_from_position(lon, lat).to_dict() == {
        "Gulf of Panama": "Eastern Pacific",
        "off Colón": "Caribbean",
        "Gulf of Fonseca": "Eastern Pacific",
        "off Puerto Limón": "Caribbean",
        "off Salina Cruz": "Eastern Pacific",
        "off Coatzacoalcos": "Caribbean",
        "off Tumaco": "Eastern Pacific",
        "Gulf of Urabá": "Caribbean",
        "off Hawaii": "Unknown",
        "off Recife": "Unknown",
    }


def test_region_of_every_bundled_placed_strike_agrees_with_its_position():
    bundled = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "incidents.csv")
    placed = bundled.dropna(subset=["latitude", "longitude"])
    assert len(placed) > 40
    assert (rules.region_from_position(placed["longitude"], placed["latitude"]) == placed["region"]).all()


def test_event_type_maps_acled_and_plain_values():
    event = pd.Series(
        [
            "Explosions/Remote violence",
            "Explosions/Remote violence",
            "Explosions/Remote violence",
            "Battles",
            "Seizure",
            "",
            "Protests",
        ]
    )
    sub = pd.Series(
        [
            "Air/drone strike",
            "Shelling/artillery/missile attack",
            "Remote explosive/landmine/IED",
            "Armed clash",
            "",
            "",
            "Peaceful protest",
        ]
    )
    at_sea = pd.Series([True, True, False, True, True, True, False])
    assert list(rules.event_type_of(event, sub, at_sea=at_sea)) == [
        "boat strike",
        "boat strike",
        "other",
        "other",
        "seizure",
        "boat strike",
        "other",
    ]
    assert list(rules.event_type_of(pd.Series(["", "interdiction"]), default="other")) == ["other", "interdiction"]


def test_affiliation_of_plain_files_groups_the_stated_text():
    stated = pd.Series(
        [
            "Designated Terrorist Organization (unnamed)",
            "",
            "Ejército de Liberación Nacional (ELN)",
            "Trump: 'narcoterrorists' on a 'well-known narcotrafficking transit route' (no group named)",
            "narco-trafficking vessel (group not named)",
            "Clan del Golfo",
            "Tren de Aragua (TdA)",
        ]
    )
    assert list(rules.affiliation_of(stated)) == [
        "Unnamed designated terrorist organization",
        "Not stated",
        "ELN",
        "Unnamed designated terrorist organization",
        "Unnamed trafficking group",
        "Clan del Golfo",
        "Tren de Aragua",
    ]


def test_is_uncertain_reads_notes_and_the_other_texts_given():
    notes = pd.Series(["Listing date uncertain (reported Nov 2025)", "", "", None])
    identifiers = pd.Series(["", "IMO 9187629 (Uncertain)", "IMO 9332810", ""])
    assert list(rules.is_uncertain(notes)) == [True, False, False, False]
    assert list(rules.is_uncertain(notes, identifiers)) == [True, True, False, False]


def test_designation_groups_follow_authority_and_program():
    authority = pd.Series(["US Treasury OFAC", "EU Council", "UK OFSI", "US Commerce BIS"])
    program = pd.Series(["SDGT; FTO", "Venezuela restrictive measures", "Russia", "Temporary Denial Order"])
    assert list(rules.authority_group_of(authority)) == [
        "United States",
        "European Union",
        "United Kingdom",
        "United States",
    ]
    assert list(rules.action_kind_of(program)) == ["listing", "listing", "listing", "export denial"]
    assert list(rules.program_family_of(program, authority)) == [
        "US terrorism (FTO / SDGT)",
        "Venezuela-related",
        "Russia-related",
        "Not a sanctions listing",
    ]
