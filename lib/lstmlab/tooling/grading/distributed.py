"""Grade on a Dask distributed cluster: `lstmlab grade SUBMISSIONS -o OUT --scheduler tcp://host:8786`.

Only *where* a submission is graded changes. batch.run still does everything else on the machine that
runs `lstmlab grade` (the "scheduler side": intake, the resume cache in OUT/.results, grades.csv,
feedback, report, exit statuses); DaskBackend takes the place of batch._run_pool.

What travels. A Dask task carries everything the judge needs and nothing that only this machine has:
the submission's bytes, the solution notebook's bytes (with its sha-256), the limits, the isolation
mode, the paths to hide and the hash of the grading code (batch.code_version). Each worker writes them
into a private temporary folder, grades there and returns the verdict; the scheduler-side process
writes the resume cache. So neither OUT nor the submissions need to be on a filesystem the workers
share; OUT must only be writable by the process that runs `lstmlab grade`.

Where a task runs. Dask runs tasks in threads of the worker process, while the judge needs the main
thread (its SIGALRM watchdog) and forks sandboxed workers. So the Dask thread only hands the job to a
judge process of its own: a one-process concurrent.futures.ProcessPoolExecutor with the spawn context,
started once per Dask thread and kept warm between tasks (as the local pool keeps its processes), with
batch._limit_judge as initializer (the judge's memory cap, and death with the Dask worker). The judge
then grades exactly as the local path does: batch._grade_job (or the stand-in a test passes), with the
same Sandbox, Limits and hidden paths. Same inputs, same code, so the same grades, bit for bit.

What Dask does, and what we add:
- A Dask worker process that dies (killed, OOM, a lost connection: the scheduler stops hearing its
  heartbeats) is restarted by its nanny; the scheduler gives the tasks it held to other workers.
  Dask counts, per task, the workers that died while holding it; past the scheduler's
  `distributed.scheduler.allowed-failures` (default 3) the task ends as KilledWorker. We record that as
  a grader error (not cached, `lstmlab grade` exits 3), like the local path's "died twice".
- A judge process that dies (os._exit, a segfault in the judge) breaks only its own executor: the task
  raises JudgeDied and Dask's `retries=1` grades it once more, on any worker; a second death is a grader
  error, as on the local path.
- as_completed delivers each task's result once, to this process, which records it once: a task Dask
  ran twice (its worker died after finishing) is still one verdict, and a student is never counted twice.
- We add a submission window: at most as many tasks in flight as the cluster has threads (asked again
  each time one finishes, so workers that join or leave are followed). The scheduler then holds few
  submissions' bytes at once (a class of 50,000 is not sent in one go), and a worker rarely holds a
  queued innocent submission when a hostile one kills it.
- A task cancelled because this process lost its connection to the scheduler is submitted again (twice
  at most) once the client has reconnected; whatever never came back is a grader error, so the run
  ends with status 3 and a rerun grades exactly those.
- Before the first task, every connected worker is asked (client.run) for its grading-code hash and
  whether it can isolate: a worker with other code, or one that cannot isolate when --no-isolation was
  not given, stops the run with a clear error. A worker that joins later is checked by each task itself.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path

from . import batch
from .sandbox import Sandbox
from .verdict import Status, SubmissionResult

RESUBMITS = 2          # times a task cancelled by a lost scheduler connection is submitted again


class ClusterError(RuntimeError):
    """The cluster cannot grade this run (unreachable, no workers, other code, no isolation)."""


class JudgeDied(RuntimeError):
    """The judge process on a Dask worker died while grading: Dask's retries grade the task again."""


class WorkerUnfit(RuntimeError):
    """This Dask worker must not grade the job (other grading code, or no isolation when it is required)."""


# --- the worker side -----------------------------------------------------------------------

_LOCAL = threading.local()           # one judge process per Dask thread
_SOLUTION_OF: dict[tuple[str, str], str] = {}   # in a judge process: (lesson, edition) -> sha of the solution batch._SPECS holds


