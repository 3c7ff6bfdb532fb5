"""Tests of policykg.identifiers: round trips (hypothesis), rejection messages, real examples."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import URIRef

from policykg.errors import IdentifierError
from policykg.eurlex import (
    ELI_TYPEDOCS,
    LEGAL_ACT_DESCRIPTORS,
    PROCEDURE_TYPES,
    Celex,
    Com,
    Eli,
    Procedure,
    cellar_celex_iri,
    cellar_iri_to_procedure,
    celex_to_eli,
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

# ---------------------------------------------------------------------------------------------
# strategies

_digits = st.text("0123456789", min_size=4, max_size=4)
_caps = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=2)
_suffix = st.none() | st.integers(0, 99).map(lambda n: f"({n:02d})")


@st.composite
def base_celex_texts(draw) -> str:
    sector = draw(st.sampled_from("123456789CE"))
    descriptor = draw(st.sampled_from(sorted(LEGAL_ACT_DESCRIPTORS)) if sector == "3" else _caps)
    return f"{sector}{draw(_digits)}{descriptor}{draw(_digits)}{draw(_suffix) or ''}"


@st.composite
def any_celex_texts(draw) -> str:
    kind = draw(st.sampled_from(["base", "corrigendum", "consolidated"]))
    if kind == "consolidated":
        day = draw(st.dates(dt.date(1952, 1, 1), dt.date(2099, 12, 31)))
        descriptor = draw(st.sampled_from(sorted(LEGAL_ACT_DESCRIPTORS)))
        return f"0{draw(_digits)}{descriptor}{draw(_digits)}-{day:%Y%m%d}"
    text = draw(base_celex_texts())
    if kind == "corrigendum":
        text += f"R({draw(st.integers(0, 99)):02d})"
    return text


sector3_convertible = st.builds(
    lambda d, y, n: f"3{y}{d}{n:04d}",
    st.sampled_from("RLDH"), st.integers(1000, 9999), st.integers(1, 9999))

procedures = st.builds(
    Procedure, st.integers(1000, 9999), st.integers(1, 9999), st.sampled_from(sorted(PROCEDURE_TYPES)))

split_procedures = st.builds(
    Procedure, st.integers(1000, 9999), st.integers(1, 9999), st.sampled_from(sorted(PROCEDURE_TYPES)),
    st.none() | st.sampled_from("AB"))


# ---------------------------------------------------------------------------------------------
# property-based round trips

@given(base_celex_texts())
def test_celex_round_trips(text):
    assert str(parse_celex(text)) == text


@given(any_celex_texts())
def test_celex_round_trips_with_corrigenda_and_consolidations(text):
    celex = parse_celex(text, base_act_only=False)
    assert str(celex) == text
    assert Celex(**celex.__dict__) == celex


@given(sector3_convertible)
def test_eli_celex_round_trip(text):
    celex = parse_celex(text)
    eli = celex_to_eli(celex)
    assert eli is not None
    assert eli_to_celex(eli) == celex
    assert parse_eli(str(eli)) == eli


@given(st.sampled_from(sorted(ELI_TYPEDOCS)), st.integers(1000, 9999), st.integers(1, 9999))
def test_eli_parse_round_trip(typedoc, year, number):
    iri = f"http://data.europa.eu/eli/{typedoc}/{year}/{number}/oj"
    eli = parse_eli(iri)
    assert str(eli) == iri and eli.iri == URIRef(iri)
    assert celex_to_eli(eli_to_celex(eli)).base_typedoc == eli.base_typedoc


@given(procedures)
def test_procedure_iris_round_trip(p):
    assert cellar_iri_to_procedure(str(procedure_to_cellar_iri(p)), p.type) == p
    assert ep_iri_to_procedure(str(procedure_to_ep_iri(p)), p.type) == p
    assert parse_procedure(str(p)) == p


@given(split_procedures)
def test_procedure_text_and_ep_iri_round_trip_with_split_suffix(p):
    assert parse_procedure(str(p)) == p
    assert ep_iri_to_procedure(str(procedure_to_ep_iri(p)), p.type) == p


@given(st.integers(1000, 9999), st.integers(1, 9999))
def test_com_round_trip(year, number):
    com = Com(year, number)
    assert parse_com(str(com)) == com
    assert parse_com(f"COM/{year}/{number}") == com
    assert parse_com(f"COM({year}){number:04d} final") == com


# ---------------------------------------------------------------------------------------------
# real examples

def test_ai_act():
    celex = parse_celex("32024R1689")
    assert (celex.sector, celex.year, celex.descriptor, celex.number) == ("3", 2024, "R", "1689")
    assert celex.natural_number == 1689 and celex.act_kind == "reg" and not celex.is_proposal
    assert str(celex_to_eli(celex)) == "http://data.europa.eu/eli/reg/2024/1689/oj"
    assert str(eli_to_celex("http://data.europa.eu/eli/reg/2024/1689/oj")) == "32024R1689"


def test_recommendation_in_oj_l():
    assert str(celex_to_eli("32021H1004")) == "http://data.europa.eu/eli/reco/2021/1004/oj"
    assert str(eli_to_celex("http://data.europa.eu/eli/reco/2021/1004/oj")) == "32021H1004"
    assert parse_celex("32021H1004").act_kind == "reco"


def test_oj_c_recommendation_has_no_eli():
    celex = parse_celex("32022H1215(01)")
    assert celex.suffix == "(01)" and str(celex) == "32022H1215(01)"
    assert celex_to_eli(celex) is None


def test_communication():
    celex = parse_celex("52022DC0441")
    assert (celex.sector, celex.descriptor, celex.number) == ("5", "DC", "0441")
    assert celex.is_proposal and celex.act_kind is None
    assert celex_to_eli(celex) is None


def test_procedure_2022_0131():
    p = parse_procedure("2022/0131(COD)")
    assert p == Procedure(2022, 131, "COD")
    assert str(procedure_to_cellar_iri(p)) == "http://publications.europa.eu/resource/procedure/2022_131"
    assert str(procedure_to_ep_iri(p)) == "https://data.europarl.europa.eu/eli/dl/proc/2022-0131"
    assert oeil_url(p) == ("https://oeil.secure.europarl.europa.eu/oeil/en/procedure-file"
                           "?reference=2022/0131(COD)")


def test_ai_act_procedure():
    p = parse_procedure("2021/0106(COD)")
    assert str(procedure_to_cellar_iri(p)) == "http://publications.europa.eu/resource/procedure/2021_106"
    assert str(procedure_to_ep_iri(p)) == "https://data.europarl.europa.eu/eli/dl/proc/2021-0106"
    assert cellar_iri_to_procedure("http://publications.europa.eu/resource/procedure/2021_106", "COD") == p


def test_split_procedure():
    p = parse_procedure("2016/0400A(COD)")
    assert p.suffix == "A" and str(p) == "2016/0400A(COD)"
    assert str(procedure_to_ep_iri(p)) == "https://data.europarl.europa.eu/eli/dl/proc/2016-0400A"
    with pytest.raises(IdentifierError, match="no known Cellar IRI form for a split procedure"):
        procedure_to_cellar_iri(p)


def test_procedure_variant_spellings_normalise():
    assert str(parse_procedure("2016/0286/COD")) == "2016/0286(COD)"
    assert str(parse_procedure("2018/0163 (NLE)")) == "2018/0163(NLE)"


def test_corrigendum_and_consolidated_version_when_allowed():
    corr = parse_celex("32024R1689R(01)", base_act_only=False)
    assert corr.corrigendum == 1 and not corr.is_base_act and corr.base_act == parse_celex("32024R1689")
    assert celex_to_eli(corr) is None
    cons = parse_celex("02016R0399-20240710", base_act_only=False)
    assert cons.consolidation_date == dt.date(2024, 7, 10) and cons.act_kind == "reg"
    assert str(cons.base_act) == "32016R0399" and str(cons) == "02016R0399-20240710"
    assert celex_to_eli(cons) is None


def test_eli_language_tail_is_noted_and_normalised_away():
    eli = parse_eli("http://data.europa.eu/eli/reg/2024/1689/oj/eng")
    assert eli.language == "eng"
    assert str(eli) == "http://data.europa.eu/eli/reg/2024/1689/oj"
    assert eli == parse_eli("http://data.europa.eu/eli/reg/2024/1689/oj")


def test_delegated_and_implementing_acts_map_to_base_typedoc():
    eli = parse_eli("http://data.europa.eu/eli/reg_impl/2023/2667/oj")
    celex = eli_to_celex(eli)
    assert str(celex) == "32023R2667"
    assert celex_to_eli(celex).typedoc == "reg"  # the alias: CELEX cannot tell implementing acts
    assert str(eli_to_celex("http://data.europa.eu/eli/dir/2008/115/oj")) == "32008L0115"
    assert str(eli_to_celex("http://data.europa.eu/eli/reg/2013/604/oj")) == "32013R0604"


def test_com_numbers():
    for text in ["COM(2021) 206", "COM(2021)206", "COM/2021/206", "COM(2021) 206 final", "COM/2021/206 final"]:
        assert parse_com(text) == Com(2021, 206)
    assert str(com_to_celex("COM(2021) 206")) == "52021PC0206"
    assert str(com_to_celex("COM(2022) 441", descriptor="DC")) == "52022DC0441"


def test_urls():
    assert eurlex_url("32024R1689") == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32024R1689"
    assert eurlex_url(parse_celex("32022H1215(01)"), language="FR") == (
        "https://eur-lex.europa.eu/legal-content/FR/TXT/?uri=CELEX:32022H1215(01)")
    assert eli_url("http://data.europa.eu/eli/reg/2024/1689/oj") == "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
    assert eli_url(Eli("reg", 2024, 1689), language="eng") == "https://eur-lex.europa.eu/eli/reg/2024/1689/oj/eng"
    iri = cellar_celex_iri("32024R1689")
    assert isinstance(iri, URIRef) and str(iri) == "http://publications.europa.eu/resource/celex/32024R1689"
    assert str(cellar_celex_iri("32022H1215(01)")) == "http://publications.europa.eu/resource/celex/32022H1215(01)"


# ---------------------------------------------------------------------------------------------
# rejection messages

@pytest.mark.parametrize(("text", "message"), [
    ("32024R168", "CELEX 32024R168: number must have 4 digits"),
    ("32024R16890", "CELEX 32024R16890: number must have 4 digits"),
    ("32024R1689X", "CELEX 32024R1689X: unexpected text 'X' after the number"),
    ("X2024R1689", "CELEX X2024R1689: sector must be a digit 0-9, C or E, not 'X'"),
    ("3202R1689", "CELEX 3202R1689: year must have 4 digits"),
    ("32024Z1689", "CELEX 32024Z1689: unknown descriptor 'Z' for sector 3"),
    ("32024r1689", "CELEX 32024r1689: descriptor must be capital letters, not 'r'"),
    ("52024ABC1689", "CELEX 52024ABC1689: descriptor must have 1 or 2 letters, not 'ABC'"),
    ("320241689", "CELEX 320241689: descriptor (1 or 2 capital letters) is missing after the year"),
    ("32022H1215(1)", "CELEX 32022H1215(1): suffix must be two digits in parentheses, like (01)"),
    ("32024R1689R01", "CELEX 32024R1689R01: corrigendum suffix must be R followed by two digits "
                      "in parentheses, like R(01)"),
    ("32024R1689R(01)", "CELEX 32024R1689R(01): is a corrigendum of 32024R1689, not a base act"),
    ("02016R0399-20240710",
     "CELEX 02016R0399-20240710: is a consolidated version of 32016R0399, not a base act"),
    ("02016R0399", "CELEX 02016R0399: a consolidated version (sector 0) needs a -YYYYMMDD date"),
    ("32016R0399-20240710",
     "CELEX 32016R0399-20240710: only consolidated versions (sector 0) carry a -YYYYMMDD date"),
    ("02016R0399-20241301", "CELEX 02016R0399-20241301: consolidation date 20241301 is not a real date"),
    ("02016R0399-2024", "CELEX 02016R0399-2024: consolidation date must be -YYYYMMDD"),
    ("", "CELEX '': is empty"),
    (" 32024R1689", "CELEX ' 32024R1689': has leading or trailing whitespace"),
])
def test_celex_rejections(text, message):
    with pytest.raises(IdentifierError) as err:
        parse_celex(text)
    assert str(err.value) == message


def test_celex_rejects_non_strings_and_bad_fields():
    with pytest.raises(IdentifierError, match="CELEX must be a string, not int"):
        parse_celex(32024)
    with pytest.raises(IdentifierError, match="CELEX 32024R168: number must have 4 digits"):
        Celex("3", 2024, "R", "168")
    with pytest.raises(IdentifierError, match="wrong type"):
        Celex("3", "2024", "R", "1689")


@pytest.mark.parametrize(("iri", "message"), [
    ("https://data.europa.eu/eli/reg/2024/1689/oj",
     "must use http:// (official ELIs are http://data.europa.eu/eli/...), not https://"),
    ("http://example.org/eli/reg/2024/1689/oj", "is not an EU ELI"),
    ("http://www.legislation.gov.uk/eli/reg/2024/1689/oj", "is not an EU ELI"),
    ("http://data.europa.eu/eli/reg/2024/1689/corrigendum/2024-07-12/oj",
     "is a corrigendum, not the act as published (.../oj)"),
    ("http://data.europa.eu/eli/reg/2016/399/2024-07-10",
     "is a consolidated version or point in time, not the act as published (.../oj)"),
    ("http://data.europa.eu/eli/reg_foo/2024/1689/oj", "unknown typedoc 'reg_foo'"),
    ("http://data.europa.eu/eli/reg/24/1689/oj", "year must have 4 digits"),
    ("http://data.europa.eu/eli/reg/2024/01689/oj", "number must not be zero padded"),
    ("http://data.europa.eu/eli/reg/2024/16a/oj", "number must be digits"),
    ("http://data.europa.eu/eli/reg/2024/1689", "expected {typedoc}/{year}/{number}/oj after"),
    ("http://data.europa.eu/eli/reg/2024/1689/oj/", "only the act as published is supported"),
    ("http://data.europa.eu/eli/reg/2024/1689/oj/eng/pdf", "only the act as published is supported"),
    ("http://data.europa.eu/eli/reg/2024/1689/oj?x=1", "must not have a query or fragment"),
])
def test_eli_rejections(iri, message):
    with pytest.raises(IdentifierError) as err:
        parse_eli(iri)
    assert str(err.value).startswith(f"ELI {iri}: ") and message in str(err.value)


def test_eli_with_number_too_long_for_celex():
    with pytest.raises(IdentifierError, match="number 12345 has more than 4 digits"):
        eli_to_celex("http://data.europa.eu/eli/reg/2024/12345/oj")


@pytest.mark.parametrize("text", ["32019R0817", "31995L0046", "32002F0584", "52021PC0206", "62004TJ0201"])
def test_no_eli_rule(text):
    expected = {"32019R0817": "http://data.europa.eu/eli/reg/2019/817/oj",
                "31995L0046": "http://data.europa.eu/eli/dir/1995/46/oj"}
    eli = celex_to_eli(text)
    assert (str(eli) if eli else None) == expected.get(text)


@pytest.mark.parametrize(("text", "message"), [
    ("COM 2021 206", "COM COM 2021 206: expected COM(YYYY) N, COM(YYYY)N or COM/YYYY/N, "
                     "optionally followed by ' final'"),
    ("COM(21) 206", "COM COM(21) 206: expected COM(YYYY) N"),
    ("COM(2021) 20600", "COM COM(2021) 20600: number must have at most 4 digits"),
    ("COM(2021) 0", "COM COM(2021) 0: number must not be 0"),
    ("SWD(2021) 206", "COM SWD(2021) 206: expected"),
])
def test_com_rejections(text, message):
    with pytest.raises(IdentifierError) as err:
        parse_com(text)
    assert str(err.value).startswith(message)


def test_com_to_celex_descriptor():
    with pytest.raises(IdentifierError, match=r"COM COM\(2021\) 206: descriptor must be PC or DC, not 'SC'"):
        com_to_celex(Com(2021, 206), descriptor="SC")


@pytest.mark.parametrize(("text", "message"), [
    ("2021/106(COD)", "procedure 2021/106(COD): number must have 4 digits"),
    ("21/0106(COD)", "procedure 21/0106(COD): year must have 4 digits"),
    ("2021/0106(XYZ)", "procedure 2021/0106(XYZ): unknown procedure type 'XYZ'"),
    ("2021/0106(cod)", "procedure 2021/0106(cod): unknown procedure type 'cod'"),
    ("2021/0106", "procedure 2021/0106: expected YYYY/NNNN(TYPE), like 2021/0106(COD)"),
    ("2016/0400a(COD)", "procedure 2016/0400a(COD): split suffix must be a capital letter, not 'a'"),
    ("2021/0000(COD)", "procedure 2021/0000(COD): number must not be 0000"),
    ("", "procedure '': is empty"),
])
def test_procedure_rejections(text, message):
    with pytest.raises(IdentifierError) as err:
        parse_procedure(text)
    assert str(err.value) == message


@pytest.mark.parametrize(("iri", "message"), [
    ("http://publications.europa.eu/resource/procedure/2021_0106",
     "expected http://publications.europa.eu/resource/procedure/YYYY_N (number without zero padding)"),
    ("http://publications.europa.eu/resource/cellar/2021_106",
     "must start with http://publications.europa.eu/resource/procedure/"),
])
def test_cellar_procedure_iri_rejections(iri, message):
    with pytest.raises(IdentifierError) as err:
        cellar_iri_to_procedure(iri, "COD")
    assert str(err.value) == f"Cellar procedure IRI {iri}: {message}"


def test_cellar_procedure_iri_needs_a_known_type():
    with pytest.raises(IdentifierError, match="unknown procedure type 'XXX'"):
        cellar_iri_to_procedure("http://publications.europa.eu/resource/procedure/2021_106", "XXX")


def test_identifier_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_celex("nonsense")
