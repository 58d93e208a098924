import pytest

from tracker import gazetteer as gz
from tracker.readers import DATA_DIR


@pytest.fixture(scope="module")
def g():
    return gz.load_gazetteer(DATA_DIR / "gazetteer.csv")


def test_lookup_ignores_case_accents_and_punctuation(g):
    assert g.lookup("ISLA BEATA").name == "Beata Island"
    assert g.lookup("Michoacán").country == "MX"


def test_country_disambiguates_shared_names(g):
    assert g.lookup("San Juan", country="PR").country == "PR"
    assert g.lookup("Kingston", country="JM").longitude == pytest.approx(-76.83, abs=0.01)
    assert g.lookup("Nowhere-on-Sea") is None


def test_find_in_text_prefers_the_longest_name(g):
    hit = g.find_in_text("strike in the Eastern Pacific off Colombia, international waters")
    assert hit.name == "Eastern Pacific off Colombia"
    assert g.find_in_text("Mahan Tower, Azadegan St., Tehran", countries=("IR",)).name == "Tehran"


def test_every_place_states_precision_radius_and_basis(g):
    t = g.table
    assert t["precision"].isin(["exact", "approximate", "area", "country"]).all()
    assert (t["radius_km"] > 0).all()
    assert (t["basis"].str.len() > 0).all()


def test_offset_moves_along_a_bearing():
    lon, lat = gz.offset(-71.52, 17.58, 80 * gz.NAUTICAL_MILE_KM, 180)
    assert lon == pytest.approx(-71.52, abs=1e-6)
    assert lat == pytest.approx(17.58 - 80 / 60, abs=0.01)
    assert gz.distance_km(-71.52, 17.58, lon, lat) == pytest.approx(148.16, abs=0.1)
