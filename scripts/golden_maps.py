"""Render the default export of the bundled data at each preset and store it as a golden image.

    python3 scripts/golden_maps.py          # rewrite tests/golden/map-<preset>.png
    python3 scripts/golden_maps.py --check  # compare only; exit 1 when one differs

The golden images are the full renders scaled down to 640 px wide (Lanczos), so the
repository stays small while a moved panel, a lost strike or a changed colour still
shows.  Run it after a deliberate change to the map's look, open the images, and
commit them with the change.  tests/test_cartography.py compares against them.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker import cartography, readers  # noqa: E402
from tracker.filters import Filters  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"
WIDTH = 640


def render_preset(preset: str) -> Image.Image:
    """The default export of the bundled data at ``preset``, scaled to the golden width."""
    b = readers.read_bundle()
    f = Filters()
    inc, des, rts = f.apply_incidents(b.incidents), f.apply_designations(b.designations), f.apply_routes(b.routes)
    spec = cartography.spec_for_preset(preset, filters=f, data_as_of=b.as_of.date(), coverage_note=b.coverage_note)
    img = Image.open(io.BytesIO(cartography.render_map(inc, des, rts, spec))).convert("RGB")
    return img.resize((WIDTH, round(img.height * WIDTH / img.width)), Image.LANCZOS)


def difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """(mean absolute difference 0-255, share of pixels differing by more than 64) of two images."""
    if a.size != b.size:
        return 255.0, 1.0
    d = np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)).max(axis=2)
    return float(d.mean()), float((d > 64).mean())


def golden_path(preset: str) -> Path:
    return GOLDEN / f"map-{preset}.png"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the stored images; write nothing")
    args = ap.parse_args(argv)
    status = 0
    for preset in cartography.PRESETS:
        img = render_preset(preset)
        path = golden_path(preset)
        if args.check:
            mean, share = difference(img, Image.open(path).convert("RGB"))
            print(f"{preset}: mean difference {mean:.2f}, {share:.2%} of pixels differ by more than 64")
            status |= int(mean > 2.0 or share > 0.005)
        else:
            img.save(path, optimize=True)
            print(f"wrote {path.relative_to(ROOT)} ({img.width}x{img.height})")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
