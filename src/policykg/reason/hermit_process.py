"""The child process that runs HermiT: ``python -m policykg.reason.hermit_process FOLDER JAVA MEMORY_MB VALUES``.

Started by :func:`policykg.reason.owl_world.run_hermit` in a session of its own, so that the parent can kill it
together with owlready2's Java process when the reasoning time limit passes. It reads ``FOLDER/input.nt`` and
writes ``FOLDER/output.nt`` (HermiT's conclusions) and ``FOLDER/answer.json`` (the verdict); see
:func:`policykg.reason.owl_world.hermit_in_process`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from policykg.reason.owl_world import hermit_in_process


def main(argv: list[str]) -> int:
    folder, java, memory, values = argv
    answer = hermit_in_process(Path(folder), java, int(memory), values == "values")
    tmp = Path(folder) / "answer.json.tmp"
    tmp.write_text(json.dumps(answer), encoding="utf-8")
    tmp.replace(Path(folder) / "answer.json")  # the parent never reads half an answer
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
