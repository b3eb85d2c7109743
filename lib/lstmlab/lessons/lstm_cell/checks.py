"""Checks for lesson 01 (the LSTM cell), with diagnoses of the common mistakes.

Each check_* takes the student's function, runs it on seeded cases, compares with
lstmlab.lstm (and torch.nn.LSTM on copied weights) and raises CheckFailed naming
the wrong term. `hidden=True` runs the cases held back for grading: other sizes,
float32, a batch of one, D == H (so swapped matrices no longer fail by shape),
saturated pre-activations, and the from-scratch rule. Every call of a student's function goes
through lstmlab.checking.call_student (inputs copied and checked for in-place changes, the guard
in hidden tests).
"""
from __future__ import annotations

import numpy as np

from lstmlab import lstm as ref
from lstmlab.fixtures import lstm_inputs, lstm_params, rng, sequence_cases
from lstmlab.lstm import sigmoid
from lstmlab.checking import CheckFailed, assert_close, assert_int, call_student, passed, tolerances, unpack

GATE_NAMES = {"i": "input gate i_t", "f": "forget gate f_t", "g": "candidate g_t (the chapter's C~_t)", "o": "output gate o_t"}
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
    name = GATE_NAMES[gate]
    act = ACT[gate]
    out: dict[str, np.ndarray] = {}
    for other in ref.GATES:
        if other != gate:
            out[f"Your {name} is computed from the {other!r} block of the weights. The 4H columns are ordered "
                f"i, f, g, o: the {gate!r} gate uses columns {s.start}:{s.stop}."] = act(pre[other])
    wrong_act = np.tanh if act is sigmoid else sigmoid
    if act is sigmoid:
        out[f"Your {name} uses tanh; gates use the sigmoid, so their values lie in (0, 1)."] = wrong_act(pre[gate])
    else:
        out[f"Your {name} uses the sigmoid; the candidate uses tanh, so it lies in (-1, 1)."] = wrong_act(pre[gate])
    out[f"Your {name} is missing the bias b."] = act(x @ Wx[:, s] + h @ Wh[:, s])
    out[f"Your {name} ignores x_t: add x_t @ Wx for its block."] = act(h @ Wh[:, s] + b[s])
    out[f"Your {name} ignores h_(t-1): add h_(t-1) @ Wh for its block."] = act(x @ Wx[:, s] + b[s])
    out[f"Your {name} is returned before the activation: apply {'sigmoid' if act is sigmoid else 'tanh'}."] = pre[gate]
    xh_wrong = np.concatenate([x, h], axis=1) @ np.concatenate([Wh, Wx], axis=0) + b
    out[f"Your {name} pairs the inputs with the wrong weight rows: you concatenated [x_t, h_(t-1)] but stacked "
        f"the weights as [Wh; Wx]. Stack them in the same order as the inputs."] = act(xh_wrong[:, s])
    if Wx.shape[0] == Wh.shape[0]:
        out[f"Your {name} multiplies x_t by Wh and h_(t-1) by Wx: the concatenation order is swapped "
            f"(x_t goes with Wx, h_(t-1) with Wh)."] = act(x @ Wh[:, s] + h @ Wx[:, s] + b[s])
    return out


def check_gates(lstm_gates, hidden: bool = False) -> None:
    """lstm_gates(x (B,D), h_prev (B,H), Wx (D,4H), Wh (H,4H), b (4H,)) -> (i, f, g, o), each (B, H)."""
    for B, D, H, seed, dtype in _cases(hidden):
        x, h, _, (Wx, Wh, b) = _step_case(B, D, H, seed, dtype)
        got = call_student("lstm_gates", lstm_gates, x, h, Wx, Wh, b, hidden=hidden, names=GATES_ARGS)
        got = unpack("lstm_gates", got, 4, "(i, f, g, o)")
        sl = ref.gate_slices(H)
        a = x @ Wx + h @ Wh + b
        rtol, atol = tolerances(x)
        for k, gate in enumerate(ref.GATES):
            want = ACT[gate](a[:, sl[gate]])
            assert_close(GATE_NAMES[gate], got[k], want, rtol=rtol, atol=atol,
                         mistakes=_gate_mistakes(x, h, Wx, Wh, b, gate),
                         hint=f"(case B={B}, D={D}, H={H}, {np.dtype(dtype).name})")
    if hidden:
        # Large pre-activations: a correct gate saturates to 0/1 and never returns NaN.
        x, h, _, (Wx, Wh, b) = _step_case(2, 3, 4, 21, np.float64)
        got = unpack("lstm_gates", call_student("lstm_gates", lstm_gates, x * 400, h, Wx, Wh, b, names=GATES_ARGS),
                     4, "(i, f, g, o)")
        a = (x * 400) @ Wx + h @ Wh + b
        for k, gate in enumerate(ref.GATES):
            assert_close(GATE_NAMES[gate] + " with very large inputs", got[k], ACT[gate](a[:, ref.gate_slices(4)[gate]]))
    passed("lstm_gates: all four gates match" + (" (hidden cases too)" if hidden else ""))


# --- exercise 2: cell and hidden update ----------------------------------------------------

