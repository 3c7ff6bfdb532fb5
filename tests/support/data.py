"""A small data set for the endpoint tests, written as TriG: a few policy files shaped like the project's data,
the dataset's own description, a literal that needs escaping in every format, and a chain of nodes on which
property paths and cross products can be made as expensive as needed."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from policykg.namespaces import (CELEX, DATASET, DCAT, DCTERMS, ELI, ELI_ACT, FILE, GRAPH, ID, PKG, RDF, RDFS,
                                 SKOS, VOID, XSD)

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
TITLE = "policykg endpoint test data"
VERSION = "9.9.9-test"
TRICKY = 'Tab\there, "quoted", a comma, a new\nline, ünïcödé, and the word SERVICE <http://x> {}'
CHAIN = 300

ACTS = {  # slug: (CELEX, ELI path, class, label, date)
    "ai-act": ("32024R1689", "reg/2024/1689/oj", "Regulation", "AI Act", "2024-06-13"),
    "return-directive": ("32008L0115", "dir/2008/115/oj", "Directive", "Return Directive", "2008-12-16"),
    "single-permit-directive": ("32024L1233", "dir/2024/1233/oj", "Directive", "Single Permit Directive",
                                "2024-04-24"),
}


def _n(iri) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def quads() -> list[ox.Quad]:
    out: list[ox.Quad] = []
    meta = _n(GRAPH["data/dataset"])
    dataset = _n(DATASET)
    out += [ox.Quad(dataset, _n(RDF.type), _n(DCAT.Dataset), meta),
            ox.Quad(dataset, _n(RDF.type), _n(VOID.Dataset), meta),
            ox.Quad(dataset, _n(DCTERMS.title), ox.Literal(TITLE, language="en"), meta),
            ox.Quad(dataset, _n(DCTERMS.license), ox.NamedNode(LICENCE), meta),
            ox.Quad(dataset, _n(f"{DCAT}version"), ox.Literal(VERSION), meta)]
    for slug, (celex, eli, cls, label, date) in ACTS.items():
        graph = _n(GRAPH[f"data/{slug}"])
        file, act = _n(FILE[slug]), _n(ELI_ACT + eli)
        out += [ox.Quad(file, _n(RDF.type), _n(PKG.PolicyFile), graph),
                ox.Quad(file, _n(SKOS.prefLabel), ox.Literal(label, language="en"), graph),
                ox.Quad(file, _n(PKG.hasAdoptedAct), act, graph),
                ox.Quad(act, _n(RDF.type), _n(PKG[cls]), graph),
                ox.Quad(act, _n(PKG.celex), ox.Literal(celex), graph),
                ox.Quad(act, _n(ELI.date_document), ox.Literal(date, datatype=_n(XSD.date)), graph),
                ox.Quad(act, _n(RDFS.seeAlso), _n(CELEX[celex]), graph)]
    tricky = _n(GRAPH["data/tricky"])
    out.append(ox.Quad(_n(FILE["ai-act"]), _n(RDFS.comment), ox.Literal(TRICKY, language="en"), tricky))
    chain = _n(GRAPH["data/chain"])
    for i in range(CHAIN):
        node = _n(ID[f"node/{i}"])
        out.append(ox.Quad(node, _n(ID["next"]), _n(ID[f"node/{i + 1}"]), chain))
        out.append(ox.Quad(node, _n(RDFS.label), ox.Literal("a" * 30 + str(i)), chain))
    return out


def write(path: Path) -> Path:
    """Write the data set to ``path`` (TriG) and return it."""
    path.write_bytes(ox.serialize(quads(), format=ox.RdfFormat.TRIG))
    return path
