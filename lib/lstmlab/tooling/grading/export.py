"""`lstmlab export OUT --format canvas|moodle|csv [--roster ROSTER.csv]`: a grading run as the grade-import
file of an LMS. docs/LMS-EXPORT.md says which fields each format has and why.

Grades are read from what `lstmlab grade` wrote in OUT: results.json (this run's results, as
SubmissionResult.as_dict), else grades.csv (summed per student and lesson). One assignment column per
lesson, worth the lesson's points.

The roster (optional; any CSV with a header row, e.g. the LMS's own gradebook export) maps each grading id
(the submission folder's name, as `lstmlab grade` reports it) to the LMS's ids. Its column of grading ids
is `student_id`, or the one --roster-key names. Known columns (case and spaces ignored): name (or
student, full name, first name + last name), canvas_id (or id), sis_user_id, sis_login_id, section, email
(or email address), idnumber (or id number), username.

- A rostered student with no result gets 0 for every lesson, with a note "no submission found".
- A lesson a student did not hand in is 0 (as grading scored it), with a note.
- A lesson the grader failed on is left empty (no grade rather than a false 0), with a note; exit 1.
- A graded id that is not on the roster is left out of the file and listed on stderr; exit 1 (the file
  is still written: the LMS cannot take a student it does not know, and the instructor must decide).
- Without a roster every graded student is written, identified by their grading id.

Exit status: 0 written and complete; 1 written, but students or grades are missing from it (stderr says
which); 2 nothing written (no results in OUT, an unreadable roster, a roster without the key column or
with an id twice).
"""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .report import FORMULA_START, spreadsheet_text
from .verdict import Status, SubmissionResult

FORMATS = ("canvas", "moodle", "csv")
NO_SUBMISSION = "no submission found: 0 points"


class ExportError(Exception):
    """Nothing can be written (exit status 2)."""


@dataclass
class Grades:
    lessons: list[str]
    possible: dict[str, float]                       # lesson -> its points
    scores: dict[str, dict[str, float | None]]       # student -> lesson -> points (None: not graded)
    notes: dict[str, dict[str, str]] = field(default_factory=dict)   # student -> lesson -> note
    source: str = ""


