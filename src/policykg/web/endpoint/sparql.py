"""``/sparql``: the SPARQL 1.1 Protocol (queries, and updates for holders of the update token).

A request goes: protocol (:mod:`.protocol`) -> guard (:mod:`policykg.sparql.guard`) -> format -> ETag (304 without
evaluation) -> evaluation under the watchdog's hard time limit -> capped answer -> response. GET without a query is
the service description, answered by the Flask app. Queries and updates are answered here, as a plain WSGI
application in front of Flask: this is the hot path, and Flask's request and response objects cost more than the
guard and the time limit together.
"""

from __future__ import annotations

import hmac
import json
import time
from dataclasses import replace

import pyoxigraph as ox

from policykg.errors import NotAcceptable, SparqlSyntaxError, UpstreamError
from policykg.formats import BY_FORM, by_name, negotiate
from policykg.namespaces import PREFIXES
from policykg.sparql.federation import Answer, answer_of, inline_answers
from policykg.sparql.guard import Checked, check_query, check_update, with_using
from policykg.sparql.results import write
from policykg.sparql.syntax import check as check_syntax
from policykg.web.endpoint.federation_proxy import ask
from policykg.web.endpoint.protocol import Operation, parse
from policykg.web.errors import HttpError, error_body, error_reply, reply_for
from policykg.web.respond import CORS, Reply, answer_reply, etag_for, etag_matches, not_modified_reply, preflight
from policykg.web.settings import Settings, public_root

METHODS = "GET, HEAD, POST, OPTIONS"


def endpoint_url(environ: dict, settings: Settings) -> str:
    """The endpoint's own URL: the base IRI of queries and updates, and ``sd:endpoint`` (never from the request's
    Host header: :func:`policykg.web.settings.public_root`)."""
    return f"{public_root(settings, environ)}/sparql"


class SparqlApp:
    """The WSGI application of ``/sparql``; ``fallback`` (the Flask app) answers the service description."""

    def __init__(self, endpoint, fallback) -> None:
        self.endpoint = endpoint
        self.fallback = fallback

    def __call__(self, environ: dict, start_response):
        started = time.monotonic()
        method = environ["REQUEST_METHOD"]
        try:
            if method == "OPTIONS":
                reply = preflight(METHODS)
            elif method not in ("GET", "HEAD", "POST"):
                reply = error_reply(405, f"method {method[:20]} is not allowed on /sparql", {"Allow": METHODS})
            else:
                operation = parse(environ, self.endpoint.settings)
                if operation.kind == "describe":
                    return self.fallback(environ, start_response)
                if operation.kind == "update":
                    reply = _update(self.endpoint, environ, operation, started)
                else:
                    reply = _query(self.endpoint, environ, operation, started)
        except Exception as error:  # noqa: BLE001 - every error gets the one JSON shape
            reply = reply_for(error)
            if isinstance(error, SparqlSyntaxError) and error.location():  # where it is, for the editor's caret
                reply = replace(reply, body=json.dumps({**json.loads(reply.body), **error.location()}).encode())
        return reply.wsgi(start_response, head=method == "HEAD")


def _guarded(operation: Operation, check, base: str, settings):
    try:
        return check(operation.text, base_iri=base, limits=settings.limits)
    except Exception as error:
        if getattr(error, "http_status", None) == 413 and operation.via_url:
            raise HttpError(414, f"{error}; send long queries by POST") from None
        raise


