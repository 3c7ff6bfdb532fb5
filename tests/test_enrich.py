"""``policykg enrich`` against a real SPARQL server on 127.0.0.1 holding a CELLAR-shaped fixture; the client's
retries, timeouts and errors; the VALUES writer; the federation allow-list. No other network."""

from __future__ import annotations

import datetime
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from support import sparql_server as support_sparql_server

from policykg.errors import PolicyKGError, QueryParameterError, SparqlSyntaxError, UpstreamError
from policykg.eurlex.client import CellarClient
from policykg.eurlex.enrich import curated_files, enrich, write_enrichment
from policykg.eurlex.mapping import ENRICHMENT_GRAPH
from policykg.eurlex.sparql import bind_values, load_query, prepare, values_block
from policykg.graph.load import load_files, parse_file
from policykg.namespaces import (
    CDM,
    CELEX,
    CELLAR_SPARQL_ENDPOINT,
    DCTERMS,
    ELI,
    EUROVOC,
    PKG,
    PROV,
    RDFS,
    RESOURCE_TYPE,
    XSD,
)
from policykg.sparql.client import RetryPolicy, _Retry, check_endpoint
from policykg.sparql.federation import FederationPolicy, normalise_endpoint

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "eurlex" / "cellar-fixture.ttl"

# The server the CLI tests start, as a separate process: the project's own endpoint on the fixture. (The
# client tests below use the small stand-in server of support/sparql_server.py, which can fail on demand.)
SERVER_COMMAND = [sys.executable, "-m", "policykg", "serve", "--data", "{data}", "--port", "{port}",
                  "--workers", "2"]
SERVER_PATH = "/sparql"

AI_ACT = URIRef("http://data.europa.eu/eli/reg/2024/1689/oj")
AMMR = URIRef("http://data.europa.eu/eli/reg/2024/1351/oj")
DUBLIN_III = URIRef("http://data.europa.eu/eli/reg/2013/604/oj")
SINGLE_PERMIT = URIRef("http://data.europa.eu/eli/dir/2024/1233/oj")
CPR = URIRef("http://data.europa.eu/eli/reg/2021/1060/oj")
AMIF = URIRef("http://data.europa.eu/eli/reg/2021/1147/oj")
AI_PROCEDURE = URIRef("https://data.europarl.europa.eu/eli/dl/proc/2021-0106")


# --------------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the SPARQL server exited: {process.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SPARQL server did not start")


@pytest.fixture(scope="module")
def fixture_endpoint():
    """A real SPARQL server process on 127.0.0.1 holding the CELLAR-shaped fixture; its endpoint URL."""
    port = _free_port()
    command = [part.format(data=FIXTURE, port=port) for part in SERVER_COMMAND]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}{SERVER_PATH}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykg", "--root", str(ROOT), *args],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def enriched(fixture_endpoint, tmp_path_factory):
    """One ``policykg enrich`` run against the fixture: (completed process, output path)."""
    output = tmp_path_factory.mktemp("enrich") / "cellar.ttl"
    done = run_cli("enrich", "--endpoint", fixture_endpoint, "--output", str(output))
    return done, output


@pytest.fixture(scope="module")
def graph(enriched):
    """The written enrichment, read back by the strict loader."""
    _, output = enriched
    loaded = parse_file(output, graph=ENRICHMENT_GRAPH)
    g = Graph()
    for s, p, o, _ in loaded.rdflib_quads():
        g.add((s, p, o))
    return g


# --------------------------------------------------------------------------------------------
# policykg enrich against the fixture server
# --------------------------------------------------------------------------------------------

def test_enrich_runs_and_writes(enriched):
    done, output = enriched
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert output.is_file()
    assert "CELLAR knows 8 of the CELEX numbers" in done.stdout


