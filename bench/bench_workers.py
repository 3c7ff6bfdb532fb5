"""Benchmark the workers of ``policykg serve`` under steady load at scale: forks, CPU per request, tail latency,
time to ready and memory.

    python bench/bench_workers.py                     # 1M generated triples, --nquads and --data, 2 workers, c=8
    python bench/bench_workers.py --triples 100000 --duration 10 --runs 1

For each way of loading (``--nquads FILE`` and ``--data FILE``) the server is started ``--runs`` times; each run
reports the time from process start to the first answer, the master's RSS, then a steady load of CELEX lookups
with wrk (``--connections``, ``--duration``) while the worker processes are sampled every 0.1 s: how many new
workers were forked, the server's CPU time per request, requests/s, and p50/p99 latency. Medians over the runs.
Everything listens on 127.0.0.1; every step is bounded in time.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_endpoint import (ACCEPT, Running, _ms, _read, cpu_seconds, free_port, lua_script,  # noqa: E402
                            pss_and_rss, request_paths)
from generate import celex_numbers, generate  # noqa: E402


def start(mode: str, data: Path, workers: int) -> Running:
    port = free_port()
    return Running(f"policykg serve {mode}", [sys.executable, "-m", "policykg", "serve", mode, str(data),
                                              "--port", str(port), "--workers", str(workers)],
                   f"http://127.0.0.1:{port}/sparql", ready_timeout=600)


def children(pid: int) -> set[int]:
    return {int(p.name) for p in Path("/proc").iterdir()
            if p.name.isdigit() and f"\nPPid:\t{pid}\n" in _read(p / "status")}


def steady_load(server: Running, script: Path, connections: int, duration: float) -> dict:
    import subprocess

    seen: set[int] = set()
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            seen.update(children(server.process.pid))
            time.sleep(0.1)

    first = children(server.process.pid)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    before = cpu_seconds(server.process.pid)
    output = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{round(duration)}s", "--timeout", "30s",
                             "--latency", "-s", str(script), server.url], capture_output=True, text=True,
                            timeout=duration + 60).stdout
    cpu = cpu_seconds(server.process.pid) - before
    stop.set()
    sampler.join()
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.M))
    count = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"forks": len(seen - first), "cpu_us": 1e6 * cpu / count, "rps": count / duration,
            "p50": _ms(latency["50"]), "p99": _ms(latency["99"]), "errors": int(errors.group(1)) if errors else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mode", action="append", choices=["--nquads", "--data"])
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "policykg-bench"))
    args = parser.parse_args()

    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    data = cache / f"policy-{args.triples}.nq"
    if not data.is_file():
        tmp = data.with_suffix(".tmp")
        with tmp.open("w") as out:
            out.writelines(generate(args.triples))
        tmp.replace(data)
    celex = celex_numbers(6000)
    folder = Path(tempfile.mkdtemp(prefix="policykg-bench-workers-"))
    print(f"# {args.triples} triples; {args.workers} workers; wrk c={args.connections} for {args.duration:g} s; "
          f"median of {args.runs} runs")
    print(f"{'mode':<9} {'ready s':>8} {'master MB':>10} {'PSS MB':>7} {'forks':>6} {'CPU µs/req':>11} "
          f"{'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>8}")
    for mode in args.mode or ["--nquads", "--data"]:
        rows = []
        for _ in range(args.runs):
            server = start(mode, data, args.workers)
            try:
                _, rss = pss_and_rss(server.process.pid)
                script = lua_script(folder / "lookup.lua", request_paths(server, "lookup", celex), ACCEPT["lookup"])
                result = steady_load(server, script, args.connections, args.duration)
                pss, _ = pss_and_rss(server.process.pid)
                rows.append({"ready": server.ready_after, "rss": rss, "pss": pss, **result})
            finally:
                server.stop()
        median = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
        print(f"{mode.lstrip('-'):<9} {median['ready']:8.2f} {median['rss']:10.0f} {median['pss']:7.0f} "
              f"{median['forks']:6.0f} {median['cpu_us']:11.0f} {median['rps']:7.0f} {median['p50']:7.2f} "
              f"{median['p99']:7.2f} {median['errors']:8.0f}", flush=True)


if __name__ == "__main__":
    main()
