"""``/docs/queries.md``: the named queries' documentation, the same text as ``docs/queries.md`` (generated from the
headers of ``queries/*.rq`` by :func:`policykg.queries.docs.render_markdown`), so that the server carries its docs."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response

from policykg.queries.docs import render_markdown
from policykg.queries.registry import QueryRegistry


def create_blueprint(registry: QueryRegistry | Callable[[], QueryRegistry]) -> Blueprint:
    blueprint = Blueprint("docs", __name__)
    get_registry = registry if callable(registry) else (lambda: registry)

    @blueprint.get("/docs/queries.md")
    def queries() -> Response:
        return Response(render_markdown(get_registry()), mimetype="text/markdown")

    return blueprint
