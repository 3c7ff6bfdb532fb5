"""The hard time limit: a watchdog thread in each worker process that answers 503 and ends the process.

pyoxigraph has no query timeout in Python and a Python thread cannot be stopped, but pyoxigraph releases the
interpreter lock while it evaluates, so a second thread keeps running. While a request is being answered the
watchdog holds its deadline and the client's socket. If the deadline passes (or the query grows the process's
memory by more than its allowance) before the answer is ready, the watchdog writes a complete 503 response on the
socket itself and ends the worker process with ``os._exit``: the runaway evaluation dies with it, and gunicorn
forks a fresh worker from the master, which holds the loaded store (copy-on-write, a few milliseconds). Only the
worker that ran the runaway query is replaced; the others go on answering.

Arming and disarming are two attribute writes under a lock; the thread polls every ``poll`` seconds, so an
answer that comes in time costs next to nothing and a runaway is answered within the limit plus one poll.
"""

from __future__ import annotations

import logging
import os
import resource
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("policykg.web")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def private_bytes() -> int:
    """Memory this process has written to (its own allocations and copied pages), not the store pages it shares
    with the master and only reads."""
    try:
        with open("/proc/self/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Private_Dirty:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def page_faults() -> int:
    """Minor page faults of this process so far: times 4 KiB, an upper bound of the memory it has copied or
    allocated since (cheap, unlike :func:`private_bytes`, which walks the page tables)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


@dataclass
class _Job:
    deadline: float
    started: float
    sock: socket.socket
    respond: Callable[[str], bytes]     # reason ("timeout" or "memory") -> the full HTTP response to send
    memory_base: int
    checked_memory: float = 0.0
    faults_base: int = 0


class Watchdog:
    def __init__(self, *, poll: float = 0.02, max_memory: int = 1 << 30) -> None:
        self.poll = poll
        self.max_memory = max_memory
        self._lock = threading.Lock()
        self._job: _Job | None = None
        self._fired = False
        self._pid = 0

    def _ensure_thread(self) -> None:
        if self._pid != os.getpid():     # threads do not survive fork: one watchdog per worker process
            self._pid = os.getpid()
            self._job, self._fired = None, False
            threading.Thread(target=self._run, name="policykg-watchdog", daemon=True).start()

    def arm(self, seconds: float, sock: socket.socket, respond: Callable[[str], bytes]) -> _Job:
        self._ensure_thread()
        now = time.monotonic()
        job = _Job(now + seconds, now, sock, respond, 0)
        with self._lock:
            self._job = job
        return job

    def disarm(self, job: _Job) -> None:
        """Called when the answer is ready. If the watchdog already fired, this process is about to end: wait."""
        with self._lock:
            if self._job is job:
                self._job = None
                return
        while True:  # pragma: no cover - the watchdog ends the process
            time.sleep(60)

    def _run(self) -> None:
        while True:
            time.sleep(self.poll)
            job = self._job
            if job is None:
                continue
            now = time.monotonic()
            if now >= job.deadline:
                self._fire(job, "timeout")
            elif now - job.checked_memory >= 0.1 and now - job.started >= 0.1:
                job.checked_memory = now
                if not job.memory_base:
                    job.memory_base, job.faults_base = private_bytes(), page_faults()
                elif (page_faults() - job.faults_base) * _PAGE > self.max_memory \
                        and private_bytes() - job.memory_base > self.max_memory:
                    self._fire(job, "memory")

    def _fire(self, job: _Job, reason: str) -> None:
        with self._lock:
            if self._job is not job:
                return
            self._fired = True
            try:
                response = job.respond(reason)
                job.sock.settimeout(2.0)
                job.sock.sendall(response)
                job.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            log.warning("query stopped (%s) after %.2f s; replacing worker %d", reason,
                        time.monotonic() - job.started, os.getpid())
            for handler in logging.getLogger().handlers + log.handlers:
                try:
                    handler.flush()
                except Exception:  # noqa: BLE001 - exiting anyway
                    pass
            os._exit(0)
