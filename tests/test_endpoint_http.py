"""HTTP behaviour of the endpoint over real HTTP: ETag and 304, Cache-Control, gzip, CORS without credentials, HEAD,
the service description (HTML and RDF, the three W3C service-description checks), VoID, and the Graph Store
Protocol's read side."""

from __future__ import annotations

import gzip

import pytest
import requests
from rdflib import Dataset, Graph, Literal, URIRef

from policykg.namespaces import DATASET, DCAT, DCTERMS, GRAPH, PKG, RDF, RDFS, SD, VOID
from support import data
from support.server import running

QUERY = "SELECT ?node ?label WHERE { ?node rdfs:label ?label } ORDER BY ?label"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    sample = data.write(tmp_path_factory.mktemp("http") / "sample.trig")
    with running("--data", sample, "--workers", "2") as server:
        yield server


def _get(server, query=QUERY, **headers) -> requests.Response:
    return requests.get(server.url, params={"query": query}, headers=headers, timeout=30)


# -- caching -----------------------------------------------------------------------------------------------------

def test_etag_and_304(server):
    first = _get(server, **{"Accept-Encoding": "identity"})
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and first.headers["Cache-Control"] == \
        "public, max-age=300"
    again = _get(server, **{"If-None-Match": etag, "Accept-Encoding": "identity"})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    other = _get(server, Accept="text/csv")
    assert other.headers["ETag"] != etag                      # another format is another answer
    assert _get(server, QUERY + " LIMIT 3").headers["ETag"] != etag
    assert _get(server, **{"If-None-Match": '"something-else"'}).status_code == 200


