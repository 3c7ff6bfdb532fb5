"""Benchmark the OWL reasoner: run time of ``policykg.reason.reasoner.infer`` on the real graph and on generated graphs.

    python bench/bench_reason.py                      # real graph and a ~100k-triple generated graph, 3 runs each
    python bench/bench_reason.py --runs 5 --size 100000 --size 20000
    python bench/bench_reason.py --no-real --size 1000000
    python bench/bench_reason.py --runs 1 --size 20000 --hermit-property-values on
    python bench/bench_reason.py --runs 3 --size 100000 --profile   # what part of the input HermiT needs

Prints, per graph: input triples, inferred triples, and the median (and min/max) over the runs of HermiT's time
(owlready2's ``sync_reasoner``: writing the world out, the Java process, reading the results) and of the whole
``infer`` call (merging the input, loading it into owlready2, HermiT, expanding its answers, filtering); the runs
do not use the cache. Then the time of ``cached_inference`` when its cache already holds the answer (what a
restart costs when nothing changed). The generated graphs are shaped like data/*.ttl
(policy files, packages, acts that repeal, amend and recast each other, proposals, procedures with their CELLAR
twin, lifecycle events, claims, positions with a textual body, publications) and use the real ontology and
vocabularies, so the reasoner does the same kind of work as on the real graph, only more of it.

``--profile`` prints, per graph, what part of the input HermiT needs (the TBox, and the individuals and
assertions an axiom can act on: ``policykg.reason.relevance.hermit_input``) and HermiT's time on the whole input
and on that part (runs alternate between the two; "run" is the whole child process: start, load, HermiT,
answer), and whether the inferred triples, the verdict and the unsatisfiable classes are identical.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from policykg.graph.load import load_files
from policykg.namespaces import (CELEX, CELLAR_PROCEDURE, DCTERMS, ELI, ELI_ACT, ELI_DL, EP_PROCEDURE, FILE, ID,
                                 OA, ORG, OWL, PKG, PROV, RDF, RDFS, SKOS, XSD)
from policykg.project import Project
from policykg.reason.entailment import TripleIndex, entailed_triples
from policykg.reason.owl_world import run_hermit, unsatisfiable_classes
from policykg.reason.reasoner import _keep, cached_inference, infer, reasoner_input, reasoning_files, schema_graph
from policykg.reason.relevance import hermit_input

PAGE = URIRef("https://picum.org/our-work/")


def concepts(schema: Graph, kind: URIRef) -> list[URIRef]:
    return sorted(s for s in schema.subjects(RDF.type, kind) if isinstance(s, URIRef))


def generate(project: Project, target: int, *, seed: int = 7) -> Graph:
    """The ontology, imports and vocabularies plus generated data, about ``target`` triples in all."""
    rng = random.Random(seed)
    schema = load_files([*project.ontology_files(), *project.vocabulary_files()], root=project.root)
    graph = reasoner_input(schema)
    groups, areas = concepts(graph, PKG.AffectedGroup), concepts(graph, PKG.WorkArea)
    stances, concerns = concepts(graph, PKG.Stance), concepts(graph, PKG.Concern)
    statuses, kinds = concepts(graph, PKG.LifecycleStatus), concepts(graph, PKG.FileKind)
    pubtypes = concepts(graph, PKG.PublicationType)
    ngo = ID["org/picum"]
    graph.add((ngo, RDF.type, ORG.FormalOrganization))
    acts: list[URIRef] = []
    package: URIRef | None = None
    i = 0
    while len(graph) < target:
        i += 1
        year = 2000 + i % 26
        f = FILE[f"gen-{i}"]
        act_kind = PKG.Directive if i % 2 else PKG.Regulation
        act = URIRef(f"{ELI_ACT}{'dir' if i % 2 else 'reg'}/{year}/{i}/oj")
        celex = f"3{year}{'L' if i % 2 else 'R'}{i:04d}"
        proposal = CELEX[f"5{year - 2}PC{i:04d}"]
        procedure = EP_PROCEDURE[f"{year - 2}-{i:04d}"]
        add = graph.add
        if i % 20 == 1:
            package = FILE[f"gen-package-{i}"]
            add((package, RDF.type, PKG.PolicyPackage))
            add((package, SKOS.prefLabel, Literal(f"Generated package {i}", lang="en")))
            add((package, PKG.affects, rng.choice(groups)))
        add((package, PKG.hasPart, f))
        for p, o in [(RDF.type, PKG.PolicyFile), (SKOS.prefLabel, Literal(f"Generated file {i}", lang="en")),
                     (DCTERMS.description, Literal(f"A generated policy file number {i}.", lang="en")),
                     (PKG.fileKind, rng.choice(kinds)), (PKG.workArea, rng.choice(areas)),
                     (PKG.workArea, rng.choice(areas)), (PKG.affects, rng.choice(groups)),
                     (PKG.affects, rng.choice(groups)), (PKG.hasAdoptedAct, act), (PKG.hasProposal, proposal),
                     (PKG.followsProcedure, procedure), (PKG.currentStatus, rng.choice(statuses)),
                     (PKG.statusAsOf, Literal("2026-11-29", datatype=XSD.date)), (DCTERMS.source, PAGE)]:
            add((f, p, o))
        for p, o in [(RDF.type, act_kind), (PKG.celex, Literal(celex)),
                     (ELI.title, Literal(f"Generated act {i}", lang="en")),
                     (ELI.date_document, Literal(f"{year}-05-14", datatype=XSD.date)),
                     (ELI.in_force, ELI["InForce-inForce"]), (PKG.resultsFrom, proposal),
                     (PKG.followsProcedure, procedure)]:
            add((act, p, o))
        if len(acts) >= 2:  # acts[-2] is of the same kind: a directive may recast it
            add((act, rng.choice([ELI.amends, ELI.repeals, PKG.recasts if i % 2 else ELI.repeals]), acts[-2]))
            add((act, ELI.amends, acts[-1]))
        acts.append(act)
        add((proposal, RDF.type, PKG.Proposal))
        add((proposal, PKG.celex, Literal(str(proposal).rsplit("/", 1)[1])))
        add((procedure, RDF.type, ELI_DL.Process))
        add((procedure, OWL.sameAs, CELLAR_PROCEDURE[f"{year - 2}_{i}"]))
        for n, stage in enumerate(rng.sample(statuses, 3)):
            event = ID[f"event/gen-{i}-{n}"]
            for p, o in [(RDF.type, PKG.LifecycleEvent), (PKG.eventOf, f), (PKG.stage, stage),
                         (ELI_DL.activity_date, Literal(f"{year}-0{n + 1}-01", datatype=XSD.date)),
                         (PKG.concernsInstrument, act), (RDFS.label, Literal(f"Step {n}", lang="en"))]:
                add((event, p, o))
        claim = ID[f"claim/gen-{i}"]
        for p, o in [(RDF.type, PKG.LifecycleClaim), (PKG.claimAbout, f), (PKG.stage, rng.choice(statuses)),
                     (PKG.statedPeriod, Literal(str(year), datatype=XSD.gYear)), (PROV.wasDerivedFrom, PAGE),
                     (PKG.corroboratedBy, ID[f"event/gen-{i}-0"])]:
            add((claim, p, o))
        position, publication, body = ID[f"position/gen-{i}"], ID[f"publication/gen-{i}"], BNode()
        for p, o in [(RDF.type, PKG.Position), (OA.motivatedBy, OA.assessing), (OA.hasTarget, f),
                     (OA.hasBody, body), (PKG.stance, rng.choice(stances)), (PKG.raisesConcern, rng.choice(concerns)),
                     (PKG.namesGroup, rng.choice(groups)), (PKG.expressedIn, publication), (DCTERMS.creator, ngo),
                     (PROV.wasDerivedFrom, PAGE)]:
            add((position, p, o))
        add((body, RDF.type, OA.TextualBody))
        add((body, RDF.value, Literal(f"Position on generated file {i}.", lang="en")))
        for p, o in [(RDF.type, PKG.Publication), (RDFS.label, Literal(f"Publication {i}", lang="en")),
                     (DCTERMS.type, rng.choice(pubtypes)), (PKG.about, f), (DCTERMS.creator, ngo)]:
            add((publication, p, o))
    return graph


def measure(name: str, graph: Graph, runs: int, *, hermit_property_values: bool | None) -> None:
    hermit, total, inferred = [], [], 0
    for _ in range(runs):
        start = time.perf_counter()
        result = infer(graph, hermit_property_values=hermit_property_values)
        total.append(time.perf_counter() - start)
        hermit.append(result.reasoner_seconds)
        if not result.consistent:
            raise SystemExit(f"{name}: inconsistent: {result.explain()}")
        inferred = len(result.inferred)
    with tempfile.TemporaryDirectory() as folder:  # a second start: the cache answers, HermiT does not run
        project = Project(Path(folder))
        cached_inference(project, graph, hermit_property_values=hermit_property_values)
        start = time.perf_counter()
        assert cached_inference(project, graph).from_cache
        cached = time.perf_counter() - start
    print(f"{name:<24} {len(graph):>9,} triples  {inferred:>9,} inferred  "
          f"HermiT {_stats(hermit)}  infer() {_stats(total)}  from cache {cached:.1f} s", flush=True)


def profile(name: str, graph: Graph, runs: int) -> None:
    """HermiT on the whole input and on the part it needs: sizes, times, and whether the answers agree."""
    index = TripleIndex(set(graph))
    start = time.perf_counter()
    reduced = hermit_input(index)
    select = time.perf_counter() - start
    if reduced is None:
        print(f"{name}: uses constructs that need HermiT's property-value pass: the whole input is needed")
        return
    tbox = schema_graph(index)
    individuals = {s for s, p, o in index if p == RDF.type and (s, p, o) not in tbox}
    kept_individuals = {s for s, p, o in reduced if p == RDF.type and (s, p, o) not in tbox}
    times: dict[str, list[float]] = {"whole": [], "reduced": []}
    walls: dict[str, list[float]] = {"whole": [], "reduced": []}
    answers: dict[str, tuple] = {}
    for _ in range(runs):
        for label, triples in (("whole", index), ("reduced", reduced)):
            start = time.perf_counter()
            run = run_hermit(triples, property_values=False)
            walls[label].append(time.perf_counter() - start)
            times[label].append(run.seconds)
            if run.consistent:
                entailed, vocab = entailed_triples(index, run.conclusions)
                inferred = frozenset(_keep(entailed, index, vocab.terms))
            else:
                inferred = frozenset()
            answers[label] = (run.consistent, tuple(unsatisfiable_classes(run.conclusions)), inferred)
    same = answers["whole"] == answers["reduced"]
    print(f"{name}: input {len(index):,} triples (TBox {len(tbox):,}), {len(individuals):,} typed individuals; "
          f"HermiT needs {len(reduced):,} triples ({len(reduced) / len(index):.0%}), "
          f"{len(kept_individuals):,} individuals; selecting them takes {select:.2f} s", flush=True)
    for label in ("whole", "reduced"):
        print(f"  {label:<8} HermiT {_stats(times[label])}  run {_stats(walls[label])}  "
              f"{len(answers[label][2]):,} inferred", flush=True)
    print(f"  identical inferences, verdict and unsatisfiable classes: {'yes' if same else 'NO'}", flush=True)


def _stats(values: list[float]) -> str:
    return f"median {statistics.median(values):6.1f} s (min {min(values):.1f}, max {max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, action="append", help="generated graph size (repeatable)")
    parser.add_argument("--no-real", action="store_true", help="skip the real graph")
    parser.add_argument("--hermit-property-values", choices=("auto", "on", "off"), default="auto",
                        help="HermiT's own property-value pass (default: only when the input needs it)")
    parser.add_argument("--profile", action="store_true",
                        help="HermiT on the whole input vs on the part it needs (hermit_input), and whether "
                             "the inferred triples are the same")
    args = parser.parse_args()
    values = {"auto": None, "on": True, "off": False}[args.hermit_property_values]
    project = Project.locate()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {load:.1f}, {args.runs} runs each, cache not used", flush=True)
    if not args.no_real:
        real = reasoner_input(load_files(reasoning_files(project), root=project.root))
        if args.profile:
            profile("real graph", real, args.runs)
        else:
            measure("real graph", real, args.runs, hermit_property_values=values)
    for size in args.size or [100_000]:
        if args.profile:
            profile(f"generated ~{size:,}", generate(project, size), args.runs)
        else:
            measure(f"generated ~{size:,}", generate(project, size), args.runs, hermit_property_values=values)


if __name__ == "__main__":
    main()
