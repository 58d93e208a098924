"""tracker.sanctions.search: names forgiving case, accents, order, punctuation and aliases; identifiers; links."""

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.errors import InvalidOptionError
from tracker.sanctions.entities import entities_frame
from tracker.sanctions.names import name_key, normalise_identifier, normalise_name
from tracker.sanctions.ofac_sdn import read_ofac_sdn
from tracker.sanctions.search import (
    DEFAULT_MIN_SCORE,
    RESULT_COLUMNS,
    build_search_index,
    link_entities,
    search,
    search_identifier,
    with_links,
)

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "ofac_sdn"
needs_sample = pytest.mark.skipif(not (SAMPLES / "sdn.csv").exists(), reason="the shared OFAC SDN sample is not here")


@pytest.fixture(scope="module")
def sample_entities() -> pd.DataFrame:
    return read_ofac_sdn(SAMPLES).entities


@pytest.fixture(scope="module")
def index(sample_entities):
    return build_search_index(sample_entities)


def crafted(*rows: dict) -> pd.DataFrame:
    """An entities frame of crafted entries (OFAC SDN unless a row says otherwise)."""
    return entities_frame([{"list_name": "OFAC SDN", "entity_type": "company", **row} for row in rows])


def linked_to(*names: str) -> list[dict]:
    return [
        {"name": n, "entity_id": None, "relation": "Linked To (OFAC remarks)", "how": "not resolved"} for n in names
    ]


# -- names -----------------------------------------------------------------------------------------


@needs_sample
def test_diosdado_cabello_finds_cabello_rondon_first_whatever_the_word_order(index):
    hits = search(index, "diosdado cabello")
    assert list(hits.columns) == RESULT_COLUMNS
    best = hits.iloc[0]
    assert (best["entity_id"], best["name"]) == ("ofac:24424", "CABELLO RONDON, Diosdado")
    assert (best["how"], best["score"]) == ("fuzzy name", 100.0)  # every word of the query is in the name
    assert "CABELLO RONDON, Jose David" not in hits["name"].tolist()  # a brother shares one word of two


@needs_sample
def test_alex_saab_finds_saab_moran_alex_nain_by_alias_and_not_his_relatives(index):
    hits = search(index, "alex saab")
    best = hits.iloc[0]
    assert (best["entity_id"], best["name"]) == ("ofac:26995", "SAAB MORAN, Alex Nain")
    assert (best["how"], best["matched"]) == ("alias", "SAAB, Alex")
    assert not {"SAAB MORAN, Amir Luis", "SAAB CERTAIN, Shadi Nain"} & set(hits["name"])


@needs_sample
@pytest.mark.parametrize("query", ["CABELLO-RONDÓN,  Diosdado!", "rondon cabello diosdado", "Cabello Rondon Diosdado"])
def test_case_accents_punctuation_and_order_do_not_matter(index, query):
    best = search(index, query).iloc[0]
    assert (best["entity_id"], best["how"], best["score"]) == ("ofac:24424", "exact name", 100.0)


@needs_sample
def test_a_spelling_slip_is_a_fuzzy_hit_with_its_score(index):
    hits = search(index, "diosdado cabelo")
    best = hits.iloc[0]
    assert best["entity_id"] == "ofac:24424" and best["how"] == "fuzzy name"
    assert DEFAULT_MIN_SCORE <= best["score"] < 100
    assert search(index, "diosdado cabelo", min_score=99).empty  # the stated minimum is applied


@needs_sample
def test_hits_are_ranked_best_first_and_limited(index):
    hits = search(index, "saab", limit=3)
    assert len(hits) == 3 and hits["score"].is_monotonic_decreasing
    every = search(index, "saab", limit=None)
    assert every["name"].str.contains("SAAB").sum() == 7 and (every["score"].head(7) == 100).all()
    last = every.iloc[-1]  # then a near miss: an alias "SAABF & COMPANIA S.C.A."
    assert (last["how"], last["matched"]) == ("fuzzy alias", "SAABF & COMPANIA S.C.A.") and last["score"] < 100


@needs_sample
def test_an_alias_from_remarks_is_found(index):
    best = search(index, "mono jojoy").iloc[0]
    assert (best["name"], best["how"], best["matched"]) == ("SUAREZ ROJAS, Victor Julio", "alias", "MONO JOJOY")


def test_an_empty_or_punctuation_query_finds_nothing_and_a_bad_minimum_is_refused():
    index = build_search_index(crafted({"entity_id": "ofac:1", "name": "ACME S.A."}))
    assert search(index, "").empty and search(index, " ;-' ").empty
    with pytest.raises(InvalidOptionError, match="from 0 to 100"):
        search(index, "acme", min_score=150)


def test_exact_name_beats_alias_beats_fuzzy_and_each_hit_says_how():
    entities = crafted(
        {"entity_id": "ofac:1", "name": "BANCO DEL SUR S.A."},
        {"entity_id": "ofac:2", "name": "INVERSIONES NORTE", "aliases": ["Banco del Sur SA"]},
        {"entity_id": "ofac:3", "name": "BANCO DEL SUR PANAMA"},
    )
    hits = search(build_search_index(entities), "banco del sur sa")
    assert hits[["entity_id", "how", "score"]].values.tolist() == [
        ["ofac:1", "exact name", 100.0],
        ["ofac:2", "alias", 100.0],
        ["ofac:3", "fuzzy name", pytest.approx(hits.iloc[2]["score"])],
    ]
    assert hits.iloc[2]["score"] < 100


