"""Which EU identifier a piece of text is, read with the grammar of :mod:`policykg.identifiers`: a CELEX number, an
ELI, a COM number or a procedure reference, each with the path of its lookup URL here (``/celex/32024R1689``,
``/eli/reg/2024/1689/oj``, ``/com/2021/206``, ``/procedure/2021/0106(COD)``).

The lookup URLs take the forms people paste: a CELEX number in any case, an ELI as the IRI, its EUR-Lex page or its
path; a COM number as ``COM(2021) 206``, ``COM(2021)206``, ``COM/2021/206`` or ``2021/206``; a procedure as OEIL
writes it (``2021/0106(COD)``), as EUR-Lex writes it (``2021/0106/COD``), with hyphens (``2021-0106-COD``, handy
in a URL) or without zero padding (``2021/106(COD)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from policykg.errors import IdentifierError
from policykg.identifiers import (
    EURLEX_ELI_PAGE,
    Celex,
    Com,
    Eli,
    Procedure,
    parse_celex,
    parse_com,
    parse_eli,
    parse_procedure,
)
from policykg.namespaces import ELI_ACT

KINDS = ("celex", "eli", "com", "procedure")
NAMES = {"celex": "CELEX number", "eli": "ELI", "com": "COM number", "procedure": "procedure reference"}

_ELI_PATH = re.compile(r"[a-z_]+/\d{4}/\d+/oj(?:/[a-z]{3})?")
_COM_BARE = re.compile(r"(\d{4})[/-](\d+)")
_PROCEDURE_LOOSE = re.compile(r"(\d{4})[/_-](\d{1,4})([A-Z]?)(?:[/_-]| ?\()([A-Z]{3})\)?")


@dataclass(frozen=True)
class Recognised:
    kind: str                                  # one of KINDS
    value: Celex | Eli | Com | Procedure

    @property
    def text(self) -> str:
        """The identifier written the official way (an ELI as its IRI)."""
        return str(self.value)

    @property
    def path(self) -> str:
        """Its lookup path on this server, without the script root."""
        value = self.value
        if isinstance(value, Eli):
            return f"/eli/{value.path}"
        if isinstance(value, Com):
            return f"/com/{value.year}/{value.number}"
        return f"/{self.kind}/{quote(str(value), safe='/()')}"

    @property
    def name(self) -> str:
        return NAMES[self.kind]


def read(kind: str, text: str) -> Recognised:
    """``text`` read as an identifier of ``kind``; IdentifierError says what is wrong with it."""
    text = text.strip()
    if kind == "celex":
        return Recognised(kind, parse_celex(text.upper(), base_act_only=False))
    if kind == "eli":
        return Recognised(kind, parse_eli(_eli_iri(text)))
    if kind == "com":
        bare = _COM_BARE.fullmatch(text)
        return Recognised(kind, parse_com(f"COM/{bare[1]}/{bare[2]}" if bare else _com_text(text)))
    if kind == "procedure":
        return Recognised(kind, parse_procedure(_procedure_text(text)))
    raise ValueError(f"unknown kind of identifier {kind!r}")


def recognise(text: str) -> Recognised | None:
    """The identifier ``text`` is, if it is exactly one (for a search box: ``32024r1689``, ``COM(2021) 206``)."""
    text = text.strip()
    for kind in KINDS:
        if kind == "com" and not text.upper().startswith("COM"):
            continue  # "2021/206" alone is too loose to be taken for a COM number in a search box
        if kind == "eli" and not _looks_like_eli(text):
            continue
        try:
            return read(kind, text)
        except IdentifierError:
            continue
    return None


def _looks_like_eli(text: str) -> bool:
    return text.startswith((ELI_ACT, EURLEX_ELI_PAGE, "eli/")) or _ELI_PATH.fullmatch(text) is not None


def _eli_iri(text: str) -> str:
    """An ELI as published, from its IRI, its EUR-Lex page or its path (``reg/2024/1689/oj``)."""
    for prefix in (ELI_ACT, EURLEX_ELI_PAGE, "eli/", "/"):
        if text.startswith(prefix):
            return ELI_ACT + text[len(prefix):]
    return ELI_ACT + text if _ELI_PATH.fullmatch(text) else text


def _com_text(text: str) -> str:
    return re.sub(r"^com", "COM", text, flags=re.IGNORECASE)


def _procedure_text(text: str) -> str:
    loose = _PROCEDURE_LOOSE.fullmatch(text.upper())
    if loose is None:
        return text
    year, number, suffix, kind = loose.groups()
    return f"{year}/{int(number):04d}{suffix}({kind})"


__all__ = ["KINDS", "Recognised", "read", "recognise"]
