"""Start a worker for one submission inside whatever isolation this machine allows.

Full isolation (running as root with util-linux `unshare` and `setpriv`, as on CI):
  - new mount, network, PID, IPC and UTS namespaces: no network at all (not even loopback to the
    host), and the worker is in a PID namespace of its own, so when it ends every process it started
    ends too, detached ones included;
  - an empty tmpfs mounted over every path in `hide` (the caller passes
    Course.hidden_from_students(...): the one list of what student code must not see, defined in
    lstmlab/tooling/course.py), and over /var/tmp and /dev/shm;
  - the whole filesystem remounted read-only, except one scratch tmpfs (256 MiB): /tmp, or the
    worker's own folder when the installation itself lives under /tmp;
  - an installation inside a private folder (mode 0700, as root's home) is made reachable: the
    private folder is covered by an empty tmpfs holding only the installation's own folders;
  - then privileges dropped to a uid of its own, leased for the worker's life (no two workers, of
    this run or a concurrent one, share a uid), no capabilities, no_new_privs, so it cannot undo the
    mounts or signal other workers; the worker installs a seccomp filter before any student code
    that forbids new namespaces (seccomp.py);
  - whole-sandbox limits where the kernel offers cgroups (cgroup.py): memory and process count of
    the worker and all its children together; plus rlimits per process: address space, CPU
    seconds, file size, no core dumps, and the process count of the worker's uid.
Fallback (not root, or the tools are missing): a new session (process group) with the same rlimits
in an empty working folder; the secret folders and the installation stay writable or readable by the
student's code, and the grader's processes can be signalled. `lstmlab grade` uses it only when asked
to (--no-isolation). `describe()` says which mode and which limits are in force.

Warm start (the default; LSTMLAB_WARM=0 or Sandbox(warm=False) selects the cold path): instead of a new
`unshare ... python -I` per worker, a zygote per judge process (zygote.py), started by exec with the
heavy modules imported, forks each worker and sets up the same namespaces, mounts (mount_plan, carried
out with system calls instead of the shell program), uid, capabilities, rlimits, cgroup and seccomp
filter in the fork. If the zygote dies the next
start starts a new one; if it cannot start, workers start cold, and `describe()` says so.
"""
from __future__ import annotations

import fcntl
import os
import resource
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .cgroup import Cgroup

UID_BASE, UID_COUNT = 61000, 1000
LEASES = Path("/run/lstmlab-uids")     # root-only folder of lock files, one per leased uid
SCRATCH_MB = 256


