"""SPARQL text, the project's one lexer of it: tokens, the prologue, and what a query says without a full parser.

:func:`tokens` splits a text the way the SPARQL grammar does: strings (all four quotings, with escapes), IRIs
(with the ``\\u`` escapes the engine decodes), comments, prefixed names (with their ``\\`` escapes), variables
and language tags are single tokens, so a keyword inside any of them is not a keyword, and a keyword outside them
cannot hide. A keyword glued to a prefixed name (``SERVICE:x``, ``FROMNAMED:g``) is split off as the engine reads
it. The guard (:mod:`.guard`) decides on these tokens; :func:`mask` blanks comments, strings and IRIs for the
readers below it (the query's form, the variables a SELECT projects, where its WHERE group opens, to bind
parameters with a ``VALUES`` block); :func:`prologue` writes ``BASE``/``PREFIX`` lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urljoin

import pyoxigraph as ox

from policykg.errors import SparqlSyntaxError

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
# Words and brackets (and prefixed names, for the keywords glued to them), every other token matched and dropped on
# the way, in one pass of the regex engine.
_WORDS = re.compile(r"\s++|" + "|".join(pattern for kind, pattern in _OPAQUE if kind != "pname")
                    + rf"|(?P<p>{dict(_OPAQUE)['pname']})|(?P<w>{_WORD}|[{{}}()\[\]]|<<|>>)|[^\s]")
# The full scan: one token per match.
_TOKEN = re.compile(
    r"(?P<ws>\s+)|" + "|".join(f"(?P<{kind}{i}>{pattern})" for i, (kind, pattern) in enumerate(_OPAQUE))
    + rf"|(?P<word>{_WORD})|(?P<open>[{{(\[]|<<)|(?P<close>[}})\]]|>>)|(?P<other>[\s\S])"
)
_KIND = {f"{kind}{i}": kind for i, (kind, _) in enumerate(_OPAQUE)}
#: A significant token: (kind, text, offset, bracket depth). Kinds: iri, string, var, lang, pname, word, open,
#: close, other (comments and white space are dropped).
Token = tuple[str, str, int, int]
#: Keywords the engine reads at the start of a longer word or of a prefixed name's prefix: its parser matches a
#: keyword's letters without asking that a word ends there, so ``SERVICESILENT<x>`` is ``SERVICE SILENT <x>`` and
#: ``SERVICE:x`` is ``SERVICE :x``.
GLUED_KEYWORDS = ("SERVICE", "SILENT", "LOAD", "FROM", "NAMED", "USING", "WITH", "INTO", "GRAPH")
#: Keywords that reach outside the store, hidden behind a literal the engine reads first: ``trueSERVICE <x> {}`` is
#: ``true SERVICE <x> {}``, ``1e3SERVICE`` is ``1e3 SERVICE`` (the lexer sees the word ``e3SERVICE``).
_HIDDEN_CALL = re.compile(r"(?:TRUE|FALSE|E[0-9]*)+(SERVICE|LOAD)")


_GLUED_START = re.compile("|".join(GLUED_KEYWORDS))
_KEYWORD_SET = frozenset(GLUED_KEYWORDS)


def readings(value: str) -> list[tuple[list[str], str]]:
    """Every way the engine may read a word or a prefixed name: (the keywords peeled off its front, the rest), from
    none peeled to as many as can be. ``WITHnamed:g`` is ``WITHnamed:g``, ``WITH named:g`` or ``WITH NAMED :g``."""
    found: list[tuple[list[str], str]] = [([], value)]
    keywords: list[str] = []
    rest = value
    while True:
        upper = rest.partition(":")[0].upper()
        keyword = next((k for k in GLUED_KEYWORDS if upper.startswith(k)), None)
        if keyword is None:
            return found
        keywords = [*keywords, keyword]
        rest = rest[len(keyword):]
        found.append((keywords, rest))


def _split_glued(value: str) -> tuple[list[str], str]:
    """The keywords the engine reads at the start of a word or a prefixed name's prefix, and what is left."""
    return readings(value)[-1]


def hidden_call(value: str) -> str | None:
    """SERVICE or LOAD when the engine may read one inside this word or prefixed name (after a literal)."""
    match = _HIDDEN_CALL.match(value.partition(":")[0].upper())
    return match.group(1) if match else None


