"""Peephole LSTM (Gers, Schraudolph & Schmidhuber 2002): the numpy reference.

Our LSTM layout (see lstmlab.lstm) plus three *diagonal* peephole vectors, batch-first:

    x_t            (B, D)     input at step t
    h, c           (B, H)     hidden and cell state
    Wx             (D, 4H)    input weights, gate blocks i, f, g, o
    Wh             (H, 4H)    recurrent weights, same block order
    b              (4H,)      bias
    p_i, p_f, p_o  (H,)       peephole weights: unit j's gates see only unit j's cell

    a   = x_t @ Wx + h_{t-1} @ Wh + b                      (B, 4H)
    i   = sigmoid(a_i + p_i * c_{t-1})                     input gate peeks at the old cell
    f   = sigmoid(a_f + p_f * c_{t-1})                     forget gate peeks at the old cell
    g   = tanh(a_g)                                        candidate: no peephole
    c_t = f * c_{t-1} + i * g
    o   = sigmoid(a_o + p_o * c_t)                         output gate peeks at the NEW cell
    h_t = o * tanh(c_t)

`*` is element-wise: a peephole is a diagonal matrix, H numbers per gate, not H x H.
With p_i = p_f = p_o = 0 this is exactly torch.nn.LSTM.

Contents: PeepholeParams and peephole_params (seeded weights), peephole_param_count, and
forward/backward pairs for one step and a sequence (CS231n style, with a cache). The torch module
of lesson 04 (PeepholeLSTM, autograd, with switches for a Greff et al. (2017) ablation) is
lstmlab.lessons.peephole.models.PeepholeLSTM; it is checked against this reference.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .lstm import sigmoid


class PeepholeParams(NamedTuple):
    """Weights of a peephole LSTM layer: Wx (D, 4H), Wh (H, 4H), b (4H,), p_i, p_f, p_o (H,)."""

    Wx: np.ndarray
    Wh: np.ndarray
    b: np.ndarray
    p_i: np.ndarray
    p_f: np.ndarray
    p_o: np.ndarray

    @property
    def input_size(self) -> int:
        return self.Wx.shape[0]

    @property
    def hidden_size(self) -> int:
        return self.Wh.shape[0]


def peephole_params(input_size: int, hidden_size: int, seed: int = 0, dtype=np.float64,
                    scale: float | None = None, peephole_scale: float | None = None) -> PeepholeParams:
    """Random peephole-LSTM weights, uniform in [-scale, scale] (scale 1/sqrt(H) by default).

    peephole_scale: range of p_i, p_f, p_o (default: scale). Returns PeepholeParams.
    """
    r = np.random.default_rng(seed)
    D, H = input_size, hidden_size
    s = 1.0 / np.sqrt(H) if scale is None else scale
    ps = s if peephole_scale is None else peephole_scale
    return PeepholeParams(
        r.uniform(-s, s, (D, 4 * H)).astype(dtype),
        r.uniform(-s, s, (H, 4 * H)).astype(dtype),
        r.uniform(-s, s, (4 * H,)).astype(dtype),
        *(r.uniform(-ps, ps, (H,)).astype(dtype) for _ in range(3)),
    )


def peephole_param_count(input_size: int, hidden_size: int) -> int:
    """Trainable numbers of one peephole LSTM layer with one bias vector: 4H(D + H + 1) + 3H."""
    D, H = input_size, hidden_size
    return 4 * H * (D + H + 1) + 3 * H


# --- numpy reference ------------------------------------------------------------------------

def peephole_step_forward(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
    """One peephole-LSTM step.

    Inputs:
        x (B, D), h_prev (B, H), c_prev (B, H)
        Wx (D, 4H), Wh (H, 4H), b (4H,)    gate order i, f, g, o
        p_i, p_f, p_o (H,)                 diagonal peephole weights
    Returns:
        h (B, H), c (B, H), cache (for peephole_step_backward)
    """
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2 * H] + p_f * c_prev)
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    o = sigmoid(a[:, 3 * H:] + p_o * c)
    tc = np.tanh(c)
    h = o * tc
    cache = (x, h_prev, c_prev, Wx, Wh, p_i, p_f, p_o, i, f, g, o, c, tc)
    return h, c, cache


def peephole_step_backward(dh, dc, cache):
    """Backward pass of one peephole-LSTM step.

    Inputs:
        dh (B, H)   gradient w.r.t. h_t;  dc (B, H)  gradient w.r.t. c_t from step t+1
        cache       from peephole_step_forward
    Returns:
        dx (B, D), dh_prev (B, H), dc_prev (B, H), dWx (D, 4H), dWh (H, 4H), db (4H,),
        dp_i (H,), dp_f (H,), dp_o (H,)
    """
    x, h_prev, c_prev, Wx, Wh, p_i, p_f, p_o, i, f, g, o, c, tc = cache
    da_o = dh * tc * o * (1 - o)
    # c_t reaches the loss through tanh(c_t) in h_t, through the output gate's peephole, and via step t+1.
    dc = dc + dh * o * (1 - tc * tc) + da_o * p_o
    da_i = dc * g * i * (1 - i)
    da_f = dc * c_prev * f * (1 - f)
    da_g = dc * i * (1 - g * g)
    dc_prev = dc * f + da_i * p_i + da_f * p_f
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)
    return (da @ Wx.T, da @ Wh.T, dc_prev, x.T @ da, h_prev.T @ da, da.sum(axis=0),
            (da_i * c_prev).sum(axis=0), (da_f * c_prev).sum(axis=0), (da_o * c).sum(axis=0))


def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    """Peephole LSTM over a sequence (batch-first).

    Inputs:
        X (B, T, D), h0 (B, H), c0 (B, H), weights as in peephole_step_forward
    Returns:
        Hs (B, T, H)   hidden state at every step
        (hT, cT)       final states, each (B, H)
        cache          list of step caches, for peephole_backward
    """
    h, c = h0, c0
    outputs, caches = [], []
    for t in range(X.shape[1]):
        h, c, cache = peephole_step_forward(X[:, t], h, c, Wx, Wh, b, p_i, p_f, p_o)
        outputs.append(h)
        caches.append(cache)
    return np.stack(outputs, axis=1), (h, c), caches


def peephole_backward(dHs, caches, dhT=None, dcT=None):
    """Backprop through time for peephole_forward.

    Inputs:
        dHs (B, T, H)     gradient w.r.t. every output;  caches from peephole_forward
        dhT, dcT (B, H)   optional gradients w.r.t. the final states
    Returns:
        dX (B, T, D), dh0 (B, H), dc0 (B, H), dWx, dWh, db, dp_i, dp_f, dp_o (shapes of the weights)
    """
    dh = np.zeros_like(dHs[:, 0]) if dhT is None else np.array(dhT, dtype=dHs.dtype)
    dc = np.zeros_like(dHs[:, 0]) if dcT is None else np.array(dcT, dtype=dHs.dtype)
    dXs = [None] * len(caches)
    sums = None
    for t in range(len(caches) - 1, -1, -1):
        dx, dh, dc, *dweights = peephole_step_backward(dh + dHs[:, t], dc, caches[t])
        dXs[t] = dx
        sums = dweights if sums is None else [s + d for s, d in zip(sums, dweights)]
    return (np.stack(dXs, axis=1), dh, dc, *sums)
