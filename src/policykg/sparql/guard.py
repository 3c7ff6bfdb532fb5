"""What a public query may do, decided before the engine sees the text.

pyoxigraph sends an HTTP request for every ``SERVICE`` and for ``LOAD``, with no switch to turn that off, and its
parser recurses (a deeply nested or very long query can overflow the stack). Parsing with rdflib costs ~10 ms a
query, too much for every request, so this module decides on the tokens of the project's one lexer
(:func:`policykg.sparql.text.tokens`, which splits the text as the grammar does, and splits keywords off as the
engine reads them: glued to a prefixed name or to each other, ``SERVICE:x``, ``SERVICESILENT<x>``, or after a
literal, ``trueSERVICE``). ``tests/test_guard_agreement.py`` runs generated texts through the engine itself to
hold the two in agreement. The scan refuses:

* ``SERVICE`` anywhere, unless it names an endpoint of the allow-list by a constant IRI; those clauses are then
  answered by the federation process and written into the text as ``VALUES`` (:mod:`.federation`): the engine
  never makes a call itself. Updates never federate;
* ``LOAD`` (:class:`QueryRefused`);
* dataset clauses (``FROM``, ``FROM NAMED``, ``USING``, ``WITH``) and protocol graph IRIs whose scheme could only
  name something outside the store, such as ``file:`` (graphs are never fetched: an IRI that names no stored
  graph is an empty graph); a glued clause is checked in every way it can be read;
* text longer, deeper or made of more tokens than :class:`Limits` allows (:class:`QueryTooLarge`,
  :class:`QueryTooComplex`).

Syntax errors are left to the engine, which reports them before evaluating anything. Results are cached by text.
The workers that run the engine are walled off the network besides (:mod:`policykg.web.endpoint.isolation`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from policykg.errors import QueryRefused, QueryTooComplex, QueryTooLarge, SparqlSyntaxError
from policykg.namespaces import PREFIXES
from policykg.sparql.federation import FederationPolicy, ServiceCall, service_calls
from policykg.sparql.text import Token, readings, resolve, tokens, words

QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
UPDATE_OPERATIONS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"})
#: Schemes a dataset clause may use: they can name a stored graph and the engine never dereferences them.
GRAPH_SCHEMES = frozenset({"http", "https", "urn", "tag"})


@dataclass(frozen=True)
class Limits:
    max_chars: int = 64 * 1024     # query or update text
    max_depth: int = 128           # nesting of { ( [ and << >>
    max_tokens: int = 20_000       # the engine's parser and planner recurse along long chains too
    # SERVICE endpoints a query may call (normalised http(s) IRIs); empty: federation is off, SERVICE refused.
    allowed_services: frozenset[str] = frozenset()
    # The unix socket of the federation process, which alone makes the allowed calls (the workers have no network).
    service_proxy: str = ""


@dataclass(frozen=True)
class Checked:
    """A query or update that passed the guard, with what the endpoint needs to know about it."""

    text: str
    operation: str                  # "query" or "update"
    form: str                       # SELECT, CONSTRUCT, DESCRIBE, ASK, or UPDATE
    dataset: tuple[str, ...] = ()   # IRIs of FROM / FROM NAMED / USING / WITH, resolved
    has_dataset_clause: bool = False
    where_offsets: tuple[int, ...] = ()  # updates: where USING clauses go (before each top-level WHERE)
    services: tuple[ServiceCall, ...] = ()  # allowed SERVICE clauses, made by the federation process, not the engine


#: Substrings without which a text cannot hold a keyword the guard must look at (keywords are ASCII, unescaped).
_TRIGGERS = ("service", "load", "from", "using", "with")
# The first keyword after the prologue (BASE, PREFIX, comments): the usual query, checked without a scan.
_PROLOGUE_FORM = re.compile(r"(?:\s++|\#[^\r\n]*+|BASE\s*+<[^<>\s]*+>|PREFIX\s*+[^\s:#<]*+:\s*+<[^<>\s]*+>)*+"
                            r"(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def _too_many_tokens(limits: Limits) -> QueryTooComplex:
    return QueryTooComplex(f"the text has more than {limits.max_tokens} tokens, more than this endpoint accepts; "
                           "split it into smaller queries")


def _too_deep(limits: Limits) -> QueryTooComplex:
    return QueryTooComplex(f"the text nests brackets deeper than {limits.max_depth} levels, more than this "
                           "endpoint accepts")


def _words(text: str, limits: Limits) -> list[str]:
    """The bare words and brackets of the text, outside strings, IRIs, comments, names and variables, upper-cased;
    checks bracket depth and token count on the way."""
    found, count = words(text)
    if len(text) > limits.max_tokens and count - len(_SPACES.findall(text)) > limits.max_tokens:
        raise _too_many_tokens(limits)
    depth = 0
    for word in found:
        if word in _OPENING:
            depth += 1
            if depth > limits.max_depth:
                raise _too_deep(limits)
        elif word in _CLOSING:
            depth = max(depth - 1, 0)
    return found


_SPACES = re.compile(r"\s+")
_OPENING = frozenset({"{", "(", "[", "<<"})
_CLOSING = frozenset({"}", ")", "]", ">>"})


def check_graph_iri(iri: str, what: str = "graph") -> str:
    """Refuse a graph IRI (from a dataset clause or a protocol parameter) that could only name something outside
    the store. Any other IRI is fine: it names a stored graph or else an empty one, and is never fetched. A text
    that is not an IRI at all is a SparqlSyntaxError (400)."""
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise SparqlSyntaxError(f"{what} <{iri[:200]}> is not an IRI: {error}") from None
    scheme = _SCHEME.match(iri)
    if not scheme or scheme.group(1).lower() not in GRAPH_SCHEMES:
        raise QueryRefused(f"{what} <{iri[:200]}> is refused: this endpoint never reads files or fetches graphs; "
                           f"a graph IRI must be absolute ({', '.join(sorted(GRAPH_SCHEMES))}) and name a graph "
                           "of the store")
    return iri


def _dataset(text: str, base: str | None, prefixes: dict[str, str], keywords: frozenset[str]) -> tuple[str, ...]:
    """The graph IRIs named after FROM [NAMED] / USING [NAMED] / WITH, checked and resolved. A keyword glued to what
    follows can be read more than one way (``WITHnamed:g``: ``WITH named:g`` or ``WITH NAMED :g``): every reading
    is checked."""
    found = tokens(text, split=False)
    prefixes = dict(prefixes)
    iris: list[str] = []

    def check(token: Token, what: str) -> None:
        iri = resolve(token, base, prefixes)
        if iri is not None:  # an undeclared prefix: the engine cannot read it so
            iris.append(check_graph_iri(iri, f"{what.lower()} clause graph"))

    for i, (kind, value, offset, depth) in enumerate(found):
        upper = value.upper() if kind == "word" else ""
        if upper == "BASE" and i + 1 < len(found) and found[i + 1][0] == "iri":
            base = resolve(found[i + 1], base, prefixes)
            continue
        if upper == "PREFIX" and i + 2 < len(found) and found[i + 1][0] == "pname" and found[i + 2][0] == "iri":
            prefixes[found[i + 1][1].rstrip(":")] = resolve(found[i + 2], base, prefixes) or ""
            continue
        if kind not in ("word", "pname"):
            continue
        for glued, rest in readings(value):
            if not glued or glued[0] not in keywords or any(k != "NAMED" for k in glued[1:]):
                continue
            if rest:  # glued to a prefixed name (a word left over is no graph)
                if kind == "pname":
                    check(("pname", rest, offset, depth), glued[0])
                continue
            j = i + 1  # the keyword stands alone: NAMED may follow, then the graph
            targets = [j]
            if j < len(found) and found[j][0] == "word" and found[j][1].upper() == "NAMED":
                targets.append(j + 1)
            for t in targets:
                if t < len(found) and found[t][0] == "iri":
                    check(found[t], glued[0])
                elif t < len(found) and found[t][0] == "pname":
                    for more, name in readings(found[t][1]):
                        if all(k == "NAMED" for k in more):
                            check(("pname", name, found[t][2], depth), glued[0])
    return tuple(dict.fromkeys(iris))


def _refuse_keywords(words: list[str], text: str, base: str | None, limits: Limits,
                     operation: str) -> tuple[ServiceCall, ...]:
    """Refuse LOAD, and SERVICE unless it names an allowed endpoint; the allowed SERVICE clauses."""
    if "LOAD" in words:
        raise QueryRefused("LOAD is refused: this endpoint never fetches documents; upload data with the "
                           "Graph Store Protocol instead")
    if "SERVICE" not in words:
        return ()
    if not limits.allowed_services or operation != "query":
        raise QueryRefused("SERVICE (federated query) is refused: this endpoint never calls other endpoints; "
                           "query each endpoint yourself and join the answers")
    return _service_calls(text, base, limits.allowed_services)


@lru_cache(maxsize=2048)
def _service_calls(text: str, base: str | None, allowed: frozenset[str]) -> tuple[ServiceCall, ...]:
    """Every SERVICE names, by a constant IRI, an endpoint on the allow-list (SILENT changes nothing)."""
    return service_calls(text, base, PREFIXES, FederationPolicy(allowed))


def _check(operation: str, text: str, base_iri: str | None, limits: Limits) -> Checked:
    if len(text) > limits.max_chars:
        raise QueryTooLarge(f"the {operation} is {len(text)} characters long; this endpoint accepts at most "
                            f"{limits.max_chars}")
    if operation == "query":
        # Fast path: no trigger word anywhere (not even inside strings or IRIs), few brackets, a short text.
        lower = text.lower()
        if not any(trigger in lower for trigger in _TRIGGERS) and len(text) <= limits.max_tokens and (
                text.count("{") + text.count("(") + text.count("[") + text.count("<<") <= limits.max_depth):
            start = _PROLOGUE_FORM.match(text)
            if start:
                return Checked(text, operation, start.group(1).upper())
    words = _words(text, limits)
    services = _refuse_keywords(words, text, base_iri, limits, operation)
    if operation == "query":
        form = next((w for w in words if w in QUERY_FORMS), "SELECT")
        has_clause = "FROM" in words
        dataset = _dataset(text, base_iri, PREFIXES, frozenset({"FROM"})) if has_clause else ()
        return Checked(text, operation, form, dataset, has_clause, services=services)
    has_clause = "USING" in words or "WITH" in words
    scan = tokens(text)
    dataset = _dataset(text, base_iri, PREFIXES, frozenset({"USING", "WITH"})) if has_clause else ()
    return Checked(text, operation, "UPDATE", dataset, has_clause, _where_offsets(scan))


def _where_offsets(scan: list[Token]) -> tuple[int, ...]:
    """Offsets of each top-level WHERE that opens the pattern of a DELETE/INSERT operation (not of DELETE WHERE,
    which takes no USING): where protocol ``using-graph-uri`` clauses are inserted."""
    offsets = []
    previous = ""
    for kind, value, offset, depth in scan:
        if kind == "word":
            upper = value.upper()
            if upper == "WHERE" and depth == 0 and previous != "DELETE":
                offsets.append(offset)
            previous = upper
        else:
            previous = ""
    return tuple(offsets)


def check_query(text: str, *, base_iri: str | None = None, limits: Limits = Limits()) -> Checked:
    """Check a query; raises QueryRefused, QueryTooLarge or QueryTooComplex. Cached by text."""
    return _check("query", text, base_iri, limits)


def check_update(text: str, *, base_iri: str | None = None, limits: Limits = Limits()) -> Checked:
    """Check an update (only ever run for a client holding the update token); LOAD and SERVICE stay refused."""
    return _check("update", text, base_iri, limits)


def with_using(checked: Checked, using: list[str], using_named: list[str]) -> str:
    """The update text with the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` as USING clauses before
    each top-level WHERE. The caller refuses requests that also have USING or WITH in the text (a conflict)."""
    if not using and not using_named:
        return checked.text
    clause = " ".join([f"USING <{iri}>" for iri in using] + [f"USING NAMED <{iri}>" for iri in using_named]) + " "
    text = checked.text
    for offset in reversed(checked.where_offsets):
        text = text[:offset] + clause + text[offset:]
    return text
