"""Benchmark: every named query run by ``policykg query --endpoint`` against ``policykg serve`` at scale.

    python bench/bench_remote_queries.py                      # 1M generated triples, 2 workers
    python bench/bench_remote_queries.py --triples 100000 --query status-on-date

The server loads bench/bench_virtuoso.py's generated graph (``--nquads``); each named query then runs as a user
would run it from another machine: ``policykg query NAME --endpoint URL --format csv``, one process per query,
with the parameters bench/bench_named_queries.py uses for the generated graph. For each query the script prints
the exit status, the rows written, the wall time of the whole command (Python start-up included) and the first
line of anything it wrote to stderr (a truncated answer is announced there). Any non-zero exit is an error: the
script exits 1. Everything listens on 127.0.0.1 and every step is bounded in time.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_endpoint import start_policykg  # noqa: E402
from bench_virtuoso import synthetic_parameters, write_data  # noqa: E402

from policykg.queries.registry import QueryRegistry  # noqa: E402


def run_query(name: str, url: str, params: dict[str, str], timeout: float) -> tuple[int | None, int, float, str]:
    """(exit status or None when stopped at ``timeout``, rows, seconds, first stderr line) of one CLI run."""
    command = [sys.executable, "-m", "policykg", "query", name, "--endpoint", url, "--format", "csv"]
    for key, value in params.items():
        command += ["--param", f"{key}={value}"]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, 0, time.perf_counter() - started, f"stopped after {timeout:g} s"
    seconds = time.perf_counter() - started
    rows = max(0, sum(1 for _ in csv.reader(io.StringIO(done.stdout.decode("utf-8", "replace")))) - 1)
    message = next((line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()), "")
    return done.returncode, rows, seconds, message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--query", action="append", metavar="NAME", help="only these queries (default: all)")
    parser.add_argument("--query-timeout", type=float, default=120.0)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "policykg-bench")
    args = parser.parse_args(argv)
    registry = QueryRegistry.from_dir(HERE.parent / "queries")
    names = [name for name in registry if not args.query or name in args.query]
    args.cache.mkdir(parents=True, exist_ok=True)
    data = args.cache / f"named-queries-{args.triples}.nq"
    if not data.exists():
        write_data(data, args.triples)
    synthetic = synthetic_parameters()
    server = start_policykg(data, args.workers)
    failures = 0
    try:
        print(f"# {args.triples:,} triples; policykg serve --nquads, {args.workers} workers, ready in "
              f"{server.ready_after:.1f} s; policykg query NAME --endpoint {server.url}")
        print(f"{'query':<32} {'exit':>4} {'rows':>7} {'s':>6}  stderr")
        for name in names:
            status, rows, seconds, message = run_query(name, server.url, synthetic.get(name, {}),
                                                       args.query_timeout)
            failures += status != 0
            print(f"{name:<32} {'-' if status is None else status:>4} {rows:>7} {seconds:6.2f}  {message[:90]}",
                  flush=True)
    finally:
        server.stop()
    print(f"{len(names) - failures} of {len(names)} named queries answered without error")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
