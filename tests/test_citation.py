"""What makes policykg citable, as the repository holds it: CITATION.cff valid against the Citation File Format
1.2.0 schema, the licences (MIT for the code, the official CC BY 4.0 legal code for the data) named the same way in
pyproject.toml, CITATION.cff and the dataset's description, and one release version everywhere.

The schema (tests/data/citation-file-format-1.2.0.schema.json) is the official one of the Citation File Format
(https://citation-file-format.github.io/1.2.0/schema.json, CC BY 4.0), as the cffconvert package on PyPI ships it.
cffconvert itself is not used: it pins jsonschema 3, older than the project's dependencies need.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tomllib
from importlib.metadata import metadata
from pathlib import Path

import jsonschema
import pyoxigraph as ox
import pytest
import yaml

import policykg
from policykg.graph.release import BEGIN, LICENCE_IRIS, check, read_citation, stamped_text
from policykg.namespaces import DATASET, DCAT, DCTERMS

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "tests" / "data" / "citation-file-format-1.2.0.schema.json").read_text())
#: SHA-256 of the CC BY 4.0 legal code as SPDX publishes it (the spdx-license-list 6.12.0 npm package's
#: licenses/CC-BY-4.0.json "licenseText"), without its final newline.
CC_BY_4_LEGAL_CODE_SHA256 = "4c3c0cad4496cdf420b45909eeba725243fb7709878fc1f8dff9e39357773b46"


def _errors(document: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document))


def test_citation_cff_is_valid_citation_file_format_1_2_0():
    document = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert document["cff-version"] == "1.2.0"
    assert _errors(document) == []
    assert document["authors"] == [{"name": "The policykg contributors"}]
    assert document["type"] == "dataset" and document["license"] == "CC-BY-4.0"
    assert document["keywords"] and document["abstract"]


@pytest.mark.parametrize("change, where", [
    (lambda d: d.pop("authors"), "'authors' is a required property"),
    (lambda d: d.update({"date-released": "3 December 2026"}), "date-released"),
    (lambda d: d.update({"license": "CC-BY-4"}), "license"),
])
def test_the_schema_refuses_a_broken_citation(change, where):
    document = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    change(document)
    errors = _errors(document)
    assert errors and any(where in error for error in errors), errors


def test_the_data_licence_is_the_official_cc_by_4_legal_code():
    text = (ROOT / "LICENSE-DATA").read_text(encoding="utf-8")
    start = text.index("Creative Commons Attribution 4.0 International\n")
    legal_code = text[start:].rstrip("\n")
    assert hashlib.sha256(legal_code.encode("utf-8")).hexdigest() == CC_BY_4_LEGAL_CODE_SHA256
    assert legal_code.endswith("Creative Commons may be contacted at creativecommons.org.")
    assert "data/ and ontology/" in text[:start]  # the notice says what the licence covers


def test_the_code_licence_is_mit_by_the_contributors():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 The policykg contributors\n")
    assert "<" not in text  # no template placeholder left
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_one_licence_per_part_everywhere():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT AND CC-BY-4.0"
    assert project["license-files"] == ["LICENSE", "LICENSE-DATA"]
    assert metadata("policykg")["License-Expression"] == "MIT AND CC-BY-4.0"
    spdx = read_citation(ROOT)["license"]
    dataset = ox.Store()
    dataset.load(path=str(ROOT / "data" / "dataset.ttl"), format=ox.RdfFormat.TURTLE)
    licences = [q.object.value for q in dataset.quads_for_pattern(ox.NamedNode(DATASET),
                                                                  ox.NamedNode(str(DCTERMS.license)), None)]
    assert licences == [LICENCE_IRIS[spdx]] == ["https://creativecommons.org/licenses/by/4.0/"]


def test_one_release_version_from_pyproject():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert policykg.__version__ == metadata("policykg")["Version"] == declared
    shown = subprocess.run([sys.executable, "-m", "policykg", "--version"], capture_output=True, text=True,
                           check=True).stdout
    assert declared in shown
    release = check(ROOT)  # pyproject, CITATION.cff and CHANGELOG.md agree, or this raises naming where
    assert release.version == declared


def test_the_dataset_description_carries_the_current_release():
    """After a version bump, `policykg release` must have stamped data/dataset.ttl: the stamp changes nothing."""
    text = (ROOT / "data" / "dataset.ttl").read_text(encoding="utf-8")
    release = check(ROOT)
    assert BEGIN in text
    assert stamped_text(text, release) == text
    store = ox.Store()
    store.load(text.encode(), format=ox.RdfFormat.TURTLE)
    versions = [q.object.value for q in store.quads_for_pattern(ox.NamedNode(DATASET),
                                                                ox.NamedNode(str(DCAT) + "version"), None)]
    assert versions == [release.version]
