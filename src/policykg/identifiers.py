"""Parse, check and convert the identifiers of EU law: CELEX, ELI, COM numbers, procedure references.

Pure functions and small frozen dataclasses; no network. Every malformed input raises
``IdentifierError`` whose message names the identifier and says exactly what is wrong.

Sources the grammars were checked against (one item each):
- CELEX parts (sector, 4-digit year, 1-2 letter descriptor, "usually 4 digits"), the 12 sectors:
  https://eur-lex.europa.eu/content/help/faq/celex-number.html
- CELEX descriptors by sector; corrigenda carry the suffix "R(xx)":
  https://eur-lex.europa.eu/content/tools/TableOfSectors/types_of_documents_in_eurlex.html
- CELEX "(01)" suffix for several documents of one day (e.g. 22006A1230(03)):
  https://eur-lex.europa.eu/content/help/eurlex-content/celex-number.html
- ELI templates {typedoc}/{year}/{naturalnumber}/oj, typedocs, "dir is an alias for dir_impl/dir_del", corrigendum
  form: http://publications.europa.eu/mdr/eli/documentation/uri_templates.html
- ELI scope (OJ L series acts) and the http://data.europa.eu/eli/ base:
  https://eur-lex.europa.eu/eli-register/eu_publications_office.html
- OEIL reference form, split procedures as "2016/0400A(COD)":
  https://oeil.secure.europarl.europa.eu/oeil/en/procedure-file?reference=2016/0400A(COD)
- Consolidated versions as CELEX "02016R0399-YYYYMMDD": observed in EUR-Lex links
  (e.g. https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:02016R0399-20251012)
- EP procedure IRIs ".../eli/dl/proc/2023-0404", split as "2016-0224A": observed in EP Open Data feed ids
  (no specification found)
- Cellar procedure IRIs ".../resource/procedure/2021_106": observed in Cellar SPARQL usage (no specification found)

Known limits: CELEX forms outside "sector year descriptor 4-digit number" (treaty articles such as
11957E086, sector 7 transposition numbers, treaty protocols) are rejected, and descriptors are checked
against a table only for sectors 3 and 0; other sectors are checked for shape (1-2 capital letters) only.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from rdflib import URIRef

from policykg.errors import IdentifierError
from policykg.namespaces import CELEX, CELLAR_PROCEDURE, ELI_ACT, EP_PROCEDURE

# Web page addresses (not IRI bases: nothing in the graph is minted under them).
EURLEX_PAGE = "https://eur-lex.europa.eu/legal-content/{lang}/TXT/?uri=CELEX:{celex}"
EURLEX_ELI_PAGE = "https://eur-lex.europa.eu/eli/"
OEIL_PAGE = "https://oeil.secure.europarl.europa.eu/oeil/en/procedure-file?reference={reference}"

# --------------------------------------------------------------------------------------------
# CELEX
# --------------------------------------------------------------------------------------------

SECTORS = frozenset("0123456789CE")

#: Sector 3 (legal acts) descriptors, from the EUR-Lex table of sectors. Sector 0 (consolidated
#: versions) reuses the descriptor of the consolidated base act, so it is checked against this too.
LEGAL_ACT_DESCRIPTORS: dict[str, str] = {
    "A": "opinion",
    "B": "budget",
    "C": "declaration",
    "D": "decision",
    "E": "CFSP act (common position, joint action, common strategy)",
    "F": "police and judicial cooperation act (framework decision...)",
    "G": "resolution",
    "H": "recommendation",
    "J": "non-opposition to a notified joint venture",
    "K": "ECSC recommendation",
    "L": "directive",
    "M": "non-opposition to a notified concentration",
    "O": "ECB guideline",
    "Q": "institutional arrangement (rules of procedure...)",
    "R": "regulation",
    "S": "ECSC decision of general interest",
    "X": "other act published in the OJ L series",
    "Y": "other act published in the OJ C series",
}
_DESCRIPTOR_TABLES = {"3": LEGAL_ACT_DESCRIPTORS, "0": LEGAL_ACT_DESCRIPTORS}

# Lower-case Publications Office resource-type codes (RESOURCE_TYPE[kind.upper()] is the authority
# IRI). Implementing/delegated variants cannot be told from a CELEX number, hence the base kinds.
_ACT_KINDS = {"R": "reg", "L": "dir", "D": "dec", "H": "reco", "F": "dec_framw", "A": "opin", "G": "res"}

# Sector 5 descriptors of COM documents: PC for legislative proposals; DC for other COM documents,
# which include proposals for Council recommendations/decisions but also communications and reports.
_PROPOSAL_DESCRIPTORS = frozenset({"PC", "DC"})

_SUFFIX = re.compile(r"\(\d{2}\)")
_CORRIGENDUM = re.compile(r"R\((\d{2})\)")
_CONSOLIDATION = re.compile(r"-(\d{8})")


def _show(text: str) -> str:
    """How an input is quoted in a message: as is when plain, repr() when empty or padded."""
    return text if text and text.strip() == text and text.isprintable() else repr(text)


def _leading(pattern: str, text: str) -> str:
    """What ``pattern`` (one that matches the empty string) matches at the start of ``text``."""
    found = re.match(pattern, text)
    return found.group() if found else ""


def _lex_celex(text: object) -> dict:
    """Split ``text`` into CELEX parts, raising IdentifierError naming the first problem found."""
    if not isinstance(text, str):
        raise IdentifierError(f"CELEX must be a string, not {type(text).__name__}")

    def fail(problem: str) -> IdentifierError:
        return IdentifierError(f"CELEX {_show(text)}: {problem}")

    if not text:
        raise fail("is empty")
    if text.strip() != text:
        raise fail("has leading or trailing whitespace")
    sector = text[0]
    if sector not in SECTORS:
        raise fail(f"sector must be a digit 0-9, C or E, not {sector!r}")
    year = text[1:5]
    if not re.fullmatch(r"\d{4}", year):
        raise fail("year must have 4 digits")
    pos = 5
    letters = _leading(r"[A-Za-z]*", text[pos:])
    if not letters:
        raise fail("descriptor (1 or 2 capital letters) is missing after the year")
    if not letters.isupper():
        raise fail(f"descriptor must be capital letters, not {letters!r}")
    if len(letters) > 2:
        raise fail(f"descriptor must have 1 or 2 letters, not {letters!r}")
    table = _DESCRIPTOR_TABLES.get(sector)
    if table is not None and letters not in table:
        raise fail(f"unknown descriptor {letters!r} for sector {sector}")
    pos += len(letters)
    number = _leading(r"\d*", text[pos:])
    if len(number) != 4:
        raise fail("number must have 4 digits")
    pos += 4

    rest = text[pos:]
    suffix = corrigendum = consolidation = None
    if rest.startswith("("):
        m = _SUFFIX.match(rest)
        if not m:
            raise fail("suffix must be two digits in parentheses, like (01)")
        suffix, rest = m.group(), rest[m.end():]
    if rest.startswith("R"):
        m = _CORRIGENDUM.match(rest)
        if not m:
            raise fail("corrigendum suffix must be R followed by two digits in parentheses, like R(01)")
        corrigendum, rest = int(m.group(1)), rest[m.end():]
    if rest.startswith("-"):
        m = _CONSOLIDATION.fullmatch(rest)
        if not m:
            raise fail("consolidation date must be -YYYYMMDD")
        try:
            consolidation = _dt.datetime.strptime(m.group(1), "%Y%m%d").date()
        except ValueError:
            raise fail(f"consolidation date {m.group(1)} is not a real date") from None
        rest = ""
    if rest:
        raise fail(f"unexpected text {rest!r} after the number")
    if sector == "0":
        if consolidation is None:
            raise fail("a consolidated version (sector 0) needs a -YYYYMMDD date")
        if corrigendum is not None:
            raise fail("a consolidated version (sector 0) has no corrigendum suffix")
    elif consolidation is not None:
        raise fail("only consolidated versions (sector 0) carry a -YYYYMMDD date")
    return {
        "sector": sector, "year": int(year), "descriptor": letters, "number": number,
        "suffix": suffix, "corrigendum": corrigendum, "consolidation_date": consolidation,
    }


@dataclass(frozen=True)
class Celex:
    """A CELEX number. ``str()`` gives it back exactly as parsed.

    ``number`` is kept as written (4 digits, zero padded); ``suffix`` is e.g. ``"(01)"``;
    ``corrigendum`` is the n of ``R(0n)``; ``consolidation_date`` the date of a sector-0 version.
    """

    sector: str
    year: int
    descriptor: str
    number: str
    suffix: str | None = None
    corrigendum: int | None = None
    consolidation_date: _dt.date | None = None

    def __post_init__(self) -> None:
        # Direct construction is checked by the same grammar as parsing: the text must lex back
        # to exactly these fields (this also rejects e.g. year=12345 or number=168).
        try:
            text = str(self)
        except (TypeError, ValueError):
            raise IdentifierError(f"CELEX fields of the wrong type: {self!r}") from None
        if _lex_celex(text) != self.__dict__:
            raise IdentifierError(f"CELEX {text}: fields do not form a valid CELEX number")

    def __str__(self) -> str:
        text = f"{self.sector}{self.year:04d}{self.descriptor}{self.number}{self.suffix or ''}"
        if self.corrigendum is not None:
            text += f"R({self.corrigendum:02d})"
        if self.consolidation_date is not None:
            text += "-" + self.consolidation_date.strftime("%Y%m%d")
        return text

    @property
    def natural_number(self) -> int:
        return int(self.number)

    @property
    def is_base_act(self) -> bool:
        """Neither a corrigendum nor a consolidated version."""
        return self.corrigendum is None and self.consolidation_date is None

    @property
    def base_act(self) -> Celex:
        """The act a corrigendum corrects or a consolidated version consolidates (else itself).

        For a consolidated version this assumes a sector-3 base act, the usual case.
        """
        sector = "3" if self.sector == "0" else self.sector
        return Celex(sector, self.year, self.descriptor, self.number, self.suffix)

    @property
    def is_proposal(self) -> bool:
        """A COM document that can be a proposal: sector 5 with PC or DC.

        PC documents are legislative proposals. DC documents are "other COM documents": they include
        proposals for Council recommendations and decisions, but also communications and reports, so
        for DC this means "may be a proposal".
        """
        return self.sector == "5" and self.descriptor in _PROPOSAL_DESCRIPTORS

    @property
    def act_kind(self) -> str | None:
        """The resource-type code of a legal act ("reg", "dir", "dec", "reco", "dec_framw", "opin",
        "res"), for sectors 3 and 0; None when no rule exists. Implementing and delegated acts share
        the descriptor of their base kind, so "reg" may be a reg_impl or reg_del.
        """
        if self.sector not in ("3", "0"):
            return None
        return _ACT_KINDS.get(self.descriptor)


def parse_celex(text: str, base_act_only: bool = True) -> Celex:
    """Parse a CELEX number such as ``32024R1689``, ``52022DC0441`` or ``32022H1215(01)``.

    Corrigenda (``32024R1689R(01)``) and consolidated versions (``02016R0399-20240710``) are
    recognised; with ``base_act_only`` (the default) they are rejected with a message saying which
    they are, otherwise they are returned with ``corrigendum`` / ``consolidation_date`` set.
    """
    parts = _lex_celex(text)
    celex = Celex(**parts)
    if base_act_only:
        if celex.corrigendum is not None:
            raise IdentifierError(f"CELEX {text}: is a corrigendum of {celex.base_act}, not a base act")
        if celex.consolidation_date is not None:
            raise IdentifierError(
                f"CELEX {text}: is a consolidated version of {celex.base_act}, not a base act")
    return celex


def _as_celex(celex: Celex | str) -> Celex:
    return celex if isinstance(celex, Celex) else parse_celex(celex, base_act_only=False)


# --------------------------------------------------------------------------------------------
# ELI
# --------------------------------------------------------------------------------------------

#: typedoc -> CELEX descriptor (sector 3). Implementing and delegated acts share their base's.
ELI_TYPEDOCS: dict[str, str] = {
    "reg": "R", "reg_impl": "R", "reg_del": "R",
    "dir": "L", "dir_impl": "L", "dir_del": "L",
    "dec": "D", "dec_impl": "D", "dec_del": "D",
    "reco": "H",
}
_BASE_TYPEDOC = {"R": "reg", "L": "dir", "D": "dec", "H": "reco"}

_ELI_SPLIT = urlsplit(ELI_ACT)
_ELI_PATH = re.compile(r"(?P<typedoc>[a-z_]+)/(?P<year>[^/]*)/(?P<number>[^/]*)/(?P<tail>.*)")


@dataclass(frozen=True)
class Eli:
    """The ELI of an act as published in the OJ: ``http://data.europa.eu/eli/{typedoc}/{year}/{number}/oj``.

    ``language`` records a language tail seen when parsing (``/oj/eng``); it is not part of the
    identity (ignored by ``==``) and never written back: ``str()`` and ``iri`` give the act's ELI.
    """

    typedoc: str
    year: int
    number: int
    language: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        where = f"ELI {self.typedoc}/{self.year}/{self.number}"
        if self.typedoc not in ELI_TYPEDOCS:
            raise IdentifierError(f"{where}: unknown typedoc {self.typedoc!r} "
                                  f"(expected one of {', '.join(ELI_TYPEDOCS)})")
        if not (isinstance(self.year, int) and 1000 <= self.year <= 9999):
            raise IdentifierError(f"{where}: year must have 4 digits")
        if not (isinstance(self.number, int) and self.number >= 1):
            raise IdentifierError(f"{where}: number must be a positive integer")
        if self.language is not None and not re.fullmatch(r"[a-z]{3}", self.language):
            raise IdentifierError(f"{where}: language must be 3 lower-case letters, like eng")

    @property
    def path(self) -> str:
        return f"{self.typedoc}/{self.year}/{self.number}/oj"

    @property
    def iri(self) -> URIRef:
        return URIRef(ELI_ACT + self.path)

    @property
    def base_typedoc(self) -> str:
        """reg, dir, dec or reco: the typedoc without _impl / _del."""
        return self.typedoc.split("_")[0]

    def __str__(self) -> str:
        return str(self.iri)


def parse_eli(iri: str) -> Eli:
    """Parse the ELI of an EU act as published in the OJ, e.g. ``http://data.europa.eu/eli/reg/2024/1689/oj``.

    A language tail (``/oj/eng``) is accepted and recorded in ``language``. Rejected, each with its
    own message: https, other hosts, corrigenda (``/corrigendum/{date}/oj``), consolidated versions
    and other points in time (``/{yyyy-mm-dd}``), subdivisions, zero-padded numbers, unknown typedocs.
    """
    if not isinstance(iri, str):
        raise IdentifierError(f"ELI must be a string, not {type(iri).__name__}")

    def fail(problem: str) -> IdentifierError:
        return IdentifierError(f"ELI {_show(iri)}: {problem}")

    if not iri:
        raise fail("is empty")
    if iri.strip() != iri:
        raise fail("has leading or trailing whitespace")
    parts = urlsplit(iri)
    if parts.scheme == "https" and parts.netloc == _ELI_SPLIT.netloc:
        raise fail(f"must use {_ELI_SPLIT.scheme}:// (official ELIs are {ELI_ACT}...), not https://")
    if (parts.scheme, parts.netloc) != (_ELI_SPLIT.scheme, _ELI_SPLIT.netloc) \
            or not parts.path.startswith(_ELI_SPLIT.path):
        raise fail(f"is not an EU ELI (expected {ELI_ACT}{{typedoc}}/{{year}}/{{number}}/oj)")
    if parts.query or parts.fragment:
        raise fail("must not have a query or fragment")
    m = _ELI_PATH.fullmatch(parts.path[len(_ELI_SPLIT.path):])
    if not m:
        raise fail("expected {typedoc}/{year}/{number}/oj after " + ELI_ACT)
    typedoc, year, number, tail = m.group("typedoc", "year", "number", "tail")
    if typedoc not in ELI_TYPEDOCS:
        raise fail(f"unknown typedoc {typedoc!r} (expected one of {', '.join(ELI_TYPEDOCS)})")
    if not re.fullmatch(r"\d{4}", year):
        raise fail("year must have 4 digits")
    if not re.fullmatch(r"\d+", number):
        raise fail("number must be digits")
    if number.startswith("0"):
        raise fail("number must not be zero padded")
    if tail.startswith("corrigendum/"):
        raise fail("is a corrigendum, not the act as published (.../oj)")
    if re.match(r"\d{4}-\d{2}-\d{2}", tail):
        raise fail("is a consolidated version or point in time, not the act as published (.../oj)")
    language = None
    if tail != "oj":
        lm = re.fullmatch(r"oj/([a-z]{3})", tail)
        if not lm:
            raise fail("only the act as published is supported: .../oj, optionally followed by /{lang}")
        language = lm.group(1)
    return Eli(typedoc, int(year), int(number), language)


def _as_eli(eli: Eli | str) -> Eli:
    return eli if isinstance(eli, Eli) else parse_eli(eli)


def eli_to_celex(eli: Eli | str) -> Celex:
    """The CELEX number of an OJ act: sector 3, descriptor by typedoc (reg*→R, dir*→L, dec*→D,
    reco→H), number zero padded to 4 digits. 32024R1689 for ``.../eli/reg/2024/1689/oj``.
    """
    eli = _as_eli(eli)
    if eli.number > 9999:
        raise IdentifierError(f"ELI {eli}: number {eli.number} has more than 4 digits, "
                              "so no CELEX number follows from it")
    return Celex("3", eli.year, ELI_TYPEDOCS[eli.typedoc], f"{eli.number:04d}")


def celex_to_eli(celex: Celex | str) -> Eli | None:
    """The ELI of a sector-3 regulation, directive, decision or recommendation; None when no rule
    exists (other sectors and descriptors, suffixed numbers such as the OJ C recommendation
    32022H1215(01), corrigenda, consolidated versions).

    A CELEX number does not say whether an act is implementing or delegated, so the base typedoc
    (reg, dir, dec, reco) is returned. The Publications Office resolves the base typedoc as an alias
    of the _impl / _del ELI, but it is not the canonical ELI of such an act.
    """
    celex = _as_celex(celex)
    if celex.sector != "3" or celex.suffix is not None or not celex.is_base_act:
        return None
    typedoc = _BASE_TYPEDOC.get(celex.descriptor)
    if typedoc is None or celex.natural_number == 0:
        return None
    return Eli(typedoc, celex.year, celex.natural_number)


# --------------------------------------------------------------------------------------------
# COM documents
# --------------------------------------------------------------------------------------------

_COM_FORMS = (
    re.compile(r"COM\((?P<year>\d{4})\) ?(?P<number>\d+)"),   # COM(2021) 206, COM(2021)206
    re.compile(r"COM/(?P<year>\d{4})/(?P<number>\d+)"),        # COM/2021/206
)


@dataclass(frozen=True)
class Com:
    """A Commission COM document number, e.g. COM(2021) 206."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not (isinstance(self.year, int) and 1000 <= self.year <= 9999):
            raise IdentifierError(f"COM {self.year}/{self.number}: year must have 4 digits")
        if not (isinstance(self.number, int) and 1 <= self.number <= 9999):
            raise IdentifierError(f"COM {self.year}/{self.number}: number must be 1 to 9999")

    def __str__(self) -> str:
        return f"COM({self.year}) {self.number}"


