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


# Typed and several-valued parameters, as a list of (key, value) pairs: a short name, a full IRI, a prefixed name, a
# CELEX number, a key repeated for several values.
TYPED = [
    ("files-and-instruments", "csv", [("file", "ai-act"), ("file", "eurodac-regulation")]),
    ("files-affecting-group", "csv", [("group", "undocumented-people"), ("group", "victims-of-crime")]),
    ("positions-by-stance", "csv", [("stance", "critical"),
                                    ("stance", "https://w3id.org/policykg/concept/stance/mixed")]),
    ("act-amends-or-repeals", "csv", [("act", "32024R1351"), ("act", "http://data.europa.eu/eli/reg/2026/463/oj")]),
    ("publications-with-partner", "tsv", [("partner", "ecre"), ("partner", "porg:picum")]),
    ("file-timeline", "json", [("file", "eu-migration-pact"), ("file", "file:ai-act")]),
    ("file-neighbourhood", "ttl", [("file", "eu-migration-pact"), ("file", "ai-act")]),
    ("act-in-force-on-date", "json", [("act", "celex:32013R0604"), ("date", "2026-01-01")]),
]


@pytest.mark.parametrize("name, format_name, pairs", TYPED)
def test_typed_and_several_values_give_the_same_bytes(capsysbinary, project, server, name, format_name, pairs):
    options = [arg for key, value in pairs for arg in ("--param", f"{key}={value}")]
    code = main(["--root", str(project.root), "query", name, *options, "--format", format_name,
                 *([] if REASON else ["--no-reason"])])
    out, err = capsysbinary.readouterr()
    assert code == 0, err
    response = requests.get(f"{server.root}/queries/{name}.{format_name}", params=pairs, timeout=60)
    assert response.status_code == 200, response.text
    assert response.content == out
    assert out == b'{"head": {}, "boolean": true}\n' if name == "act-in-force-on-date" else len(out.splitlines()) > 2


@pytest.mark.parametrize("name, pairs", [
    ("files-affecting-group", [("group", "undocumented")]),
    ("files-and-instruments", [("file", "foo")]),
    ("files-and-instruments", [("file", "ai-act"), ("file", "ai-act,eurodac-regulation")]),
    ("act-amends-or-repeals", [("act", "32099R9999")]),
])
def test_a_value_not_accepted_is_refused_alike(capsysbinary, project, server, name, pairs):
    options = [arg for key, value in pairs for arg in ("--param", f"{key}={value}")]
    code = main(["--root", str(project.root), "query", name, *options, *([] if REASON else ["--no-reason"])])
    out, err = capsysbinary.readouterr()
    response = requests.get(f"{server.root}/queries/{name}.csv", params=pairs, timeout=60)
    assert code == 2 and out == b"" and response.status_code == 400
    assert err.decode() == f"Error: {response.json()['error']}\n"
    key = pairs[-1][0]
    assert response.json()["parameter"] == key and response.json()["accepted"]
    for accepted in response.json()["accepted"]:
        assert f"  {accepted['name']} " in err.decode()


# Parameters that reach rows the defaults do not (a package of files, an older day, a group, several values).
MORE = [("search-files", {"text": "Pact"}), ("search-files", {"text": "directive"}),
        ("status-on-date", {"date": "2016-01-01"}), ("status-on-date", {"date": "2024-06-01"}),
        ("files-affecting-group", {"group": "undocumented-children"}), ("file-timeline", {"file": "eu-migration-pact"}),
        ("file-neighbourhood", {"file": "eu-migration-pact"}), ("package-parts", {}),
        ("files-affecting-group", {"group": ["undocumented-people", "victims-of-crime"]}),
        ("file-neighbourhood", {"file": ["eu-migration-pact", "ai-act"]}),
        ("procedures", {"file": ["eu-migration-pact", "ai-act", "screening-regulation"]})]


@pytest.mark.parametrize("name, params", [(name, {}) for name in NAMES] + MORE)
def test_no_duplicate_rows_and_no_row_from_the_reasoner(registry, store, asserted_only, name, params):
    query = registry[name]
    published = _rows(query.run(store.engine, params))
    assert len(published) == len(set(published)), "duplicate rows"
    assert published == _rows(query.run(asserted_only.engine, params))


def test_the_server_serves_the_build_the_cli_reads(server, build):
    answer = requests.get(f"{server.root}/queries/files-and-instruments.csv", timeout=60)
    assert answer.headers["X-PolicyKG-Dataset-Version"] == build.version
