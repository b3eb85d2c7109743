"""The sandbox's limits, measured from inside a real worker: what student code can and cannot do.

Each test starts one isolated worker (as `lstmlab grade` does) and runs code in it the way an answer
cell runs, once forked from the warm zygote and once started cold (the `start_path` fixture). Isolation
needs root (CI runs as root); without it these tests skip, and
test_grading_without_root_needs_an_explicit_flag covers that path.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from lstmlab.tooling.grading import seccomp, wire
from lstmlab.tooling.grading.cgroup import Cgroup
from lstmlab.tooling.grading.judge import WatchdogExpired, watchdog
from lstmlab.tooling.grading.sandbox import Limits, Sandbox, lease_uid

from grading_helpers import exec_in_fresh_worker, printed_result

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not (ROOT and Sandbox().isolated()), reason="isolation needs root with unshare/setpriv")
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["warm", "cold"])
def start_path(request, monkeypatch):
    """Run the test with workers forked from the zygote, then with workers started cold."""
    monkeypatch.setenv("LSTMLAB_WARM", "1" if request.param == "warm" else "0")
    return request.param


def run_in_worker(code: str, limits: Limits | None = None, hide=()) -> str:
    """Exec `code` in a fresh isolated worker; return what it printed (or its error)."""
    sandbox = Sandbox(hide=list(hide), limits=limits or Limits(cell_seconds=60))
    output, session = exec_in_fresh_worker(sandbox, 7, code)
    assert session.seccomp, "the worker did not install its seccomp filter"
    wanted = "warm" if os.environ.get("LSTMLAB_WARM", "1") != "0" else "cold"
    assert sandbox.start_path().startswith(f"{wanted} start"), sandbox.start_path()
    return output


def probe(code: str, **kw) -> dict:
    return printed_result(run_in_worker(code + "\nprint('RESULT=' + json.dumps(res))", **kw))


@needs_root
def test_filesystem_is_read_only_but_the_scratch_space(tmp_path, start_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "solution.ipynb").write_text("answers")
    res = probe(textwrap.dedent(f'''
        import json, os, tempfile
        res = {{}}
        for d in ["/tmp", tempfile.gettempdir(), "/run/lock", "/var/tmp", "/dev/shm", "/usr/lib", {str(REPO)!r},
                  os.path.dirname(os.__file__), {str(tmp_path)!r}]:
            try:
                with open(os.path.join(d, "planted.pth"), "w") as f:
                    f.write("import os")
                res[d] = "written"
            except OSError as e:
                res[d] = type(e).__name__
        res["secret"] = sorted(os.listdir({str(secret)!r})) if os.path.isdir({str(secret)!r}) else "absent"
        res["uid"] = os.getuid()
    '''), hide=[secret])
    scratch = res.pop("/tmp")
    assert scratch == "written"
    assert res.pop("secret") in ([], "absent")
    assert res.pop("uid") >= 61000
    res.pop(tempfile.gettempdir(), None)
    assert all(v != "written" for v in res.values()), res


@needs_root
def test_no_new_namespaces_inside_the_sandbox(start_path):
    res = probe(textwrap.dedent('''
        import json, subprocess, threading
        res = {}
        for argv in (["unshare", "-U", "-r", "true"], ["unshare", "-U", "-r", "-m", "mount", "-t", "tmpfs", "none", "/tmp"]):
            res[" ".join(argv[:3])] = subprocess.run(argv, capture_output=True).returncode
        t = threading.Thread(target=lambda: None); t.start(); t.join()
        res["child"] = subprocess.run(["sh", "-c", "exit 3"]).returncode      # ordinary children still work
    '''))
    assert res.pop("child") == 3
    assert all(code != 0 for code in res.values()), res


@needs_root
def test_a_fork_bomb_stops_at_the_process_limit(start_path):
    res = probe(textwrap.dedent('''
        import json, subprocess
        procs, error = [], None
        try:
            for _ in range(500):
                procs.append(subprocess.Popen(["sleep", "30"]))
        except OSError as e:
            error = type(e).__name__
        res = {"started": len(procs), "error": error}
        for p in procs:
            p.kill()
    '''), limits=Limits(cell_seconds=60, max_processes=40))
    assert res["error"] is not None and res["started"] < 40, res


@needs_root
def test_the_memory_cap_covers_all_children_together(start_path):
    if Cgroup.available():
        pytest.fail(f"no cgroup for the whole-sandbox memory cap on this machine: {Cgroup.available()}")
    res = probe(textwrap.dedent('''
        import json, subprocess, sys
        hog = "import time; b = bytearray(700 << 20); b[::4096] = b'x' * len(b[::4096]); time.sleep(4); print('alive')"
        procs = [subprocess.Popen([sys.executable, "-c", hog], stdout=subprocess.PIPE, text=True) for _ in range(4)]
        res = {"alive": sum(p.communicate()[0].strip() == "alive" for p in procs)}
    '''), limits=Limits(cell_seconds=60, memory_mb=2048))
    assert res["alive"] < 4, "four children of 700 MiB each all lived under a 2 GiB sandbox"


@needs_root
def test_uids_are_leased_one_worker_each():
    uid1, fd1 = lease_uid(5)
    uid2, fd2 = lease_uid(5)
    try:
        assert uid1 != uid2
    finally:
        os.close(fd1)
    uid3, fd3 = lease_uid(5)
    os.close(fd2), os.close(fd3)
    assert uid3 == uid1


@needs_root
def test_an_installation_inside_a_private_folder_still_grades(tmp_path, start_path):
    """A checkout under a 0700 folder (root's home, many home folders): the sandbox re-exposes the
    installation's own folders instead of every exercise crashing."""
    private = tmp_path / "home"
    private.mkdir(mode=0o700)
    shutil.copytree(REPO / "lib" / "lstmlab", private / "lib" / "lstmlab",
                    ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copytree(REPO / "lib" / "lstmlab" / "data", private / "lib" / "lstmlab" / "data")
    code = textwrap.dedent('''
        import time
        import lstmlab
        from lstmlab.tooling.grading.judge import Session
        from lstmlab.tooling.grading.sandbox import Sandbox
        import tempfile, os
        s = Sandbox()
        print("EXPOSED", sorted(str(k) for k in s.exposures()))
        with tempfile.TemporaryDirectory() as w:
            os.chmod(w, 0o755)
            session = Session(s, 3, w)
            session.start()
            session.deadline = time.monotonic() + 60
            reply = session.request({"op": "exec", "source": "import lstmlab; print(lstmlab.__file__)", "label": "<t>"})
            session.close()
        print("START", s.start_path())
        print("WORKER", reply)
    ''')
    env = {**os.environ, "PYTHONPATH": str(private / "lib")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=240)
    exposed = json.loads(out.stdout.split("EXPOSED ")[1].splitlines()[0].replace("'", '"')) if "EXPOSED" in out.stdout else []
    assert any(private == Path(e) or Path(e) in private.parents for e in exposed), out.stdout + out.stderr
    assert str(private / "lib" / "lstmlab") in out.stdout.split("WORKER")[1], out.stdout + out.stderr
    assert f"START {start_path} start" in out.stdout, out.stdout


def test_seccomp_program_jumps_stay_inside_it():
    for machine in ("x86_64", "aarch64"):
        prog = seccomp.program(machine)
        for k, (code, jt, jf, _) in enumerate(prog):
            if code in (0x15, 0x35, 0x45):
                assert k + 1 + max(jt, jf) < len(prog)
        assert prog[-1][0] == 0x06 and prog[-2][0] == 0x06
    assert seccomp.program("mips") is None


def test_seccomp_filter_blocks_namespaces_and_keeps_threads_and_children():
    code = textwrap.dedent('''
        import ctypes, subprocess, threading
        from lstmlab.tooling.grading import seccomp
        assert seccomp.install()
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.unshare(0x10000000) == -1 and ctypes.get_errno() == 1
        assert subprocess.run(["unshare", "-U", "true"], capture_output=True).returncode != 0
        assert subprocess.run(["sh", "-c", "(exit 0) & wait"]).returncode == 0
        t = threading.Thread(target=print, args=("thread",)); t.start(); t.join()
        print("ok")
    ''')
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().endswith("ok"), out.stderr


def test_a_reader_that_stops_reading_times_the_writer_out():
    r, w = os.pipe()
    os.set_blocking(w, False)
    t = time.monotonic()
    with pytest.raises(wire.TimedOut):
        wire.send(w, {"data": "x" * (4 << 20)}, time.monotonic() + 0.5)   # far more than a pipe holds
    assert time.monotonic() - t < 5
    os.close(r), os.close(w)


def test_a_message_of_millions_of_small_values_is_refused_before_decoding():
    r, w = os.pipe()
    data = b"[" + b"0," * (wire.MAX_ITEMS + 1) + b"0]"
    payload = len(data).to_bytes(4, "big") + data

    import threading

    threading.Thread(target=lambda: (os.write(w, payload), os.close(w)), daemon=True).start()
    with pytest.raises(wire.ProtocolError, match="more than"):
        wire.receive(r, time.monotonic() + 30)
    os.close(r)


def test_the_watchdog_ends_a_judge_blocked_forever():
    r, w = os.pipe()
    t = time.monotonic()
    with pytest.raises(WatchdogExpired):
        with watchdog(0.3):
            os.read(r, 1)    # blocks forever without the watchdog
    assert time.monotonic() - t < 5
    os.close(r), os.close(w)
