"""The one way every check calls a student's function.

    got = call_student("lstm_step_backward", fn, dh, dc, cache, hidden=hidden,
                       ready_made=reference_functions(gradcheck), names=("dh", "dc", "cache"))

What it guarantees, in every lesson alike:

- inputs are copied: the function receives copies of every array (numpy or torch, also inside
  lists, tuples, namedtuples and dicts, with the numbers beside them); after the call the copies
  are compared with the originals, and a
  change fails with "<exercise> changed its input <name> in place", because the caller (the next
  time step, the optimiser, the rest of the notebook) still needs them. Other objects (a random
  Generator, a callback, a number) are passed as they are.
- tolerances follow the case: the arguments' precision is recorded, so assert_close compares a
  float32 case at float32 tolerance even when the check's reference was promoted to float64.
- warnings never decide: numpy's floating-point warnings are silenced and Python warnings are
  recorded, not printed. A warning on stderr would cost a correct answer its points under stock
  nbgrader; a wrong value it signals (a NaN, an inf) is caught by the value checks instead.
- from scratch: with hidden=True the call runs under the ready-made guard (torch's recurrent layers,
  the library's LSTM reference, plus `ready_made`), so calling one fails with its name.
- the student's own exception propagates (the same object, so `except ValueError` still works) with
  the student's frames only, then one note saying which exercise and call it was ("while checking
  lstm_cell_update, the check called lstm_cell_update(c_prev: float64 (2, 4), ...)"); `on_error`
  (the usual cause of such an exception here) is attached as a second note.
- NotImplementedError (an unanswered exercise) becomes NotAnswered, a NotImplementedError shown as
  one line, "not answered yet: <exercise> still raises NotImplementedError", so graders still say so.

What a student is shown never includes the check machinery (student_facing, student_traceback):
the frames of lstmlab.checking, lstmlab.lessons (a check's own code computes the reference answer,
which a traceback's context lines would print) and lstmlab.tooling are taken out of the exception's
traceback. A room ends its checks.py with `student_facing(globals())`, which wraps each check_*
function so that what propagates out of it, in IPython and in a plain `traceback.format_exception`
alike, starts at the student's first frame. The wrapper's own frame, which Python adds as the
exception leaves it, carries `__tracebackhide__ = True` (IPython hides it) and the file name
"<lstmlab check>" (no source line is shown for it). Set LSTMLAB_FULL_TRACEBACKS=1 to see every
frame while writing a check.
"""
from __future__ import annotations

import functools
import os
import re
import sys
import types
import warnings
from typing import Callable, Iterable, Sequence

import numpy as np

from lstmlab.i18n import N_, _

from .diagnosis import CheckFailed, NotAnswered, is_torch_tensor, note_inputs
from .guard import DEFAULT_ADVICE, Target, assert_from_scratch  # noqa: F401  (DEFAULT_ADVICE: importable from here too)

# What to do instead of changing an input in place, unless the check gives its own (shown with _() at call time).
DEFAULT_MUTATION_HINT = N_("compute new arrays instead (e.g. `a = a + b` rather than `a += b`).")

SHOWN_AS = "<lstmlab check>"   # the file name of a wrapped check's frame (see student_facing)
FULL_TRACEBACKS = "LSTMLAB_FULL_TRACEBACKS"   # set to 1: keep every frame (for authors of checks)
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # .../lstmlab
MACHINERY = tuple(os.path.join(_PACKAGE, part) + os.sep for part in ("checking", "lessons", "tooling"))


def is_machinery(filename: str) -> bool:
    """True for a frame of the course's check machinery (lstmlab.checking, lstmlab.lessons, lstmlab.tooling)."""
    if filename == SHOWN_AS:
        return True
    if not filename or filename.startswith("<"):
        return False   # a notebook cell, exec'd code: the student's
    return os.path.abspath(filename).startswith(MACHINERY)


def _student_tb(tb: types.TracebackType | None) -> types.TracebackType | None:
    """The traceback `tb` with every machinery frame left out (None when nothing else is left)."""
    kept = []
    while tb is not None:
        if not is_machinery(tb.tb_frame.f_code.co_filename):
            kept.append(tb)
        tb = tb.tb_next
    out = None
    for entry in reversed(kept):
        out = types.TracebackType(out, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return out


def student_traceback(exc: BaseException) -> BaseException:
    """exc, its cause and its context with the check machinery's frames taken out of their
    tracebacks (what a student may be shown). Returns exc."""
    if os.environ.get(FULL_TRACEBACKS, "") not in ("", "0"):
        return exc
    todo, seen = [exc], set()
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        e.__traceback__ = _student_tb(e.__traceback__)
        todo += [e.__cause__, e.__context__]
    return exc


def _add_note(exc: BaseException, note: str) -> None:
    """exc.add_note(note), also on Python 3.10 (where tracebacks do not print notes, but IPython and the graders do)."""
    if hasattr(exc, "add_note"):
        exc.add_note(note)   # guarded: Python >= 3.11
    else:
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]


