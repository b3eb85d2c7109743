"""Checks for lesson 01 (the LSTM cell), with diagnoses of the common mistakes.

Each check_* takes the student's function, runs it on seeded cases, compares with
lstmlab.lstm (and torch.nn.LSTM on copied weights) and raises CheckFailed naming
the wrong term. `hidden=True` runs the cases held back for grading: other sizes,
float32, a batch of one, D == H (so swapped matrices no longer fail by shape),
pre-activations and cell states far beyond the range where a naive exp overflows (|a| > 710
in float64, > 90 in float32, in rows of very different scales), the signature's defaults, and the
from-scratch rule. Values returned together are checked for their order first (assert_order), each
returned array for being a numpy array. Every call of a student's function goes through
lstmlab.checking.call_student (inputs copied and checked for in-place changes, the guard in hidden
tests); references are computed from the check's own arrays, never from what the student received.
"""
from __future__ import annotations

import numpy as np

from lstmlab import lstm as ref
from lstmlab.fixtures import lstm_inputs, lstm_params, rng, sequence_cases
from lstmlab.lstm import sigmoid
from lstmlab.checking import CheckFailed, assert_ndarray, assert_close, assert_int, assert_order, call_student, student_facing, passed, unpack
from lstmlab.i18n import N_, _

# Shown with _(GATE_NAMES[gate]) where a message names the gate.
GATE_NAMES = {"i": N_("input gate i_t"), "f": N_("forget gate f_t"), "g": N_("candidate g_t (the chapter's C~_t)"),
              "o": N_("output gate o_t")}
ACT = {"i": sigmoid, "f": sigmoid, "g": np.tanh, "o": sigmoid}

# (B, D, H, seed, dtype): visible cases first, held-back cases after.
VISIBLE = [(2, 3, 4, 0, np.float64)]
HIDDEN = [(1, 5, 5, 11, np.float64), (3, 4, 2, 12, np.float32), (4, 2, 6, 13, np.float64)]

# The exercises' argument names, for the harness's messages ("lstm_gates changed its input h_prev in place").
GATES_ARGS = ("x", "h_prev", "Wx", "Wh", "b")
CELL_ARGS = ("c_prev", "i", "f", "g", "o")
STEP_ARGS = ("x", "h_prev", "c_prev", "Wx", "Wh", "b")
FORWARD_ARGS = ("X", "h0", "c0", "Wx", "Wh", "b")


def _cases(hidden: bool):
    return VISIBLE + HIDDEN if hidden else VISIBLE


def _of(function: str, value: str) -> str:
    """How a message names one returned value of a function ("lstm_step's h_t")."""
    return _("{function}'s {value}").format(function=function, value=value)


def _case(B, D, H, dtype, T=None) -> str:
    """The case a hint names: "(case B=2, D=3, H=4, float64)"."""
    if T is None:
        return _("(case B={B}, D={D}, H={H}, {dtype})").format(B=B, D=D, H=H, dtype=np.dtype(dtype).name)
    return _("(case B={B}, T={T}, D={D}, H={H}, {dtype})").format(B=B, T=T, D=D, H=H, dtype=np.dtype(dtype).name)


EXTREME = {np.float64: 2000.0, np.float32: 300.0}
OVERFLOW = {np.float64: 710.0, np.float32: 90.0}


def _extreme_case(dtype):
    """(x, h_prev, c_prev, params) of a step whose pre-activations reach past OVERFLOW[dtype] in every gate, both signs."""
    x, h, c, params = _step_case(3, 3, 4, 21, np.float64)
    x = np.stack([x[0], EXTREME[dtype] * x[1], -EXTREME[dtype] * x[1]])
    return x.astype(dtype), h.astype(dtype), c.astype(dtype), ref.LSTMParams(*(p.astype(dtype) for p in params))


