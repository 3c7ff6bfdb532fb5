"""The 24 official EU languages: Publications Office language authority code -> BCP 47 tag.

CELLAR expressions name their language with an authority IRI (``.../authority/language/ENG``); the graph
writes titles with language tags (``"..."@en``).
"""

from __future__ import annotations

from rdflib import URIRef

from policykg.namespaces import LANGUAGE

EU_LANGUAGES: dict[str, str] = {
    "BUL": "bg", "CES": "cs", "DAN": "da", "DEU": "de", "ELL": "el", "ENG": "en", "EST": "et", "FIN": "fi",
    "FRA": "fr", "GLE": "ga", "HRV": "hr", "HUN": "hu", "ITA": "it", "LAV": "lv", "LIT": "lt", "MLT": "mt",
    "NLD": "nl", "POL": "pl", "POR": "pt", "RON": "ro", "SLK": "sk", "SLV": "sl", "SPA": "es", "SWE": "sv",
}


def language_tag(iri: str) -> str | None:
    """The BCP 47 tag of an official EU language IRI (``.../language/FRA`` -> ``fr``); None otherwise."""
    base = str(LANGUAGE)
    if not str(iri).startswith(base):
        return None
    return EU_LANGUAGES.get(str(iri)[len(base):])


def language_iri(tag: str) -> URIRef | None:
    """The authority IRI of a BCP 47 tag of an official EU language; None otherwise."""
    for code, known in EU_LANGUAGES.items():
        if known == tag:
            return LANGUAGE[code]
    return None
