"""``RemoteStore``, the SPARQL client under it, and publishing, against stores that need no Virtuoso: a real
``policykg serve`` (SPARQL 1.1 Protocol, Graph Store Protocol at /store, bearer-token updates) on 127.0.0.1, small
local servers, and canned answers. The Virtuoso integration tests are in ``test_publish_virtuoso.py``."""

from __future__ import annotations

import base64
import json
import time
from http.server import BaseHTTPRequestHandler

import pyoxigraph as ox
import pytest
from support import data
from support.http import local_server, reply
from support.server import running
from support.virtuoso import free_port

from policykg.errors import PolicyKGError, QueryRefused, SparqlSyntaxError, UpstreamError
from policykg.namespaces import GRAPH, ID, PREFIXES, RDFS
from policykg.queries.registry import load_query
from policykg.sparql.client import (
    SPARQL_JSON,
    SPARQL_XML,
    Credentials,
    Reply,
    SparqlClient,
    blank_node_label,
    parse_results,
    update_chunks,
)
from policykg.sparql.results import from_engine, serialize
from policykg.store.local import MemoryStore
from policykg.store.publish import FAILED, NOT_ATTEMPTED, PublishFailed, publish
from policykg.store.remote import RemoteStore, prologue

TOKEN = "remote-store-test-token"
UNION_QUERY = "SELECT ?s ?o WHERE { ?s rdfs:label ?o } ORDER BY ?s"


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    return data.write(tmp_path_factory.mktemp("remote") / "data.trig")


@pytest.fixture(scope="module")
def server(data_file):
    """``policykg serve`` with updates enabled (one worker, store on disk)."""
    with running("--data", data_file, "--update-token", TOKEN, env={"POLICYKG_UPDATE_TOKEN": ""}) as started:
        yield started


@pytest.fixture(scope="module")
def embedded():
    store = MemoryStore("test")
    store.engine.extend(data.quads())
    return store


@pytest.fixture
def remote(server):
    return RemoteStore(server.url, cache_seconds=0)


def writable(server, **options) -> RemoteStore:
    return RemoteStore(server.url, graph_store=server.store, credentials=Credentials(token=TOKEN), writable=True,
                       cache_seconds=0, **options)


def rows(answer) -> list[tuple[str, ...]]:
    return [tuple(str(row[v]) for v in answer.variables) for row in answer]


# -- construction ------------------------------------------------------------------------------------------------

def test_from_url_takes_the_endpoint_after_sparql_plus():
    store = RemoteStore.from_url("sparql+http://127.0.0.1:8890/sparql")
    assert store.endpoint == "http://127.0.0.1:8890/sparql" and store.union == "explicit"
    assert store.scope == str(GRAPH)
    secure = RemoteStore.from_url("sparql+https://example.org/sparql?x=1#union=remote&scope=all")
    assert secure.endpoint == "https://example.org/sparql?x=1" and secure.union == "remote" and secure.scope is None
    assert RemoteStore.from_url("sparql+http://h/sparql#scope=https://example.org/g/").scope == "https://example.org/g/"
    assert RemoteStore.from_url("sparql+http://h/sparql#union=remote&cache=300").cache_seconds == 300
    assert not RemoteStore.from_url("sparql+http://h/sparql").local
    assert RemoteStore.from_url("sparql+http://h/sparql").supports_substitutions is False


@pytest.mark.parametrize("url", ["http://h/sparql", "sparql+ftp://h/x", "sparql+http://", "sparql+http://h/s#what=1",
                                 "sparql+http://h/s#union=sometimes", "sparql+http://h/s#cache=soon"])
def test_from_url_refuses_what_it_cannot_use(url):
    with pytest.raises(PolicyKGError):
        RemoteStore.from_url(url)


def test_prologue_writes_checked_iris():
    text = prologue("http://example.org/base/", {"pkg": PREFIXES["pkg"], "eli-dl": PREFIXES["eli-dl"], "": "urn:x:"})
    assert text == ("BASE <http://example.org/base/>\nPREFIX pkg: <https://w3id.org/policykg/ontology#>\n"
                    "PREFIX eli-dl: <http://data.europa.eu/eli/eli-draft-legislation-ontology#>\nPREFIX : <urn:x:>\n")
    with pytest.raises(PolicyKGError):
        prologue(None, {"bad name": "urn:x:"})
    with pytest.raises(PolicyKGError):
        prologue(None, {"x": "http://example.org/> } DROP ALL #"})


