"""A JupyterHub class, end to end: a real hub started from deploy/jupyterhub/, real Linux accounts.

One instructor and two students (local accounts this test creates, logging in through PAM), nbgrader's
exchange in a temporary folder, the course's student-mode Jupyter config, the repository's own
configurable-http-proxy (tools/install-hub-proxy.sh):

1. the instructor (as that Linux user) generates lesson 01 and releases the course's student version;
2. student 1 logs in through the hub in Chromium, fetches the lesson in the Assignments tab, types the
   answer to `lstm_gates`, validates (the course's Validate dialog) and submits in the Assignments tab;
3. student 2 fetches and submits from the command line (`runuser -u <student> -- nbgrader ...`), with
   `lstm_param_count` right and `lstm_cell_update` wrong;
4. the instructor collects; root grades with `lstmlab grade`; the instructor stages the feedback pages
   (deploy/jupyterhub/stage_feedback.py) and releases them with `nbgrader release_feedback`;
5. student 1 fetches the feedback in the Assignments tab and opens it; student 2 fetches it on the
   command line. Grades and feedback contents are checked.

Everything made is removed on the way out, failures included: the hub, the proxy and every process of
the test's users, the users and their homes (userdel -r), their groups, the temporary folders.

Needs root (useradd, PAM, the spawner switching uids), /usr/bin/chromium (tools/install-browser.sh),
the proxy (tools/install-hub-proxy.sh) and the `playwright` package. Without them it skips, saying
why, unless LSTMLAB_REQUIRE_HUB=1 (set by `make test`), where it fails instead.
"""
from __future__ import annotations

import csv
import grp
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from browser_support import (CHROMIUM, CHROMIUM_ARGS, HALF_LESSON, LAB_SETTINGS, ROOT, WRONG_CELL_UPDATE,
                             WRONG_DIAGNOSIS, answer_from_solution, free_port, is_root)

LESSON = HALF_LESSON  # 01_lstm_cell
DEPLOY = ROOT / "deploy" / "jupyterhub"
VENV_BIN = Path(sys.executable).parent
PROXY = ROOT / ".venv" / "hub-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
REQUIRE = os.environ.get("LSTMLAB_REQUIRE_HUB") == "1"

# Timeouts (ms for the page, s otherwise): generous for loaded CI machines; every wait polls.
T_SPAWN = 180_000      # log in, spawn the single-user server, JupyterLab loaded
T_ACTION = 120_000     # fetch / submit / fetch feedback in the Assignments tab
T_VALIDATE = 180_000
T_HUB = 90             # the hub answering through its proxy


def _unavailable(why: str):
    if REQUIRE:
        pytest.fail(f"LSTMLAB_REQUIRE_HUB=1 but the JupyterHub test cannot run: {why}")
    pytest.skip(f"JupyterHub test: {why}")


# ---------------------------------------------------------------------------------------------------
# Running things as the test's Linux users


def user_env(user: str, **extra) -> dict[str, str]:
    """The environment of `user`'s commands: their home, the venv first, nbgrader finding deploy/jupyterhub."""
    home = pwd.getpwnam(user).pw_dir
    env = {"HOME": home, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
           "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
           "JUPYTER_CONFIG_PATH": str(DEPLOY)}
    env.update(extra)
    return env


# The command prefix that enters the test's mount namespace (see SharedView), or [] when none is needed.
ENTER: list[str] = []


