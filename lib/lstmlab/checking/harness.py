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
- the student's own exception propagates unchanged, with the student's traceback; `on_error` (the
  usual cause of such an exception here) is attached as a note, shown under the traceback.
  NotImplementedError (an unanswered exercise) propagates too, so graders can say so.
"""
from __future__ import annotations

import warnings
from typing import Callable, Iterable, Sequence

import numpy as np

from .diagnosis import CheckFailed, is_torch_tensor, note_inputs
from .guard import Target, assert_from_scratch

DEFAULT_ADVICE = "Use numpy operations (and the sigmoid helper) instead."


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
                 default_ready_made: bool = True, advice: str = DEFAULT_ADVICE, names: Sequence[str] = (), may_change: Iterable[str] = (),
                 mutation_hint: str = "compute new arrays instead (e.g. `a = a + b` rather than `a += b`).",
                 on_error: str = "", **kwargs):
    """Call fn(*args, **kwargs) for a check and return what it returned.

    exercise:      the function's name as the student knows it ("lstm_step_backward")
    hidden:        also apply the from-scratch guard (hidden tests)
    ready_made:    guard targets beyond the default ones (see lstmlab.checking.guard)
    default_ready_made: False when the exercise may build on the default targets (torch's recurrent
                   layers, lstmlab.lstm), e.g. a classifier written on top of lstm_forward
    advice:        last sentence of the from-scratch failure
    names:         the positional arguments' names, for messages ("dh", "dc", "cache");
                   keyword arguments are named by their keyword
    may_change:    names of arguments the exercise is meant to update in place (an optimiser's state)
    mutation_hint: what to do instead, appended to an in-place failure
    on_error:      the usual cause of an exception here, attached to the student's exception as a note
    """
    names = list(names) + [f"#{k + 1}" for k in range(len(names), len(args))]
    allowed = set(may_change)
    given = [a if n in allowed else _copy(a) for a, n in zip(args, names)]
    given_kw = {k: v if k in allowed else _copy(v) for k, v in kwargs.items()}
    note_inputs(*args, *kwargs.values())   # assert_close's default tolerance follows this case's dtype
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
        if on_error:
            exc.add_note(on_error)
        raise
    pairs = [(n, a, g) for n, a, g in zip(names, args, given)] + [(k, v, given_kw[k]) for k, v in kwargs.items()]
    for name, original, seen in pairs:
        if name not in allowed and not _unchanged(original, seen):
            what = f"its input {name}" if not name.startswith("#") else f"its argument {name}"
            raise CheckFailed(f"{exercise} changed {what} in place; {mutation_hint}".strip())
    return got
