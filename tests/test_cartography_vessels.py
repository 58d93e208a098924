"""AIS vessel tracks and events on the static map: drawn where they are, in their colours, under the
strikes; a key of only what is drawn; counts in the footnote and counters that match the frame."""

from __future__ import annotations

import io
import itertools
import json
import zipfile

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from ais_planted import _near_misses, _planted, _write
from matplotlib.text import Text
from PIL import Image

from support import boxes_overlap, pt_box, view_of
from tracker import cartography, readers
from tracker.__main__ import main
from tracker.cartography import vessels as vessel_marks
from tracker.store import Store
from tracker.vessels.events import detect_events
from tracker.vessels.importing import import_positions
from tracker.vessels.reading import read_positions_frame
from tracker.vessels.types import GROUP_COLORS, GROUPS
from tracker.vessels.view import EVENT_COLORS, EVENT_KIND_LABELS, empty_layer, vessel_layer

GAP_MMSI = 100000001


@pytest.fixture(scope="module")
def bundle():
    return readers.read_bundle()


@pytest.fixture(scope="module")
def planted_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("ais") / "planted.csv"
    _write(_planted() + _near_misses(), path)
    return path


@pytest.fixture(scope="module")
def positions(planted_csv):
    frame, problems = read_positions_frame(planted_csv, file="x.csv")
    assert problems == []
    # the encounter pair are tankers: two vessel groups on the map (cargo and tanker)
    frame["vessel_type"] = np.where(frame["mmsi"].isin([200000001, 200000002]), "80", frame["vessel_type"])
    return frame


@pytest.fixture(scope="module")
def events(positions):
    return detect_events(positions)


@pytest.fixture(scope="module")
def layer(positions, events):
    out = vessel_layer(positions, events)
    assert not out.empty and set(out.tracks["group"]) == {"cargo", "tanker"}
    assert set(out.events["kind"]) == set(EVENT_KIND_LABELS)
    return out


def _spec(bundle, f, preset="screen", **kw):
    return cartography.spec_for_preset(
        preset, filters=f, data_as_of=bundle.as_of.date(), coverage_note=bundle.coverage_note, **kw
    )


def _drawn(plan):
    with plt.rc_context(cartography._STYLE):
        fig = cartography.draw_map(plan)
        fig.canvas.draw()
    return fig


def _legend_texts(fig) -> list[str]:
    return [" ".join(t.get_text().split()) for leg in fig.legends for t in leg.get_texts()]


def _footer(fig) -> str:
    return " ".join(next(t for t in fig.texts if t.get_gid() == "footer").get_text().split())


# -- the key -----------------------------------------------------------------------------------


def test_the_key_lists_each_vessel_group_and_event_kind_drawn_and_nothing_else(bundle, layer):
    f, inc, des, rts = view_of(bundle)
    fig = _drawn(cartography.plan_map(inc, des, rts, _spec(bundle, f), vessels=layer))
    texts = _legend_texts(fig)
    tracks = [t for t in texts if t.startswith("Vessel track:")]
    assert tracks == ["Vessel track: tanker", "Vessel track: cargo"]  # in the groups' order
    for kind, label in EVENT_KIND_LABELS.items():
        assert texts.count(label) == 1, kind
    for group in set(GROUPS) - {"cargo", "tanker"}:
        assert f"Vessel track: {group}" not in texts
    # the strikes' key is still there
    assert "Strike position (area: deaths)" in texts
    plt.close(fig)


def test_kinds_and_groups_not_drawn_are_not_in_the_key(bundle, layer):
    f, inc, des, rts = view_of(bundle)
    some = type(layer)(
        layer.tracks[layer.tracks["group"] == "cargo"],
        layer.events[~layer.events["kind"].isin(["jump", "identity"])],
        layer.vessels,
        layer.positions,
    )
    fig = _drawn(cartography.plan_map(inc, des, rts, _spec(bundle, f), vessels=some))
    texts = _legend_texts(fig)
    assert "Vessel track: cargo" in texts and "Vessel track: tanker" not in texts
    assert EVENT_KIND_LABELS["jump"] not in texts and EVENT_KIND_LABELS["identity"] not in texts
    assert EVENT_KIND_LABELS["gap"] in texts and EVENT_KIND_LABELS["encounter"] in texts
    plt.close(fig)


