"""A client of one remote SPARQL 1.1 service: the Protocol (queries, updates) and the Graph Store HTTP Protocol.

What :mod:`policykg.store.publish` and :mod:`policykg.store.remote` send over the network goes through
:class:`SparqlClient`: one ``requests`` session per process, timeouts on every request, credentials
(:class:`Credentials`), and every failure turned into a typed error (:class:`~policykg.errors.UpstreamError` when
the service cannot be reached or fails, :class:`~policykg.errors.SparqlSyntaxError` when it refuses a query as
malformed).

Graphs are written with the Graph Store Protocol when a graph store URL is given (``PUT ?graph=G`` with a Turtle
body, written in its N-Triples subset by pyoxigraph), and otherwise, or when the graph store turns out not to exist
(404, 405, 415, 501 on the first write), with SPARQL Update: ``DROP SILENT GRAPH`` then ``INSERT DATA`` in chunks
of at most :data:`CHUNK_TRIPLES` triples and about :data:`CHUNK_CHARS` characters. Update text is made only of terms
pyoxigraph parsed and writes back in N-Triples syntax: nothing is spliced in from untrusted text. A chunk that
holds blank nodes is sent as ``INSERT { … } WHERE {}`` (standard too; Virtuoso 7 refuses blank nodes in
``INSERT DATA``), and all the triples linked by a blank node go into the same chunk, so that the node stays one
node. One caveat of the Update path: a store that applies SPARQL's ``\\u`` escapes to the whole text first would
read a literal whose text contains a backslash followed by ``u`` differently; the Graph Store path has no such
caveat.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from policykg.errors import PolicyKGError, SparqlSyntaxError, UpstreamError

CHUNK_TRIPLES = 1000
CHUNK_CHARS = 60_000  # under the 64 Ki characters some endpoints accept (policykg serve does)
TURTLE = "text/turtle; charset=utf-8"
SPARQL_JSON = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
#: Answers of a graph store that does not exist or cannot take a Turtle body: fall back to SPARQL Update.
NO_GRAPH_STORE = frozenset({404, 405, 415, 501})
_BLANK_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)")


@dataclass(frozen=True)
class Credentials:
    """A user and password (digest or basic, whichever the service asks for) or a bearer token."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __post_init__(self) -> None:
        if self.token and (self.user or self.password is not None):
            raise PolicyKGError("give a user and password or a token, not both")
        if self.user and self.password is None:
            raise PolicyKGError(f"the user {self.user!r} needs a password")
        if self.password is not None and not self.user:
            raise PolicyKGError("a password needs a user")

    def auth(self) -> AuthBase | None:
        if self.token:
            return _Bearer(self.token)
        if self.user:
            return _DigestOrBasic(self.user, self.password or "")
        return None

    def __repr__(self) -> str:  # never print a secret
        kind = "token" if self.token else f"user {self.user!r}" if self.user else "anonymous"
        return f"Credentials({kind})"


