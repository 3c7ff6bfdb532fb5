"""The knowledge graph from Python: :func:`open` the project's build in the embedded store, or :func:`connect` to
a SPARQL endpoint that serves it; then :meth:`KnowledgeGraph.query` runs a named query and
:meth:`KnowledgeGraph.sparql` any query text, with the same answers on both.

A named query runs exactly as ``policykg query`` runs it (one registry, typed parameters bound as RDF terms,
:meth:`policykg.queries.registry.NamedQuery.run`), and the dataset is opened by the same functions
(:mod:`policykg.store.connect`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from policykg.api.rows import Rows, Triples
from policykg.api.values import parameter_text
from policykg.errors import PolicyKGError, QueryNotFound, QueryParameterError, UpstreamError
from policykg.namespaces import PREFIXES
from policykg.project import Project
from policykg.queries.registry import NamedQuery, QueryRegistry
from policykg.sparql.results import AskResult, GraphResult, QueryResult, SelectResult, from_engine
from policykg.sparql.text import query_form, words
from policykg.store.connect import embedded_store, remote_store
from policykg.store.local import Store

Answer = Rows | Triples | bool


class KnowledgeGraph:
    """The project's dataset behind a store (embedded or remote), with the named research queries."""

    def __init__(self, store: Store, registry: QueryRegistry | None, *, where: str) -> None:
        self._store: Store | None = store
        self._registry = registry
        self.where = where

    @property
    def store(self) -> Store:
        """The store the queries run on (:class:`policykg.store.local.Store`)."""
        if self._store is None:
            raise PolicyKGError("this graph is closed: open or connect again")
        return self._store

    def __repr__(self) -> str:
        if self._store is None:
            return f"<policykg graph: {self.where}, closed>"
        return f"<policykg graph: {self.where}, version {self.version[:12]}>"

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the store (the embedded one's memory, the remote one's connections)."""
        client = getattr(self._store, "client", None)
        if client is not None:
            client.pool.clear()
        self._store = None

    @property
    def version(self) -> str:
        """The dataset's version: the build's content hash (what ``X-PolicyKG-Dataset-Version`` says)."""
        return self.store.version

    # -- named queries -----------------------------------------------------------------------------------------

    @property
    def registry(self) -> QueryRegistry:
        if self._registry is None:
            raise QueryNotFound("no named queries here: they are read from the project's queries/ folder; give "
                                "connect(url, root=CHECKOUT) or set POLICYKG_ROOT")
        return self._registry

    def named(self, name: str) -> NamedQuery:
        """The named query ``name`` (its title, description, parameters and text); QueryNotFound lists the
        names when there is no such query."""
        return self.registry[name]

    def queries(self) -> Rows:
        """The named queries: name, title, and parameters (``name: type``, with its default)."""
        import pyoxigraph as ox

        rows: list[tuple[Any, ...]] = []
        for query in self.registry.values():
            params = ", ".join(f"{p.name}: {p.type_label}" + (f" = {p.default}" if p.default is not None else
                                                              " (required)" if p.required else "")
                               for p in query.params)
            rows.append((ox.Literal(query.name), ox.Literal(query.title), ox.Literal(params)))
        return Rows(SelectResult(["name", "title", "parameters"], rows))

    def query(self, name: str, params: Mapping[str, Any] | None = None, /, **keywords: Any) -> Answer:
        """Run a named query (see :meth:`queries`; or the path of an ``.rq`` file) with its parameters as keywords
        (or a mapping, and ``from_=`` for a parameter named like a Python keyword, ``from``): text, an IRI
        (``https://…``, a prefixed name such as ``porg:ecre``, or the short name the parameter takes), a
        ``datetime.date``, an ``int``, or a list of them for a parameter that takes several values. Rows for a
        SELECT, triples for a CONSTRUCT, a bool for an ASK. Unknown and badly typed parameters raise
        QueryParameterError."""
        named = self.registry.resolve(name) if str(name).endswith(".rq") else self.registry[name]
        declared = {p.name for p in named.params}
        given = dict(params or {})
        for key, value in keywords.items():
            key = key[:-1] if key.endswith("_") and key not in declared and key[:-1] in declared else key
            if key in given:
                raise QueryParameterError(key, "given twice")
            given[key] = value
        values = {key: parameter_text(key, value) for key, value in given.items()}
        return _answer(named.run(self.store, values))

    # -- any query -----------------------------------------------------------------------------------------------

    def sparql(self, text: str) -> Answer:
        """Run SPARQL query text on the dataset as the endpoint's ``/sparql`` does: the project's prefixes are
        declared, and without FROM the default graph is the union of every graph. Rows for a SELECT, triples for
        a CONSTRUCT or DESCRIBE, a bool for an ASK. A syntax error raises SparqlSyntaxError."""
        if not isinstance(text, str):
            raise PolicyKGError(f"sparql() takes the query text, not {type(text).__name__}")
        query_form(text)  # not a query (an update, a typo): SparqlSyntaxError before the engine
        options: dict[str, Any] = {"prefixes": PREFIXES}
        if "FROM" not in words(text)[0]:
            options["use_default_graph_as_union"] = True
        return _answer(from_engine(self.store.query(text, **options)))


def _answer(result: QueryResult) -> Answer:
    if isinstance(result, AskResult):
        return result.value
    if isinstance(result, GraphResult):
        return Triples(result)
    return Rows(result)


def open(root: str | Path | None = None, *, reason: bool = True, reason_timeout: float | None = 300.0,
         on_step: Callable[[str], None] | None = None) -> KnowledgeGraph:
    """The project's published dataset in an embedded store: the build ``policykg serve`` and ``policykg query``
    use (validated, cached under ``.cache/``: a second open costs one load).

    ``root``: the checkout (default: ``$POLICYKG_ROOT``, the current folder, or the checkout of the package).
    ``reason``: add the OWL reasoner's inferred triples, as ``policykg serve`` does; the first build with the
    reasoner needs a Java runtime (ReasonerUnavailable without one); ``reason=False`` needs none, and the named
    queries give the same rows either way. ``reason_timeout``: seconds HermiT may take (None: no limit).
    ``on_step``: called with a line about each step of the build (``print`` shows them).
    """
    project = Project.locate(root)
    store = embedded_store(project, reason=reason, reason_timeout=reason_timeout, on_step=on_step)
    where = f"the build of {project.root} ({'with' if reason else 'without'} reasoning)"
    return KnowledgeGraph(store, QueryRegistry.from_project(project), where=where)


def connect(url: str, *, root: str | Path | None = None, timeout: float = 60.0, **options: Any) -> KnowledgeGraph:
    """The dataset as a SPARQL endpoint serves it: a running ``policykg serve`` (``http://HOST:PORT/sparql``) or a
    triple store the graph was published to (``policykg publish``). Queries go over the SPARQL 1.1 Protocol
    through the project's SPARQL client; the named queries are read from the checkout at ``root`` (found as
    :func:`open` finds it). ``timeout``: seconds to wait for each answer; ``options``: those of
    :class:`policykg.store.remote.RemoteStore` (``credentials``, ``union``, ``scope``...). The endpoint is asked
    once here, so an unreachable one fails at once (UpstreamError)."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://", "sparql+http://", "sparql+https://")):
        raise PolicyKGError(f"connect() takes a SPARQL endpoint's URL, such as http://127.0.0.1:8000/sparql, "
                            f"not {url!r}")
    store = remote_store(url, timeout=timeout, **options)
    try:
        store.version  # noqa: B018 - reaches the endpoint now rather than at the first query
    except UpstreamError as error:
        path = urlsplit(store.endpoint).path
        if not path.rstrip("/").endswith("sparql") and re.search(r": (404|405) ", str(error)):
            root = store.endpoint.rstrip("/")
            raise UpstreamError(f"{error} (not a SPARQL endpoint? policykg serve answers at {root}/sparql)") from None
        raise
    try:
        registry: QueryRegistry | None = QueryRegistry.from_project(Project.locate(root))
    except PolicyKGError:
        if root is not None:
            raise
        registry = None
    return KnowledgeGraph(store, registry, where=store.endpoint)


__all__ = ["Answer", "KnowledgeGraph", "connect", "open"]
