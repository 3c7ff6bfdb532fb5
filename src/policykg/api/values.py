"""RDF terms as plain Python values, for people working in Python: an IRI is its ``str``, a literal the Python
value its datatype says (``xsd:integer`` and its kin -> ``int``, ``xsd:decimal`` -> ``Decimal``, ``xsd:double``
and ``xsd:float`` -> ``float``, ``xsd:boolean`` -> ``bool``, ``xsd:date`` -> ``datetime.date``,
``xsd:dateTime`` -> ``datetime.datetime``, ``xsd:gYear`` -> ``int``), any other literal its text (a language tag
is dropped). A literal whose text its datatype does not accept stays text, so nothing is lost or guessed.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from policykg.namespaces import XSD

_INTEGER_TYPES = ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                  "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort",
                  "unsignedByte")
_DATE = re.compile(r"-?\d{4,}-\d{2}-\d{2}")
_YEAR = re.compile(r"-?\d{4,}")


def _integer(text: str) -> int:
    return int(text.strip())


def _decimal(text: str) -> decimal.Decimal:
    if not re.fullmatch(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*", text):
        raise ValueError(text)
    return decimal.Decimal(text.strip())


def _double(text: str) -> float:
    return float(text.strip())


def _boolean(text: str) -> bool:
    value = text.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ValueError(text)


def _date(text: str) -> datetime.date:
    if not _DATE.fullmatch(text.strip()):  # a time zone (2024-01-01Z) has no place in a Python date
        raise ValueError(text)
    return datetime.date.fromisoformat(text.strip())


def _date_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.strip())


def _year(text: str) -> int:
    if not _YEAR.fullmatch(text.strip()):
        raise ValueError(text)
    return int(text.strip())


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    **{str(XSD[name]): _integer for name in _INTEGER_TYPES},
    str(XSD.decimal): _decimal,
    str(XSD.double): _double,
    str(XSD.float): _double,
    str(XSD.boolean): _boolean,
    str(XSD.date): _date,
    str(XSD.dateTime): _date_time,
    str(XSD.gYear): _year,
}


def python_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Any:
    """The plain Python value of an RDF term (None for an unbound variable)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return (python_value(term.subject), python_value(term.predicate), python_value(term.object))
    converter = None if term.language else _CONVERTERS.get(term.datatype.value)
    if converter is None:
        return term.value
    try:
        return converter(term.value)
    except (ValueError, decimal.InvalidOperation):
        return term.value


def parameter_text(name: str, value: Any) -> Any:
    """A named-query parameter given from Python, as the text (or term) the query's typed parameters read: a
    date as ``YYYY-MM-DD``, a number as its digits; a list or tuple stays a list of such values (a parameter
    that takes several values)."""
    from policykg.errors import QueryParameterError

    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [parameter_text(name, item) for item in items]
    if isinstance(value, bool):
        raise QueryParameterError(name, f"a query parameter is text, an IRI, a date or a number, not {value!r}")
    if isinstance(value, (str, ox.NamedNode, ox.Literal)):
        return value
    if isinstance(value, datetime.datetime):
        raise QueryParameterError(name, f"give a date (datetime.date or 'YYYY-MM-DD'), not a date and time "
                                        f"{value.isoformat()!r}")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    raise QueryParameterError(name, f"cannot give a {type(value).__name__} as a query parameter: use text, "
                                    "a datetime.date, an int, or a list of them")


__all__ = ["parameter_text", "python_value"]
