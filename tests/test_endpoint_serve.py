"""``policykg serve`` itself: the project's build with no arguments, ``--nquads``, the worker processes, the URL it
prints, and the network isolation of its workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from support import data
from support.server import children, running

from policykg.namespaces import DATASET, DCTERMS

ROOT = Path(__file__).resolve().parents[1]


def _children(pid: int) -> list[int]:
    """The master's children but the front (which reads HTTP for the workers and is a child of the master too)."""
    return children(pid, excluding=b"policykg.web.endpoint.front")


def _workers(pid: int, expected: int) -> list[int]:
    """The master's worker processes, once ``expected`` of them run (gunicorn forks them just after it is ready)."""
    deadline = time.monotonic() + 10
    while len(children := _children(pid)) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return children


def test_serves_the_projects_build_with_no_data_argument():
    pytest.importorskip("policykg.graph.build", reason="the project build (policykg.graph.build) is not available")
    with running("--no-reason", "--workers", "2", startup=300) as server:
        rows = server.select(f"SELECT ?title WHERE {{ <{DATASET}> <{DCTERMS.title}> ?title }}")
        assert rows and rows[0]["title"].startswith("policykg")
        assert server.ask("ASK { ?act pkg:celex '32024R1689' }")
        void = requests.get(server.root + "/.well-known/void", timeout=60).text
        assert "creativecommons.org/licenses/by/4.0" in void


def test_serves_an_nquads_file_with_several_workers(tmp_path):
    nquads = tmp_path / "sample.nq"
    nquads.write_bytes(ox.serialize(data.quads(), format=ox.RdfFormat.N_QUADS))
    with running("--nquads", nquads, "--workers", "3") as server:
        assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/sparql")
        assert len(server.select("SELECT ?act WHERE { ?act pkg:celex ?c }")) == 3
        assert len(_workers(server.process.pid, 4)) == 4  # three query workers and one more process for pages
        assert any("3 query worker(s) and one more process for pages" in line and "read-only" in line
                   for line in server.log)


@pytest.mark.skipif(os.geteuid() != 0, reason="leaving the network needs CAP_SYS_ADMIN")
def test_workers_have_no_network(tmp_path):
    nquads = tmp_path / "sample.nq"
    nquads.write_bytes(ox.serialize(data.quads()[:5], format=ox.RdfFormat.N_QUADS))
    with running("--nquads", nquads, "--workers", "2") as server:
        assert server.ask("ASK { ?s ?p ?o }")
        master = os.readlink(f"/proc/{server.process.pid}/ns/net")
        for worker in _workers(server.process.pid, 3):
            assert os.readlink(f"/proc/{worker}/ns/net") != master
        assert not any("could not leave the network" in line for line in server.log)


def test_help_and_bad_arguments():
    command = [sys.executable, "-m", "policykg", "serve"]
    help_text = subprocess.run(command + ["--help"], capture_output=True, text=True, timeout=60).stdout
    for option in ("--host", "--port", "--data", "--update-token", "--timeout", "--max-rows", "--workers"):
        assert option in help_text
    failed = subprocess.run(command + ["--data", str(ROOT / "no-such-file.ttl")], capture_output=True, text=True,
                            timeout=60)
    assert failed.returncode != 0 and "no-such-file.ttl" in failed.stderr


def test_a_broken_data_file_is_reported_with_file_and_line(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e .\n")
    result = subprocess.run([sys.executable, "-m", "policykg", "serve", "--data", str(broken), "--port", "0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert f"{broken}:3" in result.stderr and "Traceback" not in result.stderr
