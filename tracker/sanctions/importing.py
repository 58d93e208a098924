"""A sanctions list from a file into the store: which list a file is, read, link, compare, store.

:func:`list_format` tells an OFAC SDN set (``sdn.csv``, or a ZIP holding it) and OpenSanctions
``targets.simple.csv`` / ``maritime.csv`` (by their header) from any other file. :func:`import_list`
reads the file, resolves links between its entities (:func:`tracker.sanctions.search.link_entities`),
compares it with the list as it stands in the store (:func:`tracker.sanctions.entities.list_diff`),
and stores it as one import unless it has errors about the whole file or ``dry_run``.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tracker.errors import TrackerError
from tracker.sanctions import ofac_sdn, opensanctions
from tracker.sanctions.entities import ListDiff, ListRead, entities_frame, list_diff
from tracker.sanctions.files import Source, gather_files
from tracker.sanctions.names import name_key
from tracker.sanctions.search import link_entities, with_links

FORMATS = ("ofac_sdn", "opensanctions_targets", "opensanctions_maritime")
_READERS = {
    "ofac_sdn": ofac_sdn.read_ofac_sdn,
    "opensanctions_targets": opensanctions.read_opensanctions_targets,
    "opensanctions_maritime": opensanctions.read_opensanctions_maritime,
}
_HEADERS = {
    ("id", "schema", "name"): "opensanctions_targets",
    ("type", "caption", "imo"): "opensanctions_maritime",
}


def _header_format(first_bytes: bytes) -> str | None:
    line = first_bytes.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    names = tuple(c.strip().strip('"') for c in line.split(","))
    return next((fmt for head, fmt in _HEADERS.items() if names[: len(head)] == head), None)


def list_format(path: str | Path, data: bytes | None = None) -> str | None:
    """The sanctions-list format of the file at ``path`` (one of :data:`FORMATS`), None for any other file.

    ``sdn.csv`` (any case) and a ZIP holding one are an OFAC SDN set; OpenSanctions files are told by
    their header, whatever their name. ``data``: the file's bytes (an upload), else the file is read.
    """
    first_bytes = data
    path = Path(path)
    if path.name.lower() == ofac_sdn.SDN_FILE:
        return "ofac_sdn"
    if first_bytes is None:
        try:
            with path.open("rb") as f:
                first_bytes = f.read(4096)
        except OSError:
            return None
    if first_bytes[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
                names = {Path(n).name.lower() for n in archive.namelist()}
        except (OSError, zipfile.BadZipFile):
            return None
        return "ofac_sdn" if ofac_sdn.SDN_FILE in names else None
    return _header_format(first_bytes)


@dataclass(frozen=True)
class ListImport:
    """One list file read and (unless refused or a dry run) stored: what was read, how it differs from the
    list as it stood, and the import's batch id (None when nothing was stored; ``refused`` says why)."""

    read: ListRead
    diff: ListDiff
    previous_batch: str | None
    batch_id: str | None = None
    refused: TrackerError | None = None

    @property
    def file_errors(self) -> list:
        """Errors about the whole file (no row): they stop the import."""
        return [p for p in self.read.errors if p.row is None]


def _sha256(source: Source, fmt: str) -> str:
    names = ofac_sdn.FILES if fmt == "ofac_sdn" else tuple(opensanctions.SOURCE_FORMATS)
    files, _ = gather_files(source, names)
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def read_list(source: Source, fmt: str) -> ListRead:
    """The list in ``source`` read by the reader of ``fmt``, its links resolved both ways."""
    read = _READERS[fmt](source)
    if len(read.entities):
        read = ListRead(
            with_links(read.entities, link_entities(read.entities)),
            read.problems,
            read.records,
            read.list_name,
            read.source_format,
        )
    return read


def import_list(
    source: Source | Mapping[str, bytes], store, *, fmt: str, file_name: str, dry_run: bool = False
) -> ListImport:
    """Read a list file, compare it with the list as it stands in ``store`` and store it as one import."""
    read = read_list(source, fmt)
    standing = store.list_imports()
    standing = standing[(standing["list_name"] == read.list_name) & standing["undone_at"].isna()]
    previous = str(standing["batch_id"].iloc[0]) if len(standing) else None
    before = entities_frame(store.read_list(previous).to_dict("records")) if previous else entities_frame([])
    diff = list_diff(before, read.entities)
    result = ListImport(read, diff, previous)
    if dry_run or result.file_errors or not len(read.entities):
        return result
    try:
        batch_id = store.import_list(
            read.entities,
            list_name=read.list_name,
            source_format=read.source_format,
            file_name=file_name,
            sha256=_sha256(source, fmt),
        )
    except TrackerError as exc:  # the same file already stored
        return ListImport(read, diff, previous, refused=exc)
    return ListImport(read, diff, previous, batch_id=batch_id)


def standing_entities(store) -> pd.DataFrame:
    """Every entity of the lists as they stand in ``store`` (the newest import of each), as an entities frame."""
    frame = store.standing_lists()
    return entities_frame(frame.to_dict("records")) if len(frame) else entities_frame([])


_IMO_IN_TEXT = re.compile(r"\bIMO\s*(\d{7})\b", re.IGNORECASE)


def bundled_designation_links(entity: pd.Series, designations: pd.DataFrame) -> pd.DataFrame:
    """Bundled designation actions that concern the same target as a list entity, each saying how it was
    matched: ``exact identifier`` (the same IMO number) or ``exact name`` (a name or alias of each, compared
    as :func:`tracker.sanctions.names.name_key` compares them). Columns: designation_id, name,
    authority, program_text, designation_date, how, matched."""
    columns = ["designation_id", "name", "authority", "program_text", "designation_date", "how", "matched"]
    imos = {str(v) for k, v in entity.get("identifiers", []) if k == "IMO"}
    keys = {name_key(n) for n in [entity.get("name", ""), *entity.get("aliases", [])] if name_key(n)}
    rows = []
    for d in designations.itertuples(index=False):
        shared = sorted(imos & set(_IMO_IN_TEXT.findall(str(d.identifiers))))
        names = [str(d.name), *[a.strip() for a in str(d.aliases).split(";") if a.strip()]]
        same = [n for n in names if name_key(n) in keys]
        if shared:
            rows.append((d, "exact identifier", "IMO " + ", ".join(shared)))
        elif same:
            rows.append((d, "exact name", same[0]))
    return pd.DataFrame(
        [(d.designation_id, d.name, d.authority, d.program_text, d.designation_date, how, m) for d, how, m in rows],
        columns=columns,
    )
