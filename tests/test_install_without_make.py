"""README's "Without make" commands work as written (a student on Windows has no `make`).

The commands are read from README.md, so the documentation cannot drift from what is tested. They
run in a throwaway copy of the package (pyproject.toml, README.md, lib/) with this interpreter:

- `python -m venv .venv` exactly (pip comes from the interpreter's bundled wheel, offline);
- before the installs, one `.pth` file in the new venv lists this checkout's site-packages, so every
  dependency is already installed: `pip install -e .` and `pip install -e '.[test]'` then run as
  written, resolve every requirement, and install only lstmlab itself (nothing is downloaded, torch
  above all; the build backend, setuptools, comes from the wheel cache or the index);
- `lstmlab lab` runs as `lstmlab lab --help` (the entry point and its options, without starting a
  server: tests/test_browser.py starts JupyterLab for real);
- the test command runs on one small test file of this checkout, with the new venv's python.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def documented_commands() -> tuple[list[str], list[str]]:
    """(the commands that run the course, the commands that run the tests) from README's section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^### Without make.*?(?=^#{2,3} )", text, re.MULTILINE | re.DOTALL)
    assert section, "README.md has no '### Without make' section"
    blocks = re.findall(r"```bash\n(.*?)```", section.group(0), re.DOTALL)
    assert len(blocks) == 2, "the section should have two command blocks: run the course, run the tests"
    run, test = ([line.split("#")[0].strip() for line in b.splitlines() if line.split("#")[0].strip()] for b in blocks)
    return run, test


def test_the_documented_commands_are_the_expected_ones():
    run, test = documented_commands()
    assert run == ["python -m venv .venv", ".venv/bin/pip install -e .", ".venv/bin/lstmlab lab"]
    assert test == [".venv/bin/pip install -e '.[test]'", ".venv/bin/python -m pytest"]
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for windows in (r".venv\Scripts\pip install -e .", r".venv\Scripts\lstmlab lab", r'.venv\Scripts\pip install -e ".[test]"'):
        assert windows in text, f"README does not give the Windows form {windows!r}"


def _run(args: list[str], cwd: Path, timeout: float = 600) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT / ".venv")))
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{shlex.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="the POSIX form of the commands (.venv/bin)")
def test_the_documented_commands_install_and_run_lstmlab(tmp_path):
    run, test = documented_commands()
    work = tmp_path / "course"
    work.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, work / name)
    shutil.copytree(ROOT / "lib", work / "lib", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))

    # 1. python -m venv .venv
    first = shlex.split(run[0])
    assert first[0] == "python"
    _run([sys.executable, *first[1:]], work)
    venv_python = work / ".venv" / "bin" / "python"
    site = subprocess.run([str(venv_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "_lstmlab_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    # 2. pip install -e .   3. lstmlab lab (--help)
    out = _run(shlex.split(run[1]), work)
    assert "Successfully installed lstmlab" in out, out[-2000:]
    assert "torch" not in out.split("Successfully installed")[-1], "the install pulled torch"
    help_text = _run([*shlex.split(run[2]), "--help"], work)
    assert "--instructor" in help_text and "--no-browser" in help_text
    assert "check" in _run([str(work / ".venv" / "bin" / "lstmlab"), "--help"], work)
    where = _run([str(venv_python), "-c", "import lstmlab; print(lstmlab.__file__)"], work)
    assert str(work / "lib" / "lstmlab") in where, where

    # 4. pip install -e '.[test]'   5. python -m pytest (on one small file of this checkout)
    out = _run(shlex.split(test[0]), work)
    assert "Successfully installed lstmlab" in out or "Requirement already satisfied" in out, out[-2000:]
    pytest_cmd = shlex.split(test[1])
    assert pytest_cmd[0] == ".venv/bin/python"
    out = _run([str(venv_python), *pytest_cmd[1:], "-q", "tests/test_rnn.py"], ROOT)   # the new venv's python
    assert re.search(r"\d+ passed", out), out[-2000:]
