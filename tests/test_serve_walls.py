"""``policykg serve`` in the open, as root and as an unprivileged user (nobody): the generated attack texts of
:mod:`support.attacks` reach no canary, with and without ``--allow-service``; an allowed endpoint (a second local
SPARQL server) is asked by the federation process alone, and its rows are joined with the store's; the workers
are walled in whichever user runs the server, and say so at start-up.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support import attacks, data, unprivileged
from support import sparql_server as remote_server
from support.canary import Canary
from support.server import running

from policykg.web.endpoint import isolation

FIXTURE = Path(__file__).parent / "data" / "eurlex" / "cellar-fixture.ttl"
TOKEN = "walls-token"
USERS = ["nobody", "root"] if unprivileged.needed() else ["current"]
EXAMPLES = int(os.environ.get("WALL_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=bool(os.environ.get("CI")),
                    suppress_health_check=[HealthCheck.too_slow])
ANY_ANSWER = "application/sparql-results+json, text/turtle;q=0.5"
CDM = "PREFIX cdm: <http://publications.europa.eu/ontology/cdm#>\n"


CANARY = Canary()   # listening from import on, so that the strategies below can name it
ALLOWED_PLACEHOLDER = "allowed.invalid:1"   # the allowed endpoint's host and port, known once it runs


@pytest.fixture(scope="module")
def canary():
    yield CANARY
    CANARY.close()


@pytest.fixture(scope="module")
def remote():
    """The allowed endpoint: a SPARQL server holding CELLAR-like records."""
    with remote_server.running(FIXTURE) as server:
        yield server


@pytest.fixture(scope="module")
def closed_port():
    """An allowed endpoint where nothing listens."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/sparql"


@pytest.fixture(scope="module", params=USERS)
def servers(request, remote, closed_port):
    """(user, the read-only server, the server with --allow-service and an update token), run by ``user``."""
    if request.param == "nobody" and unprivileged.available():
        pytest.skip(unprivileged.available())
    folder = unprivileged.open_folder()
    try:
        sample = data.write(folder / "sample.trig")
        sample.chmod(0o644)
        wrap = unprivileged.as_nobody if request.param == "nobody" else None
        with running("--data", sample, "--workers", "2", wrap=wrap) as plain, \
                running("--data", sample, "--allow-service", remote.url, "--allow-service", closed_port,
                        "--update-token", TOKEN, "--max-rows", "50", wrap=wrap) as federating:
            yield request.param, plain, federating
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return found


def test_workers_are_walled_in_and_the_master_says_how(servers):
    user, plain, federating = servers
    for server in (plain, federating):
        line = next((line for line in server.log if "workers isolated by:" in line), "")
        assert line, server.stderr()
        assert not any("could not leave the network" in line for line in server.log)
        assert server.ask("ASK { ?s ?p ?o }")
        if user == "root":  # root can always leave the network; nobody needs user namespaces for it
            assert isolation.NAMESPACES in line or isolation.NETWORK_NAMESPACE in line, line
        if isolation.NAMESPACES in line or isolation.NETWORK_NAMESPACE in line:
            master_net = os.readlink(f"/proc/{server.process.pid}/ns/net")
            workers = [pid for pid in _children(server.process.pid)
                       if "federation_proxy" not in Path(f"/proc/{pid}/cmdline").read_text()]
            walled = [pid for pid in workers if os.readlink(f"/proc/{pid}/ns/net") != master_net]
            assert len(walled) >= (2 if server is plain else 1), (workers, walled)
        if user == "nobody":
            assert os.stat(f"/proc/{server.process.pid}").st_uid == unprivileged.NOBODY
    assert any("federation process only" in line for line in federating.log)


@SETTINGS
@given(attacks.service_queries(CANARY.url))
def test_generated_queries_reach_no_canary(servers, canary, text):
    _, plain, federating = servers
    for server in (plain, federating):
        response = server.query(text, method="POST", accept=ANY_ANSWER)
        assert response.status_code < 500 or response.status_code == 503, response.text
    assert canary.count() == 0, text


@SETTINGS
@given(attacks.calling_updates(CANARY.url))
def test_generated_updates_reach_no_canary(servers, canary, text):
    _, _, federating = servers
    response = requests.post(federating.url, data={"update": text}, headers={"Authorization": f"Bearer {TOKEN}"},
                             timeout=30)
    assert response.status_code in (400, 403), response.text   # LOAD and SERVICE are refused in updates
    assert canary.count() == 0, text


@SETTINGS
@given(st.one_of(attacks.mixed_queries(CANARY.url, f"http://{ALLOWED_PLACEHOLDER}/sparql"),
                 attacks.service_queries(f"http://{ALLOWED_PLACEHOLDER}/sparql")))
def test_with_an_allow_list_only_the_allowed_endpoint_is_asked(servers, canary, remote, text):
    _, _, federating = servers
    text = text.replace(ALLOWED_PLACEHOLDER, remote.url.split("/")[2])
    before = remote.requests
    response = federating.query(text, method="POST", accept=ANY_ANSWER)
    assert response.status_code in (200, 400, 403, 502), response.text   # 502: more rows than --max-rows
    if response.status_code == 200:
        event("answered with the allowed endpoint's rows")
        assert remote.requests > before
    assert canary.count() == 0, text


