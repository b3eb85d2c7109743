"""Every weight converter of the course: our numpy layouts <-> torch, Keras and the chapter's notation.

One naming scheme for every cell (lstm, gru, rnn, stacked):

    <cell>_from_torch(module, ...)   read a torch module's weights into our layout (a copy)
    <cell>_to_torch(params, module)  copy our weights into a torch module, in place
    <cell>_as_torch(params, ...)     a fresh torch module holding our weights (float64 by default)
    <cell>_from_keras / _to_keras    the same for a built Keras layer
    <cell>_to_chapter / _from_chapter  the chapter's per-gate W_k acting on [h_{t-1}, x_t]
    torch_packed_forward             run a torch LSTM on a padded numpy batch the way PyTorch intends

LSTM: our layout (see lstmlab.lstm): Wx (D, 4H), Wh (H, 4H), b (4H,), gate blocks i, f, g, o.

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

from typing import Sequence

import numpy as np

from . import gru as _gru
from .i18n import _
from .gru import GRUParams
from .lstm import GATES, LSTMParams, gate_slices
from .rnn import RNNParams

# The chapter names the candidate "C" (C~_t); everything else uses our gate letters.
CHAPTER_GATE_NAMES = {"i": "i", "f": "f", "g": "C", "o": "o"}


def _np(t) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


def lstm_from_torch(lstm, layer: int = 0, reverse: bool = False, dtype=None) -> LSTMParams:
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


def lstm_to_torch(params: LSTMParams, lstm, layer: int = 0, reverse: bool = False) -> None:
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
                raise ValueError(_("{name}: torch expects shape {expected}, got {shape}").format(
                    name=name + sfx, expected=tuple(target.shape), shape=value.shape))
            target.copy_(torch.as_tensor(np.ascontiguousarray(value), dtype=target.dtype))


def lstm_as_torch(params: LSTMParams, dtype=None):
    """A fresh single-layer batch-first torch.nn.LSTM holding `params` (dtype: float64 by default)."""
    import torch

    dtype = dtype or torch.float64
    lstm = torch.nn.LSTM(params.input_size, params.hidden_size, batch_first=True).to(dtype)
    lstm_to_torch(params, lstm)
    return lstm


def lstm_from_keras(layer) -> LSTMParams:
    """Read a built keras.layers.LSTM into our layout (Keras already uses (D, 4H) and i,f,c,o)."""
    weights = layer.get_weights()
    if len(weights) == 2:  # use_bias=False
        weights.append(np.zeros(weights[0].shape[1], dtype=weights[0].dtype))
    kernel, recurrent, bias = (np.asarray(w).copy() for w in weights)
    return LSTMParams(kernel, recurrent, bias)


def lstm_to_keras(params: LSTMParams, layer) -> None:
    """Copy our weights into a built keras.layers.LSTM (with bias) in place."""
    layer.set_weights([np.asarray(params.Wx), np.asarray(params.Wh), np.asarray(params.b)])


def lstm_to_chapter(params: LSTMParams) -> dict[str, np.ndarray]:
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


def lstm_from_chapter(weights: dict[str, np.ndarray]) -> LSTMParams:
    """Inverse of lstm_to_chapter: per-gate W_k (H, H+D) on [h, x] and b_k (H,) -> our layout."""
    H = weights["b_f"].shape[0]
    blocks = [weights[f"W_{CHAPTER_GATE_NAMES[g]}"] for g in GATES]
    for g, W in zip(GATES, blocks):
        if W.ndim != 2 or W.shape[0] != H or W.shape[1] <= H:
            raise ValueError(_("{name} must be (H, H+D) with H={H}, got {shape}").format(
                name=f"W_{CHAPTER_GATE_NAMES[g]}", H=H, shape=W.shape))
    W = np.concatenate(blocks, axis=0).T  # (H+D, 4H), rows: h then x
    b = np.concatenate([weights[f"b_{CHAPTER_GATE_NAMES[g]}"] for g in GATES])
    return LSTMParams(np.ascontiguousarray(W[H:]), np.ascontiguousarray(W[:H]), b)


# --- GRU (lstmlab.gru layout) ----------------------------------------------------------------

def gru_from_torch(gru, layer: int = 0, reverse: bool = False, dtype=None) -> GRUParams:
    """Read one layer (and direction) of a torch.nn.GRU into our layout (a copy).

    gru: torch.nn.GRU with input_size D, hidden_size H. torch stores weight_ih (3H, D),
    weight_hh (3H, H), bias_ih (3H,), bias_hh (3H,), blocks r, z, n: ours transposed.
    Returns GRUParams(Wx (D, 3H), Wh (H, 3H), bx (3H,), bh (3H,)); zero biases if bias=False.
    """
    sfx = f"_l{layer}" + ("_reverse" if reverse else "")
    Wx = np.ascontiguousarray(_np(getattr(gru, "weight_ih" + sfx)).T)
    Wh = np.ascontiguousarray(_np(getattr(gru, "weight_hh" + sfx)).T)
    if getattr(gru, "bias", True):
        bx, bh = _np(getattr(gru, "bias_ih" + sfx)), _np(getattr(gru, "bias_hh" + sfx))
    else:
        bx = bh = np.zeros(Wx.shape[1], dtype=Wx.dtype)
    p = GRUParams(Wx, Wh, bx, bh)
    return p if dtype is None else GRUParams(*(a.astype(dtype) for a in p))

def gru_to_torch(params: GRUParams, gru, layer: int = 0, reverse: bool = False) -> None:
    """Copy our weights into one layer (and direction) of a torch.nn.GRU (with bias), in place; dtype kept."""
    import torch

    sfx = f"_l{layer}" + ("_reverse" if reverse else "")
    Wx, Wh, bx, bh = params
    with torch.no_grad():
        for name, value in (("weight_ih", Wx.T), ("weight_hh", Wh.T), ("bias_ih", bx), ("bias_hh", bh)):
            target = getattr(gru, name + sfx)
            if target.shape != value.shape:
                raise ValueError(_("{name}: torch expects shape {expected}, got {shape}").format(
                    name=name + sfx, expected=tuple(target.shape), shape=value.shape))
            target.copy_(torch.as_tensor(np.ascontiguousarray(value), dtype=target.dtype))

def gru_as_torch(params: GRUParams, dtype=None):
    """A fresh single-layer batch-first torch.nn.GRU holding `params` (dtype: float64 by default)."""
    import torch

    gru = torch.nn.GRU(params.input_size, params.hidden_size, batch_first=True).to(dtype or torch.float64)
    gru_to_torch(params, gru)
    return gru


_KERAS_ORDER = [1, 0, 2]  # Keras stores blocks z, r, h; ours are r, z, n (h is Keras's name for n)

def _reorder(a: np.ndarray, H: int) -> np.ndarray:
    """Permute the 3H blocks on the last axis between Keras's z, r, h and our r, z, n (its own inverse)."""
    return np.concatenate([a[..., k * H:(k + 1) * H] for k in _KERAS_ORDER], axis=-1)