def _pre64(x, h, Wx, Wh, b):
    """Pre-activations computed in float64 from the case's arrays (exact reference for float32 cases too)."""
    f = lambda a: np.asarray(a, np.float64)
    return f(x) @ f(Wx) + f(h) @ f(Wh) + f(b)


def _step_case(B, D, H, seed, dtype):
    X, h0, c0 = lstm_inputs(B, 1, D, H, seed=seed, dtype=dtype)
    return X[:, 0], h0, c0, lstm_params(D, H, seed=seed + 100, dtype=dtype, scale=0.8)


# --- exercise 1: the gates -----------------------------------------------------------------

def _gate_mistakes(x, h, Wx, Wh, b, gate: str) -> dict[str, np.ndarray]:
    """What a student's gate `gate` would be under each typical mistake -> message."""
    H = h.shape[1]
    sl = ref.gate_slices(H)
    pre = {k: x @ Wx[:, s] + h @ Wh[:, s] + b[s] for k, s in sl.items()}
    s = sl[gate]
    name = _(GATE_NAMES[gate])
    act = ACT[gate]
    out: dict[str, np.ndarray] = {}
    for other in ref.GATES:
        if other != gate:
            out[_("Your {name} is computed from the {other!r} block of the weights. The 4H columns are ordered "
                  "i, f, g, o: the {gate!r} gate uses columns {start}:{stop}.").format(
                name=name, other=other, gate=gate, start=s.start, stop=s.stop)] = act(pre[other])
    wrong_act = np.tanh if act is sigmoid else sigmoid
    if act is sigmoid:
        out[_("Your {name} uses tanh; gates use the sigmoid, so their values lie in (0, 1).").format(name=name)] = \
            wrong_act(pre[gate])
    else:
        out[_("Your {name} uses the sigmoid; the candidate uses tanh, so it lies in (-1, 1).").format(name=name)] = \
            wrong_act(pre[gate])
    out[_("Your {name} is missing the bias b.").format(name=name)] = act(x @ Wx[:, s] + h @ Wh[:, s])
    out[_("Your {name} ignores x_t: add x_t @ Wx for its block.").format(name=name)] = act(h @ Wh[:, s] + b[s])
    out[_("Your {name} ignores h_(t-1): add h_(t-1) @ Wh for its block.").format(name=name)] = act(x @ Wx[:, s] + b[s])
    out[_("Your {name} is returned before the activation: apply {activation}.").format(
        name=name, activation="sigmoid" if act is sigmoid else "tanh")] = pre[gate]
    if Wx.shape[0] == Wh.shape[0]:
        # With D == H, [x_t, h_(t-1)] @ [Wh; Wx] is exactly x_t @ Wh + h_(t-1) @ Wx: one output, two ways to get it.
        out[_("Your {name} multiplies x_t by Wh and h_(t-1) by Wx, either directly or by concatenating "
              "[x_t, h_(t-1)] against weights stacked as [Wh; Wx]: x_t goes with Wx, h_(t-1) with Wh (stack the "
              "weights in the same order as the inputs).").format(name=name)] = act(x @ Wh[:, s] + h @ Wx[:, s] + b[s])
    else:
        xh_wrong = np.concatenate([x, h], axis=1) @ np.concatenate([Wh, Wx], axis=0) + b
        out[_("Your {name} pairs the inputs with the wrong weight rows: you concatenated [x_t, h_(t-1)] but stacked "
              "the weights as [Wh; Wx]. Stack them in the same order as the inputs.").format(name=name)] = \
            act(xh_wrong[:, s])
    return out


def _gate_order(got, want) -> None:
    """Four gates of one shape: a reordering says so, naming both ways it can happen."""
    try:
        assert_order("lstm_gates", got, want, ("i", "f", "g", "o"))
    except CheckFailed as exc:
        raise CheckFailed(_("{message} Either your return statement lists them in another order, or you cut a gate "
                            "from another gate's block of columns (the 4H columns are ordered i, f, g, o: block k is "
                            "k*H:(k+1)*H).").format(message=exc)) from None


