"""policykg: a knowledge graph of EU migration-related policy files."""

from importlib.metadata import PackageNotFoundError, version

try:
    # The release version lives in pyproject.toml alone; the installed package's metadata carries it here.
    __version__ = version("policykg")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
