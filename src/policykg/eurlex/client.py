"""Asking a CELLAR-compatible endpoint: batched VALUES queries, answered as rows of rdflib terms.

The HTTP is :class:`policykg.sparql.client.SparqlClient`'s (SPARQLWrapper requests over urllib3, timeouts, and
urllib3's bounded retries with exponential backoff: :class:`~policykg.sparql.client.RetryPolicy`); what is
CELLAR's here is the batching and the terms the rest of :mod:`policykg.eurlex` reads. Retried: connection errors,
timeouts, HTTP 502, 503 and 504. Not retried: other HTTP errors (400 for a query the endpoint refuses, 404 for a
wrong address, 500...), which are reported at once, as is an answer the endpoint cut at its row limit (a smaller
batch size asks for less at a time).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from policykg.errors import PolicyKGError
from policykg.eurlex.sparql import Term, prepare
from policykg.namespaces import CELLAR_SPARQL_ENDPOINT, XSD
from policykg.sparql.client import RetryPolicy, SparqlClient

Row = dict[str, Node]

#: CELLAR is a batch job's endpoint: a timed-out answer is asked again too, and the waits are longer.
CELLAR_RETRY = RetryPolicy(retries=3, backoff=1.0, max_delay=30.0, timeouts=True)
_XSD_STRING = str(XSD.string)


class CellarClient:
    """Runs SELECT queries against one endpoint and returns rows of rdflib terms."""

    def __init__(self, endpoint: str = CELLAR_SPARQL_ENDPOINT, *, timeout: float = 60.0,
                 retry: RetryPolicy | None = None, batch_size: int = 50) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise PolicyKGError(f"batch size must be a whole number >= 1, not {batch_size!r}")
        self.sparql = SparqlClient(endpoint, timeout=timeout, retry=retry or CELLAR_RETRY)
        self.batch_size = batch_size

    @property
    def endpoint(self) -> str:
        return self.sparql.endpoint

    @property
    def requests(self) -> int:
        """Every request sent (one per attempt), for reports and tests."""
        return self.sparql.requests

    @property
    def retries_made(self) -> int:
        """Retries made after a failed attempt."""
        return self.sparql.retries_made

    # -- queries ---------------------------------------------------------------------------------

    def select(self, query: str) -> list[Row]:
        """Run one SELECT query (retrying as the policy allows); its rows, whole."""
        answer = self.sparql.select(query, whole=True)
        if not isinstance(answer, ox.QuerySolutions):
            raise PolicyKGError("a CELLAR query must be a SELECT")
        names = [variable.value for variable in answer.variables]
        return [{name: rdflib_term(row[name]) for name in names if row[name] is not None} for row in answer]

    def select_batched(self, template: str, variable: str, values: Sequence[Term]) -> list[Row]:
        """Run ``template`` once per batch of ``values`` bound to ``?variable``; the rows of all batches."""
        rows: list[Row] = []
        for start in range(0, len(values), self.batch_size):
            batch = values[start:start + self.batch_size]
            rows += self.select(prepare(template, [variable], [[value] for value in batch]))
        return rows

    def batches(self, count: int) -> int:
        """How many requests (without retries) ``count`` values take."""
        return -(-count // self.batch_size)


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """The rdflib term of a pyoxigraph one; a plain literal stays plain (no ``xsd:string`` datatype)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise PolicyKGError(f"CELLAR answered a term of an unexpected kind: {term!r}")


__all__ = ["CELLAR_RETRY", "CellarClient", "Row", "rdflib_term"]