def check_gates(lstm_gates, hidden: bool = False) -> None:
    """lstm_gates(x (B,D), h_prev (B,H), Wx (D,4H), Wh (H,4H), b (4H,)) -> (i, f, g, o), each (B, H)."""
    for B, D, H, seed, dtype in _cases(hidden):
        x, h, _c, (Wx, Wh, b) = _step_case(B, D, H, seed, dtype)
        got = call_student("lstm_gates", lstm_gates, x, h, Wx, Wh, b, hidden=hidden, names=GATES_ARGS)
        got = unpack("lstm_gates", got, 4, "(i, f, g, o)")
        sl = ref.gate_slices(H)
        a = _pre64(x, h, Wx, Wh, b)
        want = [ACT[gate](a[:, sl[gate]]) for gate in ref.GATES]
        _gate_order(got, want)
        for k, gate in enumerate(ref.GATES):
            assert_ndarray(_("{function}'s {gate}").format(function="lstm_gates", gate=_(GATE_NAMES[gate])), got[k])
            assert_close(_(GATE_NAMES[gate]), got[k], want[k],
                         mistakes=_gate_mistakes(x, h, Wx, Wh, b, gate),
                         hint=_case(B, D, H, dtype))
    if hidden:
        # Huge pre-activations (rows of scale 1, +S and -S): a correct gate saturates to 0/1 and never returns NaN.
        for dtype in (np.float64, np.float32):
            x, h, _c, (Wx, Wh, b) = _extreme_case(dtype)
            got = unpack("lstm_gates", call_student("lstm_gates", lstm_gates, x, h, Wx, Wh, b, names=GATES_ARGS),
                         4, "(i, f, g, o)")
            a = _pre64(x, h, Wx, Wh, b)
            for k, gate in enumerate(ref.GATES):
                where = _("{gate} with pre-activations up to |a| = {largest:.0f} ({dtype}; a sigmoid or tanh written "
                          "with np.exp overflows there: use the provided sigmoid and np.tanh)").format(
                    gate=_(GATE_NAMES[gate]), largest=np.abs(a).max(), dtype=np.dtype(dtype).name)
                assert_close(where, got[k], ACT[gate](a[:, ref.gate_slices(4)[gate]]))
    passed(_("lstm_gates: all four gates match (hidden cases too)") if hidden else
           _("lstm_gates: all four gates match"))


# --- exercise 2: cell and hidden update ----------------------------------------------------

def _cell_mistakes(c_prev, i, f, g, o):
    c = f * c_prev + i * g
    c_mistakes = {
        _("Your c_t applies the forget gate to the candidate: c_t = f * c_(t-1) + i * g, not f * g + i * c_(t-1)."):
            f * g + i * c_prev,
        _("Your c_t forgets nothing: it adds c_(t-1) without multiplying by the forget gate f."): c_prev + i * g,
        _("Your c_t lets the whole candidate in: multiply g by the input gate i."): f * c_prev + g,
        _("Your c_t is squashed with tanh; the cell state is not squashed (that is what lets it carry gradient)."):
            np.tanh(c),
        _("Your c_t multiplies where it should add: c_t = f * c_(t-1) + i * g."): f * c_prev * i * g,
        _("Your c_t uses the output gate o where the input gate i belongs."): f * c_prev + o * g,
        _("Your c_t uses (1 - f) where the input gate i belongs (a coupled gate, as in the GRU); this LSTM has its own "
          "input gate: c_t = f * c_(t-1) + i * g."): f * c_prev + (1 - f) * g,
        _("Your c_t applies tanh to g again: g is already the activated candidate, c_t = f * c_(t-1) + i * g."):
            f * c_prev + i * np.tanh(g),
    }
    h_mistakes = {
        _("Your h_t uses c_(t-1): the output reads the *new* cell state, h_t = o * tanh(c_t)."): o * np.tanh(c_prev),
        _("Your h_t forgets the tanh: h_t = o * tanh(c_t)."): o * c,
        _("Your h_t puts the output gate inside the tanh: h_t = o * tanh(c_t), not tanh(o * c_t)."): np.tanh(o * c),
        _("Your h_t uses sigmoid(c_t) instead of tanh(c_t)."): o * sigmoid(c),
        _("Your h_t leaves out the output gate o."): np.tanh(c),
    }
    return c, o * np.tanh(c), c_mistakes, h_mistakes


