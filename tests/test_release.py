"""``policykg release``: the version checked where it is written, stamped into the dataset's description, and the
dumps written with checksums that ``sha256sum --check`` accepts. Each test works on a copy of the project."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.cli import main
from policykg.formats import GRAPH_FORMATS, TURTLE
from policykg.graph.build import build_project
from policykg.graph.export import export_file
from policykg.graph.release import BEGIN, END, ReleaseError, check, make_release, stamp
from policykg.namespaces import DATASET, DCAT, DCTERMS
from policykg.project import Project

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("ontology", "data", "queries", "pyproject.toml", "CITATION.cff", "CHANGELOG.md", "LICENSE-DATA")
NEXT = "0.2.0"
NEXT_DATE = "2027-01-15"


def _copy_project(target: Path) -> Project:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    return Project.locate(target)


@pytest.fixture
def copy(tmp_path) -> Project:
    return _copy_project(tmp_path / "policykg")


def bump(root: Path, *, pyproject: str = NEXT, citation: str = NEXT, changelog: str = NEXT,
         citation_date: str = NEXT_DATE, changelog_date: str = NEXT_DATE) -> None:
    """Write a new release into the three files that carry it, as a maintainer does by hand."""
    path = root / "pyproject.toml"
    path.write_text(re.sub(r'(?m)^version = "[^"]*"', f'version = "{pyproject}"', path.read_text()))
    path = root / "CITATION.cff"
    text = re.sub(r'(?m)^version: .*$', f'version: "{citation}"', path.read_text())
    path.write_text(re.sub(r'(?m)^date-released: .*$', f'date-released: "{citation_date}"', text))
    path = root / "CHANGELOG.md"
    path.write_text(path.read_text().replace("## [Unreleased]\n",
                                             f"## [Unreleased]\n\n## [{changelog}] - {changelog_date}\n\n"
                                             "### Data\n\n- Another file.\n", 1))


def _dataset_values(text: str | bytes, fmt=TURTLE) -> dict[str, list[str]]:
    data = text.encode() if isinstance(text, str) else text
    found: dict[str, list[str]] = {}
    for quad in ox.parse(data, format=fmt.rdf):
        if quad.subject == ox.NamedNode(DATASET):
            found.setdefault(quad.predicate.value, []).append(quad.object.value)
    return found


# -- checking ------------------------------------------------------------------------------------------------

def test_a_consistent_release_is_read_from_its_files(copy):
    bump(copy.root)
    release = check(copy.root, installed=None)
    assert (release.version, release.date, release.first_date) == (NEXT, NEXT_DATE, "2026-12-03")
    assert release.licence_iri == "https://creativecommons.org/licenses/by/4.0/"
    assert [a.name for a in release.authors] == ["The policykg contributors"]
    assert check(copy.root, NEXT, installed=NEXT).version == NEXT


def test_a_version_bumped_in_pyproject_alone_is_refused_naming_each_file(copy):
    path = copy.root / "pyproject.toml"
    path.write_text(path.read_text().replace('version = "0.1.0"', 'version = "0.2.0"', 1))
    with pytest.raises(ReleaseError) as refused:
        check(copy.root, installed=None)
    assert refused.value.problems == ["CITATION.cff says version 0.1.0, not 0.2.0",
                                      "CHANGELOG.md has no section '## [0.2.0] - YYYY-MM-DD'"]


@pytest.mark.parametrize("changes, expected", [
    (dict(citation_date="2027-01-16"), "CITATION.cff date-released 2027-01-16 differs from the changelog's "
                                       "2027-01-15"),
    (dict(changelog="0.3.0"), "CHANGELOG.md has no section '## [0.2.0] - YYYY-MM-DD'"),
    (dict(pyproject="0.2", citation="0.2", changelog="0.2"), "'0.2' is not a semantic version (MAJOR.MINOR.PATCH)"),
])
def test_each_disagreement_is_named(copy, changes, expected):
    bump(copy.root, **changes)
    with pytest.raises(ReleaseError) as refused:
        check(copy.root, installed=None)
    assert expected in refused.value.problems


def test_a_stale_installed_package_is_refused(copy):
    bump(copy.root)
    with pytest.raises(ReleaseError, match=r"installed package is version 0\.1\.0.*reinstall"):
        check(copy.root, installed="0.1.0")


def test_a_version_given_must_be_the_one_written(copy):
    with pytest.raises(ReleaseError) as refused:
        check(copy.root, "9.9.9", installed=None)
    assert "pyproject.toml says version 0.1.0, not 9.9.9" in refused.value.problems
    assert "CITATION.cff says version 0.1.0, not 9.9.9" in refused.value.problems


# -- stamping ------------------------------------------------------------------------------------------------

def test_the_release_is_stamped_into_the_dataset_description(copy):
    bump(copy.root)
    release = check(copy.root, installed=None)
    path = copy.root / "data" / "dataset.ttl"
    before = path.read_text()
    assert stamp(copy, release) is True
    text = path.read_text()
    values = _dataset_values(text)
    assert values[str(DCAT) + "version"] == [NEXT]
    assert values[str(DCTERMS.modified)] == [NEXT_DATE]
    assert values[str(DCTERMS.issued)] == ["2026-12-03"]      # the first release, from the changelog
    assert values[str(DCTERMS.creator)] == values[str(DCTERMS.publisher)] == [
        "https://w3id.org/policykg/id/org/policykg-contributors"]
    assert values[str(DCTERMS.license)] == ["https://creativecommons.org/licenses/by/4.0/"]
    # Only the block changed, and stamping again changes nothing.
    assert text[:text.index(BEGIN)] == before[:before.index(BEGIN)]
    assert stamp(copy, release) is False and path.read_text() == text


def test_a_stamped_property_written_by_hand_is_refused(copy):
    path = copy.root / "data" / "dataset.ttl"
    text = path.read_text()
    assert text.count("    dcterms:description ") == 1  # the dataset's
    path.write_text(text.replace("    dcterms:description ", '    dcat:version "0.0.9" ;\n    dcterms:description ', 1))
    with pytest.raises(ReleaseError, match=r"states http://www.w3.org/ns/dcat#version outside the release block"):
        stamp(copy, check(copy.root, installed=None))


def test_broken_markers_are_refused(copy):
    path = copy.root / "data" / "dataset.ttl"
    path.write_text(path.read_text().replace(END, ""))
    with pytest.raises(ReleaseError, match="markers are broken"):
        stamp(copy, check(copy.root, installed=None))


# -- the release ---------------------------------------------------------------------------------------------

def test_a_dry_run_writes_nothing(copy):
    bump(copy.root)
    dataset = (copy.root / "data" / "dataset.ttl").read_bytes()
    report = make_release(copy, output=copy.root / "dist", dry_run=True, reason=False, installed=None)
    assert report.dry_run and report.stamped and not report.files and report.build == ""
    assert [p.name for p in report.planned] == [
        *(f"policykg-0.2.0.{f.extension}" for f in GRAPH_FORMATS), "policykg-0.2.0.CITATION.cff",
        "policykg-0.2.0.LICENSE-DATA", "policykg-0.2.0.json", "policykg-0.2.0.sha256"]
    assert not (copy.root / "dist").exists()
    assert (copy.root / "data" / "dataset.ttl").read_bytes() == dataset


def test_a_release_writes_the_dumps_with_their_checksums(copy):
    bump(copy.root)
    out = copy.root / "dist"
    report = make_release(copy, output=out, reason=False, installed=None)
    build = build_project(copy, reason=False)               # from the cache: the build the release made
    assert report.build == build.version
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in report.planned)
    # Every dump holds the export's bytes and says which release it is.
    for fmt in GRAPH_FORMATS:
        data = (out / f"policykg-{NEXT}.{fmt.extension}").read_bytes()
        assert data == export_file(build.nquads_path, fmt)
    assert _dataset_values((out / f"policykg-{NEXT}.ttl").read_bytes())[str(DCAT) + "version"] == [NEXT]
    # The checksums: sha256sum's own format, checked by sha256sum itself where it is installed.
    lines = (out / f"policykg-{NEXT}.sha256").read_text().splitlines()
    assert len(lines) == len(names) - 1
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--strict", f"policykg-{NEXT}.sha256"], cwd=out, check=True,
                       capture_output=True)
    manifest = json.loads((out / f"policykg-{NEXT}.json").read_text())
    assert (manifest["version"], manifest["date"], manifest["build"]) == (NEXT, NEXT_DATE, build.version)
    assert manifest["license"] == "https://creativecommons.org/licenses/by/4.0/"
    # Again: the same bytes, nothing to refuse. A changed file of the same release is refused unless forced.
    make_release(copy, output=out, reason=False, installed=None)
    (out / f"policykg-{NEXT}.nt").write_bytes(b"")
    with pytest.raises(ReleaseError, match=r"policykg-0\.2\.0\.nt already holds other bytes"):
        make_release(copy, output=out, reason=False, installed=None)
    make_release(copy, output=out, reason=False, installed=None, force=True)
    assert (out / f"policykg-{NEXT}.nt").read_bytes() == export_file(build.nquads_path, GRAPH_FORMATS[1])


def test_the_command_reports_and_refuses(copy, capsys):
    assert main(["--root", str(copy.root), "release", "--dry-run", "--no-reason"]) == 0
    out = capsys.readouterr().out
    assert "policykg 0.1.0, released 2026-12-03" in out and "policykg-0.1.0.sha256" in out
    assert "would be left as it is" in out
    bump(copy.root, citation="0.1.0")
    assert main(["--root", str(copy.root), "release", "--dry-run", "--no-reason"]) == 1
    err = capsys.readouterr().err
    assert "release refused" in err and "CITATION.cff says version 0.1.0, not 0.2.0" in err
