"""Links that stay on this server: an IRI of ours in an HTML answer links to its page here (under the app's script
root), never to the persistent base ``https://w3id.org/policykg/...``, which only redirects here; other web IRIs
link to themselves. The one answer writer (sparql/results.py) writes the tables; web/site/local_iris.py says where
an IRI links."""

from __future__ import annotations

import re

import pyoxigraph as ox

from policykg.formats import HTML
from policykg.namespaces import BASE, CONCEPT, DATASET, FILE, GRAPH, ONTOLOGY_IRI, QUERY, SCHEME, SHAPES_IRI
from policykg.sparql.results import SelectResult, write
from policykg.web.site.local_iris import href_for

PERSISTENT_HREF = re.compile(r'''href\s*=\s*["']?''' + re.escape(BASE.rstrip("/")), re.IGNORECASE)
ACT = "http://data.europa.eu/eli/reg/2024/1689/oj"


def _answer() -> SelectResult:
    return SelectResult(["thing", "label", "other"], [
        (ox.NamedNode(str(FILE["ai-act"])), ox.Literal("AI Act <b>&</b>", language="en"), ox.NamedNode(ACT)),
        (ox.NamedNode(ONTOLOGY_IRI + "#PolicyFile"), None, ox.NamedNode("urn:isbn:9780000000000")),
        (ox.BlankNode("b0"), ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
         None),
    ])


def test_the_writer_links_ours_here_and_others_to_themselves():
    html = write(_answer(), HTML, link=lambda iri: href_for(iri, "/pkg")).data.decode()
    assert html.startswith('<table class="data answer">') and html.rstrip().endswith("</table>")
    assert re.findall(r'<th scope="col">(\w+)</th>', html) == ["thing", "label", "other"]
    assert f'<a href="/pkg/id/file/ai-act" title="{FILE["ai-act"]}">{FILE["ai-act"]}</a>' in html
    assert f'<a href="/pkg/ontology#PolicyFile" title="{ONTOLOGY_IRI}#PolicyFile">' in html
    assert f'<a href="{ACT}" title="{ACT}">{ACT}</a>' in html
    assert "<td>urn:isbn:9780000000000</td>" in html            # not a web address: no link
    assert "<td>AI Act &lt;b&gt;&amp;&lt;/b&gt;</td>" in html     # literals are text, escaped
    assert "<td>_:b0</td><td>3</td><td></td>" in html
    assert not PERSISTENT_HREF.search(html)


def test_without_a_link_function_nothing_is_linked():
    html = write(_answer(), HTML).data.decode()
    assert "<a " not in html and str(FILE["ai-act"]) in html


def test_a_cut_table_is_still_a_table_and_says_so():
    rows = [(ox.NamedNode(str(FILE[f"file-{n}"])),) for n in range(50)]
    body = write(SelectResult(["file"], rows), HTML, max_bytes=1500, note="https://example.org/sparql#limits",
                 link=href_for)
    html = body.data.decode()
    assert body.truncated == "bytes" and 0 < body.count < 50 and html.count("<tr>") == body.count + 1
    assert html.rstrip().endswith("https://example.org/sparql#limits.</p>") and "</tbody></table>" in html


def test_href_for():
    assert href_for(str(CONCEPT["stance/critical"])) == "/concept/stance/critical"
    assert href_for(DATASET, "/root") == "/root/dataset"
    assert href_for("mailto:someone@example.org") == ""
    assert href_for(ACT) == ACT


# -- every kind of HTML answer of the app -------------------------------------------------------------------

PAGES = ["/", "/cite", "/cite?query=file-timeline&file=ai-act", "/queries", "/editor", "/network", "/sparql",
         "/ontology", "/shapes", "/dataset", "/id/file/ai-act", "/id/file/eu-migration-pact",
         "/concept/affected-group/undocumented-children", "/scheme/stance", "/graph/data/ai-act",
         "/query/status-on-date", "/ontology/0.2.0", f"/describe?iri={ACT}", "/id/file/no-such-file"]


def _html_pages(client, registry) -> list[str]:
    return PAGES + [f"/queries/{name}" for name in registry]


def test_no_html_answer_links_to_the_persistent_base(client, registry):
    offenders = {}
    for path in _html_pages(client, registry):
        answer = client.get(path, headers={"Accept": "text/html"})
        assert answer.mimetype == "text/html", path
        found = PERSISTENT_HREF.findall(answer.get_data(as_text=True))
        if found:
            offenders[path] = len(found)
    assert offenders == {}


def test_named_query_tables_link_our_iris_to_pages_here(client):
    html = client.get("/queries/files-by-work-area").get_data(as_text=True)
    table = html[html.index('<table class="data answer">'):]
    assert '<a href="/id/file/ai-act"' in table and '<a href="/concept/work-area/' in table
    for iri in (str(SCHEME), str(GRAPH), str(QUERY), SHAPES_IRI):
        assert f'href="{iri}' not in html
