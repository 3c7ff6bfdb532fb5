"""The named queries on the web: ``/queries`` (the list), ``/queries.json`` (the list as data), ``/queries/NAME``
(a form and the answer as a table) and ``/queries/NAME.csv|.tsv|.json|.ttl?KEY=VALUE`` (stable links for papers
and scripts: the same bytes as ``policykg query NAME --param KEY=VALUE --format csv``).

In the app, a query runs like one sent to ``/sparql``: through the guard, under the watchdog's hard time limit
(``?timeout=`` may only lower it, as on /sparql), with the row cap (a cut answer says so in
``X-PolicyKG-Truncated``), and with the endpoint's ETag / 304, Cache-Control, gzip and CORS. It reads the store
and settings from ``current_endpoint()``. Given an ``engine`` (anything with ``query(text, **kwargs)``), the
blueprint runs there instead, with default settings (tests, other apps). Errors are PolicyKGError: a bad parameter is a
``QueryParameterError`` (400, naming the parameter), an unknown query ``QueryNotFound`` (404); the data URLs leave
them to the app's error handler, the HTML page shows them above its form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template_string, request, url_for

from policykg.errors import PolicyKGError, QueryParameterError
from policykg.formats import ANSWER_FORMATS
from policykg.queries.registry import Engine, NamedQuery, QueryRegistry
from policykg.sparql.guard import check_query
from policykg.sparql.results import QueryResult, SelectResult, answer_format, from_engine, serialize, write
from policykg.web.context import current_endpoint
from policykg.web.respond import accepts_gzip, answer, etag_for, matches, not_modified
from policykg.web.settings import TIME_LIMIT_PARAMETER, Settings, public_root, requested_time_limit

#: Rows shown on the HTML page; the data URLs give every row up to the endpoint's cap.
HTML_ROW_LIMIT = 1000
#: The extensions of the data URLs, each read as a format name (``json`` is JSON-LD for a graph).
DATA_FORMATS = ("csv", "tsv", "json", "ttl")
_HTTP_FORMAT = {(kind, name) for kind in ("select", "ask", "graph") for name in DATA_FORMATS
                if name in {n for f in ANSWER_FORMATS[kind] for n in f.all_names}}
_INPUT_TYPE = {"date": "date", "integer": "number"}


def create_blueprint(registry: QueryRegistry | Callable[[], QueryRegistry], *,
                     engine: Engine | Callable[[], Engine] | None = None, name: str = "named_queries",
                     handle_errors: bool = False) -> Blueprint:
    """The blueprint for ``registry``. ``handle_errors=True`` answers PolicyKGError itself (the JSON shape
    ``{"error", "status"}`` plus ``parameter``), for an app without its own handler."""
    blueprint = Blueprint(name, __name__)
    get_registry = registry if callable(registry) else lambda: registry
    if handle_errors:
        blueprint.register_error_handler(PolicyKGError, _error_response)

    def runner() -> tuple[Engine, Settings, str]:
        if engine is not None:
            chosen = engine() if callable(engine) and not hasattr(engine, "query") else engine
            return chosen, Settings(), ""
        endpoint = current_endpoint()
        return _AppEngine(endpoint, _timeout(endpoint.settings)), endpoint.settings, endpoint.store.version

    @blueprint.get("/queries")
    def index() -> str:
        return render_template_string(_INDEX, queries=list(get_registry().values()))

    @blueprint.get("/queries.json")
    def index_json() -> Response:
        items = [_describe(q) for q in get_registry().values()]
        return Response(json.dumps({"queries": items}, ensure_ascii=False, indent=1) + "\n",
                        mimetype="application/json")

    @blueprint.get("/queries/<target>")
    def named(target: str) -> Any:
        stem, dot, extension = target.rpartition(".")
        if dot and extension in DATA_FORMATS:
            return _data(get_registry()[stem], extension, *runner())
        return _page(get_registry()[target], *runner())

    return blueprint


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


def request_values(query: NamedQuery) -> dict[str, str]:
    """The query's parameters from the URL. Unknown names are refused (a typo would silently use a default);
    ``timeout`` is the endpoint's, as on /sparql."""
    values = {}
    for key in request.args:
        if key == TIME_LIMIT_PARAMETER:
            continue
        query.param(key)
        given = request.args.getlist(key)
        if len(given) > 1:
            raise QueryParameterError(key, "given more than once")
        values[key] = given[0]
    return values


def _data(query: NamedQuery, extension: str, engine: Engine, settings: Settings, version: str) -> Response:
    if (query.kind, extension) not in _HTTP_FORMAT:
        usable = ", ".join(f".{e}" for e in DATA_FORMATS if (query.kind, e) in _HTTP_FORMAT)
        raise QueryParameterError("format", f"query {query.name!r} cannot be written as .{extension} (use {usable})")
    values = request_values(query)
    bound = query.bind(values)  # bad values fail here, before any ETag or evaluation
    etag = etag_for(version, query.name, query.text, sorted((k, str(v)) for k, v in bound.items()), extension,
                    settings.max_rows)
    if matches(request, etag):
        return not_modified(settings, etag, version, accepts_gzip(request))
    fmt = answer_format(query.kind, extension)
    result = query.run(engine, values)
    note = public_root(settings, request.environ) + url_for(f"{request.blueprint}.named", target=query.name)[
        len(request.script_root):]
    body = write(result, fmt, max_rows=settings.max_rows, max_bytes=settings.max_bytes, note=note)
    return answer(request, settings, body, fmt, etag=etag, version=version,
                  filename=f"{query.name}.{extension}", download=False, limit_note=note)


