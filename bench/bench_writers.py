"""Benchmark: the one answer writer (policykg.sparql.results.write) on the named queries' answers, per format.

    python bench/bench_writers.py                       # 100k generated triples, median of 5 runs
    python bench/bench_writers.py --triples 1000000 --runs 3
    python bench/bench_writers.py --query files-and-instruments --query eurovoc-subjects

Each named query runs once on the embedded store (as ``policykg query`` runs it, with bench/bench_virtuoso.py's
parameters for the generated graph); its rows are then written in SPARQL JSON, XML, CSV and TSV results, each
``--runs`` times, and the median is printed in ms, beside the time the query takes to give its rows (read into
Python) and the time it takes with the engine's own JSON writer instead (pyoxigraph writes the answer as it
evaluates; it has no caps, notes or byte-stable text, and cannot write rows already read). Queries whose answer
is empty with these parameters are left out.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_virtuoso import synthetic_parameters, write_data  # noqa: E402

from policykg.formats import CSV, JSON, TSV, XML  # noqa: E402
from policykg.namespaces import PREFIXES  # noqa: E402
from policykg.queries.choices import choices_for  # noqa: E402
from policykg.queries.registry import QueryRegistry  # noqa: E402
from policykg.sparql.results import SelectResult, write  # noqa: E402
from policykg.store.local import MemoryStore  # noqa: E402

FORMATS = (JSON, XML, CSV, TSV)


def median_ms(runs: int, function, *args) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def evaluate(engine: ox.Store, text: str, options: dict) -> None:
    list(engine.query(text, **options))


def engine_json(engine: ox.Store, text: str, options: dict) -> None:
    engine.query(text, **options).serialize(format=ox.QueryResultsFormat.JSON)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query", action="append", metavar="NAME", help="only these queries (default: all)")
    args = parser.parse_args(argv)
    registry = QueryRegistry.from_dir(HERE.parent / "queries")
    names = [name for name in registry if not args.query or name in args.query]
    synthetic = synthetic_parameters()
    with tempfile.TemporaryDirectory(prefix="policykg-bench-writers-") as scratch:
        data = Path(scratch) / "graph.nq"
        write_data(data, args.triples)
        store = MemoryStore("bench")
        store.load_nquads(data)
    print(f"# {args.triples:,} triples; median of {args.runs} runs, ms")
    print(f"{'query':32} {'rows':>7} {'query':>8} " + " ".join(f"{fmt.name:>7}" for fmt in FORMATS)
          + f" {'query+engine json':>18}")
    for name in names:
        query, params = registry[name], synthetic.get(name, {})
        checked = query.needs_choices(params)
        choices = choices_for(checked, store, given=params) if checked else None
        result = query.run(store, params, choices=choices)
        if not isinstance(result, SelectResult) or not result.rows:
            continue
        text, substitutions = query.prepare(params, choices=choices)
        options = {"use_default_graph_as_union": True, "prefixes": PREFIXES, "substitutions": substitutions}
        evaluation = median_ms(args.runs, evaluate, store.engine, text, options)
        ours = [median_ms(args.runs, write, result, fmt) for fmt in FORMATS]
        engine = median_ms(args.runs, engine_json, store.engine, text, options)
        print(f"{name:32} {len(result.rows):7} {evaluation:8.1f} " + " ".join(f"{ms:7.1f}" for ms in ours)
              + f" {engine:18.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
