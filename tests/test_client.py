"""The one SPARQL client (``policykg.sparql.client``): capped answers of a real ``policykg serve``, the Graph Store
Protocol's retries, updates that are not repeated, redirects, credentials kept out of sight, and that it is the only
code of the package that talks HTTP to a SPARQL service."""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import subprocess
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pyoxigraph as ox
import pytest
from support import data
from support.http import local_server, reply
from support.server import running

from policykg.errors import PolicyKGError, UpstreamError
from policykg.namespaces import GRAPH, ID, RDFS
from policykg.sparql.client import (
    RESULTS_ACCEPT,
    SPARQL_JSON,
    SPARQL_XML,
    Credentials,
    Reply,
    RetryPolicy,
    SparqlClient,
    parse_results,
    standard_json,
)
from policykg.store.remote import RemoteStore

ROOT = Path(__file__).resolve().parents[1]
AI_ACT_FILE = ROOT / "data" / "ai-act.ttl"
TOKEN = "client-test-token"


@pytest.fixture(scope="module")
def capped():
    """``policykg serve`` on the AI Act's file, cutting every answer at 2 rows."""
    with running("--data", AI_ACT_FILE, "--max-rows", "2") as server:
        yield server


# -- capped answers ------------------------------------------------------------------------------------------------

def test_the_query_command_reads_a_capped_answer_of_policykg_serve(capped):
    """``files-and-instruments`` has more rows than the cap: the answer (SPARQL XML, the client's first choice)
    holds the first 2 rows and its headers say it was cut."""
    done = subprocess.run([sys.executable, "-m", "policykg", "--root", str(ROOT), "query", "files-and-instruments",
                           "--endpoint", capped.url, "--format", "csv"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Unexpected JSON" not in done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("file,fileLabel,role,instrument") and len(lines) == 3  # the header and 2 rows
    assert "ai-act" in lines[1]
    assert "cut the answer at one of its limits (rows; limit=2 rows; kept=2" in done.stderr


def test_a_capped_answer_says_so(capped, caplog):
    text = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    raw = capped.query(text)
    assert raw.content.rstrip().endswith(b', "truncated": true}')  # what the server sends
    reply = SparqlClient(capped.url).query(text, accept=SPARQL_JSON)
    assert reply.truncated.startswith("rows; limit=2 rows; kept=2")
    assert len(list(parse_results(reply))) == 2
    xml = SparqlClient(capped.url).query(text, accept=RESULTS_ACCEPT)  # what RemoteStore asks for
    assert xml.media_type == SPARQL_XML and xml.truncated.startswith("rows; limit=2 rows; kept=2")
    assert len(list(parse_results(xml))) == 2
    store = RemoteStore(capped.url)
    with caplog.at_level(logging.WARNING, logger="policykg.store.remote"):
        answer = store.query(text, use_default_graph_as_union=True)
    assert len(list(answer)) == 2 and store.truncated.startswith("rows; limit=2")
    assert "not whole" in caplog.text
    assert bool(store.query("ASK { ?s ?p ?o }", use_default_graph_as_union=True))
    assert store.truncated is None  # the last answer was whole
    with pytest.raises(UpstreamError, match="cut at one of its limits"):
        SparqlClient(capped.url).select(text, whole=True)


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    return data.write(tmp_path_factory.mktemp("client") / "data.trig")


def test_lists_the_store_needs_are_read_page_by_page(data_file, caplog):
    """Six graphs, two rows per answer: the graph names and counts come in pages, whole."""
    expected = {}
    for quad in data.quads():
        expected[quad.graph_name.value] = expected.get(quad.graph_name.value, 0) + 1
    with running("--data", data_file, "--max-rows", "2") as server:
        client = SparqlClient(server.url)
        assert client.graph_counts() == expected and len(expected) == 6
        assert [g.value for g in client.graph_names()] == sorted(expected)
        requests = client.requests
        client.graph_names(under=str(GRAPH["data/chain"]))
        assert client.requests == requests + 1  # one graph: one answer, not cut
        subjects = client.every_row("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s")
        assert len(subjects) == len({row["s"] for row in subjects}) > data.CHAIN
        store = RemoteStore(server.url, cache_seconds=0)
        assert len(store) == len(data.quads()) and len(store.graph_names()) == 6
        with caplog.at_level(logging.WARNING, logger="policykg.store.remote"):
            label = store.query("SELECT ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l LIMIT 1",
                                prefixes={"rdfs": str(RDFS)}, use_default_graph_as_union=True)
        assert [row["l"].value for row in label] == ["a" * 30 + "0"] and store.truncated is None
        assert not caplog.text


def test_too_many_graphs_to_name_use_the_remote_union(data_file, caplog):
    """706 graphs in scope. ``policykg serve``'s service description says its default graph is the union of its
    named graphs, all in scope: queries go as they are, with no count of the graphs and no warning. Once a graph
    outside the scope is there, the graphs are named instead, and FROM / FROM NAMED for each would pass the 64 Ki
    characters ``policykg serve`` takes (413): the query runs on the remote's own default graph instead, and says
    so once."""
    with running("--data", data_file, "--update-token", TOKEN, env={"POLICYKG_UPDATE_TOKEN": ""}) as server:
        writer = SparqlClient(server.url, credentials=Credentials(token=TOKEN))
        for start in range(0, 700, 250):
            writer.update("INSERT DATA { " + " ".join(
                f"GRAPH <{GRAPH[f'test/many/{i}']}> {{ <{ID[f'many/{i}']}> <{RDFS.label}> \"{i}\" }}"
                for i in range(start, min(start + 250, 700))) + " }")
        count = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        graphs = 700 + 6
        described = RemoteStore(server.url)
        with caplog.at_level(logging.WARNING, logger="policykg.store.remote"):
            for _ in range(2):
                answer = described.query(count, use_default_graph_as_union=True)
                assert [int(row["n"].value) for row in answer] == [graphs]
        assert described.union_is_scope() and not caplog.text
        assert described.client.requests == 3  # the description, then the two queries: no count of the graphs
        rechecked = RemoteStore(server.url, cache_seconds=0)  # asks for the description again each time
        assert rechecked.union_is_scope()
        writer.update(f"INSERT DATA {{ GRAPH <http://example.org/elsewhere> {{ <{ID['elsewhere']}> "
                      f"<{RDFS.label}> \"x\" }} }}")
        naming = RemoteStore(server.url, max_query_chars=10 ** 6)
        with pytest.raises(UpstreamError, match="413"):
            naming.query(count, use_default_graph_as_union=True)
        assert not naming.union_is_scope() and not rechecked.union_is_scope()  # the same store sees it too
        store = RemoteStore(server.url)
        with caplog.at_level(logging.WARNING, logger="policykg.store.remote"):
            for _ in range(2):
                answer = store.query(count, use_default_graph_as_union=True)
                assert [int(row["n"].value) for row in answer] == [graphs + 1]  # the other graph too
        assert caplog.text.count("run on the remote's own default graph instead") == 1
        few = RemoteStore(server.url, scope=str(GRAPH["test/many/1"]))  # test/many/1, /10../19, /100../199
        answer = few.query(count, use_default_graph_as_union=True)
        assert [int(row["n"].value) for row in answer] == [111]


def test_standard_json_drops_what_follows_the_bindings():
    body = (b'{"head": {"vars": ["x"], "link": ["http://h/sparql#limits"]}, "results": {"bindings": [\n'
            b'{"x": {"type": "bnode", "value": "nodeID://b1"}}\n]}, "truncated": true}\n')
    standard, cut = standard_json(body)
    assert cut and json.loads(standard)["results"]["bindings"] == [{"x": {"type": "bnode", "value": "b1"}}]
    plain = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", "value": "urn:a"}}]}}\n'
    assert standard_json(plain) == (plain, False)  # a standard answer is left as it is
    [row] = parse_results(Reply(SPARQL_JSON, body))
    assert row["x"] == ox.BlankNode("b1")


def test_a_malformed_answer_fails_now_not_later():
    body = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", "value": "urn:a"}}, {"x": 1}]}}'
    with pytest.raises(UpstreamError, match="not valid SPARQL results"):
        parse_results(Reply(SPARQL_JSON, body))


# -- retries, updates, redirects -------------------------------------------------------------------------------------

class _Flaky(BaseHTTPRequestHandler):
    """A graph store and an endpoint that answer 503 to the first ``failures`` requests of each method."""

    failures = 2
    seen: dict[str, int] = {}
    bodies: list[bytes] = []
    authorizations: list[str | None] = []

    def log_message(self, *args) -> None:
        pass

    def _answer(self, method: str, status_ok: int, body: bytes = b"") -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.bodies.append(self.rfile.read(length) if length else b"")
        self.authorizations.append(self.headers.get("Authorization"))
        self.seen[method] = self.seen.get(method, 0) + 1
        status = 503 if self.seen[method] <= self.failures else status_ok
        self.send_response(status)
        self.send_header("Content-Type", SPARQL_JSON if body else "text/plain")
        answer = body if status == status_ok else b"busy"
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def do_PUT(self) -> None:  # noqa: N802
        self._answer("PUT", 201)

    def do_POST(self) -> None:  # noqa: N802
        self._answer("POST", 200, b'{"head": {}, "boolean": true}')


class _Redirect(BaseHTTPRequestHandler):
    """Sends every request elsewhere."""

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(302)
        self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()




@pytest.fixture
def flaky():
    _Flaky.seen, _Flaky.bodies, _Flaky.authorizations = {}, [], []
    with local_server(_Flaky) as url:
        yield url


def test_an_answer_past_max_bytes_is_refused_compressed_or_not():
    """Past ``max_bytes`` of the answer (decompressed: a small gzip body that inflates counts as what it
    inflates to) the client stops reading and says so; the next answer on the same client is read whole."""
    import gzip

    rows = ",".join(['{"x": {"type": "literal", "value": "%s"}}' % ("y" * 100)] * 200)
    large = ('{"head": {"vars": ["x"]}, "results": {"bindings": [' + rows + "]}}").encode()
    small = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'

    class Answers(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            text = self.rfile.read(int(self.headers["Content-Length"])).decode()
            if "LIMIT+0" in text:
                reply(self, 200, small, Content_Type=SPARQL_JSON)
            elif "compressed" in text:
                reply(self, 200, gzip.compress(large), Content_Type=SPARQL_JSON, Content_Encoding="gzip")
            else:
                reply(self, 200, large, Content_Type=SPARQL_JSON)

    with local_server(Answers, "/sparql") as url:
        client = SparqlClient(url, max_bytes=10_000)
        assert len(gzip.compress(large)) < 10_000 < len(large)
        for query in ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE { ?x ?p ?o } # compressed"):
            with pytest.raises(UpstreamError, match=f"answer of {url} is larger than 10000 bytes"):
                client.query(query, accept=SPARQL_JSON)
        assert client.query("SELECT ?x WHERE { ?x ?p ?o } LIMIT 0", accept=SPARQL_JSON).body == small
        assert len(SparqlClient(url).query("SELECT ?x WHERE { ?x ?p ?o }", accept=SPARQL_JSON).body) == len(large)


def test_graph_store_writes_are_retried_with_urllib3(flaky):
    client = SparqlClient(f"{flaky}/sparql", graph_store=f"{flaky}/store",
                          retry=RetryPolicy(retries=2, backoff=0.01))
    triple = ox.Triple(ox.NamedNode(ID["a"]), ox.NamedNode(RDFS.label), ox.Literal("a"))
    client.replace_graph(ox.NamedNode(GRAPH["test/retry"]), [triple])
    assert _Flaky.seen == {"PUT": 3} and client.retries_made == 2 and client.requests == 3
    assert _Flaky.bodies[-1] == _Flaky.bodies[0] and b"<https://w3id.org/policykg/id/a>" in _Flaky.bodies[0]
    with pytest.raises(UpstreamError, match=r"503 Service Unavailable: busy \(gave up after 2 attempts\)"):
        _Flaky.seen = {}
        SparqlClient(f"{flaky}/sparql", graph_store=f"{flaky}/store",
                     retry=RetryPolicy(retries=1, backoff=0)).replace_graph(ox.NamedNode(GRAPH["test/r"]), [triple])


def test_queries_are_retried_and_updates_are_not(flaky):
    client = SparqlClient(f"{flaky}/sparql", retry=RetryPolicy(retries=2, backoff=0.01))
    assert bool(client.select("ASK { ?s ?p ?o }")) and _Flaky.seen == {"POST": 3}
    _Flaky.seen = {}
    with pytest.raises(UpstreamError, match="503"):
        client.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert _Flaky.seen == {"POST": 1}  # an update that reached the service is not sent again
    assert _Flaky.bodies[-1].startswith(b"update=INSERT+DATA")


def test_a_redirect_is_not_followed_and_credentials_stay_home():
    with local_server(_Redirect) as url:
        client = SparqlClient(f"{url}/sparql", credentials=Credentials(token="s3cret-token"))
        with pytest.raises(UpstreamError, match="redirected to 'http://127.0.0.1:9/elsewhere'") as error:
            client.select("ASK {}")
    assert "s3cret" not in str(error.value)


def test_no_secret_in_a_repr_or_an_error(flaky):
    secret = Credentials(user="dba", password="pa55word-value")
    client = SparqlClient(f"{flaky}/sparql", credentials=secret, retry=RetryPolicy(retries=0))
    assert "pa55word" not in repr(client) and "pa55word" not in str(secret) and "dba" in repr(client)
    with pytest.raises(UpstreamError) as error:
        client.select("ASK {}")
    assert "pa55word" not in str(error.value)
    assert _Flaky.authorizations == [None]  # a password is sent only to a service that asks for one
    with pytest.raises(PolicyKGError, match="user name or password"):
        SparqlClient("http://dba:pa55word@127.0.0.1/sparql")


def test_a_bearer_token_goes_with_every_request(flaky):
    client = SparqlClient(f"{flaky}/sparql", credentials=Credentials(token=TOKEN), retry=RetryPolicy(retries=2,
                                                                                                     backoff=0))
    client.select("ASK {}")
    assert _Flaky.authorizations == [f"Bearer {TOKEN}"] * 3


class _Digest(BaseHTTPRequestHandler):
    """Asks for digest authentication (as Virtuoso does) and checks the answer as RFC 7616 says."""

    user, password, realm, nonce = "dba", "d1gest-pass", "SPARQL", "0123456789abcdef"
    seen: list[str | None] = []

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        header = self.headers.get("Authorization")
        self.seen.append(header)
        if not header or not header.startswith("Digest ") or not self._valid(header[7:]):
            reply(self, 401, WWW_Authenticate=f'Digest realm="{self.realm}", nonce="{self.nonce}", '
                                              'qop="auth", algorithm="MD5", opaque="op"')
            return
        reply(self, 200, b'{"head": {}, "boolean": true}', Content_Type=SPARQL_JSON)

    def _valid(self, value: str) -> bool:
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(value))
        md5 = lambda text: hashlib.md5(text.encode()).hexdigest()  # noqa: E731
        a1 = md5(f"{self.user}:{self.realm}:{self.password}")
        a2 = md5(f"POST:{fields.get('uri')}")
        expected = md5(f"{a1}:{self.nonce}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{a2}")
        return fields.get("username") == self.user and fields.get("uri") == self.path and \
            fields.get("response") == expected and fields.get("opaque") == "op"


def test_user_and_password_answer_a_digest_challenge_once():
    _Digest.seen = []
    with local_server(_Digest) as url:
        good = Credentials(user=_Digest.user, password=_Digest.password)
        client = SparqlClient(f"{url}/sparql-auth", credentials=good)
        assert bool(client.select("ASK {}")) and bool(client.select("ASK { ?s ?p ?o }"))
        assert _Digest.seen[0] is None and all(h.startswith("Digest ") for h in _Digest.seen[1:])
        assert len(_Digest.seen) == 3  # one challenge, then the nonce is used again (its count goes up)
        assert 'nc=00000002' in _Digest.seen[2] and _Digest.password not in " ".join(_Digest.seen[1:])
        with pytest.raises(UpstreamError, match="401") as error:
            SparqlClient(f"{url}/sparql-auth", credentials=Credentials(user="dba", password="wrong")).select("ASK {}")
        assert "wrong" not in str(error.value)


def test_the_cellar_client_refuses_a_cut_answer(capped):
    from policykg.eurlex.client import CellarClient

    with pytest.raises(UpstreamError, match="cut at one of its limits"):
        CellarClient(capped.url).select("SELECT ?s WHERE { ?s ?p ?o }")


# -- one client ----------------------------------------------------------------------------------------------------

def test_one_module_talks_http_to_sparql_services():
    """``requests`` is not a dependency; SPARQLWrapper, urllib3 and urllib's openers are used by the client only."""
    network = {"requests", "SPARQLWrapper", "urllib3", "http.client", "urllib.request", "httpx", "aiohttp"}
    users: dict[str, set[str]] = {}
    for path in (ROOT / "src" / "policykg").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name in network or name.split(".")[0] in {"requests", "SPARQLWrapper", "urllib3"}:
                    users.setdefault(str(path.relative_to(ROOT / "src")), set()).add(name)
    # the front relays clients' requests to the query workers over a unix socket: part of the server, not a client
    # of remote services
    assert users.pop("policykg/web/endpoint/front.py", set()) <= {"aiohttp"}
    assert set(users) == {"policykg/sparql/client.py"}, users
    assert "requests" not in users["policykg/sparql/client.py"]
