"""Where a parameter's accepted values come from: the published dataset, read by one lookup query per kind of
value (``lookups/*.rq``), never from a list kept in code.

A parameter's ``values=`` names its source. Either a lookup by name (``files``, ``packages``, ``partners``,
``acts``: ``lookups/NAME.rq``), or the IRI of a SKOS concept scheme, as a project prefixed name or in full
(``scheme:affected-group``): then the ``concepts`` lookup runs with ``?scheme`` bound to it. Each lookup answers
``?value`` (the IRI), ``?name`` (its short name), ``?label`` and, optionally, ``?alias`` (another IRI of the
same thing). Bound values reach a lookup as a ``VALUES`` block of parsed terms (:func:`~policykg.sparql.text.
with_values`), so it runs on the embedded store and on a remote endpoint alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policykg.errors import PolicyKGError
from policykg.namespaces import PREFIXES
from policykg.queries.parameters import Choice, Parameter, parse_iri
from policykg.sparql.results import SelectResult, from_engine
from policykg.sparql.text import with_values

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


def lookup(engine: Any, source: Source) -> tuple[Choice, ...]:
    """The accepted values of ``source`` in the dataset ``engine`` answers from, in the lookup's order."""
    text = _text(source.lookup)
    if source.scheme is not None:
        text = with_values(text, {"scheme": source.scheme})
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
                version: str = "") -> dict[str, tuple[Choice, ...]]:
    """The accepted values of each parameter that has a source, by parameter name; ``cache`` (keyed by the
    dataset's ``version`` and the source as written) spares a lookup already run on the same dataset."""
    out: dict[str, tuple[Choice, ...]] = {}
    for param in params:
        if param.values is None:
            continue
        key = f"choices:{version}:{param.values}"
        if cache is not None and key in cache:
            out[param.name] = cache[key]
            continue
        out[param.name] = lookup(engine, parse_source(param.values))
        if cache is not None:
            cache[key] = out[param.name]
    return out



__all__ = ["Choice", "Source", "choices_for", "lookup", "lookup_names", "parse_source"]
