# ruff: noqa: E501  (the AIS layouts' header lines are written whole)
"""Reading AIS position files: every layout gives the same tracks; sentinels, bad rows and encodings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from tracker.vessels.reading import MAX_PROBLEMS, POSITION_SCHEMA, detect_layout, read_positions, read_positions_frame

MC2024 = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass"
MC2025 = "mmsi,base_date_time,longitude,latitude,sog,cog,heading,vessel_name,imo,call_sign,vessel_type,status,length,width,draft,cargo,transceiver"
DMA = ("# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,"
       "Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D")  # fmt: skip


def _positions() -> pd.DataFrame:
    """20 positions of two vessels; one with heading and SOG not available."""
    k = np.arange(20)
    return pd.DataFrame(
        {
            "mmsi": np.where(k < 12, 367001234, 538009876),
            "time": pd.Timestamp("2024-02-13 20:05:07", tz="UTC") + pd.to_timedelta(k * 61, unit="s"),
            "lat": 12.0 + k * 0.01,
            "lon": -80.0 - k * 0.02,
            "sog": np.where(k == 3, np.nan, 10.5),
            "cog": 271.3,
            "heading": np.where(k % 2 == 0, np.nan, 270.0),
            "name": np.where(k < 12, "OCEAN STAR", "SEA STAR"),
            "imo": np.where(k < 12, "9543500", None),
            "call_sign": "WDA1234",
            "vessel_type": "70",
        }
    )


def _mc2024(p: pd.DataFrame) -> str:
    lines = [MC2024]
    for r in p.itertuples():
        sog = 102.3 if np.isnan(r.sog) else r.sog
        heading = 511 if np.isnan(r.heading) else r.heading
        imo = f"IMO{r.imo}" if r.imo else ""
        lines.append(f"{r.mmsi},{r.time:%Y-%m-%dT%H:%M:%S},{r.lat},{r.lon},{sog},{r.cog},{heading},{r.name},{imo},"
                     f"{r.call_sign},{r.vessel_type},0,120,20,7.5,70,A")  # fmt: skip
    return "\n".join(lines) + "\n"


def _mc2025(p: pd.DataFrame) -> str:
    lines = [MC2025]
    for r in p.itertuples():
        sog = "" if np.isnan(r.sog) else r.sog
        heading = "" if np.isnan(r.heading) else r.heading
        lines.append(f"{r.mmsi},{r.time:%Y-%m-%d %H:%M:%S},{r.lon},{r.lat},{sog},{r.cog},{heading},{r.name},"
                     f"{r.imo or ''},{r.call_sign},{r.vessel_type},0,120,20,7.5,70,A")  # fmt: skip
    return "\n".join(lines) + "\n"


def _dma(p: pd.DataFrame) -> str:
    lines = [DMA]
    for r in p.itertuples():
        sog = 102.3 if np.isnan(r.sog) else r.sog
        heading = 511 if np.isnan(r.heading) else r.heading
        lines.append(f"{r.time:%d/%m/%Y %H:%M:%S},Class A,{r.mmsi},{r.lat},{r.lon},Under way,0,{sog},{r.cog},{heading},"
                     f"{r.imo or 'Unknown'},{r.call_sign},{r.name},{r.vessel_type},,20,120,GPS,7.5,HOUSTON,,AIS,1,2,3,4")  # fmt: skip
    return "\n".join(lines) + "\n"


def _tracks(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["row", "flag"]).reset_index(drop=True)


def _expected() -> pd.DataFrame:
    p = _positions()
    out = pd.DataFrame({c: p[c] for c in ("mmsi", "time", "lat", "lon", "sog", "cog", "heading", "name", "imo",
                                          "call_sign", "vessel_type")})  # fmt: skip
    out["time"] = out["time"].astype("datetime64[s, UTC]")
    return out


def _assert_same_tracks(frame: pd.DataFrame) -> None:
    got, want = _tracks(frame), _expected()
    assert list(got.columns) == list(want.columns)
    for c in want.columns:
        if want[c].dtype.kind == "f":
            np.testing.assert_allclose(got[c].to_numpy(float), want[c].to_numpy(float), rtol=0, atol=1e-9, err_msg=c)
        else:
            assert [None if pd.isna(v) else v for v in got[c]] == [None if pd.isna(v) else v for v in want[c]], c


@pytest.mark.parametrize("layout", ["2024 csv", "2025 csv", "2025 csv.zst", "2025 geoparquet", "dma"])
def test_every_layout_gives_the_same_tracks(tmp_path, layout):
    p = _positions()
    if layout == "2024 csv":
        path = tmp_path / "AIS_2024_02_13.csv"
        path.write_text(_mc2024(p), encoding="utf-8")
    elif layout == "2025 csv":
        path = tmp_path / "ais-2025-02-13.csv"
        path.write_text(_mc2025(p), encoding="utf-8")
    elif layout == "2025 csv.zst":
        path = tmp_path / "ais-2025-02-13.csv.zst"
        with pa.CompressedOutputStream(str(path), "zstd") as out:
            out.write(_mc2025(p).encode())
    elif layout == "2025 geoparquet":
        path = tmp_path / "ais-2025-02-13.parquet"
        table = pa.table(
            {
                "mmsi": p["mmsi"], "base_date_time": p["time"], "sog": p["sog"], "cog": p["cog"],
                "heading": p["heading"], "vessel_name": p["name"], "imo": p["imo"], "call_sign": p["call_sign"],
                "vessel_type": p["vessel_type"].astype(int),
                "geometry": shapely.to_wkb(shapely.points(p["lon"], p["lat"])),
            }
        )  # fmt: skip
        pq.write_table(table.replace_schema_metadata({b"geo": b'{"primary_column": "geometry"}'}), path)
    else:
        path = tmp_path / "aisdk_20240213.csv"
        path.write_text(_dma(p), encoding="utf-8")
    frame, problems = read_positions_frame(path, file=path.name)
    assert problems == []
    _assert_same_tracks(frame)


def test_bytes_are_read_like_files(tmp_path):
    frame, problems = read_positions_frame(_mc2024(_positions()).encode(), file="upload.csv")
    assert problems == []
    _assert_same_tracks(frame)
    assert frame["row"].tolist() == list(range(2, 22))


def test_layouts_are_detected_from_the_header():
    assert detect_layout(MC2024.split(",")) == "marinecadastre_2024"
    assert detect_layout(MC2024.lower().split(",")) == "marinecadastre_2024"
    assert detect_layout(MC2025.split(",")) == "marinecadastre_2025"
    assert detect_layout(DMA.split(",")) == "dma"
    assert detect_layout(["\ufeff" + c for c in DMA.split(",")]) == "dma"
    assert detect_layout(["ship", "when", "y", "x"]) is None


def test_dma_timestamps_are_day_first():
    text = (
        DMA
        + "\n"
        + "02/03/2024 04:05:06,Class A,219000001,55.5,11.2,Under way,0,5,90,90,Unknown,OXAB,NORD,Cargo,,10,80,GPS,4,,,AIS,1,2,3,4\n"
    )
    frame, problems = read_positions_frame(text.encode(), file="aisdk.csv")
    assert problems == []
    assert frame["time"].iloc[0] == pd.Timestamp("2024-03-02 04:05:06", tz="UTC")
    assert pd.isna(frame["imo"].iloc[0])  # "Unknown" is no IMO


def test_sentinels_are_not_values_and_a_latitude_91_row_is_not_a_position():
    rows = [
        "31/12/2015 23:59:59,Class A,219000001,55.5,11.2,Under way,0,102.3,360,511,Unknown,OXAB,NORD,Cargo,,10,80,GPS,4,,,AIS,1,2,3,4",
        "31/12/2015 23:59:59,Class A,219000002,91,181,Under way,0,5,90,90,Unknown,OXAC,SYD,Cargo,,10,80,GPS,4,,,AIS,1,2,3,4",
        "31/12/2015 23:59:59,Class A,219000003,91,11.2,Under way,0,5,90,90,Unknown,OXAD,VEST,Cargo,,10,80,GPS,4,,,AIS,1,2,3,4",
        "31/12/2015 23:59:59,Base Station,2190001,55.7,12.6,Unknown,,,,,Unknown,,,,,,,GPS,,,,AIS,,,,",
    ]
    frame, problems = read_positions_frame("\n".join([DMA, *rows]).encode(), file="aisdk.csv")
    assert problems == []
    assert frame["mmsi"].tolist() == [219000001]
    first = frame.iloc[0]
    assert np.isnan(first["sog"]) and np.isnan(first["cog"]) and np.isnan(first["heading"])
    assert first["time"] == pd.Timestamp("2015-12-31 23:59:59", tz="UTC")


def test_bad_rows_are_reported_with_their_line_and_column():
    p = _positions().iloc[:3]
    lines = _mc2024(p).splitlines()
    lines.insert(2, ",2024-02-13T20:10:00,12.0,-80.0,1,1,1,X,,,70,0,1,1,1,70,A")  # line 3: no MMSI
    lines.insert(3, "367001234,2024-02-13T20:11:00,12.0,-80.0,1,1,1,X,,,70,0,1,1,1,70,A,B,extra")  # line 4
    lines.insert(4, "367001234,13/02/2024 20:12,12.0,-80.0,1,1,1,X,,,70,0,1,1,1,70,A")  # line 5: another time format
    lines.insert(5, "367001234,2024-02-13T20:13:00,95.5,-80.0,1,1,1,X,,,70,0,1,1,1,70,A")  # line 6: off the globe
    lines.insert(6, "367001234,,12.0,-80.0,1,1,1,X,,,70,0,1,1,1,70,A")  # line 7: no time
    frame, problems = read_positions_frame(("\n".join(lines) + "\n").encode(), file="mixed.csv")
    assert frame["row"].tolist() == [2, 8, 9]
    found = {(q.row, q.column, q.value) for q in problems}
    assert found == {
        (3, "MMSI", ""),
        (4, "", "367001234,2024-02-13T20:11:00,12.0,-80.0,1,1,1,X,,,70,0,1,1,1,70,A,B,extra"),
        (5, "BaseDateTime", "13/02/2024 20:12"),
        (6, "LAT", "95.5"),
        (7, "BaseDateTime", ""),
    }
    assert all(q.file == "mixed.csv" and q.severity == "error" for q in problems)
    assert "columns" in next(q for q in problems if q.row == 4).message


def test_crlf_and_a_byte_order_mark_are_fine():
    text = _mc2024(_positions()).replace("\n", "\r\n")
    frame, problems = read_positions_frame(b"\xef\xbb\xbf" + text.encode(), file="windows.csv")
    assert problems == []
    _assert_same_tracks(frame)


def test_a_mapping_reads_any_csv():
    text = "ship,when,y,x,speed\n123456789,2024-01-01T00:00:00Z,10.5,-70.25,3.5\n"
    frame, problems = read_positions_frame(
        text.encode(), file="mine.csv", mapping={"mmsi": "ship", "time": "when", "lat": "y", "lon": "x", "sog": "speed"}
    )
    assert problems == []
    assert frame[["mmsi", "lat", "lon", "sog"]].iloc[0].tolist() == [123456789, 10.5, -70.25, 3.5]
    assert frame["time"].iloc[0] == pd.Timestamp("2024-01-01", tz="UTC")
    with pytest.raises(ValueError, match="not a known AIS layout, and no column is named for mmsi, time"):
        read_positions_frame(text.encode(), file="mine.csv")


def test_large_files_stream_in_chunks_with_true_line_numbers_and_capped_problems():
    good = "367001234,2024-02-13T20:05:07,12.0,-80.0,10,90,511,OCEAN STAR,IMO9543500,WDA1234,70,0,120,20,7.5,70,A"
    bad = ",2024-02-13T20:05:07,12.0,-80.0,10,90,511,OCEAN STAR,IMO9543500,WDA1234,70,0,120,20,7.5,70,A"
    lines = [MC2024] + [bad if i % 3 == 0 else good for i in range(4_500)] + ["1,2,3"]
    stream = read_positions(("\n".join(lines) + "\n").encode(), file="big.csv", chunk_rows=100, fast=False)
    chunks = list(stream)
    assert len(chunks) > 3
    assert all(c.positions.schema == POSITION_SCHEMA for c in chunks)
    rows = np.concatenate([c.positions.column("row").to_numpy() for c in chunks])
    assert rows.tolist() == [i + 2 for i in range(4_500) if i % 3]
    assert stream.problem_count == 1_501 and len(stream.problems) == MAX_PROBLEMS
    assert [q.row for q in stream.problems[:3]] == [2, 5, 8]
    assert stream.rows_kept == 3_000
