"""The one RDF writer: triples or quads in Turtle, N-Triples, N-Quads, TriG, RDF/XML or JSON-LD, deterministically.

The same graph gives the same bytes, in any process: duplicates are dropped, blank nodes get their canonical labels
(RDFC-1.0), the statements are sorted (by graph, subject, ``rdf:type`` first, predicate, object: Turtle groups them
by subject) and pyoxigraph writes them with the project's prefixes, only those the document uses, declared in a
fixed order. Triple formats (Turtle, N-Triples, RDF/XML) get the union of the graphs; quad formats (TriG, N-Quads,
JSON-LD) keep them. JSON-LD is pyoxigraph's, compacted with the prefixes it uses as its ``@context``.

``policykg export``, the answers to CONSTRUCT and DESCRIBE (``/sparql``, ``/queries/NAME.ttl``, ``policykg
query``), the Graph Store, the resource pages and the downloads all write here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, cast

import pyoxigraph as ox

from policykg.formats import JSONLD, RDFXML, TRIG, TURTLE, Format
from policykg.namespaces import PREFIXES, RDF

RDF_TYPE = str(RDF.type)
_XMLNS = re.compile(rb'\s+xmlns:[^=\s]+="[^"]*"')
_DEFAULT = ox.DefaultGraph()


def write_rdf(items: Iterable[ox.Triple | ox.Quad], fmt: Format, *,
              prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """``items`` (triples, quads or both) in the graph format ``fmt``."""
    if fmt.rdf is None:
        raise ValueError(f"{fmt.name} is not a graph format")
    quads = canonical_quads(items, keep_graphs=fmt.quads)
    if fmt is JSONLD:
        return _jsonld(quads, prefixes)
    if not fmt.quads:
        statements: list[Any] = [q.triple for q in quads]
    else:
        statements = quads
    if fmt in (TURTLE, TRIG):
        return _tidy_prefix_lines(_serialize(statements, fmt.rdf, prefixes=_candidates(quads, prefixes)))
    if fmt is RDFXML:
        return _sorted_xmlns(_serialize(statements, fmt.rdf,
                                        prefixes=_candidates(quads, prefixes, element_names=True)))
    return _serialize(statements, fmt.rdf)


def _serialize(statements: list[Any], rdf_format: ox.RdfFormat, *, prefixes: dict[str, str] | None = None) -> bytes:
    # pyoxigraph's stubs type serialize() as ``bytes | None``: None is for when it writes to an ``output`` file;
    # without one it returns the document's bytes.
    return cast(bytes, ox.serialize(statements, format=rdf_format, prefixes=prefixes))


def canonical_quads(items: Iterable[ox.Triple | ox.Quad], *, keep_graphs: bool = True) -> list[ox.Quad]:
    """The distinct statements of ``items`` with canonical blank node labels, sorted. Without ``keep_graphs``,
    every statement goes to the default graph (the union of the graphs)."""
    dataset = ox.Dataset(_quads(items, keep_graphs))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=_order)


def _quads(items: Iterable[ox.Triple | ox.Quad], keep_graphs: bool):
    for item in items:
        if isinstance(item, ox.Quad):
            if keep_graphs:
                yield item
            else:
                yield ox.Quad(item.subject, item.predicate, item.object, _DEFAULT)
        else:
            yield ox.Quad(item.subject, item.predicate, item.object, _DEFAULT)


def _order(quad: ox.Quad) -> tuple[str, str, bool, str, str]:
    graph = quad.graph_name
    return ("" if isinstance(graph, ox.DefaultGraph) else str(graph), str(quad.subject),
            quad.predicate.value != RDF_TYPE, str(quad.predicate), str(quad.object))


def _iris(term: Any, found: set[str]) -> None:
    if isinstance(term, ox.NamedNode):
        found.add(term.value)
    elif isinstance(term, ox.Literal):
        found.add(term.datatype.value)
    elif isinstance(term, ox.Triple):
        for part in (term.subject, term.predicate, term.object):
            _iris(part, found)


def _candidates(quads: list[ox.Quad], prefixes: Mapping[str, str], *,
                element_names: bool = False) -> dict[str, str]:
    """The prefixes whose namespace holds an IRI of ``quads`` (for RDF/XML: a predicate or a class, which become
    element names), in a fixed order."""
    found: set[str] = set()
    for quad in quads:
        found.add(quad.predicate.value)
        if element_names:
            if quad.predicate.value == RDF_TYPE:
                _iris(quad.object, found)
            continue
        _iris(quad.subject, found)
        _iris(quad.object, found)
        _iris(quad.graph_name, found)
    return {prefix: namespace for prefix, namespace in sorted(prefixes.items())
            if any(iri.startswith(namespace) for iri in found)}


def _tidy_prefix_lines(data: bytes) -> bytes:
    """Sort the ``@prefix`` lines (pyoxigraph writes them in its own order) and drop those the body does not use
    (an IRI in a prefix's namespace whose local part cannot be written as a prefixed name)."""
    lines = data.split(b"\n")
    head = 0
    while head < len(lines) and lines[head].startswith(b"@prefix "):
        head += 1
    body = b"\n".join(lines[head:])
    kept = sorted(line for line in lines[:head]
                  if re.search(rb"(?<![\w.\-:])" + re.escape(line[8:line.index(b":", 8) + 1]), body))
    return b"\n".join([*kept, body])


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

def _jsonld(quads: list[ox.Quad], prefixes: Mapping[str, str]) -> bytes:
    """pyoxigraph's JSON-LD (expanded), with IRIs written as ``prefix:local`` and the prefixes used as context."""
    expanded = json.loads(ox.serialize(quads, format=JSONLD.rdf) or b"[]")
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
    document = {"@context": {prefix: prefixes[prefix] for prefix in sorted(used)}, "@graph": graph}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


__all__ = ["canonical_quads", "write_rdf"]
