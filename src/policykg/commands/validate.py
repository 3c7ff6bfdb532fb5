"""``policykg validate``: strict parsing and SHACL validation, as a readable report."""

from __future__ import annotations

from pathlib import Path

import click

from policykg.graph.validate import ValidationReport, validate_files
from policykg.project import Project


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--warnings/--no-warnings", default=True, help="Show warnings as well as violations.")
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], warnings: bool) -> None:
    """Validate the project's graph, or FILES (with the ontology and vocabularies), against the shapes.

    Exit status: 0 conforms, 1 violations, 2 unreadable input."""
    project = Project.locate(ctx.obj.get("root"))
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise click.UsageError(f"no such file: {', '.join(missing)}")
    report = validate_files(project, files)
    click.echo(render(report, warnings=warnings))
    ctx.exit(0 if report.conforms else 1)


def render(report: ValidationReport, *, warnings: bool = True) -> str:
    lines = []
    for result in report.results:
        if result.severity != "Violation" and not warnings:
            continue
        where = f" {result.path}" if result.path else ""
        value = f" (value {result.value})" if result.value and result.value != result.focus_node else ""
        lines.append(f"{result.location()}: {result.severity}: {result.focus_node}{where}{value}: "
                     f"{result.message} [{result.source_shape}]")
    verdict = "conforms" if report.conforms else "does not conform"
    lines.append(f"{verdict}: {len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    return "\n".join(lines)
