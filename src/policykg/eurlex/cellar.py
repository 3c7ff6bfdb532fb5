"""Ask CELLAR about CELEX numbers and procedures; return what it says as plain records (CDM values read,
checked and normalised: ISO dates, the ``9999-12-31`` sentinel noted and dropped, booleans, language tags).

Values that cannot be read are left out with a note; nothing here knows the curated graph.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from policykg.errors import IdentifierError
from policykg.eurlex.client import CellarClient, Row
from policykg.eurlex.languages import language_tag
from policykg.eurlex.sparql import full_text, load_query
from policykg.identifiers import parse_celex
from policykg.namespaces import CDM, EUROVOC, RESOURCE_TYPE, XSD, compact

#: CDM's "no end of validity".
END_OF_VALIDITY_SENTINEL = "9999-12-31"
#: Dates outside this range are not real dates of EU acts (the shapes allow the same range).
DATE_RANGE = (_dt.date(1950, 1, 1), _dt.date(2099, 12, 31))

QUERY_NAMES = ("facts", "titles", "links", "procedures")

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:T[0-9:.]+)?(?:Z|[+-]\d{2}:\d{2})?")
_EUROVOC_CONCEPT = re.compile(re.escape(str(EUROVOC)) + r"([0-9]+|c_[0-9a-f]{8})")
_RELATIONS = {CDM["resource_legal_amends_resource_legal"]: "amends",
              CDM["resource_legal_repeals_resource_legal"]: "repeals"}
_ROLES = {CDM["dossier_initiated_by_act_preparatory"]: "proposal",
          CDM["dossier_produces_resource_legal"]: "final act"}


@dataclass(frozen=True, order=True)
class LinkedAct:
    """An act CELLAR points to: its CELEX number and, if CELLAR gives one, its ELI."""

    celex: str
    eli: str | None = None


@dataclass(frozen=True, order=True)
class Link:
    relation: str  # "amends" or "repeals"
    target: LinkedAct


@dataclass
class CellarWork:
    """What CELLAR says about one CELEX number."""

    celex: str
    works: set[str] = field(default_factory=set)
    eli: set[str] = field(default_factory=set)
    types: set[URIRef] = field(default_factory=set)
    date_document: set[str] = field(default_factory=set)
    entry_into_force: set[str] = field(default_factory=set)
    end_of_validity: set[str] = field(default_factory=set)
    open_ended: bool = False  # CELLAR gave the 9999-12-31 sentinel
    in_force: set[bool] = field(default_factory=set)
    subjects: set[URIRef] = field(default_factory=set)
    titles: set[tuple[str, str]] = field(default_factory=set)  # (language tag, title)
    links: set[Link] = field(default_factory=set)


@dataclass
class CellarProcedure:
    iri: URIRef
    proposals: set[LinkedAct] = field(default_factory=set)
    final_acts: set[LinkedAct] = field(default_factory=set)


@dataclass
class CellarAnswer:
    """Everything one run learnt from the endpoint."""

    endpoint: str
    asked: tuple[str, ...]
    asked_procedures: tuple[URIRef, ...]
    works: dict[str, CellarWork]
    procedures: dict[URIRef, CellarProcedure]
    linked: tuple[str, ...]          # CELEX numbers fetched because CELLAR links to them
    notes: list[str]                 # values left out, and why
    queries: dict[str, str]          # query name -> text sent (before the VALUES block)
    requests: int = 0
    retries: int = 0

    @property
    def unknown(self) -> tuple[str, ...]:
        """The CELEX numbers asked about that CELLAR does not know."""
        return tuple(c for c in self.asked if c not in self.works)

    @property
    def unknown_procedures(self) -> tuple[URIRef, ...]:
        return tuple(p for p in self.asked_procedures if p not in self.procedures)


def fetch(client: CellarClient, celex_numbers: Iterable[str], procedures: Iterable[URIRef] = (),
          *, follow_links: bool = True) -> CellarAnswer:
    """Ask ``client``'s endpoint about every CELEX number and CELLAR procedure IRI.

    With ``follow_links``, the acts CELLAR links to (amended, repealed, a procedure's proposal and final
    act) that were not asked about are fetched too (their facts and titles, one level deep).
    """
    asked = tuple(sorted(set(celex_numbers)))
    asked_procedures = tuple(sorted(set(procedures)))
    templates = {name: load_query(name) for name in QUERY_NAMES}
    notes: list[str] = []
    works: dict[str, CellarWork] = {}

    _describe(client, templates, asked, works, notes, links=True)
    found_procedures = _procedures(client, templates["procedures"], asked_procedures, notes)
    linked: tuple[str, ...] = ()
    if follow_links:
        targets = {link.target.celex for work in works.values() for link in work.links}
        targets |= {act.celex for p in found_procedures.values() for act in p.proposals | p.final_acts}
        linked = tuple(sorted(targets - set(asked)))
        _describe(client, templates, linked, works, notes, links=False)
    return CellarAnswer(
        endpoint=client.endpoint, asked=asked, asked_procedures=asked_procedures, works=works,
        procedures=found_procedures, linked=linked, notes=sorted(set(notes)),
        queries={name: full_text(text) for name, text in templates.items()},
        requests=client.requests, retries=client.retries_made)


def _describe(client: CellarClient, templates: dict[str, str], celex_numbers: tuple[str, ...],
              works: dict[str, CellarWork], notes: list[str], *, links: bool) -> None:
    if not celex_numbers:
        return
    values = [Literal(c, datatype=XSD.string) for c in celex_numbers]
    for row in client.select_batched(templates["facts"], "celex", values):
        _read_fact(works, row, notes)
    for row in client.select_batched(templates["titles"], "celex", values):
        _read_title(works, row, notes)
    if links:
        for row in client.select_batched(templates["links"], "celex", values):
            _read_link(works, row, notes)


def _procedures(client: CellarClient, template: str, procedures: tuple[URIRef, ...],
                notes: list[str]) -> dict[URIRef, CellarProcedure]:
    found: dict[URIRef, CellarProcedure] = {}
    for row in client.select_batched(template, "procedure", list(procedures)) if procedures else []:
        iri, role, celex = row.get("procedure"), _named(_ROLES, row.get("role")), _celex(row.get("celex"), notes)
        if iri is None or role is None or celex is None:
            continue
        act = LinkedAct(celex, _eli(row.get("eli")))
        procedure = found.setdefault(URIRef(str(iri)), CellarProcedure(URIRef(str(iri))))
        (procedure.proposals if role == "proposal" else procedure.final_acts).add(act)
    return found


def _work(works: dict[str, CellarWork], row: Row) -> CellarWork | None:
    celex = row.get("celex")
    if celex is None:
        return None
    return works.setdefault(str(celex), CellarWork(str(celex)))


def _read_fact(works: dict[str, CellarWork], row: Row, notes: list[str]) -> None:
    work = _work(works, row)
    prop, value = row.get("property"), row.get("value")
    if work is None or value is None:
        return
    if row.get("work") is not None:
        work.works.add(str(row["work"]))
    where = f"{work.celex}: {compact(str(prop))}"
    if prop == CDM["resource_legal_eli"]:
        eli = _eli(value)
        if eli:
            work.eli.add(eli)
    elif prop == CDM["work_has_resource-type"]:
        if isinstance(value, URIRef) and str(value).startswith(str(RESOURCE_TYPE)):
            work.types.add(value)
        else:
            notes.append(f"{where} {value!s} is not a resource-type authority IRI, left out")
    elif prop == CDM["work_date_document"]:
        _add_date(work.date_document, value, where, notes)
    elif prop == CDM["resource_legal_date_entry-into-force"]:
        _add_date(work.entry_into_force, value, where, notes)
    elif prop == CDM["resource_legal_date_end-of-validity"]:
        if _iso_date(value) == END_OF_VALIDITY_SENTINEL:
            work.open_ended = True
        else:
            _add_date(work.end_of_validity, value, where, notes)
    elif prop == CDM["resource_legal_in-force"]:
        flag = {"true": True, "1": True, "false": False, "0": False}.get(str(value).strip().lower())
        if flag is None:
            notes.append(f"{where} {value!s} is not a boolean, left out")
        else:
            work.in_force.add(flag)
    elif prop == CDM["work_is_about_concept_eurovoc"]:
        if isinstance(value, URIRef) and _EUROVOC_CONCEPT.fullmatch(str(value)):
            work.subjects.add(value)
        else:
            notes.append(f"{where} {value!s} is not a EuroVoc concept IRI, left out")


def _read_title(works: dict[str, CellarWork], row: Row, notes: list[str]) -> None:
    work = _work(works, row)
    language, title = row.get("language"), row.get("title")
    if work is None or language is None or title is None:
        return
    tag = language_tag(str(language))
    text = " ".join(str(title).split())
    if tag is None:
        notes.append(f"{work.celex}: a title in {language!s}, not an official EU language, left out")
    elif text:
        work.titles.add((tag, text))


def _read_link(works: dict[str, CellarWork], row: Row, notes: list[str]) -> None:
    work = _work(works, row)
    relation = _named(_RELATIONS, row.get("relation"))
    if work is None or relation is None:
        return
    target = _celex(row.get("targetCelex"), notes, f"{work.celex} {relation}")
    if target is not None:
        work.links.add(Link(relation, LinkedAct(target, _eli(row.get("targetEli")))))


def _named(names: dict[URIRef, str], value: Node | None) -> str | None:
    """The name ``names`` gives the IRI ``value`` (None for anything else: only an IRI equals an IRI key)."""
    return names.get(value) if isinstance(value, URIRef) else None


def _celex(value: object, notes: list[str], where: str = "") -> str | None:
    """A base-act CELEX number from a CELLAR value; a note and None for anything else."""
    if value is None:
        return None
    try:
        return str(parse_celex(str(value)))
    except IdentifierError as error:
        notes.append(f"{where + ': ' if where else ''}{error}; left out")
        return None


def _eli(value: object) -> str | None:
    return str(value) if value is not None and str(value).startswith("http") else None


def _iso_date(value: object) -> str | None:
    m = _DATE.fullmatch(str(value).strip())
    if not m:
        return None
    try:
        _dt.date.fromisoformat(m.group(1))
    except ValueError:
        return None
    return m.group(1)


def _add_date(target: set[str], value: object, where: str, notes: list[str]) -> None:
    iso = _iso_date(value)
    if iso is None:
        notes.append(f"{where} {value!s} is not a date, left out")
    elif not DATE_RANGE[0] <= _dt.date.fromisoformat(iso) <= DATE_RANGE[1]:
        notes.append(f"{where} {iso} is outside {DATE_RANGE[0].year}-{DATE_RANGE[1].year}, left out")
    else:
        target.add(iso)
