"""Quality rules written as queries (queries/checks/*.rq): each must return no row on the real graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.graph.build import build_project
from policykg.namespaces import PREFIXES
from policykg.project import Project

PROJECT = Project.locate()
CHECKS = PROJECT.check_files()


@pytest.fixture(scope="module")
def built_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(build_project(PROJECT, reason=False).nquads_path), format=ox.RdfFormat.N_QUADS)
    return store


def test_there_are_checks():
    assert len(CHECKS) >= 5


@pytest.mark.parametrize("check", CHECKS, ids=[c.stem for c in CHECKS])
def test_check_returns_no_rows(built_store, check):
    result = built_store.query(check.read_text(), prefixes=PREFIXES, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    rows = [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]
    assert rows == [], f"{check.name} found {len(rows)} offending row(s): {rows[:10]}"


def test_a_check_catches_a_typo(tmp_path):
    """The undefined-term rule is not vacuous: a misspelt property in a data file is reported."""
    store = ox.Store()
    store.load(path=str(build_project(PROJECT, reason=False).nquads_path), format=ox.RdfFormat.N_QUADS)
    typo = "<https://w3id.org/policykg/id/file/ai-act> <https://w3id.org/policykg/ontology#affect> <x:y> <https://w3id.org/policykg/graph/data/typo> .\n"
    store.load(typo.encode(), format=ox.RdfFormat.N_QUADS)
    query = (PROJECT.checks_dir / "undefined-ontology-terms.rq").read_text()
    terms = {row["term"].value for row in store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)}
    assert terms == {"https://w3id.org/policykg/ontology#affect"}