def test_credentials_are_one_kind_and_never_shown():
    assert "secret" not in repr(Credentials(user="dba", password="secret"))
    assert "t0k3n-value" not in repr(Credentials(token="t0k3n-value"))
    for bad in ({"user": "dba"}, {"password": "p"}, {"user": "u", "password": "p", "token": "t"}):
        with pytest.raises(PolicyKGError):
            Credentials(**bad)


# -- answers -----------------------------------------------------------------------------------------------------

def test_select_gives_pyoxigraph_solutions_like_the_embedded_store(remote, embedded):
    answer = remote.query(UNION_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions)
    expected = embedded.query(UNION_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True)
    want = rows(expected)
    assert rows(answer) == want and len(want) == data.CHAIN


def test_a_tricky_literal_survives(remote):
    answer = remote.query("SELECT ?c WHERE { ?f rdfs:comment ?c }", prefixes=PREFIXES, use_default_graph_as_union=True)
    [literal] = [row["c"] for row in answer]
    assert literal == ox.Literal(data.TRICKY, language="en")


@pytest.mark.parametrize("text", ["  padded  ", "\nline\n", "\t", " ", "x\r\ny\r", ""])
def test_white_space_at_the_ends_of_a_literal_survives(remote, text):
    """The client reads XML first, and pyoxigraph's XML reader trims the ends of a literal's raw text."""
    value = ox.Literal(text)  # written by the engine, in N-Triples syntax
    answer = remote.query(f"SELECT ?c WHERE {{ VALUES ?text {{ {value} }} BIND(STRLANG(?text, 'en') AS ?c) }}")
    assert [row["c"] for row in answer] == [ox.Literal(text, language="en")]


def test_ask_construct_and_graph_patterns(remote, embedded):
    options = {"prefixes": PREFIXES, "use_default_graph_as_union": True}
    assert isinstance(remote.query("ASK { ?s a pkg:PolicyFile }", **options), ox.QueryBoolean)
    assert bool(remote.query("ASK { ?s a pkg:PolicyFile }", **options))
    construct = "CONSTRUCT { ?f ?p ?o } WHERE { ?f a pkg:PolicyFile ; ?p ?o }"
    assert set(remote.query(construct, **options)) == set(embedded.query(construct, **options))
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    assert rows(remote.query(per_graph, **options)) == rows(embedded.query(per_graph, **options))


def test_answers_go_through_the_project_serializers(remote):
    answer = remote.query(UNION_QUERY + " LIMIT 3", prefixes=PREFIXES, use_default_graph_as_union=True)
    result = from_engine(answer)
    document = json.loads(serialize(result, "json"))
    assert len(document["results"]["bindings"]) == 3
    again = remote.query(UNION_QUERY + " LIMIT 3", prefixes=PREFIXES, use_default_graph_as_union=True)
    assert json.loads(again.serialize(format=ox.QueryResultsFormat.JSON))["head"]["vars"] == ["s", "o"]


def test_the_protocol_dataset_is_passed_on(remote):
    chain = ox.NamedNode(GRAPH["data/chain"])
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only_chain = remote.query(query, default_graph=[chain], named_graphs=[])
    assert [int(row["n"].value) for row in only_chain] == [2 * data.CHAIN]
    with pytest.raises(PolicyKGError):
        remote.query(query, default_graph=[ox.DefaultGraph()])


def test_named_query_parameters_go_as_values(tmp_path, remote, embedded):
    path = tmp_path / "labelled.rq"
    path.write_text("# title: labels\n# param: node iri default=https://w3id.org/policykg/id/node/7  the node\n"
                    "# returns: ?node ?label\n"
                    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                    "SELECT ?node ?label WHERE { ?node rdfs:label ?label }\n")
    query = load_query(path)
    assert query.run(remote).rows == query.run(embedded).rows == [(ox.NamedNode(ID["node/7"]),
                                                                    ox.Literal("a" * 30 + "7"))]
    other = {"node": str(ID["node/8"])}
    assert query.run(remote, other).rows == query.run(embedded, other).rows
    with pytest.raises(PolicyKGError):
        remote.query("SELECT ?x WHERE { ?x ?p ?o }", substitutions={ox.Variable("x"): ox.NamedNode(ID["a"])})


