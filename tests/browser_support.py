"""Support for tests/test_browser.py: Debian's Chromium, a student-mode JupyterLab server, page helpers.

The server is started the way `lstmlab lab` starts it (lib/lstmlab/cli.py `_cmd_lab`): the venv's
bin/ first on PATH (nbgrader shells out to `alembic`), JUPYTER_CONFIG_PATH led by
course/jupyter/student (which switches off nbgrader's formgrader, create-assignment and course-list
extensions), `--allow-root` when root; plus what a test needs: loopback only, a free port, a fixed
token, a throwaway root folder holding a copy of the lesson, and private settings, workspace and
runtime folders so that nothing in ~/.jupyter leaks in and nothing is written there.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUDENT_CONFIG = ROOT / "course" / "jupyter" / "student"
INSTALL_SCRIPT = ROOT / "tools" / "install-browser.sh"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# ---------------------------------------------------------------------------------------------------
# Chromium


def ensure_chromium() -> tuple[str | None, str, bool]:
    """(path, message, skip): Debian's Chromium, installed with tools/install-browser.sh when missing and root.

    path is None when there is no browser; message says why; skip is True only when it cannot be
    installed here at all (not root), where the test skips; as root a failed install fails the test."""
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM, "present", False
    if not is_root():
        return None, (f"{CHROMIUM} is missing and this is not root, so it cannot be installed here "
                      f"(as root: {INSTALL_SCRIPT.relative_to(ROOT)})"), True
    run = subprocess.run(["bash", str(INSTALL_SCRIPT)], capture_output=True, text=True, timeout=900)
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM, "installed by tools/install-browser.sh", False
    return None, (f"{INSTALL_SCRIPT.relative_to(ROOT)} failed (exit {run.returncode}) as root:\n"
                  f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"), False


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


# ---------------------------------------------------------------------------------------------------
# The JupyterLab server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# JupyterLab user settings for the test browser (a private settings folder, not the student's):
# - notebook windowing off, so every cell of the lesson is in the DOM and can be found by index
#   (JupyterLab 4 renders only the cells near the viewport by default);
# - no "Would you like to get notified about official Jupyter news?" toast over the screenshots.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}


@dataclass
class LabServer:
    """A student-mode JupyterLab on 127.0.0.1 serving `notebook_dir` (see module docstring)."""

    workdir: Path
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    # Server settings that take precedence over course/jupyter/student (a config folder put before it
    # on JUPYTER_CONFIG_PATH), e.g. to load nbgrader's own Validate extension as well.
    server_config: dict | None = None
    lang: str = "en"      # the edition: "zh" adds `lstmlab lab --lang zh`'s JupyterLab options

    @property
    def notebook_dir(self) -> Path:
        return self.workdir / "notebooks"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{sep}token={self.token}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        override = str(self.workdir / "override") if self.server_config else None
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [override, str(STUDENT_CONFIG),
                                                                   env.get("JUPYTER_CONFIG_PATH")]))
        private = {
            "JUPYTER_CONFIG_DIR": "config",  # instead of ~/.jupyter
            "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
            "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
            "JUPYTER_RUNTIME_DIR": "runtime",
            "IPYTHONDIR": "ipython",
            "MPLCONFIGDIR": "matplotlib",
        }
        for var, sub in private.items():
            env[var] = str(self.workdir / sub)
        env.pop("JUPYTER_TOKEN", None)
        return env

    def prepare(self, notebooks: list[Path]) -> None:
        for sub in ("notebooks", "config", "lab-settings", "lab-workspaces", "runtime", "ipython", "matplotlib"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        for nb in notebooks:
            shutil.copy2(nb, self.notebook_dir / nb.name)
        for rel, value in LAB_SETTINGS.items():
            path = self.workdir / "lab-settings" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        if self.server_config:
            (self.workdir / "override").mkdir(exist_ok=True)
            (self.workdir / "override" / "jupyter_server_config.json").write_text(json.dumps(self.server_config))

    def start(self, timeout: float = 120.0, attempts: int = 3) -> None:
        """Start the server and wait until /api/status answers (retrying on a port taken meanwhile)."""
        last = ""
        for _ in range(attempts):
            self.port = free_port()
            self.log_path = self.workdir / f"server-{self.port}.log"
            cmd = [sys.executable, "-m", "jupyterlab",
                   f"--ServerApp.root_dir={self.notebook_dir}",
                   "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={self.port}",
                   "--ServerApp.port_retries=0",
                   f"--IdentityProvider.token={self.token}",
                   "--no-browser"]
            if is_root():
                cmd.append("--allow-root")
            from lstmlab.tooling.cli import lab_language_args

            cmd += lab_language_args(ROOT / "course", self.lang)
            with open(self.log_path, "wb") as log:
                # Own process group: teardown can signal the server and whatever it spawned.
                self.proc = subprocess.Popen(cmd, cwd=self.notebook_dir, env=self.env(), stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait_ready(timeout):
                return
            last = self.log_tail()
            self.stop()
        raise RuntimeError(f"JupyterLab did not answer /api/status within {timeout:.0f} s "
                           f"({attempts} attempts). Server log:\n{last}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                status = self.api("GET", "/api/status")
                if "started" in status:
                    return True
            except (OSError, urllib.error.URLError, ValueError):
                pass
            time.sleep(0.5)
        return False

    def api(self, method: str, path: str, timeout: float = 10.0):
        """JSON from the server's REST API (raises urllib.error.HTTPError on 4xx/5xx)."""
        req = urllib.request.Request(self.base_url + path, method=method, data=b"" if method == "POST" else None,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def http_status(self, path: str) -> int:
        try:
            req = urllib.request.Request(self.base_url + path, headers={"Authorization": f"token {self.token}"})
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status
        except urllib.error.HTTPError as e:
            return e.code

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:] if self.log_path else ""
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server, its kernels (they run in sessions of their own) and anything else it started."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            import psutil

            family = psutil.Process(proc.pid).children(recursive=True)
        except Exception:  # psutil missing, or the server already gone
            family = []
        if proc.poll() is None:
            _signal_group(proc.pid, signal.SIGTERM)  # jupyter_server shuts its kernels down on SIGTERM
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        else:
            _signal_group(proc.pid, signal.SIGKILL)  # stragglers left in its group
        for child in family:  # kernels (new sessions), validation kernels: whatever still runs
            try:
                if child.is_running():
                    _signal_group(child.pid, signal.SIGKILL, own_group_only=True)
                    child.kill()
            except Exception:
                pass


