"""The front: the one process that reads HTTP from clients, so that a slow or idle client costs a socket, not a
query worker.

It is an aiohttp server (one asyncio process) on the public address. It reads each request whole, within limits,
before any worker sees it:

* a connection that has not sent a complete request head within ``header_timeout`` seconds is closed (an idle
  connection, or headers sent a byte at a time); the request line is capped (414), a header field too (431);
* the body must arrive within ``body_timeout`` seconds (408) and stay under its cap (413: ``max_upload`` for the
  Graph Store, ``max_body`` elsewhere), chunked or not;
* then :mod:`.admission` decides when a worker gets it (503 + Retry-After when none can in time);
* the complete request goes to the gunicorn workers over a unix socket; the answer streams back as the worker
  writes it (answers are capped by the app itself), and so does the watchdog's 503 when a query runs out of time.

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
from collections.abc import Callable
from dataclasses import asdict, dataclass

import aiohttp
from aiohttp import web
from aiohttp.http_exceptions import LineTooLong
from yarl import URL

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
    upstream: str                   # the unix socket the gunicorn workers listen on
    workers: int
    timeout: float                  # the query time limit: how long an expensive request may wait for a worker
    max_line: int                   # request line, bytes
    max_body: int
    max_upload: int
    threads: int = 1                # requests one worker process answers at once
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
        self.admission = Admission(config.workers * config.threads, deadline=2 * config.timeout)
        self.session: aiohttp.ClientSession | None = None
        self.retry_after = str(max(1, round(config.timeout)))
        self.held = 0                  # bytes of answers read from workers and not yet sent to their clients
        self.budget = 256 * 1024 * 1024
        self.pumps: set[asyncio.Task] = set()

    async def start(self, sock: socket.socket) -> asyncio.AbstractServer:
        read_limit = max(60.0, self.config.timeout * 3) + 5  # gunicorn's own last resort, then some
        self.session = aiohttp.ClientSession(
            connector=aiohttp.UnixConnector(path=self.config.upstream, limit=0, force_close=True),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=read_limit),
            auto_decompress=False, skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"))
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
            return await self._forward(request, body, release)
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

    async def _forward(self, request: web.BaseRequest, body: bytes, done: Callable[[], None]) -> web.StreamResponse:
        assert self.session is not None
        headers = [(k, v) for k, v in request.headers.items() if _passed_on(k)]
        if body or request.method in ("POST", "PUT", "PATCH"):
            headers.append(("Content-Length", str(len(body))))
        try:
            upstream = await self.session.request(request.method, URL("http://front" + request.raw_path,
                                                                       encoded=True),
                                                  headers=headers, data=body or None, allow_redirects=False)
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            log.warning("no answer from the query workers: %s", error)
            return _error(502, "the query worker ended without an answer; try again")
        response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
        for key, value in upstream.headers.items():
            if key.lower() not in HOP_BY_HOP:
                response.headers.add(key, value)
        if upstream.content_length is not None:
            response.content_length = upstream.content_length
        relay = _Relay(self, upstream, done)
        try:
            await response.prepare(request)
            while (chunk := await relay.next()) is not None:
                await response.write(chunk)
            await response.write_eof()
        except (aiohttp.ClientError, OSError, TimeoutError) as error:  # the client or the worker went away
            log.info("answer cut short: %s", error)
            response.force_close()
        finally:
            relay.abandon()
        return response


class _Relay:
    """An answer on its way from a worker to a client. The worker's side is read as fast as the worker writes
    (the answer is capped by the app), so that a client that reads slowly holds memory in the front, not a worker;
    past ``Front.budget`` bytes held for all clients together, the worker waits for the clients instead."""

    def __init__(self, front: Front, upstream: aiohttp.ClientResponse, done: Callable[[], None]) -> None:
        self.front = front
        self.chunks: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue()
        self.held = 0
        self.abandoned = False
        self.task = asyncio.create_task(self._pump(upstream, done))
        front.pumps.add(self.task)  # a pump may outlive its client: held here until the worker's answer ends
        self.task.add_done_callback(front.pumps.discard)

    async def _pump(self, upstream: aiohttp.ClientResponse, done: Callable[[], None]) -> None:
        try:
            async for chunk in upstream.content.iter_any():
                if self.abandoned:
                    continue
                self._hold(len(chunk))
                self.chunks.put_nowait(chunk)
                while self.front.held > self.front.budget and not self.abandoned:
                    await asyncio.sleep(0.05)
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            self.chunks.put_nowait(error)
        finally:
            upstream.release()
            done()
            self.chunks.put_nowait(None)

    def _hold(self, size: int) -> None:
        self.held += size
        self.front.held += size

    async def next(self) -> bytes | None:
        chunk = await self.chunks.get()
        if isinstance(chunk, BaseException):
            raise chunk
        if chunk is not None:
            self._hold(-len(chunk))
        return chunk

    def abandon(self) -> None:
        """The client is gone or served: drop what is held; the worker's answer is still read to its end."""
        self.abandoned = True
        self._hold(-self.held)
        while not self.chunks.empty():
            self.chunks.get_nowait()


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
        asyncio.run(_serve(config, sock))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
