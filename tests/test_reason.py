"""The OWL reasoner (issue 7): consistency, classification and the inferred graph, with real HermiT on the
machine's Java runtime. Fixtures are in tests/data/reason/ and are reasoned over together with the real ontology,
imports and vocabularies, in throwaway project folders (so that the cache is theirs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef

from policykg.errors import InconsistentOntology, ReasonerTimeout, ReasonerUnavailable
from policykg.graph.load import load_files
from policykg.namespaces import (CELEX, CELLAR_PROCEDURE, CONCEPT, DCTERMS, ELI, ELI_ACT, EP_PROCEDURE, FILE, ID,
                                 INFERRED_GRAPH, OWL, PKG, PREFIXES, RDF, RDFS, SKOS)
from policykg.project import Project
from policykg.reason.reasoner import cached_inference, infer, input_digest, reasoner_input, reasoning_files

FIXTURES = Path(__file__).parent / "data" / "reason"

AMMR = URIRef(ELI_ACT + "reg/2024/1351/oj")
DUBLIN_III = URIRef(ELI_ACT + "reg/2013/604/oj")
RECAST_RCD = URIRef(ELI_ACT + "dir/2024/1346/oj")      # typed pkg:RecastDirective only
RCD_2013 = URIRef(ELI_ACT + "dir/2013/33/oj")
SINGLE_PERMIT = URIRef(ELI_ACT + "dir/2024/1233/oj")   # a pkg:Directive that pkg:recasts: classified
SINGLE_PERMIT_2011 = URIRef(ELI_ACT + "dir/2011/98/oj")
LONG_TERM = URIRef(ELI_ACT + "dir/2003/109/oj")
PROPOSAL = CELEX["52020PC0610"]
PROCEDURE = EP_PROCEDURE["2020-0279"]
GROUP = "affected-group/"


def _project(root: Path, fixture: str) -> Project:
    """A project folder with the real ontology, imports and vocabularies, and one fixture as its data."""
    source = Project.locate(Path(__file__).resolve().parents[1])
    shutil.copytree(source.root / "ontology", root / "ontology", ignore=shutil.ignore_patterns("shapes"))
    (root / "data").mkdir()
    shutil.copy(FIXTURES / fixture, root / "data" / fixture)
    return Project.locate(root)


def _no_java(folder: Path) -> dict[str, str]:
    """The environment with a PATH on which there is no ``java`` (and no POLICYKG_ROOT)."""
    folder.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "POLICYKG_ROOT"}
    env["PATH"] = str(folder)
    return env


def _source(project):
    return load_files(reasoning_files(project), root=project.root)


def _cli(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykg", "--root", str(root), "reason", *args],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def pact(tmp_path_factory):
    project = _project(tmp_path_factory.mktemp("pact"), "pact.ttl")
    return project, cached_inference(project, _source(project))


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    project = _project(tmp_path_factory.mktemp("broken"), "broken.ttl")
    return project, cached_inference(project, _source(project))


@pytest.fixture(scope="module")
def pact_store(pact):
    """The pact fixture as a store: asserted data in one named graph per file, inferences in INFERRED_GRAPH."""
    project, result = pact
    dataset = load_files([*project.ontology_files(), *project.vocabulary_files(), *project.data_files()],
                         root=project.root)
    for triple in result.inferred:
        dataset.add((*triple, INFERRED_GRAPH))
    store = ox.Store()
    store.load(dataset.serialize(format="nquads").encode(), format=ox.RdfFormat.N_QUADS)
    return store


def _select(store: ox.Store, query: str, *, union: bool = True) -> set[str]:
    return {row[0].value for row in store.query(query, prefixes=PREFIXES, use_default_graph_as_union=union)}


# --- Consistency and specific inferences on a fixture shaped like the real data ------------------------------


@pytest.mark.requires_java
def test_pact_fixture_is_consistent_and_coherent(pact):
    _, result = pact
    assert result.consistent and result.ok
    assert result.unsatisfiable == () and result.clashes == () and result.individuals == ()
    assert not result.from_cache and result.reasoner_seconds > 0


@pytest.mark.requires_java
def test_package_parts_are_related_to_the_package_both_ways(pact):
    _, result = pact
    for part in (FILE["test-ammr"], FILE["test-reception"]):
        assert (part, PKG.isPartOf, FILE["test-pact"]) in result.inferred
        assert (part, DCTERMS.isPartOf, FILE["test-pact"]) in result.inferred      # pkg:isPartOf's super-property
        assert (FILE["test-pact"], DCTERMS.hasPart, part) in result.inferred       # pkg:hasPart's super-property
        assert (FILE["test-pact"], PKG.hasPart, part) not in result.inferred       # asserted, so not repeated


@pytest.mark.requires_java
def test_recast_directive_is_found_by_a_query_for_directives(pact_store):
    query = "SELECT ?d WHERE { ?d a pkg:Directive }"
    both = _select(pact_store, query)
    assert {str(RECAST_RCD), str(SINGLE_PERMIT), str(RCD_2013)} <= both
    asserted_only = _select(pact_store, "SELECT ?d WHERE { GRAPH ?g { ?d a pkg:Directive } "
                                        f"FILTER(?g != <{INFERRED_GRAPH}>) }}", union=False)
    assert str(RECAST_RCD) not in asserted_only  # the inferred graph is what finds it
    inferred_only = _select(pact_store, f"SELECT ?d WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?d a pkg:Directive }} }}",
                            union=False)
    assert inferred_only == {str(RECAST_RCD)}


@pytest.mark.requires_java
def test_a_directive_that_recasts_is_classified_as_a_recast_directive(pact):
    _, result = pact
    assert (SINGLE_PERMIT, RDF.type, PKG.RecastDirective) in result.inferred
    assert (SINGLE_PERMIT, RDF.type, PKG.RecastAct) in result.inferred
    assert (RECAST_RCD, RDF.type, PKG.RecastAct) in result.inferred
    assert (RECAST_RCD, RDF.type, ELI.LegalResource) in result.inferred
    assert (RECAST_RCD, RDF.type, ELI.Work) in result.inferred
    assert (PKG.RecastDirective, RDFS.subClassOf, PKG.Directive) in result.inferred   # classification


@pytest.mark.requires_java
def test_changes_are_inferred_from_repeals_recasts_and_amends(pact):
    _, result = pact
    inferred = result.inferred
    assert (AMMR, ELI.changes, DUBLIN_III) in inferred                  # eli:repeals ⊑ eli:changes
    assert (DUBLIN_III, ELI.repealed_by, AMMR) in inferred
    assert (DUBLIN_III, ELI.changed_by, AMMR) in inferred
    assert (RECAST_RCD, ELI.repeals, RCD_2013) in inferred              # pkg:recasts ⊑ eli:repeals
    assert (RECAST_RCD, ELI.changes, RCD_2013) in inferred
    assert (RCD_2013, PKG.recastBy, RECAST_RCD) in inferred
    assert (RCD_2013, ELI.changed_by, RECAST_RCD) in inferred
    assert (SINGLE_PERMIT, ELI.changes, SINGLE_PERMIT_2011) in inferred
    assert (SINGLE_PERMIT, ELI.changes, LONG_TERM) in inferred          # eli:amends ⊑ eli:changes
    assert (LONG_TERM, ELI.amended_by, SINGLE_PERMIT) in inferred
    assert (PKG.recasts, RDFS.subPropertyOf, ELI.changes) in inferred


@pytest.mark.requires_java
def test_broader_transitive_closure(pact):
    _, result = pact
    children = CONCEPT[GROUP + "undocumented-children"]
    undocumented = CONCEPT[GROUP + "undocumented-people"]
    migration = CONCEPT[GROUP + "people-in-migration"]
    assert (children, SKOS.broaderTransitive, undocumented) in result.inferred
    assert (children, SKOS.broaderTransitive, migration) in result.inferred       # two steps up
    assert (migration, SKOS.narrowerTransitive, children) in result.inferred
    assert (undocumented, SKOS.narrower, children) in result.inferred
    assert (children, SKOS.broader, migration) not in result.inferred             # broader itself is not transitive


@pytest.mark.requires_java
def test_inverse_super_property_and_same_as_values(pact):
    _, result = pact
    inferred = result.inferred
    assert (FILE["test-ammr"], PKG.hasInstrument, AMMR) in inferred               # ⊒ pkg:hasAdoptedAct
    assert (FILE["test-ammr"], PKG.hasInstrument, PROPOSAL) in inferred
    assert (AMMR, PKG.isInstrumentOf, FILE["test-ammr"]) in inferred
    assert (FILE["test-ammr"], PKG.hasEvent, ID["event/test-ammr-adopted"]) in inferred
    assert (PROPOSAL, PKG.resultedIn, AMMR) in inferred
    assert (ID["publication/test-pact-brief"], PKG.expresses, ID["position/test-pact"]) in inferred
    assert (ID["publication/test-pact-brief"], DCTERMS.subject, FILE["test-pact"]) in inferred
    assert (AMMR, ELI.id_local, Literal("32024R1351")) in inferred               # datatype super-property
    cellar = CELLAR_PROCEDURE["2020_279"]
    assert (cellar, OWL.sameAs, PROCEDURE) in inferred
    assert (AMMR, PKG.followsProcedure, cellar) in inferred
    assert (FILE["test-pact"], RDF.type, PKG.PolicyFile) in inferred               # ⊒ pkg:PolicyPackage


@pytest.mark.requires_java
def test_inferred_graph_leaves_out_asserted_triples_and_trivia(pact):
    project, result = pact
    asserted = reasoner_input(load_files([*project.ontology_files(), *project.vocabulary_files(),
                                          *project.data_files()], root=project.root))
    assert len(result.inferred) > 100
    for s, p, o in result.inferred:
        assert (s, p, o) not in asserted
        assert not isinstance(s, BNode) and not isinstance(o, BNode)
        assert not (p in (OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf) and s == o)
        if p == RDF.type:
            assert o not in (OWL.Thing, OWL.NamedIndividual, RDF.Property)
    # punning: the ontology's skos:closeMatch to schema:Review must not make the class a skos:Concept
    assert {p for p, _ in result.inferred.predicate_objects(PKG.Position)} <= {RDFS.subClassOf}
    assert (PKG.Position, RDF.type, SKOS.Concept) not in result.inferred


@pytest.mark.requires_java
def test_expansion_matches_hermits_own_property_value_pass(pact):
    """Without property chains and the like, spelling out HermiT's answers along the hierarchies gives exactly
    what HermiT's (much slower) property-value pass gives."""
    project, result = pact
    dataset = load_files([*project.ontology_files(), *project.vocabulary_files(), *project.data_files()],
                         root=project.root)
    with_values = infer(dataset, hermit_property_values=True)
    assert with_values.hermit_property_values and not result.hermit_property_values
    assert set(with_values.inferred) == set(result.inferred)


