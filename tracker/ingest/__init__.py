"""The import pipeline: bytes -> mapped, parsed, placed and validated rows, ready to store.

    read (tracker.readers) -> map columns -> parse values -> fill places (tracker.gazetteer)
    -> validate (tracker.schema) -> geographic checks -> duplicates

:func:`prepare` runs every step and returns an :class:`ImportPlan`: the rows that
passed, every problem as (file, row, column, value, message), the duplicates
found, and what the user still has to decide (unmapped columns, ambiguous
dates, swapped coordinates).  Nothing is written here; :mod:`tracker.store`
writes a plan's rows as one batch.  The dashboard and ``python -m tracker
import`` both use this package, so they accept and reject the same rows.

One module per step, in the order they run:

- :mod:`.mapping`: which file column holds which field (aliases, required fields, layout keys);
- :mod:`.values`: dates and numbers parsed from text;
- :mod:`.placing`: positions from place descriptions, by the offline gazetteer;
- :mod:`.checks`: swapped coordinates, boat strikes on land, duplicates;
- :mod:`.pipeline`: :class:`ImportPlan` and :func:`prepare`, which run the steps above, chunk by
  chunk (:class:`~.pipeline.ChunkCheck`);
- :mod:`.reading`: the fast delimited reader (pyarrow, in blocks) and when it is safe;
- :mod:`.streaming`: :func:`import_file`, a file of any size checked and stored chunk by chunk.

Positions are EPSG:4326 longitude/latitude in degrees; distances and radii are km.
"""

from __future__ import annotations

from tracker.ingest.checks import (
    DUPLICATE_COLUMNS,
    DUPLICATE_DISTANCE_KM,
    INTEREST_BOX,
    MAX_CANDIDATE_PAIRS,
    find_duplicates,
    on_land_mask,
    swapped_mask,
)
from tracker.ingest.mapping import FIELD_ALIASES, REQUIRED, header_key, missing_required, suggest_mapping
from tracker.ingest.pipeline import READERS, ImportPlan, prepare
from tracker.ingest.placing import place_from_text
from tracker.ingest.streaming import MAX_PROBLEMS, ImportResult, Progress, import_file, read_header
from tracker.ingest.values import (
    DATE_ORDERS,
    DateEvidence,
    date_evidence,
    date_order_needed,
    infer_date_order,
    parse_dates,
    parse_numbers,
)

__all__ = [
    "ImportPlan",
    "prepare",
    "READERS",
    "import_file",
    "read_header",
    "ImportResult",
    "Progress",
    "MAX_PROBLEMS",
    "DateEvidence",
    "date_evidence",
    "FIELD_ALIASES",
    "REQUIRED",
    "header_key",
    "suggest_mapping",
    "missing_required",
    "DATE_ORDERS",
    "date_order_needed",
    "infer_date_order",
    "parse_dates",
    "parse_numbers",
    "place_from_text",
    "INTEREST_BOX",
    "swapped_mask",
    "on_land_mask",
    "DUPLICATE_DISTANCE_KM",
    "DUPLICATE_COLUMNS",
    "MAX_CANDIDATE_PAIRS",
    "find_duplicates",
]
