"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol (indirect identification: ``?graph=IRI`` or ``?default``).

GET and HEAD are public: one graph in a graph format, or without parameters the whole dataset as TriG or N-Quads
(the dumps VoID points to, written once per dataset version and sent as files). PUT (replace), POST (add; without
a graph, a new graph whose IRI is in ``Location``) and DELETE need the update token. Uploads are parsed strictly
by pyoxigraph, which fetches nothing (no remote JSON-LD context); RDF/XML with a DTD is refused.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, request, send_file

from policykg.formats import DATASET_FORMATS, GRAPH_FORMATS, RDFXML, by_name, negotiate, rdf_format_for
from policykg.namespaces import GRAPH
from policykg.rdf_writer import write_rdf
from policykg.sparql.guard import check_graph_iri
from policykg.sparql.results import write_graph
from policykg.web.context import current_endpoint
from policykg.web.endpoint.sparql import authorize, endpoint_url
from policykg.web.errors import HttpError
from policykg.web.respond import CORS, answer, etag_for, matches, not_modified, preflight
from policykg.web.settings import public_root

blueprint = Blueprint("graph_store", __name__)
METHODS = "GET, HEAD, PUT, POST, DELETE, OPTIONS"


def _target() -> ox.NamedNode | ox.DefaultGraph | None:
    """The graph the request names: ``?graph=IRI``, ``?default``, or None (the whole dataset)."""
    graphs = request.args.getlist("graph")
    if "default" in request.args:
        if graphs:
            raise HttpError(400, "give either ?graph=IRI or ?default, not both")
        return ox.DefaultGraph()
    if len(graphs) > 1:
        raise HttpError(400, "give one ?graph= parameter")
    if graphs:
        try:
            return ox.NamedNode(check_graph_iri(graphs[0].strip(), "graph"))
        except ValueError:
            raise HttpError(400, f"graph {graphs[0][:200]!r} is not a valid IRI") from None
    return None


def _negotiated(offers):
    name = request.args.get("format")
    return by_name(name, offers) if name else negotiate(request.headers.get("Accept"), offers)


@blueprint.route("/store", methods=["GET", "PUT", "POST", "DELETE", "OPTIONS"])
def graph_store() -> Response:
    if request.method == "OPTIONS":
        return preflight(METHODS).flask()
    endpoint = current_endpoint()
    target = _target()
    if request.method in ("GET", "HEAD"):
        return _read(endpoint, target)
    authorize(endpoint.settings, request.headers.get("Authorization"))
    request.max_content_length = endpoint.settings.max_upload
    if request.method == "DELETE":
        if target is None:
            raise HttpError(400, "DELETE needs ?graph=IRI or ?default")
        if not endpoint.store.drop_graph(target):
            raise HttpError(404, f"no graph {target}")
        return _done(204)
    triples = _upload(target, _store_url(endpoint))
    if request.method == "PUT":
        if target is None:
            raise HttpError(400, "PUT needs ?graph=IRI or ?default")
        created = endpoint.store.replace_graph(target, triples)
        return _done(201 if created else 204)
    if target is None:  # POST to the store itself: a new graph
        target = ox.NamedNode(str(GRAPH[f"upload/{uuid.uuid4()}"]))
        endpoint.store.add_to_graph(target, triples)
        return _done(201, {"Location": f"{_store_url(endpoint)}?graph={quote(target.value, safe='')}"})
    created = endpoint.store.add_to_graph(target, triples)
    return _done(201 if created else 204)


def _done(status: int, headers: dict[str, str] | None = None) -> Response:
    response = Response(status=status)
    response.headers.update(CORS)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-PolicyKG-Dataset-Version"] = current_endpoint().store.version
    if headers:
        response.headers.update(headers)
    return response


def _store_url(endpoint) -> str:
    """The Graph Store's own URL: the public root's, never the request's Host header."""
    return f"{public_root(endpoint.settings, request.environ)}/store"


def _upload(target, store_url: str) -> list[ox.Triple]:
    fmt = rdf_format_for(request.headers.get("Content-Type"))
    if fmt is None:
        raise HttpError(415, "the body's Content-Type must be an RDF format: "
                             + ", ".join(f.media_type for f in GRAPH_FORMATS))
    data = request.get_data(cache=False)
    if fmt is RDFXML and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        raise HttpError(400, "RDF/XML with a DTD or entity declarations is refused")
    base = target.value if isinstance(target, ox.NamedNode) else store_url
    try:
        quads = list(ox.parse(data, format=fmt.rdf, base_iri=base))
    except (SyntaxError, ValueError) as error:
        raise HttpError(400, f"the body is not valid {fmt.media_type}: {error}") from None
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise HttpError(400, "the body names graphs; send the triples of one graph, named by ?graph=")
    return [q.triple for q in quads]


def _read(endpoint, target) -> Response:
    store, settings = endpoint.store, endpoint.settings
    if target is None:
        return _dump(endpoint)
    if not store.contains_graph(target):
        raise HttpError(404, f"no graph {target} in this store")
    fmt = _negotiated(GRAPH_FORMATS)
    version = store.version
    etag = etag_for("graph", version, str(target), fmt.name, settings.max_rows, settings.max_bytes)
    if matches(request, etag):
        return not_modified(settings, etag, version, False)
    body = write_graph(store.triples(target), fmt, max_rows=settings.max_rows, max_bytes=settings.max_bytes,
                       note=f"{endpoint_url(request.environ, settings)}#limits")
    name = target.value.rstrip("/").rsplit("/", 1)[-1] if isinstance(target, ox.NamedNode) else "default"
    return answer(request, settings, body, fmt, etag=etag, version=version, filename=f"{name}.{fmt.extension}",
                  download=bool(request.args.get("format")))


def _dump(endpoint) -> Response:
    """The whole dataset, written once per version into a cache folder and sent as a file."""
    fmt = _negotiated(DATASET_FORMATS)
    version = endpoint.store.version
    folder = endpoint.dump_dir or Path(tempfile.gettempdir()) / "policykg-dumps"
    path = folder / f"dataset-{etag_for(version)}.{fmt.extension}"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(write_rdf(endpoint.store.quads(), fmt))
        tmp.replace(path)
    response = send_file(path, mimetype=fmt.content_type, as_attachment=bool(request.args.get("format")),
                         download_name=f"policykg-{version[:12]}.{fmt.extension}", conditional=True, etag=True,
                         max_age=None if endpoint.settings.updates_enabled else endpoint.settings.cache_max_age)
    response.headers.update(CORS)
    response.headers["Vary"] = "Accept"
    response.headers["X-PolicyKG-Dataset-Version"] = version
    return response
