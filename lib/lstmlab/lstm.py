"""Reference LSTM in numpy: forward and backward, one step and a whole sequence.

Layout used throughout the course ("our layout"), batch-first:

    x_t     (B, D)      input at step t
    h, c    (B, H)      hidden and cell state
    Wx      (D, 4H)     input weights, gate blocks in order i, f, g, o
    Wh      (H, 4H)     recurrent weights, same block order
    b       (4H,)       one bias vector (torch keeps two; see lstmlab.bridge)

    a   = x_t @ Wx + h_{t-1} @ Wh + b          (B, 4H) pre-activations
    i   = sigmoid(a[:, 0H:1H])                 input gate
    f   = sigmoid(a[:, 1H:2H])                 forget gate
    g   = tanh   (a[:, 2H:3H])                 candidate cell state (the chapter's C~_t)
    o   = sigmoid(a[:, 3H:4H])                 output gate
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

Block order i, f, g, o is torch's and Keras's (Keras calls g "c"). Functions
come in forward/backward pairs with a cache, in the style of CS231n.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

GATES = ("i", "f", "g", "o")


class LSTMParams(NamedTuple):
    """Weights of one LSTM layer in our layout: Wx (D, 4H), Wh (H, 4H), b (4H,)."""

    Wx: np.ndarray
    Wh: np.ndarray
    b: np.ndarray

    @property
    def input_size(self) -> int:
        return self.Wx.shape[0]

    @property
    def hidden_size(self) -> int:
        return self.Wh.shape[0]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-x)), computed as (1 + tanh(x/2)) / 2: no overflow for any x.

    x: any shape. Returns the same shape and dtype. Absolute error within 2 ulp of 1.0 in float64
    (relative accuracy of outputs below ~1e-12 is lower than the exp form's).
    """
    # sigmoid(x) = (1 + tanh(x/2)) / 2 exactly; tanh never overflows, and it is one fast ufunc.
    return 0.5 + 0.5 * np.tanh(0.5 * x)


