"""Which remote endpoints a ``SERVICE`` clause may reach, and how an allowed call is made without the engine.

Off by default: ``FederationPolicy()`` allows nothing. An endpoint is allowed only if its normalised form
equals a configured one exactly: http or https; scheme and host lower-cased; the default port (80, 443)
dropped; an empty path written "/"; percent-escapes upper-cased. No user name or password, no fragment,
no prefix matching: ``https://publications.europa.eu/webapi/rdf/sparql`` does not allow
``.../sparql/other`` nor ``...sparql?x=1``.

The engine never makes an allowed call itself (its workers have no network): :func:`service_calls` finds every
``SERVICE [SILENT] <allowed> { P }`` with the project's one lexer, each becomes ``SELECT * WHERE { P }`` (with the
query's prologue) asked of that endpoint by the federation process, and :func:`inline_answers` writes the answers
back in place of the clauses as ``VALUES`` blocks (:func:`policykg.sparql.text.values_block`). A ``SERVICE`` inside
an allowed one is part of ``P``: the remote endpoint evaluates it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyoxigraph as ox

from policykg.errors import PolicyKGError, QueryRefused, SparqlSyntaxError, UpstreamError
from policykg.namespaces import CELLAR_SPARQL_ENDPOINT
from policykg.sparql.text import hidden_call, prologue, resolve, tokens, values_block

_DEFAULT_PORTS = {"http": 80, "https": 443}
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`]")
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def normalise_endpoint(iri: str) -> str:
    """The normal form of an http(s) endpoint IRI; a PolicyKGError saying what is wrong otherwise."""
    if not isinstance(iri, str):
        raise PolicyKGError(f"endpoint must be a string, not {type(iri).__name__}")
    if _FORBIDDEN.search(iri):
        raise PolicyKGError(f"endpoint {iri!r}: contains a space, control character or character IRIs forbid")
    if "%" in _ESCAPE.sub("", iri):
        raise PolicyKGError(f"endpoint {iri!r}: has a '%' that is not a percent-escape")
    parts = urlsplit(iri)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise PolicyKGError(f"endpoint {iri!r}: must be http or https")
    if not iri[len(scheme) + 1:].startswith("//"):
        raise PolicyKGError(f"endpoint {iri!r}: needs a host (scheme://host/...)")
    if "@" in parts.netloc:
        raise PolicyKGError(f"endpoint {iri!r}: must not contain a user name or password")
    if parts.fragment or iri.endswith("#"):
        raise PolicyKGError(f"endpoint {iri!r}: must not have a #fragment")
    host = (parts.hostname or "").lower()
    if not host or not _HOST.fullmatch(f"[{host}]" if ":" in host else host):
        raise PolicyKGError(f"endpoint {iri!r}: has no valid host")
    try:
        port = parts.port
    except ValueError:
        raise PolicyKGError(f"endpoint {iri!r}: the port is not a number from 0 to 65535") from None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    path = _ESCAPE.sub(lambda m: m.group().upper(), parts.path or "/")
    query = _ESCAPE.sub(lambda m: m.group().upper(), parts.query)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query or iri.endswith("?") else "")


@dataclass(frozen=True)
class FederationPolicy:
    """The endpoints ``SERVICE`` may call. Empty (the default) means federation is off."""

    allowed_endpoints: frozenset[str] = frozenset()

    def __init__(self, allowed_endpoints: Iterable[str] = ()) -> None:
        if isinstance(allowed_endpoints, str):
            raise PolicyKGError("allowed_endpoints must be a collection of IRIs, not one string")
        object.__setattr__(self, "allowed_endpoints",
                           frozenset(normalise_endpoint(e) for e in allowed_endpoints))

    @classmethod
    def cellar(cls) -> FederationPolicy:
        """Allows only the Publications Office's public CELLAR endpoint."""
        return cls([CELLAR_SPARQL_ENDPOINT])

    @property
    def enabled(self) -> bool:
        return bool(self.allowed_endpoints)

    def allows(self, iri: object) -> bool:
        """True only if ``iri`` is an http(s) IRI whose normal form is on the list."""
        if not self.allowed_endpoints or not isinstance(iri, str):
            return False
        try:
            return normalise_endpoint(str(iri)) in self.allowed_endpoints
        except PolicyKGError:
            return False


@dataclass(frozen=True)
class ServiceCall:
    """One outermost ``SERVICE`` clause of a query: where it is in the text, and what to ask of whom."""

    endpoint: str    # normalised, on the allow-list
    silent: bool
    query: str       # SELECT * WHERE { P }, with the BASE and the prefixes P uses
    start: int       # the clause is text[start:end]
    end: int


