"""Turning an answer into an HTTP response: ETag and 304, Cache-Control, gzip, CORS, downloads, truncation.

An answer is a pure function of the dataset version, the query (with its dataset and base IRI), the format and
the caps, so its ETag is a hash of those, known before the query runs: a client that already has it gets 304
without any evaluation. A :class:`Reply` is a plain value (status, header list, body) that goes out either
straight through WSGI (the ``/sparql`` hot path) or as a Flask response.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass, field
from http import HTTPStatus

from flask import Request, Response
from werkzeug.http import parse_accept_header, parse_etags

from policykg.formats import Format
from policykg.sparql.results import Body
from policykg.web.settings import Settings

#: Headers every answer carries, errors included (a page on another site may read our answers and errors).
CORS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "ETag, Content-Disposition, Content-Length, X-PolicyKG-Dataset-Version, "
                                      "X-PolicyKG-Truncated, X-SPARQL-MaxRows, X-PolicyKG-Timeout, "
                                      "X-PolicyKG-Empty-Graphs"),
]
_STATUS = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def flask(self) -> Response:
        return Response(self.body, status=self.status, headers=self.headers)

    def wsgi(self, start_response, *, head: bool = False) -> list[bytes]:
        headers = self.headers
        if self.status not in (204, 304):
            headers = [*headers, ("Content-Length", str(len(self.body)))]
        start_response(_STATUS.get(self.status, str(self.status)), headers)
        return [b""] if head or self.status in (204, 304) else [self.body]


def etag_for(*parts: object) -> str:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass"), digest_size=16)
    return digest.hexdigest()


def gzip_wanted(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header value accepts gzip (q > 0; werkzeug's parser)."""
    if not accept_encoding:
        return False
    codings = parse_accept_header(accept_encoding)
    named = [q for coding, q in codings if coding.lower() in ("gzip", "x-gzip")]
    return max(named) > 0 if named else codings.quality("gzip") > 0   # else ``*`` decides


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """True when an ``If-None-Match`` header value names this answer (either encoding of it; werkzeug's parser,
    weak comparison as RFC 9110 asks for If-None-Match)."""
    tags = parse_etags(if_none_match)
    return tags.contains_weak(etag) or tags.contains_weak(etag + "-gz")


def cache_headers(settings: Settings, etag: str, version: str, *, gzipped: bool) -> list[tuple[str, str]]:
    return [
        *CORS,
        ("ETag", f'"{etag}-gz"' if gzipped else f'"{etag}"'),
        ("Vary", "Accept, Accept-Encoding"),
        ("Cache-Control", "no-cache" if settings.updates_enabled else f"public, max-age={settings.cache_max_age}"),
        ("X-PolicyKG-Dataset-Version", version),
    ]


def not_modified_reply(settings: Settings, etag: str, version: str, gzip_ok: bool) -> Reply:
    return Reply(304, cache_headers(settings, etag, version, gzipped=gzip_ok))


def answer_reply(settings: Settings, body: Body, fmt: Format, *, etag: str, version: str, filename: str,
                 download: bool, accept_encoding: str | None, limit_note: str = "",
                 extra: list[tuple[str, str]] | None = None) -> Reply:
    """The 200 answer: gzip when wanted and worth it, caching, CORS, download name, truncation headers."""
    data = body.data
    gzipped = len(data) >= settings.gzip_min_size and gzip_wanted(accept_encoding)
    if gzipped:
        data = gzip.compress(data, compresslevel=6, mtime=0)
    headers = cache_headers(settings, etag, version, gzipped=gzipped)
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))
    headers += [("Content-Type", fmt.content_type),
                ("Content-Disposition", f'{"attachment" if download else "inline"}; filename="{filename}"'),
                ("X-Content-Type-Options", "nosniff")]
    if body.truncated:
        limit = settings.max_rows if body.truncated == "rows" else settings.max_bytes
        unit = "rows" if body.truncated == "rows" else "bytes"
        headers.append(("X-PolicyKG-Truncated", f"{body.truncated}; limit={limit} {unit}; kept={body.count}"
                        + (f"; note={limit_note}" if limit_note else "")))
        if body.truncated == "rows":
            headers.append(("X-SPARQL-MaxRows", str(settings.max_rows)))
    if extra:
        headers += extra
    return Reply(200, headers, data)


# The same for Flask views (the Graph Store, the service description, the named queries).

def accepts_gzip(request: Request) -> bool:
    return gzip_wanted(request.headers.get("Accept-Encoding"))


def matches(request: Request, etag: str) -> bool:
    return etag_matches(request.headers.get("If-None-Match"), etag)


def not_modified(settings: Settings, etag: str, version: str, gzip_ok: bool) -> Response:
    return not_modified_reply(settings, etag, version, gzip_ok).flask()


def answer(request: Request, settings: Settings, body: Body, fmt: Format, *, etag: str, version: str,
           filename: str, download: bool, limit_note: str = "", extra: list[tuple[str, str]] | None = None
           ) -> Response:
    return answer_reply(settings, body, fmt, etag=etag, version=version, filename=filename, download=download,
                        accept_encoding=request.headers.get("Accept-Encoding"), limit_note=limit_note,
                        extra=extra).flask()


def preflight(methods: str) -> Reply:
    return Reply(204, [*CORS, ("Access-Control-Allow-Methods", methods),
                       ("Access-Control-Allow-Headers", "Accept, Content-Type, Authorization, If-None-Match"),
                       ("Access-Control-Max-Age", "86400"), ("Allow", methods)])
