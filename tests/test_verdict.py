"""lstmlab.tooling.grading.verdict: one status enum and one result shape from the judge to the report."""
from __future__ import annotations

import json

from lstmlab.tooling.grading.judge import StudentCodeError, WorkerLost, _message_of, _status_of
from lstmlab.tooling.grading.verdict import ExerciseResult, Status, SubmissionResult


def test_result_round_trips_through_the_json_cache_with_its_statuses():
    r = SubmissionResult("ada", "01_lstm_cell", [ExerciseResult("test_a", 2.0, 2.0, Status.PASSED, "", "✔ ok"),
                                                 ExerciseResult("test_b", 1.0, 0.0, Status.TIMEOUT, "too slow")],
                         problems=["misnamed"], sandbox="fallback", seconds=1.5)
    back = SubmissionResult.from_dict(json.loads(json.dumps(r.as_dict())))
    assert back == r and isinstance(back.exercises[1].status, Status)
    assert back.score == 2.0 and back.max_score == 3.0


def test_statuses_are_their_strings_and_say_themselves():
    assert Status.PASSED == "passed" and json.dumps(Status.NOT_RUN) == '"not run"'
    assert Status.TIMEOUT.text == "time limit exceeded"
    assert {s for s in Status if s.is_incident} == {Status.ERROR, Status.TIMEOUT, Status.CRASHED, Status.REJECTED,
                                                   Status.NOT_RUN}


def test_timeout_and_crash_are_decided_by_status_not_by_message_text():
    """A crash whose message happens to say "time limit" is still a crash."""
    assert _status_of(WorkerLost("the kernel died (time limit of my own)")) == Status.CRASHED
    assert _status_of(WorkerLost("slow", Status.TIMEOUT)) == Status.TIMEOUT
    assert _status_of(StudentCodeError("...", "NotImplementedError")) == Status.UNANSWERED
    assert _status_of(StudentCodeError("...", "ValueError")) == Status.ERROR
    assert _status_of(AssertionError("your forget gate ignores x_t")) == Status.FAILED


def test_a_note_attached_by_a_check_reaches_the_feedback():
    exc = StudentCodeError("ValueError: shapes (2,3) and (4,5) not aligned", "ValueError")
    exc.__notes__ = ["The usual cause: Wx is (D, 4H), so x @ Wx, not Wx @ x."]   # what add_note (3.11+) does
    assert _message_of(exc).endswith("The usual cause: Wx is (D, 4H), so x @ Wx, not Wx @ x.")
