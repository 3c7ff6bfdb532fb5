"""The one loading path: strict, atomic loading of RDF files into pyoxigraph, one named graph per source file.

Why not ``rdflib.Graph.parse``: rdflib accepts ill-typed literals, IRIs with spaces and empty files with a
warning, expands DTD entities in RDF/XML and fetches remote JSON-LD contexts. Here pyoxigraph's strict parser
reads every format (its errors carry line and column), the few things it tolerates are checked after, and the
target store is only touched once every file has passed. Nothing is ever fetched.

:func:`load_store` fills a pyoxigraph store (the build, ``policykg serve --data``); :func:`load_files` gives the
same quads as an rdflib Dataset, for the tools that speak rdflib (the EUR-Lex enrichment, reports);
:func:`load_build` reads back the N-Quads file a build wrote into a store, and :func:`read_build` into each graph's
N-Triples text, as that store would hold it (the exports: no store's indexes to build).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby, islice
from operator import attrgetter
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from policykg.errors import DataLoadError
from policykg.formats import JSONLD, NQUADS, NTRIPLES, RDF_SUFFIXES, RDFXML, Format, by_suffix
from policykg.namespaces import GRAPH
from policykg.rdf_writer import GraphName

_CHUNK = 100_000  # quads given to the store at a time
_BUILD_CHUNK = 500  # quads of a build's file given to the store at a time (see load_build)
# Characters RFC 3987 forbids in an IRI; pyoxigraph refuses most, this catches what reaches us otherwise.
_FORBIDDEN_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ILL_TYPED_LOGGER = "rdflib.term"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Quad = tuple[Node, Node, Node, Node]
_TYPED = b'"^^<'  # in N-Triples, a typed literal's closing quote and datatype


@dataclass(frozen=True)
class LoadedFile:
    """What one file contributed: where it came from, the graph it defines and its quads (pyoxigraph terms; the
    file's blank nodes are its own)."""

    path: Path
    graph: URIRef
    quads: list[ox.Quad]

    def rdflib_quads(self) -> Iterator[Quad]:
        return rdflib_quads(self.quads)


def graph_name_for(path: Path, root: Path | None = None) -> URIRef:
    """The named graph of a source file: ``graph/<path relative to root, without suffix>``."""
    path = Path(path).resolve()
    try:
        relative = path.relative_to(root.resolve()) if root else Path(path.name)
    except ValueError:
        relative = Path(path.name)
    slug = relative.with_suffix("").as_posix()
    return GRAPH[slug]


def parse_file(path: Path | str, *, graph: URIRef | None = None, root: Path | None = None) -> LoadedFile:
    """Parse one file strictly. Triples go to ``graph`` (default: derived from the path); TriG and
    N-Quads keep the graph names they state. Raises :class:`DataLoadError` naming the file and line."""
    path = Path(path)
    graph = graph or graph_name_for(path, root)
    return LoadedFile(path=path, graph=graph, quads=list(_checked_quads(path, graph)))


def _format_of(path: Path) -> Format:
    fmt = by_suffix(path.suffix)
    if fmt is None or fmt.rdf is None:
        raise DataLoadError(str(path), f"unknown RDF file type {path.suffix!r} "
                                       f"(known: {', '.join(sorted(RDF_SUFFIXES))})")
    if not path.is_file():
        raise DataLoadError(str(path), "cannot read: no such file")
    return fmt


def _engine_load(store: ox.Store, path: Path, fmt: Format, graph: URIRef) -> None:
    """The engine parses and loads the file (fresh blank nodes for it; its default graph becomes ``graph``)."""
    assert fmt.rdf is not None
    try:
        if next(iter(ox.parse(path=str(path), format=fmt.rdf)), None) is None:
            raise DataLoadError(str(path), "empty file: no triples")
        store.load(path=str(path), format=fmt.rdf, base_iri=path.resolve().as_uri(),
                   to_graph=ox.NamedNode(str(graph)))
    except SyntaxError as error:
        raise _syntax_error(path, error) from None
    except ValueError as error:  # e.g. invalid UTF-8
        raise DataLoadError(str(path), str(error)) from None


# Every literal of a datatype with a lexical space, and every quoted triple, of what the engine loaded.
_TERMS_TO_CHECK = """SELECT DISTINCT ?term WHERE {
  GRAPH ?g { ?s ?p ?o }
  BIND(IF(isTriple(?s), ?s, ?o) AS ?term)
  FILTER(isTriple(?term) || (isLiteral(?term) && LANG(?term) = "" && DATATYPE(?term) != xsd:string))
}"""


def _check_loaded_terms(store: ox.Store, paths: list[Path]) -> None:
    """The checks of :class:`_TermCheck`, on what the engine loaded from ``paths``: one pass over the store (its
    DISTINCT checks each literal once); the error names the file (and line) that holds the value."""
    solutions = store.query(_TERMS_TO_CHECK, prefixes={"xsd": _XSD_STRING.rsplit("#", 1)[0] + "#"})
    assert isinstance(solutions, ox.QuerySolutions)
    for solution in solutions:
        term = solution["term"]
        if type(term) is ox.Triple:
            raise _error_at(_holder(paths, "<<"), "RDF-star quoted triples are not supported", "<<")
        assert type(term) is ox.Literal
        if _ill_typed(term.value, term.datatype.value):
            raise _error_at(_holder(paths, term.value),
                            f"ill-typed literal \"{_shorten(term.value)}\"^^<{term.datatype.value}>", term.value)


def _holder(paths: list[Path], needle: str) -> Path:
    """The first file whose text holds ``needle`` (the first file when none does, as written)."""
    return next((path for path in paths if needle in _read(path).decode("utf-8", errors="replace")), paths[0])


def _checked_quads(path: Path, graph: URIRef) -> Iterator[ox.Quad]:
    """The quads of one file, one at a time (a large file is never held as Python objects), each checked."""
    fmt = _format_of(path)
    if fmt in (RDFXML, JSONLD):  # documents read whole for the checks their parsers leave to us
        data = _read(path)
        (_refuse_xml_doctype if fmt is RDFXML else _refuse_remote_contexts)(path, data)
    check = _TermCheck(path, iris=fmt in (JSONLD, RDFXML))
    count = 0
    assert fmt.rdf is not None  # _format_of refuses a format without a parser
    for quad in _convert(path, fmt.rdf, graph):
        check(quad)
        count += 1
        yield quad
    if not count:
        raise DataLoadError(str(path), "empty file: no triples")


def parse_files(paths: Iterable[Path | str], *, root: Path | None = None,
                graphs: dict[Path, URIRef] | None = None) -> list[LoadedFile]:
    """Every file parsed strictly, or DataLoadError for the first that fails (nothing is loaded anywhere)."""
    return [parse_file(p, graph=(graphs or {}).get(Path(p)), root=root) for p in paths]


def load_store(paths: Iterable[Path | str], *, store: ox.Store | None = None,
               root: Path | None = None, graphs: dict[Path, URIRef] | None = None) -> ox.Store:
    """Parse every file first, then bulk-load them all into ``store`` (a new in-memory one by default).

    If any file fails, :class:`DataLoadError` is raised and ``store`` is left exactly as it was.
    """
    # Files go into a staging store; the target is touched only once every file has passed. An empty store is its own
    # staging store. Turtle, TriG, N-Triples and N-Quads are loaded by the engine itself and checked after, in the
    # engine (a large file never becomes Python objects); JSON-LD and RDF/XML, whose documents need checks before
    # parsing, go through the parser quad by quad. Both ways apply the same checks and give the same errors
    # (tests/test_load.py runs every bad file through both).
    target = store if store is not None else ox.Store()
    empty = next(iter(target), None) is None and next(iter(target.named_graphs()), None) is None
    staging = target if empty else ox.Store()  # an empty store is its own staging store: emptied on failure
    by_engine: list[Path] = []
    try:
        for item in paths:
            path = Path(item)
            graph = (graphs or {}).get(path) or graph_name_for(path, root)
            staging.add_graph(ox.NamedNode(str(graph)))  # declared even if all its quads name other graphs
            fmt = _format_of(path)
            if fmt in (JSONLD, RDFXML):
                quads = _checked_quads(path, graph)
                # In chunks: pyoxigraph buffers what one extend() is given, so a whole large file at once costs
                # half again the store's memory at its peak.
                while chunk := list(islice(quads, _CHUNK)):
                    staging.extend(chunk)
            else:
                _engine_load(staging, path, fmt, graph)
                by_engine.append(path)
        if by_engine:
            _check_loaded_terms(staging, by_engine)
    except DataLoadError:
        if staging is target:
            target.clear()
        raise
    if staging is not target:
        for name in staging.named_graphs():
            target.add_graph(name)
        target.extend(staging)
    return target


def load_build(path: Path | str, store: ox.Store | None = None) -> ox.Store:
    """A build's N-Quads file (:mod:`policykg.graph.build` wrote it from files this module had checked) in
    ``store`` (a new in-memory store by default), read by the engine's parser, so that its literals take the
    engine's canonical form and its blank nodes keep the build's labels, the ones the published dump has (the
    engine's own loader would give them fresh ones at every start). The checks are not repeated (``lenient``: they
    would find nothing, at the cost of reading the file twice over).

    The quads go to the store a few hundred at a time: a store given them so answers scans and aggregates about a
    fifth faster than one given the whole file in one call, and needs no more memory at its peak than it holds
    (at 1M triples 0.37 GB rather than 0.64 GB), for about a second more of loading. Nothing is half-loaded: a store
    that was empty is emptied again when the file fails; any other gets the file through a staging store, in one
    transaction."""
    target = ox.Store() if store is None else store
    empty = next(iter(target), None) is None and next(iter(target.named_graphs()), None) is None
    staging = target if empty else ox.Store()
    try:
        quads = ox.parse(path=str(path), format=NQUADS.rdf, lenient=True)
        while chunk := list(islice(quads, _BUILD_CHUNK)):
            staging.extend(chunk)
    except (SyntaxError, ValueError, OSError) as error:
        if staging is target:
            target.clear()
        raise DataLoadError(str(path), f"cannot load the build: {error}") from None
    if staging is not target:
        target.extend(staging)
    return target


def read_build(path: Path | str) -> dict[GraphName, bytes]:
    """The N-Triples text of each graph of a build's N-Quads file, as :func:`load_build`'s store would hold it
    (typed literals in the engine's canonical form), its lines in no order and maybe repeated. Read once by the
    engine's parser, graph by graph as the build wrote them, without building a store's indexes (the exports)."""
    chunks: dict[GraphName, list[bytes]] = {}
    try:
        quads = ox.parse(path=str(path), format=NQUADS.rdf, lenient=True)
        # The engine writes each run of quads of one graph: no Python step per quad.
        for graph, run in groupby(quads, key=attrgetter("graph_name")):
            text = cast(bytes, ox.serialize(map(attrgetter("triple"), run), format=NTRIPLES.rdf))
            chunks.setdefault(graph, []).append(text)
    except (SyntaxError, ValueError, OSError) as error:
        raise DataLoadError(str(path), f"cannot read the build: {error}") from None
    return _engine_literals({graph: b"".join(texts) for graph, texts in chunks.items()})


def _engine_literals(texts: dict[GraphName, bytes]) -> dict[GraphName, bytes]:
    """``texts`` with every typed literal as a store holds it (``"1"^^xsd:integer`` for ``"01"^^xsd:int``):
    the distinct ones go through a small store, and the lines of those it changes are rewritten."""
    found: dict[bytes, None] = {}
    for text in texts.values():
        at = text.find(_TYPED)
        while at >= 0:  # from one line that may end with a typed literal to the next
            start, end = text.rfind(b"\n", 0, at) + 1, text.find(b"\n", at)
            end = len(text) if end < 0 else end
            literal = _typed_literal(text, start, end)
            if literal:
                found[literal] = None
            at = text.find(_TYPED, end)
    if not found:
        return texts
    literals = list(found)
    probe = b"".join(b"<urn:x-literal:%d> <urn:x-literal:> %s .\n" % item for item in enumerate(literals))
    store = ox.Store()
    store.load(probe, format=NTRIPLES.rdf, lenient=True)
    changed: dict[bytes, bytes] = {}
    for line in (store.dump(format=NTRIPLES.rdf, from_graph=ox.DefaultGraph()) or b"").split(b"\n"):
        if line:
            stored = line[line.index(b'"'):-2]
            original = literals[int(line[len(b"<urn:x-literal:"):line.index(b">")])]
            if stored != original:
                changed[original] = stored
    if not changed:
        return texts
    return {graph: _with_literals(text, changed) for graph, text in texts.items()}


def _typed_literal(text: bytes, start: int, end: int) -> bytes | None:
    """The object of the N-Triples line ``text[start:end]`` if it is a typed literal (a subject or predicate holds
    no quote, a datatype no quote or space)."""
    if not text.startswith(b"> .", end - 3):
        return None
    opening = text.find(b'"', start, end)
    closing = text.rfind(b'"', start, end)
    if opening < 0 or not text.startswith(_TYPED, closing) or text.find(b" ", closing, end - 2) >= 0:
        return None
    return text[opening:end - 2]


def _with_literals(text: bytes, changed: dict[bytes, bytes]) -> bytes:
    lines = text.split(b"\n")
    for at, line in enumerate(lines):
        literal = _typed_literal(line, 0, len(line)) if _TYPED in line else None
        if literal is not None and literal in changed:
            lines[at] = line[:line.index(b'"')] + changed[literal] + b" ."
    return b"\n".join(lines)


def load_files(paths: Iterable[Path | str], *, dataset: Dataset | None = None,
               root: Path | None = None, graphs: dict[Path, URIRef] | None = None) -> Dataset:
    """The same files, for rdflib's tools: parsed like :func:`load_store`, then added to ``dataset`` (a new one
    by default). If any file fails, :class:`DataLoadError` is raised and ``dataset`` is left exactly as it was."""
    loaded = parse_files(paths, root=root, graphs=graphs)
    dataset = dataset if dataset is not None else Dataset()
    for item in loaded:
        dataset.graph(item.graph)  # declare the graph even if all its quads name other graphs
        # rdflib's addN() takes graph names where its stubs say Graphs (it resolves each one, in _graph).
        dataset.addN(cast(Iterator[tuple[Node, Node, Node, Graph]], item.rdflib_quads()))
    return dataset


def rdflib_quads(quads: Iterable[ox.Quad]) -> Iterator[Quad]:
    """pyoxigraph quads as rdflib terms (a blank node stays one node across the quads given together)."""
    blank_nodes: dict[str, BNode] = {}

    def term(value: object) -> Node:
        if isinstance(value, ox.NamedNode):
            return URIRef(value.value)
        if isinstance(value, ox.BlankNode):
            return blank_nodes.setdefault(value.value, BNode())
        if isinstance(value, ox.Literal):
            if value.language:
                return Literal(value.value, lang=value.language)
            if value.datatype.value == _XSD_STRING:  # RDF 1.1 simple literal: keep rdflib's plain form
                return Literal(value.value)
            return Literal(value.value, datatype=URIRef(value.datatype.value))
        raise TypeError(f"unsupported RDF term {value!r}")

    for quad in quads:
        yield term(quad.subject), term(quad.predicate), term(quad.object), term(quad.graph_name)


OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def ox_term(node: Node, blank_nodes: dict[BNode, ox.BlankNode] | None = None) -> OxTerm:
    """An rdflib term as a pyoxigraph term (``blank_nodes`` keeps a blank node one node across calls). Raises
    ValueError for an IRI or literal pyoxigraph refuses and TypeError for anything else."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return (blank_nodes if blank_nodes is not None else {}).setdefault(node, ox.BlankNode())
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"unsupported RDF term {node!r}")


def ox_quads(quads: Iterable[tuple[Node, Node, Node, Node | None]]) -> Iterator[ox.Quad]:
    """rdflib quads as pyoxigraph quads (a blank node stays one node across the quads given together; a graph of
    None is the default graph)."""
    blank_nodes: dict[BNode, ox.BlankNode] = {}
    for s, p, o, g in quads:
        subject, predicate = ox_term(s, blank_nodes), ox_term(p, blank_nodes)
        graph = None if g is None else ox_term(g, blank_nodes)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode) or isinstance(graph, ox.Literal):
            raise TypeError(f"not an RDF quad: {(s, p, o, g)!r}")
        yield ox.Quad(subject, predicate, ox_term(o, blank_nodes), ox.DefaultGraph() if graph is None else graph)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise DataLoadError(str(path), f"cannot read: {error.strerror or error}") from None


def _convert(path: Path, rdf_format: ox.RdfFormat, graph: URIRef) -> Iterator[ox.Quad]:
    graph_node = ox.NamedNode(str(graph))
    try:
        # Read from the file as parsed (a large file is never held whole); fresh blank nodes for every file: the
        # same label in two files names two nodes.
        for quad in ox.parse(path=str(path), format=rdf_format, base_iri=path.resolve().as_uri(),
                             rename_blank_nodes=True):
            if type(quad.graph_name) is ox.DefaultGraph:
                quad = ox.Quad(quad.subject, quad.predicate, quad.object, graph_node)
            yield quad
    except SyntaxError as error:
        raise _syntax_error(path, error) from None
    except ValueError as error:  # e.g. invalid UTF-8
        raise DataLoadError(str(path), str(error)) from None


def _syntax_error(path: Path, error: SyntaxError) -> DataLoadError:
    location = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], tuple) else None
    line = location[1] if location else getattr(error, "lineno", None)
    message = error.args[0] if error.args else str(error)
    named = re.search(r"IRI '([^']*)'", message)
    if not line and named:
        line = _line_of(_read(path).decode("utf-8", errors="replace"), named.group(1))
    message = re.sub(r"^Parser error at line \d+ (?:between columns|column) (\d+)(?: and \d+)?: ", r"column \1: ",
                     message)
    return DataLoadError(str(path), message, line)


class _TermCheck:
    """What the parser lets through: literals whose lexical form their datatype refuses (rdflib knows the XSD
    lexical spaces; each distinct literal is checked once), RDF-star triples, and, in JSON-LD and RDF/XML (whose
    parsers check IRIs less than the others'), IRIs with characters RFC 3987 forbids. The loop is the loader's
    cost per triple: it looks at the object only, except where IRIs are checked."""

    def __init__(self, path: Path, *, iris: bool) -> None:
        self.path, self.iris = path, iris
        self.checked: set[tuple[str, str]] = set()

    def __call__(self, quad: ox.Quad) -> None:
        node = quad.object
        if type(node) is ox.Literal:
            datatype = node.datatype.value
            if datatype != _XSD_STRING and not node.language and (node.value, datatype) not in self.checked:
                self._literal(node.value, datatype)
        elif type(node) is ox.Triple or type(quad.subject) is ox.Triple:
            raise self._error("RDF-star quoted triples are not supported", "<<")
        if self.iris:
            for term in (quad.subject, quad.predicate, node, quad.graph_name):
                if type(term) is ox.NamedNode and _FORBIDDEN_IRI_CHARS.search(term.value):
                    raise self._error(f"IRI <{_shorten(term.value)}> contains a forbidden character", term.value)

    def _literal(self, value: str, datatype: str) -> None:
        self.checked.add((value, datatype))
        if _ill_typed(value, datatype):
            raise self._error(f"ill-typed literal \"{_shorten(value)}\"^^<{datatype}>", value)

    def _error(self, message: str, needle: str) -> DataLoadError:
        return _error_at(self.path, message, needle)


def _ill_typed(value: str, datatype: str) -> bool:
    """Whether ``datatype`` refuses the lexical form ``value`` (rdflib knows the XSD lexical spaces)."""
    with _quiet_rdflib():
        return bool(Literal(value, datatype=URIRef(datatype)).ill_typed)


def _error_at(path: Path, message: str, needle: str) -> DataLoadError:
    """A DataLoadError for ``path`` at the line where ``needle`` first stands."""
    return DataLoadError(str(path), message, _line_of(_read(path).decode("utf-8", errors="replace"), needle))


def _shorten(text: str, limit: int = 80) -> str:
    """A value as a message shows it: a multi-megabyte literal is not repeated whole."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _refuse_xml_doctype(path: Path, data: bytes) -> None:
    """Refuse any DTD: entity expansion (billion laughs) and external entities (XXE) both need one."""
    from xml.sax import SAXParseException
    from xml.sax.handler import ContentHandler

    import defusedxml.sax
    from defusedxml import DefusedXmlException

    try:
        defusedxml.sax.parseString(data, ContentHandler(), forbid_dtd=True,
                                   forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        text = data.decode("utf-8", errors="replace")
        line = _line_of(text, "<!DOCTYPE") or _line_of(text, "<!ENTITY")
        raise DataLoadError(str(path), f"refused: RDF/XML with a DTD or entity declaration ({error})", line) from None
    except SAXParseException as error:
        raise DataLoadError(str(path), f"XML syntax error: {error.getMessage()}", error.getLineNumber()) from None


def _refuse_remote_contexts(path: Path, data: bytes) -> None:
    """JSON-LD may only use inline contexts: a string context would be fetched from the network. Also refuse
    malformed IRIs in @id, @type, @vocab and @base, which the JSON-LD parser would drop without a word."""
    try:
        document = json.loads(data)
    except json.JSONDecodeError as error:
        raise DataLoadError(str(path), f"JSON syntax error: {error.msg}", error.lineno) from None
    text = data.decode("utf-8", errors="replace")

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("@context", "@import"):
                    for context in value if isinstance(value, list) else [value]:
                        if isinstance(context, str):
                            raise DataLoadError(str(path), f"refused: remote JSON-LD context {context!r} "
                                                           "(only inline contexts are allowed; nothing is fetched)",
                                                _line_of(text, json.dumps(context)))
                if key in ("@id", "@type", "@vocab", "@base"):
                    for iri in value if isinstance(value, list) else [value]:
                        if isinstance(iri, str) and _FORBIDDEN_IRI_CHARS.search(iri):
                            raise DataLoadError(str(path), f"IRI <{iri}> contains a forbidden character",
                                                _line_of(text, json.dumps(iri)))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal; we report those ourselves."""
    logger = logging.getLogger(_ILL_TYPED_LOGGER)
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)
