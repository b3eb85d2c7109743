"""Reference attention in numpy: scores, a stable masked softmax, the context vector; forward and backward.

One query per sequence, batch-first, the shape a decoder step of an encoder-decoder sees:

    q       (B, Dq)       the query: the decoder state s_{t-1} (Bahdanau) or s_t (Luong)
    K       (B, T, Dk)    the keys: one vector per input position (the encoder states h_1..h_T)
    V       (B, T, Dv)    the values: what gets averaged (often V = K)
    mask    (B, T) bool   True = a real position to attend to, False = padding; None = all real

    scores  e[b, t]   = score(q[b], K[b, t])                    (B, T)
    weights a[b, :]   = masked_softmax(e[b, :], mask[b, :])     (B, T), rows sum to 1
    context c[b]      = sum_t a[b, t] V[b, t]                   (B, Dv)

Attention is a learned, input-dependent weighted average of the values. Score functions:

    additive (Bahdanau, Cho & Bengio 2015)   e = v . tanh(q Wq + k Wk)       Wq (Dq, A), Wk (Dk, A), v (A,)
    dot (Luong, Pham & Manning 2015)         e = q . k                       needs Dq == Dk
    scaled dot (Vaswani et al. 2017)         e = q . k / sqrt(D)             D = Dq = Dk

Why 1/sqrt(D): if the components of q and k are independent with mean 0 and variance 1, q . k is a sum
of D products of variance 1, so it has variance D. Unscaled scores grow like sqrt(D), the softmax
saturates to a one-hot vector and its gradients vanish; dividing by sqrt(D) keeps the variance at 1.

Masked softmax, defined here for every input:
    - masked positions get weight exactly 0;
    - the maximum over the *kept* positions is subtracted before exp, so scores of any size
      (1e4, or huge values sitting in padding) never overflow;
    - a row whose positions are all masked gets all-zero weights (and so a zero context vector),
      never NaN. This is what torch.nn.functional.scaled_dot_product_attention returns for such a
      row since torch 2.5 (pytorch/pytorch PR 133882); torch.softmax over scores filled with -inf
      returns NaN there instead.

Functions come as plain forward functions (the lesson's exercises) and forward/backward pairs with a
cache in the style of CS231n (attention_forward / attention_backward).
"""
from __future__ import annotations

import numpy as np

from .i18n import _

SCORES = ("additive", "dot", "scaled_dot")


# --- scores --------------------------------------------------------------------------------------

def additive_scores(q, K, Wq, Wk, v):
    """Bahdanau's additive (concat, "MLP") scores e[b, t] = v . tanh(q[b] Wq + K[b, t] Wk).

    Inputs:
        q   (B, Dq)       queries
        K   (B, T, Dk)    keys
        Wq  (Dq, A)       query projection
        Wk  (Dk, A)       key projection
        v   (A,)          scoring vector
    Returns:
        scores (B, T)
    """
    return np.tanh((q @ Wq)[:, None, :] + K @ Wk) @ v


def dot_scores(q, K):
    """Luong's dot scores e[b, t] = q[b] . K[b, t].

    Inputs: q (B, D), K (B, T, D). Returns scores (B, T).
    """
    return np.einsum("bd,btd->bt", q, K)


def scaled_dot_scores(q, K):
    """Scaled dot scores e[b, t] = q[b] . K[b, t] / sqrt(D) (Vaswani et al. 2017).

    Inputs: q (B, D), K (B, T, D). Returns scores (B, T).
    """
    return dot_scores(q, K) / np.sqrt(q.shape[-1])


# --- softmax and context -------------------------------------------------------------------------

