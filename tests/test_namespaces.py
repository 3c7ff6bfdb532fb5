"""Every IRI base is written once, in namespaces.py."""

from __future__ import annotations

import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "policykg"


def _python_files():
    return [p for p in SOURCE.rglob("*.py") if p.name != "namespaces.py"]


def test_no_namespace_is_declared_outside_namespaces_py():
    offenders = [str(p) for p in _python_files() if re.search(r"\bNamespace\(", p.read_text())]
    assert offenders == []


def test_our_iri_base_is_written_once():
    offenders = [str(p) for p in _python_files() if "https://w3id.org/policykg" in p.read_text()]
    assert offenders == []
