"""Whole-dataset downloads the Graph Store does not give, and the JSON-LD context the exports name.

``/downloads/policykg.<ext>`` holds every graph the server holds (the inferred graph too when it reasons), in
Turtle (the graphs merged, duplicates removed: Turtle has no named graphs), JSON-LD or TriG (the named graphs
kept); ``/downloads/policykg-data.<ext>`` the data-only export (the curated data files and the SKOS
vocabularies). Each is written once per dataset version into the endpoint's dump folder by
:func:`policykg.graph.export.export_store`, the function ``policykg export`` writes with, so a download holds the
bytes of ``policykg export --format EXT [--inferred | --data-only]`` for the same graphs, and is sent as a file.
N-Quads is the Graph Store's dump (``/store?format=nq``).

``/context.jsonld`` is the published context (``context.jsonld`` under the project's IRI base): the project's
prefixes, which the JSON-LD exports write in full (``policykg export --context-iri``: name it by IRI).
"""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, request, send_file

from policykg.formats import JSONLD, TRIG, TURTLE, Format
from policykg.graph.export import export_store
from policykg.rdf_writer import CONTEXT_FILE
from policykg.web.context import current_endpoint
from policykg.web.errors import HttpError
from policykg.web.respond import CORS, etag_for

#: The whole-dataset downloads, each at ``/downloads/policykg.<its extension>`` and, data only,
#: ``/downloads/policykg-data.<its extension>``.
DOWNLOADS = (TURTLE, JSONLD, TRIG)
KINDS = {"policykg": False, "policykg-data": True}   # download name -> data only


def _engine(store) -> ox.Store:
    engine = getattr(store, "engine", None)
    if isinstance(engine, ox.Store):
        return engine
    copy = ox.Store()  # a remote store: its quads, once per version
    copy.extend(store.quads())
    return copy


def _write(store, fmt: Format, data_only: bool, path: Path) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(export_store(_engine(store), fmt, inferred=True, data_only=data_only))
    tmp.replace(path)


def create_blueprint() -> Blueprint:
    blueprint = Blueprint("downloads", __name__)

    @blueprint.get("/downloads/policykg.<extension>")
    def dump(extension: str) -> Response:
        return _download("policykg", extension)

    @blueprint.get("/downloads/policykg-data.<extension>")
    def data_dump(extension: str) -> Response:
        return _download("policykg-data", extension)

    def _download(name: str, extension: str) -> Response:
        fmt = next((f for f in DOWNLOADS if f.extension == extension), None)
        if fmt is None or name not in KINDS:
            raise HttpError(404, f"no download {name[:40]}.{extension[:20]}; there are "
                                 + ", ".join(f"{kind}.{f.extension}" for kind in KINDS for f in DOWNLOADS)
                                 + " here and N-Quads at /store")
        endpoint = current_endpoint()
        version = endpoint.store.version
        folder = endpoint.dump_dir or Path(tempfile.gettempdir()) / "policykg-dumps"
        path = folder / f"{'data' if KINDS[name] else 'merged'}-{etag_for(version)}.{fmt.extension}"
        if not path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            _write(endpoint.store, fmt, KINDS[name], path)
        response = send_file(path, mimetype=fmt.media_type, as_attachment=True,
                             download_name=f"{name}-{version[:12]}.{fmt.extension}", conditional=True, etag=True,
                             max_age=None if endpoint.settings.updates_enabled else endpoint.settings.cache_max_age)
        response.headers.update(CORS)
        response.headers["X-PolicyKG-Dataset-Version"] = version
        return response

    @blueprint.get("/context.jsonld")
    def context() -> Response:
        data = resources.files("policykg").joinpath(CONTEXT_FILE).read_bytes()
        response = Response(data, mimetype=JSONLD.media_type)
        response.headers.update(CORS)
        response.headers["Cache-Control"] = "public, max-age=86400"
        response.set_etag(etag_for(data.decode("utf-8")))
        response.make_conditional(request)
        return response

    return blueprint


__all__ = ["create_blueprint"]
