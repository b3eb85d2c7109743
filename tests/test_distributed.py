"""`lstmlab grade --scheduler`: grading on a Dask cluster of separate worker processes, started here.

One LocalCluster (2 worker processes, 1 thread each, 127.0.0.1, random ports; the scheduler gives up on
a task after 2 worker deaths) serves the module. A small real class is graded locally and on the
cluster: grades.csv must match byte for byte. The death tests use stand-in grade jobs (below; the
Dask workers import them from this module) that grade nothing, so they are quick: a worker killed once
mid-run, a submission that kills every worker it lands on, a judge process that dies.
"""
from __future__ import annotations

import hashlib
import logging
import os
import signal
import socket
import time
from pathlib import Path

import nbformat
import pytest

from conftest import COURSE
from lstmlab.tooling.grading import batch, report
from lstmlab.tooling.grading.distributed import ClusterError, DaskBackend
from lstmlab.tooling.grading.sandbox import Limits
from lstmlab.tooling.grading.verdict import ExerciseResult, Status, SubmissionResult
from test_grading import BLANK, LESSON, WRONG_GATES, notebook

pytest.importorskip("distributed")

# Generous: a time limit hit under load on one side only would make the two runs differ.
LIMITS = Limits(cell_seconds=60, notebook_seconds=400)
MARKS = "LSTMLAB_DASK_TEST_MARKS"   # a folder the stand-ins (in worker processes) leave marks in


# --- stand-in grade jobs: run in the judge process on a Dask worker ---------------------------

def _pretend_to_grade(job: dict) -> dict:
    """Full marks without running anything, after reading what the job carried (the solution it names
    and the submission's bytes, whose hash goes into problems)."""
    spec = batch.load_lesson(Path(job["solution"]))
    raw = batch.read_capped(Path(job["path"]))
    res = SubmissionResult(job["student"], spec.lesson, problems=[hashlib.sha256(raw).hexdigest()], sandbox="stand-in")
    res.exercises = [ExerciseResult(e.test_id, e.points, e.points, Status.PASSED) for e in spec.exercises]
    return res.as_dict()


def _kill_my_dask_worker() -> None:
    os.kill(os.getppid(), signal.SIGKILL)   # the judge's parent is the Dask worker process
    time.sleep(60)                          # the judge dies with it (PDEATHSIG)


def kills_its_worker_once(job: dict) -> dict:
    """Kill the Dask worker the first time victim's submission is graded; grade it normally after."""
    mark = Path(os.environ[MARKS]) / "victim-killed-a-worker"
    if job["student"] == "victim" and not mark.exists():
        mark.touch()
        _kill_my_dask_worker()
    return _pretend_to_grade(job)


def kills_every_worker(job: dict) -> dict:
    if job["student"] == "mallory":
        with open(Path(os.environ[MARKS]) / "mallory-deaths", "a") as f:
            f.write("x")
        _kill_my_dask_worker()
    return _pretend_to_grade(job)


def judge_dies_on_mallory(job: dict) -> dict:
    if job["student"] == "mallory":
        os._exit(9)
    return _pretend_to_grade(job)


# --- fixtures ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    import dask
    from distributed import LocalCluster

    marks = tmp_path_factory.mktemp("dask-marks")
    os.environ[MARKS] = str(marks)          # before the worker processes start: they inherit it
    try:
        # not daemonic worker processes (they start judge processes), as README's `dask worker` has it
        with dask.config.set({"distributed.worker.daemon": False}), \
                LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", scheduler_port=0,
                             dashboard_address=None, memory_limit=0, silence_logs=logging.CRITICAL,
                             scheduler_kwargs={"allowed_failures": 1}) as cluster:
            yield cluster.scheduler_address
    finally:
        os.environ.pop(MARKS, None)


def write_class(folder: Path, students: dict[str, str]) -> None:
    for student, text in students.items():
        (folder / student).mkdir(parents=True)
        (folder / student / f"{LESSON}.ipynb").write_text(text, encoding="utf-8")


def grade(subs: Path, out: Path, address=None, grade_job=None):
    """batch.run locally (address None) or on the cluster; returns (results, info, done notes)."""
    notes = []

    def log(msg):
        if getattr(msg, "event", None) == "done":
            notes.append(str(msg))

    if address is None:
        results, _, info = batch.run(subs, out, COURSE, jobs=2, limits=LIMITS, log=log, grade_job=grade_job)
    else:
        with DaskBackend(address) as backend:
            results, _, info = batch.run(subs, out, COURSE, jobs=backend.nthreads, limits=LIMITS, log=log,
                                         grade_job=grade_job, backend=backend)
    return results, info, notes


