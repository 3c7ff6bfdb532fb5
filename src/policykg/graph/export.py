"""``policykg export``: the chosen named graphs of a build, written by the one RDF writer
(:mod:`policykg.rdf_writer`: the same graph gives the same bytes, so that diffs between versions read well).

Triple formats (Turtle, N-Triples, RDF/XML) merge the named graphs; quad formats (TriG, N-Quads, JSON-LD) keep
them. The formats and their names are :data:`policykg.formats.GRAPH_FORMATS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from policykg.errors import NotAcceptable, PolicyKGError
from policykg.formats import GRAPH_FORMATS, NQUADS, Format, by_name
from policykg.graph.load import ox_quads
from policykg.namespaces import INFERRED_GRAPH
from policykg.rdf_writer import write_rdf, write_store


def graph_format(name: str) -> Format:
    """The graph format called ``name`` (``ttl``, ``nt``, ``xml``, ``jsonld``, ``trig``, ``nq``, …)."""
    try:
        return by_name(name, GRAPH_FORMATS)
    except NotAcceptable:
        known = ", ".join(f.name for f in GRAPH_FORMATS)
        raise PolicyKGError(f"unknown export format {name!r} (known: {known})") from None


def select_graphs(dataset: Dataset, *, graph: str | None = None, inferred: bool = False) -> Dataset:
    """A copy of ``dataset`` with only the chosen named graphs: one IRI, or all (the inferred graph only when
    asked for)."""
    names = {g for *_, g in dataset.quads((None, None, None, None))}
    keep = _kept(names, graph, inferred)
    selected = Dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if g in keep:
            # rdflib's add() takes a graph's name where its stubs say a Graph (it resolves one, in _spoc/_graph).
            selected.add((s, p, o, cast(Graph, g)))
    return selected


def select_quads(quads: Iterable[ox.Quad], *, graph: str | None = None, inferred: bool = False) -> list[ox.Quad]:
    """The quads of the chosen named graphs, as :func:`select_graphs` chooses them."""
    quads = list(quads)
    names = {URIRef(q.graph_name.value) for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    keep = {str(name) for name in _kept(names, graph, inferred)}
    return [q for q in quads if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in keep]


def _kept(names: set, graph: str | None, inferred: bool) -> set:
    if graph is not None:
        if URIRef(graph) not in names:
            raise PolicyKGError(f"no named graph {graph!r} in the dataset")
        return {URIRef(graph)}
    return {g for g in names if inferred or g != INFERRED_GRAPH}


def export_file(nquads: Path, fmt: Format, *, graph: str | None = None, inferred: bool = False) -> bytes:
    """A build's N-Quads file, its chosen graphs in ``fmt``. Read through the engine, as the server reads it
    (literals in their canonical form, e.g. ``…Z`` for ``…+00:00``), so that the server's downloads and answers
    hold the same bytes."""
    engine = ox.Store()
    engine.bulk_load(path=str(nquads), format=NQUADS.rdf)
    names = {URIRef(name.value) for name in engine.named_graphs() if isinstance(name, ox.NamedNode)}
    keep = [ox.NamedNode(str(name)) for name in _kept(names, graph, inferred)]
    return write_store(engine, fmt, graphs=keep)


def serialize(dataset: Dataset | Iterable[ox.Quad], format_name: str) -> bytes:
    """Write ``dataset`` (rdflib's, or pyoxigraph quads) in the format called ``format_name``."""
    fmt = graph_format(format_name)
    quads = to_quads(dataset) if isinstance(dataset, Dataset) else dataset
    return write_rdf(quads, fmt)


def to_quads(dataset: Dataset) -> list[ox.Quad]:
    """An rdflib dataset as pyoxigraph quads (blank nodes keep their identity across graphs)."""
    return list(ox_quads(dataset.quads((None, None, None, None))))



__all__ = ["export_file", "graph_format", "select_graphs", "select_quads", "serialize", "to_quads"]
