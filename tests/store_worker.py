"""Helper process for the store tests: import synthetic rows into a store.

    python tests/store_worker.py DB ROWS TAG [--pause-after-first-chunk] [--start-at EPOCH]

TAG is the rows' id prefix, the file name and the sha256.  Prints the batch id and exits 0, or
prints the refusal and exits 3 when the store already holds a batch with that sha256.
"""

import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker import schema  # noqa: E402
from tracker.store import DuplicateBatchError, Store  # noqa: E402


def rows(n: int, tag: str) -> pd.DataFrame:
    return schema.canonicalise(
        "incidents",
        pd.DataFrame(
            {
                "incident_id": [f"{tag}-{i}" for i in range(n)],
                "date": "2025-11-20",
                "date_precision": "day",
                "region": "Caribbean",
                "event_type": "boat strike",
                "latitude": 12.5,
                "longitude": -70.1,
                "location_precision": "exact",
                "radius_km": 0.0,
                "killed": 1,
                "source_urls": "https://example.org",
            }
        ),
    )


def main() -> None:
    db, n, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    pause = "--pause-after-first-chunk" in sys.argv
    if "--start-at" in sys.argv:
        start = float(sys.argv[sys.argv.index("--start-at") + 1])
        time.sleep(max(0.0, start - time.time()))
    store = Store(db)
    frame = rows(n, tag)

    def after_chunk(_start: int) -> None:
        if pause:
            print("CHUNK WRITTEN", flush=True)
            time.sleep(120)

    try:
        batch = store.import_batch(
            "incidents",
            frame,
            file_name=f"{tag}.csv",
            sha256=tag,
            rows_read=n,
            rows_rejected=0,
            _after_chunk=after_chunk,
        )
    except DuplicateBatchError as exc:
        print(f"REFUSED {exc}", flush=True)
        raise SystemExit(3) from None
    print(batch, flush=True)


if __name__ == "__main__":
    main()
