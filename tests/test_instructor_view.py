"""The instructor's view of a class, end to end: `lstmlab grade` on the generated class of
tests/instructor_class.py (31 students of lesson 01, graded once for the module, through the command,
with stdout a pipe), then report.html, mistakes.csv, `lstmlab export` and nbgrader's own export."""
from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
import urllib.parse

import pytest

import instructor_class as ic
from conftest import COURSE
from lstmlab.tooling.cli import main
from lstmlab.tooling.grading.sandbox import Sandbox

RENAMED = {"common": "José Ñ"}     # one student's folder name needs percent-encoding
GRADING_ID = {"common": "Jos%C3%A9%20%C3%91"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("instructor")
    students = {RENAMED.get(s, s): a for s, a in ic.class_answers(ic.reference_answers()).items()}
    ic.write_class(base / "subs", students)
    cmd = [sys.executable, "-m", "lstmlab.tooling.cli", "grade", str(base / "subs"), "-o", str(base / "out"), "-j", "2",
           "--cell-timeout", "30"] + ([] if Sandbox().isolated() else ["--no-isolation"])
    start = time.monotonic()
    done = subprocess.run(cmd, env=dict(os.environ, LSTMLAB_ROOT=str(COURSE.root)), capture_output=True, text=True,
                          timeout=1200, stdin=subprocess.DEVNULL)
    seconds = time.monotonic() - start
    print(f"\ngraded the generated class of {len(students)} in {seconds:.0f} s:\n{done.stdout[-600:]}")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return base / "out", done, len(students)


def gid(student: str) -> str:
    return GRADING_ID.get(student, student)


def test_a_run_whose_stdout_is_not_a_terminal_prints_progress_lines(graded):
    _, done, n = graded
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("grading: ")]
    counts = [int(re.match(r"grading: (\d+)/(\d+) graded", ln).group(1)) for ln in lines]
    assert len(lines) >= 5 and counts == sorted(counts) and counts[-1] == n, done.stdout
    assert all(f"/{n} graded" in ln and "elapsed" in ln for ln in lines)
    assert f"grading: {n}/{n} graded, 0 failed" in lines[-1] and "left" in lines[0]
    assert "\r" not in done.stdout, "no bar in a log"
    assert re.search(r"answers compared in [\d.]+ s", done.stdout)


def _mistakes(out):
    return list(csv.DictReader(open(out / "mistakes.csv", encoding="utf-8")))


def test_the_planted_mistakes_are_counted_right_and_ranked(graded):
    out, _, n = graded
    rows = _mistakes(out)
    for exercise, planted in ic.planted().items():
        mine = [r for r in rows if r["exercise"] == exercise]
        assert [int(r["count"]) for r in mine] == sorted((int(r["count"]) for r in mine), reverse=True)
        for fragment, who in planted:
            hits = [r for r in mine if fragment in r["example"]]
            assert len(hits) == 1, (exercise, fragment, [r["example"] for r in mine])
            assert set(hits[0]["students"].split("; ")) == {gid(s) for s in who}, (exercise, fragment)
            assert int(hits[0]["count"]) == len(who) and float(hits[0]["share"]) == pytest.approx(len(who) / n, abs=1e-3)
    first = {r["exercise"]: r for r in reversed(rows)}   # the first row of each exercise
    assert ic.FRAGMENT["missing bias"] in first["test_lstm_gates"]["example"]
    assert ic.FRAGMENT["returns (h, c)"] in first["test_lstm_cell_update"]["example"]
    assert ic.FRAGMENT["bias forgotten"] in first["test_lstm_param_count"]["example"]


