"""Checking a given value looks up only that value: a named query run with values for a parameter drawn from the
dataset (``values=files``, ``values=acts``...) asks the dataset about those values alone, bound as VALUES blocks,
and reads the whole list of accepted values only to refuse a value that is none of them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from support.engines import ValuesOnlyEngine

from policykg.graph.build import build_project
from policykg.namespaces import CONCEPT, FILE
from policykg.queries.choices import choices_for, lookup, parse_source
from policykg.queries.parameters import ValueNotAccepted
from policykg.queries.registry import QueryRegistry

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = QueryRegistry.from_dir(ROOT / "queries")


@pytest.fixture(scope="module")
def store(project) -> ox.Store:
    store = ox.Store()
    store.load(path=str(build_project(project, reason=False).nquads_path), format=ox.RdfFormat.N_QUADS)
    return store


def _lookup_texts(engine: ValuesOnlyEngine) -> list[str]:
    return [text for text in engine.texts if "?value" in text and "?label" in text]


@pytest.mark.parametrize("name, params", [
    ("file-timeline", {"file": "ai-act"}),
    ("file-timeline", {"file": ["eu-migration-pact", "https://w3id.org/policykg/id/file/ai-act"]}),
    ("act-in-force-on-date", {"act": "32013R0604"}),
    ("act-in-force-on-date", {"act": "http://data.europa.eu/eli/reg/2024/1689/oj"}),
    ("publications-with-partner", {"partner": "porg:picum"}),
    ("files-affecting-group", {"group": "undocumented-children"}),
])
def test_a_given_value_is_looked_up_alone(store, name, params):
    engine = ValuesOnlyEngine(store)
    query = REGISTRY[name]
    answer = query.run(engine, params)
    texts = _lookup_texts(engine)
    assert len(texts) == 1
    assert "VALUES (?value ?name)" in texts[0] or "VALUES (?scheme ?value ?name)" in texts[0]
    checked_against_all = query.run(store, params, choices=choices_for([p for p in query.params if p.values], store))
    assert _rows(answer) == _rows(checked_against_all) and _rows(answer)


def _rows(answer) -> list[str]:
    return sorted(map(str, answer.rows)) if hasattr(answer, "rows") else [str(bool(answer))]


def test_only_the_named_values_are_read(store):
    param = REGISTRY["file-timeline"].param("file")
    found = choices_for([param], store, given={"file": ["ai-act", "file:eu-migration-pact"]})["file"]
    assert sorted(c.value.value for c in found) == [str(FILE["ai-act"]), str(FILE["eu-migration-pact"])]
    every = lookup(store, parse_source("files"))
    assert len(every) > len(found)
    assert lookup(store, parse_source("scheme:affected-group"),
                  only=[ox.NamedNode(str(CONCEPT["affected-group/undocumented-children"]))])[0].name \
        == "undocumented-children"


def test_a_value_not_found_is_refused_with_every_accepted_value(store):
    engine = ValuesOnlyEngine(store)
    with pytest.raises(ValueNotAccepted) as refused:
        REGISTRY["file-timeline"].run(engine, {"file": ["ai-act", "no-such-file"]})
    assert refused.value.parameter == "file" and "'no-such-file' is not one of its values" in str(refused.value)
    assert {c.name for c in refused.value.accepted} == {c.name for c in lookup(store, parse_source("files"))}
    assert "VALUES (?value" not in _lookup_texts(engine)[-1], "the whole list was read for the refusal"


def test_an_alias_iri_is_accepted_through_the_whole_list(store):
    """A CELEX IRI names an act whose IRI is its ELI: not found among the IRIs looked for, it is found in the
    whole list, as before."""
    answer = REGISTRY["act-in-force-on-date"].run(store, {"act": "celex:32013R0604", "date": "2026-01-01"})
    assert bool(answer) is True