def masked_softmax(scores, mask=None):
    """Numerically stable softmax over the last axis, restricted to the kept positions.

    Inputs:
        scores  (..., T)        any real values, however large
        mask    (..., T) bool   True = keep, False = padding (weight exactly 0); None = keep all
    Returns:
        weights (..., T), same dtype as scores: non-negative, zero where masked, each row summing
        to 1 -- except a row with no kept position, which is all zeros (never NaN).
    """
    scores = np.asarray(scores)
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    mask = np.broadcast_to(np.asarray(mask, dtype=bool), scores.shape)
    kept = np.where(mask, scores, -np.inf)
    top = kept.max(axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)          # fully masked row: any shift will do
    e = np.where(mask, np.exp(np.where(mask, scores - top, 0.0)), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return (e / np.where(total > 0, total, 1.0)).astype(scores.dtype, copy=False)


def context_vector(weights, V):
    """The context vector c[b] = sum_t weights[b, t] V[b, t]: a weighted sum of the values.

    Inputs: weights (B, T), V (B, T, Dv). Returns context (B, Dv).
    """
    return np.einsum("bt,btd->bd", weights, V)


def attention(q, K, V, mask=None):
    """Scaled dot-product attention for one query per sequence.

    Inputs: q (B, D), K (B, T, D), V (B, T, Dv), mask (B, T) bool or None.
    Returns (context (B, Dv), weights (B, T)). Equals
    torch.nn.functional.scaled_dot_product_attention(q[:, None], K, V, attn_mask=mask[:, None])[:, 0].
    """
    weights = masked_softmax(scaled_dot_scores(q, K), mask)
    return context_vector(weights, V), weights


# --- forward / backward pairs --------------------------------------------------------------------

def attention_forward(q, K, V, mask=None, score="scaled_dot", params=None):
    """Attention with any of the three scores, keeping what the backward pass needs.

    Inputs:
        q (B, Dq), K (B, T, Dk), V (B, T, Dv), mask (B, T) bool or None
        score   "additive", "dot" or "scaled_dot"
        params  for "additive": (Wq (Dq, A), Wk (Dk, A), v (A,)); ignored otherwise
    Returns:
        context (B, Dv), weights (B, T), cache
    """
    if score not in SCORES:
        raise ValueError(_("score must be one of {scores}, got {score!r}").format(scores=SCORES, score=score))
    if score == "additive":
        Wq, Wk, v = params
        Z = np.tanh((q @ Wq)[:, None, :] + K @ Wk)        # (B, T, A)
        scores = Z @ v
        extra = (Wq, Wk, v, Z)
    else:
        scale = 1.0 / np.sqrt(q.shape[-1]) if score == "scaled_dot" else 1.0
        scores = dot_scores(q, K) * scale
        extra = (scale,)
    weights = masked_softmax(scores, mask)
    context = context_vector(weights, V)
    return context, weights, (score, q, K, V, weights, extra)


def masked_softmax_backward(dweights, weights):
    """Gradient through masked_softmax. dweights, weights: (..., T). Returns dscores (..., T).

    dscores = w * (dw - sum(dw * w)); masked positions (w = 0) and fully masked rows get 0.
    """
    return weights * (dweights - np.sum(dweights * weights, axis=-1, keepdims=True))


def attention_backward(dcontext, cache):
    """Backward pass of attention_forward.

    Inputs:
        dcontext (B, Dv)   gradient of the loss w.r.t. the context vector
        cache              from attention_forward
    Returns a dict of gradients: dq (B, Dq), dK (B, T, Dk), dV (B, T, Dv), and for "additive"
    also dWq (Dq, A), dWk (Dk, A), dv (A,).
    """
    score, q, K, V, weights, extra = cache
    grads = {"dV": weights[..., None] * dcontext[:, None, :]}
    dweights = np.einsum("bd,btd->bt", dcontext, V)
    dscores = masked_softmax_backward(dweights, weights)
    if score == "additive":
        Wq, Wk, v, Z = extra
        dA = dscores[..., None] * v * (1.0 - Z * Z)       # (B, T, A): through v . tanh(.)
        dAq = dA.sum(axis=1)                              # the query term is shared by every t
        grads.update(dq=dAq @ Wq.T, dK=dA @ Wk.T, dWq=q.T @ dAq,
                     dWk=np.einsum("btd,bta->da", K, dA), dv=np.einsum("bt,bta->a", dscores, Z))
    else:
        (scale,) = extra
        grads.update(dq=scale * np.einsum("bt,btd->bd", dscores, K),
                     dK=scale * dscores[..., None] * q[:, None, :])
    return grads


# --- why the scale -------------------------------------------------------------------------------

def dot_product_spread(dims, n: int = 2000, T: int = 10, seed: int = 0):
    """How dot scores of random vectors spread, and how peaked their softmax gets, with and without 1/sqrt(d).

    dims: dimensions d to try. For each d, draws n queries and n x T keys with N(0, 1) components.
    Returns a dict of arrays, one entry per d:
        "d", "var_dot" (variance of q . k, about d), "var_scaled" (about 1),
        "max_weight_dot", "max_weight_scaled" (mean largest softmax weight over T keys; 1/T = uniform, 1 = one-hot).
    """
    r = np.random.default_rng(seed)
    out = {k: [] for k in ("d", "var_dot", "var_scaled", "max_weight_dot", "max_weight_scaled")}
    for d in dims:
        q = r.standard_normal((n, d))
        K = r.standard_normal((n, T, d))
        s = dot_scores(q, K)
        out["d"].append(d)
        out["var_dot"].append(s.var())
        out["var_scaled"].append((s / np.sqrt(d)).var())
        out["max_weight_dot"].append(masked_softmax(s).max(axis=-1).mean())
        out["max_weight_scaled"].append(masked_softmax(s / np.sqrt(d)).max(axis=-1).mean())
    return {k: np.asarray(v) for k, v in out.items()}
