"""`lstmlab grade` against a class of bad and hostile submissions built from lesson 01.

One batch grades the whole class (2 workers); each test asserts the per-exercise outcome of one
student. Kinds covered: the reference and the blank lesson; tampering (numpy/builtins/check helpers
overridden, IPython transformers, sys.modules, hooks); ready-made implementations; infinite loops
(one that swallows KeyboardInterrupt), kernel death (os._exit, a segfault), memory exhaustion,
sys.exit; deleted, duplicated, retyped cells, stripped metadata, edited points and test cells;
corrupt, empty and misnamed files; enormous output; warnings on stderr; a detached child process.
"""
from __future__ import annotations

import copy
import csv
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from conftest import COURSE
from lstmlab.tooling.grading import batch, report
from lstmlab.tooling.grading.notebook import nbgrader_meta
from lstmlab.tooling.grading.sandbox import Limits

LESSON = "01_lstm_cell"
SOLUTION = nbformat.read(COURSE.solutions / f"{LESSON}.ipynb", as_version=4)
BLANK = nbformat.read(COURSE.lessons / f"{LESSON}.ipynb", as_version=4)
EXERCISES = ["test_lstm_gates", "test_lstm_cell_update", "test_lstm_step", "test_lstm_forward", "test_lstm_param_count"]
LIMITS = Limits(cell_seconds=10, notebook_seconds=150)
MARKER = f"lstmlab-detached-{os.getpid()}"




def reference_answers() -> dict[str, str]:
    return {nbgrader_meta(c)["grade_id"]: c.source for c in SOLUTION.cells if nbgrader_meta(c).get("solution")}


def notebook(answers: dict[str, str] | None = None, edit=None):
    """The released lesson with answers filled in (reference ones unless overridden); edit(nb) may mutate it."""
    nb = copy.deepcopy(BLANK)
    filled = {**reference_answers(), **(answers or {})}
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("solution") and gid in filled:
            cell.source = filled[gid]
    if edit:
        edit(nb)
    return nbformat.writes(nb)


# A wrong lstm_gates also breaks lstm_step and lstm_forward, whose reference answers call it.
GATES_WRONG = {"test_lstm_gates": "failed", "test_lstm_step": "failed", "test_lstm_forward": "failed"}
GATES_REJECTED = {"test_lstm_gates": "rejected", "test_lstm_step": "error", "test_lstm_forward": "error"}

WRONG_GATES = '''
def lstm_gates(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    return sigmoid(a[:, H:2*H]), sigmoid(a[:, :H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
'''


def _drop_test_cells(nb):
    nb.cells = [c for c in nb.cells if not nbgrader_meta(c).get("grade")]


def _neuter_tests_and_points(nb):
    for c in nb.cells:
        if nbgrader_meta(c).get("grade"):
            c.source = "pass"
            c.metadata["nbgrader"]["points"] = 1000


def _strip_all_metadata(nb):
    for c in nb.cells:
        c.metadata = {}
        c.pop("id", None)
    nb.nbformat_minor = 4


def _duplicate_and_retype(nb):
    cells = []
    for c in nb.cells:
        cells.append(c)
        if nbgrader_meta(c).get("grade_id") == "lstm_cell_update":
            dup = copy.deepcopy(c)
            dup["id"] = "duplicate"
            dup.source = "def lstm_cell_update(c_prev, i, f, g, o):\n    return 0, 0\n"  # a later, wrong copy wins
            cells.append(dup)
        if nbgrader_meta(c).get("grade_id") == "lstm_param_count":
            c.cell_type = "markdown"
            c.pop("outputs", None)
            c.pop("execution_count", None)
    nb.cells = cells


