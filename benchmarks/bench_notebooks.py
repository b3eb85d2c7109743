"""Execute every solution notebook in a fresh kernel and report its wall time (target: < 45 s each,
< 5 min for the course). Outputs are discarded; solutions/ is not modified.

    python benchmarks/bench_notebooks.py [lesson_id ...]
"""
from __future__ import annotations

import sys
import time

import nbformat
from nbclient import NotebookClient

from lstmlab.tooling.course import Course, repo_root, with_venv_on_path


def main(ids: list[str]) -> int:
    course = Course(repo_root())
    with_venv_on_path()
    total, worst = 0.0, 0.0
    for lid in ids or course.lesson_ids():
        nb = nbformat.read(course.solutions / f"{lid}.ipynb", as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(course.solutions)}}).execute()
        took = time.perf_counter() - start
        total += took
        worst = max(worst, took)
        print(f"{lid:28s} {took:6.1f} s  {'ok' if took < 45 else 'OVER 45 s'}", flush=True)
    print(f"{'total':28s} {total:6.1f} s  {'ok' if total < 300 else 'OVER 5 min'}")
    return 0 if worst < 45 and total < 300 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