# --- The cache ----------------------------------------------------------------------------------------------


@pytest.mark.requires_java
def test_second_run_uses_the_cache_and_not_hermit(pact, tmp_path, monkeypatch):
    project, first = pact
    monkeypatch.setenv("PATH", str(tmp_path))  # HermiT could not run now
    again = cached_inference(project, _source(project))
    assert again.from_cache and again.consistent
    assert set(again.inferred) == set(first.inferred)
    assert again.digest == first.digest and again.reasoner_seconds == first.reasoner_seconds
    assert list((project.cache_dir / "reason").glob(f"{first.digest}.*"))


@pytest.mark.requires_java
def test_changed_input_misses_the_cache(pact, tmp_path, monkeypatch):
    project, first = pact
    dataset = load_files([*project.ontology_files(), *project.vocabulary_files(), *project.data_files()],
                         root=project.root)
    assert input_digest(reasoner_input(dataset)) == first.digest   # blank node labels do not matter
    dataset.add((FILE["test-ammr"], PKG.affects, CONCEPT[GROUP + "children"], FILE["extra"]))
    assert input_digest(reasoner_input(dataset)) != first.digest
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ReasonerUnavailable):  # a miss runs HermiT, which needs Java
        cached_inference(project, dataset)


@pytest.mark.requires_java
def test_cli_prints_verdict_and_summary(pact, tmp_path):
    project, result = pact
    done = _cli(project.root, _no_java(tmp_path / "bin"))  # from the cache: no Java needed
    assert done.returncode == 0, done.stderr
    assert ": consistent" in done.stdout and "result from the cache" in done.stdout
    assert f"Inferred: {len(result.inferred):,} triples not asserted" in done.stdout
    types = sum(1 for _ in result.inferred.triples((None, RDF.type, None)))
    assert f"{types:,}  rdf:type" in done.stdout
    assert "by class (rdf:type):" in done.stdout and "pkg:RecastAct" in done.stdout


