"""What the header and footer of every page show: the dataset's title, version, build and licence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.namespaces import DCAT, DCTERMS
from policykg.web.site.graph_index import index_for

_CREATIVE_COMMONS = re.compile(r"https?://creativecommons\.org/licenses/([a-z-]+)/([0-9.]+)/?")


def licence_name(iri: str, label: str | None = None) -> str:
    """The licence's label in the graph, else its usual short name (``CC BY 4.0``), else its IRI."""
    if label:
        return label
    found = _CREATIVE_COMMONS.fullmatch(iri)
    return f"CC {found.group(1).upper()} {found.group(2)}" if found else iri


@dataclass(frozen=True)
class Site:
    title: str
    short_title: str
    description: str
    version: str        # dcat:version, what the data says
    build: str          # the build's content hash (the store's version)
    licence: str
    licence_name: str
    issued: str
    modified: str

    @property
    def short_build(self) -> str:
        return self.build[:12]


def site(endpoint) -> Site:
    index = index_for(endpoint)
    title = index.dataset_value(str(DCTERMS.title)) or "policykg"
    licence = index.dataset_value(str(DCTERMS.license)) or ""
    return Site(
        title=title,
        short_title=title.split(":", 1)[0],
        description=index.dataset_value(str(DCTERMS.description)) or "",
        version=index.dataset_value(str(DCAT) + "version") or "",
        build=endpoint.store.version,
        licence=licence,
        licence_name=licence_name(licence, index.labels.get(licence)),
        issued=index.dataset_value(str(DCTERMS.issued)) or "",
        modified=index.dataset_value(str(DCTERMS.modified)) or "",
    )
