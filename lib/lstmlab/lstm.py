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


def _tanh_scale(H: int, dtype) -> np.ndarray:
    """(4H,) factors 0.5 for i, f, o and 1 for g: then sigmoid(a) = 0.5 + 0.5 * tanh(0.5 a) and
    tanh(a) come out of a single tanh over the scaled pre-activations."""
    scale = np.full(4 * H, 0.5, dtype=dtype)
    scale[2 * H:3 * H] = 1.0
    return scale


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
    B, T, D = X.shape
    H = h0.shape[1]
    dtype = np.result_type(X, h0, Wx)
    # Fold the sigmoid's 1/2 into the weights once: sigmoid(a) = 0.5 + 0.5 * tanh(a / 2), so all
    # four gates come out of one tanh, then one multiply-add per step (half, offset) fixes i, f, o.
    scale = _tanh_scale(H, dtype)
    offset = np.where(scale == 0.5, 0.5, 0.0).astype(dtype)
    Wh_s = Wh * scale
    # Internals are time-major (T, B, .) so every per-step slice is contiguous. The input
    # projections of all steps are one large matmul instead of T small ones.
    Xt = np.ascontiguousarray(X.transpose(1, 0, 2)).reshape(T * B, D)
    AX = (Xt @ (Wx * scale) + b * scale).astype(dtype, copy=False).reshape(T, B, 4 * H)
    gates = np.empty((T, B, 4 * H), dtype=dtype)  # activated i, f, g, o
    Cs = np.empty((T, B, H), dtype=dtype)
    TC = np.empty((T, B, H), dtype=dtype)          # tanh(c_t), reused by the backward pass
    Hs = np.empty((T, B, H), dtype=dtype)
    h, c = h0, c0
    for t in range(T):
        act = gates[t]
        np.matmul(h, Wh_s, out=act)
        act += AX[t]
        np.tanh(act, out=act)
        act *= scale
        act += offset
        np.multiply(act[:, H:2 * H], c, out=Cs[t])            # f * c_{t-1}
        Cs[t] += act[:, :H] * act[:, 2 * H:3 * H]             # + i * g
        np.tanh(Cs[t], out=TC[t])
        np.multiply(act[:, 3 * H:], TC[t], out=Hs[t])         # h = o * tanh(c)
        h, c = Hs[t], Cs[t]
    cache = (X, h0, c0, Wx, Wh, Hs, Cs, TC, gates)
    return Hs.transpose(1, 0, 2), (h.copy(), c.copy()), cache


def lstm_backward(dHs, cache, dhT=None, dcT=None):
    """Backprop through time over a whole sequence.

    Inputs:
        dHs        (B, T, H)  gradient of the loss w.r.t. every hidden state output
        cache                 from lstm_forward
        dhT, dcT   (B, H)     optional gradients w.r.t. the final states
    Returns:
        dX (B, T, D), dh0 (B, H), dc0 (B, H), dWx (D, 4H), dWh (H, 4H), db (4H,)
    """
    X, h0, c0, Wx, Wh, Hs, Cs, TC, gates = cache
    B, T, D = X.shape
    H = h0.shape[1]
    dtype = gates.dtype
    I, F, G, O = gates[..., :H], gates[..., H:2 * H], gates[..., 2 * H:3 * H], gates[..., 3 * H:]
    C_prev = np.concatenate([c0[None], Cs[:-1]], axis=0)
    # Everything that does not depend on the incoming gradient, for all steps at once:
    # da_{i,f,g} = dc * [g i(1-i), c_prev f(1-f), i (1-g^2)],  da_o = dh * tanh(c) o(1-o),
    # and dc picks up dh * o (1 - tanh(c)^2).
    local_ifg = np.concatenate([G * I * (1 - I), C_prev * F * (1 - F), I * (1 - G * G)], axis=2).reshape(T, B, 3, H)
    local_o = TC * O * (1 - O)
    o_dtanh = O * (1 - TC * TC)
    dHs_t = np.ascontiguousarray(np.asarray(dHs, dtype=dtype).transpose(1, 0, 2))
    dA = np.empty((T, B, 4 * H), dtype=dtype)
    WhT = np.ascontiguousarray(Wh.T)
    dh = np.zeros((B, H), dtype) if dhT is None else np.array(dhT, dtype=dtype)
    dc = np.zeros((B, H), dtype) if dcT is None else np.array(dcT, dtype=dtype)
    for t in range(T - 1, -1, -1):
        dh += dHs_t[t]
        dc += dh * o_dtanh[t]
        da = dA[t]
        np.multiply(local_ifg[t], dc[:, None, :], out=da[:, :3 * H].reshape(B, 3, H))
        np.multiply(dh, local_o[t], out=da[:, 3 * H:])
        dh = da @ WhT
        dc *= F[t]
    # Weight gradients summed over time with single large matmuls.
    dA2 = dA.reshape(T * B, 4 * H)
    H_prev = np.concatenate([h0[None], Hs[:-1]], axis=0).reshape(T * B, H)
    Xt = np.ascontiguousarray(X.transpose(1, 0, 2)).reshape(T * B, D)
    dX = (dA2 @ Wx.T).reshape(T, B, D).transpose(1, 0, 2)
    dWx = Xt.T @ dA2
    dWh = H_prev.T @ dA2
    db = dA2.sum(axis=0)
    return dX, dh, dc, dWx, dWh, db


def lstm_param_count(input_size: int, hidden_size: int, bias_vectors: int = 1) -> int:
    """Number of trainable numbers in one LSTM layer: 4 gates x (H*D + H*H + bias_vectors*H).

    bias_vectors is 1 for the chapter and Keras, 2 for torch (bias_ih and bias_hh).
    """
    D, H = input_size, hidden_size
    return 4 * (H * D + H * H + bias_vectors * H)