# --- An inconsistent fixture ----------------------------------------------------------------------------------


@pytest.mark.requires_java
def test_inconsistency_names_the_classes_and_individuals(broken):
    _, result = broken
    assert not result.consistent and not result.ok
    assert len(result.inferred) == 0
    assert set(result.individuals) == {DUBLIN_III, CELEX["52016PC0270"]}
    by_classes = {(c.individual, c.classes): c for c in result.clashes}
    kinds = by_classes[(DUBLIN_III, (PKG.Directive, PKG.Regulation))]
    assert "disjoint" in kinds.reason and "asserted: rdf:type pkg:Regulation" in kinds.evidence
    proposal = by_classes[(CELEX["52016PC0270"], (ELI.LegalResource, PKG.Proposal))]
    assert any("pkg:hasAdoptedAct" in line for line in proposal.evidence)
    celex = by_classes[(DUBLIN_III, ())]
    assert "pkg:celex" in celex.reason and '"32013L0604"' in celex.reason
    assert all(c.graphs and str(c.graphs[0]).endswith("/data/broken") for c in result.clashes)
    with pytest.raises(InconsistentOntology) as error:
        result.raise_for_inconsistency()
    message = str(error.value)
    assert str(DUBLIN_III) in message and "pkg:Directive" in message and "pkg:Regulation" in message


