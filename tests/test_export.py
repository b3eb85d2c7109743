"""`lstmlab export`: a grading run's results as Canvas's and Moodle's grade-import CSV, or a plain one.
Results are made here (no grading); tests/test_instructor_view.py exports a really graded class."""
from __future__ import annotations

import csv

import pytest

from lstmlab.tooling.cli import main
from lstmlab.tooling.grading import export, report
from lstmlab.tooling.grading.batch import not_submitted, safe_id
from lstmlab.tooling.grading.verdict import ExerciseResult, Status, SubmissionResult

JOSE = safe_id("José Ñ")


def _lesson(student, lesson, scores, grader_error=""):
    r = SubmissionResult(student, lesson, [ExerciseResult(f"test_{k}", 2.0, s, Status.PASSED if s == 2 else Status.FAILED,
                                                          "" if s == 2 else "wrong") for k, s in enumerate(scores)])
    r.grader_error = grader_error
    return r


def _missing(student, lesson, n):
    spec = type("Spec", (), {"lesson": lesson, "exercises": [type("E", (), {"test_id": f"test_{k}", "points": 2.0})()
                                                             for k in range(n)]})()
    return not_submitted(student, spec, "not submitted (no readable file for this lesson)")


@pytest.fixture
def out(tmp_path):
    results = [
        _lesson("ada", "01_lstm_cell", [2, 2, 2, 2, 2]), _lesson("ada", "02_bptt", [2, 1]),
        _lesson("bob", "01_lstm_cell", [2, 2, 2, 0, 0]), _missing("bob", "02_bptt", 2),
        _lesson(JOSE, "01_lstm_cell", [2, 2, 2, 2, 0]), _lesson(JOSE, "02_bptt", [0, 0], grader_error="worker died"),
        _lesson("-2", "01_lstm_cell", [2, 2, 2, 2, 2]), _lesson("-2", "02_bptt", [2, 2]),
    ]
    folder = tmp_path / "out"
    folder.mkdir()
    report.write_results(results, folder / "results.json")
    report.write_csv(results, folder / "grades.csv")
    return folder


def _roster(path, rows, header=("student_id", "name", "canvas_id", "sis_user_id", "sis_login_id", "section", "email",
                                "idnumber", "username")):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([list(header), *rows])
    return path


ROSTER = [("ada", "Lovelace, Ada", "101", "S1", "ada", "A", "ada@uni.example", "1001", "alovelace"),
          ("bob", "Bob", "102", "S2", "bob", "B", "bob@uni.example", "1002", "bob"),
          ("José Ñ", "Ñ, José", "103", "S3", "jose", "A", "jose@uni.example", "1003", "jose"),
          ("carol", "=Carol", "104", "S4", "carol", "B", "carol@uni.example", "1004", "carol")]


def _read(path):
    return list(csv.reader(open(path, newline="", encoding="utf-8")))


def test_canvas_file_with_a_roster(out, tmp_path, capsys):
    status, target = export.export(out, "canvas", _roster(tmp_path / "roster.csv", ROSTER))
    rows = _read(target)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_lstm_cell", "02_bptt"]
    assert rows[1] == ["Points Possible", "", "", "", "", "10", "4"]
    assert rows[2:] == [["Lovelace, Ada", "101", "S1", "ada", "A", "10", "3"],
                        ["Bob", "102", "S2", "bob", "B", "6", "0"],
                        ["Ñ, José", "103", "S3", "jose", "A", "8", ""],      # grader failed: no grade, not 0
                        ["'=Carol", "104", "S4", "carol", "B", "0", "0"]]    # rostered, no submission: 0
    assert status == 1
    err = capsys.readouterr().err
    assert "not on the roster" in err and "-2" in err and f"{JOSE}/02_bptt" in err and "carol" in err
    notes = {(r[0], r[1]): r[2] for r in _read(target.with_name("export-canvas-notes.csv"))[1:]}
    assert notes[("carol", "01_lstm_cell")] == export.NO_SUBMISSION and notes[("bob", "02_bptt")].startswith("not submitted")
    assert "grader failed" in notes[("José Ñ", "02_bptt")]


def test_moodle_file_with_a_roster(out, tmp_path):
    status, target = export.export(out, "moodle", _roster(tmp_path / "roster.csv", ROSTER))
    rows = _read(target)
    assert rows[0] == ["ID number", "Email address", "Username", "Full name", "01_lstm_cell", "01_lstm_cell feedback",
                       "02_bptt", "02_bptt feedback"]
    assert len(rows) == 1 + len(ROSTER), "one row per rostered student"
    assert rows[1] == ["1001", "ada@uni.example", "alovelace", "Lovelace, Ada", "10", "", "3", ""]
    assert rows[4][:5] == ["1004", "carol@uni.example", "carol", "'=Carol", "0"] and rows[4][5] == export.NO_SUBMISSION
    assert rows[2][7].startswith("not submitted") and status == 1


