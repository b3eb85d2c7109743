"""Write a grading run's outputs: grades.csv, results.json, mistakes.csv, feedback pages, the class report
(with the class's mistakes and the answers that look alike), nbgrader's gradebook.

Everything here is rebuilt from the list of results each run, so rerunning after a crash writes the
same files again instead of appending. The pages are rendered from the Jinja2 templates in templates/
with autoescaping on: every student-controlled text (ids, outputs, messages, code) is escaped by the
template engine, and links to feedback pages URL-quote the ids.
"""
from __future__ import annotations

import base64
import csv
import functools
import io
import json
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

from ...i18n import _, current_language, language
from .verdict import SubmissionResult

TEMPLATES = Path(__file__).resolve().parent / "templates"


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


def feedback_href(student: str, lesson: str) -> str:
    """The report's link to a feedback page: OUT/feedback/<student>/<lesson>.html, each part URL-quoted
    (an id may hold '%', as percent-encoded ids do: "Jos%C3%A9" is the folder "Jos%C3%A9")."""
    return f"feedback/{urllib.parse.quote(student, safe='')}/{urllib.parse.quote(lesson, safe='')}.html"


@functools.cache
def environment():
    """The template engine: autoescaping always on, unknown names an error."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["g"] = lambda x: f"{x:g}"
    env.filters["pct"] = lambda x: f"{100 * x:.0f}%"
    env.filters["feedback_href"] = feedback_href
    env.globals["_"] = _template_message
    env.globals["html_lang"] = lambda: {"zh": "zh-CN"}.get(current_language(), current_language())
    return env


def _template_message(message: str, **values) -> str:
    """A template's message in the current language. The translation is ours and may hold markup (links,
    <i>); every value put into it is escaped (Markup.format), so a student's id or text stays text."""
    from markupsafe import Markup

    return Markup(_(message)).format(**values)


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def feedback_html(r: SubmissionResult) -> str:
    """One student's feedback on one lesson, in the language of the edition they submitted: per exercise the
    verdict and the diagnosis, never test code."""
    with language(r.edition or "en"):
        return render("feedback.html", title=_("{lesson} feedback").format(lesson=r.lesson), r=r)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


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
        a1.set_xlabel(_("students with full marks (%)"))
        a1.set_title(_("{lesson}: full marks per exercise (n={n})").format(lesson=lesson, n=len(rs)))
        a1.invert_yaxis()
        a2.hist(totals, bins=min(20, max(3, len(set(totals)))), color="#dd8452", edgecolor="white")
        a2.set_xlabel(_("lesson score (points, max {max:g})").format(max=sum(maxes.values())))
        a2.set_ylabel(_("students"))
        a2.set_title(_("{lesson}: distribution of totals").format(lesson=lesson))
        fig.tight_layout()
        data["__totals__"] = totals
        figures[lesson] = (fig, data)
    return figures


def class_problems(results: list[SubmissionResult], intake_problems: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """(student, problems) for every student with a problem: intake, submission and incidents."""
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
    return sorted(problems.items())


def report_html(results: list[SubmissionResult], intake_problems: dict[str, list[str]], info: dict,
                mistakes: dict | None = None, similar: dict | None = None, answer_problems: list[str] | None = None,
                similar_note: str = "") -> str:
    """The class summary: totals per student and lesson, distributions, what the class got wrong, the
    answers that look alike, every problem met."""
    from .mistakes import class_mistakes

    return render("report.html", title=_("Grading report"), results=results, info=info,
                  lessons=sorted({r.lesson for r in results}), students=sorted({r.student for r in results}),
                  totals={(r.student, r.lesson): (r.score, r.max_score) for r in results},
                  plots=[(lesson, _png(fig)) for lesson, (fig, _data) in score_distributions(results).items()],
                  mistakes=class_mistakes(results) if mistakes is None else mistakes,
                  similar=similar or {}, answer_problems=answer_problems or [],
                  similar_note=similar_note, problems=class_problems(results, intake_problems))


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


def write_results(results: list[SubmissionResult], path: Path) -> None:
    """OUT/results.json: this run's results, as SubmissionResult.as_dict (what `lstmlab export` reads)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"format": "lstmlab-results", "version": 1, "results": [r.as_dict() for r in results]},
                              ensure_ascii=True), encoding="utf-8", errors="backslashreplace")
    tmp.replace(path)


def write_all(results: list[SubmissionResult], intake, info: dict, out: Path, source: Path | None = None,
              course=None, similarity: bool = True, lang: str = "en") -> None:
    """Every output of a run. source (the graded folder or zip) and course (for the lessons' given code)
    serve the similarity pass, which reads the answers again from the graded files; info gains
    "similarity_seconds". Each feedback page is in its submission's edition; the report in `lang`."""
    with language(lang):
        _write_all(results, intake, info, out, source, course, similarity)


def _write_all(results, intake, info, out, source, course, similarity) -> None:
    from . import mistakes as mistakes_mod
    from . import similarity as similarity_mod

    specs = info.get("specs") or {}
    write_csv(results, out / "grades.csv")
    write_results(results, out / "results.json")
    found = mistakes_mod.class_mistakes(results)
    mistakes_mod.write_csv(found, out / "mistakes.csv")
    answer_problems, similar, note = [], {}, ""
    if not similarity:
        note = _("Not compared (similarity was switched off for this run).")
    elif specs and getattr(intake, "submissions", None):
        start = time.monotonic()
        try:
            answers, answer_problems = similarity_mod.read_answers(intake, specs, source)
            lessons = sorted({lesson for _student, lesson in answers})
            given = similarity_mod.given_cells(course.lessons, lessons) if course is not None else {}
            similar = similarity_mod.class_similarity(answers, specs, given)
        except Exception as exc:   # evidence for a person, never worth a class's grades and pages
            similar, note = {}, _("Not compared: the similarity pass failed ({why}).").format(why=f"{type(exc).__name__}: {exc}")
        info["similarity_seconds"] = round(time.monotonic() - start, 2)
    for r in results:
        target = out / "feedback" / r.student / f"{r.lesson}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        # errors=: a lone surrogate in a student's exception text must not stop the class's pages
        target.write_text(feedback_html(r), encoding="utf-8", errors="backslashreplace")
    (out / "report.html").write_text(report_html(results, intake.problems, info, found, similar, answer_problems, note),
                                     encoding="utf-8", errors="backslashreplace")
    write_gradebook(results, specs, out / "gradebook.db")
