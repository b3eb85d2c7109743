"""A student's exception points at the student's code, never at the check machinery.

When an answer raises, the student sees the exception and their own frames, then one line saying
which exercise and call it was; an unanswered exercise is one line. Checked where a student meets
it: IPython's traceback in a real kernel (nbclient runs a small notebook), a plain
`traceback.format_exception`, nbgrader's scoring of that output, and `lstmlab check` / `lstmlab grade`
(judge and worker). The check's own reference computation (lesson 01's `c = f * c_prev + i * g`)
must never be shown: it is the answer.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import traceback

import nbformat
import numpy as np
import pytest

from conftest import COURSE
from lstmlab.checking import CheckFailed, NotAnswered, call_student
from lstmlab.lessons.lstm_cell import checks as lstm_cell_checks

REFERENCE_LINES = ("c = f * c_prev + i * g", "o * np.tanh(c)")   # lesson 01's answer, in its check
MACHINERY = ("lstmlab/checking", "lstmlab/lessons", "lstmlab/tooling", "lstmlab\\checking", "lstmlab\\lessons")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

STUDENT_RAISES = """\
import numpy as np

def lstm_cell_update(c_prev, i, f, g, o):
    new_c = f * c_prev + i @ g          # the student's bug: @ instead of *
    return new_c, o * np.tanh(new_c)
"""
BLANK_GATES = """\
def lstm_gates(x, h_prev, Wx, Wh, b):
    # YOUR CODE HERE
    raise NotImplementedError()
