"""The one RDF writer: triples or quads in Turtle, N-Triples, N-Quads, TriG, RDF/XML or JSON-LD, deterministically.

The same graph gives the same bytes, in any process: duplicates are dropped, blank nodes get their canonical labels
(RDFC-1.0, pyoxigraph's ``Dataset.canonicalize``; skipped when there is no blank node), the statements are sorted
(by graph, then subject, ``rdf:type`` first, predicate, object, comparing their N-Triples text: Turtle groups them
by subject) and pyoxigraph writes them with the project's prefixes, only those the document uses, declared in
alphabetical order. Triple formats (Turtle, N-Triples, RDF/XML) get the union of the graphs; quad formats (TriG,
N-Quads, JSON-LD) keep them. JSON-LD is compacted with the published context (:data:`CONTEXT_IRI`, the package's
``context.jsonld``), which it names by IRI.

The work is done on the engine's N-Triples text, not on Python terms: the engine writes each graph (of a store,
:func:`write_store`; or, for the exports, of a build's N-Quads file read once by its parser,
:func:`write_texts` and :func:`policykg.graph.load.read_build`), Python sorts the lines, and the engine reads them
back into its Turtle, TriG or RDF/XML writer. N-Triples and N-Quads are the sorted lines themselves.

The prefixes are those of :data:`policykg.namespaces.PREFIXES` and of the project's source files (the concept
schemes' ``group:``, ``status:``, …), as published in ``context.jsonld``; ``policykg export --context`` writes that
file from the sources and a test keeps it current.

``policykg export``, the answers to CONSTRUCT and DESCRIBE (``/sparql``, ``/queries/NAME.ttl``, ``policykg
query``), the Graph Store, the resource pages and the downloads all write here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any, cast

import pyoxigraph as ox

from policykg.formats import JSONLD, NQUADS, NTRIPLES, RDFXML, TRIG, TURTLE, Format
from policykg.namespaces import BASE, PREFIXES, RDF

RDF_TYPE = str(RDF.type)
#: Where the JSON-LD context of the exports is published (the web serves it at ``/context.jsonld``).
CONTEXT_IRI = BASE + "context.jsonld"
CONTEXT_FILE = "context.jsonld"
_XMLNS = re.compile(rb'\s+xmlns:[^=\s]+="[^"]*"')
_DEFAULT = ox.DefaultGraph()
_TYPE = b" <" + RDF_TYPE.encode() + b"> "
_TYPE_KEY = b" \x00 "      # sorts before any term; the engine escapes NUL in literals, so it never occurs
_NAME_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-:")
_NAME_BOUNDARY = bytes(byte if byte in _NAME_CHARS else 0x20 for byte in range(256))  # for bytes.translate

GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


# -- prefixes and the published context -------------------------------------------------------------------------

@lru_cache(maxsize=1)
def published_prefixes() -> dict[str, str]:
    """The prefixes of the published JSON-LD context: the project's own and those of its source files."""
    document = json.loads(resources.files("policykg").joinpath(CONTEXT_FILE).read_text(encoding="utf-8"))
    return {**document["@context"], **PREFIXES}  # namespaces.py wins (a test keeps the file in step with it)


def context_document(prefixes: Mapping[str, str]) -> bytes:
    """The text of a JSON-LD context that declares ``prefixes`` (sorted), as ``context.jsonld`` holds it."""
    body = {"@context": {prefix: prefixes[prefix] for prefix in sorted(prefixes)}}
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# -- writing -----------------------------------------------------------------------------------------------------

def write_rdf(items: Iterable[ox.Triple | ox.Quad], fmt: Format, *,
              prefixes: Mapping[str, str] | None = None, published_context: str | None = None) -> bytes:
    """``items`` (triples, quads or both) in the graph format ``fmt`` (see :func:`write_store`)."""
    if fmt.rdf is None:
        raise ValueError(f"{fmt.name} is not a graph format")
    store = ox.Store()
    store.extend(_quads(items, fmt.quads))
    return write_store(store, fmt, prefixes=prefixes, published_context=published_context)


