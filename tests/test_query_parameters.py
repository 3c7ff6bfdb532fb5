"""Parameters whose values come from the data: the accepted values are read from the published dataset, a value
that is none of them is refused (CLI exit 2, HTTP 400) naming the parameter and listing them, short names and
full IRIs are both accepted, and a ``multiple`` parameter gives the rows of each of its values together. The pages
offer those values in pickers with their labels."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SKOS
from support.engines import ValuesOnlyEngine

from policykg.cli import main
from policykg.errors import PolicyKGError, QueryParameterError
from policykg.graph.build import build_project
from policykg.namespaces import CONCEPT, FILE, SCHEME
from policykg.queries.choices import lookup, lookup_names, parse_source
from policykg.queries.parameters import ValueNotAccepted
from policykg.queries.registry import QueryRegistry, load_query, parse_param
from policykg.sparql.results import SelectResult, serialize

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = QueryRegistry.from_dir(ROOT / "queries")
SOURCED = [(q.name, p.name) for q in REGISTRY.values() for p in q.params if p.values]
MULTIPLE = [(q.name, p.name) for q in REGISTRY.values() for p in q.params if p.multiple]


@pytest.fixture(scope="module")
def build(project):
    return build_project(project, reason=False)


@pytest.fixture(scope="module")
def store(build) -> ox.Store:
    store = ox.Store()
    store.load(path=str(build.nquads_path), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def web(build, registry):
    from policykg.store.local import MemoryStore
    from policykg.web import create_app

    store = MemoryStore(build.version)
    store.load_nquads(build.nquads_path)
    return create_app(store, registry=registry).test_client()


def cli(capsysbinary, project, *args: str) -> tuple[int, bytes, str]:
    code = main(["--root", str(project.root), *args])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


def rows(result) -> list[tuple[str, ...]]:
    assert isinstance(result, SelectResult)
    return sorted(tuple("" if t is None else str(t) for t in row) for row in result.rows)


# --- the accepted values are the data's -------------------------------------------------------------------------

def test_the_affected_groups_accepted_are_the_concepts_of_the_vocabulary_file(project, store):
    """Checked against the Turtle file itself: every concept of the scheme, by its notation and English label."""
    graph = Graph().parse(project.root / "ontology" / "vocabularies" / "affected-group.ttl")
    scheme = SCHEME["affected-group"]
    expected = {(str(c), str(graph.value(c, SKOS.notation)),
                 next(str(label) for label in graph.objects(c, SKOS.prefLabel) if label.language == "en"))
                for c in graph.subjects(SKOS.inScheme, scheme) if (c, RDF.type, SKOS.Concept) in graph}
    found = lookup(store, parse_source("scheme:affected-group"))
    assert {(c.value.value, c.name, c.label) for c in found} == expected
    assert ("undocumented-children", "undocumented children") in {(c.name, c.label) for c in found}
    assert len(expected) >= 15


def test_the_files_accepted_are_the_data_files(project, store):
    found = lookup(store, parse_source("files"))
    slugs = {p.stem for p in (project.root / "data").glob("*.ttl")} - {"dataset", "organisations", "sources"}
    assert {c.name for c in found} == slugs
    assert {c.value.value for c in found} == {str(FILE[s]) for s in slugs}
    assert ("ai-act", "AI Act") in {(c.name, c.label) for c in found}


@pytest.mark.parametrize("name, param", SOURCED)
def test_every_source_has_values_and_every_default_is_one_of_them(store, name, param):
    query = REGISTRY[name]
    declared = query.param(param)
    found = lookup(store, parse_source(declared.values))
    assert found, f"{declared.values} lists nothing"
    assert len({c.name for c in found}) == len(found), "short names are unique"
    if declared.default is not None:
        assert declared.resolve(declared.default, found) == declared.parse(declared.default)


def test_every_lookup_is_used_and_sources_are_checked_when_a_query_loads(tmp_path):
    used = {parse_source(p.values).lookup for q in REGISTRY.values() for p in q.params if p.values}
    assert used == {*lookup_names(), "concepts"}
    path = tmp_path / "bad.rq"
    path.write_text("# param: file iri values=filez The file.\nSELECT ?file WHERE { ?file ?p ?o }\n")
    with pytest.raises(QueryParameterError) as error:
        load_query(path)
    assert error.value.parameter == "file" and "filez" in str(error.value) and "files" in str(error.value)


def test_param_line_with_values_and_multiple():
    p = parse_param("file iri optional multiple values=files slug=file: The files.")
    assert (p.values, p.multiple, p.required, p.slug_base, p.description) == (
        "files", True, False, "file:", "The files.")
    p = parse_param("group iri values=scheme:affected-group default=concept:affected-group/undocumented-children "
                    "The group.")
    assert (p.values, p.multiple) == ("scheme:affected-group", False)
    assert parse_source(p.values).scheme == ox.NamedNode(str(SCHEME["affected-group"]))
    with pytest.raises(QueryParameterError):  # a default reads without the data: a slug needs slug=
        parse_param("group iri values=scheme:affected-group default=undocumented-children The group.")


# --- a wrong value is refused, everywhere, with the accepted values -----------------------------------------------

def test_cli_refuses_a_group_that_is_not_in_the_vocabulary(capsysbinary, project):
    code, out, err = cli(capsysbinary, project, "query", "files-affecting-group", "--param", "group=undocumented",
                         "--no-reason")
    assert code == 2 and out == b""
    assert err.startswith("Error: parameter 'group': 'undocumented' is not one of its values")
    listed = dict(re.findall(r"^  (\S+) +(.+)$", err, re.M))
    assert listed["undocumented-children"] == "undocumented children"
    assert listed["undocumented-people"] == "undocumented people"
    assert listed["asylum-seekers"] == "people seeking international protection"
    assert len(listed) >= 15 and "Traceback" not in err


def test_web_refuses_a_file_that_is_not_in_the_graph(web):
    bad = web.get("/queries/files-and-instruments.csv?file=foo")
    assert bad.status_code == 400 and bad.content_type == "application/json"
    body = bad.json
    assert body["status"] == 400 and body["parameter"] == "file"
    assert body["error"].startswith("parameter 'file': 'foo' is not one of its values")
    assert {"name": "ai-act", "value": str(FILE["ai-act"]), "label": "AI Act"} in body["accepted"]
    assert "eurodac-regulation" in body["error"] and "Eurodac Regulation" in body["error"]
    assert bad.headers["Access-Control-Allow-Origin"] == "*"
    for extension in ("json", "tsv"):
        assert web.get(f"/queries/files-and-instruments.{extension}?file=foo").json["parameter"] == "file"
    page = web.get("/queries/files-and-instruments?file=foo")
    text = page.data.decode()
    assert page.status_code == 400 and 'role="alert"' in text
    assert "<code>file</code>: &#39;foo&#39; is not one of its values" in text
    assert "<li><code>ai-act</code> AI Act</li>" in text and "<form" in text


def test_a_concept_from_another_scheme_is_refused(registry, store):
    with pytest.raises(ValueNotAccepted) as error:
        registry["positions-by-stance"].run(store, {"stance": str(CONCEPT["work-area/borders"])})
    assert error.value.parameter == "stance"
    assert {c.name for c in error.value.accepted} >= {"critical", "mixed"}


def test_a_comma_separated_list_is_one_value_and_says_how_to_give_several(registry, store):
    with pytest.raises(ValueNotAccepted) as error:
        registry["files-and-instruments"].run(store, {"file": "ai-act,eurodac-regulation"})
    assert "repeat the parameter: file=a&file=b" in str(error.value)


def test_a_single_valued_parameter_takes_one_value(capsysbinary, project, web, registry, store):
    with pytest.raises(QueryParameterError) as error:
        registry["package-parts"].run(store, {"package": ["eu-migration-pact", "eu-migration-pact"]})
    assert error.value.parameter == "package"
    code, _, err = cli(capsysbinary, project, "query", "act-in-force-on-date", "-p", "act=32013R0604",
                       "-p", "act=32024R1351")
    assert code == 2 and "parameter 'act': takes one value, and was given 2" in err
    refused = web.get("/queries/status-on-date.csv?date=2023-01-01&date=2024-01-01")
    assert refused.status_code == 400 and refused.json["parameter"] == "date"


# --- short name or full IRI ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, param, forms", [
    ("files-affecting-group", "group", ["undocumented-people", str(CONCEPT["affected-group/undocumented-people"]),
                                        "concept:affected-group/undocumented-people"]),
    ("files-and-instruments", "file", ["eurodac-regulation", str(FILE["eurodac-regulation"]),
                                       "file:eurodac-regulation", f"<{FILE['eurodac-regulation']}>"]),
    ("positions-by-stance", "stance", ["critical", str(CONCEPT["stance/critical"])]),
    ("act-amends-or-repeals", "act", ["32024R1351", "http://data.europa.eu/eli/reg/2024/1351/oj",
                                      "celex:32024R1351"]),
])
def test_short_name_and_full_iri_give_the_same_rows(registry, store, name, param, forms):
    answers = [rows(registry[name].run(store, {param: form})) for form in forms]
    assert answers[0], "the example reaches rows"
    if name == "act-amends-or-repeals":  # ?act echoes the value as given: compare the other columns
        answers = [sorted(row[1:] for row in answer) for answer in answers]
    assert all(answer == answers[0] for answer in answers[1:])


# --- several values: the rows of each, together ------------------------------------------------------------------

@pytest.mark.parametrize("name, param", MULTIPLE)
def test_rows_for_several_values_are_the_union_of_the_rows_for_each(registry, store, name, param):
    query = registry[name]
    choices = lookup(store, parse_source(query.param(param).values))
    picked = [c.name for c in choices if _reaches_rows(query, store, param, c.name)][:2]
    assert len(picked) == 2, f"two values of {param} reach rows"
    first, second = (query.run(store, {param: value}) for value in picked)
    both = query.run(store, {param: picked})
    if query.form == "SELECT":
        assert rows(both) == sorted(rows(first) + rows(second))
        assert not set(rows(first)) & set(rows(second))
    else:
        assert {str(t) for t in both.triples} == {str(t) for t in first.triples} | {str(t) for t in second.triples}
    through_values = query.run(ValuesOnlyEngine(store), {param: picked})  # a remote endpoint: the same
    assert serialize(through_values, "csv" if query.form == "SELECT" else "nt") == serialize(
        both, "csv" if query.form == "SELECT" else "nt")


def _reaches_rows(query, store, param, value) -> bool:
    result = query.run(store, {param: value})
    return bool(result.rows if query.form == "SELECT" else result.triples)


def test_several_values_are_bound_as_one_values_block(registry):
    text, substitutions = registry["files-and-instruments"].prepare({"file": ["ai-act", "eurodac-regulation"]})
    assert substitutions == {}
    assert f"VALUES (?file) {{\n    (<{FILE['ai-act']}>)\n    (<{FILE['eurodac-regulation']}>)\n  }}" in text
    text, substitutions = registry["files-and-instruments"].prepare({"file": ["ai-act"]})
    assert "VALUES (?file)" not in text
    assert substitutions == {ox.Variable("file"): ox.NamedNode(str(FILE["ai-act"]))}


def test_several_values_from_the_cli_and_the_web_are_the_same_rows(capsysbinary, project, web):
    code, out, err = cli(capsysbinary, project, "query", "files-and-instruments", "--param", "file=ai-act",
                         "--param", "file=eurodac-regulation", "--format", "csv", "--no-reason")
    assert code == 0, err
    response = web.get("/queries/files-and-instruments.csv?file=ai-act&file=eurodac-regulation")
    assert response.status_code == 200 and response.data == out
    files = {row["fileLabel"] for row in csv.DictReader(io.StringIO(out.decode(), newline=""))}
    assert files == {"AI Act", "Eurodac Regulation"}


def test_an_empty_value_of_an_optional_parameter_means_all(web):
    everything = web.get("/queries/files-and-instruments.csv").data
    assert web.get("/queries/files-and-instruments.csv?file=").data == everything
    assert len(everything.splitlines()) > 50


# --- the pages ----------------------------------------------------------------------------------------------------

def _select(page: str, name: str) -> tuple[str, list[tuple[str, str, bool]]]:
    match = re.search(rf'<select id="param-{name}" name="{name}"([^>]*)>(.*?)</select>', page, re.S)
    assert match, f"no picker for {name}"
    options = [(value, html.unescape(text), bool(selected)) for value, selected, text in
               re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', match.group(2))]
    return match.group(1), options


def test_a_picker_lists_the_values_with_their_labels(web):
    page = web.get("/queries/files-affecting-group").data.decode()
    attributes, options = _select(page, "group")
    assert "multiple" in attributes
    assert ("undocumented-children", "undocumented children (undocumented-children)", True) in options
    assert ("asylum-seekers", "people seeking international protection (asylum-seekers)", False) in options
    assert [o for o in options if o[2]] == [("undocumented-children", "undocumented children (undocumented-children)",
                                             True)]                                        # the default is chosen
    page = web.get("/queries/positions-by-stance?stance=critical").data.decode()
    attributes, options = _select(page, "stance")
    assert [o for o in options if o[2]] == [("critical", "critical", True)] and ("mixed", "mixed", False) in options
    page = web.get("/queries/package-parts").data.decode()
    attributes, options = _select(page, "package")                       # one value: a plain picker
    assert "multiple" not in attributes and options == [("eu-migration-pact", "EU Migration Pact (eu-migration-pact)",
                                                         True)]
    page = web.get("/queries/files-and-instruments?file=ai-act&file=" + str(FILE["eurodac-regulation"])).data.decode()
    chosen = [o[:2] for o in _select(page, "file")[1] if o[2]]
    assert chosen == [("ai-act", "AI Act (ai-act)"), ("eurodac-regulation", "Eurodac Regulation (eurodac-regulation)")]
    assert "<td>Eurodac Regulation</td>" in page and "<td>AI Act</td>" in page


def test_dates_are_date_inputs_and_the_page_uses_the_site_template(web):
    page = web.get("/queries/acts-applying-in-period").data.decode()
    assert '<input id="param-from" name="from" type="date" value="2026-01-01"' in page
    assert '<input id="param-to" name="to" type="date" value="2026-12-31"' in page
    assert 'href="/static/policykg/site.css"' in page and 'class="site-header"' in page
    index = web.get("/queries").data.decode()
    assert 'href="/static/policykg/site.css"' in index and 'class="site-header"' in index
    assert "the concepts of the scheme scheme:affected-group" in index


def test_every_query_page_opens_in_the_editor_with_its_values(web, registry):
    for name in registry:
        page = web.get(f"/queries/{name}").data.decode()
        assert f'href="/editor?example={name}&amp;run=1">Open in the query editor</a>' in page, name
    page = web.get("/queries/files-and-instruments?file=ai-act&file=eurodac-regulation").data.decode()
    link = html.unescape(re.search(r'<a class="open-editor" href="([^"]+)"', page).group(1))
    arguments = parse_qs(urlsplit(link).query)
    assert arguments["example"] == ["files-and-instruments"] and arguments["run"] == ["1"]
    assert f"(<{FILE['ai-act']}>)" in arguments["query"][0] and "eurodac-regulation" in arguments["query"][0]
    editor = web.get(link)
    assert editor.status_code == 200 and "eurodac-regulation" in editor.data.decode()


def test_the_list_as_data_gives_the_accepted_values(web):
    queries = {q["name"]: q for q in web.get("/queries.json").json["queries"]}
    group = queries["files-affecting-group"]["parameters"][0]
    assert group["multiple"] is True and group["values"]["source"] == "scheme:affected-group"
    assert {"name": "undocumented-children", "value": str(CONCEPT["affected-group/undocumented-children"]),
            "label": "undocumented children"} in group["values"]["accepted"]
    assert "values" not in queries["status-on-date"]["parameters"][0]


def test_lookups_reach_an_engine_without_substitutions_as_values(store):
    engine = ValuesOnlyEngine(store)
    found = lookup(engine, parse_source("scheme:stance"))
    assert {c.name for c in found} >= {"critical", "mixed"}
    assert f"VALUES (?scheme) {{ (<{SCHEME['stance']}>) }}" in engine.texts[-1]


def test_a_value_cannot_reach_the_query_text(registry, store):
    attack = 'ai-act> } ; DROP ALL ; <x'
    with pytest.raises(PolicyKGError):
        registry["files-and-instruments"].run(store, {"file": [attack, "ai-act"]})


def test_an_optional_single_value_picker_offers_all(build, tmp_path):
    from policykg.store.local import MemoryStore
    from policykg.web import create_app

    (tmp_path / "one-file.rq").write_text(
        "# title: One file's label\n# param: file iri optional values=files slug=file: The file (all when empty).\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?file ?label WHERE { ?file a <https://w3id.org/policykg/ontology#PolicyFile> ; skos:prefLabel ?label }"
        "\nORDER BY ?label\n")
    store = MemoryStore(build.version)
    store.load_nquads(build.nquads_path)
    client = create_app(store, registry=QueryRegistry.from_dir(tmp_path)).test_client()
    attributes, options = _select(client.get("/queries/one-file").data.decode(), "file")
    assert "multiple" not in attributes and options[0] == ("", "(all)", False) and len(options) == 20
    chosen = client.get("/queries/one-file?file=ai-act").data.decode()
    assert [o[0] for o in _select(chosen, "file")[1] if o[2]] == ["ai-act"] and "1 row." in chosen
    everything = client.get("/queries/one-file").data.decode()
    counted = re.search(r"<p>(\d+) rows\.", everything)
    assert counted and int(counted.group(1)) >= 18                         # none chosen: every file
    assert counted.group(0) in client.get("/queries/one-file?file=").data.decode()


def test_the_command_line_lists_where_values_come_from(capsysbinary, project):
    code, out, _ = cli(capsysbinary, project, "queries", "--verbose")
    text = out.decode()
    assert code == 0
    assert "--param group=…  a value of scheme:affected-group: its short name or IRI (repeat the parameter for " \
           "several); default undocumented-children" in text
    assert "values: the concepts of the scheme scheme:affected-group" in text
