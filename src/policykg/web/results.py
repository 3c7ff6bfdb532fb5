"""The web's names for the one writer of answers (:mod:`policykg.sparql.results`) and the one RDF writer
(:mod:`policykg.rdf_writer`): nothing is written here."""

from __future__ import annotations

from policykg.rdf_writer import write_rdf as serialize_graph
from policykg.sparql.results import Body, write, write_graph

__all__ = ["Body", "serialize_graph", "write", "write_graph"]
