"""The Graph Store Protocol with the update token, over real HTTP: PUT, POST, DELETE, GET, and what an upload may
not do (name other graphs, declare a DTD, fetch a remote JSON-LD context)."""

from __future__ import annotations

import json

import pytest
import requests
from rdflib import Graph, Literal, URIRef

from support import data
from support.server import running

TOKEN = "graph-store-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
G = "http://example.org/graphs/one"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    sample = data.write(tmp_path_factory.mktemp("gsp") / "sample.trig")
    with running("--data", sample, "--update-token", TOKEN) as server:
        yield server


def _put(server, body: bytes, media: str, graph: str = G) -> requests.Response:
    return requests.put(server.store, params={"graph": graph}, data=body, timeout=30,
                        headers={**AUTH, "Content-Type": media})


def test_put_get_post_delete(server):
    response = _put(server, b'<http://example.org/s> <http://example.org/p> "one" .', "application/n-triples")
    assert response.status_code == 201
    assert _put(server, b'<http://example.org/s> <http://example.org/p> "two" .', "application/n-triples") \
        .status_code == 204
    response = requests.post(server.store, params={"graph": G}, timeout=30, headers={**AUTH,
                             "Content-Type": "text/turtle"}, data=b'<http://example.org/s> <http://example.org/p> 3 .')
    assert response.status_code == 204
    graph = Graph().parse(data=requests.get(server.store, params={"graph": G}, timeout=30).content, format="turtle")
    assert set(graph.objects()) == {Literal("two"), Literal(3)}
    assert server.ask(f"ASK {{ GRAPH <{G}> {{ ?s ?p 'two' }} }}")
    assert requests.delete(server.store, params={"graph": G}, headers=AUTH, timeout=30).status_code == 204
    assert requests.delete(server.store, params={"graph": G}, headers=AUTH, timeout=30).status_code == 404
    assert requests.get(server.store, params={"graph": G}, timeout=30).status_code == 404


def test_post_to_the_store_creates_a_graph(server):
    response = requests.post(server.store, timeout=30, headers={**AUTH, "Content-Type": "application/ld+json"},
                             data=json.dumps({"@id": "http://example.org/new", "http://example.org/p": "v"}))
    assert response.status_code == 201
    location = response.headers["Location"]
    assert location.startswith(f"{server.store}?graph=")
    graph = Graph().parse(data=requests.get(location, timeout=30).content, format="turtle")
    assert (URIRef("http://example.org/new"), URIRef("http://example.org/p"), Literal("v")) in graph


@pytest.mark.parametrize("body, media, words", [
    (b"<http://a> <http://b> <http://c> <http://g> .", "application/n-quads", "names graphs"),
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><rdf:RDF '
     b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "application/rdf+xml", "DTD"),
    (json.dumps({"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://a", "name": "x"}).encode(),
     "application/ld+json", "not valid"),
    (b"<http://a> <http://b> .", "text/turtle", "not valid"),
    (b"whatever", "text/plain", "RDF format"),
])
def test_bad_uploads(server, body, media, words):
    response = _put(server, body, media, "http://example.org/graphs/bad")
    assert response.status_code in (400, 415)
    assert words in response.json()["error"]
    assert requests.get(server.store, params={"graph": "http://example.org/graphs/bad"}, timeout=30) \
        .status_code == 404


def test_graph_store_needs_the_token(server):
    for method in ("put", "post", "delete"):
        response = requests.request(method, server.store, params={"graph": G}, timeout=30, data=b"",
                                    headers={"Content-Type": "text/turtle"})
        assert response.status_code == 401


def test_updates_are_reflected_in_void_counts(server):
    before = requests.get(server.root + "/.well-known/void", timeout=30).text
    _put(server, b'<http://example.org/s> <http://example.org/p> "counted" .', "application/n-triples",
         "http://example.org/graphs/counted")
    after = requests.get(server.root + "/.well-known/void", timeout=30).text
    assert "http://example.org/graphs/counted" in after and "http://example.org/graphs/counted" not in before