def parse_com(text: str) -> Com:
    """Parse ``COM(2021) 206``, ``COM(2021)206`` or ``COM/2021/206``, each optionally followed by
    `` final``; numbers may be zero padded (``COM(2016)0799``). Surrounding whitespace is ignored.
    """
    if not isinstance(text, str):
        raise IdentifierError(f"COM number must be a string, not {type(text).__name__}")
    body = re.sub(r"\s+final$", "", text.strip(), flags=re.IGNORECASE)
    for form in _COM_FORMS:
        m = form.fullmatch(body)
        if m:
            number = m.group("number")
            if len(number) > 4:
                raise IdentifierError(f"COM {_show(text)}: number must have at most 4 digits")
            if int(number) == 0:
                raise IdentifierError(f"COM {_show(text)}: number must not be 0")
            return Com(int(m.group("year")), int(number))
    raise IdentifierError(f"COM {_show(text)}: expected COM(YYYY) N, COM(YYYY)N or COM/YYYY/N, "
                          "optionally followed by ' final'")


def com_to_celex(com: Com | str, descriptor: str = "PC") -> Celex:
    """The CELEX number of a COM document: ``52021PC0206`` for COM(2021) 206.

    The caller says which descriptor applies: PC for legislative proposals, DC for other COM
    documents (communications, reports, proposals for Council recommendations...). Nothing in the
    COM number tells them apart.
    """
    if not isinstance(com, Com):
        com = parse_com(com)
    if descriptor not in _PROPOSAL_DESCRIPTORS:
        raise IdentifierError(f"COM {com}: descriptor must be PC or DC, not {descriptor!r}")
    return Celex("5", com.year, descriptor, f"{com.number:04d}")


