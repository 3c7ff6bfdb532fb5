"""The views of the whole field in a real browser (headless Chromium against a real server, ``support/browser.py``):
the lifecycle view and every file's timeline are measured label by label (no two text boxes overlap), the editor
draws a chart from a named query and shows a syntax error with its line, column and caret, and the network finds and
focuses a node and hides the nodes a filter leaves out. Screenshots go to ``tests/artifacts/``; every request the
browser makes stays on 127.0.0.1.
"""

from __future__ import annotations

import json
from urllib.parse import quote
from urllib.request import urlopen

import pytest
from support.browser import Requests, built_server, chromium, screenshot, wait

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Every text element's box on the page (SVG text measured by the browser), with its text.
BOXES = """
return Array.from(document.querySelectorAll(arguments[0])).map(function (t) {
  var r = t.getBoundingClientRect();
  return {text: t.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom};
}).filter(function (b) { return b.right > b.left && b.bottom > b.top; });
"""


def overlaps(boxes: list[dict], tolerance: float = 0.5) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if (a["left"] < b["right"] - tolerance and b["left"] < a["right"] - tolerance
                    and a["top"] < b["bottom"] - tolerance and b["top"] < a["bottom"] - tolerance):
                found.append((a["text"], b["text"]))
    return found


@pytest.fixture(scope="module")
def server(project):
    with built_server(project) as url:
        yield url


@pytest.fixture(scope="module")
def network_data(server) -> dict:
    with urlopen(server + "/pictures/network.json") as response:
        return json.load(response)


def test_the_lifecycle_view_has_no_overlapping_label(server, network_data):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    requests = Requests()
    with chromium() as chrome:
        chrome.get(server + "/lifecycle")
        wait(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "#lifecycle svg g.file-row"))
        rows = chrome.find_elements(By.CSS_SELECTOR, "#lifecycle svg g.file-row")
        assert len(rows) == 19
        boxes = chrome.execute_script(BOXES, "#lifecycle svg text")
        assert len(boxes) > 19 + 10            # the file names, the years, the stage names, the legend
        assert not overlaps(boxes), overlaps(boxes)
        # Official records and secondary sources are drawn apart; the page's claims too.
        assert chrome.find_elements(By.CSS_SELECTOR, "#lifecycle circle.event[data-evidence='official']")
        assert chrome.find_elements(By.CSS_SELECTOR, "#lifecycle circle.event[data-evidence='secondary']")
        assert chrome.find_elements(By.CSS_SELECTOR, "#lifecycle g.claim")
        screenshot(chrome, "lifecycle")

        # A work area keeps its files (a choice reloads the page with the filter).
        digital = {n["id"].rsplit("/", 1)[-1] for n in network_data["nodes"]
                   if n["group"] == "file" and "digital-technologies" in n.get("areas", [])}
        Select(chrome.find_element(By.ID, "filter-area")).select_by_value("digital-technologies")
        wait(chrome, lambda c: "area=digital-technologies" in c.current_url
             and len(c.find_elements(By.CSS_SELECTOR, "#lifecycle svg g.file-row")) == len(digital))
        shown = {g.get_attribute("data-file") for g in
                 chrome.find_elements(By.CSS_SELECTOR, "#lifecycle svg g.file-row")}
        assert shown == digital and 0 < len(digital) < 19
        assert not overlaps(chrome.execute_script(BOXES, "#lifecycle svg text"))
        requests.collect(chrome)
    assert not requests.left_the_machine(), requests.left_the_machine()


def test_no_files_timeline_has_overlapping_labels(server, network_data):
    from selenium.webdriver.common.by import By

    slugs = sorted(n["id"].rsplit("/", 1)[-1] for n in network_data["nodes"] if n["group"] == "file")
    assert len(slugs) == 19
    requests = Requests()
    with chromium() as chrome:
        for slug in slugs:
            chrome.get(f"{server}/pictures/timeline/{slug}.svg")
            wait(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "g.event"))
            boxes = chrome.execute_script(BOXES, "text")
            events = chrome.find_elements(By.CSS_SELECTOR, "g.event")
            assert len(boxes) >= len(events) + 3, slug    # each event's label, the title, the legend
            assert not overlaps(boxes), (slug, overlaps(boxes))
            # Each label lies inside the picture.
            width = chrome.execute_script("return document.documentElement.getBoundingClientRect().width")
            assert all(0 <= b["left"] and b["right"] <= width + 0.5 for b in boxes), slug
            screenshot(chrome, f"timeline-{slug}", full=False)
        requests.collect(chrome)
    assert not requests.left_the_machine(), requests.left_the_machine()


