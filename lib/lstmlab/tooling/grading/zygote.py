"""A warm worker factory: one pre-imported Python per judge process that forks a fresh, isolated worker
per submission (and per restart), so no submission pays for starting Python and importing numpy/torch.

Started *by exec* (never by forking the judge, whose memory holds the solutions and hidden tests), as
root outside any namespace, with a clean environment and one thread for OMP/BLAS. It imports the heavy,
trusted modules (numpy, torch with no op run, matplotlib with Agg, lstmlab's textbook and every room,
the worker itself) and then waits on a Unix socketpair. It never receives anything secret: per worker,
the judge sends the worker's two pipe ends (socket.send_fds), the leased uid, the cgroup folders, the
scratch folder, the paths to hide, the mount plan, the worker's environment and the limits.

Per request the zygote forks C (still root):
    C: setsid; PDEATHSIG; joins the cgroup; unshares mount/net/ipc/uts; makes every mount private;
       carries out the sandbox's mount plan with system calls (Sandbox.mount_plan, the steps the cold
       path's shell program runs: scratch tmpfs, exposures, hidden paths, all else read-only, lo up);
       unshares the PID namespace and forks
    I: PID 1 of the new PID namespace: PDEATHSIG (then checks C is still there); mounts /proc; forks
       the worker and only reaps (student code never runs as PID 1); reports the worker's wait status
       to C; when I ends, the kernel kills everything left in the namespace.
    W: the worker: /dev/null on 0-2; drops to the leased uid/gid (groups cleared), no capabilities
       (bounding, inheritable, ambient sets emptied), no_new_privs, the rlimits of Sandbox._preexec;
       closes every fd but its two pipe ends; installs the seccomp filter; runs worker.serve().
Without isolation (not root, --no-isolation) C itself becomes the worker: setsid, PDEATHSIG, rlimits.

One zygote per judge thread (zygote.get; batch.py launches it when a grading process starts, and it
ends with the thread that started it). The zygote reaps its children and reports each exit status on
the control channel (the judge cannot waitpid a grandchild); the judge asks the zygote to kill a
worker (only the zygote knows the pid has not been reused). Each worker is a fresh fork of the pristine zygote: nothing one submission changes
(files in its tmpfs, module attributes, the numpy global RNG) reaches the next.
"""
from __future__ import annotations

import ctypes
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x20000, 0x4000000, 0x8000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 0x4000, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 1, 24, 38, 47, 4
CANNOT_START = 70          # a worker's exit code when it could not set itself up (the judge sees EOF first)
MAX_CONTROL = 1 << 20      # bytes of one control message
START_SECONDS = 180.0      # the zygote's imports, under load

PRELOAD = ("numpy", "torch", "matplotlib", "matplotlib.pyplot", "IPython.core.inputtransformer2",
           "lstmlab.checking", "lstmlab.tooling.grading.wire", "lstmlab.tooling.grading.worker",
           "lstmlab.tooling.grading.seccomp")

_libc = None


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _prctl(*args) -> int:
    return _c().prctl(*[ctypes.c_ulong(a) for a in args])


# --- the mounts: Sandbox.mount_plan carried out with system calls ------------------------------

MS_RDONLY, MS_REMOUNT, MS_BIND, MNT_DETACH = 1, 32, 4096, 2
_KEPT_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": 1024, "nodiratime": 2048,
               "relatime": 1 << 21, "strictatime": 1 << 24}


