"""Whole-dataset downloads the Graph Store does not give: ``/downloads/policykg.ttl`` (every graph merged into one
graph, duplicates removed: Turtle has no named graphs) and ``/downloads/policykg.jsonld`` (the named graphs kept).
Written once per dataset version into the endpoint's dump folder by the one RDF writer, so a download holds the
bytes ``policykg export --format ttl|jsonld`` writes for the same graphs (``--inferred`` when the server reasons),
and sent as files. TriG and N-Quads are the Graph Store's dumps (``/store?format=trig``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Blueprint, Response, send_file

from policykg.formats import JSONLD, TURTLE
from policykg.rdf_writer import write_rdf
from policykg.web.context import current_endpoint
from policykg.web.errors import HttpError
from policykg.web.respond import CORS, etag_for

#: The whole-dataset downloads, each at ``/downloads/policykg.<its extension>``.
DOWNLOADS = (TURTLE, JSONLD)


def _write(store, fmt, path: Path) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(write_rdf(store.quads(), fmt))
    tmp.replace(path)


def create_blueprint() -> Blueprint:
    blueprint = Blueprint("downloads", __name__)

    @blueprint.get("/downloads/policykg.<extension>")
    def dump(extension: str) -> Response:
        fmt = next((f for f in DOWNLOADS if f.extension == extension), None)
        if fmt is None:
            raise HttpError(404, f"no download policykg.{extension[:20]}; there are "
                                 + ", ".join(f"policykg.{f.extension}" for f in DOWNLOADS)
                                 + " here and TriG, N-Quads at /store")
        endpoint = current_endpoint()
        version = endpoint.store.version
        folder = endpoint.dump_dir or Path(tempfile.gettempdir()) / "policykg-dumps"
        path = folder / f"merged-{etag_for(version)}.{fmt.extension}"
        if not path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            _write(endpoint.store, fmt, path)
        response = send_file(path, mimetype=fmt.media_type, as_attachment=True,
                             download_name=f"policykg-{version[:12]}.{fmt.extension}", conditional=True, etag=True,
                             max_age=None if endpoint.settings.updates_enabled else endpoint.settings.cache_max_age)
        response.headers.update(CORS)
        response.headers["X-PolicyKG-Dataset-Version"] = version
        return response

    return blueprint


__all__ = ["create_blueprint"]
