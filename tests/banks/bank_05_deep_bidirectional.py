"""Lesson 05 bank: wrong implementations that must lose points, and correct ones that must keep them.

WRONG[exercise] = [(name, source, fragment)]: the exercise's test cell must fail, and its message
must contain `fragment` (the diagnosis names the mistake); fragment None = any failure.
RIGHT[exercise] = [(name, source)]: the test cell, hidden tests included, must pass.
Sources run in the notebook's namespace: np, sigmoid, lstm_step, lstm_layer and the reference
answers of the other exercises are there.
"""

STACK_LOOP = '''
def stacked_lstm(X, h0, c0, layers):
    inp, hs, cs = X, [], []
    for l, (Wx, Wh, b) in enumerate(layers):
{body}
        hs.append(h); cs.append(c)
    return {ret}
'''


def _stack(body, ret="inp, (np.stack(hs), np.stack(cs))"):
    return STACK_LOOP.format(body=body, ret=ret)


BI_HEAD = '''
def bidirectional_lstm(X, h0, c0, fwd, bwd):
'''

DEEP = '''
def deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    inp, hs, cs = X, [], []
    for l, (fwd, bwd) in enumerate(layers):
{body}
        hs += [hf, hb]; cs += [cf, cb]
{drop}
    return {ret}
'''
FWD_OK = "        Hf, (hf, cf) = masked_lstm_layer(inp, lengths, h0[2*l], c0[2*l], *fwd)\n"
BWD_OK = ("        Hb, (hb, cb) = masked_lstm_layer(reverse_padded(inp, lengths), lengths, h0[2*l+1], c0[2*l+1], *bwd)\n"
          "        Hb = reverse_padded(Hb, lengths)\n")
CAT = "        inp = np.concatenate([Hf, Hb], axis=2)\n"
DROP_OK = "        if l < len(layers) - 1:\n            inp = layer_dropout(inp, dropout, training, rng)"
RET_OK = "inp, (np.stack(hs), np.stack(cs))"


def _deep(fwd=FWD_OK, bwd=BWD_OK, cat=CAT, drop=DROP_OK, ret=RET_OK):
    return DEEP.format(body=(fwd + bwd + cat).rstrip("\n"), drop=drop, ret=ret)


