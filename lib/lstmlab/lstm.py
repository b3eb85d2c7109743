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
come in forward/backward pairs with a cache, in the style of CS231n; the sequence functions
are loops over the step functions, to be read. The same computation tuned for speed (for
training and the benchmark) is lstmlab.lstm_fast.
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
        cache             what lstm_step_backward needs: (x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh(c), c)
    """
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b               # (B, 4H): all four gates' pre-activations at once
    i = sigmoid(a[:, 0 * H:1 * H])
    f = sigmoid(a[:, 1 * H:2 * H])
    g = np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:4 * H])
    c = f * c_prev + i * g
    tc = np.tanh(c)
    h = o * tc
    cache = (x, h_prev, c_prev, Wx, Wh, i, f, g, o, tc, c)
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
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tc, _ = cache
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
    """Run an LSTM over a whole sequence (batch-first): lstm_step_forward at every step.

    Inputs:
        X   (B, T, D)   inputs
        h0  (B, H)      initial hidden state
        c0  (B, H)      initial cell state
        Wx (D, 4H), Wh (H, 4H), b (4H,)
    Returns:
        Hs    (B, T, H)  hidden state at every step
        (hT, cT)         final states, each (B, H)
        cache            list of T step caches, what lstm_backward needs
    """
    h, c = h0, c0
    Hs, cache = [], []
    for t in range(X.shape[1]):
        h, c, step_cache = lstm_step_forward(X[:, t], h, c, Wx, Wh, b)
        Hs.append(h)
        cache.append(step_cache)
    return np.stack(Hs, axis=1), (h, c), cache


def lstm_backward(dHs, cache, dhT=None, dcT=None):
    """Backprop through time over a whole sequence: lstm_step_backward from the last step to the first.

    Inputs:
        dHs        (B, T, H)  gradient of the loss w.r.t. every hidden state output
        cache                 from lstm_forward
        dhT, dcT   (B, H)     optional gradients w.r.t. the final states
    Returns:
        dX (B, T, D), dh0 (B, H), dc0 (B, H), dWx (D, 4H), dWh (H, 4H), db (4H,)
    """
    x0, h0, _, Wx, Wh = cache[0][:5]
    B, T, D = x0.shape[0], len(cache), x0.shape[1]
    dtype = np.result_type(x0, h0, Wx)
    dX = np.zeros((B, T, D), dtype=dtype)
    dWx, dWh, db = np.zeros_like(Wx, dtype=dtype), np.zeros_like(Wh, dtype=dtype), np.zeros(Wx.shape[1], dtype=dtype)
    # The gradient reaching step t's outputs: from the loss at t, plus what step t+1 sends back.
    dh = np.zeros_like(h0, dtype=dtype) if dhT is None else np.array(dhT, dtype=dtype)
    dc = np.zeros_like(h0, dtype=dtype) if dcT is None else np.array(dcT, dtype=dtype)
    for t in range(T - 1, -1, -1):
        dx, dh, dc, dWx_t, dWh_t, db_t = lstm_step_backward(dHs[:, t] + dh, dc, cache[t])
        dX[:, t] = dx
        dWx += dWx_t    # the same weights act at every step: their gradients add up over time
        dWh += dWh_t
        db += db_t
    return dX, dh, dc, dWx, dWh, db


def lstm_param_count(input_size: int, hidden_size: int, bias_vectors: int = 1) -> int:
    """Number of trainable numbers in one LSTM layer: 4 gates x (H*D + H*H + bias_vectors*H).

    bias_vectors is 1 for the chapter and Keras, 2 for torch (bias_ih and bias_hh).
    """
    D, H = input_size, hidden_size
    return 4 * (H * D + H * H + bias_vectors * H)
