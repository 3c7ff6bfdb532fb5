"""A :class:`~policykg.store.local.Store` over a remote SPARQL 1.1 endpoint (Virtuoso, Fuseki, GraphDB, another
``policykg serve``...), so that the named queries, the pages and ``/sparql`` can run on a published graph.

* Queries go by HTTP POST through :class:`policykg.sparql.client.SparqlClient` (the package's one SPARQL client:
  SPARQLWrapper requests over urllib3, with its retries, timeouts, credentials and typed errors). SELECT and ASK
  ask for SPARQL XML results, else JSON (``RESULTS_ACCEPT``: Virtuoso writes XML faster), and come back as
  pyoxigraph's ``QuerySolutions`` / ``QueryBoolean`` (``pyoxigraph.parse_query_results``), so every serializer of
  the embedded store works unchanged; CONSTRUCT and DESCRIBE ask for N-Triples and come back as a list of
  ``Triple``.
* An answer the remote cut at one of its limits (``policykg serve --max-rows``, Virtuoso's ``ResultSetMaxRows``)
  is read as far as it goes (``policykg serve``'s ``"truncated": true`` after the JSON bindings included), and
  the cut is said: :attr:`RemoteStore.truncated` holds what the remote said about it, for the last answer of the
  calling thread, and a warning is logged (``policykg.store.remote``). The lists of graphs and their counts that
  the store asks for itself are read page by page instead, so that they are whole.
* The options of :meth:`Store.query` are translated: ``prefixes`` and ``base_iri`` become the query's prologue
  (declarations in the query itself still win), ``default_graph`` / ``named_graphs`` the protocol's
  ``default-graph-uri`` / ``named-graph-uri``. ``substitutions`` are refused: ``supports_substitutions`` is False,
  so the named queries bind their parameters with a ``VALUES`` block instead.
* The store shows the graphs whose IRI starts with ``scope`` (by default the project's graph base,
  ``namespaces.GRAPH``): the graphs ``policykg publish`` writes, not the remote's own (Virtuoso keeps system
  graphs) nor other data sharing the store. ``use_default_graph_as_union`` is answered, with ``union="explicit"``
  (the default), by naming those graphs as the dataset (``FROM`` / ``FROM NAMED`` in the query, see
  :func:`with_dataset`: the same rows as the embedded store), and with ``union="remote"`` by the remote's own
  default graph, which Virtuoso, GraphDB and others make the union of all their graphs (no cost per query, for
  stores with thousands of graphs; their other graphs are then visible to the queries too). When naming the
  graphs would make the query text longer than ``max_query_chars`` (64 Ki characters by default: what ``policykg
  serve`` accepts, and about 550 of our graph names), which the remote would refuse (413) or choke on, the query
  is sent as with ``union="remote"``, and a warning says so once. Neither is needed when the remote's service
  description says its default graph is the union of its named graphs and names only graphs in scope (as
  ``policykg serve``'s does, see :meth:`RemoteStore.union_is_scope`): queries then go as they are.
* ``version`` is a hash of the endpoint and of the triple count of each graph in scope, asked at most once per
  ``cache_seconds`` (default 30 s; counting 1M triples takes Virtuoso about 4 s), together with the graph names:
  stable while the remote data is, so ETags keep working. A change that keeps every graph's count (a triple
  replaced by another) goes unseen; give ``version=`` instead when the remote data never changes.
* Read-only unless ``writable=True`` (then updates and graph writes go to the endpoint and its graph store).

The remote's default graph is never addressed as a graph of its own: ``triples(DefaultGraph())`` is empty, as in
the embedded store, where every triple of the build is in a named graph.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox

from policykg.errors import PolicyKGError, QueryRefused, SparqlSyntaxError, UpstreamError
from policykg.namespaces import GRAPH, SD
from policykg.sparql.client import (
    GRAPH_ACCEPT,
    RESULTS_ACCEPT,
    RESULTS_TYPES,
    Credentials,
    RetryPolicy,
    SparqlClient,
    parse_graph,
    parse_results,
    update_chunks,
)
from policykg.sparql.text import mask, prologue, query_form, where_brace
from policykg.store.local import Answer, GraphName, Store

SCHEMES = ("sparql+http://", "sparql+https://")
UNION_MODES = ("explicit", "remote")
#: The longest query text sent with its graphs named (``policykg serve`` accepts 64 Ki characters).
MAX_QUERY_CHARS = 64 * 1024
log = logging.getLogger("policykg.store.remote")
#: The options of :meth:`Store.query` (pyoxigraph's) that :meth:`RemoteStore.query` reads.
_QUERY_OPTIONS = frozenset({"base_iri", "prefixes", "default_graph", "named_graphs", "use_default_graph_as_union",
                            "substitutions"})


class RemoteStore(Store):
    """The graphs of a remote SPARQL endpoint behind the :class:`Store` interface."""

    local = False
    supports_substitutions = False

    def __init__(self, endpoint: str, *, graph_store: str | None = None, credentials: Credentials | None = None,
                 timeout: float = 60.0, union: str = "explicit", scope: str | None = str(GRAPH),
                 writable: bool = False, cache_seconds: float = 30.0, version: str | None = None,
                 retry: RetryPolicy | None = None, max_query_chars: int = MAX_QUERY_CHARS) -> None:
        if union not in UNION_MODES:
            raise PolicyKGError(f"union must be one of {', '.join(UNION_MODES)}, not {union!r}")
        self.client = SparqlClient(endpoint, graph_store=graph_store, credentials=credentials, timeout=timeout,
                                   retry=retry)
        self.union = union
        self.max_query_chars = max_query_chars
        self._said_too_many = False
        self._last = threading.local()
        self.scope = scope or None
        self.writable = writable
        self.cache_seconds = cache_seconds
        self._fixed_version = version
        self._counts: dict[str, int] | None = None
        self._counted_at = 0.0
        self._union_is_scope: bool | None = None
        self._union_checked_at = 0.0

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RemoteStore:
        """The store of ``sparql+http://HOST/PATH`` or ``sparql+https://…``: the URL after ``sparql+`` is the
        endpoint. A fragment may set options (it is never sent): ``#union=remote``, ``#scope=all`` (every graph of
        the endpoint) or ``#scope=IRI`` (the graphs under that IRI), ``#cache=SECONDS`` (how long the graph counts
        and so the version are kept), joined with ``&``."""
        if not url.startswith(SCHEMES):
            raise PolicyKGError(f"a remote store is written sparql+http://HOST/PATH or sparql+https://…, not {url!r}")
        endpoint, _, fragment = url[len("sparql+"):].partition("#")
        for key, value in parse_qsl(fragment, keep_blank_values=True):
            if key == "union":
                options.setdefault("union", value)
            elif key == "scope":
                options.setdefault("scope", None if value == "all" else value)
            elif key == "cache":
                try:
                    options.setdefault("cache_seconds", float(value))
                except ValueError:
                    raise PolicyKGError(f"cache=SECONDS in {url!r}: not a number: {value!r}") from None
            else:
                raise PolicyKGError(f"unknown option {key!r} in {url!r} (known: union, scope, cache)")
        return cls(endpoint, **options)

    @property
    def endpoint(self) -> str:
        return self.client.endpoint

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r}, union={self.union!r}, scope={self.scope!r})"

    @property
    def truncated(self) -> str | None:
        """What the remote said about cutting the last answer this thread received (its
        ``X-PolicyKG-Truncated`` text, ``rows; limit=N rows``, or ``rows``); None when that answer was whole."""
        return getattr(self._last, "truncated", None)

    # -- what is there ---------------------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Triples per graph in scope, asked again once ``cache_seconds`` have passed."""
        now = time.monotonic()
        if self._counts is None or now - self._counted_at >= self.cache_seconds:
            self._counts = self.client.graph_counts(under=self.scope)
            self._counted_at = now
        return self._counts

    def union_is_scope(self) -> bool:
        """Whether the remote's own default graph holds exactly the graphs in scope: its service description says
        that the default graph is the union of the named graphs (``sd:UnionDefaultGraph``) and names them, all in
        scope (``policykg serve`` does). Queries then run on the remote's default graph as they are, with the
        same rows as naming the graphs, which would cost a count of every graph and a long query text. Asked
        again once ``cache_seconds`` have passed, as the graph counts are (the remote may gain other graphs)."""
        now = time.monotonic()
        if self._union_is_scope is None or now - self._union_checked_at >= self.cache_seconds:
            self._union_checked_at = now
            triples = self.client.service_description() or []
            feature, name = ox.NamedNode(str(SD.feature)), ox.NamedNode(str(SD.name))
            union = any(t.predicate == feature and t.object == ox.NamedNode(str(SD.UnionDefaultGraph))
                        for t in triples)
            names = [t.object.value for t in triples if t.predicate == name and isinstance(t.object, ox.NamedNode)]
            self._union_is_scope = union and bool(names) and all(
                self.scope is None or graph.startswith(self.scope) for graph in names)
        return self._union_is_scope

    def _forget(self) -> None:
        self._counts = None

    @property
    def version(self) -> str:
        if self._fixed_version is not None:
            return self._fixed_version
        digest = hashlib.sha256(self.endpoint.encode() + b"\0" + (self.scope or "").encode())
        for graph, count in sorted(self.counts().items()):
            digest.update(f"\n{graph} {count}".encode())
        return "remote-" + digest.hexdigest()[:40]

    def graph_names(self) -> list[ox.NamedNode | ox.BlankNode]:
        return [ox.NamedNode(name) for name in sorted(self.counts())]

    def contains_graph(self, name: GraphName) -> bool:
        return isinstance(name, ox.DefaultGraph) or (isinstance(name, ox.NamedNode) and name.value in self.counts())

    def __len__(self) -> int:
        return sum(self.counts().values())

    # -- queries ---------------------------------------------------------------------------------------------------

    def query(self, query: str, **options: Any) -> Answer | list[ox.Triple]:
        unknown = set(options) - _QUERY_OPTIONS
        if unknown:
            raise TypeError(f"query() got an unexpected keyword argument {sorted(unknown)[0]!r}")
        base_iri: str | None = options.get("base_iri")
        prefixes: dict[str, str] | None = options.get("prefixes")
        default_graph: Any = options.get("default_graph")
        named_graphs: Any = options.get("named_graphs")
        use_default_graph_as_union: bool = options.get("use_default_graph_as_union", False)
        substitutions: dict[Any, Any] | None = options.get("substitutions")
        if substitutions:
            raise PolicyKGError("a remote store takes no substitutions: bind parameters with VALUES "
                                "(supports_substitutions is False)")
        form = query_form(query)
        head = prologue(base_iri, prefixes)
        text = head + query
        dataset: dict[str, list[str]] = {}
        if default_graph is not None or named_graphs is not None:
            dataset = {"default_graphs": _iris(default_graph, "default_graph"),
                       "named_graphs": _iris(named_graphs, "named_graphs")}
        elif use_default_graph_as_union and self.union == "explicit" and not self.union_is_scope():
            # No graph in scope: an IRI that names no graph, so that the dataset is empty, not the whole store.
            names = sorted(self.counts()) or [self.scope or str(GRAPH)]
            rewritten = with_dataset(query, names)
            if rewritten is None and _dataset_size(names) + len(text) <= self.max_query_chars:
                dataset = {"default_graphs": names, "named_graphs": names}
            elif rewritten is not None and len(head) + len(rewritten) <= self.max_query_chars:
                text = head + rewritten
            elif not self._said_too_many:
                self._said_too_many = True
                log.warning("%s: naming the %d graphs in scope would make queries longer than %d characters: "
                            "they run on the remote's own default graph instead", self.endpoint, len(names),
                            self.max_query_chars)
        accept = RESULTS_ACCEPT if form in ("SELECT", "ASK") else GRAPH_ACCEPT
        reply = self.client.query(text, accept=accept, **dataset)
        self._last.truncated = reply.truncated
        if reply.truncated:
            log.warning("%s cut the answer at one of its limits (%s): the answer is not whole", self.endpoint,
                        reply.truncated)
        if reply.media_type in RESULTS_TYPES:
            return parse_results(reply)
        if form in ("SELECT", "ASK"):
            raise UpstreamError(f"the remote store answered a {form} with {reply.media_type or 'no media type'}, "
                                "not SPARQL results")
        return parse_graph(reply)

    # -- graphs ----------------------------------------------------------------------------------------------------

    def triples(self, graph: GraphName) -> Iterator[ox.Triple]:
        if not isinstance(graph, ox.NamedNode) or not self.contains_graph(graph):
            return iter(())
        expected = self.counts().get(graph.value, 0)
        if self.client.graph_store:
            reply = self.client.get_graph(graph)
        else:
            reply = self.client.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}",
                                      accept=GRAPH_ACCEPT)
        triples = parse_graph(reply)
        if len(triples) < expected or reply.truncated:
            cut = f"cut at one of its limits: {reply.truncated}" if reply.truncated else "a cap on its answers?"
            raise UpstreamError(f"the remote store gave {len(triples)} of the {expected} triples of graph "
                                f"<{graph.value}> ({cut})")
        return iter(triples)

    def quads(self) -> Iterator[ox.Quad]:
        for graph in self.graph_names():
            for triple in self.triples(graph):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    # -- writes (only when writable) -------------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if not self.writable:
            raise QueryRefused(f"the remote store {self.endpoint} is read-only here")

    def update(self, update: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        self._check_writable()
        try:
            self.client.update(prologue(base_iri, prefixes) + update)
        finally:
            self._forget()

    def replace_graph(self, graph: GraphName, triples: Iterable[ox.Triple]) -> bool:
        self._check_writable()
        name = _named(graph)
        created = not self.contains_graph(name)
        try:
            self.client.replace_graph(name, list(triples))
        finally:
            self._forget()
        return created

    def add_to_graph(self, graph: GraphName, triples: Iterable[ox.Triple]) -> bool:
        self._check_writable()
        name = _named(graph)
        created = not self.contains_graph(name)
        try:
            for chunk in update_chunks(name, triples):
                self.client.update(chunk)
        finally:
            self._forget()
        return created

    def drop_graph(self, graph: GraphName) -> bool:
        self._check_writable()
        name = _named(graph)
        existed = self.contains_graph(name)
        try:
            self.client.drop_graph(name)
        finally:
            self._forget()
        return existed


def with_dataset(text: str, graphs: list[str]) -> str | None:
    """``text`` with ``FROM <g> FROM NAMED <g>`` for each graph before its WHERE group, or None when it has no
    place for them (``CONSTRUCT WHERE``, a DESCRIBE without WHERE). The dataset goes in the text rather than in the
    protocol's ``default-graph-uri`` parameters because Virtuoso echoes each of those in a response header, and
    past a hundred headers Python's HTTP client refuses the answer."""
    try:
        brace = where_brace(text)
    except SparqlSyntaxError:
        return None
    keyword = re.search(r"(?<![?$\w:-])WHERE\s*$", mask(text)[:brace], re.I)
    position = keyword.start() if keyword else brace
    clauses = "".join(f"FROM {_iri(graph)} FROM NAMED {_iri(graph)}\n" for graph in graphs)
    return f"{text[:position]}\n{clauses}{text[position:]}"


def _dataset_size(graphs: list[str]) -> int:
    """About how many characters the protocol's dataset parameters take for ``graphs``."""
    return sum(2 * len(graph) + 40 for graph in graphs)


def _iri(value: str) -> str:
    try:
        return str(ox.NamedNode(value))
    except ValueError as error:
        raise PolicyKGError(f"not an IRI: {value!r} ({error})") from None


def _iris(graphs: Any, option: str) -> list[str]:
    out = []
    for graph in graphs or []:
        if not isinstance(graph, ox.NamedNode):
            raise PolicyKGError(f"{option}: a remote store names graphs by IRI only, not {graph!r}")
        out.append(graph.value)
    return out


def _named(graph: GraphName) -> ox.NamedNode:
    if not isinstance(graph, ox.NamedNode):
        raise PolicyKGError("a remote store writes named graphs only")
    return graph


__all__ = ["MAX_QUERY_CHARS", "SCHEMES", "RemoteStore", "prologue", "with_dataset"]
