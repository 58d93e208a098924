import pandas as pd
import pytest

from support import REFERENCE
from tracker import readers, schema
from tracker.errors import DataFileError


def test_bundle_has_every_reference_record(bundle):
    assert len(bundle.incidents) == 56
    assert len(bundle.designations) == 122
    assert len(bundle.routes) == 29
    assert bundle.as_of == pd.Timestamp("2026-10-04")


@pytest.mark.parametrize("kind", schema.KINDS)
def test_bundled_records_validate(bundle, kind):
    frame = getattr(bundle, kind)
    passed, problems = schema.validate(kind, frame, file=kind)
    assert problems == []
    assert len(passed) == len(frame)


@pytest.mark.parametrize("kind", schema.KINDS)
def test_every_record_carries_a_source(bundle, kind):
    frame = getattr(bundle, kind)
    assert (frame["source_urls"].str.len() > 0).all()
    without_link = [i for i, s in zip(frame.iloc[:, 0], frame["source_urls"]) if not schema.source_links(s)]
    # S55 is known only from a stored file with no public URL; the row says so in its source cell
    assert without_link == (["S55"] if kind == "incidents" else [])


def test_no_bundled_position_claims_to_be_exact(bundle):
    for frame in (bundle.incidents, bundle.designations):
        placed = frame[frame["latitude"].notna()]
        assert not (placed["location_precision"] == "exact").any()
        assert (placed["radius_km"] > 0).all()
        assert (placed["location_basis"].str.len() > 20).all()


def test_unplaced_strikes_are_the_ones_with_no_region(bundle):
    unplaced = bundle.incidents[bundle.incidents["latitude"].isna()]
    assert sorted(unplaced["incident_id"]) == ["S37", "S55"]
    assert set(unplaced["location_precision"]) == {"unknown"}


def test_routes_say_how_their_line_was_drawn(bundle):
    r = bundle.routes
    assert r["line_precision"].isin(schema.LINE_PRECISIONS).all()
    drawn = r[r.geometry.notna()]
    assert len(drawn) == 28 and (r.loc[r.geometry.isna(), "line_precision"] == "none").all()
    assert (drawn["geometry_basis"].str.len() > 20).all()


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DataFileError, match="not found"):
        readers.read_bundle(tmp_path)


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference tables not beside the project")
def test_bundle_keeps_reference_figures_and_unknowns(bundle):
    ref = pd.read_csv(REFERENCE / "strikes.csv", dtype=str, keep_default_na=False)
    inc = bundle.incidents.set_index("incident_id")
    for r in ref.to_dict("records"):
        row = inc.loc[r["strike_id"]]
        assert (pd.isna(row["killed"]) and r["killed"] == "") or str(row["killed"]) == r["killed"]
        assert int(row["vessels"]) == int(r["vessels"]) and int(row["strikes"]) == int(r["strikes"])
        assert row["source_urls"] == r["sources"]
    dref = pd.read_csv(REFERENCE / "designations.csv", dtype=str, keep_default_na=False)
    assert bundle.designations["designation_date"].isna().sum() == (dref["designation_date"] == "").sum()
    assert list(bundle.designations["name"]) == list(dref["name"])


def test_oversized_files_are_refused_before_reading(monkeypatch):
    monkeypatch.setattr(readers, "MAX_UPLOAD_BYTES", 1024)
    raw = readers.read_delimited(b"a,b\n" + b"1,2\n" * 400, file="big.csv")
    assert [p.message for p in raw.problems] == ["file is larger than the 0.000976562 MB limit"]
    assert raw.frame.empty


def test_forced_encoding_overrides_detection():
    data = "a;b\n1;Juárez\n".encode("cp1252")
    assert readers.read_delimited(data, file="f.csv").frame.loc[0, "b"] == "Juárez"
    forced = readers.read_delimited(data, file="f.csv", encoding="latin-1")
    assert forced.encoding == "latin-1" and forced.frame.loc[0, "b"] == "Juárez"
