"""Named research queries: ``queries/*.rq`` files with a metadata header, their typed parameters, and running them.

A query file starts with a header of ``# key: value`` comment lines (a value may go on over the next lines when
they are indented, ``#   more text``); the header ends at the first line that is not a comment::

    # title:       Status of every file on a date
    # description: The stage each file had reached on a given day ...
    # param:       date  date  default=2024-01-01  The day to ask about.
    # returns:     ?date ?file ?fileLabel ?status ?statusLabel ?since ?event ?eventLabel
    # keywords:    status, lifecycle, timeline

A ``param`` line is ``NAME TYPE [default=VALUE | required | optional] [multiple] [values=SOURCE] [slug=BASE]
DESCRIPTION`` (a default with spaces goes in double quotes); the query binds the variable ``?NAME``, which a SELECT
must project. Types are in :mod:`policykg.queries.parameters`. ``values=`` says where the accepted values come
from (a lookup such as ``files``, or a concept scheme such as ``scheme:affected-group``:
:mod:`policykg.queries.choices`); a value that is none of them is refused with the list of those accepted.
``multiple`` lets the parameter take several values (the query's rows for each value, together). ``returns``
lists a SELECT's columns (checked by the tests) or says what a CONSTRUCT or ASK gives. The query's name is its
file name without ``.rq``.

Parameters are bound as RDF terms, never written into the text: through the engine's ``substitutions`` for a
SELECT (pyoxigraph, SEP-0007), and through a ``VALUES`` block of parsed terms first in the WHERE group for
CONSTRUCT and ASK (which pyoxigraph cannot substitute), for an engine without substitutions (a remote endpoint:
``supports_substitutions = False``) and for a parameter given several values (one row per combination). A
substitution also reaches a sub-SELECT that projects the variable by name, and so does the VALUES block
(:func:`~policykg.sparql.binding.bind_values`): a subquery that filters or aggregates by a parameter answers the
same both ways. The engine is anything with ``query(text, **kwargs)`` like
``pyoxigraph.Store``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from policykg.errors import PolicyKGError, QueryNotFound, QueryParameterError, SparqlSyntaxError
from policykg.namespaces import PREFIXES
from policykg.queries.choices import choices_for, parse_source
from policykg.queries.parameters import Choice, Parameter, Term
from policykg.sparql.binding import bind_values
from policykg.sparql.results import QueryResult, from_engine
from policykg.sparql.text import projection, query_form

HEADER_KEYS = ("title", "description", "param", "returns", "keywords")
_HEADER_LINE = re.compile(r"#\s?(?P<key>[A-Za-z]+)\s*:\s?(?P<value>.*)$")
_CONTINUATION = re.compile(r"#\s{2,}(?P<value>\S.*)$")
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PARAM_HEAD = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<types>[A-Za-z]+(?:\|[A-Za-z]+)*)\s*")
_PARAM_OPTION = re.compile(r'(?P<flag>required|optional|multiple)(?=\s|$)\s*'
                           r'|(?P<key>default|slug|values)=(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>\S+))\s*')
_OPTION_FIELD = {"default": "default", "slug": "slug_base", "values": "values"}
#: What a parameter is given: one value, or several for a ``multiple`` parameter.
Given = str | Term | Sequence[str | Term]
#: The accepted values of the parameters that have a source, by parameter name.
Choices = Mapping[str, Sequence[Choice]]


class Engine(Protocol):
    """What the runner needs from a query engine: pyoxigraph.Store, the project's store, a remote endpoint."""

    def query(self, query: str, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str                                  # the whole file, header included
    params: tuple[Parameter, ...] = ()
    returns: str = ""
    keywords: tuple[str, ...] = ()
    path: Path | None = None
    form: str = field(init=False)              # SELECT, CONSTRUCT, ASK or DESCRIBE

    def __post_init__(self) -> None:
        object.__setattr__(self, "form", query_form(self.text))

    @property
    def kind(self) -> str:
        """What the query gives: ``select`` (rows), ``graph`` (CONSTRUCT, DESCRIBE) or ``ask`` (a boolean)."""
        return {"SELECT": "select", "ASK": "ask"}.get(self.form, "graph")

    @property
    def columns(self) -> list[str]:
        """The columns ``returns`` declares (``?var`` names), for a SELECT."""
        return re.findall(r"[?$]([A-Za-z0-9_]+)", self.returns) if self.form == "SELECT" else []

    @property
    def body(self) -> str:
        """The query text without the metadata header."""
        return strip_header(self.text)

    def param(self, name: str) -> Parameter:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryParameterError(name, f"unknown parameter of query {self.name!r} (its parameters: {known})")

    def bind(self, values: Mapping[str, Given] | None = None, *,
             choices: Choices | None = None) -> dict[str, tuple[Term, ...]]:
        """Every declared parameter as its terms: the given values parsed by type (and, for a parameter with a
        source, checked against ``choices``), else the default, else none (unbound). Unknown names, several values
        for a single-valued parameter and missing required values raise QueryParameterError."""
        values = dict(values or {})
        for name in values:
            self.param(name)
        bound: dict[str, tuple[Term, ...]] = {}
        for param in self.params:
            given = [v for v in _as_list(values.get(param.name))
                     if not (isinstance(v, str) and not v.strip() and "string" not in param.types)]
            if len(given) > 1 and not param.multiple:
                raise QueryParameterError(param.name, f"takes one value, and was given {len(given)}")
            accepted = choices.get(param.name) if choices is not None else None
            if given:
                bound[param.name] = tuple(dict.fromkeys(param.resolve(v, accepted) for v in given))
            elif param.default is not None:
                bound[param.name] = (param.parse(param.default),)
            elif param.required:
                raise QueryParameterError(param.name, f"required by query {self.name!r}: give {param.hint}")
            else:
                bound[param.name] = ()
        return bound

    def needs_choices(self, values: Mapping[str, Given] | None) -> list[Parameter]:
        """The parameters given a value that must be checked against the dataset."""
        return [p for p in self.params if p.values is not None and _as_list((values or {}).get(p.name))]

    def prepare(self, values: Mapping[str, Given] | None = None, *, substitutions: bool = True,
                choices: Choices | None = None) -> tuple[str, dict[ox.Variable, Term]]:
        """The text and substitutions to send to an engine. With ``substitutions=False`` (or for CONSTRUCT and
        ASK, or when a parameter has several values) the terms go into a VALUES block instead, one row per
        combination of values, and the substitutions are empty."""
        bound = self.bind(values, choices=choices)
        single = all(len(terms) <= 1 for terms in bound.values())
        if substitutions and single and self.form == "SELECT":
            return self.body, {ox.Variable(name): terms[0] for name, terms in bound.items() if terms}
        if not bound:
            return self.body, {}
        rows = itertools.product(*[terms or (None,) for terms in bound.values()])
        return bind_values(self.body, tuple(bound), list(rows)), {}

    def run(self, engine: Engine, values: Mapping[str, Given] | None = None, *,
            choices: Choices | None = None) -> QueryResult:
        """Run on ``engine`` with the parameters bound; rows, a graph or a boolean. A value of a parameter with a
        source is checked against ``choices``, read from ``engine`` when not given."""
        if choices is None and (checked := self.needs_choices(values)):
            choices = choices_for(checked, engine, given=values)
        use_substitutions = getattr(engine, "supports_substitutions", True)
        text, substitutions = self.prepare(values, substitutions=use_substitutions, choices=choices)
        options: dict[str, Any] = {"use_default_graph_as_union": True, "prefixes": PREFIXES}
        if substitutions:
            options["substitutions"] = substitutions
        try:
            raw = engine.query(text, **options)
        except SyntaxError as error:
            raise SparqlSyntaxError(f"query {self.name!r}: {error}") from None
        except RuntimeError as error:
            if "projection" in str(error):
                raise PolicyKGError(f"query {self.name!r}: every parameter must be in the SELECT projection "
                                    f"({error})") from None
            raise
        return from_engine(raw)


def _as_list(value: Given | None) -> list[str | Term]:
    if value is None:
        return []
    if isinstance(value, (str, ox.NamedNode, ox.Literal)):
        return [value]
    return list(value)


def strip_header(text: str) -> str:
    lines = text.splitlines(keepends=True)
    index = 0
    while index < len(lines) and lines[index].lstrip().startswith("#"):
        index += 1
    return "".join(lines[index:]).lstrip("\n")


def parse_header(text: str, *, source: str = "query") -> dict[str, list[str]]:
    """The header's values by key (``param`` may repeat); unknown keys are an error (a typo would hide)."""
    values: dict[str, list[str]] = {}
    last: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        if last and (more := _CONTINUATION.match(stripped)):
            values[last][-1] = f"{values[last][-1]} {more['value'].strip()}".strip()
            continue
        match = _HEADER_LINE.match(stripped)
        if match is None:
            last = None
            continue
        key = match["key"]
        if key not in HEADER_KEYS:
            raise PolicyKGError(f"{source}: unknown header key {key!r} (known: {', '.join(HEADER_KEYS)})")
        values.setdefault(key, []).append(match["value"].strip())
        last = key
    return values


def parse_param(line: str, *, source: str = "query") -> Parameter:
    head = _PARAM_HEAD.match(line)
    if head is None:
        raise PolicyKGError(f"{source}: cannot read the param line {line!r} (NAME TYPE [default=…] description)")
    options: dict[str, Any] = {}
    flag = None
    position = head.end()
    while (option := _PARAM_OPTION.match(line, position)) is not None:
        if option["flag"] == "multiple":
            options["multiple"] = True
        elif option["flag"]:
            flag = option["flag"]
        else:
            raw = option["quoted"] if option["quoted"] is not None else option["bare"]
            options[_OPTION_FIELD[option["key"]]] = raw.replace('\\"', '"')
        position = option.end()
    if "values" in options:
        try:
            parse_source(options["values"])  # an unknown source is the query author's error: fail at load time
        except PolicyKGError as error:
            raise QueryParameterError(head["name"], f"{source}: {error}") from None
    if flag == "required" and "default" in options:
        raise QueryParameterError(head["name"], f"{source}: a parameter with a default is not required")
    options["required"] = flag == "required" or (flag is None and "default" not in options)
    return Parameter(name=head["name"], types=tuple(head["types"].split("|")),
                     description=line[position:].strip(), **options)


def load_query(path: Path, *, name: str | None = None) -> NamedQuery:
    """Read one ``.rq`` file (header optional for an ad-hoc file)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise QueryNotFound(f"cannot read query file {path}: {error.strerror}") from None
    header = parse_header(text, source=str(path))
    query = NamedQuery(
        name=name or path.stem,
        title=" ".join(header.get("title", [path.stem])),
        description=" ".join(header.get("description", [])),
        text=text,
        params=tuple(parse_param(line, source=str(path)) for line in header.get("param", [])),
        returns=" ".join(header.get("returns", [])),
        keywords=tuple(k.strip() for v in header.get("keywords", []) for k in v.split(",") if k.strip()),
        path=path,
    )
    _check_params(query, str(path))
    return query


def _check_params(query: NamedQuery, source: str) -> None:
    names = [p.name for p in query.params]
    if len(set(names)) != len(names):
        raise PolicyKGError(f"{source}: a parameter is declared twice")
    for name in names:
        if not re.search(rf"[?$]{name}\b", query.body):
            raise QueryParameterError(name, f"{source}: declared but the query has no ?{name}")
    if query.form == "SELECT" and names:
        projected = projection(query.body)
        missing = [n for n in names if projected is None or n not in projected]
        if missing:
            raise QueryParameterError(missing[0], f"{source}: a SELECT must project its parameters "
                                                  f"(SELECT … ?{missing[0]} …), and not with SELECT *")


class QueryRegistry(Mapping[str, NamedQuery]):
    """The named queries of a folder, by name, in name order."""

    def __init__(self, queries: list[NamedQuery]) -> None:
        self._queries = {q.name: q for q in sorted(queries, key=lambda q: q.name)}

    @classmethod
    def from_dir(cls, folder: Path) -> QueryRegistry:
        queries = []
        for path in sorted(Path(folder).glob("*.rq")):
            if not _NAME.fullmatch(path.stem):
                raise PolicyKGError(f"{path}: a query's name is a lowercase slug with hyphens")
            queries.append(load_query(path))
        return cls(queries)

    @classmethod
    def from_project(cls, project: Any) -> QueryRegistry:
        return cls.from_dir(project.queries_dir)

    def __getitem__(self, name: str) -> NamedQuery:
        try:
            return self._queries[name]
        except KeyError:
            raise QueryNotFound(f"no named query {name!r} (known: {', '.join(self._queries)})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)

    def resolve(self, name_or_path: str) -> NamedQuery:
        """A registered name, or the path of an ``.rq`` file (an ad-hoc query)."""
        if name_or_path in self._queries:
            return self._queries[name_or_path]
        if name_or_path.endswith(".rq") or "/" in name_or_path or Path(name_or_path).is_file():
            return load_query(Path(name_or_path))
        return self[name_or_path]


__all__ = ["Engine", "NamedQuery", "Parameter", "QueryRegistry", "QueryResult", "load_query", "parse_header",
           "parse_param", "strip_header"]
