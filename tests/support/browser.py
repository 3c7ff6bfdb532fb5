"""Headless Chromium against a real server (gunicorn, several workers) on a free port of 127.0.0.1, for every
browser test: the server (this file run as a script: the project's build in a ``MemoryStore`` behind
``create_app``), the browser, its request log, screenshots in ``tests/artifacts/``. With ``CI=true`` a missing
Chromium or chromedriver fails the test instead of skipping it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
TIMEOUT = 3.0              # the server's time limit per query, seconds (a cartesian product runs out of it)
MAX_ROWS = 1000            # the server's row cap (the graph has more triples)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser test must run)")
    pytest.skip(reason)


def browser_binaries() -> tuple[str, str]:
    browser = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
                   None)
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").is_file()
                                             else None)
    if browser is None or driver is None:
        unavailable("Chromium and chromedriver are not installed (Debian: apt-get install chromium "
                     "chromium-driver)")
    return browser, driver


def ensure_assets(project) -> None:
    from policykg.web.site.assets import AssetsUnavailable, asset_status, build_assets

    if asset_status().complete:
        return
    if shutil.which("npm") is None:
        unavailable("the editor's assets are not built and npm is not installed")
    try:
        status = build_assets(project.root / "frontend")
    except AssetsUnavailable as error:
        unavailable(f"the editor's assets could not be built: {error}")
    assert status.complete, status.missing


# --- the server ------------------------------------------------------------------------------------------


def serve_pages(nquads: str, version: str) -> None:
    """Run as a script: serve the pages on a free port and print the root URL."""
    from policykg.project import Project
    from policykg.queries.registry import QueryRegistry
    from policykg.store.local import MemoryStore
    from policykg.web import create_app
    from policykg.web.endpoint.server import bind, serve
    from policykg.web.settings import Settings

    store = MemoryStore(version)
    store.load_nquads(nquads)
    registry = QueryRegistry.from_project(Project.locate())
    listener = bind("127.0.0.1", 0)
    settings = Settings(timeout=TIMEOUT, max_rows=MAX_ROWS)
    app = create_app(store, settings, registry=registry,
                     dump_dir=Path(tempfile.mkdtemp(prefix="policykg-browser-")))

    def ready(addresses):
        host, port = addresses[0]
        print(f"http://{host}:{port}", flush=True)

    serve(app, listener, settings, workers=2, on_ready=ready)


@contextmanager
def pages_server(nquads: Path, version: str, startup: float = 60.0) -> Iterator[str]:
    """This module run as a script (``serve_pages``) until the block ends: its root URL."""
    from support.server import started  # not at the top: this module also runs as a script

    with started([sys.executable, "-m", "support.browser", str(nquads), version], what="the pages' server",
                 startup=startup, cwd=Path(__file__).resolve().parent.parent) as (url, _, _):
        yield url


# --- the browser -----------------------------------------------------------------------------------------


@contextmanager
def chromium() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = browser_binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    profile = tempfile.mkdtemp(prefix="policykg-chromium-")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     "--disable-default-apps", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                     "--window-size=1400,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.set_page_load_timeout(60)
    try:
        yield chrome
    finally:
        chrome.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Requests:
    """Every URL the browser asked for, read from Chrome's performance log (DevTools Network events)."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def collect(self, chrome) -> None:
        for entry in chrome.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message["method"] == "Network.requestWillBeSent":
                self.urls.append(params["request"]["url"])
            elif message["method"] == "Network.webSocketCreated":
                self.urls.append(params["url"])

    def left_the_machine(self) -> list[str]:
        return [url for url in self.urls
                if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname != "127.0.0.1"]


def screenshot(chrome, name: str, full: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    if full:
        height = chrome.execute_script("return document.body.scrollHeight")
        chrome.set_window_size(1400, min(max(height, 1000), 6000))
    path = ARTIFACTS / f"{name}.png"
    chrome.save_screenshot(str(path))
    chrome.set_window_size(1400, 1000)
    return path


def wait(chrome, condition, timeout: float = 30):
    """``condition``'s first true value, tried every 0.1 s.

    An element the page replaced between two reads of one try (a new answer drawn over the last) makes that
    try fail, not the test: the next try finds the new element."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(chrome, timeout, poll_frequency=0.1,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(condition)


@contextmanager
def built_server(project) -> Iterator[str]:
    """The project's build (reasoned when Java is here) served by :func:`pages_server`: the root URL."""
    from policykg.graph.build import build_project

    browser_binaries()
    ensure_assets(project)
    build = build_project(project, reason=shutil.which("java") is not None)
    with pages_server(build.nquads_path, build.version) as url:
        yield url


if __name__ == "__main__":
    serve_pages(sys.argv[1], sys.argv[2])
