"""Where CELLAR and the curated data differ: values that disagree, links and acts our data lacks, CELEX
numbers and procedures CELLAR does not know. A report value; nothing is changed.

A value disagrees when both sides state one and the sets differ (CELLAR's open-ended end of validity,
9999-12-31, disagrees with a curated end date). A value only CELLAR states is an addition, not a
disagreement. CDM's in-force flag is a boolean, so "true" agrees with eli:InForce-partiallyInForce.
Titles and EuroVoc subjects are not compared: the enrichment graph carries CELLAR's, beside ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from policykg.eurlex.cellar import CellarAnswer, CellarWork
from policykg.eurlex.curated import CuratedView
from policykg.eurlex.mapping import IN_FORCE, eli_for, linked_iri
from policykg.namespaces import ELI, OWL, PKG

OPEN_ENDED = "none (9999-12-31)"


@dataclass(frozen=True, order=True)
class Disagreement:
    celex: str
    subject: str          # the IRI our data uses
    property: str         # an ELI property IRI (owl:sameAs for an ELI our data does not use)
    cellar: tuple[str, ...]
    curated: tuple[str, ...]


@dataclass(frozen=True, order=True)
class MissingLink:
    """A statement CELLAR supports that our data lacks: ``subject property target``."""

    celex: str
    subject: str
    property: str         # eli:amends, eli:repeals, pkg:followsProcedure or pkg:resultsFrom
    target: str
    target_label: str     # the target's CELEX number, or the procedure reference / IRI
    target_in_data: bool


@dataclass(frozen=True)
class EnrichmentReport:
    endpoint: str
    asked: tuple[str, ...]
    found: tuple[str, ...]
    unknown: tuple[str, ...]                 # CELEX numbers of our data CELLAR does not know
    unknown_procedures: tuple[str, ...]
    disagreements: tuple[Disagreement, ...]
    missing_links: tuple[MissingLink, ...]
    missing_acts: tuple[str, ...]            # CELEX numbers CELLAR links to that our data lacks
    notes: tuple[str, ...]                   # CELLAR values left out, and why
    requests: int = 0
    retries: int = 0

    @property
    def has_differences(self) -> bool:
        return bool(self.unknown or self.disagreements or self.missing_links or self.missing_acts)


def compare(answer: CellarAnswer, curated: CuratedView) -> EnrichmentReport:
    disagreements: list[Disagreement] = []
    missing: list[MissingLink] = []
    missing_acts: set[str] = set()
    for celex in answer.asked:
        work = answer.works.get(celex)
        subject = curated.iri(celex)
        if work is None or subject is None:
            continue
        disagreements += _values(celex, subject, work, curated)
        for link in sorted(work.links):
            target = linked_iri(link.target, answer, curated)
            if (subject, link.relation, target) not in curated.links:
                in_data = curated.iri(link.target.celex) is not None
                missing.append(MissingLink(celex, str(subject), str(ELI[link.relation]), str(target),
                                           link.target.celex, in_data))
                if not in_data:
                    missing_acts.add(link.target.celex)

    for cellar_iri, procedure in sorted(answer.procedures.items()):
        ours = curated.procedures.get(cellar_iri)
        if ours is None:
            continue
        proposals = sorted(procedure.proposals)
        for act in sorted(procedure.proposals | procedure.final_acts):
            iri = linked_iri(act, answer, curated)
            in_data = curated.iri(act.celex) is not None
            if not in_data:
                missing_acts.add(act.celex)
            if (iri, ours) not in curated.follows:
                missing.append(MissingLink(act.celex, str(iri), str(PKG.followsProcedure), str(ours),
                                           str(cellar_iri), True))
        for act in sorted(procedure.final_acts):
            iri = linked_iri(act, answer, curated)
            for proposal in proposals:
                target = linked_iri(proposal, answer, curated)
                if (iri, target) not in curated.results_from:
                    missing.append(MissingLink(act.celex, str(iri), str(PKG.resultsFrom), str(target),
                                               proposal.celex, curated.iri(proposal.celex) is not None))

    return EnrichmentReport(
        endpoint=answer.endpoint, asked=answer.asked,
        found=tuple(c for c in answer.asked if c in answer.works), unknown=answer.unknown,
        unknown_procedures=tuple(str(p) for p in answer.unknown_procedures),
        disagreements=tuple(sorted(disagreements)), missing_links=tuple(sorted(set(missing))),
        missing_acts=tuple(sorted(missing_acts)), notes=tuple(answer.notes),
        requests=answer.requests, retries=answer.retries)


def _values(celex: str, subject: URIRef, work: CellarWork, curated: CuratedView) -> list[Disagreement]:
    ours = curated.values.get(subject, {})
    cellar: dict[URIRef, set[str]] = {
        ELI.date_document: set(work.date_document),
        ELI.first_date_entry_in_force: set(work.entry_into_force),
        ELI.date_no_longer_in_force: set(work.end_of_validity) or ({OPEN_ENDED} if work.open_ended else set()),
        ELI.in_force: {str(IN_FORCE[flag]) for flag in work.in_force},
        ELI.type_document: {str(t) for t in work.types},
    }
    found = []
    for prop, theirs in cellar.items():
        mine = {str(v) for v in ours.get(prop, frozenset())}
        if prop == ELI.in_force and str(ELI["InForce-partiallyInForce"]) in mine:
            mine = (mine - {str(ELI["InForce-partiallyInForce"])}) | {str(IN_FORCE[True])}
        if theirs and mine and theirs != mine:
            found.append(Disagreement(celex, str(subject), str(prop), tuple(sorted(theirs)), tuple(sorted(mine))))
    eli = eli_for(celex, work.eli)
    if eli is not None and eli != subject:
        found.append(Disagreement(celex, str(subject), str(OWL.sameAs), (str(eli),), (str(subject),)))
    return found