def check_cell_update(lstm_cell_update, hidden: bool = False) -> None:
    """lstm_cell_update(c_prev, i, f, g, o) -> (c, h), each (B, H)."""
    for case, (B, _, H, seed, dtype) in enumerate(_cases(hidden)):
        r = rng(seed + 200)
        c_prev = (2 * r.standard_normal((B, H))).astype(dtype)
        i, f, o = (r.uniform(0.05, 0.95, (B, H)).astype(dtype) for _ in range(3))
        g = r.uniform(-0.95, 0.95, (B, H)).astype(dtype)
        got = unpack("lstm_cell_update", call_student("lstm_cell_update", lstm_cell_update, c_prev, i, f, g, o,
                                                      names=CELL_ARGS), 2, "(c, h)")
        c = f * c_prev + i * g
        h = o * np.tanh(c)
        rtol, atol = tolerances(c_prev)
        c_mistakes = {
            "Your c_t applies the forget gate to the candidate: c_t = f * c_(t-1) + i * g, not f * g + i * c_(t-1).": f * g + i * c_prev,
            "Your c_t forgets nothing: it adds c_(t-1) without multiplying by the forget gate f.": c_prev + i * g,
            "Your c_t lets the whole candidate in: multiply g by the input gate i.": f * c_prev + g,
            "Your c_t is squashed with tanh; the cell state is not squashed (that is what lets it carry gradient).": np.tanh(c),
            "Your c_t multiplies where it should add: c_t = f * c_(t-1) + i * g.": f * c_prev * i * g,
            "Your c_t uses the output gate o where the input gate i belongs.": f * c_prev + o * g,
        }
        if np.allclose(np.asarray(got[0], dtype=float), h, rtol=rtol, atol=atol) if np.shape(got[0]) == h.shape else False:
            raise CheckFailed("lstm_cell_update returned (h, c); return (c, h) in that order.")
        assert_close("c_t", got[0], c, rtol=rtol, atol=atol, mistakes=c_mistakes)
        h_mistakes = {
            "Your h_t uses c_(t-1): the output reads the *new* cell state, h_t = o * tanh(c_t).": o * np.tanh(c_prev),
            "Your h_t forgets the tanh: h_t = o * tanh(c_t).": o * c,
            "Your h_t puts the output gate inside the tanh: h_t = o * tanh(c_t), not tanh(o * c_t).": np.tanh(o * c),
            "Your h_t uses sigmoid(c_t) instead of tanh(c_t).": o * sigmoid(c),
            "Your h_t leaves out the output gate o.": np.tanh(c),
        }
        assert_close("h_t", got[1], h, rtol=rtol, atol=atol, mistakes=h_mistakes)
    if hidden:
        # Closed form: f = 1, i = 0 keeps the cell exactly; o = 0 outputs zeros.
        B, H = 2, 3
        c_prev = rng(5).standard_normal((B, H))
        one, zero = np.ones((B, H)), np.zeros((B, H))
        got = call_student("lstm_cell_update", lstm_cell_update, c_prev, zero, one, rng(6).uniform(-1, 1, (B, H)), zero,
                           names=CELL_ARGS)
        c, h = unpack("lstm_cell_update", got, 2, "(c, h)")
        assert_close("c_t with f=1, i=0 (must equal c_(t-1))", c, c_prev)
        assert_close("h_t with o=0 (must be 0)", h, zero)
    passed("lstm_cell_update: c_t and h_t match" + (" (hidden cases too)" if hidden else ""))


# --- exercise 3: one step ------------------------------------------------------------------

def _torch_step(x, h, c, params):
    import torch

    from lstmlab.bridge import lstm_as_torch

    dt = torch.float32 if x.dtype == np.float32 else torch.float64
    lstm = lstm_as_torch(params, dtype=dt)
    t = lambda a: torch.as_tensor(a, dtype=dt)
    with torch.no_grad():
        _, (hn, cn) = lstm(t(x)[:, None, :], (t(h)[None], t(c)[None]))
    return hn[0].numpy(), cn[0].numpy()


