"""docs/notebook.md runs as written: its ```python blocks are executed in order, in one namespace, against the
real build, with ``connect()`` pointed at a real ``policykg serve``; the ```text block after a code block lists
lines its output must contain."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pandas
import pytest
from support.server import running

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebook.md"
#: The address the walk-through gives for a server started in a terminal.
DOC_SERVER = "http://127.0.0.1:8000/sparql"
FENCE = re.compile(r"^```(?P<lang>[a-z]*)\n(?P<body>.*?)^```$", re.S | re.M)


def blocks(text: str) -> list[tuple[str, str]]:
    """The fenced blocks, in order, as (language, text)."""
    return [(m["lang"], m["body"]) for m in FENCE.finditer(text)]


def steps(text: str) -> list[tuple[str, list[str]]]:
    """Each python block with the lines the text block right after it expects in its output."""
    found: list[tuple[str, list[str]]] = []
    for lang, body in blocks(text):
        if lang == "python":
            found.append((body, []))
        elif lang == "text" and found and not found[-1][1]:
            found[-1] = (found[-1][0], [line for line in body.splitlines() if line.strip()])
    return found


@pytest.fixture(scope="module")
def server():
    with running(*([] if shutil.which("java") else ["--no-reason"])) as started:
        yield started


def test_the_walk_through_runs_as_written(server, tmp_path, monkeypatch):
    text = NOTEBOOK.read_text(encoding="utf-8")
    assert text.count(DOC_SERVER) == 1
    if not shutil.which("java"):
        text = text.replace("policykg.open()", "policykg.open(reason=False)")
    monkeypatch.chdir(tmp_path)                      # where to_csv("adopted-acts.csv") writes
    namespace: dict = {"__name__": "__notebook__"}
    outputs = []
    for code, expected in steps(text):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(code.replace(DOC_SERVER, server.url), str(NOTEBOOK), "exec"), namespace)
        output = buffer.getvalue()
        outputs.append(output)
        lines = [line.strip() for line in output.splitlines()]
        for line in expected:
            assert line.strip() in lines, f"{line!r} not in the output of\n{code}\n---\n{output}"

    assert len(outputs) == 8 and all(outputs)
    # the facts the research questions are after
    assert namespace["ai_act"]["celex"] == "32024R1689"
    assert "32024R1689" in {row["celex"] for row in namespace["acts"]}
    assert isinstance(namespace["status"], pandas.DataFrame) and len(namespace["status"]) > 10
    assert {"AI Act", "EU Migration Pact"} <= set(namespace["positions"]["fileLabel"])
    assert set(namespace["positions"]["stanceLabel"]) == {"critical", "mixed"}
    assert (tmp_path / "adopted-acts.csv").read_bytes() == namespace["data"]
    assert namespace["same"] is True


def test_a_wrong_expected_line_would_be_caught():
    """The checker reads what the document expects: a block's expected lines are the text block after it."""
    found = steps("```python\nprint(1)\n```\n\n```text\n1\n```\n\n```python\nx = 2\n```\n")
    assert found == [("print(1)\n", ["1"]), ("x = 2\n", [])]
