"""Reference GRU in numpy (forward pass) in the conventions found in the literature (its weight bridges: lstmlab.bridge).

Our layout, batch-first, in the spirit of lstmlab.lstm:

    x_t   (B, D)      input at step t
    h     (B, H)      hidden state (a GRU has no separate cell state)
    Wx    (D, 3H)     input weights, gate blocks in order r, z, n (torch's order)
    Wh    (H, 3H)     recurrent weights, same block order
    bx    (3H,)       input bias      (torch's bias_ih)
    bh    (3H,)       recurrent bias  (torch's bias_hh)

Every convention computes the two gates the same way,

    r = sigmoid(x Wx_r + bx_r + h Wh_r + bh_r)      reset gate
    z = sigmoid(x Wx_z + bx_z + h Wh_z + bh_z)      update gate

and they differ in two places only: where r acts, and which term z weights.

| convention | candidate n (the chapter's h~_t)                  | new state h_t            | used by |
|------------|----------------------------------------------------|--------------------------|---------|
| "torch"    | tanh(x Wx_n + bx_n + r * (h Wh_n + bh_n))  r AFTER  | (1 - z) * n + z * h      | PyTorch, cuDNN, Keras reset_after=True (its default); Cho et al. arXiv v1 |
| "cho"      | tanh(x Wx_n + bx_n + (r * h) Wh_n + bh_n)  r BEFORE | z * h + (1 - z) * n      | Cho et al. 2014 (published), Keras reset_after=False |
| "chapter"  | same as "cho"                                       | (1 - z) * h + z * n      | the chapter's §4.2, Chung et al. 2014, Olah 2015 |

"cho" and "chapter" are the same model up to z <-> 1 - z (flip_update_gate converts
exactly); "torch" differs from both in where the reset gate acts, which is a
different function, not a relabelling. In "torch", b_hn (bh's n block) is multiplied
by r and so is not redundant with bx_n; every other bias pair only enters as a sum.

Forward pass only (lesson 02 derives BPTT for the LSTM; autograd does it for the GRU).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .fixtures import rng
from .i18n import _
from .lstm import sigmoid

GATES = ("r", "z", "n")
CONVENTIONS = ("torch", "cho", "chapter")


class GRUParams(NamedTuple):
    """Weights of one GRU layer in our layout: Wx (D, 3H), Wh (H, 3H), bx (3H,), bh (3H,); blocks r, z, n."""

    Wx: np.ndarray
    Wh: np.ndarray
    bx: np.ndarray
    bh: np.ndarray

    @property
    def input_size(self) -> int:
        return self.Wx.shape[0]

    @property
    def hidden_size(self) -> int:
        return self.Wh.shape[0]


def gate_slices(H: int) -> dict[str, slice]:
    """Column slices of the 3H axis for each block: {'r': slice(0, H), 'z': slice(H, 2H), 'n': slice(2H, 3H)}."""
    return {name: slice(k * H, (k + 1) * H) for k, name in enumerate(GATES)}


def gru_params(input_size: int, hidden_size: int, seed: int = 0, dtype=np.float64, scale: float | None = None) -> GRUParams:
    """Random GRU weights in our layout, uniform in [-scale, scale] (scale = 1/sqrt(H) by default, torch's init).

    Returns GRUParams(Wx (D, 3H), Wh (H, 3H), bx (3H,), bh (3H,)).
    """
    r = rng(seed)
    D, H = input_size, hidden_size
    s = 1.0 / np.sqrt(H) if scale is None else scale
    shapes = [(D, 3 * H), (H, 3 * H), (3 * H,), (3 * H,)]
    return GRUParams(*(r.uniform(-s, s, shape).astype(dtype) for shape in shapes))


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise ValueError(_("convention must be one of {conventions}, got {convention!r}").format(
            conventions=CONVENTIONS, convention=convention))


def gru_step_forward(x, h_prev, Wx, Wh, bx, bh, convention: str = "torch"):
    """One GRU step.

    Inputs:
        x       (B, D)    input at this step
        h_prev  (B, H)    previous hidden state
        Wx (D, 3H), Wh (H, 3H), bx (3H,), bh (3H,)   weights in our layout (blocks r, z, n)
        convention        "torch", "cho" or "chapter" (see the module docstring)
    Returns:
        h       (B, H)    next hidden state
        gates             (r, z, n), each (B, H): reset gate, update gate, candidate
    """
    _check_convention(convention)
    H = h_prev.shape[1]
    ax = x @ Wx + bx                                  # (B, 3H) input part of every block
    ah = h_prev @ Wh[:, :2 * H] + bh[:2 * H]          # (B, 2H) recurrent part of r and z
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:])
    if convention == "torch":
        n = np.tanh(ax[:, 2 * H:] + r * (h_prev @ Wh[:, 2 * H:] + bh[2 * H:]))
        h = (1 - z) * n + z * h_prev
    else:
        n = np.tanh(ax[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:] + bh[2 * H:])
        h = z * h_prev + (1 - z) * n if convention == "cho" else (1 - z) * h_prev + z * n
    return h, (r, z, n)


def gru_forward(X, h0, Wx, Wh, bx, bh, convention: str = "torch"):
    """Run a GRU over a whole sequence (batch-first).

    Inputs:
        X   (B, T, D)   inputs
        h0  (B, H)      initial hidden state
        Wx (D, 3H), Wh (H, 3H), bx (3H,), bh (3H,), convention as in gru_step_forward
    Returns:
        Hs  (B, T, H)   hidden state at every step
        hT  (B, H)      final hidden state
    """
    _check_convention(convention)
    B, T, D = X.shape
    H = h0.shape[1]
    AX = X @ Wx + bx                 # (B, T, 3H): the input projections of all steps in one matmul
    Hs = np.empty((B, T, H), dtype=np.result_type(X, h0, Wx))
    h = h0
    for t in range(T):
        if convention == "torch":
            ah = h @ Wh + bh         # one fused (H, 3H) product: r is applied after it
            r = sigmoid(AX[:, t, :H] + ah[:, :H])
            z = sigmoid(AX[:, t, H:2 * H] + ah[:, H:2 * H])
            n = np.tanh(AX[:, t, 2 * H:] + r * ah[:, 2 * H:])
            h = (1 - z) * n + z * h
        else:
            h, _ = gru_step_forward(X[:, t], h, Wx, Wh, bx, bh, convention)
        Hs[:, t] = h
    return Hs, (Hs[:, -1].copy() if T else h0.copy())


def flip_update_gate(params: GRUParams) -> GRUParams:
    """Negate the update gate's weights and biases, so that z becomes 1 - z (sigmoid(-a) = 1 - sigmoid(a)).

    Converts "cho" weights into "chapter" weights and back, exactly: the two conventions
    are one model written two ways. (It does not convert to or from "torch".)
    """
    Wx, Wh, bx, bh = (a.copy() for a in params)
    s = gate_slices(params.hidden_size)["z"]
    for a in (Wx, Wh):
        a[:, s] *= -1
    for a in (bx, bh):
        a[s] *= -1
    return GRUParams(Wx, Wh, bx, bh)


def gru_param_count(input_size: int, hidden_size: int, bias_vectors: int = 1) -> int:
    """Trainable numbers in one GRU layer: 3 blocks x (H*D + H*H + bias_vectors*H).

    bias_vectors: 0 for the chapter's bias-free equations, 1 for Keras reset_after=False,
    2 for torch and Keras reset_after=True (bias_ih and bias_hh).
    """
    D, H = input_size, hidden_size
    return 3 * (H * D + H * H + bias_vectors * H)
