"""status-on-date picks, for each policy file, its latest lifecycle event on or before the day (by date, then the
stage's position, then the event's IRI), whichever way the day is bound: as a substitution (the embedded store) or
as VALUES blocks (a remote endpoint), which also reach a sub-SELECT that projects the parameter, as substitutions
do. The answers are checked against the events read straight from the quads, on the project's graph with added
same-day ties, for days before, on, between and after the events."""

from __future__ import annotations

import datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.engines import ValuesOnlyEngine

from policykg.graph.build import build_project
from policykg.namespaces import ELI_DL, EVENT, FILE, GRAPH, PKG, RDFS, SCHEMA, XSD
from policykg.queries.registry import QueryRegistry, load_query

ROOT = Path(__file__).resolve().parents[1]
QUERY = QueryRegistry.from_dir(ROOT / "queries")["status-on-date"]
STAGE = "https://w3id.org/policykg/concept/lifecycle-status/"


def _node(iri) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _date(day: str) -> ox.Literal:
    return ox.Literal(day, datatype=_node(XSD.date))


# Added events: same day and same stage (the IRI decides), same day and a lower stage, two labels, no label.
TIES = [("zz-tie-a", "ai-act", "2025-03-03", "adopted", ["tie a"]),
        ("zz-tie-b", "ai-act", "2025-03-03", "adopted", []),
        ("zz-tie-c", "ai-act", "2025-03-03", "proposed", ["tie c"]),
        ("zz-two-labels", "ai-act", "2025-05-05", "in-force", ["two labels", "deux@fr"]),
        ("aa-same-rank", "ai-act", "2025-05-05", "in-force", ["same stage, lower IRI"]),
        ("zz-no-label", "eurodac-regulation", "2019-02-02", "proposed", [])]


@pytest.fixture(scope="module")
def store(project) -> ox.Store:
    store = ox.Store()
    store.load(path=str(build_project(project, reason=False).nquads_path), format=ox.RdfFormat.N_QUADS)
    graph = _node(GRAPH["data/ai-act"])
    for name, file, day, stage, labels in TIES:
        event = _node(EVENT[name])
        store.add(ox.Quad(event, _node(PKG.eventOf), _node(FILE[file]), graph))
        store.add(ox.Quad(event, _node(ELI_DL.activity_date), _date(day), graph))
        store.add(ox.Quad(event, _node(PKG.stage), ox.NamedNode(STAGE + stage), graph))
        for label in labels:
            text, _, language = label.partition("@")
            store.add(ox.Quad(event, _node(RDFS.label), ox.Literal(text, language=language or "en"), graph))
    return store


def _events(store: ox.Store) -> dict[str, list[tuple[str, int, str, str]]]:
    """Each file's events as (date, stage position, event IRI, stage IRI), read from the quads."""
    def objects(subject, predicate) -> set:
        return {q.object for q in store.quads_for_pattern(subject, _node(predicate), None, None)}

    found: dict[str, list[tuple[str, int, str, str]]] = {}
    for event in {q.subject for q in store.quads_for_pattern(None, _node(PKG.eventOf), None, None)}:
        for file in objects(event, PKG.eventOf):
            for day in objects(event, ELI_DL.activity_date):
                for stage in objects(event, PKG.stage):
                    for rank in objects(stage, SCHEMA.position):
                        found.setdefault(file.value, []).append((day.value, int(rank.value), event.value,
                                                                 stage.value))
    return found


def _days(events: dict[str, list[tuple[str, int, str, str]]]) -> list[str]:
    days = {"1949-12-31", "2100-01-01"}
    for day in {e[0] for file_events in events.values() for e in file_events}:
        moment = datetime.date.fromisoformat(day)
        days.update((moment + datetime.timedelta(days=delta)).isoformat() for delta in (-1, 0, 1))
    return sorted(days)


def _expected(events, day: str) -> dict[str, tuple[str, str] | None]:
    """For each file, (stage, event) of its latest event on or before ``day``, or None."""
    out: dict[str, tuple[str, str] | None] = {}
    for file, file_events in events.items():
        earlier = [e for e in file_events if e[0] <= day]
        out[file] = (max(earlier)[3], max(earlier)[2]) if earlier else None
    return out


def _answered(result) -> dict[str, tuple[str, str] | None]:
    cells = [dict(zip(result.variables, row)) for row in result.rows]
    return {c["file"].value: (c["status"].value, c["event"].value) if c["status"] is not None else None
            for c in cells}


