"""The graph as files make it: the strict loader, SHACL validation, the build (load, validate, reason, publish
the named queries as data), deterministic export and statistics."""
