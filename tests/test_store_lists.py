"""tracker.store.lists: sanctions-list imports kept whole, newest standing, undo, history, atomic writes."""

import sqlite3

import pandas as pd
import pytest

from tracker.store import DuplicateBatchError, Store, StoreError


def _entities(*names, ids=None):
    ids = ids or [f"ofac:{i}" for i in range(1, len(names) + 1)]
    return pd.DataFrame(
        {
            "entity_id": ids,
            "name": list(names),
            "aliases": [["a.k.a. " + n] for n in names],
            "identifiers": [[["IMO", "9187629"]] if i == 0 else [] for i in range(len(names))],
            "list_date": [None] * len(names),
        }
    )


def test_an_imported_list_reads_back_entity_for_entity(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    batch = s.import_list(
        _entities("CABELLO RONDON, Diosdado", "SAAB MORAN, Alex Nain"),
        list_name="OFAC SDN",
        source_format="ofac_sdn",
        file_name="sdn.csv",
        sha256="a" * 64,
    )
    got = s.read_list(batch)
    assert got["name"].tolist() == ["CABELLO RONDON, Diosdado", "SAAB MORAN, Alex Nain"]
    assert got["aliases"].tolist() == [["a.k.a. CABELLO RONDON, Diosdado"], ["a.k.a. SAAB MORAN, Alex Nain"]]
    assert got["identifiers"].iloc[0] == [["IMO", "9187629"]] and got["list_date"].isna().all()
    imports = s.list_imports()
    assert imports[["batch_id", "list_name", "entities"]].values.tolist() == [[batch, "OFAC SDN", 2]]
    assert s.revision() == 1


def test_the_newest_standing_import_of_each_list_is_the_list_and_undo_falls_back(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    first = s.import_list(
        _entities("A", "B"), list_name="OFAC SDN", source_format="ofac_sdn", file_name="x", sha256="1"
    )
    second = s.import_list(
        _entities("A", "C"), list_name="OFAC SDN", source_format="ofac_sdn", file_name="x", sha256="2"
    )
    s.import_list(
        _entities("Z", ids=["os:z"]), list_name="OpenSanctions", source_format="targets", file_name="t", sha256="3"
    )
    assert sorted(s.standing_lists()["name"]) == ["A", "C", "Z"]
    assert s.undo(second) == 2
    assert sorted(s.standing_lists()["name"]) == ["A", "B", "Z"]
    assert s.read_list(second)["name"].tolist() == ["A", "C"]  # the history keeps an undone import
    assert s.list_imports().set_index("batch_id").loc[second, "undone_at"]
    assert s.undo(second) == 0 and s.undo(first) == 2
    with pytest.raises(StoreError, match="no batch"):
        s.undo("B-nothing")


def test_the_same_file_of_the_same_list_is_refused_while_it_stands(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    kw = dict(list_name="OFAC SDN", source_format="ofac_sdn", file_name="sdn.csv", sha256="f" * 64)
    batch = s.import_list(_entities("A"), **kw)
    with pytest.raises(DuplicateBatchError, match="already imported"):
        s.import_list(_entities("A"), **kw)
    s.undo(batch)
    assert s.import_list(_entities("A"), **kw) != batch


def test_a_failed_list_import_stores_nothing(tmp_path):
    s = Store(tmp_path / "s.sqlite")
    bad = _entities("A", "B")
    bad["aliases"] = [["x"], {1, 2}]  # a set cannot be written as JSON: the second entity fails
    with pytest.raises(TypeError):
        s.import_list(bad, list_name="OFAC SDN", source_format="ofac_sdn", file_name="x", sha256="1")
    with sqlite3.connect(s.path) as con:
        assert con.execute("SELECT COUNT(*) FROM list_entities").fetchone()[0] == 0
    assert s.list_imports().empty and s.standing_lists().empty and s.revision() == 0
