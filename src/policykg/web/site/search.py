"""The search page, ``/search?q=…``: the answer of the named query ``search`` (``queries/search.rq``), run through the
project's registry exactly as ``policykg query search --param q=…`` and ``/queries/search.csv?q=…`` run it, shown
as a list of links to the resource pages.

Text that is exactly one EU identifier (a CELEX number, an ELI, a COM number, a procedure reference) goes straight
to the page of what carries it (303), when the graph holds it; otherwise the search runs and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from policykg.errors import PolicyKGError
from policykg.formats import HTML
from policykg.queries.registry import QueryRegistry
from policykg.sparql.results import SelectResult
from policykg.web.context import current_endpoint
from policykg.web.respond import answer, etag_for, matches, not_modified
from policykg.web.results import Body
from policykg.web.settings import public_root
from policykg.web.site.lookup import page_for, resolve
from policykg.web.site.recognise import recognise

QUERY = "search"
MAX_TEXT = 200      # characters of a search; longer text is refused before the query runs
SHOWN = 200         # results listed on the page, best first; the CSV and JSON links give them all


@dataclass(frozen=True)
class Hit:
    label: str
    href: str
    iri: str
    kind: str
    score: int
    matched: str


def create_blueprint(registry: QueryRegistry | Callable[[], QueryRegistry]) -> Blueprint:
    blueprint = Blueprint("search", __name__)
    get_registry = registry if callable(registry) else lambda: registry

    @blueprint.get("/search")
    def page() -> BaseResponse:
        endpoint = current_endpoint()
        text = request.args.get("q", "").strip()
        notice = error = ""
        hits: list[Hit] = []
        identifier = recognise(text) if text else None
        if identifier is not None:
            iri = resolve(endpoint.store, identifier)
            if iri is not None:
                return redirect(page_for(iri, request.script_root), code=303)
            notice = f"No resource in this graph has the {identifier.name} {identifier.text}."
        query = get_registry()[QUERY]
        version = endpoint.store.version
        etag = etag_for(QUERY, version, public_root(endpoint.settings, request.environ), query.text, text)
        if not notice and matches(request, etag):
            return not_modified(endpoint.settings, etag, version, False)
        if len(text) > MAX_TEXT:
            error = f"the search text is longer than {MAX_TEXT} characters"
        elif text:
            try:
                hits = _hits(query.run(endpoint.store, {"q": text}), request.script_root)
            except PolicyKGError as problem:
                error = str(problem)
        links = {name: url_for("named_queries.named", target=f"{QUERY}.{name}", q=text) for name in ("csv", "json")}
        page = render_template("pkg_search.html", q=text, hits=hits[:SHOWN], total=len(hits), notice=notice,
                               error=error, query=query,
                               links=links, query_page=url_for("named_queries.named", target=QUERY, q=text))
        response: Response = answer(request, endpoint.settings, Body(page.encode("utf-8"), len(hits)), HTML,
                                    etag=etag, version=version, filename="search.html",
                                    download=False)
        if error:
            response.status_code = 400
        return response

    return blueprint


def _hits(result: Any, script_root: str) -> list[Hit]:
    if not isinstance(result, SelectResult):
        raise PolicyKGError(f"the {QUERY} query must be a SELECT")
    hits = []
    for row in result.values():
        iri = row["resource"]
        hits.append(Hit(label=row.get("label") or iri, href=page_for(iri, script_root), iri=iri,
                        kind=row.get("kind") or "", score=int(row.get("score") or 0),
                        matched=row.get("matchedIn") or ""))
    return hits


__all__ = ["create_blueprint"]
