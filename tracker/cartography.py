"""The static map: projection, extent, symbols and a page layout measured in points.

A map is planned first (:func:`plan_map`: which records are in the frame, the
projection, the frame's projected limits, the counters of what is in view) and
then drawn (:func:`draw_map`) on a matplotlib figure whose layout is computed in
typographic points, so the same preset at 150 or 300 dpi has the same layout,
only sharper.  Title, subtitle, counters, key, scale and credits sit in panels
outside the map frame; nothing is drawn over the data but the map's own labels,
which are placed only where they cover no strike symbol.

Coordinates come in as EPSG:4326 longitude/latitude.  Regional maps use a
Lambert azimuthal equal-area projection centred on the view (symbol areas and
rings keep their proportions); world-spanning views use Equal Earth.  Distances
are metres in the projected CRS and kilometres in labels.  No tiles, no network.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Circle, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.textpath import text_to_path  # noqa: E402
from matplotlib.transforms import ScaledTranslation  # noqa: E402
from pyproj import CRS, Geod, Transformer  # noqa: E402

from tracker import __version__, layers, metrics  # noqa: E402
from tracker.basemap import ATTRIBUTION, BASEMAP_PATH, load_countries, load_labels  # noqa: E402
from tracker.errors import InvalidOptionError, check_option  # noqa: E402
from tracker.filters import Filters  # noqa: E402
from tracker.gazetteer import load_gazetteer  # noqa: E402

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

REGION_EXTENTS = {"Caribbean": "caribbean", "Eastern Pacific": "eastern-pacific"}
"""The sidebar's region filter values that have a named extent of their own."""

THEATRE = (-120.0, -5.0, -58.0, 30.0)
"""Where the strikes happen: the frame of an empty view (west, south, east, north)."""

EXTENT_CHOICES = ("auto", "fit") + tuple(REGIONS)
IMAGE_FORMATS = ("png", "svg", "pdf")
MIN_SIZE_PT = (288.0, 216.0)
"""The smallest page that holds a legible map: 4 × 3 inches."""
SCALE_BAR_MAX_LAT_SPAN = 60.0
"""Maps spanning more latitude than this get no scale bar: their scale varies too much."""

_GEOD = Geod(ellps="WGS84")
_STYLE = {"svg.hashsalt": "interdiction-tracker", "svg.fonttype": "none", "pdf.fonttype": 42,
          "font.family": "DejaVu Sans", "axes.linewidth": 0.6, "text.hinting": "none"}
_INK = "#222222"
_MUTED = "#555555"
_PANEL_GAP = 0.8  # in units of the base font size
_LINESPACING = 1.3
_DASH = (0, (4, 3))
_STRIKE_FACE = (214 / 255, 39 / 255, 40 / 255, 0.82)
_STRIKE_EDGE = 0.9
MIN_TEXT_PX = 9.0
"""No text is set smaller than this many pixels (and 0.72 × the base size in points)."""


class MapOptionError(InvalidOptionError):
    """A map option that cannot be drawn: inverted dates, degenerate bounds, a page too small."""


@dataclass(frozen=True)
class MapSpec:
    """What to draw and how big.  ``title`` and ``subtitle`` left empty follow the filters."""

    width_px: int = 1920
    height_px: int = 1080
    dpi: int = 96
    extent: str | tuple[float, float, float, float] = "auto"
    title: str = ""
    subtitle: str = ""
    show: tuple[str, ...] = layers.LAYER_NAMES
    fmt: str = "png"
    filters: Filters = field(default_factory=Filters)
    data_as_of: dt.date | None = None
    coverage_note: str = ""
    preset: str = "custom"

    @property
    def size_pt(self) -> tuple[float, float]:
        """The page in points (1/72 inch): the layout's unit, whatever the dpi."""
        return self.width_px / self.dpi * 72.0, self.height_px / self.dpi * 72.0


def spec_for_preset(preset: str, **options) -> MapSpec:
    """A :class:`MapSpec` of one of :data:`PRESETS`; ``options`` set the other fields."""
    check_option("preset", preset, tuple(PRESETS))
    w, h, dpi = PRESETS[preset]
    return MapSpec(width_px=w, height_px=h, dpi=dpi, preset=preset, **options)


# -- checking options ------------------------------------------------------------

