"""Lesson 09 bank: wrong implementations that must lose points, and correct ones that must keep them.

WRONG[exercise] = [(name, source, fragment)]: the exercise's test cell must fail, and its message
must contain `fragment` (the diagnosis names the mistake); fragment None = any failure.
RIGHT[exercise] = [(name, source)]: the test cell, hidden tests included, must pass.
Sources run in the notebook's namespace (np, sigmoid, ... are defined there).
"""

ZONE_HEAD = '''
def zoneout_lstm_step(x, h_prev, c_prev, Wx, Wh, b, zoneout_h, zoneout_c, rng, training=True):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c_new = f * c_prev + i * g
    h_new = o * np.tanh(c_new)
'''

LN_HEAD = '''
def ln_lstm_step(x, h_prev, c_prev, Wx, Wh, b, gx, bx, gh, bh, gc, bc, eps=1e-5):
    H = h_prev.shape[1]
'''
LN_GATES = '''
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * c_prev + i * g
'''

WRONG = {
    "locked_dropout": [
        ("a new mask at every step", '''
def locked_dropout(x, p, rng, training=True):
    if not training or p == 0:
        return x.copy()
    return x * (rng.random(x.shape) >= p) / (1 - p)
''', "changes from one time step to the next"),
        ("scaled by (1 - p)", '''
def locked_dropout(x, p, rng, training=True):
    if not training or p == 0:
        return x.copy()
    B, T, D = x.shape
    return x * (rng.random((B, 1, D)) >= p) * (1 - p)
''', "multiplied the kept units by (1 - p)"),
        ("no scaling", '''
def locked_dropout(x, p, rng, training=True):
    if not training or p == 0:
        return x.copy()
    B, T, D = x.shape
    return x * (rng.random((B, 1, D)) >= p)
''', "did not scale the kept units"),
        ("one mask shared by the batch", '''
def locked_dropout(x, p, rng, training=True):
    if not training or p == 0:
        return x.copy()
    B, T, D = x.shape
    return x * (rng.random((1, 1, D)) >= p) / (1 - p)
''', "same mask"),
        ("one value per sequence, not per feature", '''
def locked_dropout(x, p, rng, training=True):
    if not training or p == 0:
        return x.copy()
    B, T, D = x.shape
    return x * (rng.random((B, 1, 1)) >= p) / (1 - p)
''', "drops whole sequences"),
        ("mutates x", '''
def locked_dropout(x, p, rng, training=True):
    if not training or p == 0:
        return x
    B, T, D = x.shape
    x *= (rng.random((B, 1, D)) >= p) / (1 - p)
    return x
''', "in place"),
        ("p read as the keep probability", '''
def locked_dropout(x, p, rng, training=True):
    if not training or p == 0:
        return x.copy()
    B, T, D = x.shape
    return x * (rng.random((B, 1, D)) < p) / (1 - p)
''', "probability of DROPPING"),
        ("dropout at test time too", '''
def locked_dropout(x, p, rng, training=True):
    if p == 0:
        return x.copy()
    B, T, D = x.shape
    return x * (rng.random((B, 1, D)) >= p) / (1 - p)
''', "drops units at test time"),
        ("non-inverted scaling at test time", '''
def locked_dropout(x, p, rng, training=True):
    if not training:
        return x * (1 - p)
    if p == 0:
        return x.copy()
    B, T, D = x.shape
    return x * (rng.random((B, 1, D)) >= p) / (1 - p)
''', "non-inverted"),
        ("np.random instead of the given rng", '''
def locked_dropout(x, p, rng, training=True):
    if not training or p == 0:
        return x.copy()
    B, T, D = x.shape
    return x * (np.random.random((B, 1, D)) >= p) / (1 - p)
''', "same seed"),
    ],
    "zoneout_lstm_step": [
        ("the wrong way round", ZONE_HEAD + '''
    if not training:
        return zoneout_h * h_prev + (1 - zoneout_h) * h_new, zoneout_c * c_prev + (1 - zoneout_c) * c_new
    keep_c = rng.random(c_prev.shape) < 1 - zoneout_c
    keep_h = rng.random(h_prev.shape) < 1 - zoneout_h
    return np.where(keep_h, h_prev, h_new), np.where(keep_c, c_prev, c_new)
''', "wrong way round"),
        ("test time returns the new state", ZONE_HEAD + '''
    if not training:
        return h_new, c_new
    keep_c = rng.random(c_prev.shape) < zoneout_c
    keep_h = rng.random(h_prev.shape) < zoneout_h
    return np.where(keep_h, h_prev, h_new), np.where(keep_c, c_prev, c_new)
''', "expectation of the random choice"),
        ("dropout-style scaling", ZONE_HEAD + '''
    if not training:
        return zoneout_h * h_prev + (1 - zoneout_h) * h_new, zoneout_c * c_prev + (1 - zoneout_c) * c_new
    keep_c = rng.random(c_prev.shape) < zoneout_c
    keep_h = rng.random(h_prev.shape) < zoneout_h
    return (np.where(keep_h, h_prev, h_new / (1 - zoneout_h)), np.where(keep_c, c_prev, c_new / (1 - zoneout_c)))
''', "rescaled like dropout"),
        ("one mask for h and c", ZONE_HEAD + '''
    if not training:
        return zoneout_h * h_prev + (1 - zoneout_h) * h_new, zoneout_c * c_prev + (1 - zoneout_c) * c_new
    keep = rng.random(c_prev.shape) < zoneout_c
    return np.where(keep, h_prev, h_new), np.where(keep, c_prev, c_new)
''', "exactly the same units"),
        ("one uniform draw thresholded twice", ZONE_HEAD + '''
    if not training:
        return zoneout_h * h_prev + (1 - zoneout_h) * h_new, zoneout_c * c_prev + (1 - zoneout_c) * c_new
    u = rng.random(c_prev.shape)
    return np.where(u < zoneout_h, h_prev, h_new), np.where(u < zoneout_c, c_prev, c_new)
''', "same random numbers"),
        ("zoneout on the gates' pre-activations", '''
def zoneout_lstm_step(x, h_prev, c_prev, Wx, Wh, b, zoneout_h, zoneout_c, rng, training=True):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    if training:
        a = np.where(rng.random(a.shape) < zoneout_c, 0.0, a)
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * c_prev + i * g
    return o * np.tanh(c), c
''', "not on the gates"),
        ("h from the zoned c", ZONE_HEAD + '''
    if not training:
        c = zoneout_c * c_prev + (1 - zoneout_c) * c_new
        return zoneout_h * h_prev + (1 - zoneout_h) * o * np.tanh(c), c
    c = np.where(rng.random(c_prev.shape) < zoneout_c, c_prev, c_new)
    h = np.where(rng.random(h_prev.shape) < zoneout_h, h_prev, o * np.tanh(c))
    return h, c
''', "ZONED c"),
        ("rates swapped", ZONE_HEAD + '''
    if not training:
        return zoneout_h * h_prev + (1 - zoneout_h) * h_new, zoneout_c * c_prev + (1 - zoneout_c) * c_new
    keep_c = rng.random(c_prev.shape) < zoneout_h
    keep_h = rng.random(h_prev.shape) < zoneout_c
    return np.where(keep_h, h_prev, h_new), np.where(keep_c, c_prev, c_new)
''', "swapped the rates"),
        ("the expectation while training", ZONE_HEAD + '''
    return zoneout_h * h_prev + (1 - zoneout_h) * h_new, zoneout_c * c_prev + (1 - zoneout_c) * c_new
''', "EITHER"),
        ("returns (c, h)", ZONE_HEAD + '''
    if not training:
        return zoneout_c * c_prev + (1 - zoneout_c) * c_new, zoneout_h * h_prev + (1 - zoneout_h) * h_new
    keep_c = rng.random(c_prev.shape) < zoneout_c
    keep_h = rng.random(h_prev.shape) < zoneout_h
    return np.where(keep_c, c_prev, c_new), np.where(keep_h, h_prev, h_new)
''', "wrong order"),
    ],
    "ln_lstm_step": [
        ("LN over the batch axis", LN_HEAD + '''
    def ln(v, g, beta):
        return g * (v - v.mean(0, keepdims=True)) / np.sqrt(v.var(0, keepdims=True) + eps) + beta
    a = ln(x @ Wx, gx, bx) + ln(h_prev @ Wh, gh, bh) + b
''' + LN_GATES + '''
    return o * np.tanh(ln(c, gc, bc)), c
''', "BATCH axis"),
        ("one LN over the summed projections", LN_HEAD + '''
    def ln(v, g, beta):
        return g * (v - v.mean(-1, keepdims=True)) / np.sqrt(v.var(-1, keepdims=True) + eps) + beta
    a = ln(x @ Wx + h_prev @ Wh, gx, bx) + b
''' + LN_GATES + '''
    return o * np.tanh(ln(c, gc, bc)), c
''', "ONE layer norm"),
        ("no LN on c", LN_HEAD + '''
    def ln(v, g, beta):
        return g * (v - v.mean(-1, keepdims=True)) / np.sqrt(v.var(-1, keepdims=True) + eps) + beta
    a = ln(x @ Wx, gx, bx) + ln(h_prev @ Wh, gh, bh) + b
''' + LN_GATES + '''
    return o * np.tanh(c), c
''', "no layer norm on the cell"),
        ("eps outside the square root", LN_HEAD + '''
    def ln(v, g, beta):
        return g * (v - v.mean(-1, keepdims=True)) / (np.sqrt(v.var(-1, keepdims=True)) + eps) + beta
    a = ln(x @ Wx, gx, bx) + ln(h_prev @ Wh, gh, bh) + b
''' + LN_GATES + '''
    return o * np.tanh(ln(c, gc, bc)), c
''', "outside the square root"),
        ("unbiased variance", LN_HEAD + '''
    def ln(v, g, beta):
        return g * (v - v.mean(-1, keepdims=True)) / np.sqrt(v.var(-1, ddof=1, keepdims=True) + eps) + beta
    a = ln(x @ Wx, gx, bx) + ln(h_prev @ Wh, gh, bh) + b
''' + LN_GATES + '''
    return o * np.tanh(ln(c, gc, bc)), c
''', "unbiased variance"),
        ("returns the normalised cell", LN_HEAD + '''
    def ln(v, g, beta):
        return g * (v - v.mean(-1, keepdims=True)) / np.sqrt(v.var(-1, keepdims=True) + eps) + beta
    a = ln(x @ Wx, gx, bx) + ln(h_prev @ Wh, gh, bh) + b
''' + LN_GATES + '''
    cn = ln(c, gc, bc)
    return o * np.tanh(cn), cn
''', "NORMALISED cell"),
        ("no gains and biases", LN_HEAD + '''
    def ln(v, g, beta):
        return (v - v.mean(-1, keepdims=True)) / np.sqrt(v.var(-1, keepdims=True) + eps)
    a = ln(x @ Wx, gx, bx) + ln(h_prev @ Wh, gh, bh) + b
''' + LN_GATES + '''
    return o * np.tanh(ln(c, gc, bc)), c
''', "gains and biases"),
        ("calls torch's layer_norm", '''
import torch
import torch.nn.functional as F

def ln_lstm_step(x, h_prev, c_prev, Wx, Wh, b, gx, bx, gh, bh, gc, bc, eps=1e-5):
    H = h_prev.shape[1]
    t = lambda v: torch.from_numpy(np.asarray(v))
    ln = lambda v, g, beta: F.layer_norm(t(v), (v.shape[-1],), t(g), t(beta), eps).numpy()
    a = ln(x @ Wx, gx, bx) + ln(h_prev @ Wh, gh, bh) + b
''' + LN_GATES + '''
    return o * np.tanh(ln(c, gc, bc)), c
''', "layer_norm"),
    ],
}