def test_without_a_roster_every_graded_student_is_written_by_grading_id(out):
    status, target = export.export(out, "canvas")
    rows = _read(target)
    assert [r[3] for r in rows[2:]] == sorted(["ada", "bob", JOSE, "-2"]), "the grading id as SIS Login ID"
    assert "'-2" in [r[0] for r in rows[2:]], "names are text a spreadsheet will not compute"
    assert status == 1, "one grade is missing (the grader failed)"
    rows = _read(export.export(out, "csv")[1])
    assert rows[0] == ["student_id", "name", "01_lstm_cell", "02_bptt", "total", "possible", "note"]
    assert rows[1] == ["-2", "", "10", "4", "14", "14", ""]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["ada"][:6] == ["ada", "", "10", "3", "13", "14"] and by_id[JOSE][3] == ""
    assert "02_bptt: not graded" in by_id[JOSE][6] and "02_bptt: not submitted" in by_id["bob"][6]
    rows = _read(export.export(out, "moodle")[1])
    assert rows[0][0] == "ID number" and sorted(r[0] for r in rows[1:]) == sorted(["ada", "bob", JOSE, "-2"])


def test_a_canvas_gradebook_export_serves_as_the_roster(out, tmp_path):
    canvas_export = _roster(tmp_path / "canvas.csv", [
        ("    Points Possible", "", "", "", "", "(read only)"),
        ("Lovelace, Ada", "101", "S1", "ada", "A", "90"), ("Bob", "102", "S2", "bob", "B", "80"),
        ("Ñ, José", "103", "S3", JOSE, "A", "70"), ("Two, Minus", "105", "S5", "-2", "A", "60")],
        header=("Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Midterm (7)"))
    status, target = export.export(out, "canvas", canvas_export, roster_key="SIS Login ID")
    rows = _read(target)
    assert [r[:4] for r in rows[2:]] == [["Lovelace, Ada", "101", "S1", "ada"], ["Bob", "102", "S2", "bob"],
                                         ["Ñ, José", "103", "S3", JOSE], ["Two, Minus", "105", "S5", "-2"]]
    assert status == 1 and rows[4][6] == "", "complete but for the grade the grader failed on"


def test_grades_csv_serves_when_results_json_is_absent(out):
    (out / "results.json").unlink()
    rows = _read(export.export(out, "csv")[1])
    assert rows[1] == ["-2", "", "10", "4", "14", "14", ""], "the quoted '-2 of grades.csv is read back as -2"
    assert [r[0] for r in rows[1:]] == sorted(["ada", "bob", JOSE, "-2"])


def test_what_cannot_be_exported_is_refused_with_status_2(out, tmp_path, capsys):
    assert main(["export", str(tmp_path / "nothing"), "--format", "canvas"]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["export", str(empty), "--format", "canvas"]) == 2 and "run `lstmlab grade` first" in capsys.readouterr().err
    twice = _roster(tmp_path / "twice.csv", [ROSTER[0], ROSTER[0]])
    assert main(["export", str(out), "--format", "moodle", "--roster", str(twice)]) == 2
    assert "twice" in capsys.readouterr().err
    keyless = _roster(tmp_path / "keyless.csv", [("ada", "x")], header=("login", "name"))
    assert main(["export", str(out), "--format", "moodle", "--roster", str(keyless)]) == 2
    assert "--roster-key" in capsys.readouterr().err
    assert not (out / "export-moodle.csv").exists(), "nothing written"


def test_the_command_writes_where_told_and_exits_0_when_complete(out, tmp_path, capsys):
    roster = _roster(tmp_path / "roster.csv", ROSTER[:2])
    (out / "results.json").write_text((out / "results.json").read_text().replace('"worker died"', '""'))
    target = tmp_path / "for-canvas.csv"
    status = main(["export", str(out), "--format", "canvas", "--roster", str(roster), "-o", str(target)])
    assert status == 1 and "-2" in capsys.readouterr().err, "graded students missing from the roster: status 1"
    full = _roster(tmp_path / "full.csv", ROSTER[:3] + [("-2", "Minus", "105", "S5", "m2", "A", "", "", "")])
    assert main(["export", str(out), "--format", "canvas", "--roster", str(full), "-o", str(target)]) == 0
    assert f"canvas: {target}" in capsys.readouterr().out and len(_read(target)) == 2 + 4