def test_titles_in_several_languages(graph):
    titles = {t.language: str(t) for t in graph.objects(AI_ACT, ELI.title)}
    assert set(titles) == {"en", "fr", "de"}
    assert titles["fr"].startswith("Règlement (UE) 2024/1689 du Parlement européen")
    assert titles["de"].startswith("Verordnung (EU) 2024/1689")
    assert {t.language for t in graph.objects(AMMR, ELI.title)} == {"en", "it"}
    assert {t.language for t in graph.objects(SINGLE_PERMIT, ELI.title)} == {"en", "es"}


def test_dates_and_in_force_status(graph):
    def one(subject, prop):
        values = list(graph.objects(subject, prop))
        assert len(values) == 1, (subject, prop, values)
        return values[0]

    assert one(AI_ACT, ELI.date_document) == Literal("2024-06-13", datatype=XSD.date)
    assert one(AI_ACT, ELI.first_date_entry_in_force) == Literal("2024-08-01", datatype=XSD.date)
    assert one(AI_ACT, ELI.in_force) == ELI["InForce-inForce"]
    assert one(AI_ACT, ELI.type_document) == RESOURCE_TYPE["REG"]
    assert list(graph.objects(AI_ACT, ELI.date_no_longer_in_force)) == []   # 9999-12-31 dropped
    assert one(DUBLIN_III, ELI.in_force) == ELI["InForce-notInForce"]
    assert one(DUBLIN_III, ELI.date_no_longer_in_force) == Literal("2026-06-30", datatype=XSD.date)
    # CELLAR's date disagrees with the curated one: it stays out of the graph and the report carries it.
    assert list(graph.objects(SINGLE_PERMIT, ELI.first_date_entry_in_force)) == []
    assert not any("9999" in str(o) for o in graph.objects())


def test_subjects_links_and_procedures_in_our_vocabulary(graph):
    assert set(graph.objects(AI_ACT, ELI.is_about)) == {EUROVOC["3030"], EUROVOC["538"]}
    assert (AMMR, ELI.repeals, DUBLIN_III) in graph
    assert {(AMMR, ELI.amends, AMIF), (AMMR, ELI.amends, CPR)} <= set(graph)
    assert (AI_ACT, PKG.followsProcedure, AI_PROCEDURE) in graph
    assert (CELEX["52021PC0206"], PKG.followsProcedure, AI_PROCEDURE) in graph
    assert (AI_ACT, PKG.resultsFrom, CELEX["52021PC0206"]) in graph
    # the IRIs our data uses; the act our data lacks gets its ELI, its CELEX and its EUR-Lex page
    assert (AI_ACT, PKG.celex, Literal("32024R1689")) in graph
    assert (CPR, PKG.celex, Literal("32021R1060")) in graph
    cpr_page = URIRef("https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32021R1060")
    assert (CPR, DCTERMS.source, cpr_page) in graph
    # no CDM term leaks into the data (CDM appears only in the recorded query texts)
    assert not [t for t in graph if str(t[1]).startswith(str(CDM)) or str(t[2]).startswith(str(CDM))]
    assert not [s for s in graph.subjects() if "/resource/cellar/" in str(s)]


def test_provenance(graph, fixture_endpoint):
    assert (ENRICHMENT_GRAPH, PROV.wasDerivedFrom, URIRef(fixture_endpoint)) in graph
    [generated] = graph.objects(ENRICHMENT_GRAPH, PROV.generatedAtTime)
    assert generated.datatype == XSD.dateTime
    [activity] = graph.objects(ENRICHMENT_GRAPH, PROV.wasGeneratedBy)
    used = set(graph.objects(activity, PROV.used))
    assert URIRef(fixture_endpoint) in used
    texts = {str(graph.value(q, RDFS.label)): str(graph.value(q, RDFS.comment)) for q in used if isinstance(q, BNode)}
    assert set(texts) == {"facts.rq", "titles.rq", "links.rq", "procedures.rq"}
    assert "cdm:expression_title" in texts["titles.rq"]
    assert texts["titles.rq"].startswith("PREFIX cdm: <http://publications.europa.eu/ontology/cdm#>")


