"""Seeded timing and counting tasks, in the spirit of Gers & Schmidhuber (2000) and Gers et al. (2000).

Gers & Schmidhuber, "Recurrent nets that time and count" (IJCNN 2000) introduced peepholes for tasks
where a network must act at a precise moment, such as generating a spike a given number of steps
after a trigger. Gers, Schmidhuber & Cummins, "Learning to forget" (Neural Computation 2000) added
the forget gate for streams where a running memory must be reset. One small task of each kind:

    timed_spike   output a single spike exactly d steps after a trigger; d is given with the trigger
    reset_sum     output the running sum of the inputs since the last reset marker

Batch-first float32 arrays, as in lstmlab.tasks; shapes in each docstring.
"""
from __future__ import annotations

import numpy as np

from lstmlab.fixtures import rng
from lstmlab.i18n import _


def timed_spike(n: int, steps: int = 30, delays=(4, 8, 12, 16), seed: int = 0):
    """Generate a timed spike: fire once, exactly `d` steps after the trigger.

    Input channels: x[..., 0] = 1 at the trigger step s (uniform in [0, steps - max(delays))), else 0;
                    x[..., 1] = d / max(delays) at the trigger step (the delay to produce), else 0.
    Target y[b, t] = 1 at t = s + d and 0 at every other step; d is drawn from `delays`.
    Returns X (n, T, 2) float32, Y (n, T) float32, fire (n,) int64 the target step s + d.
    """
    r = rng(seed)
    delays = np.asarray(delays)
    d_max = int(delays.max())
    if steps <= d_max:
        raise ValueError(_("steps={steps} must exceed the longest delay {d_max}").format(steps=steps, d_max=d_max))
    start = r.integers(0, steps - d_max, n)
    d = r.choice(delays, n)
    rows = np.arange(n)
    X = np.zeros((n, steps, 2), dtype=np.float32)
    Y = np.zeros((n, steps), dtype=np.float32)
    X[rows, start, 0] = 1.0
    X[rows, start, 1] = d / d_max
    Y[rows, start + d] = 1.0
    return X, Y, (start + d).astype(np.int64)


def spike_accuracy(logits: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Fraction of sequences timed exactly right: output > 0 at the target step and < 0 at every other.

    logits (..., B, T) (any leading axes, e.g. one per model), Y (B, T) 0/1 targets.
    Returns an array of the leading shape (a float for a single model).
    """
    return ((logits > 0) == (Y > 0.5)).all(axis=-1).mean(axis=-1)


def reset_sum(n: int, steps: int = 30, p_reset: float = 0.1, scale: float = 0.25, seed: int = 0):
    """Running sum since the last reset: a counter that must be emptied at every reset marker.

    Input channels: x[..., 0] = u_t uniform in [0, 1); x[..., 1] = 1 at reset steps (probability p_reset).
    Target y[b, t] = scale * (sum of u over the steps since the latest reset, that reset step included).
    Returns X (n, T, 2) float32, Y (n, T) float32. Without a forget gate a cell can only empty itself
    by adding negative candidates, at most 1 per step.
    """
    r = rng(seed)
    u = r.random((n, steps))
    reset = r.random((n, steps)) < p_reset
    Y = np.zeros((n, steps))
    total = np.zeros(n)
    for t in range(steps):
        total = np.where(reset[:, t], 0.0, total) + u[:, t]
        Y[:, t] = scale * total
    return np.stack([u, reset], axis=-1).astype(np.float32), Y.astype(np.float32)
