"""Run HermiT (through owlready2) on a set of triples, in a fresh owlready2 World.

owlready2 is kept at arm's length: the triples go in as N-Triples (owlready2 reads N-Triples and RDF/XML, not
Turtle), into a new in-memory ``World`` that is closed afterwards (the module-level ``default_world`` is never
touched), and HermiT's conclusions come back as plain triples, as owlready2 records them: the direct types of
each individual, new direct super-classes and super-properties, equivalences (``owl:Nothing`` for unsatisfiable
classes) and, with the property-value pass, values under their most specific property (:mod:`policykg.reason.entailment`
spells them all out). ``owl:imports`` is stripped first: nothing is ever fetched. Datatypes outside the OWL 2
datatype map (``xsd:date``, ``xsd:gYear``...) are ignored by HermiT (``--ignoreUnsupportedDatatypes``): dates are
checked by the SHACL shapes, not by the reasoner. The Java runtime is the ``java`` on PATH, set explicitly as
owlready2's ``JAVA_EXE`` for the run.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from policykg.errors import ReasonerFailed, ReasonerUnavailable
from policykg.formats import NTRIPLES
from policykg.namespaces import GRAPH, OWL

log = logging.getLogger(__name__)

#: Where owlready2 keeps the input and HermiT's conclusions; these names never leave the process.
_INPUT_ONTOLOGY = str(GRAPH["reasoner/input"])
_OUTPUT_ONTOLOGY = str(GRAPH["reasoner/output"])

#: Heap for the Java process, in MB (owlready2's default is 2000); ``$POLICYKG_JAVA_MEMORY_MB`` overrides it.
DEFAULT_JAVA_MEMORY_MB = 4000

INSTALL_HINT = ("The OWL reasoner (HermiT, run by owlready2) needs a Java runtime (8 or later) and found no "
                "`java` on PATH. Install one, e.g. on Debian or Ubuntu: `apt-get install default-jre-headless`; "
                "elsewhere any OpenJDK; then make sure `java -version` works.")

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class HermitRun:
    """One HermiT run: whether the input is consistent, and (if so) what owlready2 recorded from HermiT."""

    consistent: bool
    conclusions: frozenset[Triple]   # empty when inconsistent
    seconds: float


def java_executable() -> str:
    """The ``java`` on PATH; :class:`ReasonerUnavailable` (saying what to install) if there is none."""
    java = shutil.which("java")
    if java is None:
        raise ReasonerUnavailable(INSTALL_HINT)
    return java


def run_hermit(triples: Iterable[Triple], *, property_values: bool = True,
               java_memory_mb: int | None = None) -> HermitRun:
    """Classify the triples and realise their individuals with HermiT, in a fresh owlready2 World.

    ``property_values`` also asks HermiT for every property value (``infer_property_values``, HermiT's ``-Y``):
    needed only where values follow from constructs that :mod:`policykg.reason.entailment` does not cover (see
    ``entailment.needs_hermit_property_values``), and many times slower. ``java_memory_mb``: the Java heap
    (default ``$POLICYKG_JAVA_MEMORY_MB`` or :data:`DEFAULT_JAVA_MEMORY_MB`). owlready2 keeps the Java settings
    in module globals, so two runs must not overlap in one process.
    """
    import owlready2
    import owlready2.reasoning

    java = java_executable()
    if java_memory_mb is None:
        java_memory_mb = int(os.environ.get("POLICYKG_JAVA_MEMORY_MB", DEFAULT_JAVA_MEMORY_MB))
    data = ntriples(t for t in triples if t[1] != OWL.imports)
    world = owlready2.World()
    previous = owlready2.JAVA_EXE, owlready2.reasoning.JAVA_MEMORY
    owlready2.JAVA_EXE, owlready2.reasoning.JAVA_MEMORY = java, int(java_memory_mb)
    messages = io.StringIO()
    start = time.perf_counter()
    try:
        world.get_ontology(_INPUT_ONTOLOGY).load(fileobj=io.BytesIO(data), format="ntriples")
        output = world.get_ontology(_OUTPUT_ONTOLOGY)
        start = time.perf_counter()  # HermiT's time: owlready2 writes the world out, Java runs, results come back
        with output, contextlib.redirect_stderr(messages), contextlib.redirect_stdout(messages):
            owlready2.sync_reasoner_hermit(world, infer_property_values=property_values, debug=0,
                                           ignore_unsupported_datatypes=True)
        seconds = time.perf_counter() - start
        buffer = io.BytesIO()
        output.save(file=buffer, format="ntriples")
        conclusions = frozenset(t for t in Graph().parse(data=buffer.getvalue().decode("utf-8"), format="nt")
                                if t[0] != URIRef(_OUTPUT_ONTOLOGY))
        return HermitRun(consistent=True, conclusions=conclusions, seconds=seconds)
    except owlready2.OwlReadyInconsistentOntologyError:
        return HermitRun(consistent=False, conclusions=frozenset(), seconds=time.perf_counter() - start)
    except owlready2.OwlReadyJavaError as error:
        raise ReasonerFailed(_java_message(str(error))) from None
    except (FileNotFoundError, PermissionError) as error:  # `java` vanished or cannot be executed
        raise ReasonerUnavailable(f"{INSTALL_HINT} ({error})") from None
    except subprocess.SubprocessError as error:
        raise ReasonerFailed(str(error)) from None
    finally:
        owlready2.JAVA_EXE, owlready2.reasoning.JAVA_MEMORY = previous
        world.close()
        if messages.getvalue().strip():
            log.debug("owlready2: %s", messages.getvalue().strip())


def ntriples(triples: Iterable[Triple]) -> bytes:
    """N-Triples for the triples (written by pyoxigraph: strict, and fast)."""
    blank: dict[BNode, ox.BlankNode] = {}

    def term(node: Node):
        if isinstance(node, BNode):
            if node not in blank:
                blank[node] = ox.BlankNode()
            return blank[node]
        return _ox(node)

    # pyoxigraph's stub says bytes | None for every call; with no output file it returns the bytes
    return cast(bytes, ox.serialize((ox.Triple(term(s), term(p), term(o)) for s, p, o in triples),
                                    format=NTRIPLES.rdf))


def _ox(term: Node):
    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(term.datatype) if term.datatype else None)
    raise TypeError(f"not an RDF term: {term!r}")


def _java_message(text: str) -> str:
    """The informative lines of a Java error (owlready2 passes the whole stack trace)."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("at ")]
    hint = (" (give Java more memory: set POLICYKG_JAVA_MEMORY_MB, in MB)" if "OutOfMemoryError" in text else "")
    return "HermiT failed: " + " ".join(lines[:6]) + hint


def unsatisfiable_classes(conclusions: Iterable[Triple]) -> list[URIRef]:
    """Named classes HermiT found equivalent to ``owl:Nothing``."""
    found: set[URIRef] = set()
    for s, p, o in conclusions:
        if p == OWL.equivalentClass and OWL.Nothing in (s, o):
            found.update(n for n in (s, o) if isinstance(n, URIRef) and n != OWL.Nothing)
    return sorted(found)


__all__ = ["DEFAULT_JAVA_MEMORY_MB", "HermitRun", "INSTALL_HINT", "Triple", "java_executable", "ntriples",
           "run_hermit", "unsatisfiable_classes"]
