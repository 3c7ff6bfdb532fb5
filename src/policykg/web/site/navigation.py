"""What every page's header needs, given to every template: ``site`` (title, version, build, licence) and ``nav``
(the main navigation, the current page marked). A view that passes its own ``site`` keeps it; pages rendered by
other blueprints (the named queries, the service description) get the same header without passing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, request

from policykg.web.context import EXTENSION
from policykg.web.site.site_info import site


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool
    title: str


#: (label, path, paths it is current for, tooltip). Anchors point into the home page's sections.
ITEMS = [
    ("Home", "/", ("/",), "What the graph holds, its version and licence"),
    ("Policy files", "/#files-title", (), "The policy files and where each stands in its lifecycle"),
    ("Lifecycle", "/lifecycle", ("/lifecycle",), "Every policy file on one time axis, official dates apart"),
    ("Named queries", "/queries", ("/queries",), "Ready research questions with stable CSV and JSON links"),
    ("Query editor", "/editor", ("/editor",), "Write SPARQL with completion from the ontology"),
    ("Network", "/network", ("/network",), "Files, instruments, affected groups and positions as a network"),
    ("Downloads", "/#downloads-title", (), "The whole graph as Turtle, TriG, JSON-LD, N-Quads; CSV of the files"),
    ("How to cite", "/cite", ("/cite",), "How to cite the dataset and a query's answer"),
    ("Service description", "/sparql", ("/sparql",), "The SPARQL endpoint: formats, limits, named graphs"),
]


def items(path: str, script_root: str = "") -> list[NavItem]:
    """The navigation for a page at ``path`` (without the script root)."""
    return [NavItem(label, script_root + href, any(path == p or path.startswith(p + "/") for p in current if p != "/")
                    or path in current, title)
            for label, href, current, title in ITEMS]


def create_blueprint() -> Blueprint:
    blueprint = Blueprint("navigation", __name__)

    @blueprint.app_context_processor
    def header() -> dict:
        values: dict = {"nav": items(request.path, request.script_root), "search_query": request.args.get("q", "")
                        if request.path == "/search" else ""}
        endpoint = current_app.extensions.get(EXTENSION)
        if endpoint is not None:
            values["site"] = site(endpoint)
        return values

    return blueprint


__all__ = ["ITEMS", "NavItem", "create_blueprint", "items"]
