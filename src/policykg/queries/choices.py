"""Where a parameter's accepted values come from: the published dataset, read by one lookup query per kind of
value (``lookups/*.rq``), never from a list kept in code.

A parameter's ``values=`` names its source. Either a lookup by name (``files``, ``packages``, ``partners``,
``acts``: ``lookups/NAME.rq``), or the IRI of a SKOS concept scheme, as a project prefixed name or in full
(``scheme:affected-group``): then the ``concepts`` lookup runs with ``?scheme`` bound to it. Each lookup answers
``?value`` (the IRI), ``?name`` (its short name), ``?label`` and, optionally, ``?alias`` (another IRI of the
same thing). Bound values reach a lookup as ``VALUES`` blocks of parsed terms (:func:`~policykg.sparql.binding.
bind_values`: first in its WHERE group and in a sub-SELECT that projects them), so it runs on the embedded store
and on a remote endpoint alike.

Checking given values does not need every accepted value: :func:`choices_for` given the values looks up only those
(the IRIs the parameter's types make of them, and a literal such as a CELEX number as a short name), and reads the
whole list only when one of them is not found that way, for the refusal that lists them. The pages that offer every
value (pickers) read the whole list, once per dataset version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policykg.errors import PolicyKGError, QueryParameterError
from policykg.namespaces import PREFIXES
from policykg.queries.parameters import Choice, Parameter, parse_iri
from policykg.sparql.binding import bind_values
from policykg.sparql.results import SelectResult, from_engine

FOLDER = Path(__file__).resolve().parent / "lookups"
CONCEPTS = "concepts"


@dataclass(frozen=True)
class Source:
    """A parsed ``values=``: the lookup to run and what it binds (``?scheme`` for a concept scheme)."""

    text: str                                   # as the header wrote it
    lookup: str
    scheme: ox.NamedNode | None = None

    @property
    def description(self) -> str:
        """Where the values come from, in words (for docs and help)."""
        if self.scheme is not None:
            return f"the concepts of the scheme {self.text}"
        return _title(self.lookup)


def lookup_names() -> list[str]:
    return sorted(path.stem for path in FOLDER.glob("*.rq") if path.stem != CONCEPTS)


@cache
def _text(name: str) -> str:
    return (FOLDER / f"{name}.rq").read_text(encoding="utf-8")


def _title(name: str) -> str:
    """The first line of a lookup (a comment saying what it lists)."""
    return _text(name).splitlines()[0].lstrip("# ").strip()


def parse_source(text: str) -> Source:
    """``files`` -> that lookup; ``scheme:affected-group`` or a full IRI -> the concepts of that scheme."""
    if text in lookup_names():
        return Source(text, text)
    if ":" not in text:
        raise PolicyKGError(f"values={text}: neither a lookup ({', '.join(lookup_names())}) nor the IRI of a "
                            f"concept scheme (scheme:NAME)")
    try:
        scheme = parse_iri(text)
    except ValueError as error:
        raise PolicyKGError(f"values={text}: {error}") from None
    return Source(text, CONCEPTS, scheme)


def lookup(engine: Any, source: Source, *, only: Sequence[ox.NamedNode | ox.Literal] | None = None
           ) -> tuple[Choice, ...]:
    """The accepted values of ``source`` in the dataset ``engine`` answers from, in the lookup's order; with
    ``only``, just those whose IRI is one of its IRIs or whose short name is one of its literals."""
    text = _text(source.lookup)
    variables: list[str] = []
    rows: list[list[ox.NamedNode | ox.Literal | None]] = [[]]
    if source.scheme is not None:
        variables, rows = ["scheme"], [[source.scheme]]
    if only is not None:
        variables += ["value", "name"]
        rows = [[*row, *((term, None) if isinstance(term, ox.NamedNode) else (None, term))]
                for row in rows for term in dict.fromkeys(only)]
        if not rows:
            return ()
    if variables:
        text = bind_values(text, variables, rows)
    result = from_engine(engine.query(text, use_default_graph_as_union=True, prefixes=PREFIXES))
    if not isinstance(result, SelectResult):
        raise PolicyKGError(f"lookup {source.lookup} must be a SELECT")
    found: dict[str, Choice] = {}
    for row in result.rows:
        cells = dict(zip(result.variables, row))
        value, name, label, alias = (cells.get(k) for k in ("value", "name", "label", "alias"))
        if not isinstance(value, ox.NamedNode) or not isinstance(name, ox.Literal):
            continue
        previous = found.get(value.value)
        aliases = tuple(dict.fromkeys([*(previous.aliases if previous else ()),
                                       *([alias.value] if isinstance(alias, ox.NamedNode) else [])]))
        shown = label.value if isinstance(label, ox.Literal) else name.value
        found[value.value] = Choice(value, name.value, shown, aliases)
    return tuple(found.values())


def choices_for(params: Iterable[Parameter], engine: Any, cache: dict[str, Any] | None = None,
                version: str = "", *, given: Mapping[str, Any] | None = None) -> dict[str, tuple[Choice, ...]]:
    """The accepted values of each parameter that has a source, by parameter name; ``cache`` (keyed by the
    dataset's ``version`` and the source as written) spares a lookup already run on the same dataset. With
    ``given`` (the values to check, by parameter name), a parameter not in the cache gets only the accepted values
    that its given values name, when each of them names one; else all of them."""
    out: dict[str, tuple[Choice, ...]] = {}
    for param in params:
        if param.values is None:
            continue
        key = f"choices:{version}:{param.values}"
        if cache is not None and key in cache:
            out[param.name] = cache[key]
            continue
        values = _given(given, param.name)
        if values:
            found = lookup(engine, parse_source(param.values), only=_looked_for(param, values))
            if _all_named(param, values, found):
                out[param.name] = found
                continue
        out[param.name] = lookup(engine, parse_source(param.values))
        if cache is not None:
            cache[key] = out[param.name]
    return out



def _given(given: Mapping[str, Any] | None, name: str) -> list[Any]:
    value = (given or {}).get(name)
    if value is None:
        return []
    values = [value] if isinstance(value, (str, ox.NamedNode, ox.Literal)) else list(value)
    return [v for v in values if not (isinstance(v, str) and not v.strip())]


def _looked_for(param: Parameter, values: list[Any]) -> list[ox.NamedNode | ox.Literal]:
    """What to look up for each given value: the term its types parse it to (an IRI, from a slug too, or a literal
    such as a CELEX number); a value none of them reads is left to the whole list's refusal."""
    terms: list[ox.NamedNode | ox.Literal] = []
    for value in values:
        try:
            terms.append(param.parse(value))
        except QueryParameterError:
            continue
    return terms


def _all_named(param: Parameter, values: list[Any], found: tuple[Choice, ...]) -> bool:
    """True when every given value is one of ``found``."""
    try:
        for value in values:
            param.resolve(value, found)
    except QueryParameterError:
        return False
    return True


__all__ = ["Choice", "Source", "choices_for", "lookup", "lookup_names", "parse_source"]
