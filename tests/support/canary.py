"""A TCP listener on 127.0.0.1 that records every connection made to it: the one canary of the security tests.

Each connection is recorded the moment it is accepted, then its first bytes (an HTTP request line, usually)
replace the placeholder, so a test can say both *that* something connected and *what* it asked for.
"""

from __future__ import annotations

import socket
import threading
import time

CONNECTED = b"<connected>"


class Canary:
    def __init__(self, path: str = "/") -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}{path}"
        self.connections: list[bytes] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                continue
            with self._lock:
                self.connections.append(CONNECTED)
                index = len(self.connections) - 1
            threading.Thread(target=self._read, args=(connection, index), daemon=True).start()

    def _read(self, connection: socket.socket, index: int) -> None:
        with connection:
            connection.settimeout(1)
            try:
                data = connection.recv(2048)
            except OSError:
                return
            if data:
                with self._lock:
                    self.connections[index] = data

    def count(self) -> int:
        with self._lock:
            return len(self.connections)

    def settled(self, before: int) -> bool:
        """Whether a connection arrived since ``before`` (waiting briefly for the accept loop to see it)."""
        for _ in range(5):
            if self.count() > before:
                return True
            time.sleep(0.005)
        return self.count() > before

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(2)
        self.sock.close()

    def __enter__(self) -> Canary:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
