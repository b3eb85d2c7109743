"""Deep (stacked), bidirectional and masked LSTM forward passes in numpy, in torch.nn.LSTM's conventions.

Batch-first throughout. A stack of L layers, D inputs, H hidden units per direction:

    X        (B, T, D)        inputs; positions t >= lengths[b] are padding (any values)
    lengths  (B,) ints        valid steps of each sequence, 1 <= lengths[b] <= T (None: all T)
    layers   list of L entries, one per layer:
               unidirectional  LSTMParams(Wx, Wh, b)             (lstmlab.lstm's layout)
               bidirectional   (fwd, bwd), two LSTMParams
             layer 0's Wx is (D, 4H); layer l > 0 reads the previous layer's outputs, so its
             Wx is (H, 4H), or (2H, 4H) when bidirectional
    h0, c0   (L * dirs, B, H) initial states, dirs = 2 if bidirectional else 1
    out      (B, T, dirs * H) the last layer's outputs; zero at padded positions
    h_n, c_n (L * dirs, B, H) final states

PyTorch's order, which every function here follows:
    - out[..., :H] is the forward direction, out[..., H:] the backward one, both indexed by
      input position t (the backward direction is reversed back after it ran);
    - h_n[2l + d] is layer l, direction d (0 forward, 1 backward): l0-fwd, l0-bwd, l1-fwd, ...;
    - the forward direction's final state is taken at each sequence's own last valid step
      t = lengths[b] - 1; the backward direction starts there and ends at t = 0, so its final
      state is its state after reading x_0;
    - dropout (inverted, probability p) acts on the outputs of every layer but the last,
      only in training.

These are what torch.nn.LSTM(num_layers=L, bidirectional=...) returns for a batch packed with
pack_padded_sequence(..., enforce_sorted=False) and unpacked with pad_packed_sequence(total_length=T).
This module is numpy only; the torch side lives in lstmlab.bridge: stacked_from_torch(lstm) reads a
torch.nn.LSTM's weights as `layers`, stacked_as_torch(layers, bidirectional) builds one holding them,
and torch_packed_forward runs it on a padded batch exactly as above, for tests and demos.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .i18n import _
from .lstm import LSTMParams, lstm_step_forward


def length_mask(lengths, T: int) -> np.ndarray:
    """Boolean mask (B, T): True at valid positions t < lengths[b]."""
    return np.arange(T)[None, :] < np.asarray(lengths)[:, None]


def reverse_padded(X, lengths):
    """Reverse each sequence within its own length; padding stays where it is.

    X: (B, T, ...) any trailing shape; lengths: (B,) ints in [0, T].
    Returns a new array Y with Y[b, t] = X[b, lengths[b] - 1 - t] for t < lengths[b] and
    Y[b, t] = X[b, t] otherwise. Applying it twice gives X back.
    """
    X = np.asarray(X)
    B, T = X.shape[:2]
    t = np.arange(T)[None, :]
    L = np.asarray(lengths)[:, None]
    src = np.where(t < L, L - 1 - t, t)          # (B, T) source index of every position
    return X[np.arange(B)[:, None], src]


def masked_lstm_forward(X, lengths, h0, c0, Wx, Wh, b):
    """One LSTM direction over a padded batch: steps past a sequence's end change nothing.

    Inputs:
        X (B, T, D), lengths (B,) ints or None, h0 (B, H), c0 (B, H), Wx (D, 4H), Wh (H, 4H), b (4H,)
    Returns:
        Hs (B, T, H)   h_t at valid positions, 0 at padded ones
        (hT, cT)       each (B, H): the state after step lengths[b] - 1 of each sequence
    """
    X = np.asarray(X)
    B, T, _ = X.shape
    valid = length_mask(np.full(B, T) if lengths is None else lengths, T)
    dtype = np.result_type(X, h0, Wx)
    Hs = np.zeros((B, T, h0.shape[1]), dtype=dtype)
    h, c = h0.astype(dtype), c0.astype(dtype)
    for t in range(T):
        h_new, c_new, _ = lstm_step_forward(X[:, t], h, c, Wx, Wh, b)
        keep = valid[:, t:t + 1]
        h, c = np.where(keep, h_new, h), np.where(keep, c_new, c)   # frozen after the end
        Hs[:, t] = np.where(keep, h_new, 0)
    return Hs, (h, c)


def bidirectional_forward(X, lengths, h0, c0, fwd: LSTMParams, bwd: LSTMParams):
    """One bidirectional layer over a padded batch.

    Inputs:
        X (B, T, D), lengths (B,) or None, h0 (2, B, H), c0 (2, B, H) ([0] forward, [1] backward),
        fwd, bwd: LSTMParams of each direction
    Returns:
        out (B, T, 2H)  [forward | backward] features at each input position, 0 at padding
        (h_n, c_n)      each (2, B, H): [forward final, backward final]
    """
    X = np.asarray(X)
    lengths = np.full(X.shape[0], X.shape[1]) if lengths is None else np.asarray(lengths)
    Hf, (hf, cf) = masked_lstm_forward(X, lengths, h0[0], c0[0], *fwd)
    Hb_rev, (hb, cb) = masked_lstm_forward(reverse_padded(X, lengths), lengths, h0[1], c0[1], *bwd)
    Hb = reverse_padded(Hb_rev, lengths)          # back to input order (padding stays 0)
    return np.concatenate([Hf, Hb], axis=2), (np.stack([hf, hb]), np.stack([cf, cb]))


def dropout_forward(Y, p: float, training: bool, rng: np.random.Generator | None = None):
    """Inverted dropout, as torch applies between LSTM layers.

    Inputs:
        Y         any shape
        p         probability of zeroing each element, 0 <= p < 1
        training  False: return Y unchanged (evaluation needs no rescaling)
        rng       numpy Generator the mask is drawn from (seeded: same seed, same mask)
    Returns:
        out       Y * mask / (1 - p) in training, Y in evaluation; same shape and dtype
        mask      (same shape) boolean keep-mask, or None in evaluation or when p == 0
    """
    Y = np.asarray(Y)
    if not training or p == 0:
        return Y.copy(), None
    if not 0 <= p < 1:
        raise ValueError(_("dropout probability must be in [0, 1), got {p}").format(p=p))
    rng = np.random.default_rng() if rng is None else rng
    mask = rng.random(Y.shape) >= p
    return (Y * mask / (1 - p)).astype(Y.dtype, copy=False), mask


def dropout_backward(dout, mask, p: float):
    """Gradient of dropout_forward: dout (any shape), its mask (or None) and p -> dY, same shape."""
    return np.array(dout, copy=True) if mask is None else dout * mask / (1 - p)


def stacked_lstm_forward(X, h0, c0, layers: Sequence, lengths=None, bidirectional: bool = False,
                         dropout: float = 0.0, training: bool = False, rng: np.random.Generator | None = None):
    """A deep, optionally bidirectional, optionally masked LSTM: torch.nn.LSTM's forward in numpy.

    Inputs:
        X (B, T, D); h0, c0 (L * dirs, B, H); layers: L entries (see the module docstring);
        lengths (B,) or None; dropout p between layers (training only); rng for its masks
    Returns:
        out (B, T, dirs * H)   last layer's outputs, 0 at padded positions
        (h_n, c_n)             each (L * dirs, B, H), ordered l0-fwd, l0-bwd, l1-fwd, ...
    """
    X = np.asarray(X)
    B, T, _ = X.shape
    lengths = np.full(B, T) if lengths is None else np.asarray(lengths)
    dirs = 2 if bidirectional else 1
    inp, hs, cs = X, [], []
    for layer, params in enumerate(layers):
        k = dirs * layer
        if bidirectional:
            inp, (h_n, c_n) = bidirectional_forward(inp, lengths, h0[k:k + 2], c0[k:k + 2], *params)
            hs += list(h_n)
            cs += list(c_n)
        else:
            inp, (h, c) = masked_lstm_forward(inp, lengths, h0[k], c0[k], *params)
            hs.append(h)
            cs.append(c)
        if layer < len(layers) - 1:
            inp, _ = dropout_forward(inp, dropout, training, rng)
    return inp, (np.stack(hs), np.stack(cs))
