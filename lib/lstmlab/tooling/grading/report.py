"""Write a grading run's outputs: grades.csv, feedback pages, the class report, nbgrader's gradebook.

Everything here is rebuilt from the list of results each run, so rerunning after a crash writes the
same files again instead of appending.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import urllib.parse
from collections import defaultdict
from pathlib import Path

from .verdict import Status, SubmissionResult


CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.passed{color:#176f2c;font-weight:600}.bad{color:#a1261b;font-weight:600}
pre{white-space:pre-wrap;background:#f7f7f7;padding:.5rem;margin:0;max-height:22rem;overflow:auto;font-size:.85rem}
.small{color:#666;font-size:.85rem}img{max-width:100%}"""


# What a text cell must not start with in a file a spreadsheet opens: it would be read as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """A text cell that a spreadsheet shows as text: a leading formula character gets a quote (OWASP)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def write_csv(results: list[SubmissionResult], path: Path) -> None:
    """student_id,lesson,exercise,score,max_score: one row per graded cell of every submission."""
    with open(path, "w", newline="", encoding="utf-8", errors="backslashreplace") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "lesson", "exercise", "score", "max_score"])
        for r in results:
            for e in r.exercises:
                w.writerow([spreadsheet_text(r.student), spreadsheet_text(r.lesson), spreadsheet_text(e.exercise),
                            f"{e.score:g}", f"{e.points:g}"])


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style></head><body>{body}</body></html>")


def feedback_html(r: SubmissionResult) -> str:
    """One student's feedback on one lesson: per exercise the verdict and the diagnosis, never test code."""
    rows = []
    for e in r.exercises:
        cls = "passed" if e.status == Status.PASSED else "bad"
        detail = html.escape(e.message or "")
        ok_lines = html.escape(e.output or "")
        rows.append(f"<tr><td>{html.escape(e.exercise)}</td><td class='{cls}'>{html.escape(e.status.text)}</td>"
                    f"<td>{e.score:g} / {e.points:g}</td><td>{f'<pre>{detail}</pre>' if detail else ''}"
                    f"{f'<pre>{ok_lines}</pre>' if ok_lines and not detail else ''}</td></tr>")
    problems = "".join(f"<li>{html.escape(p)}</li>" for p in r.problems)
    body = (f"<h1>{html.escape(r.lesson)} — feedback for {html.escape(r.student)}</h1>"
            f"<p><b>Score: {r.score:g} / {r.max_score:g}</b></p>"
            + (f"<h2>Problems with the submission</h2><ul>{problems}</ul>" if problems else "")
            + "<table><tr><th>exercise</th><th>result</th><th>points</th><th>diagnosis</th></tr>" + "".join(rows) + "</table>"
            "<p class='small'>Hidden tests also ran: their verdicts count, their code is not shown.</p>")
    return _page(f"{r.lesson} feedback", body)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "<img alt='plot' src='data:image/png;base64," + base64.b64encode(buf.getvalue()).decode() + "'>"