WRONG = {
    "stacked_lstm": [
        ("layers run last-first", '''
def stacked_lstm(X, h0, c0, layers):
    inp, hs, cs = X, [], []
    for l, (Wx, Wh, b) in enumerate(layers[::-1]):
        inp, (h, c) = lstm_layer(inp, h0[l], c0[l], Wx, Wh, b)
        hs.append(h); cs.append(c)
    return inp, (np.stack(hs), np.stack(cs))
''', "runs the layers last-first"),
        ("cell state started from h0", _stack("        inp, (h, c) = lstm_layer(inp, h0[l], h0[l], Wx, Wh, b)"),
         "start their cell state from h0"),
        ("h_n and c_n returned as lists", _stack("        inp, (h, c) = lstm_layer(inp, h0[l], c0[l], Wx, Wh, b)",
                                                 ret="inp, (hs, cs)"), "h_n should be a numpy array, got a list"),
        ("every layer reads X", _stack("        inp, (h, c) = lstm_layer(X, h0[l], c0[l], Wx, Wh, b)"),
         "Every layer of yours reads X"),
        ("h_n of the last layer only", _stack("        inp, (h, c) = lstm_layer(inp, h0[l], c0[l], Wx, Wh, b)",
                                              ret="inp, (hs[-1], cs[-1])"),
         "holds only the last layer's final state"),
        ("h_n last layer first", _stack("        inp, (h, c) = lstm_layer(inp, h0[l], c0[l], Wx, Wh, b)",
                                        ret="inp, (np.stack(hs[::-1]), np.stack(cs[::-1]))"),
         "lists the layers last-first"),
        ("every layer starts from h0[0]", _stack("        inp, (h, c) = lstm_layer(inp, h0[0], c0[0], Wx, Wh, b)"),
         "starts from h0[0] and c0[0]"),
        ("states chained from layer to layer", '''
def stacked_lstm(X, h0, c0, layers):
    inp, hs, cs = X, [], []
    h, c = h0[0], c0[0]
    for l, (Wx, Wh, b) in enumerate(layers):
        inp, (h, c) = lstm_layer(inp, h, c, Wx, Wh, b)
        hs.append(h); cs.append(c)
    return inp, (np.stack(hs), np.stack(cs))
''', "starts from the final state of layer l - 1"),
        ("returns the first layer's outputs", '''
def stacked_lstm(X, h0, c0, layers):
    inp, hs, cs, first = X, [], [], None
    for l, (Wx, Wh, b) in enumerate(layers):
        inp, (h, c) = lstm_layer(inp, h0[l], c0[l], Wx, Wh, b)
        first = inp if first is None else first
        hs.append(h); cs.append(c)
    return first, (np.stack(hs), np.stack(cs))
''', "first layer's outputs"),
        ("residual connections", _stack('''        out, (h, c) = lstm_layer(inp, h0[l], c0[l], Wx, Wh, b)
        inp = out + inp if inp.shape == out.shape else out'''), "residual connection"),
        ("ignores h0 and c0", _stack('''        z = np.zeros_like(h0[l])
        inp, (h, c) = lstm_layer(inp, z, z, Wx, Wh, b)'''), "ignored h0 and c0"),
        ("h_n and c_n swapped", _stack("        inp, (h, c) = lstm_layer(inp, h0[l], c0[l], Wx, Wh, b)",
                                       ret="inp, (np.stack(cs), np.stack(hs))"),
         "wrong order: (c_n, h_n) instead of (h_n, c_n)"),
        ("calls torch.nn.LSTM", '''
import torch as _t
def stacked_lstm(X, h0, c0, layers):
    m = _t.nn.LSTM(X.shape[2], h0.shape[2], num_layers=len(layers), batch_first=True).double()
    with _t.no_grad():
        named = dict(m.named_parameters())
        for k, (Wx, Wh, b) in enumerate(layers):
            named[f"weight_ih_l{k}"].copy_(_t.from_numpy(np.ascontiguousarray(Wx.T, dtype=np.float64)))
            named[f"weight_hh_l{k}"].copy_(_t.from_numpy(np.ascontiguousarray(Wh.T, dtype=np.float64)))
            named[f"bias_ih_l{k}"].copy_(_t.from_numpy(b.astype(np.float64)))
            named[f"bias_hh_l{k}"].zero_()
        out, (h, c) = m(_t.from_numpy(X.astype(np.float64)), (_t.from_numpy(h0.astype(np.float64)), _t.from_numpy(c0.astype(np.float64))))
    return out.numpy().astype(X.dtype), (h.numpy().astype(X.dtype), c.numpy().astype(X.dtype))
''', "must be written from scratch, but it called torch.nn.LSTM"),
        ("calls the library's reference", '''
from lstmlab import stacked as _S
def stacked_lstm(X, h0, c0, layers):
    return _S.stacked_lstm_forward(X, h0, c0, layers)
''', "must be written from scratch"),
    ],
    "bidirectional_lstm": [
        ("backward direction reverses the batch axis", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = lstm_layer(X[::-1], h0[1], c0[1], *bwd)
    return np.concatenate([Hf, Hb[::-1]], axis=2), (np.stack([hf, hb]), np.stack([cf, cb]))
''', "reverses the batch axis"),
        ("h_n and c_n as tuples of the two directions", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = lstm_layer(X[:, ::-1], h0[1], c0[1], *bwd)
    return np.concatenate([Hf, Hb[:, ::-1]], axis=2), ((hf, hb), (cf, cb))
''', "h_n should be a numpy array, got a tuple"),
        ("(c_n, h_n) returned", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = lstm_layer(X[:, ::-1], h0[1], c0[1], *bwd)
    return np.concatenate([Hf, Hb[:, ::-1]], axis=2), (np.stack([cf, cb]), np.stack([hf, hb]))
''', "wrong order: (c_n, h_n) instead of (h_n, c_n)"),
        ("backward not reversed back", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = lstm_layer(X[:, ::-1], h0[1], c0[1], *bwd)
    return np.concatenate([Hf, Hb], axis=2), (np.stack([hf, hb]), np.stack([cf, cb]))
''', "not reversed back"),
        ("backward reads forwards", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = lstm_layer(X, h0[1], c0[1], *bwd)
    return np.concatenate([Hf, Hb], axis=2), (np.stack([hf, hb]), np.stack([cf, cb]))
''', "reads the sequence forwards"),
        ("backward features first", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = lstm_layer(X[:, ::-1], h0[1], c0[1], *bwd)
    return np.concatenate([Hb[:, ::-1], Hf], axis=2), (np.stack([hf, hb]), np.stack([cf, cb]))
''', "backward features first"),
        ("final states read from out[:, -1]", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = lstm_layer(X[:, ::-1], h0[1], c0[1], *bwd)
    out = np.concatenate([Hf, Hb[:, ::-1]], axis=2)
    H = hf.shape[1]
    return out, (np.stack([out[:, -1, :H], out[:, -1, H:]]), np.stack([cf, cb]))
''', "backward final state is taken at t = T-1"),
        ("h_n ordered backward first", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = lstm_layer(X[:, ::-1], h0[1], c0[1], *bwd)
    return np.concatenate([Hf, Hb[:, ::-1]], axis=2), (np.stack([hb, hf]), np.stack([cb, cf]))
''', "ordered (backward, forward)"),
        ("directions stacked on a new axis", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = lstm_layer(X[:, ::-1], h0[1], c0[1], *bwd)
    return np.stack([Hf, Hb[:, ::-1]], axis=2), (np.stack([hf, hb]), np.stack([cf, cb]))
''', "new axis (B, T, 2, H)"),
        ("forward weights for both", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = lstm_layer(X[:, ::-1], h0[1], c0[1], *fwd)
    return np.concatenate([Hf, Hb[:, ::-1]], axis=2), (np.stack([hf, hb]), np.stack([cf, cb]))
''', "uses the forward weights"),
        ("both directions start from h0[0]", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = lstm_layer(X[:, ::-1], h0[0], c0[0], *bwd)
    return np.concatenate([Hf, Hb[:, ::-1]], axis=2), (np.stack([hf, hb]), np.stack([cf, cb]))
''', "start from h0[0], c0[0]"),
        ("h_n concatenated", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = lstm_layer(X[:, ::-1], h0[1], c0[1], *bwd)
    return np.concatenate([Hf, Hb[:, ::-1]], axis=2), (np.concatenate([hf, hb], 1), np.concatenate([cf, cb], 1))
''', "concatenates the directions"),
        ("calls torch.nn.LSTM(bidirectional=True)", '''
import torch as _t
from lstmlab.bridge import lstm_to_torch as _to
def bidirectional_lstm(X, h0, c0, fwd, bwd):
    m = _t.nn.LSTM(X.shape[2], h0.shape[2], batch_first=True, bidirectional=True).double()
    _to(fwd, m); _to(bwd, m, reverse=True)
    with _t.no_grad():
        out, (h, c) = m(_t.from_numpy(X.astype(np.float64)), (_t.from_numpy(h0.astype(np.float64)), _t.from_numpy(c0.astype(np.float64))))
    return out.numpy(), (h.numpy(), c.numpy())
''', "must be written from scratch"),
    ],
    "reverse_padded": [
        ("np.flip without axis (features reversed too)", '''
def reverse_padded(X, lengths):
    Y = X.copy()
    for b, L in enumerate(lengths):
        Y[b, :L] = np.flip(X[b, :L])
    return Y
''', "flipped every axis of the valid part"),
        ("a list of rows", '''
def reverse_padded(X, lengths):
    return [np.concatenate([X[b, :L][::-1], X[b, L:]]) for b, L in enumerate(lengths)]
''', "should be a numpy array, got a list"),
        ("slice L - 1::-1 breaks on an empty sequence", '''
def reverse_padded(X, lengths):
    Y = X.copy()
    for b, L in enumerate(lengths):
        Y[b, :L] = X[b, L - 1::-1]
    return Y
''', None),
        ("reverses the whole padded row", '''
def reverse_padded(X, lengths):
    return X[:, ::-1].copy()
''', "reversed each whole padded row"),
        ("zeroes the padding", '''
def reverse_padded(X, lengths):
    Y = np.zeros_like(X)
    for b, L in enumerate(lengths):
        Y[b, :L] = X[b, :L][::-1]
    return Y
''', "padded positions changed"),
        ("off by one", '''
def reverse_padded(X, lengths):
    Y = X.copy()
    T = X.shape[1]
    for b, L in enumerate(lengths):
        for t in range(L):
            Y[b, t] = X[b, min(L - t, T - 1)]
    return Y
''', "Off by one"),
        ("reverses in place", '''
def reverse_padded(X, lengths):
    for b, L in enumerate(lengths):
        X[b, :L] = X[b, :L][::-1].copy()
    return X
''', "reverse_padded changed its input X in place"),
        ("does nothing", '''
def reverse_padded(X, lengths):
    return X.copy()
''', "returned X unchanged"),
        ("only works for 3-D arrays", '''
def reverse_padded(X, lengths):
    Y = X.copy()
    for b, L in enumerate(lengths):
        Y[b, :L, :] = X[b, L - 1::-1, :]
    return Y
''', None),
        ("calls the library's reference", '''
import lstmlab.stacked as _S
def reverse_padded(X, lengths):
    return _S.reverse_padded(X, lengths)
''', "must be written from scratch"),
    ],
    "masked_lstm_layer": [
        ("state reset to zero at padded steps", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    B, T, _ = X.shape
    valid = np.arange(T)[None, :] < np.asarray(lengths)[:, None]
    Hs = np.zeros((B, T, h0.shape[1]), dtype=np.result_type(X, h0))
    h, c = h0, c0
    for t in range(T):
        hn, cn = lstm_step(X[:, t], h, c, Wx, Wh, b)
        keep = valid[:, t:t + 1]
        h, c = hn * keep, cn * keep
        Hs[:, t] = h
    return Hs, (h, c)
''', "your loop sets the state to zero at padded steps"),
        ("state back to h0, c0 at padded steps", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    B, T, _ = X.shape
    valid = np.arange(T)[None, :] < np.asarray(lengths)[:, None]
    Hs = np.zeros((B, T, h0.shape[1]), dtype=np.result_type(X, h0))
    h, c = h0, c0
    for t in range(T):
        hn, cn = lstm_step(X[:, t], h, c, Wx, Wh, b)
        keep = valid[:, t:t + 1]
        h, c = np.where(keep, hn, h0), np.where(keep, cn, c0)
        Hs[:, t] = np.where(keep, hn, 0.0)
    return Hs, (h, c)
''', "puts the state back to h0, c0 at padded steps"),
        ("off by one: t <= lengths[b]", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    B, T, _ = X.shape
    valid = np.arange(T)[None, :] <= np.asarray(lengths)[:, None]
    Hs = np.zeros((B, T, h0.shape[1]), dtype=np.result_type(X, h0))
    h, c = h0, c0
    for t in range(T):
        hn, cn = lstm_step(X[:, t], h, c, Wx, Wh, b)
        keep = valid[:, t:t + 1]
        h, c = np.where(keep, hn, h), np.where(keep, cn, c)
        Hs[:, t] = np.where(keep, hn, 0.0)
    return Hs, (h, c)
''', "Off by one"),
        ("stops one step early", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    B, T, _ = X.shape
    valid = np.arange(T)[None, :] < np.asarray(lengths)[:, None] - 1
    Hs = np.zeros((B, T, h0.shape[1]), dtype=np.result_type(X, h0))
    h, c = h0, c0
    for t in range(T):
        hn, cn = lstm_step(X[:, t], h, c, Wx, Wh, b)
        keep = valid[:, t:t + 1]
        h, c = np.where(keep, hn, h), np.where(keep, cn, c)
        Hs[:, t] = np.where(keep, hn, 0.0)
    return Hs, (h, c)
''', "stops one step early"),
        ("no masking at all", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    return lstm_layer(X, h0, c0, Wx, Wh, b)
''', "not zero at the padded ones"),
        ("state frozen but padded outputs not zeroed", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    B, T, _ = X.shape
    h, c, outs = h0, c0, []
    for t in range(T):
        hn, cn = lstm_step(X[:, t], h, c, Wx, Wh, b)
        keep = (t < np.asarray(lengths))[:, None]
        h, c = np.where(keep, hn, h), np.where(keep, cn, c)
        outs.append(h)
    return np.stack(outs, 1), (h, c)
''', "not zero at the padded ones"),
        ("final state at the padded end", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    Hs, (h, c) = lstm_layer(X, h0, c0, Wx, Wh, b)
    valid = np.arange(X.shape[1])[None, :] < np.asarray(lengths)[:, None]
    return Hs * valid[..., None], (h, c)
''', "state at the padded end"),
        ("final state read from Hs[:, -1]", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    Hs, (h, c) = lstm_layer(X, h0, c0, Wx, Wh, b)
    valid = np.arange(X.shape[1])[None, :] < np.asarray(lengths)[:, None]
    Hs = Hs * valid[..., None]
    idx = np.arange(X.shape[0])
    cs = []
    hh, cc = h0, c0
    for t in range(X.shape[1]):
        hh2, cc2 = lstm_step(X[:, t], hh, cc, Wx, Wh, b)
        keep = valid[:, t:t+1]
        hh, cc = np.where(keep, hh2, hh), np.where(keep, cc2, cc)
    return Hs, (Hs[:, -1], cc)
''', "you read h_n from Hs[:, -1]"),
        ("one step too far", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    Hs, _ = lstm_layer(X, h0, c0, Wx, Wh, b)
    T = X.shape[1]
    L = np.asarray(lengths)
    valid = np.arange(T)[None, :] < L[:, None]
    h = Hs[np.arange(len(L)), np.minimum(L, T - 1)]
    hh, cc = h0, c0
    for t in range(T):
        h2, c2 = lstm_step(X[:, t], hh, cc, Wx, Wh, b)
        keep = valid[:, t:t+1]
        hh, cc = np.where(keep, h2, hh), np.where(keep, c2, cc)
    return Hs * valid[..., None], (h, cc)
''', "one step too far"),
        ("only h is frozen, c keeps running", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    B, T, _ = X.shape
    h, c = h0, c0
    Hs = np.zeros((B, T, h0.shape[1]))
    for t in range(T):
        hn, c = lstm_step(X[:, t], h, c, Wx, Wh, b)
        keep = (t < np.asarray(lengths))[:, None]
        h = np.where(keep, hn, h)
        Hs[:, t] = np.where(keep, hn, 0)
    return Hs, (h, c)
''', "Freeze c as well as h"),
        ("returns (c_n, h_n)", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    B, T, _ = X.shape
    valid = np.arange(T)[None, :] < np.asarray(lengths)[:, None]
    Hs = np.zeros((B, T, h0.shape[1]), dtype=np.result_type(X, h0))
    h, c = h0, c0
    for t in range(T):
        hn, cn = lstm_step(X[:, t], h, c, Wx, Wh, b)
        keep = valid[:, t:t + 1]
        h, c = np.where(keep, hn, h), np.where(keep, cn, c)
        Hs[:, t] = np.where(keep, hn, 0.0)
    return Hs, (c, h)
''', "wrong order: (c_n, h_n) instead of (h_n, c_n)"),
        ("calls the library's masked forward", '''
from lstmlab.stacked import masked_lstm_forward as _mf
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    return _mf(X, lengths, h0, c0, Wx, Wh, b)
''', "must be written from scratch"),
    ],
    "layer_dropout": [
        ("one mask for all time steps (variational)", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y
    shape = (Y.shape[0], 1) + Y.shape[2:] if Y.ndim > 2 else Y.shape
    return Y * (rng.random(shape) >= p) / (1 - p)
''', "your dropout mask is the same at every index of axis 1"),
        ("exactly int(p * size) elements dropped", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y
    keep = np.ones(Y.size, dtype=bool)
    keep[rng.choice(Y.size, int(p * Y.size), replace=False)] = False
    return Y * keep.reshape(Y.shape) / (1 - p)
''', "never dropped anything in 40 calls"),
        ("divides by (1 - p) in evaluation too", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y / (1 - p)
    return Y * (rng.random(Y.shape) >= p) / (1 - p)
''', "In evaluation your layer_dropout divides by (1 - p)"),
        ("assumes a 3-D Y", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y
    B, T, F = Y.shape
    return Y * (rng.random((B, T, F)) >= p) / (1 - p)
''', None),
        ("left on in evaluation", '''
def layer_dropout(Y, p, training, rng):
    return Y * (rng.random(Y.shape) >= p) / (1 - p)
''', "left on in evaluation"),
        ("kept values not rescaled", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y
    return Y * (rng.random(Y.shape) >= p)
''', "not rescaled"),
        ("old non-inverted dropout", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y * (1 - p)
    return Y * (rng.random(Y.shape) >= p)
''', "non-inverted"),
        ("drops with probability 1 - p", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y
    return Y * (rng.random(Y.shape) < p) / (1 - p)
''', "about 1 - p"),
        ("divides by p", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y
    return Y * (rng.random(Y.shape) >= p) / p
''', "divided by p"),
        ("mask from np.random's global state", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y
    return Y * (np.random.random(Y.shape) >= p) / (1 - p)
''', "draw the mask from the rng argument"),
        ("modifies Y in place", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y
    Y *= (rng.random(Y.shape) >= p) / (1 - p)
    return Y
''', "layer_dropout changed its input Y in place"),
        ("ignores p in the mask (always 0.5)", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y
    return Y * (rng.random(Y.shape) >= 0.5) / (1 - p)
''', None),
    ],
    "deep_bidirectional_lstm": [
        ("dropout from its own fixed-seed generator", '''
def deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    own = np.random.default_rng(0)
    inp, hs, cs = X, [], []
    for l, (fwd, bwd) in enumerate(layers):
        Hf, (hf, cf) = masked_lstm_layer(inp, lengths, h0[2 * l], c0[2 * l], *fwd)
        Hb, (hb, cb) = masked_lstm_layer(reverse_padded(inp, lengths), lengths, h0[2 * l + 1], c0[2 * l + 1], *bwd)
        inp = np.concatenate([Hf, reverse_padded(Hb, lengths)], axis=2)
        hs += [hf, hb]; cs += [cf, cb]
        if l < len(layers) - 1:
            inp = layer_dropout(inp, dropout, training, own)
    return inp, (np.stack(hs), np.stack(cs))
''', "Generators with different seeds gave the same output"),
        ("(c_n, h_n) returned", _deep(ret="inp, (np.stack(cs), np.stack(hs))"), "wrong order: (c_n, h_n) instead of (h_n, c_n)"),
        ("h_n and c_n as lists", _deep(ret="inp, (hs, cs)"), "h_n should be a numpy array, got a list"),
        ("backward not reversed back", _deep(bwd=BWD_OK.replace("        Hb = reverse_padded(Hb, lengths)\n", "")),
         "not reversed back"),
        ("padding leaks into the backward direction (whole row reversed, unmasked)", _deep(bwd='''        Hb, (hb, cb) = lstm_layer(inp[:, ::-1], h0[2*l+1], c0[2*l+1], *bwd)
        valid = np.arange(inp.shape[1])[None, :] < np.asarray(lengths)[:, None]
        Hb = Hb[:, ::-1] * valid[..., None]
'''), "Padding leaks into your backward direction"),
        ("padding leaks into the backward direction (whole row reversed, masked)", _deep(bwd='''        Hb, (hb, cb) = masked_lstm_layer(inp[:, ::-1], lengths, h0[2*l+1], c0[2*l+1], *bwd)
        Hb = Hb[:, ::-1]
'''), "padding leaks into the backward direction"),
        ("forward final state at the padded end", _deep(fwd='''        Hf, (hf, cf) = lstm_layer(inp, h0[2*l], c0[2*l], *fwd)
        Hf = Hf * (np.arange(inp.shape[1])[None, :] < np.asarray(lengths)[:, None])[..., None]
'''), "forward final state is taken at the padded end"),
        ("no masking anywhere", '''
def deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    inp, hs, cs = X, [], []
    for l, (fwd, bwd) in enumerate(layers):
        out, (h, c) = bidirectional_lstm(inp, h0[2*l:2*l+2], c0[2*l:2*l+2], fwd, bwd)
        inp = out * (np.arange(X.shape[1])[None, :] < np.asarray(lengths)[:, None])[..., None]
        hs += list(h); cs += list(c)
        if l < len(layers) - 1:
            inp = layer_dropout(inp, dropout, training, rng)
    return inp, (np.stack(hs), np.stack(cs))
''', "ignore lengths"),
        ("dropout left on in evaluation", _deep(drop="        if l < len(layers) - 1:\n            inp = layer_dropout(inp, dropout, True, rng)"),
         "left on in evaluation"),
        ("dropout after the last layer too", _deep(drop="        inp = layer_dropout(inp, dropout, training, rng)"),
         "after the last layer too"),
        ("dropout on the input X", '''
def deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    inp, hs, cs = X, [], []
    for l, (fwd, bwd) in enumerate(layers):
        inp = layer_dropout(inp, dropout, training, rng)
        Hf, (hf, cf) = masked_lstm_layer(inp, lengths, h0[2*l], c0[2*l], *fwd)
        Hb, (hb, cb) = masked_lstm_layer(reverse_padded(inp, lengths), lengths, h0[2*l+1], c0[2*l+1], *bwd)
        inp = np.concatenate([Hf, reverse_padded(Hb, lengths)], axis=2)
        hs += [hf, hb]; cs += [cf, cb]
    return inp, (np.stack(hs), np.stack(cs))
''', "layer 0's final states changed"),
        ("no dropout at all", _deep(drop=""), "equals the evaluation output"),
        ("h_n all forward first, then all backward", _deep(ret="inp, (np.stack(hs[0::2] + hs[1::2]), np.stack(cs[0::2] + cs[1::2]))"),
         "l0-forward, l0-backward, l1-forward"),
        ("backward features first", _deep(cat="        inp = np.concatenate([Hb, Hf], axis=2)\n"), None),
        ("initial states read direction-major", '''
def deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    inp, hs, cs, L = X, [], [], len(layers)
    for l, (fwd, bwd) in enumerate(layers):
        Hf, (hf, cf) = masked_lstm_layer(inp, lengths, h0[l], c0[l], *fwd)
        Hb, (hb, cb) = masked_lstm_layer(reverse_padded(inp, lengths), lengths, h0[L + l], c0[L + l], *bwd)
        inp = np.concatenate([Hf, reverse_padded(Hb, lengths)], axis=2)
        hs += [hf, hb]; cs += [cf, cb]
        if l < L - 1:
            inp = layer_dropout(inp, dropout, training, rng)
    return inp, (np.stack(hs), np.stack(cs))
''', "initial states"),
        ("calls torch.nn.LSTM on a packed batch, dropout included", '''
import torch as _t
from torch.nn.utils.rnn import pack_padded_sequence as _pack, pad_packed_sequence as _unpack
from lstmlab.bridge import lstm_to_torch as _to
def deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    m = _t.nn.LSTM(X.shape[2], h0.shape[2], num_layers=len(layers), batch_first=True, bidirectional=True,
                   dropout=dropout).double()
    for k, (f, b) in enumerate(layers):
        _to(f, m, layer=k); _to(b, m, layer=k, reverse=True)
    m.train(training)
    if rng is not None:
        _t.manual_seed(int(rng.integers(2 ** 31)))
    x = _pack(_t.from_numpy(X.astype(np.float64)), _t.as_tensor(lengths), batch_first=True, enforce_sorted=False)
    with _t.no_grad():
        out, (h, c) = m(x, (_t.from_numpy(h0.astype(np.float64)), _t.from_numpy(c0.astype(np.float64))))
    out = _unpack(out, batch_first=True, total_length=X.shape[1])[0]
    return out.numpy(), (h.numpy(), c.numpy())
''', "must be written from scratch, but it called torch.nn.LSTM"),
        ("calls the library's stacked forward", '''
from lstmlab.stacked import stacked_lstm_forward as _sf
def deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    return _sf(X, h0, c0, layers, lengths, True, dropout, training, rng)
''', "must be written from scratch"),
    ],
}

