"""The two ways to reach the project's dataset as a :class:`~policykg.store.local.Store`, shared by ``policykg
query`` and the Python API (:mod:`policykg.api`): the build in the embedded store, or a remote SPARQL endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from policykg.project import Project

if TYPE_CHECKING:  # imported when called: the command line starts without the engine's and the client's modules
    from policykg.store.local import MemoryStore
    from policykg.store.remote import RemoteStore


def embedded_store(project: Project, *, reason: bool = True, reason_timeout: float | None = 300.0,
                   on_step: Callable[[str], None] | None = None) -> MemoryStore:
    """The project's published dataset (the cached build of :func:`policykg.graph.build.build_project`, the one
    ``policykg serve`` answers from) loaded into the embedded in-memory store."""
    from policykg.graph.build import build_project
    from policykg.store.local import MemoryStore

    build = build_project(project, reason=reason, reason_timeout=reason_timeout or None, on_step=on_step)
    store = MemoryStore(build.version)
    store.load_nquads(build.nquads_path)
    return store


def remote_store(endpoint: str, **options: Any) -> RemoteStore:
    """The graphs published to a remote SPARQL endpoint, ``http(s)://…`` or ``sparql+http(s)://…`` (the
    ``sparql+`` may be left out; a fragment may carry the options of :meth:`RemoteStore.from_url`)."""
    from policykg.store.remote import RemoteStore

    return RemoteStore.from_url(endpoint if endpoint.startswith("sparql+") else f"sparql+{endpoint}", **options)


__all__ = ["embedded_store", "remote_store"]
