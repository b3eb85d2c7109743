"""Run a solution notebook's exercises against other implementations, in one process per lesson.

The notebook's code cells (demo cells excepted) are executed once, in order, into a
base namespace. An implementation is then judged like nbgrader would judge it: its
source replaces the exercise's solution cell (executed in a shallow copy of the base
namespace, so other exercises keep their reference answers) and the exercise's test
cell, hidden tests included, runs after it. Passing = the test cell raises nothing.
"""
from __future__ import annotations

import contextlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from lstmlab.tooling.grading.notebook import lesson_spec, nbgrader_meta, tampering  # noqa: F401  (nbgrader_meta: for tests)

MAGIC = re.compile(r"^\s*[%!].*$", re.MULTILINE)


@dataclass
class Exercise:
    solution_id: str     # grade_id of the solution cell
    test_id: str         # grade_id of its autograder test cell
    points: float
    solution_source: str
    test_source: str


def is_demo(cell) -> bool:
    return "demo" in cell.get("metadata", {}).get("tags", [])


def exercises(nb) -> list[Exercise]:
    """Each graded test cell paired with the solution cell before it (as the grader reads them)."""
    steps = lesson_spec(nb, "").steps
    answers = {s.solution_id: s.source for s in steps if s.kind == "answer"}
    return [Exercise(s.exercise.solution_id, s.exercise.test_id, s.exercise.points,
                     answers[s.exercise.solution_id], s.source) for s in steps if s.kind == "test"]


def run_source(source: str, namespace: dict, name: str) -> None:
    """exec a cell's source (IPython magics dropped) with stdout captured and warnings silenced."""
    code = compile(MAGIC.sub("", source), f"<{name}>", "exec")
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        exec(code, namespace)


class LessonRunner:
    """One solution notebook loaded once; judge any implementation of any of its exercises."""

    def __init__(self, path: Path):
        import matplotlib

        matplotlib.use("Agg")
        self.path = path
        self.nb = nbformat.read(path, as_version=4)
        self.exercises = {e.solution_id: e for e in exercises(self.nb)}
        self.base: dict = {"__name__": "__main__"}
        steps = lesson_spec(self.nb, path.stem).steps
        last_test = max(k for k, step in enumerate(steps) if step.kind == "test")
        for k, step in enumerate(steps[: last_test + 1]):
            if step.kind != "demo":
                run_source(step.source, self.base, f"{path.stem} step {k}")

    def judge(self, solution_id: str, source: str) -> tuple[bool, str]:
        """(passed, message): run `source` in place of the solution, then the exercise's full test cell."""
        ex = self.exercises[solution_id]
        # The same scan `lstmlab grade` applies: an answer it rejects must not pass here either.
        reasons = tampering(source)
        if reasons:
            return False, "rejected: the answer reaches into the interpreter or the grader (" + ", ".join(reasons) + ")"
        ns = dict(self.base)
        # An answer that draws from numpy's global generator (a bank mistake) must get the same verdict and
        # message whatever ran before it in this process: every case starts from the same global state.
        np.random.seed(0)
        try:
            run_source(source, ns, f"{solution_id} implementation")
            run_source(ex.test_source, ns, ex.test_id)
        except Exception as exc:  # the test cell failing is the expected outcome for wrong code
            notes = "".join(f"\n{n}" for n in getattr(exc, "__notes__", ()))
            return False, f"{type(exc).__name__}: {exc}{notes}"
        return True, ""
