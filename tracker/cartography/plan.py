"""What a map shows: the spec (size, extent, layers, filters), the plan of the records in
its frame, the counters and notes of them, and the manifest's description of the map.

Sizes are pixels at a dpi (:attr:`MapSpec.size_pt` gives points); records come in as the
filtered canonical frames in EPSG:4326 longitude/latitude; dates are inclusive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tracker import layers, metrics
from tracker import reports as report_table
from tracker.basemap import BASEMAP_PATH
from tracker.cartography import vessels as vessel_marks
from tracker.cartography.frame import (
    EXTENT_CHOICES,
    Frame,
    MapOptionError,
    _to_map,
    check_bounds,
    make_frame,
    resolve_bounds,
)
from tracker.errors import check_option
from tracker.filters import Filters
from tracker.gazetteer import load_gazetteer

if TYPE_CHECKING:
    from tracker.vessels.view import VesselLayer

PRESETS: dict[str, tuple[int, int, int]] = {
    "screen": (1920, 1080, 96),
    "a4-landscape": (3508, 2480, 300),
    "square": (1080, 1080, 96),
}
"""name -> (width px, height px, dpi)."""

MAP_LAYER_NAMES = layers.LAYER_NAMES + (vessel_marks.VESSELS,)
"""The layers a map spec may name: the browser map's, and the AIS vessel tracks and events (drawn when a
vessel layer is given to :func:`plan_map`)."""
IMAGE_FORMATS = ("png", "svg", "pdf")
MIN_SIZE_PT = (288.0, 216.0)
"""The smallest page that holds a legible map: 4 × 3 inches."""


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


def spec_for_preset(preset: str, **options: Any) -> MapSpec:
    """A :class:`MapSpec` of one of :data:`PRESETS`; ``options`` set the other fields."""
    check_option("preset", preset, tuple(PRESETS))
    w, h, dpi = PRESETS[preset]
    return MapSpec(width_px=w, height_px=h, dpi=dpi, preset=preset, **options)


def check_spec(spec: MapSpec) -> None:
    """Refuse a spec that cannot make a legible map, naming the option and why."""
    check_option("fmt", spec.fmt, IMAGE_FORMATS)
    for name in spec.show:
        check_option("layer", name, MAP_LAYER_NAMES)
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
            f"(e.g. {int(4 * spec.dpi)}×{int(3 * spec.dpi)} px at {spec.dpi} dpi)"
        )
    spec.filters.date_range(spec.data_as_of)


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
    sources: tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame | None] | tuple[()] = ()
    """The filtered frames the plan selected from (to select again for the final frame)."""
    rows: np.ndarray | None = None
    """Which rows of the source incidents are in view (``incidents`` holds a copy of them)."""
    vessel_source: VesselLayer | None = None
    """The AIS vessel layer the plan selected from (None: no vessels drawn)."""
    vessel_tracks: pd.DataFrame | None = None
    """The vessel track pieces with a part inside the frame (None: no vessels drawn)."""
    vessel_events: pd.DataFrame | None = None
    """The vessel behaviour events placed inside the frame (None: no vessels drawn)."""
    reports: pd.DataFrame | None = None
    """What other sources reported about the strikes (:mod:`tracker.reports`), when given to
    :func:`plan_map`: the counters then carry the reported ranges of the strikes in the frame."""


def title_for(filters: Filters) -> str:
    """The default title: the strikes, in the chosen region when there is one."""
    named = [f"the {r}" for r in filters.regions if r != "Unknown"]
    if "Unknown" in filters.regions:
        named.append("waters not stated")
    where = f" in {' and '.join(named)}" if named else ""
    return f"U.S. strikes on alleged drug boats{where}"


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def subtitle_for(
    filters: Filters,
    date_range: tuple[dt.date | None, dt.date],
    show: tuple[str, ...] = layers.LAYER_NAMES,
    *,
    cell_km: float = 0.0,
) -> str:
    """Dates and what the symbols mean, e.g. '2 Sep 2025 – 4 Oct 2026 · red circles mark ...';
    with ``cell_km``, the circles are grid cells of strikes of about that size."""
    start, end = date_range
    span = f"{_day(start)} – {_day(end)}" if start else f"up to {_day(end)}"
    if "strikes" not in show:
        return span
    if cell_km:
        return (
            f"{span} · red circles mark grid cells of about {cell_km:g} km holding strikes; circle area is "
            "proportional to the deaths in the cell (announced + presumed dead); numbers count its strike engagements"
        )
    return (
        f"{span} · red circles mark where strikes were placed; circle area is proportional to deaths "
        "(announced + presumed dead); numbers count strike engagements sharing a position"
    )


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
    return {
        (round(float(x), 3), round(float(y), 3)): str(n)
        for x, y, n in zip(seas["longitude"], seas["latitude"], seas["name"])
    }


MAX_SYMBOLS = 1500
"""The most strike symbols a map draws: above it, strikes are grouped in grid cells."""
CELLS_ACROSS = 100
"""Grid cells are at least 1/100 of the frame's width (about 5 pt on an A4 map)."""

