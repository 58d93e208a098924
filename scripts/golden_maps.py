"""Render the default export of the bundled data at each preset and store it as a golden image.

    python3 scripts/golden_maps.py          # rewrite tests/golden/map-<preset>.png
    python3 scripts/golden_maps.py --check  # compare only; exit 1 when one differs

The golden images are the full renders scaled down to 1280 px wide (Lanczos; smaller
renders are kept as they are).  Rendering is deterministic with the pinned matplotlib,
so the comparison is tight: a changed letter in the title fails it.  Run it after a
deliberate change to the map's look, open the images, and commit them with
the change.  tests/test_cartography.py compares against them.
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
WIDTH = 1280
MAX_MEAN = 0.005
"""Largest mean absolute difference (0-255) two matching images may have."""
MAX_SHARE = 0.00002
"""Largest share of pixels that may differ by more than 32."""


def render_preset(preset: str) -> Image.Image:
    """The default export of the bundled data at ``preset``, scaled to the golden width."""
    b = readers.read_bundle()
    f = Filters()
    inc, des, rts = f.apply_incidents(b.incidents), f.apply_designations(b.designations), f.apply_routes(b.routes)
    spec = cartography.spec_for_preset(preset, filters=f, data_as_of=b.as_of.date(), coverage_note=b.coverage_note)
    return scaled(Image.open(io.BytesIO(cartography.render_map(inc, des, rts, spec))).convert("RGB"))


def scaled(img: Image.Image) -> Image.Image:
    """``img`` at the golden width (never enlarged)."""
    if img.width <= WIDTH:
        return img
    return img.resize((WIDTH, round(img.height * WIDTH / img.width)), Image.LANCZOS)


def difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """(mean absolute difference 0-255, share of pixels differing by more than 32) of two images."""
    if a.size != b.size:
        return 255.0, 1.0
    d = np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)).max(axis=2)
    return float(d.mean()), float((d > 32).mean())


def matches(a: Image.Image, b: Image.Image) -> bool:
    """True when two renders are the same picture (see :data:`MAX_MEAN` and :data:`MAX_SHARE`)."""
    mean, share = difference(a, b)
    return mean <= MAX_MEAN and share <= MAX_SHARE


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
            ref = Image.open(path).convert("RGB")
            mean, share = difference(img, ref)
            print(f"{preset}: mean difference {mean:.3f}, {share:.3%} of pixels differ by more than 32")
            status |= int(not matches(img, ref))
        else:
            img.save(path, optimize=True)
            print(f"wrote {path.relative_to(ROOT)} ({img.width}x{img.height})")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
