"""Publishing to a real Virtuoso (started by the ``virtuoso_server`` fixture) and running every named query there.

The build with its inferred graph is published graph by graph; the counts of every graph are checked; every
named query (with its default parameters and with a few explicit ones) must give the same rows through
``RemoteStore`` as on the embedded store. Publishing twice, ``--replace``, the SPARQL Update path and the failure
report (a wrong password; a store that refuses after N graphs) are covered too.

How answers are compared (``same_answer``): rows as a multiset, except that for a query with ORDER BY the rows
must come in the same order of their sort keys (see ``sort_key_columns``); rows with equal keys may come in any
order, as SPARQL allows. Terms are compared as they are, except for these normalisations, each of something the
two stores write differently but that means the same:

1. Blank nodes: their labels are local to one answer, so any blank node equals any other.
2. Language tags are compared lower-cased: tags are case-insensitive (BCP 47, RDF 1.1); Virtuoso lower-cases them.
3. ``xsd:boolean`` literals are compared by value: ``"1"`` is ``true`` and ``"0"`` is ``false`` (the XSD lexical
   space has both forms; Virtuoso writes 1 and 0).
4. ``xsd:dateTime`` literals are compared by value: ``+00:00`` is ``Z`` (Virtuoso writes Z).
5. A ``GROUP_CONCAT`` column is compared as the multiset of its parts (split on its separator), without a
   language tag, and an empty one equals an unbound one: SPARQL 1.1 leaves the order of the values unspecified;
   pyoxigraph keeps a language tag all values share where Virtuoso returns a simple literal; over no values
   Virtuoso returns "" (as SPARQL 1.1 says) where pyoxigraph leaves the variable unbound.

Where Virtuoso 7.2 answered differently for another reason, the query was made portable instead (see the comments
in ``queries/status-on-date.rq``, ``queries/transposition-deadlines.rq``, ``queries/page-claims-vs-official.rq``,
``queries/files-and-instruments.rq``; ``<=`` on dates is written ``< … || = …``).
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.virtuoso import refusing_proxy, virtuoso_server  # noqa: F401 - the fixture

from policykg.cli import main
from policykg.graph.build import build_project
from policykg.namespaces import GRAPH, XSD
from policykg.queries.registry import QueryRegistry
from policykg.sparql.client import Credentials, SparqlClient
from policykg.sparql.results import AskResult, GraphResult, SelectResult
from policykg.sparql.text import mask
from policykg.store.local import MemoryStore
from policykg.store.publish import FAILED, NOT_ATTEMPTED, PUBLISHED, PublishFailed, publish, read_graphs
from policykg.store.remote import RemoteStore

pytestmark = [pytest.mark.virtuoso, pytest.mark.requires_java, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = QueryRegistry.from_dir(ROOT / "queries")
EXPLICIT = [  # (query, parameters) beside every query with its defaults
    ("status-on-date", {"date": "2023-06-01"}),
    ("status-on-date", {"date": "2026-11-29"}),
    ("act-in-force-on-date", {"act": "32024R1689", "date": "2024-01-01"}),
    ("act-in-force-on-date", {"act": "http://data.europa.eu/eli/reg/2024/1689/oj", "date": "2025-01-01"}),
    ("acts-adopted-in-year", {"year": "2013"}),
    ("acts-applying-in-period", {"from": "2024-01-01", "to": "2026-06-12"}),
    ("files-affecting-group", {"group": "undocumented-people"}),
    ("files-by-work-area", {"area": "access-to-justice"}),
    ("file-timeline", {"file": "eu-migration-pact"}),
    ("file-neighbourhood", {"file": "eu-migration-pact"}),
    ("publications-with-partner", {"partner": "picum"}),
    ("search-files", {"text": "Directive"}),
    ("transposition-deadlines", {"date": "2015-01-01"}),
]
CASES = [(name, {}) for name in REGISTRY] + EXPLICIT
XSD_BOOLEAN, XSD_DATETIME = str(XSD.boolean), str(XSD.dateTime)


# -- fixtures --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def build(project):
    return build_project(project, reason=True)


@pytest.fixture(scope="module")
def graphs(build):
    return read_graphs(build.nquads_path)


@pytest.fixture(scope="module")
def expected_counts(graphs):
    return {graph.value: len(triples) for graph, triples in graphs.items()}


def client_for(server, *, graph_store: bool = True, password: str | None = None,
               endpoint: str | None = None, store_url: str | None = None) -> SparqlClient:
    return SparqlClient(endpoint or server.auth_endpoint,
                        graph_store=(store_url or server.graph_store) if graph_store else None,
                        credentials=Credentials(user=server.user, password=password or server.password))


@pytest.fixture(scope="module")
def published(virtuoso_server, graphs, build):
    """The build, published once for the module (replacing whatever an earlier test left)."""
    return publish(graphs, client_for(virtuoso_server), replace=True, version=build.version)


@pytest.fixture(scope="module")
def embedded(build):
    store = MemoryStore(build.version)
    store.load_nquads(build.nquads_path)
    return store


@pytest.fixture(scope="module")
def remote(virtuoso_server, published):
    return RemoteStore(virtuoso_server.endpoint)


@pytest.fixture(scope="module")
def remote_union(virtuoso_server, published):
    return RemoteStore(virtuoso_server.endpoint, union="remote")


def remote_counts(server) -> dict[str, int]:
    return SparqlClient(server.endpoint).graph_counts(under=str(GRAPH))


# -- publishing ------------------------------------------------------------------------------------------------------

def test_publish_pushes_and_verifies_every_graph(published, expected_counts):
    assert published.ok, "\n".join(published.lines())
    assert published.method == "graph store" and published.fallback is None
    assert sorted(published.published) == sorted(expected_counts)
    assert {g.graph: g.remote for g in published.graphs} == expected_counts
    assert str(GRAPH["inferred"]) in expected_counts and expected_counts[str(GRAPH["inferred"])] > 0
    assert str(GRAPH["queries"]) in expected_counts


def test_each_graph_count_matches_the_build(remote, expected_counts):
    for graph, count in expected_counts.items():
        answer = remote.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert [int(row["n"].value) for row in answer] == [count], graph


def test_remote_store_shows_our_graphs_only(remote, expected_counts):
    assert [g.value for g in remote.graph_names()] == sorted(expected_counts)  # not Virtuoso's system graphs
    assert len(remote) == sum(expected_counts.values())
    assert remote.version == remote.version and remote.version.startswith("remote-")


def test_published_triples_are_the_built_ones(remote, graphs):
    for graph, triples in graphs.items():
        assert Counter(map(triple_key, remote.triples(graph))) == Counter(map(triple_key, triples)), graph.value


def test_publishing_again_changes_nothing(virtuoso_server, graphs, published, expected_counts):
    before = remote_counts(virtuoso_server)
    again = publish(graphs, client_for(virtuoso_server))
    assert again.ok and again.stale == [] and again.dropped == []
    assert remote_counts(virtuoso_server) == before == expected_counts


def test_replace_drops_graphs_the_build_no_longer_has(virtuoso_server, graphs, published, expected_counts):
    client = client_for(virtuoso_server)
    stale = ox.NamedNode(GRAPH["data/withdrawn-file"])
    client.replace_graph(stale, [ox.Triple(ox.NamedNode("https://example.org/a"), ox.NamedNode(GRAPH["p"]),
                                           ox.Literal("left over"))])
    kept = publish(graphs, client)
    assert kept.ok and kept.stale == [stale.value]
    assert remote_counts(virtuoso_server)[stale.value] == 1
    assert any(stale.value in line for line in kept.lines())
    replaced = publish(graphs, client, replace=True)
    assert replaced.ok and stale.value in replaced.dropped
    assert remote_counts(virtuoso_server) == expected_counts


def test_sparql_update_path_gives_the_same_store(virtuoso_server, graphs, expected_counts, remote):
    report = publish(graphs, client_for(virtuoso_server, graph_store=False), replace=True)
    assert report.ok and report.method == "SPARQL Update"
    assert remote_counts(virtuoso_server) == expected_counts
    blank = [g for g, triples in graphs.items() if any(isinstance(t.subject, ox.BlankNode) for t in triples)]
    assert blank, "the build has graphs with blank nodes (shapes, OWL restrictions)"
    for graph in blank:  # blank nodes linked across chunks stay one node: same structure
        assert canonical(remote.triples(graph)) == canonical(graphs[graph]), graph.value


def test_a_missing_graph_store_falls_back_to_sparql_update(virtuoso_server, graphs, expected_counts):
    client = client_for(virtuoso_server, store_url=f"{virtuoso_server.root}/no-graph-store-here")
    report = publish(graphs, client, replace=True)
    assert report.ok and report.method == "SPARQL Update" and len(report.dropped) == len(graphs)
    assert re.search(r"answered (404|405|501)\b", report.fallback)  # Virtuoso: 501 for a PUT to no service
    assert remote_counts(virtuoso_server) == expected_counts


def test_wrong_password_names_every_graph_not_published(virtuoso_server, graphs):
    with pytest.raises(PublishFailed) as failure:
        publish(graphs, client_for(virtuoso_server, password="not-the-password"))
    report = failure.value.report
    assert report.published == [] and sorted(report.not_published) == sorted(g.value for g in graphs)
    assert "401" in str(failure.value) and "not published" in str(failure.value)
    assert failure.value.exit_code == 3


def test_a_store_refusing_midway_reports_what_was_published(virtuoso_server, graphs, published, expected_counts):
    names = [g.value for g in graphs]
    with refusing_proxy(virtuoso_server.root, accept_puts=3) as proxy:
        client = client_for(virtuoso_server, endpoint=proxy.url("/sparql-auth"),
                            store_url=proxy.url("/sparql-graph-crud-auth"))
        with pytest.raises(PublishFailed) as failure:
            publish(graphs, client)
    report = failure.value.report
    assert report.published == names[:3]
    assert [g.status for g in report.graphs] == [PUBLISHED] * 3 + [FAILED] + [NOT_ATTEMPTED] * (len(names) - 4)
    assert "403" in report.graphs[3].error
    assert report.not_published == names[3:]
    text = "\n".join(report.lines())
    assert f"failed: <{names[3]}>" in text and f"not published ({len(names) - 3})" in text
    assert "publishing stopped after 3 of" in str(failure.value)
    assert remote_counts(virtuoso_server) == expected_counts  # PUT replaced what was there with the same graphs


def test_publish_command(virtuoso_server, build, expected_counts, monkeypatch, capsys):
    monkeypatch.setenv("POLICYKG_PUBLISH_PASSWORD", virtuoso_server.password)
    args = ["--root", str(ROOT), "publish", "--endpoint", virtuoso_server.auth_endpoint,
            "--graph-store", virtuoso_server.graph_store, "--user", virtuoso_server.user,
            "--nquads", str(build.nquads_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"{len(expected_counts)} of {len(expected_counts)} graphs published and verified" in out
    monkeypatch.setenv("POLICYKG_PUBLISH_PASSWORD", "wrong")
    assert main(args) == 3
    err = capsys.readouterr().err
    assert f"not published ({len(expected_counts)})" in err and "Error: publishing stopped" in err


def test_query_command_on_the_endpoint(virtuoso_server, published, capsysbinary):
    args = ["--root", str(ROOT), "query", "status-on-date", "--param", "date=2023-06-01", "-f", "csv"]
    assert main(args) == 0  # the embedded store: the same published dataset
    embedded_csv = capsysbinary.readouterr().out
    assert main(args + ["--endpoint", virtuoso_server.endpoint]) == 0
    assert capsysbinary.readouterr().out == embedded_csv and embedded_csv.count(b"\r\n") > 10


# -- the web app over the remote store -------------------------------------------------------------------------

def test_the_sparql_endpoint_answers_the_same_over_virtuoso(embedded, remote):
    """``create_app`` over ``RemoteStore`` (what ``policykg serve --store sparql+http://…`` runs): the protocol, the
    Graph Store reads and the dataset description answer as over the embedded store."""
    from policykg.web import create_app

    local, far = create_app(embedded).test_client(), create_app(remote).test_client()
    query = ("SELECT ?file ?label WHERE { ?file a pkg:PolicyFile ; skos:prefLabel ?label } ORDER BY ?file ?label")
    answers = [c.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
               for c in (local, far)]
    assert [a.status_code for a in answers] == [200, 200], answers[1].get_data(as_text=True)[:300]
    assert answers[0].get_json()["results"] == answers[1].get_json()["results"]
    assert answers[1].headers["ETag"] and answers[1].headers["X-PolicyKG-Dataset-Version"] == remote.version
    again = far.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json",
                                                                "If-None-Match": answers[1].headers["ETag"]})
    assert again.status_code == 304
    graph = "/store?graph=" + str(GRAPH["data/ai-act"])
    turtle = [c.get(graph, headers={"Accept": "application/n-triples"}) for c in (local, far)]
    assert [t.status_code for t in turtle] == [200, 200]
    parsed = [Counter(triple_key(q.triple) for q in ox.parse(t.get_data(), format=ox.RdfFormat.N_TRIPLES))
              for t in turtle]
    assert parsed[0] == parsed[1] and parsed[0]
    assert far.post("/sparql", data={"update": "DROP ALL"}).status_code in (401, 403)
    void = far.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert void.status_code == 200
    terms = {term for q in ox.parse(void.get_data(), format=ox.RdfFormat.TURTLE) for term in (q.subject, q.object)}
    assert ox.NamedNode(GRAPH["inferred"]) in terms  # the dataset's graphs, counted on Virtuoso


# -- the named queries on both stores ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, params", CASES, ids=[f"{n}{'-' + '-'.join(p.values()) if p else ''}"
                                                      for n, p in CASES])
def test_named_query_gives_the_same_rows(name, params, embedded, remote):
    query = REGISTRY[name]
    expected, actual = query.run(embedded, params), query.run(remote, params)
    assert_same_answer(query, expected, actual)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_named_query_on_the_remote_union_default_graph(name, embedded, remote_union):
    """Virtuoso's own default graph (the union of all its graphs, system graphs included) gives the same rows."""
    query = REGISTRY[name]
    assert_same_answer(query, query.run(embedded), query.run(remote_union))


def test_the_cases_cover_answers_with_rows(embedded):
    """The comparison is not vacuous: most cases give rows."""
    sizes = [len(result.rows) if isinstance(result, SelectResult) else 1
             for result in (REGISTRY[n].run(embedded, p) for n, p in CASES)]
    assert sum(1 for size in sizes if size > 0) >= len(CASES) - 2


# -- comparing answers -----------------------------------------------------------------------------------------

def term_key(term):
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return ("blank",)                                                          # 1
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.Triple):
        return ("triple", triple_key(term))
    if term.language:
        return ("lang", term.value, term.language.lower())                          # 2
    datatype = term.datatype.value
    if datatype == XSD_BOOLEAN:
        return ("boolean", {"1": "true", "0": "false"}.get(term.value, term.value))  # 3
    if datatype == XSD_DATETIME:
        try:
            return ("dateTime", datetime.datetime.fromisoformat(term.value.replace("Z", "+00:00")))  # 4
        except ValueError:
            pass
    return ("literal", term.value, datatype)


