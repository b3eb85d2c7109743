"""Checks for lesson 03 (the GRU), with diagnoses of the common mistakes.

Each check_* takes the student's function, runs it on seeded cases and compares with an
independent reference: torch.nn.GRU on copied weights for PyTorch's convention, the chapter's
§4.2 equations written literally (weights acting on [h_{t-1}, x_t]) for the chapter's. When
the output is wrong, it is compared with what each typical mistake produces, and the message
names that mistake. `hidden=True` adds held-back cases: other sizes, D == H, float32, a batch
of one, saturated gates with a closed-form answer, pre-activations far beyond the range where a naive exp
overflows (|a| > 710 in float64, > 90 in float32, in rows of very different scales), and the from-scratch rule (torch.nn.GRU and
lstmlab.gru's reference count as ready-made). Every call of a student's function goes through
lstmlab.checking.call_student (inputs copied and compared, warnings never decide).
"""
from __future__ import annotations

import numpy as np

from lstmlab import bridge
from lstmlab import gru as ref
from lstmlab.fixtures import lstm_inputs, sequence_cases
from lstmlab.i18n import N_, _
from lstmlab.lstm import sigmoid
from lstmlab.checking import (CheckFailed, assert_ndarray, as_array, assert_close, assert_int, call_student, student_facing, matches, passed, reference_functions,
                              tolerances, unpack)

# (B, D, H, seed, dtype): visible case first, held-back cases after. seed 1 of the second case gives D == H.
VISIBLE = [(2, 3, 4, 0, np.float64)]
HIDDEN = [(1, 5, 5, 11, np.float64), (3, 4, 2, 12, np.float32), (4, 2, 6, 13, np.float64)]

LAYOUT = N_("The 3H columns of Wx, Wh, bx and bh are ordered r, z, n (torch's order; Keras stores z, r, h): "
          "r uses columns 0:H, z uses H:2H, the candidate n uses 2H:3H.")


def _cases(hidden: bool):
    return VISIBLE + HIDDEN if hidden else VISIBLE


EXTREME = {np.float64: 2000.0, np.float32: 300.0}
OVERFLOW = {np.float64: 710.0, np.float32: 90.0}


def _extreme_case(dtype):
    """(x, h_prev, params) of a step whose input pre-activations pass OVERFLOW[dtype] in every block, both signs."""
    x, h, params = _step_case(3, 3, 4, 21, np.float64)
    x = np.stack([x[0], EXTREME[dtype] * x[1], -EXTREME[dtype] * x[1]])
    return x.astype(dtype), h.astype(dtype), ref.GRUParams(*(p.astype(dtype) for p in params))


def _f64(*arrays):
    return tuple(np.asarray(a, np.float64) for a in arrays)


STEP_ARGS = ("x", "h_prev", "Wx", "Wh", "bx", "bh")
FORWARD_ARGS = ("X", "h0", "Wx", "Wh", "bx", "bh")
READY_MADE = reference_functions(ref)   # guard targets beyond torch's and the LSTM reference: lstmlab.gru's GRU


def _step_case(B, D, H, seed, dtype):
    X, h0, _c0 = lstm_inputs(B, 1, D, H, seed=seed, dtype=dtype)
    return X[:, 0], h0, ref.gru_params(D, H, seed=seed + 100, dtype=dtype, scale=0.8)


# --- a GRU step with every knob a mistake can turn -----------------------------------------