def check_bounds(bounds: tuple[float, ...]) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees, or :class:`MapOptionError` saying what is wrong."""
    if len(bounds) != 4:
        raise MapOptionError(f"bounds need four numbers WEST,SOUTH,EAST,NORTH; got {len(bounds)}")
    w, s, e, n = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (w, s, e, n)):
        raise MapOptionError("bounds must be finite numbers")
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= 90 and -90 <= n <= 90):
        raise MapOptionError(f"bounds out of range: longitudes must lie in -180..180 and latitudes in -90..90 "
                             f"(got {w:g},{s:g},{e:g},{n:g})")
    if w >= e or s >= n:
        raise MapOptionError(f"bounds enclose no area: west must be less than east and south less than north "
                             f"(got {w:g},{s:g},{e:g},{n:g})")
    if e - w < 0.5 or n - s < 0.5:
        raise MapOptionError(f"bounds too small to map: at least 0.5 degrees each way (got {e - w:g} x {n - s:g})")
    return w, s, e, n


def check_spec(spec: MapSpec) -> None:
    """Refuse a spec that cannot make a legible map, naming the option and why."""
    check_option("fmt", spec.fmt, IMAGE_FORMATS)
    for name in spec.show:
        check_option("layer", name, layers.LAYER_NAMES)
    if isinstance(spec.extent, tuple):
        check_bounds(spec.extent)
    else:
        check_option("extent", spec.extent, EXTENT_CHOICES)
    if spec.width_px <= 0 or spec.height_px <= 0:
        raise MapOptionError(f"width and height must be positive pixels (got {spec.width_px}×{spec.height_px})")
    if spec.dpi < 30 or spec.dpi > 1200:
        raise MapOptionError(f"dpi={spec.dpi} is outside 30..1200")
    if spec.width_px > 12000 or spec.height_px > 12000:
        raise MapOptionError(f"{spec.width_px}×{spec.height_px} px is larger than 12000 px a side")
    w_pt, h_pt = spec.size_pt
    if w_pt < MIN_SIZE_PT[0] or h_pt < MIN_SIZE_PT[1]:
        raise MapOptionError(
            f"{spec.width_px}×{spec.height_px} px at {spec.dpi} dpi is {w_pt / 72:.1f}×{h_pt / 72:.1f} in: too small "
            f"for a legible map; use at least {MIN_SIZE_PT[0] / 72:.0f}×{MIN_SIZE_PT[1] / 72:.0f} in "
            f"(e.g. {int(4 * spec.dpi)}×{int(3 * spec.dpi)} px at {spec.dpi} dpi)")
    spec.filters.date_range(spec.data_as_of)


def default_extent(filters: Filters) -> str:
    """The extent a map of ``filters`` opens on: the chosen region's own, else fitted to the strikes.

    The Export page and the command line both call this, so a region filter frames the
    map the same way in both.
    """
    if len(filters.regions) == 1 and filters.regions[0] in REGION_EXTENTS:
        return REGION_EXTENTS[filters.regions[0]]
    return "fit"


# -- projection and extent -------------------------------------------------------

def _lonlat_of_strikes(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    placed = incidents[incidents["latitude"].notna() & incidents["longitude"].notna()]
    return (placed["longitude"].to_numpy(float), placed["latitude"].to_numpy(float),
            placed["radius_km"].fillna(0.0).to_numpy(float))


def resolve_bounds(spec: MapSpec, incidents: pd.DataFrame) -> tuple[float, float, float, float]:
    """The lon/lat box the map must show: a named region, custom bounds, or the strikes with
    their uncertainty rings (routes and designations are context and are clipped at the frame).
    An empty view gets the strike theatre."""
    extent = spec.extent
    if extent == "auto":
        extent = default_extent(spec.filters)
    if isinstance(extent, tuple):
        return check_bounds(extent)
    if extent != "fit":
        check_option("extent", extent, EXTENT_CHOICES)
        return REGIONS[extent]
    lon, lat, radius = _lonlat_of_strikes(incidents)
    if not len(lon):
        return THEATRE
    dlat = radius / 111.2
    dlon = radius / (111.2 * np.clip(np.cos(np.radians(lat)), 0.05, None))
    w, e = float(np.min(lon - dlon)), float(np.max(lon + dlon))
    s, n = float(np.min(lat - dlat)), float(np.max(lat + dlat))
    pad_x, pad_y = max((e - w) * 0.04, 0.5), max((n - s) * 0.04, 0.5)
    return (max(w - pad_x, -180.0), max(s - pad_y, -85.0), min(e + pad_x, 180.0), min(n + pad_y, 85.0))


def choose_crs(bounds: tuple[float, float, float, float]) -> str:
    """A PROJ string: Equal Earth for world-spanning boxes, else Lambert azimuthal equal-area
    centred on the box (to the nearest half degree)."""
    w, s, e, n = bounds
    if e - w > 180 or n - s > 150:
        return f"+proj=eqearth +lon_0={round((w + e) / 2 / 5) * 5:g} +datum=WGS84 +units=m +no_defs +type=crs"
    lon0, lat0 = round((w + e) / 2 * 2) / 2, round((s + n) / 2 * 2) / 2
    return f"+proj=laea +lat_0={lat0:g} +lon_0={lon0:g} +datum=WGS84 +units=m +no_defs +type=crs"


@lru_cache(maxsize=16)
def _to_map(crs_text: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", CRS.from_user_input(crs_text), always_xy=True)


@lru_cache(maxsize=16)
def _to_lonlat(crs_text: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(crs_text), "EPSG:4326", always_xy=True)


def _box_outline(bounds: tuple[float, float, float, float], n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    w, s, e, nn = bounds
    t = np.linspace(0, 1, n)
    xs = np.concatenate([w + (e - w) * t, np.full(n, e), e - (e - w) * t, np.full(n, w)])
    ys = np.concatenate([np.full(n, s), s + (nn - s) * t, np.full(n, nn), nn - (nn - s) * t])
    return xs, ys


@dataclass(frozen=True)
class Frame:
    """The map frame: its projection and projected limits (metres), and the lon/lat box it covers."""

    crs: str
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    bounds: tuple[float, float, float, float]
    world: bool

    def project(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        x, y = _to_map(self.crs).transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x), np.asarray(y)

    def unproject(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = _to_lonlat(self.crs).transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon), np.asarray(lat)

    def contains(self, lon, lat) -> np.ndarray:
        """Which lon/lat points fall inside the frame."""
        x, y = self.project(lon, lat)
        ok = np.isfinite(x) & np.isfinite(y)
        return ok & (x >= self.xlim[0]) & (x <= self.xlim[1]) & (y >= self.ylim[0]) & (y <= self.ylim[1])

    @property
    def lonlat_box(self) -> tuple[float, float, float, float]:
        """A lon/lat box that covers the whole frame (for clipping before projecting)."""
        if self.world:
            return (-180.0, -90.0, 180.0, 90.0)
        xs, ys = _box_outline((self.xlim[0], self.ylim[0], self.xlim[1], self.ylim[1]))
        lon, lat = self.unproject(xs, ys)
        ok = np.isfinite(lon) & np.isfinite(lat)
        if not ok.all():
            return (-180.0, -90.0, 180.0, 90.0)
        return (max(float(lon.min()) - 2, -180.0), max(float(lat.min()) - 2, -90.0),
                min(float(lon.max()) + 2, 180.0), min(float(lat.max()) + 2, 90.0))

    @property
    def lat_span(self) -> float:
        """Degrees of latitude from the frame's southernmost to its northernmost point."""
        if self.world:
            return 180.0
        xs, ys = _box_outline((self.xlim[0], self.ylim[0], self.xlim[1], self.ylim[1]), 32)
        _lon, lat = self.unproject(xs, ys)
        return float(np.nanmax(lat) - np.nanmin(lat))


def make_frame(bounds: tuple[float, float, float, float], aspect: float) -> Frame:
    """The frame showing ``bounds`` in its projection, widened (never narrowed) to ``aspect`` (width/height).

    A regional projection whose widened frame would reach past the visible hemisphere or
    span more than 180° of longitude gives way to Equal Earth.
    """
    frame = _frame_in(choose_crs(bounds), bounds, aspect)
    if not frame.world:
        xs, ys = _box_outline((frame.xlim[0], frame.ylim[0], frame.xlim[1], frame.ylim[1]), 32)
        lon, lat = frame.unproject(xs, ys)
        if not (np.isfinite(lon).all() and np.isfinite(lat).all()) or np.ptp(lon) > 180:
            w, _s, e, _n = bounds
            world = f"+proj=eqearth +lon_0={round((w + e) / 2 / 5) * 5:g} +datum=WGS84 +units=m +no_defs +type=crs"
            frame = _frame_in(world, bounds, aspect)
    return frame


def _frame_in(text: str, bounds: tuple[float, float, float, float], aspect: float) -> Frame:
    world = "eqearth" in text
    xs, ys = _box_outline(bounds)
    x, y = _to_map(text).transform(xs, ys)
    x, y = np.asarray(x), np.asarray(y)
    ok = np.isfinite(x) & np.isfinite(y)
    x0, x1, y0, y1 = float(x[ok].min()), float(x[ok].max()), float(y[ok].min()), float(y[ok].max())
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return Frame(crs=text, xlim=(cx - w / 2, cx + w / 2), ylim=(cy - h / 2, cy + h / 2), bounds=bounds, world=world)


# -- what the map shows ------------------------------------------------------------

@dataclass
class MapPlan:
    """Everything a drawn map states: the frame, what falls in it and the counters of the view."""

    spec: MapSpec
    frame: Frame
    incidents: pd.DataFrame
    designations: pd.DataFrame
    routes: gpd.GeoDataFrame | None
    strikes: pd.DataFrame
    counters: list[metrics.Counter]
    notes: list[str]
    date_range: tuple[dt.date | None, dt.date]
    layout: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    """Panel boxes in points from the top left: name -> (x0, y0, x1, y1)."""
    symbols: list[tuple[float, float, float]] = field(default_factory=list)
    """Strike symbols drawn: (x, y, radius) in points from the top left of the page."""
    scale_bar: tuple[float, float] | None = None
    """(length in points on the page, length it claims in km), where a scale bar is drawn."""
    sources: tuple = ()
    """The filtered frames the plan selected from (to select again for the final frame)."""


def title_for(filters: Filters) -> str:
    """The default title: the strikes, in the chosen region when there is one."""
    named = [f"the {r}" for r in filters.regions if r != "Unknown"]
    if "Unknown" in filters.regions:
        named.append("waters not stated")
    where = f" in {' and '.join(named)}" if named else ""
    return f"U.S. strikes on alleged drug boats{where}"


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def subtitle_for(filters: Filters, date_range: tuple[dt.date | None, dt.date],
                 show: tuple[str, ...] = layers.LAYER_NAMES) -> str:
    """Dates and what the symbols mean, e.g. '2 Sep 2025 – 4 Oct 2026 · red circles mark ...'."""
    start, end = date_range
    span = f"{_day(start)} – {_day(end)}" if start else f"up to {_day(end)}"
    if "strikes" not in show:
        return span
    return (f"{span} · red circles mark where strikes were placed; circle area is proportional to deaths "
            "(announced + presumed dead); numbers count strike engagements sharing a position")


def in_date_range(dates: pd.Series, date_range: tuple[dt.date | None, dt.date]) -> pd.Series:
    """Which dates fall within the inclusive range; unknown dates never do."""
    start, end = date_range
    mask = dates.notna() & (dates < pd.Timestamp(end) + pd.Timedelta(days=1))
    if start is not None:
        mask &= dates >= pd.Timestamp(start)
    return mask


