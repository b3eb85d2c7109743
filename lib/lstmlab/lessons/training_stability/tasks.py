"""The echo (delayed recall) task of lesson 06's truncated-BPTT section.

Inputs are random bits (+-1), the target at step t is the bit of step t - lag. Batch-first
numpy arrays, seeded.
"""
from __future__ import annotations

import numpy as np

from lstmlab.fixtures import rng


def echo(n: int, steps: int, lag: int, seed: int = 0):
    """Delayed-recall task.

    Returns X (n, T, 1) float32 with values +-1, Y (n, T) float32 in {0, 1} where
    Y[:, t] = (X[:, t - lag, 0] > 0) for t >= lag and 0 before (those steps are not scored).
    """
    bits = rng(seed).integers(0, 2, size=(n, steps))
    X = (2.0 * bits - 1.0).astype(np.float32)[..., None]
    Y = np.zeros((n, steps), dtype=np.float32)
    Y[:, lag:] = bits[:, : steps - lag]
    return X, Y
