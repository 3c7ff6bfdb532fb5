"""Looking an act or a procedure up by its identifier: ``/celex/32024R1689``, ``/eli/reg/2024/1689/oj`` (the ELI path
as published), ``/com/2021/206`` and ``/procedure/2021/0106(COD)`` (also ``2021-0106-COD``, percent-encoded or not).

A browser is sent (303 See Other) to the resource page of what carries the identifier; a client that asks for RDF
(``Accept`` or ``?format=``, the resource pages' formats) gets the description itself, the same bytes as that page's
RDF, with a ``Content-Location`` naming the page. An identifier the grammar of :mod:`policykg.identifiers` rejects is a
400, a well-formed one the graph does not hold a 404: a page for a browser, the JSON error shape for anyone else,
saying what was recognised.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from policykg.errors import IdentifierError, NotAcceptable
from policykg.formats import HTML, JSON, negotiate
from policykg.identifiers import (
    LEGAL_ACT_DESCRIPTORS,
    Celex,
    Com,
    Eli,
    Procedure,
    com_to_celex,
    eli_to_celex,
    procedure_to_ep_iri,
)
from policykg.web.context import current_endpoint
from policykg.web.errors import HttpError
from policykg.web.site import rq
from policykg.web.site.describe import describe_url
from policykg.web.site.local_iris import is_ours, local_path
from policykg.web.site.recognise import NAMES, Recognised, read
from policykg.web.site.resources import answer_iri, requested_format
from policykg.web.site.site_info import site


def resolve(store, identifier: Recognised) -> str | None:
    """The IRI of the resource that carries ``identifier`` in the graph, or None."""
    value = identifier.value
    if isinstance(value, Celex):
        return _first(store, "lookup_celex", celex=ox.Literal(str(value))) or (
            None if value.is_base_act else _first(store, "lookup_celex", celex=ox.Literal(str(value.base_act))))
    if isinstance(value, Eli):
        found = _first(store, "lookup_iri", iri=ox.NamedNode(str(value.iri)))
        if found is None and value.number <= 9999:  # an act the graph names by its CELEX IRI
            found = _first(store, "lookup_celex", celex=ox.Literal(str(eli_to_celex(value))))
        return found
    if isinstance(value, Com):
        return _first(store, "lookup_com", com=ox.Literal(str(value)),
                      proposal=ox.Literal(str(com_to_celex(value, "PC"))),
                      other=ox.Literal(str(com_to_celex(value, "DC"))))
    if isinstance(value, Procedure):
        return _first(store, "lookup_procedure", reference=ox.Literal(str(value)),
                      iri=ox.NamedNode(str(procedure_to_ep_iri(value))))
    return None


def _first(store, name: str, **bindings: rq.Term) -> str | None:
    for row in rq.rows(store, name, **bindings):
        if "resource" in row:
            return row["resource"].value
    return None


def page_for(iri: str, script_root: str = "") -> str:
    """The resource page of ``iri`` on this server: its own path for ours, ``/describe?iri=`` for an act's IRI."""
    return local_path(iri, script_root) if is_ours(iri) else describe_url(iri, script_root)


def explain(identifier: Recognised) -> str:
    """What the identifier is, in words: what a reader can check it against."""
    value = identifier.value
    if isinstance(value, Celex):
        kind = LEGAL_ACT_DESCRIPTORS.get(value.descriptor) if value.sector in ("3", "0") else None
        what = f"{kind} (descriptor {value.descriptor})" if kind else f"descriptor {value.descriptor}"
        extra = " corrigendum" if value.corrigendum is not None else (
            f", consolidated on {value.consolidation_date}" if value.consolidation_date else "")
        return f"CELEX {value}: sector {value.sector}, year {value.year}, {what}, number {value.number}{extra}"
    if isinstance(value, Eli):
        celex = f"; its CELEX number would be {eli_to_celex(value)}" if value.number <= 9999 else ""
        return f"ELI {value.iri}: {value.typedoc} {value.year}/{value.number} as published in the OJ{celex}"
    if isinstance(value, Com):
        return (f"{value}: a Commission document of {value.year}, number {value.number}; its CELEX number would be "
                f"{com_to_celex(value, 'PC')} (a proposal) or {com_to_celex(value, 'DC')}")
    if isinstance(value, Procedure):
        split = f", split part {value.suffix}" if value.suffix else ""
        return f"procedure {value}: a {value.type} procedure of {value.year}, number {value.number}{split}"
    return str(value)


def create_blueprint() -> Blueprint:
    blueprint = Blueprint("lookup", __name__)

    @blueprint.get("/<any(celex, eli, com, procedure):kind>/<path:text>")
    def lookup(kind: str, text: str) -> BaseResponse:
        return _lookup(kind, text)

    return blueprint


def _lookup(kind: str, text: str) -> BaseResponse:
    try:
        identifier = read(kind, text)
    except IdentifierError as error:
        return _problem(400, kind, text, f"not a {NAMES[kind]}: {error}", recognised=None)
    iri = resolve(current_endpoint().store, identifier)
    if iri is None:
        return _problem(404, kind, text, f"no resource in this graph has the {identifier.name} {identifier.text}",
                        recognised=identifier)
    page = page_for(iri, request.script_root)
    if requested_format() is HTML:
        response = redirect(page, code=303)
    else:
        response = answer_iri(iri)
        response.headers["Content-Location"] = page
    response.headers["Vary"] = "Accept"
    return response


def _wants_html() -> bool:
    try:
        return negotiate(request.headers.get("Accept"), (HTML, JSON)) is HTML
    except NotAcceptable:
        return False


def _problem(status: int, kind: str, text: str, message: str, recognised: Recognised | None) -> Response:
    if not _wants_html():
        raise HttpError(status, message + (f" ({explain(recognised)})" if recognised else ""))
    page = render_template("pkg_not_found.html", site=site(current_endpoint()), lookup={
        "status": status, "kind": NAMES[kind], "text": text, "message": message,
        "recognised": explain(recognised) if recognised else "",
        "search": recognised.text if recognised else text})
    response = Response(page, status=status, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-store"
    return response


__all__ = ["create_blueprint", "explain", "page_for", "resolve"]
