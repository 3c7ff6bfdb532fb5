"""Where the dataset lives: the embedded pyoxigraph stores (memory, disk), a remote SPARQL store, the one
SPARQL HTTP client, and publishing to a triple store."""
