"""`policykg serve --store sparql+http://…` puts the same guard, named queries and pages in front of another store."""

from __future__ import annotations

from pathlib import Path

from support.server import running

ROOT = Path(__file__).resolve().parents[1]
AI_ACT_FILE = ROOT / "data" / "ai-act.ttl"


def test_a_remote_store_is_served_behind_the_same_guard_and_named_queries():
    with running("--data", AI_ACT_FILE) as backend:
        with running("--store", f"sparql+{backend.url}") as front:
            rows = front.select('SELECT ?celex WHERE { ?act <https://w3id.org/policykg/ontology#celex> ?celex } '
                                'ORDER BY ?celex')
            assert {"32024R1689", "52021PC0206", "32026R1744"} <= {row["celex"] for row in rows}
            refused = front.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
            assert refused.status_code == 403 and "SERVICE" in refused.json()["error"]
            import requests

            table = requests.get(front.root + "/queries/files-and-instruments.csv", timeout=30).text
            assert "32024R1689" in table  # the named query ran on the remote store
