"""The front's relay to the workers (``policykg.web.endpoint.front``), in process against a real unix-socket server
that answers as gunicorn does to HTTP/1.0 (head, body, close): what reaches the worker, what reaches the client,
and that every answer's bytes and worker slot are given back however the exchange ends (a client that leaves
before the answer, a worker that dies, a worker that writes garbage)."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest

from policykg.web.endpoint.front import Front, FrontConfig


class Worker:
    """A unix-socket server standing in for a gunicorn worker: records each request, waits ``delay`` seconds,
    then writes ``head`` and ``body`` in two sends (``parts``: the body in that many sends, without a
    Content-Length) and closes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.requests: list[bytes] = []
        self.delay = 0.0
        self.head = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
        self.body = b"hello"
        self.parts = 0
        self.length: int | None = None  # the Content-Length to announce (default: the body's)
        self.answered = asyncio.Event()
        self.ended: list[bool] = []  # per request: whether the front closed its side once the request was sent

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in request.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        self.requests.append(request + (await reader.readexactly(length) if length else b""))
        try:  # gunicorn's graceful close, after its answer, waits for this end of the request stream
            self.ended.append(await asyncio.wait_for(reader.read(1), 1.0) == b"")
        except TimeoutError:
            self.ended.append(False)
        await asyncio.sleep(self.delay)
        if self.head:
            announced = len(self.body) if self.length is None else self.length
            length_line = b"" if self.parts else b"Content-Length: %d\r\n" % announced
            writer.write(self.head + length_line + b"\r\n")
            await writer.drain()
            for part in range(self.parts) if self.parts else [None]:
                writer.write(self.body if part is None else b"%04d," % part)
                await writer.drain()
                await asyncio.sleep(0.001 if self.parts else 0)
        writer.close()
        self.answered.set()


async def _exchange(port: int, request: bytes, *, leave_early: bool = False) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    if leave_early:
        writer.close()
        return b""
    answer = await reader.read()  # the request says Connection: close
    writer.close()
    return answer


def run(tmp_path, scenario):
    """Run ``scenario(front, worker, port)`` with a front on a free loopback port before a :class:`Worker`."""
    async def main():
        worker = Worker(str(tmp_path / "workers.sock"))
        server = await asyncio.start_unix_server(worker.handle, worker.path)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        listener.setblocking(False)
        front = Front(FrontConfig(queries=worker.path, pages=worker.path, expensive=2, lookups=2, timeout=5.0,
                                  max_line=8192, max_body=1024, max_upload=4096))
        public = await front.start(listener)
        try:
            return await scenario(front, worker, listener.getsockname()[1])
        finally:
            public.close()
            server.close()
    return asyncio.run(main())


def test_the_request_and_the_answer_pass_whole(tmp_path):
    async def scenario(front, worker, port):
        answer = await _exchange(port, b"POST /sparql?x=1 HTTP/1.1\r\nHost: kg.example\r\nConnection: close\r\n"
                                       b"X-Forwarded-For: 6.6.6.6\r\nAccept: text/csv\r\n"
                                       b"Content-Type: application/sparql-query\r\nContent-Length: 9\r\n\r\n"
                                       b"ASK { }\r\n")
        return answer, worker.requests, worker.ended, front
    answer, requests, ended, front = run(tmp_path, scenario)
    [request] = requests
    assert ended == [True]
    head, body = request.split(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /sparql?x=1 HTTP/1.0" and body == b"ASK { }\r\n"
    assert b"Host: kg.example" in lines and b"Accept: text/csv" in lines and b"Content-Length: 9" in lines
    assert not any(line.lower().startswith((b"x-forwarded", b"connection")) for line in lines)
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 200 OK" and answer.endswith(b"\r\n\r\nhello")
    assert rest.count(b"Set-Cookie: ") == 2 and b"Content-Length: 5" in rest
    assert front.held == 0 and front.admission.running == 0


def test_a_streamed_answer_without_a_length_reaches_the_client(tmp_path):
    async def scenario(front, worker, port):
        worker.parts = 50  # no Content-Length: the answer ends where the worker closes
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/sparql") as answer:
            return answer.headers.get("Transfer-Encoding"), await answer.read(), front
    coding, body, front = run(tmp_path, scenario)
    assert coding == "chunked" and body == b"".join(b"%04d," % part for part in range(50))
    assert front.held == 0 and front.admission.running == 0


def test_an_answer_shorter_than_announced_is_not_passed_as_whole(tmp_path):
    """The worker dies mid-answer: the client gets the announced length and fewer bytes (then the connection
    closes), so that it knows the answer is cut."""
    async def scenario(front, worker, port):
        worker.length = 100
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/") as answer:
            with pytest.raises(aiohttp.ClientPayloadError):
                await answer.read()
            return answer.headers["Content-Length"], front
    length, front = run(tmp_path, scenario)
    assert length == "100" and front.held == 0 and front.admission.running == 0


@pytest.mark.parametrize("parts", [0, 50])
def test_a_client_that_leaves_before_the_answer_costs_nothing_after_it(tmp_path, parts):
    """Whole (known length) or streamed (written in parts, no length): once the worker has answered a client that
    left, the front holds none of the answer's bytes and the worker's slot is free."""
    async def scenario(front, worker, port):
        worker.delay = 0.3
        worker.body = b"x" * 100_000
        worker.parts = parts
        await _exchange(port, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: h\r\n\r\n", leave_early=True)
        await asyncio.wait_for(worker.answered.wait(), 5)
        for _ in range(100):  # the front reads the worker's answer to its end, then lets it go
            if front.admission.running == 0:
                break
            await asyncio.sleep(0.02)
        return front
    front = run(tmp_path, scenario)
    assert front.held == 0 and front.admission.running == 0 and not front.paused


@pytest.mark.parametrize("head", [b"garbage\r\n", b"HTTP/1.0 2xx Nope\r\n", b""])
def test_a_worker_that_answers_garbage_or_nothing_is_a_502(tmp_path, head):
    async def scenario(front, worker, port):
        worker.head, worker.body = head, b""  # no head at all: the worker closes without a word
        return await _exchange(port, b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), front
    answer, front = run(tmp_path, scenario)
    assert answer.startswith(b"HTTP/1.1 502 ") and b"the query worker ended without an answer" in answer
    assert front.held == 0 and front.admission.running == 0
