"""The named queries on the web: ``/queries`` (the list), ``/queries.json`` (the list as data), ``/queries/NAME``
(a form and the answer as a table) and ``/queries/NAME.csv|.tsv|.json|.ttl?KEY=VALUE`` (stable links for papers
and scripts: the same bytes as ``policykg query NAME --param KEY=VALUE --format csv``). A parameter that takes
several values is repeated (``?file=ai-act&file=eurodac-regulation``).

A query runs like one sent to ``/sparql``: through the guard, under the watchdog's hard time limit (``?timeout=``
may only lower it, as on /sparql), with the row cap (a cut answer says so in ``X-PolicyKG-Truncated``), and with
the endpoint's ETag / 304, Cache-Control, gzip and CORS. It reads the store and settings from
``current_endpoint()``. A parameter whose values come from the dataset is checked against them (read once per
dataset version by :mod:`policykg.queries.choices`, outside the guard and the row cap: they are the project's own
lookups) and offered as a picker on the page. Errors are PolicyKGError: a bad parameter is a
``QueryParameterError`` (400, the JSON shape ``{"error", "status"}`` plus ``parameter`` and, for a value that is
none of the accepted ones, ``accepted``: their short names, IRIs and labels), an unknown query ``QueryNotFound``
(404); the HTML page shows them above its form. The pages extend ``pkg_base.html``
(``pkg_queries.html``, ``pkg_query.html``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from policykg.errors import PolicyKGError, QueryParameterError
from policykg.formats import ANSWER_FORMATS, HTML
from policykg.queries.choices import choices_for, parse_source
from policykg.queries.parameters import Choice, Parameter, ValueNotAccepted
from policykg.queries.registry import NamedQuery, QueryRegistry
from policykg.sparql.guard import check_query
from policykg.sparql.results import QueryResult, SelectResult, answer_format, from_engine, serialize, write
from policykg.web.context import current_endpoint
from policykg.web.errors import reply_for
from policykg.web.respond import Reply, accepts_gzip, answer, etag_for, matches, not_modified
from policykg.web.settings import TIME_LIMIT_PARAMETER, Settings, public_root, requested_time_limit
from policykg.web.site.local_iris import href_for
from policykg.web.site.site_info import site

#: Rows shown on the HTML page; the data URLs give every row up to the endpoint's cap.
HTML_ROW_LIMIT = 1000
#: The extensions of the data URLs, each read as a format name (``json`` is JSON-LD for a graph).
DATA_FORMATS = ("csv", "tsv", "json", "ttl")
_HTTP_FORMAT = {(kind, name) for kind in ("select", "ask", "graph") for name in DATA_FORMATS
                if name in {n for f in ANSWER_FORMATS[kind] for n in f.all_names}}
Choices = dict[str, tuple[Choice, ...]]


def create_blueprint(registry: QueryRegistry | Callable[[], QueryRegistry]) -> Blueprint:
    """The blueprint for ``registry``, in an app made by :func:`policykg.web.create_app`."""
    blueprint = Blueprint("named_queries", __name__)
    get_registry = registry if callable(registry) else lambda: registry
    blueprint.register_error_handler(QueryParameterError, _parameter_error)

    @blueprint.get("/queries")
    def index() -> str:
        endpoint = current_endpoint()
        queries = list(get_registry().values())
        return render_template("pkg_queries.html", site=site(endpoint), queries=queries,
                               sources={p.values: parse_source(p.values).description
                                        for q in queries for p in q.params if p.values})

    @blueprint.get("/queries.json")
    def index_json() -> Response:
        endpoint = current_endpoint()
        items = [_describe(q, _choices(q.params, endpoint)) for q in get_registry().values()]
        return Response(json.dumps({"queries": items}, ensure_ascii=False, indent=1) + "\n",
                        mimetype="application/json")

    @blueprint.get("/queries/<target>")
    def named(target: str) -> Any:
        stem, dot, extension = target.rpartition(".")
        if dot and extension in DATA_FORMATS:
            return _data(get_registry()[stem], extension)
        return _page(get_registry()[target])

    return blueprint


def _choices(params: Sequence[Parameter], endpoint: Any) -> Choices:
    """The accepted values of ``params`` in the served dataset, cached per dataset version."""
    return choices_for(params, endpoint.store, endpoint.cache, endpoint.store.version)


class _AppEngine:
    """The app's store behind the guard and the hard time limit, reading at most ``max_rows`` rows."""

    def __init__(self, endpoint: Any, timeout: float) -> None:
        self.endpoint, self.timeout = endpoint, timeout
        self.supports_substitutions = getattr(endpoint.store, "supports_substitutions", True)

    def query(self, query: str, **options: Any) -> QueryResult:
        settings = self.endpoint.settings
        checked = check_query(query, limits=settings.limits)
        job = self.endpoint.arm(self.timeout, self.timeout)
        try:
            return from_engine(self.endpoint.store.query(checked.text, **options), max_rows=settings.max_rows)
        finally:
            self.endpoint.disarm(job)


