"""Finite-difference gradient checking (float64), as in CS231n's gradient_check."""
from __future__ import annotations

from typing import Callable

import numpy as np


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar f() w.r.t. the array x, perturbed in place.

    f: takes no arguments and reads x (so x must be the very array f uses).
    x: float64 array of any shape; restored exactly after each probe.
    Returns an array shaped like x.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    for _ in it:
        idx = it.multi_index
        old = x[idx]
        x[idx] = old + h
        fp = f()
        x[idx] = old - h
        fm = f()
        x[idx] = old
        grad[idx] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient_array(f: Callable[[], np.ndarray], x: np.ndarray, upstream: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Gradient of sum(f() * upstream) w.r.t. x: the vector-Jacobian product a backward pass returns."""
    return numerical_gradient(lambda: float(np.sum(f() * upstream)), x, h)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a-b| / max(|a|+|b|, 1e-12), elementwise; about 1e-8 or less means agreement in float64."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))