def test_errors_are_typed(remote):
    with pytest.raises(SparqlSyntaxError):
        remote.query("SELECT * WHERE {")
    with pytest.raises(SparqlSyntaxError):
        remote.query("SELEKT ?x")  # refused before it leaves
    unreachable = RemoteStore(f"http://127.0.0.1:{free_port()}/sparql")
    with pytest.raises(UpstreamError) as error:
        unreachable.query("ASK {}")
    assert error.value.http_status == 502 and error.value.exit_code == 3 and "cannot reach" in str(error.value)
    with local_server(_Slow, "/sparql") as url:
        with pytest.raises(UpstreamError, match="did not answer within"):
            RemoteStore(url, timeout=0.5).query("ASK {}")


# -- graphs, version, writes -------------------------------------------------------------------------------------

def test_graphs_in_scope(remote, embedded):
    names = [g.value for g in embedded.graph_names()]
    assert [g.value for g in remote.graph_names()] == names
    assert len(remote) == len(embedded)
    chain = ox.NamedNode(GRAPH["data/chain"])
    assert remote.contains_graph(chain) and remote.contains_graph(ox.DefaultGraph())
    assert not remote.contains_graph(ox.NamedNode("https://example.org/not-a-graph"))
    assert set(remote.triples(chain)) == set(embedded.triples(chain))
    assert list(remote.triples(ox.DefaultGraph())) == []
    assert set(remote.quads()) == set(embedded.quads())
    narrow = RemoteStore(remote.endpoint, scope=str(GRAPH["data/chain"]))
    assert narrow.graph_names() == [chain]
    assert [int(r["n"].value) for r in narrow.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                                                    use_default_graph_as_union=True)] == [2 * data.CHAIN]
    empty = RemoteStore(remote.endpoint, scope="https://example.org/nothing/")
    assert empty.graph_names() == [] and not bool(empty.query("ASK { ?s ?p ?o }", use_default_graph_as_union=True))


def test_read_only_unless_writable(remote):
    with pytest.raises(QueryRefused):
        remote.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(QueryRefused):
        remote.drop_graph(ox.NamedNode(GRAPH["data/chain"]))


def test_version_is_stable_until_the_data_changes(server):
    store = writable(server)
    first = store.version
    assert store.version == first and RemoteStore(server.url).version == first
    graph = ox.NamedNode(GRAPH["test/version"])
    triple = ox.Triple(ox.NamedNode(ID["v"]), ox.NamedNode(RDFS.label), ox.Literal("v"))
    assert store.replace_graph(graph, [triple]) is True
    second = store.version
    assert second != first and store.contains_graph(graph)
    assert store.add_to_graph(graph, [ox.Triple(ox.NamedNode(ID["w"]), ox.NamedNode(RDFS.label), ox.Literal("w"))]) \
        is False
    assert len(list(store.triples(graph))) == 2
    store.update(f"DELETE DATA {{ GRAPH <{graph.value}> {{ <{ID['w']}> rdfs:label \"w\" }} }}", prefixes=PREFIXES)
    assert store.version == second
    assert store.drop_graph(graph) is True and store.version == first
    assert store.drop_graph(graph) is False  # the graph store's 404: no such graph, still a graph store
    assert store.client.graph_store_refused is None


def test_cached_counts_are_asked_again_after_a_while(server):
    store = RemoteStore(server.url, cache_seconds=3600)
    first = store.counts()
    assert store.counts() is first
    store.cache_seconds = 0
    assert store.counts() is not first and store.counts() == first


# -- the client ------------------------------------------------------------------------------------------------------

def test_virtuoso_blank_node_labels_become_valid():
    assert blank_node_label("b12") == "b12"
    assert blank_node_label("nodeID://b10002") == "b10002"
    assert blank_node_label("a b") == "x" + b"a b".hex()
    body = json.dumps({"head": {"vars": ["s", "o"]}, "results": {"bindings": [
        {"s": {"type": "bnode", "value": "nodeID://b10002"},
         "o": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "1"}},
        {"s": {"type": "bnode", "value": "nodeID://b10002"}, "o": {"type": "bnode", "value": "nodeID://b7"}}]}})
    answer = list(parse_results(Reply(SPARQL_JSON, body.encode())))
    assert answer[0]["s"] == answer[1]["s"] == ox.BlankNode("b10002") and answer[1]["o"] == ox.BlankNode("b7")
    assert answer[0]["o"] == ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    with pytest.raises(UpstreamError):
        parse_results(Reply(SPARQL_JSON, b"<html>oops</html>"))


