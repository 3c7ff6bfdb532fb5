"""Engines the query tests run named queries on."""

from __future__ import annotations

import pyoxigraph as ox


class ValuesOnlyEngine:
    """An engine without substitutions (like a remote endpoint): parameters and lookups must arrive as VALUES
    blocks. Keeps every text it was given."""

    supports_substitutions = False

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.texts: list[str] = []

    def query(self, text: str, **kwargs):
        assert "substitutions" not in kwargs
        self.texts.append(text)
        return self.store.query(text, **kwargs)
