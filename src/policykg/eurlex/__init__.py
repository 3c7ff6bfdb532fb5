"""EUR-Lex linking: the enrichment from CELLAR, in submodules imported only when used: ``client`` (CELLAR
batches over the one SPARQL client, :mod:`policykg.sparql.client`), ``sparql`` (query files and VALUES blocks),
``cellar`` (what CELLAR says), ``curated`` (what our data says), ``mapping`` (CELLAR's answer in ELI terms),
``diff`` (the report), ``enrich`` (end to end), ``languages``.

The identifier grammar (CELEX, ELI, COM numbers, procedure references) is :mod:`policykg.identifiers`, in the
core; its names are re-exported here for convenience.
"""

from policykg.identifiers import (
    ELI_TYPEDOCS,
    LEGAL_ACT_DESCRIPTORS,
    PROCEDURE_TYPES,
    Celex,
    Com,
    Eli,
    Procedure,
    celex_to_eli,
    cellar_celex_iri,
    cellar_iri_to_procedure,
    com_to_celex,
    eli_to_celex,
    eli_url,
    ep_iri_to_procedure,
    eurlex_url,
    oeil_url,
    parse_celex,
    parse_com,
    parse_eli,
    parse_procedure,
    procedure_to_cellar_iri,
    procedure_to_ep_iri,
)

__all__ = [
    "ELI_TYPEDOCS", "LEGAL_ACT_DESCRIPTORS", "PROCEDURE_TYPES",
    "Celex", "Com", "Eli", "Procedure",
    "cellar_celex_iri", "cellar_iri_to_procedure", "celex_to_eli", "com_to_celex", "eli_to_celex",
    "eli_url", "ep_iri_to_procedure", "eurlex_url", "oeil_url", "parse_celex", "parse_com",
    "parse_eli", "parse_procedure", "procedure_to_cellar_iri", "procedure_to_ep_iri",
]
