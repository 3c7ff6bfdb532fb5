"""Running a command as an unprivileged user (nobody, 65534) from a test that runs as root.

``setpriv`` drops the user, the group and every capability. The interpreter may live where that user cannot go
(``/root/.pyenv``, under a ``/root`` only root may enter): the command then runs in a private mount namespace in
which the closed folder is replaced by an open, empty one holding only the way to the interpreter, bind-mounted
back. Nothing changes outside that namespace. Files the command needs must be readable by that user
(:func:`open_folder` makes a folder for them).
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import sys
import tempfile
from pathlib import Path

NOBODY = 65534


def needed() -> bool:
    """Whether running as another user means anything here (only root can switch)."""
    return os.geteuid() == 0


def available() -> str | None:
    """Why commands cannot be run as nobody here, or None when they can."""
    if not needed():
        return "the tests already run without root"
    for tool in ("setpriv", "unshare", "mount"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def _closed_folder(path: Path) -> tuple[Path, Path] | None:
    """The first folder on the way to ``path`` that others may not enter, and its child on that way."""
    parts = path.resolve().parts
    for depth in range(1, len(parts) - 1):
        folder = Path(*parts[:depth + 1])
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return folder, Path(*parts[:depth + 2])
    return None


def as_nobody(command: list[str], home: str | None = None) -> list[str]:
    """``command`` run as nobody (user and group 65534, no supplementary groups, no capabilities)."""
    user = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all",
            "env", f"HOME={home or tempfile.gettempdir()}", f"TMPDIR={tempfile.gettempdir()}", *command]
    closed = _closed_folder(Path(sys.prefix))
    if closed is None:
        return user
    folder, child = closed
    keep = Path(tempfile.gettempdir()) / "policykg-nobody-mount"   # an empty mount point, seen only inside
    keep.mkdir(mode=0o700, exist_ok=True)
    script = "; ".join([
        "set -e",
        f"mount --bind {shlex.quote(str(child))} {shlex.quote(str(keep))}",
        f"mount -t tmpfs -o mode=0755 tmpfs {shlex.quote(str(folder))}",
        f"mkdir -p {shlex.quote(str(child))}",
        f"mount --bind {shlex.quote(str(keep))} {shlex.quote(str(child))}",
        'exec "$@"',
    ])
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *user]


def open_folder() -> Path:
    """A fresh folder anyone may read (for the files a command run as nobody needs); the caller removes it."""
    folder = Path(tempfile.mkdtemp(prefix="policykg-open-"))
    folder.chmod(0o755)
    return folder
