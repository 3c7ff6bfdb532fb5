"""``policykg enrich``: what EUR-Lex's CELLAR says about every act in the graph, as a reviewed named graph,
and the differences with the curated data."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import click

from policykg.errors import PolicyKGError
from policykg.eurlex.client import CELLAR_RETRY, CellarClient
from policykg.eurlex.diff import EnrichmentReport
from policykg.eurlex.enrich import DEFAULT_OUTPUT, curated_files, write_enrichment
from policykg.eurlex.enrich import enrich as run_enrichment
from policykg.graph.load import load_files
from policykg.namespaces import CELLAR_PROCEDURE, CELLAR_SPARQL_ENDPOINT, compact
from policykg.project import Project
from policykg.sparql.client import RetryPolicy


@click.command()
@click.option("--endpoint", default=CELLAR_SPARQL_ENDPOINT, show_default=True,
              help="A CELLAR-compatible SPARQL endpoint.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Where to write the named graph (default: data/{DEFAULT_OUTPUT.as_posix()}).")
@click.option("--batch-size", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="CELEX numbers per query.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds to wait for each answer.")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Retries after a connection error, a timeout or an HTTP 502, 503 or 504 (exponential backoff).")
@click.pass_context
def enrich(ctx: click.Context, endpoint: str, output: Path | None, batch_size: int, timeout: float,
           retries: int) -> None:
    """Ask a CELLAR SPARQL endpoint about every CELEX number and procedure of the curated data; write its
    titles, dates, in-force status, EuroVoc subjects and links as a named graph in ELI terms, and print
    where CELLAR and the curated data differ. Nothing curated is changed.

    Exit status 3 when the endpoint cannot be reached or fails.
    """
    project = Project.locate(ctx.obj.get("root"))
    output = output or project.data_dir / DEFAULT_OUTPUT
    retry = RetryPolicy(retries=retries, backoff=CELLAR_RETRY.backoff, max_delay=CELLAR_RETRY.max_delay, timeouts=True)
    client = CellarClient(endpoint, timeout=timeout, retry=retry, batch_size=batch_size)
    dataset = load_files(curated_files(project), root=project.root)
    result = run_enrichment(dataset, client, generated_at=_generation_time())
    written = write_enrichment(result, output)
    report = result.report
    click.echo(f"Asked {report.endpoint} about {len(report.asked)} CELEX numbers and "
               f"{len(result.answer.asked_procedures)} procedures "
               f"({report.requests} requests, {report.retries} retries).")
    click.echo(f"CELLAR knows {len(report.found)} of the CELEX numbers; acts it links to, fetched too: "
               f"{len(result.answer.linked)}.")
    click.echo(f"{'Wrote' if written else 'Unchanged:'} {output} ({result.triples} triples, "
               f"{result.additions} not in the curated data).")
    _print_report(report)


def _generation_time() -> _dt.datetime:
    """Now, or SOURCE_DATE_EPOCH (reproducible builds) when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise PolicyKGError(f"SOURCE_DATE_EPOCH must be a number of seconds, not {epoch!r}") from None
    return _dt.datetime.now(_dt.UTC)


def _print_report(report: EnrichmentReport) -> None:
    if not report.has_differences:
        click.echo("\nNo differences with the curated data.")
    if report.disagreements:
        click.echo(f"\nValues that disagree with the curated data ({len(report.disagreements)}):")
        for d in report.disagreements:
            click.echo(f"  {d.celex} {compact(d.property)}: CELLAR {', '.join(_short(v) for v in d.cellar)}; "
                       f"curated {', '.join(_short(v) for v in d.curated)}")
    if report.missing_links:
        click.echo(f"\nLinks CELLAR states that the curated data lacks ({len(report.missing_links)}):")
        for link in report.missing_links:
            absent = "" if link.target_in_data else " (not in the curated data)"
            click.echo(f"  {link.celex} {compact(link.property)} {link.target_label}{absent}")
    if report.missing_acts:
        click.echo(f"\nActs CELLAR links to that the curated data lacks ({len(report.missing_acts)}): "
                   + " ".join(report.missing_acts))
    if report.unknown:
        click.echo(f"\nCELEX numbers CELLAR does not know ({len(report.unknown)}): " + " ".join(report.unknown))
    if report.unknown_procedures:
        click.echo(f"\nProcedures CELLAR does not know ({len(report.unknown_procedures)}, under {CELLAR_PROCEDURE}): "
                   + " ".join(p.removeprefix(str(CELLAR_PROCEDURE)) for p in report.unknown_procedures))
    if report.notes:
        click.echo(f"\nCELLAR values left out ({len(report.notes)}):")
        for note in report.notes:
            click.echo(f"  {note}")


def _short(value: str) -> str:
    return compact(value) if value.startswith("http") else value