@pytest.mark.requires_java
def test_cli_exits_1_on_inconsistency(broken, tmp_path):
    project, _ = broken
    done = _cli(project.root, _no_java(tmp_path / "bin"))
    assert done.returncode == 1
    assert "INCONSISTENT" in done.stdout and str(DUBLIN_III) in done.stdout
    assert "pkg:Directive and pkg:Regulation, which are disjoint" in done.stdout


# --- HermiT's own property-value pass, and isolation --------------------------------------------------------


@pytest.mark.requires_java
def test_property_chain_is_inferred_in_a_fresh_world():
    import owlready2

    before = sorted(owlready2.default_world.ontologies)
    result = infer(load_files([FIXTURES / "chain.ttl"]))
    assert result.consistent and result.hermit_property_values
    assert (ID["test/ana"], ID["test/hasGrandparent"], ID["test/cleo"]) in result.inferred
    assert (ID["test/ben"], ID["test/hasGrandparent"], ID["test/cleo"]) not in result.inferred
    assert sorted(owlready2.default_world.ontologies) == before  # the global world is never used


# --- No Java --------------------------------------------------------------------------------------------------


def test_missing_java_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ReasonerUnavailable) as error:
        infer(Graph().parse(FIXTURES / "chain.ttl"))
    assert "default-jre-headless" in str(error.value) and "java" in str(error.value)


