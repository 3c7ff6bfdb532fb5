"""A release: one version, checked where it is written, stamped into the dataset's description, and the dumps.

The release version lives in ``pyproject.toml`` (the installed package reads it back with importlib.metadata) and is
repeated, by hand, in ``CITATION.cff`` (``version``, ``date-released``) and in ``CHANGELOG.md`` (``## [X.Y.Z] -
YYYY-MM-DD``): :func:`check` refuses a release when any of them disagree. It is not the build's content hash
(:attr:`policykg.graph.build.Build.version`), which names the bytes of one build; a release names both.

:func:`stamp` writes the release into ``data/dataset.ttl``, the one description of the dataset (the service
description and VoID read it from the graph): a block between two marker comments that only this module writes,
with ``dcat:version``, ``dcterms:issued`` (the first release's date), ``dcterms:modified`` (this release's date),
``dcterms:creator``/``dcterms:publisher`` (the CITATION.cff authors) and ``dcterms:license``. :func:`make_release`
then builds the stamped project and writes every graph format of the export with SHA-256 checksums.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import yaml

from policykg import __version__
from policykg.errors import DataLoadError, PolicyKGError
from policykg.formats import GRAPH_FORMATS, TURTLE, Format
from policykg.graph.build import Build, build_project
from policykg.graph.export import export_file
from policykg.namespaces import DATASET, DCAT, DCTERMS, FOAF, ORGANISATION, RDF, SKOS, XSD
from policykg.project import Project
from policykg.rdf_writer import write_rdf

#: Semantic Versioning 2.0.0, without build metadata (the build is named by its hash instead).
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?")
#: A released section of the changelog: ``## [0.1.0] - 2026-12-03`` (the brackets are optional).
CHANGELOG_SECTION = re.compile(r"^##\s+\[?([^\]\s]+)\]?\s+-\s+(\d{4}-\d{2}-\d{2})\s*$", re.MULTILINE)
#: SPDX identifiers of the data licences a release may carry, and the IRI the dataset names each by.
LICENCE_IRIS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
}
BEGIN = ("# --- release: written by `policykg release` from pyproject.toml, CITATION.cff and CHANGELOG.md; "
         "do not edit ---")
END = "# --- end of release ---"
DATASET_FILE = Path("data") / "dataset.ttl"
#: What the release block states about the dataset; the rest of dataset.ttl must not state these.
STAMPED = (str(DCAT) + "version", str(DCTERMS.issued), str(DCTERMS.modified), str(DCTERMS.creator),
           str(DCTERMS.publisher), str(DCTERMS.license))


class ReleaseError(PolicyKGError):
    """The release cannot be made: the files that carry its version disagree, or its output would change a
    release already written. ``problems`` lists each one."""

    exit_code = 1

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Author:
    name: str
    iri: str


@dataclass(frozen=True)
class Release:
    """What a release says about itself, read from the files that carry it and checked to agree."""

    version: str
    date: str                  # this release's date, YYYY-MM-DD
    first_date: str            # the first release's date (the dataset's dcterms:issued)
    licence_spdx: str
    licence_iri: str
    authors: tuple[Author, ...]
    title: str

    @property
    def year(self) -> str:
        return self.date[:4]


@dataclass
class ReleaseFile:
    path: Path
    size: int
    sha256: str
    media_type: str


@dataclass
class ReleaseReport:
    release: Release
    output: Path
    dry_run: bool
    stamped: bool                      # data/dataset.ttl changed (or would change)
    build: str = ""                    # the content hash of the released build ("" in a dry run)
    files: list[ReleaseFile] = field(default_factory=list)
    planned: list[Path] = field(default_factory=list)
    checksums: Path | None = None


# -- reading and checking -----------------------------------------------------------------------------------

def pyproject_version(root: Path) -> str:
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ReleaseError([f"pyproject.toml: {error}"]) from None
    found = data.get("project", {}).get("version")
    if not isinstance(found, str):
        raise ReleaseError(["pyproject.toml: [project] has no static version (the release version lives there)"])
    return found


def read_citation(root: Path) -> dict:
    path = root / "CITATION.cff"
    try:
        # YAML reads an unquoted date as a date: keep the text.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDates)
    except (OSError, yaml.YAMLError) as error:
        raise ReleaseError([f"CITATION.cff: {error}"]) from None
    if not isinstance(data, dict):
        raise ReleaseError(["CITATION.cff: not a YAML mapping"])
    return data


class _TextDates(yaml.SafeLoader):
    pass


_TextDates.add_constructor("tag:yaml.org,2002:timestamp", _TextDates.construct_yaml_str)


def changelog_sections(root: Path) -> list[tuple[str, str]]:
    """The released sections of CHANGELOG.md, newest first: (version, date)."""
    try:
        text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    except OSError as error:
        raise ReleaseError([f"CHANGELOG.md: {error}"]) from None
    return [(m.group(1), m.group(2)) for m in CHANGELOG_SECTION.finditer(text)]


def check(root: Path, version: str | None = None, *, installed: str | None = __version__) -> Release:
    """The release ``version`` (default: pyproject's) after checking that pyproject.toml, CITATION.cff and
    CHANGELOG.md agree on it and on its date, and that the installed package carries it (``installed=None``
    skips that). Raises :class:`ReleaseError` naming every disagreement."""
    problems: list[str] = []
    declared = pyproject_version(root)
    wanted = version or declared
    if not SEMVER.fullmatch(wanted):
        problems.append(f"{wanted!r} is not a semantic version (MAJOR.MINOR.PATCH)")
    if declared != wanted:
        problems.append(f"pyproject.toml says version {declared}, not {wanted}")
    if installed is not None and installed != declared:
        problems.append(f"the installed package is version {installed}, pyproject.toml says {declared}: "
                        "reinstall it (pip install -e .)")
    citation = read_citation(root)
    cited = str(citation.get("version", ""))
    if cited != wanted:
        problems.append(f"CITATION.cff says version {cited or '(none)'}, not {wanted}")
    cited_date = str(citation.get("date-released", ""))
    sections = changelog_sections(root)
    dated = dict(sections)
    if wanted not in dated:
        problems.append(f"CHANGELOG.md has no section '## [{wanted}] - YYYY-MM-DD'")
    elif sections[0][0] != wanted:
        problems.append(f"CHANGELOG.md: the newest release is {sections[0][0]}, not {wanted}")
    release_date = dated.get(wanted, cited_date)
    if cited_date != release_date:
        problems.append(f"CITATION.cff date-released {cited_date or '(none)'} differs from the changelog's "
                        f"{release_date}")
    try:
        date.fromisoformat(release_date)
    except ValueError:
        problems.append(f"the release date {release_date!r} is not a date (YYYY-MM-DD)")
    spdx = str(citation.get("license", ""))
    if spdx not in LICENCE_IRIS:
        problems.append(f"CITATION.cff license {spdx or '(none)'} is not a data licence policykg knows "
                        f"({', '.join(LICENCE_IRIS)})")
    if not (root / "LICENSE-DATA").is_file():
        problems.append("LICENSE-DATA (the data licence) is missing")
    authors, author_problems = _authors(citation.get("authors"))
    problems += author_problems
    if problems:
        raise ReleaseError(problems)
    first = min(d for _, d in sections)
    return Release(wanted, release_date, first, spdx, LICENCE_IRIS[spdx], tuple(authors),
                   str(citation.get("title", "policykg")))


def _authors(given: object) -> tuple[list[Author], list[str]]:
    if not isinstance(given, list) or not given:
        return [], ["CITATION.cff names no authors"]
    authors, problems = [], []
    for entry in given:
        entry = entry if isinstance(entry, dict) else {}
        if entry.get("name"):  # an entity: an organisation or a group
            name = str(entry["name"])
            authors.append(Author(name, str(ORGANISATION[_slug(name)])))
        elif entry.get("family-names") and entry.get("orcid"):
            name = " ".join(str(entry[k]) for k in ("given-names", "family-names") if entry.get(k))
            authors.append(Author(name, str(entry["orcid"])))
        else:
            problems.append(f"CITATION.cff author {entry or given!r}: an entity needs a name, a person an orcid "
                            "(the dataset names its creators by IRI)")
    return authors, problems


def _slug(name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return words.removeprefix("the-") or "contributors"


# -- stamping the dataset's description ----------------------------------------------------------------------

def release_block(release: Release) -> str:
    """The statements a release makes about the dataset, as Turtle written by the one RDF writer."""
    dataset = ox.NamedNode(DATASET)
    triples = [
        ox.Triple(dataset, ox.NamedNode(str(DCAT) + "version"), ox.Literal(release.version)),
        ox.Triple(dataset, ox.NamedNode(str(DCTERMS.issued)), _date(release.first_date)),
        ox.Triple(dataset, ox.NamedNode(str(DCTERMS.modified)), _date(release.date)),
        ox.Triple(dataset, ox.NamedNode(str(DCTERMS.license)), ox.NamedNode(release.licence_iri)),
    ]
    for index, author in enumerate(release.authors):
        agent = ox.NamedNode(author.iri)
        triples.append(ox.Triple(dataset, ox.NamedNode(str(DCTERMS.creator)), agent))
        if index == 0:
            triples.append(ox.Triple(dataset, ox.NamedNode(str(DCTERMS.publisher)), agent))
        if author.iri.startswith(str(ORGANISATION)):  # ours to describe; an ORCID describes itself
            triples += [ox.Triple(agent, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(FOAF.Agent))),
                        ox.Triple(agent, ox.NamedNode(str(SKOS.prefLabel)), ox.Literal(author.name, language="en")),
                        ox.Triple(agent, ox.NamedNode(str(FOAF.name)), ox.Literal(author.name))]
    return write_rdf(triples, TURTLE).decode("utf-8")


def _date(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(str(XSD.date)))


def stamped_text(text: str, release: Release) -> str:
    """``text`` (dataset.ttl) with its release block replaced by this release's (appended when it has none)."""
    block = f"{BEGIN}\n{release_block(release)}{END}\n"
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 and end < 0:
        return text.rstrip("\n") + "\n\n" + block
    if start < 0 or end < start:
        raise ReleaseError([f"{DATASET_FILE}: the release block's markers are broken (one is missing or they "
                            "are out of order)"])
    return text[:start] + block + text[end + len(END):].lstrip("\n")


def check_stamped(text: str) -> None:
    """The stamped description parses and states each stamped property only in the block, once per value."""
    start = text.find(BEGIN)
    outside = text[:start] + text[text.find(END) + len(END):]
    try:
        quads = list(ox.parse(outside.encode("utf-8"), format=TURTLE.rdf))
        ox.parse(text.encode("utf-8"), format=TURTLE.rdf)
    except SyntaxError as error:
        raise DataLoadError(str(DATASET_FILE), f"the stamped file does not parse: {error}") from None
    doubled = sorted({q.predicate.value for q in quads if q.subject == ox.NamedNode(DATASET)
                      and q.predicate.value in STAMPED})
    if doubled:
        raise ReleaseError([f"{DATASET_FILE} states {', '.join(doubled)} outside the release block: remove them "
                            f"there (the release writes them from pyproject.toml, CITATION.cff and CHANGELOG.md)"])


def stamp(project: Project, release: Release, *, write: bool = True) -> bool:
    """Write the release into data/dataset.ttl (unless ``write`` is false); True when the file changes."""
    path = project.root / DATASET_FILE
    text = path.read_text(encoding="utf-8")
    new = stamped_text(text, release)
    check_stamped(new)
    if new == text:
        return False
    if write:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(path)
    return True


# -- the release itself --------------------------------------------------------------------------------------

def release_name(release: Release, fmt: Format | None = None) -> str:
    return f"policykg-{release.version}" + (f".{fmt.extension}" if fmt else "")


def make_release(project: Project, version: str | None = None, *, output: Path | None = None,
                 dry_run: bool = False, reason: bool = True, force: bool = False,
                 installed: str | None = __version__, on_step: Callable[[str], None] | None = None) -> ReleaseReport:
    """Check the release, stamp the dataset's description, build and write the dumps and their checksums into
    ``output`` (default ``dist/``). A dry run checks and says what it would write, writing nothing. Files of the
    same release already in ``output`` with other bytes are a ReleaseError unless ``force``."""
    step = on_step or (lambda message: None)
    release = check(project.root, version, installed=installed)
    output = output if output is not None else project.root / "dist"
    report = ReleaseReport(release, output, dry_run, stamp(project, release, write=not dry_run))
    formats = GRAPH_FORMATS
    names = [release_name(release, fmt) for fmt in formats] + [f"{release_name(release)}.CITATION.cff",
                                                                 f"{release_name(release)}.LICENSE-DATA"]
    checksums = output / f"{release_name(release)}.sha256"
    report.planned = [output / name for name in names] + [output / f"{release_name(release)}.json", checksums]
    if dry_run:
        return report
    step("building the stamped dataset")
    build = build_project(project, reason=reason, on_step=step)
    report.build = build.version
    contents: dict[str, tuple[bytes, str]] = {}
    for fmt in formats:
        step(f"writing {fmt.name}")
        contents[release_name(release, fmt)] = (_export(build, fmt, reason), fmt.media_type)
    contents[f"{release_name(release)}.CITATION.cff"] = ((project.root / "CITATION.cff").read_bytes(),
                                                          "application/x-yaml")
    contents[f"{release_name(release)}.LICENSE-DATA"] = ((project.root / "LICENSE-DATA").read_bytes(), "text/plain")
    clashes = [name for name, (data, _) in contents.items()
               if (output / name).is_file() and (output / name).read_bytes() != data]
    if clashes and not force:
        raise ReleaseError([f"{output / name} already holds other bytes for release {release.version}: a changed "
                            "release needs a new version (or --force to overwrite)" for name in clashes])
    output.mkdir(parents=True, exist_ok=True)
    for name, (data, media_type) in contents.items():
        _write_atomic(output / name, data)
        report.files.append(ReleaseFile(output / name, len(data), hashlib.sha256(data).hexdigest(), media_type))
    manifest = _manifest(release, build, report.files)
    manifest_path = output / f"{release_name(release)}.json"
    _write_atomic(manifest_path, manifest)
    report.files.append(ReleaseFile(manifest_path, len(manifest), hashlib.sha256(manifest).hexdigest(),
                                    "application/json"))
    # The format `sha256sum --check` reads: "<hex>  <name>", names relative to the folder.
    lines = "".join(f"{f.sha256}  {f.path.name}\n" for f in report.files)
    _write_atomic(checksums, lines.encode("ascii"))
    report.checksums = checksums
    return report


def _export(build: Build, fmt: Format, reason: bool) -> bytes:
    # The export's own bytes (policykg export --format X [--inferred]): what the server's downloads hold too.
    return export_file(build.nquads_path, fmt, inferred=reason)


def _manifest(release: Release, build: Build, files: list[ReleaseFile]) -> bytes:
    data = {
        "name": "policykg", "version": release.version, "date": release.date, "build": build.version,
        "dataset": DATASET, "license": release.licence_iri, "license-spdx": release.licence_spdx,
        "creators": [a.name for a in release.authors], "reasoned": build.inferred_triples > 0,
        "files": [{"name": f.path.name, "bytes": f.size, "sha256": f.sha256, "media-type": f.media_type}
                  for f in files],
    }
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)

