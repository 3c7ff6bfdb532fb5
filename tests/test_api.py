"""The Python API: policykg.open() on the real build, policykg.connect() to a real ``policykg serve``; the same
rows as the command line and the same CSV bytes as the endpoint; plain Python values; typed errors."""

from __future__ import annotations

import datetime
import decimal
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.server import running

import policykg
from policykg.api import Rows, Triple, Triples
from policykg.api.values import python_value
from policykg.errors import (
    OptionalDependencyMissing,
    PolicyKGError,
    QueryNotFound,
    QueryParameterError,
    SparqlSyntaxError,
    UpstreamError,
)
from policykg.sparql.client import RetryPolicy

ROOT = Path(__file__).resolve().parents[1]
REASON = shutil.which("java") is not None      # as the shared build fixture and policykg serve do
AI_ACT = "http://data.europa.eu/eli/reg/2024/1689/oj"
XSD = "http://www.w3.org/2001/XMLSchema#"

FILES_AND_CELEX = """
SELECT ?file ?label ?celex WHERE {
  ?file a pkg:PolicyFile ; skos:prefLabel ?label ; pkg:hasInstrument ?act .
  ?act pkg:celex ?celex .
} ORDER BY ?file ?celex
"""


@pytest.fixture(scope="module")
def kg():
    graph = policykg.open(ROOT, reason=REASON)
    yield graph
    graph.close()


@pytest.fixture(scope="module")
def server():
    with running(*([] if REASON else ["--no-reason"])) as started:
        yield started


@pytest.fixture(scope="module")
def remote(server):
    graph = policykg.connect(server.url, root=ROOT)
    yield graph
    graph.close()


