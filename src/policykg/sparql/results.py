"""The answer of a query as a value (rows, a graph or a boolean), and its serialisations.

Formats: ``table`` (aligned text for a terminal), ``csv`` (SPARQL 1.1 CSV: a header row, RFC 4180 quoting, CRLF,
UTF-8, plain values: opens cleanly in a spreadsheet), ``tsv`` (SPARQL 1.1 TSV: terms in N-Triples syntax),
``json`` (SPARQL 1.1 JSON results; JSON-LD for a graph) and ``ttl`` (Turtle, for a graph: deterministic, with the
project's prefixes). A graph also gives a table, CSV or TSV of its triples (subject, predicate, object).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pyoxigraph as ox

from policykg.errors import QueryParameterError
from policykg.formats import JSONLD, TURTLE
from policykg.namespaces import RDF, XSD, compact
from policykg.rdf_writer import write_rdf

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
XSD_STRING = str(XSD.string)
RDF_LANG_STRING = str(RDF.langString)


@dataclass(frozen=True)
class SelectResult:
    variables: list[str]
    rows: list[tuple[Term | None, ...]]
    truncated: bool = False        # a row cap of the engine cut the answer
    kind = "select"

    def values(self) -> list[dict[str, str]]:
        """Each row as ``{variable: lexical value}`` (IRIs as strings, unbound variables left out)."""
        return [{v: t.value for v, t in zip(self.variables, row) if t is not None} for row in self.rows]

    def column(self, name: str) -> list[str | None]:
        index = self.variables.index(name)
        return [None if row[index] is None else row[index].value for row in self.rows]


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
class ResultFormat:
    name: str
    media_type: str
    extension: str
    kinds: frozenset[str]          # which results it can write: select, graph, ask
    graph_media_type: str | None = None


FORMATS: dict[str, ResultFormat] = {f.name: f for f in (
    ResultFormat("table", "text/plain; charset=utf-8", ".txt", frozenset({"select", "graph", "ask"})),
    ResultFormat("csv", "text/csv; charset=utf-8", ".csv", frozenset({"select", "graph", "ask"})),
    ResultFormat("tsv", "text/tab-separated-values; charset=utf-8", ".tsv", frozenset({"select", "graph", "ask"})),
    ResultFormat("json", "application/sparql-results+json", ".json", frozenset({"select", "graph", "ask"}),
                 graph_media_type="application/ld+json"),
    ResultFormat("ttl", "text/turtle; charset=utf-8", ".ttl", frozenset({"graph"})),
)}


def media_type(result: QueryResult, format_name: str) -> str:
    fmt = _format(result, format_name)
    return fmt.graph_media_type if result.kind == "graph" and fmt.graph_media_type else fmt.media_type


def default_format(kind: str) -> str:
    """The format a result reads best in on a terminal: Turtle for a graph, a table otherwise."""
    return "ttl" if kind == "graph" else "table"


def serialize(result: QueryResult, format_name: str) -> bytes:
    _format(result, format_name)
    if format_name == "json":
        return _json(result)
    if format_name == "ttl":
        return _turtle(result)  # type: ignore[arg-type]
    header, rows = _tabular(result)
    if format_name == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([[_plain(t) for t in row] for row in rows])
        return buffer.getvalue().encode("utf-8")
    if format_name == "tsv":
        lines = ["\t".join(f"?{h}" for h in header)]
        lines += ["\t".join("" if t is None else _ntriples(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    return _table(header, [[_short(t) for t in row] for row in rows]).encode("utf-8")


def _format(result: QueryResult, format_name: str) -> ResultFormat:
    fmt = FORMATS.get(format_name)
    if fmt is None:
        raise QueryParameterError("format", f"unknown format {format_name!r} (known: {', '.join(FORMATS)})")
    if result.kind not in fmt.kinds:
        usable = ", ".join(name for name, f in FORMATS.items() if result.kind in f.kinds)
        what = {"select": "a table of rows", "graph": "a graph", "ask": "true or false"}[result.kind]
        raise QueryParameterError("format", f"this query gives {what}; {format_name!r} cannot write it "
                                            f"(use {usable})")
    return fmt


def _tabular(result: QueryResult) -> tuple[list[str], list[tuple[Any, ...]]]:
    if isinstance(result, SelectResult):
        return result.variables, result.rows
    if isinstance(result, GraphResult):
        triples = sorted(result.triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        return ["subject", "predicate", "object"], [(t.subject, t.predicate, t.object) for t in triples]
    return ["boolean"], [(ox.Literal("true" if result.value else "false"),)]


def _plain(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return _ntriples(term)
    return term.value


def _ntriples(term: Term) -> str:
    if isinstance(term, ox.Triple):
        return f"<< {_ntriples(term.subject)} {_ntriples(term.predicate)} {_ntriples(term.object)} >>"
    return str(term)


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


def json_term(term: Term) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 Query Results JSON format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": json_term(term.subject),
                                            "predicate": json_term(term.predicate),
                                            "object": json_term(term.object)}}
    value: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
        value["datatype"] = term.datatype.value
    return value


def _json(result: QueryResult) -> bytes:
    if isinstance(result, GraphResult):
        return _jsonld(result)
    if isinstance(result, AskResult):
        document: dict[str, Any] = {"head": {}, "boolean": result.value}
    else:
        bindings = [{v: json_term(t) for v, t in zip(result.variables, row) if t is not None}
                    for row in result.rows]
        document = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _turtle(result: GraphResult) -> bytes:
    return write_rdf(result.triples, TURTLE)


def _jsonld(result: GraphResult) -> bytes:
    """JSON-LD with the project's prefixes as context (the one RDF writer: same graph, same bytes)."""
    return write_rdf(result.triples, JSONLD)
