"""Pictures drawn from the graph: a file's lifecycle timeline and the chart of positions by stance (SVG, from
:mod:`policykg.web.site.pictures`), and the network of files, instruments, groups and positions (JSON for vis-network,
shown on ``/network``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from policykg.formats import Format
from policykg.namespaces import CONCEPT, FILE, XSD
from policykg.web.context import current_endpoint
from policykg.web.errors import HttpError
from policykg.web.respond import answer, etag_for, matches, not_modified
from policykg.web.results import Body
from policykg.web.site import rq
from policykg.web.site.assets import asset_status
from policykg.web.site.describe import describe_url
from policykg.web.site.graph_index import index_for
from policykg.web.site.label_layout import wrap
from policykg.web.site.lifecycle import Application, FileLine, lifecycle_svg, select
from policykg.web.site.local_iris import is_ours, local_path
from policykg.web.site.pictures import TimelinePoint, network_data, stance_chart_svg, timeline_svg
from policykg.web.site.site_info import site

SVG = Format("svg", "image/svg+xml", "svg")
JSON_DATA = Format("json", "application/json", "json", text=False)
STAGE_BASE = str(CONCEPT) + "lifecycle-status/"
FACETS = {"area": ("work area", str(CONCEPT) + "work-area/"), "group": ("affected group",
                                                                       str(CONCEPT) + "affected-group/")}
PRECISION = {str(XSD.gYear): "year", str(XSD.gYearMonth): "month"}


def timeline_point(row: dict) -> TimelinePoint | None:
    """A timeline point from a row of ``timeline.rq``: an event at its day (official or secondary evidence), a
    claim at the precision the page gives (a year, a month or a day); None for a date in another form."""
    when = row["when"]
    precision = PRECISION.get(when.datatype.value, "day")
    try:
        parts = [int(p) for p in when.value[:10].split("-")[: {"year": 1, "month": 2}.get(precision, 3)]]
        day = date(*(parts + [1] * (3 - len(parts))))
    except ValueError:
        return None  # a date the graph holds in another form is left out of the picture
    stage = row["stage"].value
    return TimelinePoint(
        when=day, stage=stage[len(STAGE_BASE):] if stage.startswith(STAGE_BASE) else stage,
        label=row["text"].value if "text" in row else "", kind=row["kind"].value, precision=precision)


def timeline_points(rows: list[dict]) -> list[TimelinePoint]:
    return [point for point in map(timeline_point, rows) if point is not None]


@dataclass(frozen=True)
class FacetValue:
    slug: str
    label: str
    files: int


def lifecycle_lines(store, root: str) -> tuple[list[FileLine], dict[str, list[FacetValue]]]:
    """Every policy file's row for the lifecycle view, and the work areas and groups to filter them by (each with
    how many files it has)."""
    lines: dict[str, FileLine] = {}
    for row in rq.rows(store, "files"):
        iri = row["file"].value
        as_of = _day(row["asOf"].value) if "asOf" in row else None
        lines[iri] = FileLine(slug=iri.rsplit("/", 1)[-1], label=row["label"].value, href=local_path(iri, root),
                              status=row["statusLabel"].value if "statusLabel" in row else "", as_of=as_of)
    for row in rq.rows(store, "timeline"):
        point = timeline_point(row)
        if point is not None and row["file"].value in lines:
            lines[row["file"].value].points.append(point)
    for row in rq.rows(store, "lifecycle_applications"):
        when = _day(row["when"].value)
        if row["file"].value in lines and when is not None:
            lines[row["file"].value].applications.append(
                Application(when, row["text"].value if "text" in row else ""))
    facets: dict[str, dict[str, FacetValue]] = {"area": {}, "group": {}}
    for row in rq.rows(store, "lifecycle_facets"):
        kind, concept, file = row["facet"].value, row["concept"].value, row["file"].value
        base = FACETS[kind][1]
        if file not in lines or not concept.startswith(base):
            continue
        slug = concept[len(base):]
        (lines[file].areas if kind == "area" else lines[file].groups).add(slug)
        known = facets[kind].get(slug)
        facets[kind][slug] = FacetValue(slug, row["label"].value, (known.files if known else 0) + 1)
    return list(lines.values()), {kind: list(values.values()) for kind, values in facets.items()}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def lifecycle_filters(facets: dict[str, list[FacetValue]]) -> tuple[dict[str, str], list[str]]:
    """The filters asked for (``?area=SLUG&group=SLUG``) that name a known value, and what was wrong with the
    others."""
    chosen, problems = {}, []
    for kind, (name, _) in FACETS.items():
        value = request.args.get(kind, "").strip()
        if value and value not in {facet.slug for facet in facets[kind]}:
            problems.append(f"no {name} {value[:80]!r} among the files")
        elif value:
            chosen[kind] = value
    return chosen, problems


@dataclass
class LifecycleView:
    svg: str
    shown: list[FileLine]
    facets: dict[str, list[FacetValue]]
    chosen: dict[str, str]
    problems: list[str]


def lifecycle_view(store, root: str) -> LifecycleView:
    """The lifecycle picture of the files the request's filters keep (an unknown filter value keeps nothing out
    and is named in ``problems``)."""
    lines, facets = lifecycle_lines(store, root)
    chosen, problems = lifecycle_filters(facets)
    shown = select(lines, area=chosen.get("area"), group=chosen.get("group"))
    labels = {kind: {f.slug: f.label for f in facets[kind]} for kind in facets}
    said = [f"{FACETS[kind][0]}: {labels[kind][slug]}" for kind, slug in chosen.items()]
    note = f"{len(shown)} of {len(lines)} policy files" + (f" · {'; '.join(said)}" if said else "") + \
        " · hover a mark for its date, text and evidence"
    return LifecycleView(lifecycle_svg("Policy files on one time axis", shown, note=note), shown, facets, chosen,
                         problems)


def network(store, index, root: str) -> dict:
    """vis-network's nodes and edges, each node with the page to open (ours here; other IRIs described here)."""
    kinds: dict[str, str] = {}
    edges = []

    def label(iri: str, row: dict) -> str:
        if not index.has_label(iri) and "stance" in row:
            return f"{row['stance'].value} position"
        return index.label(iri)

    for row in rq.rows(store, "network"):
        source, target = row["source"].value, row["target"].value
        kinds.setdefault(source, row["sourceKind"].value)
        kinds.setdefault(target, row["targetKind"].value)
        edges.append((source, label(source, row), kinds[source], target, index.label(target), kinds[target]))
    data = network_data(edges)
    areas: dict[str, set[str]] = {}
    groups: dict[str, set[str]] = {}
    facets: dict[str, dict[str, str]] = {"area": {}, "group": {}}
    for row in rq.rows(store, "lifecycle_facets"):
        kind, concept = row["facet"].value, row["concept"].value
        base = FACETS[kind][1]
        if concept.startswith(base):
            slug = concept[len(base):]
            (areas if kind == "area" else groups).setdefault(row["file"].value, set()).add(slug)
            facets[kind][slug] = row["label"].value
    for node in data["nodes"]:
        node["url"] = local_path(node["id"], root) if is_ours(node["id"]) else describe_url(node["id"], root)
        node["title"] = node["label"]
        node["label"] = short_label(node["label"])
        if node["group"] == "file":
            node["areas"] = sorted(areas.get(node["id"], ()))
            node["groups"] = sorted(groups.get(node["id"], ()))
        elif node["group"] == "group" and node["id"].startswith(FACETS["group"][1]):
            node["slug"] = node["id"][len(FACETS["group"][1]):]
    data["facets"] = {kind: [{"slug": slug, "label": label} for slug, label in sorted(
        values.items(), key=lambda item: item[1].lower())] for kind, values in facets.items()}
    return data


