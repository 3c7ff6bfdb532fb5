"""The CELLAR queries: packaged ``.rq`` files, their PREFIX lines, and the VALUES blocks that bind them.

A query file holds one line ``#@VALUES`` (a comment, so the file stays valid SPARQL) where the VALUES block
goes, first in its WHERE group. Values are typed rdflib terms written by :func:`sparql_term`, which
escapes every literal and refuses what it cannot write safely; nothing is spliced in as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib import resources

from rdflib import Literal, URIRef

from policykg.errors import PolicyKGError, QueryParameterError
from policykg.namespaces import PREFIXES
from policykg.sparql.text import prologue as sparql_prologue

VALUES_MARKER = "#@VALUES"

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LANGUAGE_TAG = re.compile(r"[a-zA-Z]+(-[a-zA-Z0-9]+)*")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}

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


def sparql_iri(iri: str, variable: str = "value") -> str:
    """``<iri>``; refuses relative IRIs and characters an IRIREF cannot hold."""
    if not isinstance(iri, str) or not _ABSOLUTE_IRI.match(iri) or _IRI_FORBIDDEN.search(iri):
        raise QueryParameterError(variable, f"{iri!r} is not an absolute IRI that SPARQL can write")
    return f"<{iri}>"


def sparql_string(text: str, variable: str = "value") -> str:
    """A quoted SPARQL string: backslash, quote and line breaks escaped; other control characters and the
    Unicode line separators as \\uXXXX, so that the text stays on one line for any tool."""
    out = []
    for char in text:
        if char in _ECHAR:
            out.append(_ECHAR[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F or char in "\u2028\u2029":
            out.append(f"\\u{ord(char):04X}")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            raise QueryParameterError(variable, "text holds a lone surrogate, which is not a character")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def sparql_term(term: Term, variable: str = "value") -> str:
    """A term as SPARQL text: an IRI, or a literal with its language tag or datatype kept."""
    if isinstance(term, URIRef):
        return sparql_iri(str(term), variable)
    if isinstance(term, Literal):
        text = sparql_string(str(term), variable)
        if term.language:
            if not _LANGUAGE_TAG.fullmatch(term.language):
                raise QueryParameterError(variable, f"{term.language!r} is not a language tag")
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^{sparql_iri(str(term.datatype), variable)}"
        return text
    raise QueryParameterError(variable, f"only IRIs and literals can be bound, not {type(term).__name__}")


def values_block(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """``VALUES (?a ?b) { (x y) ... }``; ``None`` is written UNDEF."""
    if not variables:
        raise PolicyKGError("a VALUES block needs at least one variable")
    for name in variables:
        if not isinstance(name, str) or not _VARIABLE.fullmatch(name):
            raise QueryParameterError(str(name), "is not a SPARQL variable name")
    lines = []
    for row in rows:
        if len(row) != len(variables):
            raise PolicyKGError(f"a VALUES row has {len(row)} terms for {len(variables)} variables")
        terms = ["UNDEF" if t is None else sparql_term(t, v) for v, t in zip(variables, row)]
        lines.append(f"    ({' '.join(terms)})")
    head = " ".join(f"?{name}" for name in variables)
    return f"VALUES ({head}) {{\n" + "\n".join(lines) + "\n  }"


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
