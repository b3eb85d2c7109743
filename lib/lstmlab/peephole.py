"""Peephole LSTM (Gers, Schraudolph & Schmidhuber 2002): numpy reference and a torch module.

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

Contents: peephole_params (seeded weights), forward/backward pairs for one step and a
sequence (CS231n style, with a cache), and PeepholeLSTM, a batch-first torch module
(autograd) whose options switch off parts of the cell for a Greff et al. (2017) ablation.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

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


# --- torch module ---------------------------------------------------------------------------

class PeepholeLSTM(torch.nn.Module):
    """Peephole LSTM layer in torch (autograd does the backward), batch-first.

    PeepholeLSTM(input_size, hidden_size, peepholes=True, forget_gate=True, output_gate=True,
                 coupled=False, dtype=None)

    Parameters (our layout): weight_x (D, 4H), weight_h (H, 4H), bias (4H,), p_i, p_f, p_o (H,).
    Options switch off parts of the cell, as in Greff et al. (2017):
        peepholes=False    p_i = p_f = p_o = 0 (NP; the cell is then torch.nn.LSTM's)
        forget_gate=False  f = 1 (NFG; the 1997 LSTM)
        output_gate=False  o = 1, so h = tanh(c) (NOG)
        coupled=True       i = 1 - f (CIFG; Greff writes f = 1 - i, the same family up to signs)
    Unused weights stay in the parameter list and get zero gradient.

    forward(x (B, T, D), state=None or (h0 (B, H), c0 (B, H))) -> (out (B, T, H), (h_T, c_T))
    """

    def __init__(self, input_size, hidden_size, peepholes=True, forget_gate=True, output_gate=True,
                 coupled=False, dtype=None):
        super().__init__()
        if coupled and not forget_gate:
            raise ValueError("coupled=True computes i from the forget gate; it needs forget_gate=True")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.peepholes, self.forget_gate, self.output_gate, self.coupled = peepholes, forget_gate, output_gate, coupled
        D, H = input_size, hidden_size
        s = 1.0 / H ** 0.5
        kw = {"dtype": dtype or torch.get_default_dtype()}
        self.weight_x = torch.nn.Parameter(torch.empty(D, 4 * H, **kw).uniform_(-s, s))
        self.weight_h = torch.nn.Parameter(torch.empty(H, 4 * H, **kw).uniform_(-s, s))
        self.bias = torch.nn.Parameter(torch.empty(4 * H, **kw).uniform_(-s, s))
        self.p_i = torch.nn.Parameter(torch.empty(H, **kw).uniform_(-s, s))
        self.p_f = torch.nn.Parameter(torch.empty(H, **kw).uniform_(-s, s))
        self.p_o = torch.nn.Parameter(torch.empty(H, **kw).uniform_(-s, s))

    def extra_repr(self):
        flags = [k for k in ("peepholes", "forget_gate", "output_gate") if not getattr(self, k)]
        return (f"{self.input_size}, {self.hidden_size}" + "".join(f", {k}=False" for k in flags)
                + (", coupled=True" if self.coupled else ""))

    def load_numpy(self, params):
        """Copy PeepholeParams (or any 6-tuple Wx, Wh, b, p_i, p_f, p_o) into this module, in place."""
        with torch.no_grad():
            for target, value in zip((self.weight_x, self.weight_h, self.bias, self.p_i, self.p_f, self.p_o), params):
                target.copy_(torch.as_tensor(np.asarray(value), dtype=target.dtype))
        return self

    def numpy_params(self) -> PeepholeParams:
        """The weights as PeepholeParams (numpy copies)."""
        return PeepholeParams(*(t.detach().cpu().numpy().copy() for t in
                                (self.weight_x, self.weight_h, self.bias, self.p_i, self.p_f, self.p_o)))

    def forward(self, x, state=None):
        B, T, _ = x.shape
        H = self.hidden_size
        if state is None:
            h = x.new_zeros(B, H)
            c = x.new_zeros(B, H)
        else:
            h, c = state
        peep = (lambda p, cell: p * cell) if self.peepholes else (lambda p, cell: 0.0)
        ax = x @ self.weight_x + self.bias          # input projections of all steps at once
        outputs = []
        for t in range(T):
            a = ax[:, t] + h @ self.weight_h
            f = torch.sigmoid(a[:, H:2 * H] + peep(self.p_f, c)) if self.forget_gate else torch.ones_like(c)
            i = 1 - f if self.coupled else torch.sigmoid(a[:, :H] + peep(self.p_i, c))
            c = f * c + i * torch.tanh(a[:, 2 * H:3 * H])          # c_t
            o = torch.sigmoid(a[:, 3 * H:] + peep(self.p_o, c)) if self.output_gate else 1.0
            h = o * torch.tanh(c)
            outputs.append(h)
        return torch.stack(outputs, dim=1), (h, c)


# --- plot ---------------------------------------------------------------------------------------

def plot_traces(panels, *, title, marks=(), mark_label="trigger"):
    """Line plots of a few signals over time, one panel per entry, sharing the time axis.

    panels: {y-axis label: {line label: (T,) values}}; marks: time steps drawn as dashed vertical lines.
    Returns (fig, data) with data = {y-axis label: {line label: (T,) array drawn}}.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(panels), 1, figsize=(8, 1.7 * len(panels) + 0.6), sharex=True, squeeze=False)
    data = {}
    for ax, (ylabel, lines) in zip(axes[:, 0], panels.items()):
        data[ylabel] = {}
        for label, values in lines.items():
            values = np.asarray(values)
            ax.plot(np.arange(len(values)), values, marker=".", label=label)
            data[ylabel][label] = values
        for k, t in enumerate(marks):
            ax.axvline(t, color="gray", ls="--", lw=1, label=mark_label if k == 0 else None)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    axes[0, 0].set_title(title)
    axes[-1, 0].set_xlabel("time step t")
    fig.tight_layout()
    return fig, data
