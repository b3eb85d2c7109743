"""Execute every solution notebook in a fresh kernel and report its wall time (target: < 45 s each,
< 5 min for the course). Outputs are discarded; solutions/ is not modified.

    python benchmarks/bench_notebooks.py [--lang zh] [lesson_id ...]

--lang zh times the Chinese edition (solutions/zh/): the same code, with its messages and plots in
Chinese, so it should take what the English takes.
"""
from __future__ import annotations

import sys
import time

import nbformat
from nbclient import NotebookClient

from lstmlab.tooling.course import Course, repo_root, with_venv_on_path


def main(argv: list[str]) -> int:
    lang = "en"
    if argv[:1] == ["--lang"]:
        lang, argv = argv[1], argv[2:]
    course = Course(repo_root())
    folder = course.solutions_in(lang)
    with_venv_on_path()
    total, worst = 0.0, 0.0
    for lid in argv or course.lesson_ids():
        nb = nbformat.read(folder / f"{lid}.ipynb", as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
        took = time.perf_counter() - start
        total += took
        worst = max(worst, took)
        print(f"{lid:28s} {took:6.1f} s  {'ok' if took < 45 else 'OVER 45 s'}", flush=True)
    print(f"{'total':28s} {total:6.1f} s  {'ok' if total < 300 else 'OVER 5 min'}")
    return 0 if worst < 45 and total < 300 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
