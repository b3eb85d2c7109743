"""The course installs and runs on Python 3.10 to 3.13 (CI runs everything on 3.11).

What is checked here without installing the dependencies for the other interpreters (their torch
wheels are not cached on this machine, and PyPI's Linux one is a multi-GB CUDA build):

- every .py file of the checkout compiles under each of python3.10, 3.12 and 3.13 that can be
  found (pyenv's versions or PATH), with SyntaxWarnings as errors;
- the code uses no standard-library name newer than 3.10 and imports no module that 3.12 or 3.13
  removed (a scan of the source; a use behind a `hasattr` check is marked `# guarded`);
- pyproject.toml says >= 3.10 with no cap, and the Makefile picks an interpreter as README says
  (its selection runs with a fake PATH of stand-in interpreters);
- that the dependencies resolve on those interpreters needs PyPI (tests stay offline): run
  `python tools/resolve_pythons.py` by hand (about 4 minutes; measured 2026-12-01: all three resolve).
"""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import tomllib   # guarded: 3.11+; the tests that read TOML skip below
except ModuleNotFoundError:
    tomllib = None

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(p for folder in ("lib", "tests", "tools", "benchmarks") for p in (ROOT / folder).rglob("*.py")
                 if "__pycache__" not in p.parts)
OTHER_PYTHONS = ("3.10", "3.12", "3.13")