def _describe(value) -> str:
    """A short description of an argument for the call line: dtype and shape for arrays."""
    if isinstance(value, np.ndarray):
        return f"{value.dtype} {tuple(value.shape)}"
    if is_torch_tensor(value):
        return f"torch {str(value.dtype).replace('torch.', '')} {tuple(value.shape)}"
    if isinstance(value, (bool, int, float, np.generic)) or value is None:
        return repr(value.item() if isinstance(value, np.generic) else value)[:24]
    if isinstance(value, str):
        return repr(value[:20])
    if _is_namedtuple(value):
        return type(value).__name__
    if isinstance(value, (list, tuple, dict)):
        return _("a {kind} of {length}").format(kind=type(value).__name__, length=len(value))
    if callable(value):
        return _("a function")
    return _("a {kind}").format(kind=type(value).__name__)


def _call_line(exercise: str, fn, names, args, kwargs, hidden: bool) -> str:
    """One line: which exercise and call it was."""
    parts = [f"{n}: {_describe(a)}" if not n.startswith("#") else _describe(a) for n, a in zip(names, args)]
    parts += [f"{k}={_describe(v)}" for k, v in kwargs.items()]
    name = getattr(fn, "__name__", exercise)
    if hidden:
        line = _("while checking {exercise} (a hidden test), the check called {name}({arguments})")
    else:
        line = _("while checking {exercise}, the check called {name}({arguments})")
    line = line.format(exercise=exercise, name=name, arguments=", ".join(parts))
    return line if len(line) <= 400 else line[:397] + "..."


_FRAME_LINE = re.compile(r'File "[^"]*", line \d+, in (\S+)')


def _raised_in(exc: BaseException) -> str:
    """The name of the (student's) function that raised exc: the last frame of its traceback, or, for an
    exception that came from the grading sandbox, the last frame of the traceback it carries as text."""
    if getattr(exc, "ename", None):   # the sandbox's exception: its frames are in its text
        found = _FRAME_LINE.findall(str(exc))
        name = found[-1] if found else ""
    else:
        tb, name = exc.__traceback__, ""
        while tb is not None:
            if not is_machinery(tb.tb_frame.f_code.co_filename):
                name = tb.tb_frame.f_code.co_name
            tb = tb.tb_next
    return "" if name.startswith("<") else name


def _unanswered(exc: BaseException) -> bool:
    """The blank template's NotImplementedError, raised here or in the grading sandbox (StudentCodeError's ename)."""
    return isinstance(exc, NotImplementedError) or getattr(exc, "ename", None) == "NotImplementedError"


def student_facing(namespace: dict) -> None:
    """Wrap every public check_* function defined in a room's checks module: call it last, with the
    module's globals(). What propagates out of a wrapped check has only the student's frames (see
    the module docstring); the check itself is unchanged (same name, docstring, signature, result)."""
    module = namespace.get("__name__")
    for name, fn in list(namespace.items()):
        if (name.startswith("check_") and isinstance(fn, types.FunctionType) and fn.__module__ == module
                and not getattr(fn, "__lstmlab_student_facing__", False)):
            namespace[name] = _wrap(fn)


