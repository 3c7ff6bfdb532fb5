"""The w3id.org redirect rules (deploy/w3id/.htaccess) send an IRI of every kind we mint (namespaces.py) to the
path this server serves it at (web/site/local_iris.py), with the format a machine asks for, and the server answers
there.

The rules are applied as Apache applies per-directory rewrite rules: the path after ``policykg/`` is matched by each
``RewriteRule`` in order, the ``RewriteCond`` lines before a rule must hold (all of them, or any joined by ``[OR]``;
``!`` negates), ``$N`` in the substitution is the rule's group N and ``[L]`` stops. Apache's regular expressions are
PCRE; the rules use only what Python's ``re`` reads the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest

from policykg import namespaces
from policykg.formats import GRAPH_FORMATS, by_name
from policykg.namespaces import BASE, CONCEPT, DATASET, FILE, GRAPH, ONTOLOGY_IRI, PKG, QUERY, SCHEME, SHAPES_IRI
from policykg.web.site.local_iris import local_path

HTACCESS = Path(__file__).resolve().parents[1] / "deploy" / "w3id" / ".htaccess"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@dataclass
class Condition:
    variable: str
    pattern: str
    negated: bool
    flags: set[str]

    def holds(self, headers: dict[str, str]) -> bool:
        value = headers.get(self.variable, "")
        found = re.search(self.pattern, value, re.IGNORECASE if "NC" in self.flags else 0) is not None
        return found != self.negated


@dataclass
class Rule:
    pattern: str
    substitution: str
    flags: dict[str, str]
    conditions: list[Condition] = field(default_factory=list)

    def conditions_hold(self, headers: dict[str, str]) -> bool:
        """Conditions joined by [OR] form a group that holds when one of them does; every group must hold."""
        groups: list[list[bool]] = [[]]
        for condition in self.conditions:
            groups[-1].append(condition.holds(headers))
            if "OR" not in condition.flags:
                groups.append([])
        return all(any(group) for group in groups if group)


def _flags(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    flags = {}
    for flag in text.strip("[]").split(","):
        name, _, value = flag.partition("=")
        flags[name.strip().upper()] = value.strip()
    return flags


def read_rules(path: Path = HTACCESS) -> list[Rule]:
    rules, pending = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if parts[0] == "RewriteCond":
            test, pattern, flags = parts[1], parts[2], _flags(parts[3] if len(parts) > 3 else None)
            variable = re.fullmatch(r"%\{(\w+)\}", test)
            assert variable, f"a condition on something other than a server variable: {line}"
            negated = pattern.startswith("!")
            pending.append(Condition(variable.group(1), pattern[1:] if negated else pattern, negated, set(flags)))
        elif parts[0] == "RewriteRule":
            rules.append(Rule(parts[1], parts[2], _flags(parts[3] if len(parts) > 3 else None), pending))
            pending = []
    assert not pending, "conditions after the last rule apply to nothing"
    return rules


def redirect(iri: str, accept: str, rules: list[Rule] | None = None) -> tuple[int, str] | None:
    """(status, Location) w3id.org answers for ``iri`` asked with ``accept``; None when no rule applies (404)."""
    assert iri.startswith(BASE)
    path = iri[len(BASE):].split("#", 1)[0]  # the fragment never leaves the client
    for rule in rules if rules is not None else read_rules():
        found = re.search(rule.pattern, path)
        if not found or not rule.conditions_hold({"HTTP_ACCEPT": accept}):
            continue
        location = _substitute(rule.substitution, found)
        if "R" in rule.flags:
            return int(rule.flags["R"] or 302), location
        assert "L" not in rule.flags, f"an internal rewrite w3id.org cannot serve: {rule}"
    return None


def _substitute(substitution: str, found: re.Match) -> str:
    return re.sub(r"\$(\d)", lambda m: found.group(int(m.group(1))) or "", substitution)


def _host(rules: list[Rule]) -> str:
    hosts = {f"{urlsplit(r.substitution).scheme}://{urlsplit(r.substitution).netloc}" for r in rules}
    assert len(hosts) == 1, f"every rule sends to one server: {hosts}"
    return hosts.pop()


RULES = read_rules()
HOST = _host(RULES)


def examples() -> list[str]:
    """An IRI of every kind namespaces.py defines under BASE: a resource in each folder, each document, its version
    IRI, and a term of each hash namespace."""
    iris = []
    for name in namespaces.__all__:
        value = getattr(namespaces, name)
        base = str(value)
        if not base.startswith(BASE) or base == BASE:
            continue
        if base.endswith("/"):
            iris.append(base + "example-slug")
        elif base.endswith("#"):
            iris.append(base + "ExampleTerm")
        else:
            iris.append(base)
    iris += [ONTOLOGY_IRI + "/0.2.0", str(CONCEPT["affected-group/undocumented-children"]), str(FILE["ai-act"])]
    return sorted(set(iris))


KINDS = examples()


def test_every_kind_of_iri_is_covered():
    paths = {iri[len(BASE):].split("#")[0].split("/")[0] for iri in KINDS}
    assert paths >= {"id", "concept", "scheme", "graph", "query", "ontology", "shapes", "dataset"}
    assert str(PKG["PolicyFile"]).startswith(ONTOLOGY_IRI + "#") and SHAPES_IRI in KINDS and DATASET in KINDS


@pytest.mark.parametrize("iri", KINDS)
def test_a_browser_is_sent_to_the_page_of_the_iri_on_the_server(iri):
    assert redirect(iri, BROWSER) == (303, HOST + local_path(iri).split("#")[0])


@pytest.mark.parametrize("accept, extension", [("text/turtle", "ttl"), ("application/ld+json", "jsonld"),
                                               ("application/n-triples", "nt"),
                                               ("text/turtle;q=1.0, application/rdf+xml;q=0.5", "ttl")])
@pytest.mark.parametrize("iri", KINDS)
def test_a_machine_asking_for_rdf_gets_that_format(iri, accept, extension):
    assert redirect(iri, accept) == (303, f"{HOST}{local_path(iri).split('#')[0]}?format={extension}")


@pytest.mark.parametrize("accept", ["text/turtle, text/html;q=0.5", "*/*", ""])
def test_a_mixed_or_open_accept_is_left_to_the_servers_negotiation(accept):
    iri = str(FILE["ai-act"])
    assert redirect(iri, accept) == (303, HOST + local_path(iri))


def test_the_root_goes_to_the_home_page_and_unknown_paths_nowhere():
    assert redirect(BASE, BROWSER) == (302, HOST + "/")
    assert redirect(BASE + "elsewhere/thing", BROWSER) is None
    assert redirect(BASE + "ontology-draft", "text/turtle") is None
    assert redirect(BASE + "id/", BROWSER) is None     # a folder is not a resource


def test_the_rules_are_read_as_apache_reads_them(tmp_path):
    """The interpreter itself: [OR] joins conditions, ! negates, the first rule that applies wins."""
    htaccess = tmp_path / ".htaccess"
    htaccess.write_text("RewriteEngine on\n"
                        "RewriteCond %{HTTP_ACCEPT} a [OR]\nRewriteCond %{HTTP_ACCEPT} b\n"
                        "RewriteRule ^x/(.+)$ https://h/ab/$1 [R=303,L]\n"
                        "RewriteCond %{HTTP_ACCEPT} !c\nRewriteRule ^x/(.+)$ https://h/notc/$1 [R=303,L]\n"
                        "RewriteRule ^x/(.+)$ https://h/any/$1 [R=303,L]\n")
    rules = read_rules(htaccess)
    assert redirect(BASE + "x/1", "b", rules) == (303, "https://h/ab/1")
    assert redirect(BASE + "x/1", "a", rules) == (303, "https://h/ab/1")
    assert redirect(BASE + "x/1", "d", rules) == (303, "https://h/notc/1")
    assert redirect(BASE + "x/1", "c", rules) == (303, "https://h/any/1")


@pytest.mark.parametrize("iri, accept, media_type", [
    (str(FILE["ai-act"]), BROWSER, "text/html"),
    (str(FILE["ai-act"]), "text/turtle", "text/turtle"),
    (ONTOLOGY_IRI + "#PolicyFile", "application/ld+json", "application/ld+json"),
    (DATASET, "application/n-triples", "application/n-triples"),
    (str(GRAPH["data/ai-act"]), "text/turtle", "text/turtle"),
    (str(SCHEME["stance"]), BROWSER, "text/html"),
    (str(QUERY["status-on-date"]), "text/turtle", "text/turtle"),
])
def test_the_server_answers_where_the_rules_send(client, iri, accept, media_type):
    status, location = redirect(iri, accept)
    target = urlsplit(location)
    answer = client.get(target.path, query_string=target.query, headers={"Accept": accept})
    assert answer.status_code == 200, (location, answer.status_code)
    assert answer.mimetype == media_type
    if media_type == "text/html":
        assert iri.split("#")[0] in answer.get_data(as_text=True)
    else:  # the description is about the IRI asked for
        fmt = by_name(media_type, GRAPH_FORMATS)
        subjects = {q.subject for q in ox.parse(answer.get_data(), format=fmt.rdf)}
        assert ox.NamedNode(iri) in subjects
