"""The trusted side keeps going: a dying grading process costs no innocent student, a killed
`lstmlab grade` leaves no process behind, and limits a student cannot reach are the grader's own."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import psutil

from conftest import COURSE
from lstmlab.tooling.grading import batch
from lstmlab.tooling.grading.sandbox import Limits
from lstmlab.tooling.grading.verdict import Status
from test_grading import LESSON, notebook

import grading_helpers

LIMITS = Limits(cell_seconds=20, notebook_seconds=120)


def test_a_dead_grading_process_costs_only_the_submission_that_killed_it(tmp_path):
    for student in ("alice", "bob", "mallory"):
        (tmp_path / "subs" / student).mkdir(parents=True)
        (tmp_path / "subs" / student / f"{LESSON}.ipynb").write_text(notebook(), encoding="utf-8")
    results, _, _ = batch.run(tmp_path / "subs", tmp_path / "out", COURSE, jobs=2, limits=LIMITS,
                              log=lambda *a: None, grade_job=grading_helpers.dies_on_mallory)
    by = {r.student: r for r in results}
    for innocent in ("alice", "bob"):
        assert by[innocent].score == by[innocent].max_score and not by[innocent].grader_error, by[innocent].problems
    assert by["mallory"].grader_error and "died twice" in by["mallory"].grader_error
    assert all(e.status == Status.CRASHED for e in by["mallory"].exercises)
    cached = list((tmp_path / "out" / ".results").glob("*.json"))
    assert len(cached) == 2     # a grader failure is never cached as a verdict


def _processes_with(marker: str) -> list[int]:
    """Pids of the processes whose command line or environment holds marker (this one excepted)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.pid != os.getpid() and (marker in " ".join(proc.cmdline()) or marker in str(proc.environ())):
                found.append(proc.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def test_killing_lstmlab_grade_leaves_no_process_behind(tmp_path):
    marker = f"lstmlab-orphan-{uuid.uuid4().hex[:8]}"
    busy = f'''
import subprocess
subprocess.Popen(["sh", "-c", "sleep 300; echo {marker}"], start_new_session=True)
while True:
    pass
'''
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    (tmp_path / "subs" / "alice" / f"{LESSON}.ipynb").write_text(notebook({"lstm_param_count": busy}), encoding="utf-8")
    env = {**os.environ, "LSTMLAB_TEST_MARK": marker}
    grader = subprocess.Popen([sys.executable, "-m", "lstmlab.tooling.cli", "grade", str(tmp_path / "subs"),
                               "-o", str(tmp_path / "out"), "-j", "1", "--cell-timeout", "100"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not _processes_with(f"sleep 300; echo {marker}"):
        time.sleep(0.5)
    assert _processes_with(f"sleep 300; echo {marker}"), "the student's code never started"
    os.kill(grader.pid, signal.SIGKILL)
    grader.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _processes_with(marker):
        time.sleep(0.5)
    left = _processes_with(marker)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not left, f"processes left after the grader was killed: {left}"