def test_virtuoso_blank_node_labels_in_xml_results_become_valid():
    """The client asks for XML results first: Virtuoso's ``nodeID://`` labels there are read as in JSON."""
    body = (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
            b'<variable name="s"/><variable name="o"/></head><results>'
            b'<result><binding name="s"><bnode>nodeID://b10002</bnode></binding>'
            b'<binding name="o"><literal xml:lang="en">&lt;bnode&gt;x&lt;/bnode&gt;</literal></binding></result>'
            b'<result><binding name="s"><bnode>nodeID://b10002</bnode></binding>'
            b'<binding name="o"><bnode>a&amp;b</bnode></binding></result></results></sparql>')
    with pytest.raises(SyntaxError):  # what pyoxigraph makes of Virtuoso's labels as they are
        list(ox.parse_query_results(body, format=ox.QueryResultsFormat.XML))
    answer = list(parse_results(Reply(SPARQL_XML, body)))
    assert answer[0]["s"] == answer[1]["s"] == ox.BlankNode("b10002")
    assert answer[1]["o"] == ox.BlankNode(blank_node_label("a&b"))
    assert answer[0]["o"] == ox.Literal("<bnode>x</bnode>", language="en")  # a literal's text is left alone


def test_white_space_a_server_writes_raw_in_xml_results_is_kept():
    body = (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
            b'<variable name="o"/></head><results>\n'
            b'<result><binding name="o"><literal xml:lang="en"> two ends\n</literal></binding></result>\n'
            b'<result><binding name="o"><literal>\t</literal></binding></result>\n'
            b'<result><binding name="o"><literal datatype="http://example.org/t">1 </literal></binding></result>\n'
            b'<result><binding name="o"><literal datatype="http://example.org/t"/></binding></result>\n'
            b'<result><binding name="o"><literal>in  the middle</literal></binding></result>\n'
            b'</results></sparql>')
    trimmed = [row["o"].value for row in ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)]
    assert trimmed[:3] == ["two ends", "", "1"]  # what pyoxigraph makes of them as they are
    assert [row["o"] for row in parse_results(Reply(SPARQL_XML, body))] == [
        ox.Literal(" two ends\n", language="en"), ox.Literal("\t"),
        ox.Literal("1 ", datatype=ox.NamedNode("http://example.org/t")),
        ox.Literal("", datatype=ox.NamedNode("http://example.org/t")), ox.Literal("in  the middle")]


def test_update_chunks_are_bounded_and_keep_blank_nodes_whole():
    graph = ox.NamedNode(GRAPH["test/chunks"])
    p = ox.NamedNode(ID["p"])
    plain = [ox.Triple(ox.NamedNode(ID[f"s{i}"]), p, ox.Literal(f'value "{i}"\n\\', language="en"))
             for i in range(25)]
    nodes = [ox.BlankNode(f"n{i}") for i in range(12)]
    chain = [ox.Triple(nodes[i], p, nodes[i + 1]) for i in range(11)]
    chain.append(ox.Triple(ox.NamedNode(ID["head"]), p, nodes[0]))
    other = [ox.Triple(ox.BlankNode("lonely"), p, ox.Literal("1", datatype=ox.NamedNode(str(RDFS.Literal))))]
    triples = plain[:10] + chain[:6] + plain[10:] + chain[6:] + other
    chunks = list(update_chunks(graph, triples, max_triples=5))
    assert all(c.startswith("INSERT DATA {") or c.startswith("INSERT { GRAPH") for c in chunks)
    assert sum(1 for c in chunks if "_:n0" in c) == 1  # the chain is in one chunk (12 triples, over the limit)
    assert all(c.count(" .\n") + c.count(" .") <= 24 for c in chunks)
    assert max(c.count("\n") - 1 for c in chunks if "_:" not in c) <= 5
    store = ox.Store()
    for chunk in chunks:
        store.update(chunk)
    loaded = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
    assert canonical(loaded) == canonical(triples)
    assert len(list(update_chunks(graph, triples, max_triples=1000, max_chars=300))) > 3