def _signal_group(pid: int, sig: int, own_group_only: bool = False) -> None:
    try:
        pgid = os.getpgid(pid)
        if own_group_only and pgid != pid:
            return
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# ---------------------------------------------------------------------------------------------------
# Notebook structure (from the file) and page helpers


def answer_from_solution(solution_source: str) -> str:
    """The reference answer a student would write: the solution cell without nbgrader's markers."""
    keep = [line for line in solution_source.splitlines()
            if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
    return "\n".join(keep)


def exercises(nb) -> list[dict]:
    """[{grade_id, answer_index, test_index, test_source}] for each nbgrader solution cell followed by its test cell."""
    out = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and not meta.get("grade"):
            for j in range(i + 1, len(cells)):
                tmeta = cells[j].get("metadata", {}).get("nbgrader", {})
                if cells[j].cell_type == "code" and tmeta.get("grade"):
                    out.append({"grade_id": meta.get("grade_id"), "answer_index": i, "test_index": j,
                                "test_source": cells[j].source, "test_id": tmeta.get("grade_id")})
                    break
    return out


# A half-answered lesson 01, the same in the browser test and the Validate handler test.
HALF_LESSON = "01_lstm_cell"
# lstm_gates: the reference answer plus harmless output on stderr (nbgrader would score its test 0): a
# Python warning (lstmlab.checking records those) and a line written to stderr directly, which does
# reach the test cell's stderr in the kernel.
STDERR_NOTE = "lstm_gates: a harmless note on stderr"
WARNING_LINES = ('    import sys, warnings\n'
                 '    warnings.warn("lstm_gates: a harmless warning", UserWarning)\n'
                 f'    print("{STDERR_NOTE}", file=sys.stderr)\n')
# lstm_cell_update: c_(t-1) in h_t, which the check names ("h_t uses c_(t-1)").
WRONG_CELL_UPDATE = ("def lstm_cell_update(c_prev, i, f, g, o):\n"
                     "    c = f * c_prev + i * g\n"
                     "    return c, o * np.tanh(c_prev)")
WRONG_DIAGNOSIS = "h_t uses c_(t-1)"


def half_answered_answers(solution) -> dict[str, str]:
    """{solution grade_id: answer}: lstm_gates right (with a stderr warning), lstm_cell_update wrong;
    lstm_step, lstm_forward and lstm_param_count stay unanswered."""
    reference = next(c.source for c in solution.cells
                     if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "lstm_gates")
    gates = answer_from_solution(reference)
    head, _, body = gates.partition("\n")
    assert head.startswith("def lstm_gates("), head
    return {"lstm_gates": head + "\n" + WARNING_LINES + body, "lstm_cell_update": WRONG_CELL_UPDATE}


def write_half_answered(lesson_path: Path, solution_path: Path, target: Path) -> dict[str, str]:
    """The student lesson with half_answered_answers typed in, saved (without outputs) at target."""
    import nbformat

    nb = nbformat.read(lesson_path, as_version=4)
    answers = half_answered_answers(nbformat.read(solution_path, as_version=4))
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    nbformat.write(nb, target)
    return answers


# JavaScript predicates evaluated in the page.
# The kernel status item of the status bar, in English and in JupyterLab's Chinese (zh_CN language pack):
# its title "Change kernel for <notebook>" / "更改 <notebook> 的内核", its text "<kernel> | Idle" / "| 空闲".
JS_KERNEL_IDLE = """() => {
  const item = document.querySelector('#jp-main-statusbar [title^="Change kernel"], #jp-main-statusbar [title^="更改"]');
  const ind = document.querySelector('.jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator');
  return !!item && /\\|\\s*(Idle\\b|空闲)/.test(item.textContent) && (!ind || ind.dataset.status === 'idle');
}"""

JS_NO_PENDING_CELLS = """() => ![...document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-InputPrompt')]
  .some(p => p.textContent.includes('*'))"""
