"""The embedded store: user imports layered over the read-only bundled data.

* :mod:`tracker.store.catalogue`: the batches in SQLite (atomic, undoable), migrations,
  remembered mappings, the revision; :class:`Store` and :func:`layered`.
* :mod:`tracker.store.writer`: the streaming write API (:meth:`Store.open_batch`,
  :class:`BatchWriter`).
* :mod:`tracker.store.columns`: each batch's rows as one Parquet file beside the store file.
* :mod:`tracker.store.legacy`: rows older versions kept in the SQLite row tables.
"""

from tracker.errors import DuplicateBatchError, StoreError
from tracker.store.catalogue import CHUNK_ROWS, ENV_VAR, LATEST_VERSION, MIGRATIONS, Store, default_path, layered
from tracker.store.legacy import records_of as _records
from tracker.store.writer import BatchWriter

__all__ = [
    "CHUNK_ROWS",
    "ENV_VAR",
    "LATEST_VERSION",
    "MIGRATIONS",
    "BatchWriter",
    "DuplicateBatchError",
    "Store",
    "StoreError",
    "_records",
    "default_path",
    "layered",
]
