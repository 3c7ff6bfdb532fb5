"""Answer formats: media types, short names, engine formats, and ``Accept`` negotiation.

Three families of answers: query results (SELECT), booleans (ASK) and graphs (CONSTRUCT, DESCRIBE, graph
downloads). :func:`negotiate` picks the format for an ``Accept`` header (q-values, ``type/*`` and ``*/*``
wildcards, ``q=0`` exclusions, parameters ignored) and :func:`by_name` for a ``?format=`` short name; both raise
:class:`~policykg.errors.NotAcceptable` listing the media types that could carry the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from policykg.errors import NotAcceptable


@dataclass(frozen=True)
class Format:
    name: str                                  # the short name used in ``?format=`` and file extensions
    media_type: str
    extension: str
    names: tuple[str, ...] = ()                # other short names
    aliases: tuple[str, ...] = ()              # other media types a client may ask for
    text: bool = True                          # a text type: sent with ``charset=utf-8``
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None
    rdflib: str | None = None                  # rdflib's serializer name
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

TURTLE = Format("ttl", "text/turtle", "ttl", ("turtle",), ("application/x-turtle",), rdf=G.TURTLE,
                rdflib="turtle")
NTRIPLES = Format("nt", "application/n-triples", "nt", ("ntriples", "n-triples"), ("text/n-triples",),
                  rdf=G.N_TRIPLES, rdflib="nt11")
JSONLD = Format("jsonld", "application/ld+json", "jsonld", ("json-ld", "json"), ("application/json",), False,
                rdf=G.JSON_LD, rdflib="json-ld")
RDFXML = Format("rdf", "application/rdf+xml", "rdf", ("rdfxml", "rdf-xml", "xml", "owl"),
                ("application/xml", "text/xml"), False, rdf=G.RDF_XML, rdflib="xml")
TRIG = Format("trig", "application/trig", "trig", (), ("application/x-trig",), rdf=G.TRIG, rdflib="trig")
NQUADS = Format("nq", "application/n-quads", "nq", ("nquads", "n-quads"), ("text/x-nquads",), rdf=G.N_QUADS,
                rdflib="nquads")
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


@dataclass(frozen=True)
class MediaRange:
    type: str        # "text", "*"
    subtype: str     # "turtle", "*"
    q: float
    index: int       # position in the header (earlier wins ties)

    def specificity(self, media_type: str) -> int:
        """3 for an exact match, 2 for ``type/*``, 1 for ``*/*``, 0 when the range does not cover the type."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


@lru_cache(maxsize=512)
def parse_accept(header: str) -> tuple[MediaRange, ...]:
    """The media ranges of an ``Accept`` header; malformed ranges are skipped, q is clamped to [0, 1]."""
    ranges = []
    for index, part in enumerate(header.split(",")):
        pieces = part.split(";")
        media = pieces[0].strip().lower()
        main, slash, sub = media.partition("/")
        if not slash or not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(main, sub, q, index))
    return tuple(ranges)


def quality(ranges: tuple[MediaRange, ...], fmt: Format) -> tuple[float, int, int, int]:
    """How much the client wants ``fmt``: (q, specificity, 1 if it named the format's own type rather than an
    alias, -position) of the most specific range covering one of its media types; q is 0 when none does."""
    best: tuple[int, int, float, int] | None = None
    for media_type in (fmt.media_type, *fmt.aliases):
        primary = int(media_type == fmt.media_type)
        for r in ranges:
            spec = r.specificity(media_type)
            if spec and (best is None or (spec, primary, -r.index) > (best[0], best[1], -best[3])):
                best = (spec, primary, r.q, r.index)
    if best is None:
        return (0.0, 0, 0, 0)
    return (best[2], best[0], best[1], -best[3])


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
