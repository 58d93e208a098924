"""Check that data/ is exactly what scripts/build_data.py makes from the reference tables.

    .venv/bin/python scripts/check_data_build.py [--reference PATH]

The build runs in a temporary copy of the working tree (tracked files as they are
now, and untracked, not ignored, files outside data/), so this check never writes to
your data/; then every file under the copy's data/ is compared with data/. Exit 0 when
they are the same; 1 when a file differs, is missing, or is in data/ but neither
committed nor made by the build (each is listed, with `git diff --stat`); 2 when the
build fails. The reference tables are ../shared/reference beside the clone (CI
has them there); without them the check is skipped, except under CI=true, where it
fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference"


def working_tree_files() -> list[str]:
    """Tracked files, and untracked ones outside data/ (new code the build may import)."""

    def ls(*opts: str) -> list[str]:
        out = subprocess.run(["git", "ls-files", "-z", *opts], cwd=ROOT, check=True, capture_output=True).stdout
        return [f for f in out.decode().split("\0") if f and (ROOT / f).is_file()]

    return ls("--cached") + [f for f in ls("--others", "--exclude-standard") if not f.startswith("data/")]


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    args = ap.parse_args(argv)
    reference = args.reference.resolve()
    if not reference.is_dir():
        if os.environ.get("CI"):
            print(f"data check: the reference tables are missing ({reference}); CI must have them", flush=True)
            return 1
        print(f"data check: skipped, no reference tables at {reference}")
        return 0

    with tempfile.TemporaryDirectory(prefix="data-build-") as tmp:
        copy = Path(tmp) / "tree"
        for name in working_tree_files():
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
        build = subprocess.run(
            [sys.executable, "scripts/build_data.py", "--reference", str(reference)],
            cwd=copy,
            capture_output=True,
            text=True,
        )
        if build.returncode != 0:
            print(build.stdout + build.stderr, flush=True)
            print("data check: scripts/build_data.py failed (above)", flush=True)
            return 2
        built, ours = files_under(copy / "data"), files_under(ROOT / "data")
        changed = sorted(n for n in built.keys() & ours.keys() if built[n] != ours[n])
        new = sorted(built.keys() - ours.keys())
        missing = sorted(ours.keys() - built.keys())
        # data/ files that the build does not write (SOURCES.md, the plans in data/build/) are copied
        # unchanged, so "missing" is a file the build deleted or one that was never committed.
        if not (changed or new or missing):
            print(f"data check: data/ is what the build makes ({len(ours)} files)")
            return 0
        print(f"data check FAILED: data/ differs from what scripts/build_data.py makes from {reference}:", flush=True)
        untracked = "in data/ but not committed nor made by the build"
        for label, names in (("differs", changed), ("new (not in data/)", new), (untracked, missing)):
            for name in names:
                print(f"  {label}: data/{name}", flush=True)
        if changed:
            subprocess.run(
                ["git", "--no-pager", "diff", "--no-index", "--stat=120", "--", str(ROOT / "data"), str(copy / "data")],
            )
        print(
            "rebuild with: .venv/bin/python scripts/build_data.py --reference "
            + str(reference)
            + "  (then review and commit data/)",
            flush=True,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
