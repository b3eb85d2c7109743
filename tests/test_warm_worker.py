"""The warm start (zygote.py): a worker forked from a pre-imported zygote is as isolated as a cold one,
cannot see, signal or write to its zygote, inherits nothing but its two pipe ends, and shares nothing
with the submission before it. test_sandbox.py runs its isolation tests on both start paths."""
from __future__ import annotations

import os
import signal
import tempfile
import textwrap
import time

import pytest

from lstmlab.tooling.grading import zygote
from lstmlab.tooling.grading.judge import Session, WorkerLost
from lstmlab.tooling.grading.sandbox import Limits, Sandbox

from grading_helpers import exec_in_fresh_worker, printed_result

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not (ROOT and Sandbox().isolated()), reason="isolation needs root with unshare/setpriv")


def sessions(codes: list[str], sandbox: Sandbox | None = None, slot: int = 11) -> list[str]:
    """Run each piece of code in its own fresh worker, one after another in the same slot (as for
    consecutive submissions); returns what each printed (or its error)."""
    sandbox = sandbox or Sandbox(limits=Limits(cell_seconds=60), warm=True)
    return [exec_in_fresh_worker(sandbox, slot, code)[0] for code in codes]



def the_zygote() -> zygote.Zygote:
    sessions(["pass"])   # make sure this process has one
    live = [z for z in zygote._ZYGOTES.values() if z.alive()]
    assert len(live) == 1
    return live[0]


@needs_root
def test_a_warm_worker_is_forked_and_reports_how_it_started():
    sandbox = Sandbox(warm=True)
    sessions(["pass"], sandbox)
    assert "warm start" in sandbox.describe()
    assert "cold start" in Sandbox(warm=False).describe()
    z = the_zygote()
    assert z.failed == [], f"modules the zygote could not import: {z.failed}"
    # No torch op ran before forking: the zygote has one thread (no thread pool to fork in a bad state).
    assert os.listdir(f"/proc/{z.proc.pid}/task") == [str(z.proc.pid)]