def write_store(store: ox.Store, fmt: Format, *, graphs: Iterable[GraphName] | None = None,
                prefixes: Mapping[str, str] | None = None, published_context: str | None = None) -> bytes:
    """The graphs ``graphs`` of ``store`` (default: all of them, the default graph first) in ``fmt``, with
    ``prefixes`` (default: the published ones). JSON-LD's context: without ``published_context``, the prefixes the
    document uses (the answers to queries); with ``"inline"``, the published context itself, written in full (the
    exports: the document reads alone, offline, and its context is the published one); with ``"iri"``, the
    published context named by :data:`CONTEXT_IRI` (a JSON-LD processor fetches it)."""
    _check_options(fmt, prefixes, published_context)
    chosen = _graph_order([_DEFAULT, *store.named_graphs()] if graphs is None else graphs)
    blocks = [(graph, store.dump(format=NTRIPLES.rdf, from_graph=graph) or b"") for graph in chosen]
    return _write_blocks(blocks, fmt, distinct=True, prefixes=prefixes, published_context=published_context)


def write_texts(texts: Mapping[GraphName, bytes], fmt: Format, *, graphs: Iterable[GraphName] | None = None,
                prefixes: Mapping[str, str] | None = None, published_context: str | None = None) -> bytes:
    """The graphs ``graphs`` of ``texts`` (default: all of them) in ``fmt``, as :func:`write_store` writes them
    from a store holding the same statements. ``texts`` holds each graph's N-Triples text as the engine writes it,
    its lines in any order and maybe repeated (:func:`policykg.graph.load.read_build`)."""
    _check_options(fmt, prefixes, published_context)
    chosen = _graph_order([_DEFAULT, *texts] if graphs is None else graphs)
    blocks = [(graph, texts.get(graph, b"")) for graph in chosen]
    return _write_blocks(blocks, fmt, distinct=False, prefixes=prefixes, published_context=published_context)


def _check_options(fmt: Format, prefixes: Mapping[str, str] | None, published_context: str | None) -> None:
    if published_context not in (None, "inline", "iri"):
        raise ValueError(f"published_context is 'inline' or 'iri', not {published_context!r}")
    if published_context and prefixes is not None:
        raise ValueError("the published context holds the published prefixes, not others")
    if fmt.rdf is None:
        raise ValueError(f"{fmt.name} is not a graph format")


def _write_blocks(blocks: list[tuple[GraphName, bytes]], fmt: Format, *, distinct: bool,
                  prefixes: Mapping[str, str] | None, published_context: str | None) -> bytes:
    """Each graph's N-Triples text (``distinct``: no line repeated within one) in ``fmt``."""
    assert fmt.rdf is not None  # _check_options refused the others
    merged = not fmt.quads and len(blocks) > 1  # the graphs' union: a triple may stand in several of them
    if not fmt.quads:
        blocks = [(_DEFAULT, b"".join(data for _, data in blocks))]
    if any(b"_:" in data for _, data in blocks):
        blocks = _canonical(blocks)
    sorted_blocks = [(graph, _sorted_lines(data, distinct=distinct and not merged)) for graph, data in blocks]
    sorted_blocks = [(graph, lines) for graph, lines in sorted_blocks if lines]
    if fmt is NTRIPLES:
        return b"".join(lines for _, lines in sorted_blocks)
    # The lines are the engine's own writing: read back without its checks (``lenient``), which would find
    # nothing and cost as much as the rest of the reading.
    if fmt.quads:
        body = b"".join(_with_graph(graph, lines) for graph, lines in sorted_blocks)
        statements = ox.parse(body, format=NQUADS.rdf, lenient=True)
    else:
        body = b"".join(lines for _, lines in sorted_blocks)
        statements = ox.parse(body, format=NTRIPLES.rdf, lenient=True)
    if fmt is NQUADS:
        return body
    table = published_prefixes() if prefixes is None else prefixes
    if fmt is JSONLD:
        return _jsonld(list(statements), table, context=published_context)
    if fmt in (TURTLE, TRIG):
        return _tidy_prefix_lines(_serialize(statements, fmt.rdf, prefixes=dict(table)))
    if fmt is RDFXML:
        triples = [quad.triple for quad in statements]
        return _sorted_xmlns(_serialize(triples, fmt.rdf, prefixes=_element_prefixes(triples, table)))
    return _serialize(statements, fmt.rdf)


