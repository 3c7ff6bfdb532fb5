"""Admission control in the front: how many requests the query workers are given at once, and which.

The workers have ``slots`` places for requests: one per sync worker process, or one per thread of a threaded
one. A request is *expensive* when it may run into the time limit (a SPARQL query or update on /sparql, anything
on /store, a named query); everything else (pages, static files, the service description, resource pages) is a
*lookup*. At most ``slots`` requests are handed on at once, and at most ``slots - 1`` of them expensive: however
many runaway queries arrive, one slot stays free for lookups (with a single slot there is no spare: there an
expensive request may take it).

Requests beyond that wait in first-come order, each lane in its own queue. The queue is deep (``max_waiting``
expensive requests, a few dozen), so that a burst of ordinary clients waits for its turn instead of being refused
and retrying at once; what bounds the wait is the deadline: an expensive request that has waited ``deadline``
seconds, or that finds the queue full, is refused (503 with Retry-After) instead of holding its client for longer
than its own time limit.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

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
        return any(key in ("query", "update") for key, _ in parse_qsl(query_string, keep_blank_values=True))
    return path == "/store" or path.startswith(EXPENSIVE_PATHS)


@dataclass
class _Lane:
    limit: int
    running: int = 0
    waiting: deque[asyncio.Future[None]] = field(default_factory=deque)


def default_waiting(slots: int) -> int:
    """Expensive requests that may wait at once: a few dozen, more with more slots (each costs the front a
    connection and its request body, nothing in the workers)."""
    return max(32, 8 * slots)


class Admission:
    def __init__(self, slots: int, *, deadline: float, max_waiting: int | None = None) -> None:
        self.workers = max(1, slots)
        self.deadline = deadline
        self.expensive = _Lane(limit=max(1, self.workers - 1))
        self.max_waiting = max_waiting if max_waiting is not None else default_waiting(self.workers)
        self.running = 0                                    # requests handed on, of both kinds
        self.lookups: deque[asyncio.Future[None]] = deque()  # lookups waiting for a worker

    def _can_start(self, expensive: bool) -> bool:
        if self.running >= self.workers:
            return False
        return not expensive or self.expensive.running < self.expensive.limit

    async def acquire(self, expensive: bool) -> None:
        """Wait for a worker. Raises :class:`Refused` when an expensive request cannot have one in time."""
        queue = self.expensive.waiting if expensive else self.lookups
        if not queue and self._can_start(expensive):
            self._start(expensive)
            return
        if expensive and len(queue) >= self.max_waiting:
            raise Refused("every query worker is busy and the queue is full")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(waiter)
        try:
            await asyncio.wait_for(waiter, self.deadline if expensive else None)
        except TimeoutError:
            if waiter in queue:
                queue.remove(waiter)
            raise Refused(f"every query worker stayed busy for {self.deadline:g} s") from None
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # started just as the client went: hand the slot back
                self.release(expensive)
            elif waiter in queue:
                queue.remove(waiter)
            raise

    def _start(self, expensive: bool) -> None:
        self.running += 1
        if expensive:
            self.expensive.running += 1

    def release(self, expensive: bool) -> None:
        self.running -= 1
        if expensive:
            self.expensive.running -= 1
        self._wake()

    def _wake(self) -> None:
        """Start waiting requests while workers are free: lookups first (they are short), then expensive ones."""
        for expensive, queue in ((False, self.lookups), (True, self.expensive.waiting)):
            while queue and self._can_start(expensive):
                waiter = queue.popleft()
                if waiter.done():
                    continue
                self._start(expensive)
                waiter.set_result(None)
