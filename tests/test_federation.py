"""Federation is off by default; with an allow-list, SERVICE reaches only the listed endpoints."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import sparql_server as support_sparql_server
from support.canary import Canary
from support.server import children, running

from policykg.errors import QueryRefused
from policykg.sparql.guard import Limits, check_query

FIXTURE = Path(__file__).parent / "data" / "eurlex" / "cellar-fixture.ttl"
CELEX_QUERY = """PREFIX cdm: <http://publications.europa.eu/ontology/cdm#>
SELECT ?celex WHERE {{ SERVICE {silent}<{endpoint}> {{ ?work cdm:resource_legal_id_celex ?celex }} }} ORDER BY ?celex"""


def test_service_is_refused_by_default():
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_query(CELEX_QUERY.format(silent="", endpoint="http://127.0.0.1:9/sparql"))


def test_allow_list_admits_only_its_endpoints_by_constant_iri():
    limits = Limits(allowed_services=frozenset({"http://127.0.0.1:9/sparql"}))
    assert check_query(CELEX_QUERY.format(silent="SILENT ", endpoint="http://127.0.0.1:9/sparql"), limits=limits)
    with pytest.raises(QueryRefused, match="http://127.0.0.1:10/sparql"):
        check_query(CELEX_QUERY.format(silent="", endpoint="http://127.0.0.1:10/sparql"), limits=limits)
    with pytest.raises(QueryRefused, match="constant IRI"):  # a variable endpoint cannot be checked
        check_query("SELECT * WHERE { SERVICE ?where { ?s ?p ?o } }", limits=limits)
    with pytest.raises(QueryRefused, match="SERVICE"):  # updates never federate
        from policykg.sparql.guard import check_update
        check_update("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                     limits=limits)


def test_a_real_server_federates_only_with_the_allowed_endpoint():
    listener = Canary(path="/sparql")
    try:
        with support_sparql_server.running(FIXTURE) as remote:
            allowed = f"http://127.0.0.1:{remote.server_address[1]}/sparql"
            with running("--data", FIXTURE, "--allow-service", allowed) as server:
                rows = server.select(CELEX_QUERY.format(silent="", endpoint=allowed))
                assert "32024R1689" in {row["celex"] for row in rows}   # the answer came from the other server
                refused = server.query(CELEX_QUERY.format(silent="", endpoint=listener.url))
                assert refused.status_code == 403
                assert listener.url in refused.json()["error"]
        assert listener.connections == [], "a refused SERVICE reached the network"
    finally:
        listener.close()


def test_the_federation_process_is_started_again_when_it_ends():
    """Killed, the federation process is back within seconds, and SERVICE answers again."""
    import os
    import signal
    import time

    with support_sparql_server.running(FIXTURE) as remote:
        allowed = f"http://127.0.0.1:{remote.server_address[1]}/sparql"
        query = CELEX_QUERY.format(silent="", endpoint=allowed)
        with running("--data", FIXTURE, "--allow-service", allowed) as server:
            assert "32024R1689" in {row["celex"] for row in server.select(query)}
            [first] = _federation_processes(server.process.pid)
            os.kill(first, signal.SIGKILL)
            deadline, answer = time.monotonic() + 20, None
            while time.monotonic() < deadline:
                answer = server.query(query)
                if answer.status_code == 200:
                    break
                time.sleep(0.2)
            assert answer is not None and answer.status_code == 200, answer.text
            assert "32024R1689" in {row["celex"]["value"] for row in answer.json()["results"]["bindings"]}
            assert _federation_processes(server.process.pid) not in ([], [first])
            assert any("the federation process ended" in line for line in server.log)


def _federation_processes(master: int) -> list[int]:
    return children(master, named=b"federation_proxy")


def test_allowed_clauses_are_located_and_replaced_by_their_answers():
    import pyoxigraph as ox

    from policykg.sparql.federation import FederationPolicy, inline_answers, service_calls

    policy = FederationPolicy(["http://a.example/sparql"])
    text = ("PREFIX ex: <http://example.org/>\nBASE <http://a.example/>\nSELECT * WHERE { ?x ex:p ?y .\n"
            "  SERVICE SILENT <sparql> { ?y ex:q ?z FILTER(?z != 'SERVICE <x> {') }\n"
            "  OPTIONAL { SERVICE<sparql>{ ?z ?a ?b } } }")
    first, second = service_calls(text, "http://localhost/sparql", {}, policy)
    assert first.endpoint == second.endpoint == "http://a.example/sparql" and first.silent and not second.silent
    assert text[first.start:first.end].startswith("SERVICE SILENT") and text[first.end - 1] == "}"
    assert first.query == ("BASE <http://a.example/>\nPREFIX ex: <http://example.org/>\n"
                           "SELECT * WHERE { ?y ex:q ?z FILTER(?z != 'SERVICE <x> {') }")
    rows = (["z"], [[ox.Literal("a'b")], [None]])
    rewritten = inline_answers(text, (first, second), [rows, None])
    assert "SERVICE" not in rewritten.replace("'SERVICE <x> {'", "")
    assert "{ VALUES (?z) {" in rewritten and "\"a'b\"" in rewritten and "UNDEF" in rewritten
    assert "OPTIONAL { { } }" in rewritten                                  # a failed SILENT call: one empty row
    assert inline_answers(text, (first, second), [(["z"], []), ([], [[]])]).count("{ FILTER(false) }") == 1


def test_every_service_in_an_allowed_clause_must_be_allowed_too():
    from policykg.sparql.federation import FederationPolicy, service_calls

    policy = FederationPolicy(["http://a.example/sparql"])
    with pytest.raises(QueryRefused, match="evil"):
        service_calls("SELECT * { SERVICE <http://a.example/sparql> { SERVICE <http://evil.example/> {} } }",
                      None, {}, policy)
    with pytest.raises(QueryRefused, match="trueSERVICE"):
        service_calls("SELECT * { SERVICE <http://a.example/sparql> { ?s ?p trueSERVICE <http://evil/> {} } }",
                      None, {}, policy)


def test_an_answer_larger_than_the_endpoint_reads_is_refused_before_it_is_held():
    """The allowed service answers 40 MiB: the federation process stops reading past the endpoint's answer cap
    (32 MiB) and the query gets an error that says so."""
    import json
    from http.server import BaseHTTPRequestHandler

    from support.http import local_server

    row = json.dumps({"celex": {"type": "literal", "value": "3" * 1000}}).encode()
    rows = b",".join([row] * (40 * 1024))

    class Large(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            body = b'{"head": {"vars": ["celex"]}, "results": {"bindings": [' + rows + b"]}}"
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:  # the reader stopped: expected
                pass

    with local_server(Large, "/sparql") as allowed, running("--data", FIXTURE, "--allow-service", allowed) as server:
        answer = server.query(CELEX_QUERY.format(silent="", endpoint=allowed))
        assert answer.status_code == 502
        assert f"larger than {32 * 1024 * 1024} bytes" in answer.json()["error"]
