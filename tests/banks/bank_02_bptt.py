"""Lesson 02 bank: wrong implementations that must lose points, and correct ones that must keep them.

WRONG[exercise] = [(name, source, fragment)]: the exercise's test cell must fail, and its message
must contain `fragment` (the diagnosis names the wrong term); fragment None = any failure.
RIGHT[exercise] = [(name, source)]: the test cell, hidden tests included, must pass.
Sources run in the notebook's namespace (np, sigmoid, the provided lstm_step_forward / lstm_forward,
and the reference lstm_step_backward for the sequence exercise).
"""

# One correct step backward with named places to break; each WRONG entry swaps one line.
STEP = '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev = cache["x"], cache["h_prev"], cache["c_prev"]
    i, f, g, o, c, tanh_c = cache["i"], cache["f"], cache["g"], cache["o"], cache["c"], cache["tanh_c"]
    dsig = lambda s: s * (1 - s)
    do = dh * tanh_c
    dc_t = dc + dh * o * (1 - tanh_c ** 2)
    di, df, dg = dc_t * g, dc_t * c_prev, dc_t * i
    dc_prev = dc_t * f
    da = np.concatenate([di * dsig(i), df * dsig(f), dg * (1 - g ** 2), do * dsig(o)], axis=1)
    dx, dh_prev = da @ cache["Wx"].T, da @ cache["Wh"].T
    dWx, dWh, db = x.T @ da, h_prev.T @ da, da.sum(axis=0)
    return dx, dh_prev, dc_prev, dWx, dWh, db
