"""Seeded inputs and weights for tests, checks and demos. Same seed, same numbers, everywhere."""
from __future__ import annotations

import numpy as np

from .lstm import LSTMParams


def rng(seed: int = 0) -> np.random.Generator:
    """The course's random generator: numpy's PCG64 via default_rng."""
    return np.random.default_rng(seed)


def lstm_params(input_size: int, hidden_size: int, seed: int = 0, dtype=np.float64, scale: float | None = None) -> LSTMParams:
    """Random LSTM weights in our layout: Wx (D, 4H), Wh (H, 4H), b (4H,).

    Uniform in [-scale, scale], scale = 1/sqrt(H) by default (torch's init), so gates
    are neither saturated nor all 0.5.
    """
    r = rng(seed)
    D, H = input_size, hidden_size
    s = 1.0 / np.sqrt(H) if scale is None else scale
    return LSTMParams(
        r.uniform(-s, s, (D, 4 * H)).astype(dtype),
        r.uniform(-s, s, (H, 4 * H)).astype(dtype),
        r.uniform(-s, s, (4 * H,)).astype(dtype),
    )


def lstm_inputs(batch: int, steps: int, input_size: int, hidden_size: int, seed: int = 0, dtype=np.float64):
    """Random inputs and initial states: X (B, T, D), h0 (B, H), c0 (B, H), standard normal."""
    r = rng(seed)
    X = r.standard_normal((batch, steps, input_size)).astype(dtype)
    h0 = (0.5 * r.standard_normal((batch, hidden_size))).astype(dtype)
    c0 = r.standard_normal((batch, hidden_size)).astype(dtype)
    return X, h0, c0


def sequence_cases(hidden: bool) -> list[tuple]:
    """(B, T, D, H, seed, dtype) cases for an exercise that runs a cell over a sequence.

    The visible case first; hidden=True adds a batch of one, float32, D == H, and a sequence of a
    single step (T = 1), where a loop that skips the first or last step shows.
    """
    cases = [(2, 5, 3, 4, 0, np.float64)]
    if hidden:
        cases += [(1, 7, 4, 4, 41, np.float64), (3, 3, 2, 5, 42, np.float32), (4, 4, 3, 2, 43, np.float64),
                  (2, 1, 3, 2, 44, np.float64)]
    return cases
