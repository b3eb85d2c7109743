"""Reference single-head self-attention in numpy, with a causal mask; forward and backward.

Self-attention lets every position of one sequence look at the positions of the *same* sequence
(Vaswani et al. 2017, "Attention is all you need"). Batch-first shapes:

    X        (B, T, D)      the sequence: T positions of D features
    Wq, Wk   (D, dk)        query and key projections
    Wv       (D, dv)        value projection
    Q, K     (B, T, dk)     Q = X Wq, K = X Wk
    V        (B, T, dv)     V = X Wv
    scores   (B, T, T)      S[b, i, j] = Q[b, i] . K[b, j] / sqrt(dk): how well position i's query matches j's key
    mask     (T, T) bool    causal: mask[i, j] = (j <= i); True = position i may attend to position j
    weights  (B, T, T)      A[b, i, :] = softmax over j of S[b, i, j], restricted to the allowed j; rows sum to 1
    out      (B, T, dv)     out[b, i] = sum_j A[b, i, j] V[b, j]

Row i of the weights says where position i looks; column j says who looks at position j. The causal
mask makes position i see only positions 0..i (itself included): what a model that predicts the next
token may use. The mask is applied to the *scores*, before the softmax (masked scores become -inf, so
their exp is 0 and the remaining weights still sum to 1); each row's maximum over its allowed positions
is subtracted before exp, so scores of any size never overflow.

Equals torch.nn.functional.scaled_dot_product_attention(Q, K, V, is_causal=causal) (tests/test_self_attention.py).
Sinusoidal positional encodings (Vaswani et al. 2017, §3.5) are here too: attention by itself has no notion
of order (permuting the positions permutes its output), so order is added to the inputs.
"""
from __future__ import annotations

import math

import numpy as np

# Lesson 07's stable masked softmax (a fully masked row gives zeros), used here and re-exported.
from .attention import masked_softmax  # noqa: F401
from .i18n import _


def causal_mask(T: int) -> np.ndarray:
    """The causal mask: (T, T) bool with mask[i, j] = (j <= i), True = position i may attend to position j.

    The lower triangle *with* the diagonal: every position sees itself and the past, never the future.
    (torch.nn.functional.scaled_dot_product_attention uses the same convention for a boolean attn_mask;
    torch.nn.MultiheadAttention uses the opposite one, True = not allowed.)
    """
    return np.tril(np.ones((T, T), dtype=bool))


def qkv_projection(X, Wq, Wk, Wv):
    """Queries, keys and values of every position: Q = X Wq, K = X Wk, V = X Wv.

    Inputs: X (B, T, D), Wq (D, dk), Wk (D, dk), Wv (D, dv).
    Returns (Q (B, T, dk), K (B, T, dk), V (B, T, dv)).
    """
    return X @ Wq, X @ Wk, X @ Wv


def attention_scores(Q, K):
    """Scaled dot-product scores S[b, i, j] = Q[b, i] . K[b, j] / sqrt(dk).

    Inputs: Q (B, T, dk), K (B, T, dk). Returns S (B, T, T).
    """
    return Q @ np.swapaxes(K, -1, -2) / math.sqrt(Q.shape[-1])   # a Python float keeps float32 float32


def self_attention(X, Wq, Wk, Wv, causal: bool = True):
    """Single-head scaled dot-product self-attention.

    Inputs: X (B, T, D), Wq (D, dk), Wk (D, dk), Wv (D, dv); causal: apply the causal mask.
    Returns (out (B, T, dv), weights (B, T, T)).
    """
    out, weights, _ = self_attention_forward(X, Wq, Wk, Wv, causal)
    return out, weights


def self_attention_forward(X, Wq, Wk, Wv, causal: bool = True):
    """Self-attention keeping what the backward pass needs.

    Inputs: X (B, T, D), Wq (D, dk), Wk (D, dk), Wv (D, dv), causal (bool).
    Returns out (B, T, dv), weights (B, T, T), cache.
    """
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    T = X.shape[1]
    weights = masked_softmax(attention_scores(Q, K), causal_mask(T) if causal else None)
    out = weights @ V
    return out, weights, (X, Wq, Wk, Wv, Q, K, V, weights)


def self_attention_backward(dout, cache):
    """Backward pass of self_attention_forward.

    Inputs: dout (B, T, dv), the gradient of the loss w.r.t. out; cache from self_attention_forward.
    Returns (dX (B, T, D), dWq (D, dk), dWk (D, dk), dWv (D, dv)).

    With S the scaled scores and A the weights:  dV = A^T dout,  dA = dout V^T,
    dS = A * (dA - sum_j dA * A)  (masked positions have A = 0, so they get no gradient),
    dQ = dS K / sqrt(dk),  dK = dS^T Q / sqrt(dk).
    """
    X, Wq, Wk, Wv, Q, K, V, A = cache
    scale = 1.0 / math.sqrt(Q.shape[-1])
    dV = np.swapaxes(A, -1, -2) @ dout
    dA = dout @ np.swapaxes(V, -1, -2)
    dS = A * (dA - np.sum(dA * A, axis=-1, keepdims=True))
    dQ = scale * dS @ K
    dK = scale * np.swapaxes(dS, -1, -2) @ Q
    sum_b = lambda G: np.einsum("btd,bte->de", X, G)
    dX = dQ @ Wq.T + dK @ Wk.T + dV @ Wv.T
    return dX, sum_b(dQ), sum_b(dK), sum_b(dV)


def positional_encoding(T: int, d: int) -> np.ndarray:
    """Sinusoidal positional encodings of Vaswani et al. (2017, §3.5), float64 (T, d), d even.

    PE[pos, 2i] = sin(pos / 10000^(2i/d)),  PE[pos, 2i+1] = cos(pos / 10000^(2i/d)),  pos = 0..T-1.
    Columns come in (sin, cos) pairs of one frequency; wavelengths grow geometrically from 2*pi to
    10000 * 2*pi. PE[pos + k] is a fixed linear function (a rotation per pair) of PE[pos].
    """
    if d % 2:
        raise ValueError(_("d must be even, got {d}").format(d=d))
    pos = np.arange(T, dtype=np.float64)[:, None]
    freq = 1.0 / 10000.0 ** (np.arange(0, d, 2, dtype=np.float64) / d)    # (d/2,)
    pe = np.empty((T, d))
    pe[:, 0::2] = np.sin(pos * freq)
    pe[:, 1::2] = np.cos(pos * freq)
    return pe