def _worker_code() -> str:
    """The hash of the grading code installed on this worker, read now: the judge processes that grade
    are spawned from it (as the local pool's are from the installed code, hashed when a run starts)."""
    return batch.code_version()


_ACCEPTED: set[str] = set()          # in a Dask worker process: the runs whose grading code it was checked for


def worker_facts(run: str, code: str) -> dict:
    """What the scheduler side checks on every worker before grading (run through client.run). A worker
    whose code matches is accepted for the run, as the local pool's processes are for theirs: its tasks
    do not hash the code again (a worker that joins later, or is restarted, does)."""
    if _worker_code() == code:
        _ACCEPTED.add(run)
    return {"code": _worker_code(), "isolated": Sandbox().isolated(), "host": socket.gethostname(),
            "pid": os.getpid(), "daemon": multiprocessing.current_process().daemon}


DAEMON_HELP = ("its process is a daemon, which Python forbids to start the judge process: start the workers with "
               "DASK_DISTRIBUTED__WORKER__DAEMON=False in their environment (or `dask worker --no-nanny`)")


def _worker_hidden() -> list[str]:
    """What student code must not see on this worker's machine: its own course checkout, if it has one
    (solutions, tests, ...), and nbgrader's exchange."""
    from ..course import Course, repo_root

    try:
        return [str(p) for p in Course(repo_root()).hidden_from_students()]
    except SystemExit:   # lstmlab installed without a course checkout
        from ..course import NBGRADER_EXCHANGE
        return [str(NBGRADER_EXCHANGE)]


def _judge(wire: dict, grade_job) -> dict:
    """In the judge process: lay the job's bytes out in a private folder and grade it as the local path does."""
    lesson = wire["lesson"]
    with tempfile.TemporaryDirectory(prefix="lstmlab-dask-job-") as tmp:
        folder = Path(tmp)
        (folder / "solutions").mkdir()
        (folder / "submission").mkdir()
        solution = folder / "solutions" / f"{lesson}.ipynb"
        solution.write_bytes(wire["solution_bytes"])
        submission = folder / "submission" / f"{lesson}.ipynb"
        submission.write_bytes(wire["submission_bytes"])
        # batch._SPECS caches a lesson's spec by (lesson, edition); this judge may serve several runs (other solutions)
        key = (lesson, wire.get("edition", "en"))
        if _SOLUTION_OF.get(key) != wire["solution_sha"]:
            batch._SPECS.pop(key, None)
            _SOLUTION_OF[key] = wire["solution_sha"]
        job = {key: wire[key] for key in ("student", "lesson", "note", "limits", "fallback", "slot")}
        job["edition"] = wire.get("edition", "en")
        # Hidden: what the scheduler side hides (its paths, should this machine have them too), this
        # machine's own course secrets, and this folder (it holds the solution notebook).
        job.update(path=str(submission), solution=str(solution), hide=[*wire["hide"], *_worker_hidden(), tmp],
                   result_file=str(folder / "result.json"))   # the scheduler side writes the real cache file
        return grade_job(job)


def _judge_pool(memory_mb: int) -> cf.ProcessPoolExecutor:
    pool = getattr(_LOCAL, "pool", None)
    if pool is None or getattr(_LOCAL, "memory_mb", None) != memory_mb:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        ctx = multiprocessing.get_context("spawn")
        pool = _LOCAL.pool = cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=batch._limit_judge,
                                                    initargs=(memory_mb,))
        _LOCAL.memory_mb = memory_mb
    return pool


