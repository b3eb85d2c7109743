"""Whole-sandbox limits through cgroups: one group per worker caps the memory and the process count of
the worker and everything it starts together (an rlimit is per process: three children of 3 GiB each
pass a 3 GiB RLIMIT_AS; a fork bomb passes a per-process cap).

    group = Cgroup.create("lstmlab-61007", memory_bytes=3 << 30, pids=64)   # None where not possible
    ... Popen(..., preexec_fn=lambda: group.enter())  # the child joins before it execs
    group.remove()                                      # after the worker and its children ended

cgroup v2 (one unified tree, both controllers enabled for our subtree) and v1 (one tree per
controller, as in many containers) are both used; `Cgroup.available()` says which, or why neither.
Creating groups needs root (or a delegated subtree); without it grading falls back to rlimits, and the
run says so.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def _own_paths() -> dict[str, str]:
    """{controller or "": cgroup path of this process} from /proc/self/cgroup ("" is the v2 entry)."""
    out = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for c in controllers.split(",") if controllers else [""]:
            out[c] = path
    return out


def _parents() -> dict[str, Path] | str:
    """{"memory": dir, "pids": dir} where child groups can be made, or a reason why none can."""
    own = _own_paths()
    v2 = ROOT / own.get("", "/").lstrip("/")
    try:
        enabled = (v2 / "cgroup.subtree_control").read_text().split()
    except OSError:
        enabled = []
    if {"memory", "pids"} <= set(enabled):
        return {"memory": v2, "pids": v2}
    found = {}
    for ctrl in ("memory", "pids"):
        base = ROOT / ctrl
        mine = base / own.get(ctrl, "/").lstrip("/")
        parent = mine if mine.is_dir() else base      # a cgroup namespace may hide our own path
        if not (parent / "cgroup.procs").exists():
            return f"no cgroup {ctrl} controller at {ROOT}"
        found[ctrl] = parent
    return found


@dataclass
class Cgroup:
    dirs: list[Path]   # the group's folder in each tree it uses (one for v2, two for v1)

    @staticmethod
    def available() -> str:
        """'' when groups can be made here, else why not."""
        parents = _parents()
        if isinstance(parents, str):
            return parents
        if not all(os.access(p, os.W_OK) for p in parents.values()):
            return "the cgroup tree is not writable (not root, or no delegated subtree)"
        return ""

    @classmethod
    def create(cls, name: str, memory_bytes: int, pids: int) -> "Cgroup | None":
        """Make (or reuse) the group `name` with these limits; None if this machine cannot."""
        parents = _parents()
        if isinstance(parents, str):
            return None
        dirs = []
        try:
            for ctrl, parent in parents.items():
                d = parent / name
                if d in dirs:
                    continue
                d.mkdir(exist_ok=True)
                dirs.append(d)
                if ctrl == "memory":
                    if (d / "memory.max").exists():                       # v2
                        (d / "memory.max").write_text(str(memory_bytes))
                        if (d / "memory.swap.max").exists():
                            (d / "memory.swap.max").write_text("0")
                    else:                                                 # v1
                        (d / "memory.limit_in_bytes").write_text(str(memory_bytes))
                        if (d / "memory.memsw.limit_in_bytes").exists():
                            (d / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
                if ctrl == "pids" or (d / "pids.max").exists():
                    (d / "pids.max").write_text(str(pids))
        except OSError:
            cls(dirs).remove()
            return None
        return cls(dirs)

    def enter(self) -> None:
        """Move the calling process into the group (call it in the child, before exec)."""
        for d in self.dirs:
            with open(d / "cgroup.procs", "w") as f:
                f.write("0")

    def remove(self, wait: float = 2.0) -> None:
        """Delete the group once its processes have ended (waiting up to `wait` s for the last ones to be
        reaped); a group still in use is left, and reused by the next worker of the same name."""
        import time

        end = time.monotonic() + wait
        for d in self.dirs:
            while True:
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > end:
                        break
                    time.sleep(0.02)