class _Bearer(AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


class _DigestOrBasic(AuthBase):
    """Answers the service's challenge: digest when it asks for digest (Virtuoso does), basic when it asks for
    basic. Nothing is sent before a challenge, and a basic password only to a service that asked for one."""

    def __init__(self, user: str, password: str) -> None:
        self.digest = HTTPDigestAuth(user, password)
        self.basic = HTTPBasicAuth(user, password)
        self.use_basic = False

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.use_basic:
            return self.basic(request)
        request = self.digest(request)
        request.register_hook("response", self._basic_challenge)
        return request

    def _basic_challenge(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        challenge = response.headers.get("WWW-Authenticate", "").lower()
        if response.status_code != 401 or not challenge.startswith("basic") or self.use_basic:
            return response
        self.use_basic = True
        response.content  # noqa: B018 - read the body so that the connection can be reused
        response.close()
        retry = response.request.copy()
        self.basic(retry)
        again = response.connection.send(retry, **kwargs)
        again.history.append(response)
        again.request = retry
        return again


@dataclass(frozen=True)
class Reply:
    """A successful answer: its media type (parameters removed) and body."""

    media_type: str
    body: bytes


class SparqlClient:
    """One SPARQL 1.1 service: ``endpoint`` answers queries (and updates, for writing without a graph store);
    ``graph_store`` is its Graph Store Protocol URL, if it has one."""

    def __init__(self, endpoint: str, *, graph_store: str | None = None, credentials: Credentials | None = None,
                 timeout: float = 60.0, connect_timeout: float = 10.0) -> None:
        for url in (endpoint, graph_store):
            if url is not None and not re.match(r"https?://[^/\s]+", url):
                raise PolicyKGError(f"not an http(s) URL: {url!r}")
        self.endpoint = endpoint
        self.graph_store = graph_store
        self.credentials = credentials or Credentials()
        self.timeout = (connect_timeout, timeout)
        self.graph_store_refused: str | None = None   # why writes fell back to SPARQL Update
        self._session: requests.Session | None = None
        self._pid = 0

    @property
    def session(self) -> requests.Session:
        """A session of this process (a session's open connections must not be shared with a forked worker)."""
        if self._session is None or self._pid != os.getpid():
            self._session = requests.Session()
            self._session.auth = self.credentials.auth()
            self._pid = os.getpid()
        return self._session

    @property
    def writes_with(self) -> str:
        """``graph store`` or ``SPARQL Update``: how graphs are written now."""
        return "graph store" if self.graph_store and not self.graph_store_refused else "SPARQL Update"

    # -- the protocol ----------------------------------------------------------------------------------------------

    def query(self, text: str, *, accept: str, default_graphs: Iterable[str] = (),
              named_graphs: Iterable[str] = ()) -> Reply:
        """POST a query (form-encoded, with the protocol's dataset parameters when given)."""
        form: list[tuple[str, str]] = [("query", text)]
        form += [("default-graph-uri", iri) for iri in default_graphs]
        form += [("named-graph-uri", iri) for iri in named_graphs]
        response = self._send("POST", self.endpoint, data=form, headers={"Accept": accept})
        self._check(response, "query", syntax=True)
        if response.status_code == 206 or response.headers.get("X-SQL-State", "").strip() == "S1TAT":
            # Virtuoso's "anytime" answer: what it found before its time limit, not the whole answer.
            raise UpstreamError(f"the store stopped the query at its time limit and sent a partial answer "
                                f"({response.headers.get('X-SQL-Message', '').strip()[:200] or 'anytime query'})")
        return Reply(_media_type(response), response.content)

    def select(self, text: str, **dataset: Iterable[str]) -> ox.QuerySolutions | ox.QueryBoolean:
        """A SELECT or ASK, answered as pyoxigraph values (SPARQL JSON results)."""
        return parse_results(self.query(text, accept=SPARQL_JSON, **dataset))

    def update(self, text: str) -> None:
        response = self._send("POST", self.endpoint, data={"update": text})
        self._check(response, "update", syntax=True)

    # -- graphs ----------------------------------------------------------------------------------------------------

    def replace_graph(self, graph: ox.NamedNode, triples: list[ox.Triple]) -> None:
        """Make the remote ``graph`` hold exactly ``triples``: a PUT to the graph store, or SPARQL Update when
        there is none (none given, or it answered as no graph store does: then it is not asked again)."""
        if self.graph_store and not self.graph_store_refused:
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            response = self._send("PUT", self.graph_store, params={"graph": graph.value}, data=body,
                                  headers={"Content-Type": TURTLE})
            if response.status_code not in NO_GRAPH_STORE:
                self._check(response, f"PUT of graph <{graph.value}>")
                return
            self.graph_store_refused = f"the graph store answered {response.status_code} {response.reason}"
        chunks = update_chunks(graph, triples)
        first = next(chunks, None)
        self.update(f"DROP SILENT GRAPH {graph} ;\n{first}" if first else f"DROP SILENT GRAPH {graph}")
        for chunk in chunks:
            self.update(chunk)

    def get_graph(self, graph: ox.NamedNode) -> Reply:
        """``GET ?graph=G`` from the graph store."""
        if not self.graph_store:
            raise PolicyKGError("no graph store URL was given")
        response = self._send("GET", self.graph_store, params={"graph": graph.value},
                              headers={"Accept": GRAPH_ACCEPT})
        self._check(response, f"GET of graph <{graph.value}>")
        return Reply(_media_type(response), response.content)

    def drop_graph(self, graph: ox.NamedNode) -> None:
        """Remove ``graph`` (nothing happens when there is no such graph)."""
        if self.graph_store and not self.graph_store_refused:
            response = self._send("DELETE", self.graph_store, params={"graph": graph.value})
            if response.status_code == 404 and not self.holds(graph):
                return  # the graph store's answer for a graph it does not have
            if response.status_code not in NO_GRAPH_STORE:
                self._check(response, f"DELETE of graph <{graph.value}>")
                return
            self.graph_store_refused = f"the graph store answered {response.status_code} {response.reason}"
        self.update(f"DROP SILENT GRAPH {graph}")

    def holds(self, graph: ox.NamedNode) -> bool:
        """True when ``graph`` has a triple."""
        return bool(self.select(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))

    def graph_names(self, under: str | None = None) -> list[ox.NamedNode]:
        """The non-empty named graphs, sorted; only those whose IRI starts with ``under`` when given."""
        where = "GRAPH ?g { ?s ?p ?o }"
        if under:
            where += f" FILTER(STRSTARTS(STR(?g), {ox.Literal(under)}))"
        answer = self.select(f"SELECT DISTINCT ?g WHERE {{ {where} }}")
        return sorted((row["g"] for row in answer if isinstance(row["g"], ox.NamedNode)), key=lambda g: g.value)

    def graph_counts(self, graphs: Iterable[ox.NamedNode] | None = None, *, under: str | None = None,
                     batch: int = 200) -> dict[str, int]:
        """Triples per graph: of ``graphs`` (absent ones count 0; asked ``batch`` graphs at a time) or of every
        graph whose IRI starts with ``under``."""
        counts: dict[str, int] = {}
        if graphs is None:
            where = "GRAPH ?g { ?s ?p ?o }"
            if under:
                where += f" FILTER(STRSTARTS(STR(?g), {ox.Literal(under)}))"
            return self._counts(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {where} }} GROUP BY ?g", counts)
        names = list(graphs)
        for start in range(0, len(names), batch):
            part = names[start:start + batch]
            counts.update({g.value: 0 for g in part})
            values = " ".join(str(g) for g in part)
            self._counts(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                         "GROUP BY ?g", counts)
        return counts

    def _counts(self, text: str, counts: dict[str, int]) -> dict[str, int]:
        for row in self.select(text):
            graph, number = row["g"], row["n"]
            if isinstance(graph, ox.NamedNode) and number is not None:
                counts[graph.value] = int(number.value)
        return counts

    # -- HTTP ------------------------------------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, url, timeout=self.timeout, allow_redirects=False, **kwargs)
        except requests.Timeout:
            raise UpstreamError(f"{url} did not answer within {self.timeout[1]:g} s") from None
        except requests.RequestException as error:
            raise UpstreamError(f"cannot reach {url}: {_reason(error)}") from None

    def _check(self, response: requests.Response, what: str, *, syntax: bool = False) -> None:
        if response.ok:
            return
        detail = _excerpt(response)
        status = f"{response.status_code} {response.reason}"
        if response.status_code in (401, 403):
            raise UpstreamError(f"{what} refused by {response.url.split('?')[0]}: {status} (check the credentials "
                                f"and the account's rights){detail}")
        if syntax and response.status_code == 400:
            raise SparqlSyntaxError(f"the remote store refused the {what}: {status}{detail}")
        raise UpstreamError(f"{what} failed at {response.url.split('?')[0]}: {status}{detail}")


def parse_results(reply: Reply) -> ox.QuerySolutions | ox.QueryBoolean:
    """SPARQL JSON results as pyoxigraph values. Blank node labels that pyoxigraph would refuse (Virtuoso writes
    ``nodeID://b10002``) are rewritten into valid ones, the same label always into the same one."""
    body = reply.body
    if b'"bnode"' in body:
        body = _valid_blank_nodes(body)
    try:
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as error:
        raise UpstreamError(f"the remote store's answer is not valid SPARQL JSON results: {error}") from None


def parse_graph(reply: Reply) -> list[ox.Triple]:
    """An RDF graph answer (N-Triples, Turtle, RDF/XML...: by its media type) as triples."""
    rdf_format = ox.RdfFormat.from_media_type(reply.media_type) or ox.RdfFormat.N_TRIPLES
    try:
        return [quad.triple for quad in ox.parse(reply.body, format=rdf_format)]
    except (SyntaxError, ValueError) as error:
        raise UpstreamError(f"the remote store's graph answer ({reply.media_type}) cannot be read: {error}") from None


def blank_node_label(label: str) -> str:
    """A valid blank node label for ``label``: itself when valid, Virtuoso's ``nodeID://b1`` as ``b1``, otherwise
    the hexadecimal of its UTF-8 bytes."""
    if _BLANK_LABEL.fullmatch(label):
        return label
    rest = label.removeprefix("nodeID://")
    if rest != label and _BLANK_LABEL.fullmatch(rest):
        return rest
    return "x" + label.encode().hex()


def _valid_blank_nodes(body: bytes) -> bytes:
    try:
        document = json.loads(body)
    except ValueError as error:
        raise UpstreamError(f"the remote store's answer is not JSON: {error}") from None

    def fix(term: Any) -> Any:
        if isinstance(term, dict):
            if term.get("type") == "bnode" and isinstance(term.get("value"), str):
                return {**term, "value": blank_node_label(term["value"])}
            return {key: fix(value) for key, value in term.items()}
        return term

    for row in document.get("results", {}).get("bindings", []):
        for name in row:
            row[name] = fix(row[name])
    return json.dumps(document).encode()


# -- update text ---------------------------------------------------------------------------------------------------

def update_chunks(graph: ox.NamedNode, triples: Iterable[ox.Triple], *, max_triples: int = CHUNK_TRIPLES,
                  max_chars: int = CHUNK_CHARS) -> Iterator[str]:
    """``INSERT DATA`` (or, with blank nodes, ``INSERT … WHERE {}``) operations adding ``triples`` to ``graph``,
    each of at most ``max_triples`` triples and about ``max_chars`` characters, except that the triples linked by a
    blank node are never split."""
    lines: list[str] = []
    size = 0
    blank = False
    for unit in _units(triples):
        text = [f"{t.subject} {t.predicate} {t.object} ." for t in unit]
        unit_size = sum(len(line) + 1 for line in text)
        if lines and (len(lines) + len(text) > max_triples or size + unit_size > max_chars):
            yield _insert(graph, lines, blank)
            lines, size, blank = [], 0, False
        lines += text
        size += unit_size
        blank = blank or any(isinstance(term, ox.BlankNode) for t in unit for term in (t.subject, t.object))
    if lines:
        yield _insert(graph, lines, blank)


def _insert(graph: ox.NamedNode, lines: list[str], blank: bool) -> str:
    body = "\n".join(lines)
    if blank:
        return f"INSERT {{ GRAPH {graph} {{\n{body}\n}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }}"


def _units(triples: Iterable[ox.Triple]) -> Iterator[list[ox.Triple]]:
    """Single triples without blank nodes as they come, then the groups of triples linked by blank nodes."""
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        top = label
        while parent[top] != top:
            top = parent[top]
        while parent[label] != top:  # path compression, bounded by the path's length
            parent[label], label = top, parent[label]
        return top

    linked: list[ox.Triple] = []
    for triple in triples:
        labels = [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        if not labels:
            yield [triple]
            continue
        if isinstance(triple.subject, ox.Triple) or isinstance(triple.object, ox.Triple):
            raise PolicyKGError("RDF-star triples cannot be published")
        linked.append(triple)
        for label in labels:
            parent.setdefault(label, label)
        if len(labels) == 2:
            a, b = root(labels[0]), root(labels[1])
            if a != b:
                parent[a] = b
    groups: dict[str, list[ox.Triple]] = {}
    for triple in linked:
        node = triple.subject if isinstance(triple.subject, ox.BlankNode) else triple.object
        groups.setdefault(root(node.value), []).append(triple)
    yield from groups.values()


def _media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _excerpt(response: requests.Response, limit: int = 300) -> str:
    text = " ".join(response.text.split()) if response.content else ""
    text = re.sub(r"<[^>]+>", " ", text) if "html" in _media_type(response) else text
    text = " ".join(text.split())
    return f": {text[:limit]}{'…' if len(text) > limit else ''}" if text else ""


def _reason(error: requests.RequestException) -> str:
    text = str(error)
    match = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    return match.group(1).strip() if match else text[:200]


__all__ = ["CHUNK_CHARS", "CHUNK_TRIPLES", "Credentials", "Reply", "SparqlClient", "blank_node_label",
           "parse_graph", "parse_results", "update_chunks"]