def _route_in_frame(routes: gpd.GeoDataFrame, frame: Frame) -> pd.Series:
    if routes is None or routes.empty:
        return pd.Series(dtype=bool)
    box = shapely.box(*frame.lonlat_box)
    geoms = routes.geometry
    hit = geoms.notna() & ~geoms.is_empty & geoms.intersects(box)
    if frame.world:
        return hit
    # a finer check: some vertex of the line projects inside the frame
    inside = []
    for geom, ok in zip(geoms, hit):
        if not ok:
            inside.append(False)
            continue
        coords = shapely.get_coordinates(shapely.segmentize(geom, 0.5))
        inside.append(bool(frame.contains(coords[:, 0], coords[:, 1]).any()))
    return pd.Series(inside, index=routes.index)


def _place_names() -> dict[tuple[float, float], str]:
    g = load_gazetteer(str(BASEMAP_PATH.parents[1] / "gazetteer.csv"))
    table = g.table
    seas = table[table["kind"].isin(["sea area", "place"])]
    return {(round(float(x), 3), round(float(y), 3)): str(n)
            for x, y, n in zip(seas["longitude"], seas["latitude"], seas["name"])}


def _stack_notes(strikes: pd.DataFrame, limit: int = 4) -> list[str]:
    stacked = strikes[strikes["strikes"] >= 2].sort_values("strikes", ascending=False)
    if stacked.empty:
        return []
    names = _place_names()
    parts = []
    for rec in stacked.head(limit).to_dict("records"):
        name = names.get((round(rec["longitude"], 3), round(rec["latitude"], 3)))
        where = (f"the representative point of “{name}”" if name and rec["precision"] == "area"
                 else f"{abs(rec['latitude']):.2f}°{'N' if rec['latitude'] >= 0 else 'S'} "
                      f"{abs(rec['longitude']):.2f}°{'W' if rec['longitude'] < 0 else 'E'}")
        parts.append(f"{rec['strikes']} strikes placed at {where}")
    more = len(stacked) - limit
    tail = f"; {more} more shared position(s)" if more > 0 else ""
    return ["Shared positions: " + "; ".join(parts) + tail + "."]


def plan_map(incidents: pd.DataFrame, designations: pd.DataFrame, routes, spec: MapSpec,
             *, aspect: float | None = None) -> MapPlan:
    """Which records are in the frame and what the counters say about them.

    ``incidents``, ``designations`` and ``routes`` are the filtered canonical frames.
    Strikes count when placed inside the frame or not placed at all (counted, never
    drawn); designations when dated within the date range and placed inside the frame;
    routes (undated) when their line crosses the frame.
    """
    check_spec(spec)
    date_range = spec.filters.date_range(spec.data_as_of)
    bounds = resolve_bounds(spec, incidents)
    frame = make_frame(bounds, aspect or spec.width_px / spec.height_px)
    return _select(incidents, designations, routes, spec, frame, date_range)


def _select(incidents: pd.DataFrame, designations: pd.DataFrame, routes, spec: MapSpec, frame: Frame,
            date_range: tuple[dt.date | None, dt.date]) -> MapPlan:
    """The records in ``frame`` and the counters of them (see :func:`plan_map`)."""
    show = set(spec.show)
    placed = incidents["latitude"].notna() & incidents["longitude"].notna()
    inside = pd.Series(False, index=incidents.index)
    if placed.any():
        inside[placed] = frame.contains(incidents.loc[placed, "longitude"], incidents.loc[placed, "latitude"])
    # records with no position belong to the filtered view, not to a place: they count on a map
    # whose frame follows the filters, and on a map of a chosen extent they are only noted
    follows_filters = spec.extent in ("auto", "fit")
    in_view = incidents[inside | (~placed & follows_filters)]
    outside = int((placed & ~inside).sum())
    unplaced = int((~placed).sum())

    des_view = designations.iloc[0:0]
    if "designations" in show:
        des = designations[in_date_range(designations["designation_date"], date_range)]
        des_placed = des["latitude"].notna()
        des_inside = pd.Series(False, index=des.index)
        if des_placed.any():
            des_inside[des_placed] = frame.contains(des.loc[des_placed, "longitude"],
                                                    des.loc[des_placed, "latitude"])
        des_view = des[des_inside]
    rts = None
    if "routes" in show and routes is not None and len(routes):
        rts = routes[_route_in_frame(routes, frame).to_numpy()]

    as_of = date_range[1]
    counters = metrics.incident_counters(in_view, as_of=as_of)
    if "designations" in show:
        counters.append(metrics.Counter(
            "designations_in_frame", "Designations", metrics.count_designations(des_view), "listings in frame",
            "Sanctions or terrorist listings dated within the date range and placed inside the map frame "
            "(country- and area-level placements count where their point falls); undated actions and "
            "non-listing actions are left out.", as_of))
    if "routes" in show:
        counters.append(metrics.Counter(
            "routes_in_frame", "Routes", 0 if rts is None else len(rts), "crossing the frame",
            "Routes of the chosen types whose line crosses the map frame; routes carry no dates, so the date "
            "range does not apply to them.", as_of))

    drawn = in_view if ({"strikes", "rings"} & show) else in_view.iloc[0:0]
    strikes = layers.aggregate_strikes(drawn)
    notes = _stack_notes(strikes) if "strikes" in show else []
    if unplaced:
        notes.append(f"{unplaced} strike record(s) with no usable position are "
                     + ("counted but not drawn." if follows_filters else "neither drawn nor counted in this frame."))
    if outside:
        notes.append(f"{outside} strike record(s) placed outside this frame are not drawn or counted.")
    no_figure = int(in_view["killed"].isna().sum())
    if no_figure:
        notes.append(f"{no_figure} strike record(s) in view have no death figure: they add nothing to deaths.")
    return MapPlan(spec=spec, frame=frame, incidents=in_view, designations=des_view, routes=rts, strikes=strikes,
                   counters=counters, notes=notes, date_range=date_range, sources=(incidents, designations, routes))


# -- text measured in points ---------------------------------------------------------

@lru_cache(maxsize=50_000)
def _width_10pt(text: str, weight: str, style: str) -> float:
    prop = FontProperties(family="DejaVu Sans", size=10, weight=weight, style=style)
    w, _h, _d = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return float(w)


class _Page:
    """Places artists on a figure by points measured from the top-left corner."""

    def __init__(self, fig, w_pt: float, h_pt: float, dpi: float) -> None:
        self.fig, self.w, self.h, self.dpi = fig, w_pt, h_pt, dpi
        self.renderer = fig.canvas.get_renderer()

    def fx(self, x: float) -> float:
        return x / self.w

    def fy(self, y: float) -> float:
        return 1.0 - y / self.h

    def width_of(self, text: str, size: float, weight: str = "normal", style: str = "normal") -> float:
        """Width in points of one line of ``text`` (the font's advance widths, whatever the dpi)."""
        return _width_10pt(text, weight, style) * size / 10.0

    def wrap(self, text: str, size: float, width: float, weight: str = "normal") -> str:
        """Greedy word wrap so no line is wider than ``width`` points (2% kept for kerning)."""
        limit = width * 0.98
        space = self.width_of(" ", size, weight)
        out = []
        for para in text.split("\n"):
            line, line_w = "", 0.0
            for word in para.split(" "):
                word_w = self.width_of(word, size, weight)
                if line and line_w + space + word_w > limit:
                    out.append(line)
                    line, line_w = word, word_w
                else:
                    line, line_w = (f"{line} {word}", line_w + space + word_w) if line else (word, word_w)
            # a single word wider than the line is broken by characters
            while self.width_of(line, size, weight) > limit and len(line) > 1:
                cut = max(1, int(len(line) * limit / self.width_of(line, size, weight)) - 1)
                out.append(line[:cut])
                line = line[cut:]
            out.append(line)
        return "\n".join(out)

    def extent_pt(self, artist) -> tuple[float, float, float, float]:
        """An artist's box in points from the top left: (x0, y0, x1, y1)."""
        bb = artist.get_window_extent(self.renderer)
        k = 72.0 / self.dpi
        return bb.x0 * k, self.h - bb.y1 * k, bb.x1 * k, self.h - bb.y0 * k

    def text(self, x: float, y: float, text: str, size: float, *, width: float, va: str = "top",
             gid: str | None = None, **kw):
        wrapped = self.wrap(text, size, width, kw.get("weight", "normal"))
        t = self.fig.text(self.fx(x), self.fy(y), wrapped, fontsize=size, ha="left", va=va,
                          linespacing=_LINESPACING, color=kw.pop("color", _INK), **kw)
        if gid:
            t.set_gid(gid)
        return t