def _check_cell_case(lstm_cell_update, c_prev, i, f, g, o, large: tuple[float, str] | None = None) -> None:
    """large: (the largest |c_(t-1)|, the dtype's name) of a case far out, which the messages name."""
    got = unpack("lstm_cell_update", call_student("lstm_cell_update", lstm_cell_update, c_prev, i, f, g, o,
                                                  names=CELL_ARGS), 2, "(c, h)")
    f64 = [np.asarray(a, np.float64) for a in (c_prev, i, f, g, o)]
    c, h, c_mistakes, h_mistakes = _cell_mistakes(*f64)
    assert_order("lstm_cell_update", got, (c, h), ("c", "h"))
    assert_ndarray(_of("lstm_cell_update", "c_t"), got[0])
    assert_ndarray(_of("lstm_cell_update", "h_t"), got[1])

    def label(value: str) -> str:
        if large is None:
            return value
        return _("{value} with |c_(t-1)| up to {largest:.0f} ({dtype}; use np.tanh)").format(
            value=value, largest=large[0], dtype=large[1])

    assert_close(label("c_t"), got[0], c, mistakes=c_mistakes)
    assert_close(label("h_t"), got[1], h, mistakes=h_mistakes)


def check_cell_update(lstm_cell_update, hidden: bool = False) -> None:
    """lstm_cell_update(c_prev, i, f, g, o) -> (c, h), each (B, H)."""
    for case, (B, _D, H, seed, dtype) in enumerate(_cases(hidden)):
        r = rng(seed + 200)
        c_prev = (2 * r.standard_normal((B, H))).astype(dtype)
        i, f, o = (r.uniform(0.05, 0.95, (B, H)).astype(dtype) for _k in range(3))
        g = r.uniform(-0.95, 0.95, (B, H)).astype(dtype)
        _check_cell_case(lstm_cell_update, c_prev, i, f, g, o)
    if hidden:
        # Closed form: f = 1, i = 0 keeps the cell exactly; o = 0 outputs zeros.
        B, H = 2, 3
        c_prev = rng(5).standard_normal((B, H))
        one, zero = np.ones((B, H)), np.zeros((B, H))
        got = call_student("lstm_cell_update", lstm_cell_update, c_prev, zero, one, rng(6).uniform(-1, 1, (B, H)), zero,
                           names=CELL_ARGS)
        c, h = unpack("lstm_cell_update", got, 2, "(c, h)")
        assert_close(_("c_t with f=1, i=0 (must equal c_(t-1))"), c, c_prev)
        assert_close(_("h_t with o=0 (must be 0)"), h, zero)
        # A cell state far out (rows of scale 1 and +-S): tanh(c_t) saturates to +-1, a naive tanh overflows.
        for dtype in (np.float64, np.float32):
            r = rng(7)
            c_prev = 2 * r.standard_normal((3, 4)) * np.array([[1.0], [EXTREME[dtype]], [-EXTREME[dtype]]])
            i, f, o = (r.uniform(0.05, 0.95, (3, 4)) for _k in range(3))
            g = r.uniform(-0.95, 0.95, (3, 4))
            _check_cell_case(lstm_cell_update, *(a.astype(dtype) for a in (c_prev, i, f, g, o)),
                             large=(np.abs(c_prev).max(), np.dtype(dtype).name))
    passed(_("lstm_cell_update: c_t and h_t match (hidden cases too)") if hidden else
           _("lstm_cell_update: c_t and h_t match"))


# --- exercise 3: one step ------------------------------------------------------------------

