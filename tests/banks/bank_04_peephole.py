"""Lesson 04 bank: wrong implementations that must lose points, and correct ones that must keep them.

WRONG[exercise] = [(name, source, fragment)]: the exercise's test cell must fail, and its message
must contain `fragment` (the diagnosis names the wrong term); fragment None = any failure.
RIGHT[exercise] = [(name, source)]: the test cell, hidden tests included, must pass.
"""

STEP_HEAD = '''
def peephole_step(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
'''

TAIL = '''
    c = f * c_prev + i * g
    o = sigmoid(a[:, 3*H:] + p_o * c)
    return o * np.tanh(c), c
'''

WRONG = {
    "peephole_step": [
        ("naive sigmoid exp(a) / (1 + exp(a))", STEP_HEAD + '''
    s = lambda z: np.exp(z) / (1 + np.exp(z))
    i = s(a[:, :H] + p_i * c_prev)
    f = s(a[:, H:2*H] + p_f * c_prev)
    c = f * c_prev + i * np.tanh(a[:, 2*H:3*H])
    o = s(a[:, 3*H:] + p_o * c)
    return o * np.tanh(c), c
''', "(float64; a sigmoid or tanh written with np.exp overflows there"),
        ("exp clipped at +-500: safe in float64 only", STEP_HEAD + '''
    s = lambda z: np.exp(np.clip(z, -500, 500)) / (1 + np.exp(np.clip(z, -500, 500)))
    i = s(a[:, :H] + p_i * c_prev)
    f = s(a[:, H:2*H] + p_f * c_prev)
    c = f * c_prev + i * np.tanh(a[:, 2*H:3*H])
    o = s(a[:, 3*H:] + p_o * c)
    return o * np.tanh(c), c
''', "(float32; a sigmoid or tanh written with np.exp overflows there"),
        ("forget peephole added after the sigmoid", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2*H]) + p_f * c_prev
    g = np.tanh(a[:, 2*H:3*H])
''' + TAIL, "forget gate adds its peephole after the sigmoid"),
        ("output peephole added after the sigmoid", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2*H] + p_f * c_prev)
    c = f * c_prev + i * np.tanh(a[:, 2*H:3*H])
    o = sigmoid(a[:, 3*H:]) + p_o * c
    return o * np.tanh(c), c
''', "output gate adds its peephole after the sigmoid"),
        ("returns lists", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2*H] + p_f * c_prev)
    c = f * c_prev + i * np.tanh(a[:, 2*H:3*H])
    o = sigmoid(a[:, 3*H:] + p_o * c)
    return (o * np.tanh(c)).tolist(), c.tolist()
''', "should be a numpy array, got a list"),
        ("full-matrix peephole (dot product)", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + (c_prev @ p_i)[:, None])
    f = sigmoid(a[:, H:2*H] + (c_prev @ p_f)[:, None])
    g = np.tanh(a[:, 2*H:3*H])
    c = f * c_prev + i * g
    o = sigmoid(a[:, 3*H:] + (c @ p_o)[:, None])
    return o * np.tanh(c), c
''', "full-matrix peephole"),
        ("full-matrix peephole (tiled matrix) on the input gate", STEP_HEAD + '''
    P_i = np.tile(p_i, (H, 1))                      # H x H, every row p_i
    i = sigmoid(a[:, :H] + c_prev @ P_i)
    f = sigmoid(a[:, H:2*H] + p_f * c_prev)
    g = np.tanh(a[:, 2*H:3*H])
''' + TAIL, "input gate i_t uses a full-matrix peephole"),
        ("full-matrix peephole (outer product) on the forget gate", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2*H] + c_prev @ np.outer(p_f, p_f))
    g = np.tanh(a[:, 2*H:3*H])
''' + TAIL, "mixes units"),
        ("output gate peeks at c_{t-1}", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2*H] + p_f * c_prev)
    g = np.tanh(a[:, 2*H:3*H])
    o = sigmoid(a[:, 3*H:] + p_o * c_prev)
    c = f * c_prev + i * g
    return o * np.tanh(c), c
''', "output gate peeks at c_(t-1)"),
        ("peephole on the candidate too (p_i)", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2*H] + p_f * c_prev)
    g = np.tanh(a[:, 2*H:3*H] + p_i * c_prev)