# --------------------------------------------------------------------------------------------
# Procedure references (OEIL / EUR-Lex / Cellar / EP open data)
# --------------------------------------------------------------------------------------------

PROCEDURE_TYPES = frozenset(
    "COD CNS NLE APP SYN AVC BUD DEC INI INL RSP RPS ACI BUI COS DEA DCE IMM REG RSO".split())

# OEIL writes 2021/0106(COD); EUR-Lex writes 2016/0286/COD and Council documents 2018/0163 (NLE).
_PROCEDURE = re.compile(
    r"(?P<year>[^/]*)/(?P<number>\d*)(?P<suffix>[A-Za-z]?)(?:\((?P<t1>[^)]*)\)| \((?P<t2>[^)]*)\)|/(?P<t3>.*))")


@dataclass(frozen=True)
class Procedure:
    """An interinstitutional procedure reference, e.g. 2021/0106(COD).

    ``suffix`` is the letter of a split procedure (OEIL: ``2016/0400A(COD)``), else None.
    """

    year: int
    number: int
    type: str
    suffix: str | None = None

    def __post_init__(self) -> None:
        where = f"procedure {self.year}/{self.number}({self.type})"
        if not (isinstance(self.year, int) and 1000 <= self.year <= 9999):
            raise IdentifierError(f"{where}: year must have 4 digits")
        if not (isinstance(self.number, int) and 1 <= self.number <= 9999):
            raise IdentifierError(f"{where}: number must be 1 to 9999")
        if self.type not in PROCEDURE_TYPES:
            raise IdentifierError(f"{where}: unknown procedure type {self.type!r}")
        if self.suffix is not None and not re.fullmatch(r"[A-Z]", self.suffix):
            raise IdentifierError(f"{where}: split suffix must be one capital letter, like A")

    def __str__(self) -> str:
        return f"{self.year}/{self.number:04d}{self.suffix or ''}({self.type})"


