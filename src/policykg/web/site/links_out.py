"""Links out to the official pages of EU law: EUR-Lex by CELEX, EUR-Lex by ELI, the Legislative Observatory (OEIL)
by procedure. Built from the identifiers in the graph with :mod:`policykg.identifiers`; never fetched."""

from __future__ import annotations

from dataclasses import dataclass

from policykg.errors import IdentifierError
from policykg.identifiers import eli_url, eurlex_url, oeil_url
from policykg.namespaces import ELI_ACT


@dataclass(frozen=True)
class LinkOut:
    site: str    # "EUR-Lex", "ELI", "OEIL"
    text: str    # what the link shows: the identifier
    url: str


def for_celex(celex: str) -> LinkOut | None:
    try:
        return LinkOut("EUR-Lex", f"CELEX {celex}", eurlex_url(celex))
    except IdentifierError:
        return None


def for_eli(iri: str) -> LinkOut | None:
    if not iri.startswith(ELI_ACT):
        return None
    try:
        return LinkOut("ELI", iri[len(ELI_ACT):], eli_url(iri))
    except IdentifierError:
        return None


def for_procedure(reference: str) -> LinkOut | None:
    try:
        return LinkOut("OEIL", reference, oeil_url(reference))
    except IdentifierError:
        return None


def links_for(iri: str, celexes: list[str], procedures: list[str]) -> list[LinkOut]:
    """Every link out for one resource: its CELEX numbers, its ELI, its procedures; duplicates dropped."""
    links = [for_celex(c) for c in celexes] + [for_eli(iri)] + [for_procedure(p) for p in procedures]
    return list(dict.fromkeys(link for link in links if link is not None))