def test_report_names_the_seeded_disagreement_and_missing_links(enriched):
    out = enriched[0].stdout
    assert "Values that disagree with the curated data (1):" in out
    assert "32024L1233 eli:first_date_entry_in_force: CELLAR 2024-05-21; curated 2024-05-20" in out
    assert "32024R1351 eli:amends 32021R1060 (not in the curated data)" in out
    assert "32024R1351 eli:amends 32021R1147\n" in out
    assert "Acts CELLAR links to that the curated data lacks (1): 32021R1060" in out
    unknown = next(line for line in out.splitlines() if line.startswith("CELEX numbers CELLAR does not know"))
    assert "32002F0946" in unknown and "32024R1689" not in unknown
    # links our data states in the other direction or through pkg:recasts are not reported
    assert "eli:repeals 32013R0604" not in out and "eli:repeals 32011L0098" not in out


def test_report_value(fixture_endpoint, project):
    """The library's report, compared exactly: one disagreement, two missing links, nothing else."""
    dataset = load_files(curated_files(project), root=project.root)
    result = enrich(dataset, CellarClient(fixture_endpoint), generated_at=_epoch())
    report = result.report
    assert [(d.celex, d.property, d.cellar, d.curated) for d in report.disagreements] == [
        ("32024L1233", str(ELI.first_date_entry_in_force), ("2024-05-21",), ("2024-05-20",))]
    assert [(m.celex, m.property, m.target_label, m.target_in_data) for m in report.missing_links] == [
        ("32024R1351", str(ELI.amends), "32021R1060", False),
        ("32024R1351", str(ELI.amends), "32021R1147", True)]
    assert report.missing_acts == ("32021R1060",)
    assert set(report.found) == {"32024R1689", "52021PC0206", "32024R1351", "32013R0604", "32021R1147",
                                 "32024L1233", "32011L0098", "52022PC0655"}
    assert result.answer.linked == ("32021R1060",)
    assert report.notes == ()


def test_output_is_byte_stable(fixture_endpoint, tmp_path):
    epoch = {"SOURCE_DATE_EPOCH": "1780000000"}
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    assert run_cli("enrich", "--endpoint", fixture_endpoint, "-o", str(first), env=epoch).returncode == 0
    assert run_cli("enrich", "--endpoint", fixture_endpoint, "-o", str(second), env=epoch).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    assert b'"2026-05-28T20:26:40' in first.read_bytes()
    # a refresh that learns nothing new leaves the file as it was, generation time included
    before = first.read_bytes()
    again = run_cli("enrich", "--endpoint", fixture_endpoint, "-o", str(first))
    assert again.returncode == 0 and "Unchanged:" in again.stdout
    assert first.read_bytes() == before


def test_unreachable_endpoint_exits_3_without_traceback(tmp_path):
    port = _free_port()  # nothing listens there
    output = tmp_path / "never.ttl"
    done = run_cli("enrich", "--endpoint", f"http://127.0.0.1:{port}/sparql", "--retries", "1", "-o", str(output))
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (f"Error: cannot reach http://127.0.0.1:{port}/sparql: connection refused "
                                   "(gave up after 2 attempts)")
    assert not output.exists()


def test_bad_endpoint_is_refused_before_any_request(tmp_path):
    done = run_cli("enrich", "--endpoint", "ftp://127.0.0.1/sparql", "-o", str(tmp_path / "x.ttl"))
    assert done.returncode == 2 and "must be an http:// or https:// URL" in done.stderr


def test_curated_files_leave_out_earlier_enrichments(project):
    files = curated_files(project)
    assert files and not [p for p in files if "eurlex" in p.relative_to(project.data_dir).parts]


# --------------------------------------------------------------------------------------------
# Writing only when told: the dry run by default, --write, --output
# --------------------------------------------------------------------------------------------

STALE = b"\n<http://data.europa.eu/eli/reg/2024/1689/oj> <http://data.europa.eu/eli/ontology#is_about> " \
        b"<http://eurovoc.europa.eu/9999> .\n"