def parse_procedure(text: str) -> Procedure:
    """Parse an OEIL procedure reference such as ``2021/0106(COD)`` or ``2016/0400A(COD)``.

    Also accepted, and normalised by ``str()`` to the OEIL form: ``2021/0106/COD`` (EUR-Lex) and
    ``2021/0106 (COD)`` (Council documents).
    """
    if not isinstance(text, str):
        raise IdentifierError(f"procedure must be a string, not {type(text).__name__}")

    def fail(problem: str) -> IdentifierError:
        return IdentifierError(f"procedure {_show(text)}: {problem}")

    if not text:
        raise fail("is empty")
    if text.strip() != text:
        raise fail("has leading or trailing whitespace")
    m = _PROCEDURE.fullmatch(text)
    if not m:
        raise fail("expected YYYY/NNNN(TYPE), like 2021/0106(COD)")
    year, number, suffix = m.group("year", "number", "suffix")
    ptype = m.group("t1") or m.group("t2") or m.group("t3") or ""
    if not re.fullmatch(r"\d{4}", year):
        raise fail("year must have 4 digits")
    if len(number) != 4:
        raise fail("number must have 4 digits")
    if int(number) == 0:
        raise fail("number must not be 0000")
    if suffix and not suffix.isupper():
        raise fail(f"split suffix must be a capital letter, not {suffix!r}")
    if ptype not in PROCEDURE_TYPES:
        raise fail(f"unknown procedure type {ptype!r}")
    return Procedure(int(year), int(number), ptype, suffix or None)


