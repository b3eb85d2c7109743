"""The LSTM of lstmlab.lstm, tuned for speed: same inputs, same results (float64 to ~1e-15), other cache.

lstmlab.lstm is the reference a student reads: a loop over lstm_step_forward. This module computes
the same sequence forward and backward as fast as numpy allows on a CPU, for training loops and
benchmarks/bench_lstm.py (within 1.5x of torch.nn.LSTM there):

- the sigmoid's 1/2 is folded into the weights once, so all four gates come out of one tanh
  (sigmoid(a) = 0.5 + 0.5 * tanh(a / 2)) and one multiply-add per step;
- the input projections of all T steps are one large matmul, and so are the weight gradients;
- internals are time-major (T, B, .), so every per-step slice is contiguous, and written in place.

Shapes are lstmlab.lstm's: X (B, T, D), h0 / c0 (B, H), Wx (D, 4H), Wh (H, 4H), b (4H,).
The cache of lstm_forward_fast is for lstm_backward_fast only.
"""
from __future__ import annotations

import numpy as np


def _tanh_scale(H: int, dtype) -> np.ndarray:
    """(4H,) factors 0.5 for i, f, o and 1 for g: then sigmoid(a) = 0.5 + 0.5 * tanh(0.5 a) and
    tanh(a) come out of a single tanh over the scaled pre-activations."""
    scale = np.full(4 * H, 0.5, dtype=dtype)
    scale[2 * H:3 * H] = 1.0
    return scale


def lstm_forward_fast(X, h0, c0, Wx, Wh, b):
    """Run an LSTM over a whole sequence (batch-first).

    Inputs:
        X   (B, T, D)   inputs
        h0  (B, H)      initial hidden state
        c0  (B, H)      initial cell state
        Wx (D, 4H), Wh (H, 4H), b (4H,)
    Returns:
        Hs    (B, T, H)  hidden state at every step
        (hT, cT)         final states, each (B, H)
        cache            what lstm_backward_fast needs
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


def lstm_backward_fast(dHs, cache, dhT=None, dcT=None):
    """Backprop through time over a whole sequence.

    Inputs:
        dHs        (B, T, H)  gradient of the loss w.r.t. every hidden state output
        cache                 from lstm_forward_fast
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
