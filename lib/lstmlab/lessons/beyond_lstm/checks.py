"""Checks for lesson 12 (beyond LSTM: causal self-attention), with diagnoses of the common mistakes.

Each check_* takes the student's function, runs it on seeded cases and compares with lstmlab.self_attention
(the attention itself also with torch.nn.functional.scaled_dot_product_attention on the same Q, K, V:
float64 to 1e-10, float32 to 1e-5), raising CheckFailed that names the mistake. `hidden=True` adds the
cases held back for grading: a batch of one, B == T == D == dk == dv (so a wrong axis or a transposed
matrix no longer fails by shape), float32, T = 1, scores around 800 (and 100 in float32: exp overflows without
the max subtracted), rows of very different scales (one maximum for the whole batch underflows), a case where a *future* position has by far the largest score (masking after the softmax,
or taking the max before masking, gives 0/0), causal=False, and the from-scratch rule (no torch softmax
or attention, no nn.MultiheadAttention, no lstmlab reference, under any name). Every call of a student's
function goes through lstmlab.checking.call_student (inputs copied and compared, warnings never decide, the
student's own exception propagates with the usual cause attached as a note).
"""
from __future__ import annotations

import math

import numpy as np

from lstmlab import attention as attention_ref
from lstmlab import self_attention as ref
from lstmlab.fixtures import rng
from lstmlab.checking import (CheckFailed, as_array, assert_close, assert_ndarray, assert_order, call_student, student_facing,
                             matches, passed, reference_functions, torch_softmax_and_attention, unpack)
from lstmlab.i18n import N_, _


TOL = {np.float64: (1e-10, 1e-10), np.float32: (1e-5, 1e-5)}


def _tol(dtype):
    return TOL[np.float32] if np.dtype(dtype) in (np.float32, np.float16) else TOL[np.float64]


# Guard targets beyond torch's recurrent layers and the LSTM reference: the library's self-attention
# reference, lstmlab.attention (masked softmax, attention for one query: ready-made here too) and
# torch's softmax / attention.
READY_MADE = reference_functions(ref) + reference_functions(attention_ref) + torch_softmax_and_attention()
# for every call_student here (the harness shows the advice in the student's language)
HARNESS = {"ready_made": READY_MADE, "advice": N_("Use numpy operations instead.")}
SA_ARGS = ("X", "Wq", "Wk", "Wv")


# --- exercise 1: the causal mask ------------------------------------------------------------------

def check_causal_mask(causal_mask, hidden: bool = False) -> None:
    """causal_mask(T) -> (T, T) bool, True where position i (row) may attend to position j (column): j <= i."""
    for T in [4] + ([1, 2, 7, 30] if hidden else []):
        got = call_student("causal_mask", causal_mask, T, hidden=hidden, names=("T",), **HARNESS)
        if got is None:
            raise CheckFailed(_("causal_mask returned None: did you forget to `return` the mask?"))
        assert_ndarray(f"causal_mask({T})", got, floats=False)
        want = ref.causal_mask(T)
        if got.shape != (T, T):
            raise CheckFailed(_("causal_mask({T}) has shape {shape}, expected ({T}, {T}): one row per attending "
                                "position i, one column per attended position j.").format(T=T, shape=got.shape))
        if got.dtype != bool:
            with np.errstate(all="ignore"):
                if got.dtype.kind == "f" and np.array_equal(np.where(want, 0.0, -np.inf), got):
                    raise CheckFailed(_("causal_mask returned an additive float mask (0 where allowed, -inf where not), "
                                        "as torch.nn.Transformer.generate_square_subsequent_mask does. Return a boolean "
                                        "array, True = may attend, e.g. np.tril(np.ones((T, T), dtype=bool))."))
                if got.dtype.kind in "fiu" and np.array_equal(got, want.astype(got.dtype)):
                    raise CheckFailed(_("causal_mask returned the right pattern as {dtype} 0/1 numbers; return "
                                        "dtype bool (np.ones((T, T), dtype=bool), or .astype(bool)) so it can index "
                                        "and np.where can use it.").format(dtype=got.dtype))
            raise CheckFailed(_("causal_mask should return a boolean array, got dtype {dtype}.").format(dtype=got.dtype))
        if np.array_equal(got, want):
            continue
        messages = [
            (np.tril(want, -1), _("Your mask leaves out the diagonal: every position may attend to itself (j <= i, "
                                  "not j < i). Without it position 0 has nothing at all to attend to.")),
            (want.T, _("Your mask lets position i see the future: rows are the attending positions i, columns the "
                       "attended positions j, and i may attend to j <= i (the lower triangle, np.tril).")),
            (~want, _("Your mask is inverted: True where attention is forbidden (torch.nn.MultiheadAttention's "
                      "convention). Here True = may attend, as in F.scaled_dot_product_attention's boolean attn_mask.")),
            (np.ones((T, T), dtype=bool), _("Your mask allows every position to attend to every other one: the future "
                                            "(j > i) must be False.")),
        ]
        for wrong, message in messages:
            if np.array_equal(got, wrong):
                raise CheckFailed(message)
        bad = np.argwhere(got != want)[0]
        if want[tuple(bad)]:
            message = _("causal_mask({T})[{i}, {j}] is {value}; position {i} may attend to position {j} "
                        "(allowed: j <= i).")
        else:
            message = _("causal_mask({T})[{i}, {j}] is {value}; position {i} may not attend to position {j} "
                        "(allowed: j <= i).")
        raise CheckFailed(message.format(T=T, i=bad[0], j=bad[1], value=bool(got[tuple(bad)])))
    passed(_("causal_mask: lower triangle with the diagonal, True = may attend (hidden cases too)") if hidden
           else _("causal_mask: lower triangle with the diagonal, True = may attend"))


