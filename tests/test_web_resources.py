"""Every IRI of ours resolves on the local server, in HTML and in Turtle, and the Turtle describes that IRI.

The walk takes every IRI under ``namespaces.BASE`` that the built graph uses as a subject, an object or a graph name,
maps it to its path on the server (``https://w3id.org/policykg/id/file/ai-act`` -> ``/id/file/ai-act``; a hash IRI to
its document, ``…/ontology#PolicyFile`` -> ``/ontology``) and asks for both representations. Connections to any
other host fail during the walk: a page that fetched an external IRI would fail with them.
"""

from __future__ import annotations

import html
import re
import socket

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from policykg.namespaces import BASE, SD
from policykg.web.site.graph_index import build_index
from policykg.web.site.local_iris import document_of, fragment_of, local_path

#: IRIs of ours that are served by another part of the server, not by a resource page.
ENDPOINT_IRI = BASE + "sparql"    # the named queries' sh:target: the SPARQL endpoint, which describes itself


@pytest.fixture
def offline(monkeypatch):
    """Every connection to a host other than this machine fails."""
    real_connect = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
            raise OSError(f"test: no network (tried {address!r})")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(OSError("test: no DNS")))


def our_iris(store) -> set[str]:
    found = set()
    for quad in store.quads():
        for term in (quad.subject, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode) and term.value.startswith(BASE):
                found.add(term.value)
    return found


class Fetch:
    """GETs through the test client, each path and media type once."""

    def __init__(self, client) -> None:
        self.client = client
        self.seen: dict[tuple[str, str], tuple[int, str, bytes]] = {}

    def __call__(self, path: str, accept: str) -> tuple[int, str, bytes]:
        key = (path, accept)
        if key not in self.seen:
            response = self.client.get(path, headers={"Accept": accept})
            self.seen[key] = (response.status_code, response.mimetype, response.data)
        return self.seen[key]


def test_the_walk_covers_every_kind_of_iri_we_mint(store):
    iris = our_iris(store)
    for kind in ("id/file/", "id/event/", "id/claim/", "id/position/", "id/publication/", "id/org/", "concept/",
                 "scheme/", "graph/", "query/", "ontology#", "shapes#", "dataset"):
        assert any(iri.startswith(BASE + kind) for iri in iris), kind
    assert len(iris) > 400


def test_every_iri_of_ours_resolves_in_html_and_turtle(client, store, offline):
    fetch = Fetch(client)
    index = build_index(store)
    problems = []
    for iri in sorted(our_iris(store)):
        if iri == ENDPOINT_IRI:
            continue  # the endpoint: see test_the_endpoint_iri_resolves_to_the_endpoint
        path = local_path(document_of(iri))
        status, media, body = fetch(path, "text/html")
        if status != 200 or media != "text/html":
            problems.append(f"{iri}: HTML {status} {media}")
            continue
        page = body.decode("utf-8")
        fragment = fragment_of(iri)
        if fragment and index.describes(iri):
            if f'id="{html.escape(fragment)}"' not in page:
                problems.append(f"{iri}: no anchor #{fragment} on {path}")
        elif not fragment and iri not in page:
            problems.append(f"{iri}: the page does not show its IRI")
        heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
        if not fragment and index.has_label(iri) and html.unescape(heading.group(1)) != index.label(iri):
            problems.append(f"{iri}: the page is not headed by its label {index.label(iri)!r}")

        status, media, body = fetch(path, "text/turtle")
        if status != 200 or media != "text/turtle":
            problems.append(f"{iri}: Turtle {status} {media}")
            continue
        graph = Graph().parse(data=body, format="turtle")
        node = URIRef(iri)
        if (node, None, None) not in graph and (None, None, node) not in graph:
            problems.append(f"{iri}: the Turtle at {path} does not describe it")
        elif index.describes(iri) and (node, None, None) not in graph:
            problems.append(f"{iri}: the Turtle at {path} leaves out its own statements")
    assert not problems, "\n".join(problems[:60]) + f"\n({len(problems)} problems)"


def test_a_resources_turtle_is_its_description_with_its_blank_nodes(client, store):
    body = client.get("/id/position/ai-act", headers={"Accept": "text/turtle"}).data
    graph = Graph().parse(data=body, format="turtle")
    position = URIRef(BASE + "id/position/ai-act")
    body_node = graph.value(position, URIRef("http://www.w3.org/ns/oa#hasBody"))
    assert body_node is not None and graph.value(body_node, RDF.value) is not None   # the blank node's closure
    publication = URIRef(BASE + "id/publication/ai-act-press-releases")   # a neighbour: only how it links here
    assert (publication, None, position) in graph and (publication, RDFS.label, None) not in graph
    assert (URIRef(BASE + "id/file/ai-act"), SKOS.prefLabel, None) not in graph
    assert (position, None, URIRef(BASE + "id/file/ai-act")) in graph
    asserted = {(t.predicate.value, str(t.object)) for t in store.triples(ox.NamedNode(BASE + "graph/data/ai-act"))
                if t.subject == ox.NamedNode(str(position)) and not isinstance(t.object, ox.BlankNode)}
    served = {(str(p), o.n3()) for p, o in graph.predicate_objects(position) if isinstance(o, URIRef)}
    assert {(p, o) for p, o in asserted if o.startswith("<")} <= served


def test_the_endpoint_iri_resolves_to_the_endpoint(client, store):
    assert ENDPOINT_IRI in our_iris(store)
    page = client.get("/sparql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    description = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert (URIRef("http://localhost/sparql"), RDF.type, SD.Service) in description


def test_every_representation_of_a_resource_carries_the_same_statements(client):
    graphs = {}
    for media, name in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/n-triples", "nt")):
        response = client.get("/concept/stance/critical", headers={"Accept": media})
        assert response.mimetype == media
        graphs[name] = Graph().parse(data=response.data, format=name)
    assert len(graphs["turtle"]) == len(graphs["json-ld"]) == len(graphs["nt"]) > 5
    assert set(graphs["turtle"]) == set(graphs["nt"])


def test_a_procedure_page_is_headed_by_its_reference(client):
    response = client.get("/procedure/2021/0106(COD)", headers={"Accept": "text/html"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1" in page and "2021/0106(COD)</h1>" in page.replace("\n", "")
