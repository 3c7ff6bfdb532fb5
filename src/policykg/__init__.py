"""policykg: a knowledge graph of EU migration-related policy files."""

__version__ = "0.1.0"