def test_a_frame_that_leaves_events_out_leaves_them_out_of_the_key_counters_and_footnote(bundle, layer):
    f, inc, des, rts = view_of(bundle)
    # east of the gap (95°W) and north of the jump (5°N); the loitering (88°W 11°N) and encounter stay in
    spec = _spec(bundle, f, extent=(-89.0, 9.5, -72.0, 20.0))
    plan = cartography.plan_map(inc, des, rts, spec, vessels=layer)
    fig = _drawn(plan)
    ev = layer.events
    inside = ev[plan.frame.contains(ev["lon"], ev["lat"])]
    assert set(inside["kind"]) >= {"encounter", "loitering"} and not {"gap", "jump"} & set(inside["kind"])
    texts = _legend_texts(fig)
    assert EVENT_KIND_LABELS["gap"] not in texts and EVENT_KIND_LABELS["jump"] not in texts
    assert EVENT_KIND_LABELS["encounter"] in texts
    counters = {c.key: c.value for c in plan.counters}
    assert counters["vessel_events_in_frame"] == len(inside)
    # the vessels with a track in the frame: some vertex of theirs lies inside it
    in_frame = {
        int(m)
        for m, path in zip(layer.tracks["mmsi"], layer.tracks["path"])
        if plan.frame.contains(np.asarray(path)[:, 0], np.asarray(path)[:, 1]).any()
    }
    assert counters["vessels_in_frame"] == len(in_frame) < layer.vessels
    foot = _footer(fig)
    assert f"{len(in_frame)} of {layer.vessels} vessel(s) have a track in this frame" in foot
    assert f"with {len(inside)} of {len(ev)} behaviour event(s)" in foot
    assert "gap" not in foot.split("behaviour event(s)")[1].split(";")[0]
    plt.close(fig)


# -- where and how they are drawn ----------------------------------------------------------------


def _png_of(plan) -> tuple[np.ndarray, plt.Figure]:
    fig = _drawn(plan)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=plan.spec.dpi)
    return np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("RGB"), dtype=float), fig


@pytest.mark.parametrize("preset", ["screen", "a4-landscape"])
def test_the_gap_is_a_hollow_orange_circle_where_the_projection_puts_it(bundle, layer, preset):
    f, inc, des, rts = view_of(bundle)
    plan = cartography.plan_map(inc, des, rts, _spec(bundle, f, preset), vessels=layer)
    img, fig = _png_of(plan)
    gap = layer.events[(layer.events["kind"] == "gap") & (layer.events["mmsi"] == GAP_MMSI)].iloc[0]
    cx, cy = cartography.pixel_of(gap["lon"], gap["lat"], plan)
    marker = next(c for c in fig.axes[0].collections if c.get_gid() == "vessel-event-gap")
    r_px = np.sqrt(marker.get_sizes()[0]) / 2 * plan.spec.dpi / 72
    orange = np.array(EVENT_COLORS["gap"], float)
    # on the circle's stroke, nearly all the way round, the pixels are the event's orange
    angles = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    # (the stroke is a pixel or two wide on screen: the nearest pixel across it counts)
    ring = [
        min(
            np.abs(
                img[int(round(cy + (r_px + dr) * np.sin(a))), int(round(cx + (r_px + dr) * np.cos(a)))] - orange
            ).max()
            for dr in (-1.0, 0.0, 1.0)
        )
        for a in angles
    ]
    hits = sum(d < 60 for d in ring)
    assert hits >= 0.8 * len(ring), f"{hits} of {len(ring)} ring pixels are orange at {preset}"
    # and hollow: its centre is not
    assert np.abs(img[int(round(cy)), int(round(cx))] - orange).max() > 60
    plt.close(fig)


