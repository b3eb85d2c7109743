"""The Chinese edition from a student's side: a wrong answer in lessons/zh/ is diagnosed in Chinese in the
notebook itself and by `lstmlab check` (the feedback page: test_grading.py grades it with both editions).

The English edition is untouched: its notebooks are the nbval-verified ones, and test_check_command.py
asserts its English verdicts.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import nbformat
import pytest

from conftest import COURSE, LESSONS

LESSON = "01_lstm_cell"
CJK = re.compile(r"[\u4e00-\u9fff]")
# c_{t-1} in h_t: the check names this mistake (English: "h_t uses c_(t-1)").
WRONG_CELL_UPDATE = "def lstm_cell_update(c_prev, i, f, g, o):\n    c = f * c_prev + i * g\n    return c, o * np.tanh(c_prev)\n"


def _answers(lang: str) -> dict[str, str]:
    solution = nbformat.read(COURSE.solutions_in(lang) / f"{LESSON}.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def _student_notebook(lang: str):
    """The lesson of `lang` with lstm_gates answered right and lstm_cell_update wrong, the rest untouched."""
    nb = nbformat.read(COURSE.lessons_in(lang) / f"{LESSON}.ipynb", as_version=4)
    answers = _answers(lang)
    for c in nb.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "lstm_gates":
            c.source = answers[gid]
        elif gid == "lstm_cell_update":
            c.source = WRONG_CELL_UPDATE
    return nb


@pytest.mark.parametrize("lid", LESSONS)
def test_every_chinese_lesson_is_marked_and_switches_its_messages(lid):
    for folder in (COURSE.solutions_in("zh"), COURSE.lessons_in("zh")):
        nb = nbformat.read(folder / f"{lid}.ipynb", as_version=4)
        assert nb.metadata["lstmlab"]["edition"] == "zh"
        first = next(c for c in nb.cells if c.cell_type == "code")
        assert first.source.startswith('from lstmlab.i18n import use_language; use_language("zh")')
        assert CJK.search(nb.cells[0].source), f"{folder.name}/{lid}: the first cell is not in Chinese"


def test_a_wrong_answer_in_the_chinese_notebook_is_diagnosed_in_chinese():
    """In JupyterLab: the lesson's own cells, run by a kernel, print the Chinese diagnosis."""
    from nbclient import NotebookClient

    nb = _student_notebook("zh")
    keep = []
    for c in nb.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id")
        if (c.cell_type == "code" and not keep) or gid in ("lstm_gates", "test_lstm_gates", "lstm_cell_update",
                                                             "test_lstm_cell_update"):
            keep.append(c)
    nb.cells = keep
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True).execute()
    outputs = {c.metadata["nbgrader"]["grade_id"]: c.outputs for c in keep if c.metadata.get("nbgrader")}
    passed = "".join(o.get("text", "") for o in outputs["test_lstm_gates"])
    assert "✔" in passed and CJK.search(passed), passed
    error = next(o for o in outputs["test_lstm_cell_update"] if o.output_type == "error")
    text = error.evalue + "".join(error.traceback)
    assert CJK.search(error.evalue), error.evalue
    assert "c_(t-1)" in error.evalue and "h_t uses c_(t-1)" not in text


def test_lstmlab_check_answers_a_chinese_lesson_in_chinese(tmp_path):
    path = tmp_path / f"{LESSON}.ipynb"
    nbformat.write(_student_notebook("zh"), path)
    env = dict(os.environ, LSTMLAB_ROOT=str(COURSE.root))
    done = subprocess.run([sys.executable, "-m", "lstmlab.tooling.cli", "check", str(path)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert "✔ test_lstm_gates" in out
    assert "✘ test_lstm_cell_update" in out and "未通过" in out
    diagnosis = out.split("✘ test_lstm_cell_update", 1)[1].split("✘", 1)[0]
    assert CJK.search(diagnosis) and "c_(t-1)" in diagnosis, diagnosis
    assert "尚未作答" in out and "not answered yet" not in out
    assert "总分 2/10" in out and "可见测试" in out