def as_user(user: str, *cmd: str, cwd: str | Path | None = None, env: dict | None = None, timeout: float = 300,
            check: bool = True) -> subprocess.CompletedProcess:
    """Run cmd as the Linux user `user` (runuser), in cwd (default: their home)."""
    env = env or {}
    where = str(cwd or env.get("HOME") or "/")  # `env -C`: nsenter starts in the namespace's /
    full = [*ENTER, "runuser", "-u", user, "--", "env", "-i", "-C", where, *[f"{k}={v}" for k, v in env.items()], *cmd]
    done = subprocess.run(full, cwd="/", capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if check:
        assert done.returncode == 0, f"as {user}: {' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


class Class:
    """The accounts, groups and folders of one test class; remove() undoes everything it made."""

    def __init__(self):
        tag = secrets.token_hex(3)
        self.prefix = f"lstmlab-t-{tag}"
        self.students_group, self.instructors_group = f"{self.prefix}-st", f"{self.prefix}-in"
        self.instructor, self.s1, self.s2 = f"{self.prefix}-inst", f"{self.prefix}-s1", f"{self.prefix}-s2"
        self.passwords: dict[str, str] = {}
        self.users: list[str] = []
        self.groups: list[str] = []
        # Not under pytest's tmp folder (mode 0700 under /tmp/pytest-of-root): the students must reach the exchange.
        self.base = Path(f"/tmp/{self.prefix}")
        self.exchange = self.base / "exchange"
        self.state = self.base / "hub-state"
        self.out = self.base / "graded"

    def create(self) -> None:
        self.base.mkdir(mode=0o755)
        os.chmod(self.base, 0o755)
        self.exchange.mkdir()
        os.chmod(self.exchange, 0o1777)  # as nbgrader requires of a shared exchange
        for group in (self.students_group, self.instructors_group):
            subprocess.run(["groupadd", group], check=True, capture_output=True)
            self.groups.append(group)
        for user, group in ((self.instructor, self.instructors_group), (self.s1, self.students_group),
                            (self.s2, self.students_group)):
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--gid", group, user],
                           check=True, capture_output=True)
            self.users.append(user)
            self.passwords[user] = secrets.token_urlsafe(12)
            subprocess.run(["chpasswd"], input=f"{user}:{self.passwords[user]}\n", text=True, check=True,
                           capture_output=True)

    def env(self, user: str) -> dict[str, str]:
        return user_env(user, NBGRADER_EXCHANGE_ROOT=str(self.exchange))

    def uids(self) -> set[int]:
        out = set()
        for user in self.users:
            try:
                out.add(pwd.getpwnam(user).pw_uid)
            except KeyError:
                pass
        return out

    def remove(self) -> list[str]:
        problems = []
        kill_processes_of(self.uids())
        for user in self.users:
            done = subprocess.run(["userdel", "--remove", "--force", user], capture_output=True, text=True)
            if done.returncode not in (0, 12):  # 12: home could not be removed (reported below)
                problems.append(f"userdel {user}: {done.returncode} {done.stderr.strip()}")
            home = Path("/home") / user
            if home.exists():
                shutil.rmtree(home, ignore_errors=True)
        for group in self.groups:
            try:
                grp.getgrnam(group)
            except KeyError:
                continue
            done = subprocess.run(["groupdel", group], capture_output=True, text=True)
            if done.returncode != 0:
                problems.append(f"groupdel {group}: {done.stderr.strip()}")
        shutil.rmtree(self.base, ignore_errors=True)
        return problems


def kill_processes_of(uids: set[int]) -> None:
    """SIGKILL every process running as one of uids (single-user servers, kernels, validation runs)."""
    import psutil

    if not uids:
        return
    for _ in range(5):
        procs = []
        for p in psutil.process_iter(["uids"]):
            try:
                if p.info["uids"] and p.info["uids"].real in uids:
                    procs.append(p)
            except (psutil.Error, TypeError):
                pass
        if not procs:
            return
        for p in procs:
            try:
                p.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(procs, timeout=5)


def _private_ancestor(path: Path) -> Path | None:
    """The topmost folder above path that other users cannot enter (no o+x), or None."""
    for parent in reversed(path.parents):
        if not parent.stat().st_mode & 0o001:
            return parent
    return None


