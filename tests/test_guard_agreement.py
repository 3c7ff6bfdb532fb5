"""The guard against the engine itself: every text pyoxigraph would federate, load, or read a dataset outside the
store for, the guard refuses.

Hypothesis writes queries and updates with SERVICE, LOAD, FROM [NAMED], USING [NAMED], WITH and GRAPH spelled every
way the grammar and pyoxigraph accept: any case, glued to a prefixed name, with comments between the tokens, IRIs
with ``\\u`` escapes, relative to a BASE, through a PREFIX (the query's own or one of the endpoint's predefined
ones redefined), nested in OPTIONAL, FILTER EXISTS, subqueries, MINUS, UNION, GRAPH and after BIND, SILENT or not.
Each text is run by pyoxigraph, with the network, the way the endpoint runs it (its base IRI and prefixes):

* a loopback canary listener records every connection the engine makes (SERVICE and LOAD);
* the store holds one triple in a graph named by a ``file:`` IRI, which a text can only reach through a dataset
  clause naming that graph (the texts always carry one dataset clause of their own, so the dataset is never the
  whole store).

Whenever the engine connected or reached that graph, the guard must have refused the text. With an allow-list,
the texts that pass are rewritten (the allowed calls answered from a local store, as the federation process
does): the engine, given the rewritten text, must make no connection at all.
"""

from __future__ import annotations

import os

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support import attacks
from support.attacks import OUTSIDE
from support.canary import Canary

from policykg.errors import PolicyKGError
from policykg.namespaces import PREFIXES
from policykg.sparql.federation import answer_of, inline_answers
from policykg.sparql.guard import Limits, check_query, check_update

BASE = "http://localhost/sparql"
MARKER = ox.Quad(ox.NamedNode("urn:marker:s"), ox.NamedNode("urn:marker:p"), ox.NamedNode("urn:marker:o"),
                 ox.NamedNode(OUTSIDE))
XSD_BOOLEAN, XSD_DOUBLE, XSD_DECIMAL = (ox.NamedNode(f"http://www.w3.org/2001/XMLSchema#{name}")
                                       for name in ("boolean", "double", "decimal"))
EXAMPLES = int(os.environ.get("GUARD_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=bool(os.environ.get("CI")),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


CANARY = Canary()


@pytest.fixture(scope="module", autouse=True)
def _canary():
    yield
    CANARY.close()


# -- running the engine ----------------------------------------------------------------------------------------------

def _store() -> ox.Store:
    """The marker in its outside graph, and one triple in the default graph and in a named graph, so that every
    pattern around a SERVICE clause has solutions and the engine reaches the clause."""
    store = ox.Store()
    store.add(MARKER)
    objects = [ox.Literal("1"), ox.Literal("x"), ox.Literal("x", language="en"),
               ox.Literal("true", datatype=XSD_BOOLEAN), ox.Literal("false", datatype=XSD_BOOLEAN),
               ox.Literal("1e3", datatype=XSD_DOUBLE), ox.Literal("1.5", datatype=XSD_DECIMAL)]
    for graph in (ox.DefaultGraph(), ox.NamedNode("urn:g")):
        for value in objects:
            store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), value, graph))
    return store


def _run_query(text: str, store: ox.Store | None = None) -> list | None:
    """The engine's rows (None when it refused or failed), the way the endpoint runs a query."""
    try:
        result = (store or ox.Store()).query(text, base_iri=BASE, prefixes=PREFIXES)
        if isinstance(result, ox.QuerySolutions):
            return [solution["s"] if "s" in [v.value for v in result.variables] else None for solution in result]
        return list(result) if isinstance(result, ox.QueryTriples) else [bool(result)]
    except (OSError, SyntaxError, RuntimeError, ValueError):
        return None


def _engine_connects(text: str, update: bool = False) -> bool:
    before = CANARY.count()
    if update:
        try:
            _store().update(text, base_iri=BASE, prefixes=PREFIXES)
        except (OSError, SyntaxError, RuntimeError, ValueError):
            pass
    else:
        _run_query(text, _store())
    return CANARY.settled(before)


NO_SERVICE = Limits()


def _refused(check, text: str, limits: Limits = NO_SERVICE) -> bool:
    try:
        check(text, base_iri=BASE, limits=limits)
    except PolicyKGError:
        return True
    return False


@SETTINGS
@given(attacks.service_queries(CANARY.url))
def test_every_query_the_engine_federates_is_refused(text):
    if _engine_connects(text):
        event("the engine connected")
        assert _refused(check_query, text), text


