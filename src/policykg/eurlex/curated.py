"""What the curated graph says that CELLAR can confirm or contradict: the IRI of each CELEX number, its
dates, in-force status and type, its amend/repeal links, and the procedures it follows.

Links are read in both directions and through ``pkg:recasts`` (a sub-property of ``eli:repeals``), so that
``A eli:amends B`` and ``B eli:amended_by A`` count as the same link.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from policykg.errors import IdentifierError
from policykg.identifiers import parse_celex, procedure_to_cellar_iri
from policykg.namespaces import CELLAR_PROCEDURE, DCTERMS, ELI, ELI_DL, OWL, PKG, RDF

#: The values compared with CELLAR's, by property.
COMPARED = (ELI.date_document, ELI.first_date_entry_in_force, ELI.date_no_longer_in_force,
            ELI.in_force, ELI.type_document)

#: property -> (relation, direction): forward "s rel o", inverse "o rel s".
_LINKS = {
    ELI.amends: ("amends", False), ELI.amended_by: ("amends", True),
    ELI.repeals: ("repeals", False), ELI.repealed_by: ("repeals", True),
    PKG.recasts: ("repeals", False), PKG.recastBy: ("repeals", True),
}


@dataclass(frozen=True)
class CuratedView:
    iris_by_celex: dict[str, tuple[URIRef, ...]]
    values: dict[URIRef, dict[URIRef, frozenset[Node]]]       # subject -> property -> values
    links: frozenset[tuple[URIRef, str, URIRef]]               # (act, "amends"/"repeals", target)
    procedures: dict[URIRef, URIRef]                           # CELLAR procedure IRI -> our procedure IRI
    follows: frozenset[tuple[Node, Node]]                      # (instrument, our procedure)
    results_from: frozenset[tuple[Node, Node]]                 # (act, proposal)
    unusable_celex: tuple[str, ...]                            # pkg:celex values that are not base-act CELEX

    @property
    def celex_numbers(self) -> tuple[str, ...]:
        return tuple(sorted(self.iris_by_celex))

    def iri(self, celex: str) -> URIRef | None:
        """The IRI our data uses for ``celex`` (the first, sorted, if several)."""
        iris = self.iris_by_celex.get(celex)
        return iris[0] if iris else None


def read_curated(graph: Graph | Dataset) -> CuratedView:
    """Read ``graph``, the curated data: a Graph, or a Dataset whose named graphs are read as one."""
    if isinstance(graph, Dataset):
        graph = union_graph(graph)
    iris: dict[str, set[URIRef]] = defaultdict(set)
    unusable: set[str] = set()
    for subject, value in graph.subject_objects(PKG.celex):
        if not isinstance(subject, URIRef):
            continue
        try:
            iris[str(parse_celex(str(value)))].add(subject)
        except IdentifierError:
            unusable.add(str(value))
    subjects = {s for group in iris.values() for s in group}
    values = {s: {p: frozenset(graph.objects(s, p)) for p in COMPARED} for s in sorted(subjects)}

    links = set()
    for prop, (relation, inverse) in _LINKS.items():
        for s, o in graph.subject_objects(prop):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                links.add((o, relation, s) if inverse else (s, relation, o))

    procedures: dict[URIRef, URIRef] = {}
    for process in sorted({p for p in graph.subjects(RDF.type, ELI_DL.Process) if isinstance(p, URIRef)}):
        same = [o for o in graph.objects(process, OWL.sameAs) if str(o).startswith(str(CELLAR_PROCEDURE))]
        for cellar in same:
            procedures.setdefault(URIRef(str(cellar)), process)
        if not same:
            for reference in graph.objects(process, DCTERMS.identifier):
                try:
                    procedures.setdefault(procedure_to_cellar_iri(str(reference)), process)
                except IdentifierError:
                    pass  # split procedures have no CELLAR form; malformed references are the shapes' job

    follows = {(s, o) for s, o in graph.subject_objects(PKG.followsProcedure) if s in subjects}
    results = {(s, o) for s, o in graph.subject_objects(PKG.resultsFrom)}
    results |= {(o, s) for s, o in graph.subject_objects(PKG.resultedIn)}
    return CuratedView(
        iris_by_celex={c: tuple(sorted(group)) for c, group in sorted(iris.items())},
        values=values, links=frozenset(links), procedures=dict(sorted(procedures.items())),
        follows=frozenset(follows), results_from=frozenset(results), unusable_celex=tuple(sorted(unusable)))


def union_graph(dataset: Dataset) -> Graph:
    """The triples of every named graph of ``dataset``, in one Graph."""
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union
