"""Spell out what HermiT entails: every type and property value between named individuals, and the hierarchies.

HermiT reports each conclusion once, at its most specific place: the direct types of each individual, the direct
super-classes and super-properties, and (with its property-value pass) each value under the most specific
property only; owlready2 further drops a value whose inverse was asserted. :func:`entailed_triples` expands those
answers along the class and property hierarchies HermiT computed (sub-properties, inverse and equivalent
properties, symmetric and transitive properties, asserted ``owl:sameAs``). For an ontology without property
chains, ``owl:hasValue``, keys, nominals, self restrictions or inverse-functional properties this gives every
entailed property value without HermiT's (slow) property-value pass; :func:`needs_hermit_property_values` says
when it is needed. (One gap: two values of a functional object property make them the same individual, and the
values that follow are not spelled out; that is a data error the SHACL shapes report, ``sh:maxCount 1``.)
The work is done on Python sets indexed by predicate (:class:`TripleIndex`): rdflib's in-memory store is far
too slow for graphs of 100k triples.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from policykg.namespaces import OWL, RDF, RDFS

Triple = tuple[Node, Node, Node]
Pair = tuple[Node, Node]


class TripleIndex:
    """A set of triples with its pairs indexed by predicate."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self.triples: set[Triple] = set(triples)
        self._by_predicate: dict[Node, list[Pair]] = defaultdict(list)
        for s, p, o in self.triples:
            self._by_predicate[p].append((s, o))

    def __contains__(self, triple: object) -> bool:
        return triple in self.triples

    def __iter__(self) -> Iterator[Triple]:
        return iter(self.triples)

    def __len__(self) -> int:
        return len(self.triples)

    def predicates(self) -> Iterable[Node]:
        return self._by_predicate.keys()

    def pairs(self, predicate: Node) -> list[Pair]:
        return self._by_predicate.get(predicate, [])

    def subjects(self, predicate: Node, obj: Node) -> set[Node]:
        return {s for s, o in self.pairs(predicate) if o == obj}

    def has(self, predicate: Node, obj: Node | None = None) -> bool:
        return any(obj is None or o == obj for _, o in self.pairs(predicate))


#: Constructs from which OWL entails property values that the hierarchy expansion below does not derive.
VALUE_CONSTRUCTS: tuple[tuple[URIRef, URIRef | None], ...] = (
    (OWL.propertyChainAxiom, None), (OWL.hasValue, None), (OWL.hasKey, None), (OWL.oneOf, None),
    (RDF.type, OWL.InverseFunctionalProperty), (OWL.hasSelf, None),
)


def needs_hermit_property_values(index: TripleIndex) -> bool:
    """Whether the input uses a construct (property chain, hasValue, key, nominal, inverse-functional property,
    self restriction) from which property values follow that only HermiT's own value pass finds."""
    return any(index.has(p, o) for p, o in VALUE_CONSTRUCTS)


@dataclass(frozen=True)
class Vocabulary:
    """What the schema says about classes and properties, after HermiT's classification."""

    object_properties: frozenset[URIRef]
    data_properties: frozenset[URIRef]
    annotation_properties: frozenset[URIRef]
    classes: frozenset[URIRef]
    super_classes: dict[URIRef, frozenset[URIRef]]        # reflexive-transitive, named classes only
    super_properties: dict[tuple[URIRef, bool], frozenset[tuple[URIRef, bool]]]  # (p, inverted) -> supers
    transitive: frozenset[URIRef]

    @property
    def terms(self) -> frozenset[URIRef]:
        """Every declared class and property: the schema's own names."""
        return self.classes | self.object_properties | self.data_properties | self.annotation_properties


def vocabulary(index: TripleIndex) -> Vocabulary:
    """Read the class and property hierarchies from the input plus HermiT's conclusions."""
    def typed(*kinds: URIRef) -> frozenset[URIRef]:
        return frozenset(s for kind in kinds for s in index.subjects(RDF.type, kind) if isinstance(s, URIRef))

    object_properties = typed(OWL.ObjectProperty, OWL.TransitiveProperty, OWL.SymmetricProperty,
                              OWL.InverseFunctionalProperty)
    data_properties = typed(OWL.DatatypeProperty) - object_properties
    classes = typed(OWL.Class, RDFS.Class) - {OWL.Thing, OWL.Nothing}

    class_edges: dict[URIRef, set[URIRef]] = defaultdict(set)
    for sub, sup in _named_pairs(index, RDFS.subClassOf):
        class_edges[sub].add(sup)
    for a, b in _named_pairs(index, OWL.equivalentClass):
        class_edges[a].add(b)
        class_edges[b].add(a)
    named_classes = (classes | set(class_edges) | {c for cs in class_edges.values() for c in cs}) - {OWL.Thing}
    super_classes = {c: frozenset(_reachable(c, class_edges)) - {OWL.Thing} for c in named_classes}

    role_edges: dict[tuple[URIRef, bool], set[tuple[URIRef, bool]]] = defaultdict(set)

    def link(p: URIRef, q: URIRef, flip: bool) -> None:
        for inverted in (False, True):
            role_edges[(p, inverted)].add((q, inverted != flip))

    for p, q in _named_pairs(index, RDFS.subPropertyOf):
        link(p, q, False)
    for p, q in _named_pairs(index, OWL.equivalentProperty):
        link(p, q, False)
        link(q, p, False)
    for p, q in _named_pairs(index, OWL.inverseOf):
        link(p, q, True)
        link(q, p, True)
    for p in typed(OWL.SymmetricProperty):
        link(p, p, True)
    super_properties = {(p, inverted): frozenset(_reachable((p, inverted), role_edges))
                        for p in object_properties | data_properties for inverted in (False, True)}
    return Vocabulary(
        object_properties=object_properties, data_properties=data_properties,
        annotation_properties=typed(OWL.AnnotationProperty), classes=frozenset(named_classes),
        super_classes=super_classes, super_properties=super_properties,
        transitive=typed(OWL.TransitiveProperty))


