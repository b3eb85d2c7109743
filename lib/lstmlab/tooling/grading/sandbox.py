"""Start a worker for one submission inside whatever isolation this machine allows.

Full isolation (running as root with util-linux `unshare` and `setpriv`, as on CI):
  - new mount, network and PID namespaces (`unshare --mount --net --pid --fork --mount-proc`):
    no network at all (not even loopback to the host), and the worker is PID 1 of its own
    namespace, so when it ends every process it started ends too, detached ones included;
  - an empty tmpfs mounted over every path in `hide` (the caller passes
    Course.hidden_from_students(...): the one list of what student code must not see, defined in
    lstmlab/tooling/course.py), and over /tmp, /var/tmp and /dev/shm (except a folder that holds the
    installation itself: then the worker's scratch space is a fresh tmpfs on its own folder);
  - then privileges dropped to a uid of its own (61000 + slot), no capabilities, no_new_privs,
    so it cannot undo the mounts or signal other workers;
  - rlimits: address space (memory cap), CPU seconds, file size, no core dumps, process count.
Fallback (not root, or the tools are missing): a new session (process group) with the same
rlimits in an empty working folder; the secret folders stay readable by the student's code and a
process that leaves the session can outlive grading. `describe()` says which mode is in use.
"""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Limits:
    memory_mb: int = 3072          # address space of the worker (torch needs ~2 GiB to import)
    cell_seconds: float = 60.0     # one exec or one call
    notebook_seconds: float = 600.0
    cpu_seconds: int = 900         # backstop for the whole worker
    max_processes: int = 64


@dataclass
class Sandbox:
    hide: list[Path] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    force_fallback: bool = False

    def isolated(self) -> bool:
        return (not self.force_fallback and hasattr(os, "geteuid") and os.geteuid() == 0
                and shutil.which("unshare") is not None and shutil.which("setpriv") is not None
                and sys.platform.startswith("linux"))

    @staticmethod
    def _hideable(p: Path) -> bool:
        """False for a path that holds what the worker must run (the interpreter, the installed
        packages, lstmlab itself): hiding it would break the worker."""
        import lstmlab

        needed = [Path(sys.prefix).resolve(), Path(sys.executable).resolve(), Path(lstmlab.__file__).resolve().parent,
                  Path(os.__file__).resolve().parent]
        p = p.resolve()
        return p.exists() and not any(n == p or p in n.parents for n in needed)

    def hidden_paths(self) -> list[Path]:
        """The folders and files to hide that can be hidden."""
        return [Path(p).resolve() for p in self.hide if self._hideable(Path(p))]

    def describe(self) -> str:
        if self.isolated():
            return ("namespaces (mount, network, PID) + tmpfs over secret folders + unprivileged uid + rlimits "
                    f"(memory {self.limits.memory_mb} MiB, {self.limits.cell_seconds:.0f} s per cell, "
                    f"{self.limits.notebook_seconds:.0f} s per notebook)")
        return ("fallback: process group + rlimits + empty working folder (not root or no unshare/setpriv: "
                "secret folders stay readable, the network stays reachable)")

    def _preexec(self):
        lim = self.limits

        def apply():
            os.setsid()
            mem = lim.memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
            resource.setrlimit(resource.RLIMIT_CPU, (lim.cpu_seconds, lim.cpu_seconds + 5))
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        return apply

    def start(self, slot: int, workdir: Path) -> subprocess.Popen:
        """Start a worker; returns the Popen with .wire = (fd to write to it, fd to read from it)."""
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        env = {
            "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
            "HOME": str(workdir), "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{workdir}/.mpl", "KERAS_BACKEND": "torch",
            "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "LANG": "C.UTF-8",
            "LSTMLAB_WIRE": f"{to_worker_r},{from_worker_w}",
        }
        # -I: ignore PYTHON* variables and the working folder on sys.path.
        worker = [sys.executable, "-I", "-m", "lstmlab.tooling.grading.worker"]
        if self.isolated():
            uid = str(61000 + slot % 1000)
            # The worker's scratch space is an empty writable tmpfs: /tmp itself where it can be hidden,
            # else (the installation lives under /tmp) the worker's own folder.
            tmp_ok = self._hideable(Path("/tmp"))
            scratch = "/tmp" if tmp_ok else str(workdir)
            env.update(HOME=scratch, TMPDIR=scratch, MPLCONFIGDIR=f"{scratch}/.mpl")
            extra = [str(p) for p in (Path("/dev/shm"), Path("/var/tmp")) if self._hideable(p)]
            # $@ holds what to hide: folders get an empty read-only tmpfs, files /dev/null.
            script = ('set -e; for d in "$@"; do if [ -d "$d" ]; then mount -t tmpfs -o ro,size=1k,mode=0555 none "$d"; '
                      'elif [ -f "$d" ]; then mount --bind /dev/null "$d"; fi; done; '
                      f"mount -t tmpfs -o size=256m,mode=1777 none {scratch}; "
                      "ip link set lo up 2>/dev/null || true; "
                      # no `exec`: sh stays PID 1 of the namespace, so the worker is an ordinary process
                      # (PID 1 ignores signals it has no handler for, a SIGSEGV included).
                      f"cd {scratch}; setpriv --reuid={uid} --regid={uid} --clear-groups --inh-caps=-all "
                      f"--bounding-set=-all --no-new-privs -- " + " ".join(worker))
            argv = ["unshare", "--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc",
                    "--propagation", "private", "sh", "-c", script, "sandbox",
                    *[str(p) for p in self.hidden_paths()], *extra]
        else:
            argv = worker
        proc = subprocess.Popen(argv, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, pass_fds=(to_worker_r, from_worker_w),
                                preexec_fn=self._preexec(), close_fds=True)
        os.close(to_worker_r)
        os.close(from_worker_w)
        proc.wire = (to_worker_w, from_worker_r)
        return proc


def stop(proc: subprocess.Popen) -> None:
    """End a worker and everything it started (its whole process group / PID namespace)."""
    for fd in getattr(proc, "wire", ()):
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        os.killpg(proc.pid, 9)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