def _query(endpoint, environ: dict, operation: Operation, started: float) -> Reply:
    settings, store = endpoint.settings, endpoint.store
    base = endpoint_url(environ, settings)
    checked = _guarded(operation, check_query, base, settings)
    if checked.services:
        checked = _federate(checked, settings, base, started)
    offers = BY_FORM[checked.form]
    try:
        fmt = by_name(operation.format, offers) if operation.format else negotiate(environ.get("HTTP_ACCEPT"), offers)
    except NotAcceptable:
        _syntax_first(checked.text, base)  # a malformed query is a 400 whatever the client accepts (a browser)
        raise
    version = store.version
    etag = etag_for(version, checked.text, base, operation.default_graphs, operation.named_graphs, fmt.name,
                    settings.max_rows, settings.max_bytes)
    if etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag):
        return not_modified_reply(settings, etag, version, "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""))
    options: dict = {"base_iri": base, "prefixes": PREFIXES}
    if operation.has_protocol_dataset:  # the protocol's dataset replaces the query's FROM / FROM NAMED
        options["default_graph"] = [ox.NamedNode(iri) for iri in operation.default_graphs]
        options["named_graphs"] = [ox.NamedNode(iri) for iri in operation.named_graphs]
    elif not checked.has_dataset_clause:
        options["use_default_graph_as_union"] = True
    limit = min(operation.timeout or settings.timeout, settings.timeout)
    note = f"{base}#limits"
    job = endpoint.arm(limit - (time.monotonic() - started), limit, environ)
    try:
        try:
            result = store.query(checked.text, **options)
        except SparqlSyntaxError:
            _syntax_first(checked.text, base)  # the engine's line and column, said plainly
            raise
        body = write(result, fmt, max_rows=settings.max_rows, max_bytes=settings.max_bytes, note=note)
    finally:
        endpoint.disarm(job)
    extra = [("X-PolicyKG-Timeout", f"{limit:g}")]
    if operation.has_protocol_dataset or checked.dataset:
        unknown = [iri for iri in (*operation.default_graphs, *operation.named_graphs, *checked.dataset)
                   if not store.contains_graph(ox.NamedNode(iri))]
        if unknown:
            extra.append(("X-PolicyKG-Empty-Graphs", " ".join(f"<{iri}>" for iri in unknown)[:2000]))
    return answer_reply(settings, body, fmt, etag=etag, version=version,
                        accept_encoding=environ.get("HTTP_ACCEPT_ENCODING"),
                        filename=f"policykg-{checked.form.lower()}-{etag[:12]}.{fmt.extension}",
                        download=bool(operation.format), limit_note=note, extra=extra)


def _federate(checked: Checked, settings: Settings, base: str, started: float) -> Checked:
    """The query with each allowed SERVICE clause replaced by the answer the federation process fetched for it
    (:mod:`.federation_proxy`); the engine itself never makes a call. A SILENT call that fails is one empty
    solution."""
    # Nothing is fetched for a query the engine would refuse; it parses the text with each SERVICE clause emptied
    # (never the text itself: an ASK is evaluated as it is planned, and the engine makes no call).
    _syntax_first(inline_answers(checked.text, checked.services, [None] * len(checked.services)), base)
    answers: list[Answer] = []
    for call in checked.services:
        left = settings.timeout - (time.monotonic() - started)
        try:
            if left <= 0:
                raise UpstreamError(f"no time left to ask {call.endpoint}")
            answers.append(answer_of(call.endpoint, ask(settings.limits.service_proxy, call.endpoint, call.query,
                                                        left)))
        except (UpstreamError, SparqlSyntaxError):
            if not call.silent:
                raise
            answers.append(None)
    text = inline_answers(checked.text, checked.services, answers)
    # The text the engine gets must hold no SERVICE at all: checked again with federation off.
    again = check_query(text, base_iri=base, limits=replace(settings.limits, allowed_services=frozenset()))
    return replace(again, dataset=checked.dataset, has_dataset_clause=checked.has_dataset_clause)


def _syntax_first(text: str, base: str) -> None:
    """Raise SparqlSyntaxError when the engine cannot parse ``text``: the query is planned on an empty store and
    never evaluated."""
    check_syntax(text, base_iri=base, prefixes=PREFIXES)


def authorize(settings, authorization: str | None) -> None:
    """Updates and uploads: only for ``Authorization: Bearer <token>``, and only when a token is configured."""
    if not settings.update_token:
        raise HttpError(403, "this endpoint is read-only: updates and uploads are disabled")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), settings.update_token.encode()):
        raise HttpError(401, "updates and uploads need the header 'Authorization: Bearer <update token>'",
                        {"WWW-Authenticate": 'Bearer realm="policykg"'})


def _update(endpoint, environ: dict, operation: Operation, started: float) -> Reply:
    settings = endpoint.settings
    authorize(settings, environ.get("HTTP_AUTHORIZATION"))
    base = endpoint_url(environ, endpoint.settings)
    checked = _guarded(operation, check_update, base, settings)
    text = checked.text
    if operation.has_protocol_dataset:
        if checked.has_dataset_clause:
            raise HttpError(400, "the request gives using-graph-uri/using-named-graph-uri and the update has "
                                 "USING or WITH too; give the dataset one way")
        text = with_using(checked, operation.default_graphs, operation.named_graphs)
    limit = min(operation.timeout or settings.timeout, settings.timeout)
    job = endpoint.arm(limit - (time.monotonic() - started), limit, environ)
    try:
        endpoint.store.update(text, base_iri=base, prefixes=PREFIXES)
    finally:
        endpoint.disarm(job)
    return Reply(204, [*CORS, ("Cache-Control", "no-store"), ("X-PolicyKG-Dataset-Version", endpoint.store.version)])


def stopped_response(limit: float, settings, head: bool):
    """The watchdog's answer when a query runs out of time or memory: a complete HTTP response, as bytes."""

    def respond(reason: str) -> bytes:
        if reason == "timeout":
            message = (f"the query ran out of time: it was stopped after {limit:g} s, the time limit for this request "
                       f"(this endpoint allows at most {settings.timeout:g} s; ?timeout= may only lower it). "
                       "Add LIMIT, narrow the patterns or avoid cartesian products, then try again")
        else:
            message = (f"the query used more than {settings.max_query_memory // (1 << 20)} MB of memory and was "
                       "stopped; narrow its patterns or add LIMIT")
        body = error_body(503, message)
        lines = ["HTTP/1.1 503 Service Unavailable", "Content-Type: application/json",
                 f"Content-Length: {len(body)}", "Connection: close", "Cache-Control: no-store",
                 f"X-PolicyKG-Timeout: {limit:g}", *[f"{k}: {v}" for k, v in CORS]]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else body)

    return respond