def check_step(lstm_step, hidden: bool = False) -> None:
    """lstm_step(x (B,D), h_prev (B,H), c_prev (B,H), Wx, Wh, b) -> (h, c), each (B, H)."""
    for B, D, H, seed, dtype in _cases(hidden):
        x, h0, c0, params = _step_case(B, D, H, seed, dtype)
        got = call_student("lstm_step", lstm_step, x, h0, c0, *params, hidden=hidden, names=STEP_ARGS)
        got = unpack("lstm_step", got, 2, "(h, c)")
        h_want, c_want = _torch_step(x, h0, c0, params)
        rtol, atol = tolerances(x)
        if np.shape(got[0]) == c_want.shape and np.allclose(np.asarray(got[0], float), c_want, rtol=rtol, atol=atol):
            raise CheckFailed("lstm_step returned (c, h); return (h, c) in that order (torch does too).")
        _, _, cache = ref.lstm_step_forward(x, h0, c0, *params)
        i, f, g, o = cache[5:9]
        step_mistakes = {
            "Your h_t ignores the previous cell state: c_t = f * c_(t-1) + i * g uses c_prev.": o * np.tanh(i * g),
            "Your h_t uses c_(t-1) where it needs the new c_t.": o * np.tanh(c0),
        }
        assert_close("h_t (compared with torch.nn.LSTM on the same weights)", got[0], h_want, rtol=rtol, atol=atol,
                     mistakes=step_mistakes, hint="Check lstm_gates and lstm_cell_update first.")
        assert_close("c_t (compared with torch.nn.LSTM on the same weights)", got[1], c_want, rtol=rtol, atol=atol,
                     mistakes={"Your c_t ignores c_(t-1): pass c_prev into the cell update.": i * g})
    if hidden:
        # Closed form: a forget bias of +50 and input bias of -50 with zero weights keep c exactly.
        D, H = 3, 4
        x, h0, c0, _ = _step_case(2, D, H, 31, np.float64)
        b = np.zeros(4 * H)
        b[H:2 * H], b[:H] = 50.0, -50.0
        got = call_student("lstm_step", lstm_step, x, h0, c0, np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), b,
                           names=STEP_ARGS)
        _, c = unpack("lstm_step", got, 2, "(h, c)")
        assert_close("c_t when f=1 and i=0 (must equal c_(t-1))", c, c0, rtol=1e-9, atol=1e-12)
    passed("lstm_step matches torch.nn.LSTM" + (" (hidden cases too)" if hidden else ""))


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
        hT, cT = unpack("the second value of lstm_forward", final, 2, "(h_T, c_T)")
        dt = torch.float32 if dtype == np.float32 else torch.float64
        lstm = lstm_as_torch(params, dtype=dt)
        with torch.no_grad():
            out, (hn, cn) = lstm(torch.as_tensor(X), (torch.as_tensor(h0)[None], torch.as_tensor(c0)[None]))
        want, hn, cn = out.numpy(), hn[0].numpy(), cn[0].numpy()
        rtol, atol = tolerances(X)
        stuck = np.stack([ref.lstm_step_forward(X[:, t], h0, c0, *params)[0] for t in range(T)], axis=1)
        mistakes = {
            "Your Hs is time-major (T, B, H); the course is batch-first: Hs[:, t] is the output at step t.": want.transpose(1, 0, 2),
            "Every step of yours starts from h0 and c0: carry h and c from one step to the next.": stuck,
        }
        assert_close("Hs (compared with torch.nn.LSTM)", Hs, want, rtol=rtol, atol=atol, mistakes=mistakes,
                     hint=f"(case B={B}, T={T}, D={D}, H={H}, {np.dtype(dtype).name}). Check lstm_step first.")
        final_mistakes = {"Your final state is the one after the first step; return the state after the last step.":
                          ref.lstm_step_forward(X[:, 0], h0, c0, *params)[0]}
        final_mistakes["You returned (c_T, h_T); the final states go in the order (h_T, c_T)."] = cn
        assert_close("h_T", hT, hn, rtol=rtol, atol=atol, mistakes=final_mistakes)
        assert_close("c_T", cT, cn, rtol=rtol, atol=atol,
                     mistakes={"You returned h_T where c_T belongs.": hn})
    passed("lstm_forward matches torch.nn.LSTM over a sequence" + (" (hidden cases too)" if hidden else ""))


# --- exercise 5: parameter count -----------------------------------------------------------

def check_param_count(lstm_param_count, hidden: bool = False) -> None:
    """lstm_param_count(input_size, hidden_size, bias_vectors=1) -> int."""
    import torch

    sizes = [(3, 4), (64, 128)] + ([(1, 1), (10, 3), (300, 17)] if hidden else [])
    for D, H in sizes:
        torch_count = sum(p.numel() for p in torch.nn.LSTM(D, H).parameters())
        for nb, want, who in ((2, torch_count, "torch.nn.LSTM (two bias vectors)"),
                              (1, torch_count - 4 * H, "Keras and the chapter (one bias vector)")):
            got = call_student("lstm_param_count", lstm_param_count, D, H, bias_vectors=nb, hidden=hidden,
                               names=("input_size", "hidden_size"))
            got = assert_int("lstm_param_count", got)
            if got == want:
                continue
            diag = {
                want // 4: "You counted one gate: an LSTM has 4 blocks (i, f, g, o), each with its own weights.",
                4 * (H * D + nb * H): "You left out the recurrent weights Wh (H x H per gate).",
                4 * (H * D + H * H): "You left out the bias vectors.",
                4 * (H * D + H * H + H): "You counted one bias vector; bias_vectors says how many each gate has.",
                3 * (H * D + H * H + nb * H): "You counted 3 blocks (GRU's number); an LSTM has 4: i, f, g, o.",
                4 * (H + D) ** 2 + 4 * nb * H: "Each gate's matrix is H x (H + D), not (H + D) x (H + D).",
            }
            raise CheckFailed(diag.get(int(got), f"For D={D}, H={H}, bias_vectors={nb} you return {got}; "
                                                  f"{who} has {want}."))
    passed("lstm_param_count matches torch and Keras" + (" (hidden cases too)" if hidden else ""))
