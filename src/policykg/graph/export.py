"""``policykg export``: the chosen named graphs of a build, written by the one RDF writer
(:mod:`policykg.rdf_writer`: the same graph gives the same bytes, so that diffs between versions read well).

Triple formats (Turtle, N-Triples, RDF/XML) merge the named graphs; quad formats (TriG, N-Quads, JSON-LD) keep
them. The formats and their names are :data:`policykg.formats.GRAPH_FORMATS`.

A graph is chosen by its IRI or by its name: the path of its source file without the suffix, and without ``data/``
for the curated data files (``ai-act``, ``publications/migration-pact``, ``ontology/vocabularies/stance``,
``queries``). The data-only export (:data:`DATA_GRAPHS`) holds the curated data files and the SKOS vocabularies
(the concepts the data points to, with their labels): no ontology, import stub, shape, query definition or
inference.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from policykg.errors import NotAcceptable, PolicyKGError
from policykg.formats import GRAPH_FORMATS, TRIG, TURTLE, Format, by_name
from policykg.graph.load import load_build, ox_quads, read_build
from policykg.namespaces import GRAPH, INFERRED_GRAPH, PREFIXES
from policykg.project import Project
from policykg.rdf_writer import GraphName, context_document, write_rdf, write_store, write_texts

#: The graphs of the data-only export, by the start of their IRI: the curated data and the SKOS vocabularies.
DATA_GRAPHS = (str(GRAPH) + "data/", str(GRAPH) + "ontology/vocabularies/")


class UnknownGraph(PolicyKGError):
    """A graph asked for by a name or IRI the dataset does not have; ``accepted`` lists the names it has."""

    def __init__(self, name: str, accepted: Sequence[str]) -> None:
        super().__init__(f"no graph {name!r} in the dataset; the graphs are: {', '.join(accepted)}")
        self.accepted = list(accepted)


@dataclass(frozen=True)
class GraphInfo:
    name: str       # the short name (see the module's doc)
    iri: str
    triples: int


def graph_short_name(iri: str) -> str:
    """``ai-act`` for ``graph/data/ai-act``, ``ontology/vocabularies/stance`` for its graph; else the IRI."""
    if not iri.startswith(str(GRAPH)):
        return iri
    slug = iri[len(str(GRAPH)):]
    return slug[len("data/"):] if slug.startswith("data/") else slug


def graph_iri(name: str, iris: Iterable[str]) -> str:
    """The IRI of the graph called ``name`` (a short name, ``data/<name>``, ``graph:<slug>`` or the IRI) among
    ``iris``; raises :class:`UnknownGraph` listing the short names."""
    known = sorted(set(iris))
    wanted = name.strip()
    if wanted.startswith("graph:"):
        wanted = str(GRAPH) + wanted[len("graph:"):]
    for iri in known:
        if wanted in (iri, f"<{iri}>", graph_short_name(iri)) or (
                iri.startswith(str(GRAPH)) and wanted == iri[len(str(GRAPH)):]):
            return iri
    raise UnknownGraph(name, [graph_short_name(iri) for iri in known])


def source_prefixes(project: Project) -> dict[str, str]:
    """The prefixes to publish: :data:`~policykg.namespaces.PREFIXES` and those the project's Turtle and TriG
    source files declare. A name that two files bind to different namespaces is left out, and so is a second name
    for a namespace that has one (the name most files use wins, then the first in alphabetical order)."""
    uses: dict[str, dict[str, int]] = {}
    for path in [*project.ontology_files(), *project.vocabulary_files(), *project.shape_files(),
                 *project.data_files()]:
        if path.suffix.lower() not in TURTLE.suffixes + TRIG.suffixes:
            continue
        parser = ox.parse(path=str(path), format=TURTLE.rdf if path.suffix.lower() in TURTLE.suffixes else TRIG.rdf)
        for _ in parser:
            pass
        for prefix, namespace in parser.prefixes.items():
            if prefix:
                counts = uses.setdefault(prefix, {})
                counts[namespace] = counts.get(namespace, 0) + 1
    chosen = dict(PREFIXES)
    named = set(PREFIXES.values())
    candidates = sorted(((-sum(counts.values()), prefix, next(iter(counts))) for prefix, counts in uses.items()
                         if len(counts) == 1 and prefix not in PREFIXES))
    for _, prefix, namespace in candidates:
        if namespace not in named and namespace[-1:] in ("/", "#"):
            chosen[prefix] = namespace
            named.add(namespace)
    return chosen


def project_context(project: Project) -> bytes:
    """The JSON-LD context the exports name (``context.jsonld`` in the package), from the project's sources."""
    return context_document(source_prefixes(project))


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


