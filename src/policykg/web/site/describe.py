"""The description of one IRI, for its page and its RDF: what the graph says about it, what points to it, and which
of those statements only the reasoner inferred.

The RDF of a document IRI ``D`` is its concise bounded description (its statements and the blank nodes they lead
to), the descriptions of the IRIs of its hash namespace ``D#…`` (the ontology's terms live in ``/ontology``), and
the statements of other resources that point to ``D`` (so that an IRI only ever used as an object is described
too). A statement is *inferred* when the inferred graph (``namespaces.INFERRED_GRAPH``) is the only graph that
holds it. The page shows labels instead of IRIs (:mod:`.graph_index`), links our IRIs to their pages and external
IRIs to themselves, never fetching them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox

from policykg.formats import JSONLD
from policykg.namespaces import DCTERMS, FILE, INFERRED_GRAPH, OWL, PKG, RDF, RDFS, SH, SKOS, XSD, compact
from policykg.web.results import serialize_graph
from policykg.web.site import links_out, rq
from policykg.web.site.graph_index import LABEL_PROPERTIES, Index
from policykg.web.site.links_out import LinkOut
from policykg.web.site.local_iris import is_ours, local_path

INFERRED = str(INFERRED_GRAPH)
TYPE = str(RDF.type)
FIRST, REST, NIL = str(RDF.first), str(RDF.rest), ox.NamedNode(str(RDF.nil))
SUMMARY_PROPERTIES = [str(DCTERMS.description), str(SKOS.definition), str(RDFS.comment)]
FILE_TYPES = {str(PKG.PolicyFile), str(PKG.PolicyPackage)}
INCOMING_LIMIT = 2000   # the LIMIT of incoming.rq
MAX_DEPTH = 8           # blank nodes nested deeper than this are not drawn (lists of lists)
CODE_PROPERTIES = {str(SH.select), str(SH.construct), str(SH.ask), str(SH.sparql)}
#: The kinds a term of a hash namespace is listed under, in this order (other types after them).
KINDS = [(str(OWL.Class), "Classes"), (str(RDFS.Class), "Classes"), (str(OWL.ObjectProperty), "Object properties"),
         (str(OWL.DatatypeProperty), "Datatype properties"), (str(OWL.AnnotationProperty), "Annotation properties"),
         (str(RDF.Property), "Properties"), (str(SH.NodeShape), "Node shapes"),
         (str(SH.PropertyShape), "Property shapes"), (str(SKOS.ConceptScheme), "Concept schemes"),
         (str(SKOS.Concept), "Concepts")]


@dataclass
class Node:
    """One term as a page shows it."""

    kind: str                    # "iri", "literal", "bnode" or "list" (an RDF collection)
    text: str                    # the label, or the literal's value
    iri: str = ""
    href: str = ""               # our IRIs: their page here; external IRIs: the IRI itself
    described_here: str = ""     # external IRIs the graph describes: their description on this server
    note: str = ""               # a literal's language or datatype
    title: str = ""              # tooltip: the IRI and its definition
    inferred: bool = False
    external: bool = False
    code: bool = False           # a literal holding query text, shown as code
    rows: list[Row] = field(default_factory=list)   # a blank node's own statements
    items: list[Node] = field(default_factory=list)  # the members of a list, in order

    @property
    def short(self) -> str:
        """The prefixed name of an IRI (``pkg:stance``), or the IRI."""
        return compact(self.iri).strip("<>") if self.iri else ""


@dataclass
class Row:
    property: Node
    values: list[Node]


@dataclass
class Section:
    """A resource described on the page: the main one, or one term of its hash namespace."""

    iri: str
    anchor: str
    label: str
    types: list[Node]
    summary: str
    rows: list[Row]

    @property
    def kind(self) -> str:
        """The heading the term is listed under (its main type)."""
        iris = [t.iri for t in self.types]
        for iri, heading in KINDS:
            if iri in iris:
                return heading
        return self.types[0].text if self.types else "Other"

    @property
    def kind_order(self) -> tuple[int, str]:
        """Sorts and groups terms by kind: the kinds of ``KINDS`` first, in its order."""
        kind = self.kind
        return next((i for i, (_, heading) in enumerate(KINDS) if heading == kind), len(KINDS)), kind

    @property
    def short(self) -> str:
        """The prefixed name (``pkg:PolicyFile``), or the IRI."""
        return compact(self.iri).strip("<>")


@dataclass
class Instrument:
    role: str
    node: Node
    celex: str
    date: str
    links: list[LinkOut]


@dataclass
class Description:
    iri: str
    main: Section
    terms: list[Section]
    incoming: list[Row]
    incoming_cut: bool
    triples: list[ox.Triple]
    links: list[LinkOut] = field(default_factory=list)
    instruments: list[Instrument] = field(default_factory=list)
    file_slug: str | None = None
    graph_size: int | None = None   # for the IRI of a named graph: how many triples it holds

    @property
    def found(self) -> bool:
        return bool(self.triples) or self.graph_size is not None

    @property
    def label(self) -> str:
        return self.main.label

    def jsonld(self) -> object:
        """The description as JSON-LD (a value to embed with ``tojson``)."""
        return json.loads(serialize_graph(self.triples, JSONLD) or b"[]")


def describe_url(iri: str, script_root: str = "") -> str:
    """The page here for an IRI that is not ours (an act, a procedure, a EuroVoc concept)."""
    return f"{script_root}/describe?{urlencode({'iri': iri})}"


class _Builder:
    """Turns terms into :class:`Node` values, nesting blank nodes from the triples at hand."""

    def __init__(self, index: Index, script_root: str, triples: list[ox.Triple]) -> None:
        self.index = index
        self.root = script_root
        self.by_subject: dict[object, list[ox.Triple]] = defaultdict(list)
        for triple in triples:
            self.by_subject[triple.subject].append(triple)

    def node(self, term, *, inferred: bool = False, depth: int = 0) -> Node:
        if isinstance(term, ox.NamedNode):
            iri = term.value
            definition = self.index.definitions.get(iri, "")
            title = f"{iri}\n{definition}" if definition else iri
            if is_ours(iri):
                return Node("iri", self.index.label(iri), iri, local_path(iri, self.root), title=title,
                            inferred=inferred)
            here = describe_url(iri, self.root) if self.index.describes(iri) else ""
            return Node("iri", self.index.label(iri), iri, iri, described_here=here, title=title,
                        inferred=inferred, external=True)
        if isinstance(term, ox.Literal):
            note = term.language or ("" if term.datatype.value == str(XSD.string) else compact(term.datatype.value))
            return Node("literal", term.value, note=note, inferred=inferred)
        items = self._list_items(term)
        if items is not None:
            return Node("list", "", items=[self.node(item, depth=depth + 1) for item in items], inferred=inferred)
        rows = self.rows(term, set(), depth + 1) if depth < MAX_DEPTH else []
        return Node("bnode", "", rows=rows, inferred=inferred)

    def _list_items(self, head) -> list | None:
        """The members of an RDF list that starts at the blank node ``head``, or None if it is not one."""
        items, node, seen = [], head, set()
        while isinstance(node, ox.BlankNode) and node not in seen:
            seen.add(node)
            statements = {t.predicate.value: t.object for t in self.by_subject.get(node, [])}
            if set(statements) != {FIRST, REST}:
                return None
            items.append(statements[FIRST])
            node = statements[REST]
        return items if node == NIL else None

    def rows(self, subject, inferred_keys: set[tuple[str, str]], depth: int = 0) -> list[Row]:
        by_property: dict[str, list] = defaultdict(list)
        for triple in self.by_subject.get(subject, []):
            if triple.object not in by_property[triple.predicate.value]:
                by_property[triple.predicate.value].append(triple.object)
        rows = []
        for prop in sorted(by_property, key=self._property_order):
            values = [self.node(v, inferred=(prop, str(v)) in inferred_keys, depth=depth)
                      for v in by_property[prop]]
            for value in values:
                value.code = value.kind == "literal" and prop in CODE_PROPERTIES
            rows.append(Row(self.node(ox.NamedNode(prop)), sorted(values, key=_node_order)))
        return rows

    def _property_order(self, prop: str) -> tuple[int, str]:
        if prop == TYPE:
            return 0, ""
        if prop in LABEL_PROPERTIES:
            return 1, str(LABEL_PROPERTIES.index(prop))
        if prop in SUMMARY_PROPERTIES:
            return 2, str(SUMMARY_PROPERTIES.index(prop))
        return 3, self.index.label(prop).lower()

    def section(self, iri: str, inferred_keys: set[tuple[str, str]], anchor: str = "") -> Section:
        subject = ox.NamedNode(iri)
        statements = self.by_subject.get(subject, [])
        types = [self.node(t.object, inferred=(TYPE, str(t.object)) in inferred_keys)
                 for t in statements if t.predicate.value == TYPE]
        types.sort(key=lambda n: (n.inferred, n.text.lower()))
        summaries = {t.predicate.value: t.object for t in statements
                     if t.predicate.value in SUMMARY_PROPERTIES and isinstance(t.object, ox.Literal)
                     and (t.object.language or "en").lower().startswith("en")}
        summary = next((summaries[p].value for p in SUMMARY_PROPERTIES if p in summaries), "")
        return Section(iri, anchor, self.index.label(iri), types, summary, self.rows(subject, inferred_keys))


def _node_order(node: Node) -> tuple[int, str, str]:
    return {"iri": 0, "literal": 1}.get(node.kind, 2), node.text.lower(), node.iri


def _inferred_keys(statement_rows: list[dict], key: str = "resource") -> dict[str, set[tuple[str, str]]]:
    """For each subject, the (property, value) pairs that only the inferred graph holds."""
    graphs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in statement_rows:
        graphs[(row[key].value, row["property"].value, str(row["value"]))].add(row["graph"].value)
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for (subject, prop, value), names in graphs.items():
        if names == {INFERRED}:
            found[subject].add((prop, value))
    return found


def _unique(triples: list[ox.Triple]) -> list[ox.Triple]:
    return list(dict.fromkeys(triples))


def describe(store, index: Index, iri: str, *, script_root: str = "") -> Description:
    resource = ox.NamedNode(iri)
    triples = rq.triples(store, "describe", resource=resource)
    statement_rows = rq.rows(store, "statements", resource=resource)
    namespace = iri + "#"
    has_terms = "#" not in iri and any(s.startswith(namespace) for s in index.subjects)
    term_triples: list[ox.Triple] = []
    if has_terms:
        term_triples = rq.triples(store, "describe_namespace", in_values=True, namespace=ox.NamedNode(namespace))
        statement_rows += rq.rows(store, "namespace_statements", namespace=ox.NamedNode(namespace))
    incoming_rows = rq.rows(store, "incoming", resource=resource)
    if "#" not in iri:  # the namespace IRI itself (``…/ontology#``, named by void:vocabulary) is described here too
        incoming_rows += rq.rows(store, "incoming", resource=ox.NamedNode(namespace))
    inferred = _inferred_keys(statement_rows)

    builder = _Builder(index, script_root, _unique(triples + term_triples))
    main = builder.section(iri, inferred.get(iri, set()))
    terms = []
    if has_terms:
        iris = sorted({t.subject.value for t in term_triples
                       if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(namespace)
                       and t.subject.value != namespace})
        terms = [builder.section(term, inferred.get(term, set()), anchor=term[len(namespace):]) for term in iris]
        terms.sort(key=lambda s: (s.kind_order, s.label.lower()))

    incoming, incoming_triples = _incoming(builder, index, incoming_rows)

    description = Description(iri, main, terms, incoming, len(incoming_rows) >= INCOMING_LIMIT,
                              _unique(triples + term_triples + incoming_triples))
    if store.contains_graph(resource):
        sizes = rq.rows(store, "graph_size", graph=resource)
        description.graph_size = int(sizes[0]["triples"].value) if sizes else 0
    if description.found:
        _add_links(store, description, builder)
    return description


def _incoming(builder: _Builder, index: Index, rows: list[dict]) -> tuple[list[Row], list[ox.Triple]]:
    """The references to the resource, grouped by property for the page, and as triples for its RDF."""
    graphs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    terms: dict[tuple[str, str, str], tuple] = {}
    for row in rows:
        key = (row["property"].value, row["subject"].value, row["resource"].value)
        graphs[key].add(row["graph"].value)
        terms[key] = (row["subject"], row["property"], row["resource"])
    by_property: dict[str, list[Node]] = defaultdict(list)
    for key, names in graphs.items():
        by_property[key[0]].append(builder.node(terms[key][0], inferred=names == {INFERRED}))
    grouped = [Row(builder.node(ox.NamedNode(prop)), sorted(nodes, key=lambda n: n.text.lower()))
               for prop, nodes in sorted(by_property.items(), key=lambda item: index.label(item[0]).lower())]
    return grouped, [ox.Triple(subject, prop, target) for subject, prop, target in terms.values()]


def _add_links(store, description: Description, builder: _Builder) -> None:
    """EUR-Lex, ELI and OEIL links of the resource, and for a policy file its instruments and timeline."""
    iri = description.iri
    own = builder.by_subject.get(ox.NamedNode(iri), [])
    celexes = [t.object.value for t in own
               if t.predicate.value == str(PKG.celex) and not isinstance(t.object, ox.Triple)]
    procedures = [row["procedureId"].value
                  for row in rq.rows(store, "procedures", resource=ox.NamedNode(iri))]
    description.links = links_out.links_for(iri, celexes, procedures)
    types = {t.object.value for t in own if t.predicate.value == TYPE and not isinstance(t.object, ox.Triple)}
    if not types & FILE_TYPES:
        return
    if iri.startswith(str(FILE)):
        description.file_slug = iri[len(str(FILE)):]
    for row in rq.rows(store, "instruments", file=ox.NamedNode(iri)):
        celex = row["celex"].value if "celex" in row else ""
        procedure = [row["procedureId"].value] if "procedureId" in row else []
        description.instruments.append(Instrument(
            role=row["role"].value, node=builder.node(row["instrument"]), celex=celex,
            date=row["date"].value if "date" in row else "",
            links=links_out.links_for(row["instrument"].value, [celex] if celex else [], procedure)))
