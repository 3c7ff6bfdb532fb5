"""Deterministic serialisation: the same graph gives the same bytes, so that diffs between versions read well.

Turtle is grouped by subject with the project's prefixes; blank nodes are relabelled canonically (RDFC-style,
through rdflib's canonical graph) so that N-Triples and N-Quads can be sorted line by line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from policykg.errors import PolicyKGError
from policykg.namespaces import INFERRED_GRAPH, bind_prefixes


@dataclass(frozen=True)
class ExportFormat:
    name: str
    rdflib_name: str
    media_type: str
    extension: str
    quads: bool


EXPORT_FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("ttl", "turtle", "text/turtle", ".ttl", False),
    ExportFormat("nt", "nt", "application/n-triples", ".nt", False),
    ExportFormat("xml", "xml", "application/rdf+xml", ".rdf", False),
    ExportFormat("jsonld", "json-ld", "application/ld+json", ".jsonld", True),
    ExportFormat("trig", "trig", "application/trig", ".trig", True),
    ExportFormat("nq", "nquads", "application/n-quads", ".nq", True),
)}


def select_graphs(dataset: Dataset, *, graph: str | None = None, inferred: bool = False) -> Dataset:
    """A copy of ``dataset`` with only the chosen named graphs: one IRI, or all (the inferred graph only when
    asked for)."""
    names = {g for *_, g in dataset.quads((None, None, None, None))}
    if graph is not None:
        if URIRef(graph) not in names:
            raise PolicyKGError(f"no named graph {graph!r} in the dataset")
        keep = {URIRef(graph)}
    else:
        keep = {g for g in names if inferred or g != INFERRED_GRAPH}
    selected = Dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if g in keep:
            selected.add((s, p, o, g))
    return selected


def serialize(dataset: Dataset, format_name: str) -> bytes:
    """Serialise deterministically. Triple formats get the union of the graphs; quad formats keep them."""
    fmt = EXPORT_FORMATS.get(format_name)
    if fmt is None:
        raise PolicyKGError(f"unknown export format {format_name!r} (known: {', '.join(EXPORT_FORMATS)})")
    if fmt.quads:
        canonical = Dataset()
        for name in sorted({g for *_, g in dataset.quads((None, None, None, None))}):
            target = canonical.graph(name)
            # Canonical labels are per graph; a graph-specific prefix keeps them apart in the dataset.
            scope = hashlib.sha256(str(name).encode()).hexdigest()[:8]
            for triple in _canonical(dataset.graph(name)):
                target.add(tuple(BNode(f"g{scope}{t}") if isinstance(t, BNode) else t for t in triple))
        bind_prefixes(canonical)
        if fmt.name == "nq":
            return _sorted_lines(canonical.serialize(format="nquads"))
        return _encode(canonical.serialize(format=fmt.rdflib_name))
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    graph = bind_prefixes(_canonical(union))
    if fmt.name == "nt":
        return _sorted_lines(graph.serialize(format="nt"))
    return _encode(graph.serialize(format=fmt.rdflib_name))


def _canonical(graph: Graph) -> Graph:
    if not any(isinstance(term, BNode) for triple in graph for term in triple):
        return graph
    canonical = Graph()
    canonical += to_canonical_graph(graph)  # rdflib returns a read-only aggregate
    return canonical


def _sorted_lines(text: str | bytes) -> bytes:
    lines = sorted(line for line in _encode(text).decode().splitlines() if line.strip())
    return ("\n".join(lines) + "\n").encode()


def _encode(data: str | bytes) -> bytes:
    return data.encode() if isinstance(data, str) else data
