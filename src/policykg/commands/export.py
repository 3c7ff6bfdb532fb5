"""``policykg export``: the graph in a chosen format, deterministically."""

from __future__ import annotations

from pathlib import Path

import click

from policykg.graph.build import build_project
from policykg.graph.export import EXPORT_FORMATS, select_graphs, serialize
from policykg.project import Project


@click.command()
@click.option("--format", "format_name", type=click.Choice(list(EXPORT_FORMATS)), default="ttl", show_default=True)
@click.option("--graph", "graph", default=None, help="Export only this named graph (an IRI).")
@click.option("--inferred/--asserted", default=False,
              help="Include the reasoner's inferred graph (runs the reasoner unless cached).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.pass_context
def export(ctx: click.Context, format_name: str, graph: str | None, inferred: bool, output: Path | None) -> None:
    """Export the project's validated graph. Triple formats (ttl, nt, xml) merge the named graphs;
    quad formats (trig, nq, jsonld) keep them."""
    project = Project.locate(ctx.obj.get("root"))
    build = build_project(project, reason=inferred)
    data = serialize(select_graphs(build.dataset, graph=graph, inferred=inferred), format_name)
    if output is None:
        click.get_binary_stream("stdout").write(data)
    else:
        output.write_bytes(data)
        click.echo(f"wrote {output} ({len(data)} bytes, {format_name})", err=True)
