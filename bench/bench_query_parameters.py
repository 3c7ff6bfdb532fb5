"""Benchmark: what checking a parameter against the data costs, on the project's build in the embedded store.

    python bench/bench_query_parameters.py              # median of 21 runs each
    python bench/bench_query_parameters.py --runs 51

Prints the median time of each lookup (``src/policykg/queries/lookups/*.rq``, one per kind of value), of a named
query with a checked value whose accepted values are read for it (as ``policykg query`` does) and already read
(as the server does, once per dataset version), and of the same query given two values (one VALUES block).
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyoxigraph as ox

from policykg.graph.build import build_project
from policykg.project import Project
from policykg.queries.choices import lookup, parse_source
from policykg.queries.registry import QueryRegistry


def median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    project = Project.locate()
    build = build_project(project, reason=False)
    store = ox.Store()
    store.load(path=str(build.nquads_path), format=ox.RdfFormat.N_QUADS)
    registry = QueryRegistry.from_project(project)
    sources = sorted({p.values for q in registry.values() for p in q.params if p.values})
    for source in sources:
        parsed = parse_source(source)
        count = len(lookup(store, parsed))
        took = median_ms(lambda parsed=parsed: lookup(store, parsed), runs)
        print(f"lookup {source:26s} {count:4d} values  {took:7.2f} ms")
    query = registry["files-and-instruments"]
    files = {"file": lookup(store, parse_source("files"))}
    cases = [("file=ai-act, values read for the query", lambda: query.run(store, {"file": "ai-act"})),
             ("file=ai-act, values already read", lambda: query.run(store, {"file": "ai-act"}, choices=files)),
             ("file=ai-act&file=eurodac-regulation", lambda: query.run(
                 store, {"file": ["ai-act", "eurodac-regulation"]}, choices=files))]
    for label, action in cases:
        print(f"files-and-instruments {label:40s} {median_ms(action, runs):7.2f} ms")


if __name__ == "__main__":
    main()