def short_label(text: str) -> str:
    """A node's label on at most two lines of about 28 characters, broken and cut only between words (the full
    text is the node's title)."""
    lines, _ = wrap(text, 14, 230, 2)
    return "\n".join(lines)


def create_blueprint() -> Blueprint:
    blueprint = Blueprint("pictures", __name__)

    def cached(key: str, fmt: Format, make) -> Response:
        endpoint = current_endpoint()
        version = endpoint.store.version
        etag = etag_for("picture", version, key, request.script_root)
        if matches(request, etag):
            return not_modified(endpoint.settings, etag, version, False)
        data = make(endpoint)
        return answer(request, endpoint.settings, Body(data, 0), fmt, etag=etag, version=version,
                      filename=f"{key.rsplit('/', 1)[-1]}.{fmt.extension}", download=False)

    @blueprint.get("/pictures/stances.svg")
    def stances() -> Response:
        def make(endpoint) -> bytes:
            counts = [(row["label"].value, int(row["positions"].value)) for row in rq.rows(endpoint.store, "stances")]
            return stance_chart_svg("Civil-society positions by stance", counts).encode("utf-8")
        return cached("stances", SVG, make)

    @blueprint.get("/pictures/timeline/<slug>.svg")
    def timeline(slug: str) -> Response:
        def make(endpoint) -> bytes:
            iri = str(FILE[slug])
            index = index_for(endpoint)
            if not index.has_label(iri):
                raise HttpError(404, f"no policy file {slug!r}")
            rows = rq.rows(endpoint.store, "timeline", file=ox.NamedNode(iri))
            return timeline_svg(f"{index.label(iri)}: lifecycle", timeline_points(rows)).encode("utf-8")
        return cached(f"timeline/{slug}", SVG, make)

    @blueprint.get("/pictures/lifecycle.svg")
    def lifecycle_svg_file() -> Response:
        area, group = request.args.get("area", ""), request.args.get("group", "")

        def make(endpoint) -> bytes:
            view = lifecycle_view(endpoint.store, request.script_root)
            if view.problems:
                raise HttpError(404, "; ".join(view.problems))
            return view.svg.encode("utf-8")
        return cached(f"lifecycle?area={area}&group={group}", SVG, make)

    @blueprint.get("/lifecycle")
    def lifecycle_page() -> tuple[str, int]:
        endpoint = current_endpoint()
        view = lifecycle_view(endpoint.store, request.script_root)
        page = render_template("pkg_lifecycle.html", site=site(endpoint), view=view,
                               facet_names={k: v[0] for k, v in FACETS.items()})
        return page, 404 if view.problems else 200

    @blueprint.get("/pictures/network.json")
    def network_json() -> Response:
        def make(endpoint) -> bytes:
            data = network(endpoint.store, index_for(endpoint), request.script_root)
            return json.dumps(data, ensure_ascii=False).encode("utf-8")
        return cached("network", JSON_DATA, make)

    @blueprint.get("/network")
    def network_page() -> str:
        endpoint = current_endpoint()
        assets = asset_status()
        data = network(endpoint.store, index_for(endpoint), request.script_root)
        return render_template("pkg_network.html", site=site(endpoint), data=data,
                               has_vis="vis-network/vis-network.min.js" in assets.present)

    return blueprint