@SETTINGS
@given(attacks.calling_updates(CANARY.url))
def test_every_update_the_engine_sends_out_is_refused(text):
    if _engine_connects(text, update=True):
        event("the engine connected")
        assert _refused(check_update, text), text


@SETTINGS
@given(attacks.dataset_queries)
def test_every_dataset_clause_the_engine_reads_outside_is_refused(text):
    rows = _run_query(text, _store())
    if rows and ox.NamedNode("urn:marker:s") in rows:
        event("the engine read the outside graph")
        assert _refused(check_query, text), text


@SETTINGS
@given(attacks.dataset_updates)
def test_every_update_dataset_the_engine_reads_outside_is_refused(text):
    store = _store()
    try:
        store.update(text, base_iri=BASE, prefixes=PREFIXES)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        return
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.NamedNode("urn:out"))):
        event("the engine read the outside graph")
        assert _refused(check_update, text), text


@pytest.mark.parametrize("body", [
    "{ ?s ?p ?o SERVICESILENT<{url}> { ?s ?p ?o } }",          # keywords glued to each other
    "{ ?s ?p trueSERVICE <{url}> { ?s ?p ?o } }",              # a keyword glued after a literal
    "{ ?s ?p falseSERVICE:x { ?s ?p ?o } }",
    "{ ?s ?p 1e3SERVICE <{url}> { ?s ?p ?o } }",
    "{ ?s ?p ?o . SERVICEsilent:x { ?s ?p ?o } }",
])
def test_disagreements_found_by_the_engine_are_refused(body):
    """Texts the guard once passed while the engine connected (found by the properties below)."""
    text = f"PREFIX : <{CANARY.url}> PREFIX silent: <{CANARY.url}> SELECT * " + body.replace("{url}", CANARY.url)
    assert _engine_connects(text), "the engine reads a SERVICE here"
    assert _refused(check_query, text)


def test_a_glued_dataset_clause_is_checked_in_every_reading():
    for text in ["SELECT ?s FROMNAMED<file:///etc/x> WHERE { ?s ?p ?o }",
                 "PREFIX named: <file:///etc/> WITHnamed:x INSERT { <urn:a> <urn:b> 1 } WHERE {}",
                 "PREFIX : <file:///etc/> SELECT * FROMNAMED:x WHERE { ?s ?p ?o }"]:
        check = check_update if "INSERT" in text else check_query
        assert _refused(check, text), text
    checked = check_query("PREFIX named: <http://example.org/> SELECT * FROMnamed:g WHERE { ?s ?p ?o }")
    assert "http://example.org/g" in checked.dataset


def test_the_oracles_fire():
    """The oracles are live: the engine connects for these and reads the outside graph for those."""
    assert _engine_connects(f"PREFIX : <{CANARY.url}> SELECT * {{ SERVICE:x {{ ?s ?p ?o }} }}")
    assert _engine_connects(f"BASE <{CANARY.url}> LOAD <x>", update=True)
    rows = _run_query("PREFIX f: <file:///etc/> SELECT ?s FROM <http://safe.example/> FROM f:policykg-marker "
                      "WHERE { ?s ?p ?o }", _store())
    assert rows == [ox.NamedNode("urn:marker:s")]


# -- with an allow-list: the texts that pass reach the engine without SERVICE ----------------------------------------

ALLOWED = Canary()   # never connected to: the allowed calls are answered from a local store


def _answer_locally(call) -> tuple:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:r:s"), ox.NamedNode("urn:r:p"), ox.Literal("remote")))
    return answer_of(call.endpoint, store.query(call.query))



@SETTINGS
@given(st.one_of(attacks.mixed_queries(CANARY.url, ALLOWED.url), attacks.service_queries(ALLOWED.url)))
def test_with_an_allow_list_the_engine_never_connects(text):
    limits = Limits(allowed_services=frozenset({ALLOWED.url}))
    try:
        checked = check_query(text, base_iri=BASE, limits=limits)
    except PolicyKGError:
        return
    event(f"{len(checked.services)} allowed call(s) answered and inlined")
    answers = [_answer_locally(call) for call in checked.services]
    assert {call.endpoint for call in checked.services} <= {ALLOWED.url}
    rewritten = inline_answers(checked.text, checked.services, answers)
    assert not _refused(check_query, rewritten), rewritten   # no SERVICE is left for the engine
    assert not _engine_connects(rewritten), rewritten
    assert ALLOWED.count() == 0
