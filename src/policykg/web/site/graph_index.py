"""What every page needs to know about the whole graph, computed once per dataset version: the label and the
definition of each IRI, which IRIs the graph describes, and what the dataset says about itself.

Labels are chosen by property (``skos:prefLabel``, ``rdfs:label``, ``eli:title_short``, ``eli:title``,
``dcterms:title``, ``schema:name``, and last ``dcterms:identifier``, the only name of a procedure) and then by
language (English, then untagged, then any); an IRI without a label is shown as a prefixed name
(``namespaces.compact``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.namespaces import DATASET, DCTERMS, ELI, RDFS, SCHEMA, SKOS, compact
from policykg.web.site import rq

LABEL_PROPERTIES = [str(SKOS.prefLabel), str(RDFS.label), str(ELI.title_short), str(ELI.title),
                    str(DCTERMS.title), str(SCHEMA.name), str(DCTERMS.identifier)]  # a procedure has only its reference
DEFINITION_PROPERTIES = [str(SKOS.definition), str(RDFS.comment)]
LANGUAGES = ["en", ""]   # preferred first; any other language after these


def _rank(properties: list[str], prop: str, literal: ox.Literal) -> tuple[int, int]:
    language = (literal.language or "").lower()
    by_language = LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES)
    return properties.index(prop), by_language


def _best(store, query: str, value_name: str, properties: list[str]) -> dict[str, str]:
    best: dict[str, tuple[tuple[int, int], str]] = {}
    for row in rq.rows(store, query):
        item, prop, value = row["item"].value, row["property"].value, row[value_name]
        if not isinstance(value, ox.Literal):  # labels.rq and definitions.rq keep literals only
            continue
        rank = _rank(properties, prop, value)
        if item not in best or rank < best[item][0] or (rank == best[item][0] and value.value < best[item][1]):
            best[item] = (rank, value.value)
    return {item: text for item, (_, text) in best.items()}


@dataclass
class Index:
    version: str
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    subjects: frozenset[str] = frozenset()
    dataset: dict[str, list[ox.NamedNode | ox.Literal]] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        """The best label of ``iri``, else its prefixed name, else the IRI."""
        found = self.labels.get(iri)
        if found:
            return found
        short = compact(iri)
        return iri if short.startswith("<") else short

    def has_label(self, iri: str) -> bool:
        return iri in self.labels

    def describes(self, iri: str) -> bool:
        """True when the graph has statements about ``iri`` (as their subject)."""
        return iri in self.subjects

    def dataset_value(self, prop: str) -> str | None:
        """One value the dataset states for ``prop`` (English first), as text."""
        values = self.dataset.get(prop, [])
        values = sorted(values, key=lambda v: (getattr(v, "language", None) not in ("en", None), v.value))
        return values[0].value if values else None


def build_index(store) -> Index:
    dataset: dict[str, list] = {}
    for row in rq.rows(store, "dataset", dataset=ox.NamedNode(DATASET)):
        dataset.setdefault(row["property"].value, []).append(row["value"])
    return Index(
        version=store.version,
        labels=_best(store, "labels", "label", LABEL_PROPERTIES),
        definitions=_best(store, "definitions", "text", DEFINITION_PROPERTIES),
        subjects=frozenset(row["item"].value for row in rq.rows(store, "subjects")),
        dataset=dataset,
    )


_LOCK = threading.Lock()


def index_for(endpoint) -> Index:
    """The index of the endpoint's store at its current version (kept in ``endpoint.cache``)."""
    key = f"pages-index:{endpoint.store.version}"
    found = endpoint.cache.get(key)
    if found is None:
        with _LOCK:
            found = endpoint.cache.get(key)
            if found is None:
                found = build_index(endpoint.store)
                for stale in [k for k in endpoint.cache if str(k).startswith("pages-index:")]:
                    endpoint.cache.pop(stale, None)
                endpoint.cache[key] = found
    return found
