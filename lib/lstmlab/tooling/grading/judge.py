"""The trusted side: grade one submission by running the lesson's tests in this process.

The student's answers run in a sandboxed worker (worker.py); the lesson's setup and test cells
(hidden tests included) run here, where every student function is a RemoteFunction proxy. A check
calls the proxy, the worker runs the student's code and sends back plain values (wire.py), and
the comparison happens here with this process's numpy and check helpers, which student code cannot
reach. Arrays, lists and dicts passed to a student function are copied back after the call (and
before every callback), so in-place semantics (a gradient checker perturbing x, an optimiser
updating its state, a clip that must not mutate its input) behave as in a notebook.

Every exercise gets a score and a status: passed, failed (a check failed: its diagnosis), error
(the student's code raised), unanswered (NotImplementedError), timeout, crashed (the worker died),
rejected (tampering, or the answer cell is missing or retyped). A crash or timeout costs only the
exercise that caused it: the worker is restarted and the answers are replayed.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import tempfile
import threading
import time

import numpy as np

from lstmlab.checking.diagnosis import is_torch_tensor

from ...i18n import _
from . import wire
from .notebook import Answers, LessonSpec
from .sandbox import Sandbox, stop
from .verdict import ExerciseResult, Status, SubmissionResult

MAX_RESTARTS = 6
# Seconds spent per stage by the last grade() in this process (benchmarks/bench_grading.py reads it):
# start (a worker up to its "ready"), worker_setup (the lesson's setup cells in the worker), judge_setup
# (the same cells in the judge), answers, tests (the test cells, calls across the wire included), close.
STAGES: dict[str, float] = {}


@contextlib.contextmanager
def _stage(name: str):
    t = time.perf_counter()
    try:
        yield
    finally:
        STAGES[name] = STAGES.get(name, 0.0) + time.perf_counter() - t
SETUP_SECONDS = 120.0   # the least time a lesson's setup cell gets in the worker, whatever --cell-timeout says
WATCHDOG_GRACE = 30.0   # seconds past the notebook limit before the watchdog ends a submission


class WatchdogExpired(BaseException):
    """The submission ran past its notebook limit plus grace (a BaseException: no check can swallow it)."""


@contextlib.contextmanager
def watchdog(seconds: float):
    """End whatever the judge is doing after `seconds` (SIGALRM; only in the main thread, where pool
    processes run their jobs). Every wire operation is bounded already: this is the backstop."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def fire(signum, frame):
        raise WatchdogExpired()

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class WorkerLost(Exception):
    """The worker died or went silent; str() says how, `status` is TIMEOUT or CRASHED."""

    def __init__(self, text: str, status: Status = Status.CRASHED):
        super().__init__(text)
        self.status = status


class StudentCodeError(Exception):
    """The student's code raised; str() is its traceback (student frames only)."""

    def __init__(self, text: str, ename: str):
        super().__init__(text)
        self.ename = ename


class Session:
    """One worker process and the channel to it; restartable."""

    def __init__(self, sandbox: Sandbox, slot: int, workdir: str):
        self.sandbox, self.slot, self.workdir = sandbox, slot, workdir
        self.proc = None
        self.deadline = None  # time.monotonic() by which the current step must finish

    def start(self) -> None:
        with _stage("start"):
            self._start()

    def _start(self) -> None:
        self.proc = self.sandbox.start(self.slot, self.workdir)
        self.fd_out, self.fd_in = self.proc.wire
        # Non-blocking: every read and write is bounded by a deadline, so a worker that stops reading
        # (or writing) costs its own submission a timeout and never stalls the judge.
        os.set_blocking(self.fd_out, False)
        os.set_blocking(self.fd_in, False)
        ready = self.receive(time.monotonic() + 120)  # the "ready" message: imports done
        self.seccomp = bool(ready.get("seccomp"))

    def close(self) -> None:
        if self.proc is not None:
            with _stage("close"):
                try:
                    wire.send(self.fd_out, {"op": "quit"}, time.monotonic() + 1)
                except (OSError, wire.TimedOut):
                    pass
                stop(self.proc)
                self.proc = None

    def _died(self) -> str:
        try:
            code = self.proc.wait(timeout=2)
        except Exception:
            return _("the worker stopped answering")
        if code < 0:
            import signal

            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            if name in ("SIGKILL", "SIGSEGV", "SIGABRT"):
                return _("the kernel died (signal {name}: out of memory or a crash)").format(name=name)
            return _("the kernel died (signal {name})").format(name=name)
        return _("the kernel died (exit code {code}, e.g. os._exit or a crash)").format(code=code)

    def send(self, msg: dict) -> None:
        try:
            wire.send(self.fd_out, msg, self.deadline or time.monotonic() + 60)
        except wire.TimedOut:
            raise WorkerLost(_("time limit exceeded (the kernel stopped reading)"), Status.TIMEOUT) from None
        except OSError:
            raise WorkerLost(self._died()) from None

    def receive(self, deadline: float | None = None) -> dict:
        try:
            return wire.receive(self.fd_in, deadline or self.deadline)
        except wire.TimedOut:
            raise WorkerLost(_("time limit exceeded (an infinite loop, or code far too slow)"), Status.TIMEOUT) from None
        except EOFError:
            raise WorkerLost(self._died()) from None
        except wire.ProtocolError as exc:
            raise WorkerLost(_("the kernel sent garbage ({why})").format(why=exc)) from None

    def request(self, msg: dict) -> dict:
        self.send(msg)
        return self.receive()


