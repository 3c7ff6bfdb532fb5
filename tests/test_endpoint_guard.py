"""The query guard and the Accept parser as functions: fixed cases, and Hypothesis against pyoxigraph itself.

The differential test is the guard's contract: whenever pyoxigraph would evaluate a SERVICE, the guard refuses the
text. The oracle is a SERVICE call to ``http://127.0.0.1:1/``: pyoxigraph's HTTP client refuses port 1 before
opening any connection and raises OSError, which tells us it tried, with no traffic at all.
"""

from __future__ import annotations

import pyoxigraph as ox
import socket
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykg.errors import NotAcceptable, PolicyKGError, QueryRefused, QueryTooComplex, QueryTooLarge
from policykg.formats import (BOOLEAN_FORMATS, CSV, GRAPH_FORMATS, JSON, RESULT_FORMATS, TSV, TURTLE, XML, by_name,
                              negotiate, parse_accept)
from policykg.sparql.guard import Limits, check_query, check_update, with_using

ORACLE = "SERVICE <http://127.0.0.1:1/> { ?x ?y ?z }"


def _refused(text: str) -> bool:
    try:
        check_query(text, base_iri="http://localhost/sparql")
    except QueryRefused:
        return True
    return False


@pytest.mark.parametrize("text, refused", [
    ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", True),
    ("select * { service <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * { SeRvIcE SILENT ?x { ?s ?p ?o } }", True),
    ("SELECT * { ?s ?p 'SERVICE <http://x/> {}' }", False),
    ('SELECT * { ?s ?p """a\nSERVICE <x> {}""" }', False),
    ("SELECT * { ?s ?p ?o } # SERVICE <http://x> {}", False),
    ("SELECT * { ?s ?p ?o } #x\rSERVICE <http://x> {}", True),
    ("SELECT ?service { ?service a <http://SERVICE> }", False),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:SERVICE ?o }", False),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:a\\' ?o . SERVICE <http://x> {} ?s ex:b\\' ?o }", True),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:a、\\' ?o . SERVICE <http://x> {} ?s ex:b、\\' ?o }", True),
    ("SELECT * { ?s ?p \"x\"@SERVICE }", False),
    ("SELECT * { FILTER(?a<?b&&?c>?d) SERVICE <http://x> {} }", True),
    ("ASK { ?s <http://p> 'it''s' . SERVICE<http://x>{} }", True),
    ("ASK { ?s <http://p> '''a'''' . SERVICE<http://x>{} }", True),
    ("SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }", True),
    ("SELECT * FROM <file\\u003A///etc/passwd> { ?s ?p ?o }", True),
    ("BASE <file:///etc/> SELECT * FROM <passwd> { ?s ?p ?o }", True),
    ("PREFIX f: <file:///etc/> SELECT * FROM NAMED f:passwd { ?s ?p ?o }", True),
    ("SELECT * FROM <http://127.0.0.1:9/g> { ?s ?p ?o }", False),
    ("SELECT * FROM <relative> { ?s ?p ?o }", False),
    ("SELECT * WHERE { ?s pkg:resultsFrom ?o }", False),
])
def test_fixed_cases(text, refused):
    assert _refused(text) is refused


def test_query_form_and_dataset():
    assert check_query("PREFIX a: <http://a/> # ask\nCONSTRUCT WHERE { ?s ?p ?o }").form == "CONSTRUCT"
    assert check_query("prefix ask: <http://ask/> describe <http://x>").form == "DESCRIBE"
    checked = check_query("SELECT * FROM <relative> FROM NAMED <http://g/2> { ?s ?p ?o }", base_iri="http://h/sparql")
    assert checked.dataset == ("http://h/relative", "http://g/2") and checked.has_dataset_clause


def test_limits():
    with pytest.raises(QueryTooComplex):
        check_query("SELECT * WHERE " + "{" * 200 + "}" * 200)
    assert check_query("SELECT * WHERE " + "{" * 100 + "}" * 100).form == "SELECT"
    with pytest.raises(QueryTooComplex):
        check_query("SELECT * WHERE { BIND(" + "+".join(["1"] * 12_000) + " AS ?x) }")
    with pytest.raises(QueryTooLarge):
        check_query("ASK {}" + " " * 70_000)
    assert check_query("ASK { ?s ?p '" + "{" * 500 + "' }").form == "ASK"   # brackets in strings do not count
    small = Limits(max_chars=100, max_depth=3, max_tokens=20)
    with pytest.raises(QueryTooComplex):
        check_query("SELECT * WHERE { { { { ?s ?p ?o } } } }", limits=small)


