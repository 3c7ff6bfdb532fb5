"""The one client of remote SPARQL 1.1 services: queries and updates (the SPARQL 1.1 Protocol) and whole graphs
(the Graph Store HTTP Protocol). Nothing else in the package talks HTTP to a SPARQL service.

* **Queries and updates** are written by SPARQLWrapper (the form-encoded POST of the protocol, its ``query=`` or
  ``update=`` parameter, the dataset parameters, ``User-Agent``), and sent, like the Graph Store requests, over one
  urllib3 connection pool per process (:class:`SparqlClient`). The answers are read by pyoxigraph
  (:func:`parse_results`, :func:`parse_graph`).
* **The Graph Store Protocol**, which SPARQLWrapper does not speak: ``PUT``, ``GET`` and ``DELETE`` on
  ``?graph=G``, over the same pool. Graphs are written with it when a graph store URL is given (``PUT ?graph=G``
  with a Turtle body, written in its N-Triples subset by pyoxigraph), and otherwise, or when the graph store turns
  out not to exist (404, 405, 415, 501 on the first write), with SPARQL Update: ``DROP SILENT GRAPH`` then
  ``INSERT DATA`` in chunks of at most :data:`CHUNK_TRIPLES` triples and about :data:`CHUNK_CHARS` characters.
  Update text is made only of terms pyoxigraph parsed and writes back in N-Triples syntax: nothing is spliced in
  from untrusted text. A chunk that holds blank nodes is sent as ``INSERT { … } WHERE {}`` (standard too;
  Virtuoso 7 refuses blank nodes in ``INSERT DATA``), and all the triples linked by a blank node go into the same
  chunk, so that the node stays one node. One caveat of the Update path: a store that applies SPARQL's ``\\u``
  escapes to the whole text first would read a literal whose text contains a backslash followed by ``u``
  differently; the Graph Store path has no such caveat.
* **Retries** (:class:`RetryPolicy`) are urllib3's ``Retry``, one policy for every request: a bounded number of
  retries with exponential backoff after a connection error, a dropped connection, or a 502, 503 or 504 (and, when
  the policy says so, after a timed-out answer). Queries and the Graph Store's PUT, GET and DELETE are retried
  (they can be repeated safely); an update is retried only when it never reached the service.
* **Timeouts** on every request (to connect, and between bytes of the answer). Redirects are not followed (a
  credential never goes to another address); the error names where the service redirects to.
* **Credentials** (:class:`Credentials`): a bearer token, sent with every request; or a user and password, sent
  only once the service asks, digest or basic as it asks (Virtuoso asks for digest), then with each request.
  No secret appears in a ``repr``, a log line or an error.
* **Errors** are typed: :class:`~policykg.errors.UpstreamError` naming the service's URL when it cannot be reached,
  does not answer in time or fails; :class:`~policykg.errors.SparqlSyntaxError` when it refuses a query or update
  as malformed (400).
* **Capped answers**: a service that cuts an answer at a row or size limit says so in a header (``policykg serve``
  sends ``X-PolicyKG-Truncated``; it and Virtuoso send ``X-SPARQL-MaxRows``) and, in SPARQL JSON, ``policykg
  serve`` adds ``"truncated": true`` after the bindings, which pyoxigraph's reader refuses: the key is taken out
  before reading, and :attr:`Reply.truncated` says what cut the answer.
* **Results format**: SELECT and ASK ask for SPARQL XML results first and JSON second (:data:`RESULTS_ACCEPT`).
  Virtuoso 7 writes XML about twice as fast as JSON (20,134 rows of nine columns: 2.3 s against 4.5 s), and its
  writer, not its evaluation, is most of the time of a large answer. XML is read after :func:`standard_xml`
  (pyoxigraph's reader trims white space at the ends of a literal's raw text).
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import unescape  # the XML character references a <bnode> label may hold
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import urllib3
from SPARQLWrapper import INSERT, POST, SPARQLWrapper
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    LocationParseError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util import Retry, Timeout

from policykg import __version__
from policykg.errors import PolicyKGError, SparqlSyntaxError, UpstreamError
from policykg.namespaces import BASE
from policykg.sparql.text import query_form

CHUNK_TRIPLES = 1000
CHUNK_CHARS = 60_000  # under the 64 Ki characters some endpoints accept (policykg serve does)
TURTLE = "text/turtle; charset=utf-8"
SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
RESULTS_ACCEPT = f"{SPARQL_XML}, {SPARQL_JSON};q=0.9"
RESULTS_TYPES = (SPARQL_JSON, "application/json", SPARQL_XML, "application/xml", "text/tab-separated-values",
                 "text/csv")
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
UPDATE_ACCEPT = "application/sparql-results+json, text/plain;q=0.5, */*;q=0.1"
AGENT = f"policykg/{__version__} (+{BASE})"
#: Answers of a graph store that does not exist or cannot take a Turtle body: fall back to SPARQL Update.
NO_GRAPH_STORE = frozenset({404, 405, 415, 501})
#: Answers worth another attempt: the service or a proxy in front of it is overloaded or restarting.
RETRY_STATUSES = frozenset({502, 503, 504})
#: Requests that can be repeated without changing the result (a query is sent by POST, and is one of them).
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_BLANK_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)")
_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_AFTER_BINDINGS = re.compile(rb"\]\s*\}\s*\}\s*")
_XML_BNODE = re.compile(rb"<bnode>([^<]*)</bnode>")
# White space at the start of a literal's text (its start tag may carry xml:lang or datatype; not an empty tag).
_XML_LITERAL_START = re.compile(rb"(<literal(?:\s[^>]*[^/>])?>)([ \t\r\n]+)")
_XML_SPACE = b" \t\r\n"


def check_endpoint(url: str, what: str = "endpoint") -> str:
    """``url`` if it is an absolute http(s) URL without user name, password or fragment; else a PolicyKGError.
    (Credentials go in :class:`Credentials`, never in a URL, which is shown in messages.)"""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise PolicyKGError(f"{what} {url!r}: must be an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise PolicyKGError(f"{what}: must not contain a user name or password (give them as credentials)")
    if _SPACE_OR_CONTROL.search(url) or parts.fragment:
        raise PolicyKGError(f"{what} {url!r}: must not contain spaces, control characters or a #fragment")
    try:
        _ = parts.port
    except ValueError:
        raise PolicyKGError(f"{what} {url!r}: the port is not a number from 0 to 65535") from None
    return url


# -- credentials -----------------------------------------------------------------------------------------------------

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

    def __repr__(self) -> str:  # never print a secret
        kind = "token" if self.token else f"user {self.user!r}" if self.user else "anonymous"
        return f"Credentials({kind})"

    __str__ = __repr__


class _Authorization:
    """The ``Authorization`` header of each request: the bearer token always; a user's password only once the
    service asked for it, answered as it asked (digest, computed by the standard library's digest handler, which
    also counts the nonce's uses; or basic), then sent with every request to the same service."""

    def __init__(self, credentials: Credentials, urls: list[str]) -> None:
        self.credentials = credentials
        self.scheme: str | None = None               # "digest" or "basic", once the service asked
        self.challenge: dict[str, str] | None = None  # the last digest challenge
        self._lock = threading.Lock()
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        if credentials.user:
            passwords.add_password(None, urls, credentials.user, credentials.password or "")
        self._digest = urllib.request.AbstractDigestAuthHandler(passwords)

    def header(self, method: str, url: str) -> str | None:
        """What to send before any challenge."""
        if self.credentials.token:
            return f"Bearer {self.credentials.token}"
        with self._lock:
            if self.scheme == "basic":
                return self._basic()
            if self.scheme == "digest" and self.challenge:
                return self._digest_header(method, url, self.challenge)
        return None

    def answer(self, challenges: list[str], method: str, url: str) -> str | None:
        """The header answering a 401's ``WWW-Authenticate`` challenges, or None when there is nothing to answer
        with (no user, or no scheme we speak)."""
        if not self.credentials.user:
            return None
        offered = {value.strip().split(" ", 1)[0].lower(): value.strip() for value in challenges if value.strip()}
        with self._lock:
            if "digest" in offered:
                _, _, rest = offered["digest"].partition(" ")
                challenge = urllib.request.parse_keqv_list([p for p in urllib.request.parse_http_list(rest) if p])
                header = self._digest_header(method, url, challenge)
                if header:
                    self.scheme, self.challenge = "digest", challenge
                return header
            if "basic" in offered:
                self.scheme = "basic"
                return self._basic()
        return None

    def _basic(self) -> str:
        pair = f"{self.credentials.user}:{self.credentials.password or ''}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def _digest_header(self, method: str, url: str, challenge: dict[str, str]) -> str | None:
        try:
            value = self._digest.get_authorization(urllib.request.Request(url, method=method), challenge)
        except (ValueError, urllib.error.URLError):  # an algorithm or qop the standard library does not do
            return None
        return f"Digest {value}" if value else None


# -- retries ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry, as urllib3's ``Retry`` does it: at most ``retries`` more attempts
    after a connection error, a dropped connection or a 502, 503 or 504 answer (a ``Retry-After`` of at most
    ``max_delay`` seconds is honoured); with ``timeouts``, after an answer that did not come in time too. No wait
    before the first retry, then ``backoff``, ``2 * backoff``, ``4 * backoff``... seconds, at most ``max_delay``.

    Timeouts are not retried by default: a query that ran out of time once will most likely do so again, and
    whoever waits for it has a deadline too. The CELLAR enrichment, a batch job, retries them."""

    retries: int = 2
    backoff: float = 0.5
    max_delay: float = 30.0
    timeouts: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.retries, bool) or not isinstance(self.retries, int) or self.retries < 0:
            raise PolicyKGError(f"retries must be a whole number >= 0, not {self.retries!r}")
        if self.backoff < 0 or self.max_delay < 0:
            raise PolicyKGError("retry delays must not be negative")

    def delays(self) -> list[float]:
        """The waits before each retry (when the service sends no ``Retry-After``)."""
        return [0.0 if n == 0 else min(self.backoff * 2 ** (n - 1), self.max_delay) for n in range(self.retries)]

    def urllib3(self, *, idempotent: bool = True) -> _Retry:
        """A fresh ``Retry`` for one request; a request that is not ``idempotent`` is retried only when it never
        reached the service (a connection error)."""
        count = self.retries
        methods = IDEMPOTENT | {"POST"} if idempotent else IDEMPOTENT
        return _Retry(total=count, connect=count, read=count, status=count, other=0, redirect=False,
                      allowed_methods=methods, status_forcelist=RETRY_STATUSES, backoff_factor=self.backoff / 2,
                      backoff_max=self.max_delay, retry_after_max=max(1, int(self.max_delay)),
                      raise_on_status=False, timeouts=self.timeouts, tally=[])


class _Retry(Retry):
    """urllib3's ``Retry`` that can leave a timed-out answer alone (``timeouts=False``) and keeps, in ``tally``
    (shared by the copies ``Retry`` makes of itself), the retries made, so that reports and errors can count them."""

    def __init__(self, *args: Any, timeouts: bool = True, tally: list[str] | None = None, **options: Any) -> None:
        super().__init__(*args, **options)
        self.timeouts = timeouts
        self.tally = [] if tally is None else tally

    def new(self, **options: Any) -> _Retry:
        retry = super().new(**options)
        retry.timeouts, retry.tally = self.timeouts, self.tally
        return retry

    def increment(self, method: str | None = None, url: str | None = None, response: Any = None,
                  error: Exception | None = None, _pool: Any = None, _stacktrace: Any = None) -> _Retry:
        if isinstance(error, ReadTimeoutError) and not self.timeouts:
            raise error
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        self.tally.append(f"{response.status}" if response is not None else type(error).__name__)
        return retry


# -- answers ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reply:
    """A successful answer: its media type (parameters removed), its body, and, when the service cut it at one of
    its limits, what it said about the cut (``X-PolicyKG-Truncated``'s text, ``rows; limit=N rows`` from
    ``X-SPARQL-MaxRows``, or ``rows`` from the body alone)."""

    media_type: str
    body: bytes
    truncated: str | None = None


def parse_results(reply: Reply) -> ox.QuerySolutions | ox.QueryBoolean:
    """SELECT or ASK results (SPARQL JSON, or XML, TSV, CSV by the media type) as pyoxigraph values, read once
    whole here so that a malformed answer is an UpstreamError now and not an error later in the caller.
    JSON is made standard first: keys after the bindings (``policykg serve``'s ``"truncated": true``) are dropped;
    in JSON and XML, blank node labels that pyoxigraph would refuse (Virtuoso writes ``nodeID://b10002``) are
    rewritten into valid ones, the same label always into the same one."""
    results_format = ox.QueryResultsFormat.from_media_type(reply.media_type) or ox.QueryResultsFormat.JSON
    body = reply.body
    if results_format == ox.QueryResultsFormat.JSON:
        body = standard_json(body)[0]
    elif results_format == ox.QueryResultsFormat.XML:
        body = standard_xml(body)
    try:
        answer = ox.parse_query_results(body, format=results_format)
        if isinstance(answer, ox.QueryBoolean):
            return answer
        for _ in answer:
            pass
        return ox.parse_query_results(body, format=results_format)
    except (SyntaxError, ValueError) as error:
        kind = reply.media_type or "no media type"
        raise UpstreamError(f"the remote store's answer is not valid SPARQL results ({kind}): {error}") from None


def standard_json(body: bytes) -> tuple[bytes, bool]:
    """SPARQL JSON results that pyoxigraph reads, and whether the body said it was cut (``"truncated": true``)."""
    end = body.rfind(b"]")
    needs_rewrite = b'"bnode"' in body or end < 0 or not _AFTER_BINDINGS.fullmatch(body, end)
    if not needs_rewrite:
        return body, False
    try:
        document = json.loads(body)
    except ValueError as error:
        raise UpstreamError(f"the remote store's answer is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise UpstreamError("the remote store's answer is not SPARQL JSON results")
    truncated = document.get("truncated") is True
    for row in (document.get("results") or {}).get("bindings") or []:
        if isinstance(row, dict):
            for name in row:
                row[name] = _valid_term(row[name])
    standard = {key: document[key] for key in ("head", "results", "boolean") if key in document}
    return json.dumps(standard, ensure_ascii=False).encode("utf-8"), truncated


def standard_xml(body: bytes) -> bytes:
    """SPARQL XML results that pyoxigraph reads as they were written:

    * white space at either end of a literal's text becomes character references: pyoxigraph's reader trims it
      (``<literal> a</literal>`` would come back as ``"a"``), and servers write it raw;
    * every ``<bnode>`` label becomes one that pyoxigraph reads (see :func:`blank_node_label`). A label is the
      element's whole text (the results schema allows nothing else in it)."""
    if _XML_LITERAL_START.search(body):
        body = _XML_LITERAL_START.sub(lambda match: match.group(1) + _references(match.group(2)), body)
    if any(space + b"</literal>" in body for space in (b" ", b"\n", b"\t", b"\r")):  # rare: no scan otherwise
        texts = body.split(b"</literal>")
        body = b"</literal>".join([_trailing_references(text) for text in texts[:-1]] + texts[-1:])
    if b"<bnode>" not in body:
        return body
    return _XML_BNODE.sub(lambda match: b"<bnode>%s</bnode>" % blank_node_label(
        unescape(match.group(1).decode("utf-8"))).encode("ascii"), body)


def _trailing_references(text: bytes) -> bytes:
    kept = text.rstrip(_XML_SPACE)
    return text if len(kept) == len(text) else kept + _references(text[len(kept):])


def _references(spaces: bytes) -> bytes:
    return b"".join(b"&#%d;" % byte for byte in spaces)


def _valid_term(term: Any) -> Any:
    if isinstance(term, dict):
        if term.get("type") == "bnode" and isinstance(term.get("value"), str):
            return {**term, "value": blank_node_label(term["value"])}
        return {key: _valid_term(value) for key, value in term.items()}
    return term


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


# -- the client ------------------------------------------------------------------------------------------------------

class SparqlClient:
    """One SPARQL 1.1 service: ``endpoint`` answers queries (and updates, for writing without a graph store);
    ``graph_store`` is its Graph Store Protocol URL, if it has one."""

    def __init__(self, endpoint: str, *, graph_store: str | None = None, credentials: Credentials | None = None,
                 timeout: float = 60.0, connect_timeout: float = 10.0, retry: RetryPolicy | None = None,
                 agent: str = AGENT, max_bytes: int | None = None) -> None:
        self.endpoint = check_endpoint(endpoint)
        self.graph_store = check_endpoint(graph_store, "graph store") if graph_store is not None else None
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise PolicyKGError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.credentials = credentials or Credentials()
        self.timeout = float(timeout)
        self.connect_timeout = min(float(connect_timeout), self.timeout)
        self.retry = retry or RetryPolicy()
        self.agent = agent
        self.max_bytes = max_bytes   # the largest answer read (decompressed); None: no limit
        self.graph_store_refused: str | None = None   # why writes fell back to SPARQL Update
        #: Every request sent (one per attempt) and the retries among them, for reports and tests.
        self.requests = 0
        self.retries_made = 0
        self._auth = _Authorization(self.credentials, [u for u in (self.endpoint, self.graph_store) if u])
        self._pool: urllib3.PoolManager | None = None
        self._pid = 0

    def __repr__(self) -> str:
        store = f", graph_store={self.graph_store!r}" if self.graph_store else ""
        return f"SparqlClient({self.endpoint!r}{store}, {self.credentials!r})"

    @property
    def pool(self) -> urllib3.PoolManager:
        """The connections of this process (open connections must not be shared with a forked worker)."""
        if self._pool is None or self._pid != os.getpid():
            self._pool = urllib3.PoolManager(num_pools=4, maxsize=8)
            self._pid = os.getpid()
        return self._pool

    @property
    def writes_with(self) -> str:
        """``graph store`` or ``SPARQL Update``: how graphs are written now."""
        return "graph store" if self.graph_store and not self.graph_store_refused else "SPARQL Update"

    # -- the protocol ----------------------------------------------------------------------------------------------

    def query(self, text: str, *, accept: str, default_graphs: Iterable[str] = (),
              named_graphs: Iterable[str] = ()) -> Reply:
        """POST a query (form-encoded, with the protocol's dataset parameters when given). The answer may be cut
        at a limit of the service: :attr:`Reply.truncated` says so."""
        protocol = self._protocol(text, query_form(text), accept)  # not a query form: refused before it leaves
        protocol.setOnlyConneg(True)             # the Accept header only: no format/output parameters
        for iri in default_graphs:
            protocol.addParameter("default-graph-uri", iri)
        for iri in named_graphs:
            protocol.addParameter("named-graph-uri", iri)
        response = self._send_protocol(protocol)
        self._check(response, "query", syntax=True)
        if response.status == 206 or response.headers.get("X-SQL-State", "").strip() == "S1TAT":
            # Virtuoso's "anytime" answer: what it found before its time limit, not the whole answer.
            message = response.headers.get("X-SQL-Message", "").strip()[:200] or "anytime query"
            raise UpstreamError(f"the store at {self.endpoint} stopped the query at its time limit and sent a "
                                f"partial answer ({message})")
        body, truncated = response.data, response.truncated
        if response.media_type in (SPARQL_JSON, "application/json") and b'"truncated"' in body[-200:]:
            body, cut = standard_json(body)
            truncated = truncated or ("rows" if cut else None)
        return Reply(response.media_type, body, truncated)

    def select(self, text: str, *, whole: bool = False,
               **dataset: Iterable[str]) -> ox.QuerySolutions | ox.QueryBoolean:
        """A SELECT or ASK, answered as pyoxigraph values (SPARQL XML or JSON results). With ``whole``, an answer the
        service cut at one of its limits is an UpstreamError."""
        reply = self.query(text, accept=RESULTS_ACCEPT, **dataset)
        if whole and reply.truncated:
            raise UpstreamError(f"the answer of {self.endpoint} was cut at one of its limits ({reply.truncated}): "
                                "ask for less at a time")
        return parse_results(reply)

    def service_description(self) -> list[ox.Triple] | None:
        """The service's description of itself (SPARQL 1.1 Service Description: what the endpoint answers to a
        GET without a query), or None when it answers with anything but RDF (Virtuoso and Fuseki answer an HTML
        form or an error)."""
        response = self._send("GET", self.endpoint, headers={"Accept": GRAPH_ACCEPT})
        if not 200 <= response.status < 300 or ox.RdfFormat.from_media_type(response.media_type) is None:
            return None
        try:
            return parse_graph(Reply(response.media_type, response.data))
        except UpstreamError:
            return None

    def update(self, text: str) -> None:
        """POST an update (form-encoded ``update=``)."""
        protocol = self._protocol(text, INSERT, UPDATE_ACCEPT)  # any update operation: the text goes as update=
        self._check(self._send_protocol(protocol), "update", syntax=True)

    # -- graphs ----------------------------------------------------------------------------------------------------

    def replace_graph(self, graph: ox.NamedNode, triples: list[ox.Triple]) -> None:
        """Make the remote ``graph`` hold exactly ``triples``: a PUT to the graph store, or SPARQL Update when
        there is none (none given, or it answered as no graph store does: then it is not asked again)."""
        if self.graph_store and not self.graph_store_refused:
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            response = self._send("PUT", self._graph_url(graph), body=body, headers={"Content-Type": TURTLE})
            if response.status not in NO_GRAPH_STORE:
                self._check(response, f"PUT of graph <{graph.value}>")
                return
            self.graph_store_refused = f"the graph store answered {response.status} {response.reason}"
        chunks = update_chunks(graph, triples)
        first = next(chunks, None)
        self.update(f"DROP SILENT GRAPH {graph} ;\n{first}" if first else f"DROP SILENT GRAPH {graph}")
        for chunk in chunks:
            self.update(chunk)

    def get_graph(self, graph: ox.NamedNode) -> Reply:
        """``GET ?graph=G`` from the graph store."""
        if not self.graph_store:
            raise PolicyKGError("no graph store URL was given")
        response = self._send("GET", self._graph_url(graph), headers={"Accept": GRAPH_ACCEPT})
        self._check(response, f"GET of graph <{graph.value}>")
        return Reply(response.media_type, response.data, response.truncated)

    def drop_graph(self, graph: ox.NamedNode) -> None:
        """Remove ``graph`` (nothing happens when there is no such graph)."""
        if self.graph_store and not self.graph_store_refused:
            response = self._send("DELETE", self._graph_url(graph))
            if response.status == 404 and not self.holds(graph):
                return  # the graph store's answer for a graph it does not have
            if response.status not in NO_GRAPH_STORE:
                self._check(response, f"DELETE of graph <{graph.value}>")
                return
            self.graph_store_refused = f"the graph store answered {response.status} {response.reason}"
        self.update(f"DROP SILENT GRAPH {graph}")

    def holds(self, graph: ox.NamedNode) -> bool:
        """True when ``graph`` has a triple."""
        return bool(self.select(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))

    def graph_names(self, under: str | None = None) -> list[ox.NamedNode]:
        """The non-empty named graphs, sorted; only those whose IRI starts with ``under`` when given."""
        where = "GRAPH ?g { ?s ?p ?o }"
        if under:
            where += f" FILTER(STRSTARTS(STR(?g), {ox.Literal(under)}))"
        rows = self.every_row(f"SELECT DISTINCT ?g WHERE {{ {where} }} ORDER BY ?g")
        return sorted((row["g"] for row in rows if isinstance(row["g"], ox.NamedNode)), key=lambda g: g.value)

    def graph_counts(self, graphs: Iterable[ox.NamedNode] | None = None, *, under: str | None = None,
                     batch: int = 200) -> dict[str, int]:
        """Triples per graph: of ``graphs`` (absent ones count 0; asked ``batch`` graphs at a time) or of every
        graph whose IRI starts with ``under``."""
        counts: dict[str, int] = {}
        if graphs is None:
            where = "GRAPH ?g { ?s ?p ?o }"
            if under:
                where += f" FILTER(STRSTARTS(STR(?g), {ox.Literal(under)}))"
            return self._counts(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {where} }} GROUP BY ?g ORDER BY ?g", counts)
        names = list(graphs)
        for start in range(0, len(names), batch):
            part = names[start:start + batch]
            counts.update({g.value: 0 for g in part})
            values = " ".join(str(g) for g in part)
            self._counts(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                         "GROUP BY ?g ORDER BY ?g", counts)
        return counts

    def _counts(self, text: str, counts: dict[str, int]) -> dict[str, int]:
        for row in self.every_row(text):
            graph, number = row["g"], row["n"]
            if isinstance(graph, ox.NamedNode) and number is not None:
                counts[graph.value] = int(number.value)
        return counts

    def every_row(self, text: str) -> list[ox.QuerySolution]:
        """Every row of a SELECT that ends with its ORDER BY, page by page (``LIMIT`` and ``OFFSET``, a page as
        long as the first answer) when the service cuts answers at a row limit."""
        reply = self.query(text, accept=RESULTS_ACCEPT)
        rows = _solutions(reply)
        if not reply.truncated:
            return rows
        page = len(rows)
        if not page:
            raise UpstreamError(f"the answer of {self.endpoint} was cut to no rows ({reply.truncated})")
        while True:
            reply = self.query(f"{text}\nLIMIT {page} OFFSET {len(rows)}", accept=RESULTS_ACCEPT)
            part = _solutions(reply)
            if reply.truncated and len(part) < page:
                raise UpstreamError(f"the answers of {self.endpoint} are cut at one of its limits "
                                    f"({reply.truncated}) even {page} rows at a time")
            rows += part
            if len(part) < page:
                return rows

    # -- HTTP ------------------------------------------------------------------------------------------------------

    def _protocol(self, text: str, form: str, accept: str) -> SPARQLWrapper:
        """SPARQLWrapper set up for one query or update (``form``: its query form, or an update operation)."""
        protocol = SPARQLWrapper(self.endpoint, agent=self.agent)
        protocol.queryString = text
        protocol.queryType = form
        protocol.setMethod(POST)
        protocol.addCustomHttpHeader("Accept", accept)
        return protocol

    def _send_protocol(self, protocol: SPARQLWrapper) -> _Response:
        """Send the request SPARQLWrapper writes (``query=`` or ``update=`` form-encoded in a POST, the dataset
        parameters, the headers) over this client's pool, with its retries, timeouts and credentials."""
        request = protocol._createRequest()
        body = request.data if isinstance(request.data, bytes) else None
        return self._send(request.get_method(), request.full_url, body=body, headers=dict(request.header_items()),
                          idempotent=protocol.isSparqlQueryRequest())

    def _graph_url(self, graph: ox.NamedNode) -> str:
        store = self.graph_store or ""
        return f"{store}{'&' if '?' in store else '?'}{urlencode({'graph': graph.value})}"

    def _send(self, method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
              idempotent: bool | None = None) -> _Response:
        """One request with the client's retries, timeouts and credentials (answering one 401 challenge)."""
        fields = urllib3.HTTPHeaderDict({"User-Agent": self.agent, "Accept-Encoding": "gzip"})
        for name, value in (headers or {}).items():
            fields[name] = value
        idempotent = method in IDEMPOTENT if idempotent is None else idempotent
        authorization = self._auth.header(method, url)
        if authorization:
            fields["Authorization"] = authorization
        response = self._attempt(method, url, body, fields, idempotent)
        if response.status == 401:
            answer = self._auth.answer(response.headers.getlist("WWW-Authenticate"), method, url)
            if answer and answer != authorization:
                fields["Authorization"] = answer
                response = self._attempt(method, url, body, fields, idempotent)
        return response

    def _attempt(self, method: str, url: str, body: bytes | None, headers: urllib3.HTTPHeaderDict,
                 idempotent: bool) -> _Response:
        retry = self.retry.urllib3(idempotent=idempotent)
        where = url.split("?")[0]
        try:
            response = self.pool.request(method, url, body=body, headers=headers, retries=retry, redirect=False,
                                         timeout=Timeout(connect=self.connect_timeout, read=self.timeout),
                                         preload_content=False)
            data = self._read(response, where)
        except MaxRetryError as error:
            raise self._unreachable(where, error.reason, retry) from None
        except LocationParseError as error:
            raise PolicyKGError(f"not a URL that can be asked: {where!r} ({error})") from None
        except HTTPError as error:
            raise self._unreachable(where, error, retry) from None
        finally:
            self.requests += len(retry.tally) + 1
            self.retries_made += len(retry.tally)
        return _Response(response.status, response.reason or "", response.headers, data, where,
                         len(retry.tally) + 1)

    def _read(self, response: urllib3.BaseHTTPResponse, where: str) -> bytes:
        """The body, decompressed, refused past :attr:`max_bytes` before more is read (a service, or whatever
        answers at its address, cannot make this process hold more)."""
        if self.max_bytes is None:
            data = response.read()
            response.release_conn()
            return data
        data = response.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            response.close()  # the rest is never read: the connection cannot be used again
            raise UpstreamError(f"the answer of {where} is larger than {self.max_bytes} bytes, more than this "
                                "endpoint reads")
        response.read()  # the end of the body (nothing more): the connection goes back to the pool
        response.release_conn()
        return data

    def _unreachable(self, where: str, error: BaseException | None, retry: _Retry) -> UpstreamError:
        attempts = len(retry.tally) + 1
        tries = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
        if isinstance(error, ReadTimeoutError) or (isinstance(error, ConnectTimeoutError)
                                                   and not isinstance(error, NewConnectionError)):
            timeout = self.timeout if isinstance(error, ReadTimeoutError) else self.connect_timeout
            return UpstreamError(f"{where} did not answer within {timeout:g} s{tries}")
        return UpstreamError(f"cannot reach {where}: {_reason(error)}{tries}")

    def _check(self, response: _Response, what: str, *, syntax: bool = False) -> None:
        if 200 <= response.status < 300:
            return
        status = f"{response.status} {response.reason}".strip()
        detail = response.excerpt()
        tries = f" (gave up after {response.attempts} attempts)" if response.attempts > 1 else ""
        if response.status in (401, 403):
            raise UpstreamError(f"{what} refused by {response.url}: {status} (check the credentials and the "
                                f"account's rights){detail}")
        if 300 <= response.status < 400:
            location = response.headers.get("Location", "")
            raise UpstreamError(f"{what} at {response.url}: {status}, redirected to {location[:200]!r} (redirects "
                                "are not followed: give that URL)")
        if syntax and response.status == 400:
            raise SparqlSyntaxError(f"the remote store {response.url} refused the {what}: {status}{detail}")
        raise UpstreamError(f"{what} failed at {response.url}: {status}{detail}{tries}")


def _solutions(reply: Reply) -> list[ox.QuerySolution]:
    answer = parse_results(reply)
    if not isinstance(answer, ox.QuerySolutions):
        raise UpstreamError("the remote store answered a SELECT with a boolean")
    return list(answer)


@dataclass(frozen=True)
class _Response:
    """An answer as read: status, headers, the body (decompressed), the URL asked (without its query string)
    and how many attempts it took."""

    status: int
    reason: str
    headers: urllib3.HTTPHeaderDict
    data: bytes
    url: str
    attempts: int = 1

    @property
    def media_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def truncated(self) -> str | None:
        """What the headers say about a cut answer."""
        note = self.headers.get("X-PolicyKG-Truncated")
        if note:
            return note.strip()[:300]
        rows = self.headers.get("X-SPARQL-MaxRows")
        return f"rows; limit={rows.strip()[:20]} rows" if rows else None

    def excerpt(self, limit: int = 300) -> str:
        text = self.data.decode("utf-8", errors="replace") if self.data else ""
        text = re.sub(r"<[^>]+>", " ", text) if "html" in self.media_type else text
        text = " ".join(text.split())
        return f": {text[:limit]}{'…' if len(text) > limit else ''}" if text else ""


def _reason(error: BaseException | None) -> str:
    cause = error
    while cause is not None and not isinstance(cause, OSError) and (cause.__cause__ or cause.__context__):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, socket.gaierror):
        return "unknown host"
    text = str(error or "")
    match = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if match:
        return match.group(1).strip()
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "the connection was closed before an answer came"
    return text[:200] or type(error).__name__


# -- update text -----------------------------------------------------------------------------------------------------

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
        assert isinstance(node, ox.BlankNode)  # a linked triple has one
        groups.setdefault(root(node.value), []).append(triple)
    yield from groups.values()


__all__ = ["AGENT", "CHUNK_CHARS", "CHUNK_TRIPLES", "GRAPH_ACCEPT", "RESULTS_ACCEPT", "RESULTS_TYPES", "SPARQL_JSON",
           "Credentials", "Reply", "RetryPolicy", "SparqlClient", "blank_node_label", "check_endpoint", "parse_graph",
           "parse_results", "standard_json", "standard_xml", "update_chunks"]
