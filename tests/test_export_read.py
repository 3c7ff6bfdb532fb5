"""The export reads a build's N-Quads file once, as text, and writes the bytes a store of the same file gives (the
server's downloads write from its store): literals in the store's canonical form, duplicates dropped, blank
nodes labelled canonically. And the Turtle and TriG declare exactly the prefixes the document uses."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.errors import DataLoadError
from policykg.formats import GRAPH_FORMATS, NQUADS, NTRIPLES, TURTLE
from policykg.graph.export import export_file, export_store
from policykg.graph.load import load_build, read_build
from policykg.namespaces import XSD
from policykg.rdf_writer import write_rdf

G1, G2 = "<http://example.org/graph/one>", "<http://example.org/graph/two>"
XS = f"<{XSD}"

# What a build's file may hold that a store changes or merges: typed literals not in their canonical form, the
# same statement twice and in two graphs, a blank node shared by two graphs, text that looks like a typed literal.
BUILD = "\n".join([
    f'<http://example.org/a> <http://example.org/p> "01"^^{XS}int> {G1} .',
    f'<http://example.org/a> <http://example.org/p> "1"^^{XS}integer> {G1} .',
    f'<http://example.org/a> <http://example.org/when> "2020-01-01T00:00:00+00:00"^^{XS}dateTime> {G1} .',
    f'<http://example.org/a> <http://example.org/flag> "1"^^{XS}boolean> {G2} .',
    f'<http://example.org/a> <http://example.org/size> " 5 "^^{XS}integer> {G2} .',
    f'<http://example.org/a> <http://example.org/note> "say \\"01\\"^^{XS}int> ." {G1} .',
    f'<http://example.org/a> <http://example.org/note> "x \\"1\\"^^{XS}int>"^^<http://example.org/dt> {G1} .',
    f'<http://example.org/a> <http://example.org/label> "A"@EN {G1} .',
    f'<http://example.org/a> <http://example.org/label> "A"@EN {G1} .',
    f'<http://example.org/a> <http://example.org/label> "A"@en {G2} .',
    f'<http://example.org/a> <http://example.org/part> _:shared {G1} .',
    f'_:shared <http://example.org/label> "part"@en {G2} .',
    f'_:shared <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/Part> {G2} .',
    "",
])


@pytest.fixture(scope="module")
def nquads(tmp_path_factory):
    path = tmp_path_factory.mktemp("build") / "build.nq"
    path.write_text(BUILD, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda fmt: fmt.name)
def test_the_export_is_the_bytes_a_store_of_the_file_gives(nquads, fmt):
    assert export_file(nquads, fmt) == export_store(load_build(nquads), fmt)


def test_typed_literals_take_the_stores_canonical_form(nquads):
    lines = export_file(nquads, NTRIPLES).decode().splitlines()
    assert f'<http://example.org/a> <http://example.org/p> "1"^^{XS}integer> .' in lines
    assert f'<http://example.org/a> <http://example.org/when> "2020-01-01T00:00:00Z"^^{XS}dateTime> .' in lines
    assert f'<http://example.org/a> <http://example.org/flag> "true"^^{XS}boolean> .' in lines
    assert f'<http://example.org/a> <http://example.org/p> "01"^^{XS}int> .' not in lines
    # a literal's text that looks like a typed literal is left as written; so is an ill-typed value
    assert f'<http://example.org/a> <http://example.org/note> "say \\"01\\"^^{XS}int> ." .' in lines
    assert f'<http://example.org/a> <http://example.org/size> " 5 "^^{XS}integer> .' in lines


def test_each_statement_once_per_graph_and_once_in_the_union(nquads):
    triples = export_file(nquads, NTRIPLES).decode().splitlines()
    quads = export_file(nquads, NQUADS).decode().splitlines()
    assert len(triples) == len(set(triples)) and len(quads) == len(set(quads))
    assert triples.count('<http://example.org/a> <http://example.org/p> "1"^^' + f"{XS}integer> .") == 1
    assert sum(1 for line in quads if '"A"@en' in line) == 2  # one per graph
    assert sum(1 for line in triples if '"A"@en' in line) == 1


def test_a_blank_node_stays_one_node_across_graphs(nquads):
    quads = list(ox.parse(export_file(nquads, NQUADS), format=NQUADS.rdf))
    part = next(q.object for q in quads if q.predicate.value == "http://example.org/part")
    typed = next(q.subject for q in quads if q.object == ox.NamedNode("http://example.org/Part"))
    assert isinstance(part, ox.BlankNode) and part == typed
    assert {str(q.graph_name) for q in quads if q.subject == part} == {G2}


def test_read_build_gives_each_graphs_statements(nquads):
    texts = read_build(nquads)
    assert set(texts) == {ox.NamedNode(G1[1:-1]), ox.NamedNode(G2[1:-1])}
    one = set(ox.parse(texts[ox.NamedNode(G1[1:-1])], format=NTRIPLES.rdf))
    assert ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"),
                   ox.Literal("1", datatype=ox.NamedNode(str(XSD.integer)))) in one
    assert all(q.predicate.value != "http://example.org/flag" for q in one)  # a statement of the other graph


def test_a_file_that_is_not_n_quads_is_a_load_error(tmp_path):
    path = tmp_path / "broken.nq"
    path.write_text("<http://example.org/a> <http://example.org/p> .\n", encoding="utf-8")
    with pytest.raises(DataLoadError) as error:
        read_build(path)
    assert str(path) in str(error.value)
    with pytest.raises(DataLoadError):
        read_build(tmp_path / "missing.nq")


def test_turtle_declares_only_the_prefixes_it_uses():
    triple = ox.Triple(ox.NamedNode("http://example.org/c/thing"), ox.NamedNode(str(XSD) + "minInclusive"),
                       ox.Literal("5", datatype=ox.NamedNode(str(XSD.integer))))
    prefixes = {"sd": "http://www.w3.org/ns/sparql-service-description#", "xsd": str(XSD),
                "café": "http://example.org/c/", "fé": "http://example.org/f/"}
    text = write_rdf([triple], TURTLE, prefixes=prefixes).decode()
    declared = [line.split()[1] for line in text.splitlines() if line.startswith("@prefix ")]
    # "sd:" stands only inside "xsd:", "fé:" only inside "café:": neither starts a prefixed name
    assert declared == ["café:", "xsd:"]
    assert "café:thing xsd:minInclusive 5 ." in text
