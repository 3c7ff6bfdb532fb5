"""The home page (``/``): what the dataset is, its version, licence and counts, the policy files with their current
status, and the ways in (query editor, named queries, network, ontology, downloads, service description)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request

from policykg.formats import HTML
from policykg.web.context import current_endpoint
from policykg.web.endpoint.service_description import statistics
from policykg.web.respond import answer, etag_for, matches, not_modified
from policykg.web.results import Body
from policykg.web.settings import public_root
from policykg.web.site import rq
from policykg.web.site.graph_index import index_for
from policykg.web.site.local_iris import local_path
from policykg.web.site.site_info import site

COUNTS = [("files", "policy files"), ("instruments", "legal instruments"), ("events", "lifecycle events"),
          ("claims", "date claims checked"), ("positions", "civil-society positions"),
          ("publications", "publications"), ("concepts", "vocabulary concepts")]


@dataclass(frozen=True)
class FileRow:
    label: str
    href: str
    description: str
    status: str
    status_href: str
    as_of: str
    kind: str
    package: str
    package_href: str


def _files(store, index, root: str) -> list[FileRow]:
    rows = []
    for row in rq.rows(store, "files"):
        status = row.get("status")
        package = row.get("package")
        rows.append(FileRow(
            label=row["label"].value, href=local_path(row["file"].value, root),
            description=row["description"].value if "description" in row else "",
            status=row["statusLabel"].value if "statusLabel" in row else (index.label(status.value) if status else ""),
            status_href=local_path(status.value, root) if status else "",
            as_of=row["asOf"].value if "asOf" in row else "",
            kind=row["kindLabel"].value if "kindLabel" in row else "",
            package=index.label(package.value) if package else "",
            package_href=local_path(package.value, root) if package else ""))
    return rows


def _counts(store) -> list[tuple[str, int]]:
    found = rq.rows(store, "counts")
    row = found[0] if found else {}
    return [(label, int(row[key].value) if key in row else 0) for key, label in COUNTS]


def create_blueprint() -> Blueprint:
    blueprint = Blueprint("pages", __name__)

    @blueprint.get("/")
    def home() -> Response:
        endpoint = current_endpoint()
        version = endpoint.store.version
        etag = etag_for("home", version, public_root(endpoint.settings, request.environ))
        if matches(request, etag):
            return not_modified(endpoint.settings, etag, version, False)
        index = index_for(endpoint)
        stats = statistics(endpoint)
        page = render_template(
            "pkg_home.html", site=site(endpoint), files=_files(endpoint.store, index, request.script_root),
            counts=_counts(endpoint.store), triples=stats.triples, graphs=len(stats.graphs),
            root=request.script_root)
        return answer(request, endpoint.settings, Body(page.encode("utf-8"), 0), HTML, etag=etag, version=version,
                      filename="index.html", download=False)

    return blueprint
