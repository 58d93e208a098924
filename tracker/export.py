"""Files out: the filtered data (CSV, GeoJSON, GeoPackage) and the evidence pack (zip).

The map image itself is drawn by :mod:`tracker.cartography`.  CSV cells that a
spreadsheet would run as formulas are neutralised.  Coordinates are EPSG:4326.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from tracker import __version__
from tracker import reports as report_table
from tracker.basemap import BASEMAP_PATH, LABELS_PATH
from tracker.cartography import MapPlan, describe, in_date_range
from tracker.readers import bundled_files

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")


def neutralise_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe.

    Plain numbers such as "-70.1" are left alone; "=HYPERLINK(...)", "+cmd|...",
    "@SUM(...)" and "-2+3" are not.
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value.strip()):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`neutralise_cell`."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so spreadsheet programs pick the encoding) with formulas neutralised."""
    safe = neutralise_formulas(frame)
    for col in safe.columns:
        if pd.api.types.is_datetime64_any_dtype(safe[col]):
            safe[col] = safe[col].dt.strftime("%Y-%m-%d")
    return safe.to_csv(index=False).encode("utf-8-sig")


# -- data exports and the evidence pack ------------------------------------------


def to_geojson_bytes(frame: pd.DataFrame, *, routes: bool = False) -> bytes:
    """Records as GeoJSON: points for placed incidents/designations (unplaced ones with null geometry)."""
    return _geo(frame, routes).to_json(drop_id=True).encode("utf-8")


def to_gpkg_bytes(frame: pd.DataFrame, *, layer: str, routes: bool = False) -> bytes:
    """Records as a GeoPackage layer."""
    g = _geo(frame, routes)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.gpkg"
        g.to_file(path, layer=layer, driver="GPKG")
        return path.read_bytes()


def _geo(frame: pd.DataFrame, routes: bool) -> gpd.GeoDataFrame:
    if routes:
        g = gpd.GeoDataFrame(frame.copy(), geometry="geometry", crs="EPSG:4326")
    else:
        geom = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs="EPSG:4326")
        g = gpd.GeoDataFrame(frame.copy(), geometry=geom)
        g.loc[frame["latitude"].isna().to_numpy(), "geometry"] = None
    for col in g.columns:
        if pd.api.types.is_datetime64_any_dtype(g[col]):
            g[col] = g[col].dt.strftime("%Y-%m-%d")
    return g


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _flag_in_frame(frame: pd.DataFrame, key: str, in_frame: pd.DataFrame | None) -> pd.DataFrame:
    out = frame.copy()
    ids = set(in_frame[key]) if in_frame is not None and key in in_frame else set()
    out["in_map_frame"] = out[key].isin(ids) if key in out else False
    return out