def _torch_step(x, h, c, params):
    import torch

    from lstmlab.bridge import lstm_as_torch

    dt = torch.float32 if x.dtype == np.float32 else torch.float64
    lstm = lstm_as_torch(params, dtype=dt)
    t = lambda a: torch.as_tensor(a, dtype=dt)
    with torch.no_grad():
        _out, (hn, cn) = lstm(t(x)[:, None, :], (t(h)[None], t(c)[None]))
    return hn[0].numpy(), cn[0].numpy()


def _step_mistakes(x, h0, c0, params) -> tuple[dict, dict]:
    """({message: h_t}, {message: c_t}) of the typical mistakes of lstm_step."""
    _h, _c, cache = ref.lstm_step_forward(x, h0, c0, *params)
    i, f, g, o = cache[5:9]
    wrong_update = lambda c_from, i_, f_: (o * np.tanh(f_ * c_from + i_ * g), f_ * c_from + i_ * g)
    swapped = wrong_update(c0, f, i)
    from_h = wrong_update(h0, i, f)
    h_mistakes = {
        _("Your h_t ignores the previous cell state: c_t = f * c_(t-1) + i * g uses c_prev."): o * np.tanh(i * g),
        _("Your h_t uses c_(t-1) where it needs the new c_t."): o * np.tanh(c0),
        _("Your lstm_step passes the gates to lstm_cell_update in the wrong order: it takes (c_prev, i, f, g, o), "
          "and lstm_gates returns (i, f, g, o)."): swapped[0],
        _("Your lstm_step passes h_prev where the cell state c_prev belongs: the cell update is "
          "c_t = f * c_(t-1) + i * g."): from_h[0],
    }
    c_mistakes = {_("Your c_t ignores c_(t-1): pass c_prev into the cell update."): i * g}
    return h_mistakes, c_mistakes


def check_step(lstm_step, hidden: bool = False) -> None:
    """lstm_step(x (B,D), h_prev (B,H), c_prev (B,H), Wx, Wh, b) -> (h, c), each (B, H)."""
    for B, D, H, seed, dtype in _cases(hidden):
        x, h0, c0, params = _step_case(B, D, H, seed, dtype)
        got = call_student("lstm_step", lstm_step, x, h0, c0, *params, hidden=hidden, names=STEP_ARGS)
        got = unpack("lstm_step", got, 2, "(h, c)")
        h_want, c_want = _torch_step(x, h0, c0, params)
        assert_order("lstm_step", got, (h_want, c_want), ("h", "c"))
        assert_ndarray(_of("lstm_step", "h_t"), got[0])
        assert_ndarray(_of("lstm_step", "c_t"), got[1])
        h_mistakes, c_mistakes = _step_mistakes(x, h0, c0, params)
        same = _("{value} (compared with torch.nn.LSTM on the same weights)")
        assert_close(same.format(value="h_t"), got[0], h_want,
                     mistakes=h_mistakes, hint=_("Check lstm_gates and lstm_cell_update first."))
        assert_close(same.format(value="c_t"), got[1], c_want, mistakes=c_mistakes)
    if hidden:
        # Closed form: a forget bias of +50 and input bias of -50 with zero weights keep c exactly.
        D, H = 3, 4
        x, h0, c0, _params = _step_case(2, D, H, 31, np.float64)
        b = np.zeros(4 * H)
        b[H:2 * H], b[:H] = 50.0, -50.0
        got = call_student("lstm_step", lstm_step, x, h0, c0, np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), b,
                           names=STEP_ARGS)
        _h, c = unpack("lstm_step", got, 2, "(h, c)")
        assert_close(_("c_t when f=1 and i=0 (must equal c_(t-1))"), c, c0, rtol=1e-9, atol=1e-12)
        # Huge pre-activations: the gates saturate, nothing overflows.
        for dtype in (np.float64, np.float32):
            x, h0, c0, params = _extreme_case(dtype)
            got = unpack("lstm_step", call_student("lstm_step", lstm_step, x, h0, c0, *params, names=STEP_ARGS),
                         2, "(h, c)")
            h_want, c_want, _cache = ref.lstm_step_forward(*(np.asarray(a, np.float64) for a in (x, h0, c0, *params)))
            where = _("{value} with very large inputs ({dtype}; a naive exp overflows there)")
            assert_close(where.format(value="h_t", dtype=np.dtype(dtype).name), got[0], h_want)
            assert_close(where.format(value="c_t", dtype=np.dtype(dtype).name), got[1], c_want)
    passed(_("lstm_step matches torch.nn.LSTM (hidden cases too)") if hidden else _("lstm_step matches torch.nn.LSTM"))


