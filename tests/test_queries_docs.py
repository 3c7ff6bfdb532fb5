"""docs/queries.md is generated from the query headers and kept up to date."""

from __future__ import annotations

import subprocess
import sys

from policykg.queries.registry import QueryRegistry
from policykg.queries.docs import docs_path, docs_up_to_date, render_markdown


def test_docs_are_up_to_date(project):
    assert docs_up_to_date(project), "docs/queries.md is out of date: run `policykg queries --write-docs`"


def test_docs_describe_every_query_and_parameter(project):
    registry = QueryRegistry.from_project(project)
    text = docs_path(project.root).read_text(encoding="utf-8")
    for name, query in registry.items():
        assert f"## {name}\n" in text and query.title in text
        for param in query.params:
            assert f"| `{param.name}` |" in text
    assert "policykg query status-on-date --param date=2024-01-01 --format csv" in text
    assert "policykg query file-neighbourhood --param file=file:ai-act --format ttl" in text


def test_rendering_is_deterministic(project):
    registry = QueryRegistry.from_project(project)
    assert render_markdown(registry) == render_markdown(QueryRegistry.from_project(project))


def test_check_command(project):
    done = subprocess.run([sys.executable, "-m", "policykg", "queries", "--check-docs"], cwd=project.root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
