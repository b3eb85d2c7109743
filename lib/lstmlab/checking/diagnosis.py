"""Diagnoses: comparisons that fail with a message a student can act on.

Every check raises CheckFailed (an AssertionError) whose first line says what is wrong in the
student's terms ("your forget gate ignores x_t"), never only "arrays differ" (and NotAnswered, one
line, for an exercise that still raises NotImplementedError):

- assert_close: type, shape, NaN and value checks with dtype-aware tolerances;
- known mistakes: compute what a typical wrong implementation would return and, when the
  student's output matches one, name that mistake (assert_close's `mistakes`).
"""
from __future__ import annotations

import contextvars
import math
import sys
from typing import Mapping

import numpy as np

from lstmlab.i18n import N_, _


class CheckFailed(AssertionError):
    """A check failed; str(exc) is the diagnosis."""


class NotAnswered(NotImplementedError):
    """An exercise still raises NotImplementedError (the blank template): shown as one line.

    A NotImplementedError, so nbgrader, `lstmlab grade` (judge._status_of) and `except
    NotImplementedError` all still read it as unanswered. IPython shows an exception's
    `_render_traceback_()` instead of a traceback: the student sees only the message.
    """

    def __init__(self, exercise: str, where: str = ""):
        self.exercise = exercise
        if where and where != exercise:
            message = _("not answered yet: {exercise} still raises NotImplementedError (in {where})").format(
                exercise=exercise, where=where)
        else:
            message = _("not answered yet: {exercise} still raises NotImplementedError").format(exercise=exercise)
        super().__init__(message)

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


LOOSE, TIGHT = (1e-4, 1e-5), (1e-7, 1e-9)   # (rtol, atol) for float32/float16 and for float64 cases

# Whether the arguments of the latest student call held low-precision (float32/float16) arrays. Set by
# call_student for every call; assert_close reads it, so a float32 case is compared at float32 tolerance
# even when the check's reference was promoted to float64 (NumPy 2: float32_array / np.sqrt(D) is float64).
_low_precision_inputs = contextvars.ContextVar("lstmlab_low_precision_inputs", default=False)


def _is_low(value) -> bool:
    """True for a float32/float16 array, numpy scalar or torch tensor."""
    if is_torch_tensor(value):
        return str(value.dtype) in ("torch.float32", "torch.float16", "torch.bfloat16")
    return isinstance(value, (np.ndarray, np.generic)) and value.dtype in (np.float32, np.float16)


def holds_low_precision(value, depth: int = 0) -> bool:
    """True when value (or an array inside its lists, tuples or dicts) is float32/float16."""
    if _is_low(value):
        return True
    if depth < 6 and isinstance(value, (list, tuple)):
        return any(holds_low_precision(v, depth + 1) for v in value)
    if depth < 6 and isinstance(value, dict):
        return any(holds_low_precision(v, depth + 1) for v in value.values())
    return False


def note_inputs(*values) -> None:
    """Record the precision of the arguments a student function is about to be called with."""
    _low_precision_inputs.set(any(holds_low_precision(v) for v in values))


def tolerances(*arrays) -> tuple[float, float]:
    """(rtol, atol) for comparing results computed from these arrays: loose if any is float32."""
    return LOOSE if any(holds_low_precision(a) for a in arrays) else TIGHT


def _digits(a: float, b: float) -> int:
    """Significant digits needed to print a and b so that they look different."""
    scale = max(abs(a), abs(b), 1e-300)
    rel = abs(a - b) / scale
    return 6 if rel == 0 or rel >= 1e-5 else min(17, int(math.ceil(-math.log10(rel))) + 2)