def canonical_quads(items: Iterable[ox.Triple | ox.Quad], *, keep_graphs: bool = True) -> list[ox.Quad]:
    """The distinct statements of ``items`` with canonical blank node labels, in the writer's order. Without
    ``keep_graphs``, every statement goes to the default graph (the union of the graphs)."""
    fmt = NQUADS if keep_graphs else NTRIPLES
    return list(ox.parse(write_rdf(items, fmt), format=fmt.rdf))


def _serialize(statements: Any, rdf_format: ox.RdfFormat, *, prefixes: dict[str, str] | None = None) -> bytes:
    # pyoxigraph's stubs type serialize() as ``bytes | None``: None is for when it writes to an ``output`` file;
    # without one it returns the document's bytes.
    return cast(bytes, ox.serialize(statements, format=rdf_format, prefixes=prefixes))


def _quads(items: Iterable[ox.Triple | ox.Quad], keep_graphs: bool):
    for item in items:
        if isinstance(item, ox.Quad):
            yield item if keep_graphs else ox.Quad(item.subject, item.predicate, item.object, _DEFAULT)
        else:
            yield ox.Quad(item.subject, item.predicate, item.object, _DEFAULT)


def _graph_order(graphs: Iterable[GraphName]) -> list[GraphName]:
    unique = {str(graph): graph for graph in graphs}
    # The default graph (written as "DEFAULT") first, then the names in the order of their N-Triples text.
    return sorted(unique.values(), key=lambda graph: "" if isinstance(graph, ox.DefaultGraph) else str(graph))


def _sorted_lines(data: bytes, *, distinct: bool = False) -> bytes:
    """N-Triples lines without duplicates, sorted by their text with ``rdf:type`` before any other predicate.
    ``distinct``: the lines are known to be (one graph of a store), so the duplicates are not looked for."""
    if not data:
        return b""
    # Sorted in place, then the duplicates (now neighbours) dropped: cheaper than sorting a set (the engine's
    # lines come in long sorted runs, which a set would scatter).
    lines = data.replace(_TYPE, _TYPE_KEY).split(b"\n")
    lines.sort()
    if not distinct:
        lines = [line for line, after in pairwise(lines) if line != after] + lines[-1:]
    empty = 0
    while empty < len(lines) and not lines[empty]:  # the empty "lines" sort first
        empty += 1
    if empty == len(lines):
        return b""
    del lines[:empty]
    lines.append(b"")  # the last line's end
    return b"\n".join(lines).replace(_TYPE_KEY, _TYPE)


def _with_graph(graph: GraphName, lines: bytes) -> bytes:
    if isinstance(graph, ox.DefaultGraph):
        return lines
    return lines.replace(b" .\n", b" " + str(graph).encode() + b" .\n")


def _canonical(blocks: list[tuple[GraphName, bytes]]) -> list[tuple[GraphName, bytes]]:
    """The blocks with their blank nodes relabelled by RDFC-1.0 over the whole dataset (blank nodes keep their
    identity across graphs: the engine writes every graph with the same labels)."""
    dataset = ox.Dataset(ox.Quad(quad.subject, quad.predicate, quad.object, graph)
                         for graph, data in blocks
                         for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES, lenient=True))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return [(graph, _serialize([quad.triple for quad in dataset.quads_for_graph_name(graph)], ox.RdfFormat.N_TRIPLES))
            for graph, _ in blocks]


