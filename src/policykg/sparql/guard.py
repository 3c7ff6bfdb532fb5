"""What a public query may do, decided before the engine sees the text.

pyoxigraph sends an HTTP request for every ``SERVICE`` and for ``LOAD``, with no switch to turn that off, and its
parser recurses (a deeply nested or very long query can overflow the stack). Parsing with rdflib costs ~10 ms a
query, too much for every request, so this module scans the text lexically, the way the SPARQL grammar splits it
into tokens: strings (all four quotings, with escapes), IRIs (with ``\\u`` escapes, which the engine decodes),
comments, prefixed names (with their ``\\`` escapes), variables and language tags are single tokens, so a keyword
inside any of them is not a keyword, and a keyword outside them cannot hide. The scan refuses:

* ``SERVICE`` anywhere, and ``LOAD`` (:class:`QueryRefused`);
* dataset clauses (``FROM``, ``FROM NAMED``, ``USING``, ``WITH``) and protocol graph IRIs whose scheme could only
  name something outside the store, such as ``file:`` (graphs are never fetched: an IRI that names no stored
  graph is an empty graph);
* text longer, deeper or made of more tokens than :class:`Limits` allows (:class:`QueryTooLarge`,
  :class:`QueryTooComplex`).

Syntax errors are left to the engine, which reports them before evaluating anything. Results are cached by text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from policykg.errors import QueryRefused, QueryTooComplex, QueryTooLarge
from policykg.namespaces import PREFIXES

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


@dataclass(frozen=True)
class Checked:
    """A query or update that passed the guard, with what the endpoint needs to know about it."""

    text: str
    operation: str                  # "query" or "update"
    form: str                       # SELECT, CONSTRUCT, DESCRIBE, ASK, or UPDATE
    dataset: tuple[str, ...] = ()   # IRIs of FROM / FROM NAMED / USING / WITH, resolved
    has_dataset_clause: bool = False
    where_offsets: tuple[int, ...] = ()  # updates: where USING clauses go (before each top-level WHERE)


# Token patterns, shared by the fast path and the full scan. Name characters are a superset of the grammar's (any
# non-ASCII character counts), so a name here always extends at least as far as the engine's: where the two could
# split a text differently, the engine finds a syntax error and evaluates nothing. IRIREF is the grammar's (no
# spaces, braces or quotes), so an IRI can never swallow a group pattern. A prefixed name takes its escapes:
# ``ex:a\'b`` is one name, not the start of a string.
_NAME_START = "A-Za-z\u0080-\U0010FFFF"
_NAME_CHAR = "0-9A-Za-z_\u0080-\U0010FFFF"
_OPAQUE = (  # (kind, pattern)
    ("comment", r"\#[^\r\n]*+"),
    ("string", r"'''(?:[^'\\]|\\[\s\S]|'(?!''))*+'''"),
    ("string", r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*+"""'),
    ("string", r"'(?:[^'\\\r\n]|\\.)*+'"),
    ("string", r'"(?:[^"\\\r\n]|\\.)*+"'),
    ("iri", r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>"),
    ("var", rf"[?$][{_NAME_CHAR}]++"),
    ("lang", r"@[A-Za-z]++(?:-[A-Za-z0-9]++)*+"),
    ("pname", rf"(?:[{_NAME_START}][{_NAME_CHAR}\-.]*+|_)?:"
              rf"(?:[{_NAME_CHAR}\-.:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])*+"),
)
_WORD = rf"[{_NAME_START}_][{_NAME_CHAR}]*+"
# Words and brackets, with every opaque token matched (and dropped) on the way, in one pass of the regex engine.
_WORDS = re.compile(r"\s++|" + "|".join(pattern for _, pattern in _OPAQUE)
                    + rf"|(?P<w>{_WORD}|[{{}}()\[\]]|<<|>>)|[^\s]")
