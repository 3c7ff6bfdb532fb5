"""The one table of formats: what is read and what is written, media types, short names, file suffixes and the
engine's formats, and ``Accept`` negotiation.

Four families of answers: query results (SELECT), booleans (ASK), graphs (CONSTRUCT, DESCRIBE, graph downloads,
``policykg export``) and, for ``policykg query`` on a terminal, an aligned text table. Files are read by their
suffix (:func:`by_suffix`). :func:`negotiate` picks the format for an ``Accept`` header (werkzeug's parser:
q-values, ``type/*`` and ``*/*`` wildcards, ``q=0`` exclusions, parameters ignored) and :func:`by_name` for a
``?format=`` or ``--format`` short name; both raise :class:`~policykg.errors.NotAcceptable` listing the media
types that could carry the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from policykg.errors import NotAcceptable


@dataclass(frozen=True)
class Format:
    name: str                                  # the short name used in ``?format=`` and file extensions
    media_type: str
    extension: str                             # of a file written in this format (no dot)
    names: tuple[str, ...] = ()                # other short names
    aliases: tuple[str, ...] = ()              # other media types a client may ask for
    text: bool = True                          # a text type: sent with ``charset=utf-8``
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None
    suffixes: tuple[str, ...] = ()             # file suffixes read as this format
    quads: bool = False                        # a graph format that keeps named graphs
    all_types: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "all_types", frozenset((self.media_type, *self.aliases)))

    @property
    def w3c(self) -> str:
        """The format's IRI (W3C's "Unique URIs for file formats"), for service descriptions."""
        engine = self.results or self.rdf
        if engine is None:
            return ""
        if engine == ox.RdfFormat.JSON_LD:  # pyoxigraph 0.5 names it .../ns/formats/data/JSON-LD; W3C's list does not
            return ox.RdfFormat.N_QUADS.iri.rsplit("/", 1)[0] + "/JSON-LD"
        return engine.iri

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.text else self.media_type

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.names)


R = ox.QueryResultsFormat
G = ox.RdfFormat

JSON = Format("json", "application/sparql-results+json", "srj", ("srj",), ("application/json",), False,
              results=R.JSON)
XML = Format("xml", "application/sparql-results+xml", "srx", ("srx",), ("application/xml", "text/xml"), False,
             results=R.XML)
CSV = Format("csv", "text/csv", "csv", (), (), results=R.CSV)
TSV = Format("tsv", "text/tab-separated-values", "tsv", (), (), results=R.TSV)
TABLE = Format("table", "text/plain", "txt")   # aligned columns, for a terminal

TURTLE = Format("ttl", "text/turtle", "ttl", ("turtle",), ("application/x-turtle",), rdf=G.TURTLE, suffixes=(".ttl",))
NTRIPLES = Format("nt", "application/n-triples", "nt", ("ntriples", "n-triples"), ("text/n-triples",),
                  rdf=G.N_TRIPLES, suffixes=(".nt",))
JSONLD = Format("jsonld", "application/ld+json", "jsonld", ("json-ld", "json"), ("application/json",), False,
                rdf=G.JSON_LD, suffixes=(".jsonld", ".json"), quads=True)
RDFXML = Format("rdf", "application/rdf+xml", "rdf", ("rdfxml", "rdf-xml", "xml", "owl"),
                ("application/xml", "text/xml"), False, rdf=G.RDF_XML,
                suffixes=(".rdf", ".owl", ".xml"))
TRIG = Format("trig", "application/trig", "trig", (), ("application/x-trig",), rdf=G.TRIG,
              suffixes=(".trig",), quads=True)
NQUADS = Format("nq", "application/n-quads", "nq", ("nquads", "n-quads"), ("text/x-nquads",), rdf=G.N_QUADS,
                suffixes=(".nq",), quads=True)
HTML = Format("html", "text/html", "html", (), ("application/xhtml+xml",))

#: What each kind of answer can be written as, in the server's order of preference (the first is the default).
RESULT_FORMATS: tuple[Format, ...] = (JSON, XML, CSV, TSV)
BOOLEAN_FORMATS: tuple[Format, ...] = (JSON, XML)
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS)
DATASET_FORMATS: tuple[Format, ...] = (TRIG, NQUADS)   # quads: several graphs in one document

#: Formats for one kind of query form.
BY_FORM: dict[str, tuple[Format, ...]] = {
    "SELECT": RESULT_FORMATS, "ASK": BOOLEAN_FORMATS, "CONSTRUCT": GRAPH_FORMATS, "DESCRIBE": GRAPH_FORMATS,
}

#: What ``policykg query --format`` and ``/queries/NAME.EXT`` can write, per kind of answer (the first is the
#: default on a terminal). A graph also gives a table, CSV or TSV of its triples; ``json`` is JSON-LD for a graph.
ANSWER_FORMATS: dict[str, tuple[Format, ...]] = {
    "select": (TABLE, CSV, TSV, JSON, XML),
    "ask": (TABLE, CSV, TSV, JSON, XML),
    "graph": (TURTLE, TABLE, CSV, TSV, JSONLD, NTRIPLES, RDFXML, TRIG, NQUADS),
}

#: File suffix (lower case, with the dot) -> the graph format it is read as.
READ_SUFFIXES: dict[str, Format] = {suffix: fmt for fmt in GRAPH_FORMATS for suffix in fmt.suffixes}
RDF_SUFFIXES: tuple[str, ...] = tuple(READ_SUFFIXES)


def by_suffix(suffix: str) -> Format | None:
    """The graph format a file with this suffix (``.ttl``, ``.JSON``) is read as, or None."""
    return READ_SUFFIXES.get(suffix.lower())


@lru_cache(maxsize=512)
def parse_accept(header: str) -> MIMEAccept:
    """The media ranges of an ``Accept`` header (werkzeug's parser), parameters other than q dropped, malformed
    ranges (no subtype, ``*/x``) and invalid q-values skipped; sorted most specific first, then by q, then in
    the header's order."""
    ranges = []
    for value, q in parse_accept_header(header, MIMEAccept):
        media = value.split(";", 1)[0].strip().lower()
        main, slash, sub = media.partition("/")
        if slash and main and sub and (main != "*" or sub == "*"):
            ranges.append((media, q))
    return MIMEAccept(ranges)


def _specificity(media_range: str) -> int:
    """3 for an exact type, 2 for ``type/*``, 1 for ``*/*``."""
    return 1 if media_range == "*/*" else 2 if media_range.endswith("/*") else 3


def quality(ranges: MIMEAccept, fmt: Format) -> tuple[float, int, int, int]:
    """How much the client wants ``fmt``: (q, specificity, 1 if it named the format's own type rather than an
    alias, -position) of the most specific range covering one of its media types; q is 0 when none does."""
    best: tuple[int, int, int] | None = None          # (specificity, primary, -position)
    best_q = 0.0
    for media_type in (fmt.media_type, *fmt.aliases):
        position = ranges.find(media_type)            # werkzeug: the most specific range that covers it
        if position < 0:
            continue
        media_range, q = ranges[position]
        key = (_specificity(media_range), int(media_type == fmt.media_type), -position)
        if best is None or key > best:
            best, best_q = key, q
    if best is None:
        return (0.0, 0, 0, 0)
    return (best_q, *best)


@lru_cache(maxsize=1024)
def negotiate(accept: str | None, offers: tuple[Format, ...]) -> Format:
    """The offer the client prefers. No header or an empty one means the first offer. Ties go to the more
    specific range, then the one listed first, then the server's order."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    best, best_key = None, None
    for position, fmt in enumerate(offers):
        q, spec, primary, client_order = quality(ranges, fmt)
        if q <= 0:
            continue
        key = (q, spec, primary, client_order, -position)
        if best_key is None or key > best_key:
            best, best_key = fmt, key
    if best is None:
        raise NotAcceptable(f"none of the media types in Accept: {accept.strip()[:200]} can carry this answer",
                            [f.media_type for f in offers])
    return best


def by_name(name: str, offers: tuple[Format, ...]) -> Format:
    """The offer called ``name`` (a short name such as ``csv`` or ``ttl``, or a media type)."""
    wanted = name.strip().lower()
    for fmt in offers:
        if wanted in fmt.all_names or wanted in fmt.all_types:
            return fmt
    raise NotAcceptable(f"format {name.strip()[:100]!r} cannot carry this answer",
                        [f"{f.name} ({f.media_type})" for f in offers])


def rdf_format_for(content_type: str | None) -> Format | None:
    """The graph format of a request body's ``Content-Type`` (for uploads), or None when it is not RDF."""
    if not content_type:
        return None
    media = content_type.split(";")[0].strip().lower()
    for fmt in GRAPH_FORMATS:
        if media in fmt.all_types:
            return fmt
    return None
