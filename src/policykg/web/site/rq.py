"""The SPARQL the web pages run, read from ``sparql_queries/*.rq`` and run with bound parameters.

Values are never written into query text by hand: a store that takes pyoxigraph substitutions gets them (every
bound variable is in the query's projection), and one that does not (a remote endpoint) gets a ``VALUES`` block
of parsed terms written by :func:`policykg.sparql.text.with_values`, as the named queries do.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox

from policykg.namespaces import PREFIXES
from policykg.sparql.text import with_values

FOLDER = Path(__file__).resolve().parent / "sparql_queries"
Term = ox.NamedNode | ox.Literal
Value = ox.NamedNode | ox.BlankNode | ox.Literal   # what a solution of a page query binds


@cache
def text(name: str) -> str:
    """The text of ``sparql_queries/NAME.rq``."""
    return (FOLDER / f"{name}.rq").read_text(encoding="utf-8")


def run(store, name: str, *, in_values: bool = False, **bindings: Term):
    """Run ``NAME.rq`` on ``store`` over the union of its graphs, with ``bindings`` (variable name -> term).
    ``in_values`` binds with a ``VALUES`` block even where substitutions work (for a variable the query does
    not project, which pyoxigraph cannot substitute)."""
    query = text(name)
    options = {"use_default_graph_as_union": True, "prefixes": PREFIXES}
    if bindings and not in_values and getattr(store, "supports_substitutions", True):
        options["substitutions"] = {ox.Variable(key): value for key, value in bindings.items()}
    elif bindings:
        query = with_values(query, dict(bindings))
    return store.query(query, **options)


def rows(store, name: str, **bindings: Term) -> list[dict[str, Value]]:
    """The solutions of a SELECT as dicts of variable name -> term (unbound variables left out)."""
    solutions = run(store, name, in_values=False, **bindings)
    names = [variable.value for variable in solutions.variables]
    found: list[dict[str, Value]] = []
    for row in solutions:  # a solution's values in the order of the variables: faster than by name
        values = {key: term for key, term in zip(names, row) if term is not None}
        if any(isinstance(term, ox.Triple) for term in values.values()):  # the page queries bind no quoted triple
            raise TypeError(f"{name}.rq bound a quoted triple")
        found.append(values)
    return found


def triples(store, name: str, *, in_values: bool = False, **bindings: Term) -> list[ox.Triple]:
    """The triples of a CONSTRUCT or DESCRIBE."""
    return list(run(store, name, in_values=in_values, **bindings))