''' + TAIL, "candidate g_t has a peephole"),
        ("candidate takes the output gate's peephole", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2*H] + p_f * c_prev)
    g = np.tanh(a[:, 2*H:3*H] + p_o * c_prev)
    c = f * c_prev + i * g
    o = sigmoid(a[:, 3*H:])
    return o * np.tanh(c), c
''', "candidate g_t has the peephole p_o"),
        ("peepholes ignored", STEP_HEAD + '''
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), sigmoid(a[:, 3*H:])
    c = f * c_prev + i * np.tanh(a[:, 2*H:3*H])
    return o * np.tanh(c), c
''', "ignores the peepholes"),
        ("output gate without its peephole", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2*H] + p_f * c_prev)
    c = f * c_prev + i * np.tanh(a[:, 2*H:3*H])
    o = sigmoid(a[:, 3*H:])
    return o * np.tanh(c), c
''', "output gate ignores its peephole"),
        ("input and forget peepholes swapped", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_f * c_prev)
    f = sigmoid(a[:, H:2*H] + p_i * c_prev)
    g = np.tanh(a[:, 2*H:3*H])
''' + TAIL, "use each other's peephole vectors"),
        ("peepholes read h_{t-1}", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * h_prev)
    f = sigmoid(a[:, H:2*H] + p_f * h_prev)
    g = np.tanh(a[:, 2*H:3*H])
    c = f * c_prev + i * g
    o = sigmoid(a[:, 3*H:] + p_o * h_prev)
    return o * np.tanh(c), c
''', "read h_(t-1) instead of the cell state"),
        ("input and forget gate blocks swapped", STEP_HEAD + '''
    i = sigmoid(a[:, H:2*H] + p_i * c_prev)
    f = sigmoid(a[:, :H] + p_f * c_prev)
    g = np.tanh(a[:, 2*H:3*H])