def gru_from_keras(layer) -> GRUParams:
    """Read a built keras.layers.GRU into our layout.

    Keras: kernel (D, 3H), recurrent_kernel (H, 3H), blocks z, r, h; bias (2, 3H) when
    reset_after=True (input and recurrent bias, convention "torch"), (3H,) when
    reset_after=False (convention "cho": we return it as bx, with bh = 0).
    """
    weights = [np.asarray(w).copy() for w in layer.get_weights()]
    kernel, recurrent = weights[0], weights[1]
    H = recurrent.shape[0]
    zeros = np.zeros(3 * H, dtype=kernel.dtype)
    if len(weights) == 2:
        bx, bh = zeros, zeros.copy()
    elif weights[2].ndim == 2:
        bx, bh = weights[2][0], weights[2][1]
    else:
        bx, bh = weights[2], zeros
    return GRUParams(*(_reorder(a, H) for a in (kernel, recurrent, bx, bh)))

def gru_to_keras(params: GRUParams, layer) -> None:
    """Copy our weights into a built keras.layers.GRU with bias, in place.

    reset_after=True takes both biases; reset_after=False has one bias, so bx + bh goes there
    (exact for the "cho" convention, where every bias enters as a sum).
    """
    H = params.hidden_size
    Wx, Wh, bx, bh = (_reorder(np.asarray(a), H) for a in params)
    bias = np.stack([bx, bh]) if getattr(layer, "reset_after", True) else bx + bh
    layer.set_weights([Wx, Wh, bias])

def gru_to_chapter(params: GRUParams) -> dict[str, np.ndarray]:
    """Our weights in the chapter's §4.2 notation (valid for the "chapter" and "cho" conventions).

    Returns {'W_z', 'W_r', 'W': (H, H+D), 'b_z', 'b_r', 'b': (H,)} where each W acts on the
    concatenation [h_{t-1}, x_t] (h first, as the chapter writes it; for the candidate the
    h part multiplies r_t * h_{t-1}) and each b is bx + bh of its block (the chapter omits biases).
    """
    Wx, Wh, bx, bh = params
    out = {}
    for gate, name in (("z", "z"), ("r", "r"), ("n", "")):
        s = _gru.gate_slices(params.hidden_size)[gate]
        key = f"_{name}" if name else ""
        out["W" + key] = np.concatenate([Wh[:, s], Wx[:, s]], axis=0).T.copy()
        out["b" + key] = (bx[s] + bh[s]).copy()
    return out


