"""The web pages on the project's build, through Flask's test client: the home page, the query editor (and its plain
form when the editor's files are missing), the pictures, the downloads, and what a resource page shows.

Each test checks content against the graph itself (a SPARQL query on the same store), not just a status code.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pyoxigraph as ox
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from policykg.identifiers import eli_url, eurlex_url, oeil_url
from policykg.namespaces import (BASE, DATASET, DCAT, DCTERMS, FILE, INFERRED_GRAPH, PKG, POSITION, PREFIXES,
                                 SKOS)
from policykg.web.site import editor

AI_ACT = str(FILE["ai-act"])


def select(store, query: str, **bindings) -> list[dict[str, str]]:
    result = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True,
                         substitutions={ox.Variable(k): v for k, v in bindings.items()})
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


class Page(HTMLParser):
    """The links, sources, ids and text of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []      # (href, text)
        self.sources: list[str] = []                # src of scripts and images, href of stylesheets
        self.ids: set[str] = set()
        self.scripts: dict[str, str] = {}           # type or id -> text
        self.text_parts: list[str] = []
        self._anchor: list | None = None
        self._script: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "href" in attrs:
            self._anchor = [attrs["href"], ""]
        if tag in ("script", "img") and attrs.get("src"):
            self.sources.append(attrs["src"])
        if tag == "link" and attrs.get("rel") in ("stylesheet", "icon"):
            self.sources.append(attrs["href"])
        if tag == "script":
            self._script = attrs.get("id") or attrs.get("type") or "script"
            self.scripts.setdefault(self._script, "")

    def handle_endtag(self, tag):
        if tag == "a" and self._anchor is not None:
            self.links.append((self._anchor[0], self._anchor[1].strip()))
            self._anchor = None
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self.scripts[self._script] += data
            return
        self.text_parts.append(data)
        if self._anchor is not None:
            self._anchor[1] += data

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text_parts))

    def hrefs(self) -> set[str]:
        return {href for href, _ in self.links}

    def link_to(self, href: str) -> str | None:
        """The text of the first link to ``href``."""
        return next((text for h, text in self.links if h == href), None)


def page(client, path: str, **headers) -> Page:
    response = client.get(path, headers={"Accept": "text/html", **headers})
    assert response.status_code == 200, (path, response.data[:300])
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


# --- the home page ----------------------------------------------------------------------------------------


def test_home_says_what_the_dataset_is_its_version_and_licence(client, store):
    home = page(client, "/")
    meta = {r["p"]: r["o"] for r in select(store, "SELECT ?d ?p ?o WHERE { ?d ?p ?o FILTER(!isBlank(?o)) }",
                                              d=ox.NamedNode(DATASET))}
    assert meta[str(DCTERMS.title)] in home.text
    assert meta[str(DCTERMS.description)][:80] in home.text
    assert f"Version {meta[str(DCAT) + 'version']}" in home.text
    assert store.version[:12] in home.text                       # the build hash
    assert meta[str(DCTERMS.license)] in home.hrefs()


def test_home_counts_what_the_graph_holds(client, store):
    text = page(client, "/").text
    files = select(store, "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { VALUES ?t { pkg:PolicyFile pkg:PolicyPackage } "
                          "?f a ?t }")[0]["n"]
    positions = select(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pkg:Position }")[0]["n"]
    assert files == "19"
    assert f"{files} policy files" in text
    assert f"{positions} civil-society positions" in text


def test_home_lists_every_policy_file_with_its_current_status(client, store):
    home = page(client, "/")
    rows = select(store, """SELECT ?file ?label ?status ?asOf WHERE {
        ?file pkg:currentStatus/skos:prefLabel ?status ; pkg:statusAsOf ?asOf ; skos:prefLabel ?label }""")
    assert len({r["file"] for r in rows}) == 19
    for row in rows:
        path = "/" + row["file"][len(BASE):]
        assert home.link_to(path) == row["label"], row
        assert row["status"] in home.text and row["asOf"] in home.text


def test_home_links_to_the_editor_queries_downloads_docs_and_service(client):
    hrefs = page(client, "/").hrefs()
    for href in ("/editor", "/queries", "/network", "/ontology", "/shapes", "/sparql", "/.well-known/void",
                 "/downloads/policykg.ttl", "/downloads/policykg.jsonld", "/store?format=trig",
                 "/queries/files-and-instruments.csv", "/docs/queries.md"):
        assert href in hrefs, href


def test_the_queries_documentation_is_served_as_in_the_docs_folder(client, project):
    response = client.get("/docs/queries.md")
    assert response.mimetype == "text/markdown"
    assert response.get_data(as_text=True) == (project.root / "docs" / "queries.md").read_text(encoding="utf-8")


