"""Benchmark of the SPARQL endpoint: ``policykg serve`` beside a bare Flask+pyoxigraph app and rdflib-endpoint.

The same synthetic policy graph (``bench/generate.py``) and the same queries go to every server:

* lookup     -- an act by CELEX number (a different CELEX on every request: no cache helps);
* aggregate  -- triples per property over the whole graph, GROUP BY and ORDER BY;
* construct  -- the description of the policy file that adopted an act, by CELEX;

at 1 and 8 concurrent connections, measured with wrk (answered requests/s: a 503 refusal is counted apart; p50 and
p90 latency; and the CPU time the server's processes spent per request, which a busy shared machine disturbs less
than throughput), plus the floor of the server stack (a bare Flask ``/ping`` through the same gunicorn set-up) and
each server's own floor (``ASK {}``: for ``policykg serve`` through its front, guard and worker).
``policykg serve`` runs with its guard and time limit as deployed; the bare app has neither (``bench/bare_app.py``).
Each cell is the median of ``--repeat`` runs taken in turns. The handlers are also timed in process, without HTTP
(what policykg adds, apart from the network and the load generator). ``--large`` adds the 1M-triple run: time from
start to ready, lookup latency, and memory (RSS of the master, PSS of all processes).

Everything listens on 127.0.0.1 and every step is bounded in time:

    python bench/bench_endpoint.py              # 10k triples: median of 3 runs of 5 s per cell (about 5 minutes)
    python bench/bench_endpoint.py --large      # and the 1M-triple run
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import requests
from rdflib import Graph

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import celex_numbers, generate  # noqa: E402
from processes import process_tree, stop  # noqa: E402

PREFIXES = ("PREFIX pkg: <https://w3id.org/policykg/ontology#>\n"
            "PREFIX eli: <http://data.europa.eu/eli/ontology#>\n")
QUERIES = {
    "lookup": PREFIXES + 'SELECT ?act ?title ?date WHERE { ?act pkg:celex "%s" ; eli:title ?title ; '
                         'eli:date_document ?date }',
    "aggregate": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p",
    "construct": PREFIXES + 'CONSTRUCT { ?file ?p ?o } WHERE { ?act pkg:celex "%s" . '
                            '?file pkg:hasAdoptedAct ?act ; ?p ?o }',
}
ACCEPT = {"lookup": "application/sparql-results+json", "aggregate": "application/sparql-results+json",
          "construct": "text/turtle"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Running:
    """A server process started for the benchmark, stopped (with its process group) at the end."""

    def __init__(self, name: str, command: list[str], url: str, *, env: dict | None = None, ready_timeout=120):
        self.name, self.url = name, url
        self.started = time.monotonic()
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, stdout=self.log, stderr=self.log,
                                        start_new_session=True, env={**os.environ, **(env or {})})
        self.ready_after = self._wait(ready_timeout)

    def _wait(self, limit: float) -> float:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"{self.name} exited:\n{self.log.read().decode(errors='replace')[-3000:]}")
            try:
                if requests.get(self.url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return time.monotonic() - self.started
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready after {limit} s")

    def stop(self) -> None:
        stop(self.process)


def start_policykg(data: Path, workers: int, load: str = "nquads") -> Running:
    """``policykg serve --nquads FILE`` (a build's dump) or ``--data FILE`` (RDF files, checked as they load)."""
    port = free_port()
    return Running("policykg serve", [sys.executable, "-m", "policykg", "serve", f"--{load}", str(data),
                                      "--port", str(port), "--workers", str(workers)],
                   f"http://127.0.0.1:{port}/sparql", ready_timeout=300)


def start_bare(data: Path, workers: int) -> Running:
    port = free_port()
    return Running("bare Flask+pyoxigraph", [sys.executable, "-m", "gunicorn", "--pythonpath", str(HERE),
                                             "-w", str(workers), "-k", "sync", "--preload", "--log-level",
                                             "warning", "-b", f"127.0.0.1:{port}", "bare_app:app"],
                   f"http://127.0.0.1:{port}/sparql", env={"POLICYKG_BENCH_DATA": str(data)})


def start_rdflib_endpoint(data: Path) -> Running:
    port = free_port()
    return Running("rdflib-endpoint", [sys.executable, "-m", "rdflib_endpoint", "serve", "--host", "127.0.0.1",
                                       "--port", str(port), str(data)], f"http://127.0.0.1:{port}/",
                   ready_timeout=300)


def lua_script(path: Path, requests_paths: list[str], accept: str) -> Path:
    entries = ",\n".join(f'  "{p}"' for p in requests_paths)
    path.write_text(f"""local paths = {{
{entries}
}}
local i = math.random(#paths)
wrk.headers["Accept"] = "{accept}"
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
""")
    return path


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its descendants (live ones, and reaped ones via the master)."""
    total = 0
    for p in process_tree(pid):
        fields = _read(Path(f"/proc/{p}/stat")).rsplit(")", 1)[-1].split()
        if len(fields) > 14:
            total += sum(int(f) for f in fields[11:15])   # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def wrk(url: str, script: Path, connections: int, duration: float, pid: int | None = None) -> dict:
    before = cpu_seconds(pid) if pid else 0.0
    output = subprocess.run(["wrk", "-t", str(min(connections, 2)), "-c", str(connections),
                             "-d", f"{max(1, round(duration))}s", "--timeout", "30s", "--latency", "-s", str(script),
                             url], capture_output=True, text=True, timeout=duration + 60).stdout
    cpu = cpu_seconds(pid) - before if pid else 0.0
    latency = dict(re.findall(r"^\s+(50|90)%\s+(\S+)$", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    count = re.search(r"(\d+) requests in", output)
    count = int(count.group(1)) if count else 0
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors_n = int(errors.group(1)) if errors else 0
    # Answers only: a refusal (503 when every query worker is busy and the queue is full) is not throughput.
    rps_ok = float(rps.group(1)) * (count - errors_n) / count if rps and count else 0.0
    nan = float("nan")  # no request finished within the run (rdflib-endpoint's aggregate under load)
    return {"rps": rps_ok,
            "p50": _ms(latency["50"]) if "50" in latency else nan,
            "p90": _ms(latency["90"]) if "90" in latency else nan,
            "errors": int(errors.group(1)) if errors else 0, "cpu_us": 1e6 * cpu / count if count else nan}


def request_paths(server: Running, kind: str, celex: list[str]) -> list[str]:
    base = server.url.split("//", 1)[1].split("/", 1)[1]
    texts = [QUERIES[kind] % c for c in celex] if "%s" in QUERIES[kind] else [QUERIES[kind]]
    return [f"/{base}?query={quote(t, safe='')}" for t in texts]


def check_answers(servers: list[Running], celex: list[str]) -> None:
    """Every server gives the same number of rows (or triples) for the benchmark queries."""
    for kind in QUERIES:
        counts = {}
        for server in servers:
            text = QUERIES[kind] % celex[0] if "%s" in QUERIES[kind] else QUERIES[kind]
            response = requests.get(server.url, params={"query": text}, headers={"Accept": ACCEPT[kind]},
                                    timeout=120)
            response.raise_for_status()
            if kind == "construct":
                counts[server.name] = len(Graph().parse(data=response.text, format="turtle"))
            else:
                counts[server.name] = len(response.json()["results"]["bindings"])
        if len(set(counts.values())) != 1:
            raise SystemExit(f"servers disagree on {kind}: {counts}")
        print(f"  answers agree: {kind} -> {counts}", flush=True)


def pss_and_rss(pid: int) -> tuple[float, float]:
    """(PSS of the process and its children, RSS of the process), in MB."""
    pss = 0
    for p in process_tree(pid):
        for line in _read(Path(f"/proc/{p}/smaps_rollup")).splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1])
    rss = next((int(line.split()[1]) for line in _read(Path(f"/proc/{pid}/status")).splitlines()
                if line.startswith("VmRSS:")), 0)
    return pss / 1024, rss / 1024


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def run_10k(args, folder: Path) -> None:
    data = folder / f"policy-{args.triples}.nq"
    data.write_text("".join(generate(args.triples)))
    celex = celex_numbers(max(1, args.triples // 160))
    random.Random(1).shuffle(celex)
    print(f"# {args.triples} triples, {len(celex)} acts; {args.workers} workers; median of {args.repeat} wrk runs of "
          f"{args.duration:g} s per cell; load average {os.getloadavg()[0]:.2f}", flush=True)
    servers = [start_policykg(data, args.workers, args.load), start_bare(data, args.workers)]
    if not args.skip_rdflib:
        servers.append(start_rdflib_endpoint(data))
    try:
        check_answers(servers, celex)
        print(f"\n{'server':<24}{'query':<11}{'conns':>6}{'ok req/s':>10}{'p50 ms':>9}{'p90 ms':>9}{'CPU us/req':>12}"
              f"{'non-2xx':>9}")
        results = {}
        for kind in args.queries:
            for connections in args.connections:
                runs: dict[str, list[dict]] = {server.name: [] for server in servers}
                for _ in range(args.repeat):  # the servers take turns, so that a busy moment hits them all
                    for server in servers:
                        script = lua_script(folder / f"{kind}.lua", request_paths(server, kind, celex), ACCEPT[kind])
                        runs[server.name].append(wrk(server.url, script, connections, args.duration,
                                                     server.process.pid))
                for server in servers:
                    result = {key: statistics.median(run[key] for run in runs[server.name])
                              for key in ("rps", "p50", "p90", "cpu_us")}
                    result["errors"] = sum(run["errors"] for run in runs[server.name])
                    results[(server.name, kind, connections)] = result
                    print(f"{server.name:<24}{kind:<11}{connections:>6}{result['rps']:>10.0f}{result['p50']:>9.2f}"
                          f"{result['p90']:>9.2f}{result['cpu_us']:>12.0f}{result['errors']:>9}", flush=True)
        bare = servers[1]
        script = folder / "ping.lua"
        script.write_text('request = function() return wrk.format("GET", "/ping") end\n')
        for connections in args.connections:
            result = wrk(bare.url.rsplit("/", 1)[0] + "/ping", script, connections, args.duration, bare.process.pid)
            print(f"{'floor (Flask /ping)':<24}{'-':<11}{connections:>6}{result['rps']:>10.0f}{result['p50']:>9.2f}"
                  f"{result['p90']:>9.2f}{result['cpu_us']:>12.0f}{result['errors']:>9}", flush=True)
        # each stack's own floor: the cheapest query through all of it (policykg serve: front, guard, worker)
        script = folder / "ask.lua"
        script.write_text('wrk.headers["Accept"] = "application/sparql-results+json"\n'
                          'request = function() return wrk.format("GET", "/sparql?query=ASK%7B%7D") end\n')
        for server in servers[:2]:
            for connections in args.connections:
                result = wrk(server.url, script, connections, args.duration, server.process.pid)
                label = f"floor ({server.name.split()[0]} ASK {{}})"
                print(f"{label:<24}{'-':<11}{connections:>6}{result['rps']:>10.0f}{result['p50']:>9.2f}"
                      f"{result['p90']:>9.2f}{result['cpu_us']:>12.0f}{result['errors']:>9}", flush=True)
        run_in_process(args, data, celex)
        print("\npolicykg serve against the bare app over HTTP (guard, time limit, caps, negotiation, headers):")
        for kind in args.queries:
            for connections in args.connections:
                ours = results[("policykg serve", kind, connections)]
                theirs = results[("bare Flask+pyoxigraph", kind, connections)]
                print(f"  {kind:<10} {connections} conn: throughput {100 * ours['rps'] / theirs['rps']:.0f} % of the "
                      f"bare app's, CPU per request {100 * (ours['cpu_us'] / theirs['cpu_us'] - 1):+.1f} %")
    finally:
        for server in servers:
            server.stop()


def run_in_process(args, data: Path, celex: list[str]) -> None:
    """The handlers without HTTP: each app called as WSGI in this process, the two taking turns, so that the
    cost of what policykg adds (guard, armed watchdog, caps, negotiation, headers) is measured apart from the
    load generator and the network. The watchdog is armed on a socket pair, as under gunicorn."""
    import io
    import socket as sockets

    os.environ["POLICYKG_BENCH_DATA"] = str(data)
    from bare_app import app as bare  # noqa: E402 - reads its data path at import

    from policykg.store.local import MemoryStore
    from policykg.web import create_app

    store = MemoryStore("bench")
    store.load_nquads(data)
    ours = create_app(store)
    ours_sock, _peer = sockets.socketpair()

    def environ(text: str, accept: str, with_socket: bool) -> dict:
        env = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/sparql",
               "QUERY_STRING": "query=" + quote(text, safe=""), "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
               "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT": accept,
               "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr}
        if with_socket:
            env["gunicorn.socket"] = ours_sock
        return env

    print(f"\nin-process handler time, median of {args.inprocess} calls each (µs):")
    for kind in args.queries:
        texts = [QUERIES[kind] % c for c in celex] if "%s" in QUERIES[kind] else [QUERIES[kind]]
        times: dict[str, list[float]] = {"policykg": [], "bare": []}
        for i in range(args.inprocess):
            text = texts[i % len(texts)]
            for name, app in (("policykg", ours), ("bare", bare)):
                started = time.perf_counter()
                b"".join(app(environ(text, ACCEPT[kind], name == "policykg"), lambda status, headers: None))
                times[name].append((time.perf_counter() - started) * 1e6)
        mine, theirs = statistics.median(times["policykg"]), statistics.median(times["bare"])
        print(f"  {kind:<10} policykg {mine:8.0f}   bare {theirs:8.0f}   {100 * (mine / theirs - 1):+.1f} %")


def run_large(args, folder: Path) -> None:
    cache = Path(args.large_cache)
    data = cache / "policy-1000000.nq"
    if not data.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        print(f"# generating 1M triples into {data}", flush=True)
        tmp = data.with_suffix(".tmp")
        with tmp.open("w") as out:
            out.writelines(generate(1_000_000))
        tmp.replace(data)
    celex = celex_numbers(6000)
    print(f"\n# 1M triples ({data.stat().st_size / 1e6:.0f} MB of N-Quads); load average "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    server = start_policykg(data, args.workers, args.load)
    try:
        print(f"policykg serve --{args.load}: ready after {server.ready_after:.2f} s (process start to first answer)")
        script = lua_script(folder / "lookup-1m.lua", request_paths(server, "lookup", celex), ACCEPT["lookup"])
        result = wrk(server.url, script, 1, args.duration, server.process.pid)
        print(f"lookup, 1 connection: {result['rps']:.0f} req/s, p50 {result['p50']:.2f} ms, "
              f"p90 {result['p90']:.2f} ms, non-2xx {result['errors']}")
        result = wrk(server.url, script, 8, args.duration, server.process.pid)
        print(f"lookup, 8 connections: {result['rps']:.0f} req/s, p50 {result['p50']:.2f} ms, "
              f"p90 {result['p90']:.2f} ms, non-2xx {result['errors']}")
        pss, rss = pss_and_rss(server.process.pid)
        print(f"memory: master RSS {rss:.0f} MB; PSS of master and {args.workers} workers {pss:.0f} MB")
    finally:
        server.stop()
    if "aggregate" in args.queries:
        large_aggregates(args, folder, data)


def large_aggregates(args, folder: Path, data: Path) -> None:
    """The aggregate query at 1M triples, policykg serve and the bare app in turns (one server up at a time)."""
    rps: dict[str, list[float]] = {"policykg serve": [], "bare Flask+pyoxigraph": []}
    for connections in args.connections:
        for name in rps:
            rps[name] = []
        for _ in range(args.repeat):
            for name, start in (("policykg serve", lambda: start_policykg(data, args.workers, args.load)),
                                ("bare Flask+pyoxigraph", lambda: start_bare(data, args.workers))):
                server = start()
                try:
                    script = lua_script(folder / f"aggregate-1m-{connections}.lua",
                                        request_paths(server, "aggregate", []), ACCEPT["aggregate"])
                    rps[name].append(wrk(server.url, script, connections, args.duration,
                                         server.process.pid)["rps"])
                finally:
                    server.stop()
        ours, theirs = statistics.median(rps["policykg serve"]), statistics.median(rps["bare Flask+pyoxigraph"])
        print(f"aggregate at 1M, {connections} conn: policykg serve --{args.load} {ours:.2f} req/s, "
              f"bare {theirs:.2f} req/s: {100 * ours / theirs:.0f} % (runs: {rps})", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per measurement")
    parser.add_argument("--repeat", type=int, default=3, help="measurements per cell (the median is shown)")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1,
                        help="gunicorn workers of the bare app, query workers of policykg serve (default: CPUs + 1)")
    parser.add_argument("--skip-rdflib", action="store_true", help="leave rdflib-endpoint out")
    parser.add_argument("--queries", nargs="+", choices=list(QUERIES), default=list(QUERIES))
    parser.add_argument("--inprocess", type=int, default=1000, help="calls per query for the in-process timing")
    parser.add_argument("--large", action="store_true", help="also run the 1M-triple measurements")
    parser.add_argument("--large-only", action="store_true", help="only the 1M-triple measurements")
    parser.add_argument("--load", choices=["nquads", "data"], default="nquads",
                        help="how policykg serve is given the graph: --nquads (a build's dump) or --data")
    parser.add_argument("--large-cache", default=str(Path(tempfile.gettempdir()) / "policykg-bench"),
                        help="where the 1M-triple file is kept between runs")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (Debian: apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="policykg-bench-") as folder:
        if not args.large_only:
            run_10k(args, Path(folder))
        if args.large or args.large_only:
            run_large(args, Path(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
