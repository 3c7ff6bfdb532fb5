"""Resource pages: every IRI of ours at its own path, as HTML for people and as Turtle, JSON-LD or N-Triples for
machines (``Accept`` or ``?format=``), with ``Vary: Accept`` and ``Link: rel="alternate"`` headers.

``BASE + "id/file/ai-act"`` is served at ``/id/file/ai-act``; hash IRIs by their document
(``/ontology`` lists the ontology's terms, ``/shapes`` the shapes). IRIs that are not ours (acts, procedures,
EuroVoc concepts) keep linking to themselves; what this graph says about one is at ``/describe?iri=IRI``. An
unknown IRI gets a 404 page that suggests IRIs of ours with a similar path.
"""

from __future__ import annotations

import difflib
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from policykg.formats import HTML, JSONLD, NTRIPLES, TURTLE, by_name, negotiate
from policykg.namespaces import BASE, RDF, VOID, XSD
from policykg.rdf_writer import write_rdf
from policykg.web.context import current_endpoint
from policykg.web.errors import HttpError
from policykg.web.respond import answer, etag_for, matches, not_modified
from policykg.web.results import Body
from policykg.web.settings import public_root
from policykg.web.site import local_iris
from policykg.web.site.describe import Description, describe
from policykg.web.site.graph_index import index_for
from policykg.web.site.recognise import recognise
from policykg.web.site.site_info import site

OFFERS = (HTML, TURTLE, JSONLD, NTRIPLES)
SUGGESTIONS = 8


def create_blueprint() -> Blueprint:
    blueprint = Blueprint("resources", __name__)

    def resource(rest: str = "") -> Response:
        return answer_iri(local_iris.iri_for_path(request.path))

    for rule in local_iris.routes():
        blueprint.add_url_rule(rule, view_func=resource, endpoint="resource", methods=["GET"])

    @blueprint.get("/describe")
    def external() -> BaseResponse:  # flask's redirect() is typed as werkzeug's Response
        iri = request.args.get("iri", "").strip()
        if not iri:
            raise HttpError(400, "give the IRI to describe: /describe?iri=IRI")
        if local_iris.is_ours(iri):
            return redirect(local_iris.local_path(local_iris.document_of(iri), request.script_root)
                            + _query_suffix(exclude="iri"), code=303)
        if ":" not in iri and (identifier := recognise(iri)) is not None:  # a CELEX number, a COM number...
            return redirect(request.script_root + identifier.path + _query_suffix(exclude="iri"), code=303)
        return answer_iri(iri)

    return blueprint


def _query_suffix(exclude: str = "") -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k != exclude]
    return f"?{urlencode(args)}" if args else ""


def requested_format():
    """The representation asked for: ``?format=`` if given, else the ``Accept`` header (HTML by default)."""
    name = request.args.get("format")
    return by_name(name, OFFERS) if name else negotiate(request.headers.get("Accept"), OFFERS)


def _valid(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def answer_iri(iri: str) -> Response:
    """The page or the RDF of ``iri``, as its resource page answers (404 when the graph says nothing of it)."""
    endpoint = current_endpoint()
    fmt = requested_format()
    if not _valid(iri):
        if local_iris.is_ours(iri):
            return _not_found(iri, index_for(endpoint), fmt)
        raise HttpError(400, f"not a valid IRI: {iri[:200]!r}")
    version = endpoint.store.version
    root = public_root(endpoint.settings, request.environ)
    etag = etag_for("resource", version, root, iri, fmt.name)
    if matches(request, etag):
        return not_modified(endpoint.settings, etag, version, False)
    index = index_for(endpoint)
    description = describe(endpoint.store, index, iri, script_root=request.script_root)
    if not description.found:
        return _not_found(iri, index, fmt)
    dump = f"{root}/store?{urlencode({'graph': iri})}"
    if fmt is HTML:
        # The page's canonical URL is this page; the persistent IRI only redirects here (and is named in Link:).
        canonical = root + local_iris.local_path(iri) if local_iris.is_ours(iri) else iri
        page = render_template("pkg_resource.html", d=description, site=site(endpoint),
                               alternates=_alternates(), canonical=canonical, dump=dump)
        data = page.encode("utf-8")
    else:
        data = write_rdf(description.triples + _graph_statements(description, dump), fmt)
    name = (iri.rstrip("/#").rsplit("/", 1)[-1] or "resource").replace('"', "")
    return answer(request, endpoint.settings, Body(data, len(description.triples)), fmt, etag=etag,
                  version=version, filename=f"{name}.{fmt.extension}", download=False,
                  extra=[("Link", _link_header(iri))])


def _graph_statements(description: Description, dump: str) -> list[ox.Triple]:
    """For a named graph, what VoID says of it (as the service description does): its size and its download."""
    if description.graph_size is None:
        return []
    graph = ox.NamedNode(description.iri)
    return [ox.Triple(graph, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(VOID.Dataset))),
            ox.Triple(graph, ox.NamedNode(str(VOID.triples)),
                      ox.Literal(str(description.graph_size), datatype=ox.NamedNode(str(XSD.integer)))),
            ox.Triple(graph, ox.NamedNode(str(VOID.dataDump)), ox.NamedNode(dump))]


def _alternates() -> list[tuple[str, str, str]]:
    """(label, URL, media type) of each representation of this page."""
    # This server's public root and the request's path (never the request's Host header)
    base = public_root(current_endpoint().settings, request.environ) + request.path
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "format"]
    return [(label, f"{base}?{urlencode([*args, ('format', fmt.name)])}", fmt.media_type)
            for label, fmt in (("HTML", HTML), ("Turtle", TURTLE), ("JSON-LD", JSONLD), ("N-Triples", NTRIPLES))]


def _link_header(iri: str) -> str:
    links = [f'<{url}>; rel="alternate"; type="{media}"' for _, url, media in _alternates()]
    return ", ".join([*links, f'<{iri}>; rel="canonical"'])


def _not_found(iri: str, index, fmt) -> Response:
    if fmt is not HTML:
        raise HttpError(404, f"this graph says nothing about <{iri}>")
    endpoint = current_endpoint()
    ours = sorted(s for s in index.subjects if s.startswith(BASE))
    close = difflib.get_close_matches(iri, ours, n=SUGGESTIONS, cutoff=0.6)
    suggestions = [(index.label(s), local_iris.local_path(s, request.script_root)) for s in close]
    page = render_template("pkg_not_found.html", iri=iri, suggestions=suggestions, site=site(endpoint))
    response = Response(page, status=404, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-store"
    return response


__all__ = ["OFFERS", "answer_iri", "create_blueprint", "requested_format"]
