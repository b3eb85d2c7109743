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


# --- templates: what students control is shown, never run ----------------------------------------------

import hashlib  # noqa: E402
import urllib.parse  # noqa: E402

from instructor_class import LESSON, Page, notebook_with, right  # noqa: E402
from lstmlab.tooling.grading import mistakes  # noqa: E402
from lstmlab.tooling.grading.notebook import load_lesson  # noqa: E402
from conftest import COURSE  # noqa: E402

ID_TAG = "<svg onload=alert('id')>"            # an id that is markup
ID_ATTR = 'x"onmouseover="alert(1)'            # an id that breaks out of an attribute
ID_PCT = "Jos%C3%A9"                           # a percent-encoded id (as safe_id writes José)
MESSAGE = "wrong <img src=x onerror=alert('msg')> </pre><script>alert('msg')</script> at index (1, 2)"
OUTPUT = "</pre><script>alert('out')</script>"
CODE = right("lstm_gates", "separate gate matrices") + "\n# </pre><script>alert('code')</script>\n" \
    + "note = \"<iframe src=javascript:alert('code')>\"\n"


def _injected_class(tmp_path):
    spec = load_lesson(COURSE.solutions / f"{LESSON}.ipynb")
    subs = []
    for k, student in enumerate((ID_TAG, ID_ATTR, ID_PCT)):
        path = tmp_path / "subs" / f"s{k}" / f"{LESSON}.ipynb"
        path.parent.mkdir(parents=True)
        raw = notebook_with({"lstm_gates": CODE if student != ID_PCT else right("lstm_gates", "per-example loop")})
        path.write_text(raw, encoding="utf-8")
        subs.append(batch.Submission(student, LESSON, path, "", hashlib.sha256(raw.encode()).hexdigest()))
    results = [SubmissionResult(s.student, LESSON, [
        ExerciseResult(e.test_id, e.points, 0.0, Status.FAILED if e.test_id == "test_lstm_gates" else Status.PASSED,
                       MESSAGE if e.test_id == "test_lstm_gates" else "", OUTPUT) for e in spec.exercises],
        problems=[MESSAGE]) for s in subs]
    intake = batch.Intake(subs, {ID_TAG: [MESSAGE], ID_ATTR: [OUTPUT]}, {s.student for s in subs})
    info = {"specs": {LESSON: spec}, "seconds": 1.0, "jobs": 1, "graded_now": 3, "sandbox": "<b>test</b> sandbox"}
    return results, intake, info


