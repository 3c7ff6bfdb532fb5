"""``policykg serve``: the SPARQL endpoint under gunicorn, public and read-only unless given an update token."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit

import click

from policykg.errors import PolicyKGError
from policykg.project import Project


def _default_workers() -> int:
    """One per core: queries are CPU-bound (and one more process, kept for pages, answers while runaways run)."""
    return min(os.cpu_count() or 1, 8)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port; the URL printed says which).")
@click.option("--data", "data", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Serve these RDF files instead of the project's build (repeatable; TriG and N-Quads keep "
                   "their graph names, other files become one named graph each).")
@click.option("--nquads", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Serve this N-Quads file of an already validated build as it is (fast bulk load, no checks).")
@click.option("--store", "store_url", default=None, metavar="sparql+http://HOST/PATH",
              help="Serve a remote SPARQL endpoint (e.g. Virtuoso after `policykg publish`) behind the same guard, "
                   "limits, named queries and pages, instead of the embedded store.")
@click.option("--update-token", envvar="POLICYKG_UPDATE_TOKEN", default=None,
              help="Enable SPARQL Update and Graph Store uploads for requests with 'Authorization: Bearer TOKEN' "
                   "(also read from $POLICYKG_UPDATE_TOKEN; prefer that or --update-token-file: other users of "
                   "this machine can read a command line). Without it the endpoint is read-only.")
@click.option("--update-token-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Read the update token from this file (its first line) instead.")
@click.option("--db", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
              help="Keep the store on disk in DIR, across restarts: the first start loads the data into it, later "
                   "starts serve it as it is (updates included). Read-only unless given an update token.")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Hard time limit of one query, in seconds (503 after it; ?timeout= may only lower it).")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(1),
              help="Rows (or triples) of one answer; a longer answer is cut and says so.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Query workers (default: one per CPU; always 1 when updates are enabled). Each is a process; "
                   "one more process keeps answering pages while every worker runs a query.")
@click.option("--allow-service", "allow_service", multiple=True, metavar="URL",
              help="Let SERVICE call this SPARQL endpoint (repeatable; e.g. CELLAR's). Off by default: every "
                   "SERVICE is refused. The calls are made by a separate federation process, which alone may "
                   "reach the network; the workers stay walled off it.")
@click.option("--no-reason", is_flag=True, help="Build without OWL reasoning (no Java needed).")
@click.option("--reason-timeout", default=300.0, show_default=True, type=click.FloatRange(min=0), metavar="SECONDS",
              help="Time limit of the build's OWL reasoning (HermiT), in seconds; 0: no limit.")
@click.option("--base-url", default=None, metavar="URL", callback=lambda ctx, param, value: _base_url(value),
              help="The public root URL (e.g. https://kg.example.org) that answers use for every absolute link; "
                   "default: the address the server listens on. The request's Host header is never used.")
@click.option("--access-log", is_flag=True, help="Log every request to stderr.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, data: tuple[Path, ...], nquads: Path | None,
          store_url: str | None, update_token: str | None, update_token_file: Path | None, db: Path | None,
          timeout: float, max_rows: int, workers: int | None,
          allow_service: tuple[str, ...], no_reason: bool, reason_timeout: float, base_url: str | None,
          access_log: bool) -> None:
    """Serve the graph over the SPARQL 1.1 Protocol at /sparql (with the Graph Store Protocol at /store).

    With no --data it builds the project's graph (ontology, vocabularies, data; validated) and serves it.
    """
    from policykg.queries.registry import QueryRegistry
    from policykg.store.local import DiskStore, MemoryStore, Store
    from policykg.web import create_app, current_endpoint
    from policykg.web.endpoint.server import bind, bound_url
    from policykg.web.endpoint.server import serve as run
    from policykg.web.endpoint.service_description import statistics
    from policykg.web.settings import Settings

    if sum(map(bool, (data, nquads, store_url))) > 1:
        raise click.UsageError("give one of --data, --nquads or --store")
    update_token = _token(update_token, update_token_file)
    if store_url and update_token:
        raise click.UsageError("--store serves a remote endpoint read-only: updates go to that store itself")
    if store_url and db:
        raise click.UsageError("give one of --db or --store")
    listener = bind(host, port)  # first: answers name the address it is bound to (unless --base-url)
    scratch = Path(tempfile.mkdtemp(prefix="policykg-serve-"))
    master = os.getpid()

    def remove_scratch() -> None:  # in the master only: the workers share the folder
        if os.getpid() == master:
            shutil.rmtree(scratch, ignore_errors=True)

    atexit.register(remove_scratch)
    store: Store
    if store_url:
        from policykg.store.remote import RemoteStore

        store = RemoteStore.from_url(store_url, timeout=timeout)
        version = store.version
    elif db:
        store = _disk_store(ctx, db, data, nquads, no_reason, reason_timeout, writable=bool(update_token))
        version = store.version
        if update_token:
            workers = 1  # one writer: the engine's files admit one process that writes
    elif update_token:
        version, source = _source(ctx, data, nquads, no_reason, reason_timeout)
        click.echo("updates enabled: one worker process, store on disk in a scratch folder removed at exit "
                   "(updates are lost then; give --db DIR to keep them)", err=True)
        store = DiskStore.create(scratch / "store", version, **source)
        workers = 1
    else:
        version, source = _source(ctx, data, nquads, no_reason, reason_timeout)
        memory = MemoryStore(version)
        if "nquads" in source:
            memory.load_nquads(source["nquads"])
        else:
            memory.load_files(source["files"], root=source["root"])
        store = memory
    from policykg.sparql.federation import FederationPolicy
    from policykg.sparql.guard import Limits
    from policykg.web.endpoint import federation_proxy, isolation

    federation = FederationPolicy(allow_service)  # normalises, and refuses malformed endpoint IRIs
    proxy = None
    if federation.enabled:  # the one process that reaches the allowed endpoints: the workers stay isolated
        proxy = federation_proxy.start(federation, scratch / "federation.sock", max_rows=max_rows, timeout=timeout,
                                       max_bytes=Settings.max_bytes)  # no more than one answer of this endpoint
        proxy.supervise()
        atexit.register(proxy.stop)
    settings = Settings(timeout=timeout, max_rows=max_rows, update_token=update_token or None,
                        limits=Limits(allowed_services=federation.allowed_endpoints,
                                      service_proxy=proxy.path if proxy else ""),
                        base_url=base_url or bound_url(listener))
    root = _root_for(ctx)
    registry = QueryRegistry.from_project(Project.locate(root)) if root else QueryRegistry([])
    app = create_app(store, settings, registry=registry, dump_dir=scratch / "dumps")
    _ensure_editor_assets(root)
    count = len(store) if isinstance(store, MemoryStore) else None  # an on-disk store stays closed in the master
    if count is not None and count <= WARM_UP_QUADS:
        statistics(current_endpoint(app))  # once in the master, shared by every worker
        _warm(app)
    store.close()  # an on-disk store is opened by each worker for itself, never carried across the fork
    workers = workers or _default_workers()

    def ready(addresses: list[tuple[str, int]]) -> None:
        for address, bound_port in addresses:
            shown = f"[{address}]" if ":" in address else address
            click.echo(f"http://{shown}:{bound_port}/sparql")
        click.echo(f"serving {'the' if count is None else count} quads, "
                   f"version {version[:12]}, "
                   f"{_workers_text(workers)}, time limit {timeout:g} s, "
                   f"{'updates with the token' if update_token else 'read-only'}; Ctrl-C stops", err=True)

    if federation.enabled:
        click.echo(f"federation allowed towards: {', '.join(sorted(federation.allowed_endpoints))} (called by the "
                   "federation process only)", err=True)
    walls = isolation.probe() if store.local else []
    if walls:
        click.echo(f"workers isolated by: {', '.join(walls)}", err=True)
    elif store.local:
        click.echo("warning: no isolation could be applied to the workers; SERVICE and LOAD are refused by the "
                   "query guard only", err=True)
    run(app, listener, settings, workers=workers, on_ready=ready, access_log=access_log, isolate=store.local,
        on_worker_start=lambda: _open(store), on_worker_exit=store.close)


def _open(store) -> None:
    """Open an on-disk store's engine in a worker before it answers: its two threads must not both open it (the
    second would find RocksDB's lock taken)."""
    from policykg.store.local import DiskStore

    if isinstance(store, DiskStore):
        _ = store.engine


