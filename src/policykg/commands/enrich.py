"""``policykg enrich``: what EUR-Lex's CELLAR says about every act in the graph, as a reviewed named graph,
and the differences with the curated data. A dry run unless told where to write."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import click

from policykg.errors import PolicyKGError
from policykg.eurlex.changes import FileChanges
from policykg.eurlex.client import CELLAR_RETRY, CellarClient
from policykg.eurlex.diff import EnrichmentReport
from policykg.eurlex.enrich import DEFAULT_OUTPUT, curated_files, plan_write, write_enrichment
from policykg.eurlex.enrich import enrich as run_enrichment
from policykg.graph.load import load_files
from policykg.namespaces import CELLAR_PROCEDURE, CELLAR_SPARQL_ENDPOINT, compact
from policykg.project import Project
from policykg.sparql.client import RetryPolicy


@click.command(epilog=f"By default nothing is written (a dry run). --write writes data/{DEFAULT_OUTPUT.as_posix()}, "
                      "which the build then loads; --output PATH writes PATH alone.")
@click.option("--endpoint", default=CELLAR_SPARQL_ENDPOINT, show_default=True,
              help="A CELLAR-compatible SPARQL endpoint.")
@click.option("--dry-run", is_flag=True,
              help="Write nothing; report what writing would add to or remove from the target file, act by act "
                   "(the default when neither --write nor --output is given).")
@click.option("--write", "write_default", is_flag=True,
              help=f"Write the named graph to data/{DEFAULT_OUTPUT.as_posix()}: a data file that validate, "
                   "query, serve, export and publish then load with the curated data (review and commit it).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the named graph to this file (instead of data/eurlex/cellar.ttl); any file under data/ "
                   "is loaded by the build like the curated data.")
@click.option("--batch-size", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="CELEX numbers per query.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds to wait for each answer.")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Retries after a connection error, a timeout or an HTTP 502, 503 or 504 (exponential backoff).")
@click.pass_context
def enrich(ctx: click.Context, endpoint: str, dry_run: bool, write_default: bool, output: Path | None,
           batch_size: int, timeout: float, retries: int) -> None:
    """Ask a CELLAR SPARQL endpoint about every CELEX number and procedure of the curated data (every data file
    outside data/eurlex/) and print where CELLAR and the curated data differ. What CELLAR says (titles, dates,
    in-force status, EuroVoc subjects, links), in ELI terms with its provenance, makes one named graph.

    Without --write or --output nothing is written: the dry run prints what writing the graph would add to or
    remove from data/eurlex/cellar.ttl (or --output's file), act by act, with counts. The curated data files are
    never changed; a file that would change only by its generation time is left as it is.

    Exit status 3 when the endpoint cannot be reached or fails.
    """
    if write_default and output is not None:
        raise click.UsageError("give --write (data/eurlex/cellar.ttl) or --output PATH, not both")
    if dry_run and write_default:
        raise click.UsageError("--dry-run writes nothing and --write writes data/eurlex/cellar.ttl: give one")
    project = Project.locate(ctx.obj.get("root"))
    target = output or project.data_dir / DEFAULT_OUTPUT
    writing = (write_default or output is not None) and not dry_run
    retry = RetryPolicy(retries=retries, backoff=CELLAR_RETRY.backoff, max_delay=CELLAR_RETRY.max_delay, timeouts=True)
    client = CellarClient(endpoint, timeout=timeout, retry=retry, batch_size=batch_size)
    dataset = load_files(curated_files(project), root=project.root)
    result = run_enrichment(dataset, client, generated_at=_generation_time())
    report = result.report
    click.echo(f"Asked {report.endpoint} about {len(report.asked)} CELEX numbers and "
               f"{len(result.answer.asked_procedures)} procedures "
               f"({report.requests} requests, {report.retries} retries).")
    click.echo(f"CELLAR knows {len(report.found)} of the CELEX numbers; acts it links to, fetched too: "
               f"{len(result.answer.linked)}.")
    if writing:
        written = write_enrichment(result, target)
        click.echo(f"{'Wrote' if written else 'Unchanged:'} {_shown(target)} ({result.triples} triples, "
                   f"{result.additions} not in the curated data).")
    else:
        _print_plan(plan_write(result, target), result.triples, result.additions, default=output is None)
    _print_report(report)


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is under it (as the user would type it)."""
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _print_plan(plan: FileChanges, triples: int, additions: int, *, default: bool) -> None:
    how = "--write" if default else "--output without --dry-run"
    click.echo(f"Dry run: nothing written. The named graph holds {triples} triples, {additions} of them not in "
               f"the curated data. What {how} would do to {_shown(plan.path)}:")
    if plan.state == "absent":
        click.echo(f"  the file does not exist: it would be created, with facts about {len(plan.acts)} acts.")
    elif plan.state == "unreadable":
        click.echo("  the file is not a graph this command reads: it would be replaced.")
    elif not plan.would_write:
        click.echo("  nothing: it holds this graph already (only the generation time would differ).")
        return
    else:
        click.echo(f"  {plan.added} triples added and {plan.removed} removed about {len(plan.acts)} acts; "
                   f"{plan.unchanged_acts} acts unchanged.")
    if plan.acts:
        click.echo(f"\n{'Acts it would describe' if plan.state == 'absent' else 'Acts whose facts would change'} "
                   f"({len(plan.acts)}):")
        width = max(len(act.celex) for act in plan.acts)
        for act in plan.acts:
            detail = ", ".join([f"{compact(p)} +{n}" for p, n in sorted(act.added.items())]
                               + [f"{compact(p)} -{n}" for p, n in sorted(act.removed.items())])
            fresh = f"; {act.new_to_curated} not in the curated data" if act.new_to_curated else ""
            click.echo(f"  {act.celex.ljust(width)}  +{act.count_added} -{act.count_removed}{fresh}  ({detail})")
    click.echo(f"Other facts (cited EUR-Lex pages, the endpoint): +{plan.other_added} -{plan.other_removed}; "
               f"provenance (time, queries): {plan.provenance} triples, rewritten.")


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
