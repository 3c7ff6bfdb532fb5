"""The baseline of the endpoint benchmark: Flask + pyoxigraph with nothing else (no guard, no time limit, no caps,
no negotiation, no caching headers), served by the same gunicorn set-up as ``policykg serve``.

    POLICYKG_BENCH_DATA=graph.nq gunicorn -w 5 -k sync --preload bench.bare_app:app

``/sparql?query=`` answers SPARQL JSON for SELECT and ASK and Turtle for graphs; ``/ping`` answers ``ok`` (the
floor of the server stack: one Flask request through gunicorn, no query).
"""

from __future__ import annotations

import os

import pyoxigraph as ox
from flask import Flask, Response, request

store = ox.Store()
store.extend(ox.parse(path=os.environ["POLICYKG_BENCH_DATA"], format=ox.RdfFormat.N_QUADS, lenient=True))
app = Flask(__name__)


@app.route("/sparql")
def sparql() -> Response:
    result = store.query(request.args["query"], use_default_graph_as_union=True)
    if isinstance(result, ox.QuerySolutions):
        return Response(result.serialize(format=ox.QueryResultsFormat.JSON),
                        mimetype="application/sparql-results+json")
    if isinstance(result, ox.QueryBoolean):
        return Response(result.serialize(format=ox.QueryResultsFormat.JSON),
                        mimetype="application/sparql-results+json")
    return Response(ox.serialize(result, format=ox.RdfFormat.TURTLE), mimetype="text/turtle")


@app.route("/ping")
def ping() -> Response:
    return Response(b"ok", mimetype="text/plain")
