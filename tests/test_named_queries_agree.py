"""Every named query gives one answer: the same bytes from ``policykg query NAME`` and from a running
``policykg serve`` at ``/queries/NAME.csv``; no duplicate rows; and the same rows whether or not the reasoner ran
(docs/queries.md: a named query answers from the asserted data, and inferences never add or remove a row)."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
import requests

from policykg.cli import main
from policykg.namespaces import INFERRED_GRAPH
from policykg.project import Project
from policykg.queries.registry import QueryRegistry
from policykg.sparql.results import GraphResult, SelectResult
from policykg.store.local import MemoryStore
from support.server import running

REASON = shutil.which("java") is not None
NAMES = list(QueryRegistry.from_project(Project.locate()))


def _rows(result) -> list:
    if isinstance(result, SelectResult):
        return sorted(tuple(str(term) if term is not None else "" for term in row) for row in result.rows)
    if isinstance(result, GraphResult):
        return sorted(str(triple) for triple in result.triples)
    return [bool(result)]


@pytest.fixture(scope="module")
def server(project):
    with running(*([] if REASON else ["--no-reason"]), "--timeout", "60") as server:
        yield server


@pytest.fixture(scope="module")
def asserted_only(build):
    """The same build without the reasoner's graph."""
    store = MemoryStore(build.version)
    store.load_nquads(build.nquads_path)
    store.drop_graph(ox.NamedNode(str(INFERRED_GRAPH)))
    return store


@pytest.mark.parametrize("name", NAMES)
def test_cli_and_server_give_the_same_bytes(capsysbinary, project, server, name):
    format_name = "csv" if name != "file-neighbourhood" else "ttl"
    code = main(["--root", str(project.root), "query", name, "--format", format_name,
                 *([] if REASON else ["--no-reason"])])
    out, err = capsysbinary.readouterr()
    assert code == 0, err
    response = requests.get(f"{server.root}/queries/{name}.{format_name}", timeout=60)
    assert response.status_code == 200, response.text
    assert response.content == out
    assert len(out.strip().splitlines()) > 1, "the default parameters give rows (or triples), not just a header"


# Parameters that reach rows the defaults do not (a package of files, an older day, a group).
MORE = [("search-files", {"text": "Pact"}), ("search-files", {"text": "directive"}),
        ("status-on-date", {"date": "2016-01-01"}), ("status-on-date", {"date": "2024-06-01"}),
        ("files-affecting-group", {"group": "undocumented-children"}), ("file-timeline", {"file": "eu-migration-pact"}),
        ("file-neighbourhood", {"file": "eu-migration-pact"}), ("package-parts", {})]


@pytest.mark.parametrize("name, params", [(name, {}) for name in NAMES] + MORE)
def test_no_duplicate_rows_and_no_row_from_the_reasoner(registry, store, asserted_only, name, params):
    query = registry[name]
    published = _rows(query.run(store.engine, params))
    assert len(published) == len(set(published)), "duplicate rows"
    assert published == _rows(query.run(asserted_only.engine, params))


def test_the_server_serves_the_build_the_cli_reads(server, build):
    answer = requests.get(f"{server.root}/queries/files-and-instruments.csv", timeout=60)
    assert answer.headers["X-PolicyKG-Dataset-Version"] == build.version
