"""The CELLAR queries: packaged ``.rq`` files, their PREFIX lines, and the VALUES blocks that bind them.

A query file holds one line ``#@VALUES`` (a comment, so the file stays valid SPARQL) where the VALUES block
goes, first in its WHERE group. Values are typed rdflib terms written by :func:`sparql_term`, which
escapes every literal and refuses what it cannot write safely; nothing is spliced in as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources

import pyoxigraph as ox
from rdflib import Literal, URIRef

from policykg.errors import PolicyKGError, QueryParameterError, SparqlSyntaxError
from policykg.graph.load import ox_term
from policykg.namespaces import PREFIXES
from policykg.sparql.text import prologue as sparql_prologue
from policykg.sparql.text import values_block as sparql_values_block

VALUES_MARKER = "#@VALUES"


Term = URIRef | Literal


def load_query(name: str) -> str:
    """The text of the packaged query ``queries/<name>.rq``."""
    try:
        return resources.files("policykg.eurlex").joinpath("queries", f"{name}.rq").read_text("utf-8")
    except FileNotFoundError:
        raise PolicyKGError(f"no packaged CELLAR query {name!r}") from None


def prologue(text: str) -> str:
    """PREFIX lines for the project prefixes ``text`` uses, in a stable order (the one lexer's prologue)."""
    return sparql_prologue(prefixes=PREFIXES, used_in=text)


def values_block(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """``VALUES (?a ?b) { (x y) ... }`` for rdflib terms (``None`` is UNDEF): each term parsed by pyoxigraph,
    then written by the one VALUES writer (:func:`policykg.sparql.text.values_block`)."""
    converted = []
    for row in rows:
        if len(row) != len(variables):
            raise PolicyKGError(f"a VALUES row has {len(row)} terms for {len(variables)} variables")
        converted.append([_ox_term(term, name) for name, term in zip(variables, row)])
    try:
        return sparql_values_block(list(variables), converted)
    except SparqlSyntaxError as error:
        if "variable name" in str(error):
            raise QueryParameterError(str(variables), str(error)) from None
        raise PolicyKGError(str(error)) from None


def _ox_term(term: Term | None, variable: str) -> ox.NamedNode | ox.Literal | None:
    if term is None:
        return None
    if not isinstance(term, (URIRef, Literal)):
        raise QueryParameterError(variable, f"only IRIs and literals can be bound, not {type(term).__name__}")
    try:
        converted = ox_term(term)
    except (ValueError, UnicodeEncodeError) as error:
        raise QueryParameterError(variable, f"{str(term)[:80]!r} cannot be written in SPARQL: {error}") from None
    assert not isinstance(converted, ox.BlankNode)
    return converted


def bind_values(template: str, block: str) -> str:
    """``template`` with its one ``#@VALUES`` line replaced by ``block``."""
    lines = template.split("\n")
    where = [i for i, line in enumerate(lines) if line.strip() == VALUES_MARKER]
    if len(where) != 1:
        raise PolicyKGError(f"a CELLAR query needs exactly one {VALUES_MARKER} line, found {len(where)}")
    indent = lines[where[0]][: len(lines[where[0]]) - len(lines[where[0]].lstrip())]
    lines[where[0]] = indent + block
    return "\n".join(lines).rstrip("\n") + "\n"


def strip_comment_lines(text: str) -> str:
    """``text`` without its whole-line comments (the query files hold no multi-line strings). Sent queries
    carry none: some clients guess the query form from the first keyword, comments included."""
    return "".join(line + "\n" for line in text.split("\n")
                   if line.strip() == VALUES_MARKER or not line.lstrip().startswith("#"))


def full_text(template: str) -> str:
    """The query as it is sent, prologue included, with ``#@VALUES`` where each batch's block goes."""
    return prologue(template) + strip_comment_lines(template).rstrip("\n") + "\n"


def prepare(template: str, variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """The query to send: the prologue, then ``template`` with a VALUES block for ``rows``, no comments."""
    return prologue(template) + bind_values(strip_comment_lines(template), values_block(variables, rows))
