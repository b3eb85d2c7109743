"""a^n b^n counting: a seeded task on which an LSTM and a GRU behave differently.

The model reads a^n followed by b's, one symbol per step, and says at every step whether it has
now seen at least as many b's as a's. That is the decision at the heart of recognising a^n b^n
(Weiss, Goldberg & Yahav, 2018, who train next-symbol predictors on a^n b^n; this is a smaller,
per-step version of their experiment). Solving it for every n needs a counter: +1 per a, -1 per b.
An LSTM's cell state is updated additively and is not squashed, so c_t can hold such a count; a
GRU's state is a convex combination of values in (-1, 1) and stays there, so it must squeeze the
count into a bounded range, which costs precision as n grows.

Arrays are batch-first; symbols are one-hot over [a, b], float32.
"""
from __future__ import annotations

import numpy as np

from lstmlab.fixtures import rng
from lstmlab.i18n import _


def _encode(n: np.ndarray, steps: int):
    """One-hot a^n b^(steps-n) for each n, and the targets 'b's so far >= n'."""
    t = np.arange(steps)
    is_b = (t[None, :] >= n[:, None]).astype(np.float32)
    X = np.stack([1.0 - is_b, is_b], axis=-1).astype(np.float32)
    Y = (t[None, :] >= 2 * n[:, None] - 1).astype(np.float32)   # the n-th b sits at t = 2n - 1
    return X, Y


def anbn(num: int, n_max: int, steps: int | None = None, seed: int = 0):
    """Training data: num sequences a^n b^(T-n) with n uniform in 1..n_max.

    steps: T, at least 2 * n_max (default 2 * n_max + 4) so every sequence reaches its answer.
    Returns X (num, T, 2) float32 one-hot [a, b], Y (num, T) float32 with Y[k, t] = 1 iff the
    first t + 1 symbols hold at least as many b's as a's, and n (num,) int.
    """
    steps = 2 * n_max + 4 if steps is None else steps
    if steps < 2 * n_max:
        raise ValueError(_("steps={steps} is too short for n_max={n_max}: need at least {need}").format(
            steps=steps, n_max=n_max, need=2 * n_max))
    n = rng(seed).integers(1, n_max + 1, num)
    X, Y = _encode(n, steps)
    return X, Y, n


def anbn_test(ns, margin: int = 10):
    """One test sequence per n in ns, padded to a common length T = 2 max(ns) + margin.

    Returns X (len(ns), T, 2), Y (len(ns), T) and mask (len(ns), T) bool: True for the steps
    t < 2n + margin that are scored (the string a^n b^(n + margin)); the rest is padding.
    """
    n = np.asarray(ns, dtype=int)
    steps = 2 * int(n.max()) + margin
    X, Y = _encode(n, steps)
    mask = np.arange(steps)[None, :] < (2 * n[:, None] + margin)
    return X, Y, mask