# --- vanilla RNN (lstmlab.rnn) ---------------------------------------------------------------

def rnn_from_torch(rnn, dtype=None) -> RNNParams:
    """Read layer 0 of a torch.nn.RNN (tanh) into our layout: Wx = weight_ih.T, Wh = weight_hh.T, b = sum of biases."""
    get = lambda name: getattr(rnn, name).detach().cpu().numpy().copy()
    Wx, Wh = get("weight_ih_l0").T, get("weight_hh_l0").T
    b = get("bias_ih_l0") + get("bias_hh_l0") if rnn.bias else np.zeros(Wh.shape[0], dtype=Wh.dtype)
    p = RNNParams(np.ascontiguousarray(Wx), np.ascontiguousarray(Wh), b)
    return p if dtype is None else RNNParams(*(a.astype(dtype) for a in p))
def rnn_to_torch(params: RNNParams, rnn) -> None:
    """Copy our RNN weights into layer 0 of a torch.nn.RNN in place (bias_ih = b, bias_hh = 0)."""
    import torch

    Wx, Wh, b = params
    with torch.no_grad():
        for name, value in (("weight_ih_l0", Wx.T), ("weight_hh_l0", Wh.T), ("bias_ih_l0", b), ("bias_hh_l0", np.zeros_like(b))):
            target = getattr(rnn, name)
            if target.shape != value.shape:
                raise ValueError(_("{name}: torch expects shape {expected}, got {shape}").format(
                    name=name, expected=tuple(target.shape), shape=value.shape))
            target.copy_(torch.as_tensor(np.ascontiguousarray(value), dtype=target.dtype))


# --- stacked and bidirectional LSTM (lstmlab.stacked) ----------------------------------------

def stacked_from_torch(lstm, dtype=None) -> list:
    """Every layer of a torch.nn.LSTM in our layout: a list of LSTMParams, or of (fwd, bwd) pairs
    when lstm.bidirectional. Biases are summed (bias_ih + bias_hh); dtype converts if given."""
    out = []
    for layer in range(lstm.num_layers):
        fwd = lstm_from_torch(lstm, layer=layer, dtype=dtype)
        out.append((fwd, lstm_from_torch(lstm, layer=layer, reverse=True, dtype=dtype)) if lstm.bidirectional else fwd)
    return out
def stacked_as_torch(layers: Sequence, bidirectional: bool, dtype=None, dropout: float = 0.0):
    """A fresh batch-first torch.nn.LSTM holding `layers` (see the module docstring); float64 by default."""
    import torch

    first = layers[0][0] if bidirectional else layers[0]
    lstm = torch.nn.LSTM(first.input_size, first.hidden_size, num_layers=len(layers), batch_first=True,
                         bidirectional=bidirectional, dropout=dropout).to(dtype or torch.float64)
    for k, params in enumerate(layers):
        if bidirectional:
            lstm_to_torch(params[0], lstm, layer=k)
            lstm_to_torch(params[1], lstm, layer=k, reverse=True)
        else:
            lstm_to_torch(params, lstm, layer=k)
    return lstm
def torch_packed_forward(lstm, X, lengths, h0=None, c0=None):
    """Run a batch-first torch.nn.LSTM on a padded batch the way PyTorch intends: pack, run, unpack.

    Inputs: X (B, T, D) numpy, lengths (B,) ints in [1, T] (any order), h0, c0 (L * dirs, B, H) or None.
    Returns numpy out (B, T, dirs * H) (zeros at padding, total_length T), h_n, c_n (L * dirs, B, H),
    in the module's dtype. Runs under no_grad; the module's train/eval mode is left as it is.
    """
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    dt = next(lstm.parameters()).dtype
    X = torch.as_tensor(np.asarray(X), dtype=dt)
    packed = pack_padded_sequence(X, torch.as_tensor(np.asarray(lengths), dtype=torch.int64).cpu(),
                                  batch_first=True, enforce_sorted=False)
    state = None if h0 is None else (torch.as_tensor(np.asarray(h0), dtype=dt), torch.as_tensor(np.asarray(c0), dtype=dt))
    with torch.no_grad():
        out, (h_n, c_n) = lstm(packed, state)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=X.shape[1])
    return out.numpy(), h_n.numpy(), c_n.numpy()
