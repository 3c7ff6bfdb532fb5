"""Where the project's files are: ontology, vocabularies, shapes, data, queries. No parsing here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from policykg.errors import PolicyKGError
from policykg.formats import by_suffix


@dataclass(frozen=True)
class Project:
    """The folders of a policykg checkout, resolved once."""

    root: Path

    @classmethod
    def locate(cls, root: Path | str | None = None) -> Project:
        """Find the project: ``root`` if given, else ``$POLICYKG_ROOT``, else the checkout holding this package."""
        candidates = [Path(root)] if root else []
        if os.environ.get("POLICYKG_ROOT"):
            candidates.append(Path(os.environ["POLICYKG_ROOT"]))
        candidates += [Path.cwd(), Path(__file__).resolve().parents[2]]
        for candidate in candidates:
            if (candidate / "ontology" / "policykg.ttl").is_file():
                return cls(candidate.resolve())
        raise PolicyKGError(
            "cannot find the policykg project (a folder with ontology/policykg.ttl); "
            "run from the checkout or set POLICYKG_ROOT"
        )

    @property
    def ontology_file(self) -> Path:
        return self.root / "ontology" / "policykg.ttl"

    @property
    def imports_dir(self) -> Path:
        return self.root / "ontology" / "imports"

    @property
    def vocabularies_dir(self) -> Path:
        return self.root / "ontology" / "vocabularies"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "ontology" / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def checks_dir(self) -> Path:
        return self.root / "queries" / "checks"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache"

    def ontology_files(self) -> list[Path]:
        """The ontology and the pinned stubs of the vocabularies it reuses."""
        return [self.ontology_file, *_rdf_files(self.imports_dir)]

    def vocabulary_files(self) -> list[Path]:
        return _rdf_files(self.vocabularies_dir)

    def shape_files(self) -> list[Path]:
        return _rdf_files(self.shapes_dir)

    def data_files(self) -> list[Path]:
        """Every curated data file, including the reviewed EUR-Lex enrichment in ``data/eurlex/``."""
        return _rdf_files(self.data_dir, recursive=True)

    def query_files(self) -> list[Path]:
        return sorted(self.queries_dir.glob("*.rq"))

    def check_files(self) -> list[Path]:
        return sorted(self.checks_dir.glob("*.rq"))


def _rdf_files(folder: Path, *, recursive: bool = False) -> list[Path]:
    if not folder.is_dir():
        return []
    pattern = "**/*" if recursive else "*"
    return sorted(p for p in folder.glob(pattern) if p.is_file() and by_suffix(p.suffix) is not None)
