"""Reading a SPARQL 1.1 Protocol request from the WSGI environ: which operation, its text, its dataset, and our own
``timeout`` and ``format`` parameters.

Every request the protocol does not allow is a 4xx with a message saying what was wrong: a missing or wrong
``Content-Type``, a non-UTF-8 charset, a repeated ``query`` or ``update``, an update over GET, a query and an
update together, dataset parameters of the wrong operation, a graph IRI that is not absolute. The query string is
decoded with a fast path (a query URL is mostly percent-escapes, which ``urllib`` decodes slowly); bodies are read
by Werkzeug under the size caps (chunked bodies included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from werkzeug.http import parse_options_header
from werkzeug.wrappers import Request

from policykg.sparql.guard import check_graph_iri
from policykg.web.errors import HttpError
from policykg.web.settings import TIME_LIMIT_PARAMETER, Settings, requested_time_limit

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
QUERY_DATASET = ("default-graph-uri", "named-graph-uri")
UPDATE_DATASET = ("using-graph-uri", "using-named-graph-uri")
Params = dict[str, list[str]]


@dataclass
class Operation:
    kind: str                               # "query", "update" or "describe" (no operation: the service description)
    text: str = ""
    default_graphs: list[str] = field(default_factory=list)   # default-graph-uri or using-graph-uri
    named_graphs: list[str] = field(default_factory=list)     # named-graph-uri or using-named-graph-uri
    timeout: float | None = None
    format: str | None = None
    via_url: bool = False                   # the text came in the request URL (GET)

    @property
    def has_protocol_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def unquote(value: str) -> str:
    """Decode one ``application/x-www-form-urlencoded`` name or value of a WSGI query string or form body (latin-1
    text of the bytes); percent-encoded bytes that are not UTF-8 are a client error, never replaced."""
    raw = unquote_to_bytes(value.replace("+", " ").encode("latin-1", "replace"))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, f"a parameter is not valid UTF-8 once percent-decoded: {value[:40]!r}") from None


def parse_query_string(query_string: str) -> Params:
    params: Params = {}
    for pair in query_string.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        params.setdefault(unquote(name), []).append(unquote(value))
    return params


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise HttpError(400, f"the request has {len(values)} '{name}' parameters; send exactly one")
    return values[0] if values else None


def _utf8_only(options: dict[str, str]) -> None:
    charset = options.get("charset")
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise HttpError(415, f"charset {charset!r} is not supported: send the request body in UTF-8")


def _body_request(environ: dict, settings: Settings) -> Request:
    request = Request(environ)
    request.max_content_length = settings.max_body
    request.max_form_memory_size = settings.max_body
    return request


def parse(environ: dict, settings: Settings) -> Operation:
    query_string = environ.get("QUERY_STRING", "")
    if len(query_string) > settings.max_url:
        raise HttpError(414, f"the request URL is longer than {settings.max_url} bytes; send the query by POST")
    args = parse_query_string(query_string)
    method = environ["REQUEST_METHOD"]
    if method in ("GET", "HEAD"):
        if "update" in args:
            raise HttpError(400, "an update must be sent by POST (form-encoded or application/sparql-update), "
                                 "never by GET")
        text = _one(args.get("query", []), "query")
        if text is None:
            return _finish(Operation("describe"), [args])
        return _finish(Operation("query", text, via_url=True), [args])
    mimetype, options = parse_options_header(environ.get("CONTENT_TYPE", ""))
    mimetype = mimetype.lower()
    if mimetype == FORM:
        _utf8_only(options)
        # Parsed like the URL's query string (not by werkzeug's form parser, which replaces invalid UTF-8).
        form = parse_query_string(_body_request(environ, settings).get_data(cache=False).decode("latin-1"))
        queries = args.get("query", []) + form.get("query", [])
        updates = args.get("update", []) + form.get("update", [])
        if queries and updates:
            raise HttpError(400, "the request has both 'query' and 'update'; send one operation")
        if updates:
            return _finish(Operation("update", _one(updates, "update") or ""), [args, form])
        if queries:
            return _finish(Operation("query", _one(queries, "query") or ""), [args, form])
        raise HttpError(400, "the form has neither a 'query' nor an 'update' parameter")
    if mimetype in (QUERY, UPDATE):
        _utf8_only(options)
        kind = "query" if mimetype == QUERY else "update"
        for name in ("query", "update"):
            if name in args:
                raise HttpError(400, f"a direct POST of {mimetype} carries the {kind} in its body; "
                                     f"the URL must not have a '{name}' parameter too")
        try:
            text = _body_request(environ, settings).get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(400, "the request body is not valid UTF-8") from None
        return _finish(Operation(kind, text), [args])
    if not mimetype:
        raise HttpError(415, "a POST needs a Content-Type: application/x-www-form-urlencoded, "
                             "application/sparql-query or application/sparql-update")
    raise HttpError(415, f"Content-Type {mimetype!r} is not a SPARQL request: use "
                         "application/x-www-form-urlencoded, application/sparql-query or application/sparql-update")


def _finish(operation: Operation, sources: list[Params]) -> Operation:
    """Dataset parameters (from the URL and, for a form, the body) and our own ``timeout`` and ``format``."""
    own, other = (QUERY_DATASET, UPDATE_DATASET) if operation.kind != "update" else (UPDATE_DATASET, QUERY_DATASET)
    if len(sources) == 1 and all(name == "query" for name in sources[0]):
        return operation  # the usual request: nothing but the query
    for name in other:
        if any(name in source for source in sources):
            what = "queries" if name in QUERY_DATASET else "updates"
            raise HttpError(400, f"'{name}' applies to {what} only")

    def values(name: str) -> list[str]:
        return [v for source in sources for v in source.get(name, ())]

    operation.default_graphs = [_graph_iri(v, own[0]) for v in values(own[0])]
    operation.named_graphs = [_graph_iri(v, own[1]) for v in values(own[1])]
    operation.timeout = requested_time_limit(_one(values(TIME_LIMIT_PARAMETER), TIME_LIMIT_PARAMETER))
    operation.format = _one(values("format"), "format")
    return operation


def _graph_iri(value: str, parameter: str) -> str:
    value = value.strip()
    if not value:
        raise HttpError(400, f"'{parameter}' is empty; give the IRI of a graph")
    return check_graph_iri(value, parameter)
