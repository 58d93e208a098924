"""Browser fixtures: a real `streamlit run app.py` and Debian's Chromium driven by Playwright.

* The server runs on a free port with a fresh temporary store and is stopped
  afterwards, whatever happens.
* Chromium is /usr/bin/chromium (never a downloaded browser), headless, no
  sandbox (CI runs as root), background networking off.
* Every request the page makes must stay on this machine: a test fails if the
  dashboard reaches for the network.
* On failure, a screenshot and the console log are saved under
  test-artifacts/browser/<test>/ and the folder is printed at the end.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from browser.app_server import running_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
LOCAL = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "ws://localhost", "data:", "blob:", "about:")
_saved: list[Path] = []


MISSING = f"{CHROMIUM} is not installed (apt-get install -y chromium; scripts/test.sh does it as root)"


def pytest_collection_modifyitems(config, items):
    """Without Chromium the browser tests skip on a developer's machine; in CI they fail."""
    if CHROMIUM.exists() or os.environ.get("CI"):
        return
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def pytest_terminal_summary(terminalreporter):
    if _saved:
        terminalreporter.write_line(f"browser failure screenshots and console logs: {ARTIFACTS}")
        for path in _saved:
            terminalreporter.write_line(f"  {path}")


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("store") / "store.sqlite") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(MISSING)
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--use-angle=swiftshader",
                "--enable-unsafe-swiftshader",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    console: list[str] = []
    outside: list[str] = []
    dialogs: list[str] = []
    pg.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    pg.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    pg.on("request", lambda r: outside.append(r.url) if not r.url.startswith(LOCAL) else None)

    def on_dialog(d):
        dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.console_log, pg.outside_requests, pg.dialogs = console, outside, dialogs  # type: ignore[attr-defined]
    yield pg
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        folder = ARTIFACTS / request.node.name
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):
            pg.screenshot(path=str(folder / "screenshot.png"), full_page=True)
        (folder / "console.log").write_text("\n".join(console), encoding="utf-8")
        _saved.append(folder)
    context.close()
    assert outside == [], f"the page reached outside this machine: {outside}"
