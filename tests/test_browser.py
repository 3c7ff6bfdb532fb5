"""The pages in a real browser: headless Chromium, driven by Selenium, against a real server (gunicorn, several
workers) on a free port of 127.0.0.1.

It opens the home page, runs a named query in the query editor and reads a CELEX number from the result table,
completes a class name from our ontology, shows the endpoint's error message for a bad query, opens a resource
page from the results and follows a link on it, and draws the network. Screenshots go to ``tests/artifacts/``.
Every request the browser made is read from Chrome's performance log: none may leave 127.0.0.1.

Until ``policykg serve`` registers the pages itself, the server is this file run as a script: the project's build
in a ``MemoryStore``, ``create_app``, the named queries and :func:`policykg.web.site.install.install`, served by
:func:`policykg.web.endpoint.server.serve` (gunicorn). With ``CI=true`` a missing Chromium or chromedriver fails the test.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CELEX = "32024R1689"       # the AI Act, a row of the files-and-instruments query
TIMEOUT = 3.0              # the server's time limit per query, seconds (a cartesian product runs out of it)
MAX_ROWS = 1000            # the server's row cap (the graph has more triples)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser test must run)")
    pytest.skip(reason)


def _browser_binaries() -> tuple[str, str]:
    browser = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
                   None)
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").is_file()
                                             else None)
    if browser is None or driver is None:
        _unavailable("Chromium and chromedriver are not installed (Debian: apt-get install chromium "
                     "chromium-driver)")
    return browser, driver


def _ensure_assets(project) -> None:
    from policykg.web.site.assets import AssetsUnavailable, asset_status, build_assets

    if asset_status().complete:
        return
    if shutil.which("npm") is None:
        _unavailable("the editor's assets are not built and npm is not installed")
    try:
        status = build_assets(project.root / "frontend")
    except AssetsUnavailable as error:
        _unavailable(f"the editor's assets could not be built: {error}")
    assert status.complete, status.missing


# --- the server ------------------------------------------------------------------------------------------


def _serve(nquads: str, version: str) -> None:
    """Run as a script: serve the pages on a free port and print the root URL."""
    from policykg.project import Project
    from policykg.queries.registry import QueryRegistry
    from policykg.store.local import MemoryStore
    from policykg.web import create_app
    from policykg.web.endpoint.server import serve
    from policykg.web.settings import Settings

    store = MemoryStore(version)
    store.load_nquads(nquads)
    registry = QueryRegistry.from_project(Project.locate())
    app = create_app(store, Settings(timeout=TIMEOUT, max_rows=MAX_ROWS), registry=registry,
                     dump_dir=Path(tempfile.mkdtemp(prefix="policykg-browser-")))

    def ready(addresses):
        host, port = addresses[0]
        print(f"http://{host}:{port}", flush=True)

    serve(app, host="127.0.0.1", port=0, workers=2, on_ready=ready)


@contextmanager
def pages_server(nquads: Path, version: str, startup: float = 60.0) -> Iterator[str]:
    from support.server import stop

    process = subprocess.Popen([sys.executable, __file__, str(nquads), version], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    threading.Thread(target=lambda: [log.append(line.rstrip()) for line in process.stderr], daemon=True).start()
    try:
        deadline = time.monotonic() + startup
        while True:
            try:
                line = lines.get(timeout=0.2).strip()
            except queue.Empty:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the pages' server did not start:\n" + "\n".join(log)) from None
                continue
            if line.startswith("http://"):
                break
        yield line
    finally:
        stop(process)


# --- the browser -----------------------------------------------------------------------------------------


@contextmanager
def chromium() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = _browser_binaries()
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


def _screenshot(chrome, name: str, full: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    if full:
        height = chrome.execute_script("return document.body.scrollHeight")
        chrome.set_window_size(1400, min(max(height, 1000), 6000))
    path = ARTIFACTS / f"{name}.png"
    chrome.save_screenshot(str(path))
    chrome.set_window_size(1400, 1000)
    return path


def _wait(chrome, condition, timeout: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(chrome, timeout, poll_frequency=0.1).until(condition)


def _run(chrome, query: str, expected: str) -> str:
    """Run ``query`` in the editor's current tab; the message line once it mentions ``expected``."""
    from selenium.webdriver.common.by import By

    chrome.execute_script("document.getElementById('editor-status').textContent = '';"
                          "document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.setValue(arguments[0]);",
                          query)
    chrome.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton").click()
    return _wait(chrome, lambda c: (text := c.find_element(By.ID, "editor-status").text) and expected in text
                 and text, 30)


@pytest.fixture(scope="module")
def server(project):
    from policykg.graph.build import build_project

    _browser_binaries()
    _ensure_assets(project)
    build = build_project(project, reason=shutil.which("java") is not None)
    with pages_server(build.nquads_path, build.version) as url:
        yield url


