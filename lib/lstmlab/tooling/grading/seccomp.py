"""Forbid new namespaces inside the worker: a seccomp filter the worker installs before any student code.

Inside the sandbox an unprivileged process could otherwise create a user namespace, become "root"
there and mount a private tmpfs that takes host memory past the scratch cap, or build a mount table
of its own. The filter (a classic BPF program, installed with prctl; no_new_privs is already set):

    unshare, setns                            -> EPERM
    clone with any CLONE_NEW* flag            -> EPERM
    clone3                                    -> ENOSYS (its flags live in memory a filter cannot
                                                 read; glibc then falls back to clone, checked above)
    a syscall of another ABI (x32, i386)      -> the process is killed
    everything else                           -> allowed

Filters are inherited by every child and can never be removed. x86_64 and aarch64 are supported;
elsewhere install() returns False and the run reports that namespaces were not blocked.
"""
from __future__ import annotations

import ctypes
import platform
import struct

# seccomp_data offsets: nr (u32) at 0, arch (u32) at 4, args[0] (u64, low word first) at 16
_NR, _ARCH, _ARG0 = 0, 4, 16
_ARCHES = {  # machine: (AUDIT_ARCH_*, unshare, setns, clone, clone3)
    "x86_64": (0xC000003E, 272, 308, 56, 435),
    "aarch64": (0xC00000B7, 97, 268, 220, 435),
}
CLONE_NEW_FLAGS = 0x7E020000   # NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
X32_BIT = 0x40000000

_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _KILL, _ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
EPERM, ENOSYS = 1, 38
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def program(machine: str | None = None) -> list[tuple[int, int, int, int]] | None:
    """The filter as (code, jt, jf, k) instructions for this machine, or None if unsupported."""
    spec = _ARCHES.get(machine or platform.machine())
    if spec is None:
        return None
    arch, unshare, setns, clone, clone3 = spec
    # Jump offsets count instructions after the current one; the return blocks are at the end.
    prog = [
        (_LD_W_ABS, 0, 0, _ARCH),
        (_JEQ, 1, 0, arch),              # 1: native ABI? skip the kill
        (_RET, 0, 0, _KILL),             # 2
        (_LD_W_ABS, 0, 0, _NR),          # 3
        (_JGE, 7, 0, X32_BIT),           # 4: x32 syscall numbers -> EPERM
        (_JEQ, 6, 0, unshare),           # 5
        (_JEQ, 5, 0, setns),             # 6
        (_JEQ, 5, 0, clone3),            # 7 -> ENOSYS
        (_JEQ, 0, 2, clone),             # 8: not clone -> allow
        (_LD_W_ABS, 0, 0, _ARG0),        # 9: clone's flags (low word)
        (_JSET, 1, 0, CLONE_NEW_FLAGS),  # 10: a new namespace -> EPERM
        (_RET, 0, 0, _ALLOW),            # 11
        (_RET, 0, 0, _ERRNO | EPERM),    # 12
        (_RET, 0, 0, _ERRNO | ENOSYS),   # 13
    ]
    return prog


def install() -> bool:
    """Install the filter on this process (and all it will start). False where it cannot be."""
    prog = program()
    if prog is None:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    raw = b"".join(struct.pack("=HBBI", *ins) for ins in prog)
    buf = ctypes.create_string_buffer(raw, len(raw))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(prog), ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0
