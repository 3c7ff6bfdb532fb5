"""``policykg serve`` facing hostile clients: the front reads requests whole before a worker sees them, admission
keeps a worker for lookups, the update token stays secret. (Speed targets: bench/bench_hostile.py.)"""

from __future__ import annotations

import socket
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
import pytest
import requests
from support import data
from support.server import children, running

TOKEN = "hostile-test-token-5f3a9c"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LOOKUP = "ASK { ?s ?p ?o }"
WORKERS = 2


@pytest.fixture(scope="module")
def nquads(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "sample.nq"
    path.write_bytes(ox.serialize(data.quads(), format=ox.RdfFormat.N_QUADS))
    return path


@pytest.fixture(scope="module")
def server(nquads):
    with running("--nquads", nquads, "--workers", str(WORKERS), "--timeout", "30") as server:
        yield server


def _address(server) -> tuple[str, int]:
    parts = urlsplit(server.url)
    return parts.hostname, parts.port


def _held(server, kind: str, count: int) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        sock = socket.create_connection(_address(server), timeout=10)
        if kind == "slow-header":
            sock.sendall(f"GET /sparql?query={quote(LOOKUP)} HTTP/1.1\r\nHost: x\r\nAcc".encode())
        elif kind == "slow-body":
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                         b"Content-Length: 1000\r\n\r\nASK")
        socks.append(sock)
    return socks


@pytest.mark.parametrize("kind", ["idle", "slow-header", "slow-body"])
def test_held_connections_do_not_hold_the_workers(server, kind):
    """More unfinished requests than workers: a normal query is still answered (before the front, it waited for
    gunicorn's worker timeout and the client gave up)."""
    socks = _held(server, kind, WORKERS * 4)
    try:
        for _ in range(3):
            assert server.ask(LOOKUP, http_timeout=5) is True
    finally:
        for sock in socks:
            sock.close()


