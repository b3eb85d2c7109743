"""Lesson 07 bank: wrong implementations that must lose points, and correct ones that must keep them.

WRONG[exercise] = [(name, source, fragment)]: the exercise's test cell must fail, and its message
must contain `fragment` (the diagnosis names the wrong term); fragment None = any failure.
RIGHT[exercise] = [(name, source)]: the test cell, hidden tests included, must pass.
"""

WRONG = {
    "additive_scores": [
        ("no tanh", '''
def additive_scores(q, K, Wq, Wk, v):
    return ((q @ Wq)[:, None, :] + K @ Wk) @ v
''', "skip the tanh"),
        ("sigmoid instead of tanh", '''
def additive_scores(q, K, Wq, Wk, v):
    return (1 / (1 + np.exp(-((q @ Wq)[:, None, :] + K @ Wk)))) @ v
''', "use the sigmoid"),
        ("sums the features instead of using v", '''
def additive_scores(q, K, Wq, Wk, v):
    return np.tanh((q @ Wq)[:, None, :] + K @ Wk).sum(-1)
''', "dot product with v"),
        ("ignores the query", '''
def additive_scores(q, K, Wq, Wk, v):
    return np.tanh(K @ Wk) @ v
''', "ignore the query"),
        ("tanh of each term separately", '''
def additive_scores(q, K, Wq, Wk, v):
    return (np.tanh(q @ Wq) @ v)[:, None] + np.tanh(K @ Wk) @ v
''', "separately"),
        ("swapped projections", '''
def additive_scores(q, K, Wq, Wk, v):
    return np.tanh((q @ Wk)[:, None, :] + K @ Wq) @ v
''', "The query goes with Wq"),  # visible: matmul fails (Dq != Dk); hidden Dq == Dk: "swap the projections"
        ("query added along the time axis (no [:, None])", '''
def additive_scores(q, K, Wq, Wk, v):
    return np.tanh(q @ Wq + K @ Wk) @ v
''', "give the query a time axis"),
        ("v inside the tanh", '''
def additive_scores(q, K, Wq, Wk, v):
    return np.tanh(((q @ Wq)[:, None, :] + K @ Wk) @ v)
''', "v inside the tanh"),
        ("calls the library's reference", '''
from lstmlab.attention import additive_scores as _ref_scores
def additive_scores(q, K, Wq, Wk, v):
    return _ref_scores(q, K, Wq, Wk, v)
''', "must be written from scratch"),
    ],
    "dot_scores": [
        ("scaled by sqrt(D)", '''
def dot_scores(q, K):
    return np.einsum("bd,btd->bt", q, K) / np.sqrt(q.shape[-1])
''', "*scaled* dot score"),
        ("first query for every sequence", '''
def dot_scores(q, K):
    return K @ q[0]
''', "first query q[0]"),
        ("cosine similarity", '''
def dot_scores(q, K):
    qn = q / np.linalg.norm(q, axis=-1, keepdims=True)
    Kn = K / np.linalg.norm(K, axis=-1, keepdims=True)
    return np.einsum("bd,btd->bt", qn, Kn)
''', "cosine"),
        ("every query against every sequence (B, B, T)", '''
def dot_scores(q, K):
    return np.einsum("cd,btd->cbt", q, K)
''', "paired every sequence with every other"),
        ("keeps a trailing axis (B, T, 1)", '''
def dot_scores(q, K):
    return K @ q[:, :, None]
''', "drop the extra axis"),
        ("sums over the time axis", '''
def dot_scores(q, K):
    return (q[:, None, :] * K).sum(axis=1)
''', "summed over the time axis"),
        ("negative squared distance", '''
def dot_scores(q, K):
    return -((q[:, None, :] - K) ** 2).sum(-1)
''', "squared distances"),
    ],
    "scaled_dot_scores": [
        ("missing the scale", '''
def scaled_dot_scores(q, K):
    return dot_scores(q, K)
''', "missing the 1/sqrt(D) scale"),
        ("divides by D", '''
def scaled_dot_scores(q, K):
    return dot_scores(q, K) / q.shape[-1]
''', "divide by D"),
        ("divides by sqrt(T)", '''
def scaled_dot_scores(q, K):
    return dot_scores(q, K) / np.sqrt(K.shape[1])
''', "sqrt(T)"),
        ("multiplies by sqrt(D)", '''
def scaled_dot_scores(q, K):
    return dot_scores(q, K) * np.sqrt(q.shape[-1])
''', "multiply by sqrt(D)"),
        ("divides by sqrt(B)", '''
def scaled_dot_scores(q, K):
    return dot_scores(q, K) / np.sqrt(q.shape[0])
''', "sqrt(B)"),
        ("scale from the wrong axis of K (sqrt(T) when T == D looks right)", '''
def scaled_dot_scores(q, K):
    return dot_scores(q, K) / np.sqrt(K.shape[-2])
''', "sqrt(T)"),
        ("torch's scaled_dot_product_attention scores via an identity value matrix", '''
import torch as _t
def scaled_dot_scores(q, K):
    B, T, D = K.shape
    qt, Kt = _t.from_numpy(np.asarray(q, np.float64))[:, None], _t.from_numpy(np.asarray(K, np.float64))
    w = _t.nn.functional.scaled_dot_product_attention(qt, Kt, _t.eye(T, dtype=_t.float64).expand(B, T, T))[:, 0].numpy()
    # recover scores up to a row constant: log w, then shift each row to match q.k/sqrt(D) at t=0
    s = np.log(np.maximum(w, 1e-300))
    return (s - s[:, :1] + (q * K[:, 0]).sum(-1, keepdims=True) / np.sqrt(D)).astype(q.dtype)
''', "must be written from scratch"),
    ],
    "masked_softmax": [
        ("softmax over the wrong axis", '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    s = np.where(mask, scores, -np.inf)
    top = s.max(axis=0, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(s - top)
    total = e.sum(axis=0, keepdims=True)
    return e / np.where(total > 0, total, 1.0)
''', "runs over the batch axis"),
        ("mask applied after the softmax, not renormalised", '''
def masked_softmax(scores, mask=None):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w if mask is None else w * mask
''', "applied the mask after the softmax"),
        ("no max subtraction (overflows on large scores)", '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    e = np.where(mask, np.exp(scores), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1.0)
''', "overflow"),
        ("mask ignored (padding receives weight)", '''
def masked_softmax(scores, mask=None):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
''', "ignore the mask"),
        ("padding filled with -100 (padding keeps a little weight)", '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    s = np.where(mask, scores, -100.0)
    s = s - s.max(axis=-1, keepdims=True)
    e = np.exp(s)
    w = e / e.sum(axis=-1, keepdims=True)
    return np.where(mask.any(-1, keepdims=True), w, 0.0)
''', "Padding positions receive weight"),
        ("-inf fill, NaN for a fully masked row", '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    s = np.where(mask, scores, -np.inf)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
''', "NaN for a row with every position masked"),
        ("-1e9 fill, uniform weights for a fully masked row", '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    s = np.where(mask, scores, -1e9)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
''', "uniform (1/T)"),
        ("mask convention inverted (True = padding)", '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.zeros(scores.shape, dtype=bool)
    s = np.where(mask, -np.inf, scores)
    top = s.max(axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(s - top)
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1.0)
''', "True as padding"),
        ("max over all positions, padding included", '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True)) * mask
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1.0)
''', "*kept* positions"),
        ("writes -inf into the caller's scores", '''
def masked_softmax(scores, mask=None):
    if mask is not None:
        scores[~mask] = -np.inf
    top = scores.max(axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(scores - top)
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1.0)
''', "in place"),
        ("torch softmax over -inf-filled scores", '''
import torch as _torch
def masked_softmax(scores, mask=None):
    s = _torch.as_tensor(np.asarray(scores, dtype=np.float64))
    if mask is not None:
        s = s.masked_fill(~_torch.as_tensor(mask), float("-inf"))
    w = _torch.nn.functional.softmax(s, dim=-1)
    return _torch.nan_to_num(w, nan=0.0).numpy().astype(np.asarray(scores).dtype)
''', "must be written from scratch"),
        ("torch softmax imported by name", '''
from torch import softmax as _sm, as_tensor as _as, nan_to_num as _nn
def masked_softmax(scores, mask=None):
    s = np.asarray(scores, dtype=np.float64)
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    return _nn(_sm(_as(s), -1), nan=0.0).numpy().astype(np.asarray(scores).dtype)
''', "must be written from scratch"),
        ("the library's reference", '''
import lstmlab.attention as _A
def masked_softmax(scores, mask=None):
    return _A.masked_softmax(scores, mask)
''', "must be written from scratch"),
    ],
    "context_vector": [
        ("ignores the weights (mean of the values)", '''
def context_vector(weights, V):
    return V.mean(axis=1)
''', "ignores the weights"),
        ("hard attention (value with the largest weight)", '''
def context_vector(weights, V):
    return V[np.arange(V.shape[0]), weights.argmax(axis=1)]
''', "hard attention"),
        ("divides by T", '''
def context_vector(weights, V):
    return (weights[:, :, None] * V).mean(axis=1)
''', "divides by T"),
        ("renormalises by the sum of the weights", '''
def context_vector(weights, V):
    return (weights[:, :, None] * V).sum(axis=1) / weights.sum(axis=1, keepdims=True)
''', "divides by the sum of the weights"),  # hidden: weights that do not sum to 1
        ("batched matmul without a batch axis on the weights", '''
def context_vector(weights, V):
    return weights @ V
''', "paired every sequence with every other"),
        ("sums over the batch axis", '''
def context_vector(weights, V):
    return (weights[:, :, None] * V).sum(axis=0)
''', "summed over the batch axis"),
        ("weights paired with the wrong axis", '''
def context_vector(weights, V):
    return np.einsum("bt,tbd->bd", weights, V) if V.shape[0] == V.shape[1] else np.einsum("bt,btd->td", weights, V)
''', None),
    ],
    "attention": [
        ("unscaled dot scores", '''
def attention(q, K, V, mask=None):
    w = masked_softmax(dot_scores(q, K), mask)
    return context_vector(w, V), w
''', "missing the 1/sqrt(D) scale"),
        ("mask ignored", '''
def attention(q, K, V, mask=None):
    w = masked_softmax(scaled_dot_scores(q, K))
    return context_vector(w, V), w
''', "ignores the mask"),
        ("returns (weights, context)", '''
def attention(q, K, V, mask=None):
    w = masked_softmax(scaled_dot_scores(q, K), mask)
    return w, context_vector(w, V)
''', "wrong order: (weights, context)"),
        ("averages the keys", '''
def attention(q, K, V, mask=None):
    w = masked_softmax(scaled_dot_scores(q, K), mask)
    return context_vector(w, K), w
''', None),  # visible case fails by shape (D != Dv); the hidden D == Dv case names it
        ("mask applied to the weights after the softmax", '''
def attention(q, K, V, mask=None):
    w = masked_softmax(scaled_dot_scores(q, K))
    if mask is not None:
        w = w * mask
    return context_vector(w, V), w
''', "applies the mask after the softmax"),
        ("calls torch's scaled_dot_product_attention", '''
import torch as _t
def attention(q, K, V, mask=None):
    t = lambda a: _t.as_tensor(np.asarray(a, dtype=np.float64))
    m = None if mask is None else _t.as_tensor(mask)[:, None, :]
    ctx = _t.nn.functional.scaled_dot_product_attention(t(q)[:, None], t(K), t(V), attn_mask=m)[:, 0].numpy()
    return ctx.astype(q.dtype), masked_softmax(scaled_dot_scores(q, K), mask)
''', "must be written from scratch"),
        ("scaled_dot_product_attention imported under another name", '''
from torch.nn.functional import scaled_dot_product_attention as _sdpa
import torch as _t
def attention(q, K, V, mask=None):
    t = lambda a: _t.as_tensor(np.asarray(a, dtype=np.float64))
    m = None if mask is None else _t.as_tensor(mask)[:, None, :]
    ctx = _sdpa(t(q)[:, None], t(K), t(V), attn_mask=m)[:, 0].numpy()
    return ctx.astype(q.dtype), masked_softmax(scaled_dot_scores(q, K), mask)
''', "must be written from scratch"),
        ("torch.nn.MultiheadAttention with identity projections", '''
import torch as _t
def attention(q, K, V, mask=None):
    B, T, D = K.shape
    Dv = V.shape[-1]
    mha = _t.nn.MultiheadAttention(D, 1, batch_first=True, bias=False, kdim=D, vdim=Dv).double()
    with _t.no_grad():
        mha.q_proj_weight.copy_(_t.eye(D)); mha.k_proj_weight.copy_(_t.eye(D))
        w = masked_softmax(scaled_dot_scores(q, K), mask)
    return context_vector(w, V), w
''', "must be written from scratch"),
        ("the library's reference", '''
from lstmlab import attention as _A
def attention(q, K, V, mask=None):
    return _A.attention(q, K, V, mask)
''', "must be written from scratch"),
    ],
}

RIGHT = {
    "additive_scores": [
        ("explicit loops", '''
def additive_scores(q, K, Wq, Wk, v):
    B, T, _ = K.shape
    out = np.empty((B, T), dtype=np.result_type(q, K))
    for b in range(B):
        for t in range(T):
            out[b, t] = v @ np.tanh(Wq.T @ q[b] + Wk.T @ K[b, t])
    return out
'''),
        ("einsum", '''
def additive_scores(q, K, Wq, Wk, v):
    a = np.einsum("bd,da->ba", q, Wq)[:, None, :] + np.einsum("btd,da->bta", K, Wk)
    return np.einsum("bta,a->bt", np.tanh(a), v)
'''),
        ("concatenated [q, k] with one matrix (Bahdanau's W [s; h])", '''
def additive_scores(q, K, Wq, Wk, v):
    B, T, _ = K.shape
    qk = np.concatenate([np.broadcast_to(q[:, None, :], (B, T, q.shape[1])), K], axis=-1)
    W = np.concatenate([Wq, Wk], axis=0)
    return np.tanh(qk @ W) @ v
'''),
    ],
    "dot_scores": [
        ("broadcast and sum", '''
def dot_scores(q, K):
    return (q[:, None, :] * K).sum(axis=-1)
'''),
        ("batched matmul", '''
def dot_scores(q, K):
    return np.matmul(K, q[:, :, None])[..., 0]
'''),
        ("loop over the batch", '''
def dot_scores(q, K):
    return np.stack([K[b] @ q[b] for b in range(q.shape[0])])
'''),
    ],
    "scaled_dot_scores": [
        ("inline, scale the query first", '''
def scaled_dot_scores(q, K):
    return np.einsum("bd,btd->bt", q / np.sqrt(q.shape[1]), K)
'''),
        ("float64 inside, dtype kept", '''
def scaled_dot_scores(q, K):
    D = K.shape[-1]
    s = np.einsum("bd,btd->bt", q.astype(np.float64), K.astype(np.float64)) / np.sqrt(D)
    return s.astype(q.dtype)
'''),
        ("multiply by D ** -0.5", '''
def scaled_dot_scores(q, K):
    return dot_scores(q, K) * q.shape[-1] ** -0.5
'''),
    ],
    "masked_softmax": [
        ("masked with np.where, row-wise loop", '''
def masked_softmax(scores, mask=None):
    scores = np.asarray(scores)
    out = np.zeros_like(scores)
    for b in range(scores.shape[0]):
        keep = np.ones(scores.shape[1], bool) if mask is None else mask[b]
        if not keep.any():
            continue
        s = scores[b, keep]
        e = np.exp(s - s.max())
        out[b, keep] = e / e.sum()
    return out
'''),
        ("mask after the softmax, renormalised, max over kept positions", '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    top = np.max(np.where(mask, scores, -np.inf), axis=-1, keepdims=True)
    top = np.where(mask.any(-1, keepdims=True), top, 0.0)
    e = np.exp(np.where(mask, scores - top, -np.inf))
    w = e * mask
    total = w.sum(-1, keepdims=True)
    return np.divide(w, total, out=np.zeros_like(w), where=total > 0)
'''),
        ("log-sum-exp form", '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    s = np.where(mask, scores, -np.inf)
    top = s.max(-1, keepdims=True)
    top[~np.isfinite(top)] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        lse = top + np.log(np.exp(s - top).sum(-1, keepdims=True))
        w = np.exp(s - lse)
    w[~mask.any(-1)] = 0.0
    return w
'''),
        ("-1e9 fill, fully masked rows zeroed afterwards", '''
def masked_softmax(scores, mask=None):
    if mask is None:
        return masked_softmax(scores, np.ones(np.shape(scores), dtype=bool))
    s = np.where(mask, scores, -1e9)
    e = np.exp(s - s.max(axis=-1, keepdims=True)) * mask
    w = e / np.maximum(e.sum(axis=-1, keepdims=True), np.finfo(e.dtype).tiny)
    return w
'''),
    ],
    "context_vector": [
        ("broadcast and sum", '''
def context_vector(weights, V):
    return (weights[:, :, None] * V).sum(axis=1)
'''),
        ("batched matmul", '''
def context_vector(weights, V):
    return (weights[:, None, :] @ V)[:, 0, :]
'''),
        ("loop over time", '''
def context_vector(weights, V):
    c = np.zeros((V.shape[0], V.shape[2]), dtype=np.result_type(weights, V))
    for t in range(V.shape[1]):
        c += weights[:, t:t + 1] * V[:, t]
    return c
'''),
    ],
    "attention": [
        ("everything inline", '''
def attention(q, K, V, mask=None):
    s = np.einsum("bd,btd->bt", q, K) / np.sqrt(q.shape[-1])
    if mask is None:
        mask = np.ones(s.shape, dtype=bool)
    s = np.where(mask, s, -np.inf)
    top = s.max(-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    e = np.exp(s - top)
    z = e.sum(-1, keepdims=True)
    w = e / np.where(z > 0, z, 1)
    return np.einsum("bt,btd->bd", w, V), w
'''),
        ("returns a list, scales the keys", '''
def attention(q, K, V, mask=None):
    w = masked_softmax(dot_scores(q, K / np.sqrt(K.shape[-1])), mask)
    return [context_vector(w, V), w]
'''),
    ],
}


# --- issue 11: more plausible mistakes and correct alternatives (float32, thresholds, return types, ...) ---

WRONG["additive_scores"] += [
    ('tanh written with exp', '''
def additive_scores(q, K, Wq, Wk, v):
    x = (q @ Wq)[:, None, :] + K @ Wk
    t = (np.exp(2 * x) - 1) / (np.exp(2 * x) + 1)
    return t @ v
''', "Your scores contain NaN or inf when tanh's argument is"),
    ('returns a list', '''
def additive_scores(q, K, Wq, Wk, v):
    return np.tanh((q @ Wq)[:, None, :] + K @ Wk).dot(v).tolist()
''', 'your score array should be a numpy array, got a list'),
    ('ReLU instead of tanh', '''
def additive_scores(q, K, Wq, Wk, v):
    return np.maximum((q @ Wq)[:, None, :] + K @ Wk, 0) @ v
''', "Your scores use ReLU where Bahdanau's score uses tanh."),
    ('ignores the keys', '''
def additive_scores(q, K, Wq, Wk, v):
    return np.repeat((np.tanh(q @ Wq) @ v)[:, None], K.shape[1], axis=1)
''', 'Your scores ignore the keys: add K Wk inside the tanh.'),
]
WRONG["dot_scores"] += [
    ('returns a list', '''
def dot_scores(q, K):
    return [list(row) for row in np.einsum("bd,btd->bt", q, K)]
''', 'your score array should be a numpy array, got a list'),
    ('squeeze drops the time axis when T = 1', '''
def dot_scores(q, K):
    return np.squeeze(K @ q[:, :, None])
''', 'your score array has shape (2,), expected (1, 2). (case'),
    ('product without a time axis for q', '''
def dot_scores(q, K):
    return (q * K).sum(-1)
''', 'pair q[b] with every K[b, t]'),
]
WRONG["scaled_dot_scores"] += [
    ('D ** 1/2 (precedence)', '''
def scaled_dot_scores(q, K):
    return dot_scores(q, K) / q.shape[-1] ** 1/2
''', 'Your scaled scores divide by 2 * D: in Python s / D ** 1/2'),
    ('divides by sqrt(q.size)', '''
def scaled_dot_scores(q, K):
    return dot_scores(q, K) / np.sqrt(q.size)
''', 'Your scaled scores divide by sqrt(B * D) (the size of the'),
    ('returns a list', '''
def scaled_dot_scores(q, K):
    return (dot_scores(q, K) / np.sqrt(q.shape[-1])).tolist()
''', 'your score array should be a numpy array, got a list'),
]
WRONG["masked_softmax"] += [
    ('one maximum for the whole batch', '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    s = np.where(mask, scores, -np.inf)
    top = s[mask].max() if mask.any() else 0.0
    e = np.where(mask, np.exp(s - top), 0.0)
    tot = e.sum(-1, keepdims=True)
    return e / np.where(tot > 0, tot, 1.0)
''', 'Some rows with real positions get all-zero weights: your'),
    ('maximum over the batch axis', '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    s = np.where(mask, scores, -np.inf)
    top = s.max(0, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    e = np.where(mask, np.exp(s - top), 0.0)
    tot = e.sum(-1, keepdims=True)
    return e / np.where(tot > 0, tot, 1.0)
''', 'You subtracted the maximum of each column (axis=0, over the'),
    ('mask by multiplication, max over the zeroed padding', '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    s = scores * mask
    e = np.exp(s - s.max(-1, keepdims=True)) * mask
    tot = e.sum(-1, keepdims=True)
    return e / np.where(tot > 0, tot, 1.0)
''', 'Rows with real positions get all-zero weights when every'),
    ('subtracts the mean, not the maximum', '''
def masked_softmax(scores, mask=None):
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    kept = np.where(mask, scores, 0.0)
    n = mask.sum(-1, keepdims=True)
    mean = kept.sum(-1, keepdims=True) / np.maximum(n, 1)
    e = np.where(mask, np.exp(kept - mean), 0.0)
    tot = e.sum(-1, keepdims=True)
    return e / np.where(tot > 0, tot, 1.0)
''', 'Your weights overflow on large scores: exp(1000) is inf'),
]
WRONG["context_vector"] += [
    ('returns a list', '''
def context_vector(weights, V):
    return np.einsum("bt,btd->bd", weights, V).tolist()
''', 'your context vector should be a numpy array, got a list'),
    ('softmax applied to the weights again', '''
def context_vector(weights, V):
    e = np.exp(weights - weights.max(1, keepdims=True))
    a = e / e.sum(1, keepdims=True)
    return np.einsum("bt,btd->bd", a, V)
''', 'Your context applies a softmax to the weights again; they'),
    ('weights of the first sequence for every sequence', '''
def context_vector(weights, V):
    return np.einsum("t,btd->bd", weights[0], V)
''', 'Your context uses the weights of the first sequence for'),
]
WRONG["attention"] += [
    ('returns the scores as the weights', '''
def attention(q, K, V, mask=None):
    s = scaled_dot_scores(q, K)
    w = masked_softmax(s, mask)
    return context_vector(w, V), s
''', 'You returned the scores as the weights; the weights are'),
    ('inline softmax without max subtraction or empty-row guard', '''
def attention(q, K, V, mask=None):
    s = (q[:, None, :] * K).sum(-1) / np.sqrt(q.shape[-1])
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    e = np.exp(s)
    w = e / e.sum(-1, keepdims=True)
    return context_vector(w, V), w
''', 'Your weights are NaN for a row with every position masked'),
    ('inline, mask by multiplication', '''
def attention(q, K, V, mask=None):
    s = np.einsum("bd,btd->bt", q, K) / np.sqrt(q.shape[-1])
    m = np.ones(s.shape, bool) if mask is None else mask
    s = s * m
    e = np.exp(s - s.max(-1, keepdims=True)) * m
    z = e.sum(-1, keepdims=True)
    w = e / np.where(z > 0, z, 1.0)
    return context_vector(w, V), w
''', 'Rows with real positions get all-zero weights when every'),
    ('inline softmax over the batch axis', '''
def attention(q, K, V, mask=None):
    s = np.einsum("bd,btd->bt", q, K) / np.sqrt(q.shape[-1])
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    e = np.exp(s - s.max(0, keepdims=True))
    e = np.nan_to_num(e)
    z = e.sum(0, keepdims=True)
    w = e / np.where(z > 0, z, 1.0)
    return np.einsum("bt,btd->bd", w, V), w
''', 'Your softmax runs over the batch axis (each column sums to'),
]
RIGHT["additive_scores"] += [
    ('float32 einsums', '''
def additive_scores(q, K, Wq, Wk, v):
    return np.einsum("bta,a->bt", np.tanh(np.einsum("bd,da->ba", q, Wq)[:, None] + np.einsum("btd,da->bta", K, Wk)), v)
'''),
    ('tanh from a stable sigmoid form, loop over time', '''
def additive_scores(q, K, Wq, Wk, v):
    qp = q @ Wq
    cols = []
    for t in range(K.shape[1]):
        x = qp + K[:, t] @ Wk
        cols.append((2.0 / (1.0 + np.exp(-2.0 * x)) - 1.0) @ v)
    return np.stack(cols, axis=1)
'''),
]
RIGHT["dot_scores"] += [
    ('float32 batched matmul', '''
def dot_scores(q, K):
    return (K @ q[:, :, None])[:, :, 0]
'''),
    ('matmul with transposed keys', '''
def dot_scores(q, K):
    return np.matmul(q[:, None, :], np.swapaxes(K, 1, 2))[:, 0, :]
'''),
]
RIGHT["scaled_dot_scores"] += [
    ('float32 scale', '''
def scaled_dot_scores(q, K):
    return (q[:, None, :] * K).sum(-1) * np.asarray(1 / np.sqrt(q.shape[1]), dtype=q.dtype)
'''),
    ('query divided by math.sqrt', '''
import math
def scaled_dot_scores(q, K):
    return np.einsum("bd,btd->bt", q / math.sqrt(q.shape[-1]), K)
'''),
]
RIGHT["masked_softmax"] += [
    ('float32 throughout, -1e30 fill, empty rows zeroed', '''
def masked_softmax(scores, mask=None):
    if mask is None:
        return masked_softmax(scores, np.ones(scores.shape, bool))
    s = np.where(mask, scores, np.asarray(-1e30, dtype=scores.dtype))
    e = np.exp(s - s.max(-1, keepdims=True)) * mask
    w = e / np.maximum(e.sum(-1, keepdims=True), np.finfo(scores.dtype).tiny)
    return np.where(mask.any(-1, keepdims=True), w, 0.0).astype(scores.dtype)
'''),
    ('row by row over the kept indices', '''
def masked_softmax(scores, mask=None):
    out = np.zeros(scores.shape)
    for b in range(scores.shape[0]):
        idx = np.arange(scores.shape[1]) if mask is None else np.flatnonzero(mask[b])
        if idx.size:
            x = scores[b, idx].astype(np.float64)
            e = np.exp(x - x.max())
            out[b, idx] = e / e.sum()
    return out
'''),
]
RIGHT["context_vector"] += [
    ('float32 batched matmul', '''
def context_vector(weights, V):
    return (weights[:, None, :] @ V)[:, 0, :]
'''),
    ('tensordot per sequence', '''
def context_vector(weights, V):
    return np.stack([np.tensordot(weights[b], V[b], axes=1) for b in range(V.shape[0])])
'''),
]
RIGHT["attention"] += [
    ('float32 inline', '''
def attention(q, K, V, mask=None):
    s = np.einsum("bd,btd->bt", q, K) / np.asarray(np.sqrt(q.shape[-1]), dtype=q.dtype)
    if mask is None:
        mask = np.ones(s.shape, bool)
    s = np.where(mask, s, -np.inf)
    m = np.max(s, -1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    e = np.exp(s - m)
    z = e.sum(-1, keepdims=True)
    w = e / np.where(z == 0, 1, z)
    return np.einsum("bt,btd->bd", w, V), w
'''),
    ('-1e9 fill, empty rows zeroed, returns a tuple from a list', '''
def attention(q, K, V, mask=None):
    s = q[:, None, :] @ np.swapaxes(K, 1, 2) / q.shape[-1] ** 0.5
    s = s[:, 0, :]
    keep = np.ones(s.shape, bool) if mask is None else mask
    s = np.where(keep, s, -1e9)
    e = np.exp(s - s.max(-1, keepdims=True)) * keep
    w = e / np.where(e.sum(-1, keepdims=True) > 0, e.sum(-1, keepdims=True), 1)
    return tuple([(w[:, :, None] * V).sum(1), w])
'''),
]

# --- beam search (section 11) -----------------------------------------------------------------------
_BEAM_HEAD = '''
def beam_search(step_fn, start_state, bos, eos, k, max_len, length_penalty=0.0):
'''
_BEAM_LOOP = '''
    alive = [([], 0.0, start_state)]
    finished = []
    for _ in range(max_len):
        tokens = np.array([t[-1] if t else bos for t, _, _ in alive])
        log_probs, new_states = step_fn(tokens, [s for _, _, s in alive])
        total = np.array([sc for _, sc, _ in alive])[:, None] + np.asarray(log_probs, dtype=float)
        V = total.shape[1]
        nxt = []
        for flat in np.argsort(-total.ravel(), kind="stable")[:k - len(finished)]:
            i, v = divmod(int(flat), V)
            if v == eos:
                finished.append((alive[i][0] + [v], float(total[i, v])))
            else:
                nxt.append((alive[i][0] + [v], float(total[i, v]), new_states[i]))
        alive = nxt
        if not alive:
            break
    finished += [(t, sc) for t, sc, _ in alive]
    ranked = [(t, sc / ((5 + len(t)) / 6) ** length_penalty) for t, sc in finished]
    ranked.sort(key=lambda h: -h[1])
    return ranked[:k]
'''


def _beam(replace=(), head=_BEAM_HEAD):
    src = head + _BEAM_LOOP
    for old, new in replace:
        assert old in src, old
        src = src.replace(old, new)
    return src


WRONG["beam_search"] = [
    ("multiplies probabilities", _beam([
        ("total = np.array([sc for _, sc, _ in alive])[:, None] + np.asarray(log_probs, dtype=float)",
         "total = np.array([sc for _, sc, _ in alive])[:, None] * np.exp(np.asarray(log_probs, dtype=float))"),
        ("alive = [([], 0.0, start_state)]", "alive = [([], 1.0, start_state)]")]), "multiply probabilities"),
    ("averages the log-probabilities", _beam([
        ("ranked = [(t, sc / ((5 + len(t)) / 6) ** length_penalty) for t, sc in finished]",
         "ranked = [(t, sc / len(t)) for t, sc in finished]")]), "average the log-probabilities"),
    ("extends finished hypotheses (eos is an ordinary token)", _beam([
        ("            if v == eos:\n                finished.append((alive[i][0] + [v], float(total[i, v])))\n"
         "            else:\n                nxt.append(", "            if True:\n                nxt.append("),
        ("[:k - len(finished)]", "[:k]")]), "extends a finished hypothesis"),
    ("drops finished hypotheses", _beam([
        ("finished.append((alive[i][0] + [v], float(total[i, v])))", "pass"),
        ("[:k - len(finished)]", "[:k]")]), "drops the hypotheses that end with eos"),
    ("top-k per beam (each hypothesis extends its own best token)", _beam([
        ("for flat in np.argsort(-total.ravel(), kind=\"stable\")[:k - len(finished)]:",
         "for flat in (np.argsort(-total.ravel(), kind=\"stable\")[:k - len(finished)] if len(alive) == 1 and not "
         "alive[0][0] else [i * V + int(np.argmax(total[i])) for i in range(len(alive))]):")]), "top-k per beam"),
    ("k = 1 is not greedy (the beam always holds at least two)", _beam([
        ("[:k - len(finished)]", "[:max(k, 2) - len(finished)]")]), "must be greedy decoding"),
    ("returns the last beam instead of the best finished", _beam([
        ("        nxt = []\n", "        nxt, last = [], []\n"),
        ("            i, v = divmod(int(flat), V)\n",
         "            i, v = divmod(int(flat), V)\n            last.append((alive[i][0] + [v], float(total[i, v])))\n"),
        ("    finished += [(t, sc) for t, sc, _ in alive]\n", "    finished = last\n")]), "last step"),
    ("one step too many (range(max_len + 1))", _beam([
        ("for _ in range(max_len):", "for _ in range(max_len + 1):")]), "one step too many"),
    ("one step short (range(max_len - 1))", _beam([
        ("for _ in range(max_len):", "for _ in range(max_len - 1):")]), "one token short"),
    ("states not reordered with their hypotheses", _beam([
        ("nxt.append((alive[i][0] + [v], float(total[i, v]), new_states[i]))",
         "nxt.append((alive[i][0] + [v], float(total[i, v]), new_states[len(nxt) % len(new_states)]))")]),
     "keep its tokens, its score and its state together"),
    ("ties to the larger token id (argsort()[::-1])", _beam([
        ("np.argsort(-total.ravel(), kind=\"stable\")[:k - len(finished)]",
         "np.argsort(total.ravel(), kind=\"stable\")[::-1][:k - len(finished)]")]), "Ties go the wrong way"),
    ("finished list not sorted", _beam([("    ranked.sort(key=lambda h: -h[1])\n", "")]), "not sorted best first"),
    ("length penalty ignored", _beam([
        ("ranked = [(t, sc / ((5 + len(t)) / 6) ** length_penalty) for t, sc in finished]",
         "ranked = list(finished)")]), "ignores length_penalty"),
    ("length penalty len ** alpha", _beam([
        ("((5 + len(t)) / 6) ** length_penalty", "len(t) ** length_penalty")]), "len ** alpha"),
    ("bos kept at the front of every hypothesis", _beam([
        ("alive = [([], 0.0, start_state)]", "alive = [([bos], 0.0, start_state)]"),
        ("tokens = np.array([t[-1] if t else bos for t, _, _ in alive])",
         "tokens = np.array([t[-1] for t, _, _ in alive])")]), "start with bos"),
    ("calls the library's reference", '''
from lstmlab.decoding import beam_search as _ref_beam
def beam_search(step_fn, start_state, bos, eos, k, max_len, length_penalty=0.0):
    return _ref_beam(step_fn, start_state, bos, eos, k, max_len, length_penalty)
''', "must be written from scratch"),
]

RIGHT["beam_search"] = [
    ("heapq.nlargest over (hypothesis, token) candidates, one step_fn call per hypothesis", '''
import heapq
def beam_search(step_fn, start_state, bos, eos, k, max_len, length_penalty=0.0):
    alive, done = [((), 0.0, start_state)], []
    for _ in range(max_len):
        cands = []
        for toks, score, state in alive:
            lp, (new,) = step_fn(np.array([toks[-1] if toks else bos]), [state])
            lp = np.asarray(lp, dtype=np.float64)[0]
            cands += [(score + lp[v], toks + (v,), new) for v in range(lp.shape[0])]
        keep = heapq.nlargest(k - len(done), cands, key=lambda c: c[0])   # stable on ties, like sorted
        alive = []
        for score, toks, new in keep:
            (done.append((list(toks), float(score))) if toks[-1] == eos else alive.append((toks, float(score), new)))
        if not alive:
            break
    done += [(list(t), s) for t, s, _ in alive]
    pen = lambda n: ((5.0 + n) / 6.0) ** length_penalty
    return sorted([(t, s / pen(len(t))) for t, s in done], key=lambda h: h[1], reverse=True)[:k]
'''),
    ("vectorised with np.lexsort, beams as arrays", '''
def beam_search(step_fn, start_state, bos, eos, k, max_len, length_penalty=0.0):
    seqs = np.zeros((1, 0), dtype=np.int64)
    scores = np.zeros(1)
    states = [start_state]
    done_t, done_s = [], []
    for step in range(max_len):
        last = seqs[:, -1] if step else np.full(1, bos, dtype=np.int64)
        lp, new_states = step_fn(last, states)
        total = (scores[:, None] + np.asarray(lp, dtype=np.float64)).ravel()
        idx = np.arange(total.size)
        order = np.lexsort((idx, -total))[:k - len(done_t)]     # by -score, then flat index
        V = np.asarray(lp).shape[1]
        beam, tok = order // V, order % V
        grown = np.concatenate([seqs[beam], tok[:, None]], axis=1)
        ended = tok == eos if eos is not None else np.zeros(len(tok), bool)
        for row in np.flatnonzero(ended):
            done_t.append([int(x) for x in grown[row]]); done_s.append(float(total[order[row]]))
        keep = ~ended
        seqs, scores = grown[keep], total[order][keep]
        states = [new_states[int(b)] for b in beam[keep]]
        if len(seqs) == 0:
            break
    done_t += [[int(x) for x in row] for row in seqs]
    done_s += [float(s) for s in scores]
    ranked = [s / ((5 + len(t)) / 6) ** length_penalty for t, s in zip(done_t, done_s)]
    order = sorted(range(len(ranked)), key=lambda j: -ranked[j])
    return [(done_t[j], ranked[j]) for j in order][:k]
'''),
]
