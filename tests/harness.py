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


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def exercises(nb) -> list[Exercise]:
    """Each graded test cell paired with the solution cell before it."""
    out, last_solution = [], None
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code":
            continue
        if meta.get("solution"):
            last_solution = cell
        elif meta.get("grade"):
            if last_solution is None:
                raise ValueError(f"test cell {meta['grade_id']} has no solution cell before it")
            out.append(Exercise(nbgrader_meta(last_solution)["grade_id"], meta["grade_id"], float(meta["points"]),
                                last_solution.source, cell.source))
            last_solution = None
    return out


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
        last_test = max(i for i, c in enumerate(self.nb.cells) if nbgrader_meta(c).get("grade"))
        for k, cell in enumerate(self.nb.cells[: last_test + 1]):
            if cell.cell_type == "code" and not is_demo(cell):
                run_source(cell.source, self.base, f"{path.stem} cell {k}")

    def judge(self, solution_id: str, source: str) -> tuple[bool, str]:
        """(passed, message): run `source` in place of the solution, then the exercise's full test cell."""
        ex = self.exercises[solution_id]
        ns = dict(self.base)
        try:
            run_source(source, ns, f"{solution_id} implementation")
            run_source(ex.test_source, ns, ex.test_id)
        except Exception as exc:  # the test cell failing is the expected outcome for wrong code
            return False, f"{type(exc).__name__}: {exc}"
        return True, ""