def gate_slices(H: int) -> dict[str, slice]:
    """Column slices of the 4H axis for each gate, e.g. {'i': slice(0, H), ...}."""
    return {name: slice(k * H, (k + 1) * H) for k, name in enumerate(GATES)}


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step.

    Inputs:
        x       (B, D)    input at this step
        h_prev  (B, H)    previous hidden state
        c_prev  (B, H)    previous cell state
        Wx (D, 4H), Wh (H, 4H), b (4H,)   weights in our layout (gate order i, f, g, o)
    Returns:
        h     (B, H)      next hidden state
        c     (B, H)      next cell state
        cache             what lstm_step_backward needs
    """
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    ifo = sigmoid(a[:, np.r_[0:2 * H, 3 * H:4 * H]])  # one call for the three sigmoid gates
    i, f, o = ifo[:, :H], ifo[:, H:2 * H], ifo[:, 2 * H:]
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    tc = np.tanh(c)
    h = o * tc
    cache = (x, h_prev, c_prev, Wx, Wh, i, f, g, o, tc)
    return h, c, cache


def lstm_step_backward(dh, dc, cache):
    """Backward pass of one LSTM step.

    Inputs:
        dh  (B, H)   gradient of the loss w.r.t. h_t (from the output and from step t+1)
        dc  (B, H)   gradient w.r.t. c_t arriving from step t+1
        cache        from lstm_step_forward
    Returns:
        dx (B, D), dh_prev (B, H), dc_prev (B, H), dWx (D, 4H), dWh (H, 4H), db (4H,)
    """
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tc = cache
    do = dh * tc
    dc = dc + dh * o * (1.0 - tc * tc)
    di, df, dg = dc * g, dc * c_prev, dc * i
    dc_prev = dc * f
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g * g), do * o * (1 - o)], axis=1)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = da.sum(axis=0)
    return dx, dh_prev, dc_prev, dWx, dWh, db


def lstm_forward(X, h0, c0, Wx, Wh, b):
    """Run an LSTM over a whole sequence (batch-first).

    Inputs:
        X   (B, T, D)   inputs
        h0  (B, H)      initial hidden state
        c0  (B, H)      initial cell state
        Wx (D, 4H), Wh (H, 4H), b (4H,)
    Returns:
        Hs    (B, T, H)  hidden state at every step
        (hT, cT)         final states, each (B, H)
        cache            what lstm_backward needs
    """
    B, T, _ = X.shape
    H = h0.shape[1]
    dtype = np.result_type(X, h0, Wx)
    # Input projections of every step at once: one large matmul instead of T small ones.
    AX = (X.reshape(B * T, -1) @ Wx + b).reshape(B, T, 4 * H)
    Hs = np.empty((B, T, H), dtype=dtype)
    Cs = np.empty((B, T, H), dtype=dtype)
    gates = np.empty((B, T, 4 * H), dtype=dtype)  # activated i, f, g, o
    h, c = h0, c0
    for t in range(T):
        a = AX[:, t] + h @ Wh
        act = gates[:, t]
        act[:] = sigmoid(a)
        act[:, 2 * H:3 * H] = np.tanh(a[:, 2 * H:3 * H])
        i, f, g, o = act[:, :H], act[:, H:2 * H], act[:, 2 * H:3 * H], act[:, 3 * H:]
        c = f * c + i * g
        h = o * np.tanh(c)
        Hs[:, t], Cs[:, t] = h, c
    cache = (X, h0, c0, Wx, Wh, Hs, Cs, gates)
    return Hs, (h, c), cache


def lstm_backward(dHs, cache, dhT=None, dcT=None):
    """Backprop through time over a whole sequence.

    Inputs:
        dHs        (B, T, H)  gradient of the loss w.r.t. every hidden state output
        cache                 from lstm_forward
        dhT, dcT   (B, H)     optional gradients w.r.t. the final states
    Returns:
        dX (B, T, D), dh0 (B, H), dc0 (B, H), dWx (D, 4H), dWh (H, 4H), db (4H,)
    """
    X, h0, c0, Wx, Wh, Hs, Cs, gates = cache
    B, T, D = X.shape
    H = h0.shape[1]
    dA = np.empty_like(gates)
    dh = np.zeros_like(h0) if dhT is None else dhT.copy()
    dc = np.zeros_like(c0) if dcT is None else dcT.copy()
    for t in range(T - 1, -1, -1):
        act = gates[:, t]
        i, f, g, o = act[:, :H], act[:, H:2 * H], act[:, 2 * H:3 * H], act[:, 3 * H:]
        c_prev = Cs[:, t - 1] if t > 0 else c0
        tc = np.tanh(Cs[:, t])
        dh = dh + dHs[:, t]
        dc = dc + dh * o * (1.0 - tc * tc)
        da = dA[:, t]
        da[:, :H] = dc * g * i * (1 - i)
        da[:, H:2 * H] = dc * c_prev * f * (1 - f)
        da[:, 2 * H:3 * H] = dc * i * (1 - g * g)
        da[:, 3 * H:] = dh * tc * o * (1 - o)
        dh = da @ Wh.T
        dc = dc * f
    # Weight gradients summed over time with single large matmuls.
    dA2 = dA.reshape(B * T, 4 * H)
    H_prev = np.concatenate([h0[:, None], Hs[:, :-1]], axis=1).reshape(B * T, H)
    dX = (dA2 @ Wx.T).reshape(B, T, D)
    dWx = X.reshape(B * T, D).T @ dA2
    dWh = H_prev.T @ dA2
    db = dA2.sum(axis=0)
    return dX, dh, dc, dWx, dWh, db


def lstm_param_count(input_size: int, hidden_size: int, bias_vectors: int = 1) -> int:
    """Number of trainable numbers in one LSTM layer: 4 gates x (H*D + H*H + bias_vectors*H).

    bias_vectors is 1 for the chapter and Keras, 2 for torch (bias_ih and bias_hh).
    """
    D, H = input_size, hidden_size
    return 4 * (H * D + H * H + bias_vectors * H)
