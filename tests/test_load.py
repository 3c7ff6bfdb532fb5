"""Strict, atomic loading: every bad input is refused with ``file:line: message``, nothing is fetched, a failing
file leaves the dataset as it was, and every RDF format lands in the right named graph.

Bad inputs live in ``tests/data/load/``; valid files of each format in ``tests/data/load/good/``.
"""

from __future__ import annotations

import re
import select
import socket
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from policykg.errors import DataLoadError
from policykg.graph.load import graph_name_for, load_build, load_files, load_store, parse_file
from policykg.namespaces import GRAPH, PKG

LOAD = Path(__file__).resolve().parent / "data" / "load"
GOOD = LOAD / "good"
AI_ACT = URIRef("https://w3id.org/policykg/id/file/ai-act")
XSD_DATE = str(XSD.date)

ILL_TYPED = re.escape(f'ill-typed literal "2024-13-45"^^<{XSD_DATE}>')

#: bad file -> (the lines the error may name, a regular expression the message after "file:line: " must match).
#: Errors found at the end of the input may name the last line or the one after it.
BAD_FILES = {
    "syntax-error.ttl": ({6}, r"column 1: A dot is expected at the end of statements"),
    "syntax-error.trig": ({5, 6}, r".*Unexpected end"),
    "syntax-error.nq": ({2, 3}, r".*must be followed by a dot"),
    "syntax-error.jsonld": ({4}, r"JSON syntax error: Expecting property name enclosed in double quotes"),
    "syntax-error.rdf": ({5}, r"XML syntax error: mismatched tag"),
    "ill-typed-date.ttl": ({6}, ILL_TYPED),
    "ill-typed-date.nt": ({2}, ILL_TYPED),
    "ill-typed-date.jsonld": ({4}, ILL_TYPED),
    "iri-with-space.ttl": ({5}, r"column \d+: Invalid IRI code point ' '"),
    "invalid-utf8.ttl": ({2}, r"column \d+: Invalid UTF-8.*"),
}

#: Inputs that have no line to name: the message follows "file: " directly.
NO_LINE = {
    "empty.ttl": r"empty file: no triples",
    "comments-only.ttl": r"empty file: no triples",
    "table.csv": r"unknown RDF file type '\.csv' \(known: .*\)",
}

#: Refused inputs whose offending construct is on a known line: (line, message).
REFUSED = {
    "entity-bomb.rdf": (2, r"refused: RDF/XML with a DTD or entity declaration.*"),
    "external-entity.rdf": (2, r"refused: RDF/XML with a DTD or entity declaration.*"),
    "iri-with-space.rdf": (5, r".*Invalid IRI code point ' '"),
    "remote-context.jsonld": (2, r"refused: remote JSON-LD context 'http://127\.0\.0\.1:9/context\.jsonld'.*"),
    "remote-context-import.jsonld": (4, r"refused: remote JSON-LD context 'http://127\.0\.0\.1:9/context\.jsonld'.*"),
    "remote-context-scoped.jsonld": (4, r"refused: remote JSON-LD context 'http://127\.0\.0\.1:9/context\.jsonld'.*"),
}


@pytest.fixture(params=["rdflib", "store"])
def loader(request):
    """Both ways files are loaded: into an rdflib Dataset (quad by quad) and into a pyoxigraph store (Turtle, TriG,
    N-Triples and N-Quads loaded by the engine and checked after): the same errors either way."""
    return load_files if request.param == "rdflib" else load_store


def load_error(path: Path, loader=load_files, **kwargs) -> DataLoadError:
    with pytest.raises(DataLoadError) as info:
        loader([path], **kwargs)
    return info.value


def test_every_bad_file_is_covered():
    bad = {p.name for p in LOAD.iterdir() if p.is_file()}
    covered = set(BAD_FILES) | set(NO_LINE) | set(REFUSED) | {"iri-with-space.jsonld"}
    assert bad == covered


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_refused_with_file_line_and_message(name, loader):
    lines, message = BAD_FILES[name]
    path = LOAD / name
    error = load_error(path, loader)
    assert error.path == str(path)
    assert error.line in lines, str(error)
    assert re.fullmatch(rf"{re.escape(str(path))}:{error.line}: {message}", str(error)), str(error)
    assert "Traceback" not in str(error)


@pytest.mark.parametrize("name", sorted(NO_LINE))
def test_input_without_triples_or_format_is_refused_with_file_and_message(name, loader):
    path = LOAD / name
    error = load_error(path, loader)
    assert (error.path, error.line) == (str(path), None)
    assert re.fullmatch(rf"{re.escape(str(path))}: {NO_LINE[name]}", str(error)), str(error)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_dangerous_input_is_refused_with_file_and_message(name, loader):
    path = LOAD / name
    _, message = REFUSED[name]
    error = load_error(path, loader)
    assert error.path == str(path)
    where = re.escape(str(path)) + (rf":{error.line}" if error.line else "")
    assert re.fullmatch(rf"{where}: {message}", str(error)), str(error)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_dangerous_input_error_names_the_line(name, loader):
    line, _ = REFUSED[name]
    assert load_error(LOAD / name, loader).line == line


