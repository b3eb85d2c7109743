"""Lesson 08 bank: wrong implementations that must lose points, and correct ones that must keep them.

WRONG[exercise] = [(name, source, fragment)]: the exercise's test cell must fail, and its message
must contain `fragment` (the diagnosis names the mistake); fragment None = any failure.
RIGHT[exercise] = [(name, source)]: the test cell, hidden tests included, must pass.
Sources run in the notebook's namespace (np is defined there).
"""

LOSS_HEAD = '''
def temporal_softmax_loss(logits, targets, mask):
    mask = np.asarray(mask).astype(bool)
    B, T, V = logits.shape
    n = max(int(mask.sum()), 1)
    z = logits - logits.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    nll = -np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]
    onehot = np.eye(V)[targets]
    probs = np.exp(logp)
'''

EMB_FWD = '''
def embedding_forward(idx, W):
    return W[idx], (idx, W.shape[0])
'''

EMB_BWD = '''
def embedding_backward(dout, cache):
    idx, V = cache
    dW = np.zeros((V, dout.shape[-1]), dtype=dout.dtype)
    np.add.at(dW, idx, dout)
    return dW
'''

SAMPLE_SOFTMAX = '''
def _probs(logits, temperature):
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
'''

WRONG = {
    "temporal_softmax_loss": [
        ("mean over B*T including padding", LOSS_HEAD + '''
    loss = float((nll * mask).sum() / (B * T))
    return loss, (probs - onehot) * mask[..., None] / (B * T)
''', "divides by B*T"),
        ("mean per sequence then over the batch", LOSS_HEAD + '''
    lengths = np.maximum(mask.sum(1), 1)
    loss = float(((nll * mask).sum(1) / lengths).mean())
    return loss, (probs - onehot) * mask[..., None] / lengths[:, None, None] / B
''', "averages each sequence first"),
        ("mask forgotten in the gradient", LOSS_HEAD + '''
    loss = float((nll * mask).sum() / n)
    return loss, (probs - onehot) / n
''', "not zero at padding"),
        ("gradient not divided by the count", LOSS_HEAD + '''
    loss = float((nll * mask).sum() / n)
    return loss, (probs - onehot) * mask[..., None]
''', "not divided by the number of real positions"),
        ("unstable softmax", '''
def temporal_softmax_loss(logits, targets, mask):
    mask = np.asarray(mask).astype(bool)
    B, T, V = logits.shape
    n = int(mask.sum())
    e = np.exp(logits)
    probs = e / e.sum(axis=-1, keepdims=True)
    p = np.take_along_axis(probs, targets[..., None], axis=-1)[..., 0]
    loss = float(-(np.log(p) * mask).sum() / n)
    return loss, (probs - np.eye(V)[targets]) * mask[..., None] / n
''', "exp overflowed"),
        ("one-hot off by one", LOSS_HEAD + '''
    loss = float((nll * mask).sum() / n)
    return loss, (probs - np.eye(V)[targets - 1]) * mask[..., None] / n
''', "off by one"),
        ("mask ignored in the loss", LOSS_HEAD + '''
    loss = float(nll.mean())
    return loss, (probs - onehot) * mask[..., None] / n
''', "ignores the mask"),
        ("gradient sign flipped", LOSS_HEAD + '''
    loss = float((nll * mask).sum() / n)
    return loss, (onehot - probs) * mask[..., None] / n
''', "wrong sign"),
        ("returns (dlogits, loss)", LOSS_HEAD + '''
    loss = float((nll * mask).sum() / n)
    return (probs - onehot) * mask[..., None] / n, loss
''', "wrong order"),
        ("changes logits in place", '''
def temporal_softmax_loss(logits, targets, mask):
    mask = np.asarray(mask).astype(bool)
    B, T, V = logits.shape
    n = max(int(mask.sum()), 1)
    logits -= logits.max(axis=-1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    nll = -np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]
    return float((nll * mask).sum() / n), (np.exp(logp) - np.eye(V)[targets]) * mask[..., None] / n
''', "in place"),
        ("a sum, not a mean", LOSS_HEAD + '''
    return float((nll * mask).sum()), (probs - onehot) * mask[..., None]
''', "the sum over real positions"),
    ],
    "embedding": [
        ("dW[idx] += dout drops repeats", EMB_FWD + '''
def embedding_backward(dout, cache):
    idx, V = cache
    dW = np.zeros((V, dout.shape[-1]))
    dW[idx] += dout
    return dW
''', "keeps only one of the repeats"),
        ("fancy-index assignment", EMB_FWD + '''
def embedding_backward(dout, cache):
    idx, V = cache
    dW = np.zeros((V, dout.shape[-1]))
    dW[idx] = dout
    return dW
''', "keeps only one of the repeats"),
        ("forward flattens (B*T, D)", '''
def embedding_forward(idx, W):
    return W[idx.ravel()], (idx, W.shape[0])
''' + EMB_BWD, "keep the batch and time axes"),
        ("dW transposed", EMB_FWD + '''
def embedding_backward(dout, cache):
    idx, V = cache
    dW = np.zeros((V, dout.shape[-1]))
    np.add.at(dW, idx, dout)
    return dW.T
''', "it has the shape of W"),
        ("dW is dout", EMB_FWD + '''
def embedding_backward(dout, cache):
    return dout.copy()
''', "the shape of dout"),
        ("forward normalises W in place", '''
def embedding_forward(idx, W):
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    return W[idx], (idx, W.shape[0])
''' + EMB_BWD, "changed its input W in place"),
        ("backward writes into W kept in the cache", '''
def embedding_forward(idx, W):
    return W[idx], (idx, W)
def embedding_backward(dout, cache):
    idx, W = cache
    W[:] = 0.0
    np.add.at(W, idx, dout)
    return W
''', "in place"),
        ("out is a view of W", '''
def embedding_forward(idx, W):
    if np.all(idx == idx.flat[0]):
        k = int(idx.flat[0])
        out = np.lib.stride_tricks.as_strided(W[k], shape=idx.shape + (W.shape[1],),
                                              strides=(0, 0, W.strides[1]))
        return out, (idx, W.shape[0])
    return W[idx], (idx, W.shape[0])
''' + EMB_BWD, "view of W"),
        ("averages repeats", EMB_FWD + '''
def embedding_backward(dout, cache):
    idx, V = cache
    dW = np.zeros((V, dout.shape[-1]))
    np.add.at(dW, idx, dout)
    counts = np.bincount(idx.ravel(), minlength=V)
    return dW / np.maximum(counts, 1)[:, None]
''', "averages the gradients"),
    ],
    "sample_next": [
        ("multiplies by the temperature", SAMPLE_SOFTMAX + '''
def sample_next(logits, temperature, rng):
    if temperature <= 1e-8:
        return np.argmax(logits, axis=-1)
    p = _probs(np.asarray(logits, dtype=np.float64) * temperature ** 2, temperature)
    u = rng.random(p.shape[0])
    return np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(-1), p.shape[-1] - 1)
''', "multiplied the logits by the temperature"),
        ("ignores the rng (np.random global)", SAMPLE_SOFTMAX + '''
def sample_next(logits, temperature, rng):
    if temperature <= 1e-8:
        return np.argmax(logits, axis=-1)
    p = _probs(logits, temperature)
    u = np.random.random(p.shape[0])
    return np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(-1), p.shape[-1] - 1)
''', "ignores the rng"),
        ("softmax without the max", '''
def sample_next(logits, temperature, rng):
    if temperature <= 1e-8:
        return np.argmax(logits, axis=-1)
    e = np.exp(np.asarray(logits, dtype=np.float64) / temperature)
    p = e / e.sum(axis=-1, keepdims=True)
    u = rng.random(p.shape[0])
    return np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(-1), p.shape[-1] - 1)
''', "overflows"),
        ("temperature 0 divides by zero", SAMPLE_SOFTMAX + '''
def sample_next(logits, temperature, rng):
    p = _probs(logits, temperature)
    u = rng.random(p.shape[0])
    return np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(-1), p.shape[-1] - 1)
''', "greedy"),
        ("greedy threshold too high", SAMPLE_SOFTMAX + '''
def sample_next(logits, temperature, rng):
    if temperature < 1e-3:
        return np.argmax(logits, axis=-1)
    p = _probs(logits, temperature)
    u = rng.random(p.shape[0])
    return np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(-1), p.shape[-1] - 1)
''', "only temperature <= 1e-8 is greedy"),
        ("Gumbel-max instead of the fixed rule", '''
def sample_next(logits, temperature, rng):
    if temperature <= 1e-8:
        return np.argmax(logits, axis=-1)
    z = np.asarray(logits, dtype=np.float64) / temperature
    return np.argmax(z + rng.gumbel(size=z.shape), axis=-1)
''', "right distribution"),
        ("softmax over the batch axis", '''
def sample_next(logits, temperature, rng):
    if temperature <= 1e-8:
        return np.argmax(logits, axis=-1)
    z = np.asarray(logits, dtype=np.float64) / temperature
    e = np.exp(z - z.max(axis=0, keepdims=True))
    p = (e / e.sum(axis=0, keepdims=True))
    u = rng.random(p.shape[0])
    return np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(-1), p.shape[-1] - 1)
''', None),
        ("float ids", SAMPLE_SOFTMAX + '''
def sample_next(logits, temperature, rng):
    if temperature <= 1e-8:
        return np.argmax(logits, axis=-1).astype(float)
    p = _probs(logits, temperature)
    u = rng.random(p.shape[0])
    return np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(-1), p.shape[-1] - 1).astype(float)
''', "integer ids"),
    ],
    "perplexity": [
        ("log base 2", '''
def perplexity(log_likelihoods, mask):
    m = np.asarray(mask).astype(bool)
    return float(2.0 ** (-log_likelihoods[m].mean()))
''', "base 2"),
        ("log base 10", '''
def perplexity(log_likelihoods, mask):
    m = np.asarray(mask).astype(bool)
    return float(10.0 ** (-log_likelihoods[m].mean()))
''', "base 10"),
        ("per sequence, then across sequences", '''
def perplexity(log_likelihoods, mask):
    m = np.asarray(mask).astype(bool)
    per_seq = [-(log_likelihoods[b][m[b]]).mean() for b in range(len(m))]
    return float(np.exp(np.mean(per_seq)))
''', "averaged per sequence first"),
        ("padding included", '''
def perplexity(log_likelihoods, mask):
    return float(np.exp(-np.mean(log_likelihoods)))
''', "counts the padding"),
        ("mean NLL, no exp", '''
def perplexity(log_likelihoods, mask):
    m = np.asarray(mask).astype(bool)
    return float(-log_likelihoods[m].mean())
''', "mean negative log-likelihood itself"),
        ("divides by B*T", '''
def perplexity(log_likelihoods, mask):
    m = np.asarray(mask).astype(bool)
    return float(np.exp(-(log_likelihoods * m).sum() / m.size))
''', "divided the sum over real tokens by B*T"),
        ("mean of per-sequence perplexities", '''
def perplexity(log_likelihoods, mask):
    m = np.asarray(mask).astype(bool)
    return float(np.mean([np.exp(-(log_likelihoods[b][m[b]]).mean()) for b in range(len(m))]))
''', "averaged the per-sequence perplexities"),
        ("returns a 1-element array", '''
def perplexity(log_likelihoods, mask):
    m = np.asarray(mask).astype(bool)
    return np.exp(-log_likelihoods[m].mean(keepdims=True))
''', "take the number out"),
    ],
}

