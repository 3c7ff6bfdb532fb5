"""The named research queries on the real graph: headers, typed parameters, binding, formats, and each query's
answer checked for content."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.engines import ValuesOnlyEngine
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from policykg.graph.build import build_project
from policykg.errors import PolicyKGError, QueryNotFound, QueryParameterError, SparqlSyntaxError
from policykg.namespaces import (CLAIM, CONCEPT, FILE, ORGANISATION, PKG, QUERIES_GRAPH, QUERY, RDF, RDFS, SCHEMA, SH,
                                 SKOS)
from policykg.queries.registry import QueryRegistry, load_query, parse_param
from policykg.queries.as_data import queries_graph
from policykg.queries.parameters import Parameter, ValueNotAccepted
from policykg.sparql.results import AskResult, GraphResult, SelectResult, serialize
from policykg.sparql.text import mask, projection, query_form, where_brace, with_values

ELI_AMMR = "http://data.europa.eu/eli/reg/2024/1351/oj"
GROUP = str(CONCEPT) + "affected-group/"


@pytest.fixture(scope="session")
def store(project) -> ox.Store:
    build = build_project(project, reason=False)
    store = ox.Store()
    store.load(path=str(build.nquads_path), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="session")
def registry(project) -> QueryRegistry:
    return QueryRegistry.from_project(project)


def run(registry, store, name, **params):
    return registry[name].run(store, params)


def rows(registry, store, name, **params) -> list[dict[str, str]]:
    result = run(registry, store, name, **params)
    assert isinstance(result, SelectResult)
    return result.values()


def where(table, **match):
    return [r for r in table if all(r.get(k) == v for k, v in match.items())]


# --- every query ------------------------------------------------------------------------------------------------

QUERY_NAMES = sorted(p.stem for p in (Path(__file__).parents[1] / "queries").glob("*.rq"))


def test_library_has_the_questions_of_the_issue(registry):
    assert len(registry) >= 15
    for name in ("files-and-instruments", "status-on-date", "file-timeline", "files-affecting-group",
                 "positions-by-stance", "publications-with-partner", "package-parts", "act-amends-or-repeals",
                 "acts-applying-in-period", "transposition-deadlines", "files-by-work-area", "eurovoc-subjects",
                 "file-neighbourhood"):
        assert name in registry


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_header_is_complete(registry, name):
    query = registry[name]
    assert query.title and len(query.description) > 60 and query.returns and query.keywords
    for param in query.params:
        assert param.description, f"{name}: parameter {param.name} has no description"
        assert param.default is not None or not param.required, f"{name}: every parameter has a default or is optional"


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_runs_with_defaults_and_returns_the_declared_columns(registry, store, name):
    query = registry[name]
    result = query.run(store)
    if query.form == "SELECT":
        assert result.variables == query.columns
        assert result.rows, f"{name} returns no rows with its defaults"
    elif query.form == "CONSTRUCT":
        assert isinstance(result, GraphResult) and result.triples
    else:
        assert isinstance(result, AskResult)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_values_block_binding_gives_the_same_answer_as_substitution(registry, store, name):
    """The remote-endpoint path (a VALUES block) and pyoxigraph's substitutions agree, with defaults and with
    every optional parameter given a value."""
    query = registry[name]
    engine = ValuesOnlyEngine(store)
    assert serialize(query.run(store), "csv") == serialize(query.run(engine), "csv")
    samples = {"file": "ai-act", "stance": "critical", "area": "borders"}
    given = {p.name: samples[p.name] for p in query.params if p.default is None and p.name in samples}
    if given:
        assert serialize(query.run(store, given), "csv") == serialize(query.run(engine, given), "csv")


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_text_is_self_contained(registry, store, name):
    """Each query declares its prefixes, so its text runs anywhere (another store, YASGUI, a notebook)."""
    text, substitutions = registry[name].prepare(substitutions=registry[name].form == "SELECT")
    store.query(text, substitutions=substitutions or None, use_default_graph_as_union=True)


# --- parameters: typed, bound, never spliced -------------------------------------------------------------------

@pytest.mark.parametrize("name, param, bad", [
    ("status-on-date", "date", "2023-13-01"),
    ("status-on-date", "date", "1 June 2023"),
    ("acts-adopted-in-year", "year", "2024.5"),
    ("files-affecting-group", "group", "not an iri"),
    ("act-amends-or-repeals", "act", "XYZ"),
    ("file-timeline", "file", "<http://example.org/a b>"),
])
def test_badly_typed_parameter_names_the_parameter(registry, store, name, param, bad):
    with pytest.raises(QueryParameterError) as error:
        registry[name].run(store, {param: bad})
    assert error.value.parameter == param
    assert param in str(error.value)
    assert error.value.http_status == 400 and error.value.exit_code == 2


def test_unknown_parameter_and_unknown_query(registry, store):
    with pytest.raises(QueryParameterError) as error:
        registry["status-on-date"].run(store, {"day": "2024-01-01"})
    assert error.value.parameter == "day" and "date" in str(error.value)
    with pytest.raises(QueryNotFound) as missing:
        registry["no-such-query"]
    assert missing.value.http_status == 404


def test_required_parameter_missing(tmp_path, store):
    path = tmp_path / "needs-a-file.rq"
    path.write_text("# title: needs a file\n# param: file iri required The file.\n"
                    "SELECT ?file ?p WHERE { ?file ?p ?o } LIMIT 1\n")
    query = load_query(path)
    with pytest.raises(QueryParameterError) as error:
        query.run(store)
    assert error.value.parameter == "file"
    assert query.run(store, {"file": "file:ai-act"}).rows


def test_parameter_types_parse_to_terms():
    iri = Parameter("group", ("iri",), slug_base="concept:affected-group/")
    assert iri.parse("undocumented-children") == ox.NamedNode(GROUP + "undocumented-children")
    assert iri.parse("file:ai-act") == ox.NamedNode(str(FILE) + "ai-act")
    assert iri.parse("<https://example.org/x>") == ox.NamedNode("https://example.org/x")
    assert Parameter("d", ("date",)).parse(" 2024-01-01 ") == ox.Literal(
        "2024-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    assert Parameter("n", ("integer",)).parse("+007").value == "7"
    assert Parameter("l", ("langString",)).parse("enfants sans papiers@FR") == ox.Literal("enfants sans papiers",
                                                                                          language="fr")
    assert Parameter("l", ("langString",)).parse("children") == ox.Literal("children", language="en")
    act = Parameter("act", ("iri", "celex"))
    assert act.parse("32013R0604") == ox.Literal("32013R0604")
    assert act.parse("celex:32013R0604") == ox.NamedNode("http://publications.europa.eu/resource/celex/32013R0604")
    with pytest.raises(QueryParameterError):
        Parameter("d", ("date",)).parse(ox.NamedNode("https://example.org/x"))


def test_param_line_syntax():
    p = parse_param('label langString default="undocumented children@en" The label.')
    assert (p.name, p.types, p.default, p.required, p.description) == (
        "label", ("langString",), "undocumented children@en", False, "The label.")
    p = parse_param("group iri optional slug=concept:affected-group/ The group.")
    assert (p.required, p.default, p.slug_base, p.description) == (False, None, "concept:affected-group/", "The group.")
    assert parse_param("file iri The file.").required
    with pytest.raises(QueryParameterError):
        parse_param("when datetime default=2024 The day.")  # unknown type
    with pytest.raises(QueryParameterError):
        parse_param("when date default=yesterday The day.")  # a bad default fails when the query loads


INJECTIONS = ['" } ; DROP ALL ; #', 'children" ) } UNION { ?file ?p ?o } #', "x' } DELETE WHERE { ?s ?p ?o } #"]


@pytest.mark.parametrize("attack", INJECTIONS)
def test_injection_is_bound_as_a_literal_and_changes_nothing(registry, store, attack):
    before = len(store)
    query = registry["search-files"]
    text, substitutions = query.prepare({"text": attack})
    assert text == query.body                                   # nothing spliced into the text
    assert substitutions == {ox.Variable("text"): ox.Literal(attack)}
    assert query.run(store, {"text": attack}).rows == []        # matched as text: no file contains it
    engine = ValuesOnlyEngine(store)
    assert query.run(engine, {"text": attack}).rows == []
    assert str(ox.Literal(attack)) in engine.texts[-1]          # the VALUES block holds the escaped literal
    assert len(store) == before


def test_a_bound_string_is_matched_as_text(registry, store):
    result = registry["search-files"].run(store, {"text": 'Guarantee'})
    assert {r["fileLabel"] for r in result.values()} == {"European Child Guarantee"}
    assert result.values()[0]["text"] == "Guarantee"


def test_iri_parameter_cannot_break_out(registry, store):
    with pytest.raises(QueryParameterError):
        registry["file-neighbourhood"].run(store, {"file": "http://x> } ; DROP ALL ; <http://y"})


def test_construct_binds_with_values_first_in_the_where_group(registry):
    text, substitutions = registry["file-neighbourhood"].prepare({"file": "eurodac-regulation"})
    assert substitutions == {}
    assert f"VALUES (?file) {{ (<{FILE}eurodac-regulation>) }}" in text
    assert text.index("VALUES") > text.index("WHERE")


# --- query text ----------------------------------------------------------------------------------------------------

def test_query_text_reading():
    text = ('PREFIX x: <http://x/> # SELECT { in a comment\nSELECT DISTINCT ?a (COUNT(?b) AS ?n) ?from '
            '(GROUP_CONCAT(?d; separator="; {") AS ?ds) WHERE { ?a ?b "}" FILTER(?a < ?from) }')
    assert query_form(text) == "SELECT"
    assert projection(text) == ["a", "n", "from", "ds"]
    assert text[where_brace(text):].startswith('{ ?a ?b "}"')
    assert len(mask(text)) == len(text) and "{ in a comment" not in mask(text)
    assert projection("SELECT * { ?s ?p ?o }") is None
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert with_values(construct, {"s": None}) == "CONSTRUCT { ?s ?p ?o } WHERE {\n  VALUES (?s) { (UNDEF) } ?s ?p ?o }"
    with pytest.raises(SparqlSyntaxError):
        with_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": None})
    with pytest.raises(SparqlSyntaxError):
        query_form("# only a comment")


def test_select_must_project_its_parameters(tmp_path):
    path = tmp_path / "hidden.rq"
    path.write_text("# title: hidden\n# param: d date default=2024-01-01 A day.\n"
                    "SELECT ?s WHERE { ?s ?p ?d }\n")
    with pytest.raises(QueryParameterError) as error:
        load_query(path)
    assert error.value.parameter == "d"


def test_header_typos_are_errors(tmp_path):
    path = tmp_path / "typo.rq"
    path.write_text("# title: x\n# paramm: d date default=2024-01-01 A day.\nSELECT ?d WHERE { ?s ?p ?d }\n")
    with pytest.raises(PolicyKGError, match="paramm"):
        load_query(path)


# --- formats -------------------------------------------------------------------------------------------------------

def test_csv_opens_cleanly_in_a_spreadsheet(registry, store):
    result = registry["files-and-instruments"].run(store)
    data = serialize(result, "csv")
    text = data.decode("utf-8")                                 # UTF-8, strictly
    assert not text.startswith("\ufeff")
    assert text.startswith("file,fileLabel,role,instrument,type,celex,eli,eurlex,title\r\n")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[0] == result.variables
    assert len(parsed) == len(result.rows) + 1
    assert all(len(row) == len(parsed[0]) for row in parsed)
    by_celex = {row[5]: row for row in parsed[1:]}
    assert "," in by_celex["32024R1351"][8]                     # a title with commas survives, quoted
    labels = {row[1] for row in parsed[1:]}
    assert "Victims’ Rights Directive" in labels                # non-ASCII text round-trips


def test_csv_quotes_quotes_and_newlines():
    result = SelectResult(["a", "b"], [(ox.Literal('say "hi", then\nleave'), None)])
    assert serialize(result, "csv") == b'a,b\r\n"say ""hi"", then\nleave",\r\n'


def test_tsv_and_json_keep_term_types(registry, store):
    result = registry["status-on-date"].run(store, {"date": "2023-06-01"})
    tsv = serialize(result, "tsv").decode().splitlines()
    assert tsv[0].split("\t")[:2] == ["?date", "?file"]
    assert '"2023-06-01"^^<http://www.w3.org/2001/XMLSchema#date>' in tsv[1]
    document = json.loads(serialize(result, "json"))
    assert document["head"]["vars"] == result.variables
    first = document["results"]["bindings"][0]
    assert first["file"]["type"] == "uri"
    assert first["date"] == {"type": "literal", "value": "2023-06-01",
                             "datatype": "http://www.w3.org/2001/XMLSchema#date"}
    assert first["fileLabel"]["xml:lang"] == "en"
    ask = json.loads(serialize(registry["act-in-force-on-date"].run(store), "json"))
    assert ask == {"head": {}, "boolean": True}


def test_formats_that_do_not_fit_are_refused(registry, store):
    with pytest.raises(QueryParameterError) as error:
        serialize(registry["status-on-date"].run(store), "ttl")
    assert error.value.parameter == "format"
    with pytest.raises(QueryParameterError):
        serialize(registry["status-on-date"].run(store), "xlsx")


def test_graph_formats(registry, store):
    result = registry["file-neighbourhood"].run(store)
    turtle = Graph().parse(data=serialize(result, "ttl"), format="turtle")
    jsonld = Graph().parse(data=serialize(result, "json"), format="json-ld")
    assert isomorphic(turtle, jsonld)
    assert len(turtle) == len({(t.subject, t.predicate, t.object) for t in result.triples})
    triples = list(csv.reader(io.StringIO(serialize(result, "csv").decode(), newline="")))
    assert triples[0] == ["subject", "predicate", "object"]


# --- each query's answer -------------------------------------------------------------------------------------------

def test_files_and_instruments(registry, store):
    table = rows(registry, store, "files-and-instruments")
    ammr = where(table, celex="32024R1351")
    assert ammr and ammr[0]["eli"] == ELI_AMMR and ammr[0]["role"] == "adopted act"
    assert ammr[0]["eurlex"] == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32024R1351"
    assert ammr[0]["type"] == "REG"
    proposal = where(table, celex="52021PC0206")[0]
    assert proposal["role"] == "proposal" and "eli" not in proposal
    assert all(r["eurlex"].endswith(r["celex"]) for r in table if "celex" in r)
    assert len({r["file"] for r in table}) == 19
    ai_act = rows(registry, store, "files-and-instruments", file="ai-act")
    assert {r["celex"] for r in ai_act} == {"52021PC0206", "32024R1689", "32026R1744"}


def test_status_on_date(registry, store):
    table = {r["file"]: r for r in rows(registry, store, "status-on-date", date="2023-06-01")}
    assert len(table) == 19
    trafficking = table[str(FILE) + "anti-trafficking-directive"]
    assert trafficking["statusLabel"] == "proposed" and trafficking["since"] == "2022-12-19"
    assert "status" not in table[str(FILE) + "victims-rights-directive"]      # proposed only on 2023-07-12
    assert table[str(FILE) + "istanbul-convention"]["statusLabel"] == "adopted"  # on the very day
    # two events on one day: the later stage counts
    same_day = {r["file"]: r for r in rows(registry, store, "status-on-date", date="2024-07-10")}
    assert same_day[str(FILE) + "schengen-borders-code"]["statusLabel"] == "applies"
    assert {r["statusLabel"] for r in rows(registry, store, "status-on-date", date="2004-01-23")
            if r["file"].endswith("long-term-residents-directive")} == {"in force"}


def test_status_on_date_gives_each_files_own_evidence_date(registry, store):
    table = rows(registry, store, "status-on-date", date="2026-12-01")
    as_of = {r["fileLabel"]: r["asOf"] for r in table}
    assert len(as_of) == 19 and all(as_of.values())
    assert len(set(as_of.values())) > 5, "one date for everything would be the build's, not the evidence's"
    assert as_of["Victims’ Rights Directive"] == "2026-09-18" and as_of["Facilitation Directive"] == "2026-01-29"
    assert as_of["Anti-trafficking Directive"] == "2024-07-14"


def test_status_on_date_agrees_with_each_files_current_status(registry, store):
    current = store.query(
        "SELECT ?file ?status ?asOf WHERE { ?file pkg:currentStatus ?status ; pkg:statusAsOf ?asOf }",
        prefixes={"pkg": str(PKG)}, use_default_graph_as_union=True)
    checked = 0
    for solution in current:
        table = {r["file"]: r for r in rows(registry, store, "status-on-date", date=solution["asOf"].value)}
        assert table[solution["file"].value].get("status") == solution["status"].value, solution["file"]
        checked += 1
    assert checked == 19


def test_file_timeline(registry, store):
    table = rows(registry, store, "file-timeline", file="ai-act")
    assert {r["kind"] for r in table} == {"official", "claim"}
    claim = where(table, kind="claim")[0]
    assert claim["date"] == "2024-04" and "April 2024" in claim["what"] and "corroboratedBy" not in claim
    adopted = where(table, kind="official", stageLabel="adopted")[0]
    assert adopted["date"] == "2024-05-21" and adopted["instruments"] == "32024R1689"
    assert [r["date"] for r in table] == sorted(r["date"] for r in table)
    trafficking = rows(registry, store, "file-timeline", file=str(FILE) + "anti-trafficking-directive")
    corroborated = where(trafficking, kind="claim", stageLabel="adopted")[0]
    assert corroborated["corroboratedBy"].endswith("anti-trafficking-directive-adopted")


def test_files_affecting_a_group_include_narrower_groups(registry, store):
    children = rows(registry, store, "files-affecting-group", group="undocumented-children")
    assert "European Child Guarantee" in {r["fileLabel"] for r in children}
    undocumented = rows(registry, store, "files-affecting-group", group=GROUP + "undocumented-people")
    via = {r["fileLabel"]: r["affectedGroupLabel"] for r in undocumented}
    assert via["European Child Guarantee"] == "undocumented children"
    assert via["Violence against women Directive"] == "undocumented women"
    assert via["Eurodac Regulation"] == "undocumented people"
    assert "AI Act" not in via


def test_positions_by_stance(registry, store):
    critical = rows(registry, store, "positions-by-stance", stance="critical")
    assert {r["stanceLabel"] for r in critical} == {"critical"}
    ai_act = where(critical, fileLabel="AI Act")[0]
    assert set(ai_act["concerns"].split("; ")) == {"harmful uses of AI", "racial profiling"}
    assert ai_act["publicationCount"] == "2" and "Joint statements on the AI Act" in ai_act["publications"]
    everything = rows(registry, store, "positions-by-stance")
    # "promising aspects" reads as welcomes with reservations (docs/data-guide.md, the stance rubric)
    assert where(everything, fileLabel="Single Permit Directive")[0]["stanceLabel"] == "welcomes with reservations"
    # one position per assessed text: the Commission's proposal and the Council's general approach
    victims = {r["position"].rsplit("/", 1)[1]: r["stanceLabel"]
               for r in where(everything, fileLabel="Victims’ Rights Directive")}
    assert victims == {"victims-rights-directive": "mixed", "victims-rights-directive-council-position": "critical"}
    stopped = where(everything, fileLabel="Long Term Residents' Directive")
    assert [r["stanceLabel"] for r in stopped] == ["critical"] and "Council" in stopped[0]["summary"]
    assert len({r["position"] for r in everything}) == len(everything)


def test_publications_with_partner(registry, store):
    ecre = rows(registry, store, "publications-with-partner", partner="ecre")
    assert [r["publication"].rsplit("/", 1)[1] for r in ecre] == ["eu-funding-joint-reports"]
    assert ecre[0]["type"] == "joint report" and ecre[0]["fileLabel"] == "EU Funding"
    assert "Platform for International Cooperation on Undocumented Migrants" in ecre[0]["authors"]
    picum = rows(registry, store, "publications-with-partner", partner=str(ORGANISATION) + "picum")
    assert len(picum) == 20


def test_package_parts_and_what_they_repeal(registry, store):
    table = rows(registry, store, "package-parts")
    ammr = where(table, actCelex="32024R1351", change="repeals")
    assert ammr and ammr[0]["targetCelex"] == "32013R0604" and ammr[0]["targetName"] == "Dublin III Regulation"
    assert where(table, actCelex="32024R1358", change="repeals")[0]["targetCelex"] == "32013R0603"
    assert where(table, actCelex="32024L1346", change="recasts")[0]["part"] == str(FILE) + "eu-migration-pact"
    parts = {r["part"].rsplit("/", 1)[1] for r in table}
    assert parts == {"screening-regulation", "asylum-procedures-regulation", "eu-migration-pact",
                     "asylum-and-migration-management-regulation", "crisis-regulation", "eurodac-regulation",
                     "recast-return-directive"}
    assert where(table, partLabel="Recast Return Directive") == [
        {"package": str(FILE) + "eu-migration-pact", "part": str(FILE) + "recast-return-directive",
         "partLabel": "Recast Return Directive"}]


def test_act_amends_or_repeals_transitively(registry, store):
    table = rows(registry, store, "act-amends-or-repeals", act="32026R0463")
    changes = {(r["changedByCelex"], r["change"], r["targetCelex"]) for r in table}
    assert ("32026R0463", "amends", "32024R1348") in changes
    assert ("32024R1348", "repeals", "32013L0032") in changes                # one step further
    assert {r["rootCelex"] for r in table} == {"32026R0463"}
    for given in (ELI_AMMR, "32024R1351", "celex:32024R1351"):
        ammr = rows(registry, store, "act-amends-or-repeals", act=given)
        dublin = where(ammr, change="repeals", targetCelex="32013R0604")
        assert dublin and dublin[0]["targetInForce"] == "notInForce", given
        assert {r["root"] for r in ammr} == {ELI_AMMR}
    assert not where(rows(registry, store, "act-amends-or-repeals", act="32024R1689"), targetCelex="32013R0604")


def test_acts_applying_in_period(registry, store):
    table = rows(registry, store, "acts-applying-in-period", **{"from": "2026-01-01", "to": "2026-12-31"})
    applies = {(r["celex"], r["applies"]) for r in table}
    assert ("32024R1351", "2026-07-01") in applies and ("32024R1689", "2026-08-02") in applies
    assert all("2026-01-01" <= r["applies"] <= "2026-12-31" for r in table)
    earlier = rows(registry, store, "acts-applying-in-period", **{"from": "2025-01-01", "to": "2025-12-31"})
    assert {("32024R1689", "2025-02-02"), ("32024R1689", "2025-08-02")} <= {(r["celex"], r["applies"])
                                                                             for r in earlier}
    assert ("32024R1689", "2026-08-02") not in {(r["celex"], r["applies"]) for r in earlier}


def test_transposition_deadlines(registry, store):
    table = rows(registry, store, "transposition-deadlines", date="2026-11-29")
    violence = where(table, celex="32024L1385")[0]
    assert violence["deadline"] == "2027-06-14" and violence["passed"] == "false"
    assert where(table, celex="32011L0036")[0]["deadline"] == "2013-04-06"
    assert all(r["celex"][5] == "L" for r in table)                           # directives only
    later = rows(registry, store, "transposition-deadlines", date="2027-07-01")
    assert where(later, celex="32024L1385")[0]["passed"] == "true"


def test_files_by_work_area(registry, store):
    detention = rows(registry, store, "files-by-work-area", area="detention-and-deportation")
    assert {r["fileLabel"] for r in detention} == {"Recast Return Directive", "Crisis Regulation",
                                                   "EU Migration Pact"}
    everything = rows(registry, store, "files-by-work-area")
    assert len({r["file"] for r in everything}) == 19


def test_eurovoc_subjects_have_labels(registry, store):
    table = rows(registry, store, "eurovoc-subjects")
    assert all("subjectLabel" in r for r in table), [r["subject"] for r in table if "subjectLabel" not in r]
    ai_act = rows(registry, store, "eurovoc-subjects", file="ai-act")
    own = {r["subjectLabel"] for r in ai_act if "via" not in r}
    assert own == {"artificial intelligence", "fundamental rights", "personal data"}
    assert where(ai_act, viaCelex="32024R1689")[0]["subject"] == "http://eurovoc.europa.eu/3030"


def test_file_neighbourhood(registry, store):
    result = registry["file-neighbourhood"].run(store, {"file": "ai-act"})
    graph = Graph().parse(data=serialize(result, "ttl"), format="turtle")
    ai_act, act = URIRef(str(FILE) + "ai-act"), URIRef("http://data.europa.eu/eli/reg/2024/1689/oj")
    assert (ai_act, PKG.hasAdoptedAct, act) in graph
    assert (act, PKG.celex, Literal("32024R1689")) in graph
    assert (URIRef(str(CONCEPT) + "lifecycle-status/applies"), SKOS.prefLabel, Literal("applies", lang="en")) in graph
    assert any(graph.triples((None, PKG.claimAbout, ai_act))) and any(graph.triples((None, PKG.eventOf, ai_act)))
    assert any(graph.triples((None, RDF.value, None)))                         # the position's summary
    assert not any(graph.triples((URIRef(str(FILE) + "eu-migration-pact"), None, None)))


def test_acts_adopted_in_year(registry, store):
    table = rows(registry, store, "acts-adopted-in-year", year="2024")
    assert {"32024R1351", "32024R1689", "32024L1385"} <= {r["celex"] for r in table}
    assert all(r["adopted"].startswith("2024-") for r in table)
    assert {r["celex"] for r in rows(registry, store, "acts-adopted-in-year", year="2021")} >= {"32021H1004"}


def test_concept_by_label(registry, store):
    found = rows(registry, store, "concept-by-label", label="undocumented children@en")
    assert [r["concept"] for r in found] == [GROUP + "undocumented-children"]
    assert found[0]["broaderLabel"] == "undocumented people" and found[0]["fileCount"] == "1"
    assert rows(registry, store, "concept-by-label", label="undocumented children@fr") == []
    alt = rows(registry, store, "concept-by-label", label="political agreement@en")
    assert alt[0]["concept"].endswith("lifecycle-status/provisional-agreement")


def test_page_claims_against_the_official_record(registry, store):
    table = rows(registry, store, "page-claims-vs-official")
    ai_act = where(table, claim=str(CLAIM) + "ai-act-adopted")[0]
    assert ai_act["matches"] == "false" and "officialEvent" not in ai_act and "April" in ai_act["note"]
    trafficking = where(table, statedText="which was adopted in May 2024")[0]
    assert trafficking["matches"] == "true" and trafficking["officialDate"] == "2024-05-27"


def test_adopted_acts_affecting_a_group(registry, store):
    children = rows(registry, store, "adopted-acts-affecting-group", group="undocumented-children")
    assert [(r["celex"], r["stance"]) for r in children] == [("32021H1004", "welcomes with reservations")]
    undocumented = rows(registry, store, "adopted-acts-affecting-group", group="undocumented-people")
    found = {r["celex"]: r.get("stance") for r in undocumented}
    assert found["32024L1385"] == "critical" and "32024R1358" in found


def test_act_in_force_on_date(registry, store):
    ask = registry["act-in-force-on-date"]
    assert ask.run(store, {"act": "32013R0604", "date": "2026-01-01"}).value is True
    assert ask.run(store, {"act": "32013R0604", "date": "2026-07-01"}).value is False    # repealed 2026-06-30
    assert ask.run(store, {"act": ELI_AMMR, "date": "2024-06-10"}).value is False
    assert ask.run(store, {"act": ELI_AMMR, "date": "2024-06-11"}).value is True
    with pytest.raises(ValueNotAccepted) as unknown:                                    # not in the graph: refused
        ask.run(store, {"act": "32099R9999", "date": "2024-06-11"})
    assert unknown.value.parameter == "act" and "32013R0604" in str(unknown.value)


def test_procedures(registry, store):
    ai_act = rows(registry, store, "procedures", file="ai-act")
    assert [(r["reference"], r["cellarProcedure"]) for r in ai_act] == [
        ("2021/0106(COD)", "http://publications.europa.eu/resource/procedure/2021_106")]
    assert "2021/0106(COD)" in ai_act[0]["oeil"]
    split = where(rows(registry, store, "procedures"), reference="2016/0224A(COD)")
    assert split and "cellarProcedure" not in split[0]


# --- the library as data ----------------------------------------------------------------------------------------

def test_queries_graph_describes_every_query(registry, store):
    graph = queries_graph(registry)
    assert graph.identifier == QUERIES_GRAPH
    for name, query in registry.items():
        node = QUERY[name]
        assert (node, RDF.type, SH.SPARQLExecutable) in graph
        text_property = {"SELECT": SH.select, "CONSTRUCT": SH.construct, "ASK": SH.ask}[query.form]
        text = graph.value(node, text_property)
        assert str(text) == query.body
        assert graph.value(node, RDFS.label) == Literal(query.title, lang="en")
        assert graph.value(node, RDFS.comment) == Literal(query.description, lang="en")
        assert {str(k) for k in graph.objects(node, SCHEMA.keywords)} == set(query.keywords)
        assert graph.value(node, SCHEMA.target) is not None
        assert len(list(graph.objects(node, SH.parameter))) == len(query.params)
    status = graph.value(QUERY["status-on-date"], SH.parameter)
    assert graph.value(status, SH.defaultValue) == Literal("2024-01-01", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#date"))
    declared = {str(graph.value(d, SH.prefix)) for d in graph.objects(QUERY[""], SH.declare)}
    assert {"pkg", "eli", "skos"} <= declared


def test_queries_graph_can_be_listed_and_run_from_the_store(registry, store):
    """A client lists the queries from the graph alone and runs their text: one source of truth."""
    copy = ox.Store()
    for s, p, o, g in store.quads_for_pattern(None, None, None, None):
        copy.add(ox.Quad(s, p, o, g))
    copy.load(queries_graph(registry).serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES,
              to_graph=ox.NamedNode(str(QUERIES_GRAPH)))
    listed = copy.query("""SELECT ?query ?text WHERE { GRAPH ?g { ?query a sh:SPARQLSelectExecutable ;
                             sh:select ?text } }""", prefixes={"sh": str(SH)})
    found = {solution["query"].value: solution["text"].value for solution in listed}
    assert len(found) == sum(1 for q in registry.values() if q.form == "SELECT")
    text = found[str(QUERY["files-and-instruments"])]
    answer = copy.query(text, use_default_graph_as_union=True)
    assert any(solution["celex"] == ox.Literal("32024R1351") for solution in answer)
