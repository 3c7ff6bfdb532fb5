"""Answers for Python: :class:`Rows` (a SELECT) and :class:`Triples` (a CONSTRUCT or DESCRIBE), each a sequence
of plain values (:mod:`policykg.api.values`) that can become a pandas DataFrame or the endpoint's own CSV.

Both keep the answer as read (``.result``, RDF terms), so the CSV, the table shown in a notebook and the RDF of a
graph are written by the project's one answer writer (:mod:`policykg.sparql.results`): the same bytes as
``policykg query --format csv`` and as ``/sparql`` answering ``Accept: text/csv``.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, overload

import pyoxigraph as ox

from policykg.api.values import python_value
from policykg.errors import OptionalDependencyMissing
from policykg.formats import TABLE
from policykg.sparql.results import GraphResult, SelectResult, serialize, write

#: How many rows a notebook shows of an answer (all of them are there: ``len(rows)``, ``to_pandas()``).
SHOWN_ROWS = 20


class Triple(NamedTuple):
    subject: Any
    predicate: Any
    object: Any


class _Answer(Sequence[Any]):
    """What rows and triples share: the columns, the writer's CSV and table, pandas."""

    columns: list[str]
    result: SelectResult | GraphResult
    _items: list[Any]

    @property
    def truncated(self) -> bool:
        """True when the endpoint cut the answer at one of its limits (a remote ``policykg serve --max-rows``)."""
        return self.result.truncated

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        return self._items[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def _records(self) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def column(self, name: str) -> list[Any]:
        """The values of one column, in row order."""
        if name not in self.columns:
            raise KeyError(f"no column {name!r} (columns: {', '.join(self.columns)})")
        index = self.columns.index(name)
        return [record[index] for record in self._records()]

    def to_csv(self, path: str | Path | None = None) -> bytes:
        """SPARQL 1.1 CSV (header row, CRLF, UTF-8; IRIs and literals as their plain text): the bytes the
        endpoint answers for ``Accept: text/csv``. Also written to ``path`` when given."""
        data = serialize(self.result, "csv")
        if path is not None:
            Path(path).write_bytes(data)
        return data

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` with one typed column per variable: integers ``Int64``, numbers ``Float64``,
        booleans ``boolean``, dates and times ``datetime64``, text ``string`` (unbound values are missing
        values); a column mixing kinds keeps Python objects. Needs pandas (``pip install pandas``)."""
        pandas = _pandas()
        records = self._records()
        data = {name: _series(pandas, [record[i] for record in records])
                for i, name in enumerate(self.columns)}
        return pandas.DataFrame(data, columns=self.columns)

    def __repr__(self) -> str:
        shown = write(self.result, TABLE, max_rows=SHOWN_ROWS).data.decode("utf-8")
        if len(self) > SHOWN_ROWS:
            shown = shown.rstrip("\n").rsplit("\n", 1)[0] + f"\n… ({SHOWN_ROWS} of {len(self)} rows shown)\n"
        return shown.rstrip("\n")


class Rows(_Answer):
    """The rows of a SELECT, in the engine's order: each a ``dict`` from column to plain value, every column
    present (None where the variable is unbound)."""

    def __init__(self, result: SelectResult) -> None:
        self.result = result
        self.columns = list(result.variables)
        self._values = [tuple(python_value(term) for term in row) for row in result.rows]
        self._items = [dict(zip(self.columns, values)) for values in self._values]

    def _records(self) -> list[tuple[Any, ...]]:
        return self._values


class Triples(_Answer):
    """The triples of a CONSTRUCT or DESCRIBE, each a :class:`Triple` ``(subject, predicate, object)`` of plain
    values, without duplicates, in the order of the CSV (by subject, predicate, object)."""

    def __init__(self, result: GraphResult) -> None:
        unique = list(dict.fromkeys(result.triples))
        self.graph = GraphResult(unique, result.truncated)
        self.result = self.graph
        self.columns = ["subject", "predicate", "object"]
        ordered = sorted(unique, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        self._items = [Triple(python_value(t.subject), python_value(t.predicate), python_value(t.object))
                       for t in ordered]

    @property
    def terms(self) -> list[ox.Triple]:
        """The triples as RDF terms (pyoxigraph)."""
        return list(self.graph.triples)

    def _records(self) -> list[tuple[Any, ...]]:
        return self._items

    def to_rdf(self, format: str = "ttl") -> bytes:
        """The graph in an RDF format (``ttl``, ``nt``, ``jsonld``, ``rdf``): the endpoint's bytes for it."""
        return serialize(self.result, format)


def _pandas() -> Any:
    try:
        # pandas is optional (the ``notebook`` extra): only a call to to_pandas() needs it.
        return importlib.import_module("pandas")
    except ImportError:
        raise OptionalDependencyMissing("pandas", "to_pandas() needs pandas: pip install pandas "
                                                  "(or pip install 'policykg[notebook]')") from None


def _series(pandas: Any, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    kinds = {_kind(v) for v in present}
    if kinds == {"Int64", "Float64"}:
        kinds = {"Float64"}
    if len(kinds) != 1:
        return pandas.Series(values, dtype="string" if not present else object)
    kind = kinds.pop()
    if kind in ("Int64", "Float64", "boolean", "string"):
        return pandas.Series(values, dtype=kind)
    if kind in ("date", "datetime"):
        try:
            return pandas.to_datetime(pandas.Series(values, dtype=object))
        except (ValueError, TypeError, OverflowError):  # mixed time zones, or out of pandas' range
            return pandas.Series(values, dtype=object)
    return pandas.Series(values, dtype=object)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "Int64"
    if isinstance(value, float):
        return "Float64"
    if isinstance(value, datetime.datetime):
        return "datetime"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


__all__ = ["SHOWN_ROWS", "Rows", "Triple", "Triples"]