CLASS = {
    # student: (file name, content, expected {exercise: status} (others: passed))
    "ref": (f"{LESSON}.ipynb", notebook(), {}),
    "blank": (f"{LESSON}.ipynb", nbformat.writes(BLANK), {e: "unanswered" for e in EXERCISES}),
    "numpy_override": (f"{LESSON}.ipynb", notebook({"lstm_gates": WRONG_GATES + '''
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.array_equal = lambda *a, **k: True
import builtins as _b
'''}), GATES_REJECTED),
    "numpy_override_quiet": (f"{LESSON}.ipynb", notebook({"lstm_gates": WRONG_GATES + '''
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.abs = lambda a: a * 0
torch.allclose = lambda *a, **k: True
'''}), GATES_WRONG),
    "check_helpers_override": (f"{LESSON}.ipynb", notebook({"lstm_gates": WRONG_GATES + '''
check.check_gates = lambda *a, **k: None
check.assert_close = lambda *a, **k: None
'''}), GATES_WRONG),
    "ipython_transformer": (f"{LESSON}.ipynb", notebook({"lstm_gates": WRONG_GATES + '''
get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])
'''}), GATES_REJECTED),
    "sys_modules": (f"{LESSON}.ipynb", notebook({"lstm_gates": WRONG_GATES + '''
import sys
sys.modules["lstmlab.lessons.lstm_cell.checks"] = None
sys.excepthook = lambda *a: None
'''}), GATES_REJECTED),
    "torch_lstm": (f"{LESSON}.ipynb", notebook({"lstm_forward": '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    m = torch.nn.LSTM(Wx.shape[0], Wh.shape[0], batch_first=True).double()
    with torch.no_grad():
        m.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(Wx.T)).double())
        m.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(Wh.T)).double())
        m.bias_ih_l0.copy_(torch.from_numpy(b).double()); m.bias_hh_l0.zero_()
        out, (h, c) = m(torch.from_numpy(X).double(), (torch.from_numpy(h0).double()[None], torch.from_numpy(c0).double()[None]))
    return out.numpy().astype(X.dtype), (h[0].numpy().astype(X.dtype), c[0].numpy().astype(X.dtype))
'''}), {"test_lstm_forward": "failed"}),
    "infinite_loops": (f"{LESSON}.ipynb", notebook({
        "lstm_step": '''
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    while True:
        try:
            pass
        except KeyboardInterrupt:
            pass
''',
        "lstm_param_count": "while True:\n    pass\n"}),
        {"test_lstm_step": "timeout", "test_lstm_param_count": "timeout", "test_lstm_forward": "timeout"}),
    "kernel_death": (f"{LESSON}.ipynb", notebook({
        "lstm_cell_update": "import os\ndef lstm_cell_update(c_prev, i, f, g, o):\n    os._exit(3)\n",
        "lstm_param_count": "import faulthandler\nfaulthandler._sigsegv()\n"}),
        {"test_lstm_cell_update": "crashed", "test_lstm_step": "crashed", "test_lstm_forward": "crashed",
         "test_lstm_param_count": "crashed"}),
    "memory_and_exit": (f"{LESSON}.ipynb", notebook({
        "lstm_gates": "def lstm_gates(x, h_prev, Wx, Wh, b):\n    hog = bytearray(8 * 1024 ** 3)\n    return hog\n",
        "lstm_param_count": "import sys\nsys.exit(1)\n"}),
        {"test_lstm_gates": "error", "test_lstm_step": "error", "test_lstm_forward": "error",
         "test_lstm_param_count": "error"}),
    "cells_deleted_and_edited": (f"{LESSON}.ipynb", notebook(edit=lambda nb: (_drop_test_cells(nb))), {}),
    "tests_neutered_points_changed": (f"{LESSON}.ipynb", notebook({"lstm_gates": WRONG_GATES}, edit=_neuter_tests_and_points),
                                      GATES_WRONG),
    "metadata_stripped": (f"{LESSON}.ipynb", notebook(edit=_strip_all_metadata), {}),
    "duplicated_and_retyped": (f"{LESSON}.ipynb", notebook(edit=_duplicate_and_retype),
                               {"test_lstm_cell_update": "failed", "test_lstm_step": "failed", "test_lstm_forward": "error",
                                "test_lstm_param_count": "rejected"}),
    "corrupt": (f"{LESSON}.ipynb", '{"cells": [ this is not json', {e: "rejected" for e in EXERCISES}),
    "empty": (f"{LESSON}.ipynb", "", {e: "rejected" for e in EXERCISES}),
    "misnamed": ("my_homework (1).ipynb", notebook(), {}),
    "enormous_output": (f"{LESSON}.ipynb", notebook({"lstm_param_count": '''
print("x" * 30_000_000)
import sys as _s
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    print("spam " * 1_000_000)
    return 4 * (hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size)
