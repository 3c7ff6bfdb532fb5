"""The knowledge graph from Python and notebooks::

    import policykg

    kg = policykg.open()                                  # the project's build, embedded (reason=False: no Java)
    rows = kg.query("files-affecting-group", group="undocumented-migrants")
    rows.to_pandas()                                      # needs pandas
    kg.sparql("SELECT ?file WHERE { ?file a pkg:PolicyFile }").to_csv()

    remote = policykg.connect("http://127.0.0.1:8000/sparql")   # a running ``policykg serve``: the same calls

Walk-through: ``docs/notebook.md``.
"""

from policykg.api.graph import Answer, KnowledgeGraph, connect, open
from policykg.api.rows import Rows, Triple, Triples

__all__ = ["Answer", "KnowledgeGraph", "Rows", "Triple", "Triples", "connect", "open"]
