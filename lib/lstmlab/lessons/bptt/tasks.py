"""The seeded task of lesson 02: delayed recall, which only a gradient reaching step 0 can teach."""
from __future__ import annotations

import numpy as np

from lstmlab.fixtures import rng


def delayed_recall(n: int, steps: int, n_classes: int = 4, noise: float = 0.5, seed: int = 0):
    """Remember the symbol shown at step 0 for `steps` steps of noise, answer at the last step.

    Channels 0..K-1: a one-hot symbol at t = 0, Gaussian noise (std `noise`) at t >= 1;
    channel K: 1 at the last step (the query), noise elsewhere after t = 0.
    Returns X (n, T, K+1) float32 and y (n,) int64 in [0, K): the symbol at step 0.
    A classifier of h_T can only learn it if the gradient of its loss reaches step 0.
    """
    r = rng(seed)
    y = r.integers(0, n_classes, n)
    X = noise * r.standard_normal((n, steps, n_classes + 1))
    X[:, 0] = 0.0
    X[np.arange(n), 0, y] = 1.0
    X[:, -1, n_classes] = 1.0
    return X.astype(np.float32), y.astype(np.int64)
