"""Grade a class: find the submissions, grade them in parallel, keep every result on disk.

SUBMISSIONS is a folder or a zip (an LMS download) holding <student>/<lesson>.ipynb, or nbgrader's
<student>/<lesson>/<lesson>.ipynb. Each graded submission is written at once to
OUT/.results/<key>.json (atomically), keyed by the student, the lesson, the file's hash, the
solution, the limits, the isolation mode and the grading code (result_key); a run that is killed and started again reuses those and grades only the rest,
and the outputs (grades.csv, feedback, report, gradebook) are rewritten from all results, so
nothing is lost or counted twice.
"""
from __future__ import annotations

import collections
import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import stat
import tempfile
import time
import urllib.parse
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ...i18n import _, language
from ..course import Course
from .judge import grade
from .notebook import LessonSpec, identify_lesson, load_lesson, read_submission
from .progress import Note   # log gets plain text, or Notes that progress.Progress also counts
from .sandbox import Limits, Sandbox
from .verdict import ExerciseResult, Status, SubmissionResult

GRADER_VERSION = "1"
ZIP_LIMITS = {"files": 20_000, "file_bytes": 64 << 20, "total_bytes": 1 << 30}
FILE_LIMIT = 64 << 20          # a submitted file larger than this is reported, never read
SAFE_CHARS = "._@+-"           # kept in student ids besides ASCII letters and digits
MAX_ID = 100


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
    """A student id that is safe as a folder name and in a spreadsheet, and never merges two students.

    Letters, digits and ._@+- stay as they are; every other character is percent-encoded (UTF-8), '%'
    included, so the mapping is reversible (urllib.parse.unquote gives the original back): "José Ñ"
    becomes "Jos%C3%A9%20%C3%91", while "jose_n" stays apart. An id longer than 100 characters is cut
    and ends with a hash of the whole original, so two long ids sharing a prefix stay two students.
    """
    def encode(t: str) -> str:
        # quote keeps "~" as it is; encode it too, so "~" appears only in the cut ids below.
        out = urllib.parse.quote(t, safe=SAFE_CHARS, errors="surrogatepass").replace("~", "%7E")
        return "%2E" + out[1:] if out.startswith(".") else out     # ".", "..", hidden folders

    encoded = encode(text)
    if not encoded:
        return "%00unnamed"
    if len(encoded) > MAX_ID:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        n = len(text)
        while len(encode(text[:n])) > MAX_ID - 13:   # cut whole characters, never an escape
            n -= 1
        encoded = encode(text[:n]) + "~" + digest
    return encoded