def test_the_home_pages_downloads_hold_the_dataset(client, store):
    turtle = client.get("/downloads/policykg.ttl")
    assert turtle.mimetype == "text/turtle"
    merged = Graph().parse(data=turtle.data, format="turtle")
    assert len(merged) == len({quad.triple for quad in store.quads()})
    jsonld = client.get("/downloads/policykg.jsonld")
    dataset = Dataset().parse(data=jsonld.data, format="json-ld")
    assert {str(g.identifier) for g in dataset.graphs() if len(g)} >= {str(INFERRED_GRAPH), str(GRAPH_OF_AI_ACT)}
    trig = client.get("/store?format=trig")
    assert trig.status_code == 200 and b"32024R1689" in trig.data
    csv = client.get("/queries/files-and-instruments.csv").get_data(as_text=True)
    assert csv.splitlines()[0].startswith("file,fileLabel,role,instrument") and "32024R1689" in csv


GRAPH_OF_AI_ACT = URIRef(BASE + "graph/data/ai-act")


def test_the_stance_chart_counts_the_positions(client, store):
    home = page(client, "/")
    assert "/pictures/stances.svg" in home.sources
    svg = client.get("/pictures/stances.svg")
    assert svg.mimetype == "image/svg+xml"
    text = svg.get_data(as_text=True)
    for row in select(store, """SELECT ?label (COUNT(?p) AS ?n) WHERE { ?p a pkg:Position ;
                                 pkg:stance/skos:prefLabel ?label } GROUP BY ?label"""):
        assert re.search(rf'data-stance="{re.escape(row["label"])}".*?>{row["n"]}</text>', text), row


# --- pictures ---------------------------------------------------------------------------------------------


def test_a_files_timeline_shows_its_official_events_and_the_pages_claims(client, store):
    svg = client.get("/pictures/timeline/ai-act.svg").get_data(as_text=True)
    assert svg.startswith("<svg")
    events = select(store, "SELECT ?f ?date WHERE { ?e pkg:eventOf ?f ; eli-dl:activity_date ?date }",
                    f=ox.NamedNode(AI_ACT))
    claims = select(store, "SELECT ?f ?text WHERE { ?c pkg:claimAbout ?f ; pkg:statedText ?text }",
                    f=ox.NamedNode(AI_ACT))
    assert svg.count('class="event"') == len(events) and svg.count('class="claim"') == len(claims) >= 1
    for event in events:
        assert event["date"] in svg
    assert "2024-04" in svg    # the claim "adopted in April 2024", at the month the page gives
    assert client.get("/pictures/timeline/no-such-file.svg").status_code == 404


def test_timelines_tell_official_records_from_secondary_sources(client, store):
    rows = select(store, """SELECT ?file (COUNT(DISTINCT ?e) AS ?n) WHERE {
                              ?e a pkg:SecondarySourcedEvent ; pkg:eventOf ?file ; eli-dl:activity_date ?d }
                            GROUP BY ?file""")
    assert rows, "the data has events that rest on secondary sources only"
    for row in rows:
        slug = row["file"].rsplit("/", 1)[-1]
        svg = client.get(f"/pictures/timeline/{slug}.svg").get_data(as_text=True)
        assert svg.count('data-evidence="secondary"') == int(row["n"]), slug
        assert "event dated by secondary sources only" in svg and "Secondary sources only: " in svg


def test_the_network_links_files_instruments_groups_and_positions(client, store):
    data = client.get("/pictures/network.json").get_json()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes[AI_ACT]["group"] == "file" and nodes[AI_ACT]["url"] == "/id/file/ai-act"
    assert nodes["http://data.europa.eu/eli/reg/2024/1689/oj"]["group"] == "instrument"
    assert nodes[str(POSITION["ai-act"])]["group"] == "position"
    assert {"from": str(POSITION["ai-act"]), "to": AI_ACT} in data["edges"]
    assert {"from": AI_ACT, "to": "http://data.europa.eu/eli/reg/2024/1689/oj"} in data["edges"]
    groups = select(store, "SELECT ?f ?g WHERE { ?f pkg:affects ?g }", f=ox.NamedNode(AI_ACT))
    assert all(nodes[g["g"]]["group"] == "group" for g in groups)
    network = page(client, "/network")
    assert "/static/vendor/vis-network/vis-network.min.js" in network.sources
    assert "/id/file/ai-act" in network.hrefs()    # the same nodes as a list, for readers without JavaScript


# --- the query editor -------------------------------------------------------------------------------------


def editor_config(p: Page) -> dict:
    return json.loads(p.scripts["editor-config"])


