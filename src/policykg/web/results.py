"""Answers written out under the row and byte caps, saying so in the body when a cap cut them.

SELECT rows are written here (SPARQL JSON, XML, CSV, TSV) so that writing stops at the cap; graphs are written by
the one RDF writer (:mod:`policykg.rdf_writer`: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML). A cut answer
stays a valid document: JSON and XML results name the note in ``head`` (``link``) and JSON adds
``"truncated": true``; graph formats with comments get a comment line; CSV, TSV and JSON-LD have no room for a
note, so only the response headers say it (the endpoint sends those for every format).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from policykg.formats import CSV, JSON, NQUADS, NTRIPLES, RDFXML, TRIG, TSV, TURTLE, XML, Format
from policykg.namespaces import XSD
from policykg.rdf_writer import write_rdf
from policykg.sparql.results import json_term

XSD_STRING = str(XSD.string)


@dataclass(frozen=True)
class Body:
    data: bytes
    count: int                     # rows or triples written
    truncated: str | None = None   # None, "rows" or "bytes"


# -- terms ------------------------------------------------------------------------------------------------------

def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value == XSD_STRING:
            return f"<literal>{escape(term.value)}</literal>"
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"unexpected term {term!r}")


def _csv_term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _tsv_term(term: object) -> str:
    return "" if term is None else str(term).replace("\t", "\\t")


# -- SELECT and ASK ---------------------------------------------------------------------------------------------

def _capped(rows: Iterator, max_rows: int) -> tuple[list, bool]:
    taken = []
    for row in rows:
        if len(taken) == max_rows:
            return taken, True
        taken.append(row)
    return taken, False


def write_select(solutions: ox.QuerySolutions, fmt: Format, *, max_rows: int, max_bytes: int,
                 note: str) -> Body:
    """SELECT results in ``fmt``, at most ``max_rows`` rows and about ``max_bytes`` bytes."""
    variables = [v.value for v in solutions.variables]
    rows, cut = _capped(iter(solutions), max_rows)
    writer = {JSON: _json_rows, XML: _xml_rows, CSV: _csv_rows, TSV: _tsv_rows}[fmt]
    head, parts, tail = writer(variables, rows)
    noted_head, _, noted_tail = writer(variables, [], note=note)   # a cut answer carries the note: make room
    size = len(noted_head) + len(noted_tail)
    kept = 0
    for part in parts:
        if size + len(part) > max_bytes:
            break
        size += len(part)
        kept += 1
    truncated = "bytes" if kept < len(rows) else ("rows" if cut else None)
    if truncated:
        head, tail = noted_head, noted_tail
    return Body(head + b"".join(parts[:kept]) + tail, kept, truncated)


def _json_rows(variables: list[str], rows: list, note: str | None = None) -> tuple[bytes, list[bytes], bytes]:
    head = {"vars": variables}
    if note:
        head["link"] = [note]
    start = json.dumps({"head": head}, ensure_ascii=False)[:-1]
    parts = []
    for i, row in enumerate(rows):
        binding = {name: json_term(term) for name, term in zip(variables, row) if term is not None}
        parts.append(((", " if i else "") + json.dumps(binding, ensure_ascii=False)).encode("utf-8"))
    tail = "]}" + (', "truncated": true}' if note else "}")
    return (start + ', "results": {"bindings": [').encode("utf-8"), parts, tail.encode("utf-8")


def _xml_rows(variables: list[str], rows: list, note: str | None = None) -> tuple[bytes, list[bytes], bytes]:
    head = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
            "<head>", *[f"<variable name={quoteattr(v)}/>" for v in variables]]
    if note:
        head.append(f"<link href={quoteattr(note)}/>")
    head.append("</head>")
    if note:
        head.append(f"<!-- truncated: this answer was cut at a limit of the endpoint; see {escape(note)} -->")
    head.append("<results>")
    parts = []
    for row in rows:
        bindings = "".join(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
                           for name, term in zip(variables, row) if term is not None)
        parts.append(f"<result>{bindings}</result>\n".encode("utf-8"))
    return "\n".join(head).encode("utf-8") + b"\n", parts, b"</results>\n</sparql>\n"


def _csv_rows(variables: list[str], rows: list, note: str | None = None) -> tuple[bytes, list[bytes], bytes]:
    def line(values: list[str]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(values)
        return buffer.getvalue().encode("utf-8")

    return line(variables), [line([_csv_term(t) for t in row]) for row in rows], b""


def _tsv_rows(variables: list[str], rows: list, note: str | None = None) -> tuple[bytes, list[bytes], bytes]:
    head = ("\t".join(f"?{v}" for v in variables) + "\n").encode("utf-8")
    return head, [("\t".join(_tsv_term(t) for t in row) + "\n").encode("utf-8") for row in rows], b""


def write_boolean(value: bool, fmt: Format) -> Body:
    text = "true" if value else "false"
    if fmt is XML:
        return Body(('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                     f"<head/><boolean>{text}</boolean></sparql>\n").encode(), 1)
    return Body(f'{{"head": {{}}, "boolean": {text}}}'.encode(), 1)


# -- graphs -----------------------------------------------------------------------------------------------------

def serialize_graph(items: list, fmt: Format) -> bytes:
    """Triples (or quads, for TriG and N-Quads) in ``fmt``: the one RDF writer (:mod:`policykg.rdf_writer`)."""
    return write_rdf(items, fmt)


def write_graph(triples: Iterable[ox.Triple], fmt: Format, *, max_rows: int, max_bytes: int, note: str) -> Body:
    """A graph in ``fmt``, duplicates removed, at most ``max_rows`` triples and about ``max_bytes`` bytes."""
    unique, cut = _capped(iter(dict.fromkeys(triples)), max_rows)
    data = serialize_graph(unique, fmt)
    kept = len(unique)
    truncated = "rows" if cut else None
    while len(data) > max_bytes and kept:
        kept = int(kept * max_bytes / len(data) * 0.9)
        data = serialize_graph(unique[:kept], fmt)
        truncated = "bytes"
    if truncated:
        data = _graph_note(data, fmt, f"truncated: this answer was cut at a limit of the endpoint; see {note}")
    return Body(data, kept, truncated)


def _graph_note(data: bytes, fmt: Format, note: str) -> bytes:
    if fmt in (TURTLE, TRIG, NTRIPLES, NQUADS):
        return f"# {note}\n".encode() + data
    if fmt is RDFXML:
        first, _, rest = data.partition(b"\n")
        return first + f"\n<!-- {escape(note)} -->\n".encode() + rest
    return data