def interpreter(version: str) -> str | None:
    """A working python<version>: pyenv's, else one on PATH (a pyenv shim that refuses to run does not count)."""
    candidates = sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}.*/bin/python{version}"))
    candidates = [str(c) for c in candidates] + [p for p in [shutil.which(f"python{version}")] if p]
    for exe in candidates:
        try:
            done = subprocess.run([exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                  capture_output=True, text=True, timeout=60)
        except OSError:
            continue
        if done.returncode == 0 and done.stdout.strip() == version:
            return exe
    return None


# --- the code itself -----------------------------------------------------------------------------

COMPILE_ALL = """
import sys, warnings
warnings.simplefilter("error", SyntaxWarning)
bad = []
for path in sys.argv[1:]:
    try:
        compile(open(path, encoding="utf-8").read(), path, "exec")
    except (SyntaxError, SyntaxWarning) as exc:
        bad.append(f"{path}: {exc!r}")
print("\\n".join(bad))
sys.exit(1 if bad else 0)
"""


@pytest.mark.parametrize("version", ("3.11", *OTHER_PYTHONS))
def test_every_source_file_compiles(version):
    exe = sys.executable if version == "%d.%d" % sys.version_info[:2] else interpreter(version)
    if exe is None:
        pytest.skip(f"no python{version} on this machine")
    done = subprocess.run([exe, "-c", COMPILE_ALL, *map(str, SOURCES)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"python{version} cannot compile:\n{done.stdout}{done.stderr}"


# Standard-library names added after 3.10: (module, name) -> the version that added it. "" = a builtin.
NEWER = {
    **{("enum", n): "3.11" for n in ("StrEnum", "ReprEnum", "verify", "member", "nonmember", "global_enum",
                                       "EnumCheck", "FlagBoundary")},
    **{("typing", n): "3.11" for n in ("Self", "LiteralString", "Never", "assert_never", "assert_type", "reveal_type",
                                         "Required", "NotRequired", "TypeVarTuple", "Unpack", "dataclass_transform",
                                         "get_overloads", "clear_overloads")},
    ("typing", "override"): "3.12", ("typing", "TypeAliasType"): "3.12", ("typing", "ReadOnly"): "3.13",
    ("typing", "TypeIs"): "3.13", ("datetime", "UTC"): "3.11", ("contextlib", "chdir"): "3.11",
    ("hashlib", "file_digest"): "3.11", ("asyncio", "TaskGroup"): "3.11", ("asyncio", "timeout"): "3.11",
    ("asyncio", "Runner"): "3.11", ("itertools", "batched"): "3.12", ("math", "cbrt"): "3.11",
    ("math", "exp2"): "3.11", ("math", "sumprod"): "3.12", ("operator", "call"): "3.11",
    ("logging", "getLevelNamesMapping"): "3.11", ("sys", "exception"): "3.11", ("sys", "monitoring"): "3.12",
    ("locale", "getencoding"): "3.11", ("re", "NOFLAG"): "3.11", ("os", "process_cpu_count"): "3.13",
    ("os", "unshare"): "3.12", ("os", "setns"): "3.12", ("copy", "replace"): "3.13",
    ("warnings", "deprecated"): "3.13", ("", "ExceptionGroup"): "3.11", ("", "BaseExceptionGroup"): "3.11",
}
NEWER_MODULES = {"tomllib": "3.11", "wsgiref.types": "3.11"}
NEWER_METHODS = {"add_note": "3.11 (BaseException.add_note)"}
REMOVED_MODULES = {**dict.fromkeys(("distutils", "imp", "asyncore", "asynchat", "smtpd"), "3.12"),
                   **dict.fromkeys(("cgi", "cgitb", "crypt", "imghdr", "mailcap", "msilib", "nis", "nntplib",
                                    "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib",
                                    "audioop", "chunk", "lib2to3"), "3.13")}
needs_tomllib = pytest.mark.skipif(tomllib is None, reason="tomllib is Python 3.11+")

PENDING: set[tuple[str, str]] = set()   # known constructs newer than 3.10 awaiting a fix: none


def newer_features(path: Path) -> set[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    found = set()

    def note(node, what):
        if "# guarded" not in lines[node.lineno - 1]:
            found.add((rel, what))

    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and not node.level:
            for alias in node.names:
                if (node.module, alias.name) in NEWER:
                    note(node, f"{node.module}.{alias.name} ({NEWER[node.module, alias.name]})")
            mods = [node.module or ""]
        elif isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
        else:
            mods = []
        for mod in mods:
            if mod in NEWER_MODULES:
                note(node, f"import {mod} ({NEWER_MODULES[mod]})")
            if mod.split(".")[0] in REMOVED_MODULES:
                note(node, f"import {mod} (removed in {REMOVED_MODULES[mod.split('.')[0]]})")
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and (node.value.id, node.attr) in NEWER:
                note(node, f"{node.value.id}.{node.attr} ({NEWER[node.value.id, node.attr]})")
            if node.attr in NEWER_METHODS:
                note(node, f".{node.attr} ({NEWER_METHODS[node.attr]})")
        if isinstance(node, ast.Name) and ("", node.id) in NEWER:
            note(node, f"{node.id} ({NEWER['', node.id]})")
    return found


def test_no_standard_library_feature_newer_than_3_10():
    found = set().union(*(newer_features(p) for p in SOURCES))
    assert found <= PENDING, "needs a Python newer than 3.10:\n" + "\n".join(f"  {f}: {w}" for f, w in sorted(found - PENDING))


def test_the_scan_sees_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import tomllib\nfrom enum import StrEnum\nimport datetime\nx = datetime.UTC\n"
                      "try:\n    pass\nexcept ExceptionGroup:\n    pass\ne = ValueError()\ne.add_note('x')\n"
                      "e.add_note('y')  # guarded by hasattr\nimport imghdr\n", encoding="utf-8")
    found = {w for _, w in newer_features(sample)}
    assert found == {"import tomllib (3.11)", "enum.StrEnum (3.11)", "datetime.UTC (3.11)", "ExceptionGroup (3.11)",
                     ".add_note (3.11 (BaseException.add_note))", "import imghdr (removed in 3.13)"}


@needs_tomllib
def test_pyproject_accepts_3_10_and_later_with_no_cap():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.10"
    assert "torch==2.13.0" in project["dependencies"]
    assert {f"Programming Language :: Python :: 3.{m}" for m in (10, 11, 12, 13)} <= set(project["classifiers"])
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "  - python>=3.10\n" in env


# --- the Makefile's choice of interpreter ---------------------------------------------------------

def _fake(folder: Path, name: str, version: str | None) -> None:
    """A stand-in interpreter that prints `version` (as the Makefile asks it to), or fails like a pyenv shim."""
    path = folder / name
    body = f"echo {version}" if version else f"echo 'pyenv: {name}: command not found' >&2; exit 127"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def _which_python(path_dir: Path, *make_args: str):
    make = shutil.which("make")
    if make is None:
        pytest.skip("no make here")
    return subprocess.run([make, "-s", "--no-print-directory", "-C", str(ROOT), "which-python", *make_args],
                          env={"PATH": str(path_dir), "HOME": os.environ.get("HOME", "/")},
                          capture_output=True, text=True, timeout=60)


def test_make_picks_the_first_python_that_runs_and_is_3_10_or_newer(tmp_path):
    _fake(tmp_path, "python3.11", None)        # a pyenv shim of a version that is not selected: does not run
    _fake(tmp_path, "python3.12", "3.12")
    _fake(tmp_path, "python3", "3.9")
    done = _which_python(tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "python3.12", done.stdout + done.stderr
    assert "using python3.12 (Python 3.12)" in done.stderr and "python3.11 (found, but it does not run)" in done.stderr


def test_make_prefers_the_tested_python_and_accepts_an_explicit_one(tmp_path):
    for name, version in (("python3.13", "3.13"), ("python3.11", "3.11"), ("python3.10", "3.10"), ("python3", "3.13")):
        _fake(tmp_path, name, version)
    assert _which_python(tmp_path).stdout.strip() == "python3.11"
    assert _which_python(tmp_path, "PYTHON=python3.10").stdout.strip() == "python3.10"


def test_make_says_what_it_tried_when_no_python_fits(tmp_path):
    _fake(tmp_path, "python3", "3.9")
    _fake(tmp_path, "python", "2.7")
    done = _which_python(tmp_path)
    assert done.returncode != 0 and not done.stdout.strip()
    for text in ("no Python >= 3.10 found", "python3.11 (not found)", "python3 (Python 3.9: older than 3.10)",
                 "python (Python 2.7: older than 3.10)", "make PYTHON=/path/to/"):
        assert text in done.stderr, done.stderr


def test_make_finds_real_interpreters(tmp_path):
    """The real pyenv interpreters (where present) answer the Makefile's question as the fakes do."""
    found = {v: interpreter(v) for v in OTHER_PYTHONS}
    if not any(found.values()):
        pytest.skip("no other Python on this machine")
    for version, exe in found.items():
        if exe:
            (tmp_path / f"python{version}").symlink_to(exe)
    done = _which_python(tmp_path)
    first = next(v for v in ("3.12", "3.13", "3.10") if found[v])
    assert done.returncode == 0 and done.stdout.strip() == f"python{first}", done.stderr