def _page(query: NamedQuery, engine: Engine, settings: Settings, version: str) -> Any:
    error, result, values = None, None, {}
    try:
        values = request_values(query)
        result = query.run(engine, values)
    except PolicyKGError as problem:
        error = problem
    table = None
    if isinstance(result, SelectResult):
        table = {"variables": result.variables, "total": len(result.rows), "truncated": result.truncated,
                 "rows": [[_cell(t) for t in row] for row in result.rows[:HTML_ROW_LIMIT]]}
    arguments: dict[str, Any] = dict(values)  # URL parameters, as url_for takes them (its **values: Any)
    links = {f: url_for(f"{request.blueprint}.named", target=f"{query.name}.{f}", **arguments)
             for f in DATA_FORMATS if (query.kind, f) in _HTTP_FORMAT}
    graph_text = serialize(result, "ttl").decode() if result is not None and result.kind == "graph" else None
    page = render_template_string(_PAGE, query=query, values=values, error=error, result=result, table=table,
                                  links=links, input_type=_INPUT_TYPE, limit=HTML_ROW_LIMIT, graph_text=graph_text)
    return (page, error.http_status) if error is not None else page


def _error_response(error: PolicyKGError) -> tuple[Response, int]:
    body: dict[str, Any] = {"error": str(error), "status": error.http_status}
    if isinstance(error, QueryParameterError):
        body["parameter"] = error.parameter
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json"), error.http_status


def _cell(term: Any) -> dict[str, str] | None:
    if term is None:
        return None
    value = getattr(term, "value", str(term))
    is_link = isinstance(term, ox.NamedNode) and value.startswith(("http://", "https://"))
    return {"text": value, "href": value if is_link else ""}


def _describe(query: NamedQuery) -> dict[str, Any]:
    return {
        "name": query.name, "title": query.title, "description": query.description, "form": query.form,
        "returns": query.returns, "keywords": list(query.keywords),
        "parameters": [{"name": p.name, "type": p.type_label, "default": p.default, "required": p.required,
                        "description": p.description} for p in query.params],
        "links": {"page": url_for(f"{request.blueprint}.named", target=query.name),
                  **{f: url_for(f"{request.blueprint}.named", target=f"{query.name}.{f}")
                     for f in DATA_FORMATS if (query.kind, f) in _HTTP_FORMAT}},
        "sparql": query.body,
    }


_INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Named research queries · policykg</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>Named research queries</h1>
<p>Questions researchers ask of the graph, ready to run. Each has a page with a form, and stable links to its answer
as CSV, TSV, JSON or Turtle: add <code>?parameter=value</code> to change a value.
The list as data: <a href="{{ url_for(request.blueprint + '.index_json') }}">queries.json</a>.</p>
<dl>
{% for q in queries %}
  <dt><a href="{{ url_for(request.blueprint + '.named', target=q.name) }}">{{ q.title }}</a> \
<code>{{ q.name }}</code></dt>
  <dd>{{ q.description }}
  {% if q.params %}<br>Parameters: {% for p in q.params %}<code>{{ p.name }}</code> ({{ p.hint }})\
{% if not loop.last %}, {% endif %}{% endfor %}.{% endif %}
  </dd>
{% endfor %}
</dl>
</body></html>
"""

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ query.title }} · policykg</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<p><a href="{{ url_for(request.blueprint + '.index') }}">All queries</a></p>
<h1>{{ query.title }}</h1>
<p>{{ query.description }}</p>
{% if error %}<p role="alert" class="error"><strong>Error:</strong> {{ error }}</p>{% endif %}
<form method="get" action="{{ url_for(request.blueprint + '.named', target=query.name) }}">
{% for p in query.params %}
  <p><label for="param-{{ p.name }}"><code>{{ p.name }}</code>: {{ p.description }}</label><br>
  <input id="param-{{ p.name }}" name="{{ p.name }}" \
type="{{ input_type.get(p.types[0], 'text') if p.types|length == 1 else 'text' }}"
         value="{{ values.get(p.name, p.default or '') }}" {% if p.required %}required{% endif %}>
  <small>{{ p.hint }}{% if p.default is not none %}; default {{ p.default }}{% endif %}</small></p>
{% endfor %}
  <p><button type="submit">Run</button></p>
</form>
{% if links %}<p>This answer as {% for f, href in links.items() %}<a href="{{ href }}">{{ f|upper }}</a>\
{% if not loop.last %} · {% endif %}{% endfor %}</p>{% endif %}
{% if table %}
  <p>{{ table.total }} row{{ '' if table.total == 1 else 's' }}\
{% if table.truncated %} (cut at the endpoint's row limit){% endif %}\
{% if table.total > limit %}, the first {{ limit }} shown (download for all){% endif %}.</p>
  <table>
  <thead><tr>{% for v in table.variables %}<th>{{ v }}</th>{% endfor %}</tr></thead>
  <tbody>
  {% for row in table.rows %}<tr>{% for cell in row %}<td>\
{% if cell %}{% if cell.href %}<a href="{{ cell.href }}">{{ cell.text }}</a>\
{% else %}{{ cell.text }}{% endif %}{% endif %}</td>{% endfor %}</tr>
  {% endfor %}
  </tbody></table>
{% elif result is not none and result.kind == 'ask' %}
  <p class="answer"><strong>{{ 'Yes' if result.value else 'No' }}</strong> \
({{ 'true' if result.value else 'false' }})</p>
{% elif graph_text is not none %}
  <pre class="graph">{{ graph_text }}</pre>
{% endif %}
<details><summary>The SPARQL query</summary><pre>{{ query.body }}</pre></details>
</body></html>
"""