#: Up to this many quads the master computes the statistics and the pages' index before forking (about a second
#: at 200k); above, the server is ready sooner and each worker computes them on its first page (6 s at 1M).
WARM_UP_QUADS = 200_000


def _workers_text(workers: int) -> str:
    from policykg.web.endpoint.server import processes_for, threads_per_worker

    if processes_for(workers) > workers:
        return f"{workers} query worker(s) and one more process for pages"
    return f"{workers} worker(s) of {threads_per_worker(workers)} thread(s)"


def _warm(app) -> None:
    """Answer a few pages once in the master (an in-memory store only: an on-disk one stays closed here), so that
    the pages' index and compiled templates are shared by every worker, a worker forked after a runaway
    included, instead of being made again by each on its first page."""
    from policykg.namespaces import DATASET

    with app.test_client() as client:
        for path in ("/", "/sparql", f"/describe?iri={quote(str(DATASET), safe='')}"):
            client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)


def _token(given: str | None, path: Path | None) -> str | None:
    """The update token from --update-token-file, or --update-token / $POLICYKG_UPDATE_TOKEN; taken out of the
    environment so that no process started from here inherits it."""
    os.environ.pop("POLICYKG_UPDATE_TOKEN", None)
    if path is not None:
        if given:
            raise click.UsageError("give the update token one way: --update-token-file, or --update-token / "
                                   "$POLICYKG_UPDATE_TOKEN")
        lines = path.read_text(encoding="utf-8").splitlines()
        given = lines[0].strip() if lines else ""
        if not given:
            raise click.BadParameter(f"{path} holds no token", param_hint="--update-token-file")
    return given.strip() if given else None


