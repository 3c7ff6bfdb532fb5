"""The named queries as data: one ``sh:SPARQLExecutable`` per query, in the named graph ``QUERIES_GRAPH``.

This follows the convention of public example-query collections (SIB's sparql-examples): each query is typed
``sh:SPARQLExecutable`` and ``sh:SPARQLSelectExecutable`` / ``sh:SPARQLConstructExecutable`` /
``sh:SPARQLAskExecutable``, carries its text in ``sh:select`` / ``sh:construct`` / ``sh:ask`` (with its PREFIX
lines, so it runs anywhere), ``rdfs:label`` (the title), ``rdfs:comment`` (the description), ``schema:keywords``,
``schema:target`` (the SPARQL endpoint) and ``sh:prefixes`` (a node declaring the project's prefixes). Parameters
are described the way SHACL describes the parameters of a SPARQL-based component: ``sh:parameter`` with
``sh:path`` (whose local name is the variable), ``sh:datatype`` or ``sh:nodeKind sh:IRI``, ``sh:optional``,
``sh:defaultValue``, ``sh:name`` and ``sh:description``. Clients (the web editor, a notebook) list the queries from
this graph: one source of truth with ``queries/*.rq``.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from policykg.namespaces import BASE, PREFIXES, QUERIES_GRAPH, QUERY, RDF, RDFS, SCHEMA, SH, XSD, bind_prefixes
from policykg.queries.parameters import Parameter
from policykg.queries.registry import NamedQuery, QueryRegistry

#: The collection node: it holds the prefix declarations every query points to with sh:prefixes.
LIBRARY = URIRef(str(QUERY))
#: Where the queries run by default: the project's public SPARQL endpoint under the persistent base.
DEFAULT_ENDPOINT = BASE + "sparql"

_KIND = {"SELECT": (SH.SPARQLSelectExecutable, SH.select),
         "CONSTRUCT": (SH.SPARQLConstructExecutable, SH.construct),
         "ASK": (SH.SPARQLAskExecutable, SH.ask)}
_DATATYPE = {"date": XSD.date, "string": XSD.string, "integer": XSD.integer, "langString": RDF.langString,
             "celex": XSD.string}


def query_iri(name: str) -> URIRef:
    return QUERY[name]


def queries_graph(registry: QueryRegistry, *, endpoint: str = DEFAULT_ENDPOINT) -> Graph:
    """The registry as RDF, a graph named ``QUERIES_GRAPH`` (DESCRIBE queries are left out: SHACL has no
    executable class for them)."""
    graph = bind_prefixes(Graph(identifier=QUERIES_GRAPH))
    graph.add((LIBRARY, RDF.type, SCHEMA.Collection))
    graph.add((LIBRARY, RDFS.label, Literal("policykg named research queries", lang="en")))
    for prefix, namespace in sorted(PREFIXES.items()):
        declaration = BNode(f"prefix-{prefix}")
        graph.add((LIBRARY, SH.declare, declaration))
        graph.add((declaration, SH.prefix, Literal(prefix)))
        graph.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    for query in registry.values():
        if query.form in _KIND:
            _add_query(graph, query, URIRef(endpoint))
    return graph


def _add_query(graph: Graph, query: NamedQuery, endpoint: URIRef) -> None:
    node = query_iri(query.name)
    kind, text_property = _KIND[query.form]
    graph.add((LIBRARY, SCHEMA.hasPart, node))
    graph.add((node, RDF.type, SH.SPARQLExecutable))
    graph.add((node, RDF.type, kind))
    graph.add((node, text_property, Literal(query.body)))
    graph.add((node, SH.prefixes, LIBRARY))
    graph.add((node, RDFS.label, Literal(query.title, lang="en")))
    graph.add((node, SCHEMA.identifier, Literal(query.name)))
    if query.description:
        graph.add((node, RDFS.comment, Literal(query.description, lang="en")))
    if query.returns:
        graph.add((node, SCHEMA.description, Literal(f"Returns: {query.returns}", lang="en")))
    for keyword in query.keywords:
        graph.add((node, SCHEMA.keywords, Literal(keyword)))
    graph.add((node, SCHEMA.target, endpoint))
    for param in query.params:
        _add_parameter(graph, node, query, param)


def _add_parameter(graph: Graph, node: URIRef, query: NamedQuery, param: Parameter) -> None:
    description = BNode(f"{query.name}-param-{param.name}")
    graph.add((node, SH.parameter, description))
    graph.add((description, SH.path, URIRef(f"{query_iri(query.name)}#{param.name}")))
    graph.add((description, SH.name, Literal(param.name)))
    if param.description:
        graph.add((description, SH.description, Literal(param.description, lang="en")))
    if "iri" in param.types:
        graph.add((description, SH.nodeKind, SH.IRI if len(param.types) == 1 else SH.IRIOrLiteral))
    literal_types = [t for t in param.types if t != "iri"]
    if len(literal_types) == 1 and len(param.types) == 1:
        graph.add((description, SH.datatype, _DATATYPE[literal_types[0]]))
    if not param.required:
        graph.add((description, SH.optional, Literal(True)))
    if param.default is not None:
        term = param.parse(param.default)
        value = URIRef(term.value) if isinstance(term, ox.NamedNode) else Literal(
            term.value, lang=term.language, datatype=None if term.language else URIRef(term.datatype.value))
        graph.add((description, SH.defaultValue, value))