def read_capped(path: Path, limit: int = FILE_LIMIT) -> bytes:
    """A file's bytes, refusing a symbolic link (O_NOFOLLOW) and anything over `limit` bytes before
    reading it (a huge sparse file is never read whole). Raises OSError or ValueError saying why."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > limit:
            raise ValueError(f"{info.st_size} bytes, over the {limit >> 20} MiB limit")
        raw = f.read(limit + 1)   # a buffered read: until end of file or limit + 1 bytes (a file still growing)
    if len(raw) > limit:
        raise ValueError(f"over the {limit >> 20} MiB limit")
    return raw


def extract_zip(path: Path, dest: Path) -> list[str]:
    """Extract a zip safely: no absolute paths, no '..', no links, size caps, names the file system
    accepts; a duplicated name is extracted for nobody (which copy is the student's?). Every bad entry
    is reported and skipped; none stops the others. Returns the problems."""
    problems, total = [], 0
    with zipfile.ZipFile(path) as zf:
        members = zf.infolist()
        if len(members) > ZIP_LIMITS["files"]:
            raise ValueError(f"{path.name} holds {len(members)} files; the limit is {ZIP_LIMITS['files']}")
        counts = collections.Counter(m.filename.replace("\\", "/").strip("/") for m in members if not m.is_dir())
        for info in members:
            name = info.filename.replace("\\", "/")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if info.is_dir() or not parts:
                continue
            if counts[name.strip("/")] > 1:
                problems.append(f"zip entry {name!r} appears {counts[name.strip('/')]} times; none of them was graded")
                continue
            if name.startswith("/") or ".." in parts or (info.external_attr >> 16) & 0o170000 == 0o120000:
                problems.append(f"skipped unsafe zip entry {name!r}")
                continue
            if info.file_size > ZIP_LIMITS["file_bytes"] or total + info.file_size > ZIP_LIMITS["total_bytes"]:
                problems.append(f"skipped oversized zip entry {name!r} ({info.file_size} bytes)")
                continue
            target = dest.joinpath(*parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with zf.open(info) as src, open(target, "xb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > ZIP_LIMITS["file_bytes"]:
                            raise ValueError("larger than its header says")
                        dst.write(chunk)
                total += written
            except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
                problems.append(f"skipped zip entry {name!r}: {exc}")
                try:
                    if target.is_file():
                        target.unlink()
                except OSError:
                    pass
    return problems


def _walk(root: Path, intake: Intake) -> list[tuple[str, ...]]:
    """Relative paths of the regular files below root; links are reported and never followed."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        rel_dir = here.relative_to(root).parts
        for d in list(dirs):
            if d.startswith(".") or d in ("__MACOSX",):
                dirs.remove(d)
            elif (here / d).is_symlink():
                dirs.remove(d)
                intake.problem("(other files)", f"ignored {'/'.join(rel_dir + (d,))}: a link (links are never followed)")
        for f in files:
            if f.startswith("."):
                continue
            if (here / f).is_symlink():
                intake.problem("(other files)", f"ignored {'/'.join(rel_dir + (f,))}: a link (links are never followed)")
                continue
            found.append(rel_dir + (f,))
    return sorted(found)


def collect(root: Path, specs: dict[str, LessonSpec]) -> Intake:
    """Find the submissions below root, in the documented layouts only:
    <student>/<lesson>.ipynb, or nbgrader's <student>/<lesson>/<lesson>.ipynb (a root holding nothing but
    one folder, as many zip downloads do, is looked into). Everything else is reported, not graded."""
    intake = Intake()
    entries = [e for e in root.iterdir() if not e.name.startswith(".") and e.name != "__MACOSX"] if root.is_dir() else []
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink() and not any(
            p.suffix == ".ipynb" for p in entries[0].iterdir() if p.is_file()):
        root = entries[0]
    seen: dict[tuple[str, str], str] = {}
    raw_of: dict[str, str] = {}
    for rel in _walk(root, intake):
        where = "/".join(rel)
        path = root.joinpath(*rel)
        name = rel[-1]
        stem, suffix = os.path.splitext(name)
        if len(rel) == 2 or (len(rel) == 3 and rel[1] == stem):
            raw_student = rel[0]
        else:
            intake.problem("(other files)", f"ignored {where}: not in a documented layout (<student>/<lesson>.ipynb or "
                                            "<student>/<lesson>/<lesson>.ipynb)")
            continue
        student = safe_id(raw_student)
        if raw_of.setdefault(student, raw_student) != raw_student:   # cannot happen with safe_id; never merge
            intake.problem(student, f"the ids {raw_of[student]!r} and {raw_student!r} name the same folder; "
                                    f"{where} was not graded")
            continue
        try:
            raw = read_capped(path)
        except (OSError, ValueError) as exc:
            intake.students.add(student)
            intake.problem(student, f"{where}: not graded ({exc})")
            continue
        lesson = stem if suffix == ".ipynb" else None
        note = ""
        if lesson not in specs:
            guess = identify_lesson(raw, specs)
            if guess is None:
                if suffix == ".ipynb":  # a notebook, but of no lesson: the student exists, the file is not graded
                    intake.students.add(student)
                    intake.problem(student, f"{where}: not a known lesson file (expected one of "
                                            f"{', '.join(sorted(specs))}.ipynb) and its content matches none; not graded")
                else:
                    intake.problem("(other files)", f"ignored {where}: not a notebook")
                continue
            note = f"the file was named {name!r}; graded as {guess}.ipynb from its content"
            intake.problem(student, note)
            lesson = guess
        intake.students.add(student)
        if (student, lesson) in seen:
            intake.problem(student, f"more than one file for {lesson}: graded {seen[(student, lesson)]}, ignored {where}")
            continue
        seen[(student, lesson)] = where
        intake.submissions.append(Submission(student, lesson, path, note, hashlib.sha256(raw).hexdigest()))
    return intake


# --- the parallel part ---------------------------------------------------------------------

_SPECS: dict[tuple[str, str], LessonSpec] = {}   # (lesson, edition) -> spec, in a judge process


def _grade_job(job: dict) -> dict:
    """Run in a pool process: grade one submission, write its result file, return it."""
    edition = job.get("edition", "en")
    spec = _SPECS.get((job["lesson"], edition))
    if spec is None:
        spec = _SPECS[(job["lesson"], edition)] = load_lesson(Path(job["solution"]))
    try:
        raw = read_capped(Path(job["path"]))
    except (OSError, ValueError) as exc:
        raw, why = b"", str(exc)
    else:
        why = "the file is empty"
    answers = read_submission(spec, raw)
    if not raw:
        answers.readable, answers.problems = False, [why]
    sandbox = Sandbox(hide=[Path(p) for p in job["hide"]], limits=Limits(**job["limits"]), force_fallback=job["fallback"])
    with language(edition):   # the grader's own messages (time limits, rejections) in the edition's language
        result = grade(spec, answers, job["student"], sandbox, slot=job["slot"]).as_dict()
    result["edition"] = edition
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
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.po")]):   # messages too: feedback's language
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def result_key(sub: Submission, solution_sha: str, limits: Limits, fallback: bool, code: str) -> str:
    """The cache key of a verdict: who, which file, which solution, under which limits and isolation, by
    which grading code. A rerun with a longer time limit or after a check is fixed grades again."""
    settings = json.dumps([limits.__dict__, bool(fallback)], sort_keys=True)
    return hashlib.sha256(f"{code}|{sub.student}|{sub.lesson}|{sub.sha}|{solution_sha}|{settings}".encode()).hexdigest()[:32]


def submission_edition(path: Path) -> str:
    """The edition a submitted notebook says it belongs to (metadata.lstmlab.edition); English when unreadable.
    Only the language of its feedback and the solution notebook its test cells come from depend on it."""
    from ...i18n import edition_of

    try:
        nb = json.loads(read_capped(path))
        return edition_of(nb) if isinstance(nb, dict) else "en"
    except (OSError, ValueError, UnicodeDecodeError):
        return "en"


def solution_for(course: Course, lesson: str, edition: str) -> Path:
    """The solution notebook that grades a submission of `edition` (the English one if that edition lacks it)."""
    path = course.solutions_in(edition) / f"{lesson}.ipynb"
    return path if path.is_file() else course.solutions / f"{lesson}.ipynb"


def not_submitted(student: str, spec: LessonSpec, reason: str, status: Status = Status.MISSING,
                  edition: str = "en") -> SubmissionResult:
    r = SubmissionResult(student, spec.lesson, problems=[reason], sandbox="not run", edition=edition)
    r.exercises = [ExerciseResult(e.test_id, e.points, 0.0, status, reason) for e in spec.exercises]
    return r


def _limit_judge(memory_mb: int) -> None:
    """Pool initializer: cap the judge's own memory (soft limit, so its workers can still be given theirs)
    and die with the process that started it (no orphaned grader when `lstmlab grade` is killed)."""
    import resource

    from .sandbox import die_with_parent

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
    die_with_parent()
    if Sandbox().wants_warm():   # this process's zygote imports while the first job loads (it ends with us)
        from . import zygote

        zygote.prestart(Sandbox.base_env())


def _run_pool(todo: list[dict], jobs: int, judge_memory_mb: int, grade_job, specs, record) -> list[dict]:
    """Grade jobs in a pool of judge processes, record(job, result) each; returns the jobs lost to a dead pool."""
    lost = []
    # spawn: pool processes are children of this process, so they can die with it (die_with_parent)
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=ctx, initializer=_limit_judge,
                                initargs=(judge_memory_mb,)) as pool:
        futures = {pool.submit(grade_job, job): job for job in todo}
        for fut in cf.as_completed(futures):
            job = futures[fut]
            try:
                res = SubmissionResult.from_dict(fut.result())
            except cf.process.BrokenProcessPool:
                lost.append(job)
                continue
            except Exception as exc:  # a grader bug must not cost the batch: record and go on
                res = not_submitted(job["student"], specs[job["lesson"]], f"grading failed: {exc!r}", Status.CRASHED)
                res.grader_error = f"grading failed: {exc!r}"
            record(job, res)
    return lost