JOIN = ("PREFIX pkg: <https://w3id.org/policykg/ontology#>\n" + CDM
        + "SELECT ?act ?work WHERE {{ ?act pkg:celex ?celex . SERVICE {target} "
          "{{ ?work cdm:resource_legal_id_celex ?celex }} }} ORDER BY ?act")


@pytest.mark.parametrize("prologue, target", [
    ("", "<{url}>"),
    ("", "SILENT <{url}>"),
    ("BASE <{root}/>\n", "<sparql>"),
    ("PREFIX r: <{root}/>\n", "r:sparql"),
    ("PREFIX r: <{escaped_root}/>\n", "r:sparql"),
    ("", "<{escaped_url}>"),
])
def test_the_allowed_endpoint_is_asked_and_its_rows_joined(servers, remote, prologue, target):
    _, _, federating = servers
    root = remote.url.rsplit("/", 1)[0]
    values = {"url": remote.url, "root": root, "escaped_root": attacks.escaped(root),
              "escaped_url": attacks.escaped(remote.url)}
    before = remote.requests
    rows = federating.select(prologue.format(**values) + JOIN.format(target=target.format(**values)))
    assert remote.requests == before + 1                    # asked once, by the federation process
    assert sorted((row["act"], row["work"]) for row in rows) == _expected_join(federating, remote)


def _expected_join(federating, remote) -> list[tuple[str, str]]:
    """The join computed by hand: the store's acts and the remote works, on equal CELEX numbers."""
    local = federating.select("PREFIX pkg: <https://w3id.org/policykg/ontology#> "
                              "SELECT ?act ?celex WHERE { ?act pkg:celex ?celex }")
    far = remote_select(remote, CDM + "SELECT ?work ?celex WHERE { ?work cdm:resource_legal_id_celex ?celex }")
    joined = sorted((a["act"], w["work"]) for a in local for w in far if a["celex"] == w["celex"])
    assert joined, "the fixtures share no CELEX number"
    return joined


def remote_select(remote, text: str) -> list[dict[str, str]]:
    response = requests.post(remote.url, data={"query": text},
                             headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def test_every_query_form_federates_through_the_process(servers, remote):
    """ASK and CONSTRUCT are evaluated as soon as the engine plans them: the engine must never see the clause."""
    _, _, federating = servers
    before = remote.requests
    assert federating.ask(CDM + f"ASK {{ SERVICE <{remote.url}> {{ ?w cdm:resource_legal_id_celex '32024R1689' }} }}")
    graph = federating.query(CDM + f"CONSTRUCT {{ ?w a cdm:work }} WHERE {{ SERVICE <{remote.url}> "
                                   "{ ?w cdm:resource_legal_id_celex ?c } }", accept="application/n-triples")
    assert graph.status_code == 200 and graph.text.count("\n") == 9, graph.text
    assert remote.requests == before + 2


def test_a_failing_allowed_endpoint_is_an_error_or_silently_one_empty_solution(servers, closed_port):
    _, _, federating = servers
    failed = federating.query(f"SELECT * WHERE {{ SERVICE <{closed_port}> {{ ?s ?p ?o }} }}")
    assert failed.status_code == 502 and closed_port in failed.json()["error"]
    assert federating.select(f"SELECT * WHERE {{ SERVICE SILENT <{closed_port}> {{ ?s ?p ?o }} }}") == [{}]
    assert federating.ask(f"ASK {{ ?s ?p ?o . SERVICE SILENT <{closed_port}> {{ ?s ?p ?o }} }}")


def test_an_answer_over_the_row_cap_is_refused(servers, remote):
    _, _, federating = servers
    response = federating.query(f"SELECT * WHERE {{ SERVICE <{remote.url}> {{ ?s ?p ?o }} }}")
    assert response.status_code == 502 and "more than 50 rows" in response.json()["error"]


def test_the_federation_process_holds_the_list_itself(servers, canary, remote):
    """Asked directly on its socket, as a worker that got past the guard would, it refuses what is not listed."""
    user, _, federating = servers
    proxy = next(pid for pid in _children(federating.process.pid)
                 if b"federation_proxy" in Path(f"/proc/{pid}/cmdline").read_bytes())
    arguments = Path(f"/proc/{proxy}/cmdline").read_bytes().split(b"\0")
    path = arguments[arguments.index(b"--socket") + 1].decode()
    if user == "nobody":
        assert os.stat(f"/proc/{proxy}").st_uid == unprivileged.NOBODY
    for endpoint in (canary.url, canary.url.rstrip("/") + "/sparql", remote.url + "/x", remote.url + "?a=1",
                     remote.url.replace("http:", "file:")):
        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(path)
            connection.sendall(json.dumps({"endpoint": endpoint, "query": "SELECT * { ?s ?p ?o }"}).encode() + b"\n")
            reply = json.loads(connection.makefile("rb").readline())
        assert reply["status"] == 403 and "refused" in reply["error"], reply
    assert canary.count() == 0
