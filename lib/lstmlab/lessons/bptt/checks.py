"""Checks for lesson 02 (backprop through time), with diagnoses of the common mistakes.

Each check_* takes the student's function and checks it three ways where that applies:
float64 finite differences (lstmlab.gradcheck), torch autograd on copied weights (every
gradient, not one), and closed-form cases (f = 1, i = 0: the cell state is copied and its
gradient passes unchanged). When a result is wrong, it is compared with what each known
mistake returns, so the message names the mistake ("your sigmoid derivative is s, not s(1-s)").
`hidden=True` adds the held-back cases: other sizes, D == H (so a swapped matrix no longer fails
by shape), float32, a batch of one, a sequence of one step, the closed forms, a finite-difference
step other than the default (h = 0.05, where the central difference differs from the exact gradient),
and the from-scratch rule (torch autograd and lstmlab.gradcheck count as ready-made here). Returned
gradients are checked for their order first (assert_order) and for being numpy arrays. Every call of a student's function goes through
lstmlab.checking.call_student (inputs copied and checked for in-place changes, the guard in hidden tests).

The caches are built here with the same code as the lesson's provided forward pass:
a step cache is a dict with keys x, h_prev, c_prev, Wx, Wh, i, f, g, o, c, tanh_c;
a sequence cache is the list of the T step caches, in time order.
"""
from __future__ import annotations

import numpy as np

from lstmlab import gradcheck
from lstmlab import lstm as ref
from lstmlab.fixtures import lstm_inputs, lstm_params, rng
from lstmlab.lstm import sigmoid
from lstmlab.checking import (CheckFailed, assert_ndarray, assert_close, assert_order, call_student, student_facing, passed, reference_functions,
                              tolerances, unpack)
from lstmlab.i18n import N_, _

STEP_OUTPUTS = ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db")
SEQ_OUTPUTS = ("dX", "dh0", "dc0", "dWx", "dWh", "db")
# Shown with _(GATE_WORDS[gate]).
GATE_WORDS = {"i": N_("input gate i"), "f": N_("forget gate f"), "g": N_("candidate g"), "o": N_("output gate o")}


def _of(function: str, value: str) -> str:
    """How a message names one returned value of a function ("lstm_backward's dX")."""
    return _("{function}'s {value}").format(function=function, value=value)


def _autograd_targets():
    """torch autograd counts as a ready-made backward pass in this lesson."""
    import torch

    return [(torch.autograd, "backward", "torch autograd (Tensor.backward)"),
            (torch.autograd, "grad", "torch autograd (torch.autograd.grad)")]


def _ready_made_backward():
    """Guard targets of the backward exercises (beyond the default ones): lstmlab.gradcheck and torch autograd."""
    return [*reference_functions(gradcheck), *_autograd_targets()]


# --- the lesson's forward pass with a dict cache (same code as the notebook's provided cell) ----

