"""lstmlab.tooling.grading.report and the resume cache key: outputs an instructor opens stay safe."""
from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

from lstmlab.tooling.grading import batch, report
from lstmlab.tooling.grading.sandbox import Limits
from lstmlab.tooling.grading.verdict import ExerciseResult, Status, SubmissionResult


def _result(student: str, message: str = "") -> SubmissionResult:
    return SubmissionResult(student, "01_lstm_cell", [ExerciseResult("test_lstm_gates", 2.0, 0.0, Status.ERROR, message)])


def test_ids_a_spreadsheet_would_read_as_formulas_are_written_as_text(tmp_path):
    results = [_result("=cmd|' /C calc'!A0"), _result("+1+1"), _result("-2"), _result("@SUM(A1)"), _result("ada")]
    report.write_csv(results, tmp_path / "grades.csv")
    ids = [row["student_id"] for row in csv.DictReader(open(tmp_path / "grades.csv", encoding="utf-8"))]
    assert ids == ["'=cmd|' /C calc'!A0", "'+1+1", "'-2", "'@SUM(A1)", "ada"]


def test_a_lone_surrogate_in_a_students_exception_does_not_stop_the_pages(tmp_path):
    results = [_result("ada", "ValueError: \udce9t\u00e9"), _result("bob", "fine")]
    intake = SimpleNamespace(problems={"ada": ["file name \udcff"]})
    info = {"specs": {}, "seconds": 1.0, "jobs": 1, "graded_now": 2, "sandbox": "test"}
    report.write_csv(results, tmp_path / "grades.csv")
    for r in results:
        target = tmp_path / "feedback" / r.student / f"{r.lesson}.html"
        target.parent.mkdir(parents=True)
        target.write_text(report.feedback_html(r), encoding="utf-8", errors="backslashreplace")
    (tmp_path / "report.html").write_text(report.report_html(results, intake.problems, info), encoding="utf-8",
                                          errors="backslashreplace")
    page = (tmp_path / "feedback" / "ada" / "01_lstm_cell.html").read_text(encoding="utf-8")
    assert "\\udce9t\u00e9" in page and "bob" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_the_cache_key_changes_with_limits_isolation_and_grading_code():
    sub = batch.Submission("ada", "01_lstm_cell", Path("x.ipynb"), "", "abc")
    key = batch.result_key(sub, "sol", Limits(), False, "v1")
    assert key == batch.result_key(sub, "sol", Limits(), False, "v1")
    assert key != batch.result_key(sub, "sol", Limits(cell_seconds=120), False, "v1"), "a longer time limit regrades"
    assert key != batch.result_key(sub, "sol", Limits(), True, "v1"), "another isolation regrades"
    assert key != batch.result_key(sub, "sol", Limits(), False, "v2"), "a fixed check regrades"
    assert len(batch.code_version()) == 16 and batch.code_version() == batch.code_version()
