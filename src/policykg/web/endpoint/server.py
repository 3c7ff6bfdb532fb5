"""Serving the app: a front that reads HTTP from clients, and gunicorn workers forked from a master that holds the
store, which answer the front's complete requests over unix sockets.

* the front (:mod:`.front`, its own process on the public address) reads whole requests within time and size
  limits and hands them on under admission control: a slow, idle or oversized client never holds a worker. The
  master stops when the front ends, and the front when the master does;
* answers name the public root (``--base-url``, else the bound address), never the Host header, from which
  gunicorn would otherwise build the server's name behind a unix socket;
* an on-disk store is never opened in the master: RocksDB's threads do not survive a fork. Each worker opens it
  and closes it as it ends (``on_worker_exit``);
* ``preload``: the app and its store are built once in the master; workers are forked from it and share the store's
  memory copy-on-write, so replacing a worker (after a runaway query, see :mod:`.watchdog`) takes milliseconds.
* sync workers: one request at a time per process, so ending a process stops exactly one query. ``workers``
  query workers run as ``workers + 1`` processes, and the workers listen on two unix sockets: one for expensive
  requests, one for lookups (see :mod:`.admission`). One process (whichever holds the pages lock,
  :class:`PagesRole`) takes lookups only, so however many runaway queries run, pages are answered; the others
  take both. The front hands on up to two expensive requests per query worker: one running, one waiting in the
  socket's backlog, so that a worker that finishes takes the next query at once rather than waiting for the front
  to hand it on (about 40 % more lookups per second at 1M triples, measured in bench/bench_workers.py). A server
  with one worker (the update-enabled one: the engine's files admit one writing process) runs it as a threaded
  worker with two threads on both sockets instead, and the front hands it one expensive request at a time, so that
  a runaway query holding one thread leaves the other to the lookups. A runaway there ends the process after its
  neighbour's answer, within the watchdog's grace.
* each worker leaves the network (a fresh, empty network namespace, when the system allows it) before it
  answers anything: even if a query slipped past the guard, the engine could not reach another host. The workers'
  unix sockets, opened before, keep working.
* a deep query is a deep recursion in the engine's parser: the stack limit is raised before the workers start.
* workers live as long as the server: pyoxigraph writes to its own memory while it reads, so a worker slowly
  copies shared pages of the store, but that copy can never exceed the store itself. Replacing workers for it cost
  more CPU and tail latency than the memory it saved (measured in bench/bench_workers.py). A worker ends after
  its answer only when its resident memory passes a ceiling (``rss_headroom`` above what the master held when the
  workers were forked), which only a leak or a runaway allocation reaches.
* never Flask's development server, never debug mode.
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import replace

from flask import Flask
from gunicorn.app.base import BaseApplication

from policykg.web.context import current_endpoint
from policykg.web.endpoint.front import FrontConfig
from policykg.web.endpoint.isolation import isolate_worker
from policykg.web.endpoint.watchdog import page_faults
from policykg.web.settings import Settings

log = logging.getLogger("policykg.web")
STACK_BYTES = 512 * 1024 * 1024
SINGLE_WORKER_THREADS = 2  # one lane for expensive requests, one for lookups


def threads_per_worker(workers: int) -> int:
    """Threads of each worker process: one (a sync worker), but two when there is only one process."""
    return SINGLE_WORKER_THREADS if workers == 1 else 1


def processes_for(workers: int) -> int:
    """The processes gunicorn runs for ``workers`` query workers: one more, kept for pages; a single worker has
    two threads instead, one of them for pages."""
    return workers + 1 if threads_per_worker(workers) == 1 else workers


def lanes_for(workers: int) -> tuple[int, int]:
    """Expensive requests and lookups the front hands on at once (see :mod:`.admission`): two expensive requests
    per query worker (one running, one queued in the socket), a lookup per process; one expensive request and two
    lookups for the single threaded worker."""
    if threads_per_worker(workers) == 1:
        return 2 * workers, processes_for(workers)
    return 1, SINGLE_WORKER_THREADS


class PagesRole:
    """Which worker keeps to lookups: the one that holds a lock on a file in the workers' private folder. The lock
    ends with its process, so the worker forked to replace it takes the role."""

    def __init__(self, path: str) -> None:
        self.path = path

    def claim(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        return True  # the descriptor stays open, and the lock held, for the life of this process


def raise_stack_limit(limit: int = STACK_BYTES) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    wanted = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_STACK, (wanted, hard))


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


class Recycler:
    """Ends a worker (after its answer) once its resident memory passes ``ceiling`` bytes. The page-fault count
    gives a cheap upper bound of the growth after every request; the resident size is read only when that bound
    could have reached the ceiling."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = ceiling
        self.faults = 0          # page faults when the resident size was last read
        self.headroom = ceiling  # bytes the worker may still grow before the ceiling could be reached

    def started(self) -> None:
        self.faults = page_faults()
        self.headroom = self.ceiling - resident_bytes()

    def should_end(self) -> bool:
        faults = page_faults()
        if (faults - self.faults) * PAGE < self.headroom:
            return False
        resident = resident_bytes()
        self.faults, self.headroom = faults, self.ceiling - resident
        return resident > self.ceiling


