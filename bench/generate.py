"""Synthetic policy graphs shaped like the project's data, from 1k to 1M triples, as N-Quads.

Each synthetic policy file gets its own named graph (like ``data/<file>.ttl``) holding the file, its adopted acts
and proposal (ELI and CELEX IRIs, a CELEX number, titles, dates, type, in-force status, amends links), its
procedure, dated lifecycle events, a position with its stance and concerns, and publications. Concepts and
organisations live in shared graphs, and the dataset describes itself (title, licence, version) like
``data/dataset.ttl``. The output is deterministic for a given size and seed.

    python bench/generate.py --triples 10000 --out /tmp/policy-10k.nq
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from policykg.namespaces import (CELEX, CONCEPT, CORPORATE_BODY, DATASET, DCAT, DCTERMS, ELI, ELI_ACT, ELI_DL,
                                 EP_PROCEDURE, EUROVOC, EVENT, FILE, GRAPH, OA, ORGANISATION, PKG, POSITION, PROV,
                                 PUBLICATION, RDF, RESOURCE_TYPE, SKOS, VOID, XSD)

GROUPS = ["undocumented-people", "undocumented-children", "people-in-migration", "racialised-groups",
          "women", "workers", "asylum-seekers", "victims-of-crime", "families", "older-people"]
AREAS = ["labour-rights", "health", "children", "digital-technologies", "racial-justice", "detention",
         "firewall", "funding", "gender"]
STAGES = ["proposed", "under-negotiation", "provisional-agreement", "adopted", "published", "in-force", "applies"]
STANCES = ["critical", "supportive", "mixed", "concerned"]
CONCERNS = ["racial-profiling", "detention-of-children", "data-sharing", "access-to-justice", "harmful-uses-of-ai",
            "criminalisation-of-solidarity", "labour-exploitation", "health-care-access"]
ACT_TYPES = [("R", "reg", "REG", "Regulation"), ("L", "dir", "DIR", "Directive"), ("D", "dec", "DEC", "Decision")]
ORGS = ["picum", "ecre", "eapn", "amnesty", "hrw", "edri", "caritas", "red-cross"]
TRIPLES_PER_FILE = 150  # about; the generator stops at the requested size


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(value: str, datatype: str | None = None, lang: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def celex_numbers(count: int, seed: int = 7) -> list[str]:
    """The CELEX numbers of the adopted acts the generator creates (for lookup benchmarks)."""
    rng = random.Random(seed)
    return [_celex(i, rng)[0] for i in range(count)]


def _celex(i: int, rng: random.Random) -> tuple[str, tuple[str, str, str, str], int, int]:
    kind = ACT_TYPES[i % 3]
    year = 2000 + (i * 7) % 27
    number = 1000 + i
    return f"3{year}{kind[0]}{number:04d}", kind, year, number


def policy_file(i: int, rng: random.Random) -> Iterator[tuple[str, str, str]]:
    """The triples of synthetic policy file number ``i``."""
    slug = f"file-{i:06d}"
    f = _iri(FILE[slug])
    a = _iri(RDF.type)
    yield f, a, _iri(PKG.PolicyFile)
    yield f, _iri(SKOS.prefLabel), _lit(f"Policy file {i}", lang="en")
    yield f, _iri(DCTERMS.description), _lit(f"A synthetic EU policy file number {i} about migration.", lang="en")
    for group in rng.sample(GROUPS, 3):
        yield f, _iri(PKG.affects), _iri(CONCEPT[f"affected-group/{group}"])
    for area in rng.sample(AREAS, 2):
        yield f, _iri(PKG.workArea), _iri(CONCEPT[f"work-area/{area}"])
    for subject in rng.sample(range(100, 9000), 3):
        yield f, _iri(DCTERMS.subject), _iri(EUROVOC[str(subject)])
    stage = rng.choice(STAGES)
    yield f, _iri(PKG.currentStatus), _iri(CONCEPT[f"lifecycle-status/{stage}"])
    yield f, _iri(PKG.statusAsOf), _lit("2026-11-29", XSD.date)
    celex, (letter, eli_type, rtype, label), year, number = _celex(i, rng)
    act = _iri(f"{ELI_ACT}{eli_type}/{year}/{number}/oj")
    proposal_celex = f"5{year - 1}PC{number % 1000:04d}"
    proposal = _iri(CELEX[proposal_celex])
    procedure = _iri(EP_PROCEDURE[f"{year - 1}-{number % 1000:04d}"])
    yield f, _iri(PKG.hasAdoptedAct), act
    yield f, _iri(PKG.hasProposal), proposal
    yield f, _iri(PKG.followsProcedure), procedure
    # the adopted act
    yield act, a, _iri(PKG[label])
    yield act, _iri(PKG.celex), _lit(celex)
    yield act, _iri(ELI.type_document), _iri(RESOURCE_TYPE[rtype])
    yield act, _iri(ELI.title), _lit(f"{label} (EU) {year}/{number} on synthetic matter {i}", lang="en")
    yield act, _iri(ELI.title_short), _lit(f"Synthetic act {i}", lang="en")
    month, day = 1 + i % 12, 1 + i % 28
    yield act, _iri(ELI.date_document), _lit(f"{year}-{month:02d}-{day:02d}", XSD.date)
    yield act, _iri(ELI.date_publication), _lit(f"{year}-{month:02d}-{min(day + 1, 28):02d}", XSD.date)
    yield act, _iri(ELI.first_date_entry_in_force), _lit(f"{year}-{month:02d}-{min(day + 2, 28):02d}", XSD.date)
    yield act, _iri(ELI.in_force), _iri(ELI["InForce-inForce"])
    yield act, _iri(ELI.passed_by), _iri(CORPORATE_BODY.EP)
    yield act, _iri(ELI.passed_by), _iri(CORPORATE_BODY.CONSIL)
    yield act, _iri(PKG.followsProcedure), procedure
    yield act, _iri(PKG.resultsFrom), proposal
    if i > 0 and rng.random() < 0.3:
        older, (_, older_type, _, _), older_year, older_number = _celex(rng.randrange(i), rng)
        yield act, _iri(ELI.amends), _iri(f"{ELI_ACT}{older_type}/{older_year}/{older_number}/oj")
    # the proposal and the procedure
    yield proposal, a, _iri(PKG.Proposal)
    yield proposal, _iri(PKG.celex), _lit(proposal_celex)
    yield proposal, _iri(ELI.title), _lit(f"Proposal for a {label} on synthetic matter {i}", lang="en")
    yield proposal, _iri(ELI.date_document), _lit(f"{year - 1}-{month:02d}-{day:02d}", XSD.date)
    yield proposal, _iri(PKG.resultedIn), act
    yield procedure, a, _iri(ELI_DL.Process)
    yield procedure, _iri(DCTERMS.identifier), _lit(f"{year - 1}/{number % 1000:04d}(COD)")
    # lifecycle events
    for n, event_stage in enumerate(STAGES[:STAGES.index(stage) + 1]):
        event = _iri(EVENT[f"{slug}-{event_stage}"])
        yield event, a, _iri(PKG.LifecycleEvent)
        yield event, _iri(PKG.eventOf), f
        yield event, _iri(PKG.stage), _iri(CONCEPT[f"lifecycle-status/{event_stage}"])
        yield event, _iri(ELI_DL.activity_date), _lit(f"{year - 1 + n // 4}-{1 + (n * 2) % 12:02d}-15", XSD.date)
        yield event, _iri(SKOS.prefLabel), _lit(f"{event_stage} of file {i}", lang="en")
    # a position and its publications
    position = _iri(POSITION[slug])
    yield position, a, _iri(PKG.Position)
    yield position, _iri(OA.motivatedBy), _iri(OA.assessing)
    yield position, _iri(OA.hasTarget), f
    yield position, _iri(PKG.stance), _iri(CONCEPT[f"stance/{rng.choice(STANCES)}"])
    for concern in rng.sample(CONCERNS, 2):
        yield position, _iri(PKG.raisesConcern), _iri(CONCEPT[f"concern/{concern}"])
    yield position, _iri(DCTERMS.creator), _iri(ORGANISATION.picum)
    for n in range(rng.randint(4, 8)):
        publication = _iri(PUBLICATION[f"{slug}-{n}"])
        yield position, _iri(PKG.expressedIn), publication
        yield publication, a, _iri(PKG.Publication)
        yield publication, _iri(DCTERMS.title), _lit(f"Statement {n} on policy file {i}", lang="en")
        yield publication, _iri(DCTERMS.date), _lit(f"{year}-{1 + n:02d}-10", XSD.date)
        yield publication, _iri(DCTERMS.creator), _iri(ORGANISATION[rng.choice(ORGS)])
        yield publication, _iri(PKG.about), f


def shared_graphs() -> Iterator[tuple[str, str, str, str]]:
    vocab, orgs, meta = (_iri(GRAPH["vocabularies"]), _iri(GRAPH["data/organisations"]),
                         _iri(GRAPH["data/dataset"]))
    a = _iri(RDF.type)
    for scheme, names in (("affected-group", GROUPS), ("work-area", AREAS), ("lifecycle-status", STAGES),
                          ("stance", STANCES), ("concern", CONCERNS)):
        for name in names:
            concept = _iri(CONCEPT[f"{scheme}/{name}"])
            yield concept, a, _iri(SKOS.Concept), vocab
            yield concept, _iri(SKOS.prefLabel), _lit(name.replace("-", " "), lang="en"), vocab
    for org in ORGS:
        yield _iri(ORGANISATION[org]), _iri(SKOS.prefLabel), _lit(org.upper()), orgs
    dataset = _iri(DATASET)
    yield dataset, a, _iri(DCAT.Dataset), meta
    yield dataset, a, _iri(VOID.Dataset), meta
    yield dataset, _iri(DCTERMS.title), _lit("policykg synthetic benchmark graph", lang="en"), meta
    yield dataset, _iri(DCTERMS.license), _iri("https://creativecommons.org/licenses/by/4.0/"), meta
    yield dataset, _iri(f"{DCAT}version"), _lit("0.0.0-synthetic"), meta
    yield _iri(GRAPH["data/dataset"]), _iri(PROV.wasDerivedFrom), _iri(GRAPH["vocabularies"]), meta


def generate(triples: int, seed: int = 7) -> Iterator[str]:
    """N-Quads lines, about ``triples`` of them (never fewer than the shared graphs)."""
    rng = random.Random(seed)
    emitted = 0
    for s, p, o, g in shared_graphs():
        emitted += 1
        yield f"{s} {p} {o} {g} .\n"
    i = 0
    while emitted < triples:
        graph = _iri(GRAPH[f"data/file-{i:06d}"])
        for s, p, o in policy_file(i, rng):
            if emitted >= triples:
                break
            emitted += 1
            yield f"{s} {p} {o} {graph} .\n"
        i += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True, help="N-Quads file to write")
    args = parser.parse_args(argv)
    with args.out.open("w", encoding="utf-8") as out:
        out.writelines(generate(args.triples, args.seed))
    print(f"wrote {args.triples} quads to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
