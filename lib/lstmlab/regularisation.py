"""Recurrent regularisation in numpy: variational (locked) dropout, zoneout, layer normalisation.

Batch-first shapes throughout, as in lstmlab.lstm (gate order i, f, g, o):

    x       (B, T, D)   a batch of sequences (locked_dropout)
    x_t     (B, D)      input at one step
    h, c    (B, H)      hidden and cell state
    Wx (D, 4H), Wh (H, 4H), b (4H,)   LSTM weights in our layout

locked_dropout   Gal & Ghahramani (2016): ONE dropout mask per sequence, (B, 1, D), reused at every step,
                 with inverted scaling 1/(1-p) while training; the identity at test time.
zoneout          Krueger et al. (2017): while training each unit keeps its PREVIOUS value with probability p
                 (a zoned unit is not updated this step); at test time the expectation p*prev + (1-p)*new.
zoneout_lstm_step  one LSTM step with zoneout on h and on c, with independent masks (the paper's choice,
                 zoneout_h and zoneout_c are separate rates: e.g. 0.05 and 0.5).
layer_norm       Ba, Kiros & Hinton (2016): normalise each row over its FEATURES (last axis) with the biased
                 variance, eps inside the square root (torch.nn.LayerNorm's convention), then gain and bias.
ln_lstm_step     the layer-normalised LSTM step of Ba et al. (2016, eq. 20-22): LN of x@Wx and of h@Wh
                 separately (each with its own gain and bias) plus b; LN of c_t before the output tanh; the
                 state c_t itself is stored un-normalised.

Forward functions only, except layer_norm, which has its backward (CS231n style, with a cache) for the
gradient check in tests/test_regularisation.py.
"""
from __future__ import annotations

import numpy as np

from .lstm import sigmoid


def locked_dropout(x, p, rng, training=True):
    """Variational dropout: one mask per sequence and feature, shared by every time step.

    Inputs:
        x         (B, T, D)  a batch of sequences (not changed)
        p         float in [0, 1): probability of DROPPING a unit
        rng       numpy Generator the mask is drawn from (rng.random((B, 1, D)))
        training  False: return x unchanged (inverted dropout needs no scaling at test time)
    Returns:
        out       (B, T, D)  x * mask / (1 - p), mask (B, 1, D) of 0/1 broadcast over T
    """
    if not training or p == 0:
        return x.copy()
    B, T, D = x.shape
    keep = rng.random((B, 1, D)) >= p              # (B, 1, D): the same units dropped at every step
    return x * keep / (1.0 - p)


def zoneout(prev, new, p, rng, training=True):
    """Zoneout of one state tensor.

    Inputs:
        prev, new   (B, H)  the state before and after this step's update
        p           float in [0, 1]: probability that a unit KEEPS its previous value
        rng         numpy Generator (rng.random((B, H)))
        training    False: the expectation p * prev + (1 - p) * new
    Returns:
        out         (B, H)  training: prev where the mask is 1, new elsewhere (no rescaling)
    """
    if not training:
        return p * prev + (1.0 - p) * new
    keep_prev = rng.random(prev.shape) < p
    return np.where(keep_prev, prev, new)


def zoneout_lstm_step(x, h_prev, c_prev, Wx, Wh, b, zoneout_h, zoneout_c, rng, training=True):
    """One LSTM step with zoneout on h and c (Krueger et al. 2017, eq. 9-10), independent masks.

    Inputs:
        x (B, D), h_prev (B, H), c_prev (B, H); Wx (D, 4H), Wh (H, 4H), b (4H,) in lstmlab.lstm's layout
        zoneout_h, zoneout_c   probabilities that a unit of h / of c keeps its previous value
        rng                    numpy Generator; the c mask is drawn first, then the h mask
        training               False: both states are the expectations z*prev + (1-z)*new
    Returns:
        h (B, H), c (B, H)
    The new hidden state uses the un-zoned new cell: h_new = o * tanh(f * c_prev + i * g), as in the paper.
    """
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c_new = f * c_prev + i * g
    h_new = o * np.tanh(c_new)
    c = zoneout(c_prev, c_new, zoneout_c, rng, training)
    h = zoneout(h_prev, h_new, zoneout_h, rng, training)
    return h, c


def layer_norm_forward(x, gain, bias, eps=1e-5):
    """Layer normalisation over the last axis.

    Inputs:
        x      (N, F)  rows to normalise (any leading shape works)
        gain   (F,)    per-feature gain (gamma), bias (F,) per-feature bias (beta)
        eps    added to the variance INSIDE the square root (torch.nn.LayerNorm)
    Returns:
        out    (N, F)  gain * (x - mean) / sqrt(var + eps) + bias, mean and biased var over F per row
        cache  (xhat (N, F), inv_std (N, 1), gain (F,))
    """
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)            # biased (ddof=0), as in the paper and torch
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gain * xhat + bias, (xhat, inv_std, gain)


def layer_norm_backward(dout, cache):
    """Backward of layer_norm_forward.

    Inputs:  dout (N, F); cache from layer_norm_forward.
    Returns: dx (N, F), dgain (F,), dbias (F,)
    """
    xhat, inv_std, gain = cache
    F = xhat.shape[-1]
    dxhat = dout * gain
    dx = inv_std / F * (F * dxhat - dxhat.sum(axis=-1, keepdims=True)
                        - xhat * (dxhat * xhat).sum(axis=-1, keepdims=True))
    lead = tuple(range(dout.ndim - 1))
    return dx, (dout * xhat).sum(axis=lead), dout.sum(axis=lead)


def ln_lstm_step(x, h_prev, c_prev, Wx, Wh, b, gx, bx, gh, bh, gc, bc, eps=1e-5):
    """One layer-normalised LSTM step (Ba et al. 2016), gate order i, f, g, o.

    Inputs:
        x (B, D), h_prev (B, H), c_prev (B, H); Wx (D, 4H), Wh (H, 4H), b (4H,)
        gx, bx (4H,)   gain and bias of the LN of x @ Wx (over all 4H features of a row)
        gh, bh (4H,)   gain and bias of the LN of h_prev @ Wh
        gc, bc (H,)    gain and bias of the LN of c_t
        eps            inside the square root, as torch.nn.LayerNorm
    Returns:
        h (B, H), c (B, H)     with  a = LN(x Wx) + LN(h Wh) + b,  c = f*c_prev + i*g,  h = o * tanh(LN(c))
    """
    H = h_prev.shape[1]
    a = layer_norm_forward(x @ Wx, gx, bx, eps)[0] + layer_norm_forward(h_prev @ Wh, gh, bh, eps)[0] + b
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(layer_norm_forward(c, gc, bc, eps)[0])
    return h, c
