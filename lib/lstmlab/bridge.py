"""Move LSTM weights between our layout, torch.nn.LSTM, Keras, and the chapter's notation.

Our layout (see lstmlab.lstm): Wx (D, 4H), Wh (H, 4H), b (4H,), gate blocks i, f, g, o.

| where        | input weights          | recurrent weights          | bias                        | gate order |
|--------------|------------------------|----------------------------|-----------------------------|------------|
| ours         | Wx (D, 4H)             | Wh (H, 4H)                 | b (4H,)                     | i f g o    |
| torch        | weight_ih_l{k} (4H, D) | weight_hh_l{k} (4H, H)     | bias_ih + bias_hh (4H,) x 2 | i f g o    |
| Keras 3      | kernel (D, 4H)         | recurrent_kernel (H, 4H)   | bias (4H,)                  | i f c o    |
| the chapter  | W_f (H, H+D) on [h_{t-1}, x_t], one per gate, with b_f (H,)     | f i C o    |

Keras's "c" is our candidate g. torch adds two bias vectors; only their sum matters,
so converting to torch puts the whole bias in bias_ih and zeros in bias_hh.
"""
from __future__ import annotations

import numpy as np

from .lstm import GATES, LSTMParams, gate_slices

# The chapter names the candidate "C" (C~_t); everything else uses our gate letters.
CHAPTER_GATE_NAMES = {"i": "i", "f": "f", "g": "C", "o": "o"}


def _np(t) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


def from_torch(lstm, layer: int = 0, reverse: bool = False, dtype=None) -> LSTMParams:
    """Read one layer (and direction) of a torch.nn.LSTM into our layout.

    lstm: torch.nn.LSTM with input_size D, hidden_size H (proj_size 0).
    Returns LSTMParams(Wx (D, 4H), Wh (H, 4H), b (4H,)) as numpy arrays (a copy).
    """
    sfx = f"_l{layer}" + ("_reverse" if reverse else "")
    Wx = _np(getattr(lstm, "weight_ih" + sfx)).T
    Wh = _np(getattr(lstm, "weight_hh" + sfx)).T
    if getattr(lstm, "bias", True):
        b = _np(getattr(lstm, "bias_ih" + sfx)) + _np(getattr(lstm, "bias_hh" + sfx))
    else:
        b = np.zeros(Wx.shape[1], dtype=Wx.dtype)
    p = LSTMParams(np.ascontiguousarray(Wx), np.ascontiguousarray(Wh), b)
    return p if dtype is None else LSTMParams(*(a.astype(dtype) for a in p))


def to_torch(params: LSTMParams, lstm, layer: int = 0, reverse: bool = False) -> None:
    """Copy our weights into one layer (and direction) of a torch.nn.LSTM, in place.

    The module's dtype is kept; bias_ih gets b and bias_hh gets zeros.
    """
    import torch

    sfx = f"_l{layer}" + ("_reverse" if reverse else "")
    Wx, Wh, b = params
    with torch.no_grad():
        for name, value in (("weight_ih", Wx.T), ("weight_hh", Wh.T), ("bias_ih", b), ("bias_hh", np.zeros_like(b))):
            target = getattr(lstm, name + sfx)
            if target.shape != value.shape:
                raise ValueError(f"{name}{sfx}: torch expects shape {tuple(target.shape)}, got {value.shape}")
            target.copy_(torch.as_tensor(np.ascontiguousarray(value), dtype=target.dtype))


def torch_lstm_from(params: LSTMParams, dtype=None):
    """A fresh single-layer batch-first torch.nn.LSTM holding `params` (dtype: float64 by default)."""
    import torch

    dtype = dtype or torch.float64
    lstm = torch.nn.LSTM(params.input_size, params.hidden_size, batch_first=True).to(dtype)
    to_torch(params, lstm)
    return lstm


def from_keras(layer) -> LSTMParams:
    """Read a built keras.layers.LSTM into our layout (Keras already uses (D, 4H) and i,f,c,o)."""
    weights = layer.get_weights()
    if len(weights) == 2:  # use_bias=False
        weights.append(np.zeros(weights[0].shape[1], dtype=weights[0].dtype))
    kernel, recurrent, bias = (np.asarray(w).copy() for w in weights)
    return LSTMParams(kernel, recurrent, bias)


def to_keras(params: LSTMParams, layer) -> None:
    """Copy our weights into a built keras.layers.LSTM (with bias) in place."""
    layer.set_weights([np.asarray(params.Wx), np.asarray(params.Wh), np.asarray(params.b)])


def to_chapter(params: LSTMParams) -> dict[str, np.ndarray]:
    """Split our weights into the chapter's per-gate form.

    Returns {'W_f': (H, H+D), 'b_f': (H,), 'W_i', 'b_i', 'W_C', 'b_C', 'W_o', 'b_o'} where
    W_k acts on the concatenation [h_{t-1}, x_t] (h first, as the chapter writes it).
    """
    Wx, Wh, b = params
    out = {}
    for gate, sl in gate_slices(params.hidden_size).items():
        name = CHAPTER_GATE_NAMES[gate]
        out[f"W_{name}"] = np.concatenate([Wh[:, sl], Wx[:, sl]], axis=0).T.copy()
        out[f"b_{name}"] = b[sl].copy()
    return out


def from_chapter(weights: dict[str, np.ndarray]) -> LSTMParams:
    """Inverse of to_chapter: per-gate W_k (H, H+D) on [h, x] and b_k (H,) -> our layout."""
    H = weights["b_f"].shape[0]
    blocks = [weights[f"W_{CHAPTER_GATE_NAMES[g]}"] for g in GATES]
    for g, W in zip(GATES, blocks):
        if W.ndim != 2 or W.shape[0] != H or W.shape[1] <= H:
            raise ValueError(f"W_{CHAPTER_GATE_NAMES[g]} must be (H, H+D) with H={H}, got {W.shape}")
    W = np.concatenate(blocks, axis=0).T  # (H+D, 4H), rows: h then x
    b = np.concatenate([weights[f"b_{CHAPTER_GATE_NAMES[g]}"] for g in GATES])
    return LSTMParams(np.ascontiguousarray(W[H:]), np.ascontiguousarray(W[:H]), b)
