"""Name the individuals and classes behind an inconsistency that HermiT found.

HermiT only says "inconsistent". To tell the curator what to fix, this module looks for the usual causes, using
the class and property hierarchies HermiT computed for the schema alone:

- an individual that belongs to two disjoint classes (``owl:disjointWith``, ``owl:AllDisjointClasses``), whether
  the types are asserted or follow from the domain or range of a property it is used with (a proposal given as
  ``pkg:hasAdoptedAct`` becomes an ``eli:LegalResource``, which is disjoint with ``pkg:Proposal``);
- an individual that belongs to an unsatisfiable class;
- a functional datatype property with two different values (two CELEX numbers for one act).

Each :class:`Clash` says which statements lead to it and, when the input is a Dataset, in which named graphs
(source files) they are. An inconsistency with another cause is still reported, without a clash.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from policykg.namespaces import OWL, RDF, RDFS
from policykg.reason.entailment import TripleIndex, Vocabulary, property_values

_BUILT_IN = (str(RDF), str(RDFS), str(OWL))


@dataclass(frozen=True)
class Clash:
    """One reason why the graph is inconsistent, about one individual."""

    individual: URIRef
    classes: tuple[URIRef, ...]   # the disjoint (or unsatisfiable) classes it is found in
    reason: str                   # what is wrong, in words
    evidence: tuple[str, ...]     # the statements that lead there, e.g. "asserted: rdf:type pkg:Regulation"
    graphs: tuple[URIRef, ...] = ()  # named graphs holding those statements (source files)

    def to_json(self) -> dict:
        return {"individual": str(self.individual), "classes": [str(c) for c in self.classes],
                "reason": self.reason, "evidence": list(self.evidence), "graphs": [str(g) for g in self.graphs]}

    @classmethod
    def from_json(cls, data: dict) -> Clash:
        return cls(individual=URIRef(data["individual"]), classes=tuple(URIRef(c) for c in data["classes"]),
                   reason=data["reason"], evidence=tuple(data["evidence"]),
                   graphs=tuple(URIRef(g) for g in data["graphs"]))


def disjoint_pairs(graph: Graph) -> set[frozenset[URIRef]]:
    """Pairs of named classes declared disjoint, by ``owl:disjointWith`` or ``owl:AllDisjointClasses``."""
    pairs = {frozenset((a, b)) for a, b in graph.subject_objects(OWL.disjointWith)
             if isinstance(a, URIRef) and isinstance(b, URIRef) and a != b}
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        head = graph.value(node, OWL.members)
        if head is None:  # no member list: no pair declared disjoint
            continue
        members = [m for m in Collection(graph, head) if isinstance(m, URIRef)]
        pairs |= {frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1:] if a != b}
    return pairs


def find_clashes(index: TripleIndex, schema: Graph, vocab: Vocabulary, *, unsatisfiable: Iterable[URIRef] = (),
                 source: Dataset | None = None, label=str) -> list[Clash]:
    """The clashes in the input ``index``, given its ``schema`` part and the schema's hierarchies ``vocab``
    (from a consistent schema-only run). ``label`` shortens IRIs (e.g. a namespace manager's ``normalizeUri``)."""
    disjoint = disjoint_pairs(schema)
    unsatisfiable = set(unsatisfiable)
    values = property_values(index, vocab)
    # direct[x][class] = how x comes to be in that class: (predicate or None for asserted, "subject"/"object")
    direct: dict[URIRef, dict[URIRef, set[tuple[URIRef | None, str]]]] = defaultdict(lambda: defaultdict(set))
    for x, c in index.pairs(RDF.type):
        if isinstance(x, URIRef) and isinstance(c, URIRef) and not str(c).startswith(_BUILT_IN):
            direct[x][c].add((None, "asserted"))
    for p, pairs in values.items():
        domains = _named(schema.objects(p, RDFS.domain))
        ranges = _named(schema.objects(p, RDFS.range)) if p in vocab.object_properties else set()
        for s, o in pairs:
            if isinstance(s, URIRef):
                for c in domains:
                    direct[s][c].add((p, "subject"))
            if isinstance(o, URIRef):
                for c in ranges:
                    direct[o][c].add((p, "object"))
    terms = vocab.terms
    clashes: list[Clash] = []
    for x, types in direct.items():
        if x in terms:
            continue
        support: dict[URIRef, set[URIRef]] = defaultdict(set)  # class -> the direct types implying it
        for t in types:
            for sup in vocab.super_classes.get(t, (t,)):
                support[sup].add(t)
        for pair in disjoint:
            a, b = sorted(pair)
            if a in support and b in support:
                causes = support[a] | support[b]
                clashes.append(_clash(x, (a, b), f"{label(x)} is in both {label(a)} and {label(b)}, which are "
                                      "disjoint", causes, types, source, label))
        for c in sorted(unsatisfiable & set(support)):
            clashes.append(_clash(x, (c,), f"{label(x)} is in {label(c)}, a class that can have no members",
                                  support[c], types, source, label))
    clashes += _functional_data_clashes(schema, vocab, values, source, label)
    return sorted(clashes, key=lambda c: (str(c.individual), c.classes, c.reason))


def _clash(x: URIRef, classes: tuple[URIRef, ...], reason: str, causes: set[URIRef],
           types: dict[URIRef, set[tuple[URIRef | None, str]]], source: Dataset | None, label) -> Clash:
    evidence: list[str] = []
    triples: list[tuple[Node | None, Node | None, Node | None]] = []
    for t in sorted(causes):
        for p, how in sorted(types[t], key=lambda item: (str(item[0]), item[1])):
            if p is None:
                evidence.append(f"asserted: rdf:type {label(t)}")
                triples.append((x, RDF.type, t))
            elif how == "subject":
                evidence.append(f"subject of {label(p)}, whose domain is {label(t)}")
                triples.append((x, p, None))
            else:
                evidence.append(f"object of {label(p)}, whose range is {label(t)}")
                triples.append((None, p, x))
    return Clash(individual=x, classes=classes, reason=reason, evidence=tuple(evidence),
                 graphs=_graphs_of(source, triples))


def _functional_data_clashes(schema: Graph, vocab: Vocabulary, values: dict, source: Dataset | None,
                             label) -> list[Clash]:
    clashes = []
    functional = {p for p in schema.subjects(RDF.type, OWL.FunctionalProperty)
                  if isinstance(p, URIRef) and p in vocab.data_properties}
    for p in sorted(functional):
        by_subject: dict[Node, set[Literal]] = defaultdict(set)
        for s, o in values.get(p, ()):
            if isinstance(o, Literal):
                by_subject[s].add(o)
        for s, literals in sorted(by_subject.items()):
            distinct = {(lit.value if lit.value is not None else str(lit), lit.datatype, lit.language)
                        for lit in literals}
            if isinstance(s, URIRef) and len(distinct) > 1:
                shown = sorted(f'"{lit}"' for lit in literals)
                clashes.append(Clash(
                    individual=s, classes=(), evidence=tuple(f"asserted: {label(p)} {v}" for v in shown),
                    reason=f"{label(s)} has {len(distinct)} values of {label(p)}, a functional property: "
                           f"{', '.join(shown)}",
                    graphs=_graphs_of(source, [(s, p, None)])))
    return clashes


def _graphs_of(source: Dataset | None, patterns: list[tuple[Node | None, Node | None, Node | None]]
               ) -> tuple[URIRef, ...]:
    if source is None:
        return ()
    found = set()
    for s, p, o in patterns:
        for _, _, _, g in source.quads((s, p, o, None)):
            name = getattr(g, "identifier", g)
            if isinstance(name, URIRef):
                found.add(name)
    return tuple(sorted(found))


def _named(nodes: Iterable[Node]) -> set[URIRef]:
    return {n for n in nodes if isinstance(n, URIRef) and not str(n).startswith(_BUILT_IN)}


__all__ = ["Clash", "disjoint_pairs", "find_clashes"]