def test_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("XXE-SECRET-MARKER\n", encoding="utf-8")
    text = (LOAD / "external-entity.rdf").read_text(encoding="utf-8")
    path = tmp_path / "external-entity.rdf"
    path.write_text(text.replace("file:///etc/passwd", secret.as_uri()), encoding="utf-8")
    error = load_error(path)
    assert "refused" in error.message and "XXE-SECRET-MARKER" not in str(error)


def test_jsonld_iri_with_space_is_refused():
    path = LOAD / "iri-with-space.jsonld"
    error = load_error(path)
    assert re.fullmatch(rf"{re.escape(str(path))}:5: .*IRI.*", str(error)), str(error)


# ---------------------------------------------------------------------------------------------------------------
# Nothing is fetched
# ---------------------------------------------------------------------------------------------------------------

class Listener:
    """A TCP socket on 127.0.0.1 that tells whether anything tried to connect to it."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.server.setblocking(False)
        self.port = self.server.getsockname()[1]

    def connected(self, wait: float = 0.5) -> bool:
        readable, _, _ = select.select([self.server], [], [], wait)
        return bool(readable)

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def listener():
    server = Listener()
    try:
        yield server
    finally:
        server.close()


def test_the_listener_sees_a_connection(listener):
    assert not listener.connected(wait=0)
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2):
        assert listener.connected()


def with_port(name: str, port: int, folder: Path) -> Path:
    """A copy of a bad JSON-LD file whose remote context points at ``port``."""
    path = folder / name
    text = (LOAD / name).read_text(encoding="utf-8")
    path.write_text(text.replace("http://127.0.0.1:9/", f"http://127.0.0.1:{port}/"), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(n for n in REFUSED if n.endswith(".jsonld")))
def test_remote_jsonld_context_is_refused_without_connecting(name, listener, tmp_path):
    port = listener.port
    path = with_port(name, port, tmp_path)
    error = load_error(path)
    assert f"refused: remote JSON-LD context 'http://127.0.0.1:{port}/context.jsonld'" in str(error)
    assert not listener.connected(), "the loader connected to the remote context's host"


# ---------------------------------------------------------------------------------------------------------------
# Every format lands in the right named graph
# ---------------------------------------------------------------------------------------------------------------

def title(text: str, lang: str | None = "en"):
    return (AI_ACT, DCTERMS.title, Literal(text, lang=lang))


def triples(dataset: Dataset, graph: URIRef) -> set:
    return set(dataset.graph(graph))


def test_graph_name_is_the_path_relative_to_the_root_without_suffix():
    assert graph_name_for(GOOD / "triples.nt", LOAD) == GRAPH["good/triples"]
    assert graph_name_for(GOOD / "triples.nt") == GRAPH["triples"]


@pytest.fixture(scope="module")
def good_dataset() -> Dataset:
    return load_files(sorted(GOOD.iterdir()), root=GOOD)


def test_every_format_loads_into_its_files_graph_and_keeps_stated_graph_names(good_dataset):
    graphs = {g for *_, g in good_dataset.quads((None, None, None, None))}
    assert graphs == {GRAPH[name] for name in ("turtle-document", "triples", "quads", "dataset", "jsonld-document",
                                               "rdfxml-document", "test/nquads-named", "test/trig-named",
                                               "test/jsonld-named")}


def test_turtle_and_rdfxml_go_to_the_files_graph(good_dataset):
    assert triples(good_dataset, GRAPH["turtle-document"]) == {title("AI Act")}
    assert triples(good_dataset, GRAPH["rdfxml-document"]) == {title("AI Act")}


def test_ntriples_go_to_the_files_graph(good_dataset):
    loaded = triples(good_dataset, GRAPH["triples"])
    assert title("AI Act") in loaded and len(loaded) == 3


def test_nquads_keep_their_graph_names_and_default_graph_goes_to_the_files_graph(good_dataset):
    assert triples(good_dataset, URIRef("https://w3id.org/policykg/graph/test/nquads-named")) == {
        title("AI Act"), (AI_ACT, PKG.statusAsOf, Literal("2024-09-01", datatype=XSD.date))}
    assert triples(good_dataset, GRAPH["quads"]) == {title("KI-Verordnung", "de")}


def test_trig_keeps_its_graph_names_and_default_graph_goes_to_the_files_graph(good_dataset):
    assert triples(good_dataset, URIRef("https://w3id.org/policykg/graph/test/trig-named")) == {
        title("Loi sur l'IA", "fr")}
    loaded = triples(good_dataset, GRAPH["dataset"])
    assert title("AI Act") in loaded and len(loaded) == 3


def test_jsonld_named_graph_keeps_its_name_and_default_graph_goes_to_the_files_graph(good_dataset):
    assert triples(good_dataset, URIRef("https://w3id.org/policykg/graph/test/jsonld-named")) == {
        title("Artificial Intelligence Act")}
    assert triples(good_dataset, GRAPH["jsonld-document"]) == {title("AI Act")}


def test_blank_node_labels_are_scoped_to_their_file(good_dataset):
    # triples.nt and dataset.trig both say _:page: two different nodes.
    pages = {o for g in (GRAPH["triples"], GRAPH["dataset"])
             for o in good_dataset.graph(g).objects(AI_ACT, DCTERMS.source)}
    assert len(pages) == 2 and all(isinstance(p, BNode) for p in pages)


def test_parse_file_reports_the_files_graph():
    loaded = parse_file(GOOD / "quads.nq", root=GOOD)
    assert loaded.graph == GRAPH["quads"]
    assert len(loaded.quads) == 3


# ---------------------------------------------------------------------------------------------------------------
# Atomicity
# ---------------------------------------------------------------------------------------------------------------

def snapshot(dataset: Dataset) -> tuple[set, set]:
    return set(dataset.quads((None, None, None, None))), {g.identifier for g in dataset.graphs()}


@pytest.mark.parametrize("bad", ["ill-typed-date.ttl", "empty.ttl", "entity-bomb.rdf", "remote-context.jsonld",
                                 "syntax-error.trig"])
@pytest.mark.parametrize("bad_first", [False, True], ids=["good-then-bad", "bad-then-good"])
def test_a_failing_file_leaves_the_dataset_exactly_as_it_was(bad, bad_first):
    dataset = load_files([GOOD / "turtle-document.ttl"], root=GOOD)
    before = snapshot(dataset)
    good = [GOOD / "triples.nt", GOOD / "quads.nq", GOOD / "dataset.trig"]
    files = [LOAD / bad, *good] if bad_first else [*good, LOAD / bad]
    with pytest.raises(DataLoadError) as info:
        load_files(files, dataset=dataset, root=GOOD)
    assert info.value.path == str(LOAD / bad)
    assert snapshot(dataset) == before


def test_a_new_dataset_is_only_returned_when_every_file_loads():
    with pytest.raises(DataLoadError):
        load_files([GOOD / "turtle-document.ttl", LOAD / "ill-typed-date.ttl"])
    dataset = Dataset()
    load_files([GOOD / "turtle-document.ttl", GOOD / "triples.nt"], dataset=dataset, root=GOOD)
    assert len(set(dataset.quads((None, None, None, None)))) == 4


def test_the_store_loader_scopes_blank_nodes_and_keeps_graph_names():
    store = load_store(sorted(GOOD.iterdir()), root=GOOD)
    dataset = load_files(sorted(GOOD.iterdir()), root=GOOD)
    assert len(store) == len(set(dataset.quads((None, None, None, None))))
    assert {g.value for g in store.named_graphs()} == {str(g.identifier) for g in dataset.graphs()
                                                         if g.identifier != dataset.default_graph.identifier}
    pages = {q.object for q in store.quads_for_pattern(ox.NamedNode(str(AI_ACT)), ox.NamedNode(str(DCTERMS.source)),
                                                        None)}
    assert len(pages) == 2 and all(isinstance(p, ox.BlankNode) for p in pages)


@pytest.mark.parametrize("bad", ["ill-typed-date.ttl", "empty.ttl", "entity-bomb.rdf", "syntax-error.trig"])
def test_a_failing_file_leaves_the_store_exactly_as_it_was(bad):
    store = load_store([GOOD / "turtle-document.ttl"], root=GOOD)
    before = set(store), set(store.named_graphs())
    with pytest.raises(DataLoadError) as info:
        load_store([GOOD / "triples.nt", LOAD / bad, GOOD / "quads.nq"], store=store, root=GOOD)
    assert info.value.path == str(LOAD / bad)
    assert (set(store), set(store.named_graphs())) == before


def test_a_builds_file_keeps_its_blank_node_labels_and_a_bad_one_loads_nothing(tmp_path):
    """The server, the CLI and the dump show the build's own blank-node labels; a file that fails part-way (after
    some batches went in) leaves an empty store empty and any other store as it was."""
    good = tmp_path / "build.nq"
    good.write_text('_:c14n0 <http://example.org/p> "x" <http://example.org/g> .\n', encoding="utf-8")
    store = load_build(good)
    assert [str(quad.subject) for quad in store] == ["_:c14n0"]
    bad = tmp_path / "bad.nq"
    bad.write_text("".join(f'<http://example.org/a{i}> <http://example.org/p> "1" <http://example.org/g> .\n'
                           for i in range(3000)) + "not n-quads\n", encoding="utf-8")
    empty = ox.Store()
    with pytest.raises(DataLoadError, match="bad.nq"):
        load_build(bad, empty)
    assert len(empty) == 0 and list(empty.named_graphs()) == []
    with pytest.raises(DataLoadError, match="bad.nq"):
        load_build(bad, store)
    assert [str(quad.subject) for quad in store] == ["_:c14n0"]
