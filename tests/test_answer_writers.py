"""The one answer writer (policykg.sparql.results.write), on generated answers: every term it writes in SPARQL
JSON, XML and TSV results reads back as the same term with pyoxigraph's own parser, and the JSON text is what
``json.dumps(..., ensure_ascii=False)`` writes for each binding (its bytes, and so every ETag, stay as they were
when each row went through json.dumps)."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykg.formats import CSV, JSON, TSV, XML
from policykg.sparql.client import standard_json
from policykg.sparql.results import SelectResult, write

XSD = "http://www.w3.org/2001/XMLSchema#"

# Text a literal may hold: controls, quotes, markup, line separators, astral characters and the rest.
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["", '"', "\\", "\n\r\t", "\x00\x1f\x7f", "\u2028", "😀", "<&>", "a,b", "\ufeff"])
iris = st.builds(lambda path: ox.NamedNode(f"https://example.org/{path}"),
                 st.text("abcé😀-._~!$&'()*+,;=:@/", max_size=8))
blank_nodes = st.builds(ox.BlankNode, st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True))
literals = st.one_of(
    st.builds(ox.Literal, texts),
    st.builds(lambda text, language: ox.Literal(text, language=language), texts,
              st.sampled_from(["en", "fr-be", "de-1996", "el"])),
    st.builds(lambda text, datatype: ox.Literal(text, datatype=ox.NamedNode(datatype)), texts,
              st.sampled_from([XSD + "string", XSD + "date", "https://example.org/type/é&'"])),
)
plain_terms = st.one_of(iris, blank_nodes, literals)
terms = plain_terms | st.builds(ox.Triple, iris | blank_nodes, iris, plain_terms)
answers = st.integers(1, 4).flatmap(lambda width: st.builds(
    SelectResult,
    st.just([f"v{i}" for i in range(width)]),
    st.lists(st.tuples(*[st.none() | terms] * width), max_size=5)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=answers)
def test_json_xml_and_tsv_read_back_as_the_same_terms(answer: SelectResult) -> None:
    for fmt, parsed_as in ((JSON, ox.QueryResultsFormat.JSON), (XML, ox.QueryResultsFormat.XML),
                           (TSV, ox.QueryResultsFormat.TSV)):
        read = ox.parse_query_results(write(answer, fmt).data, format=parsed_as)
        assert isinstance(read, ox.QuerySolutions)
        assert [v.value for v in read.variables] == answer.variables, fmt.name
        assert [tuple(row) for row in read] == answer.rows, fmt.name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=answers)
def test_json_text_is_json_dumps_of_each_binding(answer: SelectResult) -> None:
    def term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict:
        if isinstance(value, ox.NamedNode):
            return {"type": "uri", "value": value.value}
        if isinstance(value, ox.BlankNode):
            return {"type": "bnode", "value": value.value}
        if isinstance(value, ox.Triple):
            return {"type": "triple", "value": {"subject": term(value.subject), "predicate": term(value.predicate),
                                                "object": term(value.object)}}
        out = {"type": "literal", "value": value.value}
        if value.language:
            out["xml:lang"] = value.language
        elif value.datatype.value != XSD + "string":
            out["datatype"] = value.datatype.value
        return out

    rows = ",".join("\n" + json.dumps({name: term(value) for name, value in zip(answer.variables, row)
                                       if value is not None}, ensure_ascii=False) for row in answer.rows)
    expected = f'{{"head": {{"vars": {json.dumps(answer.variables)}}}, "results": {{"bindings": [{rows}\n]}}}}\n'
    assert write(answer, JSON).data == expected.encode("utf-8")


def test_a_cut_answer_keeps_whole_rows_and_says_so() -> None:
    rows = [(ox.NamedNode(f"https://example.org/{i}"), ox.Literal(f"row {i}", language="en")) for i in range(50)]
    answer = SelectResult(["s", "label"], rows)
    note = "https://example.org/sparql#limits"
    for fmt, parsed_as in ((JSON, ox.QueryResultsFormat.JSON), (XML, ox.QueryResultsFormat.XML),
                           (TSV, ox.QueryResultsFormat.TSV)):
        body = write(answer, fmt, max_bytes=1500, note=note)
        assert body.truncated == "bytes" and 0 < body.count < 50, fmt.name
        data = standard_json(body.data)[0] if fmt is JSON else body.data  # as the client reads it
        read = ox.parse_query_results(data, format=parsed_as)
        assert [tuple(row) for row in read] == rows[:body.count], fmt.name
    assert json.loads(write(answer, JSON, max_bytes=1500, note=note).data)["truncated"] is True
    body = write(answer, CSV, max_bytes=1500, note=note)
    assert list(csv.reader(io.StringIO(body.data.decode()))) == [
        ["s", "label"], *([row[0].value, row[1].value] for row in rows[:body.count])]
