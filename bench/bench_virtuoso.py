"""Benchmark: the embedded store against Virtuoso, at 1M generated triples shaped like the project's data.

Prints the load time into each store (pyoxigraph's in-memory store, as ``policykg serve`` loads it; Virtuoso by
``policykg publish``: one Graph Store Protocol PUT per graph, then the count check) and the latency of every named
query (``queries/*.rq``, with their default parameters or, where those name real files and acts, parameters that
name generated ones), median of several runs, on both: embedded as ``policykg query`` runs it (parameters as
substitutions), on Virtuoso through ``RemoteStore`` (parameters as VALUES; by default over Virtuoso's own union
default graph, ``--union explicit`` names the graphs in every query).

The data comes from ``bench/generate.py``, with the lifecycle stages' ``schema:position`` added from the project's
vocabulary (the named queries order stages by it). Some named queries find nothing in generated data (it has no
page claims, no transposition deadlines...): their figures are those of an empty answer. Virtuoso is started
with ``deploy/virtuoso/virtuoso.sh`` on free ports of 127.0.0.1 in a temporary folder and stopped at the end.
Every step is bounded: a query run longer than ``--query-timeout`` is stopped (embedded: its process is ended;
Virtuoso: the HTTP timeout) and reported as such, and once ``--budget`` seconds have passed the remaining queries
are skipped.

    python bench/bench_virtuoso.py                       # 1M triples, median of 5 runs (about 15 minutes)
    python bench/bench_virtuoso.py --triples 100000 --runs 3
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCRIPT = ROOT / "deploy" / "virtuoso" / "virtuoso.sh"
sys.path.insert(0, str(HERE))

from generate import celex_numbers, generate  # noqa: E402 - bench/generate.py, the synthetic graph

import pyoxigraph as ox  # noqa: E402

from policykg.errors import PolicyKGError  # noqa: E402
from policykg.namespaces import GRAPH, SCHEMA  # noqa: E402
from policykg.store.publish import publish, read_graphs  # noqa: E402
from policykg.queries.registry import QueryRegistry  # noqa: E402
from policykg.store.remote import RemoteStore  # noqa: E402
from policykg.sparql.client import Credentials, SparqlClient  # noqa: E402
from policykg.store.local import MemoryStore  # noqa: E402


class Budget:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    @property
    def left(self) -> float:
        return self.deadline - time.monotonic()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed(function, *args, clock=time.perf_counter, **kwargs):
    started = clock()
    value = function(*args, **kwargs)
    return value, clock() - started


# -- embedded: each query in a forked child, so that one that runs too long can be stopped --------------------------

def _embedded_child(connection, store, query, params, runs: int, clock) -> None:
    for _ in range(runs):
        result, seconds = timed(query.run, store, params, clock=clock)
        connection.send((seconds, _size(result)))
    connection.close()


def embedded_latency(store, query, params, runs: int, timeout: float, *, clock=time.perf_counter
                     ) -> tuple[list[float], int | None, str | None]:
    """Each run in a forked child that shares the loaded store; stopped when one run takes over ``timeout`` (of
    the wall clock). Timed by ``clock``: the wall clock, or ``time.process_time`` for the child's own CPU time,
    which other work on a shared machine disturbs less."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_embedded_child, args=(child, store, query, params, runs, clock), daemon=True)
    process.start()
    child.close()
    times, size = [], None
    try:
        for _ in range(runs):
            if not parent.poll(timeout):
                return times, size, f"> {timeout:g} s"
            seconds, size = parent.recv()
            times.append(seconds)
        return times, size, None
    finally:
        if process.is_alive():
            os.kill(process.pid, signal.SIGKILL)  # the child this function started, by its id
        process.join(timeout=10)


def remote_latency(store, query, params, runs: int) -> tuple[list[float], int | None, str | None]:
    times, size = [], None
    for _ in range(runs):
        try:
            result, seconds = timed(query.run, store, params)
        except PolicyKGError as error:
            return times, size, str(error)[:80]
        times.append(seconds)
        size = _size(result)
    return times, size, None


def _size(result) -> int:
    return len(getattr(result, "rows", None) or getattr(result, "triples", None) or []) if result.kind != "ask" else 1


# -- Virtuoso ----------------------------------------------------------------------------------------------------

def start_virtuoso(folder: Path) -> tuple[str, str, str]:
    http_port, sql_port = free_port(), free_port()
    subprocess.run(["bash", str(SCRIPT), "start", str(folder), str(http_port), str(sql_port)], check=True,
                   capture_output=True, text=True, timeout=300)
    password = (folder / "dba-password").read_text().strip()
    return f"http://127.0.0.1:{http_port}", "dba", password


def stop_virtuoso(folder: Path) -> None:
    subprocess.run(["bash", str(SCRIPT), "stop", str(folder)], capture_output=True, text=True, timeout=120)


