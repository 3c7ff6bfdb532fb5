"""What every part of the web application shares, and the one typed way to reach it.

:class:`Endpoint` holds the store, the settings, the watchdog, and cached statistics;
:func:`current_endpoint` returns the one of the running app (in a request) or of ``app``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from policykg.store.local import Store
from policykg.web.endpoint.sparql import stopped_response
from policykg.web.endpoint.watchdog import Watchdog
from policykg.web.settings import Settings

EXTENSION = "policykg"


class SharedCache(dict):
    """The per-process cache of the app. A worker process may answer two requests at once (the update-enabled
    server's threaded worker): reading, writing and clearing an entry are single steps, and iterating walks a
    snapshot of the keys, so a thread that lists the entries never sees another change them midway."""

    def __iter__(self):
        return iter(list(dict.keys(self)))


@dataclass
class Endpoint:
    """What the blueprints share: the store, the settings, the watchdog and cached statistics."""

    store: Store
    settings: Settings
    watchdog: Watchdog
    cache: dict[str, Any] = field(default_factory=SharedCache)
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


def current_endpoint(app: Flask | None = None) -> Endpoint:
    """The :class:`Endpoint` of ``app``, or of the app answering the current request."""
    endpoint = (app or current_app).extensions[EXTENSION]
    assert isinstance(endpoint, Endpoint), "the app was not made by policykg.web.create_app"
    return endpoint
