"""The nbgrader exchange route (as on JupyterHub) ends in the same grading:
release -> fetch -> submit -> collect with a private exchange root, then `lstmlab grade` on submitted/."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from conftest import COURSE

LESSON = "01_lstm_cell"


# nbgrader takes the student's name from the OS account (pwd); on JupyterHub every student has one.
# Here one OS user plays several students, so the name lookup is replaced in the nbgrader process.
AS_USER = ("import sys, nbgrader.utils as u; name = sys.argv.pop(1); u.get_osusername = lambda: name; "
           "from nbgrader.apps.nbgraderapp import main; sys.exit(main())")


def nbgrader(*args, cwd: Path, exchange: Path, user: str = "instructor"):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    cmd = [sys.executable, "-c", AS_USER, user, *args, "--course=lstmlab", f"--Exchange.root={exchange}"]
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"nbgrader {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_release_fetch_submit_collect_then_grade(tmp_path):
    exchange, course = tmp_path / "exchange", tmp_path / "course"
    exchange.mkdir(mode=0o777)
    (course / "source" / LESSON).mkdir(parents=True)
    shutil.copy(COURSE.course_dir / "nbgrader_config.py", course)
    shutil.copy(COURSE.solutions / f"{LESSON}.ipynb", course / "source" / LESSON)
    nbgrader("generate_assignment", LESSON, "--force", cwd=course, exchange=exchange)
    nbgrader("release_assignment", LESSON, "--force", cwd=course, exchange=exchange)

    solution = nbformat.read(COURSE.solutions / f"{LESSON}.ipynb", as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for student, fill in (("alice", True), ("bob", False)):
        home = tmp_path / student
        home.mkdir()
        nbgrader("fetch_assignment", LESSON, cwd=home, exchange=exchange, user=student)
        path = home / LESSON / f"{LESSON}.ipynb"
        nb = nbformat.read(path, as_version=4)
        if fill:  # alice answers everything; bob hands in the untouched lesson
            for c in nb.cells:
                gid = c.metadata.get("nbgrader", {}).get("grade_id")
                if c.metadata.get("nbgrader", {}).get("solution"):
                    c.source = answers[gid]
            nbformat.write(nb, path)
        nbgrader("submit", LESSON, cwd=home, exchange=exchange, user=student)

    nbgrader("collect", LESSON, cwd=course, exchange=exchange)
    assert (course / "submitted" / "alice" / LESSON / f"{LESSON}.ipynb").is_file()

    out = tmp_path / "out"
    env = dict(os.environ, LSTMLAB_ROOT=str(COURSE.root))
    done = subprocess.run([sys.executable, "-m", "lstmlab.tooling.cli", "grade", str(course / "submitted"), "-o", str(out), "-j", "2"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    totals = {}
    for row in csv.DictReader(open(out / "grades.csv", encoding="utf-8")):
        totals[row["student_id"]] = totals.get(row["student_id"], 0.0) + float(row["score"])
    assert totals == {"alice": 10.0, "bob": 0.0}
