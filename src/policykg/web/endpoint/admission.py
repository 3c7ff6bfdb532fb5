"""Admission control in the front: how many requests the workers are given at once, and which.

A request is *expensive* when it may run into the time limit (a SPARQL query or update on /sparql, anything on
/store, a named query); everything else (pages, static files, the service description, resource pages) is a
*lookup*. The two kinds travel in separate lanes, each with its own limit of requests handed on at once
(``expensive`` and ``lookups``), so that however many runaway queries arrive, lookups are never queued behind
them: the workers keep a place that takes lookups only (see :mod:`.server`).

The expensive lane's limit may exceed the workers that run queries: a request handed on beyond them waits in the
workers' own queue (their socket's backlog), so that a worker that finishes an answer takes the next query at
once instead of waiting for this process to hand it on.

Requests beyond a lane's limit wait here in first-come order. The expensive queue is deep (``max_waiting``
requests, a few dozen), so that a burst of ordinary clients waits for its turn instead of being refused and
retrying at once; what bounds the wait is the deadline: an expensive request that has waited ``deadline``
seconds, or that finds the queue full, is refused (503 with Retry-After) instead of holding its client for longer
than its own time limit.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

EXPENSIVE_PATHS = ("/store/", "/queries/")  # a named query's page runs the query too


class Refused(Exception):
    """No worker for this request in time: answer 503 with Retry-After."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_expensive(method: str, path: str, query_string: str) -> bool:
    """True for requests that run a SPARQL query or update, or read or write the Graph Store."""
    if path == "/sparql":
        if method == "POST":
            return True
        # the keys alone, decoded as parse_qsl decodes them: a query's text need not be decoded to know it is one
        return any(unquote_plus(field.partition("=")[0]) in ("query", "update") for field in query_string.split("&"))
    return path == "/store" or path.startswith(EXPENSIVE_PATHS)


@dataclass
class _Lane:
    limit: int
    running: int = 0
    waiting: deque[asyncio.Future[None]] = field(default_factory=deque)

    def wake(self) -> None:
        """Start waiting requests while the lane has room."""
        while self.waiting and self.running < self.limit:
            waiter = self.waiting.popleft()
            if waiter.done():
                continue
            self.running += 1
            waiter.set_result(None)


def default_waiting(expensive: int) -> int:
    """Expensive requests that may wait at once: a few dozen, more with a wider lane (each costs the front a
    connection and its request body, nothing in the workers)."""
    return max(32, 8 * expensive)


class Admission:
    def __init__(self, *, expensive: int, lookups: int, deadline: float, max_waiting: int | None = None) -> None:
        self.deadline = deadline
        self.expensive = _Lane(limit=max(1, expensive))
        self.lookups = _Lane(limit=max(1, lookups))
        self.max_waiting = max_waiting if max_waiting is not None else default_waiting(self.expensive.limit)

    @property
    def running(self) -> int:
        """Requests handed on, of both kinds."""
        return self.expensive.running + self.lookups.running

    async def acquire(self, expensive: bool) -> None:
        """Wait for a place in the request's lane. Raises :class:`Refused` when an expensive request cannot have
        one in time; a lookup waits for its turn."""
        lane = self.expensive if expensive else self.lookups
        if not lane.waiting and lane.running < lane.limit:
            lane.running += 1
            return
        if expensive and len(lane.waiting) >= self.max_waiting:
            raise Refused("every query worker is busy and the queue is full")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        lane.waiting.append(waiter)
        try:
            await asyncio.wait_for(waiter, self.deadline if expensive else None)
        except TimeoutError:
            if waiter in lane.waiting:
                lane.waiting.remove(waiter)
            raise Refused(f"every query worker stayed busy for {self.deadline:g} s") from None
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # started just as the client went: hand the place back
                self.release(expensive)
            elif waiter in lane.waiting:
                lane.waiting.remove(waiter)
            raise

    def release(self, expensive: bool) -> None:
        lane = self.expensive if expensive else self.lookups
        lane.running -= 1
        lane.wake()