def variant(x, h, Wx, Wh, bx, bh, *, reset="before", mix="chapter", swap_rz=False, gate_act=sigmoid,
            cand_act=np.tanh, drop_bh=False, drop_bhn=False, drop_bias=False, candidate_only=False):
    """One GRU step, correct or deliberately wrong, to tell mistakes apart.

    reset: "before" (r * h, then the product: the chapter / Cho), "after" (r * (h Wh_n + b_hn): torch),
           "after_bias_outside" (r * (h Wh_n), b_hn added outside), "none", "whole" (r scales the
           whole pre-activation), "outside_tanh" (r * tanh(...)), "input" (r scales the input part x Wx_n + bx_n).
    mix:   "chapter": (1 - z) * h + z * n;  "cho": z * h + (1 - z) * n (torch's and Cho's).
    """
    H = h.shape[1]
    sl = ref.gate_slices(H)
    if drop_bias:
        bx, bh = np.zeros_like(bx), np.zeros_like(bh)
    if drop_bh:
        bh = np.zeros_like(bh)
    bhn = np.zeros(H, dtype=bh.dtype) if drop_bhn else bh[sl["n"]]
    rs, zs = (sl["z"], sl["r"]) if swap_rz else (sl["r"], sl["z"])
    r = gate_act(x @ Wx[:, rs] + bx[rs] + h @ Wh[:, rs] + bh[rs])
    z = gate_act(x @ Wx[:, zs] + bx[zs] + h @ Wh[:, zs] + bh[zs])
    xn = x @ Wx[:, sl["n"]] + bx[sl["n"]]
    Wn = Wh[:, sl["n"]]
    if reset == "before":
        n = cand_act(xn + (r * h) @ Wn + bhn)
    elif reset == "after":
        n = cand_act(xn + r * (h @ Wn + bhn))
    elif reset == "after_bias_outside":
        n = cand_act(xn + r * (h @ Wn) + bhn)
    elif reset == "none":
        n = cand_act(xn + h @ Wn + bhn)
    elif reset == "whole":
        n = cand_act(r * (xn + h @ Wn + bhn))
    elif reset == "outside_tanh":
        n = r * cand_act(xn + h @ Wn + bhn)
    elif reset == "input":
        n = cand_act(r * xn + h @ Wn + bhn)
    else:
        raise ValueError(reset)
    if candidate_only:
        return n
    return (1 - z) * h + z * n if mix == "chapter" else z * h + (1 - z) * n


def _common_mistakes(args, own: dict, name: str) -> dict[str, np.ndarray]:
    """Mistakes shared by both conventions; `own` holds this convention's reset/mix settings."""
    x, h, Wx, Wh, bx, bh = args
    out = {
        _("Your reset gate r and update gate z are swapped. {layout}").format(layout=_(LAYOUT)):
            variant(*args, **own, swap_rz=True),
        _("Your candidate ignores the reset gate: r_t must scale the previous state's contribution to the candidate."):
            variant(*args, **{**own, "reset": "none"}),
        _("Your reset gate scales the whole candidate pre-activation, input part included; it only acts on the "
          "h_(t-1) part."): variant(*args, **{**own, "reset": "whole"}),
        _("Your reset gate multiplies the candidate after the tanh; it acts inside, on the h_(t-1) part."):
            variant(*args, **{**own, "reset": "outside_tanh"}),
        _("Your reset gate multiplies the input part x Wx_n + bx_n of the candidate; it acts on the h_(t-1) part."):
            variant(*args, **{**own, "reset": "input"}),
        _("Your gates use tanh; r and z use the sigmoid, so they lie in (0, 1)."): variant(*args, **own, gate_act=np.tanh),
        _("Your candidate uses the sigmoid; it uses tanh, so it lies in (-1, 1)."): variant(*args, **own, cand_act=sigmoid),
        _("Your step leaves out the recurrent bias bh (torch's bias_hh): add bh's block to each pre-activation."):
            variant(*args, **own, drop_bh=True),
        _("Your step leaves out the biases bx and bh."): variant(*args, **own, drop_bias=True),
        _("{name} returned the candidate n_t (the chapter's h~_t), not the new state h_t: mix it with h_(t-1) "
          "through the update gate.").format(name=name): variant(*args, **own, candidate_only=True),
    }
    if Wx.shape[0] == Wh.shape[0]:
        out[_("Your step multiplies x_t by Wh and h_(t-1) by Wx: x_t goes with Wx, h_(t-1) with Wh.")] = \
            variant(x, h, Wh, Wx, bx, bh, **own)
    return out


def chapter_mistakes(x, h, Wx, Wh, bx, bh) -> dict[str, np.ndarray]:
    """What gru_step_chapter returns under each typical mistake -> the message naming it."""
    args = (x, h, Wx, Wh, bx, bh)
    own = dict(reset="before", mix="chapter")
    out = {
        _("You wrote PyTorch's GRU (reset after the product, z keeping h_(t-1)). This exercise is the chapter's "
          "convention: h~ = tanh(x Wx_n + bx_n + (r * h_(t-1)) Wh_n + bh_n), h_t = (1 - z) * h_(t-1) + z * h~."):
            variant(*args, reset="after", mix="cho"),
        _("Your update gate multiplies the wrong term: in the chapter's convention z_t lets the NEW candidate in, "
          "h_t = (1 - z) * h_(t-1) + z * h~. You wrote z * h_(t-1) + (1 - z) * h~ (Cho et al.'s and torch's placement)."):
            variant(*args, reset="before", mix="cho"),
        _("Your reset gate is applied after the matrix product (torch's form). In the chapter's convention it "
          "multiplies h_(t-1) BEFORE the product: (r * h_(t-1)) @ Wh_n."): variant(*args, reset="after", mix="chapter"),
        _("Your reset gate is applied after the matrix product: r * (h_(t-1) @ Wh_n). In the chapter's convention it "
          "multiplies h_(t-1) BEFORE the product: (r * h_(t-1)) @ Wh_n + bh_n."):
            variant(*args, reset="after_bias_outside", mix="chapter"),
        _("Your candidate leaves out bh's n block: h~ = tanh(x Wx_n + bx_n + (r * h_(t-1)) Wh_n + bh_n)."):
            variant(*args, reset="before", mix="chapter", drop_bhn=True),
    }
    out.update(_common_mistakes(args, own, "gru_step_chapter"))
    return out