RIGHT = {
    "locked_dropout": [
        ("binomial mask, np.broadcast_to", '''
def locked_dropout(x, p, rng, training=True):
    if not training or p == 0:
        return np.array(x, copy=True)
    B, T, D = x.shape
    mask = rng.binomial(1, 1 - p, size=(B, 1, D)) / (1 - p)
    return x * np.broadcast_to(mask, x.shape)
'''),
        ("loop over steps, np.where, dtype kept", '''
def locked_dropout(x, p, rng, training=True):
    out = x.copy()
    if not training or p == 0:
        return out
    keep = rng.uniform(size=(x.shape[0], x.shape[2])) >= p
    scale = np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
    for t in range(x.shape[1]):
        out[:, t, :] = np.where(keep, x[:, t, :] * scale, 0)
    return out
'''),
    ],
    "zoneout_lstm_step": [
        ("h mask first, arithmetic masks", ZONE_HEAD + '''
    if training:
        dh = (rng.random(h_prev.shape) < zoneout_h).astype(x.dtype)
        dc = (rng.random(c_prev.shape) < zoneout_c).astype(x.dtype)
    else:
        dh, dc = zoneout_h, zoneout_c
    return dh * h_prev + (1 - dh) * h_new, dc * c_prev + (1 - dc) * c_new
'''),
        ("binomial masks, separate gate matrices", '''
def zoneout_lstm_step(x, h_prev, c_prev, Wx, Wh, b, zoneout_h, zoneout_c, rng, training=True):
    H = h_prev.shape[1]
    pre = [x @ Wx[:, k * H:(k + 1) * H] + h_prev @ Wh[:, k * H:(k + 1) * H] + b[k * H:(k + 1) * H] for k in range(4)]
    i, f, o = (1 / (1 + np.exp(-pre[k])) for k in (0, 1, 3))
    g = np.tanh(pre[2])
    c_new = f * c_prev + i * g
    h_new = o * np.tanh(c_new)
    if not training:
        return h_new + zoneout_h * (h_prev - h_new), c_new + zoneout_c * (c_prev - c_new)
    keep_c = rng.binomial(1, zoneout_c, size=c_prev.shape).astype(bool)
    keep_h = rng.binomial(1, zoneout_h, size=h_prev.shape).astype(bool)
    h = h_new.copy()
    c = c_new.copy()
    h[keep_h] = h_prev[keep_h]
    c[keep_c] = c_prev[keep_c]
    return h, c
'''),
    ],
    "ln_lstm_step": [
        ("mean and variance by hand", LN_HEAD + '''
    def ln(v, g, beta):
        n = v.shape[-1]
        mu = v.sum(axis=-1, keepdims=True) / n
        d = v - mu
        var = (d * d).sum(axis=-1, keepdims=True) / n
        return d / np.sqrt(var + eps) * g + beta
    a = ln(x @ Wx, gx, bx) + ln(h_prev @ Wh, gh, bh) + b
''' + LN_GATES + '''
    return o * np.tanh(ln(c, gc, bc)), c
'''),
        ("np.std and separate gate blocks", '''
def ln_lstm_step(x, h_prev, c_prev, Wx, Wh, b, gx, bx, gh, bh, gc, bc, eps=1e-5):
    H = h_prev.shape[1]
    def ln(v, g, beta):
        s = np.std(v, axis=1, keepdims=True)
        return g * (v - np.mean(v, axis=1, keepdims=True)) / np.sqrt(s ** 2 + eps) + beta
    a = ln(np.dot(x, Wx), gx, bx) + ln(np.dot(h_prev, Wh), gh, bh) + b
    blocks = np.split(a, 4, axis=1)
    i, f, o = (0.5 * (1 + np.tanh(0.5 * blocks[k])) for k in (0, 1, 3))
    c = f * c_prev + i * np.tanh(blocks[2])
    return o * np.tanh(ln(c, gc, bc)), c
'''),
    ],
}
