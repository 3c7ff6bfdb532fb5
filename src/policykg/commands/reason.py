"""``policykg reason``: run the OWL reasoner on the project and print the verdict and what it inferred."""

from __future__ import annotations

from collections import Counter

import click
from rdflib import Graph, URIRef

from policykg.errors import InconsistentOntology
from policykg.namespaces import RDF, bind_prefixes
from policykg.project import Project


@click.command()
@click.option("--refresh", is_flag=True, help="Run the reasoner even if a cached result matches the inputs.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=1),
              help="Rows in each summary table.")
@click.option("--timeout", default=300.0, show_default=True, type=click.FloatRange(min=0), metavar="SECONDS",
              help="Stop HermiT (and its Java process) after this many seconds and exit 3; 0: no limit.")
@click.pass_context
def reason(ctx: click.Context, refresh: bool, top: int, timeout: float) -> None:
    """Check that the ontology, vocabularies and data are consistent (HermiT), and summarise the inferred
    triples by predicate and by class. Exits 1 when the graph is inconsistent or a class is unsatisfiable."""
    from policykg.graph.load import load_files
    from policykg.reason.reasoner import cached_inference, reasoning_files

    project = Project.locate((ctx.obj or {}).get("root"))
    source = load_files(reasoning_files(project), root=project.root)
    result = cached_inference(project, source, refresh=refresh, timeout=timeout or None)
    label = bind_prefixes(Graph()).namespace_manager.normalizeUri

    verdict = "consistent" if result.consistent else "INCONSISTENT"
    click.echo(f"Reasoner: HermiT (owlready2), {len(reasoning_files(project))} files, "
               f"{result.input_triples:,} triples: {verdict}")
    if result.from_cache:
        click.echo(f"  result from the cache (inputs unchanged; HermiT took {result.reasoner_seconds:.1f} s "
                   f"when it ran; --refresh to run it again)")
    else:
        click.echo(f"  HermiT took {result.reasoner_seconds:.1f} s on the {result.hermit_triples:,} triples it needs"
                   + ("" if not result.hermit_property_values else " (with its property-value pass)"))
    for clash in result.clashes:
        click.echo(f"  - {clash.reason}")
        for line in clash.evidence:
            click.echo(f"      {line}")
        if clash.graphs:
            click.echo("      in: " + ", ".join(label(g) for g in clash.graphs))
    if not result.consistent and not result.clashes:
        click.echo("  no single individual could be blamed: the cause is not a disjointness, unsatisfiable-class "
                   "or functional-property clash")
    for note in result.notes:
        click.echo(f"  note: {note}")
    unsatisfiable = ", ".join(label(c) for c in result.unsatisfiable) or "none"
    click.echo(f"  unsatisfiable classes: {unsatisfiable}")

    if result.consistent:
        click.echo(f"Inferred: {len(result.inferred):,} triples not asserted")
        by_predicate = Counter(p for _, p, _ in result.inferred)
        by_class = Counter(o for _, p, o in result.inferred if p == RDF.type)
        _table("by predicate", by_predicate, top, label)
        _table("by class (rdf:type)", by_class, top, label)
    if not result.consistent:
        raise InconsistentOntology(f"the ontology and data are inconsistent ({len(result.clashes)} clash(es) above)")
    if result.unsatisfiable:
        raise InconsistentOntology(f"unsatisfiable classes: {unsatisfiable}")


def _table(title: str, counts: Counter, top: int, label) -> None:
    click.echo(f"  {title}:")
    if not counts:
        click.echo("    (none)")
    width = len(f"{max(counts.values(), default=0):,}")
    for term, count in sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))[:top]:
        click.echo(f"    {count:>{width},}  {label(term) if isinstance(term, URIRef) else term}")
    if len(counts) > top:
        click.echo(f"    ... and {len(counts) - top} more")