'''}), {}),
    "warnings": (f"{LESSON}.ipynb", notebook({"lstm_gates": '''
import warnings
def lstm_gates(x, h_prev, Wx, Wh, b):
    warnings.warn("a harmless warning from correct code")
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    s = lambda z: 1 / (1 + np.exp(-z))          # overflows on large inputs: RuntimeWarning on stderr
    return s(a[:, :H]), s(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), s(a[:, 3*H:])
'''}), {}),
    "detached_child": (f"{LESSON}.ipynb", notebook({"lstm_param_count": f'''
import subprocess
subprocess.Popen(["sh", "-c", "sleep 300; echo {MARKER}"], start_new_session=True)
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    return 4 * (hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size)
'''}), {}),
}


def write_class(folder: Path, students=CLASS) -> None:
    for student, (name, content, _) in students.items():
        (folder / student).mkdir(parents=True, exist_ok=True)
        (folder / student / name).write_text(content, encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    write_class(base / "subs")
    results, intake, info = batch.run(base / "subs", base / "out", COURSE, jobs=2, limits=LIMITS,
                                      log=lambda *a: None)
    report.write_all(results, intake, info, base / "out")
    return base, {r.student: r for r in results if r.lesson == LESSON}, intake


@pytest.mark.parametrize("student", sorted(CLASS))
def test_each_kind_gets_its_expected_per_exercise_outcome(student, graded):
    _, results, _ = graded
    expected = CLASS[student][2]
    r = results[student]
    got = {e.exercise: e for e in r.exercises}
    assert list(got) == EXERCISES, "one row per graded cell, in notebook order"
    for ex in EXERCISES:
        want = expected.get(ex, "passed")
        assert got[ex].status == want, f"{student}/{ex}: {got[ex].status} ({got[ex].message[:300]})"
        points = got[ex].points
        assert got[ex].score == (points if want == "passed" else 0.0)
        if want != "passed":
            assert got[ex].message, "every lost point has a reason"


def test_outputs_are_complete(graded):
    base, results, intake = graded
    rows = list(csv.DictReader(open(base / "out" / "grades.csv", encoding="utf-8")))
    assert {r["student_id"] for r in rows} == set(CLASS)
    assert len(rows) == len(CLASS) * len(EXERCISES)
    assert all(r["score"] != "" and r["max_score"] != "" for r in rows)
    for student in CLASS:
        page = (base / "out" / "feedback" / student / f"{LESSON}.html").read_text(encoding="utf-8")
        assert "hidden=True" not in page and "BEGIN HIDDEN" not in page and "check.check_" not in page
    assert "misnamed" in intake.problems and "graded as 01_lstm_cell" in intake.problems["misnamed"][0]
    rep = (base / "out" / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64" in rep and "kernel_death" in rep and "time limit" in rep


def test_feedback_names_the_mistake(graded):
    base, results, _ = graded
    msg = next(e for e in results["numpy_override_quiet"].exercises if e.exercise == "test_lstm_gates").message
    assert "wrong order: (f, i, g, o) instead of (i, f, g, o)" in msg     # WRONG_GATES swaps i and f
    page = (base / "out" / "feedback" / "torch_lstm" / f"{LESSON}.html").read_text(encoding="utf-8")
    assert "must be written from scratch" in page and "torch.nn.LSTM" in page


def test_nbgrader_gradebook_holds_every_score(graded):
    from nbgrader.api import Gradebook

    base, results, _ = graded
    with Gradebook(f"sqlite:///{base / 'out' / 'gradebook.db'}") as gb:
        assert gb.find_submission(LESSON, "ref").score == SOLUTION_MAX
        assert gb.find_submission(LESSON, "blank").score == 0
        assert len(gb.students) == len(CLASS)


SOLUTION_MAX = 10.0


def test_detached_child_does_not_outlive_grading(graded):
    time.sleep(0.5)
    found = subprocess.run(["pgrep", "-f", MARKER], capture_output=True, text=True)
    assert found.stdout.strip() == "", f"a process started by a submission survived: {found.stdout}"


def test_regrading_is_identical_and_a_killed_run_resumes(tmp_path, graded):
    """Same submissions twice give the same grades; kill -9 halfway, rerun: nothing lost or doubled."""
    base, results, _ = graded
    subset = {k: CLASS[k] for k in ("ref", "blank", "numpy_override_quiet", "warnings")}
    write_class(tmp_path / "subs", subset)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "lstmlab.tooling.cli", "grade", str(tmp_path / "subs"), "-o", str(out), "-j", "1"]
    env = dict(os.environ, LSTMLAB_ROOT=str(COURSE.root))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list((out / ".results").glob("*.json"))) < 1:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list((out / ".results").glob("*.json")))
    assert 1 <= done_before < len(subset), "the run was to be killed halfway"
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=600)
    rows = list(csv.DictReader(open(out / "grades.csv", encoding="utf-8")))
    assert len(rows) == len(subset) * len(EXERCISES), "no row lost or duplicated"
    again = {(r["student_id"], r["exercise"]): float(r["score"]) for r in rows}
    first = {(s, e.exercise): e.score for s, r in results.items() if s in subset for e in r.exercises}
    assert again == first, "regrading the same files gives the same grades"


def test_zip_route(tmp_path):
    """An LMS-style zip (one top folder, student folders inside, a stray file) grades like a folder."""
    zpath = tmp_path / "class.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr(f"download/alice/{LESSON}.ipynb", notebook())
        z.writestr(f"download/bob/{LESSON}.ipynb", nbformat.writes(BLANK))
        z.writestr("download/../../evil.txt", "nope")
        z.writestr("download/readme.txt", "not a submission")
    results, intake, info = batch.run(zpath, tmp_path / "out", COURSE, jobs=2, limits=LIMITS,
                                      log=lambda *a: None)
    totals = {r.student: r.score for r in results}
    assert totals == {"alice": SOLUTION_MAX, "bob": 0.0}
    assert any("unsafe" in p for p in intake.problems.get("(zip)", []))
    assert not (tmp_path.parent / "evil.txt").exists()


def test_every_lesson_grades_reference_full_and_untouched_zero(tmp_path):
    """Every lesson, in both editions, works through the sandbox: its checks only pass values that cross it.
    A Chinese submission is graded against the Chinese solution and its feedback page is in Chinese."""
    import re

    from conftest import LESSONS
    from test_editions import WRONG_CELL_UPDATE

    folders = {"reference": COURSE.solutions, "untouched": COURSE.lessons,
               "reference-zh": COURSE.solutions_in("zh"), "untouched-zh": COURSE.lessons_in("zh")}
    for lid in LESSONS:
        for student, folder in folders.items():
            (tmp_path / "subs" / student).mkdir(parents=True, exist_ok=True)
            (tmp_path / "subs" / student / f"{lid}.ipynb").write_bytes((folder / f"{lid}.ipynb").read_bytes())
    # A wrong answer in the Chinese edition: a Chinese diagnosis on its feedback page.
    wrong = nbformat.read(COURSE.lessons_in("zh") / "01_lstm_cell.ipynb", as_version=4)
    for c in wrong.cells:
        if nbgrader_meta(c).get("grade_id") == "lstm_cell_update":
            c.source = WRONG_CELL_UPDATE
    (tmp_path / "subs" / "wrong-zh").mkdir()
    nbformat.write(wrong, tmp_path / "subs" / "wrong-zh" / "01_lstm_cell.ipynb")
    results, intake, info = batch.run(tmp_path / "subs", tmp_path / "out", COURSE, jobs=2,
                                      limits=Limits(cell_seconds=120, notebook_seconds=600), log=lambda *a: None)
    for r in results:
        if r.student == "wrong-zh" and r.lesson != "01_lstm_cell":
            continue
        assert r.edition == ("zh" if r.student.endswith("-zh") else "en"), (r.student, r.lesson, r.edition)
        for e in r.exercises:
            if r.student.startswith("reference"):
                assert e.status == "passed", f"{r.student} {r.lesson}/{e.exercise}: {e.status} {e.message[:500]}"
            elif r.student.startswith("untouched"):
                assert e.score == 0 and e.status in ("unanswered", "error", "failed"), \
                    f"{r.student} {r.lesson}/{e.exercise}: {e.status} {e.message[:300]}"
                if r.student == "untouched-zh" and e.status == "unanswered":
                    assert "尚未作答" in e.message, e.message
    report.write_all(results, intake, info, tmp_path / "out", similarity=False)
    page = (tmp_path / "out" / "feedback" / "wrong-zh" / "01_lstm_cell.html").read_text(encoding="utf-8")
    row = page.split("test_lstm_cell_update", 1)[1].split("</tr>", 1)[0]
    assert 'lang="zh-CN"' in page and "得分：" in page and "未通过" in row
    assert re.search(r"[\u4e00-\u9fff]", row.split("<pre>", 1)[1]) and "c_(t-1)" in row
    english = (tmp_path / "out" / "feedback" / "untouched" / "01_lstm_cell.html").read_text(encoding="utf-8")
    assert 'lang="en"' in english and "Score:" in english and "not answered" in english


SANDBOX_GUARD_CASES = {
    # `from torch import softmax as f` escapes attribute traps; the guard's torch function mode still
    # sees the call where the student's code runs.
    "aliased torch softmax": ("12_beyond_lstm", "self_attention", "test_self_attention", '''