class SharedView:
    """A mount namespace in which the interpreter, the venv and the repository are reachable by every user.

    The students' servers run the repository's .venv as their own uids. When its interpreter (a pyenv
    under /root, say) or the repository sits below a folder other users cannot enter, the hub and the
    users' commands run in a mount namespace of their own where that folder is covered by a tmpfs
    (mode 0755) holding only bind mounts of what is needed; nothing outside the namespace changes. A
    course installs Python where its users can read it instead (deploy/jupyterhub/README.md)."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.proc: subprocess.Popen | None = None

    @staticmethod
    def needed() -> dict[Path, list[Path]]:
        paths = [Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).resolve().parent, ROOT]
        paths += [Path(p) for p in sys.path if p and Path(p).is_dir()]
        out: dict[Path, list[Path]] = {}
        for p in {p.resolve() for p in paths}:
            top = _private_ancestor(p)
            if top is not None:
                out.setdefault(top, []).append(p)
        for top, below in out.items():  # keep only the outermost of nested paths
            out[top] = sorted(p for p in below if not any(q in p.parents for q in below))
        return out

    def start(self) -> list[str]:
        exposures = self.needed()
        if not exposures:
            return []
        stash = self.scratch / "view-stash"
        stash.mkdir()
        lines = ["set -e", f"mount -t tmpfs -o mode=700 tmpfs {stash}"]
        moves = []
        for top, below in exposures.items():
            for k, p in enumerate(below):
                tmp = stash / f"{len(moves)}"
                lines += [f"mkdir {tmp}", f"mount --rbind '{p}' {tmp}"]
                moves.append((tmp, p))
            lines.append(f"mount -t tmpfs -o mode=755 tmpfs '{top}'")
        for tmp, p in moves:
            lines += [f"mkdir -p '{p}'", f"mount --move {tmp} '{p}'"]
        lines += ["echo ready", "exec sleep 100000"]
        self.proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(lines)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        first = self.proc.stdout.readline().strip()
        if first != "ready":
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            raise RuntimeError(f"could not set up the shared mount namespace: {first} {err}")
        return ["nsenter", f"--mount=/proc/{self.proc.pid}/ns/mnt", "--"]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


# ---------------------------------------------------------------------------------------------------
# The hub


class Hub:
    """JupyterHub from deploy/jupyterhub/jupyterhub_config.py on free loopback ports."""

    def __init__(self, klass: Class):
        self.klass = klass
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.log_path = klass.base / "hub.log"
        self.family: list = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, attempts: int = 3) -> None:
        env = dict(os.environ, LSTMLAB_HUB_STATE=str(self.klass.state),
                   LSTMLAB_HUB_STUDENTS_GROUP=self.klass.students_group,
                   LSTMLAB_HUB_INSTRUCTORS_GROUP=self.klass.instructors_group,
                   NBGRADER_EXCHANGE_ROOT=str(self.klass.exchange), LSTMLAB_HUB_PROXY=str(PROXY),
                   PATH=f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}")
        for _ in range(attempts):
            self.port, hub_port, api_port = free_port(), free_port(), free_port()
            cmd = [*ENTER, str(VENV_BIN / "jupyterhub"), "-f", str(DEPLOY / "jupyterhub_config.py"),
                   f"--JupyterHub.bind_url=http://127.0.0.1:{self.port}",
                   f"--JupyterHub.hub_bind_url=http://127.0.0.1:{hub_port}",
                   f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{api_port}"]
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(cmd, cwd=self.klass.base, env=env, stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait_ready():
                return
            self.stop()
        raise RuntimeError(f"JupyterHub did not answer within {T_HUB} s ({attempts} attempts):\n{self.log_tail()}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + T_HUB
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.url + "/hub/api", timeout=5) as resp:
                    if resp.status == 200 and "version" in json.loads(resp.read()):
                        self._remember_family()
                        return True
            except (OSError, ValueError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        return False

    def _remember_family(self) -> None:
        import psutil

        try:
            self.family = psutil.Process(self.proc.pid).children(recursive=True)  # the proxy
        except psutil.Error:
            self.family = []

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        import psutil

        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            self.family += psutil.Process(proc.pid).children(recursive=True)
        except psutil.Error:
            pass
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # the hub stops the users' servers and its proxy
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            except ProcessLookupError:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait(timeout=10)
        for child in self.family:  # the proxy runs in the hub's group; anything that left it
            try:
                child.kill()
            except psutil.Error:
                pass
        self.family = []


# ---------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def prerequisites():
    if not is_root():
        _unavailable("needs root (it creates Linux accounts; PAM and the spawner need root)")
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "chpasswd", "runuser"):
        if shutil.which(tool) is None:
            _unavailable(f"`{tool}` is missing")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing (tools/install-browser.sh installs it)")
    if not os.access(PROXY, os.X_OK):
        _unavailable(f"{PROXY.relative_to(ROOT)} is missing (tools/install-hub-proxy.sh installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the `playwright` package is missing (pip install -e '.[test]')")
    return sync_playwright


@pytest.fixture(scope="module")
def klass(prerequisites):
    global ENTER
    k = Class()
    view = SharedView(k.base)
    try:
        k.create()
        ENTER = view.start()
        # The students' servers run the repository's venv as their own uid: it must be readable by others.
        probe = as_user(k.s1, str(VENV_BIN / "python"), "-c", "import lstmlab, nbgrader",
                        env=k.env(k.s1), check=False)
        if probe.returncode != 0:
            _unavailable("the repository's .venv is not usable by another Linux user (a private folder "
                         f"such as /root above it?): {probe.stderr.strip()[-500:]}")
        yield k
    finally:
        ENTER = []
        kill_processes_of(k.uids())
        view.stop()
        problems = k.remove()
        assert not problems, f"cleanup: {problems}"


@pytest.fixture(scope="module")
def hub(klass):
    h = Hub(klass)
    try:
        h.start()
        yield h
    finally:
        h.stop()
        kill_processes_of(klass.uids())


# ---------------------------------------------------------------------------------------------------
# The test


def _answers():
    solution = nbformat.read(ROOT / "solutions" / f"{LESSON}.ipynb", as_version=4)
    ref = {c.metadata["nbgrader"]["grade_id"]: answer_from_solution(c.source) for c in solution.cells
           if c.metadata.get("nbgrader", {}).get("solution")}
    return ref


def _write_lab_settings(user: str) -> None:
    """Notebook windowing off (every cell in the DOM) and no news toast, in the student's own settings."""
    pw = pwd.getpwnam(user)
    base = Path(pw.pw_dir) / ".jupyter" / "lab" / "user-settings"
    for rel, value in LAB_SETTINGS.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    for dirpath, dirnames, filenames in os.walk(Path(pw.pw_dir) / ".jupyter"):
        for name in [dirpath, *[os.path.join(dirpath, f) for f in filenames]]:
            os.chown(name, pw.pw_uid, pw.pw_gid)


