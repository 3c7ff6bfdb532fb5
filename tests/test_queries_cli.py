"""``policykg queries`` and ``policykg query``: the same rows as the library, clean CSV, exit 2 on bad input."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from policykg.graph.build import build_project
from policykg.cli import main
from policykg.queries.registry import QueryRegistry
from policykg.sparql.results import serialize


@pytest.fixture(scope="session")
def store(project) -> ox.Store:
    build = build_project(project, reason=False)
    store = ox.Store()
    store.load(path=str(build.nquads_path), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="session")
def registry(project) -> QueryRegistry:
    return QueryRegistry.from_project(project)


def run_cli(capsysbinary, project, *args: str) -> tuple[int, bytes, str]:
    code = main(["--root", str(project.root), *args])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


def test_queries_lists_every_query(capsysbinary, project, registry):
    code, out, _ = run_cli(capsysbinary, project, "queries")
    assert code == 0
    listed = [line.split()[0] for line in out.decode().splitlines()]
    assert listed == list(registry)
    code, out, _ = run_cli(capsysbinary, project, "queries", "--verbose")
    assert "--param date=…  a date (YYYY-MM-DD); default 2024-01-01" in out.decode()


@pytest.mark.parametrize("name, params", [
    ("status-on-date", {"date": "2023-06-01"}),
    ("files-affecting-group", {"group": "undocumented-people"}),
    ("act-amends-or-repeals", {"act": "32024R1351"}),
    ("files-and-instruments", {}),
    ("search-files", {"text": "Pact"}),
])
def test_cli_and_library_give_the_same_rows(capsysbinary, project, registry, store, name, params):
    args = [arg for key, value in params.items() for arg in ("--param", f"{key}={value}")]
    code, out, err = run_cli(capsysbinary, project, "query", name, *args, "--format", "csv")
    assert code == 0, err
    expected = registry[name].run(store, params)
    assert out == serialize(expected, "csv")
    parsed = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
    assert parsed[0] == expected.variables
    assert [dict(zip(parsed[0], row)) for row in parsed[1:]] == [
        {v: row.get(v, "") for v in expected.variables} for row in expected.values()]
    code, out, _ = run_cli(capsysbinary, project, "query", name, *args, "--format", "json")
    assert json.loads(out) == json.loads(serialize(expected, "json"))


def test_status_on_date_from_the_command_line(capsysbinary, project):
    code, out, _ = run_cli(capsysbinary, project, "query", "status-on-date", "-p", "date=2023-06-01", "-f", "csv")
    rows = {r["fileLabel"]: r for r in csv.DictReader(io.StringIO(out.decode(), newline=""))}
    assert rows["Anti-trafficking Directive"]["statusLabel"] == "proposed"
    assert rows["Victims’ Rights Directive"]["statusLabel"] == ""


def test_default_formats(capsysbinary, project):
    code, out, _ = run_cli(capsysbinary, project, "query", "file-neighbourhood", "--param", "file=eurodac-regulation")
    assert code == 0 and b"@prefix pkg:" in out and b"file:eurodac-regulation" in out
    code, out, _ = run_cli(capsysbinary, project, "query", "files-affecting-group")
    text = out.decode()
    assert code == 0 and text.splitlines()[0].split()[:3] == ["group", "groupLabel", "file"]
    assert "European Child Guarantee" in text and text.rstrip().endswith("(1 row)")


def test_output_file(capsysbinary, project, tmp_path):
    target = tmp_path / "pact.csv"
    code, _, err = run_cli(capsysbinary, project, "query", "package-parts", "-f", "csv", "-o", str(target))
    assert code == 0 and "wrote" in err
    assert "32013R0604" in target.read_text(encoding="utf-8")


def test_ad_hoc_query_file(capsysbinary, project, tmp_path):
    path = tmp_path / "ecre.rq"
    path.write_text("# title: ECRE's publications\n# param: org iri default=porg:ecre The organisation.\n"
                    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
                    "SELECT ?org ?publication WHERE { ?publication dcterms:creator ?org }\n")
    code, out, err = run_cli(capsysbinary, project, "query", str(path), "-f", "csv")
    assert code == 0, err
    assert out.decode().splitlines()[1].endswith("/id/publication/eu-funding-joint-reports")
    bare = tmp_path / "count.rq"
    bare.write_text("SELECT (COUNT(DISTINCT ?file) AS ?files) WHERE { ?file a pkg:PolicyFile }\n")
    code, out, err = run_cli(capsysbinary, project, "query", str(bare), "-f", "csv")
    assert code == 0, err
    assert out == b"files\r\n19\r\n"  # the published dataset: the Pact is a policy file as a package


@pytest.mark.parametrize("args, parameter", [
    (["status-on-date", "--param", "date=2023-13-01"], "date"),
    (["acts-adopted-in-year", "--param", "year=twenty"], "year"),
    (["status-on-date", "--param", "when=2024-01-01"], "when"),
    (["status-on-date", "--param", "date"], "date"),
    (["status-on-date", "--format", "ttl"], "format"),
])
def test_bad_parameters_exit_2_naming_the_parameter(capsysbinary, project, args, parameter):
    code, out, err = run_cli(capsysbinary, project, "query", *args)
    assert code == 2 and out == b""
    assert err.startswith("Error: ") and f"parameter {parameter!r}" in err
    assert "Traceback" not in err


def test_unknown_query_and_bad_query_file(capsysbinary, project, tmp_path):
    code, _, err = run_cli(capsysbinary, project, "query", "no-such-query")
    assert code == 2 and "no named query 'no-such-query'" in err and "status-on-date" in err
    broken = tmp_path / "broken.rq"
    broken.write_text("SELECT ?x WHERE { ?x ?y }\n")
    code, _, err = run_cli(capsysbinary, project, "query", str(broken))
    assert code == 2 and "Error:" in err and "Traceback" not in err


def test_injection_through_the_command_line_changes_nothing(capsysbinary, project):
    graph_file = build_project(project, reason=False).nquads_path
    before = graph_file.read_bytes()
    code, out, _ = run_cli(capsysbinary, project, "query", "search-files", "--param",
                           'text=" } ; DROP ALL ; #', "-f", "csv")
    assert code == 0 and out == b"text,file,fileLabel,field,value\r\n"      # searched for as text: no match
    assert graph_file.read_bytes() == before
    code, out, _ = run_cli(capsysbinary, project, "query", "search-files", "-f", "csv")
    assert "European Child Guarantee" in out.decode()


# --- the same queries as URLs (the whole app over the unreasoned build the CLI reads here) --------------------------

@pytest.fixture(scope="module")
def web(project, registry):
    return _app_client(project, registry)


@pytest.mark.parametrize("name, params", [
    ("status-on-date", {"date": "2023-06-01"}),
    ("files-affecting-group", {"group": "undocumented-people"}),
    ("publications-with-partner", {"partner": "ecre"}),
])
def test_url_and_cli_give_the_same_rows(capsysbinary, project, web, name, params):
    args = [arg for key, value in params.items() for arg in ("--param", f"{key}={value}")]
    for fmt in ("csv", "tsv", "json"):
        code, out, _ = run_cli(capsysbinary, project, "query", name, *args, "--format", fmt)
        response = web.get(f"/queries/{name}.{fmt}", query_string=params)
        assert code == 0 and response.status_code == 200
        assert response.data == out, fmt
    response = web.get(f"/queries/{name}.csv", query_string=params)
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'inline; filename="{name}.csv"'


def test_url_graph_and_boolean(web):
    turtle = web.get("/queries/file-neighbourhood.ttl?file=ai-act")
    assert turtle.status_code == 200 and turtle.content_type == "text/turtle; charset=utf-8"
    assert b"file:ai-act" in turtle.data
    assert web.get("/queries/file-neighbourhood.json").content_type == "application/ld+json"
    ask = web.get("/queries/act-in-force-on-date.json?act=32013R0604&date=2026-07-01")
    assert json.loads(ask.data) == {"head": {}, "boolean": False}


def test_url_errors_name_the_parameter(web):
    bad = web.get("/queries/status-on-date.csv?date=2023-13-01")
    assert bad.status_code == 400 and bad.json["parameter"] == "date" and "2023-13-01" in bad.json["error"]
    assert web.get("/queries/status-on-date.csv?day=2023-01-01").json["parameter"] == "day"
    assert web.get("/queries/status-on-date.csv?date=2023-01-01&date=2024-01-01").status_code == 400
    assert web.get("/queries/status-on-date.ttl").status_code == 400
    assert web.get("/queries/no-such-query.csv").status_code == 404
    page = web.get("/queries/status-on-date?date=2023-13-01")
    assert page.status_code == 400 and b"expected a date YYYY-MM-DD" in page.data and b"<form" in page.data


def test_query_pages(web, registry):
    index = web.get("/queries").data.decode()
    for name, query in registry.items():
        assert f'href="/queries/{name}"' in index
    listing = web.get("/queries.json").json["queries"]
    assert [q["name"] for q in listing] == list(registry)
    status = next(q for q in listing if q["name"] == "status-on-date")
    assert status["parameters"][0] == {"name": "date", "type": "date", "default": "2024-01-01", "required": False,
                                       "multiple": False, "description": "The day to ask about (YYYY-MM-DD)."}
    assert status["links"]["csv"] == "/queries/status-on-date.csv" and "ttl" not in status["links"]
    page = web.get("/queries/status-on-date?date=2023-06-01").data.decode()
    assert 'type="date"' in page and 'value="2023-06-01"' in page
    assert '<a href="/queries/status-on-date.csv?date=2023-06-01">CSV</a>' in page
    assert "<td>Anti-trafficking Directive</td>" in page and "19 rows" in page


def test_query_page_escapes_what_it_shows(web):
    page = web.get("/queries/search-files", query_string={"text": '"><script>alert(1)</script>'}).data.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page


# --- wired into the endpoint's app: the same guard, caps and caching as /sparql ------------------------------------

def _app_client(project, registry, **settings):
    from policykg.store.local import MemoryStore
    from policykg.web import Settings, create_app

    build = build_project(project, reason=False)
    store = MemoryStore(build.version)
    store.load_nquads(build.nquads_path)
    return create_app(store, Settings(**settings), registry=registry).test_client()


def test_in_the_app_urls_give_the_cli_bytes_with_caching(capsysbinary, project, registry):
    client = _app_client(project, registry)
    code, out, _ = run_cli(capsysbinary, project, "query", "status-on-date", "-p", "date=2023-06-01", "-f", "csv")
    response = client.get("/queries/status-on-date.csv?date=2023-06-01")
    assert response.status_code == 200 and response.data == out
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-PolicyKG-Dataset-Version"]
    again = client.get("/queries/status-on-date.csv?date=2023-06-01",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    other = client.get("/queries/status-on-date.csv?date=2024-06-01")
    assert other.headers["ETag"] != response.headers["ETag"]
    bad = client.get("/queries/status-on-date.csv?date=yesterday")
    assert bad.status_code == 400 and "parameter 'date'" in bad.json["error"]


def test_in_the_app_the_row_cap_applies_and_says_so(project, registry):
    client = _app_client(project, registry, max_rows=5)
    response = client.get("/queries/files-and-instruments.csv")
    assert response.status_code == 200
    assert len(response.data.decode().splitlines()) == 1 + 5
    assert response.headers["X-PolicyKG-Truncated"].startswith("rows; limit=5 rows; kept=5")
    page = client.get("/queries/files-and-instruments").data.decode()
    assert "cut at the endpoint's row limit" in page


def test_in_the_app_the_guard_applies(project, tmp_path):
    (tmp_path / "federated.rq").write_text(
        "# title: federated\nSELECT ?s WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }\n")
    client = _app_client(project, QueryRegistry.from_dir(tmp_path))
    refused = client.get("/queries/federated.csv")
    assert refused.status_code == 403 and "SERVICE" in refused.json["error"]
