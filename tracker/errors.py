"""One root error for the domain package and its few subclasses.

Bad input never raises at the user: readers and validation collect
:class:`tracker.schema.Problem` rows instead.  These exceptions are for
programming errors and for callers that ask for ``on_invalid="raise"``.
"""

from __future__ import annotations


class TrackerError(Exception):
    """Root of every error raised on purpose by :mod:`tracker`."""


class InvalidOptionError(TrackerError, ValueError):
    """An enumerated option got a value outside its allowed set."""


class ValidationError(TrackerError):
    """Input failed validation and the caller asked for ``on_invalid="raise"``."""

    def __init__(self, problems: list) -> None:
        self.problems = problems
        first = problems[0] if problems else None
        detail = f": {first}" if first is not None else ""
        super().__init__(f"{len(problems)} problem(s) in input{detail}")


class DataFileError(TrackerError):
    """A bundled data file is missing or unreadable."""


class StoreError(TrackerError):
    """The store cannot be opened or written."""


class DuplicateBatchError(TrackerError):
    """The same file (same kind and sha256) is already stored as a batch that is not undone."""

    def __init__(self, kind: str, sha256: str, batch_id: str, imported_at: str) -> None:
        self.kind, self.sha256, self.batch_id, self.imported_at = kind, sha256, batch_id, imported_at
        super().__init__(
            f"this file was already imported as batch {batch_id} on {imported_at[:10]}; "
            "undo that batch first to import it again"
        )


def check_option(name: str, value: object, allowed: tuple | list | set | frozenset) -> None:
    """Raise :class:`InvalidOptionError` listing the valid values when ``value`` is not one."""
    if value not in allowed:
        valid = ", ".join(repr(v) for v in sorted(allowed, key=str))
        raise InvalidOptionError(f"{name}={value!r} is not valid; choose one of: {valid}")
