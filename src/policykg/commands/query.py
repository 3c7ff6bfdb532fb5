"""``policykg queries`` (list the named queries) and ``policykg query NAME|FILE.rq`` (run one)."""

from __future__ import annotations

from pathlib import Path

import click

from policykg.errors import QueryParameterError
from policykg.project import Project
from policykg.queries.choices import parse_source
from policykg.queries.registry import QueryRegistry
from policykg.sparql.results import default_format, format_names, serialize
from policykg.store.connect import embedded_store, remote_store


@click.command("queries")
@click.option("-v", "--verbose", is_flag=True, help="Show each query's description and parameters.")
@click.option("--write-docs", is_flag=True, help="Rewrite docs/queries.md from the query headers.")
@click.option("--check-docs", is_flag=True, help="Exit 1 when docs/queries.md is out of date.")
@click.pass_context
def list_queries(ctx: click.Context, verbose: bool, write_docs: bool, check_docs: bool) -> None:
    """List the named research queries (run one with `policykg query NAME`)."""
    project = Project.locate(ctx.obj.get("root") if ctx.obj else None)
    if write_docs or check_docs:
        ctx.exit(_docs(project, check=check_docs))
    registry = QueryRegistry.from_project(project)
    width = max((len(name) for name in registry), default=0)
    for query in registry.values():
        click.echo(f"{query.name.ljust(width)}  {query.title}")
        if verbose:
            click.echo(click.wrap_text(query.description, initial_indent=" " * (width + 2),
                                       subsequent_indent=" " * (width + 2), width=110))
            for p in query.params:
                default = f"default {p.default}" if p.default is not None else (
                    "required" if p.required else "optional")
                click.echo(f"{'':{width + 2}}--param {p.name}=…  {p.hint}; {default}")
                if p.values:
                    click.echo(f"{'':{width + 4}}values: {parse_source(p.values).description}")
            click.echo()


@click.command("query")
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter value, e.g. --param date=2024-01-01; repeat a parameter that takes several values "
                   "(--param file=ai-act --param file=eurodac-regulation). A parameter whose values come from the "
                   "dataset takes a short name (slug, notation, CELEX number) or the full IRI.")
@click.option("-f", "--format", "format_name", type=click.Choice(format_names()), default=None,
              help="Output format (default: table for rows, ttl for a graph; json is JSON-LD and xml RDF/XML "
                   "for a graph).")
@click.option("--no-reason", is_flag=True,
              help="Build without OWL reasoning (no Java needed); the named queries answer the same either way.")
@click.option("--reason-timeout", default=300.0, show_default=True, type=click.FloatRange(min=0), metavar="SECONDS",
              help="Time limit of the build's OWL reasoning (HermiT), in seconds; 0: no limit.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.option("--endpoint", metavar="URL", default=None,
              help="Run on this SPARQL endpoint (http(s)://… or sparql+http(s)://…), e.g. a store the graph was "
                   "published to, instead of the embedded store; the graphs it holds are queried as published.")
@click.pass_context
def query(ctx: click.Context, name: str, params: tuple[str, ...], format_name: str | None, no_reason: bool,
          reason_timeout: float, output: Path | None, endpoint: str | None) -> None:
    """Run a named query (see `policykg queries`) or a query file FILE.rq on the project's graph: the same
    published dataset `policykg serve` answers from, so the same rows as /queries/NAME.csv."""
    project = Project.locate(ctx.obj.get("root") if ctx.obj else None)
    named = QueryRegistry.from_project(project).resolve(name)
    values = parse_param_options(params)
    for key, given in values.items():  # unknown names and extra values fail before the (slower) build
        if not named.param(key).multiple and len(given) > 1:
            raise QueryParameterError(key, f"takes one value, and was given {len(given)}")
    store = remote_store(endpoint) if endpoint else embedded_store(project, reason=not no_reason,
                                                                  reason_timeout=reason_timeout or None)
    result = named.run(store, values)
    data = serialize(result, format_name or default_format(result.kind))
    if output is None:
        stream = click.get_binary_stream("stdout")
        stream.write(data)
        stream.flush()
    else:
        output.write_bytes(data)
        click.echo(f"wrote {output} ({len(data)} bytes)", err=True)


def parse_param_options(options: tuple[str, ...]) -> dict[str, list[str]]:
    """``KEY=VALUE`` options as each key's values, in the order given (a key repeats for several values)."""
    values: dict[str, list[str]] = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise QueryParameterError(key.strip() or option, f"write --param KEY=VALUE, got {option!r}")
        values.setdefault(key.strip(), []).append(value)
    return values


def _docs(project: Project, *, check: bool) -> int:
    from policykg.queries.docs import docs_path, docs_up_to_date, write_docs

    if check:
        if docs_up_to_date(project):
            return 0
        click.echo(f"{docs_path(project.root)} is out of date: run `policykg queries --write-docs`", err=True)
        return 1
    click.echo(f"wrote {write_docs(project)}", err=True)
    return 0