def _sync(original, new) -> None:
    """Copy a value returned from the worker into the judge's object of the same shape, in place."""
    if isinstance(original, np.random.Generator) and isinstance(new, np.random.Generator):
        original.bit_generator.state = new.bit_generator.state  # the draws the student made count
    elif isinstance(original, np.ndarray) and isinstance(new, np.ndarray):
        if original.shape == new.shape and original.flags.writeable:
            original[...] = new
    elif is_torch_tensor(original) and hasattr(new, "shape"):
        import torch

        if tuple(original.shape) == tuple(new.shape):
            with torch.no_grad():
                original.copy_(torch.as_tensor(np.asarray(new)))
    elif isinstance(original, list) and isinstance(new, list):
        if len(original) == len(new):
            for k, (a, b) in enumerate(zip(original, new)):
                if isinstance(a, (np.ndarray, list, dict, tuple, np.random.Generator)) or is_torch_tensor(a):
                    _sync(a, b)
                else:
                    original[k] = b
        else:
            original[:] = new
    elif isinstance(original, dict) and isinstance(new, dict):
        for key in list(original):
            if key not in new:
                del original[key]
        for key, value in new.items():
            if key in original and isinstance(original[key], (np.ndarray, list, dict, tuple, np.random.Generator)):
                _sync(original[key], value)
            else:
                original[key] = value
    elif isinstance(original, tuple) and isinstance(new, tuple) and len(original) == len(new):
        for a, b in zip(original, new):
            _sync(a, b)


def _target_spec(owner, attr, label):
    """(owner, attr, label) guard target -> a path the worker can import and resolve again."""
    import types

    if isinstance(owner, type):
        return ["class", f"{owner.__module__}:{owner.__qualname__}", attr, label]
    if isinstance(owner, types.ModuleType):
        return ["module", owner.__name__, attr, label]
    # Any other holder of a function (e.g. the undecorated function inside a decorated one):
    # name the function by its module and name; the worker finds it and follows __wrapped__.
    fn = getattr(owner, attr)
    return ["function", f"{fn.__module__}:{fn.__name__}", attr, label]


class RemoteFunction:
    """Stands for a function defined by the student; calling it runs it in the worker."""

    def __init__(self, session: Session, name: str):
        self._session, self.__name__, self.__qualname__ = session, name, name
        self.__doc__ = f"the student's {name} (runs in the sandbox)"

    def __repr__(self):
        return f"<student function {self.__name__}>"

    def __call__(self, *args, **kwargs):
        return self.__lstmlab_remote_call__(args, kwargs, ())[0]

    def __lstmlab_remote_call__(self, args, kwargs, extra, defaults: bool = True):
        """Run the function under the ready-made guard (`extra` targets, plus the default ones unless
        defaults is False); returns (result, names called)."""
        session = self._session
        callbacks: list = []

        def as_tag(fn):
            if isinstance(fn, RemoteFunction):
                return {"__t": "remote", "name": fn.__name__}
            callbacks.append(fn)
            return {"__t": "callback", "id": len(callbacks) - 1}

        args = list(args)
        msg = {"op": "call", "name": self.__name__, "args": wire.encode(args, as_tag),
               "kwargs": wire.encode(kwargs, as_tag), "guard": [_target_spec(*t) for t in extra],
               "defaults": bool(defaults)}
        session.send(msg)
        while True:
            reply = session.receive()
            if reply.get("op") == "callback":
                if reply.get("sync") is not None:
                    after = wire.decode(reply["sync"])
                    _sync(args, list(after[0])), _sync(kwargs, after[1])
                try:
                    fn = callbacks[int(reply["id"])]
                    cargs = wire.decode(reply.get("args", []), self._resolve)
                    ckw = wire.decode(reply.get("kwargs", {}), self._resolve)
                    session.send({"op": "callback_result", "result": wire.encode(fn(*cargs, **ckw), as_tag)})
                except WorkerLost:
                    raise
                except Exception as exc:
                    session.send({"op": "callback_error", "error": f"{type(exc).__name__}: {exc}"})
                continue
            if "error" in reply:
                raise StudentCodeError(str(reply["error"]), str(reply.get("ename", "")))
            try:
                after = wire.decode(reply.get("after"))
                _sync(args, list(after[0])), _sync(kwargs, after[1])
                result = wire.decode(reply.get("result"))
            except (wire.ProtocolError, TypeError, IndexError, KeyError) as exc:
                raise WorkerLost(_("the kernel sent a malformed reply ({why})").format(why=exc)) from None
            return result, [str(n) for n in reply.get("ready_made", [])]

    def _resolve(self, tag):
        if tag.get("__t") == "remote":
            return RemoteFunction(self._session, str(tag.get("name")))
        raise wire.ProtocolError("the worker may not send callbacks")