def lease_uid(preferred: int) -> tuple[int, int]:
    """(uid, fd holding its lock): a worker uid no other live worker on this machine holds."""
    LEASES.mkdir(mode=0o700, exist_ok=True)
    for k in range(UID_COUNT):
        uid = UID_BASE + (preferred + k) % UID_COUNT
        fd = os.open(LEASES / str(uid), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return uid, fd
        except BlockingIOError:
            os.close(fd)
    raise RuntimeError(f"all {UID_COUNT} worker uids are in use")


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL the calling process when its parent ends (Linux; elsewhere nothing)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _private_ancestor(path: Path) -> Path | None:
    """The topmost folder above path that other users cannot enter (no o+x), or None."""
    for parent in reversed(path.parents):
        try:
            if not parent.stat().st_mode & 0o001:
                return parent
        except OSError:
            return None
    return None


@dataclass
class Limits:
    memory_mb: int = 3072          # address space of the worker (torch needs ~2 GiB to import)
    cell_seconds: float = 60.0     # one exec or one call
    notebook_seconds: float = 600.0
    cpu_seconds: int = 900         # backstop for the whole worker
    max_processes: int = 64        # processes and threads of the whole sandbox


@dataclass
class Sandbox:
    hide: list[Path] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    force_fallback: bool = False
    warm: bool | None = None           # None: warm unless LSTMLAB_WARM=0
    cold_because: str = ""             # set when a warm start was wanted and could not be had

    def wants_warm(self) -> bool:
        return self.warm if self.warm is not None else os.environ.get("LSTMLAB_WARM", "1") != "0"

    def start_path(self) -> str:
        """How workers start, in words (for the run's report)."""
        if not self.wants_warm():
            return "cold start per worker"
        if self.cold_because:
            return f"cold start per worker ({self.cold_because})"
        return "warm start per worker (forked from a pre-imported zygote)"

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

    @staticmethod
    def needed_paths() -> list[Path]:
        """What the worker must be able to read: the interpreter, its standard library and packages, lstmlab."""
        import lstmlab

        paths = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent,
                 Path(os.__file__).parent, Path(lstmlab.__file__).parent.parent]
        paths += [Path(p) for p in sys.path if p and Path(p).is_dir()]
        out = []
        for p in paths:
            p = p.resolve()
            if p not in out and not any(q in p.parents for q in out):
                out = [q for q in out if p not in q.parents] + [p]
        return out

    def exposures(self) -> dict[Path, list[Path]]:
        """{private folder: needed paths below it}: what the sandbox re-exposes (see the module docstring)."""
        out: dict[Path, list[Path]] = {}
        for p in self.needed_paths():
            top = _private_ancestor(p)
            if top is not None:
                out.setdefault(top, []).append(p)
        return out

    def in_force(self) -> list[str]:
        """The limits this sandbox applies, in words (for the run's report)."""
        lim = self.limits
        items = [f"memory {lim.memory_mb} MiB per process (rlimit)", f"{lim.cell_seconds:g} s per cell",
                 f"{lim.notebook_seconds:g} s per notebook"]
        if not self.isolated():
            return items
        why = Cgroup.available()
        items += ([f"memory {lim.memory_mb} MiB and {lim.max_processes} processes for the whole sandbox (cgroup)"]
                  if not why else [f"no whole-sandbox memory cap ({why})"])
        items += [f"{lim.max_processes} processes for the worker's own uid (rlimit)",
                  "read-only filesystem except a scratch tmpfs", "no new namespaces (seccomp)"]
        return items

    def describe(self) -> str:
        if self.isolated():
            return ("namespaces (mount, network, PID, IPC) + tmpfs over secret folders + unprivileged uid of its own; "
                    + "; ".join(self.in_force() + [self.start_path()]))
        return ("fallback, no isolation: process group + rlimits + empty working folder (student code can read the "
                "secret folders, write where you can write, reach the network and signal the grader); "
                + "; ".join(self.in_force() + [self.start_path()]))

    def _preexec(self, group: Cgroup | None = None):
        lim = self.limits

        def apply():
            os.setsid()
            die_with_parent()   # a judge that dies takes its worker (and, through the namespace, all) along
            if group is not None:
                group.enter()
            mem = lim.memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
            resource.setrlimit(resource.RLIMIT_CPU, (lim.cpu_seconds, lim.cpu_seconds + 5))
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if self.isolated():  # root ignores it; it binds the worker's own uid after setpriv
                resource.setrlimit(resource.RLIMIT_NPROC, (lim.max_processes, lim.max_processes))

        return apply

    def _script(self, uid: int, scratch: str, worker: list[str]) -> str:
        """The shell program run as root inside the new namespaces, ending in the unprivileged worker."""
        q = shlex.quote
        lines = [self.mount_program(scratch)]
        # no `exec`: sh stays PID 1 of the namespace, so the worker is an ordinary process
        # (PID 1 ignores signals it has no handler for, a SIGSEGV included).
        lines.append(f"cd {q(scratch)}; setpriv --reuid={uid} --regid={uid} --clear-groups --inh-caps=-all "
                     "--bounding-set=-all --no-new-privs -- " + " ".join(q(w) for w in worker))
        return "\n".join(lines)

    def mount_plan(self, scratch: str) -> list[tuple]:
        """What the sandbox mounts, in order, as steps both start paths carry out: the cold path as the
        shell program below (mount_program), the warm one with the same system calls (zygote.apply_plan).
            ("tmpfs", target, options)     a tmpfs (options as for mount -o; "ro" makes it read-only)
            ("mkdir", path, parents)       ("rmdir", path)
            ("rbind", source, target)      ("detach", path): umount -l
            ("hide",)                      each path to hide: a folder gets an empty read-only tmpfs,
                                           a file /dev/null
            ("readonly", keep)             every mount read-only but `keep` and /proc, /dev below them
            ("lo_up",)                     the loopback interface up (failure ignored)
        """
        plan = [("tmpfs", scratch, f"size={SCRATCH_MB}m,mode=1777")]
        # A private folder holding the installation: cover it with a tmpfs that holds only what is needed.
        for k, (top, needed) in enumerate(sorted(self.exposures().items())):
            stage = f"{scratch}/.expose{k}"
            plan += [("mkdir", stage, False), ("rbind", str(top), stage), ("tmpfs", str(top), "size=1m,mode=0755")]
            for p in needed:
                plan += [("mkdir", str(p), True), ("rbind", f"{stage}/{p.relative_to(top)}", str(p))]
            plan += [("detach", stage), ("rmdir", stage)]
        return plan + [("hide",), ("readonly", scratch), ("lo_up",)]

    def mount_program(self, scratch: str) -> str:
        """The shell program (run as root in the new mount namespace, $@ the paths to hide) that carries
        out mount_plan: scratch tmpfs, the installation re-exposed, secrets hidden, all else read-only."""
        q = shlex.quote
        lines = ["set -e"]
        for step in self.mount_plan(scratch):
            op, args = step[0], step[1:]
            if op == "tmpfs":
                lines.append(f"mount -t tmpfs -o {q(args[1])} none {q(args[0])}")
            elif op == "mkdir":
                lines.append(f"mkdir {'-p ' if args[1] else ''}{q(args[0])}")
            elif op == "rmdir":
                lines.append(f"rmdir {q(args[0])}")
            elif op == "rbind":
                lines.append(f"mount --rbind {q(args[0])} {q(args[1])}")
            elif op == "detach":
                lines.append(f"umount -l {q(args[0])}")
            elif op == "hide":   # $@ holds what to hide
                lines.append('for d in "$@"; do if [ -d "$d" ]; then mount -t tmpfs -o ro,size=1k,mode=0555 none "$d"; '
                             'elif [ -f "$d" ]; then mount --bind /dev/null "$d"; fi; done')
            elif op == "readonly":   # /proc and /dev keep their own rules
                lines.append("while read -r _ _ _ _ m _; do m=$(printf '%b' \"$m\"); case \"$m\" in "
                             f"{q(args[0])}|/proc|/proc/*|/dev|/dev/*) continue;; esac; "
                             'mount -o remount,bind,ro "$m" 2>/dev/null || true; done < /proc/self/mountinfo')
            elif op == "lo_up":
                lines.append("ip link set lo up 2>/dev/null || true")
            else:
                raise ValueError(f"unknown mount step {op!r}")
        return "\n".join(lines)

    @staticmethod
    def base_env() -> dict:
        """The environment every worker starts from (and the zygote runs with)."""
        return {
            "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin", "MPLBACKEND": "Agg", "KERAS_BACKEND": "torch",
            "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "LANG": "C.UTF-8",
        }

    def start(self, slot: int, workdir: Path):
        """Start a worker; returns a process (a subprocess.Popen, or zygote.WarmProcess: pid, poll, wait,
        kill) with .wire = (fd to write to it, fd to read from it), .lease and .cgroup."""
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        env = {**self.base_env(), "HOME": str(workdir), "MPLCONFIGDIR": f"{workdir}/.mpl"}
        lease, group, scratch, hidden = None, None, str(workdir), []
        isolated = self.isolated()
        proc = None
        try:
            if isolated:
                uid, lease = lease_uid(slot)
                group = Cgroup.create(f"lstmlab-{uid}", self.limits.memory_mb << 20, self.limits.max_processes)
                # The worker's scratch space is an empty writable tmpfs: /tmp itself where it can be hidden,
                # else (the installation lives under /tmp) the worker's own folder.
                scratch = "/tmp" if self._hideable(Path("/tmp")) else str(workdir)
                env.update(HOME=scratch, TMPDIR=scratch, MPLCONFIGDIR=f"{scratch}/.mpl")
                extra = [str(p) for p in (Path("/dev/shm"), Path("/var/tmp")) if self._hideable(p)]
                hidden = [str(p) for p in self.hidden_paths()] + extra
            if self.wants_warm():
                proc = self._start_warm(env, scratch, hidden, lease and uid, group, isolated,
                                        (to_worker_r, from_worker_w))
            if proc is None:
                proc = self._start_cold(env, workdir, scratch, hidden, lease and uid, group, isolated,
                                        (to_worker_r, from_worker_w))
        except BaseException:
            for fd in (to_worker_r, to_worker_w, from_worker_r, from_worker_w, lease):
                if fd is not None:
                    os.close(fd)
            if group is not None:
                group.remove()
            raise
        os.close(to_worker_r)
        os.close(from_worker_w)
        proc.wire = (to_worker_w, from_worker_r)
        proc.lease, proc.cgroup = lease, group
        return proc

    def _start_warm(self, env, scratch, hidden, uid, group, isolated, fds):
        """Fork the worker from this process's zygote (started, or started again, as needed); None (and
        cold_because set) when no zygote can be had."""
        from . import zygote

        request = {"isolated": isolated, "uid": uid, "cgroup": [str(d) for d in group.dirs] if group else [],
                   "cwd": scratch, "hide": hidden, "plan": self.mount_plan(scratch) if isolated else [],
                   "env": {**env, **({"TMPDIR": scratch} if isolated else {})}, "seccomp": isolated,
                   "limits": dict(self.limits.__dict__)}
        for attempt in range(2):   # a zygote found dead is replaced once
            try:
                proc = zygote.get(self.base_env()).spawn(request, fds)
                self.cold_because = ""
                return proc
            except zygote.ZygoteLost as exc:
                self.cold_because = str(exc)
        return None

    def _start_cold(self, env, workdir, scratch, hidden, uid, group, isolated, fds):
        """Today's path: a new interpreter per worker, in namespaces made by util-linux unshare."""
        to_worker_r, from_worker_w = fds
        env = {**env, "LSTMLAB_WIRE": f"{to_worker_r},{from_worker_w}"}
        # -I: ignore PYTHON* variables and the working folder on sys.path; the worker imports the same
        # lstmlab as this process, wherever it lives.
        import lstmlab

        lib = str(Path(lstmlab.__file__).resolve().parent.parent)
        worker = [sys.executable, "-I", "-c",
                  f"import sys; sys.path.insert(0, {lib!r}); from lstmlab.tooling.grading.worker import main; main()"]
        if isolated:
            env.update(LSTMLAB_SECCOMP="1")
            argv = ["unshare", "--mount", "--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child", "--mount-proc",
                    "--propagation", "private", "sh", "-c", self._script(uid, scratch, worker), "sandbox", *hidden]
        else:
            argv = worker
        return subprocess.Popen(argv, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, pass_fds=fds, preexec_fn=self._preexec(group), close_fds=True)


def stop(proc) -> None:
    """End a worker and everything it started (its whole process group / PID namespace)."""
    for fd in getattr(proc, "wire", ()):
        try:
            os.close(fd)
        except OSError:
            pass
    if isinstance(proc, subprocess.Popen):
        try:
            os.killpg(proc.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
    else:   # a warm worker: its zygote kills it (only the zygote knows its pid was not reused)
        proc.kill()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    group = getattr(proc, "cgroup", None)
    if group is not None:
        group.remove()
    lease = getattr(proc, "lease", None)
    if lease is not None:  # the uid is free again only once its processes are gone
        os.close(lease)
        proc.lease = None