def service_calls(text: str, base_iri: str | None, prefixes: dict[str, str], policy: FederationPolicy
                  ) -> tuple[ServiceCall, ...]:
    """The outermost SERVICE clauses of ``text``, each naming an allowed endpoint by a constant IRI; QueryRefused
    for any SERVICE (nested ones included) that names another endpoint, or a variable."""
    found = tokens(text)
    base, declared = base_iri, dict(prefixes)
    calls: list[ServiceCall] = []
    index = 0
    while index < len(found):
        kind, value, offset, _ = found[index]
        upper = value.upper() if kind == "word" else ""
        if upper == "BASE" and index + 1 < len(found) and found[index + 1][0] == "iri":
            base = resolve(found[index + 1], base, declared)
        elif upper == "PREFIX" and index + 2 < len(found) and found[index + 1][0] == "pname" \
                and found[index + 2][0] == "iri":
            declared[found[index + 1][1].rstrip(":")] = resolve(found[index + 2], base, declared) or ""
        if kind in ("word", "pname") and hidden_call(value):
            raise QueryRefused(f"{value[:100]} is refused: write SERVICE as a word of its own, after a space")
        if upper != "SERVICE":
            index += 1
            continue
        at = index + 1
        silent = at < len(found) and found[at][0] == "word" and found[at][1].upper() == "SILENT"
        at += silent
        target = resolve(found[at], base, declared) if at < len(found) else None
        if target is None or not policy.allows(target):
            shown = target or (found[at][1] if at < len(found) else "nothing")
            allowed = ", ".join(sorted(policy.allowed_endpoints)) or "no endpoint"
            raise QueryRefused(f"SERVICE {shown[:200]} is refused: this endpoint only federates with {allowed} "
                               "(and only by a constant IRI)")
        opening = at + 1
        depth = found[opening][3] if opening < len(found) and found[opening][1] == "{" else 0
        closing = next((j for j in range(opening + 1, len(found))
                        if found[j][0] == "close" and found[j][3] == depth - 1), None) if depth else None
        if closing is None:
            raise SparqlSyntaxError(f"SERVICE <{target[:200]}> must be followed by a group {{ … }}")
        group = text[found[opening][2]:found[closing][2] + 1]
        query = prologue(base, declared, used_in=group) + "SELECT * WHERE " + group
        for inner in range(opening, closing):  # nested SERVICE clauses go to the remote endpoint: check them too
            inner_kind, inner_value = found[inner][0], found[inner][1]
            if inner_kind in ("word", "pname") and hidden_call(inner_value):
                raise QueryRefused(f"{inner_value[:100]} is refused: write SERVICE as a word of its own")
            if inner_kind == "word" and inner_value.upper() == "SERVICE":
                service_calls(text[found[inner][2]:found[closing][2] + 1], base, declared, policy)
        calls.append(ServiceCall(normalise_endpoint(target), silent, query, offset, found[closing][2] + 1))
        index = closing + 1
    return tuple(calls)


#: The answer of one call: (variables, rows), or None when a SILENT call failed.
Answer = tuple[list[str], list[list[ox.NamedNode | ox.Literal | None]]] | None


def answer_of(endpoint: str, solutions: ox.QuerySolutions) -> Answer:
    """Variables and rows of a remote answer, checked: a blank node cannot be joined outside its answer."""
    variables = [variable.value for variable in solutions.variables]
    rows = []
    for solution in solutions:
        row = []
        for name in variables:
            term = solution[name]
            if term is not None and not isinstance(term, (ox.NamedNode, ox.Literal)):
                raise UpstreamError(f"the answer of {endpoint} binds ?{name} to a blank node or a triple, which "
                                    "cannot be joined with this store's data: select IRIs and literals only")
            row.append(term)
        rows.append(row)
    return variables, rows


def inline_answers(text: str, calls: tuple[ServiceCall, ...], answers: list[Answer]) -> str:
    """``text`` with each SERVICE clause replaced by a group holding its answer: a VALUES block, ``{ }`` (one
    empty solution: a SILENT call that failed, or an answer binding no variable), or a group with no solution."""
    out, position = [], 0
    for call, answer in zip(calls, answers, strict=True):
        if answer is None:
            group = "{ }"
        else:
            variables, rows = answer
            if not rows:
                group = "{ FILTER(false) }"
            elif not variables:
                group = "{ }"
            else:
                group = "{ " + values_block(variables, rows) + " }"
        out.append(text[position:call.start])
        out.append(group)
        position = call.end
    out.append(text[position:])
    return "".join(out)