WRONG["deep_bidirectional_lstm"].append(
    ("rng=None passed on as it is: training without a generator crashes",
     _deep().replace(
         "    rng = np.random.default_rng() if rng is None else rng\n", ""),
     "'NoneType' object has no attribute 'random'"))

RIGHT = {
    "stacked_lstm": [
        ("float32 kept, recursion over layers", '''
def stacked_lstm(X, h0, c0, layers):
    def run(l, inp):
        if l == len(layers):
            return inp, [], []
        out, (h, c) = lstm_layer(inp, h0[l], c0[l], *layers[l])
        top, hs, cs = run(l + 1, out)
        return top, [h] + hs, [c] + cs
    out, hs, cs = run(0, X)
    return out, (np.stack(hs).astype(X.dtype), np.stack(cs).astype(X.dtype))
'''),
        ("h_n, c_n filled into np.empty_like(h0)", '''
def stacked_lstm(X, h0, c0, layers):
    h_n, c_n = np.empty_like(h0), np.empty_like(c0)
    seq = X
    for l, params in enumerate(layers):
        seq, final = lstm_layer(seq, h0[l], c0[l], *params)
        h_n[l], c_n[l] = final
    return seq, (h_n, c_n)
'''),
        ("time outside, layers inside (wavefront order)", '''
def stacked_lstm(X, h0, c0, layers):
    L, T = len(layers), X.shape[1]
    h, c = list(h0), list(c0)
    outs = []
    for t in range(T):
        x = X[:, t]
        for l, (Wx, Wh, b) in enumerate(layers):
            h[l], c[l] = lstm_step(x, h[l], c[l], Wx, Wh, b)
            x = h[l]
        outs.append(x)
    return np.stack(outs, axis=1), (np.stack(h), np.stack(c))
'''),
        ("preallocated, indices", '''
def stacked_lstm(X, h0, c0, layers):
    L = len(layers)
    h_n, c_n = np.empty_like(h0), np.empty_like(c0)
    inp = X
    for l in range(L):
        params = layers[l]
        inp, (h_n[l], c_n[l]) = lstm_layer(inp, h0[l], c0[l], params.Wx, params.Wh, params.b)
    return inp, [h_n, c_n]
'''),
    ],
    "bidirectional_lstm": [
        ("float32, time-major inside with swapaxes", BI_HEAD + '''
    Xt = np.swapaxes(X, 0, 1)                          # (T, B, D)
    T = Xt.shape[0]
    hf, cf, hb, cb = h0[0], c0[0], h0[1], c0[1]
    fwd_out, bwd_out = [], []
    for t in range(T):
        hf, cf = lstm_step(Xt[t], hf, cf, *fwd)
        fwd_out.append(hf)
    for t in reversed(range(T)):
        hb, cb = lstm_step(Xt[t], hb, cb, *bwd)
        bwd_out.insert(0, hb)
    out = np.concatenate([np.stack(fwd_out, 1), np.stack(bwd_out, 1)], axis=2).astype(X.dtype)
    return out, (np.stack([hf, hb]), np.stack([cf, cb]))
'''),
        ("backward run on np.flip, outputs flipped back with [:, ::-1]", BI_HEAD + '''
    out_f, fin_f = lstm_layer(X, h0[0], c0[0], *fwd)
    out_b, fin_b = lstm_layer(np.flip(X, 1), h0[1], c0[1], *bwd)
    h_n, c_n = (np.stack(pair) for pair in zip(fin_f, fin_b))
    return np.concatenate((out_f, out_b[:, ::-1]), -1), (h_n, c_n)
'''),
        ("one loop, both directions", BI_HEAD + '''
    B, T, _ = X.shape
    hf, cf, hb, cb = h0[0], c0[0], h0[1], c0[1]
    Hf, Hb = [None] * T, [None] * T
    for t in range(T):
        hf, cf = lstm_step(X[:, t], hf, cf, *fwd)
        hb, cb = lstm_step(X[:, T - 1 - t], hb, cb, *bwd)
        Hf[t], Hb[T - 1 - t] = hf, hb
    out = np.concatenate([np.stack(Hf, 1), np.stack(Hb, 1)], axis=-1)
    return out, (np.stack([hf, hb]), np.stack([cf, cb]))
'''),
        ("np.flip and the bidirectional stack of out", BI_HEAD + '''
    Hf, (hf, cf) = lstm_layer(X, h0[0], c0[0], fwd.Wx, fwd.Wh, fwd.b)
    Hb, (hb, cb) = lstm_layer(np.flip(X, axis=1), h0[1], c0[1], bwd.Wx, bwd.Wh, bwd.b)
    return np.dstack([Hf, np.flip(Hb, axis=1)]), (np.array([hf, hb]), np.array([cf, cb]))
'''),
    ],
    "reverse_padded": [
        ("np.take_along_axis on a source index", '''
def reverse_padded(X, lengths):
    B, T = X.shape[:2]
    t = np.arange(T)[None, :]
    L = np.asarray(lengths)[:, None]
    src = np.where(t < L, L - 1 - t, t).reshape((B, T) + (1,) * (X.ndim - 2))
    return np.take_along_axis(X, src, axis=1)
'''),
        ("element by element, dtype kept", '''
def reverse_padded(X, lengths):
    Y = np.empty_like(X)
    for b in range(X.shape[0]):
        L = int(lengths[b])
        for t in range(X.shape[1]):
            Y[b, t] = X[b, L - 1 - t] if t < L else X[b, t]
    return Y
'''),
        ("fancy indexing", '''
def reverse_padded(X, lengths):
    B, T = X.shape[:2]
    t = np.arange(T)[None, :]
    L = np.asarray(lengths)[:, None]
    src = np.where(t < L, L - 1 - t, t)
    return X[np.arange(B)[:, None], src]
'''),
        ("np.flip and concatenate per row", '''
def reverse_padded(X, lengths):
    rows = [np.concatenate([np.flip(X[b, :L], axis=0), X[b, L:]], axis=0) for b, L in enumerate(lengths)]
    return np.stack(rows)
'''),
    ],
    "masked_lstm_layer": [
        ("float32 kept, only the active rows stepped (like a packed batch)", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    B, T, _ = X.shape
    L = np.asarray(lengths)
    h, c = h0.copy(), c0.copy()
    Hs = np.zeros((B, T, h0.shape[1]), dtype=X.dtype)
    for t in range(T):
        rows = np.flatnonzero(L > t)
        if rows.size == 0:
            break
        h_new, c_new = lstm_step(X[rows, t], h[rows], c[rows], Wx, Wh, b)
        h[rows], c[rows] = h_new, c_new
        Hs[rows, t] = h_new
    return Hs, (h, c)
'''),
        ("final states gathered from per-step states", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    T = X.shape[1]
    L = np.asarray(lengths)
    h, c, hs, cs = h0, c0, [], []
    for t in range(T):
        h, c = lstm_step(X[:, t], h, c, Wx, Wh, b)
        hs.append(h); cs.append(c)
    hs, cs = np.stack(hs, 1), np.stack(cs, 1)
    rows = np.arange(X.shape[0])
    valid = (np.arange(T)[None, :] < L[:, None])[..., None]
    return np.where(valid, hs, 0), (hs[rows, L - 1], cs[rows, L - 1])
'''),
        ("one sequence at a time", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    B, T, _ = X.shape
    Hs = np.zeros((B, T, h0.shape[1]), dtype=np.result_type(X, h0))
    hs, cs = [], []
    for k in range(B):
        L = int(lengths[k])
        out, (h, c) = lstm_layer(X[k:k + 1, :L], h0[k:k + 1], c0[k:k + 1], Wx, Wh, b)
        Hs[k, :L] = out[0]
        hs.append(h[0]); cs.append(c[0])
    return Hs, (np.stack(hs), np.stack(cs))
'''),
        ("arithmetic mask", '''
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    T = X.shape[1]
    m = (np.arange(T)[None, :] < np.asarray(lengths)[:, None]).astype(X.dtype)
    h, c, outs = h0, c0, []
    for t in range(T):
        hn, cn = lstm_step(X[:, t], h, c, Wx, Wh, b)
        mt = m[:, t:t + 1]
        h = mt * hn + (1 - mt) * h
        c = mt * cn + (1 - mt) * c
        outs.append(mt * hn)
    return np.stack(outs, axis=1), (h, c)
'''),
    ],
    "layer_dropout": [
        ("keep when rng.random() < 1 - p, float32 scale", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y
    keep = rng.random(Y.shape) < 1 - p
    return np.multiply(Y, keep, dtype=Y.dtype) * Y.dtype.type(1 / (1 - p))
'''),
        ("mask drawn flat, reshaped", '''
def layer_dropout(Y, p, training, rng):
    if training:
        mask = (rng.uniform(0, 1, Y.size) >= p).reshape(Y.shape)
        return mask * Y / (1 - p)
    return np.array(Y, copy=True)
'''),
        ("binomial mask, copy in evaluation", '''
def layer_dropout(Y, p, training, rng):
    if not training:
        return Y.copy()
    mask = rng.binomial(1, 1 - p, size=Y.shape)
    return Y * mask / (1 - p)
'''),
        ("torch's dropout seeded from rng", '''
import torch as _t
def layer_dropout(Y, p, training, rng):
    if not training or p == 0:
        return Y
    g = _t.Generator().manual_seed(int(rng.integers(2 ** 31)))
    keep = _t.rand(Y.shape, generator=g, dtype=_t.float64).numpy() >= p
    return np.where(keep, Y / (1 - p), 0).astype(Y.dtype)
'''),
        ("np.where, float32-preserving", '''
def layer_dropout(Y, p, training, rng):
    if training and p > 0:
        u = rng.uniform(size=Y.shape)
        return np.where(u < p, np.zeros_like(Y), Y / Y.dtype.type(1 - p))
    return Y
'''),
    ],
    "deep_bidirectional_lstm": [
        ("directions as a loop over (params, reversed?) pairs, states preallocated", '''
def deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    h_n, c_n = np.empty_like(h0), np.empty_like(c0)
    inp = X
    for l, pair in enumerate(layers):
        halves = []
        for d, params in enumerate(pair):
            src = reverse_padded(inp, lengths) if d else inp
            Hs, (h_n[2 * l + d], c_n[2 * l + d]) = masked_lstm_layer(src, lengths, h0[2 * l + d], c0[2 * l + d], *params)
            halves.append(reverse_padded(Hs, lengths) if d else Hs)
        inp = np.concatenate(halves, axis=2)
        if l + 1 < len(layers):
            inp = layer_dropout(inp, dropout, training, rng)
    return inp, (h_n, c_n)
'''),
        ("float32 kept, one bidirectional helper built from the masked layer", '''
def deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    inp, states_h, states_c = X, [], []
    for l, (fwd, bwd) in enumerate(layers):
        if l > 0 and training and dropout > 0:
            inp = layer_dropout(inp, dropout, training, rng)
        Hf, (hf, cf) = masked_lstm_layer(inp, lengths, h0[2 * l], c0[2 * l], *fwd)
        rev = reverse_padded(inp, lengths)
        Hb, (hb, cb) = masked_lstm_layer(rev, lengths, h0[2 * l + 1], c0[2 * l + 1], *bwd)
        inp = np.concatenate([Hf, reverse_padded(Hb, lengths)], axis=-1).astype(X.dtype)
        states_h.extend([hf, hb]); states_c.extend([cf, cb])
    return inp, (np.stack(states_h).astype(X.dtype), np.stack(states_c).astype(X.dtype))
'''),
        ("backward direction walks t = T-1 .. 0 with a mask (no reversal)", '''
def deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    B, T, _ = X.shape
    valid = (np.arange(T)[None, :] < np.asarray(lengths)[:, None])[..., None]
    inp, hs, cs = X, [], []
    for l, (fwd, bwd) in enumerate(layers):
        halves = []
        for d, (params, steps) in enumerate([(fwd, range(T)), (bwd, range(T - 1, -1, -1))]):
            h, c = h0[2 * l + d], c0[2 * l + d]
            Hs = np.zeros((B, T, h.shape[1]), dtype=np.result_type(inp, h))
            for t in steps:
                hn, cn = lstm_step(inp[:, t], h, c, *params)
                h, c = np.where(valid[:, t], hn, h), np.where(valid[:, t], cn, c)
                Hs[:, t] = np.where(valid[:, t], hn, 0)
            halves.append(Hs)
            hs.append(h); cs.append(c)
        inp = np.concatenate(halves, axis=2)
        if training and dropout > 0 and l < len(layers) - 1:
            inp = layer_dropout(inp, dropout, training, rng)
    return inp, (np.stack(hs), np.stack(cs))
'''),
        ("builds on a bidirectional helper, preallocated states", '''
def _bi_masked(inp, lengths, h0, c0, fwd, bwd):
    Hf, (hf, cf) = masked_lstm_layer(inp, lengths, h0[0], c0[0], *fwd)
    Hb, (hb, cb) = masked_lstm_layer(reverse_padded(inp, lengths), lengths, h0[1], c0[1], *bwd)
    return np.concatenate([Hf, reverse_padded(Hb, lengths)], -1), (hf, hb), (cf, cb)

def deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    h_n, c_n = np.zeros_like(h0), np.zeros_like(c0)
    inp = X
    for l, pair in enumerate(layers):
        if l > 0:
            inp = layer_dropout(inp, dropout, training, rng)
        inp, (h_n[2 * l], h_n[2 * l + 1]), (c_n[2 * l], c_n[2 * l + 1]) = _bi_masked(
            inp, lengths, h0[2 * l:2 * l + 2], c0[2 * l:2 * l + 2], *pair)
    return inp, (h_n, c_n)
'''),
    ],
}