def torch_mistakes(x, h, Wx, Wh, bx, bh) -> dict[str, np.ndarray]:
    """What gru_step_torch returns under each typical mistake -> the message naming it."""
    args = (x, h, Wx, Wh, bx, bh)
    own = dict(reset="after", mix="cho")
    out = {
        _("You wrote the chapter's GRU (reset before the product, z admitting the candidate). This exercise is "
          "PyTorch's: n = tanh(x Wx_n + bx_n + r * (h_(t-1) Wh_n + bh_n)), h_t = (1 - z) * n + z * h_(t-1)."):
            variant(*args, reset="before", mix="chapter"),
        _("Your update gate multiplies the wrong term: in PyTorch z_t KEEPS the old state, h_t = (1 - z) * n + "
          "z * h_(t-1). You wrote (1 - z) * h_(t-1) + z * n (the chapter's placement)."):
            variant(*args, reset="after", mix="chapter"),
        _("Your reset gate is applied before the matrix product ((r * h) @ Wh_n, the chapter's and Cho's form). "
          "PyTorch applies it after: r * (h_(t-1) @ Wh_n + bh_n)."): variant(*args, reset="before", mix="cho"),
        _("Your b_hn (bh's n block) sits outside the reset gate: PyTorch multiplies it by r too, "
          "n = tanh(x Wx_n + bx_n + r * (h_(t-1) Wh_n + b_hn))."): variant(*args, reset="after_bias_outside", mix="cho"),
        _("Your candidate leaves out b_hn (bh's n block), which PyTorch adds inside the reset gate: "
          "r * (h_(t-1) Wh_n + b_hn)."): variant(*args, reset="after", mix="cho", drop_bhn=True),
    }
    out.update(_common_mistakes(args, own, "gru_step_torch"))
    return out


def chapter_literal(x, h, params) -> np.ndarray:
    """The chapter's §4.2 equations word for word (plus biases b = bx + bh), on [h_{t-1}, x_t]."""
    W = bridge.gru_to_chapter(params)
    hx = np.concatenate([h, x], axis=1)
    z = sigmoid(hx @ W["W_z"].T + W["b_z"])
    r = sigmoid(hx @ W["W_r"].T + W["b_r"])
    h_tilde = np.tanh(np.concatenate([r * h, x], axis=1) @ W["W"].T + W["b"])
    return (1 - z) * h + z * h_tilde


def _torch_step(x, h, params):
    import torch

    dt = torch.float32 if x.dtype == np.float32 else torch.float64
    gru = bridge.gru_as_torch(params, dtype=dt)
    with torch.no_grad():
        _out, hn = gru(torch.as_tensor(x, dtype=dt)[:, None, :], torch.as_tensor(h, dtype=dt)[None])
    return hn[0].numpy()


