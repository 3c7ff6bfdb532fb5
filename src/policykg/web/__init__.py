"""The web application: ``create_app(store, settings, *, registry=...)`` builds all of it.

Two halves: :mod:`.endpoint` speaks the standards (``/sparql``: SPARQL 1.1 Protocol; ``/store``: Graph Store
Protocol; ``/.well-known/void``: service description and VoID) and :mod:`.site` makes the pages for people and the
named-query URLs (``/``, ``/editor``, ``/queries/NAME.csv``, resource pages, pictures, downloads). Every error has
one JSON shape (:mod:`.errors`). What the halves share is the :class:`~.context.Endpoint` that
:func:`~.context.current_endpoint` returns. Served by ``policykg serve`` under gunicorn
(:mod:`.endpoint.server`), never by Flask's development server: the hard time limit needs the worker's socket.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from policykg.queries.registry import QueryRegistry
from policykg.store.local import Store
from policykg.web.context import EXTENSION, Endpoint, current_endpoint
from policykg.web.endpoint.sparql import SparqlApp
from policykg.web.endpoint.watchdog import Watchdog
from policykg.web.settings import Settings


def create_app(store: Store, settings: Settings | None = None, *, registry: QueryRegistry | None = None,
               dump_dir: Path | None = None) -> Flask:
    """The whole application over ``store``: the endpoint, the named queries of ``registry`` (none by default)
    and the pages."""
    from policykg.web import errors
    from policykg.web.endpoint import graph_store, service_description
    from policykg.web.site import install as site
    from policykg.web.site import lookup, named_queries, navigation, search

    settings = settings or Settings()
    registry = registry if registry is not None else QueryRegistry([])
    app = Flask(__name__)
    app.config.update(
        DEBUG=False, TESTING=False, PROPAGATE_EXCEPTIONS=False, TRAP_BAD_REQUEST_ERRORS=False,
        MAX_CONTENT_LENGTH=settings.max_body, MAX_FORM_MEMORY_SIZE=settings.max_body,
        JSON_SORT_KEYS=False,
    )
    endpoint = Endpoint(store, settings, Watchdog(max_memory=settings.max_query_memory), dump_dir=dump_dir)
    app.extensions[EXTENSION] = endpoint
    errors.install(app)

    @app.after_request
    def _cors(response):  # Flask's own answers (automatic OPTIONS, HEAD) are readable from any page too
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        return response

    app.register_blueprint(graph_store.blueprint)
    app.register_blueprint(service_description.blueprint)
    app.register_blueprint(named_queries.create_blueprint(registry))
    site.install(app, registry=registry)
    app.register_blueprint(navigation.create_blueprint())
    app.register_blueprint(lookup.create_blueprint())
    app.register_blueprint(search.create_blueprint(registry))
    app.wsgi_app = _Dispatch(app.wsgi_app, SparqlApp(endpoint, app.wsgi_app))  # type: ignore[method-assign]
    return app


class _Dispatch:
    """``/sparql`` to the WSGI handler of the protocol, everything else to Flask."""

    def __init__(self, flask_app, sparql_app) -> None:
        self.flask_app = flask_app
        self.sparql_app = sparql_app

    def __call__(self, environ: dict, start_response):
        if environ.get("PATH_INFO") == "/sparql":
            return self.sparql_app(environ, start_response)
        return self.flask_app(environ, start_response)


__all__ = ["Endpoint", "Settings", "create_app", "current_endpoint"]