RIGHT = {
    "temporal_softmax_loss": [
        ("loops over positions", '''
def temporal_softmax_loss(logits, targets, mask):
    B, T, V = logits.shape
    dlogits = np.zeros_like(logits)
    total, n = 0.0, 0
    for b in range(B):
        for t in range(T):
            if not mask[b, t]:
                continue
            z = logits[b, t] - logits[b, t].max()
            p = np.exp(z) / np.exp(z).sum()
            total -= z[targets[b, t]] - np.log(np.exp(z).sum())
            p[targets[b, t]] -= 1.0
            dlogits[b, t] = p
            n += 1
    if n == 0:
        return 0.0, dlogits
    return total / n, dlogits / n
'''),
        ("flattened with logsumexp-style shift", '''
def temporal_softmax_loss(logits, targets, mask):
    B, T, V = logits.shape
    flat = logits.reshape(-1, V)
    y = targets.reshape(-1)
    m = np.asarray(mask, dtype=bool).reshape(-1)
    n = max(m.sum(), 1)
    mx = flat.max(axis=1, keepdims=True)
    lse = mx[:, 0] + np.log(np.exp(flat - mx).sum(axis=1))
    nll = lse - flat[np.arange(len(y)), y]
    loss = nll[m].sum() / n
    d = np.exp(flat - lse[:, None])
    d[np.arange(len(y)), y] -= 1
    d = np.where(m[:, None], d, 0.0) / n
    return float(loss), d.reshape(B, T, V).astype(logits.dtype)
'''),
    ],
    "embedding": [
        ("one-hot matrix products", '''
def embedding_forward(idx, W):
    onehot = np.eye(W.shape[0], dtype=W.dtype)[idx]      # (B, T, V)
    return onehot @ W, (onehot,)
def embedding_backward(dout, cache):
    onehot, = cache
    B, T, V = onehot.shape
    return onehot.reshape(-1, V).T @ dout.reshape(B * T, -1)
'''),
        ("loops", '''
def embedding_forward(idx, W):
    B, T = idx.shape
    out = np.empty((B, T, W.shape[1]), dtype=W.dtype)
    for b in range(B):
        for t in range(T):
            out[b, t] = W[idx[b, t]]
    return out, {"idx": idx, "V": W.shape[0]}
def embedding_backward(dout, cache):
    idx, V = cache["idx"], cache["V"]
    dW = np.zeros((V, dout.shape[2]), dtype=dout.dtype)
    for b in range(idx.shape[0]):
        for t in range(idx.shape[1]):
            dW[idx[b, t]] += dout[b, t]
    return dW
'''),
        ("np.take and bincount per column", '''
def embedding_forward(idx, W):
    return np.take(W, idx, axis=0), (idx, W.shape[0])
def embedding_backward(dout, cache):
    idx, V = cache
    D = dout.shape[-1]
    flat = dout.reshape(-1, D)
    return np.stack([np.bincount(idx.ravel(), weights=flat[:, d], minlength=V) for d in range(D)], axis=1).astype(dout.dtype)
'''),
    ],
    "sample_next": [
        ("searchsorted per row", SAMPLE_SOFTMAX + '''
def sample_next(logits, temperature, rng):
    if temperature <= 1e-8:
        return np.argmax(logits, axis=-1)
    p = _probs(logits, temperature)
    u = rng.random(p.shape[0])
    out = np.empty(p.shape[0], dtype=np.int64)
    for b in range(p.shape[0]):
        k = int(np.searchsorted(np.cumsum(p[b]), u[b], side="right"))
        out[b] = min(k, p.shape[1] - 1)
    return out
'''),
        ("loop with one rng.random() per row, log-sum-exp", '''
def sample_next(logits, temperature, rng):
    logits = np.asarray(logits, dtype=np.float64)
    if temperature <= 1e-8:
        return logits.argmax(axis=1)
    z = logits / temperature
    logp = z - (z.max(1, keepdims=True) + np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)))
    u = rng.random(len(z))
    ids = []
    for b in range(len(z)):
        acc, k = 0.0, 0
        for k, lp in enumerate(logp[b]):
            acc += np.exp(lp)
            if acc > u[b]:
                break
        ids.append(k)
    return np.array(ids)
'''),
        ("rng.choice row by row (one uniform per call, the same inverse CDF)", SAMPLE_SOFTMAX + '''
def sample_next(logits, temperature, rng):
    if temperature <= 1e-8:
        return np.argmax(logits, axis=-1)
    p = _probs(logits, temperature)
    return np.array([rng.choice(p.shape[-1], p=row) for row in p])
'''),
    ],
    "perplexity": [
        ("weighted by the mask", '''
def perplexity(log_likelihoods, mask):
    m = np.asarray(mask, dtype=np.float64)
    return float(np.exp(-(np.where(m > 0, log_likelihoods, 0.0)).sum() / m.sum()))
'''),
        ("via log2 and powers of 2", '''
def perplexity(log_likelihoods, mask):
    m = np.asarray(mask).astype(bool)
    bits = -log_likelihoods[m].astype(np.float64).sum() / np.log(2) / m.sum()
    return float(2.0 ** bits)
'''),
    ],
}