def _check_step(fn, name, convention, hidden):
    for B, D, H, seed, dtype in _cases(hidden):
        x, h, params = _step_case(B, D, H, seed, dtype)
        got = call_student(name, fn, x, h, *params, hidden=hidden, ready_made=READY_MADE, names=STEP_ARGS)
        if isinstance(got, (tuple, list)):
            raise CheckFailed(_("{name} should return one array h_t of shape (B, H), got a {kind} "
                                "of length {length}.").format(name=name, kind=type(got).__name__, length=len(got)))
        assert_ndarray(_("{name}'s {part}").format(name=name, part="h_t"), got)
        if convention == "torch":
            want, mistakes, where = _torch_step(x, h, params), torch_mistakes(x, h, *params), "torch.nn.GRU"
        else:
            want, mistakes, where = chapter_literal(x, h, params), chapter_mistakes(x, h, *params), _("the chapter's §4.2")
        rtol, atol = tolerances(x)
        assert_close(_("h_t (compared with {where} on the same weights)").format(where=where), got, want, rtol=rtol,
                     atol=atol, mistakes=mistakes,
                     hint=_("(case B={B}, D={D}, H={H}, {dtype})").format(B=B, D=D, H=H, dtype=np.dtype(dtype).name))
    if hidden:
        _closed_forms(fn, name, convention)
        # Huge pre-activations (rows of scale 1, +S, -S): the gates and the candidate saturate, nothing overflows.
        for dtype in (np.float64, np.float32):
            x, h, params = _extreme_case(dtype)
            got = call_student(name, fn, x, h, *params, names=STEP_ARGS)
            x64, h64 = _f64(x, h)
            p64 = ref.GRUParams(*_f64(*params))
            want = _torch_step(x64, h64, p64) if convention == "torch" else chapter_literal(x64, h64, p64)
            assert_close(_("h_t with pre-activations up to |a| = {size:.0f} "
                           "({dtype}; a sigmoid or tanh written with np.exp overflows there: use the "
                           "provided sigmoid and np.tanh)").format(size=np.abs(x64 @ p64.Wx).max(),
                                                                   dtype=np.dtype(dtype).name), got, want)
    if convention == "torch":
        message = _("{name} matches torch.nn.GRU (hidden cases too)") if hidden else _("{name} matches torch.nn.GRU")
    else:
        message = (_("{name} matches the chapter §4.2 (hidden cases too)") if hidden
                   else _("{name} matches the chapter §4.2"))
    passed(message.format(name=name))


def _closed_forms(fn, name, convention):
    """Saturated gates: the update gate keeping h exactly, and the reset gate closed."""
    B, D, H = 2, 3, 4
    x, h, params = _step_case(B, D, H, 31, np.float64)
    Wx, Wh, bx, bh = (a.copy() for a in params)
    sl = ref.gate_slices(H)
    keep = bx.copy()
    keep[sl["z"]] = 60.0 if convention == "torch" else -60.0   # z = 1 keeps h in torch; z = 0 in the chapter
    got = call_student(name, fn, x, h, Wx, Wh, keep, bh, hidden=True, ready_made=READY_MADE, names=STEP_ARGS)
    which = "z = 1" if convention == "torch" else "z = 0"
    assert_close(_("h_t when the update gate is saturated ({which}) (must equal h_(t-1))").format(which=which), got, h,
                 rtol=1e-9, atol=1e-12,
                 hint=_("The update gate decides how much of h_(t-1) is kept: check which term z multiplies."))
    closed = bx.copy()
    closed[sl["r"]] = -60.0                                   # r = 0: the candidate forgets h_(t-1)
    got = call_student(name, fn, x, h, Wx, Wh, closed, bh, hidden=True, ready_made=READY_MADE, names=STEP_ARGS)
    z = sigmoid(x @ Wx[:, sl["z"]] + closed[sl["z"]] + h @ Wh[:, sl["z"]] + bh[sl["z"]])
    xn = x @ Wx[:, sl["n"]] + bx[sl["n"]]
    if convention == "torch":
        n = np.tanh(xn)                       # r * (h Wh_n + b_hn) vanishes, b_hn included
        want = (1 - z) * n + z * h
        extra = _("With r = 0, PyTorch's candidate is tanh(x Wx_n + bx_n): b_hn is multiplied by r as well.")
    else:
        n = np.tanh(xn + bh[sl["n"]])         # (0 * h) Wh_n vanishes; bh_n stays
        want = (1 - z) * h + z * n
        extra = _("With r = 0 the chapter's candidate is tanh(x Wx_n + bx_n + bh_n): r only scales h_(t-1).")
    assert_close(_("h_t when the reset gate is closed (r = 0)"), got, want, rtol=1e-9, atol=1e-12, hint=extra)


def check_step_chapter(gru_step_chapter, hidden: bool = False) -> None:
    """gru_step_chapter(x (B,D), h_prev (B,H), Wx (D,3H), Wh (H,3H), bx (3H,), bh (3H,)) -> h (B, H)."""
    _check_step(gru_step_chapter, "gru_step_chapter", "chapter", hidden)


def check_step_torch(gru_step_torch, hidden: bool = False) -> None:
    """gru_step_torch(x (B,D), h_prev (B,H), Wx (D,3H), Wh (H,3H), bx (3H,), bh (3H,)) -> h (B, H)."""
    _check_step(gru_step_torch, "gru_step_torch", "torch", hidden)