def test_jupyterhub_class(klass, hub, prerequisites, tmp_path):
    t0 = time.monotonic()
    laps = {}

    def lap(name):
        laps[name] = round(time.monotonic() - t0, 1)

    answers = _answers()
    inst, s1 = klass.instructor, klass.s1
    inst_env = klass.env(inst)
    course = Path(inst_env["HOME"]) / "course"

    # 1. The instructor releases lesson 01 (README's steps: generate, the course's student version, release).
    as_user(inst, "mkdir", "-p", str(course / "source" / LESSON), env=inst_env)
    as_user(inst, "cp", str(ROOT / "course" / "nbgrader_config.py"), str(course), env=inst_env)
    as_user(inst, "cp", str(ROOT / "solutions" / f"{LESSON}.ipynb"), str(course / "source" / LESSON), env=inst_env)
    as_user(inst, "nbgrader", "generate_assignment", LESSON, "--force", cwd=course, env=inst_env)
    as_user(inst, "cp", str(ROOT / "lessons" / f"{LESSON}.ipynb"), str(course / "release" / LESSON), env=inst_env)
    as_user(inst, "nbgrader", "release_assignment", LESSON, "--force", cwd=course, env=inst_env)
    lap("released")

    # 2. Student 1, in the browser through the hub.
    _write_lab_settings(s1)
    sync_playwright = prerequisites
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(30_000)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            try:
                feedback_text = _student_in_browser(page, hub, klass, answers, lap)
            except BaseException:
                try:
                    page.screenshot(path=str(tmp_path / "failure.png"), timeout=10_000)
                    print(f"JupyterHub test failed; the page at that moment: {tmp_path / 'failure.png'}")
                except Exception:
                    pass
                print(f"hub log (tail):\n{hub.log_tail(4000)}")
                raise
        finally:
            browser.close()
    print(f"JupyterHub test timings (s since start): {laps}; total {time.monotonic() - t0:.1f} s")
    # Student 1's page, as the browser shows it: their score, lstm_gates passed, the rest not answered.
    assert f"feedback for {s1}" in feedback_text, feedback_text[:3000]
    assert re.search(r"Score:\s*2\s*/\s*10", feedback_text), feedback_text[:3000]
    assert re.search(r"test_lstm_gates\s+passed\s+2\s*/\s*2", feedback_text), feedback_text[:3000]
    assert feedback_text.lower().count("not answered") >= 4, feedback_text[:3000]