# -- drawing -------------------------------------------------------------------------

def _rgb(color) -> tuple:
    alpha = color[3] / 255 if len(color) > 3 else 1.0
    return (color[0] / 255, color[1] / 255, color[2] / 255, alpha)


def _seam_boxes(crs: str, box: tuple[float, float, float, float]) -> list[tuple[float, float, float, float]]:
    """``box`` split at the projection's antimeridian (lon_0 ± 180), so no shape is drawn across it."""
    lon0 = float(_deg_value(crs, "lon_0") or 0.0)
    if lon0 == 0:
        return [box]
    seam = lon0 + 180 if lon0 < 0 else lon0 - 180
    w, s, e, n = box
    eps = 1e-6
    parts = [(w, s, min(e, seam - eps), n), (max(w, seam + eps), s, e, n)]
    return [p for p in parts if p[0] < p[2]]


def _clip(geoms, crs: str, box: tuple[float, float, float, float]) -> np.ndarray:
    """Geometries clipped to ``box`` and split at the projection's antimeridian (lon/lat)."""
    pieces = [shapely.clip_by_rect(np.asarray(geoms), *part) for part in _seam_boxes(crs, box)]
    return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]


def _polygon_paths(geoms) -> list[MplPath]:
    """Matplotlib paths of (multi)polygons, holes included."""
    paths = []
    for geom in geoms:
        for poly in getattr(geom, "geoms", [geom]):
            if poly.is_empty or poly.geom_type != "Polygon":
                continue
            rings = [poly.exterior, *poly.interiors]
            paths.append(MplPath.make_compound_path(*[MplPath(np.asarray(r.coords)[:, :2], closed=True)
                                                      for r in rings]))
    return paths


@lru_cache(maxsize=8)
def _land(crs: str, box: tuple[float, float, float, float]) -> list[MplPath]:
    """The bundled countries clipped to ``box`` and projected, as paths (cached per frame)."""
    land = _clip(load_countries().geometry.to_numpy(), crs, box)
    land = land[~shapely.is_empty(land)]
    return _polygon_paths(gpd.GeoSeries(land, crs="EPSG:4326").to_crs(crs))


@lru_cache(maxsize=8)
def _land_lonlat(box: tuple[float, float, float, float]) -> list[MplPath]:
    return _polygon_paths(shapely.clip_by_rect(load_countries().geometry.to_numpy(), *box))


def _globe_outline(frame: Frame) -> np.ndarray:
    """The edge of the world in the frame's projection (between lon_0 - 180 and lon_0 + 180)."""
    lon0 = _deg_value(frame.crs, "lon_0") or 0.0
    lon, lat = _box_outline((lon0 - 179.999, -90.0, lon0 + 179.999, 90.0), 181)
    x, y = frame.project(lon, lat)
    return np.column_stack([x, y])


def _rings(frame: Frame, strikes: pd.DataFrame) -> list[np.ndarray]:
    rows = strikes[(strikes["precision"] != "exact") & (strikes["radius_km"] > 0)]
    if rows.empty:
        return []
    n = 90
    az = np.tile(np.linspace(0, 360, n), len(rows))
    lon = np.repeat(rows["longitude"].to_numpy(float), n)
    lat = np.repeat(rows["latitude"].to_numpy(float), n)
    dist = np.repeat(rows["radius_km"].to_numpy(float) * 1000.0, n)
    rl, rt, _ = _GEOD.fwd(lon, lat, az, dist)
    x, y = frame.project(rl, rt)
    return [np.column_stack([x[i * n:(i + 1) * n], y[i * n:(i + 1) * n]]) for i in range(len(rows))]


def _route_segments(frame: Frame, routes: gpd.GeoDataFrame) -> list[tuple[np.ndarray, str, bool]]:
    out = []
    box = frame.lonlat_box
    for rec, geom in zip(routes.to_dict("records"), routes.geometry):
        if geom is None or geom.is_empty:
            continue
        parts = []
        for clipped in _clip([shapely.segmentize(geom, 1.0)], frame.crs, box):
            parts.extend(getattr(clipped, "geoms", [clipped]))
        for part in parts:
            if part.is_empty or part.geom_type != "LineString":
                continue
            xy = np.asarray(part.coords)
            x, y = frame.project(xy[:, 0], xy[:, 1])
            out.append((np.column_stack([x, y]), rec["route_type"], rec["line_precision"] == "schematic"))
    return out


def _route_rgba(route_type: str, schematic: bool) -> tuple:
    """A route's line colour: its type's colour, fainter when the line is schematic."""
    return _rgb(layers.ROUTE_COLORS.get(route_type, layers.ROUTE_COLORS["other"])[:3] + [150 if schematic else 235])


