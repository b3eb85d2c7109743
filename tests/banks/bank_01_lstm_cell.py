"""Lesson 01 bank: wrong implementations that must lose points, and correct ones that must keep them.

WRONG[exercise] = [(name, source, fragment)]: the exercise's test cell must fail, and its message
must contain `fragment` (the diagnosis names the wrong term); fragment None = any failure.
RIGHT[exercise] = [(name, source)]: the test cell, hidden tests included, must pass.
"""

GATES_HEAD = '''
def lstm_gates(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
'''

WRONG = {
    "lstm_gates": [
        # Extreme inputs: a sigmoid or tanh written with np.exp overflows to inf / inf = NaN.
        ("naive sigmoid exp(a) / (1 + exp(a))", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    s = lambda z: np.exp(z) / (1 + np.exp(z))
    return s(a[:, :H]), s(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), s(a[:, 3*H:])
''', "(float64; a sigmoid or tanh written with np.exp overflows there"),
        ("tanh written with np.exp", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    tanh = lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
''', "candidate g_t (the chapter's C~_t) with pre-activations up to"),
        ("sigmoid stabilised with the batch's maximum (softmax's trick)", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    def s(z):
        m = z.max()
        return np.exp(z - m) / (np.exp(-m) + np.exp(z - m))
    return s(a[:, :H]), s(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), s(a[:, 3*H:])
''', "contains NaN or inf"),
        ("exp clipped at +-500: safe in float64 only", GATES_HEAD + '''
    a = np.clip(x @ Wx + h_prev @ Wh + b, -500, 500)
    s = lambda z: np.exp(z) / (1 + np.exp(z))
    return s(a[:, :H]), s(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), s(a[:, 3*H:])
''', "(float32; a sigmoid or tanh written with np.exp overflows there"),
        ("pre-activations clipped at +-10 'for stability'", GATES_HEAD + '''
    a = np.clip(x @ Wx + h_prev @ Wh + b, -10, 10)
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
''', "with pre-activations up to"),
        ("returns (i, f, o, g)", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), sigmoid(a[:, 3*H:]), np.tanh(a[:, 2*H:3*H])
''', "wrong order: (i, f, o, g) instead of (i, f, g, o)"),
        ("returns torch tensors", GATES_HEAD + '''
    import torch
    a = torch.from_numpy(x @ Wx + h_prev @ Wh + b)
    return torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H:2*H]), torch.tanh(a[:, 2*H:3*H]), torch.sigmoid(a[:, 3*H:])
''', "should be a numpy array, got a torch tensor"),
        ("swapped i and f blocks", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    return sigmoid(a[:, H:2*H]), sigmoid(a[:, :H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
''', "wrong order: (f, i, g, o) instead of (i, f, g, o)"),
        ("gate order i, f, o, g", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 3*H:]), sigmoid(a[:, 2*H:3*H])
''', "from the 'o' block"),
        ("tanh for the forget gate", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    return sigmoid(a[:, :H]), np.tanh(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
''', "forget gate f_t uses tanh"),
        ("sigmoid for the candidate", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), sigmoid(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
''', "candidate g_t (the chapter's C~_t) uses the sigmoid"),
        ("missing bias", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
''', "missing the bias b"),
        ("forget gate ignores x_t", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    f = sigmoid(h_prev @ Wh[:, H:2*H] + b[H:2*H])
    return sigmoid(a[:, :H]), f, np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
''', "forget gate f_t ignores x_t"),
        ("output gate ignores h_(t-1)", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    o = sigmoid(x @ Wx[:, 3*H:] + b[3*H:])
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), o
''', "output gate o_t ignores h_(t-1)"),
        ("wrong concatenation order (x with Wh)", GATES_HEAD + '''
    xh = np.concatenate([x, h_prev], axis=1)        # x first ...
    W = np.concatenate([Wh, Wx], axis=0)             # ... but weights stacked h first
    a = xh @ W + b
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
''', "stacked the weights as [Wh; Wx]"),
        ("no activation at all", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    return a[:, :H], a[:, H:2*H], a[:, 2*H:3*H], a[:, 3*H:]
''', "before the activation"),
        ("sigmoid with the sign flipped", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    s = lambda z: 1 / (1 + np.exp(z))
    return s(a[:, :H]), s(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), s(a[:, 3*H:])
''', "wrong values"),
        ("changes h_prev in place", GATES_HEAD + '''
    h_prev *= 1.0001
    a = x @ Wx + h_prev @ Wh + b
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
''', "lstm_gates changed its input h_prev in place"),
        ("returns a stacked array, not a tuple", GATES_HEAD + '''
    a = x @ Wx + h_prev @ Wh + b
    return np.stack([sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])])
''', "should return 4 values"),
        ("reads the reference implementation's cache", '''
from lstmlab.lstm import lstm_step_forward as _helper
def lstm_gates(x, h_prev, Wx, Wh, b):
    cache = _helper(x, h_prev, np.zeros_like(h_prev), Wx, Wh, b)[2]
    return cache[5], cache[6], cache[7], cache[8]
''', "must be written from scratch"),
    ],
    "lstm_cell_update": [
        ("coupled gate (1 - f) instead of i", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = f * c_prev + (1 - f) * g
    return c, o * np.tanh(c)
''', "uses (1 - f) where the input gate i belongs"),
        ("tanh applied to g again", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = f * c_prev + i * np.tanh(g)
    return c, o * np.tanh(c)
''', "applies tanh to g again"),
        ("tanh written with np.exp", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = f * c_prev + i * g
    e, m = np.exp(c), np.exp(-c)
    return c, o * (e - m) / (e + m)
''', "with |c_(t-1)| up to"),
        ("returns one stacked array", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = f * c_prev + i * g
    return np.stack([c, o * np.tanh(c)])
''', "should return 2 values (c, h)"),
        ("forget gate on the candidate", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = f * g + i * c_prev
    return c, o * np.tanh(c)
''', "applies the forget gate to the candidate"),
        ("c_{t-1} in h_t", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = f * c_prev + i * g
    return c, o * np.tanh(c_prev)
''', "h_t uses c_(t-1)"),
        ("no tanh in h_t", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = f * c_prev + i * g
    return c, o * c
''', "forgets the tanh"),
        ("cell state squashed", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = np.tanh(f * c_prev + i * g)
    return c, o * np.tanh(c)
''', "squashed with tanh"),
        ("input gate missing", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = f * c_prev + g
    return c, o * np.tanh(c)
''', "multiply g by the input gate"),
        ("returns (h, c)", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = f * c_prev + i * g
    return o * np.tanh(c), c
''', "wrong order: (h, c) instead of (c, h)"),
        ("output gate inside the tanh", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = f * c_prev + i * g
    return c, np.tanh(o * c)
''', "output gate inside the tanh"),
    ],
    "lstm_step": [
        ("inline naive sigmoid", '''
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    s = lambda z: np.exp(z) / (1 + np.exp(z))
    i, f, g, o = s(a[:, :H]), s(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), s(a[:, 3*H:])
    c = f * c_prev + i * g
    return o * np.tanh(c), c
''', "with very large inputs (float64; a naive exp overflows there) contains NaN"),
        ("gates passed to the update in the wrong order", '''
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = lstm_gates(x, h_prev, Wx, Wh, b)
    c, h = lstm_cell_update(c_prev, f, i, g, o)
    return h, c
''', "passes the gates to lstm_cell_update in the wrong order"),
        ("returns (h, c) stacked into one array", '''
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    c, h = lstm_cell_update(c_prev, *lstm_gates(x, h_prev, Wx, Wh, b))
    return np.stack([h, c])
''', "should return 2 values (h, c)"),
        ("returns (c, h)", '''
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = lstm_gates(x, h_prev, Wx, Wh, b)
    return lstm_cell_update(c_prev, i, f, g, o)
''', "wrong order: (c, h) instead of (h, c)"),
        ("h_prev passed as the cell state", '''
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = lstm_gates(x, h_prev, Wx, Wh, b)
    c, h = lstm_cell_update(h_prev, i, f, g, o)
    return h, c
''', "passes h_prev where the cell state c_prev belongs"),
        ("h_t from c_{t-1}", '''
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = lstm_gates(x, h_prev, Wx, Wh, b)
    c = f * c_prev + i * g
    return o * np.tanh(c_prev), c
''', "uses c_(t-1) where it needs the new c_t"),
        ("calls the library's reference", '''
from lstmlab import lstm as _ref
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    h, c, _ = _ref.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    return h, c
''', "must be written from scratch, but it called lstmlab.lstm.lstm_step_forward"),
        ("calls torch.nn.LSTM", '''
import torch as _t
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    m = _t.nn.LSTM(Wx.shape[0], Wh.shape[0], batch_first=True).double()
    with _t.no_grad():
        m.weight_ih_l0.copy_(_t.from_numpy(np.ascontiguousarray(Wx.T)).double())
        m.weight_hh_l0.copy_(_t.from_numpy(np.ascontiguousarray(Wh.T)).double())
        m.bias_ih_l0.copy_(_t.from_numpy(b).double()); m.bias_hh_l0.zero_()
        _, (h, c) = m(_t.from_numpy(x).double()[:, None], (_t.from_numpy(h_prev).double()[None], _t.from_numpy(c_prev).double()[None]))
    return h[0].numpy().astype(x.dtype), c[0].numpy().astype(x.dtype)
''', "called torch.nn.LSTM"),
    ],
    "lstm_forward": [
        ("starts from zeros instead of h0, c0", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    h, c, outs = np.zeros_like(h0), np.zeros_like(c0), []
    for t in range(X.shape[1]):
        h, c = lstm_step(X[:, t], h, c, Wx, Wh, b)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''', "starts from zeros instead of h0 and c0"),
        ("Hs returned as a list of steps", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        h, c = lstm_step(X[:, t], h, c, Wx, Wh, b)
        outs.append(h)
    return outs, (h, c)
''', "should be a numpy array, got a list"),
        ("inline cell with a naive sigmoid", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    H = h0.shape[1]
    s = lambda z: np.exp(z) / (1 + np.exp(z))
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        a = X[:, t] @ Wx + h @ Wh + b
        c = s(a[:, H:2*H]) * c + s(a[:, :H]) * np.tanh(a[:, 2*H:3*H])
        h = s(a[:, 3*H:]) * np.tanh(c)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''', "with very large inputs"),
        ("c_T read from Hs as well", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        h, c = lstm_step(X[:, t], h, c, Wx, Wh, b)
        outs.append(h)
    Hs = np.stack(outs, axis=1)
    return Hs, (Hs[:, -1], Hs[:, -1])
''', "You returned h_T where c_T belongs"),
        ("time-major outputs", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        h, c = lstm_step(X[:, t], h, c, Wx, Wh, b)
        outs.append(h)
    return np.stack(outs, axis=0), (h, c)
''', "time-major"),
        ("state not carried between steps", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    outs = []
    for t in range(X.shape[1]):
        h, c = lstm_step(X[:, t], h0, c0, Wx, Wh, b)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''', "starts from h0 and c0"),
        ("final state after the first step", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    h, c, outs, first = h0, c0, [], None
    for t in range(X.shape[1]):
        h, c = lstm_step(X[:, t], h, c, Wx, Wh, b)
        first = first or (h, c)
        outs.append(h)
    return np.stack(outs, axis=1), first
''', "after the first step"),
        ("final states swapped", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        h, c = lstm_step(X[:, t], h, c, Wx, Wh, b)
        outs.append(h)
    return np.stack(outs, axis=1), (c, h)
''', "wrong order: (c_T, h_T) instead of (h_T, c_T)"),
        ("iterates over the batch axis", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    h, c, outs = h0, c0, []
    for t in range(X.shape[0]):
        h, c = lstm_step(X[t], h, c, Wx, Wh, b)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''', None),
        ("skips the last step", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    h, c, outs = h0, c0, [h0]
    for t in range(X.shape[1] - 1):
        h, c = lstm_step(X[:, t], h, c, Wx, Wh, b)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''', None),
        ("calls the library's lstm_forward", '''
import lstmlab.lstm as _L
def lstm_forward(X, h0, c0, Wx, Wh, b):
    Hs, final, _ = _L.lstm_forward(X, h0, c0, Wx, Wh, b)
    return Hs, final
''', "must be written from scratch"),
    ],
    "lstm_param_count": [
        ("default of two bias vectors (torch's)", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=2):
    return 4 * (hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size)
''', "the default is bias_vectors=1"),
        ("bias vectors counted once for the layer", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    return 4 * (hidden_size * input_size + hidden_size ** 2) + bias_vectors * hidden_size
''', "counted each bias vector once for the whole layer"),
        ("always two bias vectors", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    return 4 * (hidden_size * input_size + hidden_size ** 2 + 2 * hidden_size)
''', "always count two bias vectors"),
        ("a numpy float from np.prod of float shapes", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    shapes = np.array([[input_size, 4 * hidden_size], [hidden_size, 4 * hidden_size], [bias_vectors, 4 * hidden_size]], float)
    return np.prod(shapes, axis=1).sum()
''', "should return an int, got float64"),
        ("one gate only", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    return hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size
''', "You counted one gate"),
        ("bias forgotten", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    return 4 * (hidden_size * input_size + hidden_size ** 2)
''', "left out the bias"),
        ("bias_vectors ignored", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    return 4 * (hidden_size * input_size + hidden_size ** 2 + hidden_size)
''', "counted one bias vector"),
        ("recurrent weights forgotten", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    return 4 * (hidden_size * input_size + bias_vectors * hidden_size)
''', "recurrent weights"),
        ("GRU's three blocks", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    return 3 * (hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size)
''', "3 blocks"),
        ("returns a float", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    return 4.0 * (hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size)
''', "should return an int"),
        ("asks torch", '''
import torch as _t
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    n = sum(p.numel() for p in _t.nn.LSTM(input_size, hidden_size).parameters())
    return n - (2 - bias_vectors) * 4 * hidden_size
''', None),
    ],
}

