"""The answer of a query as a value (rows, a graph or a boolean), and the one writer of answers.

:func:`write` writes every answer: ``policykg query --format``, ``/queries/NAME.EXT`` and ``/sparql`` (and the
Graph Store's graphs) all call it, so the same answer gives the same bytes everywhere. Formats
(:data:`policykg.formats.ANSWER_FORMATS`): ``table`` (aligned text for a terminal), ``csv`` (SPARQL 1.1 CSV: a
header row, RFC 4180 quoting, CRLF, UTF-8, plain values: opens cleanly in a spreadsheet), ``tsv`` (SPARQL 1.1 TSV:
terms in N-Triples syntax), ``json`` and ``xml`` (SPARQL 1.1 JSON and XML results); a graph is written by
:mod:`policykg.rdf_writer` (Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads) and also gives a table, CSV or TSV
of its triples (subject, predicate, object); ``html`` is a table for a page (an HTML fragment: ``<table>``), whose
IRIs link where the page's ``link`` function says (the web sends ours to this server's own pages) and nowhere
without one.

Caps are options (the command line has none): at most ``max_rows`` rows or triples and about ``max_bytes`` bytes.
A cut answer stays a valid document and says so where the format has room: JSON and XML results name the note in
``head`` (``link``) and JSON adds ``"truncated": true``; graph formats with comments get a comment line; CSV, TSV
and JSON-LD have no room for a note, so only the response headers say it (the endpoint sends those for every
format, from :class:`Body`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from json.encoder import encode_basestring as _json_string  # json.dumps' own, for ensure_ascii=False
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from policykg.errors import NotAcceptable, QueryParameterError
from policykg.formats import (
    ANSWER_FORMATS,
    CSV,
    HTML,
    JSON,
    NQUADS,
    NTRIPLES,
    RDFXML,
    TABLE,
    TRIG,
    TSV,
    TURTLE,
    XML,
    Format,
    by_name,
)
from policykg.namespaces import RDF, XSD, compact
from policykg.rdf_writer import write_rdf

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
XSD_STRING = str(XSD.string)
RDF_LANG_STRING = str(RDF.langString)
_XML_SPACE = " \t\n\r"


@dataclass(frozen=True)
class SelectResult:
    variables: list[str]
    rows: list[tuple[Term | None, ...]]
    truncated: bool = False        # a row cap of the engine cut the answer
    kind = "select"

    def values(self) -> list[dict[str, str]]:
        """Each row as ``{variable: lexical value}`` (IRIs as strings, unbound variables left out)."""
        return [{v: _value(t) for v, t in zip(self.variables, row) if t is not None} for row in self.rows]

    def column(self, name: str) -> list[str | None]:
        index = self.variables.index(name)
        return [None if (term := row[index]) is None else _value(term) for row in self.rows]


@dataclass(frozen=True)
class GraphResult:
    triples: list[ox.Triple]
    truncated: bool = False
    kind = "graph"


@dataclass(frozen=True)
class AskResult:
    value: bool
    kind = "ask"

    def __bool__(self) -> bool:
        return self.value


QueryResult = SelectResult | GraphResult | AskResult


def from_engine(raw: Any, *, max_rows: int | None = None) -> QueryResult:
    """Read an engine's answer (pyoxigraph's QuerySolutions, QueryTriples or QueryBoolean, or anything shaped
    like them) into a value, reading at most ``max_rows`` rows or triples (then marked ``truncated``). Rows keep
    the engine's order. A value already read is returned as it is."""
    if isinstance(raw, (SelectResult, GraphResult, AskResult)):
        return raw if max_rows is None else capped(raw, max_rows)
    if isinstance(raw, (bool, ox.QueryBoolean)):
        return AskResult(bool(raw))
    variables = getattr(raw, "variables", None)
    if variables is not None:
        names = [v.value if isinstance(v, ox.Variable) else str(v).lstrip("?$") for v in variables]
        if isinstance(raw, ox.QuerySolutions):
            # A pyoxigraph solution gives its values in the order of the variables: reading them that way costs
            # a third of reading each by name (a large answer spends most of its conversion there).
            rows = list(map(tuple, _take(raw, max_rows)))
        else:
            rows = [tuple(solution[name] for name in names) for solution in _take(raw, max_rows)]
        return capped(SelectResult(names, rows), max_rows) if max_rows is not None else SelectResult(names, rows)
    triples = list(_take(raw, max_rows))
    return capped(GraphResult(triples), max_rows) if max_rows is not None else GraphResult(triples)


