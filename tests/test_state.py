"""ui.state: the loaded bundle is one shared object, and no page writes into it."""

import pandas as pd
from streamlit.testing.v1 import AppTest

from store_worker import rows
from support import ROOT
from tracker import readers
from tracker.store import Store, layered
from ui import state

PAGES = [
    "views/overview.py",
    "views/incidents.py",
    "views/sources.py",
    "views/sanctions.py",
    "views/routes.py",
    "views/vessels.py",
    "views/lists.py",
    "views/upload.py",
    "views/export.py",
]


def _assert_same_bundle(got: readers.Bundle, expected: readers.Bundle) -> None:
    pd.testing.assert_frame_equal(got.incidents, expected.incidents, check_exact=True)
    pd.testing.assert_frame_equal(got.designations, expected.designations, check_exact=True)
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.routes.drop(columns="geometry")), pd.DataFrame(expected.routes.drop(columns="geometry"))
    )
    assert got.routes.geometry.to_wkb().equals(expected.routes.geometry.to_wkb())


def test_every_page_leaves_the_shared_bundle_as_it_was_loaded(_private_store, bundle):
    s = Store(_private_store)
    s.import_batch("incidents", rows(3, "U"), file_name="u.csv", sha256="u", rows_read=3, rows_rejected=0)
    s.import_batch("routes", bundle.routes.iloc[:2], file_name="r.geojson", sha256="r", rows_read=2, rows_rejected=0)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
    key = (readers.data_version(), str(s.path), s.revision())
    shared = state._load(*key)
    assert state._load(*key) is shared  # one object for every rerun and session, never a copy
    _assert_same_bundle(shared, layered(readers.read_bundle(), s))
    assert len(shared.incidents) == len(bundle.incidents) + 3