@pytest.fixture
def project_copy(tmp_path):
    """A copy of the project's ontology, data and queries: a checkout ``enrich --write`` may write into."""
    root = tmp_path / "checkout"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def run_in(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykg", "--root", str(root), *args], capture_output=True,
                          text=True, timeout=120, cwd=root)


def _act_line(out: str, celex: str) -> str:
    return next(line for line in out.splitlines() if line.strip().startswith(celex + " "))


def test_help_says_what_is_written_where():
    done = run_cli("enrich", "--help")
    text = " ".join(done.stdout.split())
    assert done.returncode == 0
    assert "Without --write or --output nothing is written" in text
    assert "--write Write the named graph to data/eurlex/cellar.ttl: a data file that validate, query, serve" in text
    assert ("-o, --output FILE Write the named graph to this file (instead of data/eurlex/cellar.ttl); any file "
            "under data/ is loaded by the build") in text
    assert "The curated data files are never changed" in text
    assert "Nothing curated is changed" not in text


def test_the_default_is_a_dry_run_that_writes_nothing(fixture_endpoint, project_copy):
    before = sorted(p.relative_to(project_copy) for p in project_copy.rglob("*"))
    done = run_in(project_copy, "enrich", "--endpoint", fixture_endpoint)
    assert done.returncode == 0, done.stderr
    assert sorted(p.relative_to(project_copy) for p in project_copy.rglob("*")) == before
    out = done.stdout
    assert ("Dry run: nothing written. The named graph holds 91 triples, 17 of them not in the curated data"
            ". What --write would do to data/eurlex/cellar.ttl:") in out
    assert "  the file does not exist: it would be created, with facts about 9 acts." in out
    assert "Acts it would describe (9):" in out
    line = _act_line(out, "32024R1689")
    assert "+12 -0; 3 not in the curated data" in line
    assert "eli:title +3" in line and "eli:is_about +2" in line and "pkg:followsProcedure +1" in line
    assert "+4 -0  (" in _act_line(out, "32021R1147")       # every CELLAR fact of this act is curated already
    # the differences with the curated data are reported as before
    assert "32024L1233 eli:first_date_entry_in_force: CELLAR 2024-05-21; curated 2024-05-20" in out


def test_write_then_the_dry_run_sees_no_change_then_a_stale_fact(fixture_endpoint, project_copy):
    target = project_copy / "data" / "eurlex" / "cellar.ttl"
    done = run_in(project_copy, "enrich", "--endpoint", fixture_endpoint, "--write")
    assert done.returncode == 0, done.stderr
    assert "Wrote data/eurlex/cellar.ttl (91 triples, 17 not in the curated data)." in done.stdout
    written = target.read_bytes()
    assert written.startswith(b"@prefix")

    again = run_in(project_copy, "enrich", "--endpoint", fixture_endpoint)
    assert "  nothing: it holds this graph already (only the generation time would differ)." in again.stdout
    assert "Acts whose facts would change" not in again.stdout
    assert target.read_bytes() == written

    target.write_bytes(written + STALE)          # a fact CELLAR no longer states
    stale = run_in(project_copy, "enrich", "--endpoint", fixture_endpoint, "--dry-run")
    assert stale.returncode == 0, stale.stderr
    assert "  0 triples added and 1 removed about 1 acts; 8 acts unchanged." in stale.stdout
    line = _act_line(stale.stdout, "32024R1689")
    assert "+0 -1" in line and "(eli:is_about -1)" in line
    assert target.read_bytes() == written + STALE


