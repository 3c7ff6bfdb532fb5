"""A minimal SPARQL 1.1 Protocol server for tests: pyoxigraph behind http.server, on 127.0.0.1.

Queries only: GET ``?query=``, POST form (``query=``) and POST ``application/sparql-query``; SELECT/ASK as
SPARQL JSON results, CONSTRUCT/DESCRIBE as N-Triples; 400 for a missing or malformed query. For client
tests it can fail the first N requests with 503 or answer slowly.

Stand-in until ``policykg serve --data FILE --port P`` exists; run it the same way:
``python tests/support/sparql_server.py --data FILE --port P`` (``--port 0`` picks one and prints it).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, data: Path, port: int = 0, *, fail_first: int = 0, delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.store = ox.Store()
        self.store.load(path=str(data), format=ox.RdfFormat.from_extension(Path(data).suffix.lstrip(".")))
        self.fail_first = fail_first
        self.delay = delay
        self.requests = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"

    def count(self) -> int:
        with self._lock:
            self.requests += 1
            return self.requests

    def handle_error(self, request, client_address) -> None:
        """Quiet about a client that gave up waiting (a timeout test); loud about anything else."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        self._answer(parts.path, parse_qs(parts.query).get("query", []))

    def do_POST(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            queries = parse_qs(body).get("query", [])
        elif kind == "application/sparql-query":
            queries = [body]
        else:
            return self._send(415, "text/plain", b"POST a form or application/sparql-query\n")
        self._answer(parts.path, queries)

    def _answer(self, path: str, queries: list[str]) -> None:
        number = self.server.count()
        if path != "/sparql":
            return self._send(404, "text/plain", b"not found\n")
        if number <= self.server.fail_first:
            return self._send(503, "text/plain", b"failing on purpose\n")
        if self.server.delay:
            time.sleep(self.server.delay)
        if len(queries) != 1:
            return self._send(400, "text/plain", b"exactly one query parameter is needed\n")
        try:
            result = self.server.store.query(queries[0])
        except SyntaxError as error:
            return self._send(400, "text/plain", f"{error}\n".encode())
        if isinstance(result, ox.QueryTriples):
            return self._send(200, "application/n-triples", result.serialize(format=ox.RdfFormat.N_TRIPLES))
        self._send(200, "application/sparql-results+json", result.serialize(format=ox.QueryResultsFormat.JSON))

    def _send(self, status: int, media_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def running(data: Path, **options):
    """A server in a background thread for the duration of the ``with`` block."""
    server = SparqlServer(data, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = SparqlServer(args.data, args.port)
    print(server.url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