def _nice(value: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above ``value``."""
    if value <= 0:
        return 0.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (5, 2, 1):
        if step * exp <= value:
            return step * exp
    return exp


def _size_key_values(max_deaths: float) -> list[float]:
    top = _nice(max_deaths)
    values = [top]
    for v in (_nice(top / 4), _nice(top / 16)):
        if v >= 1 and v not in values:
            values.append(v)
    return values


@dataclass(frozen=True)
class _Scale:
    """Symbol sizes: area (pt²) per death, the largest diameter and the floor for small ones."""

    per_death: float
    min_diameter: float

    def diameter(self, deaths) -> np.ndarray:
        d = np.sqrt(np.clip(np.asarray(deaths, float), 0, None) * self.per_death)
        return np.maximum(d, self.min_diameter)


def _symbol_scale(strikes: pd.DataFrame, map_w: float, map_h: float) -> _Scale:
    deaths = (strikes["killed"] + strikes["presumed_dead"]).to_numpy(float) if len(strikes) else np.zeros(0)
    max_d = float(deaths.max()) if len(deaths) and deaths.max() > 0 else 1.0
    biggest = float(np.clip(min(map_w, map_h) * 0.085, 16.0, 46.0))
    return _Scale(per_death=biggest ** 2 / max_d, min_diameter=4.0)


def _legend_handles(plan: MapPlan, routes_drawn: list, scale: _Scale, b: float) -> list:
    show = set(plan.spec.show)
    handles = []
    strikes = plan.strikes
    red = _rgb(layers.STRIKE_COLOR)
    if "strikes" in show and len(strikes):
        deaths = strikes["killed"] + strikes["presumed_dead"]
        if (deaths > 0).any():
            handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor=_STRIKE_FACE, markeredgecolor=red,
                                  markeredgewidth=_STRIKE_EDGE, markersize=b * 1.1,
                                  label="Strike position (area: deaths)"))
        if (deaths == 0).any():
            handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor=red,
                                  markeredgewidth=_STRIKE_EDGE, markersize=scale.min_diameter,
                                  label="Strike position, no deaths recorded"))
    if "rings" in show and len(strikes) and (strikes["precision"] != "exact").any():
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
                              markeredgecolor=_rgb(layers.RING_COLOR), markersize=b * 1.6,
                              label="Uncertainty of an approximate or area position"))
    present = {}
    for _xy, rtype, schematic in routes_drawn:
        present.setdefault(rtype, set()).add(schematic)
    for rtype in layers.ROUTE_COLORS:
        kinds = present.get(rtype, set())
        if kinds:  # drawn as the map draws it: solid where traced, dashed where only schematic
            schematic_only = kinds == {True}
            handles.append(Line2D([], [], color=_route_rgba(rtype, schematic_only),
                                  linewidth=1.2 if schematic_only else 2.0,
                                  linestyle=_DASH if schematic_only else "solid", label=f"Route: {rtype}"))
    if any(True in v for v in present.values()):
        handles.append(Line2D([], [], color="#8a8a8a", linewidth=1.2, linestyle=_DASH,
                              label="Dashed, fainter: schematic route, drawn between named places"))
    des = layers.aggregate_designations(plan.designations) if len(plan.designations) else None
    if des is not None and len(des):
        for etype in layers.ENTITY_COLORS:
            rows = des[des["entity_type"] == etype]
            if rows.empty:
                continue
            color = _rgb(layers.ENTITY_COLORS[etype])
            if rows["filled"].any():
                handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor=color, markeredgecolor=color,
                                      markersize=b * 0.8, label=f"Designations: {etype}"))
            if (~rows["filled"]).any():
                handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
                                      markeredgecolor=color, markeredgewidth=1.5, markersize=b * 0.8,
                                      label=f"Designations: {etype}, placed at country or area level"))
    return handles


def _counter_lines(plan: MapPlan) -> str:
    lines = []
    for c in plan.counters:
        if c.key == "survivors":
            continue
        lines.append(f"{c.label}: {c.value:,} {_unit(c.value, c.unit)}")
    return "\n".join(lines)


_SINGULAR = {"engagements": "engagement", "vessels": "vessel", "people": "person", "listings": "listing"}


def _unit(value: int, unit: str) -> str:
    """'1 person', '2 people': the unit's first word in the singular when the value is one."""
    if value != 1:
        return unit
    first, _, rest = unit.partition(" ")
    return " ".join(filter(None, [_SINGULAR.get(first, first), rest]))


def _base_size(spec: MapSpec) -> float:
    """The base type size in points: grows with the page, and the smallest type (0.72 of it)
    is never below :data:`MIN_TEXT_PX` pixels."""
    W, _H = spec.size_pt
    return max(float(np.clip(W / 90.0, 8.0, 13.0)), MIN_TEXT_PX / 0.72 * 72.0 / spec.dpi)


def _footer_lines(plan: MapPlan) -> list[str]:
    spec, frame = plan.spec, plan.frame
    show = set(spec.show)
    proj = (f"Equal Earth projection centred on {_deg(frame.crs, 'lon_0', 'E', 'W') or '0°'}" if frame.world else
            "Lambert azimuthal equal-area projection centred on "
            f"{_deg(frame.crs, 'lat_0', 'N', 'S')} {_deg(frame.crs, 'lon_0', 'E', 'W')}")
    foot = list(plan.notes)
    foot.append(f"Filters: {spec.filters.caption(as_of=plan.date_range[1]).removeprefix('where ')}.")
    if spec.data_as_of:
        foot.append(f"Data as of {spec.data_as_of.isoformat()}. {spec.coverage_note}".strip())
    if "rings" in show and len(plan.strikes):
        foot.append("Reports rarely give coordinates: each ring shows how far the true position may lie from "
                    "where the strike is drawn.")
    foot.append("Sources: records compiled from public reporting, linked per record in the data export. "
                f"{ATTRIBUTION}; labels: Natural Earth; sea lanes: searoute. {proj}. "
                f"Made with Interdiction Tracker {__version__}.")
    return foot


@dataclass
class _Layout:
    fig: object
    page: _Page
    b: float
    boxes: dict[str, tuple[float, float, float, float]]
    panel_x: float
    panel_y: float
    panel_w: float
    locator: bool
    columns: int
    max_height: float | None


def _compose(plan: MapPlan) -> _Layout:
    """Header, footer and the measured key panel; the map takes the box that is left.

    Tries, in order: the key beside the map, then without the locator, then the key below
    the map (two columns), then smaller type; refuses a page where none of these leaves a
    legible map.
    """
    spec = plan.spec
    W, H = spec.size_pt
    landscape = W / H >= 0.9
    # (where, columns): the key beside the map in one or two columns, or under it
    modes = ([("side", 1), ("side", 2)] if landscape else []) + [("below", 2), ("below", 3)]
    tries = [(scale, mode, locator) for scale in (1.0, 0.9, 0.8, 0.72) for mode in modes
             for locator in (True, False)]
    for scale, (where, columns), locator in tries:
        b = _base_size(spec) * scale
        m, gap = b * 1.1, b * _PANEL_GAP
        fig = plt.figure(figsize=(spec.width_px / spec.dpi, spec.height_px / spec.dpi), dpi=spec.dpi)
        fig.patch.set_facecolor("white")
        page = _Page(fig, W, H, spec.dpi)
        title = spec.title.strip() or title_for(spec.filters)
        subtitle = spec.subtitle.strip() or subtitle_for(spec.filters, plan.date_range, spec.show)
        t = page.text(m, m, title, b * 1.7, width=W - 2 * m, weight="bold", gid="title")
        st = page.text(m, page.extent_pt(t)[3] + b * 0.35, subtitle, b * 0.95, width=W - 2 * m, color=_MUTED,
                       gid="subtitle")
        header_bottom = page.extent_pt(st)[3]
        ft = page.text(m, H - m, "\n".join(_footer_lines(plan)), b * 0.78, width=W - 2 * m, va="bottom",
                       color=_MUTED, gid="footer")
        footer_top = page.extent_pt(ft)[1]
        top, bottom = header_bottom + gap, footer_top - gap
        below = where == "below"
        column_w = float(np.clip(W * 0.24 / columns ** 0.5, 140.0, 240.0))
        panel_w = W - 2 * m if below else column_w * columns + b * 1.5 * (columns - 1)
        panel_x = m if below else W - m - panel_w
        probe = _draw_panel(page, plan, panel_x, 0.0, panel_w, b, probe=True, columns=columns, locator=locator,
                            max_height=None if below else bottom - top)
        for a in probe["artists"]:
            a.remove()
        panel_h = probe["height"]
        if below:
            map_box = (m, top, W - m, bottom - panel_h - gap)
            panel_y = bottom - panel_h
        else:
            map_box = (m, top, W - m - panel_w - gap, bottom)
            panel_y = top
        map_w, map_h = map_box[2] - map_box[0], map_box[3] - map_box[1]
        fits = map_w >= W * 0.4 and map_h >= H * 0.3 and (below or panel_h <= bottom - top)
        if fits:
            boxes = {"header": (m, m, W - m, header_bottom), "footer": (m, footer_top, W - m, H - m),
                     "map": map_box}
            return _Layout(fig, page, b, boxes, panel_x, panel_y, panel_w, locator, columns,
                           None if below else bottom - top)
        plt.close(fig)
    raise MapOptionError(
        f"{spec.width_px}×{spec.height_px} px at {spec.dpi} dpi is a {W / 72:.1f}×{H / 72:.1f} in page: too small "
        f"for the map, its key and its notes in legible type; use a lower dpi (e.g. {max(30, spec.dpi // 2)}) "
        "or more pixels")


def _symbol_overflow(plan: MapPlan, frame: Frame, map_box) -> tuple[float, float, float, float]:
    """How far (metres) strike symbols reach past each side of ``frame``: (left, bottom, right, top)."""
    if "strikes" not in plan.spec.show or plan.strikes.empty:
        return (0.0, 0.0, 0.0, 0.0)
    map_w, map_h = map_box[2] - map_box[0], map_box[3] - map_box[1]
    m_per_pt = (frame.xlim[1] - frame.xlim[0]) / map_w
    x, y = frame.project(plan.strikes["longitude"], plan.strikes["latitude"])
    r = _symbol_scale(plan.strikes, map_w, map_h).diameter(
        plan.strikes["killed"] + plan.strikes["presumed_dead"]) / 2 * m_per_pt + 2 * m_per_pt
    return (max(0.0, float(np.max(frame.xlim[0] - (x - r)))), max(0.0, float(np.max(frame.ylim[0] - (y - r)))),
            max(0.0, float(np.max((x + r) - frame.xlim[1]))), max(0.0, float(np.max((y + r) - frame.ylim[1]))))


def _same_frame(a: Frame, b: Frame) -> bool:
    """The same projection and limits, to a millionth of the frame's size."""
    tol = 1e-6 * max(a.xlim[1] - a.xlim[0], a.ylim[1] - a.ylim[0])
    return a.crs == b.crs and bool(np.allclose(a.xlim + a.ylim, b.xlim + b.ylim, rtol=0, atol=tol))


def _settle_frame(plan: MapPlan, map_box) -> None:
    """Fit the frame to the map box's shape and widen it until every strike symbol lies whole
    inside it; select the records again for that frame."""
    aspect = (map_box[2] - map_box[0]) / (map_box[3] - map_box[1])
    frame = make_frame(plan.frame.bounds, aspect)
    for _ in range(4):
        again = _select(*plan.sources, plan.spec, frame, plan.date_range)
        left, bottom, right, top = _symbol_overflow(again, frame, map_box)
        if not any((left, bottom, right, top)):
            break
        x0, x1 = frame.xlim[0] - left, frame.xlim[1] + right
        y0, y1 = frame.ylim[0] - bottom, frame.ylim[1] + top
        w, h = x1 - x0, y1 - y0
        if w / h < aspect:
            x0, x1 = x0 - (h * aspect - w) / 2, x1 + (h * aspect - w) / 2
        else:
            y0, y1 = y0 - (w / aspect - h) / 2, y1 + (w / aspect - h) / 2
        frame = replace(frame, xlim=(x0, x1), ylim=(y0, y1))
    for name in ("frame", "incidents", "designations", "routes", "strikes", "counters", "notes"):
        setattr(plan, name, getattr(again, name))


def draw_map(plan: MapPlan):
    """Draw ``plan`` on a new figure and return it; records the panel boxes in ``plan.layout``.

    The panels are measured first; the frame is then fitted to the map box that is left
    (and widened so no strike symbol is cut), the records are selected again for it, and
    the page is composed again until the counters and notes describe the frame as drawn.
    """
    spec = plan.spec
    W, H = spec.size_pt
    lay = None
    for _ in range(4):
        if lay is not None:
            plt.close(lay.fig)
        lay = _compose(plan)
        before = plan.frame
        _settle_frame(plan, lay.boxes["map"])
        if _same_frame(plan.frame, before):
            break
    fig, page, b, map_box = lay.fig, lay.page, lay.b, lay.boxes["map"]
    plan.layout = dict(lay.boxes)
    frame = plan.frame
    map_w, map_h = map_box[2] - map_box[0], map_box[3] - map_box[1]
    ax = fig.add_axes((page.fx(map_box[0]), page.fy(map_box[3]), map_w / W, map_h / H))
    ax.set_gid("map")
    ax.set_xlim(*frame.xlim)
    ax.set_ylim(*frame.ylim)
    ax.set_autoscale_on(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_color("#888888")
    show = set(spec.show)
    if frame.world:
        ax.set_facecolor("white")
        ax.fill(*_globe_outline(frame).T, color=_rgb(layers.OCEAN_COLOR), zorder=0, linewidth=0)
    else:
        ax.set_facecolor(_rgb(layers.OCEAN_COLOR))
    if "basemap" in show:
        ax.add_collection(PathCollection(_land(frame.crs, frame.lonlat_box), facecolors=[_rgb(layers.LAND_COLOR)],
                                         edgecolors=[_rgb(layers.BORDER_COLOR)], linewidths=0.4, zorder=1))
    routes_drawn = _route_segments(frame, plan.routes) if plan.routes is not None else []
    context: list[tuple[float, float, float]] = []  # designation symbols: (x, y, radius) in points
    for schematic in (True, False):
        group = [r for r in routes_drawn if r[2] == schematic]
        if not group:
            continue
        colors = [_route_rgba(r[1], schematic) for r in group]
        ax.add_collection(LineCollection([r[0] for r in group], colors=colors, linewidths=1.2 if schematic else 2.0,
                                         linestyles=_DASH if schematic else "solid", zorder=2, capstyle="round"))
    if len(plan.designations):
        pts = layers.aggregate_designations(plan.designations)
        x, y = frame.project(pts["longitude"], pts["latitude"])
        d = 4.0 + 2.0 * np.sqrt(pts["count"].to_numpy(float))
        ax.scatter(x, y, s=d ** 2, c=[_rgb(c) for c in pts["fill"]], edgecolors=[_rgb(c) for c in pts["color"]],
                   linewidths=1.5, zorder=3)
        for xi, yi, di in zip(x, y, d):
            px, py = ax.transData.transform((xi, yi))
            context.append((px * 72 / spec.dpi, H - py * 72 / spec.dpi, di / 2 + 0.75))
    strikes = plan.strikes
    sym = _symbol_scale(strikes, map_w, map_h)
    if "rings" in show:
        rings = _rings(frame, strikes)
        if rings:
            ax.add_collection(LineCollection(rings, colors=[_rgb(layers.RING_COLOR)], linewidths=0.8, zorder=4))
    plan.symbols = []
    if "strikes" in show and len(strikes):
        x, y = frame.project(strikes["longitude"], strikes["latitude"])
        deaths = (strikes["killed"] + strikes["presumed_dead"]).to_numpy(float)
        diam = sym.diameter(deaths)
        order = np.argsort(-diam)  # big ones first, small ones stay visible on top
        face = np.array([_STRIKE_FACE if v > 0 else (1.0, 1.0, 1.0, 1.0) for v in deaths])
        ax.scatter(x[order], y[order], s=diam[order] ** 2, c=face[order], edgecolors=[_rgb(layers.STRIKE_COLOR)],
                   linewidths=_STRIKE_EDGE, zorder=5)
        for xi, yi, di, n in zip(x, y, diam, strikes["strikes"]):
            px, py = ax.transData.transform((xi, yi))
            plan.symbols.append((px * 72 / spec.dpi, H - py * 72 / spec.dpi, di / 2))
            if n >= 2:
                size = float(np.clip(di * 0.42, b * 0.75, b * 1.1))
                inside = di >= size * 1.6
                ax.annotate(str(int(n)), (xi, yi), xytext=(0, 0) if inside else (di / 2 + 1.5, di / 2 + 1.5),
                            textcoords="offset points", ha="center" if inside else "left",
                            va="center" if inside else "bottom", fontsize=size, weight="bold",
                            color="white" if inside else _INK, zorder=7, gid="count",
                            path_effects=[patheffects.withStroke(linewidth=2.2, foreground=_rgb(
                                layers.STRIKE_COLOR) if inside else "white")])
    if not plan.symbols:
        message = ("No strikes match these filters" if plan.sources[0].empty else
                   "No strike of these filters is drawn in this frame")
        ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=b * 1.5,
                weight="bold", color=_INK, zorder=8, gid="empty", wrap=False,
                bbox={"facecolor": "white", "edgecolor": "#888888", "boxstyle": "round,pad=0.5"})
    if "basemap" in show:
        _place_labels(page, ax, frame, plan, b, context)

    panel = _draw_panel(page, plan, lay.panel_x, lay.panel_y, lay.panel_w, b, probe=False, scale=sym,
                        routes_drawn=routes_drawn, locator=lay.locator, columns=lay.columns,
                        max_height=lay.max_height)
    plan.layout["panel"] = (lay.panel_x, lay.panel_y, lay.panel_x + lay.panel_w, lay.panel_y + panel["height"])
    return fig


def _deg_value(crs: str, key: str) -> float | None:
    for part in crs.split():
        if part.startswith(f"+{key}="):
            return float(part.split("=", 1)[1])
    return None


def _deg(crs: str, key: str, pos: str, neg: str) -> str:
    v = _deg_value(crs, key)
    return "" if v is None else f"{abs(v):g}°{pos if v >= 0 else neg}"


def _place_labels(page: _Page, ax, frame: Frame, plan: MapPlan, b: float,
                  context: list[tuple[float, float, float]]) -> None:
    """Country and sea names, most important first, each only where it covers no symbol or label."""
    labels = load_labels()
    span = frame.lonlat_box[2] - frame.lonlat_box[0]
    max_rank = 6.0 if span <= 25 else 4.0 if span <= 70 else 3.0 if span <= 200 else 2.0
    rows = labels[labels["rank"] <= max_rank]
    inside = frame.contains(rows["longitude"], rows["latitude"])
    rows = rows[inside]
    if rows.empty:
        return
    x, y = frame.project(rows["longitude"], rows["latitude"])
    taken = [(sx - r, sy - r, sx + r, sy + r) for sx, sy, r in plan.symbols + context]
    for c in ax.texts:  # count labels
        taken.append(page.extent_pt(c))
    mx0, my0, mx1, my1 = page.extent_pt(ax)
    order = np.argsort(rows["rank"].to_numpy(float) + np.where(rows["kind"].to_numpy() == "sea", -0.5, 0.0),
                       kind="stable")
    pad = 1.5
    for i in order:
        rec = rows.iloc[i]
        sea = rec["kind"] == "sea"
        size = b * (0.85 if sea else 0.72)
        t = ax.text(x[i], y[i], str(rec["name"]), ha="center", va="center", fontsize=size,
                    style="italic" if sea else "normal", color="#4a6f8a" if sea else "#6b6b6b", zorder=6,
                    gid="label", clip_on=True)
        # at the label point, else clear of a symbol sitting on it: below, above, then beside
        step = size * 0.6 + 10.0
        for dx, dy in ((0.0, 0.0), (0.0, -step), (0.0, step), (step * 2.5, 0.0), (-step * 2.5, 0.0)):
            t.set_transform(ax.transData + ScaledTranslation(dx / 72.0, dy / 72.0, page.fig.dpi_scale_trans))
            box = page.extent_pt(t)
            if not (box[0] < mx0 + pad or box[2] > mx1 - pad or box[1] < my0 + pad or box[3] > my1 - pad
                    or any(_overlap(box, o) for o in taken)):
                taken.append(box)
                break
        else:
            t.remove()


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _draw_panel(page: _Page, plan: MapPlan, x: float, y: float, width: float, b: float, *, probe: bool,
                columns: int = 1, max_height: float | None = None, scale: _Scale | None = None,
                routes_drawn: list | None = None, locator: bool = True) -> dict:
    """The key panel: counters, key, symbol-size key, scale bar and locator, in that order.

    The blocks flow down ``columns`` columns: a column ends where the next block would pass
    ``max_height`` (beside the map), or where the columns come out even (under it).
    Returns the panel's height and its artists.
    """
    if routes_drawn is None:
        routes_drawn = _route_segments(plan.frame, plan.routes) if plan.routes is not None else []
    if scale is None:
        scale = _symbol_scale(plan.strikes, 400, 400)
    blocks = _panel_blocks(plan, probe=probe, scale=scale, routes_drawn=routes_drawn, locator=locator)
    gutter = b * 1.5
    col_w = (width - gutter * (columns - 1)) / columns
    heights = []
    for block in blocks:
        trial: list = []
        heights.append(block(page, x, 0.0, col_w, b, trial))
        for a in trial:
            a.remove()
    limit = max_height if max_height else max(max(heights, default=0.0), sum(heights) / columns)
    cols: list[list[int]] = [[]]
    used = 0.0
    for i, h in enumerate(heights):
        if cols[-1] and used + h > limit + 0.5 and len(cols) < columns:
            cols.append([])
            used = 0.0
        cols[-1].append(i)
        used += h
    artists: list = []
    bottom = y
    for c, members in enumerate(cols):
        cy = y
        for i in members:
            cy = blocks[i](page, x + c * (col_w + gutter), cy, col_w, b, artists)
        bottom = max(bottom, cy)
    return {"height": bottom - y, "artists": artists}


def _panel_blocks(plan: MapPlan, *, probe: bool, scale: _Scale, routes_drawn: list, locator: bool) -> list:
    """The panel's blocks, each ``block(page, x, y, width, b, artists) -> y below it`` (points)."""
    def counters(page, x, y, width, b, artists):
        head = page.text(x, y, "In this view", b * 1.0, width=width, weight="bold", gid="panel")
        artists.append(head)
        ct = page.text(x, page.extent_pt(head)[3] + b * 0.3, _counter_lines(plan), b * 0.85, width=width,
                       gid="counters")
        artists.append(ct)
        return page.extent_pt(ct)[3] + b * 0.9

    def key(page, x, y, width, b, artists):
        handles = _legend_handles(plan, routes_drawn, scale, b)
        kt = page.text(x, y, "Key", b * 1.0, width=width, weight="bold", gid="panel")
        artists.append(kt)
        y = page.extent_pt(kt)[3] + b * 0.2
        for h in handles:
            h.set_label(page.wrap(h.get_label(), b * 0.8, width - b * 2.6))
        leg = page.fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(page.fx(x), page.fy(y)),
                              frameon=False, fontsize=b * 0.8, borderaxespad=0, borderpad=0, handlelength=1.6,
                              handletextpad=0.6, labelspacing=0.5, alignment="left")
        leg.set_gid("legend")
        artists.append(leg)
        return page.extent_pt(leg)[3] + b * 0.9

    def size_key(page, x, y, width, b, artists):
        deaths = plan.strikes["killed"] + plan.strikes["presumed_dead"]
        values = _size_key_values(float(deaths.max()))
        diam = [float(scale.diameter(v)) for v in values]
        st = page.text(x, y, "Deaths at a position (circle area)", b * 0.8, width=width, gid="panel")
        artists.append(st)
        y = page.extent_pt(st)[3] + b * 0.4
        # the reference circles side by side, bottom-aligned, drawn as the map draws strikes
        label_size = b * 0.72
        slots = [max(d, page.width_of(f"{v:g}", label_size)) for v, d in zip(values, diam)]
        gap = b * 0.9
        key_w = min(width, sum(slots) + gap * (len(slots) - 1) + 2)
        key_h = max(diam) + label_size * 1.5 + 2
        kax = page.fig.add_axes((page.fx(x), page.fy(y + key_h), key_w / page.w, key_h / page.h))
        kax.set_xlim(0, key_w)
        kax.set_ylim(0, key_h)
        kax.set_axis_off()
        kax.set_gid("sizekey")
        left, base = 1.0, label_size * 1.5
        for v, d, slot in zip(values, diam, slots):
            cx = left + slot / 2
            kax.add_patch(Circle((cx, base + d / 2), d / 2, facecolor=_STRIKE_FACE, edgecolor=_rgb(layers.STRIKE_COLOR),
                                 linewidth=_STRIKE_EDGE))
            kax.text(cx, 0, f"{v:g}", va="bottom", ha="center", fontsize=label_size, color=_INK)
            left += slot + gap
        artists.append(kax)
        note = page.text(x, y + key_h + b * 0.4, f"Smallest circles are drawn at least {scale.min_diameter:g} pt wide.",
                         b * 0.72, width=width, color=_MUTED, gid="panel")
        artists.append(note)
        return page.extent_pt(note)[3] + b * 0.9

    def scale_bar(page, x, y, width, b, artists):
        return _scale_bar(page, plan, x, y, width, b, artists, probe)

    def locator_map(page, x, y, width, b, artists):
        return _locator(page, plan, x, y, min(width, 260.0), b, artists, probe)

    blocks = [counters]
    if _legend_handles(plan, routes_drawn, scale, 10.0):
        blocks.append(key)
    strikes = plan.strikes
    if "strikes" in plan.spec.show and len(strikes) and (strikes["killed"] + strikes["presumed_dead"]).max() > 0:
        blocks.append(size_key)
    frame = plan.frame
    plan.scale_bar = None
    if not frame.world and frame.lat_span <= SCALE_BAR_MAX_LAT_SPAN:
        blocks.append(scale_bar)
    if locator and not frame.world and (frame.lonlat_box[2] - frame.lonlat_box[0]) < 100:
        blocks.append(locator_map)
    return blocks