def test_dry_run_with_output_compares_with_that_file_and_leaves_it(fixture_endpoint, tmp_path):
    target = tmp_path / "mine.ttl"
    assert run_cli("enrich", "--endpoint", fixture_endpoint, "-o", str(target)).returncode == 0
    tampered = target.read_bytes() + STALE
    target.write_bytes(tampered)
    done = run_cli("enrich", "--endpoint", fixture_endpoint, "-o", str(target), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert f"What --output without --dry-run would do to {target}:" in done.stdout
    assert "(eli:is_about -1)" in _act_line(done.stdout, "32024R1689")
    assert target.read_bytes() == tampered


@pytest.mark.parametrize("flags, message", [
    (["--write", "-o", "x.ttl"], "give --write (data/eurlex/cellar.ttl) or --output PATH, not both"),
    (["--write", "--dry-run"], "--dry-run writes nothing and --write writes data/eurlex/cellar.ttl: give one"),
])
def test_contradictory_flags_are_refused_before_any_request(flags, message, project_copy):
    done = run_in(project_copy, "enrich", "--endpoint", "http://127.0.0.1:9/sparql", *flags)
    assert done.returncode == 2 and message in done.stderr
    assert "cannot reach" not in done.stderr
    assert not (project_copy / "data" / "eurlex").exists() and not (project_copy / "x.ttl").exists()


def test_plan_write_counts_what_write_enrichment_writes(fixture_endpoint, project, tmp_path):
    from policykg.eurlex.enrich import plan_write

    dataset = load_files(curated_files(project), root=project.root)
    result = enrich(dataset, CellarClient(fixture_endpoint), generated_at=_epoch())
    target = tmp_path / "cellar.ttl"
    plan = plan_write(result, target)
    assert plan.state == "absent" and plan.would_write and plan.removed == 0
    assert plan.added + plan.other_added + plan.provenance == result.triples == 91
    assert sum(a.new_to_curated for a in plan.acts) + 2 == result.additions    # + the cited page and its type
    assert not target.exists()
    write_enrichment(result, target)
    again = plan_write(result, target)
    assert (again.state, again.would_write, again.acts, again.unchanged_acts) == ("present", False, (), 9)


# --------------------------------------------------------------------------------------------
# The client: retries, backoff, timeouts, batches, errors
# --------------------------------------------------------------------------------------------

SIMPLE = "SELECT ?celex WHERE { ?w <http://publications.europa.eu/ontology/cdm#resource_legal_id_celex> ?celex }"


def test_retry_after_one_failure(monkeypatch):
    waits = record_waits(monkeypatch)
    with support_sparql_server.running(FIXTURE, fail_first=1) as server:
        client = CellarClient(server.url, retry=RetryPolicy(retries=2, backoff=0.25))
        rows = client.select(SIMPLE)
        assert server.requests == 2          # a 503, then the answer
    assert client.retries_made == 1 and client.requests == 2 and waits == [0]
    assert "32024R1689" in {str(r["celex"]) for r in rows}


def record_waits(monkeypatch) -> list[float]:
    """The waits urllib3's Retry makes between attempts, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(_Retry, "_sleep_backoff", lambda retry: waits.append(retry.get_backoff_time()))
    return waits


def test_backoff_is_exponential_and_bounded(monkeypatch):
    waits = record_waits(monkeypatch)
    with support_sparql_server.running(FIXTURE, fail_first=100) as server:
        policy = RetryPolicy(retries=4, backoff=1, max_delay=3)
        client = CellarClient(server.url, retry=policy)
        with pytest.raises(UpstreamError) as raised:
            client.select(SIMPLE)
        assert server.requests == 5
    assert waits == policy.delays() == [0, 1, 2, 3]
    assert str(raised.value) == (f"query failed at {server.url}: 503 Service Unavailable: failing on purpose "
                                 "(gave up after 5 attempts)")
    assert raised.value.exit_code == 3 and client.requests == 5 and client.retries_made == 4


def test_timeout_is_retried_then_reported():
    with support_sparql_server.running(FIXTURE, delay=1.5) as server:
        client = CellarClient(server.url, timeout=0.2, retry=RetryPolicy(retries=1, backoff=0, timeouts=True))
        started = time.monotonic()
        with pytest.raises(UpstreamError, match=r"did not answer within 0\.2 s \(gave up after 2 attempts\)"):
            client.select(SIMPLE)
        assert time.monotonic() - started < 1.4


def test_a_refused_query_is_not_retried():
    with support_sparql_server.running(FIXTURE) as server:
        client = CellarClient(server.url, retry=RetryPolicy(retries=3, backoff=0))
        with pytest.raises(SparqlSyntaxError, match="400 Bad Request"):
            client.select("SELECT nonsense")
        assert server.requests == 1


def test_wrong_path_is_not_retried():
    with support_sparql_server.running(FIXTURE) as server:
        client = CellarClient(server.url.replace("/sparql", "/nowhere"), retry=RetryPolicy(retries=3))
        with pytest.raises(UpstreamError, match="404 Not Found"):
            client.select(SIMPLE)
        assert server.requests == 1


def test_batches():
    values = [Literal(c, datatype=XSD.string) for c in
              ("32024R1689", "32024R1351", "32024L1233", "32013R0604", "99999R9999")]
    with support_sparql_server.running(FIXTURE) as server:
        client = CellarClient(server.url, batch_size=2)
        rows = client.select_batched(load_query("facts"), "celex", values)
        assert server.requests == 3
    assert {str(r["celex"]) for r in rows} == {"32024R1689", "32024R1351", "32024L1233", "32013R0604"}


@pytest.mark.parametrize("url, message", [
    ("ftp://x/sparql", "must be an http:// or https:// URL"),
    ("http:///sparql", "must be an http:// or https:// URL"),
    ("http://user:secret@127.0.0.1/sparql", "must not contain a user name or password"),
    ("http://127.0.0.1/spa rql", "must not contain spaces"),
    ("http://127.0.0.1:99999/sparql", "the port is not a number"),
])
def test_endpoint_checks(url, message):
    with pytest.raises(PolicyKGError, match=message):
        check_endpoint(url)


def test_client_settings_are_checked():
    with pytest.raises(PolicyKGError, match="timeout"):
        CellarClient("http://127.0.0.1/sparql", timeout=0)
    with pytest.raises(PolicyKGError, match="batch size"):
        CellarClient("http://127.0.0.1/sparql", batch_size=0)
    with pytest.raises(PolicyKGError, match="retries"):
        RetryPolicy(retries=-1)


# --------------------------------------------------------------------------------------------
# Reading CELLAR's values: sentinel, malformed values, languages
# --------------------------------------------------------------------------------------------

ODD = """
@prefix cdm: <http://publications.europa.eu/ontology/cdm#> .
@prefix cellar: <http://publications.europa.eu/resource/cellar/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://publications.europa.eu/resource/cellar/w1> cdm:resource_legal_id_celex "32024R1689"^^xsd:string ;
    cdm:work_date_document "13/06/2024" ;
    cdm:resource_legal_date_entry-into-force "2024-08-01T00:00:00Z"^^xsd:dateTime ;
    cdm:resource_legal_date_end-of-validity "9999-12-31"^^xsd:date ;
    cdm:resource_legal_in-force "maybe" ;
    cdm:work_is_about_concept_eurovoc <http://example.org/not-eurovoc> ;
    cdm:resource_legal_amends_resource_legal <http://publications.europa.eu/resource/cellar/w2> .
<http://publications.europa.eu/resource/cellar/w2> cdm:resource_legal_id_celex "32024R1689R(01)"^^xsd:string .
cellar:e1 cdm:expression_belongs_to_work cellar:w1 ;
    cdm:expression_uses_language <http://publications.europa.eu/resource/authority/language/MUL> ;
    cdm:expression_title "Multilingual" .
cellar:e2 cdm:expression_belongs_to_work cellar:w1 ;
    cdm:expression_uses_language <http://publications.europa.eu/resource/authority/language/GLE> ;
    cdm:expression_title "  Rialachán (AE) 2024/1689\\n  ó Pharlaimint na hEorpa  " .
"""


def test_odd_values_are_left_out_with_a_note(tmp_path, project):
    data = tmp_path / "odd.ttl"
    data.write_text(ODD, encoding="utf-8")
    dataset = load_files(curated_files(project), root=project.root)
    with support_sparql_server.running(data) as server:
        result = enrich(dataset, CellarClient(server.url), generated_at=_epoch())
    work = result.answer.works["32024R1689"]
    assert work.entry_into_force == {"2024-08-01"}       # a dateTime is read as its date
    assert work.open_ended and not work.end_of_validity
    assert work.date_document == set() and work.in_force == set() and work.subjects == set()
    assert work.titles == {("ga", "Rialachán (AE) 2024/1689 ó Pharlaimint na hEorpa")}
    notes = "\n".join(result.report.notes)
    assert "32024R1689: cdm:work_date_document 13/06/2024 is not a date, left out" in notes
    assert "cdm:resource_legal_in-force maybe is not a boolean" in notes
    assert "http://example.org/not-eurovoc is not a EuroVoc concept IRI" in notes
    assert "language/MUL, not an official EU language" in notes
    assert "is a corrigendum of 32024R1689, not a base act" in notes
    # curated end of validity: none; CELLAR: open-ended. Agreement, not a disagreement
    assert not [d for d in result.report.disagreements if d.property == str(ELI.date_no_longer_in_force)]


def test_write_replaces_a_file_it_cannot_read(tmp_path, fixture_endpoint, project):
    target = tmp_path / "cellar.ttl"
    target.write_text("not turtle at all", encoding="utf-8")
    dataset = load_files(curated_files(project), root=project.root)
    result = enrich(dataset, CellarClient(fixture_endpoint), generated_at=_epoch())
    assert write_enrichment(result, target) is True
    assert write_enrichment(result, target) is False
    assert target.read_text(encoding="utf-8").startswith("@prefix")


def _epoch() -> datetime.datetime:
    return datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


# --------------------------------------------------------------------------------------------
# VALUES blocks: escaped, typed, never spliced
# --------------------------------------------------------------------------------------------

def _round_trip(term):
    query = "SELECT ?x WHERE {\n  #@VALUES\n}"
    result = ox.Store().query(prepare(query, ["x"], [[term]]))
    return [row["x"] for row in result]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_any_text_round_trips_as_one_value(text):
    [value] = _round_trip(Literal(text, datatype=XSD.string))
    assert value.value == text


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))), st.sampled_from(["en", "fr", "de-AT", "ga"]))
def test_language_tagged_text_round_trips(text, tag):
    [value] = _round_trip(Literal(text, lang=tag))
    assert (value.value, value.language) == (text, tag.lower())


def test_an_injection_attempt_stays_a_value():
    evil = '32024R1689"^^<x> } ?w ?p ?o } # \\" \n DROP ALL'
    assert [v.value for v in _round_trip(Literal(evil))] == [evil]


def test_values_block_writes_typed_terms_and_undef():
    block = values_block(["a", "b"], [[URIRef("http://e.org/x"), None],
                                      [Literal("2024-01-01", datatype=XSD.date), Literal("t", lang="fr")]])
    assert block == ('VALUES (?a ?b) {\n    (<http://e.org/x> UNDEF)\n'
                     '    ("2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> "t"@fr)\n  }')


@pytest.mark.parametrize("term", [URIRef("http://e.org/a b"), URIRef("http://e.org/>"), URIRef("relative"),
                                  BNode(), Literal("x", datatype=URIRef("http://e.org/a b")), "plain str"])
def test_values_block_refuses_what_it_cannot_write(term):
    with pytest.raises(QueryParameterError):
        values_block(["x"], [[term]])


def test_values_block_refuses_bad_variables_and_rows():
    with pytest.raises(QueryParameterError):
        values_block(["x y"], [[Literal("a")]])
    with pytest.raises(PolicyKGError):
        values_block(["x"], [[Literal("a"), Literal("b")]])
    with pytest.raises(PolicyKGError, match="exactly one #@VALUES"):
        bind_values("SELECT * WHERE { }", "VALUES ?x { 1 }")


def test_packaged_queries_parse_and_carry_no_comments_when_sent():
    for name in ("facts", "titles", "links", "procedures"):
        variable = "procedure" if name == "procedures" else "celex"
        value = URIRef("http://publications.europa.eu/resource/procedure/2021_106") if variable == "procedure" \
            else Literal("32024R1689", datatype=XSD.string)
        text = prepare(load_query(name), [variable], [[value]])
        assert "#@VALUES" not in text and not [line for line in text.splitlines() if line.lstrip().startswith("#")]
        ox.Store().query(text)


# --------------------------------------------------------------------------------------------
# Federation allow-list (for the query guard)
# --------------------------------------------------------------------------------------------

def test_federation_is_off_by_default():
    policy = FederationPolicy()
    assert not policy.enabled
    assert not policy.allows(CELLAR_SPARQL_ENDPOINT)


@pytest.mark.parametrize("iri", [
    CELLAR_SPARQL_ENDPOINT,
    "HTTPS://Publications.Europa.EU/webapi/rdf/sparql",
    "https://publications.europa.eu:443/webapi/rdf/sparql",
    URIRef(CELLAR_SPARQL_ENDPOINT),
])
def test_cellar_policy_allows_the_endpoint_in_any_normal_spelling(iri):
    assert FederationPolicy.cellar().allows(iri)


@pytest.mark.parametrize("iri", [
    "http://publications.europa.eu/webapi/rdf/sparql",            # other scheme
    "https://publications.europa.eu:8443/webapi/rdf/sparql",       # other port
    "https://publications.europa.eu/webapi/rdf/sparql/",           # other path
    "https://publications.europa.eu/webapi/rdf/sparql2",           # no prefix matching
    "https://publications.europa.eu/webapi/rdf/SPARQL",            # paths are case-sensitive
    "https://publications.europa.eu/webapi/rdf/sparql?default-graph-uri=x",
    "https://publications.europa.eu/webapi/rdf/sparql#x",
    "https://user@publications.europa.eu/webapi/rdf/sparql",       # user-info
    "https://publications.europa.eu@evil.example/webapi/rdf/sparql",
    "https://publications.europa.eu.evil.example/webapi/rdf/sparql",
    "ftp://publications.europa.eu/webapi/rdf/sparql",
    "https:publications.europa.eu/webapi/rdf/sparql",
    " https://publications.europa.eu/webapi/rdf/sparql",
    "",
    None,
    42,
])
def test_cellar_policy_refuses_everything_else(iri):
    assert not FederationPolicy.cellar().allows(iri)


def test_normal_form():
    assert normalise_endpoint("HTTP://Example.ORG:80") == "http://example.org/"
    assert normalise_endpoint("https://example.org:8443/a%2fb") == "https://example.org:8443/a%2Fb"
    assert normalise_endpoint("http://[::1]:8080/sparql") == "http://[::1]:8080/sparql"
    assert FederationPolicy(["http://127.0.0.1:7878/sparql"]).allows("http://127.0.0.1:7878/sparql")


@pytest.mark.parametrize("configured", ["ftp://x/", "https://u:p@x/sparql", "https://x/sparql#f", "not a url",
                                        "https://x/%zz"])
def test_bad_configuration_is_refused(configured):
    with pytest.raises(PolicyKGError):
        FederationPolicy([configured])


def test_one_string_is_not_a_list():
    with pytest.raises(PolicyKGError, match="collection"):
        FederationPolicy(CELLAR_SPARQL_ENDPOINT)


def test_enriched_graph_validates_with_the_curated_data(enriched):
    """The enrichment can be committed to data/eurlex/ as it is: with the curated data it still conforms
    (a disagreement is reported, not added as a second value)."""
    from policykg.eurlex.enrich import curated_files
    from policykg.graph.validate import validate_files
    from policykg.project import Project

    project = Project.locate()
    report = validate_files(project, [*curated_files(project), enriched[1]])
    assert report.violations == []