def _take(items: Any, max_rows: int | None) -> Any:
    return items if max_rows is None else islice(items, max_rows + 1)


def capped(result: QueryResult, max_rows: int) -> QueryResult:
    """``result`` with at most ``max_rows`` rows or triples, marked ``truncated`` when it was cut."""
    if isinstance(result, SelectResult) and len(result.rows) > max_rows:
        return SelectResult(result.variables, result.rows[:max_rows], truncated=True)
    if isinstance(result, GraphResult) and len(result.triples) > max_rows:
        return GraphResult(result.triples[:max_rows], truncated=True)
    return result


@dataclass(frozen=True)
class Body:
    """A written answer: its bytes, how many rows or triples it holds, and which cap cut it."""

    data: bytes
    count: int                     # rows or triples written
    truncated: str | None = None   # None, "rows" or "bytes"


# -- formats ----------------------------------------------------------------------------------------------------

_KIND_TEXT = {"select": "a table of rows", "graph": "a graph", "ask": "true or false"}


def answer_format(kind: str, name: str) -> Format:
    """The format called ``name`` (``csv``, ``ttl``, a media type) for an answer of ``kind`` (select, ask, graph);
    :class:`QueryParameterError` on ``format`` when it cannot write that answer."""
    try:
        return by_name(name, ANSWER_FORMATS[kind])
    except NotAcceptable:
        usable = ", ".join(f.name for f in ANSWER_FORMATS[kind])
        known = {n for offers in ANSWER_FORMATS.values() for f in offers for n in f.all_names}
        if name.strip().lower() not in known:
            raise QueryParameterError("format", f"unknown format {name!r} (use {usable})") from None
        raise QueryParameterError("format", f"this query gives {_KIND_TEXT[kind]}; {name!r} cannot write it "
                                            f"(use {usable})") from None


def format_names() -> list[str]:
    """Every short name :func:`answer_format` knows, for a command-line choice."""
    names = {f.name: None for offers in ANSWER_FORMATS.values() for f in offers}
    return [*names, "xml"] if "xml" not in names else list(names)


def default_format(kind: str) -> str:
    """The format a result reads best in on a terminal: Turtle for a graph, a table otherwise."""
    return ANSWER_FORMATS[kind][0].name


def serialize(result: QueryResult, format_name: str) -> bytes:
    """``result`` in the format called ``format_name``, uncapped (the command line's bytes)."""
    return write(result, answer_format(result.kind, format_name)).data


# -- the writer -------------------------------------------------------------------------------------------------