def _scale_bar(page: _Page, plan: MapPlan, x: float, y: float, width: float, b: float, artists: list,
               probe: bool) -> float:
    """A scale bar true at the map's centre, where the projection has no distortion."""
    frame = plan.frame
    spec = plan.spec
    map_box = plan.layout.get("map") if not probe else None
    if map_box is None:  # before the map is placed, measure with the panel's own estimate
        W, H = spec.size_pt
        map_w = W * 0.7
    else:
        map_w = map_box[2] - map_box[0]
    m_per_pt = (frame.xlim[1] - frame.xlim[0]) / map_w
    cy = (frame.ylim[0] + frame.ylim[1]) / 2
    cx = (frame.xlim[0] + frame.xlim[1]) / 2
    lon, lat = frame.unproject([cx], [cy])
    max_len_pt = width * 0.75
    km = _nice(max_len_pt * m_per_pt / 1000.0)
    # the bar's length on the page: the geodesic distance along the centre line, measured by pyproj
    half = km * 1000.0 / 2
    lon1, lat1, _ = _GEOD.fwd(lon[0], lat[0], 270.0, half)
    lon2, lat2, _ = _GEOD.fwd(lon[0], lat[0], 90.0, half)
    xs, _ys = frame.project([lon1, lon2], [lat1, lat2])
    length_pt = float(abs(xs[1] - xs[0]) / m_per_pt)
    lat_txt = f"{abs(lat[0]):.0f}°{'N' if lat[0] >= 0 else 'S'}"
    st = page.text(x, y, f"Scale at the map's centre ({lat_txt})", b * 0.8, width=width, gid="panel")
    artists.append(st)
    y = page.extent_pt(st)[3] + b * 0.3
    bar_h = b * 1.6
    sax = page.fig.add_axes((page.fx(x), page.fy(y + bar_h), width / page.w, bar_h / page.h))
    sax.set_xlim(0, width)
    sax.set_ylim(0, bar_h)
    sax.set_axis_off()
    sax.set_gid("scalebar")
    sax.add_patch(Rectangle((1, bar_h - b * 0.45), length_pt / 2, b * 0.3, facecolor=_INK, edgecolor=_INK,
                            linewidth=0.5))
    sax.add_patch(Rectangle((1 + length_pt / 2, bar_h - b * 0.45), length_pt / 2, b * 0.3, facecolor="white",
                            edgecolor=_INK, linewidth=0.5))
    sax.text(1, 0, "0", fontsize=b * 0.72, ha="left", va="bottom", color=_INK)
    sax.text(1 + length_pt, 0, f"{km:,.0f} km", fontsize=b * 0.72, ha="right", va="bottom", color=_INK)
    artists.append(sax)
    if not probe:
        plan.scale_bar = (length_pt, km)
    return y + bar_h + b * 0.9


