"""Seeded generators of the classic small sequence tasks. Batch-first arrays, float32 inputs.

Each returns (X, Y) ready for a torch model or the numpy reference; shapes in each docstring.
"""
from __future__ import annotations

import numpy as np

from .fixtures import rng


def remember_marked(n: int, steps: int, p_mark: float = 0.1, seed: int = 0):
    """Latch task: keep the value seen at the latest marker until the next one.

    Input channels: x[..., 0] = a random value in {-1, +1} at every step,
                    x[..., 1] = 1 at marked steps (the value there must be remembered), else 0.
    Target y[b, t] = the value at the most recent marked step <= t, 0 before any marker.
    Returns X (n, T, 2) float32, Y (n, T) float32. A good LSTM opens i and closes f at a marker.
    """
    r = rng(seed)
    values = r.choice([-1.0, 1.0], size=(n, steps))
    marks = (r.random((n, steps)) < p_mark).astype(float)
    Y = np.zeros((n, steps))
    held = np.zeros(n)
    for t in range(steps):
        held = np.where(marks[:, t] > 0, values[:, t], held)
        Y[:, t] = held
    return np.stack([values, marks], axis=-1).astype(np.float32), Y.astype(np.float32)


def first_symbol(n: int, steps: int, n_classes: int = 10, seed: int = 0):
    """Sequence classification: the label is the symbol at step 0; later symbols are noise.

    Returns X (n, T, n_classes) float32 one-hot symbols, y (n,) int64 labels in [0, n_classes).
    Needs memory across the whole sequence, which a last-state classifier must carry.
    """
    r = rng(seed)
    symbols = r.integers(0, n_classes, size=(n, steps))
    X = np.eye(n_classes, dtype=np.float32)[symbols]
    return X, symbols[:, 0].astype(np.int64)


def adding_problem(n: int, steps: int, seed: int = 0):
    """Hochreiter & Schmidhuber's adding problem.

    x[..., 0] uniform in [0, 1), x[..., 1] marks exactly two positions (one in each half).
    Target: the sum of the two marked values. Returns X (n, T, 2) float32, y (n,) float32.
    """
    r = rng(seed)
    values = r.random((n, steps))
    marks = np.zeros((n, steps))
    half = steps // 2
    a = r.integers(0, half, n)
    b = r.integers(half, steps, n)
    marks[np.arange(n), a] = 1
    marks[np.arange(n), b] = 1
    y = values[np.arange(n), a] + values[np.arange(n), b]
    return np.stack([values, marks], axis=-1).astype(np.float32), y.astype(np.float32)
