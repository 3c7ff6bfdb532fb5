"""``policykg release [VERSION]``: check the version everywhere it is written, stamp it into the dataset's
description, and write the dumps with their SHA-256 checksums."""

from __future__ import annotations

from pathlib import Path

import click

from policykg.graph.release import DATASET_FILE, ReleaseError, make_release
from policykg.project import Project


@click.command()
@click.argument("version", required=False)
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the dumps and checksums (default: dist/ in the project).")
@click.option("--dry-run", is_flag=True, help="Check and say what would be written; write nothing.")
@click.option("--reason/--no-reason", default=True, show_default=True,
              help="Build as `policykg serve` does, with the reasoner's inferred graph (needs Java), or without.")
@click.option("--force", is_flag=True, help="Overwrite dumps of the same version that hold other bytes.")
@click.pass_context
def release(ctx: click.Context, version: str | None, output: Path | None, dry_run: bool, reason: bool,
            force: bool) -> None:
    """Release VERSION (default: pyproject.toml's). Checks that pyproject.toml, CITATION.cff and CHANGELOG.md
    agree on the version and its date, writes the release into data/dataset.ttl, builds the graph and writes
    every export format, CITATION.cff, the data licence, a manifest and a .sha256 file (sha256sum --check)."""
    project = Project.locate(ctx.obj.get("root"))
    try:
        report = make_release(project, version, output=output, dry_run=dry_run, reason=reason, force=force,
                              on_step=lambda message: click.echo(f"... {message}", err=True))
    except ReleaseError as error:
        click.echo(f"Error: release refused ({len(error.problems)} problem(s)):", err=True)
        for problem in error.problems:
            click.echo(f"  - {problem}", err=True)
        ctx.exit(error.exit_code)
        return
    r = report.release
    click.echo(f"policykg {r.version}, released {r.date} (first release {r.first_date}), licence {r.licence_spdx} "
               f"<{r.licence_iri}>, by {', '.join(a.name for a in r.authors)}")
    verb = "would be" if report.dry_run else "was"
    click.echo(f"{DATASET_FILE} {verb} {'stamped with this release' if report.stamped else 'left as it is'}"
               f"{': commit it' if report.stamped and not report.dry_run else ''}")
    if report.dry_run:
        click.echo(f"dry run: would write into {report.output}:")
        for path in report.planned:
            click.echo(f"  {path.name}")
        return
    click.echo(f"build {report.build}")
    for item in report.files:
        click.echo(f"  {item.sha256}  {item.size:>10d}  {item.path}")
    click.echo(f"checksums: {report.checksums} (check with: cd {report.output} && sha256sum --check "
               f"{report.checksums.name if report.checksums else ''})")