def _status_of(exc: BaseException) -> Status:
    if isinstance(exc, StudentCodeError):
        return Status.UNANSWERED if exc.ename == "NotImplementedError" else Status.ERROR
    if isinstance(exc, WorkerLost):
        return exc.status
    # call_student turns a NotImplementedError from the student into NotAnswered (a NotImplementedError).
    if isinstance(exc, NotImplementedError) or type(exc).__name__ == "NotAnswered":
        return Status.UNANSWERED
    if isinstance(exc, AssertionError):
        return Status.FAILED
    return Status.ERROR


def _message_of(exc: BaseException) -> str:
    if isinstance(exc, StudentCodeError):
        if exc.ename == "NotImplementedError":
            # A test that called the function itself (a check goes through call_student: NotAnswered below).
            found = re.findall(r'File "[^"]*", line \d+, in (\w+)', str(exc))
            return _("not answered yet: {exercise} still raises NotImplementedError").format(
                exercise=found[-1] if found else _("your function"))
        # call_student attaches which exercise and call it was, and maybe the usual cause, as notes.
        notes = "".join(f"\n{n}" for n in getattr(exc, "__notes__", ()))
        return _("your code raised an exception:") + "\n" + str(exc).strip() + notes
    if isinstance(exc, NotImplementedError) or type(exc).__name__ == "NotAnswered":
        return str(exc)   # "not answered yet: <exercise> still raises NotImplementedError": the notebook's line
    if isinstance(exc, AssertionError) and not str(exc):
        return _("a test assertion failed")
    return f"{str(exc)}" if isinstance(exc, (AssertionError, WorkerLost)) else f"{type(exc).__name__}: {exc}"


