"""``policykg serve --db DIR``: updates outlive the server, a killed one included; a clean stop crashes nothing."""

from __future__ import annotations

import os
import signal
import threading

import pyoxigraph as ox
import pytest
import requests

from support import data
from support.server import running

TOKEN = "durable-test-token-81c2e7"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture()
def nquads(tmp_path):
    path = tmp_path / "sample.nq"
    path.write_bytes(ox.serialize(data.quads(), format=ox.RdfFormat.N_QUADS))
    return path


def _insert(server, i: int) -> requests.Response:
    update = f"INSERT DATA {{ GRAPH <http://example.org/durable> {{ <http://example.org/s{i}> " \
             f"<http://example.org/n> {i} }} }}"
    return requests.post(server.url, data={"update": update}, headers=AUTH, timeout=30)


def _numbers(server) -> set[int]:
    rows = server.select("SELECT ?n WHERE { GRAPH <http://example.org/durable> { ?s <http://example.org/n> ?n } }")
    return {int(row["n"]) for row in rows}


def _crashes(log: str) -> list[str]:
    return [line for line in log.splitlines() if "SIGSEGV" in line or "SIGABRT" in line or "core dumped" in line]


def test_updates_outlive_a_restart_and_are_served_read_only_without_the_token(nquads, tmp_path):
    db = tmp_path / "db"
    with running("--nquads", nquads, "--db", db, env={"POLICYKG_UPDATE_TOKEN": TOKEN}) as server:
        assert any("loading the data into" in line for line in server.log)
        for i in range(3):
            assert _insert(server, i).status_code == 204
        version = requests.get(server.url, params={"query": "ASK {}"}, timeout=30).headers[
            "X-PolicyKG-Dataset-Version"]
    assert not _crashes(server.stderr()), server.stderr()
    with running("--db", db, "--workers", "2") as server:  # no data argument, no token: read-only, as it was left
        assert any("opening the store in" in line for line in server.log)
        assert _numbers(server) == {0, 1, 2}
        assert server.ask("ASK { ?act pkg:celex ?c }")
        answer = requests.get(server.url, params={"query": "ASK {}"}, timeout=30)
        assert answer.headers["X-PolicyKG-Dataset-Version"] == version
        refused = requests.post(server.url, data={"update": "CLEAR ALL"}, headers=AUTH, timeout=30)
        assert refused.status_code == 403
    assert not _crashes(server.stderr()), server.stderr()


def test_every_acknowledged_update_survives_sigkill(nquads, tmp_path):
    db = tmp_path / "db"
    acknowledged: list[int] = []
    with running("--nquads", nquads, "--db", db, env={"POLICYKG_UPDATE_TOKEN": TOKEN}) as server:
        stop = threading.Event()

        def writer() -> None:
            i = 0
            while not stop.is_set() and i < 400:
                try:
                    if _insert(server, i).status_code == 204:
                        acknowledged.append(i)
                except requests.RequestException:
                    return
                i += 1

        thread = threading.Thread(target=writer)
        thread.start()
        while len(acknowledged) < 10 and thread.is_alive():
            threading.Event().wait(0.05)
        os.killpg(server.process.pid, signal.SIGKILL)  # the master, the front and the worker, mid-series
        stop.set()
        thread.join(60)
    assert len(acknowledged) >= 10
    with running("--db", db, env={"POLICYKG_UPDATE_TOKEN": TOKEN}) as server:
        found = _numbers(server)
        assert set(acknowledged) <= found
        assert _insert(server, 10_000).status_code == 204  # and the store takes writes again