def _locator(page: _Page, plan: MapPlan, x: float, y: float, width: float, b: float, artists: list,
             probe: bool) -> float:
    """A small map of the hemisphere with the frame outlined."""
    frame = plan.frame
    w, s, e, n = frame.lonlat_box
    cx, cy = (w + e) / 2, (s + n) / 2
    half_w = max(e - w, 50.0) * 1.6
    box = (max(cx - half_w, -180.0), max(cy - half_w * 0.6, -80.0), min(cx + half_w, 180.0),
           min(cy + half_w * 0.6, 85.0))
    loc_w = width * 0.75
    loc_h = loc_w * (box[3] - box[1]) / ((box[2] - box[0]) * max(math.cos(math.radians(cy)), 0.3))
    loc_h = min(loc_h, loc_w)
    st = page.text(x, y, "Locator", b * 0.8, width=width, gid="panel")
    artists.append(st)
    y = page.extent_pt(st)[3] + b * 0.3
    lax = page.fig.add_axes((page.fx(x), page.fy(y + loc_h), loc_w / page.w, loc_h / page.h))
    lax.set_gid("locator")
    lax.set_xlim(box[0], box[2])
    lax.set_ylim(box[1], box[3])
    lax.set_facecolor(_rgb(layers.OCEAN_COLOR))
    lax.set_xticks([])
    lax.set_yticks([])
    for sp in lax.spines.values():
        sp.set_color("#888888")
    if not probe:
        lax.add_collection(PathCollection(_land_lonlat(box), facecolors=[_rgb(layers.LAND_COLOR)], linewidths=0))
    xs, ys = _box_outline((frame.xlim[0], frame.ylim[0], frame.xlim[1], frame.ylim[1]), 16)
    lon, lat = frame.unproject(xs, ys)
    lax.plot(lon, lat, color=_rgb(layers.STRIKE_COLOR), linewidth=1.0)
    lax.set_aspect("auto")
    artists.append(lax)
    return y + loc_h + b * 0.9


