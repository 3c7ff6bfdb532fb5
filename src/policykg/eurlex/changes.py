"""What writing an enrichment would change in a file, act by act: the dry run of ``policykg enrich``.

The new graph is compared with the graph the file holds now (none when it does not exist, everything when it
cannot be read). Facts are grouped by the act they are about (the subject that has a ``pkg:celex``); the graph's
own provenance (generation time, queries, endpoint) and the EUR-Lex pages cited as sources are counted apart,
as "other". A value; nothing is written.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from policykg.errors import DataLoadError
from policykg.eurlex.mapping import ENRICHMENT_GRAPH
from policykg.graph.load import parse_file
from policykg.namespaces import PKG

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class ActChange:
    """The facts about one act that writing would add to or remove from the file."""

    celex: str
    subject: str
    added: Counter[str]           # property IRI -> triples added
    removed: Counter[str]         # property IRI -> triples removed
    new_to_curated: int           # of the added, facts the curated data does not state

    @property
    def count_added(self) -> int:
        return sum(self.added.values())

    @property
    def count_removed(self) -> int:
        return sum(self.removed.values())


@dataclass(frozen=True)
class FileChanges:
    path: Path
    state: str                    # "absent", "unreadable" or "present"
    acts: tuple[ActChange, ...]   # acts whose facts would change, by CELEX number
    unchanged_acts: int           # acts in the new graph whose facts stay as they are
    other_added: int              # facts about no act: the cited EUR-Lex pages, the endpoint
    other_removed: int
    provenance: int               # the graph's own provenance (time, activity, queries): rewritten as a whole
    triples: int                  # triples the new graph holds
    would_write: bool             # False when only the generation time would change (the file is then kept)

    @property
    def added(self) -> int:
        return sum(a.count_added for a in self.acts)

    @property
    def removed(self) -> int:
        return sum(a.count_removed for a in self.acts)


def file_changes(new: Graph, path: Path, *, new_to_curated: frozenset[Triple] = frozenset(),
                 would_write: bool = True) -> FileChanges:
    """How writing ``new`` (the enrichment graph) to ``path`` would change what ``path`` holds."""
    path = Path(path)
    old, state = _read(path)
    new_triples, old_triples = set(new), set(old)
    celex = _celex_by_subject(new) | _celex_by_subject(old)

    added: dict[Node, Counter[str]] = defaultdict(Counter)
    removed: dict[Node, Counter[str]] = defaultdict(Counter)
    fresh: Counter[Node] = Counter()
    other_added = other_removed = 0
    for triple in _comparable(new_triples) - _comparable(old_triples):
        if triple[0] in celex:
            added[triple[0]][str(triple[1])] += 1
            fresh[triple[0]] += triple in new_to_curated
        else:
            other_added += 1
    for triple in _comparable(old_triples) - _comparable(new_triples):
        if triple[0] in celex:
            removed[triple[0]][str(triple[1])] += 1
        else:
            other_removed += 1

    changed = sorted(set(added) | set(removed), key=lambda s: (celex[s], str(s)))
    acts = tuple(ActChange(celex[s], str(s), added[s], removed[s], fresh[s]) for s in changed)
    unchanged = set(_celex_by_subject(new)) - set(changed)
    return FileChanges(path=path, state=state, acts=acts, unchanged_acts=len(unchanged), other_added=other_added,
                       other_removed=other_removed, provenance=len(new_triples) - len(_comparable(new_triples)),
                       triples=len(new_triples), would_write=would_write)


def _read(path: Path) -> tuple[Graph, str]:
    graph = Graph()
    if not path.is_file():
        return graph, "absent"
    try:
        loaded = parse_file(path, graph=ENRICHMENT_GRAPH)
    except DataLoadError:
        return graph, "unreadable"
    for s, p, o, _ in loaded.rdflib_quads():
        graph.add((s, p, o))
    return graph, "present"


def _celex_by_subject(graph: Graph) -> dict[Node, str]:
    return {s: str(o) for s, o in graph.subject_objects(PKG.celex) if isinstance(s, URIRef)}


def _comparable(triples: set[Triple]) -> set[Triple]:
    """The triples that can be compared between two parses: not the graph's provenance, which hangs on the graph
    and on blank nodes (never equal across two parses)."""
    return {t for t in triples
            if t[0] != ENRICHMENT_GRAPH and not isinstance(t[0], BNode) and not isinstance(t[2], BNode)}


__all__ = ["ActChange", "FileChanges", "file_changes"]
