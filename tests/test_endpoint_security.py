"""A public endpoint under attack, against a real ``policykg serve`` (gunicorn, several workers) on 127.0.0.1.

A local listener stands in for every "remote" host: SERVICE, LOAD, FROM and dataset parameters aimed at it must be
refused or answered from the store alone, and the listener must see no connection. Runaway queries must be
answered 503 within the time limit while the other workers keep answering. Updates need the token.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import requests
from support import data
from support.canary import Canary
from support.server import running

LIMIT = 2.0
SLACK = 1.5           # the watchdog polls every 20 ms; the rest is a busy two-core machine
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def listener():
    with Canary(path="") as listener:  # tests append their own paths
        yield listener


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return data.write(tmp_path_factory.mktemp("security") / "sample.trig")


@pytest.fixture(scope="module")
def server(sample):
    with running("--data", sample, "--timeout", str(LIMIT), "--workers", "5") as server:
        yield server


@pytest.fixture(scope="module")
def writable(sample):
    with running("--data", sample, "--timeout", str(LIMIT), "--update-token", TOKEN) as server:
        yield server


def _error(response: requests.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    # a syntax error may also say where it is (line and column)
    assert {"error", "status"} <= set(body) <= {"error", "status", "line", "column"} and body["status"] == status
    return body["error"]


# -- no outbound connection, no file read ------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "select * where { service <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<{url}/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o { SELECT * WHERE { SERVICE <{url}/x> { ?a ?b ?c } } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}/x> { ?s ?p ?o } } }",
    "SELECT * WHERE {#\n SERVICE<{url}/x>{?s ?p ?o}}",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:a\\' ?o . SERVICE <{url}/x> {} ?s ex:b\\' ?o }",
])
def test_service_is_refused_before_evaluation(server, listener, query):
    response = server.query(query.replace("{url}", listener.url))
    assert "SERVICE" in _error(response, 403)
    time.sleep(0.1)
    assert listener.connections == []


@pytest.mark.parametrize("query, expected", [
    ("SELECT ?service WHERE { ?service a pkg:PolicyFile } ORDER BY ?service", 3),
    ("SELECT ?c WHERE { ?f rdfs:comment ?c FILTER(CONTAINS(?c, 'SERVICE <http://x>')) }", 1),
    ("SELECT ?f WHERE { ?f a pkg:PolicyFile } # SERVICE <http://127.0.0.1:1/> { }", 3),
    ("SELECT ?f WHERE { ?f a pkg:PolicyFile . ?f skos:prefLabel ?l FILTER(?l != 'LOAD data FROM x'@en) }", 3),
])
def test_keywords_inside_names_strings_and_comments_are_not_refused(server, query, expected):
    assert len(server.select(query)) == expected


def test_from_a_remote_iri_is_an_empty_graph_never_fetched(server, listener):
    response = server.query(f"SELECT * FROM <{listener.url}/graph.ttl> WHERE {{ ?s ?p ?o }}")
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    assert f"<{listener.url}/graph.ttl>" in response.headers["X-PolicyKG-Empty-Graphs"]
    response = server.query("ASK { ?s ?p ?o }", **{"default-graph-uri": f"{listener.url}/g",
                                                   "named-graph-uri": f"{listener.url}/h"})
    assert response.json()["boolean"] is False
    time.sleep(0.1)
    assert listener.connections == []


def test_from_a_stored_graph_selects_it(server):
    from policykg.namespaces import GRAPH
    rows = server.select(f"SELECT ?celex FROM <{GRAPH['data/return-directive']}> WHERE {{ ?act pkg:celex ?celex }}")
    assert rows == [{"celex": "32008L0115"}]


@pytest.mark.parametrize("clause", [
    "FROM <file://{path}>", "FROM NAMED <file://{path}>", "FROM <file\\u003A//{path}>",
    "FROM <{name}>", "FROM f:{name}",
])
def test_from_a_file_is_refused(server, tmp_path, clause):
    secret = tmp_path / "secret.nt"
    secret.write_text('<http://example.org/s> <http://example.org/p> "TOP-SECRET-VALUE" .\n')
    query = (f"BASE <file://{tmp_path}/> PREFIX f: <file://{tmp_path}/> SELECT * "
             + clause.format(path=secret, name=secret.name) + " WHERE { ?s ?p ?o }")
    response = server.query(query)
    assert "never reads files" in _error(response, 403)
    assert "TOP-SECRET-VALUE" not in response.text


def test_file_iri_in_dataset_parameters_is_refused(server):
    response = server.query("ASK { ?s ?p ?o }", **{"default-graph-uri": "file:///etc/passwd"})
    assert "never reads files" in _error(response, 403)


def test_load_is_refused_with_or_without_the_token(server, writable, listener):
    update = f"LOAD <{listener.url}/data.ttl>"
    assert "read-only" in _error(requests.post(server.url, data={"update": update}, timeout=10), 403)
    response = requests.post(writable.url, data={"update": update}, timeout=10,
                             headers={"Authorization": f"Bearer {TOKEN}"})
    assert "LOAD" in _error(response, 403)
    response = requests.post(writable.url, timeout=10, data={
        "update": f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{listener.url}/x> {{ ?s ?p ?o }} }}"},
        headers={"Authorization": f"Bearer {TOKEN}"})
    assert "SERVICE" in _error(response, 403)
    time.sleep(0.1)
    assert listener.connections == []


# -- updates need the token --------------------------------------------------------------------------------------

INSERT = 'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> "inserted" } }'
ASK_INSERTED = 'ASK { GRAPH <http://example.org/g> { ?s ?p "inserted" } }'


@pytest.mark.parametrize("headers, status", [
    ({}, 401), ({"Authorization": "Bearer wrong"}, 401), ({"Authorization": f"Basic {TOKEN}"}, 401),
])
def test_updates_without_the_token_are_refused(writable, headers, status):
    for response in (
        requests.post(writable.url, data={"update": INSERT}, headers=headers, timeout=10),
        requests.post(writable.url, data=INSERT, timeout=10,
                      headers={**headers, "Content-Type": "application/sparql-update"}),
        requests.put(writable.store, params={"graph": "http://example.org/g"}, timeout=10,
                     data=b"<http://example.org/s> <http://example.org/p> 1 .",
                     headers={**headers, "Content-Type": "application/n-triples"}),
        requests.delete(writable.store, params={"graph": "http://example.org/g"}, headers=headers, timeout=10),
    ):
        assert "Bearer" in _error(response, status)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert writable.ask(ASK_INSERTED) is False


def test_updates_with_the_token_apply(writable):
    before = requests.get(writable.url, params={"query": ASK_INSERTED}, timeout=10)
    response = requests.post(writable.url, data={"update": INSERT}, headers={"Authorization": f"Bearer {TOKEN}"},
                             timeout=10)
    assert response.status_code == 204
    after = requests.get(writable.url, params={"query": ASK_INSERTED}, timeout=10)
    assert after.json()["boolean"] is True
    assert before.headers["ETag"] != after.headers["ETag"]      # the dataset version moved
    response = requests.delete(writable.store, params={"graph": "http://example.org/g"}, timeout=10,
                               headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204
    assert writable.ask(ASK_INSERTED) is False


def test_read_only_server_refuses_every_write(server):
    assert "read-only" in _error(requests.post(server.url, data={"update": INSERT}, timeout=10), 403)
    response = requests.put(server.store, params={"graph": "http://example.org/g"}, data=b"", timeout=10,
                            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"})
    assert "read-only" in _error(response, 403)


# -- runaway queries ---------------------------------------------------------------------------------------------

RUNAWAYS = {
    "cartesian product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "catastrophic regex": 'SELECT (COUNT(*) AS ?n) WHERE { ?a rdfs:label ?x . ?b rdfs:label ?y . ?c rdfs:label ?z '
                          'FILTER(REGEX(CONCAT(?x, ?y, ?z), "^(a+)+b$")) }',
    "nested property paths": "PREFIX id: <https://w3id.org/policykg/id/> SELECT (COUNT(*) AS ?n) WHERE { "
                             "?a ((id:next|^id:next)*/(id:next|^id:next)*)* ?b . ?c (id:next|^id:next)+ ?d }",
}
CHEAP = "SELECT ?celex WHERE { ?act pkg:celex ?celex } ORDER BY ?celex"


def _timed(server, query: str, **params) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = server.query(query, **params)
    return response, time.monotonic() - started


def test_runaway_queries_get_503_in_time_while_others_are_answered(server):
    with ThreadPoolExecutor(len(RUNAWAYS)) as pool:
        runaways = {name: pool.submit(_timed, server, query) for name, query in RUNAWAYS.items()}
        time.sleep(0.3)
        for _ in range(3):  # three workers are busy with runaways; the others answer at once
            response, elapsed = _timed(server, CHEAP)
            assert response.status_code == 200 and elapsed < 1.0
            assert [r["celex"]["value"] for r in response.json()["results"]["bindings"]] == [
                "32008L0115", "32024L1233", "32024R1689"]
        for name, future in runaways.items():
            response, elapsed = future.result()
            message = _error(response, 503)
            assert "ran out of time" in message and f"{LIMIT:g} s" in message, name
            assert elapsed < LIMIT + SLACK, f"{name}: answered after {elapsed:.2f} s"
    for _ in range(6):  # the stopped workers were replaced
        assert len(server.select(CHEAP)) == 3


def test_timeout_parameter_may_only_lower_the_limit(server):
    response, elapsed = _timed(server, RUNAWAYS["cartesian product"], timeout="0.5")
    assert "after 0.5 s" in _error(response, 503)
    assert elapsed < 0.5 + SLACK
    response, elapsed = _timed(server, RUNAWAYS["cartesian product"], timeout="3600")
    assert f"after {LIMIT:g} s" in _error(response, 503)
    assert LIMIT - 0.1 < elapsed < LIMIT + SLACK
    assert server.query(CHEAP, timeout="3600").headers["X-PolicyKG-Timeout"] == f"{LIMIT:g}"


def test_a_runaway_update_is_stopped_and_changes_nothing(writable):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    keep = 'INSERT DATA { GRAPH <http://example.org/kept> { <http://example.org/s> <http://example.org/p> "kept" } }'
    assert requests.post(writable.url, data={"update": keep}, headers=auth, timeout=10).status_code == 204
    runaway = ("INSERT { GRAPH <http://example.org/runaway> { ?a <http://example.org/p> ?n } } WHERE { "  # updates
               "{ SELECT ?a (COUNT(*) AS ?n) WHERE { GRAPH ?w { ?a ?b ?c } GRAPH ?x { ?d ?e ?f } "  # see the store's
               "GRAPH ?y { ?g ?h ?i } GRAPH ?z { ?j ?k ?l } } GROUP BY ?a } }")                    # own default graph
    started = time.monotonic()
    response = requests.post(writable.url, data={"update": runaway}, headers=auth, timeout=30)
    assert "ran out of time" in _error(response, 503)
    assert time.monotonic() - started < LIMIT + SLACK
    assert writable.ask("ASK { GRAPH <http://example.org/runaway> { ?s ?p ?o } }") is False
    assert writable.ask('ASK { GRAPH <http://example.org/kept> { ?s ?p "kept" } }') is True   # earlier updates stay


def test_crashing_nesting_is_refused_and_the_server_survives(server):
    deep = "SELECT * WHERE " + "{" * 6000 + " ?s ?p ?o " + "}" * 6000
    response = requests.post(server.url, data=deep, timeout=10, headers={"Content-Type": "application/sparql-query"})
    assert "nests brackets deeper" in _error(response, 400)
    long_chain = "SELECT * WHERE { BIND(" + "+".join(["1"] * 25000) + " AS ?x) }"
    response = requests.post(server.url, data=long_chain, timeout=10,
                             headers={"Content-Type": "application/sparql-query"})
    assert "tokens" in _error(response, 400)
    assert len(server.select(CHEAP)) == 3


# -- malformed requests: the right 4xx, the one error shape ------------------------------------------------------

@pytest.mark.parametrize("method, kwargs, status, words", [
    ("POST", {"data": b"query=ASK%20%7B%7D"}, 415, "Content-Type"),
    ("POST", {"data": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415, "text/plain"),
    ("POST", {"data": "ASK {}".encode("utf-16"),
              "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415, "UTF-8"),
    ("POST", {"data": b"ASK { ?s ?p '\xff\xfe' }", "headers": {"Content-Type": "application/sparql-query"}},
     400, "UTF-8"),
    ("GET", {"params": {"update": "CLEAR ALL"}}, 400, "POST"),
    ("GET", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "exactly one"),
    ("POST", {"data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400, "both"),
    ("POST", {"data": {"nothing": "here"}}, 400, "neither"),
    ("GET", {"params": {"query": "SELECT * WHERE { ?s ?p"}}, 400, "syntax"),
    ("GET", {"params": {"query": "ASK {}", "timeout": "soon"}}, 400, "timeout"),
    ("GET", {"params": {"query": "ASK {}", "timeout": "-1"}}, 400, "positive"),
    ("GET", {"params": {"query": "ASK {}", "using-graph-uri": "http://example.org/g"}}, 400, "updates only"),
    ("GET", {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400, "is not an IRI"),
    ("GET", {"params": {"query": "ASK {}", "default-graph-uri": "ftp://example.org/g"}}, 403, "absolute"),
    ("GET", {"params": {"query": "SELECT * WHERE { ?s ?p ?o }", "format": "pdf"}}, 406, "text/csv"),
    ("GET", {"params": {"query": "SELECT * WHERE { ?s ?p ?o }"}, "headers": {"Accept": "image/png"}}, 406,
     "application/sparql-results+json"),
    ("GET", {"params": {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, "headers": {"Accept": "text/csv"}}, 406,
     "text/turtle"),
    ("PUT", {"params": {"query": "ASK {}"}}, 405, "not allowed"),
    ("POST", {"data": b"x" * (2 * 1024 * 1024), "headers": {"Content-Type": "application/sparql-query"}}, 413,
     "larger"),
    ("POST", {"data": ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 70_000).encode(),
              "headers": {"Content-Type": "application/sparql-query"}}, 413, "characters"),
    ("GET", {"params": {"query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70_000}}, 414, "POST"),
    ("GET", {"params": {"query": "ASK {}"}, "path": "/nowhere"}, 404, "/sparql"),
])
def test_malformed_requests_get_the_right_4xx(server, method, kwargs, status, words):
    kwargs = dict(kwargs)
    url = server.root + kwargs.pop("path") if "path" in kwargs else server.url
    response = requests.request(method, url, timeout=10, **kwargs)
    message = _error(response, status)
    assert words in message
    assert "Traceback" not in response.text


def test_chunked_bodies_are_capped_too(server):
    def chunks():
        for _ in range(40):
            yield b"#" + b"x" * 65535
    response = requests.post(server.url, data=chunks(), timeout=10,
                             headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413


def test_no_debugger_and_no_development_server(server):
    response = requests.get(server.root + "/console", timeout=10)
    _error(response, 404)
    assert "gunicorn" in requests.get(server.url, timeout=10).headers.get("Server", "")
    response = requests.get(server.url, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1 " + quote("}")},
                            timeout=10)
    assert response.status_code == 400 and "Traceback" not in response.text