def test_a_ten_thousand_entity_index_still_finds_the_one_person():
    fillers = [
        {"entity_id": f"ofac:{i}", "name": f"CABELLO ENTERPRISE {i} LTDA", "aliases": [f"CE {i}"]}
        for i in range(10_000)
    ]
    target = {"entity_id": "ofac:24424", "name": "CABELLO RONDON, Diosdado", "entity_type": "person"}
    hits = search(build_search_index(crafted(*fillers, target)), "diosdado cabello")
    assert hits.iloc[0]["entity_id"] == "ofac:24424" and len(hits) == 1


# -- identifiers --------------------------------------------------------------------------------------


@needs_sample
@pytest.mark.parametrize("query", ["9543500", "IMO 9543500", "imo9543500", " IMO: 9543500 "])
def test_an_imo_number_finds_its_vessel_exactly(index, query):
    hits = search(index, query)
    assert hits[["name", "how", "matched", "score"]].values.tolist() == [
        ["YARE", "exact identifier", "IMO 9543500", 100.0]
    ]
    assert search_identifier(index, query)["entity_id"].tolist() == ["ofac:28017"]


@needs_sample
def test_an_mmsi_or_a_cedula_finds_its_entity(index):
    assert search(index, "MMSI 572469210").iloc[0]["name"] == "ARTAVIL"
    assert search_identifier(index, "8370825").iloc[0]["name"] == "CABELLO RONDON, Diosdado"
    assert search_identifier(index, "alex saab").empty  # a query without a digit is not an identifier


# -- links ------------------------------------------------------------------------------------------


@needs_sample
def test_linked_to_names_resolve_to_entities_both_ways_without_merging(sample_entities):
    links = link_entities(sample_entities)
    saab = links[(links["entity_id"] == "ofac:27001") & (links["linked_entity_id"] == "ofac:26995")]
    assert saab[["relation", "how", "score", "candidates"]].values.tolist() == [
        ["Linked To (OFAC remarks)", "exact name", 100.0, 1]
    ]
    back = links[(links["entity_id"] == "ofac:26995") & (links["linked_entity_id"] == "ofac:27001")]
    assert back["relation"].tolist() == ["Linked from (OFAC remarks)"]
    stated = links[links["relation"] == "Linked To (OFAC remarks)"]
    assert len(stated) == 494  # every Linked To of the sample, resolved or not
    unresolved = stated[stated["how"] == "not resolved"]
    assert "NATIONAL IRANIAN TANKER COMPANY" in set(unresolved["linked_name"])  # not in the sample: kept, unresolved
    linked = with_links(sample_entities, links)
    assert len(linked) == len(sample_entities) and linked["entity_id"].tolist() == sample_entities["entity_id"].tolist()
    assert {"name": "SAAB MORAN, Alex Nain", "entity_id": "ofac:26995"}.items() <= linked.set_index("entity_id").at[
        "ofac:27001", "links"
    ][0].items()


def test_a_link_is_resolved_by_fuzzy_name_only_when_asked_and_says_its_score():
    entities = crafted(
        {"entity_id": "ofac:1", "name": "PETROLEOS DE VENEZUELA, S.A."},
        {
            "entity_id": "ofac:2",
            "name": "YARE",
            "entity_type": "vessel",
            "links": linked_to("PETROLEOS DE VENEZUELA SA"),
        },
        {"entity_id": "ofac:3", "name": "NABARIMA", "entity_type": "vessel", "links": linked_to("PETROLEOS VENEZUELA")},
    )
    exact = link_entities(entities, by_identifier=False)
    assert exact[["entity_id", "linked_entity_id", "how"]].values.tolist() == [
        ["ofac:2", "ofac:1", "exact name"],  # "S.A." and "SA" are the same word
        ["ofac:3", None, "not resolved"],
        ["ofac:1", "ofac:2", "exact name"],
    ]
    fuzzy = link_entities(entities, min_score=85, by_identifier=False)
    row = fuzzy[(fuzzy["entity_id"] == "ofac:3") & (fuzzy["relation"] == "Linked To (OFAC remarks)")].iloc[0]
    assert (row["linked_entity_id"], row["how"]) == ("ofac:1", "fuzzy name") and 85 <= row["score"] < 100


def test_entities_sharing_an_imo_across_lists_are_linked_by_identifier_and_stay_apart():
    entities = crafted(
        {"entity_id": "ofac:28017", "name": "YARE", "entity_type": "vessel", "identifiers": [["IMO", "9543500"]]},
        {
            "entity_id": "os:NK-yare",
            "list_name": "OpenSanctions",
            "name": "Yare",
            "entity_type": "vessel",
            "identifiers": [["IMO", "9543500"], ["MMSI", "775998000"]],
        },
        {"entity_id": "ofac:99", "name": "OTHER", "entity_type": "vessel", "identifiers": [["MMSI", "775998001"]]},
    )
    links = link_entities(entities)
    assert links[["entity_id", "linked_entity_id", "relation", "how"]].values.tolist() == [
        ["ofac:28017", "os:NK-yare", "same IMO 9543500", "exact identifier"],
        ["os:NK-yare", "ofac:28017", "same IMO 9543500", "exact identifier"],
    ]
    assert len(with_links(entities, links)) == 3


# -- the normaliser never raises ------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_the_name_normaliser_never_raises_and_is_stable(text):
    normal = normalise_name(text)
    assert normalise_name(normal) == normal
    assert normal == normal.strip() and "  " not in normal
    assert name_key(" ".join(reversed(text.split()))) == name_key(text) or "." in text
    normalise_identifier(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_search_never_raises_on_any_query(text):
    index = build_search_index(
        crafted({"entity_id": "ofac:1", "name": "CABELLO RONDON, Diosdado", "identifiers": [["IMO", "9543500"]]})
    )
    hits = search(index, text)
    assert list(hits.columns) == RESULT_COLUMNS and hits["score"].between(0, 100).all()
