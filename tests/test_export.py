"""Export: every format re-imports to an isomorphic graph; Turtle is byte-stable across runs and processes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from policykg.formats import GRAPH_FORMATS
from policykg.graph.build import build_project
from policykg.graph.export import select_graphs, serialize
from policykg.graph.load import load_files
from policykg.namespaces import FILE, GRAPH, PKG
from policykg.project import Project


@pytest.fixture(scope="module")
def asserted() -> Dataset:
    return select_graphs(build_project(Project.locate(), reason=False).dataset)


def _union(dataset: Dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda fmt: fmt.name)
def test_round_trip_is_isomorphic(asserted, tmp_path, fmt):
    name = fmt.name
    path = tmp_path / f"export.{fmt.extension}"
    path.write_bytes(serialize(asserted, name))
    reloaded = load_files([path])
    assert isomorphic(_union(reloaded), _union(asserted))
    if fmt.quads:  # named graphs survive, each isomorphic to its source
        for graph_name in (GRAPH["data/ai-act"], GRAPH["data/eu-migration-pact"]):
            assert isomorphic(reloaded.graph(graph_name), asserted.graph(graph_name)), graph_name


def test_turtle_is_byte_stable_within_a_process(asserted):
    assert serialize(asserted, "ttl") == serialize(asserted, "ttl")


def test_turtle_is_byte_stable_across_processes(tmp_path):
    outputs = []
    for run in range(2):
        target = tmp_path / f"run{run}.ttl"
        subprocess.run([sys.executable, "-m", "policykg", "export", "--format", "ttl", "-o", str(target)],
                       check=True, capture_output=True)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    text = outputs[0].decode()
    assert "@prefix pkg: <https://w3id.org/policykg/ontology#> ." in text
    assert "file:ai-act a pkg:PolicyFile" in text  # grouped by subject, with the project's prefixes


def test_export_of_one_graph_holds_only_that_graph(asserted):
    only = select_graphs(asserted, graph=str(GRAPH["data/ai-act"]))
    graphs = {g for *_, g in only.quads((None, None, None, None))}
    assert graphs == {GRAPH["data/ai-act"]}
    assert (FILE["ai-act"], None, PKG.PolicyFile) not in only  # sanity of the pattern below
    assert any(True for _ in only.quads((FILE["ai-act"], PKG.hasAdoptedAct, None, None)))


@pytest.mark.parametrize("name", ["ttl", "jsonld", "trig"])
def test_the_web_downloads_are_the_export_bytes(client, build, name):
    """/downloads/policykg.EXT holds what ``policykg export --format EXT`` writes for the graphs the server holds
    (all of them: the inferred graph too when the server reasons)."""
    from policykg.graph.export import export_file, graph_format

    download = client.get(f"/downloads/policykg.{name}")
    assert download.status_code == 200
    assert download.data == export_file(build.nquads_path, graph_format(name), inferred=True)


def test_a_named_graph_query_gives_the_bytes_of_the_same_construct(client, registry):
    """/queries/NAME.ttl, /sparql and the CLI write a graph with the one writer: the same graph, the same bytes."""
    text, _ = registry["file-neighbourhood"].prepare({"file": "ai-act"}, substitutions=False)
    named = client.get("/queries/file-neighbourhood.ttl", query_string={"file": "ai-act"})
    construct = client.post("/sparql", data={"query": text}, headers={"Accept": "text/turtle"})
    assert named.status_code == 200 and construct.status_code == 200, construct.data[:300]
    assert named.data == construct.data
    assert Graph().parse(data=named.data, format="turtle")


def test_export_names_its_formats_from_the_one_table():
    from policykg.errors import PolicyKGError
    from policykg.graph.export import graph_format

    assert [graph_format(f.name) for f in GRAPH_FORMATS] == list(GRAPH_FORMATS)
    assert graph_format("xml").name == "rdf" and graph_format("text/turtle").name == "ttl"
    with pytest.raises(PolicyKGError):
        graph_format("csv")


def test_every_suffix_the_loader_reads_is_a_data_file(tmp_path):
    """One table of suffixes: a JSON-LD file saved as ``.json`` in data/ is read, not skipped."""
    from policykg.formats import RDF_SUFFIXES

    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "policykg.ttl").write_text("<http://x/a> <http://x/b> <http://x/c> .\n")
    (tmp_path / "data").mkdir()
    for suffix in RDF_SUFFIXES:
        (tmp_path / "data" / f"file{suffix}").write_text("")
    (tmp_path / "data" / "notes.txt").write_text("")
    found = {p.suffix for p in Project.locate(tmp_path).data_files()}
    assert found == set(RDF_SUFFIXES) and ".json" in found
