"""policykg: a knowledge graph of EU migration-related policy files.

From Python, ``policykg.open()`` opens the project's graph and ``policykg.connect(url)`` a SPARQL endpoint that
serves it (see :mod:`policykg.api`). Importing ``policykg`` stays cheap: the engine loads at the first call.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    # The release version lives in pyproject.toml alone; the installed package's metadata carries it here.
    __version__ = version("policykg")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

if TYPE_CHECKING:
    from pathlib import Path

    from policykg.api import KnowledgeGraph


def open(root: str | Path | None = None, *, reason: bool = True, reason_timeout: float | None = 300.0,
         on_step: Any = None) -> KnowledgeGraph:
    """The project's published dataset in an embedded store (see :func:`policykg.api.open`): the build is
    validated and cached; ``reason=True`` adds the OWL reasoner's inferences and needs Java for a first build."""
    from policykg.api import open as open_graph

    return open_graph(root, reason=reason, reason_timeout=reason_timeout, on_step=on_step)


def connect(url: str, **options: Any) -> KnowledgeGraph:
    """The dataset served by a SPARQL endpoint, e.g. a running ``policykg serve`` at ``http://HOST:PORT/sparql``,
    with the same calls as :func:`open` (see :func:`policykg.api.connect`)."""
    from policykg.api import connect as connect_graph

    return connect_graph(url, **options)


__all__ = ["__version__", "connect", "open"]
