"""A SPARQL client for CELLAR-compatible endpoints, on SPARQLWrapper: timeouts, bounded retries with
exponential backoff, batched VALUES queries, and one clear :class:`UpstreamError` when it gives up.

Retried: connection errors, timeouts, HTTP 5xx. Not retried: other HTTP errors (400 for a query the
endpoint refuses, 404 for a wrong address...), which are reported at once.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
import urllib.error
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import JSON, POST, SELECT, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from policykg import __version__
from policykg.errors import PolicyKGError, UpstreamError
from policykg.eurlex.sparql import Term, prepare
from policykg.namespaces import BASE, CELLAR_SPARQL_ENDPOINT

Row = dict[str, Node]

_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry: ``retries`` more attempts after the first, waiting
    ``base_delay * 2**n`` seconds (at most ``max_delay``) before retry n+1."""

    retries: int = 3
    base_delay: float = 1.0
    max_delay: float = 30.0

    def __post_init__(self) -> None:
        if not isinstance(self.retries, int) or self.retries < 0:
            raise PolicyKGError(f"retries must be a whole number >= 0, not {self.retries!r}")
        if self.base_delay < 0 or self.max_delay < 0:
            raise PolicyKGError("retry delays must not be negative")

    def delays(self) -> Iterator[float]:
        """The waits before each retry."""
        for n in range(self.retries):
            yield min(self.base_delay * 2 ** n, self.max_delay)


def check_endpoint(url: str) -> str:
    """``url`` if it is an absolute http(s) URL without user name or password; else a PolicyKGError."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise PolicyKGError(f"endpoint {url!r}: must be an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise PolicyKGError("endpoint: must not contain a user name or password")
    if _SPACE_OR_CONTROL.search(url) or parts.fragment:
        raise PolicyKGError(f"endpoint {url!r}: must not contain spaces, control characters or a #fragment")
    try:
        parts.port
    except ValueError:
        raise PolicyKGError(f"endpoint {url!r}: the port is not a number from 0 to 65535") from None
    return url


class _Retryable(Exception):
    """A failure worth another attempt; ``reason`` says what happened."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CellarClient:
    """Runs SELECT queries against one endpoint and returns rows of rdflib terms."""

    def __init__(self, endpoint: str = CELLAR_SPARQL_ENDPOINT, *, timeout: float = 60.0,
                 retry: RetryPolicy | None = None, batch_size: int = 50,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.endpoint = check_endpoint(endpoint)
        if not timeout or timeout <= 0:
            raise PolicyKGError(f"timeout must be a positive number of seconds, not {timeout!r}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise PolicyKGError(f"batch size must be a whole number >= 1, not {batch_size!r}")
        self.timeout = float(timeout)
        self.retry = retry or RetryPolicy()
        self.batch_size = batch_size
        self._sleep = sleep
        #: Every request sent (one per attempt), for reports and tests.
        self.requests = 0
        #: Retries made after a failed attempt.
        self.retries_made = 0

    # -- queries ---------------------------------------------------------------------------------

    def select(self, query: str) -> list[Row]:
        """Run one SELECT query, retrying as the policy allows."""
        delays = self.retry.delays()
        attempts = 0
        while True:
            attempts += 1
            try:
                return self._select_once(query)
            except _Retryable as failure:
                delay = next(delays, None)
                if delay is None:
                    tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
                    raise UpstreamError(f"SPARQL endpoint {self.endpoint}: {failure.reason} "
                                        f"(gave up after {tries})") from None
                self.retries_made += 1
                self._sleep(delay)

    def select_batched(self, template: str, variable: str, values: Sequence[Term]) -> list[Row]:
        """Run ``template`` once per batch of ``values`` bound to ``?variable``; the rows of all batches."""
        rows: list[Row] = []
        for start in range(0, len(values), self.batch_size):
            batch = values[start:start + self.batch_size]
            rows += self.select(prepare(template, [variable], [[value] for value in batch]))
        return rows

    def batches(self, count: int) -> int:
        """How many requests (without retries) ``count`` values take."""
        return -(-count // self.batch_size)

    # -- one attempt -----------------------------------------------------------------------------

    def _wrapper(self, query: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.endpoint, agent=f"policykg/{__version__} (+{BASE})")
        wrapper.setQuery(query)
        wrapper.queryType = SELECT            # this client only selects; never guess an update form
        wrapper.setMethod(POST)               # long VALUES blocks do not fit in a URL
        wrapper.setReturnFormat(JSON)
        wrapper.setOnlyConneg(True)           # Accept header only: no extra format/output parameters
        wrapper.timeout = self.timeout        # setTimeout() would truncate to whole seconds
        return wrapper

    def _select_once(self, query: str) -> list[Row]:
        wrapper = self._wrapper(query)
        self.requests += 1
        try:
            result = wrapper.query()
            body = result.response.read()
        except urllib.error.HTTPError as error:  # codes SPARQLWrapper does not map (502, 503, 504...)
            raise self._http_failure(error.code, error.reason, _read(error)) from None
        except SPARQLWrapperException as error:  # 400, 401, 404, 414 and 500, mapped by SPARQLWrapper
            code = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404,
                    "URITooLong": 414, "EndPointInternalError": 500}.get(type(error).__name__)
            raise self._http_failure(code, type(error).__name__, str(error)) from None
        except (TimeoutError, socket.timeout):
            raise _Retryable(f"no answer within {self.timeout:g} s") from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise _Retryable(f"no answer within {self.timeout:g} s") from None
            raise _Retryable(f"cannot connect ({_describe(reason)})") from None
        except (ConnectionError, http.client.HTTPException, OSError) as error:
            raise _Retryable(f"the connection failed ({_describe(error)})") from None
        return parse_json_results(body, self.endpoint)

    def _http_failure(self, code: int | None, reason: object, body: str) -> Exception:
        detail = f"HTTP {code} {reason}".strip() if code else str(reason)
        snippet = " ".join(body.split())[:300]
        message = f"answered {detail}" + (f": {snippet}" if snippet else "")
        if code is None or code >= 500:
            return _Retryable(message)
        return UpstreamError(f"SPARQL endpoint {self.endpoint}: {message}")


def parse_json_results(body: bytes, endpoint: str) -> list[Row]:
    """Rows of rdflib terms from SPARQL 1.1 JSON results; an UpstreamError if ``body`` is not that."""
    try:
        document = json.loads(body.decode("utf-8"))
        variables = document["head"]["vars"]
        bindings = document["results"]["bindings"]
        return [{name: _term(cell) for name, cell in row.items() if name in variables} for row in bindings]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise UpstreamError(f"SPARQL endpoint {endpoint}: the answer is not SPARQL JSON results "
                            f"({type(error).__name__}: {error})") from None


def _term(cell: dict) -> Node:
    kind, value = cell["type"], cell["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):  # "typed-literal": older Virtuoso answers
        if "xml:lang" in cell:
            return Literal(value, lang=cell["xml:lang"])
        if "datatype" in cell:
            return Literal(value, datatype=URIRef(cell["datatype"]))
        return Literal(value)
    raise ValueError(f"unknown term type {kind!r}")


def _read(error: urllib.error.HTTPError) -> str:
    try:
        return error.read().decode("utf-8", errors="replace")
    except Exception:  # noqa: BLE001 - the body is only for the message
        return ""


def _describe(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    return str(reason) or type(reason).__name__
