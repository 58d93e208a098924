"""The arrays a filter change reads from an incident frame, derived once per frame and reused.

The Overview filters the same long-lived frames on every rerun (the shared bundle of
``ui/state.py``, read and never changed): converting their columns again on each filter
change (nullable integers to floats, text to codes, six text columns lower-cased) is most of
the work.  :func:`incident_arrays` derives them once per frame *object* and hands the same
:class:`IncidentArrays` back while that frame lives; each array is made on first use.

Assumption: a frame given here is not changed in place afterwards (canonical frames are
filtered, copied or derived, never assigned into).  A frame changed in place would keep its
earlier arrays.  The arrays are read-only.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TEXT_SEPARATOR = "\x1f"
"""Joins the searchable text columns of a row: a search containing it is answered column by column."""


def _read_only(values: np.ndarray) -> np.ndarray:
    values.flags.writeable = False
    return values


def text_array(values: pd.Series) -> pa.ChunkedArray:
    """A text column as an Arrow string array (nulls where values are missing)."""
    if values.dtype == object:
        values = values.astype(str)
    return pa.chunked_array([pa.array(values.array)]) if len(values) else pa.chunked_array([], pa.string())


def contains_text(arr: pa.ChunkedArray | pa.Array, needle: str) -> np.ndarray:
    """Rows of lower-cased ``arr`` containing ``needle`` literally (missing values never do)."""
    found = pc.fill_null(pc.match_substring(arr, needle), False).to_numpy(zero_copy_only=False)
    return found if found.flags.writeable else found.copy()


class Codes:
    """A text column as integer codes (-1 where missing) into its distinct values."""

    def __init__(self, values: pd.Series) -> None:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        self.codes = _read_only(np.asarray(codes, dtype=np.int64))
        self.categories: tuple[str, ...] = tuple(str(v) for v in uniques)

    def isin(self, chosen: Iterable[str]) -> np.ndarray:
        """Rows whose value is one of ``chosen`` (a missing value never is)."""
        wanted = set(chosen)
        table = np.array([c in wanted for c in self.categories] + [False], dtype=bool)
        return table[self.codes]  # code -1 (missing) reads the last entry, False


class IncidentArrays:
    """Derived arrays of one incident frame, each made on first use: dates (datetime64[ns]),
    numbers as float64 with NaN where missing, ``placed`` (a finite position), codes of the
    categorical text columns, and the lower-cased searchable text joined per row."""

    def __init__(self, frame: pd.DataFrame, text_columns: tuple[str, ...]) -> None:
        self.length = len(frame)
        # the columns themselves (no copy): the arrays never keep the frame alive
        self._columns = {c: frame[c] for c in frame.columns}
        self._text_columns = text_columns
        self._numbers: dict[str, np.ndarray] = {}

    def _float(self, col: str) -> np.ndarray:
        if col not in self._columns:
            return _read_only(np.full(self.length, np.nan))
        return _read_only(np.array(self._columns[col].to_numpy(dtype=float, na_value=np.nan), dtype=float))

    def numbers(self, col: str) -> np.ndarray:
        """A numeric column as float64, missing as NaN (all NaN when the frame has no such column)."""
        values = self._numbers.get(col)
        if values is None:
            values = self._numbers.setdefault(col, self._float(col))
        return values

    @cached_property
    def dates(self) -> np.ndarray:
        """``date`` as datetime64[ns] (NaT where unknown)."""
        return _read_only(np.array(self._columns["date"].to_numpy(dtype="datetime64[ns]")))

    @cached_property
    def placed(self) -> np.ndarray:
        """Rows with a finite longitude and latitude."""
        return _read_only(np.isfinite(self.numbers("longitude")) & np.isfinite(self.numbers("latitude")))

    @cached_property
    def region(self) -> Codes:
        return Codes(self._columns["region"])

    @cached_property
    def event_type(self) -> Codes:
        return Codes(self._columns["event_type"])

    @cached_property
    def affiliation(self) -> Codes:
        return Codes(self._columns["affiliation"])

    @cached_property
    def boat_strike(self) -> np.ndarray:
        """Rows whose event type is "boat strike"."""
        return _read_only(self.event_type.isin(("boat strike",)))

    @cached_property
    def precision(self) -> tuple[np.ndarray, np.ndarray]:
        """``location_precision`` factorised in order of appearance, a missing value its own code:
        (codes, names)."""
        codes, names = pd.factorize(self._columns["location_precision"], use_na_sentinel=False)
        return _read_only(np.asarray(codes)), np.asarray(names, dtype=object)

    @cached_property
    def text(self) -> pa.Array:
        """The searchable text columns of each row, lower-cased, joined by :data:`TEXT_SEPARATOR`
        (a missing value an empty part)."""
        parts = [pc.utf8_lower(text_array(self._columns[c]).cast(pa.large_string())) for c in self._text_columns]
        joined = pc.binary_join_element_wise(
            *parts, pa.scalar(TEXT_SEPARATOR, pa.large_string()), null_handling="replace", null_replacement=""
        )
        return joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined

    def text_lower(self, col: str) -> pa.ChunkedArray:
        """One text column, lower-cased (for searches the joined text cannot answer)."""
        return pc.utf8_lower(text_array(self._columns[col]))

    def contains(self, needle: str) -> np.ndarray:
        """Rows where any searchable text column contains the lower-cased ``needle`` literally."""
        if not needle:
            return np.ones(self.length, dtype=bool)
        if not self.length:
            return np.zeros(0, dtype=bool)
        if TEXT_SEPARATOR not in needle:
            return contains_text(self.text, needle)
        mask = np.zeros(self.length, dtype=bool)
        for col in self._text_columns:
            mask |= contains_text(self.text_lower(col), needle)
        return mask


_MEMO: dict[int, tuple[weakref.ref[pd.DataFrame], IncidentArrays]] = {}
_LOCK = threading.Lock()


def incident_arrays(frame: pd.DataFrame) -> IncidentArrays:
    """The :class:`IncidentArrays` of ``frame``: the same object on every call while ``frame`` lives."""
    from tracker.filters import _TEXT_COLUMNS

    key, rows = id(frame), len(frame)
    with _LOCK:
        hit = _MEMO.get(key)
        if hit is not None and hit[0]() is frame and hit[1].length == rows:
            return hit[1]
        arrays = IncidentArrays(frame, _TEXT_COLUMNS["incidents"])
        _MEMO[key] = (weakref.ref(frame), arrays)
        weakref.finalize(frame, _forget, key, arrays)
        return arrays


def _forget(key: int, arrays: IncidentArrays) -> None:
    with _LOCK:
        hit = _MEMO.get(key)
        if hit is not None and hit[1] is arrays:
            del _MEMO[key]
