"""The build: load -> validate -> reason, as one function the CLI and the server both call.

The result is cached under ``.cache/`` by the content hash of every input file (and the package version), as an
N-Quads file that a store can bulk-load: starting the server again when nothing changed costs one load.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rdflib import Dataset, URIRef

from policykg import __version__
from policykg.errors import ValidationFailed
from policykg.graph.load import graph_name_for, load_files
from policykg.graph.validate import ValidationReport, load_shapes, validate_dataset
from policykg.namespaces import INFERRED_GRAPH, QUERIES_GRAPH
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
                  on_step: Callable[[str], None] | None = None) -> Build:
    """Build the project's dataset. Raises DataLoadError for unreadable input and ValidationFailed (with the
    report) when the graph violates the shapes; warnings do not stop the build."""
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
    dataset = load_files(files, root=project.root)
    step("validating against the shapes")
    report = validate_dataset(_without_shapes(dataset, project), load_shapes(project), sources=sources,
                              root=project.root)
    if not report.conforms:
        raise ValidationFailed(report)
    step("publishing the named queries as data")
    from policykg.queries.as_data import queries_graph
    from policykg.queries.registry import QueryRegistry

    queries = dataset.graph(QUERIES_GRAPH)
    for triple in queries_graph(QueryRegistry.from_project(project)):
        queries.add(triple)
    inferred = 0
    if reason:
        step("reasoning (OWL, HermiT)")
        from policykg.reason.reasoner import cached_inference  # Java and owlready2 only when asked for

        result = cached_inference(project, _without_shapes(dataset, project))
        result.raise_for_inconsistency()  # an inconsistent graph has no meaningful inferences
        inferred_graph = dataset.graph(INFERRED_GRAPH)
        for triple in result.inferred:
            inferred_graph.add(triple)
        inferred = len(result.inferred)
    project.cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = nquads.with_suffix(".tmp")
    tmp.write_bytes(_nquads(dataset))
    tmp.replace(nquads)  # atomic: a half-written cache is never used
    meta.write_text(json.dumps({"version": version, "inferred_triples": inferred}))
    return Build(version, nquads, sources, report, inferred)


def _without_shapes(dataset: Dataset, project: Project) -> Dataset:
    """The dataset minus the shapes' graphs: shapes are served, not validated as data."""
    shape_graphs = {graph_name_for(p, project.root) for p in project.shape_files()}
    view = Dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if g not in shape_graphs:  # the graph by name, as rdflib's own add would look it up
            view.add((s, p, o, view.get_context(g) if g is not None else None))
    return view


def _nquads(dataset: Dataset) -> bytes:
    data = dataset.serialize(format="nquads")
    return data.encode() if isinstance(data, str) else data
