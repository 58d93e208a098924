"""Getting a list's files: a folder, loose files, a ZIP or uploaded bytes -> ``{name: bytes}`` and text.

Nothing here raises on bad input: a missing file, a ZIP that cannot be opened or text that
cannot be decoded comes back as a :class:`tracker.schema.Problem`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from tracker.errors import TrackerError
from tracker.schema import Problem

MAX_MEMBER_BYTES = 2_000_000_000
"""A member of a ZIP larger than this (uncompressed) is refused, so a ZIP bomb cannot fill memory."""

Source = str | Path | bytes | Mapping[str, bytes]
"""What a list reader accepts: a folder, a file (its siblings are found next to it), a ZIP file,
the bytes of a ZIP or of the main file, or ``{file name: bytes}`` (uploaded files)."""


class SanctionsSourceError(TrackerError, TypeError):
    """A list reader was given something that is not a :data:`Source` (a programming error)."""


def _from_zip(data: bytes, label: str, names: tuple[str, ...]) -> tuple[dict[str, bytes], list[Problem]]:
    found: dict[str, bytes] = {}
    problems: list[Problem] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                base = PurePosixPath(info.filename.replace("\\", "/")).name.lower()
                if info.is_dir() or base not in names:
                    continue
                if base in found:
                    problems.append(
                        Problem(label, None, "", info.filename, f"the ZIP holds {base} twice; the first one was read")
                    )
                    continue
                if info.file_size > MAX_MEMBER_BYTES:
                    problems.append(Problem(label, None, "", info.filename, "the file in the ZIP is too large to read"))
                    continue
                found[base] = archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        problems.append(Problem(label, None, "", "", f"the ZIP cannot be read: {exc}"))
    return found, problems


def gather_files(source: Source, names: tuple[str, ...]) -> tuple[dict[str, bytes], list[Problem]]:
    """The files called ``names`` (lower case; the first is the main file) found in ``source``.

    A file path stands for the main file whatever its name, with its siblings looked up next to
    it; names match case-insensitively.  Files that are not found are simply absent from the
    result: the reader decides whether that is an error or a warning.
    """
    main = names[0]
    if isinstance(source, Mapping):
        files = {PurePosixPath(str(k).replace("\\", "/")).name.lower(): v for k, v in source.items()}
        zips = [v for k, v in files.items() if k.endswith(".zip") and isinstance(v, bytes | bytearray)]
        if main not in files and len(zips) == 1:
            return _from_zip(bytes(zips[0]), next(k for k in files if k.endswith(".zip")), names)
        return {k: bytes(v) for k, v in files.items() if k in names and isinstance(v, bytes | bytearray)}, []
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
            return _from_zip(data, "(uploaded ZIP)", names)
        return {main: data}, []
    if not isinstance(source, str | Path):
        raise SanctionsSourceError(
            f"a list source is a folder, a file, a ZIP, bytes or {{name: bytes}}; got {type(source).__name__}"
        )
    path = Path(source)
    try:
        if path.is_dir():
            folder, given = path, None
        elif path.is_file():
            if zipfile.is_zipfile(path):
                return _from_zip(path.read_bytes(), path.name, names)
            folder, given = path.parent, path
        else:
            return {}, [Problem(str(path), None, "", "", "no such file or folder")]
        present = {p.name.lower(): p for p in sorted(folder.iterdir()) if p.is_file()}
        found: dict[str, bytes] = {}
        for name in names:
            file = given if (name == main and given is not None) else present.get(name)
            if file is not None:
                found[name] = file.read_bytes()
        return found, []
    except OSError as exc:
        return {}, [Problem(str(path), None, "", "", f"cannot be read: {exc.strerror or exc}")]


def decode_text(data: bytes, file: str, *, default: str) -> tuple[str, str, list[Problem]]:
    """``(text, encoding, problems)``: UTF-8 (with or without BOM) when the bytes are UTF-8, else ``default``.

    A trailing Ctrl-Z (0x1A, the end-of-file mark DOS programs write) is dropped.  Bytes the
    encoding does not define are replaced by U+FFFD and reported once, as a warning.
    """
    problems: list[Problem] = []
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8", data[3:]
    else:
        body = data
        try:
            body.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = default
    text = body.decode(encoding, errors="replace")
    if "\ufffd" in text and "\ufffd" not in body.decode(encoding, errors="ignore"):
        line = text[: text.index("\ufffd")].count("\n") + 1
        problems.append(
            Problem(file, line, "", "", f"bytes that are not {encoding} were replaced by '\ufffd'", "warning")
        )
    return text.rstrip("\x1a").rstrip("\r\n\x1a"), encoding, problems


def split_lines(text: str) -> list[str]:
    """Physical lines (CRLF, LF or CR ends), so row numbers are the lines a person counts."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if text else []
