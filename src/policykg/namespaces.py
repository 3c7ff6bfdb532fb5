"""Every IRI base the project uses, written once.

Nothing else in the package calls ``Namespace(...)``: import from here (a test enforces it).
Our own IRIs live under one persistent base, ``BASE``; EU acts keep their official ELI or CELEX IRIs.
"""

from __future__ import annotations

import re

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

#: The persistent base of every IRI we mint.
BASE = "https://w3id.org/policykg/"

PKG = Namespace(BASE + "ontology#")          # ontology terms
PKGSH = Namespace(BASE + "shapes#")          # SHACL shapes (their own namespace)
ONTOLOGY_IRI = BASE + "ontology"
SHAPES_IRI = BASE + "shapes"
ID = Namespace(BASE + "id/")                 # things we describe
FILE = Namespace(BASE + "id/file/")
ORGANISATION = Namespace(BASE + "id/org/")
POSITION = Namespace(BASE + "id/position/")
PUBLICATION = Namespace(BASE + "id/publication/")
EVENT = Namespace(BASE + "id/event/")
CLAIM = Namespace(BASE + "id/claim/")
SCHEME = Namespace(BASE + "scheme/")         # SKOS concept schemes
CONCEPT = Namespace(BASE + "concept/")       # concepts: concept/{scheme}/{slug}
GRAPH = Namespace(BASE + "graph/")           # named graphs
DATASET = BASE + "dataset"
QUERY = Namespace(BASE + "query/")           # named queries published as data

# Named graphs that are not data files.
SHAPES_GRAPH = GRAPH["shapes"]
INFERRED_GRAPH = GRAPH["inferred"]
QUERIES_GRAPH = GRAPH["queries"]
METADATA_GRAPH = GRAPH["metadata"]

# Reused vocabularies.
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ELI_DL = Namespace("http://data.europa.eu/eli/eli-draft-legislation-ontology#")
ELI_ACT = "http://data.europa.eu/eli/"                 # base of official ELI IRIs of acts
CDM = Namespace("http://publications.europa.eu/ontology/cdm#")
OP_AUTHORITY = Namespace("http://publications.europa.eu/resource/authority/")
RESOURCE_TYPE = Namespace("http://publications.europa.eu/resource/authority/resource-type/")
CORPORATE_BODY = Namespace("http://publications.europa.eu/resource/authority/corporate-body/")
LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
CELEX = Namespace("http://publications.europa.eu/resource/celex/")
CELLAR_PROCEDURE = Namespace("http://publications.europa.eu/resource/procedure/")
EP_PROCEDURE = Namespace("https://data.europarl.europa.eu/eli/dl/proc/")
EUROVOC = Namespace("http://eurovoc.europa.eu/")
OA = Namespace("http://www.w3.org/ns/oa#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VANN = Namespace("http://purl.org/vocab/vann/")
SCHEMA = Namespace("https://schema.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
CELLAR_SPARQL_ENDPOINT = "https://publications.europa.eu/webapi/rdf/sparql"  # the Publications Office's public endpoint

#: Prefixes bound on every graph we serialise, and declared to SPARQL queries.
PREFIXES: dict[str, str] = {
    "pkg": str(PKG),
    "pkgsh": str(PKGSH),
    "file": str(FILE),
    "org": str(ORG),
    "porg": str(ORGANISATION),
    "position": str(POSITION),
    "publication": str(PUBLICATION),
    "event": str(EVENT),
    "claim": str(CLAIM),
    "scheme": str(SCHEME),
    "concept": str(CONCEPT),
    "graph": str(GRAPH),
    "eli": str(ELI),
    "eli-dl": str(ELI_DL),
    "cdm": str(CDM),
    "resource-type": str(RESOURCE_TYPE),
    "corporate-body": str(CORPORATE_BODY),
    "celex": str(CELEX),
    "eurovoc": str(EUROVOC),
    "oa": str(OA),
    "adms": str(ADMS),
    "vann": str(VANN),
    "schema": str(SCHEMA),
    "sd": str(SD),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "sh": str(SH),
    "skos": str(SKOS),
    "void": str(VOID),
    "xsd": str(XSD),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def compact(iri: str) -> str:
    """``prefix:local`` where a project prefix fits the IRI (and the local part needs no escaping), else ``<iri>``."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and re.fullmatch(r"[A-Za-z0-9_.-]*[A-Za-z0-9_-]", local):
            return f"{prefix}:{local}"
    return f"<{iri}>"


__all__ = [name for name in dir() if name.isupper()] + ["bind_prefixes", "compact"]
__all__ += ["DCAT", "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "VOID", "XSD"]