def _editor_ready(chrome):
    wait(chrome, lambda c: c.execute_script("return document.documentElement.dataset.editorReady === 'true'"))


def _row_count(chrome) -> int:
    from selenium.webdriver.common.by import By

    status = wait(chrome, lambda c: (t := c.find_element(By.ID, "editor-status").text) and " row" in t and t)
    return int(status.split(" ")[0])


def test_the_editor_draws_a_chart_of_a_named_query(server):
    from selenium.webdriver.common.by import By

    requests = Requests()
    with chromium() as chrome:
        # A named query opened and run from its address, shown as a chart: one bar per row.
        chrome.get(server + "/editor?example=concept-by-label&run=1&view=chart")
        _editor_ready(chrome)
        rows = _row_count(chrome)
        bars = wait(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, ".policykg-chart svg rect.chart-bar"))
        assert rows >= 1 and len(bars) == rows

        # A count per work area from a share link with run=1: a bar per row, each as long as its count.
        query = ("PREFIX pkg: <https://w3id.org/policykg/ontology#>\n"
                 "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                 "SELECT ?area (COUNT(DISTINCT ?file) AS ?files) WHERE {\n"
                 "  ?file pkg:workArea/skos:prefLabel ?area FILTER(LANG(?area) = 'en')\n"
                 "} GROUP BY ?area ORDER BY DESC(?files) ?area")
        chrome.get(f"{server}/editor?query={quote(query)}&run=1&view=chart")
        _editor_ready(chrome)
        rows = _row_count(chrome)
        bars = wait(chrome, lambda c: (b := c.find_elements(By.CSS_SELECTOR, ".policykg-chart svg rect.chart-bar"))
                    and len(b) == rows and b)
        assert rows > 5
        values = [float(b.get_attribute("data-value")) for b in bars]
        widths = [float(b.get_attribute("width")) for b in bars]
        assert values == sorted(values, reverse=True) and widths == sorted(widths, reverse=True)
        assert widths[0] > widths[-1]
        download = chrome.find_element(By.CSS_SELECTOR, ".policykg-chart a.chart-download")
        assert download.get_attribute("href").startswith("blob:")     # made in the page, asked of no server
        labels = chrome.execute_script(BOXES, ".policykg-chart svg text")
        assert not overlaps(labels), overlaps(labels)
        chrome.execute_script("document.querySelector('.policykg-chart').scrollIntoView()")
        screenshot(chrome, "editor-chart", full=False)

        # An answer with dates is drawn as a timeline: a mark per row.
        chrome.get(server + "/editor?example=file-timeline&run=1")
        _editor_ready(chrome)
        rows = _row_count(chrome)
        chrome.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasr .select_chart").click()
        marks = wait(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, ".policykg-chart svg circle.chart-mark"))
        assert rows > 1 and len(marks) == rows
        requests.collect(chrome)
    assert not requests.left_the_machine(), requests.left_the_machine()


def _error_where(chrome, column: int) -> tuple[int, int, list[str]]:
    """The error box's line, column and text lines, once it is the box for an error at ``column``.

    Read in one script so that a box the page replaces between two reads cannot be half read."""
    found = wait(chrome, lambda c: (w := c.execute_script(
        "var w = document.querySelector('.policykg-error-where');"
        "return w && [w.getAttribute('data-line'), w.getAttribute('data-column'), w.innerText];"))
        and w[1] == str(column) and w)
    return int(found[0]), int(found[1]), found[2].split("\n")


