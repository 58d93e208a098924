"""Listed entities placed at country level, filtered by list/program/type, and strikes' affiliations
linked to the designations of their group."""

import json

import pandas as pd
import pytest

from support import ROOT
from tracker import layers
from tracker.readers import read_bundle
from tracker.sanctions import affiliations, placing, search
from tracker.sanctions import entities as ent
from tracker.sanctions.ofac_sdn import read_ofac_sdn

SAMPLE = ROOT.parent / "shared" / "samples" / "ofac_sdn"


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return read_ofac_sdn(SAMPLE / "sdn.csv").entities


def _entity(entity_id, name, entity_type, countries, programs=(), aliases=(), list_name="Test list"):
    return {
        "entity_id": entity_id,
        "source_id": entity_id,
        "list_name": list_name,
        "name": name,
        "entity_type": entity_type,
        "aliases": list(aliases),
        "programs": list(programs),
        "countries": list(countries),
    }


def test_each_country_counts_its_entities_once_and_sits_on_its_label_point(sample):
    places, unplaced = placing.place_entities(sample)
    by_code = places.set_index("country")
    venezuela = sum("VE" in c for c in sample["countries"])
    assert by_code.loc["VE", "entities"] == venezuela == 203
    assert by_code.loc["VE", "country_name"] == "Venezuela"
    # the same point as the bundled designations placed at country level in Venezuela
    designations = read_bundle().designations
    tda = designations.set_index("designation_id").loc["D001"]
    assert (by_code.loc["VE", "longitude"], by_code.loc["VE", "latitude"]) == (tda["longitude"], tda["latitude"])
    assert unplaced == sum(len(c) == 0 for c in sample["countries"])
    assert places["entities"].is_monotonic_decreasing


def test_an_entity_with_two_countries_counts_in_each_and_one_without_is_not_placed():
    frame = ent.entities_frame(
        [
            _entity("a", "A SHIPPING", "company", ["PA", "IR"]),
            _entity("b", "B", "person", ["IR"]),
            _entity("c", "C", "vessel", []),
            _entity("d", "D", "vessel", ["XX"]),  # a code no gazetteer country has
        ]
    )
    places, unplaced = placing.place_entities(frame)
    assert dict(zip(places["country"], places["entities"])) == {"IR": 2, "PA": 1}
    assert unplaced == 2
    iran = places.set_index("country").loc["IR"]
    assert iran["by_type"] == "1 company, 1 person"
    assert "placed at country level" in iran["tooltip"]


def test_filters_by_list_program_and_type(sample):
    vessels = placing.filter_entities(sample, types=["vessel"])
    assert len(vessels) == 267 and set(vessels["entity_type"]) == {"vessel"}
    iran_vessels = placing.filter_entities(sample, types=["vessel"], programs=["IRAN"])
    assert 0 < len(iran_vessels) < len(vessels)
    assert all("IRAN" in p for p in iran_vessels["programs"])
    assert placing.filter_entities(sample, lists=["No such list"]).empty
    assert len(placing.filter_entities(sample)) == len(sample)


def test_the_map_draws_one_hollow_circle_per_country_with_a_legend(sample):
    places, _ = placing.place_entities(placing.filter_entities(sample, types=["vessel"]))
    deck = json.loads(layers.listed_entities_deck(places).to_json())
    layer = next(layer for layer in deck["layers"] if layer["id"] == "listed_entities")
    assert len(layer["data"]) == len(places) and layer["filled"] is False
    assert "tile" not in json.dumps(deck).lower()  # no tile basemap: the bundled countries only
    legend = layers.listed_legend(places)
    assert legend[0].label.startswith("Listed entities, most of them vessel")
    assert "not on an address" in legend[-1].label


def test_a_strike_of_tren_de_aragua_links_to_its_bundled_designations():
    links = affiliations.affiliation_links("Tren de Aragua", read_bundle().designations)
    assert list(links["id"]) == ["D001", "D014", "D030", "D117", "D118", "D119"]
    assert set(links["how"]) == {"exact name"}


@pytest.mark.parametrize("affiliation", ["Not stated", "Unnamed designated terrorist organization", "", None])
def test_a_strike_whose_source_names_no_group_links_to_nothing(affiliation):
    assert affiliations.affiliation_links(affiliation, read_bundle().designations).empty


def test_a_listed_organization_links_by_alias_and_a_person_never_does():
    frame = ent.entities_frame(
        [
            _entity("eln", "EJERCITO DE LIBERACION NACIONAL", "organization", ["CO"], ["SDGT"], ["ELN"]),
            _entity("p", "ELN", "person", ["CO"]),  # a person of the same name is not a group
        ]
    )
    links = affiliations.affiliation_links("ELN", read_bundle().designations, frame, search.build_search_index(frame))
    assert list(links["id"]) == ["eln"]
    assert links.iloc[0]["how"] == "alias (ELN)" and links.iloc[0]["program"] == "SDGT"


def test_an_entity_on_two_lists_counts_on_each_and_its_group_links_without_error():
    both = [
        _entity("os:tda", "Tren de Aragua", "organization", ["VE"], ["SDGT"], list_name="OpenSanctions"),
        _entity("os:tda", "Tren de Aragua", "organization", ["VE"], ["SDGT"], list_name="OpenSanctions maritime"),
    ]
    frame = ent.entities_frame(both)
    places, unplaced = placing.place_entities(frame)
    assert dict(zip(places["country"], places["entities"])) == {"VE": 2} and unplaced == 0
    links = affiliations.affiliation_links(
        "Tren de Aragua", read_bundle().designations, frame, search.build_search_index(frame)
    )
    assert sorted(links.loc[links["source"] != "bundled designation", "listed_by"]) == [
        "OpenSanctions",
        "OpenSanctions maritime",
    ]
