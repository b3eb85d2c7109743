"""The library's three parts keep their rules: the textbook is numpy, rooms stand alone, tooling stays apart.

Read from the source (imports anywhere in a module, function bodies included), so a lazy
`import matplotlib` inside a function counts too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import COURSE

PKG = Path(__file__).resolve().parents[1] / "lib" / "lstmlab"
ROOMS = sorted(p.name for p in (PKG / "lessons").iterdir() if (p / "__init__.py").is_file())
TEXTBOOK = sorted(p.stem for p in PKG.glob("*.py") if p.stem != "__init__")
TORCH_ALLOWED = {"bridge", "train", "timing"}   # modules whose job is torch
# i18n draws nothing, but a Chinese lesson's plots need a CJK font: it sets matplotlib's font family.
FONTS_ONLY = {"i18n": {"matplotlib", "matplotlib.font_manager"}}
ROOM_FILES = {"__init__", "checks", "tasks", "models", "plots", "experiments"}


def imports_of(path: Path) -> set[str]:
    """Absolute names of every module `path` imports (relative imports resolved)."""
    module = ".".join(path.relative_to(PKG.parent).with_suffix("").parts)
    package = module if path.stem == "__init__" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found


def test_every_lesson_has_a_room_named_after_it():
    assert ROOMS == sorted(lid.split("_", 1)[1] for lid in COURSE.lesson_ids())
    for room in ROOMS:
        assert (PKG / "lessons" / room / "checks.py").is_file(), f"room {room} has no checks.py"


@pytest.mark.parametrize("room", ROOMS)
def test_a_room_uses_the_standard_file_names_and_imports_no_other_room(room):
    folder = PKG / "lessons" / room
    doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))) or ""
    for path in folder.glob("*.py"):
        if path.stem not in ROOM_FILES:
            assert path.name in doc, f"{room}/{path.name} is not a standard room file; its __init__ must say why"
        assert path.stem == "__init__" or path.name in doc, f"{room}/__init__.py does not list {path.name}"
        others = {name for name in imports_of(path) if name.startswith("lstmlab.lessons.")
                  and name.split(".")[2] != room}
        assert not others, f"{room}/{path.name} imports another room: {sorted(others)}"


@pytest.mark.parametrize("module", TEXTBOOK)
def test_the_textbook_has_no_plots_and_torch_only_where_that_is_its_job(module):
    names = imports_of(PKG / f"{module}.py") - FONTS_ONLY.get(module, set())
    assert not {n for n in names if n.split(".")[0] in ("matplotlib", "ipywidgets")}, f"lstmlab.{module} draws"
    if module not in TORCH_ALLOWED:
        assert not {n for n in names if n.split(".")[0] == "torch"}, f"lstmlab.{module} imports torch"
    assert not {n for n in names if n.startswith("lstmlab.lessons")}, f"lstmlab.{module} imports a room"


def test_student_facing_code_never_imports_the_tooling():
    for path in PKG.rglob("*.py"):
        if "tooling" in path.relative_to(PKG).parts:
            continue
        bad = {n for n in imports_of(path) if n.startswith("lstmlab.tooling")}
        assert not bad, f"{path.relative_to(PKG)} imports {sorted(bad)}"


def test_the_package_docstring_names_every_module_and_room():
    doc = ast.get_docstring(ast.parse((PKG / "__init__.py").read_text(encoding="utf-8"))) or ""
    for name in [*TEXTBOOK, *ROOMS, "checking", "tooling"]:
        assert name in doc, f"lstmlab/__init__.py does not say where {name} is"


def test_what_students_must_not_see_is_one_list_covering_the_secrets(tmp_path):
    hidden = COURSE.hidden_from_students(tmp_path / "out", tmp_path / "subs")
    root = COURSE.root
    for secret in ("solutions", "course", "tests", "tools", ".git"):
        assert root / secret in hidden
    assert (tmp_path / "out").resolve() in hidden and (tmp_path / "subs").resolve() in hidden
    assert Path("/srv/nbgrader/exchange") in hidden
