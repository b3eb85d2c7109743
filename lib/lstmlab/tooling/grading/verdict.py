"""What grading decides, in one shape from the judge to the report: statuses and results.

The judge fills a SubmissionResult per submitted lesson; batch caches it as JSON in OUT/.results/
(as_dict / from_dict round-trip exactly); report, the gradebook, `lstmlab check` and the CLI read the
same objects. Every verdict is one Status.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum

from ...i18n import N_, _


class Status(str, Enum):
    """An exercise's verdict. A str: it is its own value in JSON and compares equal to it
    (str, Enum rather than 3.11's StrEnum, so the course runs on Python 3.10 too)."""

    __str__ = str.__str__      # str(Status.PASSED) == "passed", as StrEnum gives
    __format__ = str.__format__

    PASSED = "passed"          # every test passed: full points
    FAILED = "failed"          # a check failed: its diagnosis is the message
    ERROR = "error"            # the student's code raised
    UNANSWERED = "unanswered"  # the function still raises NotImplementedError
    TIMEOUT = "timeout"        # the time limit of a cell or of the notebook was reached
    CRASHED = "crashed"        # the worker died (os._exit, a segfault, memory)
    REJECTED = "rejected"      # not graded: tampering, or the answer cell is missing or retyped
    MISSING = "missing"        # the lesson was not handed in
    NOT_RUN = "not run"        # grading stopped before this exercise

    @property
    def text(self) -> str:
        """How feedback and the report say it to a student (in the current language)."""
        return _(_TEXT[self])

    @property
    def is_incident(self) -> bool:
        """Something an instructor should look at (beyond a wrong or missing answer)."""
        return self in (Status.ERROR, Status.TIMEOUT, Status.CRASHED, Status.REJECTED, Status.NOT_RUN)


_TEXT = {Status.PASSED: N_("passed"), Status.FAILED: N_("failed"), Status.ERROR: N_("your code raised an error"),
         Status.UNANSWERED: N_("not answered"), Status.TIMEOUT: N_("time limit exceeded"),
         Status.CRASHED: N_("the kernel crashed"), Status.REJECTED: N_("not graded (see reason)"),
         Status.MISSING: N_("not submitted"), Status.NOT_RUN: N_("not run")}


@dataclass
class ExerciseResult:
    exercise: str              # the test cell's grade id
    points: float
    score: float = 0.0
    status: Status = Status.NOT_RUN
    message: str = ""          # the diagnosis, or why no points were given
    output: str = ""           # what the test cell printed (its ✔ lines)


@dataclass
class SubmissionResult:
    student: str
    lesson: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)   # about the submission as a whole
    sandbox: str = ""                                   # the isolation it was graded in
    seconds: float = 0.0
    grader_error: str = ""   # set when the grader, not the student, failed: never cached; `lstmlab grade` exits 3
    edition: str = "en"      # the edition submitted (metadata.lstmlab.edition): the language of its feedback

    @property
    def score(self) -> float:
        return sum(e.score for e in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(e.points for e in self.exercises)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "SubmissionResult":
        exercises = [ExerciseResult(**{**e, "status": Status(e["status"])}) for e in d["exercises"]]
        return cls(**{**d, "exercises": exercises})
