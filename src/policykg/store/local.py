"""The query engine behind one small interface, so that a remote SPARQL store can stand in for the embedded one.

:class:`Store` is what the endpoint needs: queries, updates, and whole graphs read, replaced, added to and dropped
(the Graph Store Protocol). Answers are pyoxigraph values (``QuerySolutions``, ``QueryTriples``, ``QueryBoolean``,
``Triple``, ``Quad``), which a remote store can produce too with ``pyoxigraph.parse_query_results``.

:class:`MemoryStore` keeps the dataset in pyoxigraph's in-memory store: loaded once in the server's master
process, then shared copy-on-write by the worker processes. :class:`DiskStore` keeps it in pyoxigraph's on-disk
store, which every process opens for itself: used when updates are enabled, so that an update survives the
replacement of a worker process (the endpoint replaces a worker whose query ran out of time) and, in a folder of
the user's (``serve --db``), a restart of the server.
"""

from __future__ import annotations

import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policykg.errors import PolicyKGError, SparqlSyntaxError
from policykg.rdf_writer import GraphName

Answer = ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean


class Store(ABC):
    """A SPARQL dataset the endpoint can query and, when updates are enabled, change."""

    #: False when answering needs the network (a remote store): the server then leaves its workers connected.
    local: bool = True

    @property
    @abstractmethod
    def version(self) -> str:
        """A string that changes whenever the data changes (the build's content hash, plus an update counter)."""

    @abstractmethod
    def query(self, query: str, **options: Any) -> Answer | list[ox.Triple]:
        """Evaluate a query. ``options`` are pyoxigraph's: ``base_iri``, ``prefixes``, ``default_graph``,
        ``named_graphs``, ``use_default_graph_as_union``, ``substitutions``. Raises SparqlSyntaxError. A remote
        store answers CONSTRUCT and DESCRIBE with a list of triples."""

    @abstractmethod
    def update(self, update: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        """Apply an update atomically. Raises SparqlSyntaxError."""

    @abstractmethod
    def graph_names(self) -> list[ox.NamedNode | ox.BlankNode]:
        """The named graphs, sorted."""

    @abstractmethod
    def contains_graph(self, name: GraphName) -> bool: ...

    @abstractmethod
    def triples(self, graph: GraphName) -> Iterator[ox.Triple]:
        """The triples of one graph (``ox.DefaultGraph()`` for the default graph)."""

    @abstractmethod
    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the dataset."""

    @abstractmethod
    def replace_graph(self, graph: GraphName, triples: Iterable[ox.Triple]) -> bool:
        """Make ``graph`` hold exactly ``triples``; True when the graph did not exist before."""

    @abstractmethod
    def add_to_graph(self, graph: GraphName, triples: Iterable[ox.Triple]) -> bool:
        """Add ``triples`` to ``graph``; True when the graph did not exist before."""

    @abstractmethod
    def drop_graph(self, graph: GraphName) -> bool:
        """Remove ``graph``; False when there was no such graph."""

    def __len__(self) -> int:
        return sum(1 for _ in self.quads())

    def close(self) -> None:  # noqa: B027 - most stores hold nothing open
        """Let go of what the store holds open (an on-disk store's files); a later use opens it again."""


class OxigraphStore(Store):
    """A pyoxigraph store (in memory or on disk) behind the :class:`Store` interface."""

    def __init__(self, version: str) -> None:
        self._base_version = version
        self._changes = 0

    @property
    def engine(self) -> ox.Store:
        raise NotImplementedError

    @property
    def version(self) -> str:
        return self._base_version if not self._changes else f"{self._base_version}+{self._changes}"

    def _changed(self) -> None:
        self._changes += 1

    def query(self, query: str, **options: Any) -> Answer:
        try:
            return self.engine.query(query, **options)
        except SyntaxError as error:
            raise SparqlSyntaxError(f"query syntax error: {error}") from None

    def update(self, update: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        try:
            self.engine.update(update, base_iri=base_iri, prefixes=prefixes)
        except SyntaxError as error:
            raise SparqlSyntaxError(f"update syntax error: {error}") from None
        except OSError as error:  # e.g. CREATE of an existing graph without SILENT
            raise PolicyKGError(f"the update failed: {error}") from None
        self._changed()

    def graph_names(self) -> list[ox.NamedNode | ox.BlankNode]:
        return sorted(self.engine.named_graphs(), key=str)

    def contains_graph(self, name: GraphName) -> bool:
        return isinstance(name, ox.DefaultGraph) or self.engine.contains_named_graph(name)

    def triples(self, graph: GraphName) -> Iterator[ox.Triple]:
        for quad in self.engine.quads_for_pattern(None, None, None, graph):
            yield quad.triple

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self.engine)

    def replace_graph(self, graph: GraphName, triples: Iterable[ox.Triple]) -> bool:
        quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        created = not self.contains_graph(graph)
        if isinstance(graph, ox.DefaultGraph):
            self.engine.clear_graph(graph)
        elif not created:
            self.engine.remove_graph(graph)
        if not isinstance(graph, ox.DefaultGraph):
            self.engine.add_graph(graph)
        self.engine.extend(quads)
        self._changed()
        return created

    def add_to_graph(self, graph: GraphName, triples: Iterable[ox.Triple]) -> bool:
        created = not self.contains_graph(graph)
        if created:
            self.engine.add_graph(graph)
        self.engine.extend([ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])
        self._changed()
        return created

    def drop_graph(self, graph: GraphName) -> bool:
        if isinstance(graph, ox.DefaultGraph):
            self.engine.clear_graph(graph)
            self._changed()
            return True
        if not self.engine.contains_named_graph(graph):
            return False
        self.engine.remove_graph(graph)
        self._changed()
        return True

    def __len__(self) -> int:
        return len(self.engine)

    # Loading -----------------------------------------------------------------------------------------------------

    def load_nquads(self, path: Path | str) -> None:
        """Load an N-Quads file written by the build (:func:`policykg.graph.load.load_build`)."""
        from policykg.graph.load import load_build

        load_build(path, self.engine)

    def load_files(self, paths: Iterable[Path | str], *, root: Path | None = None) -> None:
        """Load RDF files through the strict loader (:func:`policykg.graph.load.load_store`): straight into the
        engine, one named graph per file (TriG and N-Quads keep theirs); nothing is loaded if one file fails."""
        from policykg.graph.load import load_store

        load_store(paths, store=self.engine, root=root)


class MemoryStore(OxigraphStore):
    """pyoxigraph's in-memory store."""

    def __init__(self, version: str = "unversioned") -> None:
        super().__init__(version)
        self._store = ox.Store()

    @property
    def engine(self) -> ox.Store:
        return self._store


class DiskStore(OxigraphStore):
    """pyoxigraph's on-disk store in ``path``, opened lazily by each process that uses it (an open store must not
    be carried across a fork). The count of changes is kept beside it, so every process reports the same version.

    Every change is flushed to disk before the call returns (pyoxigraph writes a change to RocksDB's log at once
    and to its tables in the background; :meth:`ox.Store.flush` waits for both), so a change that was answered
    with a 2xx outlives a killed process and a restart. ``read_only``: the files are opened without the writer's
    lock, so that several processes may read them at once; nothing may write them meanwhile.

    The folder holds ``db/`` (the engine's files), ``version`` (the data's version, written once the data is
    loaded: a folder without it is an interrupted first load) and ``changes`` (the count of changes).
    """

    def __init__(self, path: Path | str, version: str = "unversioned", *, read_only: bool = False) -> None:
        super().__init__(version)
        self.path = Path(path)
        self.read_only = read_only
        self._store: ox.Store | None = None
        self._pid = 0

    @classmethod
    def create(cls, path: Path | str, version: str, *, nquads: Path | None = None,
               files: Iterable[Path] | None = None, root: Path | None = None) -> DiskStore:
        """A fresh store in ``path`` (emptied first) holding ``nquads`` or ``files``; closed on return."""
        path = Path(path)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        store = cls(path, version)

        def load() -> None:
            if nquads is not None:
                store.load_nquads(nquads)
            if files is not None:
                store.load_files(files, root=root)
            store.close()

        _in_child(load)
        _write_durably(path / "version", version)
        return store

    @classmethod
    def existing(cls, path: Path | str, *, read_only: bool = False) -> DiskStore | None:
        """The store a previous :meth:`create` left complete in ``path``, as it is; None when there is none."""
        path = Path(path)
        marker = path / "version"
        if not marker.is_file() or not (path / "db").is_dir():
            return None
        return cls(path, marker.read_text().strip(), read_only=read_only)

    @property
    def engine(self) -> ox.Store:
        if self._store is None or self._pid != os.getpid():
            location = str(self.path / "db")
            self._store = ox.Store.read_only(location) if self.read_only else ox.Store(location)
            self._pid = os.getpid()
        return self._store

    def close(self) -> None:
        """Flush and close the engine in this process. It must happen before the interpreter tears down: RocksDB's
        background threads outliving the Python objects around them crash the process as it exits."""
        store, self._store = self._store, None
        if store is not None and self._pid == os.getpid():
            if not self.read_only:
                store.flush()
            del store
            import gc

            gc.collect()

    @property
    def version(self) -> str:
        counter = self.path / "changes"
        changes = int(counter.read_text()) if counter.is_file() else 0
        return self._base_version if not changes else f"{self._base_version}+{changes}"

    def _changed(self) -> None:
        self.engine.flush()  # durable before the caller answers
        counter = self.path / "changes"
        changes = (int(counter.read_text()) if counter.is_file() else 0) + 1
        _write_durably(counter, str(changes))


def _in_child(job) -> None:
    """Run ``job`` in a forked child and raise what it raised. The engine's files are never opened by a process
    that forks workers afterwards: RocksDB's background threads do not survive a fork, and a forked process that
    inherited its global state waits for them forever (a flush never returns) or crashes as it exits."""
    import pickle

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        code = 0
        try:
            job()
            payload = b""
        except BaseException as error:  # noqa: BLE001 - handed to the parent as it is
            code = 1
            payload = pickle.dumps(PolicyKGError(str(error)) if isinstance(error, PolicyKGError) else
                                   PolicyKGError(f"{type(error).__name__}: {error}"))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if payload:
        raise pickle.loads(payload)
    if status:
        raise PolicyKGError(f"loading the on-disk store failed (status {status})")


def _write_durably(path: Path, text: str) -> None:
    """Replace ``path``'s content atomically and on disk."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
