"""Lesson 12 bank: wrong implementations that must lose points, and correct ones that must keep them.

WRONG[exercise] = [(name, source, fragment)]: the exercise's test cell must fail, and its message
must contain `fragment` (the diagnosis names the wrong term); fragment None = any failure.
RIGHT[exercise] = [(name, source)]: the test cell, hidden tests included, must pass.
Sources run in the notebook's namespace (np, causal_mask, qkv_projection, ... are the reference answers).
"""

SA_HEAD = '''
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = X @ Wq, X @ Wk, X @ Wv
    T, dk = X.shape[1], Wq.shape[1]
    M = np.tril(np.ones((T, T), dtype=bool))
'''

SOFTMAX_ROWS = '''
    S = S - S.max(axis=-1, keepdims=True)
    E = np.exp(S)
    W = E / E.sum(axis=-1, keepdims=True)
    return W @ V, W
'''

PE_HEAD = '''
def positional_encoding(T, d):
    pos = np.arange(T)[:, None].astype(float)
    two_i = np.arange(0, d, 2)
'''

WRONG = {
    "causal_mask": [
        ("strict triangle, no diagonal", '''
def causal_mask(T):
    return np.tril(np.ones((T, T), dtype=bool), -1)
''', "leaves out the diagonal"),
        ("upper triangle: sees the future", '''
def causal_mask(T):
    return np.triu(np.ones((T, T), dtype=bool))
''', "lets position i see the future"),
        ("inverted, MultiheadAttention's convention", '''
def causal_mask(T):
    return np.triu(np.ones((T, T), dtype=bool), 1)
''', "inverted"),
        ("float 0/1 instead of bool", '''
def causal_mask(T):
    return np.tril(np.ones((T, T)))
''', "0/1 numbers"),
        ("additive 0/-inf mask", '''
def causal_mask(T):
    return np.where(np.tril(np.ones((T, T), dtype=bool)), 0.0, -np.inf)
''', "additive float mask"),
        ("everything allowed", '''
def causal_mask(T):
    return np.ones((T, T), dtype=bool)
''', "allows every position"),
        ("one row and column too many", '''
def causal_mask(T):
    return np.tril(np.ones((T + 1, T + 1), dtype=bool))
''', "has shape"),
        ("calls the library's reference", '''
from lstmlab.self_attention import causal_mask as _cm
def causal_mask(T):
    return _cm(T)
''', "must be written from scratch"),
    ],
    "qkv_projection": [
        ("returns (K, Q, V)", '''
def qkv_projection(X, Wq, Wk, Wv):
    return X @ Wk, X @ Wq, X @ Wv
''', "wrong order: (K, Q, V)"),
        ("transposed weights", '''
def qkv_projection(X, Wq, Wk, Wv):
    return X @ Wq.T, X @ Wk.T, X @ Wv.T
''', "X @ Wq applies the same projection"),
        ("time-major outputs", '''
def qkv_projection(X, Wq, Wk, Wv):
    return tuple(np.einsum("btd,dk->tbk", X, W) for W in (Wq, Wk, Wv))
''', "time-major"),
        ("summed over time", '''
def qkv_projection(X, Wq, Wk, Wv):
    return tuple(np.einsum("btd,dk->bk", X, W) for W in (Wq, Wk, Wv))
''', "summed over the time axis"),
        ("Wq for everything", '''
def qkv_projection(X, Wq, Wk, Wv):
    return X @ Wq, X @ Wq, X @ Wv
''', "Your K is computed with Wq"),
        ("values not projected", '''
def qkv_projection(X, Wq, Wk, Wv):
    return X @ Wq, X @ Wk, X
''', "Your V is X itself"),
        ("calls the library's reference", '''
import lstmlab.self_attention as _sa
def qkv_projection(X, Wq, Wk, Wv):
    return _sa.qkv_projection(X, Wq, Wk, Wv)
''', "must be written from scratch"),
    ],
    "self_attention": [
        ("mask after the softmax, not renormalised", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    E = np.exp(S - S.max(-1, keepdims=True))
    W = E / E.sum(-1, keepdims=True)
    if causal:
        W = W * M
    return W @ V, W
''', "after the softmax (multiplying the weights by it) without renormalising"),
        ("mask after the softmax, renormalised", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    E = np.exp(S - S.max(-1, keepdims=True))
    W = E / E.sum(-1, keepdims=True)
    if causal:
        W = W * M
        W = W / W.sum(-1, keepdims=True)
    return W @ V, W
''', "You applied the mask too late"),
        ("max over the whole row, taken before masking", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    E = np.exp(S - S.max(-1, keepdims=True))
    if causal:
        E = np.where(M, E, 0.0)
    W = E / E.sum(-1, keepdims=True)
    return W @ V, W
''', "maximum over the whole row, future included"),
        ("strict triangle (no diagonal), -inf", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    if causal:
        S = np.where(np.tril(M, -1), S, -np.inf)''' + SOFTMAX_ROWS, "leaves out the diagonal"),
        ("strict triangle (no diagonal), -1e9", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    if causal:
        S = np.where(np.tril(M, -1), S, -1e9)''' + SOFTMAX_ROWS, "leaves out the diagonal"),
        ("upper triangle: sees the future", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    if causal:
        S = np.where(M.T, S, -np.inf)''' + SOFTMAX_ROWS, "see the future instead of the past"),
        ("no mask at all", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)''' + SOFTMAX_ROWS, "ignores the causal mask"),
        ("no 1/sqrt(dk) scale", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1)
    if causal:
        S = np.where(M, S, -np.inf)''' + SOFTMAX_ROWS, "are not scaled"),
        ("scaled by dk", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / dk
    if causal:
        S = np.where(M, S, -np.inf)''' + SOFTMAX_ROWS, "divided by dk"),
        ("scaled by sqrt(D), the model width", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(X.shape[-1])
    if causal:
        S = np.where(M, S, -np.inf)''' + SOFTMAX_ROWS, "divided by sqrt(D)"),
        ("softmax over the wrong axis", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    if causal:
        S = np.where(M, S, -np.inf)
    E = np.exp(S - S.max(axis=1, keepdims=True))
    W = E / E.sum(axis=1, keepdims=True)
    return W @ V, W
''', "wrong axis"),
        ("no max subtraction (overflows)", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    if causal:
        S = np.where(M, S, -np.inf)
    E = np.exp(S)
    W = E / E.sum(axis=-1, keepdims=True)
    return W @ V, W
''', "overflows on large scores"),
        ("Q and K swapped (weights transposed)", SA_HEAD + '''
    S = K @ Q.transpose(0, 2, 1) / np.sqrt(dk)
    if causal:
        S = np.where(M, S, -np.inf)''' + SOFTMAX_ROWS, "Q and K swapped"),
        ("batch flattened into one long sequence", '''
def self_attention(X, Wq, Wk, Wv, causal=True):
    B, T, D = X.shape
    Xf = X.reshape(B * T, D)
    Q, K, V = Xf @ Wq, Xf @ Wk, Xf @ Wv
    S = Q @ K.T / np.sqrt(Wq.shape[1])
    if causal:
        S = np.where(np.tril(np.ones((B * T, B * T), dtype=bool)), S, -np.inf)
    S = S - S.max(-1, keepdims=True)
    E = np.exp(S)
    Wf = E / E.sum(-1, keepdims=True)
    out = (Wf @ V).reshape(B, T, -1)
    W = np.stack([Wf[b * T:(b + 1) * T, b * T:(b + 1) * T] for b in range(B)])
    return out, W
''', "mixes the sequences of the batch"),
        ("K.T on a 3-d array", SA_HEAD + '''
    S = Q @ K.T / np.sqrt(dk)
    if causal:
        S = np.where(M, S, -np.inf)''' + SOFTMAX_ROWS, "K.transpose(0, 2, 1)"),
        ("scores multiplied by the mask (0, not -inf)", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    if causal:
        S = S * M''' + SOFTMAX_ROWS, "sets forbidden scores to 0"),
        ("forbidden scores set to -10", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    if causal:
        S = np.where(M, S, -10.0)''' + SOFTMAX_ROWS, "must be exactly 0"),
        ("returns (weights, out)", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    if causal:
        S = np.where(M, S, -np.inf)
    S = S - S.max(axis=-1, keepdims=True)
    W = np.exp(S) / np.exp(S).sum(axis=-1, keepdims=True)
    return W, W @ V
''', "wrong order: (weights, out)"),
        ("always causal (ignores causal=False)", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    S = np.where(M, S, -np.inf)''' + SOFTMAX_ROWS, "ignores causal=False"),
        ("returns the masked scores as weights", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    if causal:
        S = np.where(M, S, -np.inf)
    E = np.exp(S - S.max(axis=-1, keepdims=True))
    return (E / E.sum(-1, keepdims=True)) @ V, S
''', "return the weights *after* the softmax"),
        ("weights @ X instead of weights @ V", SA_HEAD + '''
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(dk)
    if causal:
        S = np.where(M, S, -np.inf)
    S = S - S.max(axis=-1, keepdims=True)
    W = np.exp(S) / np.exp(S).sum(axis=-1, keepdims=True)
    return W @ X, W
''', "uses the inputs X as values"),
        ("calls torch's scaled_dot_product_attention", '''
import torch as _t
import torch.nn.functional as _F
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = (_t.from_numpy(np.ascontiguousarray(a)) for a in qkv_projection(X, Wq, Wk, Wv))
    out = _F.scaled_dot_product_attention(Q, K, V, is_causal=causal).numpy()
    S = (Q @ K.transpose(1, 2)).numpy() / np.sqrt(Wq.shape[1])
    T = X.shape[1]
    if causal:
        S = np.where(np.tril(np.ones((T, T), dtype=bool)), S, -np.inf)
    E = np.exp(S - S.max(-1, keepdims=True))
    return out, E / E.sum(-1, keepdims=True)
''', "must be written from scratch"),
        ("torch's softmax imported under another name", '''
import torch as _t
from torch import softmax as _smx
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    T = X.shape[1]
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(Wq.shape[1])
    if causal:
        S = np.where(causal_mask(T), S, -np.inf)
    W = _smx(_t.from_numpy(S), dim=-1).numpy()
    return W @ V, W
''', "must be written from scratch"),
        ("lesson 07's library masked_softmax", '''
from lstmlab.attention import masked_softmax as _ms
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(Wq.shape[1])
    W = _ms(S, causal_mask(X.shape[1]) if causal else None)
    return W @ V, W
''', "must be written from scratch"),
        ("torch.nn.MultiheadAttention", '''
import torch as _t
def self_attention(X, Wq, Wk, Wv, causal=True):
    B, T, D = X.shape
    mha = _t.nn.MultiheadAttention(D, 1, bias=False, batch_first=True, kdim=D, vdim=D).double()
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(Wq.shape[1])
    if causal:
        S = np.where(causal_mask(T), S, -np.inf)
    E = np.exp(S - S.max(-1, keepdims=True))
    W = E / E.sum(-1, keepdims=True)
    return W @ V, W
''', "must be written from scratch"),
    ],
    "positional_encoding": [
        ("sin and cos swapped", PE_HEAD + '''
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.cos(pos / 10000 ** (two_i / d))
    pe[:, 1::2] = np.sin(pos / 10000 ** (two_i / d))
    return pe
''', "sin and cos swapped"),
        ("column index j in the exponent", '''
def positional_encoding(T, d):
    pe = np.zeros((T, d))
    for p in range(T):
        for j in range(d):
            angle = p / 10000 ** (j / d)
            pe[p, j] = np.sin(angle) if j % 2 == 0 else np.cos(angle)
    return pe
''', "column index j in the exponent"),
        ("exponent i/d", PE_HEAD + '''
    pe = np.zeros((T, d))
    i = np.arange(d // 2)
    pe[:, 0::2] = np.sin(pos / 10000 ** (i / d))
    pe[:, 1::2] = np.cos(pos / 10000 ** (i / d))
    return pe
''', "exponent is i/d"),
        ("sines first, cosines after", PE_HEAD + '''
    angle = pos / 10000 ** (two_i / d)
    return np.concatenate([np.sin(angle), np.cos(angle)], axis=1)
''', "all the sines first"),
        ("positions start at 1", PE_HEAD + '''
    pos = pos + 1
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(pos / 10000 ** (two_i / d))
    pe[:, 1::2] = np.cos(pos / 10000 ** (two_i / d))
    return pe
''', "start at 1"),
        ("multiplies instead of divides", PE_HEAD + '''
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(pos * 10000 ** (two_i / d))
    pe[:, 1::2] = np.cos(pos * 10000 ** (two_i / d))
    return pe
''', "multiplies the position"),
        ("base 1000", PE_HEAD + '''
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(pos / 1000 ** (two_i / d))
    pe[:, 1::2] = np.cos(pos / 1000 ** (two_i / d))
    return pe
''', "base 1000"),
        ("transposed (d, T)", PE_HEAD + '''
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(pos / 10000 ** (two_i / d))
    pe[:, 1::2] = np.cos(pos / 10000 ** (two_i / d))
    return pe.T
''', "transpose it"),
        ("calls the library's reference", '''
from lstmlab import self_attention as _sa
def positional_encoding(T, d):
    return _sa.positional_encoding(T, d)
''', "must be written from scratch"),
    ],
}

RIGHT = {
    "causal_mask": [
        ("comparison of index grids", '''
def causal_mask(T):
    i = np.arange(T)
    return i[None, :] <= i[:, None]
'''),
        ("double loop", '''
def causal_mask(T):
    m = np.zeros((T, T), dtype=bool)
    for i in range(T):
        for j in range(i + 1):
            m[i, j] = True
    return m
'''),
        ("not the strict upper triangle", '''
def causal_mask(T):
    return ~np.triu(np.ones((T, T), dtype=bool), k=1)
'''),
        ("torch.tril, converted", '''
import torch as _t
def causal_mask(T):
    return _t.tril(_t.ones(T, T, dtype=_t.bool)).numpy()
'''),
    ],
    "qkv_projection": [
        ("einsum", '''
def qkv_projection(X, Wq, Wk, Wv):
    return tuple(np.einsum("btd,de->bte", X, W) for W in (Wq, Wk, Wv))
'''),
        ("loop over the batch", '''
def qkv_projection(X, Wq, Wk, Wv):
    Q = np.stack([x @ Wq for x in X])
    K = np.stack([x @ Wk for x in X])
    V = np.stack([x @ Wv for x in X])
    return Q, K, V
'''),
        ("one fused matrix, then split", '''
def qkv_projection(X, Wq, Wk, Wv):
    dk = Wq.shape[1]
    QKV = X @ np.concatenate([Wq, Wk, Wv], axis=1)
    return QKV[..., :dk], QKV[..., dk:2 * dk], QKV[..., 2 * dk:]
'''),
        ("reshape to 2-d and back, float64 inside", '''
def qkv_projection(X, Wq, Wk, Wv):
    B, T, D = X.shape
    X2 = X.reshape(B * T, D).astype(np.float64)
    return [(X2 @ W.astype(np.float64)).reshape(B, T, -1) for W in (Wq, Wk, Wv)]
'''),
    ],
    "self_attention": [
        ("loops over sequences and rows", '''
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    B, T, _ = X.shape
    out = np.zeros((B, T, V.shape[-1]), dtype=np.result_type(X, Wv))
    W = np.zeros((B, T, T), dtype=out.dtype)
    for b in range(B):
        for i in range(T):
            last = i + 1 if causal else T
            s = Q[b, i] @ K[b, :last].T / np.sqrt(Q.shape[-1])
            e = np.exp(s - s.max())
            W[b, i, :last] = e / e.sum()
            out[b, i] = W[b, i] @ V[b]
    return out, W
'''),
        ("einsum, additive -1e9 mask", '''
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    T = X.shape[1]
    S = np.einsum("bid,bjd->bij", Q, K) / np.sqrt(Q.shape[-1])
    if causal:
        S = S + np.where(causal_mask(T), 0.0, -1e9)
    S = S - S.max(-1, keepdims=True)
    W = np.exp(S)
    W /= W.sum(-1, keepdims=True)
    return np.einsum("bij,bjd->bid", W, V), W
'''),
        ("logsumexp, float64 inside", '''
def self_attention(X, Wq, Wk, Wv, causal=True):
    X, Wq, Wk, Wv = (np.asarray(a, dtype=np.float64) for a in (X, Wq, Wk, Wv))
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Wq.shape[1])
    if causal:
        S[:, ~causal_mask(X.shape[1])] = -np.inf
    m = S.max(-1, keepdims=True)
    lse = m + np.log(np.exp(S - m).sum(-1, keepdims=True))
    W = np.exp(S - lse)
    return W @ V, W
'''),
        ("max over the allowed positions, then mask after exp", '''
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    T = X.shape[1]
    M = causal_mask(T) if causal else np.ones((T, T), dtype=bool)
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(Q.shape[-1])
    top = np.where(M, S, -np.inf).max(-1, keepdims=True)
    E = np.where(M, np.exp(np.minimum(S - top, 0.0)), 0.0)
    W = E / E.sum(-1, keepdims=True)
    return W @ V, W
'''),
        ("torch tensor arithmetic without softmax", '''
import torch as _t
def self_attention(X, Wq, Wk, Wv, causal=True):
    Xt, Wqt, Wkt, Wvt = (_t.from_numpy(np.ascontiguousarray(a)) for a in (X, Wq, Wk, Wv))
    Q, K, V = Xt @ Wqt, Xt @ Wkt, Xt @ Wvt
    S = Q @ K.transpose(1, 2) / Q.shape[-1] ** 0.5
    T = X.shape[1]
    if causal:
        S = S.masked_fill(~_t.ones(T, T, dtype=_t.bool).tril(), float("-inf"))
    E = _t.exp(S - S.amax(-1, keepdim=True))
    W = E / E.sum(-1, keepdim=True)
    return (W @ V).numpy(), W.numpy()
'''),
    ],
    "positional_encoding": [
        ("double loop with math", '''
import math as _m
def positional_encoding(T, d):
    pe = np.zeros((T, d))
    for p in range(T):
        for i in range(d // 2):
            angle = p / 10000 ** (2 * i / d)
            pe[p, 2 * i] = _m.sin(angle)
            pe[p, 2 * i + 1] = _m.cos(angle)
    return pe
'''),
        ("exp-log form of the PyTorch tutorial", '''
def positional_encoding(T, d):
    position = np.arange(T)[:, None]
    div_term = np.exp(np.arange(0, d, 2) * (-np.log(10000.0) / d))
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(position * div_term)
    pe[:, 1::2] = np.cos(position * div_term)
    return pe
'''),
        ("interleave by stack and reshape, float32", '''
def positional_encoding(T, d):
    angle = np.arange(T)[:, None] / np.power(10000.0, np.arange(0, d, 2) / d)
    return np.stack([np.sin(angle), np.cos(angle)], axis=-1).reshape(T, d).astype(np.float32)
'''),
    ],
}


# --- issue 11: more plausible mistakes and correct alternatives (float32, thresholds, return types, ...) ---

WRONG["causal_mask"] += [
    ('nested lists of bools', '''
def causal_mask(T):
    return [[j <= i for j in range(T)] for i in range(T)]
''', 'causal_mask(4) should be a numpy array, got a list'),
    ('a torch bool tensor', '''
import torch as _t
def causal_mask(T):
    return _t.tril(_t.ones(T, T, dtype=_t.bool))
''', 'causal_mask(4) should be a numpy array, got a torch tensor'),
    ('triu with k=0 (upper triangle, diagonal kept)', '''
def causal_mask(T):
    return np.triu(np.ones((T, T), dtype=bool))
''', 'Your mask lets position i see the future: rows are the'),
    ('int mask from np.tri', '''
def causal_mask(T):
    return np.tri(T, dtype=int)
''', '0/1 numbers; return dtype bool'),
]
WRONG["qkv_projection"] += [
    ('flattened positions (B*T, d)', '''
def qkv_projection(X, Wq, Wk, Wv):
    Xf = X.reshape(-1, X.shape[-1])
    return Xf @ Wq, Xf @ Wk, Xf @ Wv
''', 'Your Q has the positions of all sequences flattened'),
    ('lists of arrays', '''
def qkv_projection(X, Wq, Wk, Wv):
    return [list(X @ Wq), list(X @ Wk), list(X @ Wv)]
''', 'Q should be a numpy array, got a list'),
    ('last two axes swapped', '''
def qkv_projection(X, Wq, Wk, Wv):
    return tuple(np.einsum("btd,dk->bkt", X, W) for W in (Wq, Wk, Wv))
''', 'Your Q has its last two axes swapped, (B, d, T): Q = X @ Wq'),
    ('returns (Q, V, K)', '''
def qkv_projection(X, Wq, Wk, Wv):
    return X @ Wq, X @ Wv, X @ Wk
''', 'qkv_projection returned its values in the wrong order: (Q,'),
]
WRONG["self_attention"] += [
    ('one maximum for the whole batch', '''
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(Q.shape[-1])
    if causal:
        S = np.where(causal_mask(X.shape[1]), S, -np.inf)
    e = np.exp(S - S.max())
    w = e / e.sum(-1, keepdims=True)
    return w @ V, w
''', 'Your attention gives NaN or all-zero weights when the rows'),
    ('one maximum per sequence', '''
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(Q.shape[-1])
    if causal:
        S = np.where(causal_mask(X.shape[1]), S, -np.inf)
    e = np.exp(S - S.max(axis=(1, 2), keepdims=True))
    w = e / e.sum(-1, keepdims=True)
    return w @ V, w
''', 'Your attention gives NaN or all-zero weights when the rows'),
    ('forbidden scores set to -100', '''
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(Q.shape[-1])
    if causal:
        S = np.where(causal_mask(X.shape[1]), S, -100.0)
    S = S - S.max(-1, keepdims=True)
    e = np.exp(S)
    w = e / e.sum(-1, keepdims=True)
    return w @ V, w
''', 'Your weights give the future positions (j > i) weight up to'),
    ('no max subtraction in float32 (exp(100) overflows)', '''
import math
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    S = Q @ K.transpose(0, 2, 1) / math.sqrt(Q.shape[-1])
    if causal:
        S = np.where(causal_mask(X.shape[1]), S, -np.inf)
    if X.dtype == np.float64:
        S = S - S.max(-1, keepdims=True)
    e = np.exp(S)
    w = e / e.sum(-1, keepdims=True)
    return w @ V, w
''', 'case: float32 scores around 100'),
    ('weights as nested lists', '''
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(Q.shape[-1])
    if causal:
        S = np.where(causal_mask(X.shape[1]), S, -np.inf)
    S = S - S.max(-1, keepdims=True)
    e = np.exp(S)
    w = e / e.sum(-1, keepdims=True)
    return w @ V, w.tolist()
''', 'weights should be a numpy array, got a list'),
]
WRONG["positional_encoding"] += [
    ('returns a list', '''
def positional_encoding(T, d):
    pos = np.arange(T)[:, None]
    freq = 1.0 / 10000 ** (np.arange(0, d, 2) / d)
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(pos * freq)
    pe[:, 1::2] = np.cos(pos * freq)
    return pe.tolist()
''', 'your encoding should be a numpy array, got a list'),
    ('integer division in the exponent', '''
def positional_encoding(T, d):
    pos = np.arange(T)[:, None]
    freq = 1.0 / 10000 ** (np.arange(0, d, 2) // d)
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(pos * freq)
    pe[:, 1::2] = np.cos(pos * freq)
    return pe
''', 'Your exponent uses integer division, 2i // d (always 0'),
    ('cos in even columns', '''
def positional_encoding(T, d):
    pos = np.arange(T)[:, None]
    freq = 1.0 / 10000 ** (np.arange(0, d, 2) / d)
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.cos(pos * freq)
    pe[:, 1::2] = np.sin(pos * freq)
    return pe
''', 'Your encoding has sin and cos swapped: even columns 2i hold'),
]
RIGHT["causal_mask"] += [
    ('np.tri with dtype bool', '''
def causal_mask(T):
    return np.tri(T, dtype=bool)
'''),
    ('not the strict upper triangle, via triu_indices', '''
def causal_mask(T):
    m = np.ones((T, T), dtype=bool)
    m[np.triu_indices(T, k=1)] = False
    return m
'''),
]
RIGHT["qkv_projection"] += [
    ('float32 tensordot', '''
def qkv_projection(X, Wq, Wk, Wv):
    return tuple(np.tensordot(X, W, axes=([2], [0])) for W in (Wq, Wk, Wv))
'''),
    ('matmul of each sequence, stacked', '''
def qkv_projection(X, Wq, Wk, Wv):
    Q = np.stack([x @ Wq for x in X])
    K = np.stack([x @ Wk for x in X])
    V = np.stack([np.matmul(x, Wv) for x in X])
    return Q, K, V
'''),
]
RIGHT["self_attention"] += [
    ('float32 throughout, tri mask, einsum', '''
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = X @ Wq, X @ Wk, X @ Wv
    S = np.einsum("bid,bjd->bij", Q, K) * np.asarray(1 / np.sqrt(Q.shape[-1]), dtype=X.dtype)
    if causal:
        S = np.where(np.tri(X.shape[1], dtype=bool), S, -np.inf)
    S = S - S.max(-1, keepdims=True)
    e = np.exp(S)
    w = e / e.sum(-1, keepdims=True)
    return np.einsum("bij,bjd->bid", w, V), w
'''),
    ('-1e30 fill, per-row max, then the mask multiplied in', '''
def self_attention(X, Wq, Wk, Wv, causal=True):
    Q, K, V = qkv_projection(X, Wq, Wk, Wv)
    T = X.shape[1]
    M = causal_mask(T) if causal else np.ones((T, T), dtype=bool)
    S = np.where(M, Q @ np.swapaxes(K, -1, -2) / Q.shape[-1] ** 0.5, -1e30)
    e = np.exp(S - S.max(-1, keepdims=True)) * M
    w = e / e.sum(-1, keepdims=True)
    return w @ V, w
'''),
]
RIGHT["positional_encoding"] += [
    ('exp of a log, float32 angles kept float64 result', '''
def positional_encoding(T, d):
    pos = np.arange(T, dtype=np.float64)[:, None]
    freq = np.exp(-np.log(10000.0) * np.arange(0, d, 2) / d)
    ang = pos * freq
    return np.stack([np.sin(ang), np.cos(ang)], axis=-1).reshape(T, d)
'''),
    ('float32 throughout', '''
def positional_encoding(T, d):
    pos = np.arange(T, dtype=np.float32)[:, None]
    freq = (np.float32(10000.0) ** (-np.arange(0, d, 2, dtype=np.float32) / np.float32(d))).astype(np.float32)
    pe = np.empty((T, d), dtype=np.float32)
    pe[:, 0::2] = np.sin(pos * freq)
    pe[:, 1::2] = np.cos(pos * freq)
    return pe
'''),
]
