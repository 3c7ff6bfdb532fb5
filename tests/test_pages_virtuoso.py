"""The web pages' own queries (``web/site/sparql_queries``) on a real Virtuoso (the ``virtuoso_server`` fixture)
give the rows the embedded store gives: what ``policykg serve --store sparql+http://…`` shows over a published
graph is what ``policykg serve`` shows.

tests/test_publish_virtuoso.py compares the named queries. The page queries checked here are the ones with a
UNION: a Virtuoso 7.2 plan has been seen to give a value bound inside a UNION branch the value of another row.
The identifier lookups behind ``/celex/…``, ``/eli/…``, ``/com/…`` and ``/procedure/…`` run on both stores too.
"""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest
from support.virtuoso import published_union, virtuoso_server  # noqa: F401 - the fixture

from policykg.namespaces import PKG
from policykg.web.site import rq
from policykg.web.site.lookup import resolve
from policykg.web.site.recognise import recognise

pytestmark = [pytest.mark.virtuoso, pytest.mark.requires_java, pytest.mark.slow]

WHOLE = ["timeline", "lifecycle_facets", "network", "terms"]  # page queries with a UNION and no parameter
IDENTIFIERS = ["32024R1689", "52021PC0206", "http://data.europa.eu/eli/reg/2024/1689/oj", "COM(2021) 206",
               "2021/0106(COD)", "32024R1348", "31999X9999"]


@pytest.fixture(scope="module")
def remote(virtuoso_server, build):  # noqa: F811 - the fixture imported above
    return published_union(virtuoso_server, build)


def key(term) -> tuple:
    if isinstance(term, ox.BlankNode):
        return ("blank",)  # each store names its blank nodes
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if term.language:
        return ("lang", term.value, term.language.lower())
    return ("literal", term.value, term.datatype.value)


def rows(store, name: str, **bindings) -> Counter:
    return Counter(tuple(sorted((variable, key(term)) for variable, term in row.items()))
                   for row in rq.rows(store, name, **bindings))


@pytest.mark.parametrize("name", WHOLE)
def test_a_page_query_gives_the_same_rows_on_virtuoso(name, store, remote):
    expected = rows(store, name)
    assert expected, f"{name}.rq finds nothing in the build: the comparison would be empty"
    assert rows(remote, name) == expected


def test_the_timeline_of_each_file_is_the_same_on_virtuoso(store, remote):
    files = sorted({row["file"].value for row in rq.rows(store, "timeline")})
    assert len(files) >= 19
    for file in files:
        expected = rows(store, "timeline", file=ox.NamedNode(file))
        assert expected, f"{file}: its timeline is empty when asked for alone"
        assert rows(remote, "timeline", file=ox.NamedNode(file)) == expected


def test_the_procedures_of_each_resource_are_the_same_on_virtuoso(store, remote):
    follows = ox.NamedNode(PKG.followsProcedure)
    followers = sorted({quad.subject.value for quad in store.engine.quads_for_pattern(None, follows, None, None)})
    assert followers
    for resource in followers:
        expected = rows(store, "procedures", resource=ox.NamedNode(resource))
        assert expected and rows(remote, "procedures", resource=ox.NamedNode(resource)) == expected


@pytest.mark.parametrize("text", IDENTIFIERS)
def test_an_identifier_leads_to_the_same_resource_on_virtuoso(text, store, remote):
    identifier = recognise(text)
    assert identifier is not None, text
    assert resolve(remote, identifier) == resolve(store, identifier)


def test_the_identifiers_reach_resources(store):
    """The comparison is not vacuous: all but the unknown act lead somewhere."""
    assert [text for text in IDENTIFIERS if resolve(store, recognise(text)) is None] == ["31999X9999"]