def synthetic_parameters() -> dict[str, dict[str, str]]:
    """Parameters that name things of the generated graph, for the queries whose defaults name real files and
    acts (the other queries keep their defaults)."""
    act = celex_numbers(2)[1]
    return {
        "act-amends-or-repeals": {"act": act},
        "act-in-force-on-date": {"act": act},
        "file-neighbourhood": {"file": "file-000001"},
        "file-timeline": {"file": "file-000001"},
        "search-files": {"text": "number 4242"},
        "acts-adopted-in-year": {"year": "2010"},
    }


def write_data(path: Path, triples: int) -> None:
    """The generated graph, plus the lifecycle stages' ``schema:position`` from the project's vocabulary (the
    generator's concepts have labels only; status-on-date orders stages by position)."""
    vocabulary = ROOT / "ontology" / "vocabularies" / "lifecycle-status.ttl"
    graph = ox.NamedNode(GRAPH["vocabularies"])
    positions = [ox.Quad(q.subject, q.predicate, q.object, graph)
                 for q in ox.parse(path=str(vocabulary), format=ox.RdfFormat.TURTLE)
                 if q.predicate == ox.NamedNode(SCHEMA.position)]
    with path.open("w", encoding="utf-8") as out:
        out.writelines(generate(triples - len(positions)))
        out.writelines(f"{quad} .\n" for quad in positions)


# -- the run -----------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="runs per query (the median is printed)")
    parser.add_argument("--query-timeout", type=float, default=60.0, help="seconds one run of one query may take")
    parser.add_argument("--budget", type=float, default=1800.0, help="seconds for the whole benchmark")
    parser.add_argument("--union", choices=["remote", "explicit"], default="remote",
                        help="how RemoteStore makes the default graph: Virtuoso's own union (default) or the "
                             "graphs sent with every query")
    args = parser.parse_args(argv)
    budget = Budget(args.budget)
    registry = QueryRegistry.from_dir(ROOT / "queries")
    synthetic = synthetic_parameters()

    with tempfile.TemporaryDirectory(prefix="policykg-bench-virtuoso-") as scratch:
        folder = Path(scratch)
        data = folder / "graph.nq"
        _, seconds = timed(write_data, data, args.triples)
        print(f"generated {args.triples:,} triples ({data.stat().st_size / 1e6:.0f} MB of N-Quads) in {seconds:.1f} s",
              flush=True)

        embedded = MemoryStore("bench")
        _, embedded_load = timed(embedded.load_nquads, data)
        print(f"embedded store (pyoxigraph, in memory): loaded {len(embedded):,} quads in {embedded_load:.1f} s",
              flush=True)

        graphs, read_seconds = timed(read_graphs, data)
        root, user, password = start_virtuoso(folder / "virtuoso")
        try:
            client = SparqlClient(f"{root}/sparql-auth", graph_store=f"{root}/sparql-graph-crud-auth",
                                  credentials=Credentials(user=user, password=password), timeout=args.query_timeout)
            report, publish_seconds = timed(publish, graphs, client)
            print(f"Virtuoso 7.2 (publish, {report.method}): {len(report.published):,} graphs, "
                  f"{report.triples:,} triples, verified, in {publish_seconds:.1f} s "
                  f"(+ {read_seconds:.1f} s reading the N-Quads)", flush=True)
            remote = RemoteStore(f"{root}/sparql", union=args.union, timeout=args.query_timeout,
                                 cache_seconds=3600)
            _, count_seconds = timed(lambda: remote.version)
            print(f"RemoteStore version (triples per graph, asked once per {remote.cache_seconds:g} s): "
                  f"{count_seconds * 1000:.0f} ms", flush=True)
            print(f"\nnamed queries (default parameters unless shown): median of {args.runs} runs, ms (rows)",
                  flush=True)
            print(f"{'query':32} {'embedded':>16} {'virtuoso':>16}", flush=True)
            for name, query in registry.items():
                if budget.left < 5:
                    print(f"{name:32} {'(budget spent)':>16}")
                    continue
                params = synthetic.get(name, {})
                line = [f"{name:32}"]
                for runner in ("embedded", "virtuoso"):
                    if runner == "embedded":
                        times, size, problem = embedded_latency(embedded, query, params, args.runs,
                                                                max(1.0, min(args.query_timeout, budget.left)))
                    else:
                        times, size, problem = remote_latency(remote, query, params, args.runs)
                    cell = f"{statistics.median(times) * 1000:.0f} ({size})" if times and not problem else problem
                    line.append(f"{cell:>16}")
                shown = " ".join(f"{k}={v}" for k, v in params.items())
                print(" ".join(line) + (f"   [{shown}]" if shown else ""), flush=True)
        finally:
            stop_virtuoso(folder / "virtuoso")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
