import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker import readers  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "reference"
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def _private_store(tmp_path, monkeypatch):
    """Every test gets its own empty store; no test touches the user's store or data/."""
    monkeypatch.setenv("INTERDICTION_TRACKER_DB", str(tmp_path / "store.sqlite"))
    return tmp_path / "store.sqlite"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="session")
def bundle() -> readers.Bundle:
    return readers.read_bundle()
