"""Exports: the static map (PNG, SVG, PDF) and the filtered data (CSV, GeoJSON, GeoPackage, evidence zip).

The map is rendered on the server with matplotlib from the same filtered
records and the same layer styles as the on-screen map (tracker.layers): no
browser, no tiles, no network.  CSV cells that a spreadsheet would run as
formulas are neutralised.  Coordinates are EPSG:4326; the map uses an
equirectangular projection scaled by the cosine of the centre latitude.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Polygon as MplPolygon  # noqa: E402
from pyproj import Geod  # noqa: E402

from tracker import __version__, layers, metrics  # noqa: E402
from tracker.basemap import ATTRIBUTION, load_countries  # noqa: E402
from tracker.errors import TrackerError, check_option  # noqa: E402

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


# -- static map ------------------------------------------------------------------

PRESETS: dict[str, tuple[int, int, int]] = {
    "screen": (1920, 1080, 96),
    "a4-landscape": (3508, 2480, 300),
    "square": (1080, 1080, 96),
}
"""name -> (width px, height px, dpi)."""

REGIONS: dict[str, tuple[float, float, float, float]] = {
    "caribbean": (-90.0, 7.0, -58.0, 27.0),
    "eastern-pacific": (-120.0, -5.0, -76.0, 25.0),
    "venezuela": (-75.0, 4.0, -58.0, 17.0),
    "western-hemisphere": (-170.0, -60.0, -20.0, 75.0),
}
"""Named extents as (west, south, east, north) in degrees."""

IMAGE_FORMATS = ("png", "svg", "pdf")
SCREEN_DPI = 96.0
_GEOD = Geod(ellps="WGS84")
_STYLE = {"svg.hashsalt": "interdiction-tracker", "svg.fonttype": "none", "pdf.fonttype": 42,
          "font.family": "DejaVu Sans"}


class EmptyExportError(TrackerError):
    """The filters leave nothing to draw."""


@dataclass(frozen=True)
class MapSpec:
    """What to draw and how big."""

    width_px: int = 1920
    height_px: int = 1080
    dpi: int = 96
    extent: str | tuple[float, float, float, float] = "fit"
    title: str = "U.S. strikes on alleged drug boats"
    show: tuple[str, ...] = layers.LAYER_NAMES
    fmt: str = "png"
    margin_deg: float = 2.0
    counters: tuple[metrics.Counter, ...] = field(default_factory=tuple)
    filter_line: str = ""
    as_of: dt.date | None = None


def resolve_extent(spec: MapSpec, incidents: pd.DataFrame, designations: pd.DataFrame, routes) -> tuple:
    """(west, south, east, north) for the spec: a named region, custom bounds or fit to the records."""
    if isinstance(spec.extent, tuple):
        return spec.extent
    if spec.extent != "fit":
        check_option("extent", spec.extent, tuple(REGIONS) + ("fit",))
        return REGIONS[spec.extent]
    xs, ys = [], []
    for frame in (incidents, designations):
        placed = frame[frame["latitude"].notna()]
        xs.extend(placed["longitude"])
        ys.extend(placed["latitude"])
    if routes is not None and len(routes) and "routes" in spec.show:
        b = routes.geometry.dropna()
        if len(b):
            x0, y0, x1, y1 = b.total_bounds
            xs += [x0, x1]
            ys += [y0, y1]
    if not xs:
        raise EmptyExportError("the filters leave nothing to draw")
    m = spec.margin_deg
    return (max(min(xs) - m, -180), max(min(ys) - m, -85), min(max(xs) + m, 180), min(max(ys) + m, 85))


def _fit_aspect(bounds: tuple, width: int, height: int) -> tuple:
    """Grow the bounds so an equirectangular map with cos(latitude) scaling fills the image."""
    w, s, e, n = bounds
    k = math.cos(math.radians((s + n) / 2))
    span_x, span_y = (e - w) * k, n - s
    target = width / height
    if span_x / span_y < target:
        extra = (span_y * target / k - (e - w)) / 2
        w, e = w - extra, e + extra
    else:
        extra = ((e - w) * k / target - span_y) / 2
        s, n = s - extra, n + extra
        if s < -85 or n > 85:  # a tall image of a wide extent: keep to the mapped latitudes, widen instead
            s, n = max(s, -85.0), min(n, 85.0)
            k = math.cos(math.radians((s + n) / 2))
            centre, half = (w + e) / 2, (n - s) * target / k / 2
            w, e = centre - half, centre + half
    return w, s, e, n


def _circle(lon: float, lat: float, radius_km: float, n: int = 72) -> np.ndarray:
    az = np.linspace(0, 360, n, endpoint=False)
    x, y, _ = _GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_km * 1000.0))
    return np.column_stack([x, y])


def _rgb(color: list[int]) -> tuple:
    alpha = color[3] / 255 if len(color) > 3 else 1.0
    return (color[0] / 255, color[1] / 255, color[2] / 255, alpha)


def _nice_length(km: float) -> float:
    exp = 10 ** math.floor(math.log10(km))
    for step in (5, 2, 1):
        if step * exp <= km:
            return step * exp
    return exp


def render_map(incidents: pd.DataFrame, designations: pd.DataFrame, routes, spec: MapSpec) -> bytes:
    """The filtered records drawn on the bundled basemap, as PNG, SVG or PDF bytes.

    Same styles as the on-screen map (tracker.layers): strike dots sized by
    deaths, rings for uncertain positions, route colours, designation colours.
    """
    check_option("fmt", spec.fmt, IMAGE_FORMATS)
    show = set(spec.show)
    drawn_inc = incidents if ("strikes" in show or "rings" in show) else incidents.iloc[0:0]
    drawn_des = designations if "designations" in show else designations.iloc[0:0]
    drawn_routes = routes if "routes" in show else None
    if drawn_inc["latitude"].notna().sum() + drawn_des["latitude"].notna().sum() == 0 and (
            drawn_routes is None or drawn_routes.geometry.dropna().empty):
        raise EmptyExportError("the filters leave nothing to draw")
    bounds = _fit_aspect(resolve_extent(spec, drawn_inc, drawn_des, drawn_routes), spec.width_px, spec.height_px)
    scale = spec.dpi / SCREEN_DPI  # screen pixels -> output pixels
    with plt.rc_context(_STYLE):
        fig = plt.figure(figsize=(spec.width_px / spec.dpi, spec.height_px / spec.dpi), dpi=spec.dpi)
        ax = fig.add_axes((0, 0, 1, 1))
        # the bounds already have the image's aspect (see _fit_aspect), so the axes keep them exactly
        ax.set_xlim(bounds[0], bounds[2])
        ax.set_ylim(bounds[1], bounds[3])
        ax.set_autoscale_on(False)
        ax.set_axis_off()
        ax.add_patch(plt.Rectangle((bounds[0], bounds[1]), bounds[2] - bounds[0], bounds[3] - bounds[1],
                                   color=_rgb(layers.OCEAN_COLOR), zorder=0))
        if "basemap" in show:
            land = load_countries().clip_by_rect(*bounds)
            land = land[~land.is_empty]
            gpd.GeoSeries(land).plot(ax=ax, color=_rgb(layers.LAND_COLOR), edgecolor=_rgb(layers.BORDER_COLOR),
                                     linewidth=0.4 * scale, zorder=1)
        if drawn_routes is not None:
            for rec in layers.route_paths(drawn_routes).to_dict("records"):
                xy = np.array(rec["path"])
                ax.plot(xy[:, 0], xy[:, 1], color=_rgb(rec["color"]), linewidth=rec["width"] * 0.75 * scale,
                        linestyle=(0, (4, 3)) if rec["schematic"] else "solid", zorder=2, solid_capstyle="round")
        if len(drawn_des):
            pts = layers.aggregate_designations(drawn_des)
            if len(pts):
                sizes = (2 * pts["radius_px"] * 0.75 * scale) ** 2
                ax.scatter(pts["longitude"], pts["latitude"], s=sizes, c=[_rgb(c) for c in pts["fill"]],
                           edgecolors=[_rgb(c) for c in pts["color"]], linewidths=1.5 * scale, zorder=3)
        strikes = layers.aggregate_strikes(drawn_inc)
        if "rings" in show:
            for rec in strikes[strikes["precision"] != "exact"].to_dict("records"):
                ring = _circle(rec["longitude"], rec["latitude"], rec["radius_km"])
                ax.add_patch(MplPolygon(ring, closed=True, fill=False, edgecolor=_rgb(layers.RING_COLOR),
                                        linewidth=0.75 * scale, zorder=4))
        if "strikes" in show and len(strikes):
            sizes = (2 * strikes["radius_px"] * 0.75 * scale) ** 2
            ax.scatter(strikes["longitude"], strikes["latitude"], s=sizes, c=[_rgb(layers.STRIKE_COLOR)],
                       edgecolors="white", linewidths=0.75 * scale, zorder=5)
        _decorate(fig, ax, bounds, spec, scale)
        out = io.BytesIO()
        metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}}[spec.fmt]
        fig.savefig(out, format=spec.fmt, dpi=spec.dpi, metadata=metadata)
        plt.close(fig)
    return out.getvalue()


def _decorate(fig, ax, bounds, spec: MapSpec, scale: float) -> None:
    fs = 11 * scale * (spec.width_px / spec.dpi) / 20
    fs = max(7.0, min(fs, 14.0 * scale))
    box = {"facecolor": "white", "alpha": 0.85, "edgecolor": "#999999", "boxstyle": "round,pad=0.4"}
    fig.text(0.012, 0.985, spec.title, ha="left", va="top", fontsize=fs * 1.6, weight="bold", bbox=box, gid="title")
    lines = [f"{c.label}: {c.value:,} {c.unit}" for c in spec.counters]
    if lines:
        fig.text(0.012, 0.90, "\n".join(lines), ha="left", va="top", fontsize=fs, bbox=box, gid="counters",
                 linespacing=1.4)
    foot = []
    if spec.filter_line:
        foot.append(f"Showing {spec.filter_line}")
    if spec.as_of:
        foot.append(f"Data as of {spec.as_of.isoformat()}. Positions are approximate: rings show the uncertainty.")
    foot.append("Sources: records compiled from public reporting, linked per record in the data export. "
                f"{ATTRIBUTION}; sea lanes: searoute. Made with Interdiction Tracker {__version__}.")
    fig.text(0.012, 0.012, "\n".join(foot), ha="left", va="bottom", fontsize=fs * 0.8, bbox=box, gid="footer",
             linespacing=1.4)
    handles = [
        Line2D([], [], marker="o", linestyle="", markerfacecolor=_rgb(layers.STRIKE_COLOR), markeredgecolor="white",
               markersize=9, label="Strike (size: deaths)"),
        Line2D([], [], marker="o", linestyle="", markerfacecolor="none", markeredgecolor=_rgb(layers.RING_COLOR),
               markersize=12, label="Position uncertainty"),
    ]
    for name, color in layers.ROUTE_COLORS.items():
        handles.append(Line2D([], [], color=_rgb(color), linewidth=2, label=f"Route: {name}"))
    handles.append(Line2D([], [], color="#777777", linewidth=1.5, linestyle=(0, (4, 3)), label="Schematic route"))
    for name, color in layers.ENTITY_COLORS.items():
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor=_rgb(color),
                              markeredgecolor=_rgb(color), markersize=7, label=f"Designation: {name}"))
    legend = ax.legend(handles=handles, loc="upper right", fontsize=fs * 0.85, framealpha=0.85, title="Legend",
                       title_fontsize=fs * 0.9)
    legend.set_gid("legend")
    # scale bar at the map's lower right, measured along the centre latitude
    w, s, e, n = bounds
    lat = s + (n - s) * 0.08
    km_per_deg = _GEOD.inv(w, lat, w + 1, lat)[2] / 1000
    length_km = _nice_length((e - w) * km_per_deg * 0.2)
    x1 = e - (e - w) * 0.03
    x0 = x1 - length_km / km_per_deg
    ax.plot([x0, x1], [lat, lat], color="black", linewidth=2 * scale, zorder=6, solid_capstyle="butt")
    ax.text((x0 + x1) / 2, lat + (n - s) * 0.012, f"{length_km:,.0f} km", ha="center", va="bottom",
            fontsize=fs * 0.8, zorder=6, gid="scalebar")


def pixel_of(lon: float, lat: float, spec: MapSpec, incidents, designations, routes) -> tuple[float, float]:
    """Where (lon, lat) lands in an image rendered with ``spec``: (x, y) pixels from the top left."""
    bounds = _fit_aspect(resolve_extent(spec, incidents, designations, routes), spec.width_px, spec.height_px)
    w, s, e, n = bounds
    return ((lon - w) / (e - w) * spec.width_px, (n - lat) / (n - s) * spec.height_px)


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


def evidence_pack(
    *,
    image: bytes,
    image_name: str,
    incidents: pd.DataFrame,
    designations: pd.DataFrame,
    routes,
    filters_params: dict,
    filter_line: str,
    as_of: dt.date | None,
    source_files: list[Path],
    batches: pd.DataFrame,
) -> bytes:
    """A zip: the image, the filtered data (CSV and GeoJSON) and manifest.json describing all of it."""
    files: dict[str, bytes] = {
        image_name: image,
        "incidents.csv": to_csv_bytes(incidents),
        "incidents.geojson": to_geojson_bytes(incidents),
        "designations.csv": to_csv_bytes(designations),
        "routes.geojson": to_geojson_bytes(routes, routes=True),
    }
    used = set(incidents.get("batch_id", pd.Series(dtype=str)))
    used |= set(designations.get("batch_id", pd.Series(dtype=str)))
    batch_rows = batches[batches["batch_id"].isin(used)] if len(batches) else batches
    manifest = {
        "app": "Interdiction Tracker",
        "app_version": __version__,
        "filters": filters_params,
        "filter_summary": filter_line,
        "as_of": as_of.isoformat() if as_of else None,
        "row_counts": {"incidents": len(incidents), "designations": len(designations), "routes": len(routes)},
        "source_files": [{"name": p.name, "sha256": sha256_file(p)} for p in source_files],
        "import_batches": [{"batch_id": r["batch_id"], "file_name": r["file_name"], "sha256": r["sha256"]}
                           for r in batch_rows.to_dict("records")],
        "files": [{"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                  for name, data in files.items()],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("manifest.json", date_time=(2000, 1, 1, 0, 0, 0)),
                   json.dumps(manifest, indent=2, sort_keys=True))
    return out.getvalue()