def test_editor_uses_the_local_yasgui_and_this_servers_endpoint(client, registry):
    p = page(client, "/editor")
    assert "/static/vendor/yasgui/yasgui.min.js" in p.sources
    assert "/static/vendor/yasgui/yasgui.min.css" in p.sources
    config = editor_config(p)
    assert config["endpoint"] == "http://localhost/sparql"
    assert [e["name"] for e in config["examples"]] == list(registry)
    example = next(e for e in config["examples"] if e["name"] == "files-and-instruments")
    assert example["title"] == registry["files-and-instruments"].title and "SELECT" in example["query"]
    for name in registry:
        assert f'data-example="{name}"' in client.get("/editor").get_data(as_text=True)


def test_editor_script_turns_off_third_party_completion():
    script = Path(editor.__file__).parents[1] / "static" / "policykg" / "editor.js"
    text = open(script, encoding="utf-8").read()
    assert "prefixCcApi = null" in text
    assert 'COMPLETERS = ["variables", "policykg-prefixes", "policykg-properties", "policykg-classes"]' in text
    assert not re.search(r"https?://", re.sub(r"/\*.*?\*/", "", text, flags=re.S))   # no address of its own


def test_editor_completion_terms_come_from_our_ontology_and_void(client):
    terms = client.get("/editor/terms.json").get_json()
    assert terms["prefixes"] == dict(sorted(PREFIXES.items()))
    assert str(PKG.PolicyFile) in terms["classes"] and str(SKOS.Concept) in terms["classes"]
    assert str(PKG.hasAdoptedAct) in terms["properties"]
    assert "http://data.europa.eu/eli/ontology#title" in terms["properties"]   # used in the data (VoID)


