"""The 34 tests of the W3C SPARQL 1.1 Protocol suite, replayed over real HTTP against ``policykg serve``.

The manifest is read where the workspace keeps it (``../shared/w3c-sparql-protocol/``, or
``$POLICYKG_W3C_PROTOCOL_TESTS``); nothing of it is copied into the project. The server runs with an update token
(the suite has update tests); before each test the store is emptied and the test's ``ut:graphData`` graphs are
uploaded through the Graph Store Protocol. Each ``ht:Request`` is sent as written (method, path, headers, body in
its character encoding) with ``http.client``, so that nothing adds a header the test does not have.
"""

from __future__ import annotations

import http.client
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.collection import Collection

from policykg.namespaces import RDFS
from support.server import running

SUITE = Path(os.environ.get("POLICYKG_W3C_PROTOCOL_TESTS",
                            Path(__file__).resolve().parents[2] / "shared" / "w3c-sparql-protocol"))
MANIFEST = SUITE / "protocol" / "manifest.ttl"
TOKEN = "w3c-protocol-test-token"



class _Terms:
    """Terms of a test vocabulary (the W3C suite's own, not the project's): ``MF.entries`` and so on."""

    def __init__(self, base: str) -> None:
        self._base = base

    def __getattr__(self, name: str) -> URIRef:
        return URIRef(self._base + name)


MF = _Terms("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = _Terms("http://www.w3.org/2011/http#")
CNT = _Terms("http://www.w3.org/2011/content#")
UT = _Terms("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS_LABEL = URIRef(str(RDFS.label))

# In CI a missing suite fails (test_the_suite_is_here); elsewhere the tests skip.
pytestmark = pytest.mark.skipif(not MANIFEST.is_file() and os.environ.get("CI") != "true",
                                reason=f"W3C protocol suite not found at {SUITE}")


def test_the_suite_is_here() -> None:
    assert MANIFEST.is_file(), f"the W3C protocol suite is missing at {SUITE}"

RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"}
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld", "application/trig": "trig", "application/n-quads": "nquads"}


def _manifest() -> tuple[Graph, list[URIRef]]:
    graph = Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(MF.entries, None))
    entries = list(Collection(graph, graph.value(manifest, MF.entries)))
    return graph, entries


def _tests() -> list:
    if not MANIFEST.is_file():
        return []
    graph, entries = _manifest()
    return [pytest.param(graph, entry, id=str(entry).rsplit("#", 1)[-1]) for entry in entries]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    seed = tmp_path_factory.mktemp("w3c") / "seed.nt"
    seed.write_text("<http://example.org/seed> <http://example.org/p> <http://example.org/o> .\n")
    with running("--data", seed, "--update-token", TOKEN, "--timeout", "10") as server:
        yield server


def _reset(server, graph: Graph, test) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    response = requests.post(server.url, data="DROP ALL", timeout=30,
                             headers={**auth, "Content-Type": "application/sparql-update"})
    assert response.status_code == 204, response.text
    for data in graph.objects(test, UT.graphData):
        source = Path(urlsplit(str(graph.value(data, UT.graph))).path)
        name = str(graph.value(data, RDFS_LABEL))
        response = requests.put(server.store, params={"graph": name}, data=source.read_bytes(), timeout=30,
                                headers={**auth, "Content-Type": "application/n-triples"})
        assert response.status_code in (201, 204), response.text


def _send(server, graph: Graph, request) -> http.client.HTTPResponse:
    method = str(graph.value(request, HT.methodName))
    path = str(graph.value(request, HT.absolutePath))
    assert path.startswith("/sparql/")
    path = "/sparql" + path[len("/sparql/"):]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    header_list = graph.value(request, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body = None
    body_node = graph.value(request, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.request(method, path, body=body, headers=headers)
    return connection.getresponse()


def _boolean(content_type: str, data: bytes) -> bool:
    if content_type == "application/sparql-results+json":
        return json.loads(data)["boolean"]
    element = ET.fromstring(data).find("{http://www.w3.org/2005/sparql-results#}boolean")
    return element.text.strip() == "true"


def _check(graph: Graph, expected, status: int, content_type: str, data: bytes) -> None:
    classes = {str(c).rsplit("#", 1)[-1] for c in graph.objects(expected, MF.expectedStatus)}
    assert f"StatusCode{status // 100}xx" in classes, f"status {status}, expected {classes}: {data[:300]!r}"
    if status >= 400:  # the one error shape, never a traceback
        assert content_type == "application/json"
        error = json.loads(data)
        assert {"error", "status"} <= set(error) <= {"error", "status", "line", "column"}
        assert error["status"] == status and error["error"]
        if "line" in error:  # a syntax error says where
            assert error["line"] >= 1 and error["column"] >= 1
        return
    expected_format = graph.value(expected, MF.expectedFormat)
    if expected_format is not None and str(expected_format) == "boolean":
        assert content_type in BOOLEAN_TYPES
        value = graph.value(expected, MF.expectedBoolean)
        if value is not None:
            assert _boolean(content_type, data) is value.toPython()
    elif expected_format is not None and str(expected_format) == "tabular":
        assert content_type in RESULT_TYPES
        assert json.loads(data)["results"]["bindings"][0]["value"]["value"] == "1"
    elif expected_format is not None and str(expected_format) == "RDF":
        assert content_type in RDF_TYPES
        Graph().parse(data=data, format=RDF_TYPES[content_type])


@pytest.mark.parametrize("graph, test", _tests())
def test_protocol(server, graph: Graph, test) -> None:
    _reset(server, graph, test)
    action = graph.value(test, MF.action)
    for request in Collection(graph, graph.value(action, HT.requests)):
        response = _send(server, graph, request)
        data = response.read()
        content_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
        _check(graph, graph.value(request, HT.resp), response.status, content_type, data)


def test_all_34_tests_are_replayed() -> None:
    assert len(_tests()) == 34