def _wrap(check: Callable) -> Callable:
    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        __tracebackhide__ = True   # noqa: F841 (IPython reads it)
        try:
            return check(*args, **kwargs)
        except Exception as exc:
            raise student_traceback(exc)

    # Shown by a plain traceback as `File "<lstmlab check>", line N, in check_x`, with no source line.
    code = {"co_filename": SHOWN_AS, "co_name": check.__name__}
    if sys.version_info >= (3, 11):
        code["co_qualname"] = check.__qualname__
    wrapper.__code__ = wrapper.__code__.replace(**code)
    wrapper.__lstmlab_student_facing__ = True
    return wrapper


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _copy(value):
    """A deep copy of the arrays in value, containers (lists, tuples, namedtuples such as LSTMParams,
    dicts) rebuilt around them; anything else (numbers, Generators, callbacks) is passed as it is."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if is_torch_tensor(value):
        return value.detach().clone()
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if _is_namedtuple(value):
        return type(value)(*(_copy(v) for v in value))
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _unchanged(before, after) -> bool:
    """True when `after` (what the student's function was given) still equals `before` (the original)."""
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and before.shape == after.shape and bool(
            np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
    if is_torch_tensor(before):
        import torch

        return is_torch_tensor(after) and before.shape == after.shape and bool(torch.equal(before, after) or (
            before.is_floating_point() and torch.equal(before.isnan(), after.isnan())
            and torch.equal(before.nan_to_num(), after.nan_to_num())))
    if isinstance(before, (list, tuple)):
        return isinstance(after, (list, tuple)) and len(before) == len(after) and all(
            _unchanged(b, a) for b, a in zip(before, after))
    if isinstance(before, dict):
        return isinstance(after, dict) and before.keys() == after.keys() and all(
            _unchanged(before[k], after[k]) for k in before)
    if isinstance(before, (bool, int, float, complex, np.generic)):
        # a number inside a container (an optimiser's step count): the copy must still hold it
        return type(before) is type(after) and (before == after or (before != before and after != after))
    return True  # anything else is passed as it is: nothing to compare



def call_student(exercise: str, fn: Callable, *args, hidden: bool = False, ready_made: Iterable[Target] = (),
                 default_ready_made: bool = True, advice: str | None = None, names: Sequence[str] = (),
                 may_change: Iterable[str] = (), mutation_hint: str | None = None, on_error: str = "", **kwargs):
    """Call fn(*args, **kwargs) for a check and return what it returned.

    exercise:      the function's name as the student knows it ("lstm_step_backward")
    hidden:        also apply the from-scratch guard (hidden tests)
    ready_made:    guard targets beyond the default ones (see lstmlab.checking.guard)
    default_ready_made: False when the exercise may build on the default targets (torch's recurrent
                   layers, lstmlab.lstm), e.g. a classifier written on top of lstm_forward
    advice:        last sentence of the from-scratch failure (default DEFAULT_ADVICE)
    names:         the positional arguments' names, for messages ("dh", "dc", "cache");
                   keyword arguments are named by their keyword
    may_change:    names of arguments the exercise is meant to update in place (an optimiser's state)
    mutation_hint: what to do instead, appended to an in-place failure (default DEFAULT_MUTATION_HINT)
    on_error:      the usual cause of an exception here, attached to the student's exception as a note
    advice, mutation_hint and on_error may be marked N_() constants: they are shown with _(), in the
    student's language, when they are used.
    A student's exception propagates with their frames only and a note naming this call; a
    NotImplementedError becomes NotAnswered (one line).
    """
    names = list(names) + [f"#{k + 1}" for k in range(len(names), len(args))]
    allowed = set(may_change)
    given = [a if n in allowed else _copy(a) for a, n in zip(args, names)]
    given_kw = {k: v if k in allowed else _copy(v) for k, v in kwargs.items()}
    note_inputs(*args, *kwargs.values())   # assert_close's default tolerance follows this case's dtype
    __tracebackhide__ = True   # noqa: F841 (IPython reads it)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            if hidden:
                got = assert_from_scratch(exercise, fn, *given, extra=ready_made, advice=advice,
                                          defaults=default_ready_made, **given_kw)
            else:
                got = fn(*given, **given_kw)
    except CheckFailed:
        raise
    except Exception as exc:
        if _unanswered(exc):
            where = _raised_in(exc)
            raise NotAnswered(exercise, "" if where == getattr(fn, "__name__", None) else where) from None
        _add_note(exc, _call_line(exercise, fn, names, args, kwargs, hidden))
        if on_error:
            _add_note(exc, _(on_error))
        raise student_traceback(exc)
    pairs = [(n, a, g) for n, a, g in zip(names, args, given)] + [(k, v, given_kw[k]) for k, v in kwargs.items()]
    for name, original, seen in pairs:
        if name not in allowed and not _unchanged(original, seen):
            hint = _(DEFAULT_MUTATION_HINT) if mutation_hint is None else _(mutation_hint)
            if name.startswith("#"):
                message = _("{exercise} changed its argument {name} in place; {hint}")
            else:
                message = _("{exercise} changed its input {name} in place; {hint}")
            raise CheckFailed(message.format(exercise=exercise, name=name, hint=hint).strip())
    return got
