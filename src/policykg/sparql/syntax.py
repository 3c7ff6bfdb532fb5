"""Where a query's syntax error is, in words a reader can act on.

The engine (pyoxigraph) reports ``error at LINE:COLUMN: expected one of …`` with the furthest position its parser
reached and every token it would have accepted there: exact, but cryptic (a missing ``}`` reads "expected one of
LATERAL, SERVICE, [_]"). :func:`engine_error` keeps the position (1-based, in characters, as the engine counts
them) on a :class:`~policykg.errors.SparqlSyntaxError` and says first what the reader sees at that place: the
text found there, the end of the query, or a bracket left open (found with the project's lexer).
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from policykg.errors import SparqlSyntaxError
from policykg.sparql.text import tokens

_ENGINE = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_CLOSING = {"{": "}", "(": ")", "[": "]", "<<": ">>"}
_EXPECTED_SHOWN = 8   # the engine may list dozens of keywords; the first few say enough


def offset_of(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column in ``text`` (clamped to the text)."""
    lines = text.split("\n")
    line = min(max(line, 1), len(lines))
    return min(sum(len(item) + 1 for item in lines[: line - 1]) + max(column - 1, 0), len(text))


def position_of(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _brackets(text: str) -> tuple[str, str, int] | None:
    """The first bracket that closes nothing or the wrong thing — ("stray" or "mismatched", bracket, offset) — or
    else the innermost one left open at the end — ("open", bracket, offset); None when they all pair up."""
    stack: list[tuple[str, int]] = []
    for kind, value, start, _ in tokens(text):
        if kind == "open":
            stack.append((value, start))
        elif kind == "close":
            if not stack:
                return "stray", value, start
            if _CLOSING[stack[-1][0]] != value:
                return "mismatched", value, start
            stack.pop()
    return ("open", *stack[-1]) if stack else None


def _found(text: str, offset: int) -> str | None:
    """The token that starts at or after ``offset`` (skipping white space and comments)."""
    for _, value, start, _ in tokens(text[offset:]):
        return value if start == 0 or not text[offset:offset + start].strip() else None
    return None


def _expected(detail: str) -> str:
    detail = detail.strip()
    if not detail.startswith("expected one of "):
        return detail
    options = [o.strip() for o in detail[len("expected one of "):].split(", ") if o.strip() not in ("[_]", "")]
    shown = ", ".join(options[:_EXPECTED_SHOWN]) + (", …" if len(options) > _EXPECTED_SHOWN else "")
    return f"expected one of {shown}" if options else "expected something else here"


def engine_error(error: SyntaxError, text: str, *, what: str = "query") -> SparqlSyntaxError:
    """The engine's ``SyntaxError`` for ``text`` as a located :class:`SparqlSyntaxError` with a plain message."""
    message = str(error)
    match = _ENGINE.match(message)
    if match is None:
        return SparqlSyntaxError(f"{what} syntax error: {message}")
    line, column, detail = int(match[1]), int(match[2]), match[3]
    brackets = _brackets(text)
    if brackets is not None and brackets[0] != "open":
        # The engine reads on past a bracket that closes nothing; the bracket is the place to show.
        problem, bracket, at = brackets
        line, column = position_of(text, at)
        said = (f"this '{bracket}' closes nothing" if problem == "stray"
                else f"this '{bracket}' closes a bracket of another kind")
    elif not text[offset_of(text, line, column):].strip():
        if brackets is not None:
            _, bracket, at = brackets
            opened_line, opened_column = position_of(text, at)
            said = (f"the {what} ends before the '{_CLOSING[bracket]}' that closes the '{bracket}' opened at line "
                    f"{opened_line}, column {opened_column}")
        else:
            said = f"the {what} ends before it is complete"
    else:
        found = _found(text, offset_of(text, line, column))
        said = f"unexpected {found[:40]!r}" if found else "unexpected text"
    where = f"line {line}, column {column}"
    # The engine's expectations are for the place it stopped at: worth saying only when that is the place shown.
    expected = f" ({_expected(detail)})" if brackets is None or brackets[0] == "open" else ""
    return SparqlSyntaxError(f"{what} syntax error at {where}: {said}{expected}", line=line, column=column)


def check(text: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None) -> None:
    """Raise a located :class:`SparqlSyntaxError` when the engine cannot parse the query ``text``: it is planned on
    an empty store and never evaluated."""
    try:
        ox.Store().query(text, base_iri=base_iri, prefixes=prefixes)
    except SyntaxError as error:
        raise engine_error(error, text) from None