def grade_on_worker(wire: dict, grade_job=None) -> dict:
    """The Dask task: check this worker is fit, grade the job in this thread's judge process, return the
    verdict (a dict, as batch._grade_job returns it)."""
    if wire["run"] not in _ACCEPTED and wire["code"] != _worker_code():
        raise WorkerUnfit(f"the Dask worker on {socket.gethostname()} runs other grading code (lstmlab {_worker_code()}, "
                          f"this run is {wire['code']}): install the same lstmlab on every worker")
    if multiprocessing.current_process().daemon:
        raise WorkerUnfit(f"the Dask worker on {socket.gethostname()} cannot grade: {DAEMON_HELP}")
    if not wire["fallback"] and not Sandbox().isolated():
        raise WorkerUnfit(f"the Dask worker on {socket.gethostname()} cannot isolate student code (it needs root, "
                          "unshare and setpriv); run the workers as root, or grade with --no-isolation")
    pool = _judge_pool(wire["judge_memory_mb"])
    try:
        return pool.submit(_judge, wire, grade_job or batch._grade_job).result()
    except cf.process.BrokenProcessPool:
        _LOCAL.pool = None       # the next task of this thread starts a fresh judge
        raise JudgeDied(f"the grading process died on {socket.gethostname()}") from None


# --- the scheduler side --------------------------------------------------------------------

def grader_error(job: dict, specs: dict, why: str) -> SubmissionResult:
    res = batch.not_submitted(job["student"], specs[job["lesson"]], f"grading failed: {why}", Status.CRASHED)
    res.grader_error = why
    return res


def save_result(result: dict, path: str) -> None:
    """The resume cache, as batch._grade_job writes it: atomically, and never a grader failure."""
    if not result["grader_error"]:
        tmp = Path(path).with_suffix(".tmp")
        tmp.write_text(json.dumps(result), encoding="utf-8")
        os.replace(tmp, path)