def step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step: x (B, D), h_prev, c_prev (B, H) -> h, c (B, H) and the step cache (a dict)."""
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "Wx": Wx, "Wh": Wh,
             "i": i, "f": f, "g": g, "o": o, "c": c, "tanh_c": tanh_c}
    return h, c, cache


def forward(X, h0, c0, Wx, Wh, b):
    """LSTM over X (B, T, D) -> Hs (B, T, H), (h_T, c_T), cache (list of T step caches)."""
    h, c, Hs, cache = h0, c0, [], []
    for t in range(X.shape[1]):
        h, c, step_cache = step_forward(X[:, t], h, c, Wx, Wh, b)
        Hs.append(h)
        cache.append(step_cache)
    return np.stack(Hs, axis=1), (h, c), cache


# --- what a backward pass returns under each known mistake ------------------------------------

# {mistake: its diagnosis}, shown with _(STEP_MISTAKES[mistake]).
STEP_MISTAKES = {
    "sigmoid_prime_s": N_("Your sigmoid derivative is written as s; it is s * (1 - s). With s = sigmoid(a), "
                          "d s / d a = s (1 - s): use i*(1-i), f*(1-f) and o*(1-o) for the three gates."),
    "sigmoid_of_s": N_("Your sigmoid derivative applies the sigmoid again: the cache holds the gates' outputs s = sigmoid(a), "
                       "so the derivative is s * (1 - s), not sigmoid(s) * (1 - sigmoid(s))."),
    "tanh_of_tanh_c": N_("Your tanh'(c_t) applies tanh again: cache['tanh_c'] already holds tanh(c_t), so the derivative is "
                         "1 - tanh_c**2, not 1 - tanh(tanh_c)**2."),
    "tanh_of_g": N_("Your derivative of the candidate applies tanh again: the cache holds g = tanh(a_g), so it is 1 - g**2, "
                    "not 1 - tanh(g)**2."),
    "tanh_c_of_c": N_("Your tanh'(c_t) is computed on the wrong value: you used 1 - c_t**2, but the derivative of "
                      "tanh(c_t) is 1 - tanh(c_t)**2 (cache['tanh_c'] holds tanh(c_t))."),
    "tanh_c_of_c_prev": N_("Your tanh'(c_t) is computed on the wrong value: you used c_(t-1); h_t = o * tanh(c_t) "
                           "reads the *new* cell state, so the derivative is 1 - tanh(c_t)**2."),
    "tanh_c_of_h": N_("Your tanh'(c_t) is computed on the wrong value: you used 1 - h_t**2, but h_t = o * tanh(c_t) "
                      "is not tanh(c_t); the derivative is 1 - tanh(c_t)**2."),
    "tanh_c_no_square": N_("Your tanh'(c_t) is 1 - tanh(c_t); the derivative of tanh is 1 - tanh(c_t)**2 (squared)."),
    "dc_not_through_f": N_("Your dc_prev is not passed back through the forget gate: c_t = f * c_(t-1) + i * g, "
                           "so dc_prev = (total dc_t) * f."),
    "dc_prev_missing_dh": N_("Your dc_prev forgets the gradient that reaches c_t through h_t: the total gradient of "
                             "c_t is dc + dh * o * (1 - tanh(c_t)**2), and dc_prev is that times f."),
    "no_dh_into_c": N_("Your gradient of c_t leaves out what arrives through h_t = o * tanh(c_t): add "
                       "dh * o * (1 - tanh(c_t)**2) to the incoming dc before using it."),
    "ignores_dc": N_("You ignore the incoming dc (the gradient from step t+1 through c_(t+1) = f * c_t + ...): "
                     "the total gradient of c_t is dc + dh * o * (1 - tanh(c_t)**2)."),
    "do_uses_c": N_("Your d o uses c_t; h_t = o * tanh(c_t), so d o = dh * tanh(c_t)."),
    "df_uses_c": N_("Your d f uses the new c_t; c_t = f * c_(t-1) + i * g, so d f = dc_t * c_(t-1)."),
    "di_dg_swapped": N_("Your d i and d g are swapped: c_t = f * c_(t-1) + i * g gives d i = dc_t * g and d g = dc_t * i."),
    "tanh_g_as_sigmoid": N_("Your derivative of the candidate uses the sigmoid's g * (1 - g); g = tanh(a_g), so "
                            "its derivative is 1 - g**2."),
    "tanh_g_no_square": N_("Your derivative of the candidate is 1 - g; for g = tanh(a_g) it is 1 - g**2 (squared)."),
    "order_ifog": N_("Your da stacks the gate blocks in the order i, f, o, g; the 4H columns are i, f, g, o."),
    "db_mean": N_("Your db averages over the batch; the loss sums over the batch, so db = da.sum(axis=0)."),
    "dx_dh_swapped_weights": N_("Your dx and dh_prev use the wrong matrices: dx = da @ Wx.T and dh_prev = da @ Wh.T."),
}


def step_backward_variant(dh, dc, cache, mistake: str | None = None):
    """lstm_step_backward as written correctly (mistake None) or with one known mistake (STEP_MISTAKES key).

    Returns (dx, dh_prev, dc_prev, dWx, dWh, db), computed in float64.
    """
    k = {key: np.asarray(v, dtype=np.float64) for key, v in cache.items()}
    dh, dc = np.asarray(dh, np.float64), np.asarray(dc, np.float64)
    x, h_prev, c_prev, Wx, Wh = k["x"], k["h_prev"], k["c_prev"], k["Wx"], k["Wh"]
    i, f, g, o, c, tc = k["i"], k["f"], k["g"], k["o"], k["c"], k["tanh_c"]
    dsig = {"sigmoid_prime_s": lambda s: s,
            "sigmoid_of_s": lambda s: sigmoid(s) * (1 - sigmoid(s))}.get(mistake, lambda s: s * (1 - s))
    tanh_prime_c = {"tanh_c_of_c": 1 - c * c, "tanh_c_of_c_prev": 1 - np.tanh(c_prev) ** 2,
                    "tanh_c_of_h": 1 - (o * tc) ** 2, "tanh_c_no_square": 1 - tc,
                    "tanh_of_tanh_c": 1 - np.tanh(tc) ** 2}.get(mistake, 1 - tc * tc)
    do = dh * (c if mistake == "do_uses_c" else tc)
    from_h = 0.0 if mistake == "no_dh_into_c" else dh * o * tanh_prime_c
    dct = (0.0 if mistake == "ignores_dc" else dc) + from_h
    di, dg = (dct * i, dct * g) if mistake == "di_dg_swapped" else (dct * g, dct * i)
    df = dct * (c if mistake == "df_uses_c" else c_prev)
    if mistake == "dc_not_through_f":
        dc_prev = dct
    elif mistake == "dc_prev_missing_dh":
        dc_prev = dc * f
    else:
        dc_prev = dct * f
    g_prime = {"tanh_g_as_sigmoid": g * (1 - g), "tanh_g_no_square": 1 - g,
               "tanh_of_g": 1 - np.tanh(g) ** 2}.get(mistake, 1 - g * g)
    blocks = [di * dsig(i), df * dsig(f), dg * g_prime, do * dsig(o)]
    if mistake == "order_ifog":
        blocks = [blocks[0], blocks[1], blocks[3], blocks[2]]
    da = np.concatenate(blocks, axis=1)
    if mistake == "dx_dh_swapped_weights":
        dx, dh_prev = da @ Wh.T, da @ Wx.T
    else:
        dx, dh_prev = da @ Wx.T, da @ Wh.T
    db = da.mean(axis=0) if mistake == "db_mean" else da.sum(axis=0)
    return dx, dh_prev, dc_prev, x.T @ da, h_prev.T @ da, db


# {mistake: its diagnosis}, shown with _(SEQ_MISTAKES[mistake]).
SEQ_MISTAKES = {
    "no_dh_next": N_("You did not add the gradient arriving from the next step: h_t feeds both the output and step t+1, "
                     "so the dh you pass to step t is dHs[:, t] + dh_prev returned by step t+1."),
    "overwrite": N_("Your weight gradients are overwritten at every step instead of accumulated: Wx, Wh and b are "
                    "shared by all steps, so dWx, dWh and db are sums over t (dWx += ..., starting from zeros)."),
    "no_dc_carry": N_("You do not carry dc back in time: pass the dc_prev returned by step t+1 as the dc of step t "
                      "(starting from zeros at the last step)."),
    "forward_order": N_("You run the backward pass forwards in time: gradients flow from the last step to the first, "
                        "so loop t = T-1, T-2, ..., 0."),
    "dh0_total": N_("Your dh0 is the gradient w.r.t. h at step 0's output, not w.r.t. the initial state h0: return the "
                    "dh_prev that step 0's backward returns."),
    "only_last_output": N_("You only use dHs[:, T-1]: every step's output contributes to the loss, so add dHs[:, t] at "
                           "every step t."),
    "skips_step_0": N_("Your loop stops before step 0 (range(T - 1, 0, -1) ends at 1): run t = T-1, ..., 0, so that "
                       "dX[:, 0], dh0, dc0 and step 0's share of the weight gradients are computed."),
    "dX_reversed": N_("Your dX is in reversed time order: store step t's dx at dX[:, t] (the loop runs backwards, the "
                      "positions do not)."),
    "last_twice": N_("You count the last output's gradient twice: start dh_next at zeros; dHs[:, T-1] is added inside "
                     "the loop."),
}


def sequence_backward_variant(dHs, cache, mistake: str | None = None):
    """lstm_backward over the list of step caches, correct (None) or with one SEQ_MISTAKES mistake.

    Returns (dX (B, T, D), dh0, dc0, dWx, dWh, db) in float64.
    """
    dHs = np.asarray(dHs, np.float64)
    B, T, H = dHs.shape
    D = cache[0]["x"].shape[1]
    dX = np.zeros((B, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
    order = {"forward_order": range(T), "skips_step_0": range(T - 1, 0, -1)}.get(mistake, range(T - 1, -1, -1))
    if mistake == "last_twice":
        dh_next = dHs[:, T - 1].copy()
    total = None
    for t in order:
        if mistake == "no_dh_next":
            dh = dHs[:, t]
        elif mistake == "only_last_output":
            dh = dh_next + (dHs[:, t] if t == T - 1 else 0.0)
        else:
            dh = dHs[:, t] + dh_next
        total = dh
        dx, dh_next, dc_new, dWx_t, dWh_t, db_t = step_backward_variant(dh, dc_next, cache[t])
        dc_next = np.zeros_like(dc_new) if mistake == "no_dc_carry" else dc_new
        dX[:, T - 1 - t if mistake == "dX_reversed" else t] = dx
        if mistake == "overwrite":
            dWx, dWh, db = dWx_t, dWh_t, db_t
        else:
            dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    dh0 = total if mistake == "dh0_total" else dh_next
    return dX, dh0, dc_next, dWx, dWh, db


# --- torch autograd on copied weights ------------------------------------------------------------

def torch_grads(params, X, h0, c0, dHs, dhT=None, dcT=None):
    """Every gradient of L = sum(Hs * dHs) + sum(h_T * dhT) + sum(c_T * dcT) from torch.nn.LSTM autograd (float64).

    Returns (dX (B, T, D), dh0, dc0, dWx (D, 4H), dWh (H, 4H), db (4H,)) as float64 numpy arrays.
    """
    import torch

    from lstmlab.bridge import lstm_as_torch

    p64 = ref.LSTMParams(*(np.asarray(a, np.float64) for a in params))
    lstm = lstm_as_torch(p64, dtype=torch.float64)
    t = lambda a: torch.tensor(np.asarray(a, np.float64))
    Xt, h0t, c0t = t(X).requires_grad_(), t(h0)[None].requires_grad_(), t(c0)[None].requires_grad_()
    out, (hn, cn) = lstm(Xt, (h0t, c0t))
    loss = (out * t(dHs)).sum()
    if dhT is not None:
        loss = loss + (hn[0] * t(dhT)).sum()
    if dcT is not None:
        loss = loss + (cn[0] * t(dcT)).sum()
    loss.backward()
    grads = (Xt.grad, h0t.grad[0], c0t.grad[0], lstm.weight_ih_l0.grad.T, lstm.weight_hh_l0.grad.T, lstm.bias_ih_l0.grad)
    return tuple(g.detach().numpy().copy() for g in grads)


def fd_step_grads(x, h_prev, c_prev, params, dh, dc):
    """Finite-difference (float64) gradients of sum(h * dh) + sum(c * dc) after one step, w.r.t. every input."""
    arrays = [np.array(a, np.float64) for a in (x, h_prev, c_prev, *params)]

    def loss():
        h, c, _cache = step_forward(*arrays)
        return float(np.sum(h * dh) + np.sum(c * dc))

    return tuple(gradcheck.numerical_gradient(loss, a) for a in arrays)


# --- helpers -----------------------------------------------------------------------------------

def _block_hint(got_db, want_db, rtol, atol) -> str:
    """Name the gate blocks of db (= da summed over the batch) that are wrong."""
    got = np.asarray(got_db, dtype=float) if np.shape(got_db) == np.shape(want_db) else None
    if got is None:
        return ""
    H = want_db.shape[0] // 4
    bad = [name for name, s in ref.gate_slices(H).items() if not np.allclose(got[s], want_db[s], rtol=rtol, atol=atol)]
    if not bad:
        return ""
    # TRANSLATORS: the separator of a list of gates ("input gate i, output gate o").
    sep = _(", ")
    gates = sep.join(_(GATE_WORDS[name]) for name in bad)
    names = ", ".join("d" + name for name in bad)
    if len(bad) == 1:
        return _("The wrong blocks of db (the gradient of the pre-activations, summed over the batch) are those of "
                 "the {gates}: look at {names} and the derivative of its activation.").format(gates=gates, names=names)
    return _("The wrong blocks of db (the gradient of the pre-activations, summed over the batch) are those of "
             "the {gates}: look at {names} and the derivative of each activation.").format(gates=gates, names=names)


def _step_case(B, D, H, seed, dtype):
    X, h0, c0 = lstm_inputs(B, 1, D, H, seed=seed, dtype=dtype)
    params = lstm_params(D, H, seed=seed + 100, dtype=dtype, scale=0.8)
    r = rng(seed + 300)
    dh = r.standard_normal((B, H)).astype(dtype)
    dc = r.standard_normal((B, H)).astype(dtype)
    return X[:, 0], h0, c0, params, dh, dc


def _compare_step(got, want, cache, dh, dc, rtol, atol, where):
    """Compare the six step gradients, most informative first (db, dc_prev, ...), naming known mistakes.

    where: the name of a gradient -> how the messages call it in this case ("dx (compared with ...)").
    """
    assert_order("lstm_step_backward", got, want, STEP_OUTPUTS, rtol=rtol, atol=atol)
    for k, name in enumerate(STEP_OUTPUTS):
        assert_ndarray(_of("lstm_step_backward", name), got[k])
    variants = {m: step_backward_variant(dh, dc, cache, m) for m in STEP_MISTAKES}
    right = step_backward_variant(dh, dc, cache)
    shape_mistakes = {
        "dWx": {_("Your dWx is transposed: dWx = x.T @ da has the shape of Wx, (D, 4H)."): right[3].T},
        "dWh": {_("Your dWh is transposed: dWh = h_prev.T @ da has the shape of Wh, (H, 4H)."): right[4].T},
    }
    for k in (5, 2, 3, 4, 0, 1):
        name = STEP_OUTPUTS[k]
        mistakes = {_(STEP_MISTAKES[m]): v[k] for m, v in variants.items()}
        mistakes.update(shape_mistakes.get(name, {}))
        if name == "db" and np.ndim(got[5]) == 2:
            raise CheckFailed(_("Your db has shape {shape}; b has shape (4H,): sum the pre-activation gradient "
                                "over the batch, db = da.sum(axis=0), without keepdims.").format(shape=np.shape(got[5])))
        hint = _block_hint(got[5], want[5], rtol, atol) if name != "dc_prev" else ""
        assert_close(where(name), got[k], want[k], rtol=rtol, atol=atol, mistakes=mistakes, hint=hint)


# --- exercise 1: the finite-difference checker ---------------------------------------------------

def _fd_variants(f, x, h):
    """What a central, forward, backward difference and typical slips of the central one return (x restored)."""
    fp, fm, f0 = np.zeros(x.shape), np.zeros(x.shape), float(f())
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        fp[idx] = f()
        x[idx] = old - h
        fm[idx] = f()
        x[idx] = old
    central = (fp - fm) / (2 * h)
    out = {"central": central, "forward": (fp - f0) / h, "backward": (f0 - fm) / h, "over_h": (fp - fm) / h,
           "half_forward": (fp - f0) / (2 * h), "precedence": (fp - fm) / 2 * h}
    if x.ndim >= 2:
        # A loop over x.shape[0] that moves a whole row x[i] at once.
        rows = np.zeros(x.shape)
        for i in range(x.shape[0]):
            old = x[i].copy()
            x[i] = old + h
            up = f()
            x[i] = old - h
            down = f()
            x[i] = old
            rows[i] = (up - down) / (2 * h)
        out["rows"] = rows
    return out


def _fd_cases(hidden: bool):
    """(description, x, f, expected gradient, h) for the finite-difference checker; descriptions shown with _()."""
    cases = []
    r = rng(50)
    h = 1e-5
    x1 = r.uniform(-1.5, 1.5, (3, 4))
    cases.append((N_("f = sum(x**3) / 3 on a (3, 4) array"), x1, lambda x=x1: float(np.sum(x ** 3) / 3), x1 ** 2, h))
    x2, w2 = r.uniform(-2, 2, (5,)), r.standard_normal(5)
    cases.append((N_("f = sum(sin(x) * w) on a (5,) vector"), x2, lambda x=x2, w=w2: float(np.sum(np.sin(x) * w)),
                  np.cos(x2) * w2, h))
    # The LSTM: a loss of the weights Wx, compared with the reference backward pass.
    X, h0, c0 = lstm_inputs(2, 3, 3, 2, seed=51)
    params = lstm_params(3, 2, seed=52, scale=0.8)
    dHs = rng(53).standard_normal((2, 3, 2))
    Wx = params.Wx.copy()
    loss = lambda: float(np.sum(forward(X, h0, c0, Wx, params.Wh, params.b)[0] * dHs))
    _hs, _final, cache = ref.lstm_forward(X, h0, c0, *params)
    cases.append((N_("the LSTM loss sum(Hs * dHs) as a function of Wx (3, 8)"), Wx, loss, ref.lstm_backward(dHs, cache)[3], h))
    if hidden:
        x3, w3 = r.uniform(-1, 1, (2, 3, 2)), r.standard_normal((2, 3, 2))
        cases.append((N_("f = sum(exp(x) * w) on a (2, 3, 2) array"), x3, lambda x=x3, w=w3: float(np.sum(np.exp(x) * w)),
                      np.exp(x3) * w3, h))
        b = params.b.copy()
        loss_b = lambda: float(np.sum(forward(X, h0, c0, params.Wx, params.Wh, b)[0] * dHs))
        cases.append((N_("the LSTM loss as a function of b (8,)"), b, loss_b, ref.lstm_backward(dHs, cache)[5], h))
        h0v = h0.copy()
        loss_h = lambda: float(np.sum(forward(X, h0v, c0, *params)[0] * dHs))
        cases.append((N_("the LSTM loss as a function of h0 (2, 2)"), h0v, loss_h, ref.lstm_backward(dHs, cache)[1], h))
        x4 = np.array([0.7])
        cases.append((N_("f = x**4 on a (1,) array"), x4, lambda x=x4: float(x[0] ** 4), 4 * x4 ** 3, h))
        # The step h it is given: with h = 0.05 the central difference of sum(x**3)/3 is x**2 + h**2 / 3, not x**2.
        x5 = r.uniform(-1.5, 1.5, (2, 3))
        cases.append((N_("f = sum(x**3) / 3 with the step h = 0.05 you were given (the central difference there "
                         "is x**2 + h**2/3)"), x5, lambda x=x5: float(np.sum(x ** 3) / 3), x5 ** 2 + 0.05 ** 2 / 3, 0.05))
    return cases


FD_ARGS = ("f", "x", "h")


def check_numerical_gradient(numerical_gradient, hidden: bool = False) -> None:
    """numerical_gradient(f, x, h=1e-5) -> array shaped like x: central differences of f() w.r.t. x."""
    rtol, atol = 1e-6, 1e-8
    for desc, x, f, exact, h in _fd_cases(hidden):
        x0 = x.copy()
        variants = _fd_variants(f, x, h)
        if not np.array_equal(x, x0):
            raise RuntimeError("internal: _fd_variants changed x")
        # x is meant to be perturbed in place (f reads it), and restored: checked below.
        got = call_student("numerical_gradient", numerical_gradient, f, x, h, names=FD_ARGS, may_change=("x",),
                           hidden=hidden and desc.startswith("f = sum(x**3) / 3 on a (3, 4)"),
                           ready_made=reference_functions(gradcheck))
        if got is None:
            raise CheckFailed(_("numerical_gradient returned None: did you forget to `return` the gradient?"))
        if not np.allclose(x, x0, rtol=0, atol=1e-12):
            raise CheckFailed(_("numerical_gradient left x changed ({case}): after probing x[idx] + h and x[idx] - h, "
                                "put back the old value, x[idx] = old, before moving to the next entry.").format(
                case=_(desc)))
        arr = assert_ndarray(_("your numerical gradient"), got)
        if arr.shape != x.shape and arr.size == x.size:
            raise CheckFailed(_("Your numerical gradient has shape {shape}; return it in the shape of x, {x_shape} "
                                "(grad = np.zeros_like(x), then grad[idx] = ...).").format(shape=arr.shape,
                                                                                          x_shape=x.shape))
        if arr.dtype != np.float64:
            raise CheckFailed(_("Your numerical gradient is {dtype}; x is float64 and a gradient checker needs all of "
                                "its digits: build it as float64 (np.zeros(x.shape) or np.zeros_like(x)).").format(
                dtype=arr.dtype))
        if arr.shape == x.shape and not np.any(arr):
            raise CheckFailed(_("Your gradient is zero: f() never saw your perturbation. Change x itself, in place "
                                "(x[idx] = old + h); a copy of x is a different array, which f does not read."))
        mistakes = {
            _("Your gradient is multiplied by h**2 instead of divided by 2h: (f_plus - f_minus) / 2 * h means "
              "((f_plus - f_minus) / 2) * h in Python; write (f_plus - f_minus) / (2 * h)."): variants["precedence"],
            _("You used a one-sided difference (f(x+h) - f(x)) / h: its error is O(h), here about 1e-5 relative, "
              "against O(h**2) for the central difference (f(x+h) - f(x-h)) / (2h). Use the central one."):
                variants["forward"],
            _("You used a one-sided difference (f(x) - f(x-h)) / h: its error is O(h). Use the central difference "
              "(f(x+h) - f(x-h)) / (2h)."): variants["backward"],
            _("Your gradient is twice too large: the central difference spans from x-h to x+h, a distance of 2h, "
              "so divide by 2h, not h."): variants["over_h"],
            _("Your second probe is at x, not at x - h: after x[idx] = old + h, set x[idx] = old - h (not back to old) "
              "before the second f(), then divide by 2h."): variants["half_forward"],
            _("Your gradient has the wrong sign: (f(x+h) - f(x-h)) / (2h), the value at x+h first."):
                -variants["central"],
        }
        if "rows" in variants:
            mistakes[_("Your loop moves a whole row x[i] at once: for a 2-D x, x[i] is a row. Perturb one entry at a "
                       "time, for idx in np.ndindex(x.shape).")] = variants["rows"]
        if h != 1e-5:
            probe = _fd_variants(f, x, 1e-5)["central"]
            mistakes[_("Your numerical_gradient ignores the step h it is given: called with h = {h} it returned the "
                       "central difference for h = 1e-5. Use the argument h.").format(h=h)] = probe
        assert_close(_("numerical gradient of {case}").format(case=_(desc)), arr, exact, rtol=rtol, atol=atol,
                     mistakes=mistakes,
                     hint=_("Probe one entry at a time: x[idx] = old + h, f(), x[idx] = old - h, f(), x[idx] = old."))
    if hidden:
        # The default step must be a sensible one too.
        desc, x, f, exact, _h = _fd_cases(False)[0]
        got = call_student("numerical_gradient", numerical_gradient, f, x, names=FD_ARGS, may_change=("x",))
        assert_close(_("numerical gradient of {case} with your default h").format(case=_(desc)), got, exact,
                     rtol=1e-5, atol=1e-7,
                     hint=_("Choose a default step around 1e-5 for float64: much larger adds truncation error, much "
                            "smaller adds rounding error."))
    passed(_("numerical_gradient agrees with the exact gradients (hidden cases too)") if hidden else
           _("numerical_gradient agrees with the exact gradients"))


# --- exercise 2: one step backward -------------------------------------------------------------

STEP_VISIBLE = [(2, 3, 4, 0, np.float64)]
STEP_HIDDEN = [(1, 5, 5, 11, np.float64), (3, 4, 2, 12, np.float32), (4, 2, 6, 13, np.float64)]
STEP_ARGS = ("dh", "dc", "cache")
STEP_HINT = N_("the caller still needs it. Compute new arrays instead (e.g. dc_total = dc + ..., not dc += ...).")


def check_step_backward(lstm_step_backward, hidden: bool = False) -> None:
    """lstm_step_backward(dh (B,H), dc (B,H), cache) -> (dx, dh_prev, dc_prev, dWx, dWh, db)."""
    for case, (B, D, H, seed, dtype) in enumerate(STEP_VISIBLE + (STEP_HIDDEN if hidden else [])):
        x, h0, c0, params, dh, dc = _step_case(B, D, H, seed, dtype)
        _h, _c, cache = step_forward(x, h0, c0, *params)
        got = call_student("lstm_step_backward", lstm_step_backward, dh, dc, cache, hidden=hidden, names=STEP_ARGS,
                           ready_made=_ready_made_backward(), mutation_hint=_(STEP_HINT))
        got = unpack("lstm_step_backward", got, 6, "(dx, dh_prev, dc_prev, dWx, dWh, db)")
        rtol, atol = tolerances(x)
        where = lambda name: _("{value} (compared with torch autograd; case B={B}, D={D}, H={H}, {dtype})").format(
            value=name, B=B, D=D, H=H, dtype=np.dtype(dtype).name)
        want = torch_grads(params, x[:, None], h0, c0, np.zeros((B, 1, H)), dhT=dh, dcT=dc)
        want = (want[0][:, 0], *want[1:])
        _compare_step(got, want, cache, dh, dc, rtol, atol, where)
        if case == 0:
            # The same gradients from float64 finite differences (no torch involved).
            fd = fd_step_grads(x, h0, c0, params, dh, dc)
            for k, name in enumerate(STEP_OUTPUTS):
                assert_close(_("{value} (compared with finite differences)").format(value=name), got[k], fd[k],
                             rtol=1e-6, atol=1e-8)
    if hidden:
        # Closed form: zero weights, f = 1, i = 0, o = 1 (saturated). The cell is copied, c_t = c_(t-1),
        # and the gradient passes the carousel unchanged: dc_prev = dc + dh * (1 - tanh(c_(t-1))**2).
        B, D, H = 3, 2, 4
        x, h0, c0, _params, dh, dc = _step_case(B, D, H, 21, np.float64)
        b = np.zeros(4 * H)
        b[:H], b[H:2 * H], b[3 * H:] = -50.0, 50.0, 50.0
        _h, _c, cache = step_forward(x, h0, c0, np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), b)
        got = call_student("lstm_step_backward", lstm_step_backward, dh, dc, cache, names=STEP_ARGS,
                           mutation_hint=_(STEP_HINT))
        got = unpack("lstm_step_backward", got, 6, "(dx, dh_prev, dc_prev, dWx, dWh, db)")
        exact = (np.zeros((B, D)), np.zeros((B, H)), dc + dh * (1 - np.tanh(c0) ** 2),
                 np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H))
        where = lambda name: _("{value} with f = 1, i = 0, o = 1 (the cell state is copied unchanged)").format(value=name)
        _compare_step(got, exact, cache, dh, dc, 1e-9, 1e-12, where)
    passed(_("lstm_step_backward matches torch autograd and finite differences (hidden cases too)") if hidden else
           _("lstm_step_backward matches torch autograd and finite differences"))


# --- exercise 3: backprop through the whole sequence --------------------------------------------

SEQ_VISIBLE = [(2, 5, 3, 4, 0, np.float64)]
SEQ_HIDDEN = [(1, 7, 4, 4, 41, np.float64), (3, 3, 2, 5, 42, np.float32), (4, 4, 3, 2, 43, np.float64),
              (2, 1, 3, 2, 45, np.float64)]   # T = 1: the first step is the last


def _seq_case(B, T, D, H, seed, dtype):
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=seed, dtype=dtype)
    params = lstm_params(D, H, seed=seed + 1, dtype=dtype, scale=0.8)
    dHs = rng(seed + 2).standard_normal((B, T, H)).astype(dtype)
    return X, h0, c0, params, dHs


SEQ_ARGS = ("dHs", "cache")
SEQ_HINT = N_("the caller still needs it. Compute new arrays instead (e.g. dh = dHs[:, t] + dh_next, not "
              "`dh = dHs[:, t]; dh += dh_next`, which writes into dHs).")


def _compare_seq(got, want, dHs, cache, rtol, atol, where):
    """where: the name of a gradient -> how the messages call it in this case."""
    assert_order("lstm_backward", got, want, SEQ_OUTPUTS, rtol=rtol, atol=atol)
    for k, name in enumerate(SEQ_OUTPUTS):
        assert_ndarray(_of("lstm_backward", name), got[k])
    variants = {m: sequence_backward_variant(dHs, cache, m) for m in SEQ_MISTAKES}
    for k, name in enumerate(SEQ_OUTPUTS):
        mistakes = {_(SEQ_MISTAKES[m]): v[k] for m, v in variants.items()}
        if name == "dX":
            mistakes[_("Your dX is time-major (T, B, D); the course is batch-first: dX[:, t] is the gradient of x_t.")] = \
                want[0].transpose(1, 0, 2)
        assert_close(where(name), got[k], want[k], rtol=rtol, atol=atol, mistakes=mistakes,
                     hint=_("Check lstm_step_backward first; then the loop."))


def check_backward(lstm_backward, hidden: bool = False) -> None:
    """lstm_backward(dHs (B,T,H), cache) -> (dX (B,T,D), dh0, dc0, dWx, dWh, db)."""
    for case, (B, T, D, H, seed, dtype) in enumerate(SEQ_VISIBLE + (SEQ_HIDDEN if hidden else [])):
        X, h0, c0, params, dHs = _seq_case(B, T, D, H, seed, dtype)
        _hs, _final, cache = forward(X, h0, c0, *params)
        got = call_student("lstm_backward", lstm_backward, dHs, cache, hidden=hidden, names=SEQ_ARGS,
                           ready_made=_ready_made_backward(), mutation_hint=_(SEQ_HINT))
        got = unpack("lstm_backward", got, 6, "(dX, dh0, dc0, dWx, dWh, db)")
        rtol, atol = tolerances(X)
        want = torch_grads(params, X, h0, c0, dHs)
        where = lambda name: _("{value} (compared with torch autograd; case B={B}, T={T}, D={D}, H={H}, {dtype})").format(
            value=name, B=B, T=T, D=D, H=H, dtype=np.dtype(dtype).name)
        _compare_seq(got, want, dHs, cache, rtol, atol, where)
        if case == 0:
            arrays = [np.array(a, np.float64) for a in (X, h0, c0, *params)]
            loss = lambda: float(np.sum(forward(*arrays)[0] * dHs))
            for k, name in enumerate(SEQ_OUTPUTS):
                fd = gradcheck.numerical_gradient(loss, arrays[k])
                assert_close(_("{value} (compared with finite differences)").format(value=name), got[k], fd,
                             rtol=1e-6, atol=1e-8)
    if hidden:
        # Closed form: zero weights, f = 1, i = 0, o = 1. Every h_t = tanh(c0), and the gradient of every
        # output reaches c0 undiminished through the carousel: dc0 = sum_t dHs[:, t] * (1 - tanh(c0)**2).
        B, T, D, H = 2, 6, 3, 4
        X, h0, c0, _params, dHs = _seq_case(B, T, D, H, 44, np.float64)
        b = np.zeros(4 * H)
        b[:H], b[H:2 * H], b[3 * H:] = -50.0, 50.0, 50.0
        _hs, _final, cache = forward(X, h0, c0, np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), b)
        got = call_student("lstm_backward", lstm_backward, dHs, cache, names=SEQ_ARGS, mutation_hint=_(SEQ_HINT))
        got = unpack("lstm_backward", got, 6, "(dX, dh0, dc0, dWx, dWh, db)")
        exact = (np.zeros((B, T, D)), np.zeros((B, H)), dHs.sum(axis=1) * (1 - np.tanh(c0) ** 2),
                 np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H))
        where = lambda name: _("{value} with f = 1, i = 0, o = 1 (the constant error carousel)").format(value=name)
        _compare_seq(got, exact, dHs, cache, 1e-9, 1e-12, where)
    passed(_("lstm_backward matches torch autograd over the whole sequence (hidden cases too)") if hidden else
           _("lstm_backward matches torch autograd over the whole sequence"))


# A student's exception out of any check_* shows the student's frames only (lstmlab.checking.harness).
student_facing(globals())