def verdicts(results) -> list[dict]:
    """What a result decides (timings and the sandbox description left out)."""
    return [{k: v for k, v in r.as_dict().items() if k not in ("seconds", "sandbox")} for r in results]


# --- tests ---------------------------------------------------------------------------------

def test_the_cluster_gives_the_local_grades_bit_for_bit(tmp_path, scheduler):
    write_class(tmp_path / "subs", {"alice": notebook(), "bob": notebook({"lstm_gates": WRONG_GATES}),
                                    "carol": nbformat.writes(BLANK),
                                    "dave": "{not a notebook"})
    local, _, _ = grade(tmp_path / "subs", tmp_path / "local")
    code = batch.code_version()
    remote, info, notes = grade(tmp_path / "subs", tmp_path / "dask", scheduler)
    report.write_csv(local, tmp_path / "local" / "grades.csv")
    report.write_csv(remote, tmp_path / "dask" / "grades.csv")
    assert (tmp_path / "dask" / "grades.csv").read_bytes() == (tmp_path / "local" / "grades.csv").read_bytes()
    assert verdicts(remote) == verdicts(local)
    by = {r.student: r for r in remote}
    assert by["alice"].score == by["alice"].max_score and 0 < by["bob"].score < by["bob"].max_score
    assert by["carol"].score == 0 and by["dave"].score == 0 and not any(r.grader_error for r in remote)
    # once each; the cache, written here, has the local keys
    assert len(notes) == 4 and info["graded_now"] == 4
    cached = sorted(p.name for p in (tmp_path / "dask" / ".results").glob("*.json"))
    assert cached == sorted(p.name for p in (tmp_path / "local" / ".results").glob("*.json")) and len(cached) == 4
    again, info, _ = grade(tmp_path / "subs", tmp_path / "dask", scheduler)
    if batch.code_version() == code:   # (lstmlab's code saved meanwhile re-keys the cache, by design)
        assert info["graded_now"] == 0
    assert verdicts(again) == verdicts(remote)


def test_a_worker_killed_mid_run_puts_its_submission_back(tmp_path, scheduler):
    students = ["amy", "ben", "cat", "victim", "dan", "eve"]
    write_class(tmp_path / "subs", {s: notebook() for s in students})
    results, _, notes = grade(tmp_path / "subs", tmp_path / "out", scheduler, kills_its_worker_once)
    assert (Path(os.environ[MARKS]) / "victim-killed-a-worker").exists(), [r.grader_error for r in results]
    assert sorted(r.student for r in results) == sorted(students)
    assert not [r.grader_error for r in results if r.grader_error]
    assert all(r.score == r.max_score for r in results)
    assert len(notes) == len(students)          # each recorded once, none twice
    assert len(list((tmp_path / "out" / ".results").glob("*.json"))) == len(students)


def test_a_submission_that_kills_every_worker_is_a_grader_error_and_the_others_are_graded(tmp_path, scheduler):
    write_class(tmp_path / "subs", {s: notebook() for s in ("amy", "ben", "mallory", "cat")})
    results, _, notes = grade(tmp_path / "subs", tmp_path / "out", scheduler, kills_every_worker)
    by = {r.student: r for r in results}
    assert by["mallory"].grader_error and "died 2 times" in by["mallory"].grader_error
    assert all(e.status == Status.CRASHED for e in by["mallory"].exercises)
    assert (Path(os.environ[MARKS]) / "mallory-deaths").read_text() == "xx"   # allowed_failures=1: two deaths
    for innocent in ("amy", "ben", "cat"):
        assert by[innocent].score == by[innocent].max_score and not by[innocent].grader_error
    assert len(notes) == 4
    assert len(list((tmp_path / "out" / ".results").glob("*.json"))) == 3   # a grader failure is never cached


def test_a_dying_judge_process_is_graded_again_by_dask_then_given_up(tmp_path, scheduler):
    write_class(tmp_path / "subs", {s: notebook() for s in ("amy", "mallory", "ben")})
    results, _, notes = grade(tmp_path / "subs", tmp_path / "out", scheduler, judge_dies_on_mallory)
    by = {r.student: r for r in results}
    assert by["mallory"].grader_error == "the grading process died twice on this submission"
    assert by["amy"].score == by["amy"].max_score and by["ben"].score == by["ben"].max_score
    assert len(notes) == 3 and len(list((tmp_path / "out" / ".results").glob("*.json"))) == 2


def test_an_unreachable_scheduler_is_a_clear_error():
    with socket.socket() as s:      # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler"):
        with DaskBackend(f"tcp://127.0.0.1:{port}", connect_timeout=2):
            pass
