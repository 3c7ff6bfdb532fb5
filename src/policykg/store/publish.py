"""Publishing the build to a SPARQL 1.1 store, graph by graph, and checking what arrived.

:func:`publish` reads the build's N-Quads (one named graph per source file, plus ``graph/inferred`` and
``graph/queries``), writes every named graph to the store (a Graph Store Protocol ``PUT`` per graph, which
replaces the graph: publishing twice gives the same store; or SPARQL Update where the store has no graph store,
see :mod:`policykg.sparql.client`), then asks the store how many triples each graph holds and compares with the
build. With ``replace=True`` it first drops every graph of the store under the project's graph base
(``namespaces.GRAPH``), so that graphs of an older build that this one no longer has go too; without it such
graphs are left alone and the report names them.

The answer is a :class:`PublishReport`. When a write fails, publishing stops there and :class:`PublishFailed`
carries the report: which graphs were published, which one failed and why, which were not attempted. When a count
differs, the report says which graphs and by how much.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.errors import DataLoadError, PolicyKGError, UpstreamError
from policykg.formats import NQUADS
from policykg.namespaces import GRAPH
from policykg.sparql.client import SparqlClient

PUBLISHED, MISMATCH, FAILED, NOT_ATTEMPTED = "published", "count mismatch", "failed", "not attempted"


@dataclass
class GraphOutcome:
    graph: str                       # the graph's IRI
    triples: int                     # in the build
    status: str = NOT_ATTEMPTED      # published, count mismatch, failed, not attempted
    remote: int | None = None        # triples the store holds, once verified
    error: str | None = None


@dataclass
class PublishReport:
    endpoint: str
    graph_store: str | None
    version: str | None                              # the build published
    graphs: list[GraphOutcome] = field(default_factory=list)
    method: str = ""                                 # graph store or SPARQL Update
    fallback: str | None = None                      # why the graph store was not used, if it was given
    dropped: list[str] = field(default_factory=list)  # with replace: our graphs dropped first
    stale: list[str] = field(default_factory=list)   # without replace: our graphs on the store not in the build
    verified: bool = False                           # every count was compared
    error: str | None = None                         # what stopped publishing
    seconds: float = 0.0

    @property
    def published(self) -> list[str]:
        return [g.graph for g in self.graphs if g.status == PUBLISHED]

    @property
    def not_published(self) -> list[str]:
        return [g.graph for g in self.graphs if g.status != PUBLISHED]

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    @property
    def ok(self) -> bool:
        return self.verified and not self.not_published and self.error is None

    def lines(self, limit: int = 10) -> list[str]:
        """The report as text lines (at most ``limit`` graph names per list)."""
        how = self.method + (f" ({self.fallback})" if self.fallback else "")
        out = [f"publish {('build ' + self.version[:12]) if self.version else 'dataset'} to {self.endpoint}"
               f" via {how or 'nothing'}: {len(self.published)} of {len(self.graphs)} graphs published"
               f"{' and verified' if self.verified else ''} ({self.triples} triples in the build, "
               f"{self.seconds:.1f} s)"]
        if self.dropped:
            out.append(f"dropped first ({len(self.dropped)}): " + _names(self.dropped, limit))
        if self.error:
            out.append(f"stopped: {self.error}")
        for outcome in self.graphs:
            if outcome.status == FAILED:
                out.append(f"failed: <{outcome.graph}>: {outcome.error}")
        mismatched = [g for g in self.graphs if g.status == MISMATCH]
        for outcome in mismatched[:limit]:
            out.append(f"count mismatch: <{outcome.graph}>: {outcome.triples} triples in the build, "
                       f"{outcome.remote} in the store")
        if len(mismatched) > limit:
            out.append(f"count mismatch: … and {len(mismatched) - limit} more graphs")
        if self.not_published:
            out.append(f"not published ({len(self.not_published)}): " + _names(self.not_published, limit))
        if self.published and not self.ok:
            out.append(f"published ({len(self.published)}): " + _names(self.published, limit))
        if self.stale:
            out.append(f"left in place, not in this build ({len(self.stale)}; --replace drops them): "
                       + _names(self.stale, limit))
        return out


class PublishFailed(UpstreamError):
    """Publishing stopped or the store does not hold what was sent; ``report`` says what was and was not
    published."""

    def __init__(self, report: PublishReport) -> None:
        self.report = report
        missing = report.not_published
        if report.error:
            message = f"publishing stopped after {len(report.published)} of {len(report.graphs)} graphs: {report.error}"
        else:
            message = f"the store does not hold what was published ({len(missing)} graphs differ)"
        if missing:
            message += f"; not published: {_names(missing, 5)}"
        super().__init__(message)


def read_graphs(nquads: Path | str) -> dict[ox.NamedNode, list[ox.Triple]]:
    """The named graphs of an N-Quads file (each triple once), by graph IRI. Triples in the default graph
    are refused: a store's default graph is often the union of all its graphs, so they could not be told apart."""
    graphs: dict[ox.NamedNode, dict[ox.Triple, None]] = {}
    try:
        for quad in ox.parse(path=str(nquads), format=NQUADS.rdf):
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise DataLoadError(str(nquads), f"a triple outside a named graph cannot be published: {quad}")
            graphs.setdefault(quad.graph_name, {})[quad.triple] = None
    except (SyntaxError, ValueError, OSError) as error:
        raise DataLoadError(str(nquads), f"cannot read: {error}") from None
    return {name: list(graphs[name]) for name in sorted(graphs, key=lambda graph: graph.value)}


