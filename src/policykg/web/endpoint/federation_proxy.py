"""The federation process: the one process of ``policykg serve --allow-service`` that may reach the network.

The query workers never leave their isolation (:mod:`.isolation`). When a query's ``SERVICE`` clauses name allowed
endpoints (:func:`policykg.sparql.federation.service_calls`), the worker asks this process, over a unix socket (a
path, which reaches across network namespaces), for the answer of each ``SELECT * WHERE { P }``. The process holds
the allow-list itself: it connects only to an endpoint whose normal form is on it, through the one SPARQL client
(:class:`policykg.sparql.client.SparqlClient`, which follows no redirect), so the list holds even if a worker were
made to ask for something else; where Landlock allows, the process may open TCP connections only to the ports of
those endpoints. An answer is capped at ``max_rows`` rows.

One request per connection: a JSON line ``{"endpoint", "query", "timeout"}``; the answer is a JSON line
``{"results": <SPARQL JSON results>}`` or ``{"error": message, "status": http status}``.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import logging
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox

from policykg.errors import PolicyKGError, QueryRefused, UpstreamError
from policykg.formats import JSON
from policykg.sparql.federation import FederationPolicy, normalise_endpoint
from policykg.sparql.results import SelectResult, write
from policykg.web.endpoint import isolation

log = logging.getLogger("policykg.web")

MAX_REQUEST = 1024 * 1024
PR_SET_PDEATHSIG = 1


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, policy: FederationPolicy, max_rows: int, timeout: float, max_bytes: int) -> None:
        self.policy = policy
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.timeout_limit = timeout
        self.clients: dict[str, object] = {}
        self.lock = threading.Lock()
        super().__init__(path, _Handler)

    def client(self, endpoint: str):
        from policykg.sparql.client import RetryPolicy, SparqlClient

        with self.lock:
            if endpoint not in self.clients:
                self.clients[endpoint] = SparqlClient(endpoint, timeout=self.timeout_limit,
                                                      connect_timeout=min(5.0, self.timeout_limit),
                                                      retry=RetryPolicy(retries=0), max_bytes=self.max_bytes)
            return self.clients[endpoint]


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        reply: dict[str, object]
        try:
            request = json.loads(self.rfile.readline(MAX_REQUEST))
            reply = {"results": self._answer(request["endpoint"], request["query"])}
        except PolicyKGError as error:
            reply = {"error": str(error), "status": error.http_status}
        except (ValueError, KeyError, TypeError) as error:
            reply = {"error": f"malformed federation request: {error}", "status": 500}
        self.wfile.write(json.dumps(reply).encode() + b"\n")

    def _answer(self, endpoint: str, query: str) -> str:
        policy = self.server.policy
        if not policy.allows(endpoint):  # the worker is not trusted with the list: it is checked here, again
            raise QueryRefused(f"SERVICE <{str(endpoint)[:200]}> is refused: not an allowed endpoint")
        target = normalise_endpoint(endpoint)
        answer = self.server.client(target).select(query, whole=True)
        if not isinstance(answer, ox.QuerySolutions):
            raise UpstreamError(f"{target} answered a SELECT with a boolean")
        variables = answer.variables
        rows: list[ox.QuerySolution] = []
        for solution in answer:
            if len(rows) == self.server.max_rows:
                raise UpstreamError(f"the answer of {target} has more than {self.server.max_rows} rows, more than "
                                    "this endpoint joins: narrow the pattern inside SERVICE or add a LIMIT there")
            rows.append(solution)
        return _results_json([v.value for v in variables], rows)


def _results_json(variables: list[str], rows: list[ox.QuerySolution]) -> str:
    """SPARQL JSON results of the rows, by the one answer writer."""
    values = [tuple(row) for row in rows]  # a solution gives its values in the order of the variables
    if any(type(term) is ox.Triple for row in values for term in row):
        raise UpstreamError("the remote answer holds a quoted triple, which this endpoint does not join")
    return write(SelectResult(variables, values), JSON).data.decode("utf-8")


# -- the worker's side ------------------------------------------------------------------------------------------------

def ask(path: str, endpoint: str, query: str, timeout: float) -> ox.QuerySolutions:
    """The answer of ``query`` at ``endpoint``, asked of the federation process at ``path``."""
    if not path:
        raise UpstreamError("federation is not running: SERVICE calls cannot be made")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(timeout + 5)
            connection.connect(path)
            connection.sendall(json.dumps({"endpoint": endpoint, "query": query, "timeout": timeout}).encode()
                               + b"\n")
            with connection.makefile("rb") as reader:
                line = reader.readline()
    except OSError as error:
        raise UpstreamError(f"the federation process did not answer for {endpoint}: {error}") from None
    try:
        reply = json.loads(line)
    except ValueError:
        raise UpstreamError(f"the federation process gave no answer for {endpoint}") from None
    if "error" in reply:
        error_class = QueryRefused if reply.get("status") == 403 else UpstreamError
        raise error_class(reply["error"])
    answer = ox.parse_query_results(reply["results"].encode(), format=ox.QueryResultsFormat.JSON)
    assert isinstance(answer, ox.QuerySolutions)
    return answer


# -- the process ------------------------------------------------------------------------------------------------------

@dataclass
class FederationProcess:
    """The running federation process and its socket. :meth:`supervise` starts it again whenever it ends before
    :meth:`stop` (a crash would otherwise leave every SERVICE call a 502 until the server restarts)."""

    path: str
    process: subprocess.Popen
    command: list[str] = field(default_factory=list)
    owner: int = field(default_factory=os.getpid)   # the server's master: forked workers leave the process alone
    stopped: bool = False
    restarts: int = 0

    def supervise(self) -> None:
        threading.Thread(target=self._watch, name="policykg-federation-watch", daemon=True).start()

    def _watch(self) -> None:
        while True:
            self.process.wait()
            if self.stopped or os.getpid() != self.owner:
                return
            log.warning("the federation process ended (status %s); starting it again", self.process.returncode)
            time.sleep(min(5.0, 0.1 * 2 ** min(self.restarts, 6)))  # a process that cannot start is not spun
            Path(self.path).unlink(missing_ok=True)  # its socket: the new process's appears in its place
            try:
                self.process = _spawn(self.command, Path(self.path))
            except PolicyKGError as error:
                log.error("%s", error)
            self.restarts += 1

    def stop(self) -> None:
        if os.getpid() != self.owner:
            return
        self.stopped = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        Path(self.path).unlink(missing_ok=True)


def start(policy: FederationPolicy, path: Path, *, max_rows: int, timeout: float, max_bytes: int,
          startup: float = 30.0) -> FederationProcess:
    """Start the federation process on the unix socket ``path`` (in a folder only this user may enter); it ends with
    the calling process."""
    entry = "import sys; from policykg.web.endpoint.federation_proxy import main; sys.exit(main())"
    command = [sys.executable, "-c", entry, "--socket", str(path),
               "--max-rows", str(max_rows), "--timeout", str(timeout), "--max-bytes", str(max_bytes)]
    for endpoint in sorted(policy.allowed_endpoints):
        command += ["--allow", endpoint]
    return FederationProcess(str(path), _spawn(command, path, startup), command)


def _spawn(command: list[str], path: Path, startup: float = 30.0) -> subprocess.Popen:
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + startup
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise PolicyKGError(f"the federation process did not start (exit status {process.poll()})")
        time.sleep(0.02)
    return process


def _port(endpoint: str) -> int:
    parts = urlsplit(endpoint)
    return parts.port or (443 if parts.scheme == "https" else 80)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="policykg's federation process (started by policykg serve)")
    parser.add_argument("--socket", required=True)
    parser.add_argument("--allow", action="append", default=[])
    parser.add_argument("--max-rows", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--max-bytes", type=int, default=32 * 1024 * 1024, help="the largest answer read")
    args = parser.parse_args(argv)
    try:  # end with the server that started this process
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:
        return 0
    # Held to the allowed endpoints' ports (and DNS over TCP): whatever it were asked, it reaches nothing else.
    isolation.connect_only_to({53, *(_port(endpoint) for endpoint in args.allow)})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    old = os.umask(0o077)
    server = _Server(args.socket + ".new", FederationPolicy(args.allow), args.max_rows, args.timeout, args.max_bytes)
    os.umask(old)
    os.rename(args.socket + ".new", args.socket)  # appears whole: the starter waits for the path
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