def _as_procedure(p: Procedure | str) -> Procedure:
    return p if isinstance(p, Procedure) else parse_procedure(p)


def procedure_to_cellar_iri(p: Procedure | str) -> URIRef:
    """Cellar's IRI of a procedure: ``http://publications.europa.eu/resource/procedure/2021_106``
    (number not zero padded, no type). Split procedures raise: no Cellar form for them was found.
    """
    p = _as_procedure(p)
    if p.suffix:
        raise IdentifierError(f"procedure {p}: no known Cellar IRI form for a split procedure")
    return CELLAR_PROCEDURE[f"{p.year}_{p.number}"]


def cellar_iri_to_procedure(iri: str, type: str) -> Procedure:  # noqa: A002 - mirrors Procedure.type
    """The procedure of a Cellar procedure IRI; the IRI has no type, so the caller gives it."""
    base = str(CELLAR_PROCEDURE)
    if not isinstance(iri, str) or not iri.startswith(base):
        raise IdentifierError(f"Cellar procedure IRI {iri}: must start with {base}")
    m = re.fullmatch(r"(\d{4})_([1-9]\d{0,3})", iri[len(base):])
    if not m:
        raise IdentifierError(f"Cellar procedure IRI {iri}: expected {base}YYYY_N "
                              "(number without zero padding)")
    return Procedure(int(m.group(1)), int(m.group(2)), type)