def score_distributions(results: list[SubmissionResult]):
    """Per lesson: (fig, data) where data[exercise] = list of scores over students; plots pass rates and totals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_lesson = defaultdict(list)
    for r in results:
        by_lesson[r.lesson].append(r)
    figures = {}
    for lesson, rs in sorted(by_lesson.items()):
        exercises = [e.exercise for e in rs[0].exercises]
        data = {ex: [next(e.score for e in r.exercises if e.exercise == ex) for r in rs] for ex in exercises}
        maxes = {e.exercise: e.points for e in rs[0].exercises}
        totals = [r.score for r in rs]
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.2))
        rates = [100 * sum(s >= maxes[ex] for s in data[ex]) / max(1, len(rs)) for ex in exercises]
        a1.barh(exercises, rates, color="#4c72b0")
        a1.set_xlim(0, 100)
        a1.set_xlabel("students with full marks (%)")
        a1.set_title(f"{lesson}: full marks per exercise (n={len(rs)})")
        a1.invert_yaxis()
        a2.hist(totals, bins=min(20, max(3, len(set(totals)))), color="#dd8452", edgecolor="white")
        a2.set_xlabel(f"lesson score (points, max {sum(maxes.values()):g})")
        a2.set_ylabel("students")
        a2.set_title(f"{lesson}: distribution of totals")
        fig.tight_layout()
        data["__totals__"] = totals
        figures[lesson] = (fig, data)
    return figures


def report_html(results: list[SubmissionResult], intake_problems: dict[str, list[str]], info: dict) -> str:
    """The class summary: totals per student and lesson, distributions, every problem met."""
    lessons = sorted({r.lesson for r in results})
    students = sorted({r.student for r in results})
    total = {(r.student, r.lesson): (r.score, r.max_score) for r in results}
    head = "".join(f"<th>{html.escape(l)}</th>" for l in lessons)
    rows = "".join(
        f"<tr><td>{html.escape(s)}</td>" + "".join(
            f"<td><a href='feedback/{html.escape(urllib.parse.quote(s))}/{html.escape(urllib.parse.quote(l))}.html'>{total[(s, l)][0]:g} / {total[(s, l)][1]:g}</a></td>"
            if (s, l) in total else "<td>—</td>" for l in lessons) + "</tr>" for s in students)
    plots = "".join(f"<h3>{html.escape(l)}</h3>{_png(fig)}" for l, (fig, _) in score_distributions(results).items())
    problems = defaultdict(list)
    for s, ps in intake_problems.items():
        problems[s] += ps
    for r in results:
        for p in r.problems:
            problems[r.student].append(f"{r.lesson}: {p}")
        for e in r.exercises:
            if e.status.is_incident:
                first = (e.message or "").strip().splitlines()[:1]
                problems[r.student].append(f"{r.lesson}/{e.exercise}: {e.status.text}"
                                              + (f" — {first[0][:200]}" if first else ""))
    plist = "".join(f"<li><b>{html.escape(s)}</b><ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in ps) + "</ul></li>"
                    for s, ps in sorted(problems.items()))
    body = (f"<h1>Grading report</h1><p>{len(students)} students, {len(lessons)} lessons, {len(results)} lesson results. "
            f"Graded {info.get('graded_now', 0)} submissions now in {info.get('seconds', 0)} s with {info.get('jobs', 1)} worker(s).</p>"
            f"<p class='small'>Isolation: {html.escape(info.get('sandbox', ''))}</p>"
            f"<h2>Scores</h2><table><tr><th>student</th>{head}</tr>{rows}</table>"
            f"<h2>Score distributions</h2>{plots}"
            f"<h2>Problems, by student</h2>{'<ul>' + plist + '</ul>' if plist else '<p>None.</p>'}")
    return _page("Grading report", body)


def write_gradebook(results: list[SubmissionResult], specs: dict, path: Path) -> None:
    """nbgrader's gradebook (fresh): assignments, grade cells, students, and every auto score."""
    import warnings

    from nbgrader.api import Gradebook

    from ..course import with_venv_on_path

    with_venv_on_path()  # a new gradebook runs the `alembic` executable
    if path.exists():
        path.unlink()
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{path}") as gb:
        # nbgrader 0.9.6 with SQLAlchemy 2: harmless "not in session" warnings (NBGRADER-NOTES)
        warnings.simplefilter("ignore")
        for lid in sorted({r.lesson for r in results}):
            gb.update_or_create_assignment(lid)
            gb.update_or_create_notebook(lid, lid)
            for ex in specs[lid].exercises:
                gb.update_or_create_grade_cell(ex.test_id, lid, lid, max_score=ex.points, cell_type="code")
        for student in sorted({r.student for r in results}):
            gb.update_or_create_student(student)
        for r in results:
            gb.add_submission(r.lesson, r.student)
            for e in r.exercises:
                grade = gb.find_grade(e.exercise, r.lesson, r.lesson, r.student)
                grade.auto_score = float(e.score)
            gb.db.commit()


def write_all(results: list[SubmissionResult], intake, info: dict, out: Path) -> None:
    write_csv(results, out / "grades.csv")
    for r in results:
        target = out / "feedback" / r.student / f"{r.lesson}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        # errors=: a lone surrogate in a student's exception text must not stop the class's pages
        target.write_text(feedback_html(r), encoding="utf-8", errors="backslashreplace")
    (out / "report.html").write_text(report_html(results, intake.problems, info), encoding="utf-8",
                                     errors="backslashreplace")
    write_gradebook(results, info["specs"], out / "gradebook.db")