def test_cli_without_java_says_what_to_install(tmp_path):
    project = _project(tmp_path / "project", "chain.ttl")
    done = _cli(project.root, _no_java(tmp_path / "bin"), "--refresh")
    assert done.returncode == ReasonerUnavailable.exit_code == 3
    assert done.stderr.startswith("Error: ") and "default-jre-headless" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


# --- The real graph -------------------------------------------------------------------------------------------


@pytest.mark.requires_java
def test_real_graph_is_consistent(project_dataset):
    result = infer(project_dataset)
    assert result.consistent, result.explain()
    assert result.ok, result.explain()
    both = reasoner_input(project_dataset) + result.inferred
    parts = list(both.subject_objects(PKG.hasPart))
    assert parts, "the real graph has a package with parts"
    for package, part in parts:
        assert (part, PKG.isPartOf, package) in both
    recast = set(both.subjects(RDF.type, PKG.RecastDirective))
    assert recast and all((d, RDF.type, PKG.Directive) in both for d in recast)
    for act, target in both.subject_objects(ELI.repeals):
        assert (act, ELI.changes, target) in both and (target, ELI.repealed_by, act) in both


def test_dataset_graphs_that_are_not_data_are_not_reasoned_over():
    from policykg.namespaces import SHAPES_GRAPH

    dataset = Dataset()
    dataset.add((FILE["a"], RDF.type, PKG.PolicyFile, FILE["g"]))
    dataset.add((FILE["b"], RDF.type, PKG.PolicyFile, SHAPES_GRAPH))
    dataset.add((FILE["c"], RDF.type, PKG.PolicyFile, INFERRED_GRAPH))
    merged = reasoner_input(dataset)
    assert set(merged.subjects(RDF.type, PKG.PolicyFile)) == {FILE["a"]}


# --- The time limit: HermiT runs in a child process group that is killed at the deadline ------------------------