''' + TAIL, "input and forget gates are swapped"),
        ("h_t from c_{t-1}", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2*H] + p_f * c_prev)
    c = f * c_prev + i * np.tanh(a[:, 2*H:3*H])
    o = sigmoid(a[:, 3*H:] + p_o * c)
    return o * np.tanh(c_prev), c
''', "h_t uses c_(t-1)"),
        ("tanh for the forget gate", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = np.tanh(a[:, H:2*H] + p_f * c_prev)
    g = np.tanh(a[:, 2*H:3*H])
''' + TAIL, "forget gate uses tanh"),
        ("returns (c, h)", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2*H] + p_f * c_prev)
    c = f * c_prev + i * np.tanh(a[:, 2*H:3*H])
    o = sigmoid(a[:, 3*H:] + p_o * c)
    return c, o * np.tanh(c)
''', "wrong order: (c, h) instead of (h, c)"),
        ("updates c_prev in place", STEP_HEAD + '''
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H:2*H] + p_f * c_prev)
    c_prev *= f
    c_prev += i * np.tanh(a[:, 2*H:3*H])
    o = sigmoid(a[:, 3*H:] + p_o * c_prev)
    return o * np.tanh(c_prev), c_prev
''', "changed its input c_prev in place"),
        ("calls the library's reference", '''
from lstmlab import peephole as _ref
def peephole_step(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
    h, c, _ = _ref.peephole_step_forward(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o)
    return h, c
''', "must be written from scratch, but it called lstmlab.peephole.peephole_step_forward"),
        ("calls the library's torch module", '''
import torch as _t
from lstmlab.lessons.peephole.models import PeepholeLSTM as _P
def peephole_step(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
    dt = _t.float32 if x.dtype == np.float32 else _t.float64
    m = _P(Wx.shape[0], Wh.shape[0], dtype=dt).load_numpy((Wx, Wh, b, p_i, p_f, p_o))
    with _t.no_grad():
        out, (h, c) = m(_t.as_tensor(x)[:, None], (_t.as_tensor(h_prev), _t.as_tensor(c_prev)))
    return h.numpy(), c.numpy()
''', "called lstmlab.lessons.peephole.models.PeepholeLSTM"),
    ],
    "peephole_forward": [
        ("starts from zeros instead of h0, c0", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    h, c, outs = np.zeros_like(h0), np.zeros_like(c0), []
    for t in range(X.shape[1]):
        h, c = peephole_step(X[:, t], h, c, Wx, Wh, b, p_i, p_f, p_o)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''', "starts from zeros instead of h0 and c0"),
        ("Hs as a list of steps", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        h, c = peephole_step(X[:, t], h, c, Wx, Wh, b, p_i, p_f, p_o)
        outs.append(h)
    return outs, (h, c)
''', "should be a numpy array, got a list"),
        ("inline cell with a naive sigmoid", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    H = h0.shape[1]
    s = lambda z: np.exp(z) / (1 + np.exp(z))
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        a = X[:, t] @ Wx + h @ Wh + b
        i, f = s(a[:, :H] + p_i * c), s(a[:, H:2*H] + p_f * c)
        c = f * c + i * np.tanh(a[:, 2*H:3*H])
        h = s(a[:, 3*H:] + p_o * c) * np.tanh(c)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''', "with very large inputs and cells"),
        ("time-major outputs", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        h, c = peephole_step(X[:, t], h, c, Wx, Wh, b, p_i, p_f, p_o)
        outs.append(h)
    return np.stack(outs, axis=0), (h, c)
''', "time-major"),
        ("state not carried", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    outs = []
    for t in range(X.shape[1]):
        h, c = peephole_step(X[:, t], h0, c0, Wx, Wh, b, p_i, p_f, p_o)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''', "starts from h0 and c0"),
        ("cell restarted at every step", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    h, outs = h0, []
    for t in range(X.shape[1]):
        h, c = peephole_step(X[:, t], h, c0, Wx, Wh, b, p_i, p_f, p_o)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''', "restart the cell from c0"),
        ("peephole vectors passed in the wrong order", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        h, c = peephole_step(X[:, t], h, c, Wx, Wh, b, p_f, p_i, p_o)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''', "peephole vectors in the wrong order"),
        ("peepholes dropped", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    h, c, outs = h0, c0, []
    z = np.zeros_like(p_i)
    for t in range(X.shape[1]):
        h, c = peephole_step(X[:, t], h, c, Wx, Wh, b, z, z, z)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''', "drops the peepholes"),
        ("final states swapped", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        h, c = peephole_step(X[:, t], h, c, Wx, Wh, b, p_i, p_f, p_o)
        outs.append(h)
    return np.stack(outs, axis=1), (c, h)
''', "wrong order: (c_T, h_T) instead of (h_T, c_T)"),
        ("skips the last step", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    h, c, outs = h0, c0, [h0]
    for t in range(X.shape[1] - 1):
        h, c = peephole_step(X[:, t], h, c, Wx, Wh, b, p_i, p_f, p_o)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''', None),
        ("calls the library's peephole_forward", '''
import lstmlab.peephole as _L
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    Hs, final, _ = _L.peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o)
    return Hs, final
''', "must be written from scratch"),
        ("runs the library's torch module", '''
import torch as _t
from lstmlab.lessons.peephole.models import PeepholeLSTM as _P
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    dt = _t.float32 if X.dtype == np.float32 else _t.float64
    m = _P(X.shape[2], h0.shape[1], dtype=dt).load_numpy((Wx, Wh, b, p_i, p_f, p_o))
    with _t.no_grad():
        out, (h, c) = m(_t.as_tensor(X), (_t.as_tensor(h0), _t.as_tensor(c0)))
    return out.numpy(), (h.numpy(), c.numpy())
''', "called lstmlab.lessons.peephole.models.PeepholeLSTM"),
    ],
    "peephole_param_count": [
        ("two peephole vectors (o forgotten)", '''
def peephole_param_count(input_size, hidden_size):
    return 4 * hidden_size * (input_size + hidden_size + 1) + 2 * hidden_size
''', "counted two peephole vectors"),
        ("returns (plain, peephole) counts", '''
def peephole_param_count(input_size, hidden_size):
    plain = 4 * hidden_size * (input_size + hidden_size + 1)
    return plain, plain + 3 * hidden_size
''', "should return an int, got tuple"),
        ("one peephole vector", '''
def peephole_param_count(input_size, hidden_size):
    return 4 * hidden_size * (input_size + hidden_size + 1) + hidden_size
''', "counted one peephole vector"),
        ("plain LSTM count", '''
def peephole_param_count(input_size, hidden_size):
    return 4 * hidden_size * (input_size + hidden_size + 1)
''', "add the three peephole vectors"),
        ("full-matrix peepholes", '''
def peephole_param_count(input_size, hidden_size):
    D, H = input_size, hidden_size
    return 4 * H * (D + H + 1) + 3 * H * H
''', "full H x H peephole matrices"),
        ("a peephole on the candidate too", '''
def peephole_param_count(input_size, hidden_size):
    D, H = input_size, hidden_size
    return 4 * H * (D + H + 1) + 4 * H
''', "the candidate g has none"),
        ("two bias vectors", '''
def peephole_param_count(input_size, hidden_size):
    D, H = input_size, hidden_size
    return 4 * H * (D + H + 2) + 3 * H
''', "two bias vectors"),
        ("one number per peephole", '''
def peephole_param_count(input_size, hidden_size):
    D, H = input_size, hidden_size
    return 4 * H * (D + H + 1) + 3
''', "vector of H numbers"),
        ("returns a float", '''
def peephole_param_count(input_size, hidden_size):
    return 4.0 * hidden_size * (input_size + hidden_size + 1) + 3 * hidden_size
''', "should return an int"),
        ("asks the library's module", '''
from lstmlab.lessons.peephole.models import PeepholeLSTM as _P
def peephole_param_count(input_size, hidden_size):
    return sum(p.numel() for p in _P(input_size, hidden_size).parameters())
''', "called lstmlab.lessons.peephole.models.PeepholeLSTM"),
        ("calls the library's count", '''
from lstmlab.peephole import peephole_param_count as _count
def peephole_param_count(input_size, hidden_size):
    return _count(input_size, hidden_size)
''', "must be written from scratch"),
    ],
}

