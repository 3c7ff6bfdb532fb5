"""The views of the whole field through Flask's test client, checked against the graph: the lifecycle picture (a row
per file, each event and claim present, official records told apart from secondary sources and from the page's
claims, filters by work area and affected group), every file's timeline, and the label layout they share."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from policykg.namespaces import CONCEPT, FILE, PREFIXES
from policykg.web.site.label_layout import Label, pack, text_width, wrap

SVG_NS = "{http://www.w3.org/2000/svg}"


def select(store, query: str, **bindings) -> list[dict[str, str]]:
    result = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True,
                         substitutions={ox.Variable(k): v for k, v in bindings.items()})
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def svg_of(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    assert response.content_type.startswith("image/svg+xml")
    return ET.fromstring(response.get_data(as_text=True))


def rows_by_file(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-file"): g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "file-row"}


def files_in(store, where: str = "", **bindings) -> set[str]:
    projection = " ".join(f"?{name}" for name in bindings)
    found = select(store, f"SELECT DISTINCT ?f {projection} WHERE {{ VALUES ?t {{ pkg:PolicyFile pkg:PolicyPackage }} "
                          f"?f a ?t . {where} }}", **bindings)
    return {row["f"].rsplit("/", 1)[-1] for row in found}


# --- the lifecycle view -----------------------------------------------------------------------------------


def test_every_file_is_a_row_with_its_events_and_claims(client, store):
    rows = rows_by_file(svg_of(client, "/pictures/lifecycle.svg"))
    assert set(rows) == files_in(store) and len(rows) == 19
    for slug, row in rows.items():
        events = select(store, """SELECT ?f ?e ?d (EXISTS { ?e a pkg:SecondarySourcedEvent } AS ?secondary)
                                  WHERE { ?e pkg:eventOf ?f ; eli-dl:activity_date ?d }""", f=ox.NamedNode(FILE[slug]))
        marks = [c for c in row.iter(f"{SVG_NS}circle") if c.get("class") == "event"]
        assert sorted(m.get("data-date") for m in marks) == sorted(e["d"][:10] for e in events), slug
        secondary = sum(e["secondary"] == "true" for e in events)
        assert sum(m.get("data-evidence") == "secondary" for m in marks) == secondary, slug
        assert sum(m.get("data-evidence") == "official" for m in marks) == len(events) - secondary, slug
        claims = select(store, """SELECT ?f ?c WHERE { ?c pkg:claimAbout ?f ; pkg:stage ?s .
                                  { ?c pkg:statedPeriod ?w } UNION { ?c pkg:statedAsCurrentOn ?w } }""",
                        f=ox.NamedNode(FILE[slug]))
        assert sum(g.get("class") == "claim" for g in row.iter(f"{SVG_NS}g")) == len(claims), slug


def test_official_records_secondary_sources_and_claims_look_different(client):
    root = svg_of(client, "/pictures/lifecycle.svg")
    marks = [c for c in root.iter(f"{SVG_NS}circle") if c.get("class") == "event"]
    official = {m.get("fill") for m in marks if m.get("data-evidence") == "official"}
    assert "white" not in official and {m.get("fill") for m in marks if m.get("data-evidence") == "secondary"} \
        == {"white"}
    bands = [r for r in root.iter(f"{SVG_NS}rect") if r.get("class") == "band"]
    assert all(b.get("fill").startswith("url(#secondary-") for b in bands if b.get("data-evidence") == "secondary")
    assert all(b.get("fill").startswith("#") for b in bands if b.get("data-evidence") == "official")
    assert any(b.get("data-evidence") == "secondary" for b in bands)
    claims = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "claim"]
    assert claims and all(r.get("stroke-dasharray") for g in claims for r in g.iter(f"{SVG_NS}rect"))
    # A claim at a month's precision is drawn over that month; its text is in the tooltip.
    pact = rows_by_file(root)["eu-migration-pact"]
    claim = next(g for g in pact.iter(f"{SVG_NS}g") if g.get("class") == "claim")
    assert claim.get("data-date") == "2024-04" and "The Pact was adopted in April 2024" in claim.find(
        f"{SVG_NS}title").text
    assert claim.find(f"{SVG_NS}line") is not None


def test_application_dates_are_marked(client, store):
    dates = select(store, """SELECT DISTINCT ?f ?d WHERE { ?f pkg:hasAdoptedAct|pkg:hasBaseAct ?a .
                               ?a pkg:hasProvisionApplication/pkg:appliesFrom ?d }""", f=ox.NamedNode(FILE["ai-act"]))
    row = rows_by_file(svg_of(client, "/pictures/lifecycle.svg"))["ai-act"]
    marks = {p.get("data-date") for p in row.iter(f"{SVG_NS}path") if p.get("class") == "application"}
    assert dates and marks == {d["d"] for d in dates}


@pytest.mark.parametrize("params, where, bindings", [
    ("area=digital-technologies", "?f pkg:workArea ?a", {"a": "work-area/digital-technologies"}),
    ("group=undocumented-children", "?f pkg:affects ?g", {"g": "affected-group/undocumented-children"}),
    ("area=labour-rights&group=third-country-workers", "?f pkg:workArea ?a ; pkg:affects ?g",
     {"a": "work-area/labour-rights", "g": "affected-group/third-country-workers"}),
])
def test_filters_keep_the_files_of_a_work_area_and_a_group(client, store, params, where, bindings):
    expected = files_in(store, where, **{k: ox.NamedNode(CONCEPT[v]) for k, v in bindings.items()})
    assert expected and expected != files_in(store)
    assert set(rows_by_file(svg_of(client, f"/pictures/lifecycle.svg?{params}"))) == expected
    page = client.get(f"/lifecycle?{params}").get_data(as_text=True)
    assert page.count('class="file-row"') == len(expected)
    assert f"{len(expected)} of 19 policy files" in page


def test_an_unknown_filter_value_is_named_in_a_404(client):
    response = client.get("/pictures/lifecycle.svg?area=astrology")
    assert response.status_code == 404 and "astrology" in response.get_json()["error"]
    page = client.get("/lifecycle?group=nobody&area=borders")
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "No affected group &#39;nobody&#39; among the files" in text       # said on the page, which shows
    assert 'selected>borders' in text and "of 19 policy files · work area: borders" in text  # the rest applied


def test_the_lifecycle_page_offers_both_filters_and_the_picture(client, store):
    page = client.get("/lifecycle").get_data(as_text=True)
    areas = select(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?f pkg:workArea ?a }")[0]["n"]
    assert page.count('<option value="') - 2 == int(areas) + int(select(
        store, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?f pkg:affects ?g }")[0]["n"])
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "/static/policykg/views.css" in page
    assert 'href="/pictures/lifecycle.svg"' in page


# --- every file's timeline --------------------------------------------------------------------------------


def test_every_files_timeline_has_every_event_with_its_full_text(client, store):
    for slug in sorted(files_in(store)):
        root = svg_of(client, f"/pictures/timeline/{slug}.svg")
        events = select(store, """SELECT ?f ?d ?l WHERE { ?e pkg:eventOf ?f ; eli-dl:activity_date ?d
                                   OPTIONAL { ?e rdfs:label ?l } }""", f=ox.NamedNode(FILE[slug]))
        groups = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "event"]
        assert len(groups) == len(events), slug
        titles = " ".join(g.find(f"{SVG_NS}title").text for g in groups)
        for event in events:
            assert f"{event['d'][:10]} {event.get('l', '')}".strip() in titles, (slug, event)


def test_timeline_labels_never_share_room(client, store):
    """The boxes the layout reserved (each label's lines) do not intersect, in every file's timeline."""
    for slug in sorted(files_in(store)):
        root = svg_of(client, f"/pictures/timeline/{slug}.svg")
        boxes = []
        for text in root.iter(f"{SVG_NS}text"):
            spans = text.findall(f"{SVG_NS}tspan")
            if not spans:
                continue
            x = float(spans[0].get("x"))
            width = max(text_width(s.text or "", 11, bold=s.get("font-weight") == "bold") for s in spans)
            boxes.append((x, float(spans[0].get("y")) - 11, x + width, float(spans[-1].get("y")) + 3))
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (slug, a, b)


# --- the layout itself ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_packed_labels_never_overlap_and_leaders_cross_no_box(seed):
    generator = random.Random(seed)
    left, right, label_width = 8.0, 1000.0, 230.0
    labels = [Label(generator.uniform(70, right - label_width - 4), generator.uniform(30, label_width),
                    generator.choice([15.0, 28.0, 41.0])) for _ in range(generator.randint(1, 40))]
    lanes = pack(labels, left=left, right=right)
    assert lanes == 1 + max(label.lane for label in labels)
    for i, a in enumerate(labels):
        assert left <= a.x and a.x + a.width <= right
        for b in labels[i + 1:]:
            if a.lane == b.lane:
                assert a.x + a.width <= b.x or b.x + b.width <= a.x, (a, b)
        for b in labels:   # a's leader runs from the axis through the lanes nearer than its own
            if b.lane < a.lane:
                assert not b.x <= a.anchor <= b.x + b.width, (a, b)


def test_wrapping_keeps_words_and_says_when_it_cut():
    lines, cut = wrap("Directive (EU) 2024/1233 published in the Official Journal", 11, 150, 3)
    assert not cut and " ".join(lines) == "Directive (EU) 2024/1233 published in the Official Journal"
    assert all(text_width(line, 11) <= 150 for line in lines)
    lines, cut = wrap("word " * 60, 11, 150, 2)
    assert cut and len(lines) == 2 and lines[-1].endswith("…") and all(text_width(x, 11) <= 150 for x in lines)


# --- the editor's links -----------------------------------------------------------------------------------


def test_an_editor_link_can_run_a_named_query_and_ask_for_the_chart(client):
    import json
    import re

    html = client.get("/editor?example=concept-by-label&run=1&view=chart").get_data(as_text=True)
    config = json.loads(re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', html,
                                  re.S).group(1))
    assert config["example"] == "concept-by-label" and config["run"] is True and config["view"] == "chart"
    assert "/static/policykg/chart.js" in html and "/static/policykg/views.css" in html
    plain = json.loads(re.search(r'id="editor-config">(.*?)</script>', client.get(
        "/editor?example=concept-by-label").get_data(as_text=True), re.S).group(1))
    assert plain["run"] is False and plain["view"] is None
