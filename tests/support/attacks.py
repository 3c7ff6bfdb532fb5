"""Texts that would make pyoxigraph reach outside the store, written every way the grammar and the engine accept:
Hypothesis strategies shared by the guard's agreement test (against the engine) and the server tests (against
``policykg serve``, as root and as nobody).

SERVICE, LOAD, FROM [NAMED], USING [NAMED], WITH and GRAPH come in any case, glued to a prefixed name, to each
other or after a literal, with comments between the tokens, IRIs with ``\\u`` escapes, relative to a BASE, through a
PREFIX (the text's own or a predefined one redefined), nested in OPTIONAL, FILTER EXISTS, subqueries, MINUS,
UNION, GRAPH, after BIND and VALUES, SILENT or not.
"""

from __future__ import annotations

from hypothesis import strategies as st

#: A graph only a dataset clause can reach (tests put a marker triple in it).
OUTSIDE = "file:///etc/policykg-marker"


def escaped(iri: str) -> str:
    """The IRI with its scheme's colon and first letter written as \\u escapes."""
    scheme, _, rest = iri.partition(":")
    return f"\\u{ord(scheme[0]):04X}{scheme[1:]}\\u003A{rest}"


def _case(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word.upper(), word.lower(), word.title(), word[:-1].lower() + word[-1].upper()])


_gap = st.sampled_from([" ", "\n", "\t", " #c SERVICE <x>\n", "#\n", "  "])
_glue = st.one_of(_gap, st.just(""))   # "" glues a keyword to what follows (a prefixed name or an IRI)


def _target(url: str) -> st.SearchStrategy[tuple[str, str]]:
    """(prologue, reference): a way to name ``url`` (which ends with "/") in a text."""
    host = url[:-1]
    return st.sampled_from([
        ("", f"<{url}>"),
        ("", f"<{url}x>"),
        ("", f"<{escaped(url)}>"),
        (f"BASE <{url}>\n", "<>"),
        (f"BASE <{url}>\n", "<x>"),
        (f"BASE <{host}/a/b/>\n", "<../../x>"),
        (f"BASE <{escaped(url)}>\n", "<y>"),
        (f"PREFIX : <{url}>\n", ":"),
        (f"PREFIX : <{url}>\n", ":x"),
        (f"PREFIX p: <{url}>\n", "p:x"),
        (f"PREFIX p: <{escaped(url)}>\n", "p:x"),
        (f"BASE <{url}>\nPREFIX p: <>\n", "p:"),
        (f"PREFIX cdm: <{url}>\n", "cdm:x"),                 # a predefined prefix, redefined by the text
        (f"PREFIX silent: <{url}>\n", "silent:x"),
        (f"PREFIX named: <{url}>\n", "named:x"),
        (f"PREFIX cdm: <{url}>\n", "cdm:x"),
        ("", "?endpoint"),                                     # a variable, bound by the lead or not at all
    ])


_silent = st.one_of(st.just(""), st.tuples(_glue, _case("SILENT")).map("".join))
#: What may stand right before the clause, glued to it: the engine reads ``trueSERVICE`` as ``true SERVICE``.
_lead = st.sampled_from(["", "", "?a ?b true", "?a ?b false", "?a ?b 1e3", "?a ?b 1.5", "?a ?b ?c .", "?a ?b ?c ;",
                         "?a ?b (1)", "?a ?b []", "?a ?b 'x'", "?a ?b 'x'@en ", "?a ?b ?c",
                         # line ends the engine may or may not take as the end of a comment, escapes in strings
                         "?a ?b ?c # x\r", "?a ?b ?c # x\u2028", "?a ?b ?c # x\x85", "?a ?b ?c # x\x0c",
                         "?a ?b '\\u0027' .", "?a ?b '''a\\''' .", '?a ?b "\\"" .'])


def _service(*targets: st.SearchStrategy[tuple[str, str]]) -> st.SearchStrategy[tuple[str, str]]:
    """(prologue, clause): one SERVICE clause naming one of ``targets``."""
    return st.tuples(_case("SERVICE"), _silent, _glue, st.one_of(*targets), _lead).map(
        lambda t: (t[3][0], f"{t[4]}{t[0]}{t[1]}{t[2]}{t[3][1]} {{ ?s ?p ?o }}"))

_places = st.sampled_from([
    "{}", "{ OPTIONAL {} }", "{ FILTER EXISTS {} }", "{ FILTER NOT EXISTS {} }", "{ { SELECT * WHERE {} } }",
    "{ ?a ?b ?c . MINUS {} }", "{ {} UNION { ?a ?b ?c } }", "{ { ?a ?b ?c } UNION {} }", "{ GRAPH ?g {} }",
    "{ BIND(1 AS ?one) {} }", "{ ?a ?b ?c OPTIONAL { { SELECT ?s WHERE {} LIMIT 1 } } }",
    "{ VALUES ?v { 1 } {} }", "{ FILTER(?a < ?b && ?c > ?d) {} }", "{ ?a ?b 'SERVICE <x> {' . {} }",
    "{ GRAPH:g {} }",
])
_form = st.sampled_from(["SELECT *", "select *", "ASK", "CONSTRUCT { ?s ?p ?o }", "DESCRIBE ?s", "SELECT ?s"])
_where = st.sampled_from(["WHERE ", "where\n", "", "#w\n"])


