"""Generate ``docs/queries.md`` from the headers of ``queries/*.rq``.

``policykg queries --write-docs`` rewrites the file;
``policykg queries --check-docs`` exits 1 when it is out of date,
as the test does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from policykg.namespaces import INFERRED_GRAPH, QUERIES_GRAPH
from policykg.queries.choices import parse_source
from policykg.queries.parameters import TYPE_HINTS, Parameter
from policykg.queries.registry import NamedQuery, QueryRegistry

if TYPE_CHECKING:
    from policykg.project import Project

_KIND = {"SELECT": "table", "CONSTRUCT": "graph", "ASK": "true / false", "DESCRIBE": "graph"}


def render_markdown(registry: QueryRegistry) -> str:
    lines = [
        "# Named research queries",
        "",
        "<!-- Generated from the headers of queries/*.rq by `policykg queries --write-docs`; do not edit. -->",
        "",
        "Each query is a file in `queries/`, with a header that gives its title, description, typed parameters",
        "and what it returns. Run one with `policykg query NAME --param KEY=VALUE --format csv`, or on the",
        "server at `/queries/NAME.csv?KEY=VALUE` (also `.tsv`, `.json`, `.ttl`). Parameters are bound as RDF",
        "terms (IRI, date, string, language-tagged string, integer, CELEX number), never pasted into the query",
        "text; a value of the wrong type is refused with a message naming the parameter. An `iri` parameter also",
        "takes a project prefixed name (`file:ai-act`, `porg:ecre`), and a bare slug where the parameter says",
        "so. The same queries are published as data (SHACL `sh:SPARQLExecutable`) in the named graph",
        f"`{QUERIES_GRAPH}`.",
        "",
        "## Parameters whose values come from the data",
        "",
        "A parameter drawn from a vocabulary (affected groups, work areas, stances: a SKOS concept scheme) or",
        "from the graph (policy files, packages, partner organisations, acts) says so in its header",
        "(`values=scheme:affected-group`, `values=files`), and its accepted values are read from the published",
        "dataset by one lookup query per kind (`src/policykg/queries/lookups/*.rq`). A value is accepted as its",
        "**short name** (a concept's `skos:notation`, a file's or an organisation's slug, an act's CELEX number)",
        "or as its **full IRI** (or a project prefixed name of it, such as `file:ai-act`); any other value is",
        "refused: `policykg query` exits 2 and the server answers 400, naming the parameter and listing every",
        "accepted value with its label (the JSON error has them under `accepted`). The page `/queries/NAME`",
        "offers these values in a picker, and `/queries.json` lists them.",
        "",
        "A parameter marked *several* takes more than one value: repeat it (`/queries/NAME.csv?file=ai-act&",
        "file=eurodac-regulation`, `--param file=ai-act --param file=eurodac-regulation`). The answer is the rows",
        "for each value together, bound as one `VALUES` block; a comma-separated list is one (refused) value.",
        "",
        "## What a named query sees",
        "",
        "One published dataset: `policykg query`, `/queries/NAME.csv`, the editor's examples on `/sparql` and a",
        "store the graph was published to (`policykg publish`) all answer from the same build, identified by one",
        "version (the `X-PolicyKG-Dataset-Version` header). Its default graph is the union of its named graphs:",
        "the data files, vocabularies, ontology, shapes, these queries, and the reasoner's inferences",
        f"(`{INFERRED_GRAPH}`). Every named query is written so that its answer is **the same with or without",
        "that inferred graph**: a row never exists only because a reasoner ran, and inferred types, inverse",
        "properties, super-properties or `owl:sameAs` aliases never duplicate a row (tests run every query on",
        "the build with and without the inferred graph, and through the CLI and the server, and compare). So a",
        "query matches a class with its subclasses written out (`VALUES ?class { pkg:PolicyFile",
        "pkg:PolicyPackage }`), keeps hierarchy within one scheme, and reads statements of the data files with",
        "`GRAPH ?g` where a reasoner could add more. Ask the inferred graph by name for the inferences.",
        "",
        "| Query | Question | Gives |",
        "| --- | --- | --- |",
    ]
    for query in registry.values():
        lines.append(f"| [`{query.name}`](#{query.name}) | {_cell(query.title)} | {_KIND[query.form]} |")
    for query in registry.values():
        lines += ["", *_section(query)]
    return "\n".join(lines) + "\n"


def _section(query: NamedQuery) -> list[str]:
    out = [f"## {query.name}", "", f"**{query.title}**", ""]
    if query.description:
        out += [query.description, ""]
    if query.params:
        out += ["| Parameter | Type | Values | Default | Description |", "| --- | --- | --- | --- | --- |"]
        for p in query.params:
            default = f"`{p.default}`" if p.default is not None else ("*required*" if p.required else "*none*")
            kind = f"`{p.type_label}`" + (", *several*" if p.multiple else "")
            out.append(f"| `{p.name}` | {_cell(kind)} | {_cell(_values(p))} | {_cell(default)} | "
                       f"{_cell(p.description)} |")
        out.append("")
    else:
        out += ["No parameters.", ""]
    if query.returns:
        returns = (", ".join(f"`{c}`" for c in query.columns) if query.columns else query.returns)
        out += [f"Returns: {returns}.", ""]
    if query.keywords:
        out += [f"Keywords: {', '.join(query.keywords)}.", ""]
    example = " ".join(f"--param {p.name}={p.default}" for p in query.params if p.default is not None)
    fmt = "ttl" if query.form in ("CONSTRUCT", "DESCRIBE") else "csv"
    out += ["```", f"policykg query {query.name} {example} --format {fmt}".replace("  ", " "), "```"]
    return out


def _values(param: Parameter) -> str:
    """Where a parameter's values come from, and how to write one."""
    if param.values is not None:
        return f"{parse_source(param.values).description}: short name or IRI (`values={param.values}`)"
    words = " or ".join(TYPE_HINTS[t] for t in param.types)
    return words + (f", or a slug of `{param.slug_base}`" if param.slug_base else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def docs_path(root: Path) -> Path:
    return root / "docs" / "queries.md"


def docs_up_to_date(project: Project) -> bool:
    target = docs_path(project.root)
    current = target.read_text(encoding="utf-8") if target.is_file() else ""
    return current == render_markdown(QueryRegistry.from_project(project))


def write_docs(project: Project) -> Path:
    target = docs_path(project.root)
    target.write_text(render_markdown(QueryRegistry.from_project(project)), encoding="utf-8")
    return target
