"""Class scale: grade a generated class locally (-j 2) and on a Dask cluster of 1 and 2 workers.

The class hands in lesson 01: N submissions, in turn the reference answers, one wrong answer from
tests/banks/bank_01_lstm_cell.py (a different one each time), the untouched lesson, and (one in ten)
a hostile one: an infinite loop, a memory bomb, os._exit, a fork bomb, reading the gradebook and the
solutions. Each mode runs `lstmlab grade` as a separate process into a fresh output folder (so nothing
comes from the resume cache); the Dask modes start a real `dask scheduler` and `dask worker` processes
(README's commands) on 127.0.0.1. Recorded per mode: wall time, throughput (submissions/min), peak
memory (PSS summed over the grader's process tree: `lstmlab grade` and everything below it, plus the
Dask scheduler and workers and everything below them, sampled every 0.2 s with psutil), and the
projected hours for 50,000 submitted lessons at that throughput. The three grades.csv must be equal.

    python benchmarks/bench_class.py [--students 200] [--cell-timeout 10] [--modes local,dask1,dask2]
                                     [--json OUT.json]

Run as root for full isolation (as CI and the figures in benchmarks/README.md); elsewhere it adds
--no-isolation and says so.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

from lstmlab.tooling.course import Course, repo_root, with_venv_on_path

LESSON = "01_lstm_cell"
HOSTILE = {   # exercise (solution grade id) -> source; one per hostile submission, in turn
    "infinite loop": ("lstm_param_count", "def lstm_param_count(input_size, hidden_size, bias_vectors=1):\n"
                                          "    while True:\n        pass\n"),
    "memory bomb": ("lstm_param_count", "blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 26))\n"),
    "os._exit": ("lstm_gates", "import os\nos._exit(3)\n"),
    "fork bomb": ("lstm_gates", "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n"
                                "        pass\n"),
    "reads the gradebook": ("lstm_param_count",
                            "import glob\nstolen = [open(p, 'rb').read(100) for p in glob.glob('/**/gradebook.db', "
                            "recursive=True)[:3]]\nstolen += [open(p).read(100) for p in glob.glob("
                            f"'/**/solutions/{LESSON}.ipynb', recursive=True)[:3]]\n"
                            "def lstm_param_count(input_size, hidden_size, bias_vectors=1):\n    return len(stolen)\n"),
}


def wrong_answers(root: Path) -> list[tuple[str, str]]:
    spec = importlib.util.spec_from_file_location("bank", root / "tests" / "banks" / f"bank_{LESSON}.py")
    bank = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bank)
    return [(exercise, source) for exercise, entries in bank.WRONG.items() for _, source, _ in entries]


def make_class(course: Course, n: int, folder: Path) -> dict[str, int]:
    solution = nbformat.read(course.solutions / f"{LESSON}.ipynb", as_version=4)
    blank = nbformat.read(course.lessons / f"{LESSON}.ipynb", as_version=4)
    reference = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    wrong, hostile = wrong_answers(course.root), list(HOSTILE.values())
    kinds = {"right": 0, "wrong": 0, "blank": 0, "hostile": 0}
    for k in range(n):
        kind = "hostile" if k % 10 == 9 else ("right", "wrong", "blank")[k % 3]
        answers = {}
        if kind == "right":
            answers = dict(reference)
        elif kind == "wrong":
            exercise, source = wrong[kinds["wrong"] % len(wrong)]
            answers = {**reference, exercise: source}
        elif kind == "hostile":
            exercise, source = hostile[kinds["hostile"] % len(hostile)]
            answers = {**reference, exercise: source}
        kinds[kind] += 1
        nb = copy.deepcopy(blank)
        for c in nb.cells:
            gid = c.metadata.get("nbgrader", {}).get("grade_id")
            if c.metadata.get("nbgrader", {}).get("solution") and gid in answers:
                c.source = answers[gid]
        (folder / f"s{k:03d}").mkdir(parents=True)
        nbformat.write(nb, folder / f"s{k:03d}" / f"{LESSON}.ipynb")
    return kinds


class PeakMemory:
    """Peak of the memory of some processes and all their descendants, sampled in a thread: PSS (each shared
    page counted once, split among the processes sharing it; workers forked from a zygote share numpy and
    torch, and a fork bomb's children share everything), else RSS where PSS cannot be read."""

    @staticmethod
    def measure(p: psutil.Process) -> int:
        try:
            return p.memory_full_info().pss
        except (AttributeError, psutil.AccessDenied):
            return p.memory_info().rss

    def __init__(self, pids: list[int], every: float = 0.2):
        self.pids, self.every, self.peak = list(pids), every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            total, seen = 0, set()
            for pid in self.pids:
                try:
                    root = psutil.Process(pid)
                    for p in [root, *root.children(recursive=True)]:
                        if p.pid not in seen:
                            seen.add(p.pid)
                            total += self.measure(p)
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def start_cluster(workers: int, folder: Path, env: dict) -> tuple[list[subprocess.Popen], str]:
    """`dask scheduler` and `dask worker --nworkers N --nthreads 1` on 127.0.0.1; returns (processes, address)."""
    dask = shutil.which("dask", path=env["PATH"]) or "dask"
    sched_file = folder / "scheduler.json"
    log = open(folder / "dask.log", "ab")
    sched = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                              "--scheduler-file", str(sched_file)], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 120
    while not sched_file.is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    address = json.loads(sched_file.read_text())["address"]
    worker = subprocess.Popen([dask, "worker", address, "--nworkers", str(workers), "--nthreads", "1",
                               "--memory-limit", "0", "--no-dashboard", "--host", "127.0.0.1"],
                              env={**env, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}, stdout=log, stderr=log)
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=300)
    return [sched, worker], address


