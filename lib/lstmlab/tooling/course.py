"""Course tooling: where things are, solutions/ -> lessons/ through nbgrader, nbval verification.

A lesson is solutions/NN_slug.ipynb (the nbgrader source: solutions, hidden tests,
stored outputs). Its student version lessons/NN_slug.ipynb is generated, never edited.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

LESSON_ID = re.compile(r"^\d\d_[a-z0-9_]+$")

# What a student's code must not see while it is graded, named once. The grading sandbox mounts an
# empty tmpfs over each of these (see grading/sandbox.py); README's "what is isolated" describes this list.
#   in the repository: the solutions and hidden tests, nbgrader's course root (gradebook, submitted,
#   autograded, source), the test suite with its banks of answers, tools, benchmarks and git history;
#   outside it: nbgrader's system-wide exchange (every student's submission on a JupyterHub);
#   per grading run (Course.hidden_from_students): the output folder and every submission.
HIDDEN_IN_REPOSITORY = ("solutions", "course", "tests", "tools", "benchmarks", ".git")
NBGRADER_EXCHANGE = Path("/srv/nbgrader/exchange")


def repo_root() -> Path:
    """The course repository: $LSTMLAB_ROOT, else the nearest folder above cwd with solutions/ and course/,
    else the checkout this package was installed from (editable install)."""
    if os.environ.get("LSTMLAB_ROOT"):
        return Path(os.environ["LSTMLAB_ROOT"]).resolve()
    for d in [Path.cwd(), *Path.cwd().parents]:
        if (d / "solutions").is_dir() and (d / "course" / "nbgrader_config.py").is_file():
            return d
    here = Path(__file__).resolve().parents[3]  # lib/lstmlab/tooling/course.py -> the checkout
    if (here / "course" / "nbgrader_config.py").is_file():
        return here
    raise SystemExit("lstmlab: cannot find the course (no solutions/ and course/ here); set LSTMLAB_ROOT")


@dataclass(frozen=True)
class Course:
    root: Path

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def lessons(self) -> Path:
        return self.root / "lessons"

    def solutions_in(self, lang: str) -> Path:
        """The solution notebooks of an edition: solutions/ (English, the source) or solutions/<lang>/."""
        return self.solutions if lang == "en" else self.solutions / lang

    def lessons_in(self, lang: str) -> Path:
        """The student notebooks of an edition: lessons/ (English) or lessons/<lang>/."""
        return self.lessons if lang == "en" else self.lessons / lang

    @property
    def course_dir(self) -> Path:
        return self.root / "course"

    def hidden_from_students(self, *run_paths: Path) -> list[Path]:
        """Every path student code must not see (HIDDEN_IN_REPOSITORY, the exchange, and `run_paths`:
        a grading run's output folder, its submissions and their unpacked copy)."""
        return [*(self.root / name for name in HIDDEN_IN_REPOSITORY), NBGRADER_EXCHANGE,
                *(Path(p).resolve() for p in run_paths)]

    def lesson_ids(self) -> list[str]:
        ids = sorted(p.stem for p in self.solutions.glob("*.ipynb"))
        bad = [i for i in ids if not LESSON_ID.match(i)]
        if bad:
            raise SystemExit(f"lstmlab: lesson ids must look like 01_lstm_cell, got {bad}")
        return ids


# Stored outputs are compared by nbval on whatever CPU runs the tests. The math libraries pick kernels
# by instruction set (AVX2, AVX-512, ...), and the last bits they produce differ between kernels, which
# a few hundred training steps amplify into other printed results. Executing and verifying the
# solution notebooks with every library held to its AVX2 code path makes them print the same on
# every x86-64 machine since 2013 (ignored elsewhere): MKL's conditional numerical reproducibility,
# OpenBLAS's core type (numpy), oneDNN's and ATen's (torch) instruction sets.
REPRODUCIBLE_KERNELS = {"MKL_CBWR": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "OPENBLAS_CORETYPE": "Haswell",
                        "ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"}


# One BLAS/OpenMP thread per kernel where kernels run side by side (verify with pytest-xdist, the tests):
# two kernels of 2 threads each on 2 cores spin against each other (the Keras cell of lesson 01: 70 s
# instead of 9 s). The stored outputs do not depend on it (verify passes with either).
ONE_THREAD_PER_KERNEL = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def reproducible_env() -> dict[str, str]:
    """os.environ with REPRODUCIBLE_KERNELS set, also in this process (kernels started from it inherit it)."""
    os.environ.update(REPRODUCIBLE_KERNELS)
    return dict(os.environ)


def with_venv_on_path() -> dict[str, str]:
    """Environment with this interpreter's bin/ first on PATH: nbgrader shells out to `alembic`."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    os.environ["PATH"] = env["PATH"]
    return env


def nbgrader_api(course_root: Path, exchange_root: Path | None = None, **overrides):
    """An NbGraderAPI on course_root with the course's nbgrader_config.py loaded.

    overrides: {"Section.option": value}, applied last. The exchange goes to a private
    folder (never the system-wide /srv/nbgrader/exchange) unless exchange_root is given.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    with_venv_on_path()
    config = Config()
    cfg_file = course_root / "nbgrader_config.py"
    if cfg_file.is_file():
        config.merge(PyFileConfigLoader(cfg_file.name, path=str(course_root)).load_config())
    config.CourseDirectory.root = str(course_root)
    config.Exchange.root = str(exchange_root or (course_root / ".exchange"))
    for key, value in overrides.items():
        section, option = key.split(".")
        setattr(config[section], option, value)
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def _normalise(nb) -> str:
    """Canonical text of a notebook: no outputs, execution counts, run timestamps or saved widget state."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # the author's run timestamps: noise in every rebuild
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


# JupyterLab sends a cell tagged `raises-exception` with stop_on_error false, so the kernel goes on with
# the cells queued after it: Run All reaches the end of a lesson past a failing or unanswered exercise
# (measured in tests/test_browser.py). Tagged in the student versions (lessons/), never in solutions/: grading
# ignores tags (nbgrader executes with allow_errors and scores from the outputs; our judge rebuilds the
# notebook from solutions/), and nbval keeps failing on an error in a solution notebook.
RUN_ALL_GOES_ON = "raises-exception"


def cells_run_all_goes_past(nb) -> list:
    """The cells whose failure must not stop Run All: every answer cell, test cell and demo cell (demos call
    the student's functions). Setup cells (imports, data) are left out: when they fail, stopping is right."""
    return [c for c in nb.cells if c.cell_type == "code"
            and (nbgrader_flags(c) & {"solution", "grade"} or "demo" in (c.get("metadata") or {}).get("tags", []))]


def nbgrader_flags(cell) -> set[str]:
    meta = (cell.get("metadata") or {}).get("nbgrader") or {}
    return {k for k in ("solution", "grade") if meta.get(k)}


def tag_for_run_all(nb):
    """Add RUN_ALL_GOES_ON to the tags of cells_run_all_goes_past(nb), in place; returns nb."""
    for cell in cells_run_all_goes_past(nb):
        tags = cell.metadata.setdefault("tags", [])
        if RUN_ALL_GOES_ON not in tags:
            tags.append(RUN_ALL_GOES_ON)
    return nb


def generate_student_versions(course: Course, ids: list[str] | None = None, lang: str = "en") -> dict[str, str]:
    """Run nbgrader generate_assignment on each solution of an edition in a throwaway course root.

    Returns {lesson_id: student notebook text}. Touches nothing in the repository. The stub that replaces
    a solution is in the edition's language (tooling/editions.py CODE_STUB).
    """
    from .editions import CODE_STUB

    ids = ids or course.lesson_ids()
    solutions = course.solutions_in(lang)
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="lstmlab-build-") as tmp:
        root = Path(tmp)
        shutil.copy(course.course_dir / "nbgrader_config.py", root / "nbgrader_config.py")
        for lid in ids:
            (root / "source" / lid).mkdir(parents=True)
            shutil.copy(solutions / f"{lid}.ipynb", root / "source" / lid / f"{lid}.ipynb")
        api = nbgrader_api(root, **({"ClearSolutions.code_stub": {"python": CODE_STUB[lang]}} if lang != "en" else {}))
        for lid in ids:
            result = api.generate_assignment(lid, force=True, create=True)
            if not result["success"]:
                raise SystemExit(f"lstmlab build: nbgrader failed on {lid}:\n{result['error']}\n{result['log']}")
            nb = nbformat.read(root / "release" / lid / f"{lid}.ipynb", as_version=4)
            out[lid] = _normalise(tag_for_run_all(nb))
    return out


def build(course: Course, check: bool = False, ids: list[str] | None = None) -> list[str]:
    """Regenerate lessons/ from solutions/. Returns the ids that were (or, with check, would be) changed.

    Lessons without a solution are stale too (a deleted lesson must disappear), unless ids names the
    lessons to build: then only those are generated and nothing else is touched.
    """
    unknown = sorted(set(ids or ()) - set(course.lesson_ids()))
    if unknown:
        raise SystemExit(f"lstmlab build: no solution notebook for {', '.join(unknown)} in {course.solutions}")
    fresh = generate_student_versions(course, ids)
    changed = []
    for lid, text in fresh.items():
        target = course.lessons / f"{lid}.ipynb"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            changed.append(lid)
            if not check:
                target.parent.mkdir(exist_ok=True)
                target.write_text(text, encoding="utf-8")
    for orphan in sorted(course.lessons.glob("*.ipynb")) if course.lessons.is_dir() and not ids else []:
        if orphan.stem not in fresh:
            changed.append(orphan.stem)
            if not check:
                orphan.unlink()
    if not check:
        seed_nbgrader_source(course)
    return changed


def seed_nbgrader_source(course: Course) -> None:
    """Copy each solution to course/source/<id>/<id>.ipynb (git-ignored), so that nbgrader's own
    commands (generate_assignment, release_assignment, formgrader) work in course/ as they are."""
    for lid in course.lesson_ids():
        target = course.course_dir / "source" / lid / f"{lid}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(course.solutions / f"{lid}.ipynb", target)


def notebooks_without_outputs(paths: list[Path]) -> list[str]:
    """Names of notebooks with a code cell that was never run: nbval would compare nothing there."""
    bad = []
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        if not code or any(c.execution_count is None for c in code):
            # a translated edition's notebook is named with its folder (zh/01_lstm_cell.ipynb)
            bad.append(f"{p.parent.name}/{p.name}" if p.parent.name in ("zh",) else p.name)
    return bad


def verify(course: Course, ids: list[str] | None = None, extra_args: list[str] = ()) -> int:
    """Run the solution notebooks of every edition under nbval with output comparison. Returns pytest's exit status."""
    from .translations import TRANSLATED

    ids = ids or course.lesson_ids()
    paths = [course.solutions / f"{lid}.ipynb" for lid in ids]
    paths += [p for lang in TRANSLATED for lid in ids if (p := course.solutions_in(lang) / f"{lid}.ipynb").is_file()]
    missing = notebooks_without_outputs(paths)
    if missing:
        print(f"lstmlab verify: {', '.join(missing)} have code cells with no stored outputs; "
              "run them and save before committing (nbval compares nothing there).", file=sys.stderr)
        return 1
    cmd = [sys.executable, "-m", "pytest", "--nbval", "--nbval-sanitize-with",
           str(course.course_dir / "nbval_sanitize.cfg"), "-p", "no:cacheprovider", "-q",
           "--rootdir", str(course.root), "-o", "testpaths=", *map(str, paths), *extra_args]
    with_venv_on_path()
    return subprocess.call(cmd, cwd=course.root, env={**reproducible_env(), **ONE_THREAD_PER_KERNEL})


def execute_notebook(path: Path, timeout: int = 600) -> float:
    """Execute a notebook in place in its own folder, storing fresh outputs (for authors). Returns seconds taken."""
    import time

    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with_venv_on_path()
    reproducible_env()
    start = time.perf_counter()
    # coalesce_streams: one stdout output per cell however the kernel happened to flush it (stable diffs)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", coalesce_streams=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    took = time.perf_counter() - start
    nbformat.write(nb, path)
    return took


def execute_solution(course: Course, lid: str, timeout: int = 600) -> float:
    """Execute solutions/<lid>.ipynb in place, storing fresh outputs (for authors). Returns seconds taken."""
    return execute_notebook(course.solutions / f"{lid}.ipynb", timeout)


def autograde(course: Course, lid: str, submissions: dict[str, Path], workdir: Path) -> dict[str, dict[str, tuple[float, float]]]:
    """Grade notebooks of one lesson with stock nbgrader autograde in a throwaway course root.

    submissions: {student_id: path of that student's <lid>.ipynb}
    workdir:     an empty folder to hold the course root (source, submitted, autograded, gradebook.db)
    Returns {student_id: {test cell grade_id: (score, max_score)}}.
    """
    from nbgrader.api import Gradebook

    shutil.copy(course.course_dir / "nbgrader_config.py", workdir / "nbgrader_config.py")
    (workdir / "source" / lid).mkdir(parents=True)
    shutil.copy(course.solutions / f"{lid}.ipynb", workdir / "source" / lid / f"{lid}.ipynb")
    api = nbgrader_api(workdir)
    result = api.generate_assignment(lid, force=True, create=True)
    if not result["success"]:
        raise RuntimeError(f"generate_assignment {lid} failed: {result['error']}")
    grades: dict[str, dict[str, tuple[float, float]]] = {}
    for student, path in submissions.items():
        target = workdir / "submitted" / student / lid
        target.mkdir(parents=True)
        shutil.copy(path, target / f"{lid}.ipynb")
        with Gradebook(f"sqlite:///{workdir / 'gradebook.db'}") as gb:
            gb.update_or_create_student(student)
        result = api.autograde(lid, student, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(f"autograde {lid} for {student} failed: {result['error']}\n{result['log']}")
    with Gradebook(f"sqlite:///{workdir / 'gradebook.db'}") as gb:
        for student in submissions:
            sub = gb.find_submission_notebook(lid, lid, student)
            grades[student] = {g.name: (float(g.score), float(g.max_score)) for g in sub.grades}
    return grades