def is_torch_tensor(value) -> bool:
    """True for a torch.Tensor or a subclass (torch.nn.Parameter), without importing torch."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _returned_none(name: str) -> CheckFailed:
    return CheckFailed(_("{name} is None: did your function forget to `return` it?").format(name=name))


def as_array(name: str, got) -> np.ndarray:
    """Convert a student's return value to a numpy array, or fail saying why it can't be."""
    if got is None:
        raise _returned_none(name)
    if isinstance(got, (str, bytes)):
        raise CheckFailed(_("{name} should be a numpy array, got {kind} {value!r:.60}").format(
            name=name, kind=type(got).__name__, value=got))
    if is_torch_tensor(got):
        got = got.detach().cpu().numpy()
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError) as exc:
        raise CheckFailed(_("{name} should be a numpy array, got {kind} ({error})").format(
            name=name, kind=type(got).__name__, error=exc)) from None
    return arr


# Defaults of the hints below: shown in the student's language at call time.
LIST_HINT = N_("build one array (np.stack, np.zeros, ...), not a Python list.")
ONE_NUMBER = N_("one number (a float)")


def assert_ndarray(name: str, got, *, floats: bool = True, float64: bool = False,
                   hint: str | None = None) -> np.ndarray:
    """Fail unless got is a numpy array, as the exercise promises (a list or a tensor that happens to
    convert is not); floats: of a float dtype; float64: exactly float64. Returns got.
    hint: what to do instead when a list or tuple came back (default LIST_HINT)."""
    if isinstance(got, np.ndarray) and (not floats or got.dtype.kind == "f") and (not float64 or got.dtype == np.float64):
        return got
    if got is None:
        raise _returned_none(name)
    if is_torch_tensor(got):
        raise CheckFailed(_("{name} should be a numpy array, got a torch tensor: compute it with numpy "
                            "(or convert with .numpy()).").format(name=name))
    if isinstance(got, np.ndarray) and got.dtype.kind != "f":
        raise CheckFailed(_("{name} should be a float array, got an array of dtype {dtype}.").format(
            name=name, dtype=got.dtype))
    if isinstance(got, np.ndarray):
        raise CheckFailed(_("{name} has dtype {dtype}; the exercise returns float64 (work in float64: "
                            "np.asarray(A, dtype=np.float64)), also for float32 inputs.").format(name=name, dtype=got.dtype))
    if isinstance(got, (list, tuple)):
        hint = _(LIST_HINT) if hint is None else _(hint)
        raise CheckFailed(_("{name} should be a numpy array, got a {kind} of length {length}: {hint}").format(
            name=name, kind=type(got).__name__, length=len(got), hint=hint))
    raise CheckFailed(_("{name} should be a numpy array, got {kind}: compute it with numpy.").format(
        name=name, kind=type(got).__name__))


def assert_number(name: str, got, what: str | None = None) -> float:
    """The student's scalar result as a float: a float, an int, a numpy scalar or a 0-d array; a list, a
    1-element array, a torch tensor or a bool is not what the exercise promises.
    what: what the exercise returns, for the message (default ONE_NUMBER, "one number (a float)")."""
    if got is None:
        raise _returned_none(name)
    what = _(ONE_NUMBER) if what is None else _(what)
    if isinstance(got, (bool, np.bool_)):
        raise CheckFailed(_("{name} should be {what}, got a bool.").format(name=name, what=what))
    if isinstance(got, (int, float, np.integer, np.floating)):
        return float(got)
    if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "iuf":
        return float(got)
    if isinstance(got, np.ndarray) and got.size == 1:
        raise CheckFailed(_("{name} should be {what}, got a numpy array of shape {shape}: take the number out of it "
                            "(float(...)).").format(name=name, what=what, shape=got.shape))
    if isinstance(got, np.ndarray):
        raise CheckFailed(_("{name} should be {what}, got a numpy array of shape {shape}.").format(
            name=name, what=what, shape=got.shape))
    if is_torch_tensor(got):
        raise CheckFailed(_("{name} should be {what}, got a torch tensor; compute it with numpy (or convert with "
                            "float(...)).").format(name=name, what=what))
    if isinstance(got, (list, tuple)):
        raise CheckFailed(_("{name} should be {what}, got a {kind} of length {length}.").format(
            name=name, what=what, kind=type(got).__name__, length=len(got)))
    raise CheckFailed(_("{name} should be {what}, got a {kind}.").format(name=name, what=what, kind=type(got).__name__))


def matches(got, want, rtol: float, atol: float) -> bool:
    """True when got has want's shape and equal values within tolerance."""
    got, want = np.asarray(got), np.asarray(want)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol))


