"""Benchmark ``policykg export``: the project's graph and generated graphs (bench/generate.py) in each format.

    python bench/bench_export.py                                  # real graph, 100k and 1M; ttl; median of 3 runs
    python bench/bench_export.py --triples 100000 --format ttl --format trig --format jsonld --runs 5
    python bench/bench_export.py --no-real --triples 1000000 --runs 1

Times what the command does after the build: :func:`policykg.graph.export.export_file` reads the build's N-Quads
once through the engine's parser (each graph's N-Triples text, literals as a store holds them) and writes the
chosen graphs with the one RDF writer (canonical blank nodes, sorted, prefixed). The generated graphs are written
to ``--scratch`` once and reused. Prints the median wall-clock seconds, the median CPU seconds of the process (less
moved by other work on a shared machine) and the output size per graph and format.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

from policykg.graph.build import build_project  # noqa: E402
from policykg.graph.export import export_file, graph_format  # noqa: E402
from policykg.project import Project  # noqa: E402


def generated(scratch: Path, triples: int) -> Path:
    path = scratch / f"policy-{triples}.nq"
    if not path.is_file():
        scratch.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            out.writelines(generate(triples))
        tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, action="append", help="generated sizes (default: 100000 and 1000000)")
    parser.add_argument("--format", dest="formats", action="append", help="export formats (default: ttl)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-real", action="store_true", help="skip the project's own graph")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/policykg-bench"),
                        help="where the generated N-Quads files are kept (default: /tmp/policykg-bench)")
    args = parser.parse_args(argv)
    formats = [graph_format(name) for name in (args.formats or ["ttl"])]
    inputs: list[tuple[str, Path]] = []
    if not args.no_real:
        inputs.append(("project", build_project(Project.locate(), reason=False).nquads_path))
    for size in args.triples or [100_000, 1_000_000]:
        inputs.append((f"{size:,}", generated(args.scratch, size)))
    rows = []
    for label, path in inputs:
        for fmt in formats:
            times, cpu = [], []
            size = 0
            for _ in range(args.runs):
                started, started_cpu = time.perf_counter(), time.process_time()
                size = len(export_file(path, fmt))
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            rows.append((label, fmt.name, statistics.median(times), statistics.median(cpu), size))
            print(f"  {label:>10} {fmt.name:7} {statistics.median(times):8.2f} s  {statistics.median(cpu):8.2f} s cpu"
                  f"  {size:>12,} bytes", flush=True)
    print(f"\nexport, median of {args.runs} runs")
    print(f"{'graph':>10} {'format':7} {'seconds':>8} {'cpu s':>8}  {'bytes':>12}")
    for label, name, seconds, cpu_seconds, size in rows:
        print(f"{label:>10} {name:7} {seconds:8.2f} {cpu_seconds:8.2f}  {size:>12,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