def triple_key(triple):
    return term_key(triple.subject), term_key(triple.predicate), term_key(triple.object)


def concat_key(term, separator: str):
    if term is None or not term.value:                                              # 5
        return ("concat", ())
    return ("concat", tuple(sorted(term.value.split(separator))))


def group_concat_columns(query) -> dict[str, str]:
    """``{variable: separator}`` of the query's ``(GROUP_CONCAT(…; separator="…") AS ?var)`` columns."""
    found = re.finditer(r'GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?;\s*separator\s*=\s*"((?:[^"\\]|\\.)*)"\s*\)'
                        r'\s*AS\s+[?$](\w+)', query.body, re.I)
    return {match.group(2): match.group(1) for match in found}


def sort_key_columns(query, variables: list[str]) -> list[int]:
    """The columns the rows are sorted by: the ORDER BY conditions up to the first that is not a projected
    variable (``?v``, ``ASC(?v)``, ``DESC(?v)``, ``STR(?v)``...). Rows are compared in runs of equal keys."""
    masked = mask(query.body)
    match = re.search(r"\bORDER\s+BY\b(.*?)(?:\bLIMIT\b|\bOFFSET\b|$)", masked, re.I | re.S)
    if not match:
        return []
    conditions, depth, current = [], 0, ""
    for char in query.body[match.start(1):match.end(1)] + " ":
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char.isspace() and depth == 0:
            if current:
                conditions.append(current)
            current = ""
        else:
            current += char
    columns = []
    for condition in conditions:
        found = re.fullmatch(r"(?:(?:ASC|DESC)\()?(?:STR\()?[?$](\w+)\)?\)?", condition.strip(), re.I)
        if not found or found.group(1) not in variables:
            break
        columns.append(variables.index(found.group(1)))
    return columns


