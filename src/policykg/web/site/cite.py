"""How to cite (``/cite``): the dataset's release as a reference (APA-like text and BibTeX) with its version, the
build's content hash, date, creators and licence, and how to cite one answer of a named query (its stable URL,
the release and the build). ``/cite?query=NAME&KEY=VALUE`` writes the citation of that answer.

Everything comes from the dataset's own description (``data/dataset.ttl``, stamped by ``policykg release``) and
the store's version; absolute URLs are built from the server's public root (``serve --base-url``), never from the
request's Host header.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from policykg.errors import PolicyKGError
from policykg.formats import HTML
from policykg.namespaces import DATASET, DCTERMS
from policykg.queries.registry import NamedQuery, QueryRegistry
from policykg.web.context import current_endpoint
from policykg.web.respond import answer, etag_for, matches, not_modified
from policykg.web.results import Body
from policykg.web.settings import TIME_LIMIT_PARAMETER, public_root
from policykg.web.site.graph_index import index_for
from policykg.web.site.site_info import Site, site

#: The named query the page uses as its example when none is asked for.
EXAMPLE_QUERY = "status-on-date"
_BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")


@dataclass(frozen=True)
class Citation:
    authors: str
    year: str
    title: str
    version: str
    build: str
    date: str
    licence: str
    licence_name: str
    url: str

    @property
    def apa(self) -> str:
        version = f"Version {self.version}; build {self.build[:12]}" if self.version else f"build {self.build[:12]}"
        return f"{self.authors}. ({self.year}). {self.title} ({version}) [Data set]. {self.url}"

    @property
    def bibtex(self) -> str:
        key = "policykg" + (f"-{self.version}" if self.version else "")
        fields = [("author", "{" + _bib(self.authors) + "}"), ("title", _bib(self.title)), ("year", self.year),
                  ("version", _bib(self.version)), ("url", self.url), ("date", self.date),
                  ("note", _bib(f"Data set, build {self.build}; licence {self.licence_name} ({self.licence})"))]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        return f"@misc{{{key},\n{body}\n}}"


@dataclass(frozen=True)
class QueryCitation:
    query: NamedQuery
    values: dict[str, list[str]]
    page_url: str
    data_url: str
    text: str


def _bib(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", text)


def citation(info: Site, creators: list[str]) -> Citation:
    released = info.modified or info.issued
    return Citation(authors=", ".join(creators) or "The policykg contributors", year=released[:4],
                    title=info.title, version=info.version, build=info.build, date=released,
                    licence=info.licence, licence_name=info.licence_name, url=DATASET)


def query_citation(cite: Citation, query: NamedQuery, values: dict[str, list[str]], root: str,
                   today: str) -> QueryCitation:
    """The citation of one answer: bad parameter values fail here (QueryParameterError), as on the query's URL."""
    query.bind({k: v[0] if len(v) == 1 else v for k, v in values.items()})
    suffix = f"?{urlencode(values, doseq=True)}" if values else ""
    page_url = f"{root}/queries/{query.name}{suffix}"
    data_url = f"{root}/queries/{query.name}.csv{suffix}"
    given = ", ".join(f"{k}={v}" for k, vs in values.items() for v in vs) or "default parameters"
    version = f"release {cite.version}, " if cite.version else ""
    text = (f"{cite.authors}. ({today[:4]}). {query.title} [named query {query.name}, {given}]. In {cite.title} "
            f"({version}build {cite.build[:12]}). {data_url}. Retrieved {today}.")
    return QueryCitation(query, values, page_url, data_url, text)


def create_blueprint(registry: QueryRegistry | Callable[[], QueryRegistry]) -> Blueprint:
    blueprint = Blueprint("cite", __name__)
    get_registry = registry if callable(registry) else lambda: registry

    @blueprint.get("/cite")
    def page() -> Response | tuple[Response, int]:
        endpoint = current_endpoint()
        version = endpoint.store.version
        root = public_root(endpoint.settings, request.environ)
        today = datetime.now(UTC).date().isoformat()
        asked = request.args.get("query")
        values = {k: v for k, v in request.args.lists() if k not in ("query", TIME_LIMIT_PARAMETER)}
        etag = etag_for("cite", version, root, today, asked, sorted(values.items()))
        if matches(request, etag):
            return not_modified(endpoint.settings, etag, version, False)
        index = index_for(endpoint)
        info = site(endpoint)
        creators = sorted(index.label(term.value) for term in index.dataset.get(str(DCTERMS.creator), []))
        cite = citation(info, creators)
        queries = get_registry()
        error, example = None, None
        try:
            if asked:
                example = query_citation(cite, _query(queries, asked), values, root, today)
            elif EXAMPLE_QUERY in queries:
                example = query_citation(cite, queries[EXAMPLE_QUERY], {}, root, today)
        except PolicyKGError as problem:
            error = problem
        html = render_template("pkg_cite.html", site=info, cite=cite, example=example, error=error, asked=asked,
                               queries=list(queries.values()), root=request.script_root, today=today)
        status = error.http_status if error is not None else 200
        reply = answer(request, endpoint.settings, Body(html.encode("utf-8"), 0), HTML, etag=etag, version=version,
                       filename="cite.html", download=False)
        return (reply, status) if status != 200 else reply

    return blueprint


def _query(queries: QueryRegistry, name: str) -> NamedQuery:
    return queries[name[:200]]  # QueryNotFound (404) names the known queries


__all__ = ["Citation", "QueryCitation", "citation", "create_blueprint", "query_citation"]