def test_tracks_lie_under_the_strikes_and_the_events_over_them(bundle, layer):
    f, inc, des, rts = view_of(bundle)
    fig = _drawn(cartography.plan_map(inc, des, rts, _spec(bundle, f), vessels=layer))
    ax = fig.axes[0]
    z = {c.get_gid(): c.get_zorder() for c in ax.collections if c.get_gid()}
    tracks = next(c for c in ax.collections if c.get_gid() == "vessel-tracks")
    strikes_z = max(c.get_zorder() for c in ax.collections if c.get_gid() is None)
    # small event markers over the strike circles (a big circle would hide them), tracks under everything
    assert z["vessel-tracks"] < strikes_z < min(z[f"vessel-event-{k}"] for k in EVENT_KIND_LABELS)
    # thin lines in the groups' colours
    assert set(np.round(tracks.get_linewidths(), 2)) <= {round(vessel_marks.TRACK_WIDTH, 2)}
    assert 0.6 <= vessel_marks.TRACK_WIDTH <= 0.8
    colors = {tuple(np.round(c[:3] * 255).astype(int)) for c in tracks.get_colors()}
    assert colors == {tuple(GROUP_COLORS["cargo"]), tuple(GROUP_COLORS["tanker"])}
    assert tracks.get_clip_on() and tracks.get_clip_box() is not None
    plt.close(fig)


@pytest.mark.parametrize("preset", ["screen", "a4-landscape"])
def test_with_vessels_nothing_is_cut_or_covered_and_type_stays_legible(bundle, layer, preset):
    f, inc, des, rts = view_of(bundle)
    spec = _spec(bundle, f, preset)
    plan = cartography.plan_map(inc, des, rts, spec, vessels=layer)
    fig = _drawn(plan)
    W, H = spec.size_pt
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    for t in texts:
        x0, y0, x1, y1 = pt_box(fig, t, spec.dpi)
        assert x0 >= 0 and y0 >= 0 and x1 <= W and y1 <= H, f"{t.get_text()[:40]!r} is cut at {preset}"
        assert t.get_fontsize() >= 5.4 and t.get_fontsize() * spec.dpi / 72 >= 9
    for a, b in itertools.combinations(["header", "map", "panel", "footer"], 2):
        assert not boxes_overlap(plan.layout[a], plan.layout[b]), f"{a} overlaps {b} at {preset}"
    vessel_legend = next(leg for leg in fig.legends if leg.get_gid() == "vessel-legend")
    assert boxes_overlap(pt_box(fig, vessel_legend, spec.dpi), plan.layout["panel"])
    px0, py0, px1, py1 = plan.layout["panel"]
    x0, y0, x1, y1 = pt_box(fig, vessel_legend, spec.dpi)
    assert px0 - 1 <= x0 and x1 <= px1 + 1 and py0 - 1 <= y0 and y1 <= py1 + 1
    # the map keeps most of the page: the key does not push it into a strip
    mx0, my0, mx1, my1 = plan.layout["map"]
    assert (mx1 - mx0) * (my1 - my0) >= 0.35 * W * H
    plt.close(fig)


# -- without vessels, as before ------------------------------------------------------------------


def test_no_vessel_layer_or_an_empty_one_draws_the_map_as_before(bundle):
    f, inc, des, rts = view_of(bundle)
    spec = _spec(bundle, f, fmt="svg")
    before = cartography.render_map(inc, des, rts, spec)
    assert cartography.render_map(inc, des, rts, spec, vessels=empty_layer()) == before
    assert cartography.render_map(inc, des, rts, spec, vessels=None) == before
    plan = cartography.plan_map(inc, des, rts, spec, vessels=empty_layer())
    assert plan.vessel_tracks is None and "vessels_in_frame" not in {c.key for c in plan.counters}
    assert cartography.describe(plan)["layers"] == list(cartography.layers.LAYER_NAMES)


# -- counts, extent and the manifest -----------------------------------------------------------


def test_the_footnote_and_counters_state_the_vessels_in_view(bundle, layer):
    f, inc, des, rts = view_of(bundle)
    plan = cartography.plan_map(inc, des, rts, _spec(bundle, f), vessels=layer)
    fig = _drawn(plan)
    foot = _footer(fig)
    kinds = layer.events["kind"].value_counts()
    assert f"{layer.vessels} of {layer.vessels} vessel(s) have a track in this frame" in foot
    assert f"({len(layer.tracks)} track piece(s))" in foot
    assert f"with {len(layer.events)} of {len(layer.events)} behaviour event(s)" in foot
    for kind, n in kinds.items():
        assert f"{n} {kind}" in foot
    assert f"from {layer.positions} AIS positions" in foot
    counters = next(t for t in fig.texts if t.get_gid() == "counters").get_text()
    assert f"Vessels (AIS): {layer.vessels} vessels with a track in frame" in " ".join(counters.split())
    assert f"Vessel events: {len(layer.events)} events in frame" in counters
    info = cartography.describe(plan)
    assert info["layers"][-1] == "vessels" and info["counters"]["vessel_events_in_frame"]["value"] == len(layer.events)
    plt.close(fig)


