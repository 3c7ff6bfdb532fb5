"""Benchmark: the ``search`` named query (SPARQL over the store, what /search and ``policykg query search`` run)
against a small word index built in memory from the same values, on the project's graph and on generated graphs.

    python bench/bench_search.py                        # the real graph and 100k generated triples, median of 7
    python bench/bench_search.py --triples 100000 --triples 1000000 --runs 5

For each text it prints the median time of the query and of an index lookup (the index's build time apart), and
the rows each gave. The index answers only "which resources have these words", so it is the lower bound of what an
index could save; the query does the ranking and labelling as well.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_virtuoso import write_data  # noqa: E402
from generate import celex_numbers  # noqa: E402

from policykg.graph.build import build_project  # noqa: E402
from policykg.namespaces import DCTERMS, ELI, ELI_DL, PKG, RDFS, SKOS  # noqa: E402
from policykg.project import Project  # noqa: E402
from policykg.queries.registry import QueryRegistry  # noqa: E402
from policykg.store.local import MemoryStore  # noqa: E402

REAL = ["AI", "asylum", "return directive", "32024R1689", "COM(2021) 206", "2021/0106(COD)", "migr"]
PROPERTIES = [SKOS.prefLabel, RDFS.label, SKOS.altLabel, ELI.title_short, ELI.title, DCTERMS.title, PKG.celex,
              PKG.comNumber, DCTERMS.identifier, ELI_DL.process_id, SKOS.notation]
_NOT_WORD = re.compile(r"[^\w]+")


def words(text: str) -> str:
    return _NOT_WORD.sub(" ", text.lower()).replace("_", " ").strip()


class WordIndex:
    """word -> (resource, padded normalised value): the comparison's index, built from the same properties."""

    def __init__(self, engine: ox.Store) -> None:
        self.postings: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for prop in PROPERTIES:
            for quad in engine.quads_for_pattern(None, ox.NamedNode(str(prop)), None, None):
                value = f" {words(quad.object.value)} "
                for word in set(value.split()):
                    self.postings[word].add((quad.subject.value, value))

    def find(self, text: str) -> set[str]:
        wanted = words(text)
        if not wanted:
            return set()
        first, *_ = wanted.split()
        candidates = [p for w, ps in self.postings.items() if w.startswith(first) for p in ps] \
            if " " not in wanted else list(self.postings.get(first, ()))
        return {resource for resource, value in candidates if f" {wanted}" in value}


def median_ms(run, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def measure(name: str, store: MemoryStore, query, texts: list[str], runs: int) -> None:
    started = time.perf_counter()
    index = WordIndex(store.engine)
    built = (time.perf_counter() - started) * 1000
    print(f"{name}: {len(store.engine):,} quads; word index built in {built:.0f} ms "
          f"({len(index.postings):,} words)", flush=True)
    print(f"  {'text':24} {'SPARQL ms':>10} {'rows':>6} {'index ms':>10} {'hits':>6}")
    sparql_all, index_all = [], []
    for text in texts:
        sparql, result = median_ms(lambda t=text: query.run(store.engine, {"q": t}), runs)
        found, hits = median_ms(lambda t=text: index.find(t), runs)
        sparql_all.append(sparql)
        index_all.append(found)
        print(f"  {text:24} {sparql:10.1f} {len(result.rows):6} {found:10.2f} {len(hits):6}", flush=True)
    print(f"  median over the texts: SPARQL {statistics.median(sparql_all):.1f} ms, "
          f"index {statistics.median(index_all):.2f} ms", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, action="append", help="generated graph sizes (default: 100000)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    project = Project.locate()
    query = QueryRegistry.from_project(project)["search"]
    build = build_project(project, reason=False)
    store = MemoryStore(build.version)
    store.load_nquads(build.nquads_path)
    measure("the project's graph", store, query, REAL, args.runs)
    celex = celex_numbers(50)
    generated = ["synthetic", "Policy file 42", "Synthetic act 7", celex[42], "regulation", "polic"]
    with tempfile.TemporaryDirectory(prefix="policykg-bench-search-") as scratch:
        for size in args.triples or [100_000]:
            data = Path(scratch) / f"graph-{size}.nq"
            write_data(data, size)
            store = MemoryStore("bench")
            store.load_nquads(data)
            measure(f"{size:,} generated triples", store, query, generated, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