# --- exercise 2: queries, keys, values ------------------------------------------------------------

QKV_HINT = N_("X has shape (B, T, D) and Wq (D, dk): X @ Wq applies the same projection to every position of every "
              "sequence and gives (B, T, dk); likewise K = X @ Wk, V = X @ Wv (D, dv).")

# (B, T, D, dk, dv, seed, dtype): visible first, then held back.
QKV_VISIBLE = [(2, 5, 6, 4, 3, 0, np.float64)]
QKV_HIDDEN = [(1, 4, 4, 4, 4, 11, np.float64),    # square weights: a transposed matrix no longer fails by shape
              (3, 3, 3, 3, 3, 12, np.float64),    # B == T == D: wrong axes no longer fail by shape
              (4, 6, 5, 2, 7, 13, np.float32),
              (2, 1, 3, 2, 2, 14, np.float64)]


def _weights(D, dk, dv, seed, dtype, gain=1.0):
    r = rng(seed + 500)
    Wq = (gain * r.standard_normal((D, dk)) / np.sqrt(D)).astype(dtype)
    Wk = (gain * r.standard_normal((D, dk)) / np.sqrt(D)).astype(dtype)
    Wv = (r.standard_normal((D, dv)) / np.sqrt(D)).astype(dtype)
    return Wq, Wk, Wv


def _case(B, T, D, dk, dv, seed, dtype, gain=1.0):
    X = rng(seed).standard_normal((B, T, D)).astype(dtype)
    return (X, *_weights(D, dk, dv, seed, dtype, gain))


