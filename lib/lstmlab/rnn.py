"""Reference vanilla (Elman) RNN in numpy: forward and backward, one step and a whole sequence.

The RNN the LSTM was invented to fix, in the same batch-first layout as lstmlab.lstm:

    x_t   (B, D)     input at step t
    h     (B, H)     hidden state
    Wx    (D, H)     input weights
    Wh    (H, H)     recurrent weights
    b     (H,)       one bias vector (torch keeps two: bias_ih + bias_hh)

    h_t = tanh(x_t @ Wx + h_{t-1} @ Wh + b)

Backward through one step: da = dh * (1 - h_t^2), then dh_{t-1} = da @ Wh.T. Over k steps the
gradient is multiplied by k such Jacobians diag(1 - h^2) Wh^T, so it shrinks or grows
geometrically (Bengio et al., 1994; Pascanu et al., 2013): lesson 02 plots it.
Functions come in forward/backward pairs with a cache, in the style of CS231n.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .fixtures import rng


class RNNParams(NamedTuple):
    """Weights of one tanh RNN layer: Wx (D, H), Wh (H, H), b (H,)."""

    Wx: np.ndarray
    Wh: np.ndarray
    b: np.ndarray

    @property
    def input_size(self) -> int:
        return self.Wx.shape[0]

    @property
    def hidden_size(self) -> int:
        return self.Wh.shape[0]


def rnn_params(input_size: int, hidden_size: int, seed: int = 0, dtype=np.float64, scale: float | None = None) -> RNNParams:
    """Random RNN weights, uniform in [-scale, scale], scale = 1/sqrt(H) by default (torch's init).

    Returns RNNParams(Wx (D, H), Wh (H, H), b (H,)).
    """
    r = rng(seed)
    D, H = input_size, hidden_size
    s = 1.0 / np.sqrt(H) if scale is None else scale
    return RNNParams(r.uniform(-s, s, (D, H)).astype(dtype), r.uniform(-s, s, (H, H)).astype(dtype),
                     r.uniform(-s, s, (H,)).astype(dtype))


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """One RNN step.

    Inputs: x (B, D), h_prev (B, H), Wx (D, H), Wh (H, H), b (H,)
    Returns: h (B, H) the next hidden state, and the cache rnn_step_backward needs.
    """
    h = np.tanh(x @ Wx + h_prev @ Wh + b)
    return h, (x, h_prev, Wx, Wh, h)


def rnn_step_backward(dh, cache):
    """Backward pass of one RNN step.

    Inputs: dh (B, H) gradient w.r.t. h_t (from the output and from step t+1); cache from rnn_step_forward.
    Returns: dx (B, D), dh_prev (B, H), dWx (D, H), dWh (H, H), db (H,)
    """
    x, h_prev, Wx, Wh, h = cache
    da = dh * (1.0 - h * h)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def rnn_forward(X, h0, Wx, Wh, b):
    """RNN over a sequence (batch-first).

    Inputs: X (B, T, D), h0 (B, H), Wx (D, H), Wh (H, H), b (H,)
    Returns: Hs (B, T, H) every hidden state, hT (B, H) the last one, and a cache (a list of T step caches).
    """
    h, cache, outs = h0, [], []
    for t in range(X.shape[1]):
        h, step_cache = rnn_step_forward(X[:, t], h, Wx, Wh, b)
        cache.append(step_cache)
        outs.append(h)
    return np.stack(outs, axis=1), h, cache


def rnn_backward(dHs, cache, dhT=None):
    """Backprop through time for the RNN.

    Inputs: dHs (B, T, H) gradient w.r.t. every output; cache from rnn_forward; dhT (B, H) optional
    gradient w.r.t. the final state.
    Returns: dX (B, T, D), dh0 (B, H), dWx (D, H), dWh (H, H), db (H,)
    """
    x0, h0, Wx, Wh, _ = cache[0]
    B, T = dHs.shape[:2]
    dX = np.zeros((B, T, Wx.shape[0]), dtype=dHs.dtype)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0], dtype=Wh.dtype)
    dh = np.zeros_like(h0) if dhT is None else np.array(dhT)
    for t in range(T - 1, -1, -1):
        dx, dh, dWx_t, dWh_t, db_t = rnn_step_backward(dHs[:, t] + dh, cache[t])
        dX[:, t] = dx
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dX, dh, dWx, dWh, db
