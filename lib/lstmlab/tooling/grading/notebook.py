"""What to run for a submission: the lesson's trusted cells, and the student's answers found in their file.

The graded notebook is rebuilt from the instructor's source, never trusted from the student:
setup and test cells (hidden tests included), their order, types and points come from
solutions/<lesson>.ipynb. From the student's file only the *answers* are taken: the code of each
solution cell, found by its nbgrader grade_id, else by its cell id, else by the function it
defines, plus any code cells the student added after it. So deleting, editing, duplicating or
retyping test cells, stripping metadata or changing points changes nothing but the answers.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ...i18n import _


@dataclass
class Exercise:
    test_id: str           # grade_id of the autograder test cell (the graded item, one row in grades.csv)
    solution_id: str       # grade_id of the solution cell it grades
    points: float
    defines: list[str]     # top-level names the reference solution cell defines (for matching)
    cell_id: str | None    # nbformat id of the solution cell


@dataclass
class Step:
    kind: str              # "setup" | "answer" | "test" | "demo"
    source: str = ""
    solution_id: str | None = None
    exercise: Exercise | None = None


@dataclass
class LessonSpec:
    lesson: str
    steps: list[Step]
    exercises: list[Exercise]
    known_ids: set[str] = field(default_factory=set)        # ids of every source cell
    known_sources: set[str] = field(default_factory=set)    # stripped sources of non-solution cells

    @property
    def max_score(self) -> float:
        return sum(e.points for e in self.exercises)


def nbgrader_meta(cell) -> dict:
    """A cell's nbgrader metadata ({} when it has none)."""
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def defined_names(source: str) -> list[str]:
    """Top-level def/class/assignment names in a cell (IPython magics ignored); [] if it does not parse."""
    try:
        tree = ast.parse("\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def load_lesson(path: Path) -> LessonSpec:
    """Read a solution notebook into the steps grading runs, in notebook order."""
    return lesson_spec(nbformat.read(path, as_version=4), path.stem)


def lesson_spec(nb, lesson: str) -> LessonSpec:
    """The steps of a notebook already read (see load_lesson)."""
    steps, exercises, last = [], [], None
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            last = (meta["grade_id"], cell)
            steps.append(Step("answer", cell.source, solution_id=meta["grade_id"]))
        elif meta.get("grade"):
            if last is None:
                raise ValueError(f"{lesson}: test cell {meta['grade_id']} has no solution cell before it")
            ex = Exercise(meta["grade_id"], last[0], float(meta.get("points", 0)), defined_names(last[1].source),
                          last[1].get("id"))
            exercises.append(ex)
            steps.append(Step("test", cell.source, exercise=ex))
        elif "demo" in (cell.get("metadata") or {}).get("tags", []):
            steps.append(Step("demo", cell.source))
        else:
            steps.append(Step("setup", cell.source))
    known_ids = {c.get("id") for c in nb.cells if c.get("id")}
    known_sources = {c.source.strip() for c in nb.cells if not nbgrader_meta(c).get("solution")}
    return LessonSpec(lesson, steps, exercises, known_ids, known_sources)


# Constructs no answer in this course needs, used to reach into the grader's machinery.
TAMPERING_NAMES = {"__code__", "__globals__", "__closure__", "__builtins__", "__subclasses__", "__import__",
                   "__getattribute__", "__dict__", "__loader__", "__spec__", "__wrapped__", "__reduce_ex__",
                   "_getframe", "f_back", "f_globals", "gi_frame", "get_ipython", "settrace", "setprofile",
                   "input_transformers_cleanup", "input_transformers_post", "excepthook", "showtraceback"}
# torch beneath its Python API, where the ready-made guard does not look (as attributes: torch._VF.lstm)
TORCH_INTERNALS = {"_VF", "_C", "aten", "_ops", "_functorch", "_dynamo", "overrides", "TorchFunctionMode",
                   "TorchDispatchMode"}
TAMPERING_MODULES = {"gc", "ctypes", "inspect", "builtins", "importlib", "signal", "cffi", "IPython", "runpy",
                     "operator", "types", "pickle", "marshal", "code", "codeop", "zipimport", "pkgutil",
                     "lstmlab.tooling", "lstmlab.tooling.grading", "lstmlab.tooling.grading.worker",
                     "lstmlab.checking", "lstmlab.checking.guard", "lstmlab.checking.harness"}
# Builtins that reach attributes or code by a name computed at run time, which no scan can read.
DYNAMIC_ACCESS = {"getattr", "setattr", "delattr", "hasattr", "exec", "eval", "compile", "globals", "locals", "vars",
                  "__import__", "breakpoint"}


def tampering(source: str) -> list[str]:
    """Reasons this answer reaches into the interpreter or the grader ([] when clean or unparsable)."""
    try:
        tree = ast.parse("\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (node.attr in TAMPERING_NAMES or node.attr in TORCH_INTERNALS):
            found.add(f"uses .{node.attr}")
        elif isinstance(node, ast.Attribute) and node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id == "sys":
            found.add("uses sys.modules")
        elif isinstance(node, ast.Name) and node.id in TAMPERING_NAMES:
            found.add(f"uses {node.id}")
        elif isinstance(node, ast.Import):
            found |= {f"imports {a.name}" for a in node.names if a.name in TAMPERING_MODULES}
        elif isinstance(node, ast.ImportFrom) and (node.module or "") in TAMPERING_MODULES:
            found.add(f"imports from {node.module}")
    # Dynamic access: a computed name (getattr(torch.nn, "LS" + "TM")) defeats any list of names, so it
    # is refused outright; only getattr/hasattr with a plain literal name that is not private pass.
    literal_ok = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr")
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
                and not node.args[1].value.startswith("_") and node.args[1].value not in TAMPERING_NAMES):
            literal_ok.add(id(node.func))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in DYNAMIC_ACCESS and id(node) not in literal_ok:
            found.add(f"uses {node.id}" + ("() with a computed or private name" if node.id in ("getattr", "hasattr") else ""))
        elif isinstance(node, ast.Attribute) and node.attr in DYNAMIC_ACCESS:
            found.add(f"uses .{node.attr}")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and (node.value in TAMPERING_NAMES or node.value in TORCH_INTERNALS) and node.value.startswith("_")):
            found.add(f"names {node.value!r}")
    return sorted(found)