def _mount(source, target, fstype, flags, data=None) -> None:
    enc = (lambda v: None if v is None else os.fsencode(v))
    _check(_c().mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


def _tmpfs(target: str, options: str) -> None:
    opts = options.split(",")
    flags = MS_RDONLY if "ro" in opts else 0
    _mount("none", target, "tmpfs", flags, ",".join(o for o in opts if o not in ("ro", "rw")))


def _unescape(field: str) -> str:
    """A mountinfo field as the path it stands for (octal escapes such as \\040 for a space)."""
    import re

    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _readonly_all(keep: str) -> None:
    """Remount every mount point read-only (keeping its nosuid/nodev/noexec/atime flags), except `keep`
    and /proc, /dev and what is below them; a mount that refuses is left (as `mount ... || true`)."""
    import fnmatch

    with open("/proc/self/mountinfo") as f:
        lines = f.read().splitlines()
    for line in lines:
        fields = line.split()
        if len(fields) < 6:
            continue
        point = _unescape(fields[4])
        if point == keep or any(fnmatch.fnmatchcase(point, pat) for pat in ("/proc", "/proc/*", "/dev", "/dev/*")):
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for opt in fields[5].split(","):
            flags |= _KEPT_FLAGS.get(opt, 0)
        try:
            _mount(None, point, None, flags)
        except OSError:
            pass


def _loopback_up() -> None:
    import fcntl

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            req = struct.pack("16sH", b"lo", 0)
            flags = struct.unpack("16sH", fcntl.ioctl(s.fileno(), 0x8913, req)[:18])[1]   # SIOCGIFFLAGS
            fcntl.ioctl(s.fileno(), 0x8914, struct.pack("16sH", b"lo", flags | 0x1))      # SIOCSIFFLAGS: IFF_UP
    except OSError:
        pass


def apply_plan(plan: list, hide: list[str]) -> None:
    """Carry out Sandbox.mount_plan in this (new, private) mount namespace; raises OSError where the
    shell program would stop (set -e)."""
    for step in plan:
        op, args = step[0], step[1:]
        if op == "tmpfs":
            _tmpfs(args[0], args[1])
        elif op == "mkdir":
            os.makedirs(args[0], exist_ok=True) if args[1] else os.mkdir(args[0])
        elif op == "rmdir":
            os.rmdir(args[0])
        elif op == "rbind":
            _mount(args[0], args[1], None, MS_BIND | MS_REC)
        elif op == "detach":
            _check(_c().umount2(os.fsencode(args[0]), MNT_DETACH), f"umount {args[0]}")
        elif op == "hide":
            for d in hide:
                if os.path.isdir(d):
                    _tmpfs(d, "ro,size=1k,mode=0555")
                elif os.path.isfile(d):
                    _mount("/dev/null", d, None, MS_BIND)
        elif op == "readonly":
            _readonly_all(args[0])
        elif op == "lo_up":
            _loopback_up()
        else:
            raise ValueError(f"unknown mount step {op!r}")


# --- the zygote process ------------------------------------------------------------------------

def preload() -> list[str]:
    """Import what every worker needs; returns the modules that failed (a room in progress must not
    stop grading). No torch op runs here: forking a process with a thread pool would be unsafe."""
    import importlib
    import pkgutil

    failed = []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name)
    try:
        import lstmlab
        import lstmlab.lessons as rooms
    except Exception:
        return failed + ["lstmlab"]
    names = ["lstmlab." + m.name for m in pkgutil.iter_modules(lstmlab.__path__) if m.name != "tooling"]
    for room in pkgutil.iter_modules(rooms.__path__):
        names.append(f"lstmlab.lessons.{room.name}")
        try:
            pkg = importlib.import_module(names[-1])
            names += [f"lstmlab.lessons.{room.name}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)]
        except Exception:
            failed.append(names.pop())
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name)
    try:   # the translations too, so that a Chinese lesson's worker finds its messages parsed (76 ms each)
        from lstmlab import i18n

        for lang in i18n.LANGUAGES:
            i18n.catalog(lang)
    except Exception:
        failed.append("lstmlab.i18n catalogs")
    return failed


def _send(sock: socket.socket, msg: dict) -> None:
    sock.send(json.dumps(msg).encode())


def _returncode(status: int) -> int:
    """A wait status as Popen.returncode: the exit code, or minus the signal."""
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def main() -> None:
    import gc

    sock = socket.socket(fileno=int(os.environ.pop("LSTMLAB_ZYGOTE")))
    failed = preload()
    # Keep the imported modules out of every worker's garbage collections: a collection that walked
    # them would touch (and copy) every page shared with the zygote, and cost each worker seconds.
    gc.collect()
    gc.freeze()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *a: None)
    children: set[int] = set()
    _send(sock, {"ready": True, "pid": os.getpid(), "failed": failed})
    me = os.getpid()
    while True:
        try:
            readable = select.select([sock, wake_r], [], [])[0]
        except InterruptedError:
            continue
        if wake_r in readable:
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
        while children:   # reap whatever ended, and say so
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            children.discard(pid)
            _send(sock, {"exit": pid, "code": _returncode(status)})
        if sock not in readable:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(sock, MAX_CONTROL, 2)
        except OSError:
            data, fds = b"", []
        if not data:   # the judge is gone: so are we (our children die with us, PDEATHSIG)
            os._exit(0)
        msg = json.loads(data)
        if msg.get("op") == "spawn" and len(fds) == 2:
            pid = os.fork()
            if pid == 0:
                try:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    sock.close()
                    os.close(wake_r), os.close(wake_w)
                    _child(msg, fds[0], fds[1], me)
                finally:
                    os._exit(CANNOT_START)
            children.add(pid)
            for fd in fds:
                os.close(fd)
            _send(sock, {"spawned": pid})
        elif msg.get("op") == "kill":
            pid = int(msg.get("pid", 0))
            if pid in children:   # still ours (alive or a zombie): the pid cannot have been reused
                for kill in (os.killpg, os.kill):
                    try:
                        kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
            _send(sock, {"killed": pid})
        else:
            for fd in fds:
                os.close(fd)
            _send(sock, {"error": f"unknown request {msg.get('op')!r}"})