def publish(graphs: dict[ox.NamedNode, list[ox.Triple]], client: SparqlClient, *, replace: bool = False,
            version: str | None = None, on_graph: Callable[[GraphOutcome], None] | None = None) -> PublishReport:
    """Write ``graphs`` (see :func:`read_graphs`) to the store of ``client`` and verify the counts. Returns the
    report; raises :class:`PublishFailed` (with it) when a write fails or a count differs."""
    started = time.monotonic()
    report = PublishReport(client.endpoint, client.graph_store, version,
                           [GraphOutcome(g.value, len(triples)) for g, triples in graphs.items()])
    report.method = client.writes_with
    names = list(graphs)
    try:
        _run(report, names, graphs, client, replace, on_graph)
    finally:
        report.method = client.writes_with
        report.fallback = client.graph_store_refused
        report.seconds = time.monotonic() - started
    if not report.ok:
        raise PublishFailed(report)
    return report


def _run(report: PublishReport, names: list[ox.NamedNode], graphs: dict[ox.NamedNode, list[ox.Triple]],
         client: SparqlClient, replace: bool, on_graph: Callable[[GraphOutcome], None] | None) -> None:
    current = None
    try:
        ours = client.graph_names(under=str(GRAPH))
        if replace:
            for graph in ours:
                client.drop_graph(graph)
                report.dropped.append(graph.value)
        else:
            built = {g.value for g in names}
            report.stale = [g.value for g in ours if g.value not in built]
        for name, outcome in zip(names, report.graphs):
            current = outcome
            client.replace_graph(name, graphs[name])
            outcome.status = PUBLISHED
            current = None
            if on_graph:
                on_graph(outcome)
    except PolicyKGError as error:
        report.error = str(error)
        if current is not None:
            current.status, current.error = FAILED, str(error)
        return
    try:
        counts = client.graph_counts(names)
    except PolicyKGError as error:
        report.error = f"the counts could not be checked: {error}"
        return
    for outcome in report.graphs:
        outcome.remote = counts.get(outcome.graph, 0)
        if outcome.remote != outcome.triples:
            outcome.status = MISMATCH
    report.verified = True


def _names(graphs: list[str], limit: int) -> str:
    shown = ", ".join(f"<{g}>" for g in graphs[:limit])
    return shown + (f" … and {len(graphs) - limit} more" if len(graphs) > limit else "")


__all__ = ["FAILED", "MISMATCH", "NOT_ATTEMPTED", "PUBLISHED", "GraphOutcome", "PublishFailed", "PublishReport",
           "publish", "read_graphs"]
