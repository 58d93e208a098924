"""Check that pyproject.toml's [project.dependencies] pins exactly what requirements.txt pins.

    .venv/bin/python scripts/check_packaging.py

requirements.txt is what the dashboard is run and tested with (scripts/run.sh, scripts/test.sh);
pyproject.toml is what `pip install .` installs with the interdiction-tracker command. Exit 1, listing
the differences, when they disagree.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def normalised(requirement: str) -> str:
    """``Name==1.0`` with the name in PEP 503 form and no spaces."""
    match = re.fullmatch(r"([A-Za-z0-9._-]+)(.*)", requirement.strip())
    if match is None:
        raise SystemExit(f"packaging check: cannot read the requirement {requirement!r}")
    name, rest = match.groups()
    return re.sub(r"[-_.]+", "-", name).lower() + rest.replace(" ", "")


def missing_packages(project_toml: dict) -> list[str]:
    """Subpackages of tracker/ (folders with an __init__.py) that pyproject.toml does not list."""
    listed = set(project_toml.get("tool", {}).get("setuptools", {}).get("packages", []))
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "tracker").rglob("__init__.py")}
    return sorted(found - listed)


def main() -> int:
    toml = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    missing = missing_packages(toml)
    if missing:
        print("packaging check FAILED: pyproject.toml [tool.setuptools] packages does not list " + ", ".join(missing))
        return 1
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    pinned = {normalised(line.split("#")[0]) for line in lines if line.split("#")[0].strip()}
    project = toml["project"]
    declared = {normalised(r) for r in project["dependencies"]}
    if pinned == declared:
        print(f"packaging check: pyproject.toml declares the {len(pinned)} pins of requirements.txt")
        return 0
    print("packaging check FAILED: pyproject.toml [project.dependencies] and requirements.txt differ")
    for r in sorted(pinned - declared):
        print(f"  only in requirements.txt: {r}")
    for r in sorted(declared - pinned):
        print(f"  only in pyproject.toml:   {r}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
