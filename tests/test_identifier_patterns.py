"""The identifier patterns of the SHACL shapes agree with the identifier grammar of :mod:`policykg.identifiers`.

Two places say what a CELEX number, a procedure reference and an ELI of an act look like: the grammar the code
parses with, and the ``sh:pattern`` the shapes validate the data with. These tests tie them: whatever a shape
accepts, the grammar accepts, as the same identifier; and what the grammar refuses, no shape accepts.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef

from policykg.identifiers import (IdentifierError, celex_to_eli, eli_to_celex, parse_celex, parse_eli,
                                  parse_procedure)
from policykg.namespaces import SH

SHAPES = "https://w3id.org/policykg/shapes#"


@pytest.fixture(scope="module")
def shapes(project) -> Graph:
    graph = Graph()
    for path in project.shape_files():
        graph.parse(path, format="turtle")
    return graph


def _pattern(shapes: Graph, name: str) -> re.Pattern[str]:
    value = shapes.value(URIRef(SHAPES + name), URIRef(str(SH.pattern)))
    assert value is not None, f"pkgsh:{name} has no sh:pattern"
    return re.compile(str(value))


CELEX_LIKE = st.from_regex(r"\A[0-9]{5}[A-Z]{1,2}[0-9]{3,5}(\([0-9]{2}\)|R\([0-9]{2}\)|-[0-9]{8})?\Z")
PROCEDURE_LIKE = st.from_regex(r"\A[0-9]{4}/[0-9]{4}[A-Z]?\([A-Z]{3}\)\Z")


def test_every_celex_the_shape_accepts_the_grammar_accepts_unchanged(shapes):
    pattern = _pattern(shapes, "CelexSyntaxShape")

    @settings(max_examples=400, deadline=None)
    @given(st.from_regex(pattern, fullmatch=True))
    def check(text: str) -> None:
        assert str(parse_celex(text)) == text

    check()


def test_what_the_grammar_refuses_the_shape_refuses(shapes):
    pattern = _pattern(shapes, "CelexSyntaxShape")

    @settings(max_examples=600, deadline=None)
    @given(CELEX_LIKE)
    def check(text: str) -> None:
        try:
            parse_celex(text)
        except IdentifierError:
            assert not pattern.search(text), f"the shape accepts {text!r}, which the grammar refuses"

    check()


@pytest.mark.parametrize("refused", ["32024R168", "32024R1689R(01)", "32024R1689-20240712", "3224R1689"])
def test_known_bad_celex_numbers_are_refused_by_both(shapes, refused):
    with pytest.raises(IdentifierError):
        parse_celex(refused)
    assert not _pattern(shapes, "CelexSyntaxShape").search(refused)


def test_every_procedure_reference_the_shape_accepts_the_grammar_accepts(shapes):
    pattern = _pattern(shapes, "ProcedureReferenceShape")

    @settings(max_examples=400, deadline=None)
    @given(st.from_regex(pattern, fullmatch=True))
    def check(text: str) -> None:
        assert str(parse_procedure(text)) == text

    check()

    @settings(max_examples=400, deadline=None)
    @given(PROCEDURE_LIKE)
    def refused(text: str) -> None:
        try:
            parse_procedure(text)
        except IdentifierError:
            assert not pattern.search(text), f"the shape accepts {text!r}, which the grammar refuses"

    refused()


def test_every_eli_the_instrument_shape_accepts_has_a_celex_number(shapes):
    pattern = _pattern(shapes, "InstrumentIriShape")
    eli_only = re.compile(pattern.pattern.replace(
        r"|http://publications\.europa\.eu/resource/celex/[0-9]{5}[A-Z]{1,2}[0-9]{4}(\([0-9]{2}\))?", ""))

    @settings(max_examples=300, deadline=None)
    @given(st.from_regex(eli_only, fullmatch=True).filter(lambda iri: int(iri.split("/")[-2]) <= 9999))
    def check(iri: str) -> None:
        eli = parse_eli(iri)
        celex = eli_to_celex(eli)
        # CELEX does not tell an implementing or delegated act from its base type: compare year and number.
        back = celex_to_eli(celex)
        assert back is not None and (back.year, back.number) == (eli.year, eli.number)
        assert eli.typedoc.startswith(back.typedoc)

    check()


def test_every_identifier_in_the_data_passes_both(graph_query, shapes):
    celex = _pattern(shapes, "CelexSyntaxShape")
    procedure = _pattern(shapes, "ProcedureReferenceShape")
    numbers = graph_query.select("SELECT DISTINCT ?n WHERE { ?act pkg:celex ?n }")
    references = graph_query.select("SELECT DISTINCT ?r WHERE { ?p a eli-dl:Process ; dcterms:identifier ?r }")
    assert numbers and references
    for row in numbers:
        assert celex.search(row["n"]) and str(parse_celex(row["n"])) == row["n"]
    for row in references:
        assert procedure.search(row["r"]) and str(parse_procedure(row["r"])) == row["r"]