def test_updates():
    with pytest.raises(QueryRefused, match="LOAD"):
        check_update("LOAD <http://x/data.ttl> INTO GRAPH <http://g>")
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_update("INSERT { ?s ?p ?o } WHERE { SERVICE <http://x> { ?s ?p ?o } }")
    checked = check_update("CLEAR ALL ; INSERT { GRAPH <t> { ?s a <D> } } WHERE { ?s a <D> { SELECT * WHERE "
                           "{ ?a ?b ?c } } } ; DELETE WHERE { ?a ?b ?c }")
    assert not checked.has_dataset_clause
    text = with_using(checked, ["http://g/1"], ["http://g/2"])
    assert text.count("USING <http://g/1> USING NAMED <http://g/2> WHERE") == 1
    assert "DELETE WHERE" in text
    assert check_update("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").has_dataset_clause
    with pytest.raises(QueryRefused, match="file"):
        check_update("DELETE { ?s ?p ?o } USING <file:///etc/passwd> WHERE { ?s ?p ?o }")


# -- Hypothesis: the guard against the engine ----------------------------------------------------------------------

_content = st.sampled_from(["SERVICE", ORACLE, "'", '"', "\\'", '\\"', "#", "<", ">", "{", "}", "\n", " ", "x",
                            "''", '""', "\\\\", "é", "、"])
_text = st.lists(_content, max_size=8).map("".join)


def _quote(body: str, quote: str) -> str:
    return quote + body + quote


_pieces = st.one_of(
    st.just(ORACLE), st.just(ORACLE.lower()),
    _text.map(lambda t: "?s ex:p " + _quote(t.replace("\n", " "), "'") + " ."),
    _text.map(lambda t: "?s ex:p " + _quote(t.replace("\n", " "), '"') + " ."),
    _text.map(lambda t: "?s ex:p " + _quote(t, "'''") + " ."),
    _text.map(lambda t: "?s ex:p " + _quote(t, '"""') + " ."),
    _text.map(lambda t: "# " + t.replace("\n", " ") + "\n"),
    st.sampled_from(["?s ex:a\\' ?o .", "?s ex:b\\\" ?o .", "?s ex:c\\# ?o .", "?s ex:a、\\' ?o .",
                     "?s <http://example.org/a'b#c> ?o .", "FILTER(?s < ?o)", "FILTER(?a<?b&&?c>?d)",
                     "?s ex:p 'x'@en .", "OPTIONAL {", "{", "}", "} UNION {", "?s ex:p ?o .", "\n", "'", '"']),
)
_queries = st.lists(_pieces, min_size=1, max_size=7).map(
    lambda parts: "PREFIX ex: <http://example.org/>\nSELECT * WHERE { " + " ".join(parts) + " }")


def _engine_calls_service(text: str) -> bool:
    try:
        result = ox.Store().query(text)
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except OSError as error:
        return "port 1" in str(error)
    except (SyntaxError, ValueError):
        return False
    return False


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_queries)
def test_the_guard_refuses_whatever_the_engine_would_send(text):
    if _engine_calls_service(text):
        assert _refused(text), text


# Keywords glued to a prefixed name: the engine reads ``SERVICE:x`` as ``SERVICE :x`` (and ``SERVICESILENT:x`` as
# ``SERVICE SILENT :x``), which a lexer that takes ``SERVICE:x`` for one name would let through.
_glued_keyword = st.tuples(st.sampled_from(["SERVICE", "SERVICE SILENT", "SERVICESILENT"]),
                           st.sampled_from([str.upper, str.lower, str.title])).map(lambda kw: kw[1](kw[0]))
_glued_target = st.sampled_from([":", ":x", "p:", "p:x", ": ", "p:/x"])
_glued_place = st.sampled_from(["{}", "{ OPTIONAL {} }", "{ FILTER EXISTS {} }", "{ { SELECT * WHERE {} } }",
                                "{ ?a ?b ?c . {} }", "{ MINUS {} }"])