def render_map(incidents: pd.DataFrame, designations: pd.DataFrame, routes, spec: MapSpec) -> bytes:
    """The filtered records drawn as a publishable map: PNG, SVG or PDF bytes.

    Deterministic: the same inputs give the same SVG and PDF bytes.
    """
    plan = plan_map(incidents, designations, routes, spec)
    return render_plan(plan)


def render_plan(plan: MapPlan) -> bytes:
    """A planned map as PNG, SVG or PDF bytes."""
    spec = plan.spec
    with plt.rc_context(_STYLE):
        fig = draw_map(plan)
        out = io.BytesIO()
        metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}}[spec.fmt]
        fig.savefig(out, format=spec.fmt, dpi=spec.dpi, metadata=metadata)
        plt.close(fig)
    return out.getvalue()


def pixel_of(lon: float, lat: float, plan: MapPlan) -> tuple[float, float]:
    """Where (lon, lat) lands in the image of a drawn ``plan``: (x, y) pixels from the top left."""
    x0, y0, x1, y1 = plan.layout["map"]
    fx, fy = plan.frame.project([lon], [lat])
    px = x0 + (fx[0] - plan.frame.xlim[0]) / (plan.frame.xlim[1] - plan.frame.xlim[0]) * (x1 - x0)
    py = y0 + (plan.frame.ylim[1] - fy[0]) / (plan.frame.ylim[1] - plan.frame.ylim[0]) * (y1 - y0)
    k = plan.spec.dpi / 72.0
    return px * k, py * k


def describe(plan: MapPlan) -> dict:
    """What the manifest records of a map: size, extent, projection, layers and counters."""
    f = plan.frame
    return {
        "preset": plan.spec.preset,
        "width_px": plan.spec.width_px,
        "height_px": plan.spec.height_px,
        "dpi": plan.spec.dpi,
        "format": plan.spec.fmt,
        "extent_option": plan.spec.extent if isinstance(plan.spec.extent, str) else list(plan.spec.extent),
        "extent_lonlat": [round(v, 4) for v in f.lonlat_box],
        "requested_bounds": [round(v, 4) for v in f.bounds],
        "projection": f.crs,
        "layers": list(plan.spec.show),
        "counters": {c.key: {"value": c.value, "unit": c.unit, "definition": c.definition} for c in plan.counters},
        "notes": plan.notes,
    }


__all__ = [
    "PRESETS", "REGIONS", "MapSpec", "MapPlan", "Frame", "plan_map", "draw_map", "render_map", "render_plan",
    "pixel_of", "describe", "default_extent", "check_bounds", "check_spec", "title_for", "subtitle_for",
    "spec_for_preset",
]
