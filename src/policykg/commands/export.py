"""``policykg export``: the graph in a chosen format, deterministically."""

from __future__ import annotations

from pathlib import Path

import click

from policykg.errors import PolicyKGError
from policykg.formats import GRAPH_FORMATS, Format
from policykg.graph.build import build_project
from policykg.graph.export import export_file, graph_format, project_context
from policykg.graph.export import list_graphs as list_graphs_of
from policykg.project import Project


def _format(ctx: click.Context, param: click.Parameter, value: str) -> Format:
    try:
        return graph_format(value)
    except PolicyKGError as error:
        raise click.BadParameter(str(error)) from None


@click.command()
@click.option("--format", "fmt", default="ttl", show_default=True, callback=_format,
              metavar="[" + "|".join(f.name for f in GRAPH_FORMATS) + "]",
              help="A graph format, by its short name or media type.")
@click.option("--graph", "graphs", multiple=True, metavar="NAME|IRI",
              help="Export only this named graph: its name (the source file's path without suffix, e.g. ai-act, "
                   "ontology/vocabularies/stance; see --list-graphs) or its IRI. Repeat for several.")
@click.option("--data-only", is_flag=True,
              help="Only the curated data files and the SKOS vocabularies: no ontology, shapes, query "
                   "definitions or inferences.")
@click.option("--inferred/--asserted", default=False,
              help="Include the reasoner's inferred graph (runs the reasoner unless cached).")
@click.option("--context-iri", is_flag=True,
              help="JSON-LD: name the published context by its IRI instead of writing it in full.")
@click.option("--list-graphs", is_flag=True, help="List the named graphs (name, IRI, triples) and exit.")
@click.option("--context", "context", is_flag=True,
              help="Write the JSON-LD context the exports name (the project's prefixes) and exit.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.pass_context
def export(ctx: click.Context, fmt: Format, graphs: tuple[str, ...], data_only: bool, inferred: bool,
           context_iri: bool, list_graphs: bool, context: bool, output: Path | None) -> None:
    """Export the project's validated graph. Triple formats (ttl, nt, rdf) merge the named graphs;
    quad formats (trig, nq, jsonld) keep them. JSON-LD is compacted with the published context
    (context.jsonld under the project's IRI base), written in full unless --context-iri."""
    project = Project.locate(ctx.obj.get("root"))
    if graphs and data_only:
        raise click.UsageError("--graph and --data-only choose the graphs two ways: give one of them")
    if context:
        _write(project_context(project), output, "JSON-LD context")
        return
    build = build_project(project, reason=inferred)
    if list_graphs:
        infos = list_graphs_of(build.nquads_path)
        width = max((len(info.name) for info in infos), default=0)
        for info in infos:
            click.echo(f"{info.name:{width}}  {info.iri}  {info.triples}")
        return
    data = export_file(build.nquads_path, fmt, graph=list(graphs) or None, inferred=inferred, data_only=data_only,
                       context_iri=context_iri)
    _write(data, output, fmt.name)


def _write(data: bytes, output: Path | None, what: str) -> None:
    if output is None:
        click.get_binary_stream("stdout").write(data)
    else:
        output.write_bytes(data)
        click.echo(f"wrote {output} ({len(data)} bytes, {what})", err=True)
