"""Benchmark: the Overview page in Debian's Chromium, cold, with many imported rows.

    python bench/bench_browser.py [--rows 1000000] [--rows 100000 ...]

For each size, a fresh ``streamlit run app.py`` (nothing cached) on a store holding that many
synthetic incident rows (``bench/synthetic.py``) is opened in headless Chromium, and the time from
``page.goto`` until the counters are shown and strike-coloured pixels are drawn in the map's canvas
is measured.  The baseline, measured in the same run, is the same page on an empty store (the
bundled records only).  Also printed: the map's deck JSON as the browser received it (bytes) and
the server's peak resident memory.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from synthetic import incident_frame  # noqa: E402

from browser.app_server import running_app  # noqa: E402
from tracker.store import Store  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
TIMEOUT_S = 300


def _strike_pixels(png: bytes) -> int:
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int(((rgb[..., 0] > 180) & (rgb[..., 1] < 110) & (rgb[..., 2] < 110)).sum())


def _server_peak_mib(store_path: Path) -> float | None:
    """The peak resident memory (VmHWM) of the app server serving ``store_path``, read while it runs."""
    marker = f"INTERDICTION_TRACKER_DB={store_path}".encode()
    peaks = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if b"streamlit" not in (proc / "cmdline").read_bytes() or marker not in (proc / "environ").read_bytes():
                continue
            status = (proc / "status").read_text()
        except OSError:
            continue
        peaks += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")]
    return max(peaks) if peaks else None


def overview_cold(browser, store_path: Path) -> tuple[float, int, float | None]:
    """Seconds from goto to a drawn map, the deck JSON bytes received, and the server's peak MiB."""
    with running_app(store_path) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        received = [0]

        def on_frame(payload: bytes | str) -> None:
            received[0] += len(payload)

        page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("[data-testid=stMetric]", timeout=TIMEOUT_S * 1000)
        canvas = page.locator("[data-testid=stDeckGlJsonChart] canvas").first
        canvas.wait_for(timeout=TIMEOUT_S * 1000)
        while time.perf_counter() - start < TIMEOUT_S:
            try:
                if _strike_pixels(canvas.screenshot(timeout=10_000)) > 200:
                    break
            except Exception:  # the canvas is re-rendered while the page runs
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"the map was not drawn within {TIMEOUT_S} s")
        elapsed = time.perf_counter() - start
        peak = _server_peak_mib(store_path)
        context.close()
    return elapsed, received[0], peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, action="append", help="rows in the store (repeatable; default 1,000,000)")
    sizes = ap.parse_args().rows or [1_000_000]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--use-angle=swiftshader"]
        )
        empty = Path(tmp) / "empty" / "store.sqlite"
        empty.parent.mkdir()
        Store(empty)
        t_empty, bytes_empty, peak_empty = overview_cold(browser, empty)
        print(
            f"Overview cold, empty store (baseline): map drawn after {t_empty:6.2f} s; "
            f"{bytes_empty / 1e6:5.2f} MB over the websocket; server peak {peak_empty or float('nan'):6.0f} MiB"
        )
        for n in sizes:
            path = Path(tmp) / f"rows{n}" / "store.sqlite"
            path.parent.mkdir()
            Store(path).import_batch(
                "incidents",
                incident_frame(n),
                file_name=f"synthetic-{n}.csv",
                sha256=f"synthetic-{n}",
                rows_read=n,
                rows_rejected=0,
            )
            t, received, peak = overview_cold(browser, path)
            print(
                f"Overview cold, {n:,} imported rows: map drawn after {t:6.2f} s "
                f"({t / t_empty:4.2f}x the empty store's {t_empty:.2f} s); {received / 1e6:5.2f} MB over the "
                f"websocket (empty: {bytes_empty / 1e6:.2f}); server peak {peak or float('nan'):6.0f} MiB"
            )
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
