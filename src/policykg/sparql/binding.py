"""Binding variables with ``VALUES`` blocks the way pyoxigraph binds them with ``substitutions`` (SEP-0007).

A substitution replaces the variable throughout the query, and also inside a sub-SELECT that projects it by name
(``SELECT ?date ?file …``, nested ones too while each projects it); not inside one that does not project it, nor
through ``SELECT *`` or an ``AS ?name`` of its own. :func:`bind_values` does the same with text: the block goes
first in the query's WHERE group, and the columns each sub-SELECT projects go first in its WHERE group, so that a
subquery that filters or aggregates by a bound value answers the same on an engine without substitutions (a remote
endpoint) and on one with them. The blocks are written by :func:`~policykg.sparql.text.values_block` from parsed
terms; nothing is spliced.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from policykg.sparql.text import Token, tokens, values_block, where_brace

Row = Sequence[ox.NamedNode | ox.Literal | None]


def bind_values(text: str, variables: Sequence[str], rows: Sequence[Row]) -> str:
    """``text`` with ``VALUES (variables) { rows }`` first in its WHERE group, and the projected columns of those
    rows (an all-UNDEF column left out) first in the WHERE group of each sub-SELECT the variables reach."""
    variables = tuple(variables)
    for brace, names in reversed(reached_subselects(text, variables)):   # from the last, so that offsets hold
        columns = [variables.index(name) for name in names]
        kept = [i for i in columns if any(row[i] is not None for row in rows)]
        if not kept:
            continue
        inner = list(dict.fromkeys(tuple(row[i] for i in kept) for row in rows))
        text = f"{text[:brace + 1]}\n  {values_block([variables[i] for i in kept], inner)}{text[brace + 1:]}"
    brace = where_brace(text) + 1
    return f"{text[:brace]}\n  {values_block(variables, list(rows))}{text[brace:]}"


def reached_subselects(text: str, names: Sequence[str]) -> list[tuple[int, list[str]]]:
    """The sub-SELECTs that ``names`` reach as substitutions do, in text order: for each, the offset of the ``{``
    that opens its WHERE group and the names that reach it."""
    found: list[tuple[int, list[str]]] = []
    groups: list[tuple[int, int, set[str]]] = []   # each sub-SELECT's WHERE group: start, end, names inside
    every = tokens(text)
    for index, (kind, value, offset, depth) in enumerate(every):
        if kind != "word" or value.upper() != "SELECT" or depth == 0:
            continue
        brace = offset + where_brace(text[offset:])
        level = next(d for k, _, o, d in every if o == brace and k == "open")
        end = next((o for k, _, o, d in every if o > brace and k == "close" and d == level - 1), len(text))
        enclosing = [inside for start, stop, inside in groups if start < offset < stop]
        reaching = enclosing[-1] if enclosing else set(names)
        projected = _projected(every[index + 1:], depth, brace)
        here = [name for name in names if name in reaching and name in projected]
        groups.append((brace, end, set(here)))
        if here:
            found.append((brace, here))
    return found


def _projected(after: Sequence[Token], depth: int, brace: int) -> set[str]:
    """The variables a SELECT clause projects by name: those at its own bracket depth, not ``(… AS ?name)``."""
    names: set[str] = set()
    for kind, value, offset, token_depth in after:
        if offset >= brace:
            break
        if kind == "var" and token_depth == depth:
            names.add(value[1:])
    return names


__all__ = ["bind_values", "reached_subselects"]