def run(source: Path, out: Path, course: Course, jobs: int = 2, limits: Limits | None = None,
        fallback: bool = False, log=print, judge_memory_mb: int = 8192,
        grade_job=None, backend=None) -> tuple[list[SubmissionResult], Intake, dict]:
    """Grade everything under `source` (folder or zip) into `out`. Returns (results, intake, info).

    judge_memory_mb caps each judge process (the trusted side); grade_job replaces _grade_job (tests).
    backend grades the jobs, with _run_pool's signature and promise (record(job, result) once per job it
    grades, return the jobs it lost); default _run_pool, the local pool; distributed.DaskBackend sends
    them to a Dask cluster.
    """
    grade_job = grade_job or _grade_job
    backend = backend or _run_pool
    start = time.monotonic()
    solutions = course.solutions
    specs = {p.stem: load_lesson(p) for p in sorted(solutions.glob("*.ipynb"))}
    sol_sha: dict[Path, str] = {}   # solution notebook -> sha-256, for the cache key
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
        editions: dict[str, str] = {}   # student -> an edition they submitted in (for lessons they did not)
        for k, sub in enumerate(intake.submissions):
            edition = submission_edition(sub.path)
            editions.setdefault(sub.student, edition)
            solution = solution_for(course, sub.lesson, edition)
            if solution not in sol_sha:
                sol_sha[solution] = hashlib.sha256(solution.read_bytes()).hexdigest()
            key = result_key(sub, sol_sha[solution], limits, fallback, code)
            rfile = results_dir / f"{key}.json"
            if rfile.is_file():
                try:
                    results[(sub.student, sub.lesson)] = SubmissionResult.from_dict(json.loads(rfile.read_text(encoding="utf-8")))
                    continue
                except (ValueError, KeyError, TypeError):  # unreadable or from another version: grade again
                    rfile.unlink()
            todo.append({"student": sub.student, "lesson": sub.lesson, "path": str(sub.path), "note": sub.note,
                         "solution": str(solution), "edition": edition, "hide": [str(h) for h in hidden],
                         "limits": limits.__dict__, "fallback": fallback, "slot": k, "result_file": str(rfile)})
        log(Note(f"{len(intake.submissions)} submissions from {len(intake.students)} students; "
                 f"{len(results)} already graded, {len(todo)} to grade with {jobs} worker(s)",
                 "start", total=len(todo), cached=len(results)))
        if todo:
            def record(job: dict, res: SubmissionResult) -> None:
                results[(job["student"], job["lesson"])] = res
                log(Note(f"  {job['student']}/{job['lesson']}: {res.score:g}/{specs[job['lesson']].max_score:g} "
                         f"({res.seconds:.1f} s)" + (f" grader failure: {res.grader_error}" if res.grader_error else ""),
                         "done", failed=bool(res.grader_error),
                         incident=any(e.status.is_incident for e in res.exercises)))

            lost = backend(todo, jobs, judge_memory_mb, grade_job, specs, record)
            # A grading process that died (BrokenProcessPool) takes every submission in flight with it:
            # grade each of those again alone, in a fresh process, so only a submission that kills the
            # grader twice is left ungraded (a grader error: not cached, exit status 3).
            for job in lost:
                again = backend([job], 1, judge_memory_mb, grade_job, specs, record)
                for j in again:
                    res = not_submitted(j["student"], specs[j["lesson"]], "grading failed: the grading process died "
                                        "twice on this submission", Status.CRASHED)
                    res.grader_error = "the grading process died twice on this submission"
                    record(j, res)
            log(Note(f"graded {len(todo)} submissions", "end"))
    lessons = sorted({sub.lesson for sub in intake.submissions})
    for student in sorted(intake.students):
        for lid in lessons:
            if (student, lid) not in results:
                with language(editions.get(student, "en")):
                    results[(student, lid)] = not_submitted(student, specs[lid], _("not submitted (no readable file for "
                                                                                   "this lesson)"),
                                                            edition=editions.get(student, "en"))
    ordered = [results[k] for k in sorted(results)]
    info = {"seconds": round(time.monotonic() - start, 1), "jobs": jobs, "graded_now": len(todo),
            "sandbox": Sandbox(hide=course.hidden_from_students(), limits=limits, force_fallback=fallback).describe(),
            "specs": specs}
    return ordered, intake, info
