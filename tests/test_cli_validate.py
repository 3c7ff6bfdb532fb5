"""``policykg validate`` as a user runs it: a subprocess, its exit status, its output.

0: the graph conforms (warnings allowed); 1: violations, each printed with file:line and the shape's name;
2: unreadable input, one ``file:line: message`` line on stderr and never a traceback; nothing is fetched.
"""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHAPE_FIXTURES = Path("tests/data/shapes/invalid")
LOAD = Path("tests/data/load")


def policykg(*args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("policykg")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "policykg"]
    return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "POLICYKG_ROOT": str(ROOT)})


_RUNS: dict[tuple[str, ...], subprocess.CompletedProcess] = {}


def validate(*files: str | Path) -> subprocess.CompletedProcess:
    """``policykg validate FILE...``, run once per argument list."""
    key = tuple(str(f) for f in files)
    if key not in _RUNS:
        _RUNS[key] = policykg("validate", *key)
    return _RUNS[key]


def no_traceback(run: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in run.stdout + run.stderr, run.stderr


# ---------------------------------------------------------------------------------------------------------------
# 0: the project's graph conforms
# ---------------------------------------------------------------------------------------------------------------

def test_the_projects_graph_conforms():
    run = validate()
    no_traceback(run)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^conforms: 0 violation\(s\), \d+ warning\(s\)$", run.stdout, flags=re.MULTILINE), run.stdout


def test_warnings_alone_do_not_fail_validation():
    fixture = SHAPE_FIXTURES / "UnexplainedClaimShape--neither-corroborated-nor-explained.ttl"
    run = validate(fixture)
    no_traceback(run)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(rf"^{re.escape(str(fixture))}:\d+: Warning: claim:ai-act-in-force: .* "
                     r"\[pkgsh:UnexplainedClaimShape\]$", run.stdout, flags=re.MULTILINE), run.stdout
    assert "conforms: 0 violation(s), 1 warning(s)" in run.stdout


# ---------------------------------------------------------------------------------------------------------------
# 1: an invalid fixture names its rule, file and line
# ---------------------------------------------------------------------------------------------------------------

#: One invalid fixture per shapes file: (fixture, shape, focus node as printed).
INVALID = [
    ("CelexEliAgreementShape--number-mismatch", "pkgsh:CelexEliAgreementShape",
     "<http://data.europa.eu/eli/reg/2024/1689/oj>"),
    ("StatusConsistencyShape--status-behind-events", "pkgsh:StatusConsistencyShape", "file:ai-act"),
    ("PositionStanceShape--missing", "pkgsh:PositionStanceShape", "position:ai-act"),
    ("ResourceTypeShape--unpinned-code", "pkgsh:ResourceTypeShape", "<http://data.europa.eu/eli/reg/2024/1689/oj>"),
    ("ConceptShape--broader-cycle", "pkgsh:ConceptShape",
     "<https://w3id.org/policykg/concept/affected-group/undocumented-young-people>"),
]
INVALID_IDS = [name for name, *_ in INVALID]


@pytest.mark.parametrize(("name", "shape", "focus"), INVALID, ids=INVALID_IDS)
def test_invalid_fixture_is_reported_with_file_line_and_shape(name, shape, focus):
    fixture = SHAPE_FIXTURES / f"{name}.ttl"
    run = validate(fixture)
    no_traceback(run)
    # file:line: Violation: focus[ path][ (value v)]: message [shape]
    line = rf"^{re.escape(str(fixture))}:\d+: Violation: {re.escape(focus)}(?: .*?)?: .+ \[{re.escape(shape)}\]$"
    assert re.search(line, run.stdout, flags=re.MULTILINE), run.stdout
    assert re.search(r"^does not conform: [1-9]\d* violation\(s\)", run.stdout, flags=re.MULTILINE), run.stdout


@pytest.mark.parametrize(("name", "shape", "focus"), INVALID, ids=INVALID_IDS)
def test_invalid_fixture_exits_1(name, shape, focus):
    run = validate(SHAPE_FIXTURES / f"{name}.ttl")
    assert run.returncode == 1, run.stdout + run.stderr


# ---------------------------------------------------------------------------------------------------------------
# 2: unreadable input
# ---------------------------------------------------------------------------------------------------------------

#: bad file -> the "file:line: message" stderr must hold (a regular expression after the path).
BAD = {
    "syntax-error.ttl": r":6: column 1: A dot is expected at the end of statements",
    "ill-typed-date.ttl": r':6: ill-typed literal "2024-13-45"\^\^<http://www\.w3\.org/2001/XMLSchema#date>',
    "iri-with-space.ttl": r":5: column \d+: Invalid IRI code point ' '",
    "empty.ttl": r": empty file: no triples",
    "entity-bomb.rdf": r"(:\d+)?: refused: RDF/XML with a DTD or entity declaration.*",
    "external-entity.rdf": r"(:\d+)?: refused: RDF/XML with a DTD or entity declaration.*",
    "syntax-error.jsonld": r":4: JSON syntax error: .+",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_exits_2_with_file_line_message(name):
    path = LOAD / name
    run = validate(path)
    no_traceback(run)
    assert run.returncode == 2, run.stdout + run.stderr
    assert re.search(rf"^(Error: )?{re.escape(str(path))}{BAD[name]}$", run.stderr, flags=re.MULTILINE), run.stderr
    assert run.stdout == ""


def test_bad_file_among_good_ones_exits_2():
    run = validate(ROOT / "data" / "ai-act.ttl", LOAD / "ill-typed-date.ttl")
    no_traceback(run)
    assert run.returncode == 2
    assert f"{LOAD / 'ill-typed-date.ttl'}:6: ill-typed literal" in run.stderr


def test_missing_file_exits_2():
    run = validate("tests/data/load/no-such-file.ttl")
    no_traceback(run)
    assert run.returncode == 2
    assert "no such file: tests/data/load/no-such-file.ttl" in run.stderr


def test_remote_jsonld_context_exits_2_and_connects_to_nothing(tmp_path):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    try:
        port = server.getsockname()[1]
        path = tmp_path / "remote-context.jsonld"
        text = (ROOT / LOAD / "remote-context.jsonld").read_text(encoding="utf-8")
        path.write_text(text.replace("http://127.0.0.1:9/", f"http://127.0.0.1:{port}/"), encoding="utf-8")
        run = policykg("validate", str(path))
        no_traceback(run)
        assert run.returncode == 2, run.stdout + run.stderr
        assert re.search(rf"^(Error: )?{re.escape(str(path))}(:\d+)?: refused: remote JSON-LD context "
                         rf"'http://127\.0\.0\.1:{port}/context\.jsonld'", run.stderr, flags=re.MULTILINE), run.stderr
        readable, _, _ = select.select([server], [], [], 0.5)
        assert not readable, "policykg validate connected to the remote context's host"
    finally:
        server.close()
