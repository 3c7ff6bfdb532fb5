"""Keeping a query worker away from the network, with whatever this system permits.

The guard refuses every query that could make the engine connect somewhere; this is the second wall, for the day
the guard and the engine disagree.
"""

from __future__ import annotations

import ctypes

CLONE_NEWNET = 0x40000000


def isolate_network() -> bool:
    """Move this process into a new network namespace with no interfaces up. False when not permitted."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def isolate_worker(*, allow_network: bool) -> list[str]:
    """Apply every isolation mechanism this system permits to the calling (freshly forked, single-threaded) worker;
    the names of those applied, empty when none could be."""
    if allow_network:
        return []
    return ["network namespace"] if isolate_network() else []
