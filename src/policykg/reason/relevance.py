"""The part of the input HermiT needs: the schema, and the individuals and assertions from which something can
follow that :mod:`policykg.reason.entailment` does not spell out itself.

HermiT's answers are expanded afterwards along the class and property hierarchies, on the whole input. So HermiT
needs the TBox (without annotations) and, of the ABox, only what an axiom other than a plain hierarchy can act on:

- *active* properties: an object or datatype property that is, or has a super-property (along
  ``rdfs:subPropertyOf``, ``owl:equivalentProperty``, ``owl:inverseOf`` and symmetry) that is, given a domain or
  range, used in a class expression (``owl:onProperty``), in a property chain, a key or a property
  disjointness, or is functional, inverse-functional, asymmetric, reflexive or irreflexive. Their assertions are
  kept; the assertions of other properties (and every annotation) are not;
- *firing* classes: every class a class axiom other than a named hierarchy mentions (disjointness, equivalence,
  restrictions, Boolean class expressions, ``owl:Nothing``), and the classes below them;
- *relevant* individuals: those of a firing class, and those in an active assertion, closed under
  ``owl:sameAs`` and ``owl:differentFrom``. Their types, and the ``owl:sameAs``/``owl:differentFrom`` links
  between them, are kept.

:func:`hermit_input` returns None (use the whole input) when the input uses nominals or other constructs from
which values follow that only HermiT's property-value pass finds (``entailment.needs_hermit_property_values``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from policykg.namespaces import OWL, RDF, RDFS
from policykg.reason.entailment import Triple, TripleIndex, needs_hermit_property_values

_PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.FunctionalProperty,
                   OWL.InverseFunctionalProperty, OWL.TransitiveProperty, OWL.SymmetricProperty,
                   OWL.AsymmetricProperty, OWL.ReflexiveProperty, OWL.IrreflexiveProperty)
_FIRING_PROPERTY_KINDS = frozenset({OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
                                    OWL.AsymmetricProperty, OWL.ReflexiveProperty, OWL.IrreflexiveProperty})
_FIRING_PROPERTY_AXIOMS = frozenset({RDFS.domain, RDFS.range, OWL.propertyDisjointWith})
_PROPERTY_LINKS = frozenset({RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf})
_CLASS_KINDS = (OWL.Class, RDFS.Class, OWL.Restriction)
#: Schema statements HermiT can use (everything else about a schema term is an annotation).
_LOGICAL = frozenset({
    RDF.type, RDF.first, RDF.rest, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
    OWL.equivalentClass, OWL.equivalentProperty, OWL.inverseOf, OWL.disjointWith, OWL.propertyDisjointWith,
    OWL.complementOf, OWL.unionOf, OWL.intersectionOf, OWL.oneOf, OWL.onProperty, OWL.onProperties,
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.hasSelf, OWL.minCardinality, OWL.maxCardinality,
    OWL.cardinality, OWL.minQualifiedCardinality, OWL.maxQualifiedCardinality, OWL.qualifiedCardinality,
    OWL.onClass, OWL.onDataRange, OWL.onDatatype, OWL.withRestrictions, OWL.datatypeComplementOf,
    OWL.propertyChainAxiom, OWL.hasKey, OWL.members, OWL.disjointUnionOf, OWL.distinctMembers,
    OWL.inverseOf, OWL.sourceIndividual, OWL.assertionProperty, OWL.targetIndividual, OWL.targetValue,
})


def hermit_input(triples: Iterable[Triple]) -> set[Triple] | None:
    """The triples HermiT needs from ``triples`` (see the module docstring), or None when it needs them all."""
    index = triples if isinstance(triples, TripleIndex) else TripleIndex(triples)
    if needs_hermit_property_values(index):
        return None
    typed: dict[Node, set[Node]] = defaultdict(set)
    for s, o in index.pairs(RDF.type):
        typed[s].add(o)
    properties = {s for s, kinds in typed.items() if kinds.intersection(_PROPERTY_KINDS)}
    classes = {s for s, kinds in typed.items() if kinds.intersection(_CLASS_KINDS)}
    schema_terms = properties | classes | {s for s, kinds in typed.items()
                                           if kinds & {OWL.AnnotationProperty, RDF.Property, OWL.Ontology,
                                                       OWL.AllDisjointClasses, OWL.AllDisjointProperties}}

    # The schema: logical statements about schema terms and the blank nodes they lead to.
    outgoing: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    for s, p, o in index:
        outgoing[s].append((p, o))
    kept: set[Triple] = set()
    todo = list(schema_terms)
    seen = set(todo)
    while todo:
        node = todo.pop()
        for p, o in outgoing.get(node, ()):
            if p in _LOGICAL:
                kept.add((node, p, o))
                if isinstance(o, BNode) and o not in seen:
                    seen.add(o)
                    todo.append(o)
    expressions = seen - schema_terms  # blank nodes: restrictions, lists, Boolean classes, disjointness axioms

    # Active properties: a firing axiom on the property or on one of its super-properties.
    firing_properties = {p for p in properties if typed[p] & _FIRING_PROPERTY_KINDS}
    firing_properties |= {s for s, p, _ in kept if p in _FIRING_PROPERTY_AXIOMS}
    firing_properties |= {o for s, p, o in kept if p == OWL.propertyDisjointWith}
    firing_properties |= {o for s, p, o in kept if s in expressions and p == RDF.first and o in properties}
    firing_properties |= {o for s, p, o in kept if p in (OWL.onProperty, OWL.hasKey)}
    up: dict[Node, set[Node]] = defaultdict(set)
    for s, p, o in kept:
        if p in _PROPERTY_LINKS:
            up[s].add(o)
            if p != RDFS.subPropertyOf:
                up[o].add(s)
    active = {p for p in properties if _reaches(p, up, firing_properties)}

    # Firing classes: mentioned by a class axiom other than a named hierarchy, and every class below one.
    firing_classes: set[Node] = {OWL.Nothing}
    for s, p, o in kept:
        if p in (RDFS.subClassOf, OWL.equivalentClass) and (isinstance(s, BNode) or isinstance(o, BNode)):
            firing_classes.update(n for n in (s, o) if isinstance(n, URIRef))
        elif p in (OWL.disjointWith, OWL.complementOf, OWL.someValuesFrom, OWL.allValuesFrom, OWL.onClass,
                   OWL.disjointUnionOf):
            firing_classes.update(n for n in (s, o) if isinstance(n, URIRef) and n in classes)
        elif p == RDF.first and s in expressions and isinstance(o, URIRef) and o in classes:
            firing_classes.add(o)
        elif p == OWL.equivalentClass:
            firing_classes.update((s, o))
    sub: dict[Node, set[Node]] = defaultdict(set)
    for s, p, o in kept:
        if p == RDFS.subClassOf:
            sub[o].add(s)
        elif p == OWL.equivalentClass:
            sub[o].add(s)
            sub[s].add(o)
    below = set(firing_classes)
    todo = list(firing_classes)
    while todo:
        for c in sub.get(todo.pop(), ()):
            if c not in below:
                below.add(c)
                todo.append(c)

    # Relevant individuals, and the assertions about them HermiT needs.
    relevant: set[Node] = set()
    for s, p, o in index:
        if s in schema_terms or s in expressions:
            continue
        if p in active:
            kept.add((s, p, o))
            relevant.add(s)
            if not isinstance(o, Literal):
                relevant.add(o)
        elif p == RDF.type and o in below:
            relevant.add(s)
    links: dict[Node, set[Node]] = defaultdict(set)
    for p in (OWL.sameAs, OWL.differentFrom):
        for a, b in index.pairs(p):
            links[a].add(b)
            links[b].add(a)
    todo = [n for n in relevant if n in links]
    while todo:
        for other in links[todo.pop()]:
            if other not in relevant:
                relevant.add(other)
                todo.append(other)
    for p in (OWL.sameAs, OWL.differentFrom):
        kept.update((a, p, b) for a, b in index.pairs(p) if a in relevant)
    for s, o in index.pairs(RDF.type):
        if s in relevant:
            kept.add((s, RDF.type, o))
    for s in index.subjects(RDF.type, OWL.AllDifferent):  # and their member lists
        todo = [s]
        while todo:
            node = todo.pop()
            for p, o in outgoing.get(node, ()):
                kept.add((node, p, o))
                if isinstance(o, BNode):
                    todo.append(o)
    return kept


def _reaches(start: Node, edges: dict[Node, set[Node]], targets: set[Node]) -> bool:
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        if node in targets:
            return True
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


__all__ = ["hermit_input"]
