"""Named research queries: the registry of ``queries/*.rq`` with their headers, typed parameters, the
generated docs and the queries published as data."""