@needs_root
def test_the_warm_child_cannot_see_signal_or_write_to_its_zygote():
    z = the_zygote()
    code = textwrap.dedent(f'''
        import json, os, signal
        res = {{"pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}}
        try:
            os.kill({z.proc.pid}, signal.SIGKILL)
            res["kill"] = "sent"
        except OSError as e:
            res["kill"] = type(e).__name__
        for d in ({z.home!r}, os.path.dirname(os.path.dirname(os.__file__))):
            try:
                with open(os.path.join(d, "planted"), "w") as f:
                    f.write("x")
                res[d] = "written"
            except OSError as e:
                res[d] = type(e).__name__
        st = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
        res["status"] = {{k: st[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp")}}
        res["uid"] = os.getresuid()
        print("RESULT=" + json.dumps(res))
    ''')
    res = printed_result(sessions([code])[0])
    assert res.pop("pids") == [1, 2], "the worker's PID namespace holds only its init and itself"
    assert res.pop("kill") == "ProcessLookupError"
    assert z.alive()
    status = res.pop("status")
    assert all(status[k] == "0000000000000000" for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")), status
    assert status["NoNewPrivs"] == "1" and status["Seccomp"] == "2", status
    uid = res.pop("uid")
    assert len(set(uid)) == 1 and uid[0] >= 61000
    assert all(v != "written" for v in res.values()), res
    assert not os.path.exists(os.path.join(z.home, "planted"))


@needs_root
def test_the_warm_child_inherits_no_fd_but_its_two_pipe_ends():
    code = textwrap.dedent('''
        import json, os, stat
        fds = {}
        for fd in range(1024):
            try:
                st = os.fstat(fd)
            except OSError:
                continue
            fds[fd] = "fifo" if stat.S_ISFIFO(st.st_mode) else os.readlink(f"/proc/self/fd/{fd}")
        print("RESULT=" + json.dumps(fds))
    ''')
    fds = printed_result(sessions([code])[0])
    assert {fds.pop(str(k)) for k in (0, 1, 2)} == {"/dev/null"}
    assert sorted(fds.values()) == ["fifo", "fifo"], fds


@needs_root
def test_two_consecutive_submissions_share_nothing():
    first = textwrap.dedent('''
        import numpy as np, lstmlab.lstm, sys
        for path in ("/tmp/left-behind", "/dev/shm/left-behind", "left-behind"):
            try:
                open(path, "w").write("x")
            except OSError:
                pass
        np.allclose = lambda *a, **k: True
        lstmlab.lstm.lstm_forward = None
        sys.modules["lstmlab.fixtures"] = None
        import builtins; builtins.LEFT = 1
        np.random.seed(0)
        print("RESULT=" + str(np.random.randint(1 << 30)))
    ''')
    second = textwrap.dedent('''
        import json, os, sys, builtins, numpy as np, lstmlab.lstm
        res = {"files": [p for p in ("/tmp/left-behind", "/dev/shm/left-behind", "left-behind") if os.path.exists(p)],
               "allclose": np.allclose(0, 1), "forward": lstmlab.lstm.lstm_forward is None,
               "fixtures": sys.modules.get("lstmlab.fixtures") is None, "builtins": hasattr(builtins, "LEFT"),
               "draw": np.random.randint(1 << 30)}
        print("RESULT=" + json.dumps(res))
    ''')
    a, b, c = sessions([first, second, second])
    res, again = printed_result(b), printed_result(c)
    assert res.pop("files") == [] and not any(v for k, v in res.items() if k != "draw"), res
    assert res["draw"] != again["draw"], "each worker's legacy numpy RNG is freshly seeded, as in a cold worker"


@needs_root
def test_warm_and_cold_workers_see_the_same_mount_table_all_read_only_but_the_scratch():
    code = textwrap.dedent('''
        import json
        table = {}
        for line in open("/proc/self/mountinfo"):
            f = line.split()
            table[f[4]] = "ro" if "ro" in f[5].split(",") else "rw"
        print("RESULT=" + json.dumps(table))
    ''')
    from lstmlab.tooling.course import Course, repo_root

    hide = Course(repo_root()).hidden_from_students()
    warm = printed_result(sessions([code], Sandbox(hide=hide, warm=True))[0])
    cold = printed_result(sessions([code], Sandbox(hide=hide, warm=False))[0])
    assert warm == cold
    writable = sorted(m for m, mode in warm.items() if mode == "rw" and not (m == "/proc" or m.startswith(("/proc/", "/dev"))))
    assert writable == ["/tmp"], writable


@needs_root
def test_a_worker_killed_by_a_signal_is_reported_as_such():
    with tempfile.TemporaryDirectory() as workdir:
        os.chmod(workdir, 0o755)
        session = Session(Sandbox(warm=True), 12, workdir)
        session.start()
        session.deadline = time.monotonic() + 30
        try:
            with pytest.raises(WorkerLost, match="SIGKILL"):
                session.request({"op": "exec", "source": "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
                                 "label": "<t>"})
        finally:
            session.close()


@needs_root
def test_a_dead_zygote_is_replaced_and_one_that_cannot_start_means_cold_starts(monkeypatch):
    z = the_zygote()
    os.kill(z.proc.pid, signal.SIGKILL)
    z.proc.wait(10)
    sandbox = Sandbox(warm=True)
    assert "pid" in sessions(["import os; print('pid', os.getpid())"], sandbox)[0]
    assert the_zygote().proc.pid != z.proc.pid and "warm start" in sandbox.describe()

    def cannot(self, env):
        raise zygote.ZygoteLost("refused by the test")

    zygote.close_all()
    monkeypatch.setattr(zygote.Zygote, "__init__", cannot)
    monkeypatch.setattr(zygote, "_BROKEN", {})
    sandbox = Sandbox(warm=True)
    out = sessions(["import os; print('uid', os.getuid())"], sandbox)[0]
    assert "uid 61" in out
    assert "cold start per worker (the warm worker's zygote could not start (refused by the test))" in sandbox.describe()


@needs_root
def test_a_memory_limit_below_what_a_worker_needs_fails_the_start_not_the_student():
    sandbox = Sandbox(limits=Limits(memory_mb=64), warm=True)
    with tempfile.TemporaryDirectory() as workdir:
        os.chmod(workdir, 0o755)
        session = Session(sandbox, 13, workdir)
        with pytest.raises(WorkerLost):
            session.start()
        session.close()


def test_without_isolation_the_zygote_forks_plain_workers():
    sandbox = Sandbox(force_fallback=True, warm=True)
    out = sessions(["import os, numpy; print('pid', os.getpid(), os.getsid(0) == os.getpid())"], sandbox)[0]
    assert out.startswith("pid") and out.split()[-1] == "True", out
    assert "fallback" in sandbox.describe() and "warm start" in sandbox.describe()
