"""CELLAR's answer in our vocabulary: ELI terms on the IRIs our data uses, in the named graph
``graph/data/eurlex/cellar``, with PROV provenance (endpoint, queries, time).

CDM -> ELI (reference note, 3.2 and 2.3): work_date_document -> eli:date_document; date_entry-into-force ->
eli:first_date_entry_in_force; date_end-of-validity -> eli:date_no_longer_in_force (the 9999-12-31 sentinel
already dropped); in-force boolean -> eli:InForce-inForce / eli:InForce-notInForce; work_has_resource-type ->
eli:type_document; work_is_about_concept_eurovoc -> eli:is_about; expression titles -> eli:title@lang on the
work; amends / repeals -> eli:amends / eli:repeals; a dossier's proposal and final act -> pkg:followsProcedure
our procedure, and pkg:resultsFrom between act and proposal.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from rdflib import BNode, Dataset, Graph, Literal, URIRef

from policykg.errors import IdentifierError
from policykg.eurlex.cellar import CellarAnswer, LinkedAct
from policykg.eurlex.curated import CuratedView
from policykg.identifiers import cellar_celex_iri, eli_to_celex, eurlex_url, parse_eli
from policykg.namespaces import CONCEPT, DCTERMS, ELI, GRAPH, OWL, PKG, PROV, RDF, RDFS, XSD

#: The named graph of the enrichment (the graph data/eurlex/cellar.ttl loads into).
ENRICHMENT_GRAPH = GRAPH["data/eurlex/cellar"]

IN_FORCE = {True: ELI["InForce-inForce"], False: ELI["InForce-notInForce"]}

#: Every source the enrichment cites is an official record (docs/data-guide.md, source types).
OFFICIAL_RECORD = CONCEPT["source-type/official-record"]


def eli_for(celex: str, candidates: Iterable[str | None]) -> URIRef | None:
    """The ELI (``.../oj``) among ``candidates`` that belongs to ``celex``; None if none does."""
    for candidate in sorted(c for c in candidates if c):
        try:
            eli = parse_eli(candidate)
            if str(eli_to_celex(eli)) == celex:
                return eli.iri
        except IdentifierError:
            continue
    return None


def act_iri(celex: str, curated: CuratedView, eli_candidates: Iterable[str | None] = ()) -> URIRef:
    """The IRI for an act: the one our data uses, else its ELI as CELLAR gives it, else its CELEX IRI."""
    return curated.iri(celex) or eli_for(celex, eli_candidates) or cellar_celex_iri(celex)


def linked_iri(act: LinkedAct, answer: CellarAnswer, curated: CuratedView) -> URIRef:
    work = answer.works.get(act.celex)
    return act_iri(act.celex, curated, [act.eli, *(work.eli if work else ())])


def to_dataset(answer: CellarAnswer, curated: CuratedView, *, generated_at: _dt.datetime) -> Dataset:
    """The enrichment as a Dataset holding one named graph, :data:`ENRICHMENT_GRAPH`."""
    dataset = Dataset()
    graph = dataset.graph(ENRICHMENT_GRAPH)
    _acts(graph, answer, curated)
    _procedures(graph, answer, curated)
    _sources(graph, curated)
    _provenance(graph, answer, generated_at)
    return dataset


def _acts(graph: Graph, answer: CellarAnswer, curated: CuratedView) -> None:
    for celex, work in sorted(answer.works.items()):
        subject = act_iri(celex, curated, work.eli)
        graph.add((subject, PKG.celex, Literal(celex)))
        eli = eli_for(celex, work.eli)
        if eli is not None and eli != subject:
            graph.add((subject, OWL.sameAs, eli))
        for tag, title in work.titles:
            graph.add((subject, ELI.title, Literal(title, lang=tag)))
        for prop, dates in ((ELI.date_document, work.date_document),
                            (ELI.first_date_entry_in_force, work.entry_into_force),
                            (ELI.date_no_longer_in_force, work.end_of_validity)):
            for iso in dates:
                graph.add((subject, prop, Literal(iso, datatype=XSD.date)))
        for flag in work.in_force:
            graph.add((subject, ELI.in_force, IN_FORCE[flag]))
        for kind in work.types:
            graph.add((subject, ELI.type_document, kind))
        for concept in work.subjects:
            graph.add((subject, ELI.is_about, concept))
        for link in work.links:
            target = linked_iri(link.target, answer, curated)
            graph.add((subject, ELI[link.relation], target))
            graph.add((target, PKG.celex, Literal(link.target.celex)))


def _procedures(graph: Graph, answer: CellarAnswer, curated: CuratedView) -> None:
    for cellar_iri, procedure in sorted(answer.procedures.items()):
        ours = curated.procedures.get(cellar_iri)
        if ours is None:
            continue
        proposals = [linked_iri(a, answer, curated) for a in sorted(procedure.proposals)]
        for act in sorted(procedure.proposals | procedure.final_acts):
            iri = linked_iri(act, answer, curated)
            graph.add((iri, PKG.celex, Literal(act.celex)))
            graph.add((iri, PKG.followsProcedure, ours))
        for act in sorted(procedure.final_acts):
            for proposal in proposals:
                graph.add((linked_iri(act, answer, curated), PKG.resultsFrom, proposal))


def _sources(graph: Graph, curated: CuratedView) -> None:
    """Acts the curated data lacks get their EUR-Lex page as dcterms:source (curated acts have theirs)."""
    for subject, celex in sorted(graph.subject_objects(PKG.celex)):
        if curated.iri(str(celex)) is None:
            page = URIRef(eurlex_url(str(celex)))
            graph.add((subject, DCTERMS.source, page))
            graph.add((page, DCTERMS.type, OFFICIAL_RECORD))


def _provenance(graph: Graph, answer: CellarAnswer, generated_at: _dt.datetime) -> None:
    endpoint = URIRef(answer.endpoint)
    activity = BNode()
    graph.add((ENRICHMENT_GRAPH, RDF.type, PROV.Entity))
    graph.add((ENRICHMENT_GRAPH, DCTERMS.title, Literal("What EUR-Lex's CELLAR says about the acts in the graph",
                                                        lang="en")))
    graph.add((ENRICHMENT_GRAPH, DCTERMS.description, Literal(
        "Written by policykg enrich from CELLAR's SPARQL endpoint: CELLAR's values, not the curated ones; "
        "differences with the curated data are reported by the command, never merged.", lang="en")))
    graph.add((ENRICHMENT_GRAPH, PROV.wasDerivedFrom, endpoint))
    graph.add((endpoint, DCTERMS.type, OFFICIAL_RECORD))  # the Publications Office's own record of EU law
    graph.add((ENRICHMENT_GRAPH, PROV.generatedAtTime, timestamp(generated_at)))
    graph.add((ENRICHMENT_GRAPH, PROV.wasGeneratedBy, activity))
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, RDFS.label, Literal("policykg enrich", lang="en")))
    graph.add((activity, PROV.used, endpoint))
    for name, text in sorted(answer.queries.items()):
        query = BNode()
        graph.add((activity, PROV.used, query))
        graph.add((query, RDF.type, PROV.Entity))
        graph.add((query, RDFS.label, Literal(f"{name}.rq")))
        graph.add((query, RDFS.comment, Literal(text)))


def timestamp(moment: _dt.datetime) -> Literal:
    """An xsd:dateTime in UTC to the second, e.g. ``2026-11-29T10:00:00Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.UTC)
    text = moment.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Literal(text, datatype=XSD.dateTime)