def property_values(index: TripleIndex, vocab: Vocabulary) -> dict[URIRef, set[Pair]]:
    """Every value of every object and datatype property entailed by the values in the input: along
    sub-properties, equivalent and inverse properties, symmetry, transitivity and ``owl:sameAs``
    (semi-naive fixpoint; transitive pairs cannot create new ``owl:sameAs`` links, so one substitution suffices)."""
    same = same_as_classes(index)
    values: dict[URIRef, set[Pair]] = defaultdict(set)
    todo: dict[URIRef, set[Pair]] = defaultdict(set)
    for p in index.predicates():
        if not isinstance(p, URIRef):  # the vocabulary's properties are all IRIs
            continue
        if p in vocab.object_properties:
            asserted = index.pairs(p)
        elif p in vocab.data_properties:
            asserted = [(s, o) for s, o in index.pairs(p) if isinstance(o, Literal)]
        else:
            continue
        for s, o in asserted:
            if s in same or o in same:
                todo[p] |= {(s2, o2) for s2 in same.get(s, (s,)) for o2 in same.get(o, (o,))}
            else:
                todo[p].add((s, o))
    while todo:
        delta = {p: pairs - values[p] for p, pairs in todo.items()}
        todo = defaultdict(set)
        for p, pairs in delta.items():
            if not pairs:
                continue
            values[p] |= pairs
            for q, inverted in vocab.super_properties.get((p, False), ()):
                if q == p and not inverted:
                    continue
                if inverted:
                    if p not in vocab.data_properties:
                        todo[q] |= {(o, s) for s, o in pairs}
                else:
                    todo[q] |= pairs
            if p in vocab.transitive:
                todo[p] |= _transitive_step(values[p], pairs)
    return values


def entailed_triples(index: TripleIndex, conclusions: Iterable[Triple]) -> tuple[set[Triple], Vocabulary]:
    """All types and property values entailed by the input given HermiT's ``conclusions``, plus the class and
    property hierarchies among named terms (asserted triples included; the caller subtracts them)."""
    union = TripleIndex(index.triples.union(conclusions))
    vocab = vocabulary(union)
    out: set[Triple] = set()
    for p, pairs in property_values(union, vocab).items():
        out.update((s, p, o) for s, o in pairs)
    same = same_as_classes(union)
    for s, c in union.pairs(RDF.type):
        if isinstance(c, URIRef):
            supers = vocab.super_classes.get(c, (c,))
            for s2 in same.get(s, (s,)):
                out.update((s2, RDF.type, sup) for sup in supers)
    for node, members in same.items():
        out.update((node, OWL.sameAs, other) for other in members)
    for c, sups in vocab.super_classes.items():
        out.update((c, RDFS.subClassOf, sup) for sup in sups)
    for (p, inverted), super_properties in vocab.super_properties.items():
        if inverted:
            continue
        for q, flipped in super_properties:
            if not flipped:
                out.add((p, RDFS.subPropertyOf, q))
            elif (p, False) in vocab.super_properties.get((q, True), ()):  # p is exactly the inverse of q
                out.add((p, OWL.inverseOf, q))
    out.update((b, OWL.equivalentClass, a) for a, b in _named_pairs(union, OWL.equivalentClass))
    return out, vocab


def same_as_classes(index: TripleIndex) -> dict[Node, frozenset[Node]]:
    """The ``owl:sameAs`` equivalence classes (only nodes that have a sameAs link)."""
    edges: dict[Node, set[Node]] = defaultdict(set)
    for a, b in index.pairs(OWL.sameAs):
        edges[a].add(b)
        edges[b].add(a)
    classes: dict[Node, frozenset[Node]] = {}
    for node in edges:
        if node not in classes:
            members = frozenset(_reachable(node, edges))
            classes.update(dict.fromkeys(members, members))
    return classes


def _named_pairs(index: TripleIndex, predicate: URIRef) -> Iterator[tuple[URIRef, URIRef]]:
    for s, o in index.pairs(predicate):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            yield s, o


def _reachable(start, edges) -> set:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _transitive_step(known: set[Pair], new: Iterable[Pair]) -> set[Pair]:
    """Pairs obtained by joining the ``new`` pairs with the ``known`` ones on either side."""
    by_subject: dict[Node, set[Node]] = defaultdict(set)
    by_object: dict[Node, set[Node]] = defaultdict(set)
    for s, o in known:
        by_subject[s].add(o)
        by_object[o].add(s)
    found: set[Pair] = set()
    for s, o in new:
        found.update((s, o2) for o2 in by_subject.get(o, ()))
        found.update((s2, o) for s2 in by_object.get(s, ()))
    return found - known


__all__ = ["Pair", "Triple", "TripleIndex", "VALUE_CONSTRUCTS", "Vocabulary", "entailed_triples",
           "needs_hermit_property_values", "property_values", "same_as_classes", "vocabulary"]
