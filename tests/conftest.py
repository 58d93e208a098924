import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker import readers  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def bundle() -> readers.Bundle:
    return readers.read_bundle()