_PROJECTED: dict[tuple[int, str], tuple[pd.DataFrame, np.ndarray, np.ndarray]] = {}


def _projected(incidents: pd.DataFrame, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """The incidents' positions in ``crs`` (metres; NaN where there is none), projected once per
    frame of records and projection while a map is planned and its frame settled."""
    key = (id(incidents), crs)
    hit = _PROJECTED.get(key)
    if hit is not None and hit[0] is incidents:
        return hit[1], hit[2]
    lon = incidents["longitude"].to_numpy(dtype=float, na_value=np.nan)
    lat = incidents["latitude"].to_numpy(dtype=float, na_value=np.nan)
    x, y = _to_map(crs).transform(lon, lat)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    while len(_PROJECTED) >= 2:
        _PROJECTED.pop(next(iter(_PROJECTED)))
    _PROJECTED[key] = (incidents, x, y)
    return x, y


_SYMBOLS: dict[tuple[int, bytes, int], tuple[pd.DataFrame, pd.DataFrame]] = {}


def _strike_symbols(incidents: pd.DataFrame, drawn: np.ndarray, min_cell_km: float) -> pd.DataFrame:
    """The strike symbols of the ``drawn`` rows, grouped in cells at the map's scale when there are
    many: made again only when the rows, or the smallest grid cell the scale allows, change
    while the frame is settled."""
    rung = sum(1 for c in layers.CELL_LADDER_KM if c < min_cell_km)
    key = (id(incidents), hashlib.blake2b(np.packbits(drawn).tobytes(), digest_size=16).digest(), rung)
    hit = _SYMBOLS.get(key)
    if hit is not None and hit[0] is incidents:
        return hit[1].copy()
    strikes = layers.aggregate_strikes(incidents, rows=drawn, max_points=MAX_SYMBOLS, min_cell_km=min_cell_km)
    while len(_SYMBOLS) >= 2:
        _SYMBOLS.pop(next(iter(_SYMBOLS)))
    _SYMBOLS[key] = (incidents, strikes)
    return strikes.copy()


def _cell_notes(strikes: pd.DataFrame, cell: float) -> list[str]:
    return [
        f"Too many strike positions to draw one by one: strikes are grouped in grid cells of about {cell:g} km "
        f"({len(strikes):,} cells drawn). Each circle sits at its cell's centre, its area in proportion to the "
        "deaths in the cell; its ring reaches every record's possible position."
    ]


def _stack_notes(strikes: pd.DataFrame, limit: int = 4) -> list[str]:
    stacked = strikes[strikes["strikes"] >= 2].sort_values("strikes", ascending=False)
    if stacked.empty:
        return []
    names = _place_names()
    parts = []
    for rec in stacked.head(limit).to_dict("records"):
        name = names.get((round(rec["longitude"], 3), round(rec["latitude"], 3)))
        where = (
            f"the representative point of “{name}”"
            if name and rec["precision"] == "area"
            else f"{abs(rec['latitude']):.2f}°{'N' if rec['latitude'] >= 0 else 'S'} "
            f"{abs(rec['longitude']):.2f}°{'W' if rec['longitude'] < 0 else 'E'}"
        )
        parts.append(f"{rec['strikes']} strikes placed at {where}")
    more = len(stacked) - limit
    tail = f"; {more} more shared position(s)" if more > 0 else ""
    return ["Shared positions: " + "; ".join(parts) + tail + "."]


def plan_map(
    incidents: pd.DataFrame,
    designations: pd.DataFrame,
    routes: gpd.GeoDataFrame | None,
    spec: MapSpec,
    *,
    aspect: float | None = None,
    vessels: VesselLayer | None = None,
    reports: pd.DataFrame | None = None,
) -> MapPlan:
    """Which records are in the frame and what the counters say about them.

    ``incidents``, ``designations`` and ``routes`` are the filtered canonical frames.
    Strikes count when placed inside the frame or not placed at all (counted, never
    drawn); designations when dated within the date range and placed inside the frame;
    routes (undated) when their line crosses the frame.  ``vessels``, the AIS tracks and
    events of the view, are drawn when given and not empty: tracks when some part of them
    crosses the frame, events when placed inside it; a fitted frame with no strike to fit
    fits them instead.  ``reports`` (:mod:`tracker.reports`), when given, put the range
    across other sources beside the announced deaths, vessels and presumed dead of the
    strikes in the frame, with a note saying so; the announced figures stay the counts.
    """
    check_spec(spec)
    date_range = spec.filters.date_range(spec.data_as_of)
    if vessels is not None and vessels.empty:
        vessels = None
    bounds = resolve_bounds(spec, incidents, vessel_marks.lonlat_of(vessels) if vessels is not None else None)
    frame = make_frame(bounds, aspect or spec.width_px / spec.height_px)
    return _select(incidents, designations, routes, spec, frame, date_range, vessels=vessels, reports=reports)


def _select(
    incidents: pd.DataFrame,
    designations: pd.DataFrame,
    routes: gpd.GeoDataFrame | None,
    spec: MapSpec,
    frame: Frame,
    date_range: tuple[dt.date | None, dt.date],
    *,
    materialise: bool = True,
    vessels: VesselLayer | None = None,
    reports: pd.DataFrame | None = None,
) -> MapPlan:
    """The records in ``frame`` and the counters of them (see :func:`plan_map`).

    Without ``materialise`` the plan's ``incidents`` is left empty (its counters, strikes and
    notes are complete): the frame is being settled and the rows are copied once at the end.
    """
    show = set(spec.show)
    x, y = _projected(incidents, frame.crs)
    placed = np.isfinite(incidents["longitude"].to_numpy(dtype=float, na_value=np.nan)) & np.isfinite(
        incidents["latitude"].to_numpy(dtype=float, na_value=np.nan)
    )
    inside = placed & frame.contains_xy(x, y)
    # records with no position belong to the filtered view, not to a place: they count on a map
    # whose frame follows the filters, and on a map of a chosen extent they are only noted
    follows_filters = spec.extent in ("auto", "fit")
    rows = inside | (~placed & follows_filters)
    outside = int((placed & ~inside).sum())
    unplaced = int((~placed).sum())

    des_view = designations.iloc[0:0]
    if "designations" in show:
        des = designations[in_date_range(designations["designation_date"], date_range)]
        des_placed = des["latitude"].notna()
        des_inside = pd.Series(False, index=des.index)
        if des_placed.any():
            des_inside[des_placed] = frame.contains(des.loc[des_placed, "longitude"], des.loc[des_placed, "latitude"])
        des_view = des[des_inside]
    rts = None
    if "routes" in show and routes is not None and len(routes):
        rts = routes[_route_in_frame(routes, frame).to_numpy()]

    as_of = date_range[1]
    counters = metrics.incident_counters(incidents, as_of=as_of, rows=rows)
    if reports is not None:
        counters = metrics.with_reported_ranges(counters, incidents.loc[rows, _RANGE_COLUMNS], reports)
    if "designations" in show:
        counters.append(
            metrics.Counter(
                "designations_in_frame",
                "Designations",
                metrics.count_designations(des_view),
                "listings in frame",
                "Sanctions or terrorist listings dated within the date range and placed inside the map frame "
                "(country- and area-level placements count where their point falls); undated actions and "
                "non-listing actions are left out.",
                as_of,
            )
        )
    if "routes" in show:
        counters.append(
            metrics.Counter(
                "routes_in_frame",
                "Routes",
                0 if rts is None else len(rts),
                "crossing the frame",
                "Routes of the chosen types whose line crosses the map frame; routes carry no dates, so the date "
                "range does not apply to them.",
                as_of,
            )
        )

    drawn = rows if ({"strikes", "rings"} & show) else np.zeros(len(incidents), dtype=bool)
    frame_km = (frame.xlim[1] - frame.xlim[0]) / 1000.0
    strikes = _strike_symbols(incidents, drawn, frame_km / CELLS_ACROSS)
    cell = float(strikes["cell_km"].iloc[0]) if len(strikes) else 0.0
    notes = (_cell_notes(strikes, cell) if cell else _stack_notes(strikes)) if "strikes" in show else []
    if unplaced:
        notes.append(
            f"{unplaced} strike record(s) with no usable position are "
            + ("counted but not drawn." if follows_filters else "neither drawn nor counted in this frame.")
        )
    if outside:
        notes.append(f"{outside} strike record(s) placed outside this frame are not drawn or counted.")
    no_figure = int((rows & incidents["killed"].isna().to_numpy()).sum())
    if no_figure:
        notes.append(f"{no_figure} strike record(s) in view have no death figure: they add nothing to deaths.")
    if reports is not None and (note := _reports_note(counters, reports)):
        notes.append(note)
    vessel_tracks = vessel_events = None
    if vessels is not None:
        vessel_tracks, vessel_events = vessel_marks.select(vessels, frame)
        counters.extend(vessel_marks.counters(vessel_tracks, vessel_events, as_of))
        notes.append(vessel_marks.note(vessels, vessel_tracks, vessel_events))
    return MapPlan(
        spec=spec,
        frame=frame,
        incidents=incidents[rows] if materialise else incidents.iloc[0:0],
        designations=des_view,
        routes=rts,
        strikes=strikes,
        counters=counters,
        notes=notes,
        date_range=date_range,
        sources=(incidents, designations, routes),
        rows=rows,
        vessel_source=vessels,
        vessel_tracks=vessel_tracks,
        vessel_events=vessel_events,
        reports=reports,
    )


_RANGE_COLUMNS = ["incident_id", *dict.fromkeys(metrics.RANGED.values())]
"""The incident columns the reported ranges read."""


def _reports_note(counters: list[metrics.Counter], reports: pd.DataFrame) -> str:
    """The note on reported ranges (when a counter shows one) and on possible unannounced strikes
    (when sources report any), or ""."""
    parts = []
    if any(c.reported for c in counters):
        parts.append(
            "Reported ranges: other sources' figures for the strikes in this frame (independent trackers, "
            "victims' governments, families, press); the announced figures are the counts."
        )
    if n := len(report_table.unannounced(reports)):
        parts.append(f"{n} possible unannounced strike(s) reported elsewhere are not counted.")
    return " ".join(parts)


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
        "layers": [n for n in plan.spec.show if n != vessel_marks.VESSELS]
        + ([vessel_marks.VESSELS] if plan.vessel_tracks is not None else []),
        "counters": {
            c.key: {"value": c.value, "unit": c.unit, "definition": c.definition, "reported": c.reported}
            for c in plan.counters
        },
        "notes": plan.notes,
    }
