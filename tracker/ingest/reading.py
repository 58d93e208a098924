"""Reading delimited files in chunks: pyarrow's CSV reader where it reads a file exactly as
:func:`tracker.readers.read_delimited` would, that reader otherwise.

The fast path is taken only for files it reads faithfully: UTF-8 (with or without a BOM),
no control characters but tab and line ends, no lone carriage returns, no quote opened after
spaces (the robust reader skips spaces before a quote), every record as wide as the header,
fields under the csv module's size limit, an even number of quotes and at least two columns.
Anything else raises :class:`FastPathUnsafe` and the caller reads the file with the robust
reader instead (same rows, same problems). Row ``i`` of the records (0 = header) is row
``i + 1`` of the file as a person counts it: a record with quoted newlines is one row and
blank lines are skipped, as the robust reader does.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from tracker import readers, schema

BLOCK_BYTES = 8 << 20
"""Bytes pyarrow parses at a time: one chunk of rows (about 60,000 rows of a typical incident file)."""
SAMPLE_BYTES = 1 << 18
"""Bytes read before parsing to sniff the delimiter (the robust reader looks at 65,536 characters)."""
_FIELD_LIMIT = csv.field_size_limit()
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SPACE_QUOTE = re.compile(rb'[\r\n,;\t|][ ]+"')
_SPACE_QUOTE_START = re.compile(rb'(?:^(?:\xef\xbb\xbf)?|[\r\n,;\t|])[ ]+"')


class FastPathUnsafe(Exception):
    """The file needs the robust reader (the reason is the message)."""


class ScanningReader(io.RawIOBase):
    """A binary file read once: hashes every byte (sha256) and refuses what the fast path cannot read.

    With ``check=False`` it only hashes and counts (for the robust reader's line-by-line pass);
    with ``hash=False`` too it only counts (a second pass over a file already hashed).
    """

    def __init__(self, raw: BinaryIO, *, check: bool = True, hash: bool = True) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.hash = hash
        self.bytes_read = 0
        self.check = check
        self._quotes = 0
        self._tail = b""
        self._cr_pending = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._see(data)
        return n

    def read(self, size: int | None = -1) -> bytes:
        data = self._raw.read(-1 if size is None else size)
        self._see(data)
        return data

    def _see(self, data: bytes) -> None:
        if not data:
            return
        if self.hash:
            self.sha256.update(data)
        first = self.bytes_read == 0
        self.bytes_read += len(data)
        if not self.check:
            return
        if _CONTROL.search(data):
            raise FastPathUnsafe("control characters")
        if self._cr_pending and not data.startswith(b"\n"):
            raise FastPathUnsafe("a lone carriage return")
        ends_cr = data.endswith(b"\r")
        if data.count(b"\r") - data.count(b"\r\n") - ends_cr > 0:
            raise FastPathUnsafe("a lone carriage return")
        self._cr_pending = ends_cr
        if (_SPACE_QUOTE_START if first else _SPACE_QUOTE).search(self._tail + data):
            raise FastPathUnsafe("a quote after spaces")
        self._quotes += data.count(b'"')
        self._tail = data[-4096:]

    def finish(self) -> None:
        """Checks that need the whole file: call after the last chunk."""
        if self.check and (self._quotes % 2 or self._cr_pending):
            raise FastPathUnsafe("an odd number of quotes or a lone carriage return at the end")


@dataclass(frozen=True)
class Layout:
    """What the first bytes of a file say: its encoding, delimiter and header."""

    encoding: str
    delimiter: str
    names: list[str]
    repeats: list[str]


def sniff_layout(sample: bytes, *, encoding: str | None = None) -> Layout:
    """The encoding, delimiter and header of a file from its first bytes, or FastPathUnsafe."""
    if encoding not in (None, "utf-8", "utf-8-sig"):
        raise FastPathUnsafe("a chosen encoding")
    bom = sample.startswith(b"\xef\xbb\xbf")
    if bom and encoding == "utf-8":  # the robust reader keeps the mark in the first column's name then
        raise FastPathUnsafe("a byte order mark read as utf-8")
    body = sample[3:] if bom else sample
    if not body.strip() or any(sample.startswith(m) for m in readers._MAGIC):
        raise FastPathUnsafe("empty or not text")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(body) - 4:  # a character cut at the end of the sample is fine
            raise FastPathUnsafe("not UTF-8") from exc
        text = body[: exc.start].decode("utf-8")
    if "\x1a" in text or _CONTROL.search(body):
        raise FastPathUnsafe("control characters")
    delimiter = readers.sniff_delimiter(text)
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True), [])
    if len(header) < 2:
        raise FastPathUnsafe("fewer than two columns")
    names, repeats = readers._column_names(header)
    return Layout(encoding if encoding == "utf-8" else ("utf-8-sig" if bom else "utf-8"), delimiter, names, repeats)


def _options(layout: Layout, refused: list[int], block_bytes: int, include: list[int] | None = None):
    width = len(layout.names)

    def invalid(row) -> str:
        refused.append(1)
        return "skip"

    read = pacsv.ReadOptions(block_size=block_bytes, autogenerate_column_names=True, use_threads=True)
    parse = pacsv.ParseOptions(
        delimiter=layout.delimiter, newlines_in_values=True, ignore_empty_lines=True, invalid_row_handler=invalid
    )
    columns = [f"f{i}" for i in range(width)]
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in columns},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        include_columns=None if include is None else [columns[i] for i in include],
    )
    return read, parse, convert


def arrow_batches(
    source: BinaryIO | io.RawIOBase, layout: Layout, *, block_bytes: int = BLOCK_BYTES, include: list[int] | None = None
) -> Iterator[tuple[int, pa.RecordBatch]]:
    """``(first record number, batch)`` for each block of ``source``: header first (record 0).

    Every column is text; a column index in ``include`` keeps only those columns.
    Raises :class:`FastPathUnsafe` as soon as a record has the wrong width or a field is
    longer than the robust reader accepts.
    """
    refused: list[int] = []
    read, parse, convert = _options(layout, refused, block_bytes, include)
    try:
        reader = pacsv.open_csv(source, read_options=read, parse_options=parse, convert_options=convert)
        start = 0
        for batch in reader:
            if refused:
                raise FastPathUnsafe("a record of another width than the header")
            if batch.num_rows and include is None:
                if batch.num_columns != len(layout.names):
                    raise FastPathUnsafe("another width than the header")
                for column in batch.columns:
                    longest = pc.max(pc.binary_length(column)).as_py()
                    if longest is not None and longest >= _FIELD_LIMIT:
                        raise FastPathUnsafe("a field over the csv module's size limit")
            yield start, batch
            start += batch.num_rows
        if refused:
            raise FastPathUnsafe("a record of another width than the header")
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise FastPathUnsafe(str(exc)) from exc


def record_frames(
    source: BinaryIO | io.RawIOBase, layout: Layout, *, block_bytes: int = BLOCK_BYTES
) -> Iterator[tuple[int, pd.DataFrame]]:
    """``(first data row index, frame of text)`` per block: the frame's index counts data records from 0
    (file row ``index + 2``) and its columns are the header's names, as :func:`tracker.readers.read_delimited` gives."""
    first = True
    for start, batch in arrow_batches(source, layout, block_bytes=block_bytes):
        if first:
            batch = batch.slice(1)  # the header
            first = False
        else:
            start -= 1
        frame = batch.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=float("nan"))}.get)
        frame.columns = layout.names
        frame.index = pd.RangeIndex(start, start + len(frame))
        yield start, frame


def layout_problems(file: str, layout: Layout, rows: int) -> list[schema.Problem]:
    """The reader's file-level problems for a file read by the fast path (as the robust reader gives them)."""
    problems = []
    if rows == 0:
        problems.append(readers._file_problem(file, "the file has a header but no records"))
    if layout.repeats:
        problems.append(readers._file_problem(file, "the header repeats a column name", ", ".join(layout.repeats)))
    return problems
