"""Paths and helpers shared by the test modules (fixtures live in conftest.py)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference"
FIXTURES = ROOT / "tests" / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """The bytes of tests/fixtures/<name>, e.g. 'bad/lat_lon_swapped.csv'."""
    return (FIXTURES / name).read_bytes()