def test_editor_without_its_files_is_a_plain_form(client, monkeypatch):
    from policykg.web.site.assets import AssetStatus

    monkeypatch.setattr(editor, "asset_status", lambda: AssetStatus(present=[], missing=["yasgui/yasgui.min.js"]))
    p = page(client, "/editor?example=files-and-instruments")
    html = client.get("/editor?example=files-and-instruments").get_data(as_text=True)
    assert "yasgui.min.js" not in " ".join(p.sources)
    assert '<form class="plain-editor" method="get" action="http://localhost/sparql">' in html
    assert "build_assets(Path(&#39;frontend&#39;))" in html and "npm" in p.text
    textarea = re.search(r'<textarea id="plain-query" name="query"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "pkg:hasAdoptedAct" in textarea                        # the example, ready to run
    shared = client.get("/editor?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D").get_data(as_text=True)
    assert "ASK { ?s ?p ?o }" in shared                              # a share link fills the form


def test_the_plain_form_runs_at_the_endpoint(client):
    answer = client.get("/sparql", query_string={"query": "SELECT ?c WHERE { ?a pkg:celex ?c } ORDER BY ?c",
                                                 "format": "csv"})
    assert "32024R1689" in answer.get_data(as_text=True)


# --- what a resource page shows ---------------------------------------------------------------------------


def test_resource_page_shows_labels_and_links_our_iris_here(client, store):
    p = page(client, "/id/file/ai-act")
    assert "AI Act" in p.text
    for row in select(store, "SELECT ?f ?g ?label WHERE { ?f pkg:affects ?g . ?g skos:prefLabel ?label }",
                      f=ox.NamedNode(AI_ACT)):
        assert p.link_to("/" + row["g"][len(BASE):]) == row["label"]
    # an external IRI is a plain link to itself (and, when the graph describes it, to its description here)
    assert "https://picum.org/our-work/" in p.hrefs()
    assert "/describe?iri=http%3A%2F%2Fdata.europa.eu%2Feli%2Freg%2F2024%2F1689%2Foj" in p.hrefs()


def test_resource_page_links_instruments_to_eur_lex_eli_and_oeil(client):
    hrefs = page(client, "/id/file/ai-act").hrefs()
    assert eurlex_url("32024R1689") in hrefs and eurlex_url("52021PC0206") in hrefs
    assert eli_url("http://data.europa.eu/eli/reg/2024/1689/oj") in hrefs
    assert oeil_url("2021/0106(COD)") in hrefs


def test_resource_page_shows_incoming_links(client):
    p = page(client, "/id/file/ai-act")
    assert "incoming-title" in p.ids
    assert "/id/position/ai-act" in p.hrefs()          # the position whose target is the file


def test_resource_page_marks_inferred_statements(client, store):
    inferred = select(store, f"""SELECT ?f ?p ?o WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?f ?p ?o }}
        FILTER NOT EXISTS {{ GRAPH ?g {{ ?f ?p ?o }} FILTER(?g != <{INFERRED_GRAPH}>) }}
        FILTER(STRSTARTS(STR(?o), "{BASE}id/event/")) }}""", f=ox.NamedNode(AI_ACT))
    if not inferred:
        pytest.skip("built without the reasoner (no Java): nothing is inferred")
    html = client.get("/id/file/ai-act").get_data(as_text=True)
    event = "/" + inferred[0]["o"][len(BASE):]
    assert re.search(rf'<a href="{re.escape(event)}"[^>]*>[^<]*</a>\s*<span class="badge inferred"', html)
    asserted = "/concept/lifecycle-status/applies"      # pkg:currentStatus, asserted in the data
    assert re.search(rf'<a href="{re.escape(asserted)}"[^>]*>[^<]*</a>\s*</td>', html)


def test_resource_page_embeds_its_json_ld(client):
    p = page(client, "/id/file/ai-act")
    data = json.loads(p.scripts["application/ld+json"])
    graph = Graph().parse(data=json.dumps(data), format="json-ld")
    assert (URIRef(AI_ACT), PKG.hasAdoptedAct, URIRef("http://data.europa.eu/eli/reg/2024/1689/oj")) in graph


def test_resource_representations_by_accept_and_format(client):
    for accept, media in (("text/turtle", "text/turtle"), ("application/ld+json", "application/ld+json"),
                          ("application/n-triples", "application/n-triples"), ("text/html", "text/html")):
        response = client.get("/id/file/ai-act", headers={"Accept": accept})
        assert response.mimetype == media
        assert "Accept" in response.headers["Vary"]
        links = response.headers["Link"]
        for alternate in ("text/turtle", "application/ld+json", "application/n-triples"):
            assert re.search(rf'<http://localhost/id/file/ai-act\?format=\w+>; rel="alternate"; type="{re.escape(alternate)}"',
                             links)
        assert f'<{AI_ACT}>; rel="canonical"' in links
    assert client.get("/id/file/ai-act?format=ttl").mimetype == "text/turtle"
    assert client.get("/id/file/ai-act?format=jsonld", headers={"Accept": "text/html"}).mimetype == \
        "application/ld+json"
    assert client.get("/id/file/ai-act?format=nt").mimetype == "application/n-triples"


def test_unknown_iri_gets_a_helpful_404(client):
    response = client.get("/id/file/ai-actt", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"
    p = Page(response.get_data(as_text=True))
    assert "https://w3id.org/policykg/id/file/ai-actt" in p.text
    assert "/id/file/ai-act" in p.hrefs()                 # did you mean…
    machine = client.get("/id/file/ai-actt", headers={"Accept": "text/turtle"})
    assert machine.status_code == 404 and machine.get_json()["status"] == 404


def test_external_iris_are_described_but_never_served_as_ours(client):
    p = page(client, "/describe?iri=http://data.europa.eu/eli/reg/2024/1689/oj")
    assert "Artificial Intelligence Act" in p.text
    assert eurlex_url("32024R1689") in p.hrefs()
    ours = client.get(f"/describe?iri={AI_ACT}")
    assert ours.status_code == 303 and urlsplit(ours.headers["Location"]).path == "/id/file/ai-act"
    missing = client.get("/describe?iri=http://example.org/nothing", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert client.get("/describe?iri=not%20an%20iri").get_json()["status"] == 400
    odd = client.get("/id/file/%3Cscript%3E", headers={"Accept": "text/html"})
    assert odd.status_code == 404 and "&lt;script&gt;" in odd.get_data(as_text=True)


def test_ontology_page_lists_every_term_at_its_anchor(client, store):
    p = page(client, "/ontology")
    terms = select(store, "SELECT DISTINCT ?o ?t WHERE { ?t rdfs:isDefinedBy ?o }", o=ox.NamedNode(BASE + "ontology"))
    assert len(terms) > 40
    for term in terms:
        fragment = term["t"].split("#", 1)[1]
        assert fragment in p.ids, fragment
        assert f"#{fragment}" in p.hrefs()      # the table of contents


def test_pages_load_nothing_from_other_sites(client):
    for path in ("/", "/editor", "/network", "/id/file/ai-act", "/ontology", "/queries"):
        p = page(client, path)
        for source in p.sources:
            parts = urlsplit(source)
            assert not parts.netloc and not parts.scheme or source.startswith("data:"), (path, source)


def test_html_is_escaped(client, store):
    tricky = '<script>alert("x")</script>'
    store.add_to_graph(ox.NamedNode(BASE + "graph/test-escape"),
                       [ox.Triple(ox.NamedNode(BASE + "id/file/escape-test"), ox.NamedNode(str(SKOS.prefLabel)),
                                  ox.Literal(tricky, language="en"))])
    try:
        html = client.get("/id/file/escape-test", headers={"Accept": "text/html"}).get_data(as_text=True)
        assert tricky not in html and "&lt;script&gt;alert(" in html
    finally:
        store.drop_graph(ox.NamedNode(BASE + "graph/test-escape"))


def test_share_link_parameters_reach_the_editor(client):
    p = page(client, "/editor?example=procedures")
    assert editor_config(p)["example"] == "procedures"
