"""Benchmark: every named query on the embedded store at 100k and 1M generated triples.

    python bench/bench_named_queries.py                          # 100k and 1M, median of 3 runs
    python bench/bench_named_queries.py --triples 100000 --runs 5
    python bench/bench_named_queries.py --query procedures --query status-on-date
    python bench/bench_named_queries.py --queries /tmp/old-queries      # another version of queries/*.rq
    python bench/bench_named_queries.py --cpu    # CPU time of each run: steadier on a machine shared with others

The data is bench/generate.py's (with the lifecycle stages' positions, as bench/bench_virtuoso.py writes it); the
queries run as ``policykg query`` runs them (default parameters, or parameters naming generated files and acts
where the defaults name real ones). A run longer than ``--query-timeout`` is stopped (its process is ended) and
reported as such. bench/bench_virtuoso.py times the same queries on Virtuoso.

A parameter given a value that must be one of the dataset's (``values=acts``, ``values=files``) is checked against
the accepted values. ``policykg query`` looks up only the given values (on every run); the server's pages read the
whole list once per dataset version and keep it (its pickers offer every value). So the query is timed with the
accepted values already read, and both lookups are printed once per source, beside it: ``check`` (what a
``policykg query`` run adds) and ``all`` (what the server reads once).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_virtuoso import embedded_latency, synthetic_parameters, timed, write_data  # noqa: E402

from policykg.queries.choices import choices_for  # noqa: E402
from policykg.queries.registry import QueryRegistry  # noqa: E402
from policykg.store.local import MemoryStore  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, action="append", help="graph sizes (default: 100000 and 1000000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--query-timeout", type=float, default=60.0)
    parser.add_argument("--query", action="append", metavar="NAME", help="only these queries (default: all)")
    parser.add_argument("--queries", type=Path, default=HERE.parent / "queries", metavar="DIR",
                        help="the folder of .rq files (default: the project's queries/)")
    parser.add_argument("--cpu", action="store_true",
                        help="time each run by its process's CPU time instead of the wall clock (a machine shared "
                             "with other work disturbs it less)")
    args = parser.parse_args(argv)
    clock = time.process_time if args.cpu else time.perf_counter
    registry = QueryRegistry.from_dir(args.queries)
    names = [name for name in registry if not args.query or name in args.query]
    if args.query and (unknown := sorted(set(args.query) - set(names))):
        parser.error(f"unknown queries: {', '.join(unknown)}")
    synthetic = synthetic_parameters()
    sizes = args.triples or [100_000, 1_000_000]
    columns: dict[int, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="policykg-bench-queries-") as scratch:
        for size in sizes:
            data = Path(scratch) / f"graph-{size}.nq"
            write_data(data, size)
            store = MemoryStore("bench")
            started = time.perf_counter()
            store.load_nquads(data)
            print(f"{size:,} triples loaded in {time.perf_counter() - started:.1f} s", flush=True)
            column = columns.setdefault(size, {})
            lookups: dict[str, tuple[float, float]] = {}
            for name in names:
                params = synthetic.get(name, {})
                checked = registry[name].needs_choices(params)
                choices, seconds = timed(choices_for, checked, store, given=params, clock=clock)
                _, every = timed(choices_for, checked, store, clock=clock)
                for param in checked:
                    lookups.setdefault(str(param.values), (seconds / len(checked), every / len(checked)))
                times, rows, problem = embedded_latency(store, _WithChoices(registry[name], choices), params,
                                                        args.runs, args.query_timeout, clock=clock)
                column[name] = problem or f"{statistics.median(times) * 1000:.0f} ({rows})"
                print(f"  {name:32} {column[name]:>14}", flush=True)
            for source, (seconds, every) in lookups.items():
                column[f"lookup values={source}"] = f"{seconds * 1000:.0f} / {every * 1000:.0f}"
                print(f"  {'lookup values=' + source:32} {column[f'lookup values={source}']:>14}", flush=True)
            del store
    print(f"\nnamed queries, embedded store: median of {args.runs} runs, ms {'of CPU time ' if args.cpu else ''}"
          "(rows)")
    print(f"{'query':32} " + " ".join(f"{size:>14,}" for size in sizes))
    for name in [*names, *sorted({key for column in columns.values() for key in column} - set(names))]:
        print(f"{name:32} " + " ".join(f"{columns[size].get(name, ''):>14}" for size in sizes))
    print("(lookup values=SOURCE: check / all, ms, timed once: `policykg query` pays the check, the given values "
          "alone, on each run of a query given such a value; the server reads all once per dataset version)")
    return 0


class _WithChoices:
    """A named query run with the accepted values already read, as the server runs it."""

    def __init__(self, query, choices) -> None:
        self.query, self.choices = query, choices

    def run(self, engine, params):
        return self.query.run(engine, params, choices=self.choices)


if __name__ == "__main__":
    raise SystemExit(main())