_glued = st.tuples(_glued_keyword, _glued_target, _glued_place).map(
    lambda parts: ("PREFIX : <http://127.0.0.1:1/>\nPREFIX p: <http://127.0.0.1:1/>\nSELECT * WHERE "
                   + parts[2].replace("{}", "{ " + parts[0] + parts[1].rstrip() + " { ?s ?p ?o } }", 1)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_glued)
def test_keywords_glued_to_a_prefixed_name_are_read_as_the_engine_reads_them(text):
    if _engine_calls_service(text):
        assert _refused(text), text


@pytest.fixture
def canary():
    """A TCP listener on a free loopback port that counts the connections it receives."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            hits.append(1)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], hits
    stop.set()
    thread.join(timeout=2)
    listener.close()


@pytest.mark.parametrize("body", [
    "{ SERVICE:x { ?s ?p ?o } }",
    "{ SERVICESILENT:x { ?s ?p ?o } }",
    "{ OPTIONAL { service:x { ?s ?p ?o } } }",
    "{ BIND(1 AS ?a) Service:x { ?s ?p ?o } }",
    "{ { SELECT * WHERE { SERVICE silent:x { ?s ?p ?o } } } }",
])
def test_the_engine_calls_these_and_the_guard_refuses_them(canary, body):
    port, hits = canary
    text = f"PREFIX : <http://127.0.0.1:{port}/> PREFIX silent: <http://127.0.0.1:{port}/> SELECT * {body}"
    try:
        list(ox.Store().query(text))
    except (OSError, SyntaxError):
        pass
    assert hits, "the engine reads the glued keyword and connects"
    assert _refused(text)


def test_a_glued_from_is_a_dataset_clause():
    with pytest.raises(QueryRefused, match="file"):
        check_query("PREFIX : <file:///etc/> SELECT * FROM:passwd WHERE { ?s ?p ?o }")
    checked = check_query("PREFIX : <http://example.org/> SELECT * FROM:g WHERE { ?s ?p ?o }")
    assert checked.dataset == ("http://example.org/g",)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_value_or_a_typed_error(text):
    for check in (check_query, check_update):
        try:
            check(text)
        except PolicyKGError:
            pass


# -- Accept negotiation ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("accept, offers, expected", [
    (None, RESULT_FORMATS, JSON), ("", RESULT_FORMATS, JSON), ("*/*", GRAPH_FORMATS, TURTLE),
    ("text/csv, */*", RESULT_FORMATS, CSV), ("text/*", RESULT_FORMATS, CSV),
    ("text/tab-separated-values;q=0.9, text/csv;q=0.8", RESULT_FORMATS, TSV),
    ("application/xml;q=0.9, */*;q=0.8", RESULT_FORMATS, XML),
    ("application/sparql-results+json, application/sparql-results+xml", RESULT_FORMATS, JSON),
    ("application/sparql-results+xml, application/sparql-results+json", RESULT_FORMATS, XML),
    ("application/sparql-results+json, */*;q=0.9", GRAPH_FORMATS, TURTLE),
    ("TEXT/CSV", RESULT_FORMATS, CSV), ("text/csv; charset=utf-8; q=0.5", RESULT_FORMATS, CSV),
])
def test_negotiation(accept, offers, expected):
    assert negotiate(accept, offers) is expected


def test_not_acceptable_lists_the_types():
    with pytest.raises(NotAcceptable) as raised:
        negotiate("text/csv", BOOLEAN_FORMATS)
    assert raised.value.available == ["application/sparql-results+json", "application/sparql-results+xml"]
    with pytest.raises(NotAcceptable):
        negotiate("application/sparql-results+json;q=0, application/json;q=0", BOOLEAN_FORMATS[:1])
    with pytest.raises(NotAcceptable):
        by_name("pdf", RESULT_FORMATS)
    assert by_name("json", GRAPH_FORMATS).name == "jsonld" and by_name("text/csv", RESULT_FORMATS) is CSV


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_accept_header_gives_an_offer_or_406(header):
    parse_accept(header)
    try:
        assert negotiate(header, RESULT_FORMATS) in RESULT_FORMATS
    except NotAcceptable:
        pass


@settings(max_examples=200, deadline=None)
@given(st.permutations([f.media_type for f in RESULT_FORMATS]), st.integers(0, 3))
def test_the_single_highest_q_wins(types, favourite):
    header = ", ".join(f"{t};q={1.0 if i == favourite else 0.5}" for i, t in enumerate(types))
    assert negotiate(header, RESULT_FORMATS).media_type == types[favourite]