def assert_close(name: str, got, want, *, rtol: float | None = None, atol: float | None = None,
                 mistakes: Mapping[str, np.ndarray] | None = None, hint: str = "") -> np.ndarray:
    """Fail with a diagnosis unless `got` equals `want` within tolerance.

    name:     how to call the value in the message ("h_t", "your forget gate")
    want:     the reference array
    mistakes: {message: array a known wrong implementation returns}; checked first
              when values differ, so the message names the mistake
    hint:     appended to a generic value mismatch
    Returns got as an array.
    """
    want = np.asarray(want)
    if rtol is None or atol is None:
        # Tolerance from the case's inputs (recorded by call_student), not only from the reference,
        # which NumPy may have promoted to float64.
        rtol, atol = LOOSE if _low_precision_inputs.get() else tolerances(want)
    got_low = holds_low_precision(got)
    arr = as_array(name, got)
    # mistakes' messages and the hint may be marked N_() constants: shown in the student's language
    hint = _(hint) if hint else hint
    if arr.shape != want.shape:
        for message, wrong in (mistakes or {}).items():
            if matches(arr, wrong, rtol, atol):
                raise CheckFailed(_(message))
        raise CheckFailed(_("{name} has shape {shape}, expected {expected}. {hint}").format(
            name=name, shape=arr.shape, expected=want.shape, hint=hint).strip())
    if not np.all(np.isfinite(arr)):
        raise CheckFailed(_("{name} contains NaN or inf: look for an overflowing exp or a division by zero.").format(
            name=name))
    if np.allclose(arr, want, rtol=rtol, atol=atol):
        return arr
    for message, wrong in (mistakes or {}).items():
        if matches(arr, wrong, rtol, atol):
            raise CheckFailed(_(message))
    err = np.abs(arr - want)
    where = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    yours, expected = float(arr[where]), float(want[where])
    d = _digits(yours, expected)
    numbers = dict(name=name, error=float(err.max()), index=tuple(int(k) for k in where),
                   yours=format(yours, f".{d}g"), expected=format(expected, f".{d}g"))
    if got_low and (rtol, atol) == TIGHT and np.allclose(arr, want, rtol=LOOSE[0], atol=LOOSE[1]):
        raise CheckFailed(_(
            "{name} is right to float32 precision only (largest error {error:.3g} at index {index}: yours {yours}, "
            "expected {expected}), but this case is float64 and your result is float32. Keep float64 inputs in "
            "float64 (no np.float32(...), .astype(np.float32) or float32 constants).").format(**numbers))
    raise CheckFailed(_(
        "{name} has the right shape {shape} but wrong values: largest error {error:.3g} at index {index} "
        "(yours {yours}, expected {expected}). {hint}").format(shape=want.shape, hint=hint, **numbers).strip())


def unpack(name: str, got, n: int, what: str) -> tuple:
    """Check that a function returned an n-tuple; `what` names the parts, e.g. '(h, c)'."""
    if isinstance(got, (tuple, list)) and len(got) != n:
        raise CheckFailed(_("{name} should return {n} values {what}, got a {kind} of length {length}.").format(
            name=name, n=n, what=what, kind=type(got).__name__, length=len(got)))
    if not isinstance(got, (tuple, list)):
        raise CheckFailed(_("{name} should return {n} values {what}, got a {kind}.").format(
            name=name, n=n, what=what, kind=type(got).__name__))
    return tuple(got)


def assert_order(name: str, got: tuple, want: tuple, labels: tuple[str, ...], rtol: float | None = None,
                 atol: float | None = None, hint: str = "") -> None:
    """Fail with "returned in the wrong order" when the returned parts are a reordering of the expected ones.

    got, want: tuples of the same length (after unpack); labels: the parts' names, e.g. ("h", "c").
    Does nothing when the parts are in order or match no reordering: the caller's per-part checks then
    name what is wrong. Call it after unpack and before comparing the parts one by one.
    """
    import itertools

    if rtol is None or atol is None:
        rtol, atol = LOOSE if _low_precision_inputs.get() else tolerances(*want)

    def same(a, b) -> bool:
        try:
            return matches(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol, atol)
        except (TypeError, ValueError):
            return False

    if all(same(g, w) for g, w in zip(got, want)):
        return
    for perm in itertools.permutations(range(len(want))):
        if list(perm) != list(range(len(want))) and all(same(got[k], want[j]) for k, j in enumerate(perm)):
            # Equal parts (e.g. two zero gradients) make a reordering indistinguishable: not a diagnosis.
            if all(same(got[k], want[k]) or perm[k] == k for k in range(len(want))):
                continue
            returned = ", ".join(labels[j] for j in perm)
            raise CheckFailed(_("{name} returned its values in the wrong order: ({returned}) instead of "
                                "({expected}). {hint}").format(name=name, returned=returned, expected=", ".join(labels),
                                                               hint=_(hint) if hint else hint).strip())


def assert_int(name: str, got) -> int:
    """Fail unless got is an integer (a Python int or a numpy integer, not a bool or a float). Returns it."""
    if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
        raise CheckFailed(_("{name} should return an int, got {kind}.").format(name=name, kind=type(got).__name__))
    return int(got)


def passed(message: str) -> None:
    """Print one tidy success line (stdout, so a grader counts it as a pass); message may be a marked N_() constant."""
    print("✔ " + _(message))