def _child(msg: dict, fd_in: int, fd_out: int, zygote: int) -> None:
    """C: set up the namespaces for one worker (see the module docstring). Never returns normally."""
    os.setsid()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != zygote:      # the zygote died before the line above
        os._exit(CANNOT_START)
    for d in msg.get("cgroup") or []:
        with open(os.path.join(d, "cgroup.procs"), "w") as f:
            f.write("0")
    if not msg.get("isolated"):
        _worker(msg, fd_in, fd_out)
    libc = _c()
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    apply_plan(msg["plan"], msg.get("hide", []))
    _check(libc.unshare(CLONE_NEWPID), "unshare --pid")
    alive_r, alive_w = os.pipe()     # I reads EOF here if C is gone
    status_r, status_w = os.pipe()   # I writes the worker's wait status here
    pid1 = os.fork()
    if pid1 == 0:
        os.close(alive_w), os.close(status_r)
        _init(msg, fd_in, fd_out, alive_r, status_w)
        os._exit(CANNOT_START)
    os.close(alive_r), os.close(status_w), os.close(fd_in), os.close(fd_out)
    while True:
        try:
            os.waitpid(pid1, 0)
            break
        except ChildProcessError:
            break
        except InterruptedError:
            continue
    raw = os.read(status_r, 4)
    if len(raw) != 4:
        os._exit(CANNOT_START)
    (status,) = struct.unpack("=i", raw)
    if os.WIFSIGNALED(status):   # end the way the worker ended, so the judge can say how
        sig = os.WTERMSIG(status)
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        try:
            if sig not in (signal.SIGKILL, signal.SIGSTOP):
                signal.signal(sig, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
            os.kill(os.getpid(), sig)
        except (OSError, ValueError):
            pass
        os._exit(128 + sig)
    os._exit(os.WEXITSTATUS(status))


def _init(msg: dict, fd_in: int, fd_out: int, alive_r: int, status_w: int) -> None:
    """I: PID 1 of the worker's PID namespace; forks the worker, then only reaps."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    os.set_blocking(alive_r, False)
    try:
        if os.read(alive_r, 1) == b"":   # C died before PDEATHSIG was set
            os._exit(CANNOT_START)
    except BlockingIOError:
        pass
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    libc = _c()
    _check(libc.mount(b"none", b"/proc", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /proc")
    _check(libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None), "mount proc")
    worker = os.fork()
    if worker == 0:
        os.close(alive_r), os.close(status_w)
        _worker(msg, fd_in, fd_out)
    os.close(fd_in), os.close(fd_out)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(CANNOT_START)
        except InterruptedError:
            continue
        if pid == worker:
            os.write(status_w, struct.pack("=i", status))
            os._exit(0)   # PID 1 ends: the kernel kills whatever the worker left running


def _worker(msg: dict, fd_in: int, fd_out: int) -> None:
    """W: become the unprivileged worker and serve the judge. Never returns."""
    import resource

    try:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        if null > 2:
            os.close(null)
        os.chdir(msg["cwd"])
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in msg["env"].items()})
        lim = msg["limits"]
        mem = int(lim["memory_mb"]) << 20
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CPU, (int(lim["cpu_seconds"]), int(lim["cpu_seconds"]) + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        with open("/proc/self/statm") as f:   # what a fresh worker would need to start at all
            if int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") > mem:
                os._exit(CANNOT_START)
        if msg.get("isolated"):
            uid = int(msg["uid"])
            resource.setrlimit(resource.RLIMIT_NPROC, (int(lim["max_processes"]), int(lim["max_processes"])))
            with open("/proc/sys/kernel/cap_last_cap") as f:
                last = int(f.read())
            for cap in range(last + 1):
                _check(_prctl(PR_CAPBSET_DROP, cap), "drop the capability bounding set")
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            # setresuid away from root cleared the permitted and effective sets; empty the rest too.
            header = (ctypes.c_uint32 * 2)(0x20080522, 0)
            data = (ctypes.c_uint32 * 6)()
            _check(_c().capset(header, data), "capset")
            _check(_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient capabilities")
            _check(_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
            if os.getresuid() != (uid, uid, uid) or os.getgroups():
                os._exit(CANNOT_START)
        # Every fd but the two pipe ends (and /dev/null on 0-2) is closed.
        keep = sorted({fd_in, fd_out})
        os.closerange(3, keep[0])
        os.closerange(keep[0] + 1, keep[1])
        os.closerange(keep[1] + 1, 1 << 16)
        import numpy as np

        np.random.seed()   # a cold worker starts with a fresh legacy RNG state too (`random` reseeds at fork)
        blocked = False
        if msg.get("seccomp"):
            from lstmlab.tooling.grading import seccomp

            blocked = seccomp.install()   # where it cannot be, the judge reports it (as for a cold worker)
        from lstmlab.tooling.grading.worker import serve
    except BaseException:
        os._exit(CANNOT_START)
    serve(fd_in, fd_out, blocked)
    os._exit(0)


# --- the judge's side ---------------------------------------------------------------------------

class ZygoteLost(Exception):
    """The zygote died or stopped answering."""


class WarmProcess:
    """Stands for a worker forked by the zygote, the way a subprocess.Popen stands for a cold one."""

    def __init__(self, zygote: "Zygote", pid: int):
        self.zygote, self.pid, self.returncode = zygote, pid, None

    def poll(self):
        if self.returncode is None:
            self.returncode = self.zygote.exit_code(self.pid, 0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            code = self.zygote.exit_code(self.pid, 1e9 if timeout is None else timeout)
            if code is None:
                raise subprocess.TimeoutExpired("warm worker", timeout)
            self.returncode = code
        return self.returncode

    def kill(self) -> None:
        """SIGKILL the worker's C process and its group: I dies with it (PDEATHSIG), and with I the
        whole PID namespace."""
        if self.returncode is None:
            self.zygote.kill(self.pid)


def _home() -> str:
    """~/.cache/lstmlab-zygote of this (root) user, mode 0700, if it is a real folder of ours; else a
    fresh temporary folder (removed with the zygote)."""
    import stat
    import tempfile

    home = os.path.join(os.path.expanduser("~"), ".cache", "lstmlab-zygote")
    try:
        os.makedirs(home, mode=0o700, exist_ok=True)
        info = os.lstat(home)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o022:
            return home
    except OSError:
        pass
    return tempfile.mkdtemp(prefix="lstmlab-zygote-")


class Zygote:
    def __init__(self, env: dict):
        import shutil
        from pathlib import Path

        import lstmlab

        from .sandbox import die_with_parent

        lib = str(Path(lstmlab.__file__).resolve().parent.parent)
        # Its folder (HOME, matplotlib's font cache, kept between zygotes: a zygote killed with its judge
        # cleans nothing up); a worker never sees it writable (read-only, or hidden with root's home).
        self.home = cwd = _home()
        self._rmtree = shutil.rmtree if Path(cwd).name.startswith("lstmlab-zygote-") else (lambda *a, **k: None)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock, self.exits = ours, {}
        self.env = {**env, "HOME": cwd, "MPLCONFIGDIR": f"{cwd}/.mpl", "LSTMLAB_ZYGOTE": str(theirs.fileno())}

        def preexec():
            import resource

            os.setsid()
            die_with_parent()
            _, hard = resource.getrlimit(resource.RLIMIT_AS)   # the judge's own cap is not the workers'
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))

        started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-c",
                 f"import sys; sys.path.insert(0, {lib!r}); from lstmlab.tooling.grading.zygote import main; main()"],
                cwd=cwd, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),), preexec_fn=preexec, close_fds=True)
        finally:
            theirs.close()
        self.started, self.failed, self.start_seconds = started, None, None

    def ready(self) -> None:
        """Wait for the zygote's imports to finish (once); ZygoteLost if it does not start."""
        if self.failed is not None:
            return
        try:
            ready = self._receive(self.started + START_SECONDS)
        except ZygoteLost:
            self.close()
            raise
        if not ready.get("ready"):
            self.close()
            raise ZygoteLost(f"the zygote did not start: {ready}")
        self.failed = ready.get("failed", [])
        self.start_seconds = time.monotonic() - self.started

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read_one(self, deadline: float) -> dict | None:
        """One message from the zygote (an exit report is recorded and gives None)."""
        if self.sock.fileno() < 0:
            raise ZygoteLost("the zygote was stopped")
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([self.sock], [], [], remaining)[0]:
            raise TimeoutError()
        try:
            data = self.sock.recv(MAX_CONTROL)
        except OSError as exc:
            raise ZygoteLost(f"the zygote's channel failed: {exc}") from None
        if not data:
            raise ZygoteLost("the zygote died")
        msg = json.loads(data)
        if "exit" in msg:
            self.exits[int(msg["exit"])] = int(msg["code"])
            return None
        return msg

    def _receive(self, deadline: float) -> dict:
        """The next reply that is not an exit report."""
        while True:
            try:
                msg = self._read_one(deadline)
            except TimeoutError:
                raise ZygoteLost("the zygote stopped answering") from None
            if msg is not None:
                return msg

    def spawn(self, request: dict, fds: tuple[int, int]) -> WarmProcess:
        self.ready()
        try:
            try:
                socket.send_fds(self.sock, [json.dumps({**request, "op": "spawn"}).encode()], list(fds))
            except OSError as exc:
                raise ZygoteLost(f"the zygote's channel failed: {exc}") from None
            reply = self._receive(time.monotonic() + 30)
            if "spawned" not in reply:
                raise ZygoteLost(f"the zygote refused: {reply}")
        except ZygoteLost:
            self.close()   # a zygote that failed once is not asked again (get() starts a new one)
            raise
        return WarmProcess(self, int(reply["spawned"]))

    def exit_code(self, pid: int, timeout: float):
        """The worker's returncode once the zygote reported it, waiting up to `timeout` s; else None."""
        deadline = time.monotonic() + timeout
        while pid not in self.exits:
            try:
                self._read_one(max(deadline, time.monotonic() + 1e-3) if timeout == 0 else deadline)
            except TimeoutError:
                return None
            except ZygoteLost:
                return -signal.SIGKILL   # the zygote is gone, and its children with it (PDEATHSIG)
        return self.exits.pop(pid)

    def kill(self, pid: int) -> None:
        try:
            self.sock.send(json.dumps({"op": "kill", "pid": pid}).encode())
            self._receive(time.monotonic() + 10)
        except (OSError, ZygoteLost):
            self.close()   # dead or stuck: ending it ends every worker it forked (PDEATHSIG)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._rmtree(self.home, ignore_errors=True)


_ZYGOTES: dict[tuple, Zygote] = {}
_BROKEN: dict[str, str] = {}   # environments whose zygote could not start in this process: why


def get(env: dict, wait: bool = True) -> Zygote:
    """The calling thread's zygote for that environment (one per thread: its control channel carries one
    conversation at a time, and PDEATHSIG ties it to the thread that started it), started (again) if it
    is not running. Raises ZygoteLost if it cannot start (then, for the rest of this process, at once).
    wait=False returns as soon as it is launched (its imports go on while the caller works)."""
    import atexit
    import threading

    env_key = json.dumps(env, sort_keys=True)
    if env_key in _BROKEN:
        raise ZygoteLost(_BROKEN[env_key])
    key = (threading.get_ident(), env_key)
    z = _ZYGOTES.get(key)
    if z is not None and not z.alive():
        z.close()
        z = None
    if z is None:
        if not _ZYGOTES:
            atexit.register(close_all)
        try:
            z = _ZYGOTES[key] = Zygote(env)
        except (OSError, ZygoteLost) as exc:
            _BROKEN[env_key] = f"the warm worker's zygote could not start ({exc})"
            raise ZygoteLost(_BROKEN[env_key]) from None
    if wait:
        try:
            z.ready()
        except ZygoteLost as exc:
            _ZYGOTES.pop(key, None)
            _BROKEN[env_key] = f"the warm worker's zygote could not start ({exc})"
            raise ZygoteLost(_BROKEN[env_key]) from None
    return z


def prestart(env: dict) -> None:
    """Launch this thread's zygote now (e.g. when a grading process starts), without waiting for it."""
    try:
        get(env, wait=False)
    except (OSError, ZygoteLost):
        pass   # the first worker's start tries again, and falls back to a cold start


def close_all() -> None:
    """Stop this process's zygotes (they also end with the thread that started them: PDEATHSIG)."""
    for z in list(_ZYGOTES.values()):
        z.close()
    _ZYGOTES.clear()