def test_the_report_lists_each_mistake_with_links_to_the_students_feedback(graded):
    out, _, _ = graded
    text = (out / "report.html").read_text(encoding="utf-8")
    page = ic.Page(text)
    assert page.inert() == [] and "data:image/png;base64" in text and "Isolation: " in page.text
    table = text.split('data-exercise="test_lstm_param_count"', 1)[1].split("</table>", 1)[0]
    counts = [int(c) for c in re.findall(r'class="mistake" data-count="(\d+)"', table)]
    assert counts == sorted(counts, reverse=True) and counts[0] == 4
    first_row = table.split('class="mistake"')[1]
    who = {urllib.parse.unquote(h.split("/")[1]) for h in re.findall(r'href="(feedback/[^"]+)"', first_row)}
    assert who == {gid(s) for s in ic.planted()["test_lstm_param_count"][0][1]}
    links = [a["href"] for a in page.all("a") if a["href"].startswith("feedback/")]
    assert all((out / urllib.parse.unquote(h)).is_file() for h in links)
    assert f"feedback/{urllib.parse.quote(gid('common'), safe='')}/{ic.LESSON}.html" in links


def test_the_report_finds_both_copied_pairs_and_the_reference_copy_and_nothing_else(graded):
    out, _, _ = graded
    page = ic.Page((out / "report.html").read_text(encoding="utf-8"))
    assert {(p["data-a"], p["data-b"]) for p in page.all("section", class_="pair")} == ic.COPIED_PAIRS
    assert {p["data-student"] for p in page.all("section", class_="reference-copy")} == ic.REFERENCE_COPIES
    assert "n_hidden = h_prev.shape[1]" in page.text, "both answers are shown side by side"
    assert len(page.all("mark")) > 10, "with the unusual shared code marked"


def test_canvas_and_moodle_files_match_their_formats(graded, tmp_path, capsys):
    out, _, n = graded
    graded_ids = sorted(gid(s) for s in [*ic.OWN, "pair1_a", "pair1_b", "pair2_a", "pair2_b", "ref_copy"])
    left_out = "alt_param_matrix"
    roster = [(RENAMED.get(s, s), f"Student {k}", str(1000 + k), f"S{k}", f"login{k}", "A" if k % 2 else "B",
               f"s{k}@uni.example", f"{9000 + k}") for k, s in enumerate(sorted([*ic.OWN, "pair1_a", "pair1_b", "pair2_a",
                                                                                   "pair2_b", "ref_copy"])) if s != left_out]
    roster += [("absent_1", "Absent One", "2001", "X1", "absent1", "A", "a1@uni.example", "9901"),
               ("absent_2", "Absent Two", "2002", "X2", "absent2", "B", "a2@uni.example", "9902")]
    path = tmp_path / "roster.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("student_id", "name", "canvas_id", "sis_user_id", "sis_login_id", "section", "email",
                                  "idnumber"), *roster])
    assert len(graded_ids) == n
    assert main(["export", str(out), "--format", "canvas", "--roster", str(path)]) == 1
    err = capsys.readouterr().err
    assert "not on the roster" in err and left_out in err and "absent_1" in err
    rows = list(csv.reader(open(out / "export-canvas.csv", newline="", encoding="utf-8")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ic.LESSON]
    assert rows[1] == ["Points Possible", "", "", "", "", "10"]
    assert len(rows) == 2 + len(roster), "one row per rostered student"
    by_login = {r[3]: r for r in rows[2:]}
    ref_login = next(r[4] for r in roster if r[0] == "ref_copy")
    assert by_login[ref_login][5] == "10" and by_login["absent1"][5] == "0"
    assert main(["export", str(out), "--format", "moodle", "--roster", str(path)]) == 1
    rows = list(csv.reader(open(out / "export-moodle.csv", newline="", encoding="utf-8")))
    assert rows[0] == ["ID number", "Email address", "Full name", ic.LESSON, f"{ic.LESSON} feedback"]
    assert len(rows) == 1 + len(roster)
    absent = next(r for r in rows if r[0] == "9901")
    assert absent[3] == "0" and "no submission" in absent[4]


def test_nbgrader_export_still_reads_the_gradebook(graded):
    out, _, n = graded
    target = out / "nbgrader-grades.csv"
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "nbgrader"), "export",
                           f"--db=sqlite:///{out / 'gradebook.db'}", f"--to={target}"], cwd=out, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = list(csv.DictReader(open(target, encoding="utf-8")))
    assert len(rows) == n and {r["student_id"] for r in rows} >= {"ref_copy", "pair1_a", gid("common")}
    assert float(next(r for r in rows if r["student_id"] == "ref_copy")["score"]) == 10.0