# The first keyword after the prologue (BASE, PREFIX, comments): the usual query, checked without a scan.
_PROLOGUE_FORM = re.compile(r"(?:\s++|\#[^\r\n]*+|BASE\s*+<[^<>\s]*+>|PREFIX\s*+[^\s:#<]*+:\s*+<[^<>\s]*+>)*+"
                            r"(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE)
#: Substrings without which a text cannot hold a keyword the guard must look at (keywords are ASCII, unescaped).
_TRIGGERS = ("service", "load", "from", "using", "with")
# The full scan: one token per match.
_TOKEN = re.compile(
    r"(?P<ws>\s+)|" + "|".join(f"(?P<{kind}{i}>{pattern})" for i, (kind, pattern) in enumerate(_OPAQUE))
    + rf"|(?P<word>{_WORD})|(?P<open>[{{(\[]|<<)|(?P<close>[}})\]]|>>)|(?P<other>[\s\S])"
)
_KIND = {f"{kind}{i}": kind for i, (kind, _) in enumerate(_OPAQUE)}
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


@dataclass
class _Scan:
    tokens: list[tuple[str, str, int, int]]  # (kind, text, offset, depth) of significant tokens


def _too_many_tokens(limits: Limits) -> QueryTooComplex:
    return QueryTooComplex(f"the text has more than {limits.max_tokens} tokens, more than this endpoint accepts; "
                           "split it into smaller queries")


def _too_deep(limits: Limits) -> QueryTooComplex:
    return QueryTooComplex(f"the text nests brackets deeper than {limits.max_depth} levels, more than this "
                           "endpoint accepts")


def _words(text: str, limits: Limits) -> list[str]:
    """The bare words and brackets of the text, outside strings, IRIs, comments, names and variables, upper-cased;
    checks bracket depth and token count on the way."""
    found = _WORDS.findall(text)
    words = [w.upper() for w in found if w]
    if len(text) > limits.max_tokens and len(found) - len(_SPACES.findall(text)) > limits.max_tokens:
        raise _too_many_tokens(limits)
    depth = 0
    for word in words:
        if word in _OPENING:
            depth += 1
            if depth > limits.max_depth:
                raise _too_deep(limits)
        elif word in _CLOSING:
            depth = max(depth - 1, 0)
    return words


_SPACES = re.compile(r"\s+")
_OPENING = frozenset({"{", "(", "[", "<<"})
_CLOSING = frozenset({"}", ")", "]", ">>"})


def _scan(text: str) -> _Scan:
    """Every significant token, with its offset and bracket depth (for dataset clauses and USING insertion)."""
    tokens: list[tuple[str, str, int, int]] = []
    depth = 0
    pos, end = 0, len(text)
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        kind = _KIND.get(m.lastgroup, m.lastgroup)
        value = m.group()
        if kind == "pname" and value.endswith("."):     # a trailing dot ends the triple, not the name
            value = value.rstrip(".")
        start, pos = pos, pos + len(value)
        if kind == "ws" or kind == "comment":
            continue
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
        tokens.append((kind, value, start, depth))
    return _Scan(tokens)


def _unescape(iri: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)


def _resolve(token: tuple[str, str, int, int], base: str | None, prefixes: dict[str, str]) -> str | None:
    kind, value = token[0], token[1]
    if kind == "iri":
        iri = _unescape(value[1:-1])
        return urljoin(base, iri) if base and not _SCHEME.match(iri) else iri
    if kind == "pname":
        prefix, _, local = value.partition(":")
        namespace = prefixes.get(prefix)
        return None if namespace is None else namespace + re.sub(r"\\(.)", r"\1", local)
    return None


def check_graph_iri(iri: str, what: str = "graph") -> str:
    """Refuse a graph IRI (from a dataset clause or a protocol parameter) that could only name something outside
    the store. Any other IRI is fine: it names a stored graph or else an empty one, and is never fetched."""
    scheme = _SCHEME.match(iri)
    if not scheme or scheme.group(1).lower() not in GRAPH_SCHEMES:
        raise QueryRefused(f"{what} <{iri[:200]}> is refused: this endpoint never reads files or fetches graphs; "
                           f"a graph IRI must be absolute ({', '.join(sorted(GRAPH_SCHEMES))}) and name a graph "
                           "of the store")
    return iri


def _dataset(scan: _Scan, base: str | None, prefixes: dict[str, str], keywords: frozenset[str]) -> tuple[str, ...]:
    """The graph IRIs named after FROM [NAMED] / USING [NAMED] / WITH, checked and resolved."""
    prefixes = dict(prefixes)
    iris = []
    tokens = scan.tokens
    for i, (kind, value, _, _) in enumerate(tokens):
        upper = value.upper() if kind == "word" else ""
        if upper == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            base = _resolve(tokens[i + 1], base, prefixes)
        elif upper == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1][0] == "pname" and tokens[i + 2][0] == "iri":
            prefixes[tokens[i + 1][1].rstrip(":")] = _resolve(tokens[i + 2], base, prefixes) or ""
        elif upper in keywords:
            j = i + 1
            if j < len(tokens) and tokens[j][0] == "word" and tokens[j][1].upper() == "NAMED":
                j += 1
            if j < len(tokens) and tokens[j][0] in ("iri", "pname"):
                iri = _resolve(tokens[j], base, prefixes)
                if iri is None:
                    continue  # an undeclared prefix: the engine reports the syntax error
                iris.append(check_graph_iri(iri, f"{upper.lower()} clause graph"))
    return tuple(iris)