def procedure_to_ep_iri(p: Procedure | str) -> URIRef:
    """The European Parliament's IRI of a procedure:
    ``https://data.europarl.europa.eu/eli/dl/proc/2021-0106`` (zero padded, split letter kept).
    """
    p = _as_procedure(p)
    return EP_PROCEDURE[f"{p.year}-{p.number:04d}{p.suffix or ''}"]


def ep_iri_to_procedure(iri: str, type: str) -> Procedure:  # noqa: A002
    """The procedure of a European Parliament procedure IRI; the caller gives the type."""
    base = str(EP_PROCEDURE)
    if not isinstance(iri, str) or not iri.startswith(base):
        raise IdentifierError(f"EP procedure IRI {iri}: must start with {base}")
    m = re.fullmatch(r"(\d{4})-(\d{4})([A-Z]?)", iri[len(base):])
    if not m or m.group(2) == "0000":
        raise IdentifierError(f"EP procedure IRI {iri}: expected {base}YYYY-NNNN")
    return Procedure(int(m.group(1)), int(m.group(2)), type, m.group(3) or None)


# --------------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------------
# Parentheses, "/" and ":" are allowed unescaped in a URL query and path (RFC 3986 sub-delims and
# pchar), so valid identifiers come out unchanged; quote() only guards the templates.