class DaskBackend:
    """batch.run's backend for a Dask cluster: `with DaskBackend("tcp://host:8786") as b: batch.run(..., backend=b)`.

    address is the scheduler's address (or a distributed.Client to use as it is, e.g. in tests)."""

    def __init__(self, address, connect_timeout: float = 30.0, worker_timeout: float = 120.0):
        self.address, self.connect_timeout, self.worker_timeout = address, connect_timeout, worker_timeout
        self.client = None
        self._own_client = False

    def __enter__(self) -> "DaskBackend":
        from distributed import Client

        if isinstance(self.address, Client):
            self.client = self.address
        else:
            try:
                self.client = Client(self.address, timeout=self.connect_timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(f"cannot reach the Dask scheduler at {self.address}: {exc}") from None
            self._own_client = True
        try:
            self.client.wait_for_workers(1, timeout=self.worker_timeout)
        except TimeoutError:
            self.close()
            raise ClusterError(f"the Dask scheduler at {self.address} has no worker after {self.worker_timeout:g} s "
                               "(start some: dask worker ADDRESS)") from None
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._own_client and self.client is not None:
            self.client.close()
        self.client = None

    @property
    def nthreads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def check_workers(self, fallback: bool, run: str) -> str:
        """Refuse a cluster whose workers run other grading code, or cannot isolate when isolation is required.
        Returns the hash of the grading code the workers were accepted for."""
        for _ in range(3):   # a file saved while both sides hash it is not a different installation
            code = batch.code_version()
            facts = self.client.run(worker_facts, run, code)
            other = sorted(f"{a} ({f['host']})" for a, f in facts.items() if f["code"] != code)
            if not other:
                break
            time.sleep(2)
        if other:
            raise ClusterError(f"{len(other)} Dask worker(s) run other grading code than this lstmlab ({code}): "
                               f"{', '.join(other[:5])}; install the same lstmlab (and course) on every worker")
        daemons = sorted(f"{a} ({f['host']})" for a, f in facts.items() if f["daemon"])
        if daemons:
            raise ClusterError(f"{len(daemons)} Dask worker(s) cannot grade ({', '.join(daemons[:5])}): {DAEMON_HELP}")
        exposed = sorted(f"{a} ({f['host']})" for a, f in facts.items() if not f["isolated"])
        if exposed and not fallback:
            raise ClusterError(f"{len(exposed)} Dask worker(s) cannot isolate student code (not root, or no unshare/"
                               f"setpriv): {', '.join(exposed[:5])}. Run the workers as root, or pass --no-isolation "
                               "to accept grading without the sandbox.")
        return code

    def _wire(self, job: dict, run: str, code: str, judge_memory_mb: int, solutions: dict) -> dict:
        lesson = job["lesson"]
        if job["solution"] not in solutions:
            raw = Path(job["solution"]).read_bytes()
            solutions[job["solution"]] = (raw, hashlib.sha256(raw).hexdigest())
        sol_bytes, sol_sha = solutions[job["solution"]]
        return {"student": job["student"], "lesson": lesson, "note": job["note"], "limits": job["limits"],
                "fallback": job["fallback"], "slot": job["slot"], "hide": job["hide"], "run": run, "code": code,
                "edition": job.get("edition", "en"),
                "judge_memory_mb": judge_memory_mb, "solution_bytes": sol_bytes, "solution_sha": sol_sha,
                "submission_bytes": batch.read_capped(Path(job["path"]))}

    def __call__(self, todo: list[dict], jobs: int, judge_memory_mb: int, grade_job, specs, record) -> list[dict]:
        """Grade todo on the cluster, record(job, result) exactly once per job; never returns lost jobs
        (Dask re-queues them itself; what it gives up on is recorded as a grader error)."""
        from distributed import KilledWorker, as_completed

        if not todo:
            return []
        solutions, run = {}, uuid.uuid4().hex[:8]
        code = self.check_workers(any(j["fallback"] for j in todo), run)
        pending = list(reversed(todo))           # pop() takes them in intake order
        job_of: dict = {}                        # future key -> (job, times submitted)
        flight = as_completed(loop=self.client.loop)   # set_as_default=False: name the client's loop

        def submit(job: dict, attempt: int = 0) -> None:
            try:
                wire = self._wire(job, run, code, judge_memory_mb, solutions)
            except (OSError, ValueError) as exc:  # changed or vanished since intake: grade it next run
                record(job, grader_error(job, specs, f"the submission could not be read again: {exc}"))
                return
            # retries: Dask reruns a task that raised (JudgeDied, a grader bug) once, on any worker.
            try:
                fut = self.client.submit(grade_on_worker, wire, grade_job, retries=1, pure=False,
                                         key=f"lstmlab-grade-{run}-{job['slot']}-{attempt}")
            except Exception as exc:    # the client is closed: nothing more reaches the cluster
                record(job, grader_error(job, specs, f"could not be sent to the Dask scheduler: {exc!r}"))
                return
            job_of[fut.key] = (job, attempt)
            flight.add(fut)

        def refill() -> None:
            try:
                window = self.nthreads
            except Exception:           # not connected right now: one at a time
                window = 1
            while pending and flight.count() < window:
                submit(pending.pop())

        refill()
        for fut in flight:
            job, attempt = job_of.pop(fut.key)
            try:
                result = fut.result()
            except KilledWorker as exc:
                record(job, grader_error(job, specs, f"the Dask workers grading this submission died "
                                                     f"{exc.allowed_failures + 1} times"))
            except JudgeDied:
                record(job, grader_error(job, specs, "the grading process died twice on this submission"))
            except cf.CancelledError:   # the client lost the scheduler: submit again, or give up on it
                if attempt < RESUBMITS and self.client.status == "running":
                    submit(job, attempt + 1)
                else:
                    record(job, grader_error(job, specs, "the connection to the Dask scheduler was lost"))
            except Exception as exc:    # a grader bug, an unfit worker: recorded, never cached, the batch goes on
                record(job, grader_error(job, specs, f"{exc!r}"))
            else:
                save_result(result, job["result_file"])
                record(job, SubmissionResult.from_dict(result))
            fut.release()
            refill()
        return []
