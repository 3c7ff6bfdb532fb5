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
    limits: Limits = field(default_factory=Limits)
    # None: read-only; else updates and uploads need "Bearer <token>". Kept out of repr and comparison: the settings
    # are an input of public ETags and may be logged, and a secret must reach neither.
    update_token: str | None = field(default=None, repr=False, compare=False)
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