def test_a_researcher_gets_an_answer_offline(server):
    from selenium.webdriver.common.by import By

    requests = Requests()
    with chromium() as chrome:
        # The home page: the dataset and its 19 files.
        chrome.get(server + "/")
        _wait(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, ".files-table tbody tr"))
        assert chrome.find_element(By.TAG_NAME, "h1").text.startswith("policykg")
        assert len(chrome.find_elements(By.CSS_SELECTOR, ".files-table tbody tr")) == 19
        _wait(chrome, lambda c: c.execute_script(
            "var i = document.querySelector('img.chart'); return i.complete && i.naturalWidth > 0"))
        _screenshot(chrome, "home")
        requests.collect(chrome)

        # The query editor: completion from our ontology, a named query run from its example, a clear error.
        chrome.find_element(By.LINK_TEXT, "Query editor").click()
        _wait(chrome, lambda c: c.execute_script("return document.documentElement.dataset.editorReady === 'true'"))
        chrome.execute_script("""
            var cm = document.querySelector('.tabPanel.active .CodeMirror').CodeMirror;
            cm.setValue('PREFIX pkg: <https://w3id.org/policykg/ontology#>\\nSELECT * WHERE { ?s a pkg:Polic');
            cm.focus(); cm.setCursor({line: 1, ch: 200}); cm.autocomplete();""")
        hints = _wait(chrome, lambda c: [e.text for e in c.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")])
        assert "pkg:PolicyFile" in hints

        chrome.find_element(By.CSS_SELECTOR, "button[data-example='files-and-instruments']").click()
        cell = _wait(chrome, lambda c: next((td for td in c.find_elements(
            By.CSS_SELECTOR, ".tabPanel.active .yasr table td") if td.text.strip() == CELEX), None))
        assert cell.text.strip() == CELEX
        assert "rows" in chrome.find_element(By.ID, "editor-status").text
        csv = chrome.find_element(By.ID, "csv-link").get_attribute("href")
        assert csv.startswith(server + "/sparql?") and "format=csv" in csv
        chrome.execute_script("window.scrollTo(0, 0)")
        _screenshot(chrome, "editor")
        requests.collect(chrome)

        # A link in the results opens the resource page here, not at the persistent address.
        link = _wait(chrome, lambda c: next((a for a in c.find_elements(
            By.CSS_SELECTOR, ".tabPanel.active .yasr table td a") if a.get_attribute("href").endswith(
            "/id/file/ai-act")), None))
        assert link.get_attribute("href") == server + "/id/file/ai-act"
        chrome.get(link.get_attribute("href"))
        _wait(chrome, lambda c: c.find_element(By.TAG_NAME, "h1").text == "AI Act")
        _wait(chrome, lambda c: c.execute_script(
            "var i = document.querySelector('.timeline img'); return i.complete && i.naturalWidth > 0"))
        assert CELEX in chrome.find_element(By.CSS_SELECTOR, ".instruments").text
        _screenshot(chrome, "resource-ai-act")
        requests.collect(chrome)

        # Follow a link on it: the group the act affects, whose page lists the act among its references.
        chrome.find_element(By.LINK_TEXT, "people in migration").click()
        _wait(chrome, lambda c: c.find_element(By.TAG_NAME, "h1").text == "people in migration")
        assert chrome.current_url == server + "/concept/affected-group/people-in-migration"
        assert "AI Act" in chrome.find_element(By.CSS_SELECTOR, ".incoming").text

        # A bad query, a query that runs out of time and one the row cap cuts: each says so.
        chrome.get(server + "/editor")
        _wait(chrome, lambda c: c.execute_script("return document.documentElement.dataset.editorReady === 'true'"))
        status = _run(chrome, "SELECT * WHERE { ?s ?p }", "syntax")
        assert status.startswith("The endpoint could not run this query.")
        status = _run(chrome, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "ran out of time")
        assert status.startswith("The query was stopped.") and f"after {TIMEOUT:g} s" in status
        status = _run(chrome, "SELECT * WHERE { ?s ?p ?o }", "limit")
        assert status.startswith(f"{MAX_ROWS} rows, cut at the endpoint's limit.")
        _screenshot(chrome, "editor-capped", full=False)
        requests.collect(chrome)

        # The network of files, instruments, groups and positions.
        chrome.get(server + "/network")
        _wait(chrome, lambda c: c.find_element(By.ID, "network").get_attribute("data-ready") == "true", 60)
        _screenshot(chrome, "network", full=False)

        requests.collect(chrome)
    assert any(url.startswith(server + "/static/vendor/yasgui/") for url in requests.urls)
    assert not requests.left_the_machine(), requests.left_the_machine()


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2])
