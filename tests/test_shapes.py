"""Each SHACL rule is pinned by fixtures: an invalid one that breaks exactly that rule, and a valid one.

The shapes are listed by reading ``ontology/shapes/``: a new named shape without fixtures fails
``test_every_shape_has_an_invalid_fixture`` and ``test_every_shape_has_a_valid_fixture``.

Fixtures (``tests/data/shapes/{invalid,valid}/*.ttl``) carry their expectation in comments at the top:

    # expect: pkgsh:CelexEliAgreementShape Violation <http://data.europa.eu/eli/reg/2024/1689/oj>
    # expect: pkgsh:PositionShape Violation []          ([] is a blank node focus)
    # also: pkgsh:InstrumentIriShape (why)             another shape the break cannot avoid triggering
    # message: \bIRI\b                                 (optional) the expected results' message matches it
    # valid-for: pkgsh:A pkgsh:B                       (valid fixtures: they must produce no result at all)

Invalid fixtures are named ``<Shape>--<reason>.ttl``, valid ones after one of the shapes they are valid for.
Each fixture is validated once (``validate_files(project, [fixture])``, ~0.5 s) and the report is cached.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from policykg.graph.load import graph_name_for, load_files
from policykg.namespaces import PKGSH, compact
from policykg.project import Project
from policykg.graph.validate import ValidationReport, validate_files

ROOT = Path(__file__).resolve().parents[1]
PROJECT = Project.locate(ROOT)
FIXTURES = Path(__file__).resolve().parent / "data" / "shapes"
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))

# ---------------------------------------------------------------------------------------------------------------
# The shapes, read from ontology/shapes
# ---------------------------------------------------------------------------------------------------------------

TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}
#: Shape predicates that are not constraints: a shape with nothing else (e.g. pkgsh:InstrumentDatesShape, whose
#: property shapes are named and report under their own names) cannot produce a result of its own.
NOT_CONSTRAINTS = TARGETS | {SH.severity, SH.message, SH.path, SH.name, SH.description, SH.order, SH.group,
                             SH.deactivated, SH.property}


def _shapes_graph() -> Graph:
    graph = Graph()
    for path in PROJECT.shape_files():
        graph.parse(path, format="turtle")
    return graph


SHAPES_GRAPH = _shapes_graph()


def _can_produce_a_result(shape: URIRef) -> bool:
    """A named shape reports results under its own name when it has constraints of its own (or anonymous property
    shapes, which report under it) and is validated at all: it has targets or is another shape's sh:property.
    Shapes only used through sh:node (pkgsh:InScheme*) report through the shape that uses them."""
    g = SHAPES_GRAPH
    if (shape, SH.deactivated, Literal(True)) in g:
        return False
    own = any((p.startswith(str(SH)) and p not in NOT_CONSTRAINTS) or (p == SH.property and isinstance(o, BNode))
              for p, o in g.predicate_objects(shape))
    reachable = any((shape, t, None) in g for t in TARGETS) or (None, SH.property, shape) in g
    return own and reachable


SHAPES: list[str] = sorted(
    compact(str(s))
    for s in set(SHAPES_GRAPH.subjects(RDF.type, SH.NodeShape)) | set(SHAPES_GRAPH.subjects(RDF.type, SH.PropertyShape))
    if isinstance(s, URIRef) and s.startswith(str(PKGSH)) and _can_produce_a_result(s)
)


def _shape_iri(name: str) -> URIRef:
    return PKGSH[name.removeprefix("pkgsh:")]


# ---------------------------------------------------------------------------------------------------------------
# The fixtures and their expectations
# ---------------------------------------------------------------------------------------------------------------

EXPECT = re.compile(r"^#\s*expect:\s*(pkgsh:\w+)\s+(Violation|Warning|Info)\s+(<[^>\s]+>|\[\])\s*$")
ALSO = re.compile(r"^#\s*also:\s*(pkgsh:\w+)\b")
MESSAGE = re.compile(r"^#\s*message:\s*(.+?)\s*$")
VALID_FOR = re.compile(r"^#\s*valid-for:\s*(.*)$")


@dataclass(frozen=True)
class Expected:
    shape: str
    severity: str
    focus: str  # "<iri>" or "[]"

    @property
    def iri(self) -> str | None:
        return self.focus[1:-1] if self.focus.startswith("<") else None

    def matches(self, result) -> bool:
        if result.source_shape != self.shape or result.severity != self.severity:
            return False
        if self.iri is None:  # a blank node: shown by its label, never as <iri> or prefix:name
            return not result.focus_node.startswith("<") and ":" not in result.focus_node
        return result.focus_node == compact(self.iri)


@dataclass
class Fixture:
    path: Path
    expected: list[Expected] = field(default_factory=list)
    also: set[str] = field(default_factory=set)
    valid_for: list[str] = field(default_factory=list)
    message: str | None = None

    @property
    def relative(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


@cache
def read_fixture(path: Path) -> Fixture:
    fixture = Fixture(path)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            continue
        if match := EXPECT.match(line):
            fixture.expected.append(Expected(*match.groups()))
        elif match := ALSO.match(line):
            fixture.also.add(match.group(1))
        elif match := VALID_FOR.match(line):
            fixture.valid_for += match.group(1).split()
        elif match := MESSAGE.match(line):
            fixture.message = match.group(1)
        elif re.match(r"^#\s*(expect|also|valid-for|message)\b", line):
            raise AssertionError(f"{path.name}: malformed expectation line {line!r}")
    return fixture


_REPORTS: dict[Path, ValidationReport] = {}


def _validate(path: str) -> list:
    """Run in a worker process: the results (plain dataclasses) travel back, the report graph does not."""
    return validate_files(PROJECT, [Path(path)]).results


@pytest.fixture(scope="module", autouse=True)
def _validate_selected_fixtures(request):
    """Validate every fixture the selected tests need once, in parallel (one worker per CPU, ~0.5 s each)."""
    needed = sorted({item.callspec.params["path"] for item in request.session.items
                     if item.module is request.module and hasattr(item, "callspec")
                     and "path" in item.callspec.params} - set(_REPORTS))
    workers = min(os.cpu_count() or 1, 4, len(needed))
    if workers > 1:
        try:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                for path, results in zip(needed, pool.map(_validate, map(str, needed))):
                    _REPORTS[path] = ValidationReport(results=results)
        except Exception:  # no worker processes here: validate in this process instead, on demand
            pass
    yield


def report_of(path: Path) -> ValidationReport:
    """Validate a fixture once per session (with the project's ontology and vocabularies)."""
    if path not in _REPORTS:
        _REPORTS[path] = validate_files(PROJECT, [path])
    return _REPORTS[path]


def _describe(report: ValidationReport) -> str:
    return "\n".join(f"  {r.location()}: {r.severity} {r.source_shape} {r.focus_node}: {r.message}"
                     for r in report.results) or "  (no result)"


def _ids(paths):
    return [p.stem for p in paths]


# ---------------------------------------------------------------------------------------------------------------
# Inventory: every shape has fixtures, every fixture names real shapes
# ---------------------------------------------------------------------------------------------------------------

def test_the_shape_inventory_reads_the_shapes_files():
    assert len(SHAPES) >= 60
    assert {"pkgsh:CelexEliAgreementShape", "pkgsh:CelexSyntaxShape", "pkgsh:UniqueNotationShape",
            "pkgsh:PinnedEuroVocShape"} <= set(SHAPES)
    # Named but cannot report under their own name: only named property shapes, or only used through sh:node.
    assert "pkgsh:InstrumentDatesShape" not in SHAPES
    assert "pkgsh:InSchemeStance" not in SHAPES


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_has_an_invalid_fixture(shape):
    fixtures = [p.name for p in INVALID if any(e.shape == shape for e in read_fixture(p).expected)]
    assert fixtures, f"no tests/data/shapes/invalid/{shape.removeprefix('pkgsh:')}--<reason>.ttl expects {shape}"


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_has_a_valid_fixture(shape):
    fixtures = [p.name for p in VALID if shape in read_fixture(p).valid_for]
    assert fixtures, f"no tests/data/shapes/valid/*.ttl lists {shape} in its '# valid-for:' line"


def test_fixtures_name_known_shapes_and_follow_the_naming_rule():
    known = set(SHAPES)
    problems = []
    for path in INVALID:
        fixture = read_fixture(path)
        if not fixture.expected:
            problems.append(f"{path.name}: no '# expect:' line")
            continue
        shape_in_name = "pkgsh:" + path.stem.split("--")[0]
        if "--" not in path.stem or shape_in_name != fixture.expected[0].shape:
            problems.append(f"{path.name}: name is not <{fixture.expected[0].shape}>--<reason>.ttl")
        for name in [e.shape for e in fixture.expected] + sorted(fixture.also):
            if name not in known:
                problems.append(f"{path.name}: {name} is not a shape that can produce a result")
    for path in VALID:
        fixture = read_fixture(path)
        if f"pkgsh:{path.stem}" not in fixture.valid_for:
            problems.append(f"{path.name}: not named after one of the shapes it is valid for")
        problems += [f"{path.name}: {name} is not a shape" for name in fixture.valid_for if name not in known]
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------------------------
# Invalid fixtures: the named rule fires, on the expected focus node, with the expected severity, and nothing else
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", INVALID, ids=_ids(INVALID))
def test_invalid_fixture_fires_the_expected_shape(path):
    fixture = read_fixture(path)
    report = report_of(path)
    for expected in fixture.expected:
        assert any(expected.matches(r) for r in report.results), (
            f"{path.name}: expected {expected.shape} {expected.severity} on {expected.focus}; got:\n{_describe(report)}")
    # Warnings do not fail validation; a violation does.
    assert report.conforms == all(e.severity != "Violation" for e in fixture.expected), _describe(report)


def _nothing_else_params():
    return [pytest.param(path, id=path.stem) for path in INVALID]


@pytest.mark.parametrize("path", _nothing_else_params())
def test_invalid_fixture_fires_nothing_else(path):
    fixture = read_fixture(path)
    allowed = {e.shape for e in fixture.expected} | fixture.also
    unexpected = [r for r in report_of(path).results if r.source_shape not in allowed]
    assert not unexpected, (f"{path.name} breaks more than its rule (add a '# also:' line only if unavoidable):\n"
                            + _describe(ValidationReport(results=unexpected)))


def _message_params():
    return [pytest.param(path, id=path.stem) for path in INVALID if read_fixture(path).message]


@pytest.mark.parametrize("path", _message_params())
def test_invalid_fixture_reports_the_right_message(path):
    fixture = read_fixture(path)
    expected = fixture.expected[0]
    messages = [r.message for r in report_of(path).results if expected.matches(r)]
    assert messages and all(re.search(fixture.message, m) for m in messages), (
        f"{expected.shape} on {expected.focus}: {messages} do not match {fixture.message!r}")


def _subject_line(path: Path, iri: str) -> int | None:
    """The line where ``iri`` starts a line (is described as a subject), written as <iri> or prefix:local."""
    text = path.read_text(encoding="utf-8")
    forms = [f"<{iri}>"]
    for prefix, namespace in re.findall(r"^@prefix\s+([\w-]*):\s*<([^>]*)>", text, flags=re.MULTILINE):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            forms.append(f"{prefix}:{iri[len(namespace):]}")
    for number, line in enumerate(text.splitlines(), start=1):
        for form in forms:
            if line.startswith(form) and line[len(form):len(form) + 1] in ("", " ", "\t", ";", ",", "."):
                return number
    return None


def _first_use_line(path: Path, iri: str) -> int | None:
    text = path.read_text(encoding="utf-8")
    local = iri.rsplit("/", 1)[-1]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith(("#", "@prefix")) and (f"<{iri}>" in line or re.search(rf":{re.escape(local)}\b", line)):
            return number
    return None


def _location_params():
    return [pytest.param(path, expected, id=f"{path.stem}")
            for path in INVALID for expected in read_fixture(path).expected
            if expected.iri is not None]  # a blank node has no line of its own


@pytest.mark.parametrize(("path", "expected"), _location_params())
def test_result_points_at_the_focus_line(path, expected):
    fixture = read_fixture(path)
    line = _subject_line(path, expected.iri) or _first_use_line(path, expected.iri)
    assert line, f"{path.name}: {expected.iri} is not in the fixture"
    results = [r for r in report_of(path).results if expected.matches(r)]
    assert results, _describe(report_of(path))
    assert {(r.file, r.line) for r in results} == {(fixture.relative, line)}, (
        f"expected {fixture.relative}:{line}, got {[r.location() for r in results]}")


def test_result_line_of_a_subject_after_a_comment(tmp_path):
    """The locator today, where it is right: the focus node's statement follows a comment line, not a blank line."""
    source = FIXTURES / "invalid" / "CelexEliAgreementShape--number-mismatch.ttl"
    lines = source.read_text(encoding="utf-8").splitlines()
    subject = _subject_line(source, "http://data.europa.eu/eli/reg/2024/1689/oj")
    lines[subject - 2] = "# The act: its CELEX number does not agree with its ELI."
    path = tmp_path / source.name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = [r for r in validate_files(PROJECT, [path]).results
               if r.source_shape == "pkgsh:CelexEliAgreementShape"]
    assert [(r.file, r.line) for r in results] == [(str(path), subject)]


# ---------------------------------------------------------------------------------------------------------------
# Valid fixtures: conform with no result at all, and really exercise the shapes they are valid for
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", VALID, ids=_ids(VALID))
def test_valid_fixture_conforms_without_any_result(path):
    report = report_of(path)
    assert report.conforms and not report.results, f"{path.name}:\n{_describe(report)}"


@cache
def _background() -> tuple:
    dataset = load_files(PROJECT.ontology_files() + PROJECT.vocabulary_files(), root=PROJECT.root)
    return tuple(dataset.quads((None, None, None, None)))


def _data(path: Path) -> tuple[Graph, set]:
    """The union graph (ontology, vocabularies, fixture) and the nodes the fixture itself mentions."""
    dataset = load_files([path], root=PROJECT.root)
    own = dataset.graph(graph_name_for(path, PROJECT.root))
    nodes = {n for s, _, o in own for n in (s, o)}
    union = Graph()
    for s, p, o, _ in _background():
        union.add((s, p, o))
    for triple in own:
        union.add(triple)
    return union, nodes


def _focus_nodes(shape: URIRef, data: Graph) -> set:
    g = SHAPES_GRAPH
    nodes: set = set(g.objects(shape, SH.targetNode))
    for cls in g.objects(shape, SH.targetClass):
        nodes |= {row[0] for row in data.query("SELECT ?x WHERE { ?x a/rdfs:subClassOf* ?c }",
                                               initNs={"rdfs": RDFS}, initBindings={"c": cls})}
    for p in g.objects(shape, SH.targetSubjectsOf):
        nodes |= set(data.subjects(p, None))
    for p in g.objects(shape, SH.targetObjectsOf):
        nodes |= set(data.objects(None, p))
    for parent in g.subjects(SH.property, shape):
        nodes |= _focus_nodes(parent, data)
    return nodes


def _sparql_path(path) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, SH.inversePath, None) in SHAPES_GRAPH:
        return "^" + _sparql_path(SHAPES_GRAPH.value(path, SH.inversePath))
    if (path, RDF.first, None) in SHAPES_GRAPH:
        return "(" + "/".join(_sparql_path(step) for step in Collection(SHAPES_GRAPH, path)) + ")"
    raise NotImplementedError(f"path {path!r}")


@pytest.mark.parametrize("path", VALID, ids=_ids(VALID))
def test_valid_fixture_exercises_the_shapes_it_is_valid_for(path):
    """A valid fixture only proves something if the shape has a focus node in it (and, for a property shape, a value
    to check): otherwise it passes vacuously."""
    data, own = _data(path)
    vacuous = []
    for name in read_fixture(path).valid_for:
        shape = _shape_iri(name)
        focus = _focus_nodes(shape, data) & own
        shape_path = SHAPES_GRAPH.value(shape, SH.path)
        if focus and shape_path is not None:
            query = f"ASK {{ ?focus {_sparql_path(shape_path)} ?value }}"
            focus = {f for f in focus if data.query(query, initBindings={"focus": f}).askAnswer}
        if not focus:
            vacuous.append(name)
    assert not vacuous, f"{path.name} has no focus node (with a value) for: {', '.join(vacuous)}"
