"""The project's typed errors. Each carries the CLI exit code and the HTTP status it maps to.

Library code raises these; only ``cli.py`` turns them into an exit code and only ``web/`` into HTTP.
"""

from __future__ import annotations


class PolicyKGError(Exception):
    """Base class: a problem the user can act on (never a bug in policykg)."""

    exit_code = 2
    http_status = 400


class DataLoadError(PolicyKGError):
    """An RDF file could not be read strictly. ``str()`` is ``file:line: message``."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class ValidationFailed(PolicyKGError):
    """The graph does not conform to the shapes; carries the report."""

    exit_code = 1

    def __init__(self, report: object) -> None:
        self.report = report
        super().__init__("the graph does not conform to the shapes")


class ReasonerUnavailable(PolicyKGError):
    """The OWL reasoner cannot run here (no Java runtime)."""

    exit_code = 3
    http_status = 500


class InconsistentOntology(PolicyKGError):
    """The reasoner found the ontology and data inconsistent."""

    exit_code = 1
    http_status = 500


class QueryNotFound(PolicyKGError):
    http_status = 404


class QueryParameterError(PolicyKGError):
    """A named-query parameter is missing or badly typed; names the parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(f"parameter {parameter!r}: {message}")


class SparqlSyntaxError(PolicyKGError):
    """A query or update the engine cannot parse. ``line`` and ``column`` (1-based, in characters) say where, when
    the engine said so (:func:`policykg.sparql.syntax.engine_error`)."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        self.line = line
        self.column = column
        super().__init__(message)

    def location(self) -> dict[str, int]:
        """``{"line": L, "column": C}`` for an answer's JSON, or ``{}`` when the position is not known."""
        return {} if self.line is None or self.column is None else {"line": self.line, "column": self.column}


class QueryRefused(PolicyKGError):
    """The guard refuses what a public query may not do (SERVICE, LOAD, remote FROM...)."""

    http_status = 403


class QueryTimeout(PolicyKGError):
    exit_code = 1
    http_status = 503


class UpstreamError(PolicyKGError):
    """A remote SPARQL endpoint (EUR-Lex's CELLAR, a triple store) failed or could not be reached."""

    exit_code = 3
    http_status = 502


class IdentifierError(PolicyKGError, ValueError):
    """A malformed CELEX, ELI, COM or procedure identifier; the message says what is wrong."""


class ReasonerFailed(PolicyKGError):
    """The OWL reasoner ran but failed (a Java error, an input HermiT refuses); carries the Java message."""

    exit_code = 3
    http_status = 500


class NotAcceptable(PolicyKGError):
    """No format the client accepts can carry this answer; ``available`` lists the media types that can."""

    http_status = 406

    def __init__(self, message: str, available: list[str]) -> None:
        self.available = list(available)
        super().__init__(f"{message}; available: {', '.join(self.available)}")


class QueryTooLarge(PolicyKGError):
    """A query or update text longer than the endpoint accepts."""

    http_status = 413


class QueryTooComplex(PolicyKGError):
    """A query nested deeper, or made of more tokens, than the endpoint accepts (the engine's parser recurses)."""

    http_status = 400


class ResourceLimitExceeded(PolicyKGError):
    """A query used more memory than one query may; it was stopped."""

    exit_code = 1
    http_status = 503


class ReasonerTimeout(PolicyKGError):
    """The OWL reasoner did not finish within its time limit and was stopped (its Java process with it); the
    message names the limit and how to raise it. ``process_group`` is the group that was killed."""

    exit_code = 3
    http_status = 503

    def __init__(self, message: str, *, limit: float | None = None, process_group: int | None = None) -> None:
        self.limit = limit
        self.process_group = process_group
        super().__init__(message)


class OptionalDependencyMissing(PolicyKGError, ImportError):
    """A feature needs a package that is not installed (an optional one, such as pandas); ``package`` names it."""

    exit_code = 3
    http_status = 500

    def __init__(self, package: str, message: str) -> None:
        self.package = package
        super().__init__(message)
