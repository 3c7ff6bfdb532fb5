"""Counts over the built dataset: per class, per named graph, per source file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, URIRef
from rdflib.namespace import RDF


@dataclass(frozen=True)
class Stats:
    triples: int
    per_class: list[tuple[str, int]]
    per_graph: list[tuple[str, int]]
    per_file: list[tuple[str, int]]


def dataset_stats(dataset: Dataset, sources: dict[URIRef, Path], root: Path) -> Stats:
    classes: Counter[str] = Counter()
    graphs: Counter[str] = Counter()
    typed: set[tuple] = set()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graphs[str(g)] += 1
        if p == RDF.type and (s, o) not in typed:  # count an instance once even if typed in two graphs
            typed.add((s, o))
            classes[str(o)] += 1
    files = []
    for graph, count in graphs.items():
        path = sources.get(URIRef(graph))
        if path is not None:
            files.append((str(path.resolve().relative_to(root)), count))
    return Stats(
        triples=sum(graphs.values()),
        per_class=classes.most_common(),
        per_graph=sorted(graphs.items()),
        per_file=sorted(files),
    )
