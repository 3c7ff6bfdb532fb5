"""Client mistakes are 4xx answers in the one JSON shape, whatever the client accepts; no redirect leaves the
server; no secret is an input of a public answer."""

from __future__ import annotations

import pytest

from policykg.namespaces import BASE
from policykg.web import Settings, create_app


def _error(response, status: int) -> str:
    assert response.status_code == status, response.data[:300]
    assert response.content_type.startswith("application/json")
    body = response.get_json()
    assert body["status"] == status
    return body["error"]


@pytest.mark.parametrize("params, words", [
    ({"query": "ASK {}", "default-graph-uri": "http://a/b c"}, "default-graph-uri <http://a/b c> is not an IRI"),
    ({"query": "ASK {}", "named-graph-uri": "http://a/<b>"}, "named-graph-uri <http://a/<b>> is not an IRI"),
    ({"query": "SELECT * FROM <//[::1> WHERE { ?s ?p ?o }"}, "<//[::1> is not an IRI"),
])
def test_malformed_graph_iris_are_400_not_500(client, params, words):
    assert words in _error(client.get("/sparql", query_string=params), 400)


def test_percent_encoded_invalid_utf8_is_refused_not_replaced(client):
    # The byte 0xFF hides in a comment: replaced by U+FFFD the query would run and answer 200.
    message = _error(client.get("/sparql?query=ASK%20%7B%7D%20%23%FF"), 400)
    assert "not valid UTF-8" in message
    form = client.post("/sparql", data="query=ASK%20%7B%7D%20%23%FF",
                       content_type="application/x-www-form-urlencoded")
    assert "not valid UTF-8" in _error(form, 400)
    assert client.post("/sparql", data={"query": "ASK { }"}).get_json()["boolean"] is True  # valid text still runs


def test_a_syntax_error_is_a_400_even_for_a_browser(client):
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o"},
                          headers={"Accept": "text/html,application/xhtml+xml;q=0.9"})
    assert "syntax error" in _error(response, 400)
    valid = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }"},
                       headers={"Accept": "text/html"})
    assert "text/html" in _error(valid, 406)


@pytest.mark.parametrize("iri", [BASE + "/evil.example/x", BASE + "//evil.example/x", BASE + "///evil.example"])
def test_no_redirect_leaves_the_server(client, iri):
    response = client.get("/describe", query_string={"iri": iri})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location


def test_the_update_token_is_in_no_etag_and_no_answer(store):
    secret = "s3cret-token-value"
    one = create_app(store, Settings(update_token=secret)).test_client()
    other = create_app(store, Settings(update_token="another-token")).test_client()
    assert secret not in repr(Settings(update_token=secret))
    for path in ("/sparql", "/.well-known/void"):
        first, second = one.get(path, headers={"Accept": "text/turtle"}), other.get(path,
                                                                                   headers={"Accept": "text/turtle"})
        assert first.status_code == 200 and first.headers["ETag"] == second.headers["ETag"]
        assert secret not in first.get_data(as_text=True) and secret not in str(first.headers)


FORGED = "evil.example"
PAGES = ["/sparql", "/.well-known/void", "/", "/editor", "/queries/files-and-instruments.csv", "/queries",
         "/id/file/ai-act", "/ontology", "/queries/status-on-date"]


@pytest.mark.parametrize("path", PAGES)
def test_a_forged_host_never_reaches_an_answer(client, path):
    for accept in ("text/html", "text/turtle", "*/*"):
        response = client.get(path, headers={"Host": FORGED, "Accept": accept})
        assert response.status_code in (200, 406), (path, accept, response.status_code)
        assert FORGED not in response.get_data(as_text=True), (path, accept)
        assert FORGED not in str(response.headers), (path, accept)


def test_the_public_base_url_is_the_one_answers_use(store):
    app = create_app(store, Settings(base_url="https://kg.example.org"))
    client = app.test_client()
    description = client.get("/sparql", headers={"Accept": "text/turtle", "Host": FORGED}).get_data(as_text=True)
    assert "<https://kg.example.org/sparql>" in description and FORGED not in description
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "https://kg.example.org/sparql" in void


@pytest.mark.parametrize("base_url, root", [(None, "http://localhost"),
                                            ("https://kg.example.org", "https://kg.example.org")])
def test_a_forged_host_never_names_a_new_graph(build, base_url, root):
    """POST to /store answers the new graph's URL in Location: from the public root, not from the Host header."""
    from policykg.store.local import MemoryStore

    app = create_app(MemoryStore(build.version), Settings(update_token="t0ken", base_url=base_url))
    response = app.test_client().post("/store", data=b"<http://example.org/s> <http://example.org/p> <rel> .",
                                      headers={"Host": FORGED, "Authorization": "Bearer t0ken",
                                               "Content-Type": "text/turtle"})
    assert response.status_code == 201, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location.startswith(f"{root}/store?graph=") and FORGED not in location
    graph = location.split("?graph=", 1)[1]
    stored = app.test_client().get("/sparql", query_string={
        "query": "SELECT ?o WHERE { GRAPH ?g { <http://example.org/s> ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"}).get_json()
    assert [row["o"]["value"] for row in stored["results"]["bindings"]] == [f"{root}/rel"], graph
