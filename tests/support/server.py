"""Start ``policykg serve`` as a real process (gunicorn, several workers) on a free port of 127.0.0.1.

The server is asked for port 0 and prints the URL it bound, so no port is ever guessed. Stopping sends SIGTERM to
the gunicorn master (which stops its workers), then SIGKILL to the process group it leads if it lingers.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests


@dataclass
class Server:
    url: str                       # http://127.0.0.1:PORT/sparql
    process: subprocess.Popen
    log: list[str] = field(default_factory=list)

    @property
    def root(self) -> str:
        return self.url.rsplit("/", 1)[0]

    @property
    def store(self) -> str:
        return f"{self.root}/store"

    def query(self, query: str, *, accept: str = "application/sparql-results+json", method: str = "GET",
              http_timeout: float = 30, **params) -> requests.Response:
        """Run a query; ``params`` are more protocol parameters (``timeout``, ``format``, ``default-graph-uri``)."""
        if method == "GET":
            return requests.get(self.url, params={"query": query, **params}, headers={"Accept": accept},
                                timeout=http_timeout)
        return requests.post(self.url, data={"query": query, **params}, headers={"Accept": accept},
                             timeout=http_timeout)

    def select(self, query: str, **params) -> list[dict[str, str]]:
        """The rows of a SELECT as {variable: value}; fails on an error answer."""
        response = self.query(query, **params)
        assert response.status_code == 200, response.text
        return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]

    def ask(self, query: str, **params) -> bool:
        response = self.query(query, **params)
        assert response.status_code == 200, response.text
        return response.json()["boolean"]

    def stderr(self) -> str:
        return "\n".join(self.log)


@contextmanager
def running(*args: str | Path, startup: float = 60.0, env: dict[str, str] | None = None,
            wrap: Callable[[list[str]], list[str]] | None = None) -> Iterator[Server]:
    """``policykg serve --port 0 ARGS...`` until the block ends; ``wrap`` may rewrite the command line (to run it
    as another user: :func:`support.unprivileged.as_nobody`)."""
    command = [sys.executable, "-m", "policykg", "serve", "--host", "127.0.0.1", "--port", "0", *map(str, args)]
    with started(wrap(command) if wrap else command, what="policykg serve", startup=startup,
                 env={**os.environ, **(env or {})}) as (url, process, log):
        yield Server(url, process, log)


@contextmanager
def started(command: list[str], *, what: str, startup: float = 60.0, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen, list[str]]]:
    """Run ``command`` until the block ends: (the first ``http://`` line it prints, the process, its stderr)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, cwd=cwd, env=env)
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    threading.Thread(target=lambda: [log.append(line.rstrip()) for line in process.stderr], daemon=True).start()
    try:
        deadline = time.monotonic() + startup
        url = None
        while url is None:
            try:
                line = lines.get(timeout=0.2).strip()
            except queue.Empty:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{what} did not start:\n" + "\n".join(log)) from None
                continue
            if line.startswith("http://"):
                url = line
        yield url, process, log
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    try:  # workers left behind by a killed master
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def children(pid: int, *, named: bytes | None = None, excluding: bytes | None = None) -> list[int]:
    """The child processes of ``pid`` whose command line holds ``named`` (when given) and not ``excluding``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status and (named is None or named in command) \
                    and (excluding is None or excluding not in command):
                found.append(int(entry.name))
    return found
