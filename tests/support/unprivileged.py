"""Running a command as an unprivileged user (nobody, 65534) from a test that runs as root.

``setpriv`` drops the user, the group and every capability. The interpreter, the package or the project may live
where that user cannot go (``/root/.pyenv``, under a ``/root`` only root may enter): the command then runs in a
private mount namespace in which each closed folder on those ways is covered by an open, empty one holding only the
ways through it, bind-mounted back. Nothing changes outside that namespace. Files the command needs must be
readable by that user (:func:`open_folder` makes a folder for them).
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


def _closed_folders(paths: list[Path]) -> list[tuple[Path, list[Path]]]:
    """The folders on the way to ``paths`` that others may not enter, outermost first, each with its children on
    those ways."""
    closed: dict[Path, set[Path]] = {}
    for path in paths:
        parts = path.resolve().parts
        for depth in range(1, len(parts) - 1):
            folder = Path(*parts[:depth + 1])
            if folder.is_dir() and not os.stat(folder).st_mode & stat.S_IXOTH:
                closed.setdefault(folder, set()).add(Path(*parts[:depth + 2]))
    return [(folder, sorted(closed[folder])) for folder in sorted(closed, key=lambda f: len(f.parts))]


def _needed_paths() -> list[Path]:
    """What a test command run as nobody reads: the interpreter and its libraries, the package, the working
    folder (the project)."""
    import policykg

    return [Path(sys.executable), Path(sys.prefix), Path(sys.base_prefix), Path(policykg.__file__).parent, Path.cwd()]


def as_nobody(command: list[str], home: str | None = None, reach: list[Path] | None = None) -> list[str]:
    """``command`` run as nobody (user and group 65534, no supplementary groups, no capabilities), able to reach
    the interpreter, the package, the working folder and ``reach``."""
    user = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all",
            "env", f"HOME={home or tempfile.gettempdir()}", f"TMPDIR={tempfile.gettempdir()}", *command]
    closed = _closed_folders(_needed_paths() + list(reach or []))
    if not closed:
        return user
    keep = Path(tempfile.gettempdir()) / "policykg-nobody-mount"   # empty mount points, seen only inside
    keep.mkdir(mode=0o700, exist_ok=True)
    steps = ["set -e"]
    for number, (folder, children) in enumerate(closed):
        # Each child on the way is set aside, an open empty folder covers the closed one, the children come back.
        kept = []
        for index, child in enumerate(children):
            spot = keep / f"{number}-{index}"
            if child.is_dir():
                spot.mkdir(mode=0o700, exist_ok=True)
            else:
                if spot.is_dir():
                    spot.rmdir()
                spot.touch(mode=0o600)
            kind = "mkdir -p" if child.is_dir() else "touch"
            steps.append(f"mount --bind {shlex.quote(str(child))} {shlex.quote(str(spot))}")
            kept.append((child, spot, kind))
        steps.append(f"mount -t tmpfs -o mode=0755 tmpfs {shlex.quote(str(folder))}")
        for child, spot, kind in kept:
            steps.append(f"{kind} {shlex.quote(str(child))}")
            steps.append(f"mount --bind {shlex.quote(str(spot))} {shlex.quote(str(child))}")
    steps.append('exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", "; ".join(steps), "sh", *user]


def open_folder() -> Path:
    """A fresh folder anyone may read (for the files a command run as nobody needs); the caller removes it."""
    folder = Path(tempfile.mkdtemp(prefix="policykg-open-"))
    folder.chmod(0o755)
    return folder