def _student_in_browser(page, hub: Hub, klass: Class, answers: dict, lap) -> str:
    s1, s2, inst = klass.s1, klass.s2, klass.instructor
    base = f"{hub.url}/user/{s1}"

    # Log in through the hub (PAM); the hub spawns the student's JupyterLab.
    page.goto(f"{hub.url}/hub/login", timeout=T_SPAWN)
    page.fill("input#username_input", s1)
    page.fill("input#password_input", klass.passwords[s1])
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf".*/user/{re.escape(s1)}/lab.*"), timeout=T_SPAWN)
    page.wait_for_selector(".lm-MenuBar-item:has-text('Nbgrader')", timeout=T_SPAWN)
    lap("student 1 logged in, JupyterLab up")

    # Fetch in the Assignments tab.
    open_assignments(page)
    released = page.locator(f"#released_assignments_list .list_item:not(.nested_list_item):has-text('{LESSON}')")
    released.wait_for(timeout=T_ACTION)
    released.locator("button", has_text="Fetch").click()
    fetched = page.locator(f"#fetched_assignments_list .list_item:not(.nested_list_item):has-text('{LESSON}')")
    fetched.wait_for(timeout=T_ACTION)
    home = Path(pwd.getpwnam(s1).pw_dir)
    assert (home / LESSON / f"{LESSON}.ipynb").is_file(), "the fetched lesson is not in the student's home"
    lap("fetched in the Assignments tab")

    # Type the answer to lstm_gates, save, Validate.
    page.goto(f"{base}/lab/tree/{LESSON}/{LESSON}.ipynb", timeout=T_SPAWN)
    page.wait_for_selector(".jp-NotebookPanel .jp-MarkdownCell .jp-RenderedMarkdown h1", timeout=T_SPAWN)
    cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
    lesson = nbformat.read(home / LESSON / f"{LESSON}.ipynb", as_version=4)
    index = next(i for i, c in enumerate(lesson.cells)
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "lstm_gates")
    page.wait_for_function(f"() => document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell').length"
                           f" === {len(lesson.cells)}", timeout=T_SPAWN)
    editor = cells.nth(index).locator(".cm-content")
    assert "def lstm_gates(" in editor.text_content() and "NotImplementedError" in editor.text_content()
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(answers["lstm_gates"])
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.jp-NotebookPanel.jp-mod-dirty, .lm-TabBar-tab.jp-mod-dirty')",
                           timeout=30_000)
    saved = nbformat.read(home / LESSON / f"{LESSON}.ipynb", as_version=4)
    assert saved.cells[index].source == answers["lstm_gates"]
    page.locator(".jp-NotebookPanel-toolbar .validate-button").click()
    page.wait_for_selector(".jp-Dialog", timeout=T_VALIDATE)
    dialog = page.locator(".jp-Dialog")
    text = dialog.inner_text()
    assert "Validation Results" in dialog.locator(".jp-Dialog-header").text_content(), text
    table = page.locator("#validation-message").inner_text()
    assert re.search(r"✔ test_lstm_gates\s+2/2", table), table
    assert "total 2/10: 1 of 5 exercises pass" in table, table
    dialog.get_by_role("button", name="Ok").click()
    dialog.wait_for(state="detached")
    lap("answered and validated")

    # Submit in the Assignments tab.
    open_assignments(page)
    fetched = page.locator(f"#fetched_assignments_list .list_item:not(.nested_list_item):has-text('{LESSON}')")
    fetched.wait_for(timeout=T_ACTION)
    fetched.locator("button", has_text="Submit").click()
    submitted = page.locator(f"#submitted_assignments_list .list_item:not(.nested_list_item):has-text('{LESSON}')")
    submitted.wait_for(timeout=T_ACTION)
    lap("student 1 submitted")

    # 3. Student 2, on the command line: lstm_param_count right, lstm_cell_update wrong.
    env2 = klass.env(s2)
    as_user(s2, "nbgrader", "fetch_assignment", LESSON, env=env2)
    path2 = Path(env2["HOME"]) / LESSON / f"{LESSON}.ipynb"
    nb2 = nbformat.read(path2, as_version=4)
    given = {"lstm_param_count": answers["lstm_param_count"], "lstm_cell_update": WRONG_CELL_UPDATE}
    for c in nb2.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id")
        if gid in given:
            c.source = given[gid]
    answer_file = Path(klass.base) / "s2-answer.ipynb"
    nbformat.write(nb2, answer_file)
    os.chmod(answer_file, 0o644)
    as_user(s2, "cp", str(answer_file), str(path2), env=env2)
    as_user(s2, "nbgrader", "submit", LESSON, env=env2)
    lap("student 2 submitted")

    # 4. The instructor collects; root grades; the instructor stages and releases the feedback.
    inst_env = klass.env(inst)
    course = Path(inst_env["HOME"]) / "course"
    as_user(inst, "nbgrader", "collect", LESSON, cwd=course, env=inst_env)
    for s in (s1, s2):
        assert (course / "submitted" / s / LESSON / f"{LESSON}.ipynb").is_file(), f"{s}'s submission not collected"
    out = klass.out
    env = dict(os.environ, LSTMLAB_ROOT=str(ROOT), PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}")
    done = subprocess.run([str(VENV_BIN / "lstmlab"), "grade", str(course / "submitted"), "-o", str(out), "-j", "2", "-q"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    scores: dict[str, dict[str, float]] = {}
    for row in csv.DictReader(open(out / "grades.csv", encoding="utf-8")):
        assert row["lesson"] == LESSON, row
        scores.setdefault(row["student_id"], {})[row["exercise"]] = float(row["score"])
    assert set(scores) == {s1, s2}, scores
    assert scores[s1] == {"test_lstm_gates": 2.0, "test_lstm_cell_update": 0.0, "test_lstm_step": 0.0,
                          "test_lstm_forward": 0.0, "test_lstm_param_count": 0.0}, scores[s1]
    assert scores[s2] == {"test_lstm_gates": 0.0, "test_lstm_cell_update": 0.0, "test_lstm_step": 0.0,
                          "test_lstm_forward": 0.0, "test_lstm_param_count": 1.0}, scores[s2]
    lap("graded")
    subprocess.run(["chown", "-R", f"{inst}:", str(out)], check=True)  # README: root's output to the instructor
    as_user(inst, str(VENV_BIN / "python"), str(DEPLOY / "stage_feedback.py"), str(out), str(course), LESSON,
            cwd=course, env=inst_env)
    as_user(inst, "nbgrader", "release_feedback", LESSON, cwd=course, env=inst_env)
    lap("feedback released")

    # 5. Student 2 fetches the feedback on the command line; student 1 in the Assignments tab, then opens it.
    as_user(s2, "nbgrader", "fetch_feedback", LESSON, env=env2)
    pages2 = list((Path(env2["HOME"]) / LESSON / "feedback").glob(f"*/{LESSON}.html"))
    assert len(pages2) == 1, pages2
    text2 = pages2[0].read_text(encoding="utf-8")
    assert f"feedback for {s2}" in text2 and re.search(r"Score:\s*1\s*/\s*10", text2), text2[:3000]
    assert WRONG_DIAGNOSIS in text2 and "test_lstm_param_count" in text2, text2[:3000]
    assert "BEGIN HIDDEN TESTS" not in text2 and s1 not in text2  # never a test's code, nor another student

    open_assignments(page)
    submitted = page.locator(f"#submitted_assignments_list .list_item:not(.nested_list_item):has-text('{LESSON}')")
    submitted.wait_for(timeout=T_ACTION)
    submitted.locator("button", has_text="Fetch Feedback").click()
    link = page.locator(f"#submitted_assignments_list .list_item:not(.nested_list_item):has-text('{LESSON}') a", has_text="view feedback")
    link.wait_for(timeout=T_ACTION)
    link.click()  # the file browser goes to the feedback folder
    page.wait_for_selector(f".jp-DirListing-item[title*='{LESSON}.html'], .jp-DirListing-item:has-text('{LESSON}.html')",
                           timeout=T_ACTION)
    pages1 = list((home / LESSON / "feedback").glob(f"*/{LESSON}.html"))
    assert len(pages1) == 1, pages1
    rel = pages1[0].relative_to(home).as_posix()
    page.goto(f"{base}/files/{rel}", timeout=T_ACTION)
    body = page.locator("body").inner_text()
    assert "BEGIN HIDDEN TESTS" not in body
    lap("feedback fetched and opened")
    return body


def open_assignments(page) -> None:
    """Nbgrader menu > Assignment List (the Assignments tab), refreshed."""
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
    page.locator("#jp-mainmenu-nbgrader .lm-Menu-item", has_text="Assignment List").click()
    page.wait_for_selector("#released_assignments_list", timeout=T_ACTION)
    refresh = page.locator("#refresh_assignments_list")
    if refresh.count():
        refresh.first.click()
    page.wait_for_function("() => [...document.querySelectorAll('.list_loading')].every(e => e.hidden || e.offsetParent === null)",
                           timeout=T_ACTION)
