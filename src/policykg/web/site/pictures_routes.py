"""Pictures drawn from the graph: a file's lifecycle timeline and the chart of positions by stance (SVG, from
:mod:`policykg.web.site.pictures`), and the network of files, instruments, groups and positions (JSON for vis-network,
shown on ``/network``)."""

from __future__ import annotations

import json
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
from policykg.web.site.local_iris import is_ours, local_path
from policykg.web.site.pictures import TimelinePoint, network_data, stance_chart_svg, timeline_svg
from policykg.web.site.site_info import site

SVG = Format("svg", "image/svg+xml", "svg")
JSON_DATA = Format("json", "application/json", "json", text=False)
STAGE_BASE = str(CONCEPT) + "lifecycle-status/"
PRECISION = {str(XSD.gYear): "year", str(XSD.gYearMonth): "month"}


def timeline_points(rows: list[dict]) -> list[TimelinePoint]:
    """Timeline points from the rows of ``timeline.rq``: events at their day (official or secondary evidence),
    claims at the precision the page gives (a year, a month or a day)."""
    points = []
    for row in rows:
        when = row["when"]
        precision = PRECISION.get(when.datatype.value, "day")
        try:
            parts = [int(p) for p in when.value[:10].split("-")[: {"year": 1, "month": 2}.get(precision, 3)]]
            day = date(*(parts + [1] * (3 - len(parts))))
        except ValueError:
            continue  # a date the graph holds in another form is left out of the picture
        stage = row["stage"].value
        points.append(TimelinePoint(
            when=day, stage=stage[len(STAGE_BASE):] if stage.startswith(STAGE_BASE) else stage,
            label=row["text"].value if "text" in row else "", kind=row["kind"].value,
            precision=precision))
    return points


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
    for node in data["nodes"]:
        node["url"] = local_path(node["id"], root) if is_ours(node["id"]) else describe_url(node["id"], root)
        node["title"] = node["label"]
        if len(node["label"]) > 40:
            node["label"] = node["label"][:39] + "…"
    return data


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
