"""Time `lstmlab grade` against sequential stock `nbgrader autograde` on the same submissions.

A class of N students hands in lesson 01 (a mix of the reference answers, the untouched lesson and
a wrong answer). Stock nbgrader grades them one after another (the only way it can, #174); ours
grades them with -j 1 and -j 2, with workers forked from the warm zygote and started cold
(LSTMLAB_WARM=0). Also reported: the mean grading time of an untouched submission, i.e. our overhead
per submitted lesson beyond the student's own code (the sandboxed worker's start, the lesson's setup
cells, the calls across the sandbox), and, graded in this process, its breakdown per stage (judge.STAGES)
for the untouched lesson and the reference answers of lesson 01 and of --other, warm and cold.

    python benchmarks/bench_grading.py [--students 8] [--lesson 01_lstm_cell] [--other 06_training_stability]
                                       [--repeat 3] [--no-stock]
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


def ours(subs: Path, out: Path, jobs: int, warm: bool = True) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lstmlab.tooling.cli", "grade", str(subs), "-o", str(out), "-j", str(jobs)],
                   check=True, capture_output=True, env={**os.environ, "LSTMLAB_WARM": "1" if warm else "0"})
    took = time.perf_counter() - start
    return took, [json.loads(p.read_text()) for p in (out / ".results").glob("*.json")]


STAGE_NAMES = ("start", "worker_setup", "judge_setup", "answers", "tests", "close")


def stages(course: Course, lessons: list[str], repeat: int) -> list[tuple]:
    """Grade the untouched lesson and the reference answers in this process, warm and cold: rows of
    (lesson, kind, path, mean seconds, {stage: mean seconds}). The first grade of each path is a warm-up
    (the judge imports the lesson's modules once per process; the zygote starts once per process) and is
    reported apart, as "(first in process)" (for the cold path the judge's imports are done by then);
    a reference grade of each lesson also runs once before measuring (the checks' first torch ops)."""
    from lstmlab.tooling.grading import judge
    from lstmlab.tooling.grading.notebook import load_lesson, read_submission
    from lstmlab.tooling.grading.sandbox import Sandbox

    rows = []
    specs = {lesson: load_lesson(course.solutions / f"{lesson}.ipynb") for lesson in lessons}

    def once(sandbox, lesson, folder, slot):
        raw = (folder / f"{lesson}.ipynb").read_bytes()
        t = time.perf_counter()
        judge.grade(specs[lesson], read_submission(specs[lesson], raw), "bench", sandbox, slot=slot)
        return time.perf_counter() - t, dict(judge.STAGES)

    # Warm-up, reported apart: the judge's first grade in a process imports the lesson's modules and
    # runs the checks' first torch ops; the zygote starts (the first warm worker waits for it).
    for warm in (True, False):
        sandbox = Sandbox(hide=course.hidden_from_students(), warm=warm)
        took, per = once(sandbox, lessons[0], course.lessons, 0)
        rows.append(("(first in process)", "untouched", "warm" if warm else "cold", took, per))
    for lesson in lessons:
        once(Sandbox(hide=course.hidden_from_students()), lesson, course.solutions, 0)
    for warm in (True, False):
        path = "warm" if warm else "cold"
        sandbox = Sandbox(hide=course.hidden_from_students(), warm=warm)
        for lesson in lessons:
            for kind, folder in (("untouched", course.lessons), ("reference", course.solutions)):
                runs = [once(sandbox, lesson, folder, k) for k in range(repeat)]
                rows.append((lesson, kind, path, statistics.mean(t for t, _ in runs),
                             {n: statistics.mean(p.get(n, 0.0) for _, p in runs) for n in STAGE_NAMES}))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=8)
    ap.add_argument("--lesson", default="01_lstm_cell")
    ap.add_argument("--other", default="06_training_stability", help="a second lesson for the per-stage breakdown")
    ap.add_argument("--repeat", type=int, default=3, help="grades per row of the per-stage breakdown")
    ap.add_argument("--no-stock", action="store_true", help="skip stock nbgrader (the slowest part)")
    ap.add_argument("--stages-only", action="store_true", help="only the per-stage breakdown")
    args = ap.parse_args()
    course = Course(repo_root())
    with_venv_on_path()
    os.environ.setdefault("LSTMLAB_ROOT", str(course.root))
    n = args.students
    print(f"{n} submissions of {args.lesson}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_class(course, args.lesson, n, tmp / "subs")
        if not (args.no_stock or args.stages_only):
            (tmp / "stock").mkdir()
            t_stock = stock(course, args.lesson, tmp / "subs", tmp / "stock")
            print(f"stock nbgrader autograde, sequential: {t_stock:6.1f} s  ({t_stock / n:.1f} s per submission)")
        walls = {}
        for warm in () if args.stages_only else (True, False):
            path = "warm" if warm else "cold"
            for jobs in (1, 2):
                took, res = ours(tmp / "subs", tmp / f"out-{path}-{jobs}", jobs, warm)
                walls[path, jobs] = took
                blank = [r["seconds"] for r in res if all(e["status"] == "unanswered" for e in r["exercises"])]
                ref = [r["seconds"] for r in res if all(e["status"] == "passed" for e in r["exercises"])]
                # The first submission of each grading process also pays the judge's imports: see the median.
                print(f"lstmlab grade -j {jobs}, {path}: {took:6.1f} s  ({took / n:.2f} s per submission); untouched "
                      f"{statistics.mean(blank):.2f} s mean / {statistics.median(blank):.2f} s median, reference "
                      f"{statistics.mean(ref):.2f} s mean / {statistics.median(ref):.2f} s median per submission")
        if walls and not args.no_stock:
            print(f"speed-up of -j 2 (warm) over stock: {t_stock / walls['warm', 2]:.2f}x (target >= 1.8x)")
    print(f"\nper stage, graded in one process (mean of {args.repeat}; seconds):")
    print(f"{'lesson':24s} {'submission':10s} {'path':5s} {'total':>6s} " + " ".join(f"{s:>12s}" for s in STAGE_NAMES))
    for lesson, kind, path, total, per in stages(course, [args.lesson, args.other], args.repeat):
        print(f"{lesson:24s} {kind:10s} {path:5s} {total:6.2f} " + " ".join(f"{per.get(s, 0.0):12.3f}" for s in STAGE_NAMES))


if __name__ == "__main__":
    main()
