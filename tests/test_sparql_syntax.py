"""Syntax errors say where they are: the engine's line and column on the typed error and in the endpoint's JSON
answer, with a plain account of what is at that place."""

from __future__ import annotations

import pytest

from policykg.errors import SparqlSyntaxError
from policykg.sparql.syntax import check, offset_of, position_of

MISSING_BRACE = "SELECT ?s\nWHERE {\n  ?s ?p ?o .\n"


def test_a_missing_brace_names_the_brace_it_would_close():
    with pytest.raises(SparqlSyntaxError) as caught:
        check(MISSING_BRACE)
    error = caught.value
    assert (error.line, error.column) == (4, 1)          # the end of the text, where the '}' should be
    assert "ends before the '}' that closes the '{' opened at line 2, column 7" in str(error)
    assert "LATERAL" not in str(error) or "expected" in str(error)


@pytest.mark.parametrize("text, line, bracket, said", [
    ("PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ?p ?o . }\n} LIMIT 3", 3, "}", "closes nothing"),
    ("SELECT * WHERE {\n  ?s ?p ?o FILTER(?o > 3 }", 2, "}", "closes a bracket of another kind"),
])
def test_a_stray_bracket_is_shown_where_it_is(text, line, bracket, said):
    with pytest.raises(SparqlSyntaxError) as caught:
        check(text)
    error = caught.value
    assert text[offset_of(text, error.line, error.column)] == bracket
    assert error.line == line
    assert f"this '{bracket}' {said}" in str(error)


def test_columns_count_characters_not_bytes():
    text = 'SELECT * WHERE { ?s ?p "ééé" '
    with pytest.raises(SparqlSyntaxError) as caught:
        check(text)
    assert caught.value.column == len(text) + 1
    assert position_of(text, len(text)) == (1, len(text) + 1)


def test_a_valid_query_passes():
    check("SELECT * WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_endpoint_answers_line_and_column(client, method):
    send = getattr(client, method)
    response = (send("/sparql", query_string={"query": MISSING_BRACE}) if method == "get"
                else send("/sparql", data={"query": MISSING_BRACE}))
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == 400 and (body["line"], body["column"]) == (4, 1)
    assert "line 4, column 1" in body["error"]


def test_errors_without_a_place_keep_the_plain_shape(client):
    body = client.get("/sparql", query_string={"query": "ASK {}", "default-graph-uri": "http://a/b c"}).get_json()
    assert set(body) == {"error", "status"}
