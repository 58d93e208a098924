"""Paths and helpers shared by the test modules (fixtures live in conftest.py)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference"
FIXTURES = ROOT / "tests" / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """The bytes of tests/fixtures/<name>, e.g. 'bad/lat_lon_swapped.csv'."""
    return (FIXTURES / name).read_bytes()


def synthetic_incidents(n: int, seed: int = 0):
    """``n`` varied canonical incident rows: mixed event types, regions, precisions, missing
    figures and dates, mixed-case text in several columns, a few unplaced rows."""
    import numpy as np
    import pandas as pd

    from tracker import schema

    rng = np.random.default_rng(seed)

    def pick(values, p=None):
        return np.asarray(values, dtype=object)[rng.choice(len(values), n, p=p)]

    def maybe_missing(values, share):
        out = values.astype(object)
        out[rng.random(n) < share] = None
        return out

    lat = rng.uniform(-3, 28, n)
    lon = rng.uniform(-118, -58, n)
    unplaced = rng.random(n) < 0.02
    lat[unplaced], lon[unplaced] = np.nan, np.nan
    dates = pd.Timestamp("2025-08-01") + pd.to_timedelta(rng.integers(0, 480, n), unit="D")
    dates = dates.where(rng.random(n) > 0.01)
    precision = pick(["exact", "approximate", "area"], [0.4, 0.4, 0.2])
    frame = pd.DataFrame(
        {
            "incident_id": np.char.add("T-", np.arange(n).astype(str)),
            "date": dates,
            "region": pick(["Caribbean", "Eastern Pacific", "Unknown"], [0.45, 0.45, 0.1]),
            "event_type": pick(list(schema.EVENT_TYPES)),
            "latitude": lat.round(3),
            "longitude": lon.round(3),
            "location_precision": precision,
            "radius_km": np.where(precision == "exact", 0.0, pick([10.0, 25.0, 120.0])),
            "location_text": pick(["80 nm south of Beata Island", "Eastern Pacific", "off SUCRE", ""]),
            "affiliation": pick(["Tren de Aragua", "ELN", "not stated", ""]),
            "affiliation_text": pick(["Tren de Aragua (TdA)", "ELN guerrillas", ""]),
            "vessel_type": pick(["go-fast boat", "Semi-submersible", ""]),
            "announced_by": pick(["Hegseth", "SOUTHCOM", ""]),
            "notes": pick(["second strike on survivors", "No survivors", ""]),
            "strikes": maybe_missing(rng.integers(1, 4, n), 0.02),
            "vessels": maybe_missing(rng.integers(1, 3, n), 0.02),
            "killed": maybe_missing(rng.integers(0, 7, n), 0.05),
            "survivors": maybe_missing(rng.integers(0, 3, n), 0.3),
            "presumed_dead": maybe_missing(rng.integers(0, 2, n), 0.5),
            "source_urls": "https://example.org/report",
        }
    )
    return schema.canonicalise("incidents", frame)


def view_of(bundle, filters=None):
    """(filters, incidents, designations, routes) of the bundle under ``filters`` (default: none)."""
    from tracker.filters import Filters

    f = filters or Filters()
    return (
        f,
        f.apply_incidents(bundle.incidents),
        f.apply_designations(bundle.designations),
        f.apply_routes(bundle.routes),
    )


def pt_box(fig, artist, dpi):
    """An artist's box on the page in points from the top left: (x0, y0, x1, y1)."""
    bb = artist.get_window_extent(fig.canvas.get_renderer())
    k = 72.0 / dpi
    return bb.x0 * k, (fig.bbox.height - bb.y1) * k, bb.x1 * k, (fig.bbox.height - bb.y0) * k


def boxes_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def pick_incident(at, incident_id: str):
    """Select the Incidents table's row of ``incident_id`` (as a click would) and rerun the page."""
    table = at.dataframe[0].value
    at.session_state["incident_table"] = {
        "selection": {"rows": [list(table["incident_id"]).index(incident_id)], "columns": [], "cells": []}
    }
    return at.run()