# --- exercise 4: a sequence ----------------------------------------------------------------

def check_forward(lstm_forward, hidden: bool = False) -> None:
    """lstm_forward(X (B,T,D), h0, c0, Wx, Wh, b) -> (Hs (B,T,H), (h_T, c_T))."""
    import torch

    from lstmlab.bridge import lstm_as_torch

    for B, T, D, H, seed, dtype in sequence_cases(hidden):
        X, h0, c0 = lstm_inputs(B, T, D, H, seed=seed, dtype=dtype)
        params = lstm_params(D, H, seed=seed + 1, dtype=dtype, scale=0.8)
        got = call_student("lstm_forward", lstm_forward, X, h0, c0, *params, hidden=hidden, names=FORWARD_ARGS)
        Hs, final = unpack("lstm_forward", got, 2, "(Hs, (h_T, c_T))")
        final = unpack(_("the second value of lstm_forward"), final, 2, "(h_T, c_T)")
        dt = torch.float32 if dtype == np.float32 else torch.float64
        lstm = lstm_as_torch(params, dtype=dt)
        with torch.no_grad():
            out, (hn, cn) = lstm(torch.as_tensor(X), (torch.as_tensor(h0)[None], torch.as_tensor(c0)[None]))
        want, hn, cn = out.numpy(), hn[0].numpy(), cn[0].numpy()
        assert_order(_("lstm_forward's final state"), final, (hn, cn), ("h_T", "c_T"))
        hT, cT = final
        for name, value in (("Hs", Hs), ("h_T", hT), ("c_T", cT)):
            assert_ndarray(_of("lstm_forward", name), value)
        stuck = np.stack([ref.lstm_step_forward(X[:, t], h0, c0, *params)[0] for t in range(T)], axis=1)
        zeros = np.zeros_like(h0)
        mistakes = {
            _("Your Hs is time-major (T, B, H); the course is batch-first: Hs[:, t] is the output at step t."):
                want.transpose(1, 0, 2),
            _("Every step of yours starts from h0 and c0: carry h and c from one step to the next."): stuck,
            _("Your sequence starts from zeros instead of h0 and c0."): ref.lstm_forward(X, zeros, zeros, *params)[0],
        }
        assert_close(_("{value} (compared with torch.nn.LSTM)").format(value="Hs"), Hs, want, mistakes=mistakes,
                     hint=_("{case}. Check lstm_step first.").format(case=_case(B, D, H, dtype, T=T)))
        final_mistakes = {_("Your final state is the one after the first step; return the state after the last step."):
                          ref.lstm_step_forward(X[:, 0], h0, c0, *params)[0]} if T > 1 else {}
        assert_close("h_T", hT, hn, mistakes=final_mistakes)
        assert_close("c_T", cT, cn, mistakes={_("You returned h_T where c_T belongs."): hn})
    if hidden:
        # Huge inputs at every step: the gates saturate, nothing overflows.
        for dtype in (np.float64, np.float32):
            x, h0, c0, params = _extreme_case(dtype)
            X = np.stack([x, x[[2, 0, 1]], x[[1, 2, 0]]], axis=1)           # (3, 3, D), every row huge somewhere
            got = call_student("lstm_forward", lstm_forward, X, h0, c0, *params, names=FORWARD_ARGS)
            Hs, final = unpack("lstm_forward", got, 2, "(Hs, (h_T, c_T))")
            hT, cT = unpack(_("the second value of lstm_forward"), final, 2, "(h_T, c_T)")
            want, (hn, cn), _cache = ref.lstm_forward(*(np.asarray(a, np.float64) for a in (X, h0, c0, *params)))
            where = _("{value} with very large inputs ({dtype}; a naive exp overflows there)")
            assert_close(where.format(value="Hs", dtype=np.dtype(dtype).name), Hs, want)
            assert_close(where.format(value="h_T", dtype=np.dtype(dtype).name), hT, hn)
            assert_close(where.format(value="c_T", dtype=np.dtype(dtype).name), cT, cn)
    passed(_("lstm_forward matches torch.nn.LSTM over a sequence (hidden cases too)") if hidden else
           _("lstm_forward matches torch.nn.LSTM over a sequence"))