def _timeout(settings: Settings) -> float:
    given = requested_time_limit(request.args.get(TIME_LIMIT_PARAMETER))
    return settings.timeout if given is None else min(given, settings.timeout)


def request_values(query: NamedQuery) -> dict[str, list[str]]:
    """The query's parameters from the URL, each with its values (several only for a ``multiple`` parameter).
    Unknown names are refused (a typo would silently use a default); ``timeout`` is the endpoint's, as on
    /sparql."""
    values = {}
    for key in request.args:
        if key == TIME_LIMIT_PARAMETER:
            continue
        param = query.param(key)
        given = request.args.getlist(key)
        if len(given) > 1 and not param.multiple:
            raise QueryParameterError(key, f"takes one value, and was given {len(given)}")
        values[key] = given
    return values


def _data(query: NamedQuery, extension: str) -> Response:
    endpoint = current_endpoint()
    settings, version = endpoint.settings, endpoint.store.version
    if (query.kind, extension) not in _HTTP_FORMAT:
        usable = ", ".join(f".{e}" for e in DATA_FORMATS if (query.kind, e) in _HTTP_FORMAT)
        raise QueryParameterError("format", f"query {query.name!r} cannot be written as .{extension} (use {usable})")
    values = request_values(query)
    choices = _choices(query.needs_choices(values), endpoint)
    bound = query.bind(values, choices=choices)  # bad values fail here, before any ETag or evaluation
    etag = etag_for(version, query.name, query.text, sorted((k, [str(t) for t in v]) for k, v in bound.items()),
                    extension, settings.max_rows)
    if matches(request, etag):
        return not_modified(settings, etag, version, accepts_gzip(request))
    fmt = answer_format(query.kind, extension)
    result = query.run(_AppEngine(endpoint, _timeout(settings)), values, choices=choices)
    note = public_root(settings, request.environ) + url_for(f"{request.blueprint}.named", target=query.name)[
        len(request.script_root):]
    body = write(result, fmt, max_rows=settings.max_rows, max_bytes=settings.max_bytes, note=note)
    return answer(request, settings, body, fmt, etag=etag, version=version,
                  filename=f"{query.name}.{extension}", download=False, limit_note=note)


@dataclass(frozen=True)
class Field:
    """One parameter as the form shows it: its input and, for a picker, the options with what is selected."""

    param: Parameter
    input: str                                  # select, date, number or text
    value: str                                  # for an input: the value shown
    options: tuple[tuple[str, str, bool], ...]  # for a select: (short name, text shown, selected)
    source: str                                 # where a picker's values come from, in words


def _fields(query: NamedQuery, values: Mapping[str, list[str]], choices: Choices) -> list[Field]:
    fields = []
    for param in query.params:
        given = [v for v in values.get(param.name, []) if v.strip()] or (
            [param.default] if param.default is not None and param.name not in values else [])
        accepted = choices.get(param.name)
        if accepted is None:
            fields.append(Field(param, param.input_type, given[0] if given else "", (), ""))
            continue
        chosen = set()
        for value in given:
            try:
                term = param.resolve(value, accepted)
            except PolicyKGError:
                continue
            chosen |= {c.name for c in accepted if term.value in c.iris or term.value == c.name}
        options = tuple((c.name, c.label if c.label == c.name else f"{_short(c.label)} ({c.name})", c.name in chosen)
                        for c in accepted)
        fields.append(Field(param, "select", "", options, parse_source(param.values or "").description))
    return fields