# --- a sequence ------------------------------------------------------------------------------

def check_forward(gru_forward, hidden: bool = False) -> None:
    """gru_forward(X (B,T,D), h0 (B,H), Wx, Wh, bx, bh, convention="torch") -> (Hs (B,T,H), h_T (B,H))."""
    import torch

    for case, (B, T, D, H, seed, dtype) in enumerate(sequence_cases(hidden)):
        X, h0, _c0 = lstm_inputs(B, T, D, H, seed=seed, dtype=dtype)
        params = ref.gru_params(D, H, seed=seed + 1, dtype=dtype, scale=0.8)
        rtol, atol = tolerances(X)
        other = {"torch": "chapter", "chapter": "torch"}
        for convention in ("torch", "chapter"):
            got = call_student("gru_forward", gru_forward, X, h0, *params, hidden=hidden, ready_made=READY_MADE,
                               names=FORWARD_ARGS, convention=convention)
            Hs, hT = unpack("gru_forward", got, 2, "(Hs, h_T)")
            assert_ndarray(_("{name}'s {part}").format(name="gru_forward", part="Hs"), Hs)
            assert_ndarray(_("{name}'s {part}").format(name="gru_forward", part="h_T"), hT)
            if convention == "torch":
                dt = torch.float32 if dtype == np.float32 else torch.float64
                with torch.no_grad():
                    out, hn = bridge.gru_as_torch(params, dtype=dt)(torch.as_tensor(X), torch.as_tensor(h0)[None])
                want, want_T, where = out.numpy(), hn[0].numpy(), "torch.nn.GRU"
            else:
                want, want_T = ref.gru_forward(X, h0, *params, convention="chapter")
                where = _("the chapter's convention")
            first = ref.gru_step_forward(X[:, 0], h0, *params, convention=convention)[0]
            mistakes = {
                _("Your gru_forward does not follow `convention`: with convention={convention!r} it returned the "
                  "{other!r} GRU. Call gru_step_{convention} for this convention.").format(
                    convention=convention, other=other[convention]):
                    ref.gru_forward(X, h0, *params, convention=other[convention])[0],
                _("Your Hs is time-major (T, B, H); the course is batch-first: Hs[:, t] is the output at step t."):
                    want.transpose(1, 0, 2),
                _("Every step of yours starts from h0: carry h from one step to the next."):
                    np.stack([ref.gru_step_forward(X[:, t], h0, *params, convention=convention)[0]
                              for t in range(T)], axis=1),
                _("Your sequence starts from zeros instead of h0."):
                    ref.gru_forward(X, np.zeros_like(h0), *params, convention=convention)[0],
            }
            assert_close(_("Hs with convention={convention!r} (compared with {where})").format(
                             convention=convention, where=where), Hs, want, rtol=rtol, atol=atol,
                         mistakes=mistakes,
                         hint=_("(case B={B}, T={T}, D={D}, H={H}, {dtype}). Check gru_step_{convention} first.").format(
                             B=B, T=T, D=D, H=H, dtype=np.dtype(dtype).name, convention=convention))
            final = {_("Your final state is the one after the first step; return h after the last step."): first}
            assert_close(_("h_T with convention={convention!r}").format(convention=convention), hT, want_T,
                         rtol=rtol, atol=atol, mistakes=final if T > 1 else None)
        if case == 0:
            # The default convention, as the signature says: "torch".
            got = call_student("gru_forward", gru_forward, X, h0, *params, hidden=hidden, ready_made=READY_MADE,
                               names=FORWARD_ARGS)
            Hs, _h_T = unpack("gru_forward", got, 2, "(Hs, h_T)")
            want = ref.gru_forward(X, h0, *params, convention="torch")[0]
            if not matches(as_array("Hs", Hs), want, rtol, atol):
                chapter = ref.gru_forward(X, h0, *params, convention="chapter")[0]
                which = (_("the chapter's GRU") if matches(as_array("Hs", Hs), chapter, rtol, atol)
                         else _("something else than the torch GRU"))
                raise CheckFailed(_("Called without `convention`, your gru_forward ran {which}; the default is "
                                    "convention=\"torch\", as the signature says: "
                                    "gru_forward(..., convention=\"torch\").").format(which=which))
    if hidden:
        # Huge inputs at every step: every gate saturates, nothing overflows.
        for dtype in (np.float64, np.float32):
            x, h0, params = _extreme_case(dtype)
            X = np.stack([x, x[[2, 0, 1]], x[[1, 2, 0]]], axis=1)
            p64 = ref.GRUParams(*_f64(*params))
            for convention in ("torch", "chapter"):
                got = call_student("gru_forward", gru_forward, X, h0, *params, names=FORWARD_ARGS, convention=convention)
                Hs, hT = unpack("gru_forward", got, 2, "(Hs, h_T)")
                want, want_T = ref.gru_forward(*_f64(X, h0), *p64, convention=convention)
                for value, got_value, want_value in (("Hs", Hs, want), ("h_T", hT, want_T)):
                    assert_close(_("{value} with very large inputs ({dtype}, convention={convention!r}; a naive exp "
                                   "overflows there)").format(value=value, dtype=np.dtype(dtype).name,
                                                              convention=convention), got_value, want_value)
    if hidden:
        passed(_("gru_forward matches torch.nn.GRU and the chapter's convention over a sequence (hidden cases too)"))
    else:
        passed(_("gru_forward matches torch.nn.GRU and the chapter's convention over a sequence"))


