"""Enrichment from CELLAR, end to end: read the curated data, ask the endpoint, build the named graph in our
vocabulary, compare, and write the graph deterministically (unchanged bytes when nothing changed).

    dataset = load_files(curated_files(project))
    result = enrich(dataset, CellarClient(endpoint), generated_at=now)
    plan_write(result, path)            # what writing would change, act by act (the dry run)
    write_enrichment(result, path)      # e.g. project.data_dir / DEFAULT_OUTPUT, which the build then loads
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph
from rdflib.term import Node

from policykg.errors import DataLoadError
from policykg.eurlex.cellar import CellarAnswer, fetch
from policykg.eurlex.changes import FileChanges, file_changes
from policykg.eurlex.client import CellarClient
from policykg.eurlex.curated import read_curated, union_graph
from policykg.eurlex.diff import EnrichmentReport, compare
from policykg.eurlex.mapping import ENRICHMENT_GRAPH, timestamp, to_dataset
from policykg.graph.export import serialize
from policykg.graph.load import parse_file
from policykg.namespaces import ELI, PROV
from policykg.project import Project

#: Where ``policykg enrich --write`` writes, relative to the project's data folder: a data file like the others,
#: which the build (validate, serve, query, export) loads as the named graph ENRICHMENT_GRAPH.
DEFAULT_OUTPUT = Path("eurlex") / "cellar.ttl"


@dataclass(frozen=True)
class EnrichmentResult:
    dataset: Dataset              # one named graph, ENRICHMENT_GRAPH
    report: EnrichmentReport
    answer: CellarAnswer
    triples: int                  # triples in the enrichment graph
    additions: int                # of which the curated data lacks (provenance not counted)
    new: frozenset[tuple[Node, Node, Node]] = frozenset()  # those additions


def curated_files(project: Project) -> list[Path]:
    """The curated data files: every data file except those under ``data/eurlex/`` (earlier enrichments,
    which would otherwise be compared with themselves)."""
    enrichments = (project.data_dir / "eurlex").resolve()
    return [p for p in project.data_files() if enrichments not in p.resolve().parents]


def enrich(curated: Graph | Dataset, client: CellarClient, *, generated_at: _dt.datetime,
           follow_links: bool = True) -> EnrichmentResult:
    """Ask ``client``'s endpoint about every CELEX number and procedure of ``curated``.

    Raises UpstreamError when the endpoint cannot be reached or fails (after the client's retries), or cuts an
    answer at its row limit.
    """
    union = union_graph(curated) if isinstance(curated, Dataset) else curated
    view = read_curated(union)
    answer = fetch(client, view.celex_numbers, view.procedures, follow_links=follow_links)
    dataset = to_dataset(answer, view, generated_at=generated_at)
    graph = dataset.graph(ENRICHMENT_GRAPH)
    _drop_conflicts(graph, union)
    new = frozenset((s, p, o) for s, p, o in graph
                    if s != ENRICHMENT_GRAPH and not isinstance(s, BNode) and (s, p, o) not in union)
    return EnrichmentResult(dataset=dataset, report=compare(answer, view), answer=answer,
                            triples=len(graph), additions=len(new), new=new)


#: Facts an act has once: where CELLAR and the curated data disagree, CELLAR's value stays out of the graph
#: (the graph would otherwise hold two values and fail validation) and the report carries the disagreement.
SINGLE_VALUED = (ELI.date_document, ELI.date_publication, ELI.first_date_entry_in_force,
                 ELI.date_no_longer_in_force, ELI.in_force, ELI.type_document)


def _drop_conflicts(graph: Graph, curated: Graph) -> None:
    for predicate in SINGLE_VALUED:
        for subject, value in list(graph.subject_objects(predicate)):
            curated_values = set(curated.objects(subject, predicate))
            if curated_values and value not in curated_values:
                graph.remove((subject, predicate, value))


def render(dataset: Dataset) -> bytes:
    """Byte-stable Turtle of the enrichment graph."""
    return serialize(dataset, "ttl")


def write_enrichment(result: EnrichmentResult, path: Path) -> bool:
    """Write the graph to ``path``; False (and the file untouched) when it already holds the same
    graph and differs only by its generation time, so that a refresh without news shows no diff."""
    path = Path(path)
    if not needs_writing(result, path):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(result.dataset))
    return True


def needs_writing(result: EnrichmentResult, path: Path) -> bool:
    """False when ``path`` already holds this graph, its generation time aside."""
    path = Path(path)
    if not path.is_file():
        return True
    old = path.read_bytes()
    previous = _previous_time(path)
    if previous is not None and render(_with_time(result.dataset, previous)) == old:
        return False
    return old != render(result.dataset)


def plan_write(result: EnrichmentResult, path: Path) -> FileChanges:
    """What :func:`write_enrichment` would change in ``path``, act by act, without writing anything."""
    return file_changes(result.dataset.graph(ENRICHMENT_GRAPH), path, new_to_curated=result.new,
                        would_write=needs_writing(result, path))


def _previous_time(path: Path):
    try:
        loaded = parse_file(path, graph=ENRICHMENT_GRAPH)
    except DataLoadError:
        return None  # not a graph we wrote: it is replaced
    times = [o for s, p, o, _ in loaded.rdflib_quads() if s == ENRICHMENT_GRAPH and p == PROV.generatedAtTime]
    return times[0] if len(times) == 1 else None


def _with_time(dataset: Dataset, moment) -> Dataset:
    copy = Dataset()
    target = copy.graph(ENRICHMENT_GRAPH)
    for s, p, o in dataset.graph(ENRICHMENT_GRAPH):
        if s == ENRICHMENT_GRAPH and p == PROV.generatedAtTime:
            o = moment
        target.add((s, p, o))
    return copy


__all__ = ["DEFAULT_OUTPUT", "EnrichmentResult", "curated_files", "enrich", "needs_writing", "plan_write", "render",
           "timestamp", "write_enrichment"]
