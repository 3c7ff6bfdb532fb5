"""The "How to cite" page (/cite): the release, the build, the date, the creators and the licence as the dataset's
description states them, an APA-style reference and BibTeX, and the citation of one named query's answer whose URL
answers on this server. Absolute URLs come from the public root (serve --base-url), never from the Host header."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from policykg.namespaces import DATASET
from policykg.web import create_app
from policykg.web.settings import Settings

PUBLIC = "https://kg.example.org/policykg"


@pytest.fixture(scope="module")
def public_client(store, registry, tmp_path_factory):
    app = create_app(store, Settings(base_url=PUBLIC), registry=registry, dump_dir=tmp_path_factory.mktemp("d"))
    return app.test_client()


def _text(answer) -> str:
    return html.unescape(answer.get_data(as_text=True))


def _block(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:blockquote|pre|dd|code)>', page, re.DOTALL)
    assert found, element_id
    return html.unescape(found.group(1))


def _dataset(store) -> dict[str, str]:
    rows = store.query(f"SELECT ?p ?o WHERE {{ <{DATASET}> ?p ?o }}", use_default_graph_as_union=True)
    return {row["p"].value: row["o"].value for row in rows}


def test_the_page_cites_the_release_and_the_build(public_client, store):
    answer = public_client.get("/cite", headers={"Host": "forged.example.net"})
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    meta = _dataset(store)
    version = meta["http://www.w3.org/ns/dcat#version"]
    released = meta["http://purl.org/dc/terms/modified"]
    assert _block(page, "cite-version") == version == "0.1.0"
    assert _block(page, "cite-build") == store.version
    assert _block(page, "cite-date") == released
    apa = _block(page, "citation-apa")
    assert apa == (f"The policykg contributors. ({released[:4]}). {meta['http://purl.org/dc/terms/title']} "
                   f"(Version {version}; build {store.version[:12]}) [Data set]. {DATASET}")
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in page
    assert "forged.example.net" not in page


def test_the_bibtex_entry_is_well_formed(public_client, store):
    bibtex = _block(public_client.get("/cite").get_data(as_text=True), "citation-bibtex")
    assert bibtex.startswith("@misc{policykg-0.1.0,\n") and bibtex.endswith("\n}")
    fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", bibtex, re.MULTILINE))
    assert fields["author"] == "{The policykg contributors}"   # an organisation: kept whole
    assert fields["version"] == "0.1.0" and fields["url"] == DATASET and fields["year"].isdigit()
    assert store.version in fields["note"] and "CC BY 4.0" in fields["note"]
    assert bibtex.count("{") == bibtex.count("}")


def test_one_answer_of_a_named_query_is_cited_by_its_url(public_client, store):
    before = datetime.now(UTC).date().isoformat()
    page = _text(public_client.get("/cite?query=status-on-date&date=2023-06-01",
                                   headers={"Host": "forged.example.net"}))
    after = datetime.now(UTC).date().isoformat()
    data_url = f"{PUBLIC}/queries/status-on-date.csv?date=2023-06-01"
    cited = _block(page, "citation-query")
    assert data_url in cited and f"release 0.1.0, build {store.version[:12]}" in cited
    assert f"Retrieved {before}." in cited or f"Retrieved {after}." in cited
    assert "date=2023-06-01" in cited
    # The cited URL answers here, with the build the citation names.
    answer = public_client.get(data_url[len(PUBLIC):])
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["X-PolicyKG-Dataset-Version"] == store.version
    assert "forged.example.net" not in page


@pytest.mark.parametrize("path, status, message", [
    ("/cite?query=status-on-date&date=1st%20June", 400, "parameter 'date'"),
    ("/cite?query=no-such-query", 404, "no named query 'no-such-query'"),
])
def test_a_citation_that_cannot_be_made_says_why(public_client, path, status, message):
    answer = public_client.get(path)
    assert answer.status_code == status
    page = _text(answer)
    assert message in page and 'id="citation-query"' not in page
    assert 'id="citation-apa"' in page   # the dataset's citation is still there


def test_the_home_page_links_to_the_cite_page(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/cite"' in page
    assert client.get("/cite").status_code == 200


def test_void_names_the_release_its_makers_and_the_build_apart(client, store):
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS, OWL

    void = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data,
                         format="turtle")
    dataset = URIRef(DATASET)
    contributors = URIRef("https://w3id.org/policykg/id/org/policykg-contributors")
    assert set(void.objects(dataset, URIRef(f"{DCAT}version"))) == {Literal("0.1.0")}  # the release
    assert set(void.objects(dataset, OWL.versionInfo)) == {Literal(store.version)}    # the build
    assert set(void.objects(dataset, DCTERMS.creator)) == {contributors}
    assert set(void.objects(dataset, DCTERMS.publisher)) == {contributors}
    assert set(void.objects(dataset, DCTERMS.license)) == {URIRef("https://creativecommons.org/licenses/by/4.0/")}


def test_a_named_query_page_links_to_the_citation_of_its_answer(client):
    page = client.get("/queries/files-affecting-group?group=undocumented-children&group=children&timeout=5")
    link = re.search(r'<a class="cite-answer" href="([^"]+)"', page.get_data(as_text=True))
    assert link, "no citation link on the named-query page"
    target = html.unescape(link.group(1))
    assert target == "/cite?query=files-affecting-group&group=undocumented-children&group=children"
    cited = _block(client.get(target).get_data(as_text=True), "citation-query")
    assert "/queries/files-affecting-group.csv?group=undocumented-children&group=children" in cited