def eurlex_url(celex: Celex | str, language: str = "EN") -> str:
    """The EUR-Lex page of a document: ``https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32024R1689``."""
    if not re.fullmatch(r"[A-Z]{2}", language):
        raise IdentifierError(f"EUR-Lex language must be two capital letters, like EN, not {language!r}")
    return EURLEX_PAGE.format(lang=language, celex=quote(str(_as_celex(celex)), safe="()-"))


def eli_url(eli: Eli | str, language: str | None = None) -> str:
    """The EUR-Lex page of an ELI: ``https://eur-lex.europa.eu/eli/reg/2024/1689/oj`` (``/eng`` etc. appended
    when a three-letter language is given)."""
    eli = _as_eli(eli)
    if language is not None and not re.fullmatch(r"[a-z]{3}", language):
        raise IdentifierError(f"ELI language must be 3 lower-case letters, like eng, not {language!r}")
    return EURLEX_ELI_PAGE + eli.path + (f"/{language}" if language else "")


def cellar_celex_iri(celex: Celex | str) -> URIRef:
    """Cellar's IRI of a CELEX number: ``http://publications.europa.eu/resource/celex/32024R1689``.

    Parentheses are kept as is (``.../celex/32022H1215(01)``): that is the IRI Cellar uses, and
    percent-encoding them would make a different IRI.
    """
    return CELEX[str(_as_celex(celex))]


def oeil_url(procedure: Procedure | str) -> str:
    """The Legislative Observatory page of a procedure:
    ``https://oeil.secure.europarl.europa.eu/oeil/en/procedure-file?reference=2021/0106(COD)``."""
    return OEIL_PAGE.format(reference=quote(str(_as_procedure(procedure)), safe="/()"))