def test_with_no_strikes_the_fitted_frame_holds_the_tracks_and_events(bundle, layer):
    f, inc, des, rts = view_of(bundle)
    spec = _spec(bundle, f, extent="fit")
    plan = cartography.plan_map(inc.iloc[0:0], des, rts, spec, vessels=layer)
    ev = layer.events
    assert plan.frame.contains(ev["lon"], ev["lat"]).all()
    path = np.concatenate([np.asarray(p) for p in layer.tracks["path"]])
    assert plan.frame.contains(path[:, 0], path[:, 1]).all()
    w, s, e, n = plan.frame.bounds
    assert w > -100 and e < -70 and s > 0 and n < 22  # fitted to the planted vessels, not the strike theatre
    # without vessels, an empty view still gets the theatre
    empty = cartography.plan_map(inc.iloc[0:0], des, rts, spec)
    assert empty.frame.bounds == cartography.frame.THEATRE
    fig = _drawn(plan)
    message = next(t for t in fig.axes[0].texts if t.get_gid() == "empty")
    assert message.get_text() == "No strikes match these filters"
    assert message.get_va() == "top"  # kept to the top of the frame, off the tracks in its middle
    plt.close(fig)


def test_the_evidence_pack_holds_the_events_drawn_with_their_times(bundle, layer):
    from tracker import export

    f, inc, des, rts = view_of(bundle)
    plan = cartography.plan_map(inc, des, rts, _spec(bundle, f), vessels=layer)
    image = cartography.render_plan(plan)
    pack = export.evidence_pack(
        image=image, plan=plan, incidents=inc, designations=des, routes=rts, batches=pd.DataFrame()
    )
    with zipfile.ZipFile(io.BytesIO(pack)) as z:
        events = pd.read_csv(io.BytesIO(z.read("vessel_events.csv")), encoding="utf-8-sig")
        manifest = json.loads(z.read("manifest.json"))
    assert len(events) == len(layer.events) and set(events["kind"]) == set(EVENT_KIND_LABELS)
    assert events["start"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$").all()
    assert {"latitude", "longitude"} <= set(events.columns)  # named as `python -m tracker events` names them
    assert "vessels" in manifest["map"]["layers"]


# -- the command line --------------------------------------------------------------------------


def test_the_command_line_draws_the_stored_vessels_unless_layers_leaves_them_out(tmp_path, planted_csv, capsys):
    store = Store(tmp_path / "s.db")
    import_positions(planted_csv, store, file_name="planted.csv")
    base = ["export", "--db", str(tmp_path / "s.db"), "--since", "2024-03-01", "--format", "zip"]
    assert main([*base, "--out", str(tmp_path / "all.zip")]) == 0
    out = capsys.readouterr().out
    assert "vessel(s) with a track and 6 vessel event(s) in the frame" in out
    with zipfile.ZipFile(tmp_path / "all.zip") as z:
        manifest = json.loads(z.read("manifest.json"))
    assert "vessels" in manifest["map"]["layers"]
    assert manifest["map"]["counters"]["vessel_events_in_frame"]["value"] == 6
    assert main([*base, "--layers", "basemap,strikes", "--out", str(tmp_path / "none.zip")]) == 0
    assert "vessel" not in capsys.readouterr().out
    with zipfile.ZipFile(tmp_path / "none.zip") as z:
        assert "vessel_events.csv" not in z.namelist()
        assert "vessels" not in json.loads(z.read("manifest.json"))["map"]["layers"]
    assert main([*base, "--layers", "basemap,vessels", "--out", str(tmp_path / "some.zip")]) == 0
    assert "6 vessel event(s) in the frame" in capsys.readouterr().out
    # an unknown name is still refused, and the message names the vessel layer among the choices
    assert main([*base, "--layers", "boats", "--out", str(tmp_path / "x.zip")]) == 2
    assert "vessels" in capsys.readouterr().err
