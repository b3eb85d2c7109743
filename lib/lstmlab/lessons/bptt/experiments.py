"""How far gradient travels back in time: per-step gradient norms for a vanilla RNN and an LSTM.

The loss is L = sum(h_T * dhT): it depends on the last hidden state only, so ||dL/dh_t|| for
t < T measures how much of the error signal reaches step t. For the LSTM the backward pass can
be restricted to one route:

    path="full"    ordinary backprop through time (both routes, mixed at every step);
    path="cell"    only the cell-state route c_t -> c_(t-1): the error carried back through h_(t-1)
                   is dropped at every step (Hochreiter & Schmidhuber's 1997 truncated gradient).
                   Then dL/dc_t = dL/dc_T * prod_(k=t+1..T) f_k exactly: the constant error carousel;
    path="hidden"  only the route through h_(t-1) (gates, candidate, recurrent weights): the
                   c_t -> c_(t-1) gradient is dropped at every step, as if the carousel were cut.

Also with_forget_bias, the forget-gate bias initialisation the lesson compares.
Batch-first (B, T, D) arrays, the layouts of lstmlab.lstm and lstmlab.rnn.
"""
from __future__ import annotations

import numpy as np

from lstmlab import lstm as L
from lstmlab import rnn as R
from lstmlab.i18n import _

PATHS = ("full", "cell", "hidden")


def rnn_grad_norms(params, X, h0, dhT) -> np.ndarray:
    """||dL/dh_t|| for t = 0..T-1 of a tanh RNN, with L = sum(h_T * dhT).

    params: RNNParams (Wx (D, H), Wh (H, H), b (H,)); X (B, T, D); h0 (B, H); dhT (B, H).
    Returns (T,) float64: the Frobenius norm over the batch of the gradient w.r.t. the output of step t
    (index T-1 is ||dhT||).
    """
    _hs, _h, cache = R.rnn_forward(X, h0, *params)
    T = X.shape[1]
    norms = np.zeros(T)
    dh = np.asarray(dhT)
    for t in range(T - 1, -1, -1):
        norms[t] = np.linalg.norm(dh)
        _dx, dh, *_grads = R.rnn_step_backward(dh, cache[t])
    return norms


def lstm_grad_norms(params, X, h0, c0, dhT, path: str = "full") -> dict[str, np.ndarray]:
    """Per-step gradient norms of an LSTM with L = sum(h_T * dhT), along the chosen route.

    params: LSTMParams (Wx (D, 4H), Wh (H, 4H), b (4H,)); X (B, T, D); h0, c0, dhT (B, H).
    path:   "full", "cell" or "hidden" (see the module docstring).
    Returns {"h": (T,) ||dL/dh_t||, "c": (T,) ||dL/dc_t|| (total, both inputs of c_t),
             "f": (T, B, H) forget-gate activations, "f_product": (T,) ||dL/dc_T * prod_(k>t) f_k||,
             the carousel's prediction, equal to "c" when path="cell"}.
    """
    if path not in PATHS:
        raise ValueError(_("path must be one of {paths}, got {path!r}").format(paths=PATHS, path=path))
    T = X.shape[1]
    h, c, caches = h0, c0, []
    for t in range(T):
        h, c, cache = L.lstm_step_forward(X[:, t], h, c, *params)
        caches.append(cache)
    F = np.stack([cache[6] for cache in caches])
    dh, dc = np.asarray(dhT, dtype=np.float64), np.zeros_like(c0, dtype=np.float64)
    nh, nc = np.zeros(T), np.zeros(T)
    for t in range(T - 1, -1, -1):
        o, tc = caches[t][8], caches[t][9]
        nh[t] = np.linalg.norm(dh)
        nc[t] = np.linalg.norm(dc + dh * o * (1 - tc * tc))
        _dx, dh, dc, *_grads = L.lstm_step_backward(dh, dc, caches[t])
        if path == "cell":
            dh = np.zeros_like(dh)
        elif path == "hidden":
            dc = np.zeros_like(dc)
    o, tc = caches[-1][8], caches[-1][9]
    dcT = np.asarray(dhT) * o * (1 - tc * tc)
    # prod_(k=t+1..T-1) f_k for every t: reverse cumulative product, shifted by one step.
    rev = np.cumprod(F[::-1], axis=0)[::-1]
    prods = np.concatenate([rev[1:], np.ones_like(F[:1])], axis=0)
    f_product = np.array([np.linalg.norm(dcT * prods[t]) for t in range(T)])
    return {"h": nh, "c": nc, "f": F, "f_product": f_product}


def with_forget_bias(params, value: float = 1.0):
    """A copy of LSTMParams whose forget-gate bias block b[H:2H] is set to `value` (Keras's unit_forget_bias
    sets 1; Jozefowicz et al., 2015). The other weights are unchanged."""
    H = params.Wh.shape[0]
    b = np.array(params.b, copy=True)
    b[H:2 * H] = value
    return L.LSTMParams(params.Wx, params.Wh, b)
