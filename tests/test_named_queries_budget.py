"""Every named query answers within a time budget on a generated graph of 100,000 triples: a guard against a
rewrite that makes the embedded store evaluate a query the slow way (a property path or a UNION joined after the
fact, an OPTIONAL the engine cannot look up row by row), which shows at this size as seconds instead of tens of
milliseconds, and at 1M triples as minutes.

The graph is the benchmarks' (``bench/generate.py`` with the lifecycle stages' positions, written by
``bench/bench_virtuoso.py``'s ``write_data``), and the queries run as ``policykg query`` runs them, with the
benchmarks' parameters. A query's time is the best of three runs, each in a forked child that is stopped once it
runs over the timeout (``embedded_latency``). The budget is generous (every query takes well under a tenth of it
on an idle machine): it catches a change of plan, not a slow machine. ``bench/bench_named_queries.py`` prints
the figures at 100k and 1M triples.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from policykg.project import Project
from policykg.queries.registry import QueryRegistry
from policykg.store.local import MemoryStore

BENCH = Path(__file__).resolve().parents[1] / "bench"
TRIPLES = 100_000
BUDGET = 2.0        # seconds, best of RUNS
RUNS = 3
TIMEOUT = 10.0      # seconds one run may take before its child process is stopped
NAMES = list(QueryRegistry.from_project(Project.locate()))


def _module(name: str) -> ModuleType:
    """A benchmark script of bench/, imported from its path (it finds bench/generate.py itself)."""
    spec = importlib.util.spec_from_file_location(f"policykg_bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _module("bench_virtuoso")


@pytest.fixture(scope="module")
def generated(bench, tmp_path_factory) -> MemoryStore:
    data = tmp_path_factory.mktemp("budget") / f"graph-{TRIPLES}.nq"
    bench.write_data(data, TRIPLES)
    store = MemoryStore("budget")
    store.load_nquads(data)
    return store


def test_the_generated_graph_has_the_requested_size(generated):
    assert abs(len(generated) - TRIPLES) < 100


@pytest.mark.parametrize("name", NAMES)
def test_named_query_answers_within_budget(registry, generated, bench, name):
    query = registry[name]
    params = bench.synthetic_parameters().get(name, {})
    times, _, problem = bench.embedded_latency(generated, query, params, RUNS, TIMEOUT)
    assert problem is None, f"{name}: a run took {problem} on {TRIPLES:,} generated triples"
    assert min(times) <= BUDGET, (f"{name}: best of {RUNS} runs {min(times):.2f} s on {TRIPLES:,} generated triples "
                                  f"(budget {BUDGET:g} s)")