def row_keys(query, result: SelectResult) -> list[tuple]:
    concat = group_concat_columns(query)
    return [tuple(concat_key(term, concat[var]) if var in concat else term_key(term)
                  for var, term in zip(result.variables, row)) for row in result.rows]


def runs(rows: list[tuple], columns: list[int]) -> list[tuple[tuple, Counter]]:
    out: list[tuple[tuple, list]] = []
    for row in rows:
        key = tuple(row[i] for i in columns)
        if out and out[-1][0] == key:
            out[-1][1].append(row)
        else:
            out.append((key, [row]))
    return [(key, Counter(group)) for key, group in out]


def assert_same_answer(query, expected, actual) -> None:
    assert type(expected) is type(actual), query.name
    if isinstance(expected, AskResult):
        assert expected.value == actual.value, query.name
    elif isinstance(expected, GraphResult):
        assert set(map(triple_key, actual.triples)) == set(map(triple_key, expected.triples)), query.name
    else:
        assert actual.variables == expected.variables, query.name
        assert not actual.truncated
        columns = sort_key_columns(query, expected.variables)
        want, got = runs(row_keys(query, expected), columns), runs(row_keys(query, actual), columns)
        if want != got:
            missing = sum((c for _, c in want), Counter()) - sum((c for _, c in got), Counter())
            extra = sum((c for _, c in got), Counter()) - sum((c for _, c in want), Counter())
            pytest.fail(f"{query.name}: {len(expected.rows)} rows embedded, {len(actual.rows)} on Virtuoso; "
                        f"only embedded: {list(missing)[:3]}; only Virtuoso: {list(extra)[:3]}; "
                        f"same rows, other order: {not missing and not extra}")


def canonical(triples) -> set:
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {(str(q.subject), str(q.predicate), repr(term_key(q.object)) if isinstance(q.object, ox.Literal)
             else str(q.object)) for q in dataset}
