"""What a SPARQL query text says, read without a full parser: its form (SELECT, CONSTRUCT, ASK, DESCRIBE), the
variables a SELECT projects, and where its WHERE group opens (to bind parameters with a ``VALUES`` block).

Comments, string literals and IRIs are masked first (replaced by spaces, so positions stay the same), so that a
``{`` or a keyword inside them is never mistaken for syntax. ``<`` as a comparison operator is not an IRI.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from policykg.errors import SparqlSyntaxError

_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
                     r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'", re.S)
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_KEYWORD = r"(?<![?$\w:-])"  # a keyword, not a variable (?from) or part of a prefixed name (ex:select)
_FORM = re.compile(_KEYWORD + r"(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.I)
_VAR = re.compile(r"[?$]([A-Za-z0-9_\u00C0-\uFFFF]+)")
_AS_VAR = re.compile(r"\bAS\s+[?$]([A-Za-z0-9_\u00C0-\uFFFF]+)\s*$", re.I)


def mask(text: str) -> str:
    """``text`` with comments, strings and IRIs blanked out (same length, newlines kept)."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
        elif char in "\"'":
            match = _STRING.match(text, i)
            end = match.end() if match else len(text)
        elif char == "<" and (match := _IRI.match(text, i)):
            end = match.end()
        else:
            out.append(char)
            i += 1
            continue
        out.append(re.sub(r"[^\n]", " ", text[i:end]))
        i = end
    return "".join(out)


def query_form(text: str) -> str:
    """``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE``: the first such keyword outside comments and strings."""
    match = _FORM.search(mask(text))
    if match is None:
        raise SparqlSyntaxError("not a SPARQL query: no SELECT, CONSTRUCT, ASK or DESCRIBE")
    return match.group(1).upper()


def projection(text: str) -> list[str] | None:
    """The variables a SELECT query projects, in order; ``None`` for ``SELECT *``."""
    masked = mask(text)
    match = _FORM.search(masked)
    if match is None or match.group(1).upper() != "SELECT":
        raise SparqlSyntaxError("not a SELECT query")
    brace = masked.find("{", match.end())
    clause = masked[match.end():brace if brace >= 0 else len(masked)]
    clause = re.split(_KEYWORD + r"(?:WHERE|FROM)\b", clause, maxsplit=1, flags=re.I)[0]
    names: list[str] = []
    depth, group_start, index = 0, 0, 0
    while index < len(clause):
        char = clause[index]
        if char == "(":
            depth += 1
            group_start = index if depth == 1 else group_start
        elif char == ")":
            depth -= 1
            if depth == 0 and (found := _AS_VAR.search(clause[group_start + 1:index])):
                names.append(found.group(1))
        elif depth == 0 and char == "*":
            return None
        elif depth == 0 and (var := _VAR.match(clause, index)):
            names.append(var.group(1))
            index = var.end()
            continue
        index += 1
    return list(dict.fromkeys(names))


def where_brace(text: str) -> int:
    """The index of the ``{`` that opens the query's outermost WHERE group."""
    masked = mask(text)
    match = _FORM.search(masked)
    if match is None:
        raise SparqlSyntaxError("not a SPARQL query: no SELECT, CONSTRUCT, ASK or DESCRIBE")
    start = masked.find("{", match.end())
    if match.group(1).upper() == "CONSTRUCT" and start >= 0:
        between = masked[match.end():start]
        if re.search(_KEYWORD + r"WHERE\b", between, re.I):
            raise SparqlSyntaxError("the short form CONSTRUCT WHERE { … } cannot take parameters: "
                                    "write CONSTRUCT { template } WHERE { … }")
        start = masked.find("{", _matching_brace(masked, start) + 1)  # CONSTRUCT { template } WHERE { ... }
    if start < 0:
        raise SparqlSyntaxError("the query has no WHERE group to bind parameters in")
    return start


def _matching_brace(masked: str, start: int) -> int:
    depth = 0
    for index in range(start, len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[index], 0)
        if depth == 0:
            return index
    raise SparqlSyntaxError("unbalanced braces in the query")


def with_values(text: str, bindings: dict[str, ox.NamedNode | ox.Literal | None]) -> str:
    """``text`` with ``VALUES (?a ?b) { (term term) }`` first in its WHERE group. Each term is written by
    pyoxigraph in N-Triples syntax (escaped), from a parsed term: a value never reaches the text unparsed.
    ``None`` binds nothing (``UNDEF``)."""
    if not bindings:
        return text
    for term in bindings.values():
        if term is not None and not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise TypeError(f"bind RDF terms, not {type(term).__name__}")
    names = " ".join(f"?{name}" for name in bindings)
    row = " ".join("UNDEF" if term is None else str(term) for term in bindings.values())
    brace = where_brace(text) + 1
    return f"{text[:brace]}\n  VALUES ({names}) {{ ({row}) }}{text[brace:]}"
