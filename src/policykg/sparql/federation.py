"""Which remote endpoints a ``SERVICE`` clause may reach: a pure allow-list for the query guard.

Off by default: ``FederationPolicy()`` allows nothing. An endpoint is allowed only if its normalised form
equals a configured one exactly: http or https; scheme and host lower-cased; the default port (80, 443)
dropped; an empty path written "/"; percent-escapes upper-cased. No user name or password, no fragment,
no prefix matching: ``https://publications.europa.eu/webapi/rdf/sparql`` does not allow
``.../sparql/other`` nor ``...sparql?x=1``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from policykg.errors import PolicyKGError
from policykg.namespaces import CELLAR_SPARQL_ENDPOINT

_DEFAULT_PORTS = {"http": 80, "https": 443}
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`]")
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def normalise_endpoint(iri: str) -> str:
    """The normal form of an http(s) endpoint IRI; a PolicyKGError saying what is wrong otherwise."""
    if not isinstance(iri, str):
        raise PolicyKGError(f"endpoint must be a string, not {type(iri).__name__}")
    if _FORBIDDEN.search(iri):
        raise PolicyKGError(f"endpoint {iri!r}: contains a space, control character or character IRIs forbid")
    if "%" in _ESCAPE.sub("", iri):
        raise PolicyKGError(f"endpoint {iri!r}: has a '%' that is not a percent-escape")
    parts = urlsplit(iri)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise PolicyKGError(f"endpoint {iri!r}: must be http or https")
    if not iri[len(scheme) + 1:].startswith("//"):
        raise PolicyKGError(f"endpoint {iri!r}: needs a host (scheme://host/...)")
    if "@" in parts.netloc:
        raise PolicyKGError(f"endpoint {iri!r}: must not contain a user name or password")
    if parts.fragment or iri.endswith("#"):
        raise PolicyKGError(f"endpoint {iri!r}: must not have a #fragment")
    host = (parts.hostname or "").lower()
    if not host or not _HOST.fullmatch(f"[{host}]" if ":" in host else host):
        raise PolicyKGError(f"endpoint {iri!r}: has no valid host")
    try:
        port = parts.port
    except ValueError:
        raise PolicyKGError(f"endpoint {iri!r}: the port is not a number from 0 to 65535") from None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    path = _ESCAPE.sub(lambda m: m.group().upper(), parts.path or "/")
    query = _ESCAPE.sub(lambda m: m.group().upper(), parts.query)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query or iri.endswith("?") else "")


@dataclass(frozen=True)
class FederationPolicy:
    """The endpoints ``SERVICE`` may call. Empty (the default) means federation is off."""

    allowed_endpoints: frozenset[str] = frozenset()

    def __init__(self, allowed_endpoints: Iterable[str] = ()) -> None:
        if isinstance(allowed_endpoints, str):
            raise PolicyKGError("allowed_endpoints must be a collection of IRIs, not one string")
        object.__setattr__(self, "allowed_endpoints",
                           frozenset(normalise_endpoint(e) for e in allowed_endpoints))

    @classmethod
    def cellar(cls) -> FederationPolicy:
        """Allows only the Publications Office's public CELLAR endpoint."""
        return cls([CELLAR_SPARQL_ENDPOINT])

    @property
    def enabled(self) -> bool:
        return bool(self.allowed_endpoints)

    def allows(self, iri: object) -> bool:
        """True only if ``iri`` is an http(s) IRI whose normal form is on the list."""
        if not self.allowed_endpoints or not isinstance(iri, str):
            return False
        try:
            return normalise_endpoint(str(iri)) in self.allowed_endpoints
        except PolicyKGError:
            return False