# --- parameter count -------------------------------------------------------------------------

def check_param_count(gru_param_count, hidden: bool = False) -> None:
    """gru_param_count(input_size, hidden_size, bias_vectors=1) -> int."""
    import torch

    sizes = [(3, 4), (64, 128)] + ([(1, 1), (10, 3), (300, 17)] if hidden else [])
    for D, H in sizes:
        with_bias = sum(p.numel() for p in torch.nn.GRU(D, H).parameters())
        without = sum(p.numel() for p in torch.nn.GRU(D, H, bias=False).parameters())
        for nb, want, who in ((2, with_bias, _("torch.nn.GRU and Keras's default GRU (two bias vectors)")),
                              (1, with_bias - 3 * H, _("Keras's GRU(reset_after=False) (one bias vector)")),
                              (0, without, _("the chapter's bias-free equations")),
                              (None, with_bias - 3 * H, _("the default, bias_vectors=1"))):
            kwargs = {} if nb is None else {"bias_vectors": nb}
            got = call_student("gru_param_count", gru_param_count, D, H, hidden=hidden, ready_made=READY_MADE,
                               names=("input_size", "hidden_size"), **kwargs)
            got = assert_int("gru_param_count", got)
            if got == want:
                continue
            if nb is None:
                raise CheckFailed(_("Called without bias_vectors, your gru_param_count({D}, {H}) returns {got}; the "
                                    "default is bias_vectors=1 (one bias vector per block, as the signature says): "
                                    "{want}.").format(D=D, H=H, got=got, want=want))
            diag = {
                4 * (H * D + H * H + nb * H): _("You counted 4 blocks (the LSTM's number); a GRU has 3: r, z and the "
                                                "candidate n."),
                2 * (H * D + H * H + nb * H): _("You counted only the two gates r and z; the candidate n has its own "
                                                "weights too."),
                H * D + H * H + nb * H: _("You counted one block; a GRU has 3 (r, z, n), each with its own weights."),
                3 * (H * D + nb * H): _("You left out the recurrent weights Wh (H x H per block)."),
                3 * (H * D + H * H): _("You left out the bias vectors."),
                3 * (H + D) ** 2 + 3 * nb * H: _("Each block's matrix is H x (H + D), not (H + D) x (H + D)."),
                3 * (H * D + H * H) + nb * H: _("You counted each bias vector once for the whole layer (H numbers); "
                                                "each of the 3 blocks has its own, so a bias vector is 3H numbers."),
            }
            if nb != 1:
                diag.setdefault(3 * (H * D + H * H + H),
                                _("You counted one bias vector; bias_vectors says how many each block has."))
            if nb != 2:
                diag.setdefault(3 * (H * D + H * H + 2 * H),
                                _("You always count two bias vectors; bias_vectors says how many each block has."))
            raise CheckFailed(diag.get(int(got), _("For D={D}, H={H}, bias_vectors={nb} you return {got}; {who} has "
                                                   "{want}.").format(D=D, H=H, nb=nb, got=got, who=who, want=want)))
    if hidden:
        passed(_("gru_param_count matches torch and Keras (hidden cases too)"))
    else:
        passed(_("gru_param_count matches torch and Keras"))


# A student's exception out of any check_* shows the student's frames only (lstmlab.checking.harness).
student_facing(globals())