def _raw(server, payload: bytes) -> bytes:
    with socket.create_connection(_address(server), timeout=30) as sock:
        try:
            sock.sendall(payload)
        except OSError:  # the front may close before reading it all; its answer was sent first
            pass
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_huge_request_line_is_refused_with_414(server):
    answer = _raw(server, b"GET /sparql?query=" + b"a" * (16 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer[9:12] == b"414", answer[:200]
    assert b'"status": 414' in answer and b"POST" in answer


def test_a_huge_header_is_refused_with_431(server):
    answer = _raw(server, b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 100_000 + b"\r\n\r\n")
    assert answer[9:12] == b"431", answer[:200]


def test_a_body_over_the_cap_is_refused_before_it_is_read(server):
    head = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 900000000\r\n\r\n")
    answer = _raw(server, head)
    assert answer[9:12] == b"413", answer[:200]


def test_streamed_and_head_answers_pass_the_front(server):
    big = requests.get(server.url, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                       headers={"Accept": "application/n-triples"}, timeout=30)
    assert big.status_code == 200 and big.text.count("\n") == len(data.quads())
    head = requests.head(server.url, params={"query": LOOKUP}, timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert "gunicorn" in big.headers["Server"]


def test_runaways_beyond_the_expensive_lane_are_refused_and_lookups_still_answer(nquads):
    """With one process kept for pages, queries beyond the query workers wait; a query that cannot get a worker
    within its wait (twice the time limit: here two rounds of two) is refused with 503 and Retry-After, and pages
    keep answering meanwhile."""
    import concurrent.futures

    with running("--nquads", nquads, "--workers", "2", "--timeout", "2") as server:
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            runaways = [pool.submit(requests.get, server.url, params={"query": RUNAWAY}, timeout=60)
                        for _ in range(10)]
            pages = [requests.get(server.root + "/.well-known/void", timeout=10) for _ in range(3)]
            answers = [future.result() for future in runaways]
        assert all(page.status_code == 200 for page in pages)
        assert {answer.status_code for answer in answers} <= {503}
        refused = [answer for answer in answers if "Retry-After" in answer.headers]
        stopped = [answer for answer in answers if "ran out of time" in answer.text]
        assert refused and stopped
        assert all("busy" in answer.json()["error"] for answer in refused)


def test_queries_queued_in_the_workers_socket_never_reach_the_process_kept_for_pages(nquads):
    """The front hands each query worker a second query to wait in the workers' socket: with two query workers,
    four runaways are in the workers' hands at once, two of them queued. The process kept for pages does not
    listen on that socket, so pages are answered while all four are held, before any runaway's own 503; all
    four are stopped by their time limit, none refused."""
    import concurrent.futures
    import time

    with running("--nquads", nquads, "--workers", "2", "--timeout", "4") as server:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            runaways = [pool.submit(requests.get, server.url, params={"query": RUNAWAY}, timeout=60)
                        for _ in range(4)]
            time.sleep(0.5)  # all four reach the workers: two running, two in the socket's backlog
            pages = [requests.get(server.root + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
                     for _ in range(3)]
            answered_first = not any(runaway.done() for runaway in runaways)
            stopped = [runaway.result() for runaway in runaways]
        assert [page.status_code for page in pages] == [200, 200, 200]
        assert all("void:Dataset" in page.text for page in pages)
        assert answered_first, "the pages waited for a runaway query"
        assert all(answer.status_code == 503 and "ran out of time" in answer.text for answer in stopped)
        assert not any("Retry-After" in answer.headers for answer in stopped)


def test_the_pages_role_is_held_by_one_process_and_passes_on_when_it_ends(tmp_path):
    """The worker that locks the pages file keeps to lookups; another cannot take the role while it lives, and
    the worker forked after it ends can."""
    import multiprocessing

    from policykg.web.endpoint.server import PagesRole

    role = PagesRole(str(tmp_path / "pages.lock"))
    context = multiprocessing.get_context("fork")
    claimed, release = context.Event(), context.Event()

    def holder() -> None:
        if role.claim():
            claimed.set()
            release.wait(30)

    process = context.Process(target=holder)
    process.start()
    assert claimed.wait(30)
    assert role.claim() is False
    release.set()
    process.join(30)
    assert role.claim() is True


def test_the_update_token_reaches_no_argv_log_or_answer(nquads, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    with running("--nquads", nquads, "--update-token-file", token_file, "--access-log") as server:
        insert = 'INSERT DATA { <http://example.org/s> <http://example.org/p> "x" }'
        done = requests.post(server.url, data={"update": insert}, headers={"Authorization": f"Bearer {TOKEN}"},
                             timeout=30)
        assert done.status_code == 204
        refused = requests.post(server.url, data={"update": insert}, headers={"Authorization": "Bearer nope"},
                                timeout=30)
        assert refused.status_code == 401
        answers = [done, refused] + [requests.get(server.root + path, timeout=30) for path in
                                     ("/sparql", "/.well-known/void", "/sparql?query=ASK%7B%7D")]
        for answer in answers:
            assert TOKEN not in answer.text and TOKEN not in str(answer.headers)
        processes = [server.process.pid, *children(server.process.pid)]
        assert len(processes) >= 3  # the master, the front, a worker
        for pid in processes:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                assert TOKEN.encode() not in cmdline.read()
            with open(f"/proc/{pid}/environ", "rb") as environ:
                assert TOKEN.encode() not in environ.read()
    assert any("/sparql" in line for line in server.log)  # the access log was written
    assert TOKEN not in server.stderr()


def test_clients_that_do_not_read_their_answers_do_not_hold_the_workers(tmp_path):
    """Large answers to clients that read nothing: the front takes each answer whole from its worker, so queries
    keep being answered (the workers would otherwise wait, blocked on a full socket)."""
    big = tmp_path / "big.nq"
    quads = [ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/label"),
                     ox.Literal(f"a label long enough to fill socket buffers quickly, number {i}"))
             for i in range(120_000)]
    big.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    with running("--nquads", big, "--workers", "2", "--max-rows", "200000") as server:  # 2 for queries
        request = (f"GET /sparql?query={quote('CONSTRUCT WHERE { ?s ?p ?o }')} HTTP/1.1\r\nHost: x\r\n"
                   "Accept: application/n-triples\r\n\r\n").encode()
        readers = []
        for _ in range(2):
            sock = socket.create_connection(_address(server), timeout=10)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(request)
            readers.append(sock)
        try:
            for _ in range(3):
                assert server.ask(LOOKUP, http_timeout=20) is True
        finally:
            for sock in readers:
                sock.close()


def test_the_server_stops_when_its_front_dies(nquads):
    import os
    import signal

    with running("--nquads", nquads, "--workers", "1") as server:
        front = children(server.process.pid, named=b"policykg.web.endpoint.front")
        assert len(front) == 1
        os.kill(front[0], signal.SIGKILL)
        assert server.process.wait(timeout=30) is not None
        assert any("front process ended" in line for line in server.log)


def test_forwarding_headers_from_clients_are_not_believed(nquads, tmp_path):
    """gunicorn trusts X-Forwarded-* from its unix socket: the front must not pass a client's on (here it would
    turn the scheme of a new graph's Location into https)."""
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    with running("--nquads", nquads, "--update-token-file", token_file) as server:
        forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl",
                  "Forwarded": "proto=https"}
        created = requests.post(server.store, timeout=30,  # a new graph: its Location is an absolute URL
                               data=b'<http://example.org/s> <http://example.org/p> "1" .',
                               headers={**forged, "Authorization": f"Bearer {TOKEN}",
                                        "Content-Type": "application/n-triples"})
        assert created.status_code == 201
        assert created.headers["Location"].startswith("http://127.0.0.1:")


def test_a_connection_that_never_completes_its_request_head_is_closed(server):
    """Idle and slow-header connections are closed at the header deadline (Settings.header_timeout), so they cost
    the front a socket for a bounded time."""
    idle, slow = _held(server, "idle", 1)[0], _held(server, "slow-header", 1)[0]
    for sock in (idle, slow):
        sock.settimeout(60)
        assert sock.recv(100) == b""  # closed without an answer
        sock.close()


def test_a_client_that_waits_for_100_continue_gets_it(server):
    body = b"ASK { ?s ?p ?o }"
    with socket.create_connection(_address(server), timeout=30) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Accept: application/sparql-results+json\r\nExpect: 100-continue\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and b'"boolean": true' in answer.replace(b'":true', b'": true')


def test_an_app_served_without_a_base_url_names_the_bound_address_not_the_host_header(nquads):
    """serve() given settings without base_url (as the browser tests' server is): the workers sit behind a unix
    socket, where gunicorn would build the server's name from the Host header; the bound address is used."""
    from support.browser import pages_server

    with pages_server(nquads, "host-test") as root:
        answer = requests.get(root + "/.well-known/void", timeout=30,
                              headers={"Host": "evil.example", "Accept": "text/turtle"})
        assert answer.status_code == 200
        assert "evil.example" not in answer.text and root in answer.text


def test_a_page_answers_while_a_runaway_holds_the_update_enabled_server(nquads):
    """The update-enabled server has one worker process (one writer), run with two threads: a runaway query holds
    the one lane for queries, and pages are answered beside it, before the runaway's own 503. Once the runaway is
    stopped (its process replaced), the new worker answers pages and accepts updates."""
    import concurrent.futures
    import time

    auth = {"Authorization": f"Bearer {TOKEN}"}
    with running("--nquads", nquads, "--update-token", TOKEN, "--timeout", "5") as server:
        assert "updates enabled: one worker process" in server.stderr()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            runaway = pool.submit(requests.get, server.url, params={"query": RUNAWAY}, timeout=60)
            time.sleep(0.5)  # let it reach the worker (were it not there yet, the runaway's check below fails)
            pages = [requests.get(server.root + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
                     for _ in range(3)]
            answered_first = not runaway.done()
            stopped = runaway.result()
        assert [page.status_code for page in pages] == [200, 200, 200]
        assert all(f"<{server.url}>" in page.text and "void:Dataset" in page.text for page in pages)
        assert answered_first, "the pages waited for the runaway query"
        assert stopped.status_code == 503 and "ran out of time" in stopped.text
        assert "Retry-After" not in stopped.headers  # stopped by the watchdog, not refused by the front
        after = requests.get(server.root + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
        assert after.status_code == 200 and "void:Dataset" in after.text
        insert = 'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> "x" } }'
        assert requests.post(server.url, data={"update": insert}, headers=auth, timeout=30).status_code == 204
        assert server.ask('ASK { GRAPH <http://example.org/g> { <http://example.org/s> ?p "x" } }') is True


def test_a_burst_of_queries_waits_for_the_query_lane_instead_of_being_refused(nquads):
    """Queries arriving together while the query lane is busy wait their turn (the queue holds a few dozen; only
    its deadline refuses): none of a burst of eight is turned away, where a queue of two refused most of them."""
    import concurrent.futures
    import time

    with running("--nquads", nquads, "--workers", "2", "--timeout", "2") as server:
        with concurrent.futures.ThreadPoolExecutor(9) as pool:
            runaway = pool.submit(requests.get, server.url, params={"query": RUNAWAY}, timeout=60)
            time.sleep(0.3)  # it holds one of the two query workers
            burst = [pool.submit(server.query, LOOKUP) for _ in range(8)]
            answers = [future.result() for future in burst]
            stopped = runaway.result()
        assert stopped.status_code == 503 and "ran out of time" in stopped.text
        assert [answer.status_code for answer in answers] == [200] * 8, [answer.text for answer in answers]
        assert all(answer.json()["boolean"] is True for answer in answers)
