"""The endpoint's limits and switches, in one value that the app, the service description and the CLI share."""

from __future__ import annotations

from dataclasses import dataclass, field

from policykg.errors import QueryParameterError
from policykg.sparql.guard import Limits

#: The request parameter that lowers the time limit of one query, on /sparql and on the named-query URLs alike.
TIME_LIMIT_PARAMETER = "timeout"


@dataclass(frozen=True)
class Settings:
    timeout: float = 10.0                  # hard limit per query or update, seconds; ?timeout= may only lower it
    max_rows: int = 10_000                 # rows (SELECT) or triples (CONSTRUCT, DESCRIBE) in one answer
    max_bytes: int = 32 * 1024 * 1024      # bytes of one answer before compression
    max_body: int = 1024 * 1024            # request body of a query or update
    max_upload: int = 256 * 1024 * 1024    # request body of a Graph Store upload (token holders only)
    max_url: int = 128 * 1024              # GET request target; longer gets 414
    max_query_memory: int = 1 << 30        # memory one query may add to its worker process
    header_timeout: float = 10.0           # seconds a connection may take to send a request's head (or stay idle)
    body_timeout: float = 60.0             # seconds a request's body may take to arrive
    limits: Limits = field(default_factory=Limits)
    # None: read-only; else updates and uploads need "Bearer <token>". Kept out of repr and comparison: the settings
    # are an input of public ETags and may be logged, and a secret must reach neither.
    update_token: str | None = field(default=None, repr=False, compare=False)
    # The public root URL of every absolute link in an answer (--base-url); None: the address the server listens on.
    # Never the request's Host header: a forged Host must not reach an answer that caches may keep.
    base_url: str | None = None
    cache_max_age: int = 300               # Cache-Control max-age of answers (read-only endpoints)
    gzip_min_size: int = 1024              # answers at least this big are gzipped for clients that accept it

    @property
    def updates_enabled(self) -> bool:
        return bool(self.update_token)


def requested_time_limit(given: str | None) -> float | None:
    """The seconds a request asks for with ``?timeout=`` (None when it asks nothing); it may only lower the
    endpoint's limit. A value that is not a positive number is a QueryParameterError (400) naming the parameter."""
    if given is None:
        return None
    try:
        seconds = float(given)
    except ValueError:
        raise QueryParameterError(TIME_LIMIT_PARAMETER, f"expected a number of seconds, got {given[:50]!r}") from None
    if not seconds > 0:
        raise QueryParameterError(TIME_LIMIT_PARAMETER, "must be a positive number of seconds")
    return seconds


def public_root(settings: Settings, environ: dict) -> str:
    """The root URL of this server as answers write it: ``settings.base_url``, else the scheme and the address the
    server is bound to (WSGI's SERVER_NAME and SERVER_PORT, which gunicorn takes from the listening socket), and
    the path the app is mounted at."""
    if settings.base_url:
        return settings.base_url.rstrip("/")
    name, port = environ.get("SERVER_NAME", "localhost"), str(environ.get("SERVER_PORT", "80"))
    scheme = environ.get("wsgi.url_scheme", "http")
    host = f"[{name}]" if ":" in name else name
    default = (scheme == "http" and port == "80") or (scheme == "https" and port == "443")
    return f"{scheme}://{host}{'' if default or not port else ':' + port}{environ.get('SCRIPT_NAME', '')}"