def _processes() -> dict[int, tuple[int, int, str, str]]:
    """pid -> (parent pid, process group, state, command line), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        state, ppid, pgrp = stat[stat.rindex(")") + 2:].split()[:3]
        found[int(entry.name)] = (int(ppid), int(pgrp), state, command)
    return found


def _our_hermit_processes() -> set[int]:
    """HermiT's Java processes that descend from this test process (other sessions' runs are not ours)."""
    table, me, ours = _processes(), os.getpid(), set()
    for pid, (_, _, state, command) in table.items():
        if "org.semanticweb.HermiT" not in command or state == "Z":
            continue
        parent, steps = pid, 0
        while parent > 1 and steps < 10:
            parent, steps = table.get(parent, (0, 0, "", ""))[0], steps + 1
            if parent == me:
                ours.add(pid)
    return ours


def _alive(pids: set[int]) -> set[int]:
    table = _processes()
    return {pid for pid in pids if pid in table and table[pid][2] != "Z"}


def _group_members(group: int) -> set[int]:
    return {pid for pid, (_, pgrp, state, _) in _processes().items() if pgrp == group and state != "Z"}


@pytest.mark.requires_java
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_timeout_kills_hermit_and_its_java_process(project_dataset):
    """The real graph with HermiT's property-value pass takes HermiT several seconds: a limit of 3 s stops it
    while Java is running; ReasonerTimeout comes at the limit and the Java process seen running is gone."""
    import threading
    import time

    seen: set[int] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.update(_our_hermit_processes())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.monotonic()
    try:
        with pytest.raises(ReasonerTimeout) as error:
            infer(project_dataset, hermit_property_values=True, timeout=3.0)
    finally:
        done.set()
        watcher.join()
    elapsed = time.monotonic() - start
    assert 3.0 <= elapsed < 8.0
    assert seen, "HermiT's Java process was running when the limit passed"
    assert not _alive(seen), "the Java process outlived the time limit"
    assert error.value.process_group and not _group_members(error.value.process_group)
    assert error.value.limit == 3.0
    message = str(error.value)
    assert "3 s" in message and "--timeout" in message and "--no-reason" in message
    assert ReasonerTimeout.exit_code == 3


@pytest.mark.requires_java
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_tiny_timeout_raises_quickly_and_leaves_nothing_behind(pact):
    import time

    project, _ = pact
    start = time.monotonic()
    with pytest.raises(ReasonerTimeout) as error:
        cached_inference(project, _source(project), refresh=True, timeout=0.2)
    assert time.monotonic() - start < 5.0
    assert not _group_members(error.value.process_group) and not _our_hermit_processes()


@pytest.mark.requires_java
def test_cache_hit_needs_no_time_and_no_child(pact, monkeypatch):
    """A cached result is returned even with a limit no run could meet, and no child process is started."""
    import subprocess as sp

    project, first = pact

    def refuse(*args, **kwargs):
        raise AssertionError("a cache hit started a process")

    monkeypatch.setattr(sp, "Popen", refuse)
    again = cached_inference(project, _source(project), timeout=0.001)
    assert again.from_cache and set(again.inferred) == set(first.inferred)


@pytest.mark.requires_java
def test_cli_timeout_exits_3_naming_the_limit(tmp_path):
    project = _project(tmp_path / "project", "chain.ttl")
    env = {k: v for k, v in os.environ.items() if k != "POLICYKG_ROOT"}
    done = _cli(project.root, env, "--refresh", "--timeout", "0.05")
    assert done.returncode == ReasonerTimeout.exit_code == 3, done.stderr
    assert done.stderr.startswith("Error: ") and "0.05 s" in done.stderr and "--timeout" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.requires_java
def test_child_process_gives_what_hermit_gives_in_process(pact, tmp_path):
    """The child process changes where HermiT runs, not what it concludes: the same conclusions as owlready2
    and HermiT run in this process (as the reasoner did before it had a time limit)."""
    from policykg.reason.owl_world import _OUTPUT_ONTOLOGY, hermit_in_process, java_executable, ntriples, run_hermit

    project, _ = pact
    triples = [t for t in reasoner_input(_source(project)) if t[1] != OWL.imports]
    (tmp_path / "input.nt").write_bytes(ntriples(triples))
    answer = hermit_in_process(tmp_path, java_executable(), 2000, False)
    assert answer["status"] == "consistent"
    here = {t for t in Graph().parse(tmp_path / "output.nt", format="nt") if t[0] != URIRef(_OUTPUT_ONTOLOGY)}
    child = run_hermit(triples, property_values=False, timeout=120)
    assert child.consistent and child.conclusions == here and here


# --- HermiT is given only the part of the input it needs --------------------------------------------------------


@pytest.mark.requires_java
@pytest.mark.parametrize("fixture", ["pact", "broken", "real"])
def test_hermit_given_only_what_it_needs_answers_the_same(fixture, request, project_dataset):
    """relevance.hermit_input leaves out annotations and the assertions no axiom can act on: the verdict, the
    unsatisfiable classes, the clashes and the inferred triples are those of HermiT on the whole input."""
    if fixture == "real":
        source = project_dataset
    else:
        project, _ = request.getfixturevalue(fixture)
        source = _source(project)
    selected, whole = infer(source), infer(source, select=False)
    assert selected.hermit_triples < selected.input_triples == whole.hermit_triples == whole.input_triples
    assert (selected.consistent, selected.unsatisfiable) == (whole.consistent, whole.unsatisfiable)
    assert selected.clashes == whole.clashes
    assert set(selected.inferred) == set(whole.inferred)
    assert selected.digest == whole.digest  # the cache key is the whole input's


def test_property_chains_and_the_like_give_hermit_the_whole_input():
    from policykg.reason.relevance import hermit_input

    chain = Graph().parse(FIXTURES / "chain.ttl")
    assert len(chain) and hermit_input(set(chain)) is None