def check_qkv_projection(qkv_projection, hidden: bool = False) -> None:
    """qkv_projection(X (B,T,D), Wq (D,dk), Wk (D,dk), Wv (D,dv)) -> (Q (B,T,dk), K (B,T,dk), V (B,T,dv))."""
    for B, T, D, dk, dv, seed, dtype in QKV_VISIBLE + (QKV_HIDDEN if hidden else []):
        X, Wq, Wk, Wv = _case(B, T, D, dk, dv, seed, dtype)
        got = call_student("qkv_projection", qkv_projection, X, Wq, Wk, Wv, hidden=hidden, names=SA_ARGS,
                           on_error=QKV_HINT, **HARNESS)
        Q, K, V = unpack("qkv_projection", got, 3, "(Q, K, V)")
        want = ref.qkv_projection(X, Wq, Wk, Wv)
        rtol, atol = _tol(dtype)
        hint = _("(case B={B}, T={T}, D={D}, dk={dk}, dv={dv}, {dtype}). {hint}").format(
            B=B, T=T, D=D, dk=dk, dv=dv, dtype=np.dtype(dtype).name, hint=_(QKV_HINT))
        assert_order("qkv_projection", (Q, K, V), want, ("Q", "K", "V"), rtol=rtol, atol=atol)
        for name, arr in (("Q", Q), ("K", K), ("V", V)):
            assert_ndarray(name, arr, floats=False)
        for name, arr, w, W in (("Q", Q, want[0], Wq), ("K", K, want[1], Wk), ("V", V, want[2], Wv)):
            vec, Wn = name.lower(), f"W{name.lower()}"      # "q", "Wq"
            mistakes = {
                _("Your {name} is time-major (T, B, ...): keep the batch axis first, X @ {W} does.").format(
                    name=name, W=Wn): np.swapaxes(w, 0, 1),
                _("Your {name} is summed over the time axis: every position gets its own {vec}, "
                  "so {name} has shape (B, T, ...).").format(name=name, vec=vec): w.sum(1),
            }
            if W.shape[0] == W.shape[1]:
                mistakes[_("Your {name} uses the transposed weight matrix: {W} has shape (D, d) and the "
                           "projection is X @ {W}, not X @ {W}.T.").format(name=name, W=Wn)] = X @ W.T
            others = {"Q": Wq, "K": Wk, "V": Wv}
            for other, Wo in others.items():
                if other != name and Wo.shape == W.shape:
                    mistakes[_("Your {name} is computed with {other}: {name} = X @ {W}. "
                               "Return them in the order (Q, K, V).").format(name=name, other=f"W{other.lower()}",
                                                                             W=Wn)] = X @ Wo
            mistakes[_("Your {name} is X itself: project it, {name} = X @ {W}.").format(name=name, W=Wn)] = X
            mistakes[_("Your {name} has the positions of all sequences flattened together, (B*T, d): reshape it back "
                       "to (B, T, d), or apply X @ {W} to the 3-D X directly.").format(name=name, W=Wn)] = \
                w.reshape(B * T, -1)
            mistakes[_("Your {name} has its last two axes swapped, (B, d, T): {name} = X @ {W} keeps the "
                       "positions on axis 1.").format(name=name, W=Wn)] = np.swapaxes(w, 1, 2)
            assert_close(f"{name} = X @ {Wn}", arr, w, rtol=rtol, atol=atol, mistakes=mistakes, hint=hint)
    passed(_("qkv_projection: Q, K and V match (hidden cases too)") if hidden
           else _("qkv_projection: Q, K and V match"))


# --- exercise 3: self-attention -------------------------------------------------------------------

SA_HINT = N_("Compute Q, K, V (B, T, d) with your qkv_projection, scores Q @ K.transpose(0, 2, 1) / sqrt(dk) of shape "
             "(B, T, T), set the scores of forbidden positions to -inf (np.where with your causal_mask), then a "
             "softmax over the last axis with each row's max subtracted, and out = weights @ V.")


MIXED = N_("Your attention mixes the sequences of the batch: you flattened B and T into one long sequence, so a "
           "position also attends to the earlier *sequences*. Keep the batch axis: scores of shape (B, T, T), one "
           "T x T matrix per sequence.")

WRONG_ORDER = N_("self_attention returned its values in the wrong order: (weights, out) instead of (out, weights).")

STRICT = N_("Your mask leaves out the diagonal: every position must be allowed to attend to itself (j <= i, not "
            "j < i). Position 0 then has nothing to attend to.")


