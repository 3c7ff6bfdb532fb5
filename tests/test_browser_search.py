"""Finding things in a real browser (headless Chromium against a real server, see ``support/browser.py``): a CELEX
number typed into the header's search box lands on the act's page, words give a ranked list, and every kind of page
wears the same header (navigation, search box) and the one stylesheet. Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import pytest
from support.browser import Requests, built_server, chromium, screenshot, wait

CELEX = "32024R1689"        # the AI Act (data/ai-act.ttl)
NAV = ["Home", "Policy files", "Lifecycle", "Named queries", "Query editor", "Network", "Downloads", "How to cite",
       "Service description"]
PAGES = {  # screenshot name -> path: every kind of page
    "look-home": "/",
    "look-queries": "/queries",
    "look-query-page": "/queries/search?q=asylum",
    "look-service-description": "/sparql",
    "look-editor": "/editor",
    "look-resource": "/id/file/ai-act",
    "look-network": "/network",
    "look-search": "/search?q=asylum",
}
HEADER = """
    var links = Array.from(document.querySelectorAll('header.site-header nav.site-nav a'));
    var header = document.querySelector('header.site-header');
    var box = document.querySelector('header.site-header form[role=search] input[name=q]');
    return {
      nav: links.map(function (a) { return [a.textContent.trim(), a.getAttribute('href')]; }),
      current: links.filter(function (a) { return a.getAttribute('aria-current') === 'page'; })
                    .map(function (a) { return a.textContent.trim(); }),
      sheets: Array.from(document.styleSheets).map(function (s) { return s.href; })
                   .filter(function (h) { return h && h.indexOf('/static/policykg/') >= 0; }),
      background: header ? getComputedStyle(header).backgroundColor : null,
      font: getComputedStyle(document.body).fontFamily,
      box: box ? box.getAttribute('placeholder') : null
    };"""

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(project):
    with built_server(project) as url:
        yield url


def test_a_celex_number_typed_in_the_search_box_opens_the_act(server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    requests = Requests()
    with chromium() as chrome:
        chrome.get(server + "/network")
        box = wait(chrome, lambda c: c.find_element(By.CSS_SELECTOR, "header.site-header input[name=q]"))
        box.send_keys(CELEX, Keys.ENTER)
        wait(chrome, lambda c: "/describe?iri=" in c.current_url)
        wait(chrome, lambda c: c.find_element(By.TAG_NAME, "h1").text == "Artificial Intelligence Act")
        assert chrome.current_url == server + "/describe?iri=http%3A%2F%2Fdata.europa.eu%2Feli%2Freg%2F2024%2F1689%2Foj"
        assert CELEX in chrome.find_element(By.TAG_NAME, "main").text
        screenshot(chrome, "search-celex-act-page")
        requests.collect(chrome)

        # Words give a ranked list, whole words only: "AI" finds the AI Act first and nothing "against".
        box = chrome.find_element(By.CSS_SELECTOR, "header.site-header input[name=q]")
        box.clear()
        box.send_keys("AI", Keys.ENTER)
        first = wait(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "ol.hits .hit-label"))
        labels = [a.text for a in first]
        assert labels[0] == "AI Act"
        assert not [label for label in labels if "against" in label.lower() or "trafficking" in label.lower()]
        assert chrome.find_element(By.CSS_SELECTOR, "header.site-header input[name=q]").get_attribute("value") == "AI"
        screenshot(chrome, "search-ai")
        first[0].click()
        wait(chrome, lambda c: c.find_element(By.TAG_NAME, "h1").text == "AI Act")
        assert chrome.current_url == server + "/id/file/ai-act"

        # A COM number goes to the proposal, a procedure reference to the procedure.
        for text, iri in (("COM(2021) 206", "http%3A%2F%2Fpublications.europa.eu%2Fresource%2Fcelex%2F52021PC0206"),
                          ("2021/0106(COD)", "https%3A%2F%2Fdata.europarl.europa.eu%2Feli%2Fdl%2Fproc%2F2021-0106")):
            box = chrome.find_element(By.CSS_SELECTOR, "header.site-header input[name=q]")
            box.clear()
            box.send_keys(text, Keys.ENTER)
            wait(chrome, lambda c, i=iri: c.current_url == f"{server}/describe?iri={i}")
            assert text in wait(chrome, lambda c: c.find_element(By.TAG_NAME, "main").text)
        requests.collect(chrome)
    assert not requests.left_the_machine(), requests.left_the_machine()


def test_every_page_wears_the_same_header_and_stylesheet(server):
    from selenium.webdriver.common.by import By

    seen = {}
    with chromium() as chrome:
        for name, path in PAGES.items():
            chrome.get(server + path)
            wait(chrome, lambda c: c.find_element(By.TAG_NAME, "h1").text)
            seen[name] = chrome.execute_script(HEADER)
            screenshot(chrome, name, full=False)
    first = seen["look-home"]
    assert [label for label, _ in first["nav"]] == NAV
    assert first["sheets"] == [server + "/static/policykg/site.css"]
    for name, header in seen.items():   # the one stylesheet everywhere (a page may add its own after it)
        assert header["nav"] == first["nav"], name
        assert header["sheets"][0] == first["sheets"][0], name
        assert header["sheets"].count(first["sheets"][0]) == 1, name
        assert header["background"] == first["background"] and header["font"] == first["font"], name
        assert header["box"] and "32024R1689" in header["box"], name
    assert seen["look-home"]["current"] == ["Home"]
    assert seen["look-queries"]["current"] == seen["look-query-page"]["current"] == ["Named queries"]
    assert seen["look-service-description"]["current"] == ["Service description"]
    assert seen["look-editor"]["current"] == ["Query editor"]
    assert seen["look-network"]["current"] == ["Network"]