def words(text: str) -> tuple[list[str], int]:
    """The bare words and brackets of the text (outside strings, IRIs, comments, names and variables; keywords
    glued to a prefixed name or to each other split off), upper-cased, and the number of tokens of the text. A word
    or prefix where the engine may read SERVICE or LOAD after a literal (:func:`hidden_call`) adds that keyword."""
    found = _WORDS.findall(text)
    out: list[str] = []
    glued_start, hidden_start = _GLUED_START.match, _HIDDEN_CALL.match
    for pname, word in found:
        if word:
            upper = word.upper()
            if len(upper) == 1 and not upper.isalpha():  # a bracket
                out.append(upper)
                continue
        elif pname:
            upper = pname.partition(":")[0].upper()
        else:
            continue
        if upper in _KEYWORD_SET:
            out.append(upper)
        elif not glued_start(upper):
            if word:
                out.append(upper)
        else:
            glued, rest = _split_glued(upper)
            out.extend(glued)
            if word and rest:
                out.append(rest)
            upper = rest
        if upper[:1] in "TFE" and upper and (hidden := hidden_start(upper)):
            out.append(hidden.group(1))
    return out, len(found)


def tokens(text: str, *, split: bool = True) -> list[Token]:
    """Every significant token with its offset and bracket depth; keywords glued to a word or prefixed name split
    off (``split``), else each word and name whole."""
    found: list[Token] = []
    depth = 0
    pos, end = 0, len(text)
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        assert m is not None  # the last alternative matches any character
        kind = _KIND.get(m.lastgroup or "", m.lastgroup or "")
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
        if split and kind in ("pname", "word") and _GLUED_START.match(value.upper()) \
                and value.upper() not in _KEYWORD_SET:
            glued, value = _split_glued(value)
            for keyword in glued:
                found.append(("word", keyword, start, depth))
                start += len(keyword)
            if not value:
                continue
        found.append((kind, value, start, depth))
    return found


_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def resolve(token: Token, base: str | None, prefixes: dict[str, str]) -> str | None:
    """The IRI an ``iri`` or ``pname`` token names, as the engine reads it: ``\\u`` escapes decoded, a relative IRI
    resolved against ``base``, a prefixed name's ``\\`` escapes dropped. None for any other token or an undeclared
    prefix (the engine reports that as a syntax error)."""
    kind, value = token[0], token[1]
    if kind == "iri":
        iri = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), value[1:-1])
        try:
            return urljoin(base, iri) if base and not _SCHEME.match(iri) else iri
        except ValueError as error:  # e.g. an unclosed IPv6 host: <//[::1>
            raise SparqlSyntaxError(f"<{iri[:200]}> is not an IRI: {error}") from None
    if kind == "pname":
        prefix, _, local = value.partition(":")
        namespace = prefixes.get(prefix)
        return None if namespace is None else namespace + re.sub(r"\\(.)", r"\1", local)
    return None


def mask(text: str) -> str:
    """``text`` with comments, strings and IRIs blanked out (same length, newlines kept)."""
    out, pos, end = [], 0, len(text)
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        assert m is not None
        kind = _KIND.get(m.lastgroup or "", m.lastgroup or "")
        value = m.group()
        out.append(re.sub(r"[^\n]", " ", value) if kind in ("comment", "string", "iri") else value)
        pos += len(value)
    return "".join(out)


def prologue(base_iri: str | None = None, prefixes: dict[str, str] | None = None, *,
             used_in: str | None = None) -> str:
    """``BASE`` and ``PREFIX`` lines, every IRI written by pyoxigraph (checked and escaped); with ``used_in``, only
    the prefixes that text uses."""
    if used_in is not None:
        used = {value.partition(":")[0] for kind, value, _, _ in tokens(used_in) if kind == "pname"}
        prefixes = {name: iri for name, iri in (prefixes or {}).items() if name in used}
    lines = []
    if base_iri:
        lines.append(f"BASE {_iri(base_iri)}")
    for name, iri in (prefixes or {}).items():
        if not _PREFIX_NAME.fullmatch(name):
            raise SparqlSyntaxError(f"not a SPARQL prefix name: {name!r}")
        lines.append(f"PREFIX {name}: {_iri(iri)}")
    return "".join(line + "\n" for line in lines)


def _iri(value: str) -> str:
    try:
        return str(ox.NamedNode(value))
    except ValueError as error:
        raise SparqlSyntaxError(f"not an IRI: {value!r} ({error})") from None


_PREFIX_NAME = re.compile(rf"(?:[{_NAME_START}](?:[{_NAME_CHAR}\-.]*[{_NAME_CHAR}\-])?)?")


