"""Do the course's dependencies resolve on Python 3.10, 3.12 and 3.13? (needs PyPI; installs nothing)

    python tools/resolve_pythons.py          # about 4 minutes; exit 1 if any interpreter fails

For each interpreter found (pyenv's versions or PATH, as tests/test_python_versions.py finds them), pip
resolves every dependency of pyproject.toml except torch with --dry-run, and `pip index versions` shows
whether torch 2.13.0 has a wheel for that Python. Kept out of the test suite, which must stay offline.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import tomllib   # guarded: run this tool with Python >= 3.11 (the venv's)
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_python_versions import OTHER_PYTHONS, interpreter  # noqa: E402


def resolve(version: str) -> str:
    exe = interpreter(version)
    if exe is None:
        return f"python{version}: not on this machine"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [r for r in project["dependencies"] + project["optional-dependencies"]["test"] if not r.startswith("torch")]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "requirements.txt").write_text("\n".join(reqs) + "\n")
        report = Path(tmp) / "report.json"
        done = subprocess.run([exe, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--only-binary=:all:",
                               "-q", "-r", str(Path(tmp) / "requirements.txt"), "--report", str(report)],
                              capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise SystemExit(f"python{version}: dependencies do not resolve:\n{done.stderr[-3000:]}")
        versions = {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in json.loads(report.read_text())["install"]}
    torch = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "torch", "--python-version", version,
                            "--only-binary=:all:", "--platform", "manylinux_2_28_x86_64"],
                           capture_output=True, text=True, timeout=300)
    if "2.13.0" not in torch.stdout:
        raise SystemExit(f"python{version}: no torch 2.13.0 wheel")
    return (f"python{version}: resolves (numpy {versions.get('numpy')}, nbgrader {versions.get('nbgrader')}, "
            f"jupyterlab {versions.get('jupyterlab')}); torch 2.13.0 has a wheel")


if __name__ == "__main__":
    for v in OTHER_PYTHONS:
        print(resolve(v), flush=True)