def test_script_injection_through_ids_outputs_messages_and_code_is_inert(tmp_path):
    results, intake, info = _injected_class(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    report.write_all(results, intake, info, out, course=COURSE)
    rep = Page((out / "report.html").read_text(encoding="utf-8"))
    assert rep.inert() == [], rep.inert()
    # ... and everything is still there, as text: ids, messages, the copied code side by side.
    for text in (ID_TAG, ID_ATTR, ID_PCT, "alert('msg')", "Isolation: <b>test</b> sandbox",
                 "# </pre><script>alert('code')</script>", "<iframe src=javascript:alert('code')>"):
        assert text in rep.text, text
    assert {(p["data-a"], p["data-b"]) for p in rep.all("section", class_="pair")} == {tuple(sorted((ID_TAG, ID_ATTR)))}
    assert any(img["src"].startswith("data:image/png;base64,") for img in rep.all("img"))
    links = [a["href"] for a in rep.all("a") if a.get("href", "").startswith("feedback/")]
    assert links and all((out / urllib.parse.unquote(h)).is_file() for h in links), "every feedback link resolves"
    assert f"feedback/{urllib.parse.quote(ID_PCT, safe='')}/{LESSON}.html" in links   # '%' is quoted: %25
    for r in results:
        page = Page((out / "feedback" / r.student / f"{LESSON}.html").read_text(encoding="utf-8"))
        assert page.inert() == [], (r.student, page.inert())
        assert r.student in page.text and "alert('msg')" in page.text and "<script>alert('out')</script>" in page.text


def test_a_passed_exercise_shows_its_output_and_a_failed_one_its_diagnosis():
    r = SubmissionResult("ada", LESSON, [ExerciseResult("test_a", 1.0, 1.0, Status.PASSED, "", "✔ all good"),
                                         ExerciseResult("test_b", 2.0, 0.0, Status.FAILED, "must be written from scratch", "x")])
    page = Page(report.feedback_html(r))
    assert "✔ all good" in page.text and "must be written from scratch" in page.text and "Score: 1 / 3" in page.text


# --- the class's mistakes ---------------------------------------------------------------------------

def test_diagnoses_are_grouped_by_template_not_by_their_numbers():
    n = mistakes.normalise
    a = n("input gate i_t has the right shape (2, 4) but wrong values: largest error 0.413 at index (1, 0) (yours 0.706, expected 0.29)")
    b = n("input gate i_t has the right shape (3, 4) but wrong values: largest error 4.5e-05 at index (0, 2) (yours -1, expected 1)")
    assert a == b and "largest error N at index (N, ...)" in a and "input gate i_t" in a
    assert n("NameError: name 'foo' is not defined") == n("NameError: name 'bar' is not defined")
    assert n("Your forget gate f_t ignores x_t") != n("Your input gate i_t ignores x_t"), "words are kept"
    assert n("h_(t-1) and k*H:(k+1)*H in float64, 4H columns") == "h_(t-1) and k*H:(k+1)*H in float64, 4H columns"
    assert n("the chapter's C~_t from the 'o' block") == "the chapter's C~_t from the '…' block"
    assert n("(i, f, o, g) instead of (i, f, g, o)") != n("(f, i, g, o) instead of (i, f, g, o)"), "letters are words"


def _r(student, *exercises):
    return SubmissionResult(student, LESSON, [ExerciseResult(ex, 1.0, float(st == Status.PASSED), st, msg)
                                              for ex, st, msg in exercises])


def test_the_class_mistakes_are_ranked_with_counts_shares_and_students():
    results = [
        _r("a", ("test_x", Status.FAILED, "largest error 0.1 at index (1, 2)"), ("test_y", Status.PASSED, "")),
        _r("b", ("test_x", Status.FAILED, "largest error 0.3 at index (0, 0)"), ("test_y", Status.FAILED, "no bias")),
        _r("c", ("test_x", Status.FAILED, "largest error 7 at index (2, 2)"), ("test_y", Status.ERROR,
            "your code raised an exception:\nTraceback...\n  File \"<x>\", line 2\nValueError: shapes (2, 3) and (4,) mismatch")),
        _r("d", ("test_x", Status.ERROR, "your code raised an exception:\nValueError: shapes (5, 3) and (1,) mismatch"),
           ("test_y", Status.PASSED, "")),
        _r("e", ("test_x", Status.MISSING, "not submitted"), ("test_y", Status.MISSING, "not submitted")),
    ]
    found = mistakes.class_mistakes(results)[LESSON]
    assert list(found) == ["test_x", "test_y"]
    top = found["test_x"][0]
    assert (top.template, top.count, top.students) == ("largest error N at index (N, ...)", 3, ["a", "b", "c"])
    assert top.share == 3 / 4, "of the students who handed the lesson in (e did not)"
    assert found["test_x"][1].template == "ValueError: shapes (N, ...) and (N, ...) mismatch"
    assert [m.count for m in found["test_y"]] == [1, 1]
    assert not any(m.status == Status.MISSING for ms in found.values() for m in ms), "not submitted is no mistake"


def test_mistakes_csv_is_machine_readable_and_quotes_formulas(tmp_path):
    results = [_r("=cmd|' /C calc'!A0", ("test_x", Status.FAILED, "=HYPERLINK(\"http://x\")")),
               _r("-2", ("test_x", Status.FAILED, "=HYPERLINK(\"http://y\")"))]
    mistakes.write_csv(mistakes.class_mistakes(results), tmp_path / "mistakes.csv")
    rows = list(csv.DictReader(open(tmp_path / "mistakes.csv", encoding="utf-8")))
    assert list(rows[0])[:4] == ["lesson", "exercise", "diagnosis", "students"]
    assert len(rows) == 1 and rows[0]["count"] == "2"
    assert rows[0]["diagnosis"].startswith("'=") and rows[0]["students"].startswith("'")


def test_a_failing_similarity_pass_costs_nothing_but_its_section(tmp_path, monkeypatch):
    from lstmlab.tooling.grading import similarity

    def broken(*args, **kwargs):
        raise RuntimeError("tokeniser exploded")

    monkeypatch.setattr(similarity, "class_similarity", broken)
    results, intake, info = _injected_class(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    report.write_all(results, intake, info, out)
    assert "the similarity pass failed (RuntimeError: tokeniser exploded)" in Page(
        (out / "report.html").read_text(encoding="utf-8")).text
    assert (out / "gradebook.db").is_file() and (out / "mistakes.csv").is_file()
    assert all((out / "feedback" / r.student / f"{LESSON}.html").is_file() for r in results)