RIGHT = {
    "peephole_step": [
        ("float32 throughout, stable sigmoid, terms in another order", '''
def peephole_step(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
    H = h_prev.shape[1]
    def sig(z):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)
    a = b + h_prev @ Wh + x @ Wx
    i = sig(p_i * c_prev + a[:, :H])
    f = sig(p_f * c_prev + a[:, H:2*H])
    c = i * np.tanh(a[:, 2*H:3*H]) + f * c_prev
    return np.tanh(c) * sig(p_o * c + a[:, 3*H:]), c
'''),
        ("gate pre-activations in a dict", '''
def peephole_step(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    pre = {name: a[:, k * H:(k + 1) * H] for k, name in enumerate("ifgo")}
    i = sigmoid(pre["i"] + p_i * c_prev)
    f = sigmoid(pre["f"] + p_f * c_prev)
    c = f * c_prev + i * np.tanh(pre["g"])
    o = sigmoid(pre["o"] + p_o * c)
    return o * np.tanh(c), c
'''),
        ("diagonal matrices and separate gate blocks", '''
def peephole_step(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
    H = h_prev.shape[1]
    blk = lambda k: slice(k * H, (k + 1) * H)
    pre = lambda k: x @ Wx[:, blk(k)] + h_prev @ Wh[:, blk(k)] + b[blk(k)]
    P_i, P_f, P_o = np.diag(p_i), np.diag(p_f), np.diag(p_o)      # a diagonal matrix is a peephole too
    i = sigmoid(pre(0) + c_prev @ P_i)
    f = sigmoid(pre(1) + c_prev @ P_f)
    c = f * c_prev + i * np.tanh(pre(2))
    o = sigmoid(pre(3) + c @ P_o)
    return o * np.tanh(c), c
'''),
        ("chapter-style concatenation [h, x], own sigmoid, np.split", '''
def peephole_step(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
    hx = np.concatenate([h_prev, x], axis=1)
    a = hx @ np.concatenate([Wh, Wx], axis=0) + b
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))
    i, f = sig(a_i + p_i * c_prev), sig(a_f + p_f * c_prev)
    c = f * c_prev + i * np.tanh(a_g)
    h = sig(a_o + p_o * c) * np.tanh(c)
    return [h, c]
'''),
        ("peepholes stacked into one (3, H) array, einsum", '''
def peephole_step(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
    H = h_prev.shape[1]
    a = np.einsum("bd,dk->bk", x, Wx) + np.einsum("bh,hk->bk", h_prev, Wh) + b
    P = np.stack([p_i, p_f])                                  # (2, H)
    if_pre = a[:, :2 * H].reshape(-1, 2, H) + P * c_prev[:, None, :]
    i, f = sigmoid(if_pre[:, 0]), sigmoid(if_pre[:, 1])
    c = f * c_prev + i * np.tanh(a[:, 2 * H:3 * H])
    return sigmoid(a[:, 3 * H:] + p_o * c) * np.tanh(c), c
'''),
        ("per-example loop in float64", '''
def peephole_step(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
    H = h_prev.shape[1]
    hs, cs = [], []
    for n in range(x.shape[0]):
        a = Wx.T.astype(np.float64) @ x[n] + Wh.T @ h_prev[n] + b
        i = sigmoid(a[:H] + p_i * c_prev[n])
        f = sigmoid(a[H:2 * H] + p_f * c_prev[n])
        c = f * c_prev[n] + i * np.tanh(a[2 * H:3 * H])
        hs.append(sigmoid(a[3 * H:] + p_o * c) * np.tanh(c))
        cs.append(c)
    return np.array(hs), np.array(cs)
'''),
    ],
    "peephole_forward": [
        ("float32 throughout, inline, preallocated", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    B, T, _ = X.shape
    H = h0.shape[1]
    Hs = np.empty((B, T, H), dtype=X.dtype)
    h, c = h0, c0
    for t in range(T):
        a = X[:, t] @ Wx + h @ Wh + b
        i = 0.5 + 0.5 * np.tanh(0.5 * (a[:, :H] + p_i * c))
        f = 0.5 + 0.5 * np.tanh(0.5 * (a[:, H:2*H] + p_f * c))
        c = f * c + i * np.tanh(a[:, 2*H:3*H])
        h = (0.5 + 0.5 * np.tanh(0.5 * (a[:, 3*H:] + p_o * c))) * np.tanh(c)
        Hs[:, t] = h
    return Hs, (h, c)
'''),
        ("steps over np.moveaxis, final state from the last step", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    state, outs = (h0, c0), []
    for x_t in np.moveaxis(X, 1, 0):
        state = peephole_step(x_t, *state, Wx, Wh, b, p_i, p_f, p_o)
        outs.append(state[0])
    return np.stack(outs, axis=1), tuple(state)
'''),
        ("preallocated output", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    B, T, _ = X.shape
    Hs = np.zeros((B, T, h0.shape[1]), dtype=np.result_type(X, h0))
    h, c = h0, c0
    for t in range(T):
        h, c = peephole_step(X[:, t, :], h, c, Wx, Wh, b, p_i, p_f, p_o)
        Hs[:, t, :] = h
    return Hs, (h, c)
'''),
        ("input projections of all steps at once, inline cell", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    H = h0.shape[1]
    AX = X @ Wx + b                                          # (B, T, 4H)
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        a = AX[:, t] + h @ Wh
        i = sigmoid(a[:, :H] + p_i * c)
        f = sigmoid(a[:, H:2*H] + p_f * c)
        c = f * c + i * np.tanh(a[:, 2*H:3*H])
        h = sigmoid(a[:, 3*H:] + p_o * c) * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1), [h, c]
'''),
        ("one sequence at a time", '''
def peephole_forward(X, h0, c0, Wx, Wh, b, p_i, p_f, p_o):
    rows, hs, cs = [], [], []
    for n in range(X.shape[0]):
        h, c, seq = h0[n:n+1], c0[n:n+1], []
        for t in range(X.shape[1]):
            h, c = peephole_step(X[n:n+1, t], h, c, Wx, Wh, b, p_i, p_f, p_o)
            seq.append(h[0])
        rows.append(np.stack(seq)); hs.append(h[0]); cs.append(c[0])
    return np.stack(rows), (np.stack(hs), np.stack(cs))
'''),
    ],
    "peephole_param_count": [
        ("factored: H (4D + 4H + 7)", '''
def peephole_param_count(input_size, hidden_size):
    return hidden_size * (4 * input_size + 4 * hidden_size + 4 + 3)
'''),
        ("math.prod over the parameter shapes", '''
import math
def peephole_param_count(input_size, hidden_size):
    D, H = input_size, hidden_size
    return sum(math.prod(s) for s in [(D, 4 * H), (H, 4 * H), (4 * H,), (3, H)])
'''),
        ("block by block", '''
def peephole_param_count(input_size, hidden_size):
    total = 0
    for gate in "ifgo":
        total += hidden_size * (input_size + hidden_size) + hidden_size
        if gate != "g":
            total += hidden_size                          # a diagonal peephole: H numbers
    return total
'''),
        ("numpy integer from shapes", '''
def peephole_param_count(input_size, hidden_size):
    D, H = input_size, hidden_size
    shapes = [(D, 4 * H), (H, 4 * H), (4 * H,), (H,), (H,), (H,)]
    return np.sum([np.prod(s) for s in shapes])
'''),
    ],
}
