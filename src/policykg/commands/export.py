"""``policykg export``: the graph in a chosen format, deterministically."""

from __future__ import annotations

from pathlib import Path

import click

from policykg.errors import PolicyKGError
from policykg.formats import GRAPH_FORMATS, Format
from policykg.graph.build import build_project
from policykg.graph.export import export_file, graph_format
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
@click.option("--graph", "graph", default=None, help="Export only this named graph (an IRI).")
@click.option("--inferred/--asserted", default=False,
              help="Include the reasoner's inferred graph (runs the reasoner unless cached).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.pass_context
def export(ctx: click.Context, fmt: Format, graph: str | None, inferred: bool, output: Path | None) -> None:
    """Export the project's validated graph. Triple formats (ttl, nt, rdf) merge the named graphs;
    quad formats (trig, nq, jsonld) keep them."""
    project = Project.locate(ctx.obj.get("root"))
    build = build_project(project, reason=inferred)
    data = export_file(build.nquads_path, fmt, graph=graph, inferred=inferred)
    if output is None:
        click.get_binary_stream("stdout").write(data)
    else:
        output.write_bytes(data)
        click.echo(f"wrote {output} ({len(data)} bytes, {fmt.name})", err=True)
