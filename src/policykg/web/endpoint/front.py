"""The front: the one process that reads HTTP from clients, so that a slow or idle client costs a socket, not a
query worker.

It is an aiohttp server (one asyncio process) on the public address. It reads each request whole, within limits,
before any worker sees it:

* a connection that has not sent a complete request head within ``header_timeout`` seconds is closed (an idle
  connection, or headers sent a byte at a time); the request line is capped (414), a header field too (431);
* the body must arrive within ``body_timeout`` seconds (408) and stay under its cap (413: ``max_upload`` for the
  Graph Store, ``max_body`` elsewhere), chunked or not;
* then :mod:`.admission` decides when a worker gets it (503 + Retry-After when none can in time);
* the complete request goes to the gunicorn workers over a unix socket, one for expensive requests and one for
  lookups; the answer streams back as the worker writes it (answers are capped by the app itself), and so does the
  watchdog's 503 when a query runs out of time.

The workers never see a client: gunicorn's own parser reads only complete, capped requests from this process.
Run as ``python -m policykg.web.endpoint.front CONFIG FD``: the listening socket is inherited as descriptor FD and
the configuration (no secrets) is JSON.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
import socket
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import cast

import aiohttp
import uvloop
from aiohttp import web
from aiohttp.http_exceptions import LineTooLong

from policykg.web.endpoint.admission import Admission, Refused, is_expensive

log = logging.getLogger("policykg.web")

#: Headers of one connection, not of the request or the answer: never passed on.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "content-length", "expect"})
CORS = {"Access-Control-Allow-Origin": "*"}


def _passed_on(name: str) -> bool:
    """Whether a client's request header goes to the workers. Not the proxy headers: gunicorn trusts them from
    a unix socket, and a client must not choose the scheme or the address the app believes it has."""
    name = name.lower()
    return name not in HOP_BY_HOP and name != "forwarded" and not name.startswith("x-forwarded-")


@dataclass(frozen=True)
class FrontConfig:
    queries: str                    # the workers' unix socket for expensive requests
    pages: str                      # and the one for lookups (see .server)
    expensive: int                  # expensive requests handed on at once, running or queued in the workers' socket
    lookups: int                    # lookups handed on at once
    timeout: float                  # the query time limit: how long an expensive request may wait for a worker
    max_line: int                   # request line, bytes
    max_body: int
    max_upload: int
    header_timeout: float = 10.0
    body_timeout: float = 60.0
    max_field: int = 8190           # one header line, bytes
    max_headers: int = 100
    access_log: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> FrontConfig:
        return cls(**json.loads(text))


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    body = json.dumps({"error": message, "status": status}, ensure_ascii=False).encode("utf-8")
    return web.Response(status=status, body=body, content_type="application/json",
                        headers={**CORS, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                                 **(headers or {})})


class _Handler(web.RequestHandler):
    """aiohttp's connection handler, answering a request line or header over its cap with 414 or 431 (aiohttp
    answers 400 to both) in the endpoint's error shape."""

    _front_max_line = 0  # the request-line cap, to tell it from the header cap

    def handle_error(self, request, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        if isinstance(exc, LineTooLong):
            limit = exc.args[1] if len(exc.args) > 1 else None
            response = (_error(414, f"the request line is longer than {limit} bytes; send the query by POST")
                        if limit == self._front_max_line else
                        _error(431, f"a request header is longer than {limit} bytes"))
        elif status == 400:
            response = _error(400, f"malformed HTTP request: {message or exc}"[:300])
        else:
            return super().handle_error(request, status, exc, message)
        response.force_close()
        return response


class _Server(web.Server):
    def __init__(self, *args, max_line: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._max_line = max_line

    def __call__(self) -> web.RequestHandler:
        handler = _Handler(self, loop=self._loop, **self._kwargs)
        handler._front_max_line = self._max_line
        return handler


class Front:
    def __init__(self, config: FrontConfig) -> None:
        self.config = config
        # an expensive request may wait out one runaway ahead of it, then some: not two
        self.admission = Admission(expensive=config.expensive, lookups=config.lookups, deadline=2 * config.timeout)
        self.retry_after = str(max(1, round(config.timeout)))
        # gunicorn's own last resort, then some: past one query queued ahead in the workers' socket and its own
        self.read_limit = max(60.0, config.timeout * 3) + 5
        self.held = 0                  # bytes of answers read from workers and not yet sent to their clients
        self.budget = 256 * 1024 * 1024
        self.paused: set[_Upstream] = set()  # workers' connections not read while the budget is spent

    async def start(self, sock: socket.socket) -> asyncio.AbstractServer:
        server = _Server(self.handle, max_line=self.config.max_line,
                         max_line_size=self.config.max_line, max_field_size=self.config.max_field,
                         max_headers=self.config.max_headers, keepalive_timeout=self.config.header_timeout,
                         access_log=logging.getLogger("policykg.access") if self.config.access_log else None,
                         access_log_format='%a "%r" %s %b %Tf')
        return await asyncio.get_running_loop().create_server(server, sock=sock, backlog=1024)

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        body = await self._body(request)
        if isinstance(body, web.StreamResponse):
            return body
        expensive = is_expensive(request.method, request.path, request.query_string)
        try:
            await self.admission.acquire(expensive)
        except Refused as refused:
            return _error(503, f"the endpoint is busy ({refused.reason}); try again later",
                          {"Retry-After": self.retry_after})
        released = False

        def release() -> None:  # as soon as the worker has given its whole answer, not when the client has it
            nonlocal released
            if not released:
                released = True
                self.admission.release(expensive)

        try:
            return await self._forward(request, body, release, expensive)
        finally:
            release()

    async def _body(self, request: web.BaseRequest) -> bytes | web.StreamResponse:
        cap = self.config.max_upload if request.path == "/store" else self.config.max_body
        if request.content_length is not None and request.content_length > cap:
            response = _error(413, f"the request body is larger than this endpoint accepts ({cap} bytes)")
            response.force_close()  # the body is never read: the connection cannot carry another request
            return response
        if not request.body_exists:
            return b""
        if request.headers.get("Expect", "").lower() == "100-continue":  # the client waits for this to send it
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        chunks: list[bytes] = []
        size = 0

        async def read() -> bool:
            nonlocal size
            async for chunk in request.content.iter_any():
                size += len(chunk)
                if size > cap:
                    return False
                chunks.append(chunk)
            return True

        try:
            within = await asyncio.wait_for(read(), self.config.body_timeout)
        except TimeoutError:
            response = _error(408, f"the request body did not arrive within {self.config.body_timeout:g} s")
            response.force_close()
            return response
        if not within:
            response = _error(413, f"the request body is larger than this endpoint accepts ({cap} bytes)")
            response.force_close()
            return response
        return b"".join(chunks)

    async def _forward(self, request: web.BaseRequest, body: bytes, done: Callable[[], None],
                       expensive: bool) -> web.StreamResponse:
        upstream = _Upstream(self, done, head_only=request.method == "HEAD")
        try:  # whatever ends this (a client that left included), the answer's bytes are let go
            return await self._relay(request, body, upstream, self.config.queries if expensive else self.config.pages)
        finally:
            upstream.abandon()

    async def _relay(self, request: web.BaseRequest, body: bytes, upstream: _Upstream,
                     path: str) -> web.StreamResponse:
        try:
            await asyncio.get_running_loop().create_unix_connection(lambda: upstream, path)
            upstream.send(_request_head(request, body) + body)
            status, reason, headers, length = await upstream.ready
        except (_UpstreamError, OSError) as error:
            log.warning("no answer from the query workers: %s", error)
            return _error(502, "the query worker ended without an answer; try again")
        if upstream.complete and request.method != "HEAD":  # most answers: here whole, sent in one write
            return web.Response(status=status, reason=reason, body=upstream.take_all(), headers=headers)
        response = web.StreamResponse(status=status, reason=reason, headers=headers)
        if length is not None:
            response.content_length = length
        try:
            await response.prepare(request)
            while (chunk := await upstream.next()) is not None:
                await response.write(chunk)
            await response.write_eof()
        except (_UpstreamError, OSError, aiohttp.ClientError) as error:  # the client or the worker went away
            log.info("answer cut short: %s", error)
            response.force_close()
        return response


def _request_head(request: web.BaseRequest, body: bytes) -> bytes:
    """The request as the workers read it: HTTP/1.0, so that gunicorn writes the answer as it comes and closes
    the connection at its end (no chunked coding to undo), with the client's own end-to-end headers."""
    lines = [f"{request.method} {request.raw_path} HTTP/1.0"]
    lines.extend(f"{name}: {value}" for name, value in request.headers.items() if _passed_on(name))
    if body or request.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _UpstreamError(Exception):
    """The worker's side of an answer failed: no head, a malformed head, or silence past the read limit."""


class _Upstream(asyncio.Protocol):
    """One request's connection to a worker and its answer on the way to a client. The worker's side is read as
    fast as the worker writes (the answer is capped by the app), so that a client that reads slowly holds memory
    in the front, not a worker; past ``Front.budget`` bytes held for all clients together, reading pauses until
    clients have taken some. The answer ends where the worker closes the connection (HTTP/1.0).

    :attr:`ready` is set once the client's side can start: when an answer of known length is here whole (most
    are: one write to the client), or holds ``_EARLY`` bytes, or has no length (streamed), or has ended."""

    _MAX_HEAD = 256 * 1024
    _EARLY = 256 * 1024

    def __init__(self, front: Front, done: Callable[[], None], *, head_only: bool = False) -> None:
        self.front = front
        self.done = done  # gives the worker's slot back; called once its answer is whole, and again at the end
        self.head_only = head_only
        loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[tuple[int, str, list[tuple[str, str]], int | None]] = loop.create_future()
        self.head: tuple[int, str, list[tuple[str, str]], int | None] | None = None
        self.expected: int | None = None  # bytes of body the head announces (0: none to come)
        self.received = 0
        self.transport: asyncio.Transport | None = None
        self.buffer = b""                  # the head, until it is complete
        self.chunks: deque[bytes] = deque()
        self.held = 0
        self.ended = False
        self.error: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.abandoned = False
        self.timer = loop.call_later(front.read_limit, self._silent)

    # the worker's side
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def send(self, request: bytes) -> None:
        """Send the whole request and close this side for writing: gunicorn, once it has written its answer,
        waits (in its graceful close) until it reads the end of what this side sends; it finds it at once."""
        assert self.transport is not None
        self.transport.write(request)
        self.transport.write_eof()

    def data_received(self, data: bytes) -> None:
        self._rearm()
        if self.head is None:
            self.buffer += data
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > self._MAX_HEAD:
                    self._fail(_UpstreamError("the worker's answer head is too long"))
                return
            head, data = self.buffer[:end], self.buffer[end + 4:]
            self.buffer = b""
            try:
                self.head = _parse_head(head)
            except ValueError as error:
                self._fail(_UpstreamError(f"malformed answer head from the worker: {error}"))
                return
            status, length = self.head[0], self.head[3]
            self.expected = 0 if self.head_only or status in (204, 304) or status < 200 else length
        self.received += len(data)
        if self.expected is not None and self.received >= self.expected:
            # The answer is whole: the worker's slot goes back now, and this end closes at once, because gunicorn
            # waits (in its graceful close) until the other end has closed before it takes the next request.
            self.done()
            if self.transport is not None:
                self.transport.close()
        if not self.ready.done() and (self.expected is None or self.received >= self.expected
                                      or self.received >= self._EARLY):
            self.ready.set_result(self.head)
        if data and not self.abandoned:
            self._hold(len(data))
            self.chunks.append(data)
            if self.front.held > self.front.budget and self.transport is not None:
                self.transport.pause_reading()
                self.front.paused.add(self)
            self._wake()

    def eof_received(self) -> bool:
        return False  # close the connection: the answer is complete

    def connection_lost(self, exc: Exception | None) -> None:
        self.timer.cancel()
        self.front.paused.discard(self)
        if self.head is None and not self.ready.done():
            self.ready.set_exception(_UpstreamError(f"the worker closed the connection before answering ({exc})"))
            self.ready.exception()  # retrieved: a client that left does not await it
        elif exc is not None and self.error is None:
            self.error = _UpstreamError(f"the worker's connection failed: {exc}")
        elif self.expected is not None and self.received < self.expected and self.error is None:
            self.error = _UpstreamError(f"the worker's answer ended after {self.received} of {self.expected} bytes")
        if self.head is not None and not self.ready.done():
            self.ready.set_result(self.head)
        self.ended = True
        self.done()
        self._wake()

    def _silent(self) -> None:
        self._fail(_UpstreamError(f"no answer from the worker for {self.front.read_limit:g} s"))

    def _rearm(self) -> None:
        self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(self.front.read_limit, self._silent)

    def _fail(self, error: _UpstreamError) -> None:
        if not self.ready.done():
            self.ready.set_exception(error)
            self.ready.exception()
        self.error = self.error or error
        if self.transport is not None:
            self.transport.abort()  # connection_lost follows: the answer ends there

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def _hold(self, size: int) -> None:
        self.held += size
        self.front.held += size
        if size < 0 and self.front.paused and self.front.held <= self.front.budget:
            for paused in list(self.front.paused):
                self.front.paused.discard(paused)
                if paused.transport is not None:
                    paused.transport.resume_reading()

    # the client's side
    @property
    def complete(self) -> bool:
        """The whole answer is here, and nothing went wrong on the way."""
        return self.error is None and (self.ended or (self.expected is not None and self.received >= self.expected))

    def take_all(self) -> bytes:
        data = b"".join(self.chunks)
        self.abandon()
        return data

    async def next(self) -> bytes | None:
        """The next part of the answer, ``None`` at its end."""
        while not self.chunks:
            if self.error is not None:
                raise self.error
            if self.ended:
                return None
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter
        chunk = self.chunks.popleft()
        self._hold(-len(chunk))
        return chunk

    def abandon(self) -> None:
        """The client is gone or served: drop what is held; the worker's answer is still read to its end."""
        self.abandoned = True
        self.chunks.clear()
        self._hold(-self.held)
        if self.transport is None and not self.ended:  # never connected
            self.timer.cancel()
            self.ended = True
            self.done()


def _parse_head(head: bytes) -> tuple[int, str, list[tuple[str, str]], int | None]:
    """Status, reason, end-to-end headers and Content-Length of an answer head written by gunicorn."""
    status_line, *lines = head.decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/") or not code.isdigit():
        raise ValueError(status_line[:100])
    headers: list[tuple[str, str]] = []
    length = None
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise ValueError(line[:100])
        key = name.strip().lower()
        if key == "content-length":
            if not value.strip().isdigit():
                raise ValueError(line[:100])
            length = int(value)
        elif key not in HOP_BY_HOP:
            headers.append((name.strip(), value.strip()))
    return int(code), reason, headers, length


async def _serve(config: FrontConfig, sock: socket.socket) -> None:
    front = Front(config)
    server = await front.start(sock)
    parent = os.getppid()
    async with server:
        while os.getppid() == parent:  # the master is gone: so is this front
            await asyncio.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    config, fd = FrontConfig.from_json(args[0]), int(args[1])
    logging.basicConfig(level=logging.INFO if config.access_log else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s front %(message)s")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # an open connection costs a descriptor, no more
    sock = socket.socket(fileno=fd)
    sock.setblocking(False)
    try:
        # uvloop's event loop and transports are C: a third less CPU per relayed request than asyncio's own
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(_serve(config, sock))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
