"""Grade a class: find the submissions, grade them in parallel, keep every result on disk.

SUBMISSIONS is a folder or a zip (an LMS download) holding <student>/<lesson>.ipynb, or nbgrader's
<student>/<lesson>/<lesson>.ipynb. Each graded submission is written at once to
OUT/.results/<key>.json (atomically), keyed by the student, the lesson, the file's hash, the
solution, the limits, the isolation mode and the grading code (result_key); a run that is killed and started again reuses those and grades only the rest,
and the outputs (grades.csv, feedback, report, gradebook) are rewritten from all results, so
nothing is lost or counted twice.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..course import Course
from .judge import grade
from .notebook import LessonSpec, identify_lesson, load_lesson, read_submission
from .sandbox import Limits, Sandbox
from .verdict import ExerciseResult, Status, SubmissionResult

GRADER_VERSION = "1"
ZIP_LIMITS = {"files": 20_000, "file_bytes": 64 << 20, "total_bytes": 1 << 30}
SAFE_ID = re.compile(r"[^A-Za-z0-9._@+-]")


@dataclass
class Submission:
    student: str
    lesson: str
    path: Path
    note: str = ""        # e.g. "misnamed file graded as ..."
    sha: str = ""


@dataclass
class Intake:
    submissions: list[Submission] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)   # student -> problems with their files
    students: set[str] = field(default_factory=set)

    def problem(self, student: str, text: str) -> None:
        self.problems.setdefault(student, []).append(text)


def safe_id(text: str) -> str:
    """A student or file id that is safe as a folder name."""
    cleaned = SAFE_ID.sub("_", text).strip("._") or "unnamed"
    return cleaned[:100]


def extract_zip(path: Path, dest: Path) -> list[str]:
    """Extract a zip safely (no absolute paths, no '..', no links, size caps). Returns problems."""
    problems, total = [], 0
    with zipfile.ZipFile(path) as zf:
        members = zf.infolist()
        if len(members) > ZIP_LIMITS["files"]:
            raise ValueError(f"{path.name} holds {len(members)} files; the limit is {ZIP_LIMITS['files']}")
        for info in members:
            name = info.filename.replace("\\", "/")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if info.is_dir() or not parts:
                continue
            if name.startswith("/") or ".." in parts or (info.external_attr >> 16) & 0o170000 == 0o120000:
                problems.append(f"skipped unsafe zip entry {name!r}")
                continue
            if info.file_size > ZIP_LIMITS["file_bytes"] or total + info.file_size > ZIP_LIMITS["total_bytes"]:
                problems.append(f"skipped oversized zip entry {name!r} ({info.file_size} bytes)")
                continue
            total += info.file_size
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    return problems


def collect(root: Path, specs: dict[str, LessonSpec]) -> Intake:
    """Find <student>/<lesson>.ipynb (or <student>/<lesson>/<lesson>.ipynb) files below root."""
    intake = Intake()
    files = sorted(p for p in root.rglob("*") if p.is_file()
                   and not any(part in (".ipynb_checkpoints", "__MACOSX") or part.startswith(".") for part in p.relative_to(root).parts))
    seen: dict[tuple[str, str], Path] = {}
    for path in files:
        rel = path.relative_to(root).parts
        lesson = path.stem if path.suffix == ".ipynb" else None
        if len(rel) >= 3 and rel[-2] == path.stem:            # nbgrader: student/lesson/lesson.ipynb
            student = rel[-3]
        elif len(rel) >= 2:
            student = rel[-2]
        else:
            intake.problem("(unknown)", f"{path.name} is not inside a student folder; skipped")
            continue
        student = safe_id(student)
        note = ""
        if lesson not in specs:
            try:
                raw = path.read_bytes()[: 64 << 20]
            except OSError:
                raw = b""
            guess = identify_lesson(raw, specs)
            if guess is None:
                if path.suffix == ".ipynb":  # a notebook, but of no lesson: the student exists, the file is not graded
                    intake.students.add(student)
                    intake.problem(student, f"{'/'.join(rel)}: not a known lesson file (expected one of "
                                            f"{', '.join(sorted(specs))}.ipynb) and its content matches none; not graded")
                else:
                    intake.problem("(other files)", f"ignored {'/'.join(rel)}: not a notebook")
                continue
            note = f"the file was named {path.name!r}; graded as {guess}.ipynb from its content"
            intake.problem(student, note)
            lesson = guess
        intake.students.add(student)
        if (student, lesson) in seen:
            intake.problem(student, f"more than one file for {lesson}: graded {seen[(student, lesson)].name}, ignored {path.name}")
            continue
        seen[(student, lesson)] = path
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        intake.submissions.append(Submission(student, lesson, path, note, sha))
    return intake


# --- the parallel part ---------------------------------------------------------------------

_SPECS: dict[str, LessonSpec] = {}


def _grade_job(job: dict) -> dict:
    """Run in a pool process: grade one submission, write its result file, return it."""
    spec = _SPECS.get(job["lesson"])
    if spec is None:
        spec = _SPECS[job["lesson"]] = load_lesson(Path(job["solution"]))
    raw = Path(job["path"]).read_bytes() if os.path.getsize(job["path"]) < (64 << 20) else b""
    answers = read_submission(spec, raw)
    if not raw:
        answers.readable, answers.problems = False, ["the file is empty or larger than 64 MiB"]
    sandbox = Sandbox(hide=[Path(p) for p in job["hide"]], limits=Limits(**job["limits"]), force_fallback=job["fallback"])
    result = grade(spec, answers, job["student"], sandbox, slot=job["slot"]).as_dict()
    if job["note"]:
        result["problems"].insert(0, job["note"])
    if not result["grader_error"]:  # a failure of the grader is not a verdict: grade again next time
        tmp = Path(job["result_file"]).with_suffix(".tmp")
        tmp.write_text(json.dumps(result), encoding="utf-8")
        os.replace(tmp, job["result_file"])
    return result


def code_version() -> str:
    """A hash of the whole lstmlab package's source (checks, grader, textbook): a fixed check or a new
    grader invalidates every cached verdict."""
    import lstmlab

    h = hashlib.sha256(GRADER_VERSION.encode())
    root = Path(lstmlab.__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def result_key(sub: Submission, solution_sha: str, limits: Limits, fallback: bool, code: str) -> str:
    """The cache key of a verdict: who, which file, which solution, under which limits and isolation, by
    which grading code. A rerun with a longer time limit or after a check is fixed grades again."""
    settings = json.dumps([limits.__dict__, bool(fallback)], sort_keys=True)
    return hashlib.sha256(f"{code}|{sub.student}|{sub.lesson}|{sub.sha}|{solution_sha}|{settings}".encode()).hexdigest()[:32]


def not_submitted(student: str, spec: LessonSpec, reason: str, status: Status = Status.MISSING) -> SubmissionResult:
    r = SubmissionResult(student, spec.lesson, problems=[reason], sandbox="not run")
    r.exercises = [ExerciseResult(e.test_id, e.points, 0.0, status, reason) for e in spec.exercises]
    return r


def run(source: Path, out: Path, course: Course, jobs: int = 2, limits: Limits | None = None,
        fallback: bool = False, log=print) -> tuple[list[SubmissionResult], Intake, dict]:
    """Grade everything under `source` (folder or zip) into `out`. Returns (results, intake, info)."""
    start = time.monotonic()
    solutions = course.solutions
    specs = {p.stem: load_lesson(p) for p in sorted(solutions.glob("*.ipynb"))}
    sol_sha = {lid: hashlib.sha256((solutions / f"{lid}.ipynb").read_bytes()).hexdigest() for lid in specs}
    out.mkdir(parents=True, exist_ok=True)
    results_dir = out / ".results"
    results_dir.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lstmlab-intake-") as tmp:
        root = source
        extra_problems = []
        if source.is_file():
            if not zipfile.is_zipfile(source):
                raise SystemExit(f"lstmlab grade: {source} is neither a folder nor a zip file")
            root = Path(tmp) / "extracted"
            root.mkdir()
            extra_problems = extract_zip(source, root)
        intake = collect(root, specs)
        for p in extra_problems:
            intake.problem("(zip)", p)
        limits = limits or Limits()
        code = code_version()
        # Hidden from every worker: the course's secrets, the outputs, all submissions (the folder, or
        # the zip file) and their extracted copy.
        hidden = course.hidden_from_students(out, source, Path(tmp))
        todo, results = [], {}
        for k, sub in enumerate(intake.submissions):
            key = result_key(sub, sol_sha[sub.lesson], limits, fallback, code)
            rfile = results_dir / f"{key}.json"
            if rfile.is_file():
                try:
                    results[(sub.student, sub.lesson)] = SubmissionResult.from_dict(json.loads(rfile.read_text(encoding="utf-8")))
                    continue
                except (ValueError, KeyError, TypeError):  # unreadable or from another version: grade again
                    rfile.unlink()
            todo.append({"student": sub.student, "lesson": sub.lesson, "path": str(sub.path), "note": sub.note,
                         "solution": str(solutions / f"{sub.lesson}.ipynb"), "hide": [str(h) for h in hidden],
                         "limits": limits.__dict__, "fallback": fallback, "slot": k, "result_file": str(rfile)})
        log(f"{len(intake.submissions)} submissions from {len(intake.students)} students; "
            f"{len(results)} already graded, {len(todo)} to grade with {jobs} worker(s)")
        if todo:
            ctx = multiprocessing.get_context("forkserver")
            with cf.ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=ctx) as pool:
                futures = {pool.submit(_grade_job, job): job for job in todo}
                for fut in cf.as_completed(futures):
                    job = futures[fut]
                    try:
                        res = SubmissionResult.from_dict(fut.result())
                    except Exception as exc:  # a grader bug must not cost the batch: record and go on
                        res = not_submitted(job["student"], specs[job["lesson"]], f"grading failed: {exc!r}", Status.CRASHED)
                        res.grader_error = f"grading failed: {exc!r}"
                    results[(job["student"], job["lesson"])] = res
                    log(f"  {job['student']}/{job['lesson']}: {res.score:g}/{specs[job['lesson']].max_score:g} "
                        f"({res.seconds:.1f} s)")
    lessons = sorted({sub.lesson for sub in intake.submissions})
    for student in sorted(intake.students):
        for lid in lessons:
            if (student, lid) not in results:
                results[(student, lid)] = not_submitted(student, specs[lid], "not submitted (no readable file for this lesson)")
    ordered = [results[k] for k in sorted(results)]
    info = {"seconds": round(time.monotonic() - start, 1), "jobs": jobs, "graded_now": len(todo),
            "sandbox": Sandbox(hide=course.hidden_from_students(), limits=limits, force_fallback=fallback).describe(),
            "specs": specs}
    return ordered, intake, info
