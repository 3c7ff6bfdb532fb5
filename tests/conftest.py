"""Shared fixtures: the project; its asserted graph as a queryable store; the published build, its store and the
whole web application over it."""

from __future__ import annotations

from pathlib import Path

import shutil

import pyoxigraph as ox
import pytest

from policykg.graph.load import load_files
from policykg.namespaces import PREFIXES
from policykg.project import Project

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def project() -> Project:
    return Project.locate(Path(__file__).resolve().parents[1])


@pytest.fixture(scope="session")
def project_dataset(project):
    """The project's asserted graph (ontology, vocabularies, data) as an rdflib Dataset."""
    files = project.ontology_files() + project.vocabulary_files() + project.data_files()
    return load_files(files, root=project.root)


class GraphQuery:
    """Runs SPARQL over the project's graph (union of its named graphs) with the project's prefixes."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def select(self, query: str, **bindings) -> list[dict[str, str]]:
        substitutions = {ox.Variable(k): _term(v) for k, v in bindings.items()}
        result = self.store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True,
                                  substitutions=substitutions)
        names = [v.value for v in result.variables]
        return [{n: row[n].value for n in names if row[n] is not None} for row in result]

    def ask(self, query: str, **bindings) -> bool:
        substitutions = {ox.Variable(k): _term(v) for k, v in bindings.items()}
        return bool(self.store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True,
                                     substitutions=substitutions))


def _term(value):
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    return ox.Literal(str(value))


@pytest.fixture(scope="session")
def graph_query(project_dataset) -> GraphQuery:
    store = ox.Store()
    store.load(project_dataset.serialize(format="nquads").encode(), format=ox.RdfFormat.N_QUADS)
    return GraphQuery(store)


@pytest.fixture(scope="session")
def build(project):
    """The project's published dataset (reasoned when Java is here, as ``policykg serve`` does)."""
    from policykg.graph.build import build_project

    return build_project(project, reason=shutil.which("java") is not None)


@pytest.fixture(scope="session")
def store(build):
    """The build in the embedded store."""
    from policykg.store.local import MemoryStore

    store = MemoryStore(build.version)
    store.load_nquads(build.nquads_path)
    return store


@pytest.fixture(scope="session")
def registry(project):
    from policykg.queries.registry import QueryRegistry

    return QueryRegistry.from_project(project)


@pytest.fixture(scope="session")
def app(store, registry, tmp_path_factory):
    """The whole web application over the build, as ``policykg serve`` makes it."""
    from policykg.web import create_app

    return create_app(store, registry=registry, dump_dir=tmp_path_factory.mktemp("dumps"))


@pytest.fixture(scope="session")
def client(app):
    return app.test_client()