def _short(text: str, width: int = 90) -> str:
    """A long label (an act's full title) cut to fit a picker."""
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _page(query: NamedQuery) -> Any:
    endpoint = current_endpoint()
    error: PolicyKGError | None = None
    result: QueryResult | None = None
    values: dict[str, list[str]] = {}
    choices = _choices(query.params, endpoint)
    editor_text = None
    try:
        values = request_values(query)
        result = query.run(_AppEngine(endpoint, _timeout(endpoint.settings)), values, choices=choices)
        if values:  # the editor opens with the values of this page, as a VALUES block it can edit
            editor_text = query.prepare(values, substitutions=False, choices=choices)[0]
    except PolicyKGError as problem:
        error = problem
    table = None
    if isinstance(result, SelectResult):
        root = request.script_root  # the one answer writer links our IRIs to this server's pages
        html = write(result, HTML, max_rows=HTML_ROW_LIMIT, link=lambda iri: href_for(iri, root)).data.decode()
        table = {"html": html, "total": len(result.rows), "truncated": result.truncated}
    arguments: dict[str, Any] = dict(values)  # URL parameters, as url_for takes them (a list repeats the key)
    links = {f: url_for(f"{request.blueprint}.named", target=f"{query.name}.{f}", **arguments)
             for f in DATA_FORMATS if (query.kind, f) in _HTTP_FORMAT}
    carried: dict[str, Any] = {"query": editor_text} if editor_text is not None else {}
    editor = url_for("editor.page", example=query.name, run=1, **carried)
    graph_text = serialize(result, "ttl").decode() if result is not None and result.kind == "graph" else None
    page = render_template("pkg_query.html", site=site(endpoint), query=query, error=error, result=result,
                           table=table, links=links, editor=editor, fields=_fields(query, values, choices),
                           limit=HTML_ROW_LIMIT, graph_text=graph_text)
    return (page, error.http_status) if error is not None else page


def _parameter_error(error: QueryParameterError) -> Response:
    """The project's error shape, plus the parameter and, for a value not accepted, the accepted values."""
    reply = reply_for(error)
    body: dict[str, Any] = json.loads(reply.body)
    body["parameter"] = error.parameter
    if isinstance(error, ValueNotAccepted):
        body["accepted"] = [{"name": c.name, "value": c.value.value, "label": c.label} for c in error.accepted]
    return Reply(reply.status, reply.headers, json.dumps(body, ensure_ascii=False).encode("utf-8")).flask()


def _describe(query: NamedQuery, choices: Choices) -> dict[str, Any]:
    return {
        "name": query.name, "title": query.title, "description": query.description, "form": query.form,
        "returns": query.returns, "keywords": list(query.keywords),
        "parameters": [_describe_param(p, choices.get(p.name)) for p in query.params],
        "links": {"page": url_for(f"{request.blueprint}.named", target=query.name),
                  **{f: url_for(f"{request.blueprint}.named", target=f"{query.name}.{f}")
                     for f in DATA_FORMATS if (query.kind, f) in _HTTP_FORMAT}},
        "sparql": query.body,
    }


def _describe_param(param: Parameter, accepted: tuple[Choice, ...] | None) -> dict[str, Any]:
    described: dict[str, Any] = {"name": param.name, "type": param.type_label, "default": param.default,
                                 "required": param.required, "multiple": param.multiple,
                                 "description": param.description}
    if param.values is not None:
        described["values"] = {"source": param.values, "description": parse_source(param.values).description,
                               "accepted": [{"name": c.name, "value": c.value.value, "label": c.label}
                                            for c in accepted or ()]}
    return described
