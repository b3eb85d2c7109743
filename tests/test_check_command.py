"""`lstmlab check`: a learner's self-check from the terminal."""
from __future__ import annotations

import os
import subprocess
import sys

import nbformat

from conftest import COURSE

LESSON = "01_lstm_cell"


def run_check(path, *extra):
    env = dict(os.environ, LSTMLAB_ROOT=str(COURSE.root))
    return subprocess.run([sys.executable, "-m", "lstmlab.tooling.cli", "check", str(path), *extra], env=env,
                          capture_output=True, text=True, timeout=600)


def test_partly_answered_notebook_reports_each_exercise(tmp_path):
    solution = nbformat.read(COURSE.solutions / f"{LESSON}.ipynb", as_version=4)
    nb = nbformat.read(COURSE.lessons / f"{LESSON}.ipynb", as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for c in nb.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "lstm_gates":
            c.source = answers[gid]
        elif gid == "lstm_cell_update":  # c_{t-1} in h_t
            c.source = "def lstm_cell_update(c_prev, i, f, g, o):\n    c = f * c_prev + i * g\n    return c, o * np.tanh(c_prev)\n"
    path = tmp_path / f"{LESSON}.ipynb"
    nbformat.write(nb, path)
    done = run_check(path)
    assert done.returncode == 1
    out = done.stdout
    assert "✔ test_lstm_gates" in out
    assert "✘ test_lstm_cell_update" in out and "h_t uses c_(t-1)" in out
    assert "✘ test_lstm_step" in out and "not answered yet" in out
    assert "total 2/10: 1 of 5 exercises pass" in out


def test_complete_notebook_passes_with_hidden_tests(tmp_path):
    path = tmp_path / "my_copy.ipynb"  # any name: the lesson is recognised from the content
    path.write_bytes((COURSE.solutions / f"{LESSON}.ipynb").read_bytes())
    done = run_check(path, "--hidden")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hidden ones included" in done.stdout and "5 of 5 exercises pass" in done.stdout


def test_unknown_file_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    done = run_check(path)
    assert done.returncode == 2 and "is not one of the lessons" in done.stderr
