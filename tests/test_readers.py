import pandas as pd
import pytest

from support import REFERENCE, fixture_bytes
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


# -- ragged rows, broken quotes, mixed encodings (issue 9, items 4 and 6) ------------------


def problems(raw):
    return [(p.row, p.column, p.value, p.message, p.severity) for p in raw.problems]


def test_every_ragged_row_is_reported_and_the_good_rows_are_kept():
    raw = readers.read_delimited(
        fixture_bytes("bad/two_ragged_rows_cp1252_semicolon.csv"), file="two_ragged_rows_cp1252_semicolon.csv"
    )
    assert (raw.encoding, raw.delimiter) == ("cp1252", ";")
    assert problems(raw) == [
        (
            3,
            "",
            "N2;2025-11-21;Juárez; Chihuahua;12,6;-70,2;2;El Tiempo;ataque;sin notas",
            "this row has 10 fields but the header has 9: it was not imported",
            "error",
        ),
        (
            4,
            "tipo",
            "N3;2025-11-22;Cúcuta (frontera);13,0;-71,0;1;El Tiempo",
            "this row has 7 fields but the header has 9: it was not imported",
            "error",
        ),
    ]
    f = raw.frame
    assert list(f["id"]) == ["N1", "N2", "N3", "N4"]  # row i + 2 of the file is frame row i
    assert f.loc[0].tolist() == [
        "N1",
        "2025-11-20",
        "Ciudad Juárez",
        "12,5",
        "-70,1",
        "3",
        "Agencia Efe",
        "ataque",
        "lancha rápida",
    ]
    assert f.loc[3, "lugar"] == "Riohacha" and f.loc[3, "notas"] == "dos lanchas"
    assert f.loc[1, "notas"] == "ataque"  # the long row is cut to the header's width
    assert f.loc[2, ["tipo", "notas"]].tolist() == ["", ""]  # the short row is padded with ""


def test_a_long_first_record_does_not_shift_the_columns():
    raw = readers.read_delimited(b"id,place\nA1,Cucuta,extra\nA2,Riohacha\n", file="f.csv")
    assert raw.frame.to_dict("list") == {"id": ["A1", "A2"], "place": ["Cucuta", "Riohacha"]}
    assert [(p.row, p.message) for p in raw.problems] == [
        (2, "this row has 3 fields but the header has 2: it was not imported")
    ]


def test_rows_are_counted_by_record_across_quoted_newlines():
    raw = readers.read_delimited(fixture_bytes("bad/ragged_after_quoted_newline.csv"), file="q.csv")
    assert problems(raw) == [
        (
            3,
            "notes",
            "Q2,2025-11-21,12.5,-70.1,3",
            "this row has 5 fields but the header has 7: it was not imported",
            "error",
        )
    ]
    assert list(raw.frame["id"]) == ["Q1", "Q2", "Q3"]
    assert raw.frame.loc[0, "notes"] == "first line\nsecond line"
    assert raw.frame.loc[2, "source"] == "https://example.org/b"


def test_an_unclosed_quote_is_reported_on_its_row_and_later_rows_are_read():
    raw = readers.read_delimited(fixture_bytes("bad/unclosed_quote_mid_file.csv"), file="u.csv")
    assert problems(raw) == [
        (
            3,
            "",
            'U2,2025-11-21,"12.5,-70.1,3,https://example.org/b',
            "malformed quoting: a quote opened in this row is never closed: it was not imported",
            "error",
        )
    ]
    assert list(raw.frame["id"]) == ["U1", "U2", "U3", "U4"]
    assert raw.frame.loc[3].tolist() == ["U4", "2025-11-23", "12.7", "-70.3", "2", "https://example.org/d"]


def test_an_unclosed_quote_in_a_large_file_does_not_swallow_the_rest():
    data = b'id,date,source\nB1,"2025-11-20,x\n' + b"B2,2025-11-21,https://example.org/a\n" * 20_000
    raw = readers.read_delimited(data, file="big.csv")
    assert [(p.row, p.column) for p in raw.problems] == [(2, "")]
    assert "quoting" in raw.problems[0].message
    assert len(raw.frame) == 20_001 and raw.frame.loc[20_000, "source"] == "https://example.org/a"


def test_mixed_utf8_and_windows_1252_lines_are_each_decoded():
    raw = readers.read_delimited(fixture_bytes("bad/mixed_utf8_cp1252.csv"), file="mixed_utf8_cp1252.csv")
    assert raw.encoding == "mixed utf-8/cp1252"
    assert list(raw.frame["location_text"]) == [
        "Cúcuta",
        "Ciudad Juárez",
        "Riohacha (La Guajira) – costa",
        "Cartagena de Indias – Bocagrande",
    ]
    assert problems(raw) == [
        (
            None,
            "",
            "",
            "the file mixes encodings: rows 2, 4 were read as UTF-8, rows 3, 5 as "
            "Windows-1252; check accented names in those rows",
            "warning",
        )
    ]


def test_mixed_encoding_rows_are_counted_by_record():
    data = b'id;notes\n1;"' + "Cúcuta\nmás".encode() + b'"\n2;' + "Juárez".encode("cp1252") + b"\n"
    raw = readers.read_delimited(data, file="f.csv")
    assert raw.frame["notes"].tolist() == ["Cúcuta\nmás", "Juárez"]
    assert raw.problems[0].message.startswith("the file mixes encodings: row 2 was read as UTF-8, row 3 as")


def test_windows_1252_curly_quotes_are_not_taken_for_utf8():
    # "É" followed by a closing curly quote is a valid UTF-8 pair (0xC9 0x94), but the line is not UTF-8
    data = "id;name\n1;“JOSÉ”\n2;Juárez\n".encode("cp1252")
    raw = readers.read_delimited(data, file="f.csv")
    assert raw.encoding == "cp1252" and raw.problems == []
    assert raw.frame["name"].tolist() == ["“JOSÉ”", "Juárez"]


def test_ofac_sdn_file_without_header_and_with_ctrl_z_reads():
    raw = readers.read_delimited(fixture_bytes("bad/ofac_sdn_no_header_ctrl_z.csv"), file="sdn.csv")
    assert raw.delimiter == "," and raw.frame.shape == (4, 12)  # the first record is taken for the header
    assert raw.header[:2] == ("8134", "FUNDACION PARA LA PAZ DE CORDOBA")
    assert [p.message for p in raw.problems] == ["the header repeats a column name"]
    assert raw.frame.iloc[-1, 1] == "TRIPLE SUCCESS"  # the Ctrl-Z after the last line is not a record
    assert not raw.frame.apply(lambda c: c.str.contains("\x1a")).any().any()


def test_the_upload_limit_comes_from_the_environment_then_the_streamlit_config(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text("[server]\nmaxUploadSize = 200\n")
    monkeypatch.delenv(readers.UPLOAD_LIMIT_ENV, raising=False)
    assert readers.upload_limit_mb(config) == 200
    assert readers.upload_limit_mb(tmp_path / "missing.toml") == readers.DEFAULT_UPLOAD_MB
    monkeypatch.setenv(readers.UPLOAD_LIMIT_ENV, "750")
    assert readers.upload_limit_mb(config) == 750


def test_a_file_over_a_chosen_limit_is_refused_and_the_command_line_has_none():
    data = b"a,b\n" + b"1,2\n" * 400
    raw = readers.read_delimited(data, file="big.csv", max_bytes=1024)
    assert raw.frame.empty and raw.problems[0].message.startswith("file is larger than the")
    assert len(readers.read_delimited(data, file="big.csv", max_bytes=1 << 40).frame) == 400
