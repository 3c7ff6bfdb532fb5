"""Typed parameters of the named queries: parse a value given as text into an RDF term, never into query text.

A parameter is declared in a query's header (see ``queries.py``) with a type:

``iri``        an absolute IRI (``https://…``), a project prefixed name (``porg:ecre``) or, when the parameter
               declares ``slug=BASE``, a bare slug appended to that base (``undocumented-children``);
``date``       an ``xsd:date`` written ``YYYY-MM-DD``;
``string``     any text, bound as a plain ``xsd:string`` literal;
``langString`` text with a language tag, ``text@en`` (no tag: ``@en``);
``integer``    an ``xsd:integer``;
``celex``      a CELEX number, checked by :func:`policykg.identifiers.parse_celex`, bound as a string.

Types can be combined with ``|`` (``iri|celex``): the first that accepts the value wins.
Every failure raises :class:`~policykg.errors.QueryParameterError` naming the parameter.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from policykg.errors import IdentifierError, QueryParameterError
from policykg.namespaces import PREFIXES, XSD

Term = ox.NamedNode | ox.Literal

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_PREFIXED = re.compile(r"(?P<prefix>[A-Za-z][A-Za-z0-9_-]*)?:(?P<local>[^\s<>\"{}|^`\\]*)")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LANG_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_URL_SCHEMES = ("http:", "https:", "urn:", "mailto:", "ftp:", "tag:", "did:")  # not file: (our prefix)


class _Rejected(ValueError):
    """A value one type does not accept (the message says why); turned into QueryParameterError."""


def _xsd(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(XSD[name]))


def parse_iri(value: str, slug_base: str | None = None) -> ox.NamedNode:
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if slug_base and _SLUG.fullmatch(text):
        text = expand_prefixed(slug_base) + text
    elif not text.lower().startswith(_URL_SCHEMES):
        match = _PREFIXED.fullmatch(text)
        if match and (match["prefix"] or "") in PREFIXES:
            text = PREFIXES[match["prefix"] or ""] + match["local"]
    if not _SCHEME.match(text):
        hint = f", a prefixed name or a slug of {slug_base}" if slug_base else " or a prefixed name"
        raise _Rejected(f"expected an absolute IRI{hint}, got {value!r}")
    try:
        return ox.NamedNode(text)
    except ValueError as error:
        raise _Rejected(f"not a valid IRI: {value!r} ({error})") from None


def expand_prefixed(text: str) -> str:
    """``concept:affected-group/`` -> the full IRI; an absolute IRI is returned as it is."""
    match = _PREFIXED.fullmatch(text)
    if match and (match["prefix"] or "") in PREFIXES and not text.lower().startswith(_URL_SCHEMES):
        return PREFIXES[match["prefix"] or ""] + match["local"]
    return text


def parse_date(value: str, slug_base: str | None = None) -> ox.Literal:
    try:
        day = datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise _Rejected(f"expected a date YYYY-MM-DD, got {value!r}") from None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise _Rejected(f"expected a date YYYY-MM-DD, got {value!r}")
    return ox.Literal(day.isoformat(), datatype=_xsd("date"))


def parse_string(value: str, slug_base: str | None = None) -> ox.Literal:
    return ox.Literal(value)


def parse_lang_string(value: str, slug_base: str | None = None) -> ox.Literal:
    text, _, tag = value.rpartition("@")
    if not _ or not _LANG_TAG.fullmatch(tag):
        text, tag = value, "en"
    if not text.strip():
        raise _Rejected(f"expected text with a language tag, like 'undocumented children@en', got {value!r}")
    return ox.Literal(text, language=tag.lower())


def parse_integer(value: str, slug_base: str | None = None) -> ox.Literal:
    if not _INTEGER.fullmatch(value.strip()):
        raise _Rejected(f"expected an integer, got {value!r}")
    return ox.Literal(str(int(value.strip())), datatype=_xsd("integer"))


def parse_celex_number(value: str, slug_base: str | None = None) -> ox.Literal:
    from policykg.identifiers import parse_celex

    try:
        return ox.Literal(str(parse_celex(value.strip(), base_act_only=False)))
    except IdentifierError as error:
        raise _Rejected(f"not a CELEX number: {error}") from None


PARSERS: dict[str, Callable[[str, str | None], Term]] = {
    "iri": parse_iri,
    "date": parse_date,
    "string": parse_string,
    "langString": parse_lang_string,
    "integer": parse_integer,
    "celex": parse_celex_number,
}

#: What each type accepts, in words (for help texts, forms and docs).
TYPE_HINTS: dict[str, str] = {
    "iri": "an IRI",
    "date": "a date (YYYY-MM-DD)",
    "string": "text",
    "langString": "text with a language tag (text@en)",
    "integer": "an integer",
    "celex": "a CELEX number",
}


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: the query variable ``?name`` it binds, its type(s), default and description."""

    name: str
    types: tuple[str, ...]
    description: str = ""
    default: str | None = None
    required: bool = False
    slug_base: str | None = None    # for iri: a bare slug is appended to this base (prefixed name or IRI)

    def __post_init__(self) -> None:
        unknown = [t for t in self.types if t not in PARSERS]
        if unknown:
            raise QueryParameterError(self.name, f"unknown type {'|'.join(unknown)!r} "
                                                 f"(known: {', '.join(PARSERS)})")
        if self.default is not None:
            self.parse(self.default)  # a bad default is the query author's error: fail at load time

    @property
    def type_label(self) -> str:
        return "|".join(self.types)

    @property
    def hint(self) -> str:
        words = " or ".join(TYPE_HINTS[t] for t in self.types)
        if self.slug_base:
            words += f" (or a slug of {self.slug_base})"
        return words

    def parse(self, value: str | Term) -> Term:
        """The RDF term for ``value``; a term given as a term is checked against the declared types."""
        if isinstance(value, (ox.NamedNode, ox.Literal)):
            return self._check_term(value)
        if not isinstance(value, str):
            raise QueryParameterError(self.name, f"expected {self.hint}, got {type(value).__name__}")
        problems = []
        for type_name in self.types:
            try:
                return PARSERS[type_name](value, self.slug_base)
            except _Rejected as problem:
                problems.append(str(problem))
        raise QueryParameterError(self.name, "; ".join(problems))

    def _check_term(self, term: Term) -> Term:
        if isinstance(term, ox.NamedNode) and "iri" in self.types:
            return term
        if isinstance(term, ox.Literal) and any(t != "iri" for t in self.types):
            return self.parse(term.value) if term.language is None else self.parse(f"{term.value}@{term.language}")
        raise QueryParameterError(self.name, f"expected {self.hint}, got {term}")