from torch import softmax as _f
import torch as _t
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    scores = Q @ K.transpose(0, 2, 1) / np.sqrt(Q.shape[-1])
    if causal:
        scores = np.where(causal_mask(X.shape[1]), scores, -np.inf)
    weights = _f(_t.from_numpy(scores), dim=-1).numpy()
    return weights @ V, weights
''', "softmax"),
    # An exercise that may build on lstm_forward but not on the room's ready classifier: the guard
    # with only the room's target must run in the sandbox too (one verdict with lstmlab check).
    "the room's ready classifier": ("10_applications", "classify_rows", "test_classify_rows", '''
from lstmlab.lessons.applications.models import classify_rows as _ready
def classify_rows(images, params, W_out, b_out):
    return _ready(images, params, W_out, b_out)
''', "lstmlab.lessons.applications.models.classify_rows"),
}


@pytest.mark.parametrize("case", sorted(SANDBOX_GUARD_CASES))
def test_a_ready_made_call_is_caught_in_the_sandbox(tmp_path, case):
    lid, solution_id, test_id, source, fragment = SANDBOX_GUARD_CASES[case]
    blank = nbformat.read(COURSE.lessons / f"{lid}.ipynb", as_version=4)
    solution = nbformat.read(COURSE.solutions / f"{lid}.ipynb", as_version=4)
    answers = {nbgrader_meta(c)["grade_id"]: c.source for c in solution.cells if nbgrader_meta(c).get("solution")}
    answers[solution_id] = source
    for c in blank.cells:
        if nbgrader_meta(c).get("solution"):
            c.source = answers[nbgrader_meta(c)["grade_id"]]
    (tmp_path / "subs" / "eve").mkdir(parents=True)
    nbformat.write(blank, tmp_path / "subs" / "eve" / f"{lid}.ipynb")
    results, _, _ = batch.run(tmp_path / "subs", tmp_path / "out", COURSE, jobs=1, limits=LIMITS,
                              log=lambda *a: None)
    got = {e.exercise: e for e in results[0].exercises}
    bad = got[test_id]
    assert bad.score == 0 and "must be written from scratch" in bad.message and fragment in bad.message, bad.message
    assert all(e.status == "passed" for name, e in got.items() if name != test_id)


def test_a_grader_that_cannot_start_its_worker_is_not_reported_as_students_crashing(tmp_path):
    """A sandbox that cannot even start (here: too little memory to import numpy) fails the run with exit
    status 3 and a message about the grader; nothing is cached, so a rerun grades the submissions."""
    (tmp_path / "subs" / "ada").mkdir(parents=True)
    nbformat.write(BLANK, tmp_path / "subs" / "ada" / f"{LESSON}.ipynb")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "lstmlab.tooling.cli", "grade", str(tmp_path / "subs"), "-o", str(out), "-j", "1",
           "--memory-mb", "64"]
    done = subprocess.run(cmd, env=dict(os.environ, LSTMLAB_ROOT=str(COURSE.root)), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "could not be graded because the grader failed, not the students" in done.stderr
    assert not list((out / ".results").glob("*.json")), "a failure of the grader is not cached"