def write(answer: Any, fmt: Format, *, max_rows: int | None = None, max_bytes: int | None = None,
          note: str = "", link: Callable[[str], str] | None = None) -> Body:
    """Write ``answer`` (a :data:`QueryResult`, or an engine's answer: solutions, a boolean, triples) in ``fmt``,
    at most ``max_rows`` rows or triples and about ``max_bytes`` bytes; a cut answer points to ``note``. ``link``
    (HTML only) gives the address an IRI links to, or "" for none."""
    result = _read(answer, max_rows)
    if fmt is HTML:
        variables, rows = _tabular(result)
        return _rows(variables, rows, fmt, max_bytes=max_bytes, note=note,
                     cut=bool(getattr(result, "truncated", False)), writer=_html_writer(link))
    if fmt not in ANSWER_FORMATS[result.kind] and not (result.kind == "ask" and fmt in (JSON, XML)):
        raise QueryParameterError("format", f"this query gives {_KIND_TEXT[result.kind]}; {fmt.name!r} cannot "
                                            "write it")
    if isinstance(result, GraphResult) and fmt.rdf is not None:
        return _graph(result.triples, fmt, max_bytes=max_bytes, note=note,
                      truncated="rows" if result.truncated else None)
    if isinstance(result, AskResult) and fmt in (JSON, XML):
        return Body(_boolean(result.value, fmt), 1)
    variables, rows = _tabular(result)
    if fmt is TABLE:
        return Body(_table(variables, [[_short(t) for t in row] for row in rows]).encode("utf-8"), len(rows),
                    "rows" if getattr(result, "truncated", False) else None)
    return _rows(variables, rows, fmt, max_bytes=max_bytes, note=note,
                 cut=bool(getattr(result, "truncated", False)))


def write_graph(triples: Iterable[ox.Triple], fmt: Format, *, max_rows: int | None = None,
                max_bytes: int | None = None, note: str = "") -> Body:
    """A graph in ``fmt``, duplicates removed, at most ``max_rows`` triples and about ``max_bytes`` bytes."""
    return write(_graph_result(triples, max_rows), fmt, max_bytes=max_bytes, note=note)


def _read(answer: Any, max_rows: int | None) -> QueryResult:
    if isinstance(answer, GraphResult):
        return _graph_result(answer.triples, max_rows, answer.truncated)
    if isinstance(answer, (SelectResult, AskResult, bool, ox.QueryBoolean)) or hasattr(answer, "variables"):
        return from_engine(answer, max_rows=max_rows)
    return _graph_result(answer, max_rows)


def _graph_result(triples: Iterable[ox.Triple], max_rows: int | None, truncated: bool = False) -> GraphResult:
    unique = dict.fromkeys(triples)
    if max_rows is None:
        return GraphResult(list(unique), truncated)
    kept, cut = _capped(iter(unique), max_rows)
    return GraphResult(kept, truncated or cut)


def _capped(items: Iterator[Any], max_rows: int) -> tuple[list[Any], bool]:
    taken: list[Any] = []
    for item in items:
        if len(taken) == max_rows:
            return taken, True
        taken.append(item)
    return taken, False


# -- rows (SELECT; ASK and graphs as tables) --------------------------------------------------------------------

def _rows(variables: list[str], rows: list, fmt: Format, *, max_bytes: int | None, note: str, cut: bool,
          writer: Callable[..., tuple[bytes, list[bytes], bytes]] | None = None) -> Body:
    writer = writer or _ROW_WRITERS[fmt]
    head, parts, tail = writer(variables, rows)
    if max_bytes is None:
        kept = len(parts)
    else:
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
        head, _, tail = writer(variables, [], note=note)
    return Body(head + b"".join(parts[:kept]) + tail, kept, truncated)


def _json_rows(variables: list[str], rows: list, note: str | None = None) -> tuple[bytes, list[bytes], bytes]:
    head: dict[str, Any] = {"vars": variables}
    if note:
        head["link"] = [note]
    start = json.dumps({"head": head}, ensure_ascii=False)[:-1] + ', "results": {"bindings": ['
    # Each row is put together from its terms' JSON text (what json.dumps(..., ensure_ascii=False) writes for
    # them, byte for byte), not through a dict per term and a json.dumps per row: less than half the time.
    keys = [_json_string(name) + ": " for name in variables]
    parts = []
    for i, row in enumerate(rows):
        binding = ", ".join([key + _json_text(term) for key, term in zip(keys, row) if term is not None])
        parts.append(((",\n{" if i else "\n{") + binding + "}").encode("utf-8"))
    tail = "\n]}" + (', "truncated": true}' if note else "}") + "\n"
    return start.encode("utf-8"), parts, tail.encode("utf-8")


