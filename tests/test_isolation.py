"""Worker isolation, measured directly: a forked process walled in by ``isolate_worker`` (or by one layer of it
alone) lets pyoxigraph run SERVICE and LOAD towards a loopback canary, as a bypass of the guard would, and the
canary must see no connection; the worker must still accept on a socket opened before the fork and still read and
write files. As root and as an unprivileged user (nobody, through setpriv)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from support import unprivileged
from support.canary import Canary

from policykg.web.endpoint import isolation

PROBE = Path(__file__).parent / "support" / "isolation_probe.py"


@pytest.fixture
def canary():
    canary = Canary()
    yield canary
    canary.close()


USERS = ["current", "nobody"]


def _probe(canary: Canary, user: str, *layers: str) -> dict:
    command = [sys.executable, "-P", str(PROBE), str(canary.port), *layers]  # -P: support/ is not on the path
    if user == "nobody":
        reason = unprivileged.available()
        if reason:
            pytest.skip(reason)
        command = unprivileged.as_nobody(command)
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd="/")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_probe_connects_without_isolation(canary):
    """The canary and the probe are live: with no layer, the engine reaches the listener."""
    report = _probe(canary, "current", "none")
    assert report["applied"] == []
    assert report["attempts"]["socket"] == "connected"
    assert len(canary.connections) >= 2, report   # SERVICE and LOAD reached it (the engine's own error follows)


@pytest.mark.parametrize("user", USERS)
def test_an_isolated_worker_reaches_nothing_and_keeps_working(canary, user):
    report = _probe(canary, user, "all")
    assert report.get("error") is None, report
    if user == "nobody":
        assert report["uid"] == unprivileged.NOBODY
    assert report["applied"], "no isolation could be applied"
    if user != "nobody" and unprivileged.needed():  # root can always leave the network
        assert isolation.NAMESPACES in report["applied"] or isolation.NETWORK_NAMESPACE in report["applied"]
    assert all(result != "connected" for result in report["attempts"].values()), report
    assert canary.connections == []
    assert report["accepted"] == "hello"         # the socket opened before the fork still accepts
    assert report["file"] == "written" and report["read"]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("layer, error", [("namespaces", "Network is unreachable"),
                                          ("landlock", "Permission denied"),
                                          ("seccomp", "Permission denied")])
def test_each_layer_alone_stops_the_engine(canary, user, layer, error):
    report = _probe(canary, user, layer)
    assert report.get("error") is None, report
    if layer not in report["applied"]:
        pytest.skip(f"{layer} is not available to {user} on this system")
    assert canary.connections == [], report
    assert error in report["attempts"]["socket"], report
    assert all(result != "connected" for result in report["attempts"].values()), report


def test_probe_names_what_applies_and_leaves_the_caller_alone(canary):
    applied = isolation.probe()
    assert applied and applied == [name for name in applied if name in (
        isolation.NAMESPACES, isolation.NETWORK_NAMESPACE, isolation.LANDLOCK, isolation.SECCOMP)]
    socket.create_connection(("127.0.0.1", canary.port), timeout=2).close()   # this process still has the network


@pytest.mark.parametrize("user", USERS)
def test_the_federation_process_layer_lets_only_its_ports_through(canary, user):
    allowed = Canary()
    try:
        report = _probe(canary, user, f"port:{allowed.port}")
        if not report["applied"]:
            pytest.skip("Landlock ABI 4 is not available")
        assert report["allowed port"] == "connected" and allowed.connections
        assert canary.connections == [] and "Permission denied" in report["attempts"]["socket"], report
    finally:
        allowed.close()
