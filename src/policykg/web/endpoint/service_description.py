"""What the endpoint says about itself: the SPARQL Service Description and VoID.

GET ``/sparql`` without a query answers the service description (HTML for a browser, RDF by ``Accept``): the
languages and formats, the limits, that federation (SERVICE) and LOAD are off, and the dataset with its graphs.
``/.well-known/void`` answers the VoID description: for the dataset and each named graph, the counts, class and
property partitions, dumps, and the title, licence and version the data states about ``namespaces.DATASET``.
Statistics are computed from the store once per dataset version.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from policykg.formats import GRAPH_FORMATS, HTML, RESULT_FORMATS, TURTLE, by_name, negotiate
from policykg.namespaces import DATASET, DCAT, DCTERMS, OWL, RDF, RDFS, SD, VOID, XSD
from policykg.rdf_writer import write_rdf
from policykg.web.context import current_endpoint
from policykg.web.endpoint.sparql import endpoint_url
from policykg.web.respond import answer, etag_for, matches, not_modified
from policykg.web.results import Body

blueprint = Blueprint("service_description", __name__, template_folder="templates")
DESCRIPTION_FORMATS = (TURTLE, HTML, *GRAPH_FORMATS[1:])
MAX_GRAPH_PARTITIONS = 100   # with more named graphs, each graph gets its counts but no partitions


@dataclass
class Statistics:
    triples: int = 0
    subjects: int = 0
    objects: int = 0
    graphs: list[tuple[str, int]] = field(default_factory=list)
    classes: list[tuple[str, int]] = field(default_factory=list)
    properties: list[tuple[str, int]] = field(default_factory=list)
    graph_classes: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    graph_properties: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    metadata: dict[str, list[ox.NamedNode | ox.Literal]] = field(default_factory=dict)


def _rows(store, query: str) -> list[list]:
    return [list(row) for row in store.query(query, use_default_graph_as_union=True)]


def _count(term) -> int:
    return int(term.value) if term is not None else 0


def compute_statistics(store) -> Statistics:
    stats = Statistics()
    row = _rows(store, "SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s) (COUNT(DISTINCT ?o) AS ?o) "
                       "WHERE { ?s ?p ?o }")[0]
    stats.triples, stats.subjects, stats.objects = (_count(t) for t in row)
    counts = {g.value: _count(n) for g, n in _rows(
        store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    stats.graphs = [(g.value, counts.get(g.value, 0)) for g in store.graph_names() if isinstance(g, ox.NamedNode)]
    stats.classes = sorted(((c.value, _count(n)) for c, n in _rows(
        store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c")),
        key=lambda x: (-x[1], x[0]))
    stats.properties = sorted(((p.value, _count(n)) for p, n in _rows(
        store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")), key=lambda x: (-x[1], x[0]))
    if len(stats.graphs) <= MAX_GRAPH_PARTITIONS:
        for g, c, n in _rows(store, "SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c "
                                    "FILTER(isIRI(?c)) } } GROUP BY ?g ?c"):
            stats.graph_classes.setdefault(g.value, []).append((c.value, _count(n)))
        for g, p, n in _rows(store, "SELECT ?g ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ?p"):
            stats.graph_properties.setdefault(g.value, []).append((p.value, _count(n)))
    for p, o in _rows(store, f"SELECT ?p ?o WHERE {{ <{DATASET}> ?p ?o }} ORDER BY ?p ?o"):
        stats.metadata.setdefault(p.value, []).append(o)
    return stats


def statistics(endpoint) -> Statistics:
    """The statistics of the current dataset version: from this process's memory, else from the file another
    worker wrote (a worker replaced after a runaway query does not count a large store again), else counted."""
    version = endpoint.store.version
    key = f"stats:{version}"
    if key in endpoint.cache:
        return endpoint.cache[key]
    for stale in [k for k in endpoint.cache if version not in str(k)]:  # other versions' entries, not this one's
        endpoint.cache.pop(stale, None)
    path = Path(endpoint.dump_dir) / f"statistics-{etag_for(version)}.pickle" if endpoint.dump_dir else None
    stats = None
    if path is not None and path.is_file():
        try:
            stats = pickle.loads(path.read_bytes())
        except (OSError, pickle.PickleError, EOFError, AttributeError):
            stats = None
    if stats is None:
        stats = compute_statistics(endpoint.store)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(stats))
            tmp.replace(path)
    endpoint.cache[key] = stats
    return stats


def _iri(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_iri(XSD.integer))


_TYPE = _iri(RDF.type)


def _partitions(triples: list[ox.Triple], node: ox.NamedNode, classes, properties) -> None:
    for cls, entities in classes:
        part = ox.BlankNode()
        triples += [ox.Triple(node, _iri(VOID.classPartition), part),
                    ox.Triple(part, _iri(VOID["class"]), _iri(cls)),
                    ox.Triple(part, _iri(VOID.entities), _integer(entities))]
    for prop, count in properties:
        part = ox.BlankNode()
        triples += [ox.Triple(node, _iri(VOID.propertyPartition), part),
                    ox.Triple(part, _iri(VOID.property), _iri(prop)),
                    ox.Triple(part, _iri(VOID.triples), _integer(count))]


#: What the data says about the dataset that VoID repeats (dcat:version is the release; owl:versionInfo the build).
_METADATA = frozenset(str(term) for term in (
    DCTERMS.title, DCTERMS.description, DCTERMS.license, str(DCAT) + "version", DCTERMS.modified, DCTERMS.issued,
    DCTERMS.rights, VOID.uriSpace, VOID.exampleResource, VOID.vocabulary, DCTERMS.creator, DCTERMS.publisher))


def void_graph(stats: Statistics, *, version: str, endpoint_url: str, store_url: str) -> list[ox.Triple]:
    """The VoID description as pyoxigraph triples (built straight as the writer takes them: at a million
    triples in ten thousand graphs, an rdflib graph and its conversion cost more than the writing)."""
    dataset = _iri(DATASET)
    endpoint, build = _iri(endpoint_url), ox.Literal(version)
    triples = [ox.Triple(dataset, _TYPE, _iri(VOID.Dataset)), ox.Triple(dataset, _TYPE, _iri(DCAT.Dataset))]
    triples += [ox.Triple(dataset, _iri(predicate), value) for predicate, objects in stats.metadata.items()
                if predicate in _METADATA for value in objects]
    triples += [
        ox.Triple(dataset, _iri(OWL.versionInfo), build),
        ox.Triple(dataset, _iri(VOID.sparqlEndpoint), endpoint),
        ox.Triple(dataset, _iri(VOID.dataDump), _iri(f"{store_url}?format=nq")),
        ox.Triple(dataset, _iri(VOID.dataDump), _iri(f"{store_url}?format=trig")),
        ox.Triple(dataset, _iri(VOID.triples), _integer(stats.triples)),
        ox.Triple(dataset, _iri(VOID.distinctSubjects), _integer(stats.subjects)),
        ox.Triple(dataset, _iri(VOID.distinctObjects), _integer(stats.objects)),
        ox.Triple(dataset, _iri(VOID.classes), _integer(len(stats.classes))),
        ox.Triple(dataset, _iri(VOID.properties), _integer(len(stats.properties))),
    ]
    triples += [ox.Triple(dataset, _iri(VOID.feature), _iri(fmt.w3c)) for fmt in GRAPH_FORMATS]
    _partitions(triples, dataset, stats.classes, stats.properties)
    licences = stats.metadata.get(str(DCTERMS.license), [])
    for name, count in stats.graphs:
        subset = _iri(name)
        triples += [
            ox.Triple(dataset, _iri(VOID.subset), subset),
            ox.Triple(subset, _TYPE, _iri(VOID.Dataset)),
            ox.Triple(subset, _iri(VOID.triples), _integer(count)),
            ox.Triple(subset, _iri(VOID.dataDump), _iri(f"{store_url}?graph={_quote(name)}")),
            ox.Triple(subset, _iri(VOID.sparqlEndpoint), endpoint),
            ox.Triple(subset, _iri(OWL.versionInfo), build),
        ]
        triples += [ox.Triple(subset, _iri(DCTERMS.license), licence) for licence in licences]
        _partitions(triples, subset, stats.graph_classes.get(name, []), stats.graph_properties.get(name, []))
    return triples


def _quote(iri: str) -> str:
    return quote(iri, safe="")


def limits_text(settings) -> str:
    allowed = sorted(settings.limits.allowed_services)
    federation = (f"Federated query (SERVICE) is allowed only towards {', '.join(allowed)}, by a constant IRI; any "
                  f"other SERVICE is refused before evaluation" if allowed else
                  "Federated query (SERVICE) is off and refused before evaluation")
    return (f"Read-only unless an update token is configured. {federation}; LOAD is refused; graphs named in FROM, "
            f"FROM NAMED and the dataset parameters are never "
            f"fetched (an unknown graph is an empty graph). Limits: {settings.timeout:g} s per query (?timeout= "
            f"may only lower it; 503 when exceeded), {settings.max_rows} rows or triples and "
            f"{settings.max_bytes} bytes per answer (a cut answer says so in the X-PolicyKG-Truncated header and "
            f"in the body where the format allows), {settings.limits.max_chars} characters, "
            f"{settings.limits.max_depth} levels of nesting and {settings.limits.max_tokens} tokens per query, "
            f"{settings.max_body} bytes per request body. The default graph of a query is the union of all named "
            f"graphs" + ("; an update sees the store's own default graph (use GRAPH to change named graphs)."
                         if settings.updates_enabled else "."))


def service_graph(endpoint, endpoint_url: str, store_url: str) -> list[ox.Triple]:
    settings = endpoint.settings
    stats = statistics(endpoint)
    triples = void_graph(stats, version=endpoint.store.version, endpoint_url=endpoint_url, store_url=store_url)
    service = _iri(endpoint_url)
    triples += [
        ox.Triple(service, _TYPE, _iri(SD.Service)),
        ox.Triple(service, _iri(SD.endpoint), service),
        ox.Triple(service, _iri(DCTERMS.title), ox.Literal("policykg SPARQL endpoint", language="en")),
        ox.Triple(service, _iri(RDFS.comment), ox.Literal(limits_text(settings), language="en")),
        ox.Triple(service, _iri(SD.supportedLanguage), _iri(SD.SPARQL11Query)),
    ]
    if settings.updates_enabled:
        triples.append(ox.Triple(service, _iri(SD.supportedLanguage), _iri(SD.SPARQL11Update)))
        triples += [ox.Triple(service, _iri(SD.inputFormat), _iri(fmt.w3c)) for fmt in GRAPH_FORMATS]
    triples += [ox.Triple(service, _iri(SD.resultFormat), _iri(fmt.w3c)) for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS)]
    described, default = _iri(endpoint_url + "#dataset"), ox.BlankNode()
    triples += [
        ox.Triple(service, _iri(SD.feature), _iri(SD.UnionDefaultGraph)),
        ox.Triple(service, _iri(SD.defaultDataset), described),
        ox.Triple(described, _TYPE, _iri(SD.Dataset)),
        ox.Triple(described, _iri(DCTERMS.source), _iri(DATASET)),
        ox.Triple(described, _iri(SD.defaultGraph), default),
        ox.Triple(default, _TYPE, _iri(SD.Graph)),
        ox.Triple(default, _iri(RDFS.comment), ox.Literal("The union of all named graphs.", language="en")),
        ox.Triple(default, _iri(VOID.triples), _integer(stats.triples)),
    ]
    for name, _triples in stats.graphs:
        named, graph = ox.BlankNode(), _iri(name)
        triples += [ox.Triple(described, _iri(SD.namedGraph), named), ox.Triple(named, _TYPE, _iri(SD.NamedGraph)),
                    ox.Triple(named, _iri(SD.name), graph), ox.Triple(named, _iri(SD.graph), graph),
                    ox.Triple(graph, _TYPE, _iri(SD.Graph))]
    triples.append(ox.Triple(service, _iri(RDFS.seeAlso), _iri(f"{_root(endpoint_url)}/.well-known/void")))
    return triples


def _root(endpoint_url: str) -> str:
    return endpoint_url.rsplit("/", 1)[0]


def _serialized(endpoint, key: str, build, fmt) -> bytes:
    cache_key = f"doc:{endpoint.store.version}:{key}:{fmt.name}"
    if cache_key in endpoint.cache:
        return endpoint.cache[cache_key]
    data = write_rdf(build(), fmt)  # the one RDF writer
    if len(endpoint.cache) < 64:  # the key holds the request's host: never let clients grow it without bound
        endpoint.cache[cache_key] = data
    return data


def _negotiated(offers):
    name = request.args.get("format")
    return by_name(name, offers) if name else negotiate(request.headers.get("Accept"), offers)


@blueprint.route("/sparql", methods=["GET"])
def describe() -> Response:
    """The service description: GET /sparql without a query (the protocol handler sends those here)."""
    endpoint = current_endpoint()
    fmt = _negotiated(DESCRIPTION_FORMATS)
    url = endpoint_url(request.environ, endpoint.settings)
    store_url = f"{_root(url)}/store"
    version = endpoint.store.version
    etag = etag_for("service-description", version, url, fmt.name, endpoint.settings)
    if matches(request, etag):
        return not_modified(endpoint.settings, etag, version, False)
    if fmt is HTML:
        stats = statistics(endpoint)
        page = render_template("sparql_service.html", endpoint_url=url, store_url=store_url,
                               settings=endpoint.settings, stats=stats, version=version,
                               limits=limits_text(endpoint.settings), title=_title(stats),
                               result_formats=RESULT_FORMATS, graph_formats=GRAPH_FORMATS)
        data = page.encode("utf-8")
    else:
        data = _serialized(endpoint, f"sd:{url}", lambda: service_graph(endpoint, url, store_url), fmt)
    return answer(request, endpoint.settings, Body(data, 0), fmt, etag=etag, version=version,
                  filename=f"policykg-service.{fmt.extension}", download=False)


def _title(stats: Statistics) -> str:
    titles = stats.metadata.get(str(DCTERMS.title), [])
    return titles[0].value if titles else "policykg"


@blueprint.route("/.well-known/void", methods=["GET"])
def void() -> Response:
    endpoint = current_endpoint()
    fmt = _negotiated(GRAPH_FORMATS)
    sparql_url = endpoint_url(request.environ, endpoint.settings)
    root = _root(sparql_url)
    store_url = f"{root}/store"
    version = endpoint.store.version
    etag = etag_for("void", version, root, fmt.name)
    if matches(request, etag):
        return not_modified(endpoint.settings, etag, version, False)
    data = _serialized(endpoint, f"void:{root}", lambda: void_graph(
        statistics(endpoint), version=version, endpoint_url=sparql_url, store_url=store_url), fmt)
    return answer(request, endpoint.settings, Body(data, 0), fmt, etag=etag, version=version,
                  filename=f"policykg-void.{fmt.extension}", download=False)


