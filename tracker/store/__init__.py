"""The embedded store: user imports layered over the read-only bundled data.

:mod:`tracker.store.catalogue` keeps the batches in SQLite (atomic, undoable);
:mod:`tracker.store.columns` keeps each batch's rows as one Parquet file beside it.
"""

from tracker.store.catalogue import (
    CHUNK_ROWS,
    ENV_VAR,
    LATEST_VERSION,
    MIGRATIONS,
    BatchWriter,
    DuplicateBatchError,
    Store,
    StoreError,
    _records,
    default_path,
    layered,
)

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
