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
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from policykg.errors import ReasonerFailed, ReasonerTimeout, ReasonerUnavailable
from policykg.formats import NTRIPLES
from policykg.namespaces import GRAPH, OWL

log = logging.getLogger(__name__)

#: Where owlready2 keeps the input and HermiT's conclusions; these names never leave the process.
_INPUT_ONTOLOGY = str(GRAPH["reasoner/input"])
_OUTPUT_ONTOLOGY = str(GRAPH["reasoner/output"])
#: The files the parent and the child process exchange, in the scratch folder.
_INPUT_FILE, _OUTPUT_FILE, _ANSWER_FILE, _LOG_FILE = "input.nt", "output.nt", "answer.json", "child.log"

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


def run_hermit(triples: Iterable[Triple], *, property_values: bool = True, java_memory_mb: int | None = None,
               timeout: float | None = None, limit: float | None = None) -> HermitRun:
    """Classify the triples and realise their individuals with HermiT, in a fresh owlready2 World, in a child
    process (:mod:`policykg.reason.hermit_process`) that is stopped after ``timeout`` seconds.

    ``property_values`` also asks HermiT for every property value (``infer_property_values``, HermiT's ``-Y``):
    needed only where values follow from constructs that :mod:`policykg.reason.entailment` does not cover (see
    ``entailment.needs_hermit_property_values``), and many times slower. ``java_memory_mb``: the Java heap
    (default ``$POLICYKG_JAVA_MEMORY_MB`` or :data:`DEFAULT_JAVA_MEMORY_MB`). ``timeout`` (None: no limit): the
    child runs in a process group (a session) of its own, with owlready2 and its Java process; when the time is
    up the whole group is killed and :class:`ReasonerTimeout` raised, naming ``limit`` (default: ``timeout``; the
    caller's whole limit when this run has only what is left of it). The child's scratch files (the input, the
    world owlready2 writes out for Java, the answer) are in a temporary folder that is removed in every case.
    """
    java = java_executable()
    if java_memory_mb is None:
        java_memory_mb = int(os.environ.get("POLICYKG_JAVA_MEMORY_MB", DEFAULT_JAVA_MEMORY_MB))
    with tempfile.TemporaryDirectory(prefix="policykg-hermit-") as scratch:
        folder = Path(scratch)
        (folder / _INPUT_FILE).write_bytes(ntriples(t for t in triples if t[1] != OWL.imports))
        answer = _run_child(folder, java, int(java_memory_mb), property_values, timeout,
                            timeout if limit is None else limit)
        if answer.get("messages"):
            log.debug("owlready2: %s", answer["messages"])
        status, seconds = answer.get("status"), float(answer.get("seconds", 0.0))
        if status == "consistent":
            conclusions = frozenset(t for t in Graph().parse(folder / _OUTPUT_FILE, format="nt")
                                    if t[0] != URIRef(_OUTPUT_ONTOLOGY))
            return HermitRun(consistent=True, conclusions=conclusions, seconds=seconds)
        if status == "inconsistent":
            return HermitRun(consistent=False, conclusions=frozenset(), seconds=seconds)
        if status == "unavailable":
            raise ReasonerUnavailable(f"{INSTALL_HINT} ({answer.get('message', '')})")
        raise ReasonerFailed(str(answer.get("message") or "HermiT failed"))


