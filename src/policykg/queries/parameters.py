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

A parameter may also say where its values come from (``values=``, read from the published dataset by
:mod:`policykg.queries.choices`) and that it takes several values (``multiple``). A value of such a parameter is
accepted as a :class:`Choice`'s short name (slug, ``skos:notation``, CELEX number) or as its full IRI (or a project
prefixed name of that IRI); anything else raises :class:`ValueNotAccepted`, which lists the accepted values.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
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
class Choice:
    """One accepted value of a parameter whose values come from the dataset: the IRI bound, its short name (what
    a user types: a slug, a notation, a CELEX number), its label, and other IRIs that name the same thing."""

    value: ox.NamedNode
    name: str
    label: str
    aliases: tuple[str, ...] = ()

    @property
    def iris(self) -> tuple[str, ...]:
        return (self.value.value, *self.aliases)


class ValueNotAccepted(QueryParameterError):
    """A value that is none of a parameter's accepted values; ``accepted`` lists them (value and label)."""

    def __init__(self, parameter: str, message: str, accepted: Sequence[Choice]) -> None:
        self.accepted = tuple(accepted)
        self.reason = message
        width = max((len(c.name) for c in self.accepted), default=0)
        listing = "\n".join(f"  {c.name.ljust(width)}  {_short(c.label)}" for c in self.accepted) \
            or "  (none in this dataset)"
        super().__init__(parameter, f"{message}; the accepted values (short name or full IRI) are:\n{listing}")


def _short(text: str, width: int = 100) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: the query variable ``?name`` it binds, its type(s), default and description; where
    its values come from (``values``, a source :mod:`policykg.queries.choices` reads) and whether it takes
    several (``multiple``)."""

    name: str
    types: tuple[str, ...]
    description: str = ""
    default: str | None = None
    required: bool = False
    slug_base: str | None = None    # for iri: a bare slug is appended to this base (prefixed name or IRI)
    values: str | None = None       # the source of the accepted values: a lookup name or a concept scheme
    multiple: bool = False          # several values: the query's rows for each, together

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
    def input_type(self) -> str:
        """How a form asks for it: ``select`` (values from the dataset), ``date``, ``number`` or ``text``."""
        if self.values:
            return "select"
        return {"date": "date", "integer": "number"}.get(self.types[0], "text") if len(self.types) == 1 else "text"

    @property
    def hint(self) -> str:
        words = " or ".join(TYPE_HINTS[t] for t in self.types)
        if self.values:
            words = f"a value of {self.values}: its short name or IRI"
            if self.multiple:
                words += " (repeat the parameter for several)"
        elif self.slug_base:
            words += f" (or a slug of {self.slug_base})"
        return words

    def resolve(self, value: str | Term, choices: Sequence[Choice] | None) -> Term:
        """The term for ``value``, checked against ``choices`` when the parameter has a source (``None``: not
        checked). A short name is looked up first, so that it finds its IRI whatever the declared types make of
        it; then the value is parsed by its types and must be one of the choices (an IRI, or a literal equal to a
        short name, such as a CELEX number)."""
        if choices is None or self.values is None:
            return self.parse(value)
        text = value.strip() if isinstance(value, str) else None
        if text:
            by_name = next((c for c in choices if c.name == text), None)
            if by_name is not None:
                return self._named_term(text, by_name)
        try:
            term = self.parse(value)
        except QueryParameterError:
            term = None
        if isinstance(term, ox.NamedNode) and any(term.value in c.iris for c in choices):
            return term
        if isinstance(term, ox.Literal) and any(term.value == c.name for c in choices):
            return term
        hint = ""
        if self.multiple and text and "," in text:
            hint = f" (to give several values, repeat the parameter: {self.name}=a&{self.name}=b on the web, " \
                   f"--param {self.name}=a --param {self.name}=b on the command line)"
        raise ValueNotAccepted(self.name, f"{value!r} is not one of its values{hint}", choices)

    def _named_term(self, text: str, choice: Choice) -> Term:
        """A short name's term: what the types parse it to when that names the choice (a CELEX number stays the
        literal the query compares), else the choice's IRI."""
        try:
            term = self.parse(text)
        except QueryParameterError:
            return choice.value
        if isinstance(term, ox.Literal) or term.value in choice.iris:
            return term
        return choice.value

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