def _softmax(S, axis=-1):
    with np.errstate(all="ignore"):
        e = np.exp(S - np.max(S, axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)


def _variants(X, Wq, Wk, Wv, causal: bool) -> dict[str, np.ndarray]:
    """Weights (B, T, T) that typical wrong implementations produce -> the message naming the mistake."""
    B, T, D = X.shape
    dk, dv = Wq.shape[1], Wv.shape[1]
    X64, Wq64, Wk64 = (a.astype(np.float64) for a in (X, Wq, Wk))
    Q, K = X64 @ Wq64, X64 @ Wk64
    raw = Q @ np.swapaxes(K, 1, 2)
    S = raw / math.sqrt(dk)
    M = ref.causal_mask(T) if causal else np.ones((T, T), dtype=bool)
    msm = ref.masked_softmax
    out: dict[str, np.ndarray] = {}

    def add(message, weights):
        out.setdefault(message, weights)

    add(N_("Your scores are not scaled: divide Q K^T by sqrt(dk) (dk = the size of a query/key vector). Without it "
           "the scores grow with dk and the softmax saturates."), msm(raw, M))
    if dk != 1:
        add(N_("Your scores are divided by dk; divide by sqrt(dk), which keeps their variance at 1."), msm(raw / dk, M))
    add(N_("Your scores are multiplied by sqrt(dk); divide by it."), msm(raw * math.sqrt(dk), M))
    if D != dk:
        add(N_("Your scores are divided by sqrt(D), the width of X; the scale uses dk, the size of the queries and "
               "keys (Wq.shape[1])."), msm(raw / math.sqrt(D), M))
    if dv != dk:
        add(N_("Your scores are divided by sqrt(dv), the size of the values; the scale uses dk (Wq.shape[1])."),
            msm(raw / math.sqrt(dv), M))
    if T != dk:
        add(N_("Your scores are divided by sqrt(T), the sequence length; the scale uses dk (Wq.shape[1])."),
            msm(raw / math.sqrt(T), M))
    add(N_("Your attention uses the keys as queries and the queries as keys (Q and K swapped): the scores are "
           "transposed, S[i, j] must be q_i . k_j, row i = the position that attends."),
        msm(np.swapaxes(S, 1, 2), M))
    add(N_("Your softmax runs over the wrong axis (each column sums to 1): normalise each row, over the attended "
           "positions j, the last axis."), _colsoftmax(S, M))
    if causal:
        add(N_("Your attention applies the mask after the softmax (multiplying the weights by it) without "
               "renormalising: the future got its share first, so the rows no longer sum to 1. Mask the scores "
               "(set them to -inf) before the softmax."), _softmax(S) * M)
        add(N_("Your attention ignores the causal mask: position i sees the future (j > i). Set the scores of "
               "j > i to -inf before the softmax."), msm(S))
        add(N_("Your mask lets position i see the future instead of the past (transposed mask): allowed is j <= i, "
               "the lower triangle."), msm(S, M.T))
        add(N_("Your mask is inverted: it keeps the future (j > i) and removes the past. In this lesson mask True = "
               "may attend."), msm(S, ~M))
        add(N_("Your mask sets forbidden scores to 0 (multiplying the scores by the mask) instead of -inf: a score "
               "of 0 still gets weight exp(0) after the softmax. Use np.where(mask, scores, -np.inf)."),
            _softmax(S * M))
        add(STRICT, msm(S, np.tril(M, -1)))
        if B > 1:
            Qf, Kf = Q.reshape(B * T, dk), K.reshape(B * T, dk)
            Sf = Qf @ Kf.T / math.sqrt(dk)
            Wf = msm(Sf, ref.causal_mask(B * T))
            mixed = np.stack([Wf[b * T:(b + 1) * T, b * T:(b + 1) * T] for b in range(B)])
            add(MIXED, mixed)
    else:
        add(N_("Your self_attention ignores causal=False: with causal=False every position may attend to every "
               "position."), msm(S, ref.causal_mask(T)))
    if B == T:
        add(N_("Your scores pair sequences with time steps (a batch axis mixed up with a time axis): "
               "S[b, i, j] = Q[b, i] . K[b, j], e.g. Q @ K.transpose(0, 2, 1) or np.einsum('bid,bjd->bij', Q, K)."),
            msm(np.einsum("bid,jbd->bij", Q, K) / math.sqrt(dk), M))
    return out


def _mixed_output(X, Wq, Wk, Wv):
    """The output of causal attention over the batch flattened into one sequence of B*T positions."""
    B, T, D = X.shape
    Xf = X.astype(np.float64).reshape(B * T, D)
    Q, K, V = Xf @ Wq, Xf @ Wk, Xf @ Wv
    W = ref.masked_softmax(Q @ K.T / math.sqrt(Wq.shape[1]), ref.causal_mask(B * T))
    return (W @ V).reshape(B, T, -1)


def _colsoftmax(S, M):
    """Softmax over the attending axis (columns), restricted to M."""
    return np.swapaxes(ref.masked_softmax(np.swapaxes(S, 1, 2), M.T), 1, 2)


def _sa_cases(hidden: bool):
    """(description, X, Wq, Wk, Wv, causal, flag) with flag '' / 'large' / 'future'."""
    cases = [(N_("2 sequences, D=6, dk=4, dv=3"), *_case(2, 5, 6, 4, 3, 0, np.float64), True, "")]
    if not hidden:
        return cases
    cases += [
        (N_("a batch of one"), *_case(1, 6, 4, 4, 4, 21, np.float64, gain=1.5), True, ""),
        ("B == T == D == dk == dv == 3", *_case(3, 3, 3, 3, 3, 22, np.float64, gain=1.5), True, ""),
        ("float32", *_case(4, 7, 5, 8, 2, 23, np.float32, gain=1.5), True, ""),
        ("float32, T=16, dk=8", *_case(2, 16, 8, 8, 8, 24, np.float32, gain=2.0), True, ""),
        (N_("T = 1 (one position: it attends to itself)"), *_case(2, 1, 3, 2, 2, 25, np.float64), True, ""),
        ("causal=False", *_case(2, 5, 6, 4, 3, 26, np.float64, gain=1.5), False, ""),
        ("causal=False, float32", *_case(3, 4, 5, 2, 3, 27, np.float32, gain=1.5), False, ""),
        (N_("scores around 800"), *_large_case(), True, "large"),
        (N_("float32 scores around 100"), *_large_case(np.float32, 100.0), True, "large"),
        (N_("a future position with by far the largest score"), *_future_case(), True, "future"),
        (N_("rows on very different scales (row i's scores grow with i, up to about 1000)"), *_row_scale_case(), True, "rows"),
    ]
    return cases


def _row_scale_case():
    """X_t = [t, noise...]: q_t = 200 t a, so row i of the scores is i times a row of ordinary scores: row 0 is all 0,
    the last rows reach about +-1200. Subtracting one maximum for the whole batch (or per sequence) instead of each
    row's own underflows the early rows to all-zero weights (0/0); each row's own maximum is exact."""
    B, T, D, dk, dv = 2, 8, 5, 2, 3
    r = rng(61)
    X = r.standard_normal((B, T, D))
    X[..., 0] = np.arange(T)
    Wq = np.zeros((D, dk))
    Wq[0] = 200.0 * r.standard_normal(dk)
    Wk = np.zeros((D, dk))
    Wk[1:] = r.standard_normal((D - 1, dk))
    Wv = r.standard_normal((D, dv)) / np.sqrt(D)
    return X, Wq, Wk, Wv


def _large_case(dtype=np.float64, level: float = 800.0):
    """Scores = level + ordinary scores: exp overflows (float64 above ~709, float32 above ~88) unless each row's max
    is subtracted. The constant part is the same at every position, so the right weights are those of the ordinary
    scores."""
    B, T, D, dk, dv = 2, 6, 5, 4, 3
    X, Wq, Wk, Wv = _case(B, T, D, dk, dv, 31, np.float64, gain=1.5)
    X[..., 0] = 1.0
    Wq[0], Wk[0] = 0.0, 0.0
    Wq[0, 0] = Wk[0, 0] = math.sqrt(level * math.sqrt(dk))   # q_i . k_j gains level * sqrt(dk); / sqrt(dk) = level
    Wq[1:, 0], Wk[1:, 0] = 0.0, 0.0
    return tuple(a.astype(dtype) for a in (X, Wq, Wk, Wv))


def _future_case():
    """X_t = [1, t, noise, noise]; scores S[i, j] = (1200 (j - i) - 50) / sqrt(2): the allowed maximum (j = i) is
    about -35, every future score is over 800 larger. Masking after the softmax (or taking the max before masking)
    underflows every allowed weight to 0 and divides 0 by 0; masking the scores first is exact."""
    B, T = 2, 6
    r = rng(41)
    X = np.zeros((B, T, 4))
    X[..., 0] = 1.0
    X[..., 1] = np.arange(T)
    X[..., 2:] = r.standard_normal((B, T, 2))
    Wq = np.zeros((4, 2))
    Wq[0, 0], Wq[0, 1], Wq[1, 1] = 1.0, -50.0, -1200.0      # q_t = (1, -50 - 1200 t)
    Wk = np.zeros((4, 2))
    Wk[1, 0], Wk[0, 1] = 1200.0, 1.0                          # k_t = (1200 t, 1)
    Wv = r.standard_normal((4, 3)) / 2
    return X, Wq, Wk, Wv


def _torch_reference(X, Wq, Wk, Wv, causal):
    import torch
    import torch.nn.functional as F

    Q, K, V = (torch.from_numpy(np.ascontiguousarray(a)) for a in ref.qkv_projection(X, Wq, Wk, Wv))
    with torch.no_grad():
        return F.scaled_dot_product_attention(Q, K, V, is_causal=causal).numpy()


def _nonfinite_message(flag: str) -> str:
    if flag == "future":
        return _("Your attention gives NaN, inf or all-zero weights when a *future* position has a much larger score "
                 "than every allowed one. You applied the mask too late (after the softmax or after exp, so every "
                 "allowed weight underflowed to 0 and you divided 0 by 0), or you subtracted the maximum over the "
                 "whole row, future included. Set forbidden scores to -inf first, then subtract each row's max "
                 "(now over the allowed positions) and take the softmax.")
    if flag == "large":
        return _("Your attention overflows on large scores: exp(800) is inf (float64 overflows above about 709, "
                 "float32 above about 88, so exp(100) is inf in float32) and inf/inf is NaN. Subtract each row's "
                 "maximum before exp: softmax(s) = softmax(s - max s).")
    if flag == "rows":
        return _("Your attention gives NaN or all-zero weights when the rows of the scores lie on very different "
                 "scales: you subtracted one maximum for the whole batch (or per sequence), so the rows far below it "
                 "underflow to exp(-1000) = 0 and you divide 0 by 0. Subtract each row's own maximum: "
                 "S.max(axis=-1, keepdims=True).")
    return _("Your attention contains NaN or inf. If only the first position is affected, your mask may leave it "
             "nothing to attend to (keep the diagonal: j <= i); otherwise look for an exp that overflows.")


def check_self_attention(self_attention, hidden: bool = False) -> None:
    """self_attention(X (B,T,D), Wq (D,dk), Wk (D,dk), Wv (D,dv), causal=True) -> (out (B,T,dv), weights (B,T,T))."""
    for desc, X, Wq, Wk, Wv, causal, flag in _sa_cases(hidden):
        B, T, D = X.shape
        dk, dv = Wq.shape[1], Wv.shape[1]
        kwargs = {} if (causal and not hidden) else {"causal": causal}
        got = call_student("self_attention", self_attention, X, Wq, Wk, Wv, **kwargs, hidden=hidden, names=SA_ARGS,
                           on_error=SA_HINT, **HARNESS)
        out, weights = unpack("self_attention", got, 2, "(out, weights)")
        where = _(" (case: {desc}; B={B}, T={T}, D={D}, dk={dk}, dv={dv}, {dtype}, causal={causal})").format(
            desc=_(desc), B=B, T=T, D=D, dk=dk, dv=dv, dtype=X.dtype.name, causal=causal)
        out_arr, w_arr = as_array("out", out), as_array("weights", weights)
        if out_arr.shape == (B, T, T) and w_arr.shape == (B, T, dv) and dv != T:
            raise CheckFailed(_(WRONG_ORDER))
        want_w = ref.self_attention(X, Wq, Wk, Wv, causal)[1]
        want_out = _torch_reference(X, Wq, Wk, Wv, causal)
        V64 = (X.astype(np.float64) @ Wv.astype(np.float64))
        rtol, atol = _tol(X.dtype)
        assert_order("self_attention", (out_arr, w_arr), (want_out, want_w), ("out", "weights"), rtol=rtol, atol=atol)
        assert_ndarray("out", out, floats=False)
        assert_ndarray("weights", weights, floats=False)
        if w_arr.shape == (B * T, B * T) and B > 1:
            raise CheckFailed(_(MIXED) + where)
        if w_arr.shape != (B, T, T):
            raise CheckFailed(_("weights has shape {shape}, expected {expected}: one row of T weights for each "
                                "attending position of each sequence.{where}").format(
                shape=w_arr.shape, expected=(B, T, T), where=where))
        variants = _variants(X, Wq, Wk, Wv, causal)
        # a mask without the diagonal leaves position 0 nothing to attend to: NaN, zeros or uniform there
        strict = variants.get(STRICT) if causal and T > 1 else None
        if strict is not None and not matches(w_arr, want_w, rtol, atol) and np.all(np.isfinite(w_arr[:, 1:])) \
                and matches(w_arr[:, 1:], strict[:, 1:], rtol, atol):
            raise CheckFailed(_(STRICT) + where)
        if not np.all(np.isfinite(w_arr)) or not np.all(np.isfinite(out_arr)):
            if np.any(np.isneginf(w_arr)) and np.all(np.isfinite(out_arr)):
                raise CheckFailed(_("Your weights contain -inf: return the weights *after* the softmax (the "
                                    "probabilities), not the masked scores.") + where)
            raise CheckFailed(_nonfinite_message(flag) + where)
        if flag in ("future", "rows") and np.any(np.all(w_arr == 0, axis=-1)):
            raise CheckFailed(_nonfinite_message(flag) + where)
        if causal and T > 1:
            leak = float(np.abs(w_arr[:, ~ref.causal_mask(T)]).max())
            if 0 < leak < 1e-2:
                raise CheckFailed(_("Your weights give the future positions (j > i) weight up to {leak:.3g}; they "
                                    "must be exactly 0. Setting forbidden scores to a finite number such as -10 or -100 "
                                    "is not enough (exp(-100) is 4e-44, not 0): use -inf (np.where(mask, scores, "
                                    "-np.inf)).").format(leak=leak) + where)
        # 1. the output, against torch
        out_mistakes = {message: w @ V64 for message, w in variants.items()}
        if MIXED in out_mistakes:
            out_mistakes[MIXED] = _mixed_output(X, Wq, Wk, Wv)
        out_mistakes[N_("Your output uses the inputs X as values: out = weights @ V with V = X @ Wv.")] = \
            want_w @ X.astype(np.float64)
        out_mistakes[N_("Your output multiplies the values by the transposed weights: out[i] = sum_j weights[i, j] v_j, "
                        "i.e. weights @ V.")] = np.swapaxes(want_w, 1, 2) @ V64
        if dv == T:
            out_mistakes[WRONG_ORDER] = want_w
        assert_close(_("out (compared with torch.nn.functional.scaled_dot_product_attention)"), out_arr, want_out,
                     rtol=rtol, atol=atol, mistakes=out_mistakes, hint=where)
        # 2. the weights
        rows = w_arr.sum(-1)
        if not np.allclose(rows, 1.0, rtol=0, atol=max(atol, 1e-6) * 10):
            raise CheckFailed(_("Your weight rows sum to {low:.4g}..{high:.4g}, not 1: each row is a softmax over "
                                "the positions that row may attend to.").format(low=float(rows.min()),
                                                                                high=float(rows.max())) + where)
        assert_close("weights", w_arr, want_w, rtol=rtol, atol=atol, mistakes=variants, hint=where)
    if hidden:
        # Closed form: Wq = Wk = 0 gives equal scores, so causal weights are 1/(i+1) on j <= i: a running mean of V.
        X, _Wq, _Wk, Wv = _case(2, 5, 4, 3, 3, 51, np.float64)
        Z = np.zeros((4, 3))
        out, weights = unpack("self_attention", call_student("self_attention", self_attention, X, Z, Z, Wv, causal=True,
                                                             hidden=hidden, names=SA_ARGS, on_error=SA_HINT, **HARNESS),
                             2, "(out, weights)")
        V = X @ Wv
        running_mean = np.cumsum(V, axis=1) / np.arange(1, 6)[None, :, None]
        assert_close(_("out with Wq = Wk = 0 (equal scores: the running mean of the values)"), out, running_mean,
                     rtol=1e-10, atol=1e-10)
    passed(_("self_attention matches torch's scaled_dot_product_attention (hidden cases too)") if hidden
           else _("self_attention matches torch's scaled_dot_product_attention"))


# --- exercise 4: positional encoding -----------------------------------------------------------------

def _pe_variants(T: int, d: int) -> dict[str, np.ndarray]:
    pos = np.arange(T, dtype=np.float64)[:, None]
    j = np.arange(d)
    two_i = 2 * (j // 2)
    angle = pos / 10000.0 ** (two_i / d)
    even = (j % 2 == 0)
    right = np.where(even, np.sin(angle), np.cos(angle))
    out = {
        N_("Your encoding has sin and cos swapped: even columns 2i hold sin, odd columns 2i+1 hold cos."):
            np.where(even, np.cos(angle), np.sin(angle)),
        N_("Your encoding uses the column index j in the exponent for every column: columns 2i and 2i+1 share one "
           "frequency, 1 / 10000^(2i/d), so the odd column 2i+1 also uses 2i (use j - j % 2, or 2 * (j // 2))."):
            np.where(even, np.sin(pos / 10000.0 ** (j / d)), np.cos(pos / 10000.0 ** (j / d))),
        N_("Your encoding's exponent is i/d; it is 2i/d (i indexes the (sin, cos) pairs, so 2i is the even column)."):
            np.where(even, np.sin(pos / 10000.0 ** ((j // 2) / d)), np.cos(pos / 10000.0 ** ((j // 2) / d))),
        N_("Your encoding puts all the sines first and all the cosines after: Vaswani et al. interleave them, "
           "sin in even columns 2i, cos in odd columns 2i+1."):
            np.concatenate([np.sin(pos / 10000.0 ** (np.arange(0, d, 2) / d)),
                            np.cos(pos / 10000.0 ** (np.arange(0, d, 2) / d))], axis=1),
        N_("Your positions start at 1; they start at 0 (the first row is sin 0 = 0, cos 0 = 1)."):
            np.where(even, np.sin((pos + 1) / 10000.0 ** (two_i / d)), np.cos((pos + 1) / 10000.0 ** (two_i / d))),
        N_("Your encoding multiplies the position by 10000^(2i/d); divide by it (the wavelengths grow with i)."):
            np.where(even, np.sin(pos * 10000.0 ** (two_i / d)), np.cos(pos * 10000.0 ** (two_i / d))),
        N_("Your encoding uses the base 1000; Vaswani et al. use 10000."):
            np.where(even, np.sin(pos / 1000.0 ** (two_i / d)), np.cos(pos / 1000.0 ** (two_i / d))),
        N_("Your encoding uses sin in every column: odd columns hold cos."): np.sin(angle),
        N_("Your exponent uses integer division, 2i // d (always 0 below d): write 2 * i / d, a fraction between 0 "
           "and 1."): np.where(even, np.sin(pos / 10000.0 ** (two_i // d)), np.cos(pos / 10000.0 ** (two_i // d))),
    }
    if T == d:
        out[N_("Your encoding is transposed: rows are positions (T of them), columns the d features.")] = right.T
    return out


def check_positional_encoding(positional_encoding, hidden: bool = False) -> None:
    """positional_encoding(T, d) -> (T, d) with PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same)."""
    sizes = [(6, 8)] + ([(1, 2), (7, 4), (16, 16), (50, 6), (200, 64)] if hidden else [])
    for T, d in sizes:
        got = call_student("positional_encoding", positional_encoding, T, d, hidden=hidden, names=("T", "d"), **HARNESS)
        want = ref.positional_encoding(T, d)
        assert_ndarray(_("your encoding"), got, floats=False)
        arr = as_array(_("your encoding"), got)
        if arr.shape == (d, T) and T != d:
            raise CheckFailed(_("Your encoding has shape {shape}, expected {expected}: rows are positions, columns "
                                "the d features (transpose it).").format(shape=arr.shape, expected=(T, d)))
        low = np.asarray(got).dtype in (np.float32, np.float16)
        tol = 2e-6 if low else 1e-9
        # a float32 answer is accurate to about 1e-7 of the angle, which reaches 200 radians here
        if low:
            tol = max(tol, 2e-7 * T)
        assert_close(f"positional_encoding({T}, {d})", arr, want, rtol=0, atol=tol, mistakes=_pe_variants(T, d),
                     hint="PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)), p = 0..T-1.")
    passed(_("positional_encoding matches Vaswani et al.'s sinusoids (hidden cases too)") if hidden
           else _("positional_encoding matches Vaswani et al.'s sinusoids"))


# A student's exception out of any check_* shows the student's frames only (lstmlab.checking.harness).
student_facing(globals())