def _status_once(chrome, condition) -> str:
    """The editor's status text once ``condition`` holds for it (it is written just after the answer is drawn)."""
    from selenium.webdriver.common.by import By

    return wait(chrome, lambda c: (t := c.find_element(By.ID, "editor-status").text) and condition(t) and t)


def test_a_syntax_error_shows_its_line_column_and_caret(server):
    from selenium.webdriver.common.by import By

    query = "SELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER(?o > 3 }\n"   # a ')' missing: the '}' closes the '('
    requests = Requests()
    with chromium() as chrome:
        chrome.get(server + "/editor")
        _editor_ready(chrome)
        chrome.execute_script(
            "document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.setValue(arguments[0])", query)
        chrome.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton").click()
        line, column, (heading, text, caret) = _error_where(chrome, 17)
        assert line == 4
        assert heading == "line 4, column 17" and text == "  FILTER(?o > 3 }"
        assert caret == " " * 16 + "^" and text[caret.index("^")] == "}"
        status = _status_once(chrome, lambda t: "column" in t)
        assert status.startswith("The endpoint could not run this query.") and "line 4, column 17" in status
        marked = chrome.find_elements(By.CSS_SELECTOR, ".tabPanel.active .CodeMirror .policykg-error-line")
        assert len(marked) == 1
        screenshot(chrome, "editor-syntax-error", full=False)

        # A missing '}' at the end: the caret stands after the last character, where the brace should be.
        chrome.execute_script(
            "document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.setValue(arguments[0])",
            "SELECT * WHERE { ?s ?p ?o")
        chrome.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton").click()
        line, column, where = _error_where(chrome, 26)
        assert line == 1 and where[2] == " " * 25 + "^"
        assert _status_once(chrome, lambda t: "line 1" in t).count(
            "ends before the '}' that closes the '{' opened at line 1, column 16") == 1
        requests.collect(chrome)
    assert not requests.left_the_machine(), requests.left_the_machine()


def test_the_network_finds_a_node_and_filters_hide_nodes(server, network_data):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    ai_act = next(n for n in network_data["nodes"] if n["id"].endswith("/id/file/ai-act"))
    requests = Requests()
    with chromium() as chrome:
        chrome.get(server + "/network")
        container = chrome.find_element(By.ID, "network")
        wait(chrome, lambda c: container.get_attribute("data-ready") == "true", 60)
        assert int(container.get_attribute("data-visible")) == len(network_data["nodes"])
        # No label is cut mid-word; every node keeps its full name for the tooltip.
        for node in network_data["nodes"]:
            shown = node["label"].replace("\n", " ")
            if shown != node["title"]:
                kept = shown.removesuffix(" …")
                assert shown.endswith(" …") and node["title"].startswith(kept + " "), node

        search = chrome.find_element(By.ID, "network-search")
        search.send_keys("AI Act")
        wait(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "#network-results button"))
        search.send_keys(Keys.ENTER)
        wait(chrome, lambda c: container.get_attribute("data-focused") == ai_act["id"])
        assert chrome.execute_script("return document.getElementById('network-focus').textContent").startswith(
            ai_act["title"])

        # A work area: its files and what they link to; every other node hidden.
        files = {n["id"] for n in network_data["nodes"]
                 if n["group"] == "file" and "digital-technologies" in n.get("areas", [])}
        expected = set(files)
        for edge in network_data["edges"]:
            if edge["from"] in files:
                expected.add(edge["to"])
            if edge["to"] in files:
                expected.add(edge["from"])
        Select(chrome.find_element(By.ID, "network-area")).select_by_value("digital-technologies")
        wait(chrome, lambda c: container.get_attribute("data-visible") == str(len(expected)))
        assert len(expected) < len(network_data["nodes"])
        # The kinds: without positions, the positions are hidden too.
        chrome.find_element(By.CSS_SELECTOR, "input[name=kind][value=position]").click()
        positions = {n["id"] for n in network_data["nodes"] if n["group"] == "position"}
        wait(chrome, lambda c: container.get_attribute("data-visible") == str(len(expected - positions)))
        screenshot(chrome, "network-filter", full=False)
        requests.collect(chrome)
    assert not requests.left_the_machine(), requests.left_the_machine()