def _service_query(draw_parts) -> str:
    (prologue, clause), place, form, where = draw_parts
    body = place.replace("{}", "{ " + clause + " }", 1)
    return f"PREFIX : <urn:x:>\n{prologue}{form} {where}{body}"




def service_queries(url: str) -> st.SearchStrategy[str]:
    """Queries with a SERVICE clause naming ``url`` (an http URL ending with "/")."""
    return st.tuples(_service(_target(url)), _places, _form, _where).map(_service_query)


def mixed_queries(url: str, allowed: str) -> st.SearchStrategy[str]:
    """Queries with one to three SERVICE clauses, each naming ``url`` or ``allowed``."""
    clauses = st.lists(_service(_target(url), _target(allowed)), min_size=1, max_size=3)
    return st.tuples(clauses, _places, _form, _where).map(
        lambda t: _service_query((("".join(dict.fromkeys(p for p, _ in t[0])), " . ".join(c for _, c in t[0])),
                                  t[1], t[2], t[3])))



def calling_updates(url: str) -> st.SearchStrategy[str]:
    """Updates with LOAD of ``url``, or with a SERVICE clause naming it."""
    load = st.tuples(_case("LOAD"), _silent, _glue, _target(url),
                     st.sampled_from(["", " INTO GRAPH <urn:g>", " into graph:g", " INTO GRAPH:g"]),
                     st.sampled_from(["", "CLEAR SILENT GRAPH <urn:x> ;\n", "INSERT DATA { <urn:a> <urn:b> 1 } ;\n"])
                     ).map(lambda t: f"PREFIX g: <urn:g:>\n{t[3][0]}{t[5]}{t[0]}{t[1]}{t[2]}{t[3][1]}{t[4]}")
    service = st.tuples(_service(_target(url)), _places).map(
        lambda t: f"PREFIX : <urn:x:>\n{t[0][0]}INSERT {{ <urn:a> <urn:b> <urn:c> }} WHERE "
                  + t[1].replace("{}", "{ " + t[0][1] + " }", 1))
    return st.one_of(load, service)


def _dataset_target() -> st.SearchStrategy[tuple[str, str]]:
    folder, name = OUTSIDE.rsplit("/", 1)
    return st.sampled_from([
        ("", f"<{OUTSIDE}>"),
        ("", f"<{escaped(OUTSIDE)}>"),
        ("", f"<fil\\u0065:///etc/{name}>"),
        (f"BASE <{folder}/>\n", f"<{name}>"),
        (f"BASE <{escaped(folder)}/>\n", f"<{name}>"),
        (f"BASE <{folder}/sub/>\n", f"<../{name}>"),
        (f"PREFIX f: <{folder}/>\n", f"f:{name}"),
        (f"PREFIX : <{folder}/>\n", f":{name}"),
        (f"PREFIX named: <{folder}/>\n", f"named:{name}"),
        (f"PREFIX file: <{folder}/>\n", f"file:{name}"),    # the predefined file: prefix, redefined
        (f"BASE <{folder}/>\nPREFIX f: <>\n", f"f:{name}"),
    ])


_named = st.one_of(st.just(""), st.tuples(_case("NAMED"), _glue).map(lambda t: t[0] + t[1]))
_from = st.tuples(_case("FROM"), _glue, _named, _glue, _dataset_target(), st.booleans()).map(
    lambda t: (t[4][0], f"{t[0]}{t[1] if t[2] else ''}{t[2]}{t[3]}{t[4][1]}", t[5]))
dataset_queries = _from.map(
    lambda t: f"{t[0]}SELECT ?s FROM <http://safe.example/> FROM NAMED <http://safe.example/> "
              + (f"{t[1]} " if t[2] else "") + "WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
              + ("" if t[2] else f" # {t[1]}"))
_using = st.tuples(_case("USING"), _glue, _named, _glue, _dataset_target()).map(
    lambda t: (t[4][0], f"{t[0]}{t[1] if t[2] else ''}{t[2]}{t[3]}{t[4][1]}"))
_with = st.tuples(_case("WITH"), _glue, _dataset_target()).map(lambda t: (t[2][0], f"{t[0]}{t[1]}{t[2][1]}"))
dataset_updates = st.one_of(
    _using.map(lambda t: f"{t[0]}INSERT {{ GRAPH <urn:out> {{ ?s ?p ?o }} }} USING <http://safe.example/> {t[1]} "
                         "WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"),
    _with.map(lambda t: f"{t[0]}{t[1]} INSERT {{ GRAPH <urn:out> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"),
)
