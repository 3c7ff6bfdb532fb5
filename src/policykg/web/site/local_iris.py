"""Our IRIs and the server's paths: ``BASE + "id/file/ai-act"`` <-> ``/id/file/ai-act``.

Every IRI under ``namespaces.BASE`` is served at the same path on this server (a hash IRI such as
``…/ontology#PolicyFile`` by its document, ``/ontology``, at the anchor ``#PolicyFile``). ``ROUTE_PREFIXES`` are the
paths the resource pages answer, one per kind of IRI we mint.
"""

from __future__ import annotations

from urllib.parse import quote

from policykg.namespaces import BASE, CONCEPT, DATASET, GRAPH, ID, ONTOLOGY_IRI, QUERY, SCHEME, SHAPES_IRI

#: Paths (without the leading "/") of single resources, and of folders whose every sub-path is a resource.
DOCUMENTS = tuple(iri[len(BASE):] for iri in (ONTOLOGY_IRI, SHAPES_IRI, DATASET))
FOLDERS = tuple(str(ns)[len(BASE):] for ns in (ID, CONCEPT, SCHEME, GRAPH, QUERY))
# IRIs inside a document's own path (the ontology's version IRI: …/ontology/0.1.0) are resources too.
_SAFE = "/:@!$&'()*+,;=-._~"


def is_ours(iri: str) -> bool:
    return iri.startswith(BASE)


def document_of(iri: str) -> str:
    """The IRI without its fragment: the document that describes it."""
    return iri.split("#", 1)[0]


def fragment_of(iri: str) -> str:
    return iri.split("#", 1)[1] if "#" in iri else ""


def local_path(iri: str, script_root: str = "") -> str:
    """The path of one of our IRIs on this server (its fragment kept as the anchor)."""
    if not is_ours(iri):
        raise ValueError(f"not one of our IRIs: {iri}")
    document, _, fragment = iri[len(BASE):].partition("#")
    # Never "//host/...": a path that starts with two slashes is a link to another host.
    path = f"{script_root}/{quote(document.lstrip('/'), safe=_SAFE)}"
    return f"{path}#{quote(fragment, safe=_SAFE)}" if "#" in iri else path


def href_for(iri: str, script_root: str = "") -> str:
    """Where a page links ``iri``: one of ours to its page on this server (never to the persistent base, which
    only redirects here), another web IRI to itself, anything else (``urn:``, ``mailto:``) nowhere ("")."""
    if is_ours(iri):
        return local_path(iri, script_root)
    return iri if iri.startswith(("http://", "https://")) else ""


def iri_for_path(path: str) -> str:
    """The IRI a request path stands for (``path`` as Flask gives it: decoded, starting with "/")."""
    return BASE + path.lstrip("/")


def routes() -> list[str]:
    """Flask rules for every path of ours."""
    rules = []
    for document in DOCUMENTS:
        rules += [f"/{document}", f"/{document}/<path:rest>"]
    for folder in FOLDERS:
        rules += [f"/{folder}", f"/{folder}<path:rest>"]
    return rules
