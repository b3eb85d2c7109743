"""Seeded tasks for lesson 05: one where depth pays, one that needs the future. Batch-first, float32 inputs.

sign_xor     each step's label is a two-stage function of the inputs: first a nonlinear feature of x_t
             (do its two coordinates have the same sign?), then the XOR of that feature over a short
             window. A stack can give one stage to each layer; one layer has to do both at once.
look_ahead   tag step t with the symbol that comes `ahead` steps later: impossible for a model that
             reads left to right (it has not seen it yet), easy for a bidirectional one.
"""
from __future__ import annotations

import numpy as np

from lstmlab.fixtures import rng

IGNORE = -100  # label of padded positions (torch's cross_entropy ignore_index default)


def sign_xor(n: int, steps: int, window: int = 3, seed: int = 0):
    """Windowed XOR of a nonlinear feature.

    x_t uniform in [-1, 1]^2; e_t = 1 if x_t[0] * x_t[1] > 0 else 0 (same sign: an XOR of signs);
    y_t = e_t XOR e_(t-1) XOR ... XOR e_(t-window+1) (fewer terms for t < window - 1).
    Returns X (n, T, 2) float32, Y (n, T) int64 in {0, 1}.
    """
    r = rng(seed)
    X = r.uniform(-1, 1, (n, steps, 2)).astype(np.float32)
    e = (X[..., 0] * X[..., 1] > 0).astype(np.int64)
    Y = e.copy()
    for k in range(1, window):
        Y[:, k:] ^= e[:, :-k]
    return X, Y


def look_ahead(n: int, steps: int, n_symbols: int = 4, ahead: int = 2, min_length: int | None = None, seed: int = 0):
    """Tag each step with the symbol `ahead` steps later.

    Symbols are one-hot in n_symbols channels; sequence b has lengths[b] valid steps, drawn uniformly
    from [min_length, steps] (all equal to steps when min_length is None); padded steps are zero.
    Target Y[b, t] = symbol at t + ahead if t + ahead < lengths[b], else n_symbols ("end"), and IGNORE
    at padded positions. Returns X (n, T, n_symbols) float32, lengths (n,) int64, Y (n, T) int64.
    """
    r = rng(seed)
    lengths = np.full(n, steps) if min_length is None else r.integers(min_length, steps + 1, n)
    symbols = r.integers(0, n_symbols, (n, steps))
    valid = np.arange(steps)[None, :] < lengths[:, None]
    X = np.eye(n_symbols, dtype=np.float32)[symbols] * valid[..., None]
    t = np.arange(steps)[None, :]
    later = np.take_along_axis(symbols, np.minimum(t + ahead, steps - 1).repeat(n, axis=0), axis=1)
    Y = np.where(t + ahead < lengths[:, None], later, n_symbols)
    return X, lengths.astype(np.int64), np.where(valid, Y, IGNORE).astype(np.int64)