def test_gzip(server):
    plain = _get(server, **{"Accept-Encoding": "identity"})
    zipped = requests.get(server.url, params={"query": QUERY}, headers={"Accept-Encoding": "gzip"}, timeout=30,
                          stream=True)
    raw = zipped.raw.read(decode_content=False)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(raw) == plain.content
    assert len(raw) < len(plain.content) / 3
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gz"'
    small = requests.get(server.url, params={"query": "ASK {}"}, headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert "Content-Encoding" not in small.headers
    refused = requests.get(server.url, params={"query": QUERY}, headers={"Accept-Encoding": "gzip;q=0"}, timeout=30)
    assert "Content-Encoding" not in refused.headers


def test_cors_without_credentials(server):
    origin = {"Origin": "https://evil.example"}
    for response in (_get(server, **origin), requests.get(server.url, params={"query": "ASK {"}, headers=origin,
                                                           timeout=30)):
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = requests.options(server.url, timeout=30, headers={
        **origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    assert "ETag" in _get(server).headers["Access-Control-Expose-Headers"]


def test_head(server):
    response = requests.head(server.url, params={"query": QUERY}, timeout=30)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["Content-Type"] == "application/sparql-results+json"
    assert response.headers["ETag"]


def test_post_forms_give_the_same_answer(server):
    get = _get(server).json()
    form = requests.post(server.url, data={"query": QUERY}, timeout=30).json()
    direct = requests.post(server.url, data=QUERY.encode(), headers={"Content-Type": "application/sparql-query"},
                           timeout=30).json()
    assert get == form == direct
    assert len(get["results"]["bindings"]) == data.CHAIN


# -- service description and VoID -------------------------------------------------------------------------------

def _description(server, accept="text/turtle") -> Graph:
    response = requests.get(server.url, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    return Graph().parse(data=response.content, format="turtle")


def test_sd_returns_rdf(server):  # W3C service-description: returns-rdf
    response = requests.get(server.url, headers={"Accept": "text/turtle, application/rdf+xml;q=0.9"}, timeout=30)
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert len(Graph().parse(data=response.content, format="turtle")) > 50
    xml = requests.get(server.url, headers={"Accept": "application/rdf+xml"}, timeout=30)
    assert len(Graph().parse(data=xml.content, format="xml")) > 50


def test_sd_has_endpoint_triple(server):  # W3C service-description: has-endpoint-triple
    graph = _description(server)
    assert (URIRef(server.url), URIRef(SD.endpoint), URIRef(server.url)) in graph


def test_sd_conforms_to_schema(server):  # W3C service-description: conforms-to-schema
    graph = _description(server)
    service = URIRef(server.url)
    assert (service, URIRef(RDF.type), URIRef(SD.Service)) in graph
    languages = set(graph.objects(service, URIRef(SD.supportedLanguage)))
    assert languages == {URIRef(SD.SPARQL11Query)}            # read-only: no update language
    formats = {str(f) for f in graph.objects(service, URIRef(SD.resultFormat))}
    assert {"http://www.w3.org/ns/formats/SPARQL_Results_JSON", "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
            "http://www.w3.org/ns/formats/SPARQL_Results_TSV", "http://www.w3.org/ns/formats/Turtle",
            "http://www.w3.org/ns/formats/JSON-LD"} <= formats
    features = set(graph.objects(service, URIRef(SD.feature)))
    assert URIRef(SD.UnionDefaultGraph) in features and URIRef(SD.BasicFederatedQuery) not in features
    dataset = graph.value(service, URIRef(SD.defaultDataset))
    assert (dataset, URIRef(RDF.type), URIRef(SD.Dataset)) in graph
    names = {graph.value(g, URIRef(SD.name)) for g in graph.objects(dataset, URIRef(SD.namedGraph))}
    assert {URIRef(GRAPH[f"data/{name}"]) for name in (*data.ACTS, "tricky", "chain", "dataset")} <= names
    comment = " ".join(graph.objects(service, URIRef(RDFS.comment)))
    assert "SERVICE" in comment and "refused" in comment and "10 s per query" in comment


def test_sd_html_for_browsers(server):
    response = requests.get(server.url, timeout=30, headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = response.text
    assert server.url in page and data.TITLE in page and "10 s" in page and "off: refused" in page
    assert str(GRAPH["data/ai-act"]) in page


def test_void(server):
    response = requests.get(server.root + "/.well-known/void", timeout=30)
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    dataset = URIRef(DATASET)
    number = lambda node, p: graph.value(node, URIRef(p)).toPython()  # noqa: E731
    assert number(dataset, VOID.triples) == len(data.quads())
    assert graph.value(dataset, URIRef(DCTERMS.title)) == Literal(data.TITLE, lang="en")
    assert graph.value(dataset, URIRef(DCTERMS.license)) == URIRef(data.LICENCE)
    assert graph.value(dataset, URIRef(f"{DCAT}version")) == Literal(data.VERSION)
    assert graph.value(dataset, URIRef(VOID.sparqlEndpoint)) == URIRef(server.url)
    dumps = {str(d) for d in graph.objects(dataset, URIRef(VOID.dataDump))}
    assert f"{server.store}?format=nq" in dumps
    classes = {graph.value(p, URIRef(VOID["class"])): number(p, VOID.entities)
               for p in graph.objects(dataset, URIRef(VOID.classPartition))}
    assert classes[URIRef(PKG.PolicyFile)] == 3 and classes[URIRef(PKG.Directive)] == 2
    properties = {graph.value(p, URIRef(VOID.property)): number(p, VOID.triples)
                  for p in graph.objects(dataset, URIRef(VOID.propertyPartition))}
    assert properties[URIRef(PKG.celex)] == 3
    subset = URIRef(GRAPH["data/ai-act"])
    assert subset in set(graph.objects(dataset, URIRef(VOID.subset)))
    assert number(subset, VOID.triples) == 7
    assert graph.value(subset, URIRef(DCTERMS.license)) == URIRef(data.LICENCE)
    subset_classes = {graph.value(p, URIRef(VOID["class"])) for p in graph.objects(subset, URIRef(VOID.classPartition))}
    assert subset_classes == {URIRef(PKG.PolicyFile), URIRef(PKG.Regulation)}


# -- Graph Store Protocol: reading -------------------------------------------------------------------------------

def test_graph_store_get_one_graph(server):
    response = requests.get(server.store, params={"graph": str(GRAPH["data/ai-act"])}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    assert len(graph) == 7
    missing = requests.get(server.store, params={"graph": "http://example.org/none"}, timeout=30)
    assert missing.status_code == 404 and missing.json()["status"] == 404


def test_graph_store_dumps(server):
    for name, parser in (("trig", "trig"), ("nq", "nquads")):
        response = requests.get(server.store, params={"format": name}, timeout=30)
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        dataset = Dataset().parse(data=response.content, format=parser)
        assert len(list(dataset.quads())) == len(data.quads())
        assert response.headers["ETag"]
