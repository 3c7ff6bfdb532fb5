"""Answer formats over real HTTP: results (JSON, XML, CSV, TSV), graphs (Turtle, N-Triples, JSON-LD, RDF/XML, TriG,
N-Quads), ``Accept`` negotiation with q-values and wildcards, ``?format=``, 406, downloads, and the row cap that
says when it cuts."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import requests
from rdflib import Dataset, Graph, Literal, URIRef

from policykg.namespaces import ELI_ACT, FILE, PKG, RDFS, SKOS
from support import data
from support.server import running

SRX = "{http://www.w3.org/2005/sparql-results#}"
CELEX_QUERY = "SELECT ?act ?celex WHERE { ?act pkg:celex ?celex } ORDER BY ?celex"
TRICKY_QUERY = "SELECT ?file ?comment WHERE { ?file rdfs:comment ?comment }"
CONSTRUCT = "CONSTRUCT { ?file skos:prefLabel ?label ; rdfs:comment ?c } WHERE { ?file skos:prefLabel ?label " \
            "OPTIONAL { ?file rdfs:comment ?c } }"
AI_ACT = URIRef(ELI_ACT + "reg/2024/1689/oj")
SPARQLWRAPPER_JSON = "application/sparql-results+json,application/json,text/javascript,application/javascript"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    sample = data.write(tmp_path_factory.mktemp("formats") / "sample.trig")
    with running("--data", sample, "--max-rows", "50", "--workers", "2") as server:
        yield server


def _get(server, query: str, accept: str | None = None, **params) -> requests.Response:
    headers = {"Accept": accept} if accept is not None else {}
    response = requests.get(server.url, params={"query": query, **params}, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert "Accept" in response.headers["Vary"]
    return response


def _media(response: requests.Response) -> str:
    return response.headers["Content-Type"].split(";")[0]


# -- SELECT ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("accept, media", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    (SPARQLWRAPPER_JSON, "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    (BROWSER, "application/sparql-results+xml"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    ("text/tab-separated-values, */*;q=0.1", "text/tab-separated-values"),
    ("application/json;q=0, text/csv;q=0.2, */*;q=0.1", "text/csv"),
])
def test_accept_negotiation_for_select(server, accept, media):
    assert _media(_get(server, CELEX_QUERY, accept)) == media


def test_json_results(server):
    rows = _get(server, TRICKY_QUERY).json()
    assert rows["head"]["vars"] == ["file", "comment"]
    [row] = rows["results"]["bindings"]
    assert row["file"] == {"type": "uri", "value": str(FILE["ai-act"])}
    assert row["comment"] == {"type": "literal", "value": data.TRICKY, "xml:lang": "en"}


def test_xml_results(server):
    root = ET.fromstring(_get(server, TRICKY_QUERY, "application/sparql-results+xml").content)
    names = [v.get("name") for v in root.find(f"{SRX}head")]
    assert names == ["file", "comment"]
    bindings = {b.get("name"): b[0] for b in root.find(f"{SRX}results").find(f"{SRX}result")}
    assert bindings["file"].tag == f"{SRX}uri" and bindings["file"].text == str(FILE["ai-act"])
    assert bindings["comment"].text == data.TRICKY
    assert bindings["comment"].get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_csv_results(server):
    response = _get(server, TRICKY_QUERY + " ", "text/csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.count(b"\r\n") >= 2          # CRLF line ends
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert rows == [["file", "comment"], [str(FILE["ai-act"]), data.TRICKY]]


def test_tsv_results(server):
    text = _get(server, TRICKY_QUERY, "text/tab-separated-values").content.decode("utf-8")
    header, row, end = text.split("\n")
    assert header == "?file\t?comment" and end == ""
    file, comment = row.split("\t")
    assert file == f"<{FILE['ai-act']}>"
    assert comment.startswith('"Tab\\there, \\"quoted\\"') and comment.endswith('{}"@en')
    assert "\\n" in comment


def test_typed_and_unbound_values(server):
    query = ("SELECT ?act ?date ?missing WHERE { ?act eli:date_document ?date FILTER(?act = <%s>) "
             "OPTIONAL { ?act <http://example.org/none> ?missing } }" % AI_ACT)
    [row] = _get(server, query).json()["results"]["bindings"]
    assert row["date"] == {"type": "literal", "value": "2024-06-13",
                           "datatype": "http://www.w3.org/2001/XMLSchema#date"}
    assert "missing" not in row
    text = _get(server, query, "text/csv").text
    assert text.splitlines()[1] == f"{AI_ACT},2024-06-13,"


def test_ask_formats(server):
    assert _get(server, "ASK { ?s pkg:celex '32024R1689' }").json() == {"head": {}, "boolean": True}
    root = ET.fromstring(_get(server, "ASK { ?s pkg:celex 'nope' }", "application/sparql-results+xml").content)
    assert root.find(f"{SRX}boolean").text == "false"


# -- graphs ------------------------------------------------------------------------------------------------------

GRAPH_TYPES = [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
               ("application/rdf+xml", "xml"), ("application/trig", "trig"), ("application/n-quads", "nquads")]


@pytest.mark.parametrize("media, parser", GRAPH_TYPES)
def test_construct_in_every_graph_format(server, media, parser):
    response = _get(server, CONSTRUCT, media)
    assert _media(response) == media
    if parser in ("trig", "nquads"):
        graph = Dataset().parse(data=response.content, format=parser)
        triples = {(s, p, o) for s, p, o, _ in graph.quads()}
    else:
        triples = set(Graph().parse(data=response.content, format=parser))
    assert (URIRef(FILE["ai-act"]), URIRef(SKOS.prefLabel), Literal("AI Act", lang="en")) in triples
    assert (URIRef(FILE["ai-act"]), URIRef(RDFS.comment), Literal(data.TRICKY, lang="en")) in triples
    assert len(triples) == 4


def test_turtle_uses_the_project_prefixes(server):
    text = _get(server, CONSTRUCT).text
    assert "@prefix skos: <http://www.w3.org/2004/02/skos/core#> ." in text
    assert "@prefix eli:" not in text   # only the prefixes the answer uses


def test_describe(server):
    graph = Graph().parse(data=_get(server, f"DESCRIBE <{AI_ACT}>").content, format="turtle")
    assert graph.value(AI_ACT, URIRef(PKG.celex)) == Literal("32024R1689")


@pytest.mark.parametrize("name, media", [("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
                                         ("json", "application/sparql-results+json"),
                                         ("xml", "application/sparql-results+xml")])
def test_format_parameter_overrides_accept_and_names_the_download(server, name, media):
    response = _get(server, CELEX_QUERY, "application/sparql-results+json", format=name)
    assert _media(response) == media
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"policykg-select-")
    assert disposition.endswith(f'.{ {"json": "srj", "xml": "srx"}.get(name, name)}"')


@pytest.mark.parametrize("name, media", [("ttl", "text/turtle"), ("nt", "application/n-triples"),
                                         ("jsonld", "application/ld+json"), ("json", "application/ld+json"),
                                         ("rdf", "application/rdf+xml"), ("xml", "application/rdf+xml"),
                                         ("trig", "application/trig"), ("nq", "application/n-quads")])
def test_format_names_for_graphs(server, name, media):
    assert _media(_get(server, CONSTRUCT, format=name)) == media


def test_negotiated_answers_are_inline_downloads(server):
    response = _get(server, CELEX_QUERY, "text/csv")
    assert response.headers["Content-Disposition"].startswith('inline; filename="policykg-select-')


def test_not_acceptable_lists_what_is(server):
    response = requests.get(server.url, params={"query": "ASK {}"}, headers={"Accept": "text/csv"}, timeout=30)
    assert response.status_code == 406
    body = response.json()
    assert body["status"] == 406
    assert "application/sparql-results+json" in body["error"] and "application/sparql-results+xml" in body["error"]


# -- the row cap -------------------------------------------------------------------------------------------------

CHAIN_QUERY = "SELECT ?node ?label WHERE { ?node rdfs:label ?label } ORDER BY ?label"


def test_a_capped_answer_says_so_in_headers_and_body(server):
    response = _get(server, CHAIN_QUERY)
    assert response.headers["X-SPARQL-MaxRows"] == "50"
    assert response.headers["X-PolicyKG-Truncated"].startswith("rows; limit=50 rows; kept=50")
    body = response.json()
    assert len(body["results"]["bindings"]) == 50
    assert body["truncated"] is True
    assert body["head"]["link"] == [f"{server.url}#limits"]
    assert body["results"]["bindings"][0]["label"]["value"] == "a" * 30 + "0"


def test_a_capped_answer_in_xml_csv_and_turtle(server):
    root = ET.fromstring(_get(server, CHAIN_QUERY, "application/sparql-results+xml").content)
    assert root.find(f"{SRX}head").find(f"{SRX}link").get("href") == f"{server.url}#limits"
    assert len(root.find(f"{SRX}results")) == 50
    response = _get(server, CHAIN_QUERY, "text/csv")
    assert len(response.text.splitlines()) == 51 and "X-PolicyKG-Truncated" in response.headers
    response = _get(server, "CONSTRUCT WHERE { ?s rdfs:label ?o }")
    assert response.text.startswith("# truncated:")
    assert len(Graph().parse(data=response.content, format="turtle")) == 50


def test_an_answer_within_the_cap_is_not_marked(server):
    response = _get(server, CHAIN_QUERY + " LIMIT 50")
    assert "X-PolicyKG-Truncated" not in response.headers
    body = response.json()
    assert len(body["results"]["bindings"]) == 50 and "truncated" not in body and "link" not in body["head"]


def test_the_byte_cap_keeps_documents_valid():
    import pyoxigraph as ox

    from policykg.formats import JSON, TURTLE, XML
    from policykg.sparql.results import write, write_graph

    store = ox.Store()
    store.extend(data.quads())
    query = "SELECT ?label WHERE { GRAPH ?g { ?n <%s> ?label } }" % RDFS.label
    for fmt in (JSON, XML):
        body = write(store.query(query), fmt, max_rows=1000, max_bytes=2000, note="http://x/sparql#limits")
        assert body.truncated == "bytes" and 0 < body.count < 300 and len(body.data) <= 2000
        if fmt is JSON:
            assert len(json.loads(body.data)["results"]["bindings"]) == body.count
        else:
            assert len(ET.fromstring(body.data).find(f"{SRX}results")) == body.count
    triples = store.query("CONSTRUCT { ?n <%s> ?label } WHERE { GRAPH ?g { ?n <%s> ?label } }" % (RDFS.label,
                                                                                                    RDFS.label))
    body = write_graph(triples, TURTLE, max_rows=1000, max_bytes=3000, note="http://x/sparql#limits")
    assert body.truncated == "bytes" and len(body.data) <= 3000
    assert len(Graph().parse(data=body.data, format="turtle")) == body.count


@pytest.mark.parametrize("header, matches", [
    (None, False), ("", False), ("*", True), ('"abc"', True), ('W/"abc"', True), ('"abc-gz"', True),
    ('"x", W/"abc"', True), ('"abd"', False), ('"abc-gz-gz"', False),
])
def test_if_none_match(header, matches):
    from policykg.web.respond import etag_matches

    assert etag_matches(header, "abc") is matches


@pytest.mark.parametrize("header, wanted", [
    (None, False), ("gzip", True), ("GZIP", True), ("x-gzip", True), ("gzip;q=0", False), ("br, gzip;q=0.5", True),
    ("identity", False), ("gzip;q=abc", False), ("gzip;q=0, *", False),
])
def test_accept_encoding(header, wanted):
    from policykg.web.respond import gzip_wanted

    assert gzip_wanted(header) is wanted
