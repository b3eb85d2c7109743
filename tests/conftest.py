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