def test_importing_policykg_loads_no_engine():
    code = ("import sys, policykg; print(sorted(m for m in ('pyoxigraph', 'rdflib', 'pyshacl', 'owlready2', "
            "'SPARQLWrapper', 'urllib3', 'policykg.api', 'policykg.store') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert callable(policykg.open) and callable(policykg.connect)


def test_open_is_the_build_the_server_and_the_cli_use(kg, build):
    assert kg.version == build.version
    assert "the build of" in repr(kg) and build.version[:12] in repr(kg)


def test_a_named_query_gives_the_rows_of_policykg_query(kg):
    rows = kg.query("status-on-date", date=datetime.date(2023, 6, 1))
    command = [sys.executable, "-m", "policykg", "--root", str(ROOT), "query", "status-on-date",
               "--param", "date=2023-06-01", "--format", "csv", *([] if REASON else ["--no-reason"])]
    done = subprocess.run(command, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert rows.to_csv() == done.stdout
    assert rows.columns[:3] == ["date", "file", "fileLabel"]
    ai_act = next(row for row in rows if row["fileLabel"] == "AI Act")
    assert ai_act["date"] == datetime.date(2023, 6, 1)
    assert ai_act["file"] == "https://w3id.org/policykg/id/file/ai-act"
    assert isinstance(ai_act["since"], datetime.date) and ai_act["since"] <= datetime.date(2023, 6, 1)
    # the same date as text binds the same term
    assert kg.query("status-on-date", date="2023-06-01").to_csv() == rows.to_csv()


def test_rows_hold_plain_python_values(kg):
    rows = kg.query("files-and-instruments", file="file:ai-act")
    assert isinstance(rows, Rows) and len(rows) == len(list(rows)) > 0
    adopted = next(row for row in rows if row["celex"] == "32024R1689")
    assert adopted["instrument"] == AI_ACT and type(adopted["instrument"]) is str
    assert set(adopted) == set(rows.columns)        # every column, None where unbound
    assert rows.column("celex") == [row["celex"] for row in rows]
    assert "32024R1689" in repr(rows) or "eli/reg/2024/1689" in repr(rows)


def test_literals_become_the_python_value_their_datatype_says(kg):
    [row] = kg.sparql("""SELECT ?n ?d ?f ?b ?day ?moment ?year ?en ?plain ?bad ?unbound WHERE {
        { SELECT (COUNT(*) AS ?n) WHERE { ?s a pkg:PolicyFile } }
        BIND(1.50 AS ?d) BIND(2.5e0 AS ?f) BIND(true AS ?b) BIND("2024-06-13"^^xsd:date AS ?day)
        BIND("2024-08-01T10:00:00Z"^^xsd:dateTime AS ?moment) BIND("2024"^^xsd:gYear AS ?year)
        BIND("undocumented children"@en AS ?en) BIND("text" AS ?plain) BIND("n/a"^^xsd:integer AS ?bad)
    }""")
    assert type(row["n"]) is int and row["n"] > 10
    assert row["d"] == decimal.Decimal("1.50") and row["f"] == 2.5 and row["b"] is True
    assert row["day"] == datetime.date(2024, 6, 13)
    assert row["moment"] == datetime.datetime(2024, 8, 1, 10, tzinfo=datetime.UTC)
    assert row["year"] == 2024 and row["en"] == "undocumented children" and row["plain"] == "text"
    assert row["bad"] == "n/a"                      # a value its datatype refuses stays text
    assert row["unbound"] is None


@pytest.mark.parametrize("term, value", [
    (ox.Literal("-7", datatype=ox.NamedNode(XSD + "nonPositiveInteger")), -7),
    (ox.Literal("INF", datatype=ox.NamedNode(XSD + "double")), float("inf")),
    (ox.Literal("0", datatype=ox.NamedNode(XSD + "boolean")), False),
    (ox.Literal("yes", datatype=ox.NamedNode(XSD + "boolean")), "yes"),
    (ox.Literal("2024-01-01Z", datatype=ox.NamedNode(XSD + "date")), "2024-01-01Z"),
    (ox.Literal("1e3", datatype=ox.NamedNode(XSD + "decimal")), "1e3"),
    (ox.Literal("P1Y", datatype=ox.NamedNode(XSD + "duration")), "P1Y"),
    (ox.BlankNode("b0"), "_:b0"),
    (None, None),
])
def test_python_value_edges(term, value):
    assert python_value(term) == value


def test_ask_gives_a_bool_and_construct_gives_triples(kg):
    assert kg.sparql("ASK { ?act pkg:celex '32024R1689' }") is True
    assert kg.sparql("ASK { ?act pkg:celex 'no such number' }") is False
    triples = kg.sparql(f"CONSTRUCT {{ <{AI_ACT}> pkg:celex ?c . ?f pkg:hasInstrument <{AI_ACT}> }} "
                        f"WHERE {{ <{AI_ACT}> pkg:celex ?c . ?f pkg:hasInstrument <{AI_ACT}> }}")
    assert isinstance(triples, Triples) and triples.columns == ["subject", "predicate", "object"]
    assert Triple(AI_ACT, "https://w3id.org/policykg/ontology#celex", "32024R1689") in list(triples)
    assert b"32024R1689" in triples.to_rdf("ttl") and triples.to_csv().startswith(b"subject,predicate,object\r\n")
    assert len(triples.terms) == len(triples)


def test_to_csv_is_the_endpoint_answer(kg, client, tmp_path):
    answer = client.post("/sparql", data={"query": FILES_AND_CELEX}, headers={"Accept": "text/csv"})
    assert answer.status_code == 200
    rows = kg.sparql(FILES_AND_CELEX)
    assert rows.to_csv(tmp_path / "rows.csv") == answer.data
    assert (tmp_path / "rows.csv").read_bytes() == answer.data
    assert b"32024R1689" in answer.data


def test_to_pandas_has_typed_columns(kg):
    frame = kg.query("status-on-date", date="2023-06-01").to_pandas()
    assert list(frame.columns) == kg.named("status-on-date").columns
    assert str(frame["date"].dtype).startswith("datetime64")
    assert str(frame["fileLabel"].dtype) == "string"
    assert "AI Act" in set(frame["fileLabel"])
    counts = kg.sparql("SELECT ?file (COUNT(?act) AS ?acts) WHERE { ?file pkg:hasInstrument ?act } GROUP BY ?file")
    frame = counts.to_pandas()
    assert str(frame["acts"].dtype) == "Int64" and frame["acts"].sum() > 19


def test_to_pandas_without_pandas_names_it(kg, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)    # what an environment without pandas gives an import
    rows = kg.sparql("SELECT ?x WHERE { VALUES ?x { 1 } }")
    with pytest.raises(OptionalDependencyMissing) as raised:
        rows.to_pandas()
    assert raised.value.package == "pandas" and isinstance(raised.value, ImportError)
    assert "pip install pandas" in str(raised.value)


def test_an_unknown_query_name_lists_the_names(kg):
    with pytest.raises(QueryNotFound) as raised:
        kg.query("status-on-day")
    assert "no named query 'status-on-day'" in str(raised.value)
    assert "status-on-date" in str(raised.value) and "files-affecting-group" in str(raised.value)
    listing = kg.queries()
    status = next(row for row in listing if row["name"] == "status-on-date")
    assert status["parameters"].startswith("date: date")
    assert len(listing) == len(kg.registry)


@pytest.mark.parametrize("params, parameter, message", [
    ({"date": "June"}, "date", "expected a date YYYY-MM-DD"),
    ({"when": "2024-01-01"}, "when", "unknown parameter of query 'status-on-date'"),
    ({"date": True}, "date", "not True"),
    ({"date": datetime.datetime(2024, 1, 1, 12)}, "date", "not a date and time"),
    ({"date": 3.5}, "date", "cannot give a float"),
])
def test_bad_parameters_are_typed_errors(kg, params, parameter, message):
    with pytest.raises(QueryParameterError) as raised:
        kg.query("status-on-date", **params)
    assert raised.value.parameter == parameter and message in str(raised.value)


def test_sparql_errors_are_typed_and_nothing_changes(kg):
    before = len(kg.store)
    with pytest.raises(SparqlSyntaxError):
        kg.sparql("SELECT ?x WHERE { ?x ?y }")
    with pytest.raises(SparqlSyntaxError, match="not a SPARQL query"):
        kg.sparql("INSERT DATA { <urn:x> <urn:y> <urn:z> }")
    with pytest.raises(PolicyKGError, match="takes the query text"):
        kg.sparql(b"ASK {}")
    assert len(kg.store) == before


def test_connect_answers_as_the_embedded_graph(kg, remote):
    assert remote.store.endpoint.endswith("/sparql") and remote.where == remote.store.endpoint
    assert remote.sparql(FILES_AND_CELEX).to_csv() == kg.sparql(FILES_AND_CELEX).to_csv()
    local = kg.query("files-affecting-group", group="undocumented-children")
    assert remote.query("files-affecting-group", group="undocumented-children").to_csv() == local.to_csv()
    assert len(local) > 0
    assert remote.sparql("ASK { ?act pkg:celex '32024R1689' }") is True
    query = f"CONSTRUCT {{ ?f pkg:hasInstrument <{AI_ACT}> }} WHERE {{ ?f pkg:hasInstrument <{AI_ACT}> }}"
    assert list(remote.sparql(query)) == list(kg.sparql(query))


def test_connect_to_nothing_fails_at_once():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]          # nothing listens there once the socket is closed
    with pytest.raises(UpstreamError, match="connection refused"):
        policykg.connect(f"http://127.0.0.1:{port}/sparql", retry=RetryPolicy(retries=0), timeout=5)


def test_a_closed_graph_says_so(server):
    graph = policykg.connect(server.url, root=ROOT)
    with graph:
        assert graph.sparql("ASK { ?s ?p ?o }") is True
    with pytest.raises(PolicyKGError, match="closed"):
        graph.sparql("ASK { ?s ?p ?o }")
    assert repr(graph).endswith(", closed>")


def test_a_parameter_that_takes_several_values_takes_a_list(kg):
    both = kg.query("positions-by-stance", stance=["critical", "mixed"])
    assert {row["stanceLabel"] for row in both} == {"critical", "mixed"}
    one_by_one = [row for stance in ("critical", "mixed") for row in kg.query("positions-by-stance", stance=stance)]
    key = lambda row: (row["stance"], row["position"])  # noqa: E731
    assert sorted(map(key, both)) == sorted(map(key, one_by_one))
    assert sorted(map(key, kg.query("positions-by-stance", stance=("mixed", "critical")))) == sorted(map(key, both))
    command = [sys.executable, "-m", "policykg", "--root", str(ROOT), "query", "positions-by-stance", "--param",
               "stance=critical", "--param", "stance=mixed", "--format", "csv", *([] if REASON else ["--no-reason"])]
    done = subprocess.run(command, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert both.to_csv() == done.stdout


def test_a_list_for_a_single_valued_parameter_and_a_value_not_accepted_are_refused(kg):
    with pytest.raises(QueryParameterError, match="takes one value, and was given 2") as raised:
        kg.query("status-on-date", date=[datetime.date(2023, 1, 1), datetime.date(2024, 1, 1)])
    assert raised.value.parameter == "date"
    with pytest.raises(QueryParameterError) as raised:
        kg.query("files-affecting-group", group="undocumented-migrant")
    assert raised.value.parameter == "group"
    assert "undocumented-people" in str(raised.value)           # the accepted values are listed


def test_parameters_named_like_python_keywords_and_given_as_a_mapping(kg):
    by_keyword = kg.query("acts-applying-in-period", from_=datetime.date(2026, 1, 1), to="2026-12-31")
    by_mapping = kg.query("acts-applying-in-period", {"from": "2026-01-01", "to": datetime.date(2026, 12, 31)})
    assert by_keyword.to_csv() == by_mapping.to_csv()
    assert "32024R1689" in by_keyword.column("celex")
    assert all(datetime.date(2026, 1, 1) <= row["applies"] <= datetime.date(2026, 12, 31) for row in by_keyword)
    with pytest.raises(QueryParameterError, match="given twice"):
        kg.query("acts-applying-in-period", {"from": "2026-01-01"}, from_="2025-01-01")


def test_connect_says_what_a_url_should_be(server):
    with pytest.raises(PolicyKGError, match=r"connect\(\) takes a SPARQL endpoint's URL, such as http://"):
        policykg.connect("127.0.0.1:8000/sparql")
    with pytest.raises(UpstreamError) as raised:
        policykg.connect(server.root + "/", retry=RetryPolicy(retries=0))
    assert "405" in str(raised.value)
    assert f"(not a SPARQL endpoint? policykg serve answers at {server.root}/sparql)" in str(raised.value)
