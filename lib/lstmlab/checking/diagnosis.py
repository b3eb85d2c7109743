"""Diagnoses: comparisons that fail with a message a student can act on.

Every check raises CheckFailed (an AssertionError) whose first line says what is wrong in the
student's terms ("your forget gate ignores x_t"), never only "arrays differ":

- assert_close: type, shape, NaN and value checks with dtype-aware tolerances;
- known mistakes: compute what a typical wrong implementation would return and, when the
  student's output matches one, name that mistake (assert_close's `mistakes`).
"""
from __future__ import annotations

import sys
from typing import Mapping

import numpy as np


class CheckFailed(AssertionError):
    """A check failed; str(exc) is the diagnosis."""


def tolerances(*arrays) -> tuple[float, float]:
    """(rtol, atol) for comparing results computed from these arrays: loose if any is float32."""
    low = any(np.asarray(a).dtype in (np.float32, np.float16) for a in arrays)
    return (1e-4, 1e-5) if low else (1e-7, 1e-9)


def is_torch_tensor(value) -> bool:
    """True for a torch.Tensor or a subclass (torch.nn.Parameter), without importing torch."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def as_array(name: str, got) -> np.ndarray:
    """Convert a student's return value to a numpy array, or fail saying why it can't be."""
    if got is None:
        raise CheckFailed(f"{name} is None: did your function forget to `return` it?")
    if is_torch_tensor(got):
        got = got.detach().cpu().numpy()
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError) as exc:
        raise CheckFailed(f"{name} should be a numpy array, got {type(got).__name__} ({exc})") from None
    return arr


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
        rtol, atol = tolerances(want)
    arr = as_array(name, got)
    if arr.shape != want.shape:
        for message, wrong in (mistakes or {}).items():
            if matches(arr, wrong, rtol, atol):
                raise CheckFailed(message)
        raise CheckFailed(f"{name} has shape {arr.shape}, expected {want.shape}. {hint}".strip())
    if not np.all(np.isfinite(arr)):
        raise CheckFailed(f"{name} contains NaN or inf: look for an overflowing exp or a division by zero.")
    if np.allclose(arr, want, rtol=rtol, atol=atol):
        return arr
    for message, wrong in (mistakes or {}).items():
        if matches(arr, wrong, rtol, atol):
            raise CheckFailed(message)
    err = np.abs(arr - want)
    where = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    raise CheckFailed(
        f"{name} has the right shape {want.shape} but wrong values: largest error {float(err.max()):.3g} "
        f"at index {tuple(int(k) for k in where)} (yours {float(arr[where]):.6g}, expected {float(want[where]):.6g}). "
        f"{hint}".strip()
    )


def unpack(name: str, got, n: int, what: str) -> tuple:
    """Check that a function returned an n-tuple; `what` names the parts, e.g. '(h, c)'."""
    if not isinstance(got, (tuple, list)) or len(got) != n:
        kind = f"a {type(got).__name__}" + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else "")
        raise CheckFailed(f"{name} should return {n} values {what}, got {kind}.")
    return tuple(got)


def assert_int(name: str, got) -> int:
    """Fail unless got is an integer (a Python int or a numpy integer, not a bool or a float). Returns it."""
    if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
        raise CheckFailed(f"{name} should return an int, got {type(got).__name__}.")
    return int(got)


def passed(message: str) -> None:
    """Print one tidy success line (stdout, so a grader counts it as a pass)."""
    print(f"✔ {message}")
