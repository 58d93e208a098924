import sys

import pytest

from support import ROOT

sys.path.insert(0, str(ROOT))

from tracker import readers  # noqa: E402


@pytest.fixture(autouse=True)
def _private_store(tmp_path, monkeypatch):
    """Every test gets its own empty store; no test touches the user's store or data/."""
    monkeypatch.setenv("INTERDICTION_TRACKER_DB", str(tmp_path / "store.sqlite"))
    return tmp_path / "store.sqlite"


@pytest.fixture(scope="session")
def bundle() -> readers.Bundle:
    return readers.read_bundle()
