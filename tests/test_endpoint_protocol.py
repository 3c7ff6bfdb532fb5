"""Reading protocol requests, as functions of the WSGI environ: the fast query-string decoder agrees with the
standard one, and each malformed request is the 4xx the protocol asks for."""

from __future__ import annotations

import io
from urllib.parse import quote, quote_plus, unquote_plus, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.errors import PolicyKGError, QueryRefused
from policykg.web.errors import HttpError
from policykg.web.endpoint.protocol import parse, parse_query_string, unquote
from policykg.web.settings import Settings


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_fast_unquote_agrees_with_urllib(text):
    assert unquote(quote_plus(text)) == text
    assert unquote(quote(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_unquote_agrees_with_the_standard_library_or_refuses_bad_utf8(text):
    try:
        expected = unquote_plus(text, errors="strict")
    except UnicodeDecodeError:
        with pytest.raises(HttpError, match="not valid UTF-8"):
            unquote(text)
        return
    assert unquote(text) == expected


def test_raw_utf8_in_a_query_string_is_decoded():
    raw = "query=SELECT ?x { ?x ?p 'naïve' }".encode("utf-8").decode("latin-1")   # as WSGI hands it over
    assert parse_query_string(raw)["query"] == ["SELECT ?x { ?x ?p 'naïve' }"]


def _environ(method="GET", query="", body=b"", content_type=None):
    environ = {"REQUEST_METHOD": method, "QUERY_STRING": query, "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body)), "SERVER_NAME": "localhost", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http"}
    if content_type:
        environ["CONTENT_TYPE"] = content_type
    return environ


def test_the_usual_requests():
    op = parse(_environ(query=urlencode({"query": "ASK {}"})), Settings())
    assert (op.kind, op.text, op.via_url, op.has_protocol_dataset) == ("query", "ASK {}", True, False)
    op = parse(_environ("POST", "default-graph-uri=http%3A%2F%2Fg%2F1", b"query=ASK+%7B%7D",
                        "application/x-www-form-urlencoded"), Settings())
    assert (op.kind, op.text, op.default_graphs) == ("query", "ASK {}", ["http://g/1"])
    op = parse(_environ("POST", "using-named-graph-uri=http%3A%2F%2Fg%2F2&timeout=1.5", b"CLEAR ALL",
                        "application/sparql-update; charset=utf-8"), Settings())
    assert (op.kind, op.text, op.named_graphs, op.timeout) == ("update", "CLEAR ALL", ["http://g/2"], 1.5)
    assert parse(_environ(query="format=ttl"), Settings()).kind == "describe"


@pytest.mark.parametrize("environ, status", [
    (_environ(query="update=CLEAR+ALL"), 400),
    (_environ(query="query=ASK+%7B%7D&query=ASK+%7B%7D"), 400),
    (_environ("POST", "", b"query=ASK+%7B%7D"), 415),
    (_environ("POST", "", b"ASK {}", "text/plain"), 415),
    (_environ("POST", "", "ASK {}".encode("utf-16"), "application/sparql-query; charset=UTF-16"), 415),
    (_environ("POST", "", b"ASK { '\xff' }", "application/sparql-query"), 400),
    (_environ("POST", "query=ASK+%7B%7D", b"ASK {}", "application/sparql-query"), 400),
    (_environ("POST", "", b"query=ASK+%7B%7D&update=CLEAR+ALL", "application/x-www-form-urlencoded"), 400),
    (_environ(query="query=ASK+%7B%7D&using-graph-uri=http%3A%2F%2Fg"), 400),
    (_environ(query="query=ASK+%7B%7D&timeout=0"), 400),
    (_environ(query="query=ASK+%7B%7D&default-graph-uri="), 400),
    (_environ(query="query=" + "x" * 200_000), 414),
])
def test_malformed_requests(environ, status):
    with pytest.raises((HttpError, PolicyKGError)) as raised:
        parse(environ, Settings())
    error = raised.value
    assert (error.status if isinstance(error, HttpError) else error.http_status) == status and str(error)


def test_a_file_graph_in_the_protocol_dataset_is_refused():
    with pytest.raises(QueryRefused):
        parse(_environ(query="query=ASK+%7B%7D&named-graph-uri=file%3A%2F%2F%2Fetc%2Fpasswd"), Settings())