def _xml_rows(variables: list[str], rows: list, note: str | None = None) -> tuple[bytes, list[bytes], bytes]:
    head = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
            "<head>", *[f"<variable name={quoteattr(v)}/>" for v in variables]]
    if note:
        head.append(f"<link href={quoteattr(note)}/>")
    head.append("</head>")
    if note:
        head.append(f"<!-- truncated: this answer was cut at a limit of the endpoint; see {escape(note)} -->")
    head.append("<results>")
    opening = [f"<binding name={quoteattr(name)}>" for name in variables]  # once, not once per row
    parts = []
    for row in rows:
        bindings = "".join([key + _xml_term(term) + "</binding>"
                            for key, term in zip(opening, row) if term is not None])
        parts.append(("<result>" + bindings + "</result>\n").encode())
    return "\n".join(head).encode("utf-8") + b"\n", parts, b"</results>\n</sparql>\n"


def _csv_rows(variables: list[str], rows: list, note: str | None = None) -> tuple[bytes, list[bytes], bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # one writer, its buffer emptied after each line

    def line(values: list[str]) -> bytes:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    return line(variables), [line([_plain(t) for t in row]) for row in rows], b""


def _tsv_rows(variables: list[str], rows: list, note: str | None = None) -> tuple[bytes, list[bytes], bytes]:
    head = ("\t".join(f"?{v}" for v in variables) + "\n").encode("utf-8")
    return head, [("\t".join(_tsv_term(t) for t in row) + "\n").encode("utf-8") for row in rows], b""


_ROW_WRITERS = {JSON: _json_rows, XML: _xml_rows, CSV: _csv_rows, TSV: _tsv_rows}


def _html_writer(link: Callable[[str], str] | None) -> Callable[..., tuple[bytes, list[bytes], bytes]]:
    def rows(variables: list[str], rows: list, note: str | None = None) -> tuple[bytes, list[bytes], bytes]:
        head = ('<table class="data answer">\n<thead><tr>'
                + "".join(f'<th scope="col">{escape(v)}</th>' for v in variables) + "</tr></thead>\n<tbody>\n")
        parts = [("<tr>" + "".join(f"<td>{_html_term(t, link)}</td>" for t in row) + "</tr>\n").encode("utf-8")
                 for row in rows]
        tail = "</tbody></table>\n"
        if note:
            tail += (f'<p class="note truncated">This answer was cut at a limit of the endpoint; see '
                     f'{escape(note)}.</p>\n')
        return head.encode("utf-8"), parts, tail.encode("utf-8")

    return rows


def _html_term(term: Term | None, link: Callable[[str], str] | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        href = link(term.value) if link is not None else ""
        text = escape(term.value)
        return f"<a href={quoteattr(href)} title={quoteattr(term.value)}>{text}</a>" if href else text
    return escape(_plain(term))


def _boolean(value: bool, fmt: Format) -> bytes:
    text = "true" if value else "false"
    if fmt is XML:
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{text}</boolean></sparql>\n").encode()
    return f'{{"head": {{}}, "boolean": {text}}}\n'.encode()


def _tabular(result: QueryResult) -> tuple[list[str], list[tuple[Any, ...]]]:
    if isinstance(result, SelectResult):
        return result.variables, result.rows
    if isinstance(result, GraphResult):
        triples = sorted(result.triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        return ["subject", "predicate", "object"], [(t.subject, t.predicate, t.object) for t in triples]
    return ["boolean"], [(ox.Literal("true" if result.value else "false"),)]


# -- graphs -----------------------------------------------------------------------------------------------------

def _graph(triples: list[ox.Triple], fmt: Format, *, max_bytes: int | None, note: str,
           truncated: str | None) -> Body:
    data = write_rdf(triples, fmt)
    kept = len(triples)
    while max_bytes is not None and len(data) > max_bytes and kept:
        kept = int(kept * max_bytes / len(data) * 0.9)
        data = write_rdf(triples[:kept], fmt)
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


# -- terms ------------------------------------------------------------------------------------------------------

def _value(term: Term) -> str:
    """The lexical value of an IRI, a blank node or a literal; a quoted triple has none."""
    if isinstance(term, ox.Triple):
        raise AttributeError(f"a quoted triple has no lexical value: {term}")
    return term.value


def _plain(term: Term | None) -> str:
    """A term in CSV: the plain value (blank nodes as ``_:label``, quoted triples in N-Triples syntax)."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return _ntriples(term)
    return term.value


def _ntriples(term: Term) -> str:
    if isinstance(term, ox.Triple):  # a triple term as RDF 1.2 writes it, and the engine reads it back
        return f"<<( {_ntriples(term.subject)} {_ntriples(term.predicate)} {_ntriples(term.object)} )>>"
    return str(term)


def _tsv_term(term: Term | None) -> str:
    return "" if term is None else _ntriples(term).replace("\t", "\\t")


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return "<uri>" + escape(term.value) + "</uri>"
    if isinstance(term, ox.Literal):
        language = term.language
        if language:
            return "<literal xml:lang=" + _xml_attribute(language) + ">" + _xml_text(term.value) + "</literal>"
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return "<literal>" + _xml_text(term.value) + "</literal>"
        return "<literal datatype=" + _xml_attribute(datatype) + ">" + _xml_text(term.value) + "</literal>"
    if isinstance(term, ox.BlankNode):
        return "<bnode>" + escape(term.value) + "</bnode>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"unexpected term {term!r}")


def _xml_text(value: str) -> str:
    """A literal's text in XML: escaped, with every carriage return and the white space at either end as character
    references (an XML reader turns a raw CR into a line feed, and pyoxigraph's trims white space at the ends)."""
    text = escape(value)
    if not text or (text[0] not in _XML_SPACE and text[-1] not in _XML_SPACE and "\r" not in text):
        return text
    core = text.strip(_XML_SPACE)
    if not core:
        return _references(text)
    lead = len(text) - len(text.lstrip(_XML_SPACE))
    return _references(text[:lead]) + core.replace("\r", "&#13;") + _references(text[lead + len(core):])


def _references(text: str) -> str:
    return "".join(f"&#{ord(character)};" for character in text)


@lru_cache(maxsize=256)
def _xml_attribute(value: str) -> str:
    """A datatype or language as an XML attribute value (an answer has few of them, each written many times)."""
    return quoteattr(value)


def _short(term: Term | None, width: int = 70) -> str:
    if term is None:
        text = ""
    elif isinstance(term, ox.NamedNode):
        text = compact(term.value)
        text = text[1:-1] if text.startswith("<") else text
    else:
        text = _plain(term)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _json_text(term: Term) -> str:
    """One RDF term in the SPARQL 1.1 Query Results JSON format, as JSON text."""
    if isinstance(term, ox.NamedNode):
        return '{"type": "uri", "value": ' + _json_string(term.value) + "}"
    if isinstance(term, ox.Literal):
        language = term.language
        if language:
            return ('{"type": "literal", "value": ' + _json_string(term.value) + ', "xml:lang": '
                    + _json_string(language) + "}")
        datatype = term.datatype.value
        if datatype in (XSD_STRING, RDF_LANG_STRING):
            return '{"type": "literal", "value": ' + _json_string(term.value) + "}"
        return ('{"type": "literal", "value": ' + _json_string(term.value) + ', "datatype": '
                + _json_string(datatype) + "}")
    if isinstance(term, ox.BlankNode):
        return '{"type": "bnode", "value": ' + _json_string(term.value) + "}"
    if isinstance(term, ox.Triple):
        return ('{"type": "triple", "value": {"subject": ' + _json_text(term.subject) + ', "predicate": '
                + _json_text(term.predicate) + ', "object": ' + _json_text(term.object) + "}}")
    raise TypeError(f"unexpected term {term!r}")
