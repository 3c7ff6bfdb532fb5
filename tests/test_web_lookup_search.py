"""Finding things over HTTP: the lookup URLs (/celex, /eli, /com, /procedure), the ``search`` named query and the
/search page that runs it, and the one header (navigation, search box, stylesheet) on every kind of page.

Every identifier found here is in data/: the AI Act (CELEX 32024R1689, ELI reg/2024/1689/oj), its proposal
COM(2021) 206 (CELEX 52021PC0206) and its procedure 2021/0106(COD). 32099R9999 is a well-formed CELEX number no act
of the graph has.
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from markupsafe import escape

from policykg.cli import main
from policykg.namespaces import INFERRED_GRAPH, PKG
from policykg.store.local import MemoryStore

AI_ACT = "http://data.europa.eu/eli/reg/2024/1689/oj"
AI_ACT_PAGE = "/describe?iri=http%3A%2F%2Fdata.europa.eu%2Feli%2Freg%2F2024%2F1689%2Foj"
PROPOSAL = "http://publications.europa.eu/resource/celex/52021PC0206"
PROCEDURE = "https://data.europarl.europa.eu/eli/dl/proc/2021-0106"
AI_ACT_FILE = "https://w3id.org/policykg/id/file/ai-act"
HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"   # what a browser sends


def described(location: str) -> str:
    return parse_qs(urlsplit(location).query)["iri"][0]


# --- lookups ----------------------------------------------------------------------------------------------------

def test_celex_sends_a_browser_to_the_ai_acts_page(client):
    response = client.get("/celex/32024R1689", headers={"Accept": HTML_ACCEPT})
    assert response.status_code == 303
    assert response.headers["Location"] == AI_ACT_PAGE
    assert "Accept" in response.headers["Vary"]
    page = client.get(response.headers["Location"], headers={"Accept": HTML_ACCEPT})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Artificial Intelligence Act" in text and "Regulation (EU) 2024/1689" in text and "32024R1689" in text


def test_celex_answers_turtle_about_the_act_when_asked(client):
    response = client.get("/celex/32024R1689", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert response.headers["Content-Location"] == AI_ACT_PAGE
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    act = rdflib.URIRef(AI_ACT)
    assert (act, rdflib.URIRef(str(PKG.celex)), rdflib.Literal("32024R1689")) in graph
    assert any(True for _ in graph.triples((act, rdflib.URIRef("http://data.europa.eu/eli/ontology#title"), None)))
    # the same bytes as the act's own resource page gives
    assert response.data == client.get(AI_ACT_PAGE, headers={"Accept": "text/turtle"}).data


@pytest.mark.parametrize("path, iri", [
    ("/celex/32024r1689", AI_ACT),                      # any case
    ("/eli/reg/2024/1689/oj", AI_ACT),                  # the ELI path as published
    ("/eli/reg/2024/1689/oj/eng", AI_ACT),              # with a language
    ("/com/2021/206", PROPOSAL),
    ("/com/2021/0206", PROPOSAL),                       # zero padded
    ("/com/COM(2021)%20206", PROPOSAL),                 # as written, percent-encoded
    ("/celex/52021PC0206", PROPOSAL),
    ("/procedure/2021/0106(COD)", PROCEDURE),           # as OEIL writes it
    ("/procedure/2021%2F0106%28COD%29", PROCEDURE),     # percent-encoded
    ("/procedure/2021-0106-COD", PROCEDURE),            # the friendly form
    ("/procedure/2021/0106/COD", PROCEDURE),            # as EUR-Lex writes it
    ("/procedure/2021/106(cod)", PROCEDURE),            # unpadded, lower case
])
def test_every_form_of_an_identifier_leads_to_its_page(client, path, iri):
    response = client.get(path, headers={"Accept": HTML_ACCEPT})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert described(response.headers["Location"]) == iri


def test_a_procedure_page_names_the_file_that_follows_it(client):
    response = client.get("/procedure/2021-0106-COD", headers={"Accept": HTML_ACCEPT}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "2021/0106(COD)" in text and "/id/file/ai-act" in text


def test_an_unknown_celex_is_a_404_naming_it(client):
    page = client.get("/celex/32099R9999", headers={"Accept": HTML_ACCEPT})
    text = page.get_data(as_text=True)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "No CELEX number 32099R9999 in this graph" in text
    assert "year 2099, regulation (descriptor R), number 9999" in text   # what was recognised
    assert 'class="site-nav"' in text
    data = client.get("/celex/32099R9999", headers={"Accept": "application/json"})
    assert data.status_code == 404 and data.mimetype == "application/json"
    assert data.json["status"] == 404 and "32099R9999" in data.json["error"]
    turtle = client.get("/celex/32099R9999", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 404 and turtle.mimetype == "application/json"


@pytest.mark.parametrize("path, problem", [
    ("/celex/3202R", "year must have 4 digits"),
    ("/eli/reg/2024/01689/oj", "number must not be zero padded"),
    ("/com/2021/20611", "number must have at most 4 digits"),
    ("/procedure/2021/0106(XYZ)", "unknown procedure type 'XYZ'"),
])
def test_a_malformed_identifier_is_a_400_saying_what_is_wrong(client, path, problem):
    data = client.get(path, headers={"Accept": "application/json"})
    assert data.status_code == 400 and problem in data.json["error"]
    page = client.get(path, headers={"Accept": HTML_ACCEPT})
    assert page.status_code == 400 and str(escape(problem)) in page.get_data(as_text=True)


def test_describe_takes_an_identifier_too(client):
    response = client.get("/describe?iri=32024R1689")
    assert response.status_code == 303 and response.headers["Location"] == "/celex/32024R1689"


# --- the search named query ------------------------------------------------------------------------------------

def rows(registry, store, q: str) -> list[dict[str, str]]:
    return registry["search"].run(store, {"q": q}).values()


def test_ai_finds_the_ai_act_first_and_never_a_piece_of_a_word(registry, store):
    found = rows(registry, store, "AI")
    assert found[0]["resource"] == AI_ACT_FILE and found[0]["label"] == "AI Act"
    for row in found:   # every row has AI as a whole word of its name; no "against", no "trafficking"
        assert "ai" in re.split(r"[^\w]+", row["label"].lower()), row
    assert len(found) < 9


def test_asylum_ranks_names_before_titles(registry, store):
    found = rows(registry, store, "asylum")
    resources = [row["resource"] for row in found]
    assert "https://w3id.org/policykg/id/file/asylum-procedures-regulation" in resources[:3]
    assert "http://data.europa.eu/eli/reg/2024/1348/oj" in resources      # the Asylum Procedure Regulation
    scores = [int(row["score"]) for row in found]
    assert scores == sorted(scores, reverse=True)
    assert len(resources) == len(set(resources))                        # one row per resource


@pytest.mark.parametrize("q, resource, field", [
    ("32024R1689", AI_ACT, "CELEX"),
    ("COM(2021) 206", PROPOSAL, "COM number"),
    ("com(2021)206", PROPOSAL, "COM number"),
    ("2021/0106(COD)", PROCEDURE, "procedure"),
    (AI_ACT, AI_ACT, "ELI"),
    ("ai-act", AI_ACT_FILE, "slug"),
])
def test_an_exact_identifier_comes_first(registry, store, q, resource, field):
    found = rows(registry, store, q)
    assert found[0]["resource"] == resource and field in found[0]["matchedIn"]
    assert int(found[0]["score"]) >= 100


def test_the_search_gives_no_row_from_the_reasoner(registry, store, build):
    asserted = MemoryStore(build.version)
    asserted.load_nquads(build.nquads_path)
    asserted.drop_graph(ox.NamedNode(str(INFERRED_GRAPH)))
    for q in ("AI", "asylum", "regulation", "return", "32024R1689", "children", "picum"):
        assert rows(registry, store, q) == rows(registry, asserted, q), q


def test_search_files_matches_whole_words(registry, store):
    found = registry["search-files"].run(store, {"text": "AI"}).values()
    assert {row["fileLabel"] for row in found} == {"AI Act"}
    assert not any("against" in row["value"].lower() or "trafficking" in row["value"].lower() for row in found)


# --- the search page -------------------------------------------------------------------------------------------

def test_the_page_lists_the_rows_the_command_gives(client, project, capsysbinary):
    code = main(["--root", str(project.root), "query", "search", "--param", "q=asylum", "--format", "csv"])
    out, err = capsysbinary.readouterr()
    assert code == 0, err
    command = [row["resource"] for row in csv.DictReader(io.StringIO(out.decode()))]
    page = client.get("/search?q=asylum").get_data(as_text=True)
    shown = [line.split("</code>")[0] for line in page.split('<code class="hit-iri">')[1:]]
    assert shown == command and len(shown) > 5
    assert client.get("/queries/search.csv?q=asylum").data == out


@pytest.mark.parametrize("q, iri", [("32024R1689", AI_ACT), ("COM(2021) 206", PROPOSAL),
                                    ("2021/0106(COD)", PROCEDURE), ("  32024r1689 ", AI_ACT)])
def test_an_identifier_in_the_search_box_goes_straight_to_its_page(client, q, iri):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 303 and described(response.headers["Location"]) == iri


def test_an_identifier_the_graph_lacks_is_searched_for_and_said(client):
    page = client.get("/search", query_string={"q": "32099R9999"})
    assert page.status_code == 200
    assert "No resource in this graph has the CELEX number 32099R9999" in page.get_data(as_text=True)


def test_the_search_page_escapes_what_it_shows(client):
    page = client.get("/search", query_string={"q": '"><script>alert(1)</script>'}).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


# --- one look --------------------------------------------------------------------------------------------------

PAGES = ["/", "/queries", "/queries/search?q=AI", "/sparql", "/editor", "/network", AI_ACT_PAGE,
         "/id/file/ai-act", "/search?q=AI", "/celex/32099R9999"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_same_header(client, path):
    response = client.get(path, headers={"Accept": HTML_ACCEPT})
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert text.count("/static/policykg/site.css") == 1
    header = text.split('<nav class="site-nav" aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    for label, href in [("Home", "/"), ("Policy files", "/#files-title"), ("Lifecycle", "/lifecycle"),
                        ("Named queries", "/queries"),
                        ("Query editor", "/editor"), ("Network", "/network"), ("Downloads", "/#downloads-title"),
                        ("How to cite", "/cite"), ("Service description", "/sparql")]:
        assert f'href="{href}"' in header and f">{label}</a>" in header, (path, label)
    assert 'action="/search"' in text and 'name="q"' in text