def _refuse_keywords(words: list[str], text: str, base: str | None, limits: Limits, operation: str) -> None:
    if "SERVICE" in words:
        if not limits.allowed_services or operation != "query":
            raise QueryRefused("SERVICE (federated query) is refused: this endpoint never calls other endpoints; "
                               "query each endpoint yourself and join the answers")
        _check_services(text, base, limits.allowed_services)
    if "LOAD" in words:
        raise QueryRefused("LOAD is refused: this endpoint never fetches documents; upload data with the "
                           "Graph Store Protocol instead")


@lru_cache(maxsize=2048)
def _check_services(text: str, base: str | None, allowed: frozenset[str]) -> None:
    """Every SERVICE names, by a constant IRI, an endpoint on the allow-list (SILENT changes nothing)."""
    from policykg.sparql.federation import FederationPolicy

    policy = FederationPolicy(allowed)
    tokens = _scan(text).tokens
    for index, (kind, value, _, _) in enumerate(tokens):
        if kind != "word" or value.upper() != "SERVICE":
            continue
        following = tokens[index + 1: index + 3]
        if following and following[0][0] == "word" and following[0][1].upper() == "SILENT":
            following = following[1:]
        target = _resolve(following[0], base, PREFIXES) if following else None
        if target is None or not policy.allows(target):
            shown = target or (following[0][1] if following else "nothing")
            raise QueryRefused(f"SERVICE {shown} is refused: this endpoint only federates with "
                               f"{', '.join(sorted(allowed))} (and only by a constant IRI)")


def _check(operation: str, text: str, base_iri: str | None, limits: Limits) -> Checked:
    if len(text) > limits.max_chars:
        raise QueryTooLarge(f"the {operation} is {len(text)} characters long; this endpoint accepts at most "
                            f"{limits.max_chars}")
    if operation == "query":
        # Fast path: no trigger word anywhere (not even inside strings or IRIs), few brackets, a short text.
        lower = text.lower()
        if not any(trigger in lower for trigger in _TRIGGERS) and len(text) <= limits.max_tokens and (
                text.count("{") + text.count("(") + text.count("[") + text.count("<<") <= limits.max_depth):
            form = _PROLOGUE_FORM.match(text)
            if form:
                return Checked(text, operation, form.group(1).upper())
    words = _words(text, limits)
    _refuse_keywords(words, text, base_iri, limits, operation)
    if operation == "query":
        form = next((w for w in words if w in QUERY_FORMS), "SELECT")
        has_clause = "FROM" in words
        dataset = _dataset(_scan(text), base_iri, PREFIXES, frozenset({"FROM"})) if has_clause else ()
        return Checked(text, operation, form, dataset, has_clause)
    has_clause = "USING" in words or "WITH" in words
    scan = _scan(text)
    dataset = _dataset(scan, base_iri, PREFIXES, frozenset({"USING", "WITH"})) if has_clause else ()
    return Checked(text, operation, "UPDATE", dataset, has_clause, _where_offsets(scan))


def _where_offsets(scan: _Scan) -> tuple[int, ...]:
    """Offsets of each top-level WHERE that opens the pattern of a DELETE/INSERT operation (not of DELETE WHERE,
    which takes no USING): where protocol ``using-graph-uri`` clauses are inserted."""
    offsets = []
    previous = ""
    for kind, value, offset, depth in scan.tokens:
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