def reports_in_view(
    reports: pd.DataFrame, incidents: pd.DataFrame, in_frame: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The reports naming the strikes of ``incidents`` (:func:`tracker.reports.for_strikes`) plus every
    report of a possible unannounced strike (never counted, listed wherever the view is), in table
    order, with ``names_strike_in_view`` added and, given ``in_frame`` (the strikes the map drew and
    counted), ``in_map_frame``: the report names one of them."""
    reports = reports.reset_index(drop=True)
    ids = incidents["incident_id"] if "incident_id" in incidents else pd.Series(dtype=str)
    named = report_table.for_strikes(reports, ids).index
    out = reports[reports.index.isin(named) | reports["unannounced"].to_numpy(dtype=bool)].copy()
    out["names_strike_in_view"] = out.index.isin(named)
    if in_frame is not None:
        out["in_map_frame"] = out.index.isin(report_table.for_strikes(out, in_frame["incident_id"]).index)
    return out.reset_index(drop=True)


def evidence_pack(
    *,
    image: bytes,
    plan: MapPlan,
    incidents: pd.DataFrame,
    designations: pd.DataFrame,
    routes: gpd.GeoDataFrame,
    batches: pd.DataFrame,
    source_files: list[Path] | None = None,
    image_name: str = "map.png",
    position_imports: pd.DataFrame | None = None,
) -> bytes:
    """A zip: the image, the filtered data (CSV and GeoJSON) and manifest.json describing all of it.

    ``position_imports`` (the store's AIS imports) are listed with their sha256 when the map draws
    vessels; imported report batches are listed when the reports are packed.

    The filters and the data's as-of date are the plan's own (``plan.spec``); the source files
    default to the bundled data files.

    The data files hold every record the filters select (designations: those dated within
    the date range, the map's rule), with an ``in_map_frame`` column saying whether the map
    drew and counted it.  The manifest records every filter
    (defaults included), the map's size, extent, projection, layers and counters, and
    the sha256 of every bundled file (basemap and labels too), import batch and packed file.

    A plan made with the reports of other sources (``plan.reports``) adds ``reports.csv``: the
    reports naming the strikes of ``incidents`` and those of possible unannounced strikes
    (:func:`reports_in_view`); the manifest gives their row counts and the definition of the
    reported ranges its counters carry (``map.counters.<key>.reported``).
    """
    filters, data_as_of = plan.spec.filters, plan.spec.data_as_of
    if source_files is None:
        source_files = bundled_files()
    inc = _flag_in_frame(incidents, "incident_id", plan.incidents)
    designations = designations[in_date_range(designations["designation_date"], plan.date_range)]
    des = _flag_in_frame(designations, "designation_id", plan.designations)
    rts = _flag_in_frame(routes, "route_id", plan.routes)
    files: dict[str, bytes] = {
        image_name: image,
        "incidents.csv": to_csv_bytes(inc),
        "incidents.geojson": to_geojson_bytes(inc),
        "designations.csv": to_csv_bytes(des),
        "routes.geojson": to_geojson_bytes(rts, routes=True),
    }
    if plan.vessel_events is not None:  # the AIS behaviour events the map draws, with their times to the second
        events = plan.vessel_events.rename(columns={"lat": "latitude", "lon": "longitude"})  # as `events` prints them
        files["vessel_events.csv"] = to_csv_bytes(_times_as_text(events))
    if plan.vessel_tracks is not None:  # the simplified tracks the map draws, as WKT lines (longitude latitude)
        tracks = plan.vessel_tracks.drop(columns=[c for c in ("color", "path") if c in plan.vessel_tracks])
        tracks = tracks.assign(
            wkt=[
                shapely.LineString(p).wkt if len(p) > 1 else shapely.Point(p[0]).wkt for p in plan.vessel_tracks["path"]
            ]
        )
        files["vessel_tracks.csv"] = to_csv_bytes(_times_as_text(tracks))
    reports = None
    if plan.reports is not None:  # what other sources reported about the strikes in view
        reports = reports_in_view(plan.reports, incidents, plan.incidents)
        files["reports.csv"] = to_csv_bytes(reports)
    used = set(incidents.get("batch_id", pd.Series(dtype=str)))
    used |= set(designations.get("batch_id", pd.Series(dtype=str)))
    if reports is not None and len(batches):  # every standing report batch is layered over the bundled table
        used |= set(batches.loc[(batches["kind"] == "reports") & batches["undone_at"].isna(), "batch_id"])
    batch_rows = batches[batches["batch_id"].isin(used)] if len(batches) else batches
    start, end = plan.date_range
    sources = list(source_files) + [p for p in (BASEMAP_PATH, LABELS_PATH) if p not in source_files]
    manifest = {
        "app": "Interdiction Tracker",
        "app_version": __version__,
        "filters": filters.as_dict(),
        "filter_url_params": filters.to_query_params(),
        "filter_summary": filters.caption(as_of=end),
        "date_range": {"from": start.isoformat() if start else None, "to": end.isoformat()},
        "data_as_of": data_as_of.isoformat() if data_as_of else None,
        "map": describe(plan),
        "row_counts": {"incidents": len(incidents), "designations": len(designations), "routes": len(routes)},
        "rows_in_map_frame": {
            "incidents": int(inc["in_map_frame"].sum()),
            "designations": int(des["in_map_frame"].sum()),
            "routes": int(rts["in_map_frame"].sum()),
        },
        "source_files": [{"name": _relative_name(p), "sha256": sha256_file(p)} for p in sources],
        "import_batches": [
            {"batch_id": r["batch_id"], "kind": r["kind"], "file_name": r["file_name"], "sha256": r["sha256"]}
            for r in batch_rows.to_dict("records")
        ],
        "position_batches": []
        if plan.vessel_tracks is None or position_imports is None or position_imports.empty
        else [
            {
                "batch_id": r["batch_id"],
                "file_name": r["file_name"],
                "sha256": r["sha256"],
                "positions": r["rows_stored"],
            }
            for r in position_imports[position_imports["undone_at"].isna()].to_dict("records")
        ],
        "reports": None
        if reports is None
        else {
            "file": "reports.csv",
            "rows": len(reports),
            "rows_naming_strikes_in_view": int(reports["names_strike_in_view"].sum()),
            "rows_naming_strikes_in_map_frame": int(reports["in_map_frame"].sum()),
            "unannounced_rows": int(reports["unannounced"].sum()),
            "range_definition": report_table.RANGE_DEFINITION,
        },
        "files": [
            {"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in files.items()
        ],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(
            zipfile.ZipInfo("manifest.json", date_time=(2000, 1, 1, 0, 0, 0)),
            json.dumps(manifest, indent=2, sort_keys=True, default=str),
        )
    return out.getvalue()


def _times_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with its date-time columns as ISO 8601 text in UTC (the CSV export keeps dates only)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = pd.to_datetime(out[col], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def _relative_name(path: Path) -> str:
    """A bundled file's name relative to the data folder ("basemap/labels.csv"), else its plain name."""
    parts = Path(path).parts
    return "/".join(parts[parts.index("data") + 1 :]) if "data" in parts else Path(path).name
