"""The web application: ``create_app(store, settings)``.

Blueprints: ``/sparql`` (SPARQL 1.1 Protocol, :mod:`.sparql`), ``/store`` (Graph Store Protocol,
:mod:`.graph_store`), ``/.well-known/void`` (:mod:`.service_description`). Every error has one JSON shape
(:mod:`.errors`). Served by ``policykg serve`` under gunicorn (:mod:`.server`), never by Flask's development server:
the hard time limit needs the worker's socket (:mod:`.watchdog`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from policykg.store import Store
from policykg.web.settings import Settings
from policykg.web.sparql import SparqlApp, stopped_response
from policykg.web.watchdog import Watchdog


@dataclass
class Endpoint:
    """What the blueprints share: the store, the settings, the watchdog and cached statistics."""

    store: Store
    settings: Settings
    watchdog: Watchdog
    cache: dict[str, Any] = field(default_factory=dict)
    dump_dir: Path | None = None      # where whole-dataset dumps are written (a temporary folder by default)

    def arm(self, seconds: float, limit: float, environ: dict | None = None):
        """Start the hard time limit (``seconds`` left of ``limit``) for the request being answered (``environ``, or
        Flask's current request). Returns a job for :meth:`disarm`. Without a gunicorn worker socket (a test
        client, another server) there is nothing to answer on, so no limit is armed and None is returned."""
        if environ is None:
            from flask import request

            environ = request.environ
        sock = environ.get("gunicorn.socket")
        if sock is None:
            return None
        return self.watchdog.arm(max(seconds, 0.0), sock,
                                 stopped_response(limit, self.settings, environ["REQUEST_METHOD"] == "HEAD"))

    def disarm(self, job) -> None:
        if job is not None:
            self.watchdog.disarm(job)


def create_app(store: Store, settings: Settings | None = None, *, dump_dir: Path | None = None) -> Flask:
    settings = settings or Settings()
    app = Flask(__name__)
    app.config.update(
        DEBUG=False, TESTING=False, PROPAGATE_EXCEPTIONS=False, TRAP_BAD_REQUEST_ERRORS=False,
        MAX_CONTENT_LENGTH=settings.max_body, MAX_FORM_MEMORY_SIZE=settings.max_body,
        JSON_SORT_KEYS=False,
    )
    app.extensions["policykg"] = Endpoint(store, settings, Watchdog(max_memory=settings.max_query_memory),
                                          dump_dir=dump_dir)
    from policykg.web import errors, graph_store, service_description

    errors.install(app)

    @app.after_request
    def _cors(response):  # Flask's own answers (automatic OPTIONS, HEAD) are readable from any page too
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        return response

    app.register_blueprint(graph_store.blueprint)
    app.register_blueprint(service_description.blueprint)
    app.wsgi_app = _Dispatch(app.wsgi_app, SparqlApp(app.extensions["policykg"], app.wsgi_app))
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


__all__ = ["Endpoint", "Settings", "create_app"]
