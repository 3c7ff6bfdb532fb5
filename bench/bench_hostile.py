"""Normal lookups while hostile clients hold connections: does a slow or greedy client take the server down?

    python bench/bench_hostile.py                       # read-only and update-enabled, N = 1 5 10 50
    python bench/bench_hostile.py --servers read-only --counts 1 5 --lookups 10

For each server (``policykg serve --nquads`` on 10k generated triples, ``--workers 3 --timeout 5``; the
update-enabled one gets its token from $POLICYKG_UPDATE_TOKEN and has one worker process, of two threads) and each
kind of hostile client, N such clients connect, then ``--lookups`` normal lookups run one after the other,
alternately a cheap ASK on /sparql and a resource page GET, each on a fresh connection. Kinds:

* idle: connects and sends nothing;
* slow-header: sends a request line, then one header byte a second;
* slow-body: sends a POST's headers (Content-Length 1000), then one body byte a second;
* runaway: keeps a cartesian-product SELECT running (one after the other), which runs into the time limit;
* mixed: N idle, N slow-header and N slow-body clients at once.

Printed per cell, for the resource pages and the ASKs apart: p50 and p99 (the maximum, with so few lookups) in ms,
and how many got no 200 (a lookup that gets no answer within ``--patience`` seconds counts as that many seconds);
worker processes started during the cell (restarts); the peak summed RSS of the server's processes (front
included); the statuses the hostile clients got. A last line times the refusal of a 16 MiB request line.
Everything stays on 127.0.0.1; every step is bounded in time.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from processes import process_tree, stop  # noqa: E402

TOKEN = "bench-hostile-secret-token"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LOOKUP = "ASK { ?act <https://w3id.org/policykg/ontology#celex> ?c }"


class Server:
    def __init__(self, data: Path, *, updates: bool, workers: int, timeout: float) -> None:
        command = [sys.executable, "-m", "policykg", "serve", "--nquads", str(data), "--host", "127.0.0.1",
                   "--port", "0", "--timeout", str(timeout), "--workers", str(workers)]
        env = {**os.environ, "POLICYKG_UPDATE_TOKEN": TOKEN} if updates else {
            k: v for k, v in os.environ.items() if k != "POLICYKG_UPDATE_TOKEN"}
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                        env=env, start_new_session=True)
        deadline = time.monotonic() + 300
        url = ""
        while not url.startswith("http://"):
            url = self.process.stdout.readline().strip()
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("policykg serve did not start")
        parts = urlsplit(url)
        self.address = (parts.hostname, parts.port)
        time.sleep(1.0)  # the workers fork just after the URL is printed

    def rss(self) -> int:
        total = 0
        for pid in process_tree(self.process.pid):
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except OSError:
                pass
        return total

    def stop(self) -> None:
        stop(self.process, grace=20)


def request(address, raw: bytes, patience: float) -> tuple[float, int]:
    """Send ``raw`` on a fresh connection; (seconds to the end of the answer, status) or (patience, 0)."""
    started = time.monotonic()
    try:
        with socket.create_connection(address, timeout=patience) as sock:
            sock.sendall(raw)
            chunks = []
            while True:
                left = patience - (time.monotonic() - started)
                if left <= 0:
                    return patience, 0
                sock.settimeout(left)
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
    except OSError:
        return min(time.monotonic() - started, patience), 0
    head = b"".join(chunks)[:12]
    status = int(head[9:12]) if head.startswith(b"HTTP/1.") and head[9:12].isdigit() else 0
    return time.monotonic() - started, status


def lookup_requests(server: Server) -> dict[str, bytes]:
    ask = f"GET /sparql?query={quote(LOOKUP)} HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n" \
          "Connection: close\r\n\r\n"
    import json
    import urllib.request

    first = "SELECT ?act WHERE { ?act <https://w3id.org/policykg/ontology#celex> ?c } LIMIT 1"
    url = f"http://{server.address[0]}:{server.address[1]}/sparql?query={quote(first)}"
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"}),
                                timeout=60) as answer:
        act = json.load(answer)["results"]["bindings"][0]["act"]["value"]
    iri = quote(act, safe="")
    page = f"GET /describe?iri={iri} HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
    return {"ask": ask.encode(), "page": page.encode()}


class Hostiles:
    """N clients of one kind, kept going by one thread until :meth:`close`."""

    def __init__(self, address, kind: str, count: int, patience: float) -> None:
        self.address, self.kind, self.count = address, kind, count
        self.stop = threading.Event()
        self.socks: list[socket.socket] = []
        self.threads: list[threading.Thread] = []
        self.answers: list[int] = []
        if kind == "runaway":
            raw = (f"GET /sparql?query={quote(RUNAWAY)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").encode()
            for _ in range(count):
                thread = threading.Thread(target=self._runaway, args=(raw, patience), daemon=True)
                thread.start()
                self.threads.append(thread)
            return
        kinds = ["idle", "slow-header", "slow-body"] if kind == "mixed" else [kind]
        for kind in kinds * count:
            sock = socket.create_connection(address, timeout=5)
            if kind == "slow-header":
                sock.sendall(f"GET /sparql?query={quote(LOOKUP)} HTTP/1.1\r\n".encode())
            elif kind == "slow-body":
                sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                             b"Content-Length: 1000\r\n\r\n")
            self.socks.append(sock)
        if self.kind != "idle":
            thread = threading.Thread(target=self._drip, daemon=True)
            thread.start()
            self.threads.append(thread)

    def _runaway(self, raw: bytes, patience: float) -> None:
        while not self.stop.is_set():
            _, status = request(self.address, raw, patience * 4)
            self.answers.append(status)

    def _drip(self) -> None:
        while not self.stop.wait(1.0):
            for sock in self.socks:
                try:
                    sock.send(b"X")  # a header name's letter, or a body's
                except OSError:
                    pass

    def close(self) -> None:
        self.stop.set()
        for sock in self.socks:
            sock.close()
        for thread in self.threads:
            thread.join(60)


def cell(server: Server, kind: str, count: int, lookups: list[bytes], n: int, patience: float) -> dict:
    before = set(server.tree())
    peak = server.rss()
    hostiles = Hostiles(server.address, kind, count, patience) if count else None
    time.sleep(1.0)
    times: dict[str, list[float]] = {"ask": [], "page": []}
    failed = {"ask": 0, "page": 0}
    stuck = 0
    for i in range(n):
        which = "ask" if i % 2 == 0 else "page"
        seconds, status = request(server.address, lookups[which], patience)
        peak = max(peak, server.rss())
        times[which].append(seconds)
        failed[which] += status != 200
        stuck = stuck + 1 if seconds >= patience else 0
        if stuck >= 3:
            break  # the server is down for normal users: no need to wait out every lookup
    if hostiles:
        hostiles.close()
    restarts = len(set(server.tree()) - before)
    statuses = sorted(set(hostiles.answers)) if hostiles else []
    result: dict = {"restarts": restarts, "rss": peak >> 20, "statuses": statuses}
    for which, seconds in times.items():
        seconds.sort()
        result[which] = (f"{statistics.median(seconds) * 1000:>6.0f} {_p99(seconds) * 1000:>6.0f} "
                         f"{failed[which]:>3}/{len(seconds):<3}" if seconds else f"{'-':>18}")
    return result


def _p99(ordered: list[float]) -> float:
    return ordered[-1] if len(ordered) < 100 else ordered[int(len(ordered) * 0.99)]


def long_request_line(server: Server) -> str:
    line = b"GET /sparql?query=" + b"a" * (16 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    started = time.monotonic()
    try:
        with socket.create_connection(server.address, timeout=120) as sock:
            try:
                sock.sendall(line)
            except OSError:
                pass
            answer = sock.recv(200)
    except OSError as error:
        return f"refused by {type(error).__name__} after {(time.monotonic() - started) * 1000:.0f} ms"
    status = answer[9:12].decode("latin-1", "replace") if answer else "closed"
    return f"{status} after {(time.monotonic() - started) * 1000:.0f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", nargs="+", default=["read-only", "updates"], choices=["read-only", "updates"])
    parser.add_argument("--kinds", nargs="+", default=["idle", "slow-header", "slow-body", "mixed", "runaway"])
    parser.add_argument("--counts", nargs="+", type=int, default=[1, 5, 10, 50])
    parser.add_argument("--runaways", nargs="+", type=int, default=[1, 4, 8])
    parser.add_argument("--lookups", type=int, default=20)
    parser.add_argument("--patience", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--triples", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
        data = Path(folder) / "data.nq"
        data.write_text("".join(generate(args.triples)))
        for name in args.servers:
            server = Server(data, updates=name == "updates", workers=args.workers, timeout=args.timeout)
            try:
                lookups = lookup_requests(server)
                shape = "1 worker of 2 threads" if name == "updates" else f"--workers {args.workers}"
                print(f"\n## {name} server: {shape} --timeout {args.timeout:g}, "
                      f"lookups {args.lookups}, patience {args.patience:g} s")
                print(f"{'hostile':<12} {'N':>3} | {'page p50':>8} {'p99':>6} {'fail':>7} | {'ASK p50':>7} {'p99':>6} "
                      f"{'fail':>7} | {'restarts':>8} {'RSS MB':>7} | hostile answers")
                rows = [("none", 0)] + [(kind, count) for kind in args.kinds
                                        for count in (args.runaways if kind == "runaway" else args.counts)]
                for kind, count in rows:
                    result = cell(server, kind, count, lookups, args.lookups, args.patience)
                    print(f"{kind:<12} {count:>3} | {result['page']:>24} | {result['ask']:>22} | "
                          f"{result['restarts']:>8} {result['rss']:>7} | {' '.join(map(str, result['statuses']))}",
                          flush=True)
                    time.sleep(1.0)
                print(f"16 MiB request line: {long_request_line(server)}", flush=True)
            finally:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
