"""A named-query page in a real browser (headless Chromium, ``support/browser.py``, against ``policykg serve``): the
researcher picks two files by their labels in the picker, runs the query, reads the rows of both, downloads the
same answer as CSV, and opens the query in the editor with the values chosen. No request leaves 127.0.0.1."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import shutil

import pytest
import requests
from support.browser import Requests, browser_binaries, chromium, screenshot, wait
from support.server import running

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(project):
    browser_binaries()  # skips when Chromium is not here
    with running(*([] if shutil.which("java") else ["--no-reason"]), "--timeout", "60") as served:
        yield served.root


def test_pick_two_files_by_label_and_run(server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    log = Requests()
    with chromium() as chrome:
        chrome.get(server + "/queries")
        chrome.find_element(By.LINK_TEXT, "Policy files and their instruments, with CELEX, ELI and EUR-Lex links").click()
        picker = Select(wait(chrome, lambda c: c.find_element(By.ID, "param-file")))
        assert picker.is_multiple
        labels = [option.text for option in picker.options]
        assert "AI Act (ai-act)" in labels and "Eurodac Regulation (eurodac-regulation)" in labels
        picker.select_by_visible_text("AI Act (ai-act)")
        picker.select_by_visible_text("Eurodac Regulation (eurodac-regulation)")
        chrome.find_element(By.CSS_SELECTOR, ".query-form button[type=submit]").click()

        wait(chrome, lambda c: "file=" in c.current_url)
        assert parse_qs(urlsplit(chrome.current_url).query)["file"] == ["ai-act", "eurodac-regulation"]
        table = wait(chrome, lambda c: c.find_element(By.CSS_SELECTOR, "table.data"))
        headers = [th.text.lower() for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
        column = headers.index("filelabel")
        shown = {tr.find_elements(By.TAG_NAME, "td")[column].text
                 for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")}
        assert shown == {"AI Act", "Eurodac Regulation"}
        chosen = [o.text for o in Select(chrome.find_element(By.ID, "param-file")).all_selected_options]
        assert chosen == ["AI Act (ai-act)", "Eurodac Regulation (eurodac-regulation)"]
        screenshot(chrome, "named-query-two-files")

        download = chrome.find_element(By.LINK_TEXT, "CSV").get_attribute("href")
        answer = requests.get(download, timeout=60)
        rows = list(csv.DictReader(io.StringIO(answer.text, newline="")))
        assert answer.status_code == 200 and {r["fileLabel"] for r in rows} == shown
        assert len(rows) == len(table.find_elements(By.CSS_SELECTOR, "tbody tr"))

        editor = chrome.find_element(By.LINK_TEXT, "Open in the query editor").get_attribute("href")
        arguments = parse_qs(urlsplit(editor).query)
        assert arguments["example"] == ["files-and-instruments"] and arguments["run"] == ["1"]
        assert "/id/file/eurodac-regulation>" in arguments["query"][0]
        log.collect(chrome)
    assert log.urls and not log.left_the_machine()
