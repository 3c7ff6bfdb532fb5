"""The build: load -> validate -> reason -> write, as one function the CLI and the server both call.

One path: every file is parsed once, strictly, into a pyoxigraph store; pySHACL validates the merge of its graphs
and the reasoner reads its graphs in place (both through rdflib's interface over pyoxigraph); the named queries
and the inferred triples join it as graphs of their own; pyoxigraph writes it out. The result is cached under
``.cache/`` by the content hash of every input file (and the package version), as an N-Quads file that a store can
bulk-load: starting the server again when nothing changed costs one load.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.term import Node

from policykg import __version__
from policykg.errors import ValidationFailed
from policykg.formats import NQUADS
from policykg.graph.load import graph_name_for, load_files, load_store, ox_quads
from policykg.graph.validate import ValidationReport, dataset_view, merged_graph, validate_store
from policykg.namespaces import INFERRED_GRAPH, QUERIES_GRAPH, bind_prefixes
from policykg.project import Project


@dataclass
class Build:
    """A validated build of the project's graph."""

    version: str                       # content hash of the inputs
    nquads_path: Path                  # the whole dataset, one named graph per source file (+ inferred)
    sources: dict[URIRef, Path]        # named graph -> the file it was read from
    report: ValidationReport | None    # None when the build came from the cache
    inferred_triples: int

    @cached_property
    def dataset(self) -> Dataset:
        """The built dataset, read back from the cached N-Quads (strictly)."""
        return load_files([self.nquads_path])

    @property
    def short_version(self) -> str:
        return self.version[:12]


def input_files(project: Project) -> list[Path]:
    """Every RDF file the build reads: ontology and imports, vocabularies, shapes, data."""
    return project.ontology_files() + project.vocabulary_files() + project.shape_files() + project.data_files()


def content_hash(files: list[Path], root: Path, *, salt: str = "") -> str:
    """A hash of the files' paths (relative to ``root``, so any checkout agrees) and contents."""
    digest = hashlib.sha256(f"policykg {__version__} {salt}\n".encode())
    for path in files:
        digest.update(path.resolve().relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def build_project(project: Project, *, reason: bool = True, use_cache: bool = True,
                  on_step: Callable[[str], None] | None = None, reason_timeout: float | None = 300.0) -> Build:
    """Build the project's dataset. Raises DataLoadError for unreadable input and ValidationFailed (with the
    report) when the graph violates the shapes; warnings do not stop the build. ``reason_timeout``: seconds
    HermiT may take (None or 0: no limit), else ReasonerTimeout; a cached reasoner result needs no time."""
    step = on_step or (lambda message: None)
    files = input_files(project)
    # The named queries are published as data too: an edited query is a new build.
    version = content_hash(files + project.query_files(), project.root, salt=f"reason={reason}")
    sources = {graph_name_for(p, project.root): p for p in files}
    cache = project.cache_dir / f"build-{version[:16]}"
    nquads, meta = cache.with_suffix(".nq"), cache.with_suffix(".json")
    if use_cache and nquads.is_file() and meta.is_file():
        step("build unchanged: using the cached graph")
        info = json.loads(meta.read_text())
        return Build(version, nquads, sources, None, info["inferred_triples"])

    step(f"loading {len(files)} files")
    # One strict parse of every file, into pyoxigraph: what the build validates, reasons on and writes.
    shape_files = set(project.shape_files())
    store = load_store([p for p in files if p not in shape_files], root=project.root)
    shapes = load_store(sorted(shape_files), root=project.root)
    step("validating against the shapes")
    report = validate_store(store, bind_prefixes(merged_graph(shapes)), sources=sources, root=project.root)
    if not report.conforms:
        raise ValidationFailed(report)
    step("publishing the named queries as data")
    from policykg.queries.as_data import queries_graph
    from policykg.queries.registry import QueryRegistry

    _add(store, QUERIES_GRAPH, queries_graph(QueryRegistry.from_project(project)))
    inferred = 0
    if reason:
        step("reasoning (OWL, HermiT)")
        from policykg.reason.reasoner import cached_inference  # Java and owlready2 only when asked for

        result = cached_inference(project, dataset_view(store),  # the store read in place, graph by graph
                                  timeout=reason_timeout)
        result.raise_for_inconsistency()  # an inconsistent graph has no meaningful inferences
        _add(store, INFERRED_GRAPH, result.inferred)
        inferred = len(result.inferred)
    step("writing the dataset")
    store.extend(shapes)  # the shapes are published too, each file its own graph
    for name in shapes.named_graphs():
        store.add_graph(name)
    project.cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = nquads.with_suffix(".tmp")
    store.dump(str(tmp), format=NQUADS.rdf)
    tmp.replace(nquads)  # atomic: a half-written cache is never used
    meta.write_text(json.dumps({"version": version, "inferred_triples": inferred}))
    return Build(version, nquads, sources, report, inferred)


def _add(store: ox.Store, graph: URIRef, triples: Iterable[tuple[Node, Node, Node]]) -> None:
    """rdflib triples (the queries as data, the reasoner's answer) into ``graph`` of the store."""
    store.add_graph(ox.NamedNode(str(graph)))
    store.extend(ox_quads((s, p, o, graph) for s, p, o in triples))
