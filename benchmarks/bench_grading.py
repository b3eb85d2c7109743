"""Time `lstmlab grade` against sequential stock `nbgrader autograde` on the same submissions.

A class of N students hands in lesson 01 (a mix of the reference answers, the untouched lesson and
a wrong answer). Stock nbgrader grades them one after another (the only way it can, #174); ours
grades them with -j 1 and -j 2. Also reported: the mean grading time of an untouched submission,
i.e. our overhead per submitted lesson beyond the student's own code (the sandboxed worker's start,
the lesson's setup cells, the calls across the sandbox).

    python benchmarks/bench_grading.py [--students 8] [--lesson 01_lstm_cell]
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from lstmlab.tooling.course import Course, nbgrader_api, repo_root, with_venv_on_path


def make_class(course: Course, lesson: str, n: int, folder: Path) -> None:
    solution = nbformat.read(course.solutions / f"{lesson}.ipynb", as_version=4)
    blank = nbformat.read(course.lessons / f"{lesson}.ipynb", as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for k in range(n):
        nb = copy.deepcopy(blank)
        kind = ("reference", "blank", "half")[k % 3]
        done = 0
        for c in nb.cells:
            meta = c.metadata.get("nbgrader", {})
            if meta.get("solution") and kind != "blank" and (kind == "reference" or done < 2):
                c.source = answers[meta["grade_id"]]
                done += 1
        (folder / f"s{k:02d}").mkdir(parents=True)
        nbformat.write(nb, folder / f"s{k:02d}" / f"{lesson}.ipynb")


def stock(course: Course, lesson: str, subs: Path, work: Path) -> float:
    shutil.copy(course.course_dir / "nbgrader_config.py", work)
    (work / "source" / lesson).mkdir(parents=True)
    shutil.copy(course.solutions / f"{lesson}.ipynb", work / "source" / lesson)
    api = nbgrader_api(work)
    assert api.generate_assignment(lesson, force=True, create=True)["success"]
    for sdir in sorted(subs.iterdir()):
        (work / "submitted" / sdir.name / lesson).mkdir(parents=True)
        shutil.copy(sdir / f"{lesson}.ipynb", work / "submitted" / sdir.name / lesson)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{work / 'gradebook.db'}") as gb:
        for sdir in subs.iterdir():
            gb.update_or_create_student(sdir.name)
    start = time.perf_counter()
    for sdir in sorted(subs.iterdir()):
        result = api.autograde(lesson, sdir.name, force=True, create=True)
        assert result["success"], result["error"]
    return time.perf_counter() - start


def ours(subs: Path, out: Path, jobs: int) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lstmlab.tooling.cli", "grade", str(subs), "-o", str(out), "-j", str(jobs)],
                   check=True, capture_output=True)
    took = time.perf_counter() - start
    return took, [json.loads(p.read_text()) for p in (out / ".results").glob("*.json")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=8)
    ap.add_argument("--lesson", default="01_lstm_cell")
    args = ap.parse_args()
    course = Course(repo_root())
    with_venv_on_path()
    os.environ.setdefault("LSTMLAB_ROOT", str(course.root))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_class(course, args.lesson, args.students, tmp / "subs")
        (tmp / "stock").mkdir()
        t_stock = stock(course, args.lesson, tmp / "subs", tmp / "stock")
        t1, res1 = ours(tmp / "subs", tmp / "out1", 1)
        t2, _ = ours(tmp / "subs", tmp / "out2", 2)
    blank = [r["seconds"] for r in res1 if all(e["status"] == "unanswered" for e in r["exercises"])]
    ref = [r["seconds"] for r in res1 if all(e["status"] == "passed" for e in r["exercises"])]
    n = args.students
    print(f"{n} submissions of {args.lesson}, {os.cpu_count()} CPUs")
    print(f"stock nbgrader autograde, sequential: {t_stock:6.1f} s  ({t_stock / n:.1f} s per submission)")
    print(f"lstmlab grade -j 1:                   {t1:6.1f} s  ({t1 / n:.1f} s per submission)")
    print(f"lstmlab grade -j 2:                   {t2:6.1f} s  ({t2 / n:.1f} s per submission)")
    print(f"speed-up of -j 2 over stock: {t_stock / t2:.2f}x (target >= 1.8x)")
    if blank:
        print(f"overhead per submitted lesson (untouched lesson, -j 1): {statistics.mean(blank):.2f} s mean (target < 5 s)")
    if ref:
        print(f"reference answers, -j 1: {statistics.mean(ref):.2f} s mean per submission")


if __name__ == "__main__":
    main()