def _unquote(text: str) -> str:
    """Undo spreadsheet_text (grading ids never start with a quote: safe_id encodes it)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def load_grades(out: Path) -> Grades:
    """This run's grades from OUT/results.json, else OUT/grades.csv."""
    res_file, csv_file = out / "results.json", out / "grades.csv"
    if res_file.is_file():
        data = json.loads(res_file.read_text(encoding="utf-8"))
        results = [SubmissionResult.from_dict(d) for d in data["results"]]
        g = Grades(sorted({r.lesson for r in results}), {}, {}, {}, str(res_file))
        for r in results:
            g.possible[r.lesson] = max(g.possible.get(r.lesson, 0.0), r.max_score)
            row = g.scores.setdefault(r.student, {})
            if r.grader_error:
                row[r.lesson] = None
                g.notes.setdefault(r.student, {})[r.lesson] = ("not graded: the grader failed on this submission "
                                                               "(rerun lstmlab grade)")
                continue
            row[r.lesson] = r.score
            if r.exercises and all(e.status == Status.MISSING for e in r.exercises):
                g.notes.setdefault(r.student, {})[r.lesson] = "not submitted: 0 points"
        return g
    if csv_file.is_file():
        g = Grades([], {}, {}, {}, str(csv_file))
        maxes: dict[tuple[str, str], float] = {}
        with open(csv_file, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                student, lesson = _unquote(row["student_id"]), _unquote(row["lesson"])
                scores = g.scores.setdefault(student, {})
                scores[lesson] = (scores.get(lesson) or 0.0) + float(row["score"])
                maxes[(student, lesson)] = maxes.get((student, lesson), 0.0) + float(row["max_score"])
        for (_, lesson), m in maxes.items():
            g.possible[lesson] = max(g.possible.get(lesson, 0.0), m)
        g.lessons = sorted(g.possible)
        return g
    raise ExportError(f"{out} holds no grading results (results.json or grades.csv): run `lstmlab grade` first")


# --- the roster -------------------------------------------------------------------------------------

ALIASES = {
    "student_id": "student_id", "lstmlab_id": "student_id", "grading_id": "student_id",
    "name": "name", "student": "name", "full_name": "name", "student_name": "name",
    "first_name": "first_name", "last_name": "last_name", "surname": "last_name",
    "canvas_id": "canvas_id", "id": "canvas_id", "canvas_user_id": "canvas_id",
    "sis_user_id": "sis_user_id", "sis_login_id": "sis_login_id", "login": "sis_login_id",
    "section": "section",
    "email": "email", "email_address": "email",
    "idnumber": "idnumber", "id_number": "idnumber",
    "username": "username",
}


def _field(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


@dataclass
class Member:
    key: str                       # the grading id as the roster spells it
    fields: dict[str, str]         # canonical field -> value

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


def read_roster(path: Path, key: str | None = None) -> list[Member]:
    """The roster's students, in its order (rows without an id, and a Canvas export's "Points Possible"
    row, are skipped)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ExportError(f"cannot read the roster {path}: {exc}") from exc
    if not rows:
        raise ExportError(f"the roster {path} is empty")
    header = rows[0]
    names = [_field(h) for h in header]
    wanted = _field(key) if key else "student_id"
    matches = [i for i, n in enumerate(names) if n == wanted or (not key and ALIASES.get(n) == "student_id")]
    if not matches:
        raise ExportError(f"the roster {path} has no column {key or 'student_id'!r} holding the grading ids "
                          f"(its columns: {', '.join(header)}); name it with --roster-key")
    col = matches[0]
    members, seen = [], {}
    for line, row in enumerate(rows[1:], start=2):
        if col >= len(row) or not row[col].strip():
            continue
        values = {}
        for i, n in enumerate(names):
            canon = ALIASES.get(n)
            if canon is None or canon == "student_id" or i >= len(row) or not row[i].strip():
                continue
            values.setdefault(canon, row[i].strip())   # the key column too (e.g. --roster-key "SIS Login ID")
        if not values.get("name") and (values.get("first_name") or values.get("last_name")):
            values["name"] = " ".join(v for v in (values.get("first_name"), values.get("last_name")) if v)
        ident = row[col].strip()
        if ident.lower() == "points possible" or values.get("name", "").lower() == "points possible":
            continue
        if ident in seen:
            raise ExportError(f"the roster {path} lists {ident!r} twice (lines {seen[ident]} and {line})")
        seen[ident] = line
        members.append(Member(ident, values))
    return members


# --- the rows -----------------------------------------------------------------------------------------

@dataclass
class Export:
    rows: list[tuple[Member, dict[str, float | None], dict[str, str]]]   # member, scores, notes per lesson
    lessons: list[str]
    possible: dict[str, float]
    unrostered: list[str]          # graded ids not on the roster (left out)
    ungraded: list[tuple[str, str]]  # (student, lesson) the grader failed on (left empty)
    rostered: bool


def build(grades: Grades, roster: list[Member] | None) -> Export:
    from .batch import safe_id

    lessons = grades.lessons
    if roster is None:
        members = [Member(s, {}) for s in sorted(grades.scores)]
        graded_of = {s: s for s in grades.scores}
        unrostered = []
    else:
        members = roster
        graded_of = {}
        for m in roster:
            for candidate in (m.key, safe_id(m.key)):
                if candidate in grades.scores:
                    graded_of[m.key] = candidate
                    break
        matched = set(graded_of.values())
        unrostered = sorted(s for s in grades.scores if s not in matched)
    rows, ungraded = [], []
    for m in members:
        sid = graded_of.get(m.key)
        if sid is None:
            rows.append((m, {lesson: 0.0 for lesson in lessons}, {lesson: NO_SUBMISSION for lesson in lessons}))
            continue
        scores = {lesson: grades.scores[sid].get(lesson, 0.0) for lesson in lessons}
        notes = dict(grades.notes.get(sid, {}))
        for lesson in lessons:
            if lesson not in grades.scores[sid]:
                notes[lesson] = "not submitted: 0 points"
            if scores[lesson] is None:
                ungraded.append((sid, lesson))
        rows.append((m, scores, notes))
    return Export(rows, lessons, grades.possible, unrostered, ungraded, roster is not None)


def _points(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def canvas_rows(ex: Export) -> list[list[str]]:
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then one column per
    lesson; the second row gives each new assignment's points ("Points Possible")."""
    head = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *ex.lessons]
    out = [head, ["Points Possible", "", "", "", "", *(_points(ex.possible[l]) for l in ex.lessons)]]
    for m, scores, _ in ex.rows:
        login = m.get("sis_login_id") if ex.rostered else m.key
        out.append([spreadsheet_text(m.get("name") or m.key), m.get("canvas_id"), m.get("sis_user_id"), login,
                    spreadsheet_text(m.get("section")), *(_points(scores[l]) for l in ex.lessons)])
    return out


def moodle_rows(ex: Export) -> list[list[str]]:
    """Moodle's "Import grades from CSV file": identifier columns (those the roster has: ID number, Email
    address, Username; without a roster the grading id as ID number), the name, then per lesson its grade
    and its feedback (the note)."""
    ids = [("idnumber", "ID number"), ("email", "Email address"), ("username", "Username")]
    present = [(f, h) for f, h in ids if any(m.get(f) for m, _, _ in ex.rows)] if ex.rostered else []
    if not present:
        present = [("__key__", "ID number")]
    head = [h for _, h in present] + ["Full name"]
    for lesson in ex.lessons:
        head += [lesson, f"{lesson} feedback"]
    out = [head]
    for m, scores, notes in ex.rows:
        row = [m.key if f == "__key__" else m.get(f) for f, _ in present] + [spreadsheet_text(m.get("name") or m.key)]
        for lesson in ex.lessons:
            row += [_points(scores[lesson]), spreadsheet_text(notes.get(lesson, ""))]
        out.append(row)
    return out


def csv_rows(ex: Export) -> list[list[str]]:
    """A plain table: student_id, name, one column per lesson, total, possible, note."""
    head = ["student_id", "name", *ex.lessons, "total", "possible", "note"]
    out = [head]
    total_possible = sum(ex.possible[l] for l in ex.lessons)
    for m, scores, notes in ex.rows:
        got = [scores[l] for l in ex.lessons]
        total = sum(x for x in got if x is not None)
        note = "; ".join(f"{l}: {notes[l]}" for l in ex.lessons if notes.get(l))
        out.append([m.key, spreadsheet_text(m.get("name")), *(_points(x) for x in got), f"{total:g}",
                    f"{total_possible:g}", spreadsheet_text(note)])
    return out


WRITERS = {"canvas": canvas_rows, "moodle": moodle_rows, "csv": csv_rows}


def export(out: Path, fmt: str, roster_path: Path | None = None, roster_key: str | None = None,
           target: Path | None = None, err=None) -> tuple[int, Path]:
    """Write the file; returns (exit status, where). Raises ExportError when nothing can be written."""
    err = err or sys.stderr
    if fmt not in WRITERS:
        raise ExportError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    grades = load_grades(out)
    roster = read_roster(roster_path, roster_key) if roster_path else None
    ex = build(grades, roster)
    target = target or out / f"export-{fmt}.csv"
    rows = WRITERS[fmt](ex)
    with open(target, "w", newline="", encoding="utf-8", errors="backslashreplace") as f:
        csv.writer(f).writerows(rows)
    status = 0
    noted = [(m.key, lesson, note) for m, _, notes in ex.rows for lesson, note in notes.items()]
    if noted:
        notes_file = target.with_name(target.stem + "-notes.csv")
        with open(notes_file, "w", newline="", encoding="utf-8", errors="backslashreplace") as f:
            w = csv.writer(f)
            w.writerow(["student", "lesson", "note"])
            w.writerows([[k, spreadsheet_text(lesson), spreadsheet_text(note)] for k, lesson, note in noted])
        missing = sorted({k for k, _, note in noted if note == NO_SUBMISSION})
        print(f"lstmlab export: {len(noted)} notes ({notes_file})"
              + (f"; {len(missing)} rostered students without any submission got 0: {', '.join(missing)}"
                 if missing else ""), file=err)
    if ex.unrostered:
        status = 1
        print(f"lstmlab export: {len(ex.unrostered)} graded students are not on the roster and were left out of "
              f"{target.name}: {', '.join(ex.unrostered)} (add them to the roster, or rename their submission "
              "folders, and export again)", file=err)
    if ex.ungraded:
        status = 1
        print(f"lstmlab export: {len(ex.ungraded)} grades are left empty because the grader failed on them: "
              + ", ".join(f"{s}/{l}" for s, l in ex.ungraded) + " (rerun lstmlab grade, then export again)", file=err)
    return status, target
