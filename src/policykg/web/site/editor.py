"""The query editor (``/editor``): YASGUI served from this machine, querying this server's ``/sparql``, with the
named queries as examples, completion of prefixes, classes and properties from ``/editor/terms.json`` (our
prefixes, the ontology's terms and the VoID partitions; never prefix.cc or LOV), share links and clear messages
for errors, timeouts and capped answers.

Without the editor's built files (``policykg.web.site.assets``: npm was not run) the page is a plain form that sends the
query to ``/sparql``, and says how to build them. ``?query=`` fills the editor (a share link); ``?example=NAME``
opens a named query, ``&run=1`` runs it (or the query of a share link) as the page opens, and ``&view=chart`` shows
the answer in the Chart view.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request

from policykg.errors import PolicyKGError
from policykg.formats import RESULT_FORMATS
from policykg.namespaces import BASE, PREFIXES
from policykg.queries.registry import QueryRegistry
from policykg.web.context import current_endpoint
from policykg.web.endpoint.service_description import statistics
from policykg.web.endpoint.sparql import endpoint_url
from policykg.web.site import rq
from policykg.web.site.assets import asset_status
from policykg.web.site.site_info import site

YASGUI_FILES = ("yasgui/yasgui.min.js", "yasgui/yasgui.min.css")
BUILD_COMMAND = "python -c \"from pathlib import Path; from policykg.web.site.assets import build_assets; " \
                "build_assets(Path('frontend'))\""


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    query: str


def examples(registry: QueryRegistry) -> list[Example]:
    """Each named query with its parameters bound to their defaults (a ``VALUES`` block the reader can edit)."""
    found = []
    for query in registry.values():
        try:
            text, _ = query.prepare({}, substitutions=False)
        except PolicyKGError:  # a required parameter without a default: the query as written
            text = query.body
        found.append(Example(query.name, query.title, query.description, text))
    return found


def terms(endpoint) -> dict:
    """Prefixes, classes and properties for completion: what the ontology declares and what the data uses."""
    stats = statistics(endpoint)
    classes = {cls for cls, _ in stats.classes}
    properties = {prop for prop, _ in stats.properties}
    for row in rq.rows(endpoint.store, "terms"):
        (classes if row["kind"].value == "class" else properties).add(row["term"].value)
    return {"prefixes": dict(sorted(PREFIXES.items())), "classes": sorted(classes), "properties": sorted(properties)}


def create_blueprint(registry: QueryRegistry | Callable[[], QueryRegistry]) -> Blueprint:
    blueprint = Blueprint("editor", __name__)
    get_registry = registry if callable(registry) else (lambda: registry)

    @blueprint.get("/editor")
    def page() -> str:
        endpoint = current_endpoint()
        found = examples(get_registry())
        chosen = next((e for e in found if e.name == request.args.get("example")), None)
        default = rq.text("editor_default")
        query = request.args.get("query") or (chosen.query if chosen else default)
        present = asset_status().present
        config = {
            "endpoint": endpoint_url(request.environ, current_endpoint().settings),
            "base": BASE,                       # our IRIs: their links in the results open this server's pages
            "root": request.script_root,
            "prefixes": PREFIXES,               # shown as prefixed names in the results
            "terms": request.script_root + "/editor/terms.json",
            "defaultQuery": default,
            "example": chosen.name if chosen else None,
            "run": request.args.get("run", "").lower() in ("1", "true", "yes"),
            "view": "chart" if request.args.get("view") == "chart" else None,
            "examples": [e.__dict__ for e in found],
            "timeout": endpoint.settings.timeout,
            "maxRows": endpoint.settings.max_rows,
            "maxMegabytes": endpoint.settings.max_bytes // (1024 * 1024),
        }
        return render_template("pkg_editor.html", site=site(endpoint), config=config, examples=found,
                               query=query, chosen=chosen, formats=RESULT_FORMATS,
                               has_yasgui=all(f"{name}" in present for name in YASGUI_FILES),
                               build_command=BUILD_COMMAND, settings=endpoint.settings,
                               endpoint=config["endpoint"])

    @blueprint.get("/editor/terms.json")
    def terms_json() -> Response:
        endpoint = current_endpoint()
        key = f"editor-terms:{endpoint.store.version}"
        if key not in endpoint.cache:
            endpoint.cache[key] = json.dumps(terms(endpoint), ensure_ascii=False).encode("utf-8")
        response = Response(endpoint.cache[key], mimetype="application/json")
        response.headers["Cache-Control"] = f"public, max-age={endpoint.settings.cache_max_age}"
        return response

    return blueprint