_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORD = r"(?<![?$\w:-])"  # a keyword, not a variable (?from) or part of a prefixed name (ex:select)
_FORM = re.compile(_KEYWORD + r"(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.I)
_VAR = re.compile(r"[?$]([A-Za-z0-9_\u00C0-\uFFFF]+)")
_AS_VAR = re.compile(r"\bAS\s+[?$]([A-Za-z0-9_\u00C0-\uFFFF]+)\s*$", re.I)


def query_form(text: str) -> str:
    """``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE``: the first such keyword outside comments and strings."""
    match = _FORM.search(mask(text))
    if match is None:
        raise SparqlSyntaxError("not a SPARQL query: no SELECT, CONSTRUCT, ASK or DESCRIBE")
    return match.group(1).upper()


def projection(text: str) -> list[str] | None:
    """The variables a SELECT query projects, in order; ``None`` for ``SELECT *``."""
    masked = mask(text)
    match = _FORM.search(masked)
    if match is None or match.group(1).upper() != "SELECT":
        raise SparqlSyntaxError("not a SELECT query")
    brace = masked.find("{", match.end())
    clause = masked[match.end():brace if brace >= 0 else len(masked)]
    clause = re.split(_KEYWORD + r"(?:WHERE|FROM)\b", clause, maxsplit=1, flags=re.I)[0]
    names: list[str] = []
    depth, group_start, index = 0, 0, 0
    while index < len(clause):
        char = clause[index]
        if char == "(":
            depth += 1
            group_start = index if depth == 1 else group_start
        elif char == ")":
            depth -= 1
            if depth == 0 and (found := _AS_VAR.search(clause[group_start + 1:index])):
                names.append(found.group(1))
        elif depth == 0 and char == "*":
            return None
        elif depth == 0 and (var := _VAR.match(clause, index)):
            names.append(var.group(1))
            index = var.end()
            continue
        index += 1
    return list(dict.fromkeys(names))


def where_brace(text: str) -> int:
    """The index of the ``{`` that opens the query's outermost WHERE group."""
    masked = mask(text)
    match = _FORM.search(masked)
    if match is None:
        raise SparqlSyntaxError("not a SPARQL query: no SELECT, CONSTRUCT, ASK or DESCRIBE")
    start = masked.find("{", match.end())
    if match.group(1).upper() == "CONSTRUCT" and start >= 0:
        between = masked[match.end():start]
        if re.search(_KEYWORD + r"WHERE\b", between, re.I):
            raise SparqlSyntaxError("the short form CONSTRUCT WHERE { … } cannot take parameters: "
                                    "write CONSTRUCT { template } WHERE { … }")
        start = masked.find("{", _matching_brace(masked, start) + 1)  # CONSTRUCT { template } WHERE { ... }
    if start < 0:
        raise SparqlSyntaxError("the query has no WHERE group to bind parameters in")
    return start


def _matching_brace(masked: str, start: int) -> int:
    depth = 0
    for index in range(start, len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[index], 0)
        if depth == 0:
            return index
    raise SparqlSyntaxError("unbalanced braces in the query")


def values_block(variables: list[str] | tuple[str, ...], rows: Iterable[Sequence[ox.NamedNode | ox.Literal | None]]
                 ) -> str:
    """``VALUES (?a ?b) { (x y) ... }``, every term written by pyoxigraph in N-Triples syntax (escaped) from a
    parsed term, so that no value reaches the text unparsed; ``None`` is written UNDEF."""
    if not variables:
        raise SparqlSyntaxError("a VALUES block needs at least one variable")
    for name in variables:
        if not isinstance(name, str) or not _VARIABLE_NAME.fullmatch(name):
            raise SparqlSyntaxError(f"{name!r} is not a SPARQL variable name")
    lines = []
    for row in rows:
        if len(row) != len(variables):
            raise SparqlSyntaxError(f"a VALUES row has {len(row)} terms for {len(variables)} variables")
        for term in row:
            if term is not None and not isinstance(term, (ox.NamedNode, ox.Literal)):
                raise TypeError(f"bind RDF terms, not {type(term).__name__}")
        lines.append("(" + " ".join("UNDEF" if term is None else str(term) for term in row) + ")")
    head = " ".join(f"?{name}" for name in variables)
    if len(lines) == 1:  # one row (a named query's parameters) on one line
        return f"VALUES ({head}) {{ {lines[0]} }}"
    return f"VALUES ({head}) {{\n" + "\n".join("    " + line for line in lines) + "\n  }"


def with_values(text: str, bindings: dict[str, ox.NamedNode | ox.Literal | None]) -> str:
    """``text`` with a ``VALUES`` block of one row first in its WHERE group (:func:`values_block`). ``None``
    binds nothing (``UNDEF``)."""
    if not bindings:
        return text
    block = values_block(tuple(bindings), [tuple(bindings.values())])
    brace = where_brace(text) + 1
    return f"{text[:brace]}\n  {block}{text[brace:]}"