def grade(spec: LessonSpec, answers: Answers, student: str, sandbox: Sandbox, slot: int = 0) -> SubmissionResult:
    """Run the lesson against one submission's answers and score every exercise."""
    start = time.monotonic()
    STAGES.clear()
    result = SubmissionResult(student, spec.lesson, problems=list(answers.problems), sandbox=sandbox.describe())
    by_test = {}
    for ex in spec.exercises:
        by_test[ex.test_id] = ExerciseResult(ex.test_id, ex.points)
        result.exercises.append(by_test[ex.test_id])
    if not answers.readable:
        for r in result.exercises:
            r.status, r.message = Status.REJECTED, answers.problems[0] if answers.problems else _("unreadable file")
        return result
    notebook_deadline = start + sandbox.limits.notebook_seconds
    stopped_by = Status.CRASHED   # what an exercise never reached is marked as, should grading stop early
    bad_blocks: set[str] = set(answers.exercise_problems)   # answers never to run (again)
    judge_ns: dict = {"__name__": "__main__"}
    trusted: set[str] = set(judge_ns)
    restarts = 0

    with tempfile.TemporaryDirectory(prefix="lstmlab-worker-") as workdir:
        os.chmod(workdir, 0o755)
        session = Session(sandbox, slot, workdir)

        def run_in_worker(step) -> None:
            # The lesson's own setup cells (imports, data) are not the student's: --cell-timeout does not
            # limit them below SETUP_SECONDS, so a small per-cell limit cannot zero a whole class.
            seconds = sandbox.limits.cell_seconds if step.kind == "answer" else max(sandbox.limits.cell_seconds, SETUP_SECONDS)
            session.deadline = min(time.monotonic() + seconds, notebook_deadline)
            with _stage("worker_setup" if step.kind == "setup" else "answers"):
                reply = session.request({"op": "exec", "source": step.source if step.kind == "setup"
                                         else answers.code[step.solution_id], "label": f"<{step.solution_id or 'setup'}>"})
            if "error" in reply and step.kind == "answer":
                raise StudentCodeError(reply["error"], reply.get("ename", ""))

        def import_student_names() -> None:
            reply = session.request({"op": "names"})
            for name, info in (reply.get("names") or {}).items():
                if name in trusted or not isinstance(name, str) or not name.isidentifier():
                    continue
                if info.get("kind") == "callable":
                    judge_ns[name] = RemoteFunction(session, name)
                elif info.get("kind") == "value":
                    try:
                        judge_ns[name] = wire.decode(info.get("value"))
                    except wire.ProtocolError:
                        pass

        def replay(upto: int) -> None:
            """Start a fresh worker and rerun setup and good answers before step `upto`."""
            session.close()
            session.start()
            for k, step in enumerate(spec.steps[:upto]):
                if step.kind == "setup" or (step.kind == "answer" and step.solution_id not in bad_blocks):
                    try:
                        run_in_worker(step)
                    except StudentCodeError:
                        pass
            import_student_names()

        try:
            with watchdog(sandbox.limits.notebook_seconds + WATCHDOG_GRACE):
                try:
                    replay(0)
                except WorkerLost as exc:
                    # Nothing of the student's has run yet: this is the grader's failure (e.g. a sandbox that cannot
                    # read the installation), not a crash of the student's code.
                    result.grader_error = _("the grading kernel could not start: {why}").format(why=exc)
                    for r in result.exercises:
                        r.status, r.message = Status.CRASHED, result.grader_error
                    return result
                result.sandbox = sandbox.describe()   # says whether the worker started warm or cold
                if sandbox.isolated() and not session.seccomp:
                    result.sandbox = result.sandbox.replace("no new namespaces (seccomp)",
                                                            "new namespaces NOT blocked (the seccomp filter failed)")

                answer_errors: dict[str, str] = {}
                lost_blocks: dict[str, tuple[str, str]] = {}
                for k, step in enumerate(spec.steps):
                    if step.kind == "demo":
                        continue
                    if time.monotonic() > notebook_deadline:
                        result.problems.append(_("the notebook time limit was reached; exercises after it were not run"))
                        stopped_by = Status.TIMEOUT
                        break
                    try:
                        if step.kind == "setup":
                            run_in_worker(step)
                            with _stage("judge_setup"), contextlib.redirect_stdout(io.StringIO()), \
                                    contextlib.redirect_stderr(io.StringIO()):
                                exec(compile(step.source, f"<{spec.lesson} setup>", "exec"), judge_ns)
                            trusted.update(judge_ns)
                        elif step.kind == "answer":
                            if step.solution_id in bad_blocks:
                                continue
                            try:
                                run_in_worker(step)
                            except StudentCodeError as exc:
                                answer_errors[step.solution_id] = _("your answer cell raised when it ran:") + "\n" + str(exc).strip()
                            import_student_names()
                        else:  # test
                            r = by_test[step.exercise.test_id]
                            sid = step.exercise.solution_id
                            if sid in lost_blocks:
                                r.status, r.message = lost_blocks[sid]
                                continue
                            if sid in answers.exercise_problems:
                                r.status, r.message = Status.REJECTED, answers.exercise_problems[sid]
                                continue
                            session.deadline = min(time.monotonic() + sandbox.limits.cell_seconds, notebook_deadline)
                            out = io.StringIO()
                            try:
                                with _stage("tests"), contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                                    exec(compile(step.source, f"<{step.exercise.test_id}>", "exec"), judge_ns)
                                r.status, r.score = Status.PASSED, r.points
                            except WorkerLost:
                                raise
                            except Exception as exc:
                                r.status, r.message = _status_of(exc), _message_of(exc)
                                if sid in answer_errors and r.status in (Status.ERROR, Status.FAILED):
                                    r.message = answer_errors[sid] + "\n\n" + r.message
                            r.output = out.getvalue()[-4000:]
                    except WorkerLost as exc:
                        restarts += 1
                        if step.kind == "test":
                            r = by_test[step.exercise.test_id]
                            r.status, r.message = _status_of(exc), str(exc)
                        elif step.kind == "answer":
                            bad_blocks.add(step.solution_id)
                            lost_blocks[step.solution_id] = (_status_of(exc), _("running your answer cell failed: {why}").format(why=exc))
                        else:
                            result.problems.append(_("a setup cell failed in the kernel: {why}").format(why=exc))
                        if restarts > MAX_RESTARTS:
                            result.problems.append(_("the kernel was restarted too often; the remaining exercises were not run"))
                            stopped_by = exc.status
                            break
                        try:
                            replay(k + 1)
                        except WorkerLost as again:
                            result.problems.append(_("the kernel could not be restarted: {why}").format(why=again))
                            stopped_by = again.status
                            break
        except WatchdogExpired:
            result.problems.append(_("the grader's watchdog ended this submission: it ran past the notebook time limit"))
            stopped_by = Status.TIMEOUT
        finally:
            session.close()

    for r in result.exercises:
        if r.status == Status.NOT_RUN:
            r.message = r.message or _("not run: grading stopped before this exercise (see the problems above)")
            r.status = stopped_by
    result.seconds = round(time.monotonic() - start, 2)
    return result
