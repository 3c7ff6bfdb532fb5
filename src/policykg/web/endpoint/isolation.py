"""Keeping a query worker away from the network, with whatever this system permits.

The guard refuses every query that could make the engine connect somewhere; this is the second wall, for the day
the guard and the engine disagree. pyoxigraph opens a TCP connection for every ``SERVICE`` and ``LOAD`` it
evaluates, with no switch to turn that off, so a worker is walled in layers, each applied when the system allows:

* **a user and a network namespace** (``unshare(CLONE_NEWUSER | CLONE_NEWNET)``): the worker sees one network
  interface, loopback, down. Unprivileged users may do this where the kernel allows user namespaces; the worker's
  own user and group are mapped onto themselves, so it reads and writes files as before. As root, the new user
  namespace also takes away the capabilities that could bring the worker back into the host's network. Where a
  user namespace is refused, root still gets a plain network namespace;
* **Landlock** (Linux 6.7+, ABI 4): the worker may neither connect nor bind a TCP socket, on any interface;
* **seccomp**: the worker may not create an IPv4 or IPv6 socket at all (TCP, UDP or raw).

The listening socket, opened by the master before the fork, keeps accepting: none of these touch a socket that
already exists. Unix sockets stay usable (the federation process is reached through one).
All of it runs in the freshly forked, single-threaded worker (a user namespace cannot be entered by a process
with threads).
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
from collections.abc import Iterable

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
# Landlock's system calls have the same numbers on every architecture.
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_RULE_NET_PORT = 2
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_ACCESS_NET_BIND_TCP = 1
LANDLOCK_ACCESS_NET_CONNECT_TCP = 2

NAMESPACES = "user and network namespace"
NETWORK_NAMESPACE = "network namespace"
LANDLOCK = "Landlock (no TCP connect or bind)"
SECCOMP = "seccomp (no IPv4/IPv6 sockets)"


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def isolate_network() -> str | None:
    """Move this process into new, empty namespaces; the name of what was applied, None when not permitted."""
    libc = _libc()
    if libc is None:
        return None
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
        # Map this process's user and group onto themselves: files keep their owners and new files can be made.
        try:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1\n")
            _write("/proc/self/gid_map", f"{gid} {gid} 1\n")
        except OSError:  # still off the network; only files it creates would have no owner it can name
            pass
        return NAMESPACES
    if libc.unshare(CLONE_NEWNET) == 0:
        return NETWORK_NAMESPACE
    return None


def landlock_abi() -> int:
    """The Landlock ABI version the kernel offers; 0 without Landlock."""
    libc = _libc()
    if libc is None or not hasattr(libc, "syscall"):
        return 0
    abi = libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                       ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(abi, 0)


def deny_tcp() -> bool:
    """A Landlock ruleset that handles TCP connect and bind and allows neither. False without Landlock ABI 4."""
    return connect_only_to(())


def connect_only_to(ports: Iterable[int]) -> bool:
    """A Landlock ruleset: TCP connections only to these ports (any host), no TCP bind. False without Landlock
    ABI 4. The federation process, which must reach its allowed endpoints, is held to their ports."""
    libc = _libc()
    if libc is None or landlock_abi() < 4:
        return False
    attr = struct.pack("=QQ", 0, LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP)
    buffer = ctypes.create_string_buffer(attr, len(attr))
    ruleset = libc.syscall(SYS_LANDLOCK_CREATE_RULESET, buffer, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if ruleset < 0:
        return False
    try:
        for port in sorted(set(ports)):
            rule = ctypes.create_string_buffer(struct.pack("=QQ", LANDLOCK_ACCESS_NET_CONNECT_TCP, port), 16)
            if libc.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_NET_PORT, rule, ctypes.c_uint32(0)) != 0:
                return False
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) == 0
    finally:
        os.close(ruleset)


# seccomp: a classic BPF program over struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6]}.
_AUDIT_ARCH_SOCKET = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
_BPF_LD_W_ABS, _BPF_JEQ_K, _BPF_JGE_K, _BPF_RET_K = 0x20, 0x15, 0x35, 0x06
_SECCOMP_RET_ALLOW, _SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
_EACCES = 13
_X32_SYSCALL_BIT = 0x40000000


def _seccomp_program(arch: int, socket_nr: int) -> bytes:
    deny = _SECCOMP_RET_ERRNO | _EACCES
    program = [
        (_BPF_LD_W_ABS, 0, 0, 4),                     # arch
        (_BPF_JEQ_K, 1, 0, arch),
        (_BPF_RET_K, 0, 0, deny),                     # another ABI (e.g. 32-bit calls): no system call at all
        (_BPF_LD_W_ABS, 0, 0, 0),                     # nr
        (_BPF_JGE_K, 0, 1, _X32_SYSCALL_BIT),
        (_BPF_RET_K, 0, 0, deny),                     # x32 calls
        (_BPF_JEQ_K, 0, 4, socket_nr),
        (_BPF_LD_W_ABS, 0, 0, 16),                    # args[0], the address family (low half, little endian)
        (_BPF_JEQ_K, 1, 0, 2),                        # AF_INET
        (_BPF_JEQ_K, 0, 1, 10),                       # AF_INET6
        (_BPF_RET_K, 0, 0, deny),
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
    ]
    return b"".join(struct.pack("=HBBI", code, jt, jf, k) for code, jt, jf, k in program)


def deny_inet_sockets() -> bool:
    """A seccomp filter: ``socket(AF_INET | AF_INET6, ...)`` fails with EACCES. False where not supported."""
    libc = _libc()
    known = _AUDIT_ARCH_SOCKET.get(platform.machine())
    if libc is None or known is None or struct.pack("=I", 1)[0] != 1:
        return False
    program = _seccomp_program(*known)
    filters = ctypes.create_string_buffer(program, len(program))

    class _Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Fprog(len(program) // 8, ctypes.addressof(filters))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0


def isolate_worker(*, allow_network: bool = False) -> list[str]:
    """Apply every isolation mechanism this system permits to the calling (freshly forked, single-threaded) worker;
    the names of those applied, empty when none could be."""
    if allow_network:
        return []
    applied = []
    for name, layer in ((None, isolate_network), (LANDLOCK, deny_tcp), (SECCOMP, deny_inet_sockets)):
        try:
            result = layer()
        except OSError:  # a layer the system refuses in an unexpected way is a layer not applied, never a crash
            continue
        if result:
            applied.append(name or str(result))
    return applied


def probe() -> list[str]:
    """What :func:`isolate_worker` applies on this system, found in a throwaway child process (the caller is left
    as it was): for the master to say at start-up how its workers are walled in."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read)
            os.write(write, "\n".join(isolate_worker()).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        names = pipe.read().decode()
    os.waitpid(pid, 0)
    return [name for name in names.split("\n") if name]
