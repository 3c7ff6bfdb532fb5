"""OWL reasoning: is the graph consistent, and what does it entail that it does not assert?

:func:`infer` runs HermiT (through owlready2, in a fresh World: :mod:`policykg.reason.owl_world`) on the ontology,
its imports, the vocabularies and the data, and returns an :class:`InferenceResult`: the verdict, the
unsatisfiable classes, the clashes behind an inconsistency (:mod:`policykg.reason.inconsistency`), and ``inferred``,
the entailed triples that are not asserted (spelled out by :mod:`policykg.reason.entailment`), as an rdflib Graph.
HermiT itself is given only the part of the input it needs (:mod:`policykg.reason.relevance`: the schema without
annotations, and the assertions an axiom can act on); its answers are spelled out over the whole input. The
build puts that graph in its own named graph (``namespaces.INFERRED_GRAPH``), so that a query can ask for
asserted data, inferred data or both. :func:`cached_inference` does the same but keeps the result under the
project's ``.cache/reason/``, keyed by the content of the input (:mod:`policykg.reason.cache`), so that HermiT
only runs when something changed.

What ``inferred`` holds: the types of every named individual, with all their named super-classes; every value of
every object and datatype property, spelled out along sub-properties, inverse and equivalent properties,
symmetric and transitive properties and ``owl:sameAs``; the ``rdfs:subClassOf`` and ``rdfs:subPropertyOf``
closure among named terms, ``owl:inverseOf`` both ways, and ``owl:sameAs`` both ways.

What it leaves out, on purpose:

- anything asserted in the input (``inferred`` and the input never share a triple);
- types from the built-in vocabularies (``owl:Thing``, ``owl:NamedIndividual``, ``rdf:Property``...), and
  sub-class or sub-property links to ``owl:Thing``, ``owl:topObjectProperty`` and the like;
- reflexive trivia: ``x owl:sameAs x``, ``C rdfs:subClassOf C``, ``p rdfs:subPropertyOf p``;
- triples with a blank node: their identity does not survive serialisation, so they could never be joined to
  the asserted data (an annotation's ``oa:TextualBody`` stays as asserted);
- annotation properties (labels, notes, descriptions): OWL gives them no meaning, so nothing is inferred;
- statements that treat a class or property as an individual (OWL 2 punning). Our ontology links its terms to
  other vocabularies with ``skos:closeMatch`` as documentation; taken as data, SKOS would make ``pkg:Position``
  a ``skos:Concept``. Such statements (an object or datatype property on a declared class or property) are not
  given to the reasoner, and no inferred statement about a class or property as an individual is kept.

Not reasoned over: the named graphs of shapes, queries, metadata and inferences (:data:`NOT_REASONED`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from rdflib import BNode, Dataset, Graph, URIRef

from policykg.errors import InconsistentOntology
from policykg.namespaces import (
    GRAPH,
    INFERRED_GRAPH,
    METADATA_GRAPH,
    OWL,
    QUERIES_GRAPH,
    RDF,
    RDFS,
    SHAPES_GRAPH,
    XSD,
    bind_prefixes,
)
from policykg.project import Project
from policykg.reason import cache as reason_cache
from policykg.reason.cache import input_digest
from policykg.reason.entailment import Triple, TripleIndex, entailed_triples, needs_hermit_property_values, vocabulary
from policykg.reason.inconsistency import Clash, find_clashes
from policykg.reason.owl_world import java_executable, run_hermit, unsatisfiable_classes
from policykg.reason.relevance import hermit_input

#: Seconds HermiT may take by default (the build's, ``policykg reason``'s); None or 0: no limit.
DEFAULT_TIMEOUT = 300.0

#: Named graphs that are not reasoned over, and the prefix of the graphs of shape files.
NOT_REASONED = frozenset({SHAPES_GRAPH, INFERRED_GRAPH, QUERIES_GRAPH, METADATA_GRAPH})
_SHAPE_FILE_GRAPHS = str(GRAPH["ontology/shapes/"])

_BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD))
_SCHEMA_TYPES = (OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                 RDF.Property, OWL.Ontology)
_TBOX = frozenset({RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
                   OWL.inverseOf})


@dataclass(frozen=True)
class InferenceResult:
    """The verdict of the reasoner and what it entails."""

    consistent: bool
    inferred: Graph                                   # entailed, not asserted (empty when inconsistent)
    unsatisfiable: tuple[URIRef, ...] = ()            # named classes that can have no member
    clashes: tuple[Clash, ...] = ()                   # why it is inconsistent, when that could be found
    input_triples: int = 0
    hermit_triples: int = 0                           # how many of them HermiT was given (relevance.hermit_input)
    digest: str = ""                                  # content hash of the input (the cache key)
    reasoner_seconds: float = 0.0                     # HermiT's time, in the run that produced this result
    hermit_property_values: bool = False              # whether HermiT's own property-value pass ran
    from_cache: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def individuals(self) -> tuple[URIRef, ...]:
        """The individuals involved in the inconsistency."""
        return tuple(sorted({c.individual for c in self.clashes}))

    @property
    def ok(self) -> bool:
        """Consistent, and every named class can have members."""
        return self.consistent and not self.unsatisfiable

    def explain(self) -> str:
        """One paragraph saying what is wrong, naming the classes and individuals (empty when all is well)."""
        label = bind_prefixes(Graph()).namespace_manager.normalizeUri
        parts = []
        if not self.consistent:
            parts.append("the ontology and data are inconsistent")
            parts += [clash.reason + (f" ({'; '.join(clash.evidence)})" if clash.evidence else "")
                      for clash in self.clashes]
            if not self.clashes:
                parts.append("no single individual could be blamed (the cause is not a disjointness, "
                             "unsatisfiable-class or functional-property clash)")
            parts += list(self.notes)
        if self.unsatisfiable:
            parts.append("unsatisfiable classes: " + ", ".join(label(c) for c in self.unsatisfiable))
        return "; ".join(parts)

    def raise_for_inconsistency(self) -> InferenceResult:
        """Raise :class:`InconsistentOntology` naming the classes and individuals, unless :attr:`ok`."""
        if not self.ok:
            raise InconsistentOntology(self.explain())
        return self


def infer(source: Dataset | Graph | Iterable[Graph], *, hermit_property_values: bool | None = None,
          timeout: float | None = DEFAULT_TIMEOUT, select: bool = True) -> InferenceResult:
    """Reason over ``source``: a Dataset (all its named graphs but :data:`NOT_REASONED` and shape files), a Graph,
    or several graphs. ``hermit_property_values`` forces HermiT's property-value pass on or off; by default it
    runs only when the input needs it (``entailment.needs_hermit_property_values``). Raises
    :class:`~policykg.errors.ReasonerUnavailable` without a Java runtime, :class:`~policykg.errors.ReasonerFailed`
    if HermiT fails; an inconsistent input is a result, not an error
    (see :meth:`InferenceResult.raise_for_inconsistency`). ``timeout``: seconds HermiT may take in all (None or
    0: no limit); HermiT runs in a child process that is killed, Java with it, when they are up, and
    :class:`~policykg.errors.ReasonerTimeout` is raised. ``select``: HermiT gets only the part of the input it
    needs (:func:`policykg.reason.relevance.hermit_input`; False: all of it, the same answer, slower)."""
    triples = _input_triples(source)
    return _infer(TripleIndex(triples), source if isinstance(source, Dataset) else None, input_digest(triples),
                  hermit_property_values, timeout, select)


def cached_inference(project: Project, source: Dataset | Graph | Iterable[Graph], *,
                     refresh: bool = False, hermit_property_values: bool | None = None,
                     timeout: float | None = DEFAULT_TIMEOUT) -> InferenceResult:
    """:func:`infer`, with the result kept in ``project.cache_dir / "reason"`` under the content hash of the
    input (:mod:`policykg.reason.cache`); ``source`` is what the loader read (the build passes its dataset, the
    ``reason`` command :func:`reasoning_files` loaded strictly). A cached result is used, and then Java is not
    needed (nor a child process), unless ``refresh``; ``timeout`` applies only when HermiT runs."""
    triples = _input_triples(source)
    digest = input_digest(triples)
    folder = Path(project.cache_dir) / "reason"
    if not refresh:
        entry = reason_cache.read(folder, digest)
        if entry is not None:
            return _from_cache(*entry)
    result = _infer(TripleIndex(triples), source if isinstance(source, Dataset) else None, digest,
                    hermit_property_values, timeout, True)
    reason_cache.write(folder, digest, result.inferred, _to_cache(result))
    return result


def reasoning_files(project: Project) -> list[Path]:
    """The files reasoned over: the ontology and its imports, the vocabularies and the data."""
    return [*project.ontology_files(), *project.vocabulary_files(), *project.data_files()]


def reasoner_input(source: Dataset | Graph | Iterable[Graph]) -> Graph:
    """One graph of everything :func:`infer` reasons over, for inspection: the selected graphs, without the
    statements that would make a class or property an individual (see the module docstring)."""
    graph = Graph()
    for triple in _input_triples(source):
        graph.add(triple)
    return graph


def schema_graph(triples: Iterable[Triple]) -> Graph:
    """The schema part of the input: every statement about a class, property or ontology, and about the blank
    nodes (restrictions, lists, ``owl:AllDisjointClasses``) they lead to."""
    index = triples if isinstance(triples, TripleIndex) else TripleIndex(triples)
    outgoing: dict = defaultdict(list)
    for s, p, o in index:
        outgoing[s].append((p, o))
    schema = Graph()
    todo = [s for kind in (*_SCHEMA_TYPES, OWL.AllDisjointClasses, OWL.AllDisjointProperties)
            for s in index.subjects(RDF.type, kind)]
    seen = set(todo)
    while todo:
        node = todo.pop()
        for p, o in outgoing.get(node, ()):
            schema.add((node, p, o))
            if isinstance(o, BNode) and o not in seen:
                seen.add(o)
                todo.append(o)
    return schema


def _input_triples(source: Dataset | Graph | Iterable[Graph]) -> set[Triple]:
    if isinstance(source, Dataset):
        graphs = [g for g in source.graphs() if g.identifier not in NOT_REASONED
                  and not str(g.identifier).startswith(_SHAPE_FILE_GRAPHS)]
    elif isinstance(source, Graph):
        graphs = [source]
    else:
        graphs = list(source)
    triples: set[Triple] = set()
    for g in graphs:
        triples.update(g)
    typed = [(s, o) for s, p, o in triples if p == RDF.type]
    terms = {s for s, o in typed if o in _SCHEMA_TYPES}
    properties = {s for s, o in typed if o in (OWL.ObjectProperty, OWL.DatatypeProperty)}
    return {t for t in triples if not (t[0] in terms and t[1] in properties)}


class _Common(TypedDict):
    """The fields every result of one run shares."""

    input_triples: int
    digest: str
    hermit_property_values: bool
    hermit_triples: int


def _infer(index: TripleIndex, dataset: Dataset | None, digest: str, hermit_property_values: bool | None,
           timeout: float | None, select: bool) -> InferenceResult:
    java_executable()  # fail early, saying what to install
    use_values = needs_hermit_property_values(index) if hermit_property_values is None else hermit_property_values
    deadline = time.monotonic() + timeout if timeout else None

    def left() -> float | None:  # one limit for both HermiT runs (the second explains an inconsistency)
        return None if deadline is None else max(deadline - time.monotonic(), 0.001)

    # HermiT sees the schema and what an axiom can act on; its answers are expanded over the whole input below
    needed = None if use_values or not select else hermit_input(index)
    hermit_sees = index.triples if needed is None else needed
    run = run_hermit(hermit_sees, property_values=use_values, timeout=left(), limit=timeout)
    common: _Common = {"input_triples": len(index), "digest": digest, "hermit_property_values": use_values,
                       "hermit_triples": len(hermit_sees)}
    if run.consistent:
        entailed, vocab = entailed_triples(index, run.conclusions)
        return InferenceResult(consistent=True, inferred=_keep(entailed, index, vocab.terms),
                               unsatisfiable=tuple(unsatisfiable_classes(run.conclusions)),
                               reasoner_seconds=run.seconds, **common)
    schema = schema_graph(index)
    schema_run = run_hermit(schema, property_values=False, timeout=left(), limit=timeout)
    seconds = run.seconds + schema_run.seconds
    if not schema_run.consistent:
        return InferenceResult(consistent=False, inferred=Graph(), reasoner_seconds=seconds,
                               notes=("the ontology itself (without the data) is inconsistent",), **common)
    vocab = vocabulary(TripleIndex(set(schema) | schema_run.conclusions))
    unsatisfiable = unsatisfiable_classes(schema_run.conclusions)
    label = bind_prefixes(Graph()).namespace_manager.normalizeUri
    clashes = find_clashes(index, schema, vocab, unsatisfiable=unsatisfiable, source=dataset, label=label)
    return InferenceResult(consistent=False, inferred=Graph(), unsatisfiable=tuple(unsatisfiable),
                           clashes=tuple(clashes), reasoner_seconds=seconds, **common)


def _keep(entailed: set[Triple], asserted: TripleIndex, terms: frozenset[URIRef]) -> Graph:
    """The entailed triples worth publishing: not asserted and not trivia (see the module docstring)."""
    kept = bind_prefixes(Graph())
    for s, p, o in entailed - asserted.triples:
        if isinstance(s, BNode) or isinstance(o, BNode):
            continue
        if p in _TBOX or p == OWL.sameAs:
            if s == o or str(s).startswith(_BUILT_IN) or str(o).startswith(_BUILT_IN):
                continue
        elif p == RDF.type:
            if str(o).startswith(_BUILT_IN) or s in terms:
                continue
        elif s in terms or o in terms:
            continue
        kept.add((s, p, o))
    return kept


def _to_cache(result: InferenceResult) -> dict:
    return {"consistent": result.consistent, "unsatisfiable": [str(c) for c in result.unsatisfiable],
            "clashes": [c.to_json() for c in result.clashes], "input_triples": result.input_triples,
            "reasoner_seconds": result.reasoner_seconds, "hermit_property_values": result.hermit_property_values,
            "hermit_triples": result.hermit_triples,
            "notes": list(result.notes), "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def _from_cache(inferred: Graph, meta: dict) -> InferenceResult:
    return InferenceResult(
        consistent=meta["consistent"], inferred=inferred,
        unsatisfiable=tuple(URIRef(c) for c in meta["unsatisfiable"]),
        clashes=tuple(Clash.from_json(c) for c in meta["clashes"]), input_triples=meta["input_triples"],
        hermit_triples=meta.get("hermit_triples", 0),
        digest=meta["digest"], reasoner_seconds=meta["reasoner_seconds"],
        hermit_property_values=meta["hermit_property_values"], from_cache=True, notes=tuple(meta["notes"]))


__all__ = ["Clash", "DEFAULT_TIMEOUT", "InferenceResult", "NOT_REASONED", "cached_inference", "infer", "input_digest",
           "reasoner_input", "reasoning_files", "schema_graph"]
