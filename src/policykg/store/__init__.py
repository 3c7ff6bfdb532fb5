"""Where the dataset lives: the embedded pyoxigraph stores (memory, disk), a remote SPARQL store, and publishing
to a triple store (over the one SPARQL client, :mod:`policykg.sparql.client`)."""