def _run_child(folder: Path, java: str, java_memory_mb: int, property_values: bool, timeout: float | None,
               limit: float | None) -> dict:
    """Run :mod:`policykg.reason.hermit_process` on ``folder`` and return its answer (``answer.json``); kill its
    process group (Java included) at the deadline, or if this process is interrupted while waiting."""
    command = [sys.executable, "-m", "policykg.reason.hermit_process", str(folder), java, str(java_memory_mb),
               "values" if property_values else "no-values"]
    env = {**os.environ, "TMPDIR": str(folder), "TMP": str(folder), "TEMP": str(folder)}  # owlready2's temp file
    src = str(Path(__file__).resolve().parents[2])  # the child imports this very policykg
    env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [os.environ.get("PYTHONPATH")])])
    with open(folder / _LOG_FILE, "wb") as output:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                 env=env, cwd=folder, start_new_session=True)
        finished = False
        try:
            child.wait(timeout=timeout)
            finished = True
        except subprocess.TimeoutExpired:
            _kill_group(child)
            raise ReasonerTimeout(
                f"HermiT did not finish within the reasoning time limit of {limit or timeout:g} s and was stopped. "
                "Raise the limit (`policykg reason --timeout SECONDS`, `policykg serve --reason-timeout SECONDS`, "
                "build_project(reason_timeout=...); 0 or None: no limit), give Java more memory "
                "(POLICYKG_JAVA_MEMORY_MB), or build without reasoning (--no-reason).",
                limit=limit or timeout, process_group=child.pid) from None
        finally:
            if not finished:  # interrupted (Ctrl-C...) or timed out: no Java may outlive the wait
                _kill_group(child)
    try:
        return json.loads((folder / _ANSWER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        tail = (folder / _LOG_FILE).read_text(encoding="utf-8", errors="replace").strip().splitlines()[-6:]
        raise ReasonerFailed(f"the reasoner process ended with code {child.returncode} and no answer"
                             + (f": {' '.join(tail)}" if tail else "")) from None


def _kill_group(child: subprocess.Popen) -> None:
    """SIGKILL the child's process group (the child, owlready2's Java process) and reap the child."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(child.pid, signal.SIGKILL)
        else:  # pragma: no cover - no process groups (Windows): the child only
            child.kill()
    except ProcessLookupError:
        pass
    child.wait()


def hermit_in_process(folder: Path, java: str, java_memory_mb: int, property_values: bool) -> dict:
    """What the child process does: read ``input.nt`` from ``folder`` into a fresh owlready2 World, run HermiT,
    write its conclusions to ``output.nt``; return the answer (status, HermiT's seconds, owlready2's messages)."""
    import owlready2
    import owlready2.reasoning

    world = owlready2.World()
    owlready2.JAVA_EXE, owlready2.reasoning.JAVA_MEMORY = java, java_memory_mb
    messages = io.StringIO()
    answer: dict = {"status": "failed"}
    start = time.perf_counter()
    try:
        with open(folder / _INPUT_FILE, "rb") as data:
            world.get_ontology(_INPUT_ONTOLOGY).load(fileobj=data, format="ntriples")
        output = world.get_ontology(_OUTPUT_ONTOLOGY)
        start = time.perf_counter()  # HermiT's time: owlready2 writes the world out, Java runs, results come back
        with output, contextlib.redirect_stderr(messages), contextlib.redirect_stdout(messages):
            owlready2.sync_reasoner_hermit(world, infer_property_values=property_values, debug=0,
                                           ignore_unsupported_datatypes=True)
        answer = {"status": "consistent", "seconds": time.perf_counter() - start}
        with open(folder / _OUTPUT_FILE, "wb") as out:
            output.save(file=out, format="ntriples")
    except owlready2.OwlReadyInconsistentOntologyError:
        answer = {"status": "inconsistent", "seconds": time.perf_counter() - start}
    except owlready2.OwlReadyJavaError as error:
        answer = {"status": "failed", "message": _java_message(str(error))}
    except (FileNotFoundError, PermissionError) as error:  # `java` vanished or cannot be executed
        answer = {"status": "unavailable", "message": str(error)}
    except subprocess.SubprocessError as error:
        answer = {"status": "failed", "message": str(error)}
    finally:
        world.close()
    answer["messages"] = messages.getvalue().strip()
    return answer


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


__all__ = ["DEFAULT_JAVA_MEMORY_MB", "HermitRun", "INSTALL_HINT", "Triple", "hermit_in_process", "java_executable",
           "ntriples", "run_hermit", "unsatisfiable_classes"]