def export_file(nquads: Path, fmt: Format, *, graph: str | Sequence[str] | None = None, inferred: bool = False,
                data_only: bool = False, context_iri: bool = False) -> bytes:
    """A build's N-Quads file, its chosen graphs in ``fmt`` (see :func:`export_store`). Read by the engine, its
    literals as the server's store holds them (canonical form, e.g. ``…Z`` for ``…+00:00``), so that the server's
    downloads and answers hold the same bytes."""
    texts = read_build(nquads)
    iris = [name.value for name in texts if isinstance(name, ox.NamedNode)]
    return write_texts(texts, fmt, graphs=_chosen(iris, graph, inferred, data_only),
                       published_context="iri" if context_iri else "inline")


def export_store(engine: ox.Store, fmt: Format, *, graph: str | Sequence[str] | None = None,
                 inferred: bool = False, data_only: bool = False, context_iri: bool = False) -> bytes:
    """The chosen graphs of ``engine`` in ``fmt``: ``graph`` (names or IRIs, see :func:`graph_iri`), else the
    data graphs with ``data_only``, else every graph (the inferred one only with ``inferred``). JSON-LD is
    compacted with the published context, written in full, or named by its IRI with ``context_iri``."""
    iris = [name.value for name in engine.named_graphs() if isinstance(name, ox.NamedNode)]
    return write_store(engine, fmt, graphs=_chosen(iris, graph, inferred, data_only),
                       published_context="iri" if context_iri else "inline")


def _chosen(iris: list[str], graph: str | Sequence[str] | None, inferred: bool, data_only: bool) -> list[GraphName]:
    if graph is not None:
        keep = {graph_iri(name, iris) for name in ([graph] if isinstance(graph, str) else graph)}
    elif data_only:
        keep = {iri for iri in iris if iri.startswith(DATA_GRAPHS)}
    else:
        keep = {iri for iri in iris if inferred or iri != str(INFERRED_GRAPH)}
    return [ox.NamedNode(iri) for iri in sorted(keep)]


def list_graphs(nquads: Path) -> list[GraphInfo]:
    """The named graphs of a build's N-Quads file: short name, IRI and triple count, by name."""
    engine = load_build(nquads)
    found = []
    for name in engine.named_graphs():
        if isinstance(name, ox.NamedNode):
            count = sum(1 for _ in engine.quads_for_pattern(None, None, None, name))
            found.append(GraphInfo(graph_short_name(name.value), name.value, count))
    return sorted(found, key=lambda info: info.name)



def serialize(dataset: Dataset | Iterable[ox.Quad], format_name: str) -> bytes:
    """Write ``dataset`` (rdflib's, or pyoxigraph quads) in the format called ``format_name``."""
    fmt = graph_format(format_name)
    quads = to_quads(dataset) if isinstance(dataset, Dataset) else dataset
    return write_rdf(quads, fmt)


def to_quads(dataset: Dataset) -> list[ox.Quad]:
    """An rdflib dataset as pyoxigraph quads (blank nodes keep their identity across graphs)."""
    return list(ox_quads(dataset.quads((None, None, None, None))))



__all__ = ["DATA_GRAPHS", "GraphInfo", "UnknownGraph", "export_file", "export_store", "graph_format", "graph_iri",
           "graph_short_name", "list_graphs", "project_context", "select_graphs", "select_quads", "serialize",
           "source_prefixes", "to_quads"]
