"""The streaming write API: one import's rows appended chunk by chunk, then stored as one batch.

    with store.open_batch("incidents", file_name="x.csv") as batch:
        batch.append(chunk)  # any number of times: canonical rows of the kind
        batch_id = batch.commit(sha256=..., rows_read=..., rows_rejected=...)

Rows go to a temporary Parquet file (:class:`tracker.store.columns.ColumnFile`) as they
come; :meth:`BatchWriter.commit` records the batch in the catalogue's write transaction
(:meth:`tracker.store.catalogue.Store.open_batch`).  Nothing is visible before it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from types import TracebackType
from typing import TYPE_CHECKING

import pandas as pd

from tracker import schema
from tracker.errors import StoreError, check_option
from tracker.store import columns

if TYPE_CHECKING:
    from tracker.store.catalogue import Store


def new_batch_id() -> str:
    """A batch id: ``B`` and the UTC time to the second, then six random hex digits."""
    return f"B{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"


class BatchWriter:
    """One import being written: rows streamed to a temporary Parquet file, stored by :meth:`commit`.

    Made by :meth:`Store.open_batch`; use it as a context manager::

        with store.open_batch("incidents", file_name="x.csv") as batch:
            for chunk in chunks:
                batch.append(chunk)  # canonical rows of the kind; nothing is visible yet
            batch_id = batch.commit(sha256=..., rows_read=..., rows_rejected=...)

    Leaving the block without :meth:`commit` (an exception, KeyboardInterrupt) removes the
    temporary file: nothing is stored.  :attr:`batch_id` is known from the start (incidents
    carry it in their ``batch_id`` column).
    """

    def __init__(self, store: Store, kind: str, *, file_name: str) -> None:
        check_option("kind", kind, schema.KINDS)
        self.store, self.kind, self.file_name = store, kind, file_name
        self.batch_id = new_batch_id()
        self._file: columns.ColumnFile | None = columns.ColumnFile(
            kind, columns.file_for(store.columns_folder, kind, self.batch_id), self.batch_id
        )
        self.committed = False

    @property
    def rows_written(self) -> int:
        """Rows appended so far."""
        return self._file.rows if self._file is not None else 0

    def append(self, rows: pd.DataFrame) -> None:
        """Add ``rows`` (canonical rows of the kind, as :func:`tracker.schema.canonicalise` returns them).

        Written at once as one row group of the temporary file: memory is bounded by the chunk.
        Rows that are not canonical are canonicalised first (slower).
        """
        self._open_file().append(rows)

    def commit(
        self,
        *,
        sha256: str,
        rows_read: int,
        rows_rejected: int,
        rows_skipped: int = 0,
        skip_existing_ids: bool = False,
    ) -> str:
        """Store the appended rows as one batch in one write transaction; return the batch id.

        Inside that transaction, so two processes importing at once cannot both pass:

        * a file whose ``(kind, sha256)`` is already stored in a batch that is not undone is
          refused with :class:`DuplicateBatchError` and nothing is written;
        * with ``skip_existing_ids=True``, rows whose id (``incident_id``, ``designation_id``,
          ``route_id``) is already stored are left out; the batch records how many in
          ``rows_already_stored``, and ``rows_accepted`` counts the rows stored.

        Whatever happens, the writer is finished afterwards: on any error nothing is stored.
        """
        file = self._open_file()
        self._file = None
        try:
            file.close()
            self.store._commit_file(
                self,
                file,
                sha256=sha256,
                rows_read=rows_read,
                rows_rejected=rows_rejected,
                rows_skipped=rows_skipped,
                skip_existing_ids=skip_existing_ids,
            )
        except BaseException:
            file.discard()
            raise
        self.committed = True
        return self.batch_id

    def discard(self) -> None:
        """Drop what was appended (nothing is stored); safe to call more than once."""
        if self._file is not None:
            self._file.discard()
            self._file = None

    def _open_file(self) -> columns.ColumnFile:
        if self._file is None:
            raise StoreError(f"batch {self.batch_id} is already {'committed' if self.committed else 'discarded'}")
        return self._file

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.discard()

    def __del__(self) -> None:  # dropped without commit or discard: nothing is stored
        try:
            self.discard()
        except Exception:  # noqa: BLE001 - at interpreter exit the file goes with the process
            pass
