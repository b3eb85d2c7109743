"""Lesson 03 bank: wrong implementations that must lose points, and correct ones that must keep them.

WRONG[exercise] = [(name, source, fragment)]: the exercise's test cell must fail, and its message
must contain `fragment` (the diagnosis names the wrong term); fragment None = any failure.
RIGHT[exercise] = [(name, source)]: the test cell, hidden tests included, must pass.
"""

CHAPTER_HEAD = '''
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    a = x @ Wx + bx
    r = sigmoid(a[:, :H] + h_prev @ Wh[:, :H] + bh[:H])
    z = sigmoid(a[:, H:2*H] + h_prev @ Wh[:, H:2*H] + bh[H:2*H])
'''

TORCH_HEAD = '''
def gru_step_torch(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    a = x @ Wx + bx
    b = h_prev @ Wh + bh
    r = sigmoid(a[:, :H] + b[:, :H])
    z = sigmoid(a[:, H:2*H] + b[:, H:2*H])
'''

FORWARD_LOOP = '''
def gru_forward(X, h0, Wx, Wh, bx, bh, convention="torch"):
    step = {"torch": gru_step_torch, "chapter": gru_step_chapter}[convention]
'''

WRONG = {
    "gru_step_chapter": [
        ("naive sigmoid exp(a) / (1 + exp(a))", '''
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    s = lambda v: np.exp(v) / (1 + np.exp(v))
    a = x @ Wx + bx
    r = s(a[:, :H] + h_prev @ Wh[:, :H] + bh[:H])
    z = s(a[:, H:2*H] + h_prev @ Wh[:, H:2*H] + bh[H:2*H])
    n = np.tanh(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:])
    return (1 - z) * h_prev + z * n
''', "(float64; a sigmoid or tanh written with np.exp overflows there"),
        ("exp clipped at +-500: safe in float64 only", '''
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    s = lambda v: np.exp(np.clip(v, -500, 500)) / (1 + np.exp(np.clip(v, -500, 500)))
    a = x @ Wx + bx
    r = s(a[:, :H] + h_prev @ Wh[:, :H] + bh[:H])
    z = s(a[:, H:2*H] + h_prev @ Wh[:, H:2*H] + bh[H:2*H])
    n = np.tanh(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:])
    return (1 - z) * h_prev + z * n
''', "(float32; a sigmoid or tanh written with np.exp overflows there"),
        ("reset after the product, bh_n outside", CHAPTER_HEAD + '''
    n = np.tanh(a[:, 2*H:] + r * (h_prev @ Wh[:, 2*H:]) + bh[2*H:])
    return (1 - z) * h_prev + z * n
''', "multiplies h_(t-1) BEFORE the product: (r * h_(t-1)) @ Wh_n + bh_n"),
        ("candidate without bh_n", CHAPTER_HEAD + '''
    n = np.tanh(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:])
    return (1 - z) * h_prev + z * n
''', "candidate leaves out bh's n block"),
        ("returns a torch tensor", CHAPTER_HEAD + '''
    import torch
    n = torch.tanh(torch.from_numpy(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:]))
    return (1 - torch.from_numpy(z)) * torch.from_numpy(h_prev) + torch.from_numpy(z) * n
''', "should be a numpy array, got a torch tensor"),
        ("(1 - z) on the wrong term (Cho's placement)", CHAPTER_HEAD + '''
    n = np.tanh(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:])
    return z * h_prev + (1 - z) * n
''', "update gate multiplies the wrong term"),
        ("reset gate after the matmul", CHAPTER_HEAD + '''
    n = np.tanh(a[:, 2*H:] + r * (h_prev @ Wh[:, 2*H:] + bh[2*H:]))
    return (1 - z) * h_prev + z * n
''', "applied after the matrix product"),
        ("PyTorch's GRU instead of the chapter's", CHAPTER_HEAD + '''
    n = np.tanh(a[:, 2*H:] + r * (h_prev @ Wh[:, 2*H:] + bh[2*H:]))
    return (1 - z) * n + z * h_prev
''', "You wrote PyTorch's GRU"),
        ("z and r swapped", CHAPTER_HEAD + '''
    r, z = z, r
    n = np.tanh(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:])
    return (1 - z) * h_prev + z * n
''', "reset gate r and update gate z are swapped"),
        ("no reset gate", CHAPTER_HEAD + '''
    n = np.tanh(a[:, 2*H:] + h_prev @ Wh[:, 2*H:] + bh[2*H:])
    return (1 - z) * h_prev + z * n
''', "ignores the reset gate"),
        ("reset gate on the whole pre-activation", CHAPTER_HEAD + '''
    n = np.tanh(r * (a[:, 2*H:] + h_prev @ Wh[:, 2*H:] + bh[2*H:]))
    return (1 - z) * h_prev + z * n
''', "whole candidate pre-activation"),
        ("tanh for the gates", '''
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    a = x @ Wx + bx
    r = np.tanh(a[:, :H] + h_prev @ Wh[:, :H] + bh[:H])
    z = np.tanh(a[:, H:2*H] + h_prev @ Wh[:, H:2*H] + bh[H:2*H])
    n = np.tanh(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:])
    return (1 - z) * h_prev + z * n
''', "gates use tanh"),
        ("sigmoid for the candidate", CHAPTER_HEAD + '''
    n = sigmoid(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:])
    return (1 - z) * h_prev + z * n
''', "candidate uses the sigmoid"),
        ("recurrent bias forgotten", '''
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    a = x @ Wx + bx
    r = sigmoid(a[:, :H] + h_prev @ Wh[:, :H])
    z = sigmoid(a[:, H:2*H] + h_prev @ Wh[:, H:2*H])
    n = np.tanh(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:])
    return (1 - z) * h_prev + z * n
''', "leaves out the recurrent bias bh"),
        ("returns the candidate", CHAPTER_HEAD + '''
    return np.tanh(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:])
''', "returned the candidate"),
        ("returns (h, candidate)", CHAPTER_HEAD + '''
    n = np.tanh(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:])
    return (1 - z) * h_prev + z * n, n
''', "should return one array"),
        ("changes x in place", '''
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    x *= 1.0
    h = h_prev.copy()
    a = x @ Wx + bx
    r = sigmoid(a[:, :H] + h @ Wh[:, :H] + bh[:H])
    z = sigmoid(a[:, H:2*H] + h @ Wh[:, H:2*H] + bh[H:2*H])
    n = np.tanh(a[:, 2*H:] + (r * h) @ Wh[:, 2*H:] + bh[2*H:])
    h_prev += 0.5
    return (1 - z) * h + z * n
''', "gru_step_chapter changed its input h_prev in place"),
        ("calls the library's reference", '''
from lstmlab.gru import gru_step_forward as _step
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    return _step(x, h_prev, Wx, Wh, bx, bh, convention="chapter")[0]
''', "must be written from scratch, but it called lstmlab.gru.gru_step_forward"),
    ],
    "gru_step_torch": [
        ("tanh written with np.exp", TORCH_HEAD + '''
    v = a[:, 2*H:] + r * b[:, 2*H:]
    n = (np.exp(v) - np.exp(-v)) / (np.exp(v) + np.exp(-v))
    return (1 - z) * n + z * h_prev
''', "(float64; a sigmoid or tanh written with np.exp overflows there"),
        ("naive sigmoid", '''
def gru_step_torch(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    s = lambda v: np.exp(v) / (1 + np.exp(v))
    a = x @ Wx + bx
    b = h_prev @ Wh + bh
    r = s(a[:, :H] + b[:, :H])
    z = s(a[:, H:2*H] + b[:, H:2*H])
    n = np.tanh(a[:, 2*H:] + r * b[:, 2*H:])
    return (1 - z) * n + z * h_prev
''', "contains NaN or inf"),
        ("reset gate on the input part", TORCH_HEAD + '''
    n = np.tanh(r * a[:, 2*H:] + b[:, 2*H:])
    return (1 - z) * n + z * h_prev
''', "reset gate multiplies the input part"),
        ("returns [h]", TORCH_HEAD + '''
    n = np.tanh(a[:, 2*H:] + r * b[:, 2*H:])
    return [(1 - z) * n + z * h_prev]
''', "should return one array h_t"),
        ("(1 - z) on the wrong term (the chapter's placement)", TORCH_HEAD + '''
    n = np.tanh(a[:, 2*H:] + r * b[:, 2*H:])
    return (1 - z) * h_prev + z * n
''', "update gate multiplies the wrong term"),
        ("reset gate before the matmul", TORCH_HEAD + '''
    n = np.tanh(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:])
    return (1 - z) * n + z * h_prev
''', "applied before the matrix product"),
        ("b_hn outside the reset gate", TORCH_HEAD + '''
    n = np.tanh(a[:, 2*H:] + r * (h_prev @ Wh[:, 2*H:]) + bh[2*H:])
    return (1 - z) * n + z * h_prev
''', "sits outside the reset gate"),
        ("b_hn dropped", TORCH_HEAD + '''
    n = np.tanh(a[:, 2*H:] + r * (h_prev @ Wh[:, 2*H:]))
    return (1 - z) * n + z * h_prev
''', "leaves out b_hn"),
        ("z and r swapped (Keras's block order)", TORCH_HEAD + '''
    z, r = r, z
    n = np.tanh(a[:, 2*H:] + r * b[:, 2*H:])
    return (1 - z) * n + z * h_prev
''', "reset gate r and update gate z are swapped"),
        ("the chapter's GRU instead of PyTorch's", TORCH_HEAD + '''
    n = np.tanh(a[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:])
    return (1 - z) * h_prev + z * n
''', "You wrote the chapter's GRU"),
        ("recurrent bias ignored everywhere", '''
def gru_step_torch(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    a = x @ Wx + bx
    b = h_prev @ Wh
    r = sigmoid(a[:, :H] + b[:, :H])
    z = sigmoid(a[:, H:2*H] + b[:, H:2*H])
    n = np.tanh(a[:, 2*H:] + r * b[:, 2*H:])
    return (1 - z) * n + z * h_prev
''', "leaves out the recurrent bias bh"),
        ("sigmoid for the candidate", TORCH_HEAD + '''
    n = sigmoid(a[:, 2*H:] + r * b[:, 2*H:])
    return (1 - z) * n + z * h_prev
''', "candidate uses the sigmoid"),
        ("reset gate outside the tanh", TORCH_HEAD + '''
    n = r * np.tanh(a[:, 2*H:] + b[:, 2*H:])
    return (1 - z) * n + z * h_prev
''', "after the tanh"),
        ("calls torch.nn.GRU", '''
import torch as _t
def gru_step_torch(x, h_prev, Wx, Wh, bx, bh):
    dt = _t.float64
    m = _t.nn.GRU(Wx.shape[0], Wh.shape[0], batch_first=True).to(dt)
    with _t.no_grad():
        m.weight_ih_l0.copy_(_t.from_numpy(np.ascontiguousarray(Wx.T)).to(dt))
        m.weight_hh_l0.copy_(_t.from_numpy(np.ascontiguousarray(Wh.T)).to(dt))
        m.bias_ih_l0.copy_(_t.from_numpy(bx).to(dt)); m.bias_hh_l0.copy_(_t.from_numpy(bh).to(dt))
        _, h = m(_t.from_numpy(x).to(dt)[:, None], _t.from_numpy(h_prev).to(dt)[None])
    return h[0].numpy().astype(x.dtype)
''', "called torch.nn.GRU"),
        ("calls torch.nn.GRUCell", '''
import torch as _t
def gru_step_torch(x, h_prev, Wx, Wh, bx, bh):
    dt = _t.float64
    m = _t.nn.GRUCell(Wx.shape[0], Wh.shape[0]).to(dt)
    with _t.no_grad():
        m.weight_ih.copy_(_t.from_numpy(np.ascontiguousarray(Wx.T)).to(dt))
        m.weight_hh.copy_(_t.from_numpy(np.ascontiguousarray(Wh.T)).to(dt))
        m.bias_ih.copy_(_t.from_numpy(bx).to(dt)); m.bias_hh.copy_(_t.from_numpy(bh).to(dt))
        h = m(_t.from_numpy(x).to(dt), _t.from_numpy(h_prev).to(dt))
    return h.numpy().astype(x.dtype)
''', "called torch.nn.GRUCell"),
    ],
    "gru_forward": [
        ("default convention is the chapter's", '''
def gru_forward(X, h0, Wx, Wh, bx, bh, convention="chapter"):
    step = {"torch": gru_step_torch, "chapter": gru_step_chapter}[convention]
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h, Wx, Wh, bx, bh)
        outs.append(h)
    return np.stack(outs, axis=1), h
''', "Called without `convention`, your gru_forward ran the chapter's GRU"),
        ("Hs as a list of steps", FORWARD_LOOP + '''
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h, Wx, Wh, bx, bh)
        outs.append(h)
    return outs, h
''', "should be a numpy array, got a list"),
        ("inline cell with a naive sigmoid", '''
def gru_forward(X, h0, Wx, Wh, bx, bh, convention="torch"):
    H = h0.shape[1]
    s = lambda v: np.exp(v) / (1 + np.exp(v))
    h, outs = h0, []
    for t in range(X.shape[1]):
        a, b = X[:, t] @ Wx + bx, h @ Wh + bh
        r, z = s(a[:, :H] + b[:, :H]), s(a[:, H:2*H] + b[:, H:2*H])
        if convention == "torch":
            n = np.tanh(a[:, 2*H:] + r * b[:, 2*H:])
            h = (1 - z) * n + z * h
        else:
            n = np.tanh(a[:, 2*H:] + (r * h) @ Wh[:, 2*H:] + bh[2*H:])
            h = (1 - z) * h + z * n
        outs.append(h)
    return np.stack(outs, axis=1), h
''', "with very large inputs"),
        ("time-major outputs", FORWARD_LOOP + '''
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h, Wx, Wh, bx, bh)
        outs.append(h)
    return np.stack(outs, axis=0), h
''', "time-major"),
        ("state not carried between steps", FORWARD_LOOP + '''
    outs = [step(X[:, t], h0, Wx, Wh, bx, bh) for t in range(X.shape[1])]
    return np.stack(outs, axis=1), outs[-1]
''', "starts from h0"),
        ("ignores the convention", '''
def gru_forward(X, h0, Wx, Wh, bx, bh, convention="torch"):
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = gru_step_torch(X[:, t], h, Wx, Wh, bx, bh)
        outs.append(h)
    return np.stack(outs, axis=1), h
''', "does not follow `convention`"),
        ("conventions mixed up", '''
def gru_forward(X, h0, Wx, Wh, bx, bh, convention="torch"):
    step = gru_step_chapter if convention == "torch" else gru_step_torch
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h, Wx, Wh, bx, bh)
        outs.append(h)
    return np.stack(outs, axis=1), h
''', "returned the 'chapter' GRU"),
        ("starts from zeros", FORWARD_LOOP + '''
    h, outs = np.zeros_like(h0), []
    for t in range(X.shape[1]):
        h = step(X[:, t], h, Wx, Wh, bx, bh)
        outs.append(h)
    return np.stack(outs, axis=1), h
''', "starts from zeros"),
        ("final state after the first step", FORWARD_LOOP + '''
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h, Wx, Wh, bx, bh)
        outs.append(h)
    return np.stack(outs, axis=1), outs[0]
''', "after the first step"),
        ("returns only Hs", FORWARD_LOOP + '''
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h, Wx, Wh, bx, bh)
        outs.append(h)
    return np.stack(outs, axis=1)
''', "should return 2 values"),
        ("iterates over the batch axis", FORWARD_LOOP + '''
    h, outs = h0, []
    for t in range(X.shape[0]):
        h = step(X[t], h, Wx, Wh, bx, bh)
        outs.append(h)
    return np.stack(outs, axis=1), h
''', None),
        ("calls the library's gru_forward", '''
import lstmlab.gru as _G
def gru_forward(X, h0, Wx, Wh, bx, bh, convention="torch"):
    return _G.gru_forward(X, h0, Wx, Wh, bx, bh, convention=convention)
''', "must be written from scratch"),
        ("calls torch.nn.GRU for the torch convention", '''
import torch as _t
def gru_forward(X, h0, Wx, Wh, bx, bh, convention="torch"):
    if convention == "chapter":
        h, outs = h0, []
        for t in range(X.shape[1]):
            h = gru_step_chapter(X[:, t], h, Wx, Wh, bx, bh)
            outs.append(h)
        return np.stack(outs, axis=1), h
    dt = _t.float64
    m = _t.nn.GRU(Wx.shape[0], Wh.shape[0], batch_first=True).to(dt)
    with _t.no_grad():
        for p, v in ((m.weight_ih_l0, Wx.T), (m.weight_hh_l0, Wh.T), (m.bias_ih_l0, bx), (m.bias_hh_l0, bh)):
            p.copy_(_t.from_numpy(np.ascontiguousarray(v)).to(dt))
        out, hn = m(_t.from_numpy(X).to(dt), _t.from_numpy(h0).to(dt)[None])
    return out.numpy().astype(X.dtype), hn[0].numpy().astype(X.dtype)
''', "called torch.nn.GRU"),
    ],
    "gru_param_count": [
        ("default of two bias vectors (torch's)", '''
def gru_param_count(input_size, hidden_size, bias_vectors=2):
    return 3 * (hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size)
''', "the default is bias_vectors=1"),
        ("default of no bias (the chapter's equations)", '''
def gru_param_count(input_size, hidden_size, bias_vectors=0):
    return 3 * (hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size)
''', "Called without bias_vectors"),
        ("bias vectors counted once for the layer", '''
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    return 3 * (hidden_size * input_size + hidden_size ** 2) + bias_vectors * hidden_size
''', "counted each bias vector once for the whole layer"),
        ("LSTM's four blocks", '''
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    return 4 * (hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size)
''', "4 blocks"),
        ("only the two gates", '''
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    return 2 * (hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size)
''', "only the two gates"),
        ("recurrent weights forgotten", '''
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    return 3 * (hidden_size * input_size + bias_vectors * hidden_size)
''', "recurrent weights"),
        ("bias forgotten", '''
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    return 3 * (hidden_size * input_size + hidden_size ** 2)
''', "left out the bias"),
        ("bias_vectors ignored (always one)", '''
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    return 3 * (hidden_size * input_size + hidden_size ** 2 + hidden_size)
''', "counted one bias vector"),
        ("always torch's two bias vectors", '''
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    return 3 * (hidden_size * input_size + hidden_size ** 2 + 2 * hidden_size)
''', "always count two"),
        ("square matrices on [h, x]", '''
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    return 3 * (input_size + hidden_size) ** 2 + 3 * bias_vectors * hidden_size
''', "not (H + D) x (H + D)"),
        ("returns a float", '''
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    return 3.0 * (hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size)
''', "should return an int"),
        ("asks torch", '''
import torch as _t
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    n = sum(p.numel() for p in _t.nn.GRU(input_size, hidden_size).parameters())
    return n - (2 - bias_vectors) * 3 * hidden_size
''', "must be written from scratch"),
    ],
}

