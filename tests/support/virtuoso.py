"""A real Virtuoso for the integration tests, started with ``deploy/virtuoso/virtuoso.sh`` on free ports of
127.0.0.1 in a temporary folder, and stopped (that server's process only) when the tests end.

``virtuoso_server`` is a session fixture: import it into a test module (``from support.virtuoso import
virtuoso_server``) and mark the tests ``@pytest.mark.virtuoso``. Without ``virtuoso-t`` (Debian's
``virtuoso-opensource``) the tests fail with a message saying so when ``CI=true``, and are skipped otherwise.

:class:`RefusingProxy` stands between a client and the server and refuses every ``PUT`` after the first N that
succeeded: a store that fails midway, for the publish failure report.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from policykg.sparql.client import Credentials, SparqlClient
from policykg.store.publish import publish, read_graphs
from policykg.store.remote import RemoteStore

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "virtuoso" / "virtuoso.sh"
USER = "dba"
START_ATTEMPTS = 3


@dataclass(frozen=True)
class Virtuoso:
    directory: Path
    http_port: int
    sql_port: int
    password: str
    user: str = USER

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def endpoint(self) -> str:
        """Anonymous, read-only SPARQL endpoint."""
        return f"{self.root}/sparql"

    @property
    def auth_endpoint(self) -> str:
        """SPARQL endpoint with digest authentication (queries and updates)."""
        return f"{self.root}/sparql-auth"

    @property
    def graph_store(self) -> str:
        """Graph Store Protocol with digest authentication."""
        return f"{self.root}/sparql-graph-crud-auth"

    def log(self) -> str:
        path = self.directory / "virtuoso.log"
        return path.read_text(errors="replace")[-4000:] if path.is_file() else ""


def require_virtuoso() -> None:
    """Fail (in CI) or skip (elsewhere) when Virtuoso is not installed."""
    missing = [tool for tool in ("virtuoso-t", "isql-vt") if shutil.which(tool) is None]
    if not missing:
        return
    message = (f"{', '.join(missing)} not found: the Virtuoso integration tests need Debian's virtuoso-opensource "
               "package (apt-get install virtuoso-opensource)")
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(directory: Path) -> Virtuoso:
    """Start a server with its database in ``directory``; a few attempts, in case a free port was taken since."""
    failures = []
    for attempt in range(START_ATTEMPTS):
        folder = directory / f"db{attempt}"
        http_port, sql_port = free_port(), free_port()
        done = subprocess.run(["bash", str(SCRIPT), "start", str(folder), str(http_port), str(sql_port)],
                              capture_output=True, text=True, timeout=180, env={**os.environ})
        password_file = folder / "dba-password"
        if done.returncode == 0 and password_file.is_file():
            return Virtuoso(folder, http_port, sql_port, password_file.read_text().strip())
        failures.append(f"attempt {attempt + 1}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
        stop(folder)
    raise RuntimeError("Virtuoso did not start:\n" + "\n".join(failures))


def stop(directory: Path) -> None:
    subprocess.run(["bash", str(SCRIPT), "stop", str(directory)], capture_output=True, text=True, timeout=120)


@contextmanager
def running(directory: Path) -> Iterator[Virtuoso]:
    server = start(directory)
    try:
        yield server
    finally:
        stop(server.directory)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory) -> Iterator[Virtuoso]:
    require_virtuoso()
    with running(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


def published_union(server: Virtuoso, build) -> RemoteStore:
    """``build`` published to ``server`` (replacing what an earlier test left), read over Virtuoso's own union
    default graph, as ``policykg query --endpoint`` reads it."""
    client = SparqlClient(server.auth_endpoint, graph_store=server.graph_store,
                          credentials=Credentials(user=server.user, password=server.password))
    publish(read_graphs(build.nquads_path), client, replace=True, version=build.version)
    return RemoteStore(server.endpoint, union="remote")


# -- a store that fails midway ---------------------------------------------------------------------------------------

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host",
               "proxy-authorization", "te", "trailer", "upgrade"}


class RefusingProxy(ThreadingHTTPServer):
    """Forwards every request to ``target`` (``http://127.0.0.1:PORT``) and answers 403 to each ``PUT`` once
    ``accept_puts`` of them have succeeded."""

    daemon_threads = True

    def __init__(self, target: str, accept_puts: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.target = target.rstrip("/")
        self.accept_puts = accept_puts
        self.puts = 0
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: RefusingProxy

    def log_message(self, *args) -> None:  # quiet
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.command == "PUT":
            with self.server.lock:
                refuse = self.server.puts >= self.server.accept_puts
            if refuse:
                self._reply(403, {"Content-Type": "text/plain"}, b"refused by the test proxy")
                return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        upstream = requests.request(self.command, self.server.target + self.path, headers=headers, data=body,
                                    allow_redirects=False, timeout=60)
        if self.command == "PUT" and upstream.ok:
            with self.server.lock:
                self.server.puts += 1
        self._reply(upstream.status_code,
                    {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP}, upstream.content)

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _forward


@contextmanager
def refusing_proxy(target: str, accept_puts: int) -> Iterator[RefusingProxy]:
    proxy = RefusingProxy(target, accept_puts)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=10)