def _disk_store(ctx: click.Context, db: Path, data: tuple[Path, ...], nquads: Path | None, no_reason: bool,
                reason_timeout: float, *, writable: bool):
    """The store kept in ``db``: opened as it is when a previous start loaded it, else loaded there now."""
    from policykg.store.local import DiskStore

    store = DiskStore.existing(db, read_only=not writable)
    if store is not None:
        ignored = " (the data arguments are ignored: the store holds its own)" if data or nquads else ""
        click.echo(f"opening the store in {db} as it is: version {store.version[:20]}{ignored}", err=True)
        return store
    if db.exists() and any(db.iterdir()) and not (db / "db").is_dir():
        raise click.BadParameter(f"{db} is neither empty nor a store of policykg serve; give an empty or new "
                                 "folder", param_hint="--db")
    version, source = _source(ctx, data, nquads, no_reason, reason_timeout)
    click.echo(f"loading the data into {db} (first start; later starts open it as it is)", err=True)
    DiskStore.create(db, version, **source)
    store = DiskStore.existing(db, read_only=not writable)
    assert store is not None
    return store


def _ensure_editor_assets(root: Path | None) -> None:
    """Build the query editor's assets from npm on first use; without npm the editor is a plain form."""
    from policykg.web.site.assets import AssetsUnavailable, asset_status, build_assets

    if asset_status().complete or root is None or not (root / "frontend" / "package.json").is_file():
        return
    click.echo("building the query editor's assets with npm (once)", err=True)
    try:
        build_assets(root / "frontend")
    except AssetsUnavailable as error:
        click.echo(f"note: {error}; the editor falls back to a plain form", err=True)


def _source(ctx: click.Context, data: tuple[Path, ...], nquads: Path | None, no_reason: bool,
            reason_timeout: float = 300.0):
    """(version, {"nquads": path} or {"files": paths, "root": folder}) for the data to serve: files go through the
    strict loader straight into the store."""
    if nquads:
        return _hash([nquads]), {"nquads": nquads}
    if data:
        click.echo(f"loading {len(data)} file(s)", err=True)
        return _hash(list(data)), {"files": list(data), "root": _root_for(ctx)}
    try:
        from policykg.graph.build import build_project
    except ImportError as error:  # pragma: no cover - the build arrives with the foundation issue
        raise PolicyKGError(f"cannot build the project here ({error}); serve files with --data") from None
    project = Project.locate((ctx.obj or {}).get("root"))
    build = build_project(project, reason=not no_reason, on_step=lambda message: click.echo(message, err=True),
                          reason_timeout=reason_timeout or None)
    return build.version, {"nquads": build.nquads_path}


def _root_for(ctx: click.Context) -> Path | None:
    try:
        return Project.locate((ctx.obj or {}).get("root")).root
    except PolicyKGError:
        return None


def _hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _base_url(value: str | None) -> str | None:
    """An absolute http(s) URL without query or fragment, or a usage error naming the option."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise click.BadParameter(f"{value!r} is not an absolute http(s) URL without query or fragment",
                                 param_hint="--base-url")
    return value.rstrip("/")