"""


def _namespace(source: str) -> dict:
    """The student's answer, defined in a file of its own (so that tracebacks can show its lines)."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="student-")
    path = os.path.join(folder, "answer.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    ns: dict = {}
    exec(compile(source, path, "exec"), ns)
    return ns


def _shown(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _assert_only_the_students_frames(text: str) -> None:
    for line in REFERENCE_LINES:
        assert line not in text, f"the check's reference computation {line!r} is shown:\n{text}"
    for part in MACHINERY:
        assert part not in text, f"a frame of {part} is shown:\n{text}"
    assert "i @ g" in text, f"the student's own line is not shown:\n{text}"
    assert "while checking lstm_cell_update" in text and "lstm_cell_update(c_prev: float64 (2, 4)" in text, text


@pytest.mark.parametrize("hidden", [False, True], ids=["visible", "hidden"])
def test_plain_traceback_shows_the_students_frames_and_the_call(hidden):
    fn = _namespace(STUDENT_RAISES)["lstm_cell_update"]
    with pytest.raises(ValueError) as info:      # the student's own exception, not a wrapper of it
        lstm_cell_checks.check_cell_update(fn, hidden=hidden)
    text = _shown(info.value)
    _assert_only_the_students_frames(text)
    assert re.search(r'File ".*answer.py", line 4, in lstm_cell_update', text), text
    # The one frame between the caller and the student's code is the wrapper's, without a source line.
    assert 'File "<lstmlab check>"' in text and text.count("File ") == 3, text


def test_a_check_failure_shows_the_diagnosis_without_the_checks_code():
    wrong = _namespace("import numpy as np\ndef lstm_cell_update(c_prev, i, f, g, o):\n    c = f * c_prev + i * g\n"
                       "    return c, o * np.tanh(c_prev)\n")["lstm_cell_update"]
    with pytest.raises(CheckFailed) as info:
        lstm_cell_checks.check_cell_update(wrong)
    text = _shown(info.value)
    assert "h_t uses c_(t-1)" in text and "lstmlab/lessons" not in text and "lstmlab/checking" not in text, text


def test_unanswered_is_one_line_and_still_a_not_implemented_error():
    fn = _namespace(BLANK_GATES)["lstm_gates"]
    with pytest.raises(NotImplementedError) as info:
        lstm_cell_checks.check_gates(fn)
    assert isinstance(info.value, NotAnswered)
    assert str(info.value) == "not answered yet: lstm_gates still raises NotImplementedError"
    assert info.value._render_traceback_() == [str(info.value)]     # what IPython shows instead of a traceback
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_an_unanswered_helper_is_named():
    ns = _namespace(BLANK_GATES + "def lstm_step(x, h_prev, c_prev, Wx, Wh, b):\n    return lstm_gates(x, h_prev, Wx, Wh, b)\n")
    with pytest.raises(NotAnswered, match=r"^not answered yet: lstm_step still raises NotImplementedError \(in lstm_gates\)$"):
        lstm_cell_checks.check_step(ns["lstm_step"])


def test_full_tracebacks_for_authors(monkeypatch):
    monkeypatch.setenv("LSTMLAB_FULL_TRACEBACKS", "1")
    fn = _namespace(STUDENT_RAISES)["lstm_cell_update"]
    with pytest.raises(ValueError) as info:
        lstm_cell_checks.check_cell_update(fn)
    assert "lstmlab/lessons/lstm_cell/checks.py" in _shown(info.value).replace("\\", "/")


def test_call_student_alone_trims_and_names_the_call():
    fn = _namespace(STUDENT_RAISES)["lstm_cell_update"]
    a = np.ones((2, 4))
    with pytest.raises(ValueError) as info:
        call_student("lstm_cell_update", fn, a, a, a, a, a, names=("c_prev", "i", "f", "g", "o"))
    frames = traceback.extract_tb(info.value.__traceback__)
    # Only this test's frame (the caller) and the harness frame that re-raised remain above the student's.
    assert [f.name for f in frames][-1] == "lstm_cell_update"
    assert not any("lstmlab/checking" in f.filename and f.name != "call_student" for f in frames)


# --- in a real kernel ------------------------------------------------------------------------------

def _run_notebook(cells: list[str], tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=300, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb


def test_ipython_in_a_kernel_shows_the_students_frames_and_one_line_when_unanswered(tmp_path):
    """IPython's own traceback (what JupyterLab and nbgrader's Validate show), in a kernel started by nbclient."""
    setup = "from lstmlab.lessons.lstm_cell import checks as check\nimport numpy as np"
    nb = _run_notebook([setup, STUDENT_RAISES, "check.check_cell_update(lstm_cell_update)",
                        BLANK_GATES, "check.check_gates(lstm_gates)"], tmp_path)
    raised, blank = nb.cells[2].outputs, nb.cells[4].outputs
    assert [o.output_type for o in raised] == ["error"], raised
    text = ANSI.sub("", "\n".join(raised[0].traceback))
    assert raised[0].ename == "ValueError", text
    _assert_only_the_students_frames(text)
    assert "check.check_cell_update(lstm_cell_update)" in text        # the test cell's own line
    assert text.index("i @ g") < text.index("while checking lstm_cell_update")   # exception, then the call line

    assert [o.output_type for o in blank] == ["error"], blank
    assert blank[0].ename == "NotAnswered"
    assert [ANSI.sub("", line) for line in blank[0].traceback] == [
        "not answered yet: lstm_gates still raises NotImplementedError"]

    # nbgrader scores both test cells 0 (an error output), as before.
    from nbgrader.utils import determine_grade

    for cell in (nb.cells[2], nb.cells[4]):
        cell.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 2, "grade_id": "t", "schema_version": 3}
        assert determine_grade(cell)[0] == 0


# --- lstmlab check (the judge and its sandboxed worker) ----------------------------------------------

def test_lstmlab_check_shows_the_students_line_the_call_and_one_line_when_unanswered(tmp_path):
    lesson = "01_lstm_cell"
    nb = nbformat.read(COURSE.lessons / f"{lesson}.ipynb", as_version=4)
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == "lstm_cell_update":
            c.source = STUDENT_RAISES.split("\n", 2)[2]   # without the import: the lesson has numpy as np
    path = tmp_path / f"{lesson}.ipynb"
    nbformat.write(nb, path)
    env = dict(os.environ, LSTMLAB_ROOT=str(COURSE.root))
    done = subprocess.run([sys.executable, "-m", "lstmlab.tooling.cli", "check", str(path)], env=env,
                          capture_output=True, text=True, timeout=600)
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "not answered yet: lstm_gates still raises NotImplementedError" in out
    block = out[out.index("test_lstm_cell_update"):out.index("test_lstm_step")]
    assert "error" in block and "i @ g" in block and "while checking lstm_cell_update" in block, block
    assert 'File "<lstm_cell_update>", line 2, in lstm_cell_update' in block, block
    for text in REFERENCE_LINES + ("lstmlab/", "worker.py", "judge.py"):
        assert text not in block, block


def test_every_rooms_checks_are_student_facing():
    """A room's checks.py ends with student_facing(globals()): every check_* a test cell calls is wrapped."""
    import importlib
    import types

    rooms = sorted(p.parent.name for p in (COURSE.root / "lib" / "lstmlab" / "lessons").glob("*/checks.py"))
    assert len(rooms) >= 10
    for room in rooms:
        module = importlib.import_module(f"lstmlab.lessons.{room}.checks")
        checks = {n: f for n, f in vars(module).items() if n.startswith("check_") and isinstance(f, types.FunctionType)}
        assert checks, room
        bare = [n for n, f in checks.items() if not getattr(f, "__lstmlab_student_facing__", False)]
        assert not bare, f"lstmlab.lessons.{room}.checks: {bare} would show the check's code in a student's traceback"
