"""``policykg stats``: counts per class, per named graph, per file."""

from __future__ import annotations

import click

from policykg.graph.build import build_project
from policykg.graph.stats import dataset_stats
from policykg.namespaces import compact
from policykg.project import Project


@click.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Count the triples of the validated graph per class, per named graph and per file."""
    project = Project.locate(ctx.obj.get("root"))
    build = build_project(project, reason=False)
    result = dataset_stats(build.dataset, build.sources, project.root)
    click.echo(f"{result.triples} triples, build {build.short_version}\n\nInstances per class:")
    for iri, count in result.per_class:
        click.echo(f"  {count:6d}  {compact(iri)}")
    click.echo("\nTriples per named graph:")
    for iri, count in result.per_graph:
        click.echo(f"  {count:6d}  {iri}")
    click.echo("\nTriples per file:")
    for path, count in result.per_file:
        click.echo(f"  {count:6d}  {path}")

