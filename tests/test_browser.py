"""The pages in a real browser: headless Chromium, driven by Selenium, against a real server (gunicorn, several
workers) on a free port of 127.0.0.1 (see ``support/browser.py``).

It opens the home page, runs a named query in the query editor and reads a CELEX number from the result table,
completes a class name from our ontology, shows the endpoint's error message for a bad query, opens a resource
page from the results and follows a link on it, and draws the network. Screenshots go to ``tests/artifacts/``.
Every request the browser made is read from Chrome's performance log: none may leave 127.0.0.1.
"""

from __future__ import annotations

import pytest
from support.browser import MAX_ROWS, TIMEOUT, Requests, built_server, chromium, screenshot, wait

CELEX = "32024R1689"       # the AI Act, a row of the files-and-instruments query

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _run(chrome, query: str, expected: str) -> str:
    """Run ``query`` in the editor's current tab; the message line once it mentions ``expected``."""
    from selenium.webdriver.common.by import By

    chrome.execute_script("document.getElementById('editor-status').textContent = '';"
                          "document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.setValue(arguments[0]);",
                          query)
    chrome.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton").click()
    return wait(chrome, lambda c: (text := c.find_element(By.ID, "editor-status").text) and expected in text
                 and text, 30)


@pytest.fixture(scope="module")
def server(project):
    with built_server(project) as url:
        yield url


def test_a_researcher_gets_an_answer_offline(server):
    from selenium.webdriver.common.by import By

    requests = Requests()
    with chromium() as chrome:
        # The home page: the dataset and its 19 files.
        chrome.get(server + "/")
        wait(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, ".files-table tbody tr"))
        assert chrome.find_element(By.TAG_NAME, "h1").text.startswith("policykg")
        assert len(chrome.find_elements(By.CSS_SELECTOR, ".files-table tbody tr")) == 19
        wait(chrome, lambda c: c.execute_script(
            "var i = document.querySelector('img.chart'); return i.complete && i.naturalWidth > 0"))
        screenshot(chrome, "home")
        requests.collect(chrome)

        # The query editor: completion from our ontology, a named query run from its example, a clear error.
        chrome.find_element(By.LINK_TEXT, "Query editor").click()
        wait(chrome, lambda c: c.execute_script("return document.documentElement.dataset.editorReady === 'true'"))
        chrome.execute_script("""
            var cm = document.querySelector('.tabPanel.active .CodeMirror').CodeMirror;
            cm.setValue('PREFIX pkg: <https://w3id.org/policykg/ontology#>\\nSELECT * WHERE { ?s a pkg:Polic');
            cm.focus(); cm.setCursor({line: 1, ch: 200}); cm.autocomplete();""")
        hints = wait(chrome, lambda c: [e.text for e in c.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")])
        assert "pkg:PolicyFile" in hints

        chrome.find_element(By.CSS_SELECTOR, "button[data-example='files-and-instruments']").click()
        cell = wait(chrome, lambda c: next((td for td in c.find_elements(
            By.CSS_SELECTOR, ".tabPanel.active .yasr table td") if td.text.strip() == CELEX), None))
        assert cell.text.strip() == CELEX
        # The status is written just after the table is drawn.
        wait(chrome, lambda c: "rows" in c.find_element(By.ID, "editor-status").text)
        csv = chrome.find_element(By.ID, "csv-link").get_attribute("href")
        assert csv.startswith(server + "/sparql?") and "format=csv" in csv
        chrome.execute_script("window.scrollTo(0, 0)")
        screenshot(chrome, "editor")
        requests.collect(chrome)

        # A link in the results opens the resource page here, not at the persistent address.
        link = wait(chrome, lambda c: next((a for a in c.find_elements(
            By.CSS_SELECTOR, ".tabPanel.active .yasr table td a") if a.get_attribute("href").endswith(
            "/id/file/ai-act")), None))
        assert link.get_attribute("href") == server + "/id/file/ai-act"
        chrome.get(link.get_attribute("href"))
        wait(chrome, lambda c: c.find_element(By.TAG_NAME, "h1").text == "AI Act")
        wait(chrome, lambda c: c.execute_script(
            "var i = document.querySelector('.timeline img'); return i.complete && i.naturalWidth > 0"))
        assert CELEX in chrome.find_element(By.CSS_SELECTOR, ".instruments").text
        screenshot(chrome, "resource-ai-act")
        requests.collect(chrome)

        # Follow a link on it: the group the act affects, whose page lists the act among its references.
        chrome.find_element(By.LINK_TEXT, "people in migration").click()
        wait(chrome, lambda c: c.find_element(By.TAG_NAME, "h1").text == "people in migration")
        assert chrome.current_url == server + "/concept/affected-group/people-in-migration"
        wait(chrome, lambda c: "AI Act" in c.find_element(By.CSS_SELECTOR, ".incoming").text)

        # A bad query, a query that runs out of time and one the row cap cuts: each says so.
        chrome.get(server + "/editor")
        wait(chrome, lambda c: c.execute_script("return document.documentElement.dataset.editorReady === 'true'"))
        status = _run(chrome, "SELECT * WHERE { ?s ?p }", "syntax")
        assert status.startswith("The endpoint could not run this query.")
        status = _run(chrome, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "ran out of time")
        assert status.startswith("The query was stopped.") and f"after {TIMEOUT:g} s" in status
        status = _run(chrome, "SELECT * WHERE { ?s ?p ?o }", "limit")
        assert status.startswith(f"{MAX_ROWS} rows, cut at the endpoint's limit.")
        screenshot(chrome, "editor-capped", full=False)
        requests.collect(chrome)

        # The network of files, instruments, groups and positions.
        chrome.get(server + "/network")
        wait(chrome, lambda c: c.find_element(By.ID, "network").get_attribute("data-ready") == "true", 60)
        screenshot(chrome, "network", full=False)

        requests.collect(chrome)
    assert any(url.startswith(server + "/static/vendor/yasgui/") for url in requests.urls)
    assert not requests.left_the_machine(), requests.left_the_machine()