def resident_bytes() -> int:
    """This process's resident set size (shared pages of the store included)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def bind(host: str = "127.0.0.1", port: int = 8000) -> socket.socket:
    """The public listening socket (port 0: any free port), opened before the app is made, so that answers can
    name the address it is bound to."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def bound_url(sock: socket.socket) -> str:
    """``http://HOST:PORT`` of a bound socket: the default public root of every absolute link in an answer."""
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def serve(app: Flask, listener: socket.socket, settings: Settings, *, workers: int = 3, isolate: bool = True,
          on_ready: Callable[[list[tuple[str, int]]], None] | None = None, access_log: bool = False,
          on_worker_start: Callable[[], None] | None = None, on_worker_exit: Callable[[], None] | None = None,
          rss_headroom: int = 1024 * 1024 * 1024) -> None:
    """Run ``app`` until interrupted: the front on ``listener``, gunicorn's workers behind it. ``on_ready`` gets
    the public (host, port); ``on_worker_start`` runs in each worker before it answers anything (to open an on-disk
    store once, not from two threads at a time), ``on_worker_exit`` as it ends (to close it)."""
    raise_stack_limit()
    endpoint = current_endpoint(app)
    if endpoint.settings.base_url is None:  # the workers' socket is a unix one: gunicorn would name the Host header
        endpoint.settings = replace(endpoint.settings, base_url=bound_url(listener))
    recycler = Recycler(resident_bytes() + rss_headroom)  # the master holds the store: a worker never needs more
    private = tempfile.mkdtemp(prefix="policykg-workers-")  # only this user may reach the workers' sockets
    queries, pages = os.path.join(private, "queries.sock"), os.path.join(private, "pages.sock")
    pages_role = PagesRole(os.path.join(private, "pages.lock"))
    threads = threads_per_worker(workers)
    processes = processes_for(workers)
    expensive, lookups = lanes_for(workers)
    watchdog = endpoint.watchdog
    front_config = FrontConfig(queries=queries, pages=pages, expensive=expensive, lookups=lookups,
                               timeout=settings.timeout, max_line=settings.max_url + 1024, max_body=settings.max_body,
                               max_upload=settings.max_upload, header_timeout=settings.header_timeout,
                               body_timeout=settings.body_timeout, access_log=access_log)
    front: list[subprocess.Popen] = []
    stopping: list[bool] = []

    def post_fork(server, worker) -> None:
        if threads == 1 and pages_role.claim():
            worker.sockets = [sock for sock in worker.sockets if sock.cfg_addr == pages]
        if isolate and not isolate_worker(allow_network=False):
            log.warning("worker %d could not leave the network; relying on the query guard", os.getpid())
        if on_worker_start:
            on_worker_start()
        recycler.started()
        # a runaway ends this process: it takes no new request while its other requests finish
        watchdog.on_fire = lambda: setattr(worker, "alive", False)

    def pre_request(worker, req) -> None:
        watchdog.entered()

    def post_request(worker, req, environ, resp) -> None:
        watchdog.left()
        if recycler.should_end():
            log.warning("worker %d holds more than %d MB; replacing it", os.getpid(), recycler.ceiling >> 20)
            worker.alive = False

    def worker_exit(server, worker) -> None:
        if on_worker_exit:
            on_worker_exit()

    def when_ready(server) -> None:
        # the workers' sockets are bound: the front may start, and the master lets go of the public socket
        # (the workers are forked after this and never hold it)
        front.append(subprocess.Popen([sys.executable, "-m", "policykg.web.endpoint.front", front_config.to_json(),
                                       str(listener.fileno())], pass_fds=(listener.fileno(),)))
        listener.close()
        threading.Thread(target=watch_front, args=(front[0],), name="policykg-front-watch", daemon=True).start()
        if on_ready:
            on_ready([public])

    def watch_front(process: subprocess.Popen) -> None:
        """Without its front the server answers nobody: it stops, for whatever supervises it to start it again."""
        process.wait()
        if not stopping:
            log.error("the front process ended (status %s); stopping the server", process.returncode)
            os.kill(os.getpid(), signal.SIGTERM)

    def on_exit(server) -> None:
        stopping.append(True)
        for process in front:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(private, ignore_errors=True)

    public = listener.getsockname()[:2]
    options = {
        "bind": [f"unix:{queries}", f"unix:{pages}"],
        "workers": processes,
        "worker_class": "sync" if threads == 1 else "gthread",
        "threads": threads,
        "keepalive": 0,                           # the front opens a connection per request
        "preload_app": True,
        "timeout": int(max(60, settings.timeout * 3)),  # gunicorn's own last resort; the watchdog acts first
        # a threaded worker that stops (memory ceiling, shutdown) closes the store as it ends: it waits for its other
        # thread's query, which ends by the time limit (the watchdog ends the process then, store and all)
        "graceful_timeout": 5 if threads == 1 else max(5, int(settings.timeout) + 2),
        "limit_request_line": 0,                  # the front caps the request line before a worker reads it
        "secure_scheme_headers": {},              # the scheme is the public root's, never a request header's
        "forwarder_headers": "",
        "loglevel": "warning",
        "errorlog": "-",
        "accesslog": None,                        # the front logs the clients' requests (--access-log)
        "post_fork": post_fork,
        "pre_request": pre_request,
        "post_request": post_request,
        "worker_exit": worker_exit,
        "when_ready": when_ready,
        "on_exit": on_exit,
        "proc_name": "policykg-serve",
    }
    gc.collect()
    gc.freeze()  # the master's objects move out of the collector's sight: workers do not copy them by collecting
    _Gunicorn(app, options).run()