'''


def step(old, new):
    assert old in STEP, old
    return STEP.replace(old, new)


# One correct sequence backward; each WRONG entry changes one line.
SEQ = '''
def lstm_backward(dHs, cache):
    B, T, H = dHs.shape
    D = cache[0]["x"].shape[1]
    dX = np.zeros((B, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
    for t in reversed(range(T)):
        dx, dh_next, dc_next, dWx_t, dWh_t, db_t = lstm_step_backward(dHs[:, t] + dh_next, dc_next, cache[t])
        dX[:, t] = dx
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dX, dh_next, dc_next, dWx, dWh, db
'''


def seq(old, new):
    assert old in SEQ, old
    return SEQ.replace(old, new)


FD = '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f()
        x[idx] = old - h
        f_minus = f()
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
'''


def fd(old, new):
    assert old in FD, old
    return FD.replace(old, new)


WRONG = {
    "numerical_gradient": [
        ("ignores the step h it is given", fd("        x[idx] = old + h\n", "        h = 1e-5\n        x[idx] = old + h\n"),
         "ignores the step h it is given"),
        ("operator precedence: / 2 * h", fd("/ (2 * h)", "/ 2 * h"), "multiplied by h**2 instead of divided by 2h"),
        ("second probe at x instead of x - h", fd("        x[idx] = old - h\n", "        x[idx] = old\n"),
         "second probe is at x, not at x - h"),
        ("loops over the first axis only (moves whole rows)", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(x.shape[0]):
        old = x[i].copy()
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
''', "moves a whole row x[i] at once"),
        ("gradient stored in float32", fd("grad = np.zeros(x.shape)", "grad = np.zeros(x.shape, dtype=np.float32)"),
         "Your numerical gradient is float32"),
        ("returns a list", '''
def numerical_gradient(f, x, h=1e-5):
    grad = []
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f()
        x[idx] = old - h
        f_minus = f()
        x[idx] = old
        grad.append((f_plus - f_minus) / (2 * h))
    return grad if x.ndim == 1 else np.reshape(grad, x.shape).tolist()
''', "should be a numpy array, got a list"),
        ("one-sided difference", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    f0 = f()
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        grad[idx] = (f() - f0) / h
        x[idx] = old
    return grad
''', "one-sided difference (f(x+h) - f(x)) / h"),
        ("backward one-sided difference", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    f0 = f()
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old - h
        grad[idx] = (f0 - f()) / h
        x[idx] = old
    return grad
''', "one-sided difference (f(x) - f(x-h)) / h"),
        ("perturbed entry not restored", fd("        x[idx] = old\n", ""), "left x changed"),
        ("restored only after the loop (every probe sees earlier shifts)", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    saved = x.copy()
    for idx in np.ndindex(x.shape):
        x[idx] += h
        f_plus = f()
        x[idx] -= 2 * h
        f_minus = f()
        grad[idx] = (f_plus - f_minus) / (2 * h)
    x[...] = saved
    return grad
''', "wrong values"),
        ("divides by h instead of 2h", fd("/ (2 * h)", "/ h"), "divide by 2h, not h"),
        ("wrong sign", fd("(f_plus - f_minus)", "(f_minus - f_plus)"), "wrong sign"),
        ("perturbs a copy of x", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        grad[idx] = (f() - f()) / (2 * h)
    return grad
''', "f() never saw your perturbation"),
        ("perturbs every entry at once", '''
def numerical_gradient(f, x, h=1e-5):
    old = x.copy()
    x += h
    f_plus = f()
    x[...] = old - h
    f_minus = f()
    x[...] = old
    return np.full(x.shape, (f_plus - f_minus) / (2 * h))
''', "wrong values"),
        ("returns a flat gradient", fd("    return grad\n", "    return grad.ravel()\n"), "in the shape of x"),
        ("default step far too large", fd("h=1e-5", "h=0.1"), "with your default h"),
        ("calls the library's gradcheck", '''
from lstmlab.gradcheck import numerical_gradient as _ng
def numerical_gradient(f, x, h=1e-5):
    return _ng(f, x, h)
''', "must be written from scratch, but it called lstmlab.gradcheck.numerical_gradient"),
    ],
    "lstm_step_backward": [
        ("dh_prev and dc_prev returned swapped", step("return dx, dh_prev, dc_prev,", "return dx, dc_prev, dh_prev,"),
         "wrong order: (dx, dc_prev, dh_prev, dWx, dWh, db) instead of (dx, dh_prev, dc_prev, dWx, dWh, db)"),
        ("dWx and dWh returned swapped", step("dc_prev, dWx, dWh, db", "dc_prev, dWh, dWx, db"),
         "wrong order: (dx, dh_prev, dc_prev, dWh, dWx, db)"),
        ("sigmoid applied again in the derivative", step("dsig = lambda s: s * (1 - s)",
                                                         "dsig = lambda s: sigmoid(s) * (1 - sigmoid(s))"),
         "sigmoid derivative applies the sigmoid again"),
        ("tanh applied again to tanh_c", step("dc_t = dc + dh * o * (1 - tanh_c ** 2)",
                                             "dc_t = dc + dh * o * (1 - np.tanh(tanh_c) ** 2)"),
         "tanh'(c_t) applies tanh again"),
        ("tanh applied again to g", step("dg * (1 - g ** 2)", "dg * (1 - np.tanh(g) ** 2)"),
         "derivative of the candidate applies tanh again"),
        ("weight gradients returned as lists of rows", step("    return dx, dh_prev, dc_prev, dWx, dWh, db",
                                                           "    return dx, dh_prev, dc_prev, list(dWx), list(dWh), db"),
         "dWx should be a numpy array, got a list"),
        ("sigmoid' written as s", step("dsig = lambda s: s * (1 - s)", "dsig = lambda s: s"),
         "sigmoid derivative is written as s"),
        ("tanh'(c) as 1 - c**2", step("dc_t = dc + dh * o * (1 - tanh_c ** 2)", "dc_t = dc + dh * o * (1 - c ** 2)"),
         "tanh'(c_t) is computed on the wrong value: you used 1 - c_t**2"),
        ("tanh'(c) of c_(t-1)", step("dc_t = dc + dh * o * (1 - tanh_c ** 2)",
                                    "dc_t = dc + dh * o * (1 - np.tanh(c_prev) ** 2)"),
         "tanh'(c_t) is computed on the wrong value: you used c_(t-1)"),
        ("tanh'(c) as 1 - h**2", step("dc_t = dc + dh * o * (1 - tanh_c ** 2)",
                                     "dc_t = dc + dh * o * (1 - (o * tanh_c) ** 2)"),
         "you used 1 - h_t**2"),
        ("tanh'(c) without the square", step("dc_t = dc + dh * o * (1 - tanh_c ** 2)", "dc_t = dc + dh * o * (1 - tanh_c)"),
         "1 - tanh(c_t); the derivative of tanh is 1 - tanh(c_t)**2"),
        ("dc not passed back through f", step("dc_prev = dc_t * f", "dc_prev = dc_t"),
         "not passed back through the forget gate"),
        ("dc_prev without the dh route", step("dc_prev = dc_t * f", "dc_prev = dc * f"),
         "dc_prev forgets the gradient that reaches c_t through h_t"),
        ("incoming dc ignored", step("dc_t = dc + dh", "dc_t = 0 * dc + dh"), "You ignore the incoming dc"),
        ("dh route into c missing", step("dc_t = dc + dh * o * (1 - tanh_c ** 2)", "dc_t = dc"),
         "leaves out what arrives through h_t"),
        ("do uses c", step("do = dh * tanh_c", "do = dh * c"), "d o uses c_t"),
        ("df uses the new c", step("df, dg = dc_t * g, dc_t * c_prev, dc_t * i", "df, dg = dc_t * g, dc_t * c, dc_t * i"),
         "d f uses the new c_t"),
        ("di and dg swapped", step("di, df, dg = dc_t * g, dc_t * c_prev, dc_t * i", "di, df, dg = dc_t * i, dc_t * c_prev, dc_t * g"),
         "d i and d g are swapped"),
        ("candidate derivative g(1-g)", step("dg * (1 - g ** 2)", "dg * g * (1 - g)"), "uses the sigmoid's g * (1 - g)"),
        ("gate blocks stacked i, f, o, g", step("[di * dsig(i), df * dsig(f), dg * (1 - g ** 2), do * dsig(o)]",
                                               "[di * dsig(i), df * dsig(f), do * dsig(o), dg * (1 - g ** 2)]"),
         "order i, f, o, g"),
        ("db averaged over the batch", step("da.sum(axis=0)", "da.mean(axis=0)"), "db averages over the batch"),
        ("db not summed over the batch", step("da.sum(axis=0)", "da"), "sum the pre-activation gradient over the batch"),
        ("dWx transposed", step("dWx, dWh, db = x.T @ da", "dWx, dWh, db = da.T @ x"), "dWx is transposed"),
        ("dx and dh_prev through the wrong matrices", step('dx, dh_prev = da @ cache["Wx"].T, da @ cache["Wh"].T',
                                                           'dx, dh_prev = da @ cache["Wh"].T, da @ cache["Wx"].T'),
         None),
        ("changes dc in place", '''
def lstm_step_backward(dh, dc, cache):
    i, f, g, o, tanh_c = cache["i"], cache["f"], cache["g"], cache["o"], cache["tanh_c"]
    dc += dh * o * (1 - tanh_c ** 2)
    da = np.concatenate([dc * g * i * (1 - i), dc * cache["c_prev"] * f * (1 - f), dc * i * (1 - g ** 2),
                         dh * tanh_c * o * (1 - o)], axis=1)
    return (da @ cache["Wx"].T, da @ cache["Wh"].T, dc * f, cache["x"].T @ da, cache["h_prev"].T @ da, da.sum(0))
''', "lstm_step_backward changed its input dc in place"),
        ("torch autograd instead of a backward pass", '''
import torch as _t
def lstm_step_backward(dh, dc, cache):
    H = dh.shape[1]
    # Recover the pre-activations from the cached gates, then let autograd do the work.
    logit = lambda s: np.log(s) - np.log1p(-s)
    a = np.concatenate([logit(cache["i"]), logit(cache["f"]), np.arctanh(cache["g"]), logit(cache["o"])], axis=1)
    b = a - cache["x"] @ cache["Wx"] - cache["h_prev"] @ cache["Wh"]
    x, hp, cp, Wx, Wh = (_t.tensor(np.asarray(cache[k], np.float64), requires_grad=True)
                         for k in ("x", "h_prev", "c_prev", "Wx", "Wh"))
    bt = _t.tensor(b.astype(np.float64), requires_grad=True)
    z = x @ Wx + hp @ Wh + bt
    i, f, g, o = _t.sigmoid(z[:, :H]), _t.sigmoid(z[:, H:2*H]), _t.tanh(z[:, 2*H:3*H]), _t.sigmoid(z[:, 3*H:])
    c = f * cp + i * g
    h = o * _t.tanh(c)
    ((h * _t.tensor(np.asarray(dh, np.float64))).sum() + (c * _t.tensor(np.asarray(dc, np.float64))).sum()).backward()
    grads = (x.grad, hp.grad, cp.grad, Wx.grad, Wh.grad, bt.grad.sum(0))
    return tuple(gr.numpy().astype(dh.dtype) for gr in grads)
''', "called torch autograd"),
        ("calls the library's reference backward", '''
from lstmlab import lstm as _ref
def lstm_step_backward(dh, dc, cache):
    k = cache
    tup = (k["x"], k["h_prev"], k["c_prev"], k["Wx"], k["Wh"], k["i"], k["f"], k["g"], k["o"], k["tanh_c"], k["c"])
    return _ref.lstm_step_backward(dh, dc, tup)
''', "must be written from scratch, but it called lstmlab.lstm.lstm_step_backward"),
    ],
    "lstm_backward": [
        ("loop stops before step 0", seq("for t in reversed(range(T)):", "for t in range(T - 1, 0, -1):"),
         "loop stops before step 0"),
        ("dX stored in reversed time order", seq("        dX[:, t] = dx\n", "        dX[:, T - 1 - t] = dx\n"),
         "dX is in reversed time order"),
        ("last output counted twice", seq("dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))",
                                          "dh_next, dc_next = dHs[:, -1].copy(), np.zeros((B, H))"),
         "count the last output's gradient twice"),
        ("dWx and dWh returned swapped", seq("return dX, dh_next, dc_next, dWx, dWh, db", "return dX, dh_next, dc_next, dWh, dWx, db"),
         "wrong order: (dX, dh0, dc0, dWh, dWx, db)"),
        ("dh from the next step not added", seq("lstm_step_backward(dHs[:, t] + dh_next,", "lstm_step_backward(dHs[:, t],"),
         "did not add the gradient arriving from the next step"),
        ("gradients overwritten instead of accumulated", seq(
            "        dWx += dWx_t\n        dWh += dWh_t\n        db += db_t\n",
            "        dWx, dWh, db = dWx_t, dWh_t, db_t\n"), "overwritten at every step instead of accumulated"),
        ("only dWx overwritten", seq("        dWx += dWx_t\n", "        dWx = dWx_t\n"), "overwritten at every step"),
        ("dc not carried back in time", seq("dHs[:, t] + dh_next, dc_next, cache[t])", "dHs[:, t] + dh_next, 0 * dc_next, cache[t])"),
         "do not carry dc back in time"),
        ("runs forwards in time", seq("for t in reversed(range(T)):", "for t in range(T):"), "forwards in time"),
        ("dh0 is the gradient at step 0's output", '''
def lstm_backward(dHs, cache):
    B, T, H = dHs.shape
    D = cache[0]["x"].shape[1]
    dX = np.zeros((B, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
    for t in reversed(range(T)):
        dh = dHs[:, t] + dh_next
        dx, dh_next, dc_next, dWx_t, dWh_t, db_t = lstm_step_backward(dh, dc_next, cache[t])
        dX[:, t] = dx
        dWx += dWx_t; dWh += dWh_t; db += db_t
    return dX, dh, dc_next, dWx, dWh, db
''', "not w.r.t. the initial state h0"),
        ("only the last output's gradient used", '''
def lstm_backward(dHs, cache):
    B, T, H = dHs.shape
    D = cache[0]["x"].shape[1]
    dX = np.zeros((B, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dh_next, dc_next = dHs[:, -1], np.zeros((B, H))
    for t in reversed(range(T)):
        dx, dh_next, dc_next, dWx_t, dWh_t, db_t = lstm_step_backward(dh_next, dc_next, cache[t])
        dX[:, t] = dx
        dWx += dWx_t; dWh += dWh_t; db += db_t
    return dX, dh_next, dc_next, dWx, dWh, db
''', "only use dHs[:, T-1]"),
        ("dX time-major", seq("    return dX, dh_next", "    return dX.transpose(1, 0, 2), dh_next"), "time-major"),
        ("returns (dc0, dh0)", seq("return dX, dh_next, dc_next,", "return dX, dc_next, dh_next,"),
         "wrong order: (dX, dc0, dh0, dWx, dWh, db) instead of (dX, dh0, dc0, dWx, dWh, db)"),
        ("writes into dHs", '''
def lstm_backward(dHs, cache):
    B, T, H = dHs.shape
    D = cache[0]["x"].shape[1]
    dX = np.zeros((B, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
    for t in reversed(range(T)):
        dh = dHs[:, t]
        dh += dh_next
        dx, dh_next, dc_next, dWx_t, dWh_t, db_t = lstm_step_backward(dh, dc_next, cache[t])
        dX[:, t] = dx
        dWx += dWx_t; dWh += dWh_t; db += db_t
    return dX, dh_next, dc_next, dWx, dWh, db
''', "lstm_backward changed its input dHs in place"),
        ("calls the library's backward", '''
import lstmlab.lstm as _L
def lstm_backward(dHs, cache):
    X = np.stack([k["x"] for k in cache], axis=1)
    k0 = cache[0]
    H = k0["h_prev"].shape[1]
    # Recover b from the first step's gates, then rerun the reference.
    logit = lambda s: np.log(s) - np.log1p(-s)
    a = np.concatenate([logit(k0["i"]), logit(k0["f"]), np.arctanh(k0["g"]), logit(k0["o"])], axis=1)
    b = (a - k0["x"] @ k0["Wx"] - k0["h_prev"] @ k0["Wh"]).mean(0)
    _, _, ref_cache = _L.lstm_forward(X, k0["h_prev"], k0["c_prev"], k0["Wx"], k0["Wh"], b)
    return _L.lstm_backward(dHs, ref_cache)
''', "must be written from scratch"),
    ],
}

RIGHT = {
    "numerical_gradient": [
        ("flat views, float(f()) and a precomputed 1 / (2h)", '''
def numerical_gradient(f, x, h=1e-5):
    flat = x.reshape(-1)                 # a view: writing into it changes x
    grad = np.zeros(flat.size)
    inv = 1.0 / (2.0 * h)
    for k in range(flat.size):
        keep = flat[k]
        flat[k] = keep + h
        up = float(f())
        flat[k] = keep - h
        down = float(f())
        flat[k] = keep
        grad[k] = (up - down) * inv
    return grad.reshape(x.shape)
'''),
        ("np.nditer with a writable iterator", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.empty_like(x, dtype=np.float64)
    with np.nditer(x, flags=["multi_index"], op_flags=["readwrite"]) as it:
        for v in it:
            old = float(v)
            v[...] = old + h
            a = f()
            v[...] = old - h
            b = f()
            v[...] = old
            grad[it.multi_index] = (a - b) / (2 * h)
    return grad
'''),
        ("np.nditer as in CS231n", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxph = f()
        x[ix] = old - h
        fxmh = f()
        x[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * h)
        it.iternext()
    return grad
'''),
        ("restores by arithmetic, flat index, default h 1e-6", '''
def numerical_gradient(f, x, h=1e-6):
    grad = np.empty(x.shape)
    for k in range(x.size):
        idx = np.unravel_index(k, x.shape)
        x[idx] += h
        up = f()
        x[idx] -= 2 * h
        down = f()
        x[idx] += h
        grad[idx] = (up - down) / (2 * h)
    return grad
'''),
        ("one helper per side", '''
def numerical_gradient(f, x, h=1e-5):
    def at(idx, value):
        old = x[idx]
        x[idx] = value
        try:
            return f()
        finally:
            x[idx] = old
    return np.array([[(at(idx, x[idx] + h) - at(idx, x[idx] - h)) / (2 * h)] for idx in np.ndindex(x.shape)]).reshape(x.shape)
'''),
    ],
    "lstm_step_backward": [
        ("float32 throughout, gate Jacobians factored differently, np.dot", '''
def lstm_step_backward(dh, dc, cache):
    i, f, g, o, tc = cache["i"], cache["f"], cache["g"], cache["o"], cache["tanh_c"]
    dct = dh * (o - o * tc * tc) + dc                    # o (1 - tanh^2) dh, summed with dc
    da = np.concatenate([(dct * g) * (i - i * i), (dct * cache["c_prev"]) * (f - f * f),
                         (dct * i) * (1 - g * g), (dh * tc) * (o - o * o)], axis=1).astype(dh.dtype)
    dWx = np.dot(da.T, cache["x"]).T
    dWh = np.dot(da.T, cache["h_prev"]).T
    return np.dot(da, cache["Wx"].T), np.dot(da, cache["Wh"].T), (dct * f).astype(dh.dtype), dWx, dWh, da.sum(0)
'''),
        ("per-example loop with outer products", '''
def lstm_step_backward(dh, dc, cache):
    B, H = dh.shape
    out = None
    for n in range(B):
        k = {key: v[n] for key, v in cache.items() if key not in ("Wx", "Wh")}
        dct = dc[n] + dh[n] * k["o"] * (1 - k["tanh_c"] ** 2)
        da = np.concatenate([dct * k["g"] * k["i"] * (1 - k["i"]), dct * k["c_prev"] * k["f"] * (1 - k["f"]),
                             dct * k["i"] * (1 - k["g"] ** 2), dh[n] * k["tanh_c"] * k["o"] * (1 - k["o"])])
        parts = [cache["Wx"] @ da, cache["Wh"] @ da, dct * k["f"], np.outer(k["x"], da), np.outer(k["h_prev"], da), da]
        if out is None:
            out = [[p] for p in parts[:3]] + [p for p in parts[3:]]
        else:
            for j in range(3):
                out[j].append(parts[j])
            for j in range(3, 6):
                out[j] = out[j] + parts[j]
    return tuple(np.stack(out[j]) for j in range(3)) + tuple(out[3:])
'''),
        ("gate by gate, tanh recomputed from c, np.hstack", '''
def lstm_step_backward(dh, dc, cache):
    i, f, g, o, c = (cache[k] for k in "ifgoc")
    t = np.tanh(c)
    dc_total = dh * o * (1.0 - t * t) + dc
    da_i = dc_total * g * i * (1.0 - i)
    da_f = dc_total * cache["c_prev"] * f * (1.0 - f)
    da_g = dc_total * i * (1.0 - g * g)
    da_o = dh * t * o * (1.0 - o)
    da = np.hstack([da_i, da_f, da_g, da_o])
    return (da @ cache["Wx"].T, da @ cache["Wh"].T, f * dc_total,
            cache["x"].T @ da, cache["h_prev"].T @ da, np.sum(da, axis=0))
'''),
        ("einsum and a preallocated da", '''
def lstm_step_backward(dh, dc, cache):
    B, H = dh.shape
    i, f, g, o, tc = cache["i"], cache["f"], cache["g"], cache["o"], cache["tanh_c"]
    dct = np.add(dc, dh * o * (1 - np.square(tc)))
    da = np.empty((B, 4 * H), dtype=np.result_type(dh, i))
    da[:, :H] = dct * g * i * (1 - i)
    da[:, H:2*H] = dct * cache["c_prev"] * f * (1 - f)
    da[:, 2*H:3*H] = dct * i * (1 - g ** 2)
    da[:, 3*H:] = dh * tc * o * (1 - o)
    dWx = np.einsum("bd,bk->dk", cache["x"], da)
    dWh = np.einsum("bh,bk->hk", cache["h_prev"], da)
    return np.einsum("bk,dk->bd", da, cache["Wx"]), np.einsum("bk,hk->bh", da, cache["Wh"]), dct * f, dWx, dWh, da.sum(0)
'''),
        ("computed in float64 whatever the input, returned as a list", '''
def lstm_step_backward(dh, dc, cache):
    k = {name: np.asarray(v, dtype=np.float64) for name, v in cache.items()}
    dh, dc = np.asarray(dh, np.float64), np.asarray(dc, np.float64)
    dct = dc + dh * k["o"] * (1 - k["tanh_c"] ** 2)
    da = np.concatenate([dct * k["g"] * k["i"] * (1 - k["i"]), dct * k["c_prev"] * k["f"] * (1 - k["f"]),
                         dct * k["i"] * (1 - k["g"] ** 2), dh * k["tanh_c"] * k["o"] * (1 - k["o"])], axis=1)
    return [da @ k["Wx"].T, da @ k["Wh"].T, dct * k["f"], k["x"].T @ da, k["h_prev"].T @ da, da.sum(axis=0)]
'''),
    ],
    "lstm_backward": [
        ("dx collected backwards then reversed, in-place sums on float64 copies", '''
def lstm_backward(dHs, cache):
    B, T, H = dHs.shape
    dxs = []
    dh, dc = np.zeros((B, H)), np.zeros((B, H))
    dWx = np.zeros(cache[0]["Wx"].shape)
    dWh = np.zeros(cache[0]["Wh"].shape)
    db = np.zeros(4 * H)
    for step_cache, g in zip(cache[::-1], np.moveaxis(dHs, 1, 0)[::-1]):
        dx, dh, dc, a, b_, c = lstm_step_backward(g + dh, dc, step_cache)
        dxs.append(dx)
        np.add(dWx, a, out=dWx); np.add(dWh, b_, out=dWh); np.add(db, c, out=db)
    return np.stack(dxs[::-1], axis=1), dh, dc, dWx, dWh, db
'''),
        ("float32 kept, gradients of all steps collected then summed", '''
def lstm_backward(dHs, cache):
    B, T, H = dHs.shape
    dh = np.zeros((B, H), dHs.dtype)
    dc = np.zeros((B, H), dHs.dtype)
    per_step = [None] * T
    for t in range(T - 1, -1, -1):
        per_step[t] = lstm_step_backward(dh + dHs[:, t], dc, cache[t])
        dh, dc = per_step[t][1], per_step[t][2]
    dX = np.stack([p[0] for p in per_step], axis=1)
    sums = [np.sum([p[k] for p in per_step], axis=0) for k in (3, 4, 5)]
    return (dX, dh, dc, *sums)
'''),
        ("lists, stacked at the end, sums with sum()", '''
def lstm_backward(dHs, cache):
    T = dHs.shape[1]
    dh = np.zeros_like(dHs[:, 0])
    dc = np.zeros_like(dHs[:, 0])
    dxs, shares = [None] * T, []
    for t in range(T - 1, -1, -1):
        dx, dh, dc, *grads = lstm_step_backward(dHs[:, t] + dh, dc, cache[t])
        dxs[t] = dx
        shares.append(grads)
    dWx = sum(s[0] for s in shares)
    dWh = sum(s[1] for s in shares)
    db = sum(s[2] for s in shares)
    return np.stack(dxs, axis=1), dh, dc, dWx, dWh, db
'''),
        ("while loop, dtype from the cache", '''
def lstm_backward(dHs, cache):
    B, T, H = dHs.shape
    Wx, Wh = cache[0]["Wx"], cache[0]["Wh"]
    dX = np.empty((B, T, Wx.shape[0]), dtype=Wx.dtype)
    grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H, dtype=Wx.dtype)]
    dh = np.zeros((B, H), dtype=Wx.dtype)
    dc = np.zeros((B, H), dtype=Wx.dtype)
    t = T - 1
    while t >= 0:
        out = lstm_step_backward(dh + dHs[:, t], dc, cache[t])
        dX[:, t], dh, dc = out[0], out[1], out[2]
        for acc, g in zip(grads, out[3:]):
            acc += g
        t -= 1
    return (dX, dh, dc, *grads)
'''),
    ],
}