RIGHT = {
    "lstm_gates": [
        ("float32 throughout, piecewise-stable sigmoid, terms in another order", '''
def lstm_gates(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = (b + h_prev @ Wh) + x @ Wx
    def sig(z):
        e = np.exp(-np.abs(z))                       # never overflows
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)
    i, f, g, o = np.split(a, 4, axis=1)
    return sig(i), sig(f), (2 * sig(2 * g) - 1).astype(g.dtype), sig(o)
'''),
        ("logaddexp sigmoid, pre-activations clipped at +-30", '''
def lstm_gates(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = np.clip(x @ Wx + h_prev @ Wh + b, -30, 30)
    s = lambda z: np.exp(-np.logaddexp(0, -z))
    return s(a[:, :H]), s(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), s(a[:, 3*H:])
'''),
        ("separate gate matrices", '''
def lstm_gates(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    blocks = []
    for k, act in enumerate([sigmoid, sigmoid, np.tanh, sigmoid]):
        s = slice(k * H, (k + 1) * H)
        Wx_k, Wh_k, b_k = Wx[:, s], Wh[:, s], b[s]
        blocks.append(act(x @ Wx_k + h_prev @ Wh_k + b_k))
    return tuple(blocks)
'''),
        ("concatenated [h, x] as in the chapter", '''
def lstm_gates(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    hx = np.concatenate([h_prev, x], axis=1)
    W = np.concatenate([Wh, Wx], axis=0)
    a = hx @ W + b
    i, f, g, o = np.split(a, 4, axis=1)
    return sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
'''),
        ("own sigmoid with np.exp, einsum", '''
def lstm_gates(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = np.einsum("bd,dk->bk", x, Wx) + np.einsum("bh,hk->bk", h_prev, Wh) + b
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))
    return sig(a[:, :H]), sig(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sig(a[:, 3*H:])
'''),
        ("upcasts to float64", '''
def lstm_gates(x, h_prev, Wx, Wh, b):
    x, h_prev, Wx, Wh, b = (np.asarray(v, dtype=np.float64) for v in (x, h_prev, Wx, Wh, b))
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    return [sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])]
'''),
        ("per-example loop", '''
def lstm_gates(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    out = [np.empty((x.shape[0], H), dtype=x.dtype) for _ in range(4)]
    for n in range(x.shape[0]):
        a = Wx.T @ x[n] + Wh.T @ h_prev[n] + b
        for k in range(4):
            act = np.tanh if k == 2 else sigmoid
            out[k][n] = act(a[k * H:(k + 1) * H])
    return tuple(out)
'''),
    ],
    "lstm_cell_update": [
        ("tanh as 2 / (1 + exp(-2c)) - 1, which saturates cleanly", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = i * g + f * c_prev
    return c, o * (2 / (1 + np.exp(-2 * c)) - 1)
'''),
        ("float32 kept, np.multiply with out=", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = np.multiply(f, c_prev, dtype=c_prev.dtype)
    c = c + np.multiply(i, g, dtype=c_prev.dtype)
    h = np.empty_like(c)
    np.tanh(c, out=h)
    return c, h * o
'''),
        ("numpy ufuncs", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = np.add(np.multiply(f, c_prev), np.multiply(i, g))
    return c, np.multiply(o, np.tanh(c))
'''),
        ("in place on a copy", '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = c_prev.copy()
    c *= f
    c += i * g
    h = np.tanh(c)
    h *= o
    return c, h
'''),
    ],
    "lstm_step": [
        ("inline in float32, stable sigmoid, [h, x] concatenated", '''
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = np.concatenate([h_prev, x], axis=1) @ np.concatenate([Wh, Wx], axis=0) + b
    sig = lambda z: np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))
    i, f, g, o = sig(a[:, :H]), sig(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sig(a[:, 3*H:])
    c = (i * g + f * c_prev).astype(x.dtype)
    return (o * np.tanh(c)).astype(x.dtype), c
'''),
        ("gates one by one from lstm_gates, update written out", '''
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    gates = lstm_gates(x, h_prev, Wx, Wh, b)
    i, f, g, o = (np.asarray(v) for v in gates)
    c_new = c_prev * f + g * i
    return np.tanh(c_new) * o, c_new
'''),
        ("everything inline", '''
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, o = (1 / (1 + np.exp(-a[:, k * H:(k + 1) * H])) for k in (0, 1, 3))
    c = f * c_prev + i * np.tanh(a[:, 2 * H:3 * H])
    return o * np.tanh(c), c
'''),
        ("returns a list", '''
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    c, h = lstm_cell_update(c_prev, *lstm_gates(x, h_prev, Wx, Wh, b))
    return [h, c]
'''),
    ],
    "lstm_forward": [
        ("float32 throughout, projections of all steps at once, preallocated", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    B, T, D = X.shape
    H = h0.shape[1]
    AX = np.einsum("btd,dk->btk", X, Wx) + b
    Hs = np.empty((B, T, H), dtype=X.dtype)
    h, c = h0, c0
    for t in range(T):
        a = AX[:, t] + h @ Wh
        i, f, o = (0.5 + 0.5 * np.tanh(0.5 * a[:, k * H:(k + 1) * H]) for k in (0, 1, 3))
        c = f * c + i * np.tanh(a[:, 2 * H:3 * H])
        h = o * np.tanh(c)
        Hs[:, t] = h
    return Hs, (h, c)
'''),
        ("recursion over time", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    def run(t, h, c):
        if t == X.shape[1]:
            return [], (h, c)
        h, c = lstm_step(X[:, t], h, c, Wx, Wh, b)
        rest, final = run(t + 1, h, c)
        return [h] + rest, final
    outs, final = run(0, h0, c0)
    return np.stack(outs, axis=1), final
'''),
        ("preallocated output", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    B, T, _ = X.shape
    Hs = np.zeros((B, T, h0.shape[1]), dtype=np.result_type(X, h0))
    h, c = h0, c0
    for t in range(T):
        h, c = lstm_step(X[:, t, :], h, c, Wx, Wh, b)
        Hs[:, t, :] = h
    return Hs, (h, c)
'''),
        ("input projections of all steps at once", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    B, T, D = X.shape
    H = h0.shape[1]
    AX = X @ Wx + b                              # (B, T, 4H)
    h, c, outs = h0, c0, []
    for t in range(T):
        a = AX[:, t] + h @ Wh
        i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1), [h, c]
'''),
        ("one sequence at a time, float64 inside", '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    X = X.astype(np.float64)
    rows, hs, cs = [], [], []
    for n in range(X.shape[0]):
        h, c, seq = h0[n:n+1].astype(np.float64), c0[n:n+1].astype(np.float64), []
        for t in range(X.shape[1]):
            h, c = lstm_step(X[n:n+1, t], h, c, Wx.astype(np.float64), Wh.astype(np.float64), b.astype(np.float64))
            seq.append(h[0])
        rows.append(np.stack(seq)); hs.append(h[0]); cs.append(c[0])
    return np.stack(rows), (np.stack(hs), np.stack(cs))
'''),
    ],
    "lstm_param_count": [
        ("math.prod over the layout's shapes", '''
import math
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    shapes = [(input_size, 4 * hidden_size), (hidden_size, 4 * hidden_size)] + [(4 * hidden_size,)] * bias_vectors
    return sum(math.prod(s) for s in shapes)
'''),
        ("one (H + D) x 4H matrix plus biases", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    return int((input_size + hidden_size) * 4 * hidden_size + bias_vectors * 4 * hidden_size)
'''),
        ("gate by gate", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    total = 0
    for gate in "ifgo":
        total += hidden_size * (input_size + hidden_size) + bias_vectors * hidden_size
    return total
'''),
        ("numpy integer", '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    shapes = [(input_size, 4 * hidden_size), (hidden_size, 4 * hidden_size)] + [(4 * hidden_size,)] * bias_vectors
    return np.sum([np.prod(s) for s in shapes])
'''),
    ],
}
