"""Keep the reasoner's results on disk, keyed by the content of its input, so that HermiT runs only when the
input changed.

The key (:func:`input_digest`) is a SHA-256 of the input triples that does not depend on blank node labels (each
load of a file labels them anew), salted with owlready2's version (which bundles HermiT) and with the source of
the reasoning modules, so that a new version of either never reuses an old result. It is the hash of the whole
input, not only of the part HermiT is given (:mod:`policykg.reason.relevance`): the inferred triples are spelled
out over all of it. An entry is two files in the cache folder: ``<key>.nt`` (the inferred triples, sorted
N-Triples) and ``<key>.json`` (the verdict and its details). Writes are atomic; the least recently used entries
beyond :data:`KEEP` are removed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from policykg.formats import NTRIPLES
from policykg.namespaces import XSD, bind_prefixes

FORMAT = "policykg-reason-1"
KEEP = 8
_REASONING_MODULES = ("reasoner.py", "cache.py", "owl_world.py", "hermit_process.py", "entailment.py",
                      "inconsistency.py", "relevance.py")
_XSD_STRING = str(XSD.string)

Triple = tuple[Node, Node, Node]


def input_digest(triples: Iterable[Triple]) -> str:
    """A content hash of the triples (a Graph or any iterable of triples), blind to blank node labels."""
    triples = triples if isinstance(triples, (set, frozenset)) else set(triples)
    bnodes = {n for t in triples for n in (t[0], t[2]) if isinstance(n, BNode)}
    outgoing: dict[BNode, list] = defaultdict(list)
    incoming: dict[BNode, list] = defaultdict(list)
    for s, p, o in triples:
        if isinstance(s, BNode) and s in bnodes:
            outgoing[s].append((p, o))
        if isinstance(o, BNode) and o in bnodes:
            incoming[o].append((s, p))
    labels = dict.fromkeys(bnodes, "_:")
    written: dict[Node, str] = {}

    def term(node) -> str:
        if node in labels:
            return labels[node]
        if node not in written:
            written[node] = node.n3()
        return written[node]

    for _ in range(8):  # refine blank-node labels by their neighbourhoods (enough for lists and nested axioms)
        labels = {b: "_:" + _sha("|".join(sorted(term(p) + " " + term(o) for p, o in outgoing[b])) + "||"
                                 + "|".join(sorted(term(s) + " " + term(p) for s, p in incoming[b])))
                  for b in bnodes}
    digest = hashlib.sha256(_salt().encode())
    for line in sorted(f"{term(s)} {term(p)} {term(o)}" for s, p, o in triples):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def read(folder: Path, digest: str) -> tuple[Graph, dict] | None:
    """The cached inferred graph and details for ``digest``, or None (missing, unreadable or stale entry)."""
    meta_path, triples_path = folder / f"{digest}.json", folder / f"{digest}.nt"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        graph = _read_ntriples(triples_path)
    except (OSError, ValueError, SyntaxError):
        return None
    if meta.get("format") != FORMAT or meta.get("digest") != digest or len(graph) != meta.get("triples"):
        return None
    os.utime(meta_path)  # most recently used
    return graph, meta


def write(folder: Path, digest: str, inferred: Graph, meta: dict) -> None:
    """Store an entry (the graph as sorted N-Triples, ``meta`` as JSON) and drop the oldest beyond :data:`KEEP`."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = sorted(line for line in inferred.serialize(format="nt").splitlines() if line.strip())
    meta = {**meta, "format": FORMAT, "digest": digest, "triples": len(inferred)}
    _write_atomically(folder / f"{digest}.nt", "".join(line + "\n" for line in lines))
    _write_atomically(folder / f"{digest}.json", json.dumps(meta, indent=2, sort_keys=True) + "\n")
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        for path in (old, old.with_suffix(".nt")):
            path.unlink(missing_ok=True)


@functools.lru_cache(maxsize=1)
def _salt() -> str:
    """Computed once per process, so that it describes the code that is running."""
    import owlready2

    code = hashlib.sha256()
    here = Path(__file__).parent
    for name in _REASONING_MODULES:
        code.update((here / name).read_bytes())
    return f"{FORMAT} owlready2 {owlready2.VERSION} code {code.hexdigest()}\n"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _read_ntriples(path: Path) -> Graph:
    """Read an N-Triples file (pyoxigraph parses it: strict and fast), with the loader's term conventions."""
    import pyoxigraph as ox

    def term(value) -> Node:
        if isinstance(value, ox.NamedNode):
            return URIRef(value.value)
        if isinstance(value, ox.BlankNode):
            return BNode(value.value)
        if value.language:
            return Literal(value.value, lang=value.language)
        if value.datatype.value == _XSD_STRING:  # RDF 1.1 simple literal: rdflib's plain form, as load.py does
            return Literal(value.value)
        return Literal(value.value, datatype=URIRef(value.datatype.value))

    graph = bind_prefixes(Graph())
    graph.addN((term(t.subject), term(t.predicate), term(t.object), graph)
               for t in ox.parse(path=path, format=NTRIPLES.rdf))
    return graph


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader never sees half a file (the permissions follow the umask)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


__all__ = ["FORMAT", "KEEP", "input_digest", "read", "write"]
