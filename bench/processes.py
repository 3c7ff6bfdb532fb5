"""The benchmarks' server processes: the tree a server leads, and stopping it with everything it started."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (from /proc: the kernel's list of each task's children)."""
    pids, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        pids.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        frontier.extend(int(child) for child in children)
    return pids


def stop(process: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM, ``grace`` seconds, then SIGKILL to the process group it leads (workers a killed master left)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait(timeout=10)