def test_the_latest_event_on_or_before_the_day_gives_the_status(store):
    events = _events(store)
    values_only = ValuesOnlyEngine(store)
    tie_days = {"2025-03-03": str(EVENT["zz-tie-b"]), "2025-05-05": str(EVENT["zz-two-labels"])}
    for day in _days(events):
        substituted = QUERY.run(store, {"date": day})
        as_values = QUERY.run(values_only, {"date": day})
        expected = _expected(events, day)
        answered = _answered(substituted)
        assert {f: s for f, s in answered.items() if f in events} == expected, day
        assert all(status is None for f, status in answered.items() if f not in events), day
        assert sorted(map(str, substituted.rows)) == sorted(map(str, as_values.rows)), day
        if day in tie_days:
            stage = STAGE + ("adopted" if day < "2025-05-05" else "in-force")
            assert answered[str(FILE["ai-act"])] == (stage, tie_days[day])
    assert "VALUES" in values_only.texts[-1].split("GROUP BY")[0].split("SELECT ?date ?file")[1], \
        "the day reaches the subquery as a VALUES block"


def test_every_label_of_the_chosen_event_gives_a_row(store):
    rows = QUERY.run(store, {"date": "2025-05-05"}).values()
    labels = sorted(r.get("eventLabel", "") for r in rows if r["file"] == str(FILE["ai-act"]))
    assert labels == ["deux", "two labels"]
    unlabelled = [r for r in QUERY.run(store, {"date": "2019-02-02"}).values()
                  if r["file"] == str(FILE["eurodac-regulation"])]
    assert [r["event"] for r in unlabelled] == [str(EVENT["zz-no-label"])] and "eventLabel" not in unlabelled[0]


# -- parameters reach sub-SELECTs as substitutions do ---------------------------------------------------------------

SHAPES = {
    "projected": "SELECT ?x ?s WHERE { { SELECT ?x ?s WHERE { ?s <http://e/p> ?v FILTER(?v < ?x) } } }",
    "not projected": "SELECT ?x ?s WHERE { { SELECT ?s WHERE { ?s <http://e/p> ?v FILTER(?v < ?x) } } }",
    "star": "SELECT ?x ?s WHERE { { SELECT * WHERE { ?s <http://e/p> ?v FILTER(?v < ?x) } } }",
    "nested": "SELECT ?x ?s WHERE { { SELECT ?x ?s WHERE { { SELECT ?x ?s WHERE { ?s <http://e/p> ?v "
              "FILTER(?v < ?x) } } } } }",
    "nested, cut": "SELECT ?x ?s WHERE { { SELECT ?s WHERE { { SELECT ?x ?s WHERE { ?s <http://e/p> ?v "
                   "FILTER(?v < ?x) } } } } }",
    "aggregate": "SELECT ?x ?s ?m WHERE { { SELECT ?x ?s (MAX(?v) AS ?m) WHERE { ?s <http://e/p> ?v "
                 "FILTER(?v < ?x) } GROUP BY ?x ?s } }",
    "in EXISTS": "SELECT ?x ?s WHERE { ?s <http://e/p> ?v FILTER EXISTS { { SELECT ?x WHERE { "
                 "FILTER(?x < 4) } } } }",
    "an alias of its own": "SELECT ?x ?s WHERE { { SELECT ?s (MAX(?v) AS ?x) WHERE { ?s <http://e/p> ?v } "
                           "GROUP BY ?s } }",
}


# pyoxigraph substitutes ?x where a sub-SELECT projects it (x = 3 keeps the values 1 and 2), not elsewhere (the
# filter then has no ?x and keeps nothing).
EXPECTED_ROWS = {"projected": 2, "not projected": 0, "star": 0, "nested": 2, "nested, cut": 0, "aggregate": 2,
                 "in EXISTS": 3, "an alias of its own": 0}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_parameter_reaches_a_subselect_as_a_substitution_does(tmp_path, shape):
    store = ox.Store()
    for name, value in (("a", 1), ("b", 5), ("c", 2)):
        store.add(ox.Quad(ox.NamedNode(f"http://e/{name}"), ox.NamedNode("http://e/p"),
                          ox.Literal(str(value), datatype=_node(XSD.integer))))
    path = tmp_path / "q.rq"
    path.write_text("# param: x integer default=3 A bound.\n" + SHAPES[shape])
    query = load_query(path)
    substituted = sorted(map(str, query.run(store).rows))
    assert sorted(map(str, query.run(ValuesOnlyEngine(store)).rows)) == substituted
    assert len(substituted) == EXPECTED_ROWS[shape]
