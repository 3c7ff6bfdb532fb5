"""Exports researchers can reuse: the data-only export, graphs chosen by name, the project's prefixes, JSON-LD
compacted with the published context, and the web downloads holding the CLI's bytes."""

from __future__ import annotations

import json
from importlib import resources

import pyoxigraph as ox
import pytest

from policykg.cli import main
from policykg.formats import JSONLD, NQUADS, TRIG, TURTLE
from policykg.graph.export import DATA_GRAPHS, UnknownGraph, export_file, graph_iri, list_graphs, project_context
from policykg.graph.load import load_store
from policykg.namespaces import GRAPH, INFERRED_GRAPH, OWL, PKG, PKGSH, QUERIES_GRAPH, QUERY, RDF, SH, SKOS
from policykg.rdf_writer import CONTEXT_FILE, CONTEXT_IRI

AI_ACT = str(GRAPH["data/ai-act"])


def _quads(store: ox.Store) -> set[str]:
    """The store's quads as canonical N-Quads lines (blank nodes relabelled the same way on both sides)."""
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(quad) for quad in dataset}


def _engine(nquads) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(nquads), format=NQUADS.rdf)
    return store


@pytest.fixture(scope="module")
def built(build):
    return _engine(build.nquads_path)


@pytest.fixture(scope="module")
def data_only(build, tmp_path_factory):
    path = tmp_path_factory.mktemp("data-only") / "data.trig"
    path.write_bytes(export_file(build.nquads_path, TRIG, data_only=True))
    return path


def test_data_only_round_trips_to_the_data_graphs(built, data_only):
    reloaded = load_store([data_only])
    expected = ox.Store()
    expected.extend(q for q in built if isinstance(q.graph_name, ox.NamedNode)
                    and q.graph_name.value.startswith(DATA_GRAPHS))
    assert len(expected) > 1000
    assert _quads(reloaded) == _quads(expected)


def test_data_only_holds_no_shape_ontology_query_or_inferred_triple(data_only):
    reloaded = load_store([data_only])
    graphs = {g.value for g in reloaded.named_graphs()}
    assert AI_ACT in graphs and str(GRAPH["ontology/vocabularies/stance"]) in graphs
    assert not {str(INFERRED_GRAPH), str(QUERIES_GRAPH), str(GRAPH["ontology/policykg"])} & graphs
    assert not any(g.startswith(str(GRAPH["ontology/shapes/"])) or g.startswith(str(GRAPH["ontology/imports/"]))
                   for g in graphs)
    ontology_types = {str(OWL.Class), str(OWL.ObjectProperty), str(OWL.DatatypeProperty), str(OWL.Ontology),
                      str(SH.NodeShape), str(SH.PropertyShape)}
    for quad in reloaded:
        terms = [quad.subject, quad.predicate, quad.object]
        iris = [t.value for t in terms if isinstance(t, ox.NamedNode)]
        assert not any(iri.startswith((str(SH), str(PKGSH), str(QUERY))) for iri in iris), quad
        assert not (isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(str(PKG))), quad
        assert not (quad.predicate.value == str(RDF.type) and quad.object.value in ontology_types), quad
    # the vocabularies are data: the concepts the files point to keep their labels
    assert any(quad.predicate.value == str(SKOS.prefLabel) for quad in reloaded)


def test_a_graph_is_chosen_by_its_file_name_or_its_iri(build):
    by_name = export_file(build.nquads_path, TURTLE, graph="ai-act")
    assert by_name == export_file(build.nquads_path, TURTLE, graph=AI_ACT)
    assert by_name == export_file(build.nquads_path, TURTLE, graph="graph:data/ai-act")
    stance = export_file(build.nquads_path, TURTLE, graph="ontology/vocabularies/stance")
    assert b"stance:" in stance and b"file:ai-act" not in stance
    assert graph_iri("publications/migration-pact", [str(GRAPH["data/publications/migration-pact"])]) \
        == str(GRAPH["data/publications/migration-pact"])


def test_an_unknown_graph_is_an_error_that_lists_the_names(build, capsys, project):
    with pytest.raises(UnknownGraph) as error:
        export_file(build.nquads_path, TURTLE, graph="no-such-file")
    assert "ai-act" in error.value.accepted and "ontology/vocabularies/stance" in error.value.accepted
    code = main(["--root", str(project.root), "export", "--graph", "no-such-file"])
    assert code == 2
    err = capsys.readouterr().err
    assert "no graph 'no-such-file'" in err and "ai-act" in err and "queries" in err