def canonical(triples) -> set[str]:
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in dataset}


class _BasicOnly(BaseHTTPRequestHandler):
    """Asks for basic authentication; answers an ASK once given the right user and password."""

    expected = "Basic " + base64.b64encode(b"reader:s3cret").decode()

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Authorization") != self.expected:
            reply(self, 401, WWW_Authenticate='Basic realm="test"')
            return
        reply(self, 200, b'{"head": {}, "boolean": true}', Content_Type=SPARQL_JSON)


class _Slow(BaseHTTPRequestHandler):
    """Answers after 2 s (the client has given up by then)."""

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        time.sleep(2)
        try:
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except OSError:
            pass


class _Partial(BaseHTTPRequestHandler):
    """Answers like Virtuoso when a query ran out of its time: what was found so far, flagged in the headers."""

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'
        self.send_response(200)
        self.send_header("Content-Type", SPARQL_JSON)
        self.send_header("X-SQL-State", "S1TAT")
        self.send_header("X-SQL-Message", "RC...: Returning incomplete results, query interrupted by result timeout")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)




def test_a_partial_answer_is_refused():
    with local_server(_Partial, "/sparql") as url:
        with pytest.raises(UpstreamError, match="partial answer.*incomplete results"):
            RemoteStore(url, union="remote").query("SELECT ?x WHERE { ?x ?p ?o }")


def test_user_and_password_answer_a_basic_challenge():
    with local_server(_BasicOnly, "/sparql") as url:
        assert bool(SparqlClient(url, credentials=Credentials(user="reader", password="s3cret")).select("ASK {}"))
        with pytest.raises(UpstreamError, match="401"):
            SparqlClient(url, credentials=Credentials(user="reader", password="wrong")).select("ASK {}")
        with pytest.raises(UpstreamError, match="401"):
            SparqlClient(url).select("ASK {}")


# -- publishing to another SPARQL 1.1 store: policykg serve ----------------------------------------------------

def graphs_of(quads) -> dict[ox.NamedNode, list[ox.Triple]]:
    out: dict[ox.NamedNode, list[ox.Triple]] = {}
    for quad in quads:
        out.setdefault(quad.graph_name, []).append(quad.triple)
    return out


def published_graphs() -> dict[ox.NamedNode, list[ox.Triple]]:
    """The test data under new graph names (so that the server's own graphs stay as they are)."""
    renamed = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(q.graph_name.value.replace("/data/", "/pub/")))
               for q in data.quads()]
    return graphs_of(renamed)


@pytest.mark.parametrize("graph_store", [True, False], ids=["graph-store", "sparql-update"])
def test_publish_to_policykg_serve_with_a_token(server, graph_store):
    graphs = published_graphs()
    client = SparqlClient(server.url, graph_store=server.store if graph_store else None,
                          credentials=Credentials(token=TOKEN))
    report = publish(graphs, client)
    assert report.ok, "\n".join(report.lines())
    assert report.method == ("graph store" if graph_store else "SPARQL Update")
    counts = SparqlClient(server.url).graph_counts(list(graphs))
    assert counts == {g.value: len(t) for g, t in graphs.items()}
    again = publish(graphs, client)
    assert again.ok and SparqlClient(server.url).graph_counts(list(graphs)) == counts


def test_publish_with_a_wrong_token_reports_every_graph(server):
    graphs = published_graphs()
    client = SparqlClient(server.url, graph_store=server.store, credentials=Credentials(token="wrong"))
    with pytest.raises(PublishFailed) as failure:
        publish(graphs, client)
    report = failure.value.report
    assert report.published == [] and report.graphs[0].status == FAILED
    assert {g.status for g in report.graphs[1:]} == {NOT_ATTEMPTED}
    assert "401" in report.graphs[0].error and "not published" in str(failure.value)
    assert any(line.startswith("not published (") for line in report.lines())


def test_publish_refuses_triples_outside_named_graphs(tmp_path):
    from policykg.errors import DataLoadError
    from policykg.store.publish import read_graphs

    path = tmp_path / "default.nq"
    path.write_text(f"<{ID['a']}> <{ID['b']}> <{ID['c']}> .\n")
    with pytest.raises(DataLoadError, match="outside a named graph"):
        read_graphs(path)
