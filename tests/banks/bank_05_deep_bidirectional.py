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
                                       ret="inp, (np.stack(cs), np.stack(hs))"), "Your h_n is c_n"),
        ("calls torch.nn.LSTM", '''
import torch as _t
def stacked_lstm(X, h0, c0, layers):
    m = _t.nn.LSTM(X.shape[2], h0.shape[2], num_layers=len(layers), batch_first=True).double()
    with _t.no_grad():
        for k, (Wx, Wh, b) in enumerate(layers):
            getattr(m, f"weight_ih_l{k}").copy_(_t.from_numpy(np.ascontiguousarray(Wx.T, dtype=np.float64)))
            getattr(m, f"weight_hh_l{k}").copy_(_t.from_numpy(np.ascontiguousarray(Wh.T, dtype=np.float64)))
            getattr(m, f"bias_ih_l{k}").copy_(_t.from_numpy(b.astype(np.float64)))
            getattr(m, f"bias_hh_l{k}").zero_()
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
''', "read from Hs[:, -1]"),
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
''', "Your h_n is c_n"),
        ("calls the library's masked forward", '''
from lstmlab.stacked import masked_lstm_forward as _mf
def masked_lstm_layer(X, lengths, h0, c0, Wx, Wh, b):
    return _mf(X, lengths, h0, c0, Wx, Wh, b)
''', "must be written from scratch"),
    ],
    "layer_dropout": [
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
    return _sf(X, h0, c0, layers, lengths, True, dropout, training, rng)
''', "must be written from scratch"),
    ],
}

RIGHT = {
    "stacked_lstm": [
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
        ("backward direction walks t = T-1 .. 0 with a mask (no reversal)", '''
def deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
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