RIGHT = {
    "gru_step_chapter": [
        ("float32 throughout, stable sigmoid, interpolation form", '''
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    def sig(v):
        e = np.exp(-np.abs(v))
        return np.where(v >= 0, 1 / (1 + e), e / (1 + e)).astype(v.dtype)
    gates = np.einsum("bd,dk->bk", x, Wx[:, :2*H]) + np.einsum("bh,hk->bk", h_prev, Wh[:, :2*H]) + (bx + bh)[:2*H]
    r, z = sig(gates[:, :H]), sig(gates[:, H:])
    cand = np.tanh((r * h_prev) @ Wh[:, 2*H:] + x @ Wx[:, 2*H:] + (bh[2*H:] + bx[2*H:]))
    return h_prev + z * (cand - h_prev)
'''),
        ("[x, h] concatenated, weights stacked [Wx; Wh] for the gates", '''
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    W = np.concatenate([Wx, Wh], axis=0)
    gates = sigmoid(np.concatenate([x, h_prev], axis=1) @ W[:, :2*H] + bx[:2*H] + bh[:2*H])
    r, z = gates[:, :H], gates[:, H:]
    n = np.tanh(np.concatenate([x, r * h_prev], axis=1) @ W[:, 2*H:] + bx[2*H:] + bh[2*H:])
    return (1 - z) * h_prev + z * n
'''),
        ("the chapter's concatenated form", '''
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    W = lambda k: np.concatenate([Wh[:, k*H:(k+1)*H], Wx[:, k*H:(k+1)*H]], axis=0)   # (H + D, H) on [h, x]
    b = lambda k: bx[k*H:(k+1)*H] + bh[k*H:(k+1)*H]
    hx = np.concatenate([h_prev, x], axis=1)
    r = sigmoid(hx @ W(0) + b(0))
    z = sigmoid(hx @ W(1) + b(1))
    h_tilde = np.tanh(np.concatenate([r * h_prev, x], axis=1) @ W(2) + b(2))
    return (1 - z) * h_prev + z * h_tilde
'''),
        ("Cho's placement with the update gate negated", '''
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    pre = x @ Wx + bx + np.concatenate([h_prev @ Wh[:, :2*H] + bh[:2*H], np.zeros_like(h_prev)], axis=1)
    r = 1 / (1 + np.exp(-pre[:, :H]))
    keep = 1 / (1 + np.exp(pre[:, H:2*H]))          # = 1 - z
    n = np.tanh(pre[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:])
    return keep * h_prev + (1 - keep) * n
'''),
        ("per-example loop", '''
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    out = np.empty_like(h_prev)
    for k in range(x.shape[0]):
        a = Wx.T @ x[k] + bx
        r = sigmoid(a[:H] + Wh[:, :H].T @ h_prev[k] + bh[:H])
        z = sigmoid(a[H:2*H] + Wh[:, H:2*H].T @ h_prev[k] + bh[H:2*H])
        n = np.tanh(a[2*H:] + Wh[:, 2*H:].T @ (r * h_prev[k]) + bh[2*H:])
        out[k] = h_prev[k] + z * (n - h_prev[k])
    return out
'''),
        ("upcasts to float64", '''
def gru_step_chapter(x, h_prev, Wx, Wh, bx, bh):
    x, h_prev, Wx, Wh, bx, bh = (np.asarray(v, dtype=np.float64) for v in (x, h_prev, Wx, Wh, bx, bh))
    H = h_prev.shape[1]
    s = [slice(k * H, (k + 1) * H) for k in range(3)]
    r = sigmoid(x @ Wx[:, s[0]] + bx[s[0]] + h_prev @ Wh[:, s[0]] + bh[s[0]])
    z = sigmoid(x @ Wx[:, s[1]] + bx[s[1]] + h_prev @ Wh[:, s[1]] + bh[s[1]])
    n = np.tanh(x @ Wx[:, s[2]] + bx[s[2]] + (r * h_prev) @ Wh[:, s[2]] + bh[s[2]])
    return (1 - z) * h_prev + z * n
'''),
    ],
    "gru_step_torch": [
        ("float32 throughout, np.split, tanh via 2 sigmoid(2v) - 1", '''
def gru_step_torch(x, h_prev, Wx, Wh, bx, bh):
    gi = np.split(x @ Wx + bx, 3, axis=1)
    gh = np.split(h_prev @ Wh + bh, 3, axis=1)
    r = sigmoid(gi[0] + gh[0])
    z = sigmoid(gi[1] + gh[1])
    n = 2 * sigmoid(2 * (gi[2] + r * gh[2])) - 1
    return (z * h_prev + (1 - z) * n).astype(x.dtype)
'''),
        ("per-example loop, torch's (3H, D) layout", '''
def gru_step_torch(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    W_ih, W_hh = Wx.T, Wh.T
    out = np.empty_like(h_prev)
    for k in range(x.shape[0]):
        gi, gh = W_ih @ x[k] + bx, W_hh @ h_prev[k] + bh
        r = sigmoid(gi[:H] + gh[:H])
        z = sigmoid(gi[H:2*H] + gh[H:2*H])
        n = np.tanh(gi[2*H:] + r * gh[2*H:])
        out[k] = (1 - z) * n + z * h_prev[k]
    return out
'''),
        ("separate matrices per block", '''
def gru_step_torch(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    s = [slice(k * H, (k + 1) * H) for k in range(3)]
    r = sigmoid(x @ Wx[:, s[0]] + bx[s[0]] + h_prev @ Wh[:, s[0]] + bh[s[0]])
    z = sigmoid(x @ Wx[:, s[1]] + bx[s[1]] + h_prev @ Wh[:, s[1]] + bh[s[1]])
    n = np.tanh(x @ Wx[:, s[2]] + bx[s[2]] + r * (h_prev @ Wh[:, s[2]] + bh[s[2]]))
    return (1 - z) * n + z * h_prev
'''),
        ("torch's weight layout, own sigmoid", '''
def gru_step_torch(x, h_prev, Wx, Wh, bx, bh):
    W_ih, W_hh = Wx.T, Wh.T                          # (3H, D), (3H, H) as torch stores them
    gi = (W_ih @ x.T).T + bx
    gh = (W_hh @ h_prev.T).T + bh
    i_r, i_z, i_n = np.split(gi, 3, axis=1)
    h_r, h_z, h_n = np.split(gh, 3, axis=1)
    sig = lambda v: 1.0 / (1.0 + np.exp(-v))
    r, z = sig(i_r + h_r), sig(i_z + h_z)
    n = np.tanh(i_n + r * h_n)
    return n + z * (h_prev - n)
'''),
        ("einsum, returns float64 for float32 inputs", '''
def gru_step_torch(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    a = np.einsum("bd,dk->bk", x.astype(np.float64), Wx) + bx
    b = np.einsum("bh,hk->bk", h_prev.astype(np.float64), Wh) + bh
    r = sigmoid(a[:, :H] + b[:, :H])
    z = sigmoid(a[:, H:2*H] + b[:, H:2*H])
    n = np.tanh(a[:, 2*H:] + r * b[:, 2*H:])
    return (1 - z) * n + z * h_prev
'''),
    ],
    "gru_forward": [
        ("float32 throughout, inline, stable sigmoid", '''
def gru_forward(X, h0, Wx, Wh, bx, bh, convention="torch"):
    B, T, _ = X.shape
    H = h0.shape[1]
    sig = lambda v: (0.5 * (1 + np.tanh(0.5 * v))).astype(X.dtype)
    Hs = np.empty((B, T, H), dtype=X.dtype)
    h = h0
    for t in range(T):
        a, b = X[:, t] @ Wx + bx, h @ Wh + bh
        r, z = sig(a[:, :H] + b[:, :H]), sig(a[:, H:2*H] + b[:, H:2*H])
        if convention == "chapter":
            n = np.tanh(a[:, 2*H:] + (r * h) @ Wh[:, 2*H:] + bh[2*H:])
            h = (1 - z) * h + z * n
        else:
            n = np.tanh(a[:, 2*H:] + r * b[:, 2*H:])
            h = (1 - z) * n + z * h
        Hs[:, t] = h
    return Hs, h
'''),
        ("steps looked up by name", '''
def gru_forward(X, h0, Wx, Wh, bx, bh, convention="torch"):
    step = {"gru_step_torch": gru_step_torch, "gru_step_chapter": gru_step_chapter}["gru_step_" + convention]
    h, outs = h0, []
    for x_t in np.moveaxis(X, 1, 0):
        h = step(x_t, h, Wx, Wh, bx, bh)
        outs.append(h)
    return np.stack(outs, axis=1), h
'''),
        ("preallocated output", '''
def gru_forward(X, h0, Wx, Wh, bx, bh, convention="torch"):
    B, T, _ = X.shape
    Hs = np.zeros((B, T, h0.shape[1]), dtype=np.result_type(X, h0))
    h = h0
    for t in range(T):
        h = gru_step_torch(X[:, t], h, Wx, Wh, bx, bh) if convention == "torch" else \\
            gru_step_chapter(X[:, t], h, Wx, Wh, bx, bh)
        Hs[:, t] = h
    return Hs, Hs[:, -1]
'''),
        ("input projections of all steps at once", '''
def gru_forward(X, h0, Wx, Wh, bx, bh, convention="torch"):
    B, T, D = X.shape
    H = h0.shape[1]
    AX = X @ Wx + bx                              # (B, T, 3H)
    h, outs = h0, []
    for t in range(T):
        a = AX[:, t]
        r = sigmoid(a[:, :H] + h @ Wh[:, :H] + bh[:H])
        z = sigmoid(a[:, H:2*H] + h @ Wh[:, H:2*H] + bh[H:2*H])
        if convention == "torch":
            n = np.tanh(a[:, 2*H:] + r * (h @ Wh[:, 2*H:] + bh[2*H:]))
            h = (1 - z) * n + z * h
        elif convention == "chapter":
            n = np.tanh(a[:, 2*H:] + (r * h) @ Wh[:, 2*H:] + bh[2*H:])
            h = (1 - z) * h + z * n
        else:
            raise ValueError(convention)
        outs.append(h)
    return np.stack(outs, axis=1), [h][0]
'''),
        ("one sequence at a time", '''
def gru_forward(X, h0, Wx, Wh, bx, bh, convention="torch"):
    step = gru_step_torch if convention == "torch" else gru_step_chapter
    rows, last = [], []
    for k in range(X.shape[0]):
        h, seq = h0[k:k+1], []
        for t in range(X.shape[1]):
            h = step(X[k:k+1, t], h, Wx, Wh, bx, bh)
            seq.append(h[0])
        rows.append(np.stack(seq)); last.append(h[0])
    return np.stack(rows), np.stack(last)
'''),
    ],
    "gru_param_count": [
        ("math.prod over torch's parameter shapes", '''
import math
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    shapes = [(3 * hidden_size, input_size), (3 * hidden_size, hidden_size)] + [(3 * hidden_size,)] * bias_vectors
    return sum(math.prod(s) for s in shapes)
'''),
        ("one (H + D) x 3H matrix plus biases", '''
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    return int(3 * hidden_size * (input_size + hidden_size + bias_vectors))
'''),
        ("block by block", '''
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    total = 0
    for block in "rzn":
        total += hidden_size * (input_size + hidden_size) + bias_vectors * hidden_size
    return total
'''),
        ("from the layout's shapes, numpy integer", '''
def gru_param_count(input_size, hidden_size, bias_vectors=1):
    shapes = [(input_size, 3 * hidden_size), (hidden_size, 3 * hidden_size)] + [(3 * hidden_size,)] * bias_vectors
    return np.sum([np.prod(s) for s in shapes])
'''),
    ],
}
