"""The hard time limit: a watchdog thread in each worker process that answers 503 and ends the process.

pyoxigraph has no query timeout in Python and a Python thread cannot be stopped, but pyoxigraph releases the
interpreter lock while it evaluates, so a second thread keeps running. While a request is being answered the
watchdog holds its deadline and the client's socket. If the deadline passes (or the query grows the process's
memory by more than its allowance) before the answer is ready, the watchdog writes a complete 503 response on the
socket itself and ends the worker process with ``os._exit``: the runaway evaluation dies with it, and gunicorn
forks a fresh worker from the master, which holds the loaded store (copy-on-write, a few milliseconds). Only the
worker that ran the runaway query is replaced; the others go on answering.

A worker may answer several requests at once (the update-enabled server's one worker has two threads: one lane for
queries, one for lookups), so the watchdog holds one job per request being answered. Ending the process ends every
request in it: before it does, the watchdog stops the worker taking new requests (``on_fire``) and waits up to
``grace`` seconds for the other requests in flight (counted by :meth:`entered` and :meth:`left`) to be answered.
A lookup takes milliseconds, so it is answered within that grace; one still running after it loses its answer
(the front answers 502).

Arming and disarming are a set operation under a lock; the thread polls every ``poll`` seconds, so an
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


@dataclass(eq=False)  # held in a set: one job per request, by identity
class _Job:
    deadline: float
    started: float
    sock: socket.socket
    respond: Callable[[str], bytes]     # reason ("timeout" or "memory") -> the full HTTP response to send
    memory_base: int
    checked_memory: float = 0.0
    faults_base: int = 0


class Watchdog:
    def __init__(self, *, poll: float = 0.02, max_memory: int = 1 << 30, grace: float = 1.0) -> None:
        self.poll = poll
        self.max_memory = max_memory
        self.grace = grace
        self.on_fire: Callable[[], None] | None = None  # stops this process taking requests (set by the server)
        self._lock = threading.Lock()
        self._jobs: set[_Job] = set()
        self._in_flight = 0
        self._fired = False
        self._pid = 0

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()      # threads do not survive fork: one watchdog per worker process
            self._jobs, self._fired = set(), False
        threading.Thread(target=self._run, name="policykg-watchdog", daemon=True).start()

    def entered(self) -> None:
        """A request is being answered in this process (armed or not: a page too)."""
        with self._lock:
            self._in_flight += 1

    def left(self) -> None:
        """That request's answer has been written."""
        with self._lock:
            self._in_flight -= 1

    def arm(self, seconds: float, sock: socket.socket, respond: Callable[[str], bytes]) -> _Job:
        self._ensure_thread()
        now = time.monotonic()
        job = _Job(now + seconds, now, sock, respond, 0)
        with self._lock:
            self._jobs.add(job)
        return job

    def disarm(self, job: _Job) -> None:
        """Called when the answer is ready. If the watchdog already fired on it, this process is about to end:
        wait."""
        with self._lock:
            if job in self._jobs:
                self._jobs.discard(job)
                return
        while True:  # pragma: no cover - the watchdog ends the process
            time.sleep(60)

    def _run(self) -> None:
        while True:
            time.sleep(self.poll)
            with self._lock:
                jobs = list(self._jobs)
            now = time.monotonic()
            for job in jobs:
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
            if job not in self._jobs:
                return
            self._jobs.discard(job)     # its thread, disarming, waits for the end
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
        self._drain()
        for handler in logging.getLogger().handlers + log.handlers:
            try:
                handler.flush()
            except Exception:  # noqa: BLE001 - exiting anyway
                pass
        os._exit(0)

    def _drain(self) -> None:
        """Let the other requests in flight in this process (a lookup beside the runaway) finish, within
        ``grace``: the stopped request is still counted until the process ends."""
        if self.on_fire is not None:
            try:
                self.on_fire()
            except Exception:  # noqa: BLE001 - exiting anyway
                log.exception("stopping the worker's intake failed")
        deadline = time.monotonic() + self.grace
        while time.monotonic() < deadline:
            with self._lock:
                others = self._in_flight - 1
            if others <= 0:
                return
            time.sleep(self.poll / 4)
        log.warning("%d request(s) in worker %d lost their answer with it", others, os.getpid())