# --- exercise 5: parameter count -----------------------------------------------------------

def check_param_count(lstm_param_count, hidden: bool = False) -> None:
    """lstm_param_count(input_size, hidden_size, bias_vectors=1) -> int."""
    import torch

    sizes = [(3, 4), (64, 128)] + ([(1, 1), (10, 3), (300, 17)] if hidden else [])
    for D, H in sizes:
        torch_count = sum(p.numel() for p in torch.nn.LSTM(D, H).parameters())
        cases = ((2, torch_count, _("torch.nn.LSTM (two bias vectors)")),
                 (1, torch_count - 4 * H, _("Keras and the chapter (one bias vector)")),
                 (None, torch_count - 4 * H, _("the default, bias_vectors=1 (Keras and the chapter)")))
        for nb, want, who in cases:
            kwargs = {} if nb is None else {"bias_vectors": nb}
            got = call_student("lstm_param_count", lstm_param_count, D, H, hidden=hidden,
                               names=("input_size", "hidden_size"), **kwargs)
            got = assert_int("lstm_param_count", got)
            if got == want:
                continue
            if nb is None:
                raise CheckFailed(_("Called without bias_vectors, your lstm_param_count({D}, {H}) returns {got}; "
                                    "the default is bias_vectors=1 (one bias vector, as Keras and the chapter count): "
                                    "{want}.").format(D=D, H=H, got=got, want=want))
            diag = {
                want // 4: _("You counted one gate: an LSTM has 4 blocks (i, f, g, o), each with its own weights."),
                4 * (H * D + nb * H): _("You left out the recurrent weights Wh (H x H per gate)."),
                4 * (H * D + H * H): _("You left out the bias vectors."),
                4 * (H * D + H * H + H): _("You counted one bias vector; bias_vectors says how many each gate has."),
                3 * (H * D + H * H + nb * H): _("You counted 3 blocks (GRU's number); an LSTM has 4: i, f, g, o."),
                4 * (H + D) ** 2 + 4 * nb * H: _("Each gate's matrix is H x (H + D), not (H + D) x (H + D)."),
                4 * (H * D + H * H) + nb * H: _("You counted each bias vector once for the whole layer (H numbers); "
                                                "each of the 4 gates has its own, so a bias vector is 4H numbers."),
            }
            if nb != 2:
                diag.setdefault(4 * (H * D + H * H + 2 * H), _("You always count two bias vectors (torch's); "
                                                                "bias_vectors says how many each gate has."))
            raise CheckFailed(diag.get(int(got), _("For D={D}, H={H}, bias_vectors={nb} you return {got}; "
                                                   "{who} has {want}.").format(D=D, H=H, nb=nb, got=got, who=who,
                                                                               want=want)))
    passed(_("lstm_param_count matches torch and Keras (hidden cases too)") if hidden else
           _("lstm_param_count matches torch and Keras"))


# A student's exception out of any check_* shows the student's frames only (lstmlab.checking.harness).
student_facing(globals())
