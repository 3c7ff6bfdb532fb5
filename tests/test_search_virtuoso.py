"""The ``search`` and ``search-files`` named queries on a real Virtuoso (the ``virtuoso_server`` fixture) give the
rows the embedded store gives, for texts that reach every kind of match: an exact identifier (CELEX, COM number,
procedure, whole ELI, ELI path, file slug), a name, a title, several words, words that only begin a word of the
value, and nothing at all.

tests/test_publish_virtuoso.py compares every named query with its default parameters only; these queries have
one text each and take their rank, the field matched and the label from different parts of the query, so each
part is reached here. (A Virtuoso 7.2 plan once gave a value of another row to the rows that matched: the same
resources, other scores.)
"""

from __future__ import annotations

from collections import Counter

import pytest
from support.virtuoso import published_union, virtuoso_server  # noqa: F401 - the fixture

pytestmark = [pytest.mark.virtuoso, pytest.mark.requires_java, pytest.mark.slow]

SEARCHES = [
    "AI", "asylum", "regulation", "Eurodac", "migration pact", "picum", "children",
    "32024R1689", "52021PC0206", "COM(2021) 206", "com 2021 206", "2021/0106(COD)",
    "http://data.europa.eu/eli/reg/2024/1689/oj", "reg/2024/1348/oj", "reg/2024/1348", "reg 2024", "2024/1348",
    "ai-act", "eu-migration-pact",
    "asylum proc", "eurod", "xyzzy",
]
FILE_SEARCHES = ["AI", "children", "Directive", "migration pact", "asylum and migration", "xyzzy"]


@pytest.fixture(scope="module")
def remote(virtuoso_server, build):  # noqa: F811 - the fixture imported above
    return published_union(virtuoso_server, build)


def answer(query, store, params: dict[str, str], order: tuple[str, ...]) -> tuple[list[tuple], Counter]:
    """The sort keys in the order given, and the rows as a multiset (a list of matched fields as a set: SPARQL
    leaves the order of GROUP_CONCAT's values open)."""
    rows = query.run(store, params).values()
    for row in rows:
        if "matchedIn" in row:
            row["matchedIn"] = ", ".join(sorted(row["matchedIn"].split(", ")))
    return ([tuple(row.get(key) for key in order) for row in rows],
            Counter(tuple(sorted(row.items())) for row in rows))


@pytest.mark.parametrize("q", SEARCHES)
def test_search_gives_the_same_rows_on_virtuoso(registry, store, remote, q):
    query = registry["search"]
    expected = answer(query, store, {"q": q}, ("score", "label", "resource"))
    assert answer(query, remote, {"q": q}, ("score", "label", "resource")) == expected


@pytest.mark.parametrize("text", FILE_SEARCHES)
def test_search_files_gives_the_same_rows_on_virtuoso(registry, store, remote, text):
    query = registry["search-files"]
    expected = answer(query, store, {"text": text}, ("fileLabel", "field"))
    assert answer(query, remote, {"text": text}, ("fileLabel", "field")) == expected


def test_the_comparison_covers_every_kind_of_match(registry, store):
    """Not vacuous: the texts reach every field, and every rank from an exact identifier to a word's beginning; the
    file texts find files by their names and descriptions, and "xyzzy" finds nothing."""
    rows = [row for q in SEARCHES for row in registry["search"].run(store, {"q": q}).values()]
    fields = {field for row in rows for field in row["matchedIn"].split(", ")}
    assert {"CELEX", "COM number", "procedure", "ELI", "slug", "name", "short title", "title"} <= fields
    scores = {int(row["score"]) for row in rows}
    assert max(scores) >= 100 and min(scores) < 40
    assert not registry["search"].run(store, {"q": "xyzzy"}).values()
    found = {text: registry["search-files"].run(store, {"text": text}).values() for text in FILE_SEARCHES}
    assert all(found[text] for text in FILE_SEARCHES if text != "xyzzy") and not found["xyzzy"]
    assert {row["field"] for rows in found.values() for row in rows} >= {"name", "description"}