def stop(procs: list[subprocess.Popen]) -> None:
    for p in reversed(procs):
        p.terminate()
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def grade(mode: str, subs: Path, out: Path, work: Path, cell_timeout: float, isolation: list[str], env: dict) -> dict:
    cluster, extra = [], ["-j", "2"]
    if mode.startswith("dask"):
        cluster, address = start_cluster(int(mode[4:]), work, env)
        extra = ["--scheduler", address]
    cmd = [sys.executable, "-m", "lstmlab.tooling.cli", "grade", str(subs), "-o", str(out), "-q",
           "--cell-timeout", str(cell_timeout), *isolation, *extra]
    try:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        memory = PeakMemory([proc.pid, *(p.pid for p in cluster)])
        output, _ = proc.communicate()
        seconds = time.monotonic() - start
        peak = memory.stop()
    finally:
        stop(cluster)
    return {"mode": mode, "status": proc.returncode, "seconds": round(seconds, 1), "peak_mib": round(peak / 2**20),
            "output_tail": output[-400:]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=200)
    ap.add_argument("--cell-timeout", type=float, default=10.0)
    ap.add_argument("--modes", default="local,dask1,dask2")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    course = Course(repo_root())
    env = with_venv_on_path()
    isolation = [] if os.geteuid() == 0 else ["--no-isolation"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="lstmlab-bench-class-") as tmp:
        tmp = Path(tmp)
        kinds = make_class(course, args.students, tmp / "subs")
        print(f"class: {args.students} submissions of {LESSON}: {kinds}; cell timeout {args.cell_timeout:g} s; "
              f"{'full isolation' if not isolation else 'NO isolation (not root)'}; {os.cpu_count()} CPUs", flush=True)
        for mode in args.modes.split(","):
            (tmp / mode).mkdir()
            row = grade(mode, tmp / "subs", tmp / mode / "out", tmp / mode, args.cell_timeout, isolation, env)
            row["per_min"] = round(60 * args.students / row["seconds"], 1)
            row["hours_50k"] = round(50_000 / row["per_min"] / 60, 1)
            grades = tmp / mode / "out" / "grades.csv"
            row["grades_sha"] = hashlib.sha256(grades.read_bytes()).hexdigest()[:12] if grades.is_file() else None
            rows.append(row)
            print(f"{mode:6s} exit {row['status']}  {row['seconds']:7.1f} s  {row['per_min']:6.1f} submissions/min  "
                  f"peak {row['peak_mib']:6d} MiB  50,000 lessons: {row['hours_50k']:6.1f} h  grades.csv {row['grades_sha']}",
                  flush=True)
            if row["status"] not in (0,):
                print(row["output_tail"])
    same = len({r["grades_sha"] for r in rows}) == 1
    print(f"grades.csv identical across modes: {same}")
    print("\n| mode | wall time | submissions/min | peak memory (grader tree) | 50,000 lessons |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['mode']} | {r['seconds']} s | {r['per_min']} | {r['peak_mib']} MiB | {r['hours_50k']} h |")
    if args.json:
        Path(args.json).write_text(json.dumps({"students": args.students, "kinds": kinds, "rows": rows,
                                               "identical": same}, indent=2))
    return 0 if same and all(r["status"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