@dataclass
class Answers:
    code: dict[str, str] = field(default_factory=dict)          # solution_id -> source to run
    problems: list[str] = field(default_factory=list)           # about the file as a whole
    exercise_problems: dict[str, str] = field(default_factory=dict)  # solution_id -> why it earns nothing
    readable: bool = True


def read_submission(spec: LessonSpec, raw: bytes) -> Answers:
    """Find the student's answer to every exercise of `spec` in the notebook file's bytes."""
    out = Answers()
    if not raw.strip():
        out.readable = False
        out.problems.append(_("the file is empty"))
        return out
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        cells = list(nb.cells)
    except Exception as exc:  # corrupt JSON, wrong schema, not UTF-8, ...
        out.readable = False
        out.problems.append(_("not a readable notebook ({why})").format(why=f"{type(exc).__name__}: {str(exc)[:200]}"))
        return out
    by_grade_id = {e.solution_id: e for e in spec.exercises}
    by_cell_id = {e.cell_id: e for e in spec.exercises if e.cell_id}
    by_name = {name: e for e in spec.exercises for name in e.defines}
    blocks: dict[str, list[str]] = {}
    current, preamble = None, []
    for cell in cells:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        meta = nbgrader_meta(cell)
        ex = by_grade_id.get(meta.get("grade_id")) if meta.get("solution") else None
        if ex is None and cell.get("id") in by_cell_id and not meta.get("grade"):
            ex = by_cell_id[cell.get("id")]
        if ex is None and cell.get("cell_type") == "code" and not meta.get("grade"):
            hits = [by_name[n] for n in defined_names(source) if n in by_name]
            ex = hits[0] if hits and hits[0].solution_id not in blocks else None
        if ex is not None:
            if cell.get("cell_type") != "code":
                out.exercise_problems.setdefault(ex.solution_id, _("the answer cell was changed to {kind}: it was not "
                                                                   "run").format(kind=cell.get("cell_type")))
                current = None
                continue
            if ex.solution_id in blocks:
                out.problems.append(_("answer cell {id} appears more than once: all copies run in order").format(id=ex.solution_id))
            blocks.setdefault(ex.solution_id, []).append(source)
            current = ex.solution_id
        elif (cell.get("cell_type") == "code" and not meta and source.strip()
              and cell.get("id") not in spec.known_ids and source.strip() not in spec.known_sources):
            # A cell the student added: it runs with the answer before it.
            (blocks.setdefault(current, []) if current else preamble).append(source)
    for ex in spec.exercises:
        if ex.solution_id not in blocks:
            out.exercise_problems.setdefault(ex.solution_id, _("no answer cell found for this exercise"))
    first = next((e.solution_id for e in spec.exercises if e.solution_id in blocks), None)
    if preamble and first:
        blocks[first] = preamble + blocks[first]
    for sid, parts in blocks.items():
        out.code[sid] = "\n\n".join(parts)
        reasons = tampering(out.code[sid])
        if reasons:
            out.exercise_problems[sid] = _("the answer reaches into the interpreter or the grader ({reasons})").format(
                reasons=", ".join(reasons))
    return out


def identify_lesson(raw: bytes, specs: dict[str, LessonSpec]) -> str | None:
    """For a misnamed file: the lesson whose exercise grade_ids or function names it contains, if exactly one."""
    try:
        nb = json.loads(raw.decode("utf-8"))
        text = json.dumps(nb)
    except Exception:
        return None
    hits = [lid for lid, spec in specs.items()
            if sum(e.solution_id in text or any(f"def {n}(" in text for n in e.defines) for e in spec.exercises)
            >= max(1, len(spec.exercises) // 2)]
    return hits[0] if len(hits) == 1 else None
