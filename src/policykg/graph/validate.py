"""SHACL validation with pySHACL, returning a report value.

The data graph is the union of the ontology, the vocabularies and the data (so that ``sh:targetClass`` sees
subclasses); the shapes are read from ``ontology/shapes/`` by the same strict loader. Both are pyoxigraph stores
that pySHACL reads through rdflib's interface (oxrdflib): its SPARQL-based constraints then run on pyoxigraph's
engine, ~12x faster than rdflib's here (rdflib joins the pre-bound ``$this`` late), with the same results. Each
result is traced back to the file, and the line, where its focus node is described, so that a report reads
``data/ai-act.ttl:42: ...``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from pyshacl import validate as shacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, SH

from policykg.graph.load import graph_name_for, load_store
from policykg.namespaces import bind_prefixes, compact
from policykg.project import Project

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class ValidationResult:
    severity: str
    focus_node: str
    message: str
    source_shape: str
    constraint: str
    path: str | None = None
    value: str | None = None
    file: str | None = None
    line: int | None = None

    def location(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or "(no file)"


@dataclass
class ValidationReport:
    results: list[ValidationResult] = field(default_factory=list)
    graph: Graph | None = None

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings do not fail validation)."""
        return not self.violations

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    def fired(self) -> set[str]:
        """The shapes that produced a result: what a negative test pins."""
        return {r.source_shape for r in self.results}


def load_shapes(project: Project) -> Graph:
    """The shapes, loaded strictly, as one graph."""
    return bind_prefixes(merged_graph(load_store(project.shape_files(), root=project.root)))


def merged_graph(store: ox.Store) -> Graph:
    """The RDF merge of every graph of ``store`` as an rdflib Graph backed by pyoxigraph: the statements are copied
    once inside pyoxigraph (into the default graph of a new store, which keeps each statement once: a union of
    the named graphs would repeat one stated in two files, and count it twice in a SPARQL constraint)."""
    merged = ox.Store()
    merged.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in store)
    return Graph(store=OxigraphStore(store=merged), identifier=DATASET_DEFAULT_GRAPH_ID)


def dataset_view(store: ox.Store) -> Dataset:
    """``store``'s named graphs as an rdflib Dataset, read in place (nothing is copied)."""
    return Dataset(store=OxigraphStore(store=store))


def validate_store(store: ox.Store, shapes: Graph, *, sources: dict[URIRef, Path] | None = None,
                   root: Path | None = None) -> ValidationReport:
    """Validate the merge of ``store``'s graphs against ``shapes``.

    ``sources`` maps each named graph to the file it was read from, so that results name file and line.
    """
    data = merged_graph(store)
    _, results_graph, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                         allow_warnings=True, meta_shacl=False, inplace=True)
    locator = _Locator(store, sources or {}, root)
    # Only the report's own results: pySHACL also lists the nested sh:detail results of sh:node shapes.
    results = [_result(results_graph, shapes, node, locator)
               for report in results_graph.subjects(RDF.type, SH.ValidationReport)
               for node in results_graph.objects(report, SH.result)]
    results.sort(key=lambda r: (r.severity != "Violation", r.file or "", r.line or 0, r.source_shape, r.focus_node))
    return ValidationReport(results=results, graph=results_graph)


def validate_files(project: Project, extra_files: Iterable[Path] = ()) -> ValidationReport:
    """Load the project's ontology, vocabularies and data (or ``extra_files`` instead of the data) and validate."""
    extra = [Path(p) for p in extra_files]
    data_files = extra or project.data_files()
    files = project.ontology_files() + project.vocabulary_files() + data_files
    store = load_store(files, root=project.root)
    sources = {graph_name_for(p, project.root): p for p in files}
    return validate_store(store, load_shapes(project), sources=sources, root=project.root)


def _result(graph: Graph, shapes: Graph, node, locator: _Locator) -> ValidationResult:
    def one(predicate):
        return graph.value(node, predicate)

    focus = one(SH.focusNode)
    source_shape = one(SH.sourceShape)
    # An anonymous property shape is reported by the named shape that holds it.
    while isinstance(source_shape, BNode) and shapes.value(None, SH.property, source_shape) is not None:
        source_shape = shapes.value(None, SH.property, source_shape)
    path = one(SH.resultPath)
    value = one(SH.value)
    file, line = locator.locate(focus)
    return ValidationResult(
        severity=SEVERITIES.get(one(SH.resultSeverity), str(one(SH.resultSeverity))),
        focus_node=_show(focus),
        message=_shorten_iris(str(one(SH.resultMessage) or "")),
        source_shape=_show(source_shape, anonymous=isinstance(source_shape, BNode)),
        constraint=_show(one(SH.sourceConstraintComponent)),
        path=_show(path) if path is not None else None,
        value=_show(value) if value is not None else None,
        file=file,
        line=line,
    )


def _shorten_iris(message: str) -> str:
    """Messages substitute full IRIs; show them as prefixed names where a project prefix fits."""
    return re.sub(r"(?<![<\w])(https?://[^\s,;()]+[^\s,;().])", lambda m: compact(m.group(1)).strip("<>"), message)


def _show(term, *, anonymous: bool = False) -> str:
    """A readable form of a term: prefixed name where a project prefix fits."""
    if term is None:
        return ""
    if anonymous:
        return "(anonymous shape)"
    if isinstance(term, URIRef):
        return compact(str(term))
    if isinstance(term, Literal):
        return term.n3()
    return str(term)


class _Locator:
    """Finds the file and line where a focus node is described (first as a subject)."""

    def __init__(self, store: ox.Store, sources: dict[URIRef, Path], root: Path | None) -> None:
        self.store = store
        self.sources = sources
        self.root = root

    def locate(self, node) -> tuple[str | None, int | None]:
        if not isinstance(node, URIRef):
            return None, None
        # Where the node is described as a subject; failing that, where it is used as an object.
        term = ox.NamedNode(str(node))
        for quads in (self.store.quads_for_pattern(term, None, None), self.store.quads_for_pattern(None, None, term)):
            for quad in quads:
                if not isinstance(quad.graph_name, ox.NamedNode):  # no source file
                    continue
                path = self.sources.get(URIRef(quad.graph_name.value))
                if path is not None:
                    return self._display(path), self._line(path, node)
        return None, None

    def _display(self, path: Path) -> str:
        if self.root:
            try:
                return str(path.resolve().relative_to(self.root))
            except ValueError:
                pass
        return str(path)

    @cached_property
    def _texts(self) -> dict[Path, str]:
        return {}

    def _line(self, path: Path, node: URIRef) -> int | None:
        text = self._texts.get(path)
        if text is None:
            text = self._texts[path] = path.read_text(encoding="utf-8", errors="replace")
        needles = [f"<{node}>"]
        for prefix, namespace in re.findall(r"@prefix\s+([A-Za-z][\w-]*|):\s*<([^>]*)>", text):
            if str(node).startswith(namespace):
                needles.append(f"{prefix}:{str(node)[len(namespace):]}")
        # The node as a subject: at the start of a line.
        for needle in needles:
            match = re.search(rf"^[ \t]*{re.escape(needle)}(?=[\s;,.])", text, flags=re.MULTILINE)
            if match:
                return text.count("\n", 0, match.start()) + 1
        # Otherwise its first use, outside comments and prefix declarations.
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.lstrip()
            if not stripped.startswith(("#", "@prefix")) and any(needle in line for needle in needles):
                return number
        return None
