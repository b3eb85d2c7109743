"""Shared fixtures: the course checkout, its lessons, and one LessonRunner per lesson."""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

# Before numpy or torch load here or in any kernel a test starts: pytest -n 2 runs two test processes
# on 2 cores, so each (and its kernels) gets one thread (lstmlab.tooling.course.ONE_THREAD_PER_KERNEL).
for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lstmlab.tooling.course import Course  # noqa: E402

COURSE = Course(ROOT)
LESSONS = COURSE.lesson_ids()


# Scheduling on two workers (`make test`: pytest -n 2 --dist loadgroup). Every test file is one group, so
# its module fixtures are built once on one worker, except the stock-nbgrader round trips, one group per
# lesson: together they are about 8 minutes of CPU that one worker would otherwise carry alone. Groups
# start longest first (measured: benchmarks/README.md, "Test suite"), so that no long one is left for the
# end while the other core idles.
LONGEST_FIRST = ("test_grading.py::own", "test_grading.py", "test_jupyterhub.py", "test_browser.py",
                 "test_lessons.py::round trip",
                 "test_banks.py", "test_distributed.py", "test_exchange.py", "test_instructor_view.py",
                 "test_validate.py", "test_install_without_make.py", "test_sandbox.py", "test_grading_resilience.py",
                 "test_editions.py", "test_lessons.py")
ROUND_TRIP = "test_nbgrader_gives_solution_full_marks_and_blank_zero"
# test_grading.py's tests that do not share its class-grading fixture `graded` (10 minutes in one group
# otherwise): each is a group of its own.
OWN_GROUPS = {"test_grading.py": "graded"}


@pytest.hookimpl(tryfirst=True)   # before xdist's own hook, which reads the groups
def pytest_collection_modifyitems(config, items):
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    for item in items:
        file = Path(str(item.fspath)).name
        if getattr(item, "originalname", None) == ROUND_TRIP:
            item.add_marker(pytest.mark.xdist_group(f"{file}::{item.callspec.id}"))
            item.stash[_RANK] = rank[f"{file}::round trip"]
        elif file in OWN_GROUPS and OWN_GROUPS[file] not in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(item.nodeid))
            item.stash[_RANK] = rank[f"{file}::own"]
        else:
            item.add_marker(pytest.mark.xdist_group(file))
            item.stash[_RANK] = rank.get(file, len(rank))
    items.sort(key=lambda it: it.stash[_RANK])   # stable: collection order within a rank


_RANK = pytest.StashKey[int]()


def bank_for(lesson_id: str):
    """The bank module tests/banks/bank_<lesson_id>.py (ImportError if the lesson has none)."""
    return importlib.import_module(f"banks.bank_{lesson_id}")


@pytest.fixture(scope="session")
def course() -> Course:
    return COURSE


_runners: dict = {}


@pytest.fixture
def runner_for():
    """runner_for(lesson_id) -> LessonRunner, built once per lesson per session."""
    from harness import LessonRunner

    def get(lesson_id: str):
        if lesson_id not in _runners:
            _runners[lesson_id] = LessonRunner(COURSE.solutions / f"{lesson_id}.ipynb")
        return _runners[lesson_id]

    return get
