"""One error shape for every failed request: ``{"error": "what was wrong", "status": 400}``, never a traceback.

Library errors (:class:`~policykg.errors.PolicyKGError`) carry their HTTP status; protocol errors found in
``web/`` raise :class:`HttpError`; Werkzeug's own (404, 405, 413...) and anything unexpected (500) get the same
shape, in the Flask views and in the WSGI handler of ``/sparql`` alike (:func:`reply_for`).
"""

from __future__ import annotations

import json
import logging

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from policykg.errors import PolicyKGError

log = logging.getLogger("policykg.web")

_MESSAGES = {
    404: "no such resource; the SPARQL endpoint is /sparql",
    405: "method not allowed here",
    413: "the request body is larger than this endpoint accepts",
    414: "the request URL is longer than this endpoint accepts; send the query by POST",
}


class HttpError(Exception):
    """A request the SPARQL or Graph Store protocol does not allow; ``headers`` go on the error response."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_body(status: int, message: str) -> bytes:
    return json.dumps({"error": message, "status": status}, ensure_ascii=False).encode("utf-8")


def error_reply(status: int, message: str, headers: dict[str, str] | None = None):
    from policykg.web.respond import CORS, Reply

    return Reply(status, [*CORS, ("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                          ("X-Content-Type-Options", "nosniff"), *(headers or {}).items()],
                 error_body(status, message))


def reply_for(error: BaseException):
    """The error reply for any exception raised while answering."""
    if isinstance(error, HttpError):
        return error_reply(error.status, error.message, error.headers)
    if isinstance(error, PolicyKGError):
        return error_reply(error.http_status, str(error))
    if isinstance(error, HTTPException):
        status = error.code or 500
        headers = {}
        valid_methods = getattr(error, "valid_methods", None)  # set on werkzeug's MethodNotAllowed
        if status == 405 and valid_methods:
            headers["Allow"] = ", ".join(valid_methods)
        return error_reply(status, _MESSAGES.get(status, error.description or error.name), headers)
    log.error("unexpected error", exc_info=error)
    return error_reply(500, "internal error; it has been logged")


def install(app: Flask) -> None:
    """Register the handler that gives every error of the Flask views the one JSON shape."""

    @app.errorhandler(Exception)
    def _any(error: Exception) -> Response:
        return reply_for(error).flask()