def test_list_graphs_prints_name_iri_and_triples(build, built, capsys, project):
    assert main(["--root", str(project.root), "export", "--list-graphs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: (line.split()[1], int(line.split()[2])) for line in lines}
    assert rows["ai-act"] == (AI_ACT, sum(1 for _ in built.quads_for_pattern(None, None, None, ox.NamedNode(AI_ACT))))
    assert {info.name for info in list_graphs(build.nquads_path)} - {"inferred"} == set(rows)  # no --inferred


def test_turtle_writes_concepts_with_the_source_files_prefixes(build):
    text = export_file(build.nquads_path, TURTLE).decode()
    assert "@prefix status: <https://w3id.org/policykg/concept/lifecycle-status/> ." in text
    assert "@prefix group: <https://w3id.org/policykg/concept/affected-group/> ." in text
    data = export_file(build.nquads_path, TURTLE, data_only=True).decode()  # no SPARQL text in literals here
    body = "\n".join(line for line in data.splitlines() if not line.startswith("@prefix "))
    assert "status:adopted" in body and "<https://w3id.org/policykg/concept/" not in body
    assert "pkg:affects group:undocumented-people" in text or "group:undocumented-people" in text
    prefixes = [line for line in text.splitlines() if line.startswith("@prefix ")]
    assert prefixes == sorted(prefixes)


def test_the_published_context_is_the_sources_prefixes(project):
    """``policykg export --context`` writes the packaged file from the sources: run it when a source file binds a
    new prefix."""
    packaged = resources.files("policykg").joinpath(CONTEXT_FILE).read_bytes()
    assert packaged == project_context(project), "run: policykg export --context -o src/policykg/context.jsonld"
    context = json.loads(packaged)["@context"]
    assert context["status"] == "https://w3id.org/policykg/concept/lifecycle-status/"
    assert "c" not in context and "g" not in context  # bound to several namespaces, or a second name


def _without_inferred(built) -> ox.Store:
    expected = ox.Store()
    expected.extend(q for q in built if q.graph_name != ox.NamedNode(str(INFERRED_GRAPH)))
    return expected


def test_jsonld_is_compacted_with_the_published_context_and_round_trips(build, built, tmp_path):
    data = export_file(build.nquads_path, JSONLD)
    document = json.loads(data)
    published = json.loads(resources.files("policykg").joinpath(CONTEXT_FILE).read_text())["@context"]
    assert document["@context"] == published  # written in full: the document reads alone, offline
    assert any(key.startswith("pkg:") for node in document["@graph"] for item in node.get("@graph", [])
               for key in item)
    path = tmp_path / "export.jsonld"
    path.write_bytes(data)
    assert _quads(load_store([path])) == _quads(_without_inferred(built))  # through the project's own loader


def test_jsonld_can_name_the_published_context_by_its_iri(build, built, capsysbinary, project):
    assert main(["--root", str(project.root), "export", "--format", "jsonld", "--context-iri"]) == 0
    document = json.loads(capsysbinary.readouterr().out)
    assert document["@context"] == CONTEXT_IRI
    # a JSON-LD processor fetches the context by its IRI; here it is given the packaged file
    document["@context"] = json.loads(resources.files("policykg").joinpath(CONTEXT_FILE).read_text())["@context"]
    reread = ox.Store()
    reread.extend(ox.parse(json.dumps(document).encode(), format=JSONLD.rdf))
    assert _quads(reread) == _quads(_without_inferred(built))


def test_the_web_serves_the_published_context(client):
    response = client.get("/context.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert response.data == resources.files("policykg").joinpath(CONTEXT_FILE).read_bytes()
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("name", ["ttl", "jsonld", "trig"])
def test_the_data_downloads_are_the_data_only_export_bytes(client, build, name):
    from policykg.graph.export import graph_format

    download = client.get(f"/downloads/policykg-data.{name}")
    assert download.status_code == 200
    assert download.data == export_file(build.nquads_path, graph_format(name), data_only=True)


def test_an_unknown_download_is_404_and_names_the_downloads(client):
    response = client.get("/downloads/policykg-data.csv")
    assert response.status_code == 404
    assert b"policykg-data.ttl" in response.data
