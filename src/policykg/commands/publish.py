"""``policykg publish``: push every named graph of the build to a SPARQL 1.1 store and check the counts."""

from __future__ import annotations

from pathlib import Path

import click

from policykg.store.publish import PublishFailed


@click.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's SPARQL endpoint: the counts are checked there, and graphs are written there with "
                   "SPARQL Update when there is no graph store (Virtuoso: http://HOST:8890/sparql-auth).")
@click.option("--graph-store", metavar="URL",
              help="The store's Graph Store Protocol URL: one PUT per graph (Virtuoso: "
                   "http://HOST:8890/sparql-graph-crud-auth). Without it, or when it does not answer as one, "
                   "graphs go by SPARQL Update.")
@click.option("--user", envvar="POLICYKG_PUBLISH_USER", help="User name (digest or basic, as the store asks).")
@click.option("--password", envvar="POLICYKG_PUBLISH_PASSWORD",
              help="Password (better: $POLICYKG_PUBLISH_PASSWORD, not visible to other users).")
@click.option("--token", envvar="POLICYKG_PUBLISH_TOKEN",
              help="Bearer token instead of a user (also $POLICYKG_PUBLISH_TOKEN).")
@click.option("--replace", is_flag=True,
              help="First drop every graph of the store under the project's graph base, also those this build "
                   "no longer has.")
@click.option("--reason/--no-reason", default=True, show_default=True,
              help="Build with the OWL reasoner's inferences (graph/inferred; needs Java).")
@click.option("--nquads", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Publish this N-Quads file instead of the project's build.")
@click.option("--timeout", default=300.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Seconds to wait for the store to answer one request.")
@click.pass_context
def publish(ctx: click.Context, endpoint: str, graph_store: str | None, user: str | None, password: str | None,
            token: str | None, replace: bool, reason: bool, nquads: Path | None, timeout: float) -> None:
    """Publish the graph to a SPARQL 1.1 store: every named graph (data, vocabularies, ontology, inferred,
    queries), graph by graph, then check that each holds as many triples as in the build.

    Publishing again replaces each graph (same result); a failure prints which graphs were and were not published.
    """
    from policykg.sparql.client import Credentials, SparqlClient
    from policykg.store.publish import publish as push
    from policykg.store.publish import read_graphs

    if user and token:
        raise click.UsageError("give --user and --password, or --token, not both")
    client = SparqlClient(endpoint, graph_store=graph_store, timeout=timeout,
                          credentials=Credentials(user=user or None, password=password, token=token or None))
    version = None
    if nquads is None:
        from policykg.graph.build import build_project
        from policykg.project import Project

        project = Project.locate((ctx.obj or {}).get("root"))
        build = build_project(project, reason=reason, on_step=lambda message: click.echo(message, err=True))
        nquads, version = build.nquads_path, build.version
    graphs = read_graphs(nquads)
    click.echo(f"publishing {len(graphs)} graphs to {endpoint}", err=True)
    done = []
    step = max(1, len(graphs) // 10)

    def progress(outcome) -> None:
        done.append(outcome)
        if len(done) % step == 0 and len(done) < len(graphs):
            click.echo(f"  {len(done)} of {len(graphs)} graphs written", err=True)

    try:
        report = push(graphs, client, replace=replace, version=version, on_graph=progress)
    except PublishFailed as failure:
        for line in failure.report.lines():
            click.echo(line, err=True)
        raise
    for line in report.lines():
        click.echo(line)
