"""The web pages in one call: ``install(app, registry=...)`` registers the home page, the query editor, the resource
pages, the pictures, the downloads, the queries' documentation and how to cite on an app made by
:func:`policykg.web.create_app`."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from policykg.queries.registry import QueryRegistry
from policykg.web.site import cite, docs, downloads, editor, pages, pictures_routes, resources


def install(app: Flask, *, registry: QueryRegistry | Callable[[], QueryRegistry]) -> Flask:
    """Register the pages' blueprints; ``registry`` gives the named queries the editor offers as examples."""
    app.register_blueprint(pages.create_blueprint())
    app.register_blueprint(editor.create_blueprint(registry))
    app.register_blueprint(resources.create_blueprint())
    app.register_blueprint(pictures_routes.create_blueprint())
    app.register_blueprint(downloads.create_blueprint())
    app.register_blueprint(docs.create_blueprint(registry))
    app.register_blueprint(cite.create_blueprint(registry))
    return app