def _tidy_prefix_lines(data: bytes) -> bytes:
    """Sort the ``@prefix`` lines (pyoxigraph writes them in its own order) and drop those the body does not use
    (no IRI in the prefix's namespace, or none whose local part can be written as a prefixed name)."""
    head: list[bytes] = []
    start = 0  # where the body starts
    while data.startswith(b"@prefix ", start):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        head.append(data[start:end])
        start = min(end + 1, len(data))
    body = data[start:]
    # Every byte that cannot stand in a prefixed name becomes a space: a prefix is used where " pkg:" stands.
    names = b" " + body.translate(_NAME_BOUNDARY)
    kept = sorted(line for line in head if _uses(body, names, line[8:line.index(b":", 8) + 1]))
    return b"".join(line + b"\n" for line in kept) + body


def _uses(body: bytes, names: bytes, name: bytes) -> bool:
    """Whether ``name`` (``pkg:``) starts a prefixed name somewhere in ``body`` (``names``: see
    :func:`_tidy_prefix_lines`)."""
    if all(byte in _NAME_CHARS for byte in name):
        return b" " + name in names
    at = body.find(name)  # a name with other bytes (non-ASCII letters): each place it stands, looked at
    while at >= 0:
        if at == 0 or body[at - 1] not in _NAME_CHARS:
            return True
        at = body.find(name, at + 1)
    return False


def _element_prefixes(triples: list[ox.Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """For RDF/XML: the prefixes whose namespace holds a predicate or a class (they become element names)."""
    found: set[str] = set()
    for triple in triples:
        found.add(triple.predicate.value)
        if triple.predicate.value == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            found.add(triple.object.value)
    return {prefix: namespace for prefix, namespace in sorted(prefixes.items())
            if any(iri.startswith(namespace) for iri in found)}


def _sorted_xmlns(data: bytes) -> bytes:
    """RDF/XML with the namespace declarations of its root element in a fixed order."""
    start = data.find(b"<rdf:RDF")
    if start < 0:
        return data
    end = data.index(b">", start)
    root = data[start:end]
    declarations = sorted(match.group(0).strip() for match in _XMLNS.finditer(root))
    rest = _XMLNS.sub(b"", root)
    return data[:start] + b" ".join([rest, *declarations]) + data[end:]


# -- JSON-LD -----------------------------------------------------------------------------------------------------

def _jsonld(quads: list[ox.Quad], prefixes: Mapping[str, str], *, context: str | None) -> bytes:
    """pyoxigraph's JSON-LD (expanded), with IRIs written as ``prefix:local``, and its context (see
    :func:`write_store`)."""
    expanded = json.loads(_serialize(quads, ox.RdfFormat.JSON_LD) or b"[]")
    namespaces = sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0]))
    used: set[str] = set()

    def curie(iri: str) -> str:
        for prefix, namespace in namespaces:
            if iri.startswith(namespace):
                local = iri[len(namespace):]
                if local and not local.startswith("//"):
                    used.add(prefix)
                    return f"{prefix}:{local}"
        return iri

    def compact(value: Any) -> Any:
        if isinstance(value, list):
            return [compact(item) for item in value]
        if not isinstance(value, dict):
            return value
        result: dict[str, Any] = {}
        for key, item in value.items():
            if key in ("@id", "@type"):
                if isinstance(item, str):
                    result[key] = item if item.startswith("_:") else curie(item)
                else:
                    result[key] = [i if i.startswith("_:") else curie(i) for i in item]
            elif key.startswith("@"):
                result[key] = compact(item)
            else:
                result[curie(key)] = compact(item)
        return result

    graph = compact(expanded)
    declared: Any = {prefix: prefixes[prefix] for prefix in sorted(prefixes if context else used)}
    document = {"@context": CONTEXT_IRI if context == "iri" else declared, "@graph": graph}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


__all__ = ["CONTEXT_IRI", "GraphName", "canonical_quads", "context_document", "published_prefixes", "write_rdf",
           "write_store", "write_texts"]
