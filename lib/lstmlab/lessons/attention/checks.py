"""Checks for lesson 07 (attention), with diagnoses of the common mistakes.

Each check_* takes the student's function, runs it on seeded cases, compares with lstmlab.attention
(itself tested against torch in tests/test_attention.py; the attention check compares with
torch.nn.functional.scaled_dot_product_attention directly) and raises CheckFailed naming the mistake.
`hidden=True` adds the cases held back for grading: other sizes, float32, a batch of one, B == T and
T == D (so a wrong axis no longer fails by shape), masks with holes, padding that holds huge scores,
very large scores, closed-form cases, and the from-scratch rule (no torch softmax, no
scaled_dot_product_attention, no nn.MultiheadAttention, no lstmlab.attention reference). Every call of a
student's function goes through lstmlab.checking.call_student (inputs copied and compared, warnings never
decide, the student's own exception propagates with the usual cause attached as a note).
"""
from __future__ import annotations

import numpy as np

from lstmlab import attention as ref
from lstmlab.fixtures import rng
from lstmlab.checking import (CheckFailed, as_array, assert_close, assert_ndarray, assert_order, call_student, student_facing,
                             matches, passed, reference_functions, tolerances, torch_softmax_and_attention, unpack)


# Guard targets beyond torch's recurrent layers and the LSTM reference: the library's attention
# reference and torch's softmax / attention.
READY_MADE = reference_functions(ref) + torch_softmax_and_attention()
ADVICE = "Use numpy operations instead."
IN_PLACE = ("compute new arrays instead (e.g. np.where(mask, scores, -np.inf) rather than writing -inf into the "
            "scores); the caller still needs them.")
HARNESS = {"ready_made": READY_MADE, "advice": ADVICE, "mutation_hint": IN_PLACE}   # for every call_student here


def _mask(r, B: int, T: int, lengths=None, holes: bool = False) -> np.ndarray:
    """(B, T) bool: real positions first (a prefix of each row) or, with holes, anywhere."""
    if holes:
        m = r.random((B, T)) < 0.6
        m[np.arange(B), r.integers(0, T, B)] = True
        return m
    if lengths is None:
        lengths = r.integers(1, T + 1, B)
        lengths[0] = T
    return np.arange(T)[None, :] < np.asarray(lengths)[:, None]


def _qkv(B, T, D, Dv, seed, dtype, Dk=None):
    r = rng(seed)
    q = r.standard_normal((B, D)).astype(dtype)
    K = r.standard_normal((B, T, Dk or D)).astype(dtype)
    V = r.standard_normal((B, T, Dv)).astype(dtype)
    return q, K, V


def _describe(B, T, D, dtype, **more) -> str:
    extra = "".join(f", {k}={v}" for k, v in more.items())
    return f"(case B={B}, T={T}, D={D}{extra}, {np.dtype(dtype).name})"


def _shape_hint(name: str, got, want_shape, B, T, example: str, named=None) -> None:
    """Name the usual broadcasting mistakes when the shape is wrong; `example` shows a right way;
    named: {wrong shape: message} for mistakes recognisable by their shape alone."""
    shape = np.shape(got)
    if shape == tuple(want_shape):
        return
    if named and tuple(shape) in named and tuple(shape) != tuple(want_shape):
        raise CheckFailed(f"{name} has shape {shape}, expected {tuple(want_shape)}: {named[tuple(shape)]}")
    if shape in ((B, T, 1), (B, 1, T), (B, 1) + tuple(want_shape[1:])):
        raise CheckFailed(f"{name} has shape {shape}, expected {tuple(want_shape)}: drop the extra axis "
                          "(e.g. [..., 0] or np.squeeze).")
    if len(shape) == 3 and shape[0] == shape[1] == B:
        raise CheckFailed(f"{name} has shape {shape}, expected {tuple(want_shape)}: your matrix product paired "
                          f"every sequence with every other one. Pair sequence b only with itself, e.g. {example}.")


# --- exercise 1: additive (Bahdanau) scores -------------------------------------------------------

ADDITIVE_HINT = ("q @ Wq has shape (B, A) and K @ Wk has shape (B, T, A): give the query a time axis, "
                 "(q @ Wq)[:, None, :], so q[b] is added to every step of sequence b. The query goes with Wq (Dq, A), "
                 "the keys with Wk (Dk, A).")
SCORE_ARGS = ("q", "K", "Wq", "Wk", "v")
DOT_HINT = "q has shape (B, D) and K (B, T, D): pair q[b] with every K[b, t], e.g. (q[:, None, :] * K).sum(-1)."


def check_additive_scores(additive_scores, hidden: bool = False) -> None:
    """additive_scores(q (B,Dq), K (B,T,Dk), Wq (Dq,A), Wk (Dk,A), v (A,)) -> scores (B, T)."""
    cases = [(2, 5, 3, 4, 6, 0, np.float64)]
    if hidden:
        cases += [(3, 4, 5, 5, 3, 11, np.float64),   # Dq == Dk: swapped projections no longer fail by shape
                  (4, 4, 2, 3, 5, 12, np.float64),   # B == T: broadcasting the query along time fits the shape
                  (3, 6, 4, 2, 7, 13, np.float32),
                  (1, 3, 2, 2, 1, 14, np.float64),
                  (2, 1, 3, 2, 4, 15, np.float64),   # T = 1: one key per sequence
                  # large projections: tanh's argument reaches about +-1000 (float64) and +-100 (float32), where a
                  # tanh written with exp overflows
                  (2, 4, 3, 3, 5, 16, np.float64, 400.0),
                  (2, 4, 3, 3, 5, 17, np.float32, 40.0)]
    for B, T, Dq, Dk, A, seed, dtype, *scale in cases:
        r = rng(seed + 100)
        q, K, _ = _qkv(B, T, Dq, 1, seed, dtype, Dk=Dk)
        if scale:
            q, K = (scale[0] * q).astype(dtype), (scale[0] * K).astype(dtype)
        Wq = (r.standard_normal((Dq, A)) / np.sqrt(Dq)).astype(dtype)
        Wk = (r.standard_normal((Dk, A)) / np.sqrt(Dk)).astype(dtype)
        v = r.standard_normal(A).astype(dtype)
        got = call_student("additive_scores", additive_scores, q, K, Wq, Wk, v, hidden=hidden, names=SCORE_ARGS,
                           on_error=ADDITIVE_HINT, **HARNESS)
        want = ref.additive_scores(q, K, Wq, Wk, v)
        assert_ndarray("your score array", got, floats=False)
        _shape_hint("your score array", got, want.shape, B, T, "np.tanh((q @ Wq)[:, None, :] + K @ Wk) @ v")
        if np.shape(got) == want.shape and not np.all(np.isfinite(np.asarray(got, dtype=float))):
            raise CheckFailed("Your scores contain NaN or inf" + (
                f" when tanh's argument is large (up to {float(np.abs((q @ Wq)[:, None, :] + K @ Wk).max()):.0f} here): "
                "a tanh written with exp, (e^2x - 1) / (e^2x + 1), overflows (inf / inf = NaN). Use np.tanh, which "
                "saturates at +-1." if scale else ".") + " " + _describe(B, T, Dq, dtype, Dk=Dk, A=A))
        qp, kp = (q @ Wq)[:, None, :], K @ Wk
        sig = lambda z: 0.5 + 0.5 * np.tanh(0.5 * z)
        mistakes = {
            "Your scores skip the tanh: e = v . tanh(q Wq + k Wk); without it the score is linear and "
            "cannot express 'this query matches that key'.": (qp + kp) @ v,
            "Your scores use the sigmoid where Bahdanau's score uses tanh.": sig(qp + kp) @ v,
            "Your scores use ReLU where Bahdanau's score uses tanh.": np.maximum(qp + kp, 0) @ v,
            "Your scores sum the A features instead of taking their dot product with v: "
            "e = v . tanh(...), i.e. tanh(...) @ v.": np.tanh(qp + kp).sum(-1),
            "Your scores ignore the query: add q Wq inside the tanh (otherwise every decoder step "
            "attends the same way).": np.tanh(kp) @ v,
            "Your scores ignore the keys: add K Wk inside the tanh.": np.broadcast_to(np.tanh(qp) @ v, (B, T)),
            "Your scores apply tanh to the query and key terms separately; add them first, then tanh: "
            "v . tanh(q Wq + k Wk). A sum of separate terms cannot depend on how q and k match.":
                np.tanh(qp) @ v + np.tanh(kp) @ v,
            "Your scores put v inside the tanh: e = v . tanh(q Wq + k Wk), the tanh comes first.":
                np.tanh((qp + kp) @ v),
        }
        if Dq == Dk:
            mistakes["Your scores swap the projections: the query goes with Wq, the keys with Wk."] = \
                np.tanh((q @ Wk)[:, None, :] + K @ Wq) @ v
        if B == T:
            mistakes["Your scores add query b to time step b of every sequence: (q @ Wq) has shape (B, A); "
                     "give it a time axis, (q @ Wq)[:, None, :], so q[b] is added to every step of sequence b."] = \
                np.tanh((q @ Wq)[None, :, :] + kp) @ v
        assert_close("your score array", got, want, mistakes=mistakes, hint=_describe(B, T, Dq, dtype, Dk=Dk, A=A))
    if hidden:
        # Closed form: v = 0 gives zero scores; Wk = 0 gives the same score at every position.
        q, K, _ = _qkv(2, 3, 2, 1, 21, np.float64)
        Wq, Wk, v = rng(22).standard_normal((2, 4)), np.zeros((2, 4)), rng(23).standard_normal(4)
        got = call_student("additive_scores", additive_scores, q, K, Wq, Wk, v, hidden=hidden, names=SCORE_ARGS,
                           on_error=ADDITIVE_HINT, **HARNESS)
        assert_close("scores with Wk = 0 (every position the same)", got, np.repeat(np.tanh(q @ Wq) @ v, 3).reshape(2, 3))
    passed("additive_scores: Bahdanau's v . tanh(q Wq + k Wk) matches" + (" (hidden cases too)" if hidden else ""))


# --- exercises 2 and 3: dot and scaled dot scores -------------------------------------------------

_DOT_CASES = [(2, 5, 3, 0, np.float64)]
_DOT_HIDDEN = [(3, 4, 4, 31, np.float64),   # T == D: summing over the wrong axis fits the shape
               (4, 4, 6, 32, np.float64),   # B == T
               (3, 7, 5, 33, np.float32),
               (1, 2, 9, 34, np.float64),
               (2, 3, 64, 35, np.float64),
               (3, 1, 4, 36, np.float64)]   # T = 1: one key per sequence


def _dot_mistakes(q, K, scaled: bool) -> dict[str, np.ndarray]:
    B, T, D = K.shape
    s = np.einsum("bd,btd->bt", q, K)
    out = {
        "Your scores use the first query q[0] for every sequence: score the keys of sequence b with its own "
        "query q[b].": np.einsum("d,btd->bt", q[0], K),
        "Your scores are cosine similarities (you normalised q and k); the dot score uses them as they are.":
            s / (np.linalg.norm(q, axis=-1)[:, None] * np.linalg.norm(K, axis=-1)),
        "Your scores are negative squared distances -|q - k|^2; the dot score is q . k.":
            -((q[:, None, :] - K) ** 2).sum(-1),
    }
    if T == D:
        out["Your scores sum over the time axis; sum over the feature axis, the last one."] = \
            (q[:, None, :] * K).sum(1) / (np.sqrt(D) if scaled else 1.0)
    if B == T:
        out["Your scores pair query b with time step b: give q a time axis, q[:, None, :] * K, "
            "so q[b] meets every key of sequence b."] = (q[None, :, :] * K).sum(-1) / (np.sqrt(D) if scaled else 1.0)
    if scaled:
        out.update({
            "Your scaled scores are missing the 1/sqrt(D) scale: divide q . k by sqrt(D), D the size of q and k.": s,
            "Your scaled scores divide by D; the scale is 1/sqrt(D) (it makes the variance 1, not 1/D).": s / D,
            "Your scaled scores multiply by sqrt(D); divide by it.": s * np.sqrt(D),
            "Your scaled scores divide by sqrt(T), the number of keys; the scale uses D, the size of q and k.":
                s / np.sqrt(T),
            "Your scaled scores divide by sqrt(B), the batch size; the scale uses D, the size of q and k.":
                s / np.sqrt(B),
            "Your scaled scores divide by 2 * D: in Python s / D ** 1/2 is (s / D) / 2, because ** binds before / ; "
            "write D ** 0.5 or np.sqrt(D).": s / (2 * D),
            "Your scaled scores divide by sqrt(B * D) (the size of the whole query array, q.size); the scale uses "
            "D = q.shape[-1], the size of one query.": s / np.sqrt(B * D),
        })
    else:
        out["Your dot scores divide by sqrt(D): that is the *scaled* dot score of the next exercise; "
            "here return plain q . k."] = s / np.sqrt(D)
    return out


def _check_dot(fn, name: str, scaled: bool, hidden: bool) -> None:
    for B, T, D, seed, dtype in _DOT_CASES + (_DOT_HIDDEN if hidden else []):
        q, K, _ = _qkv(B, T, D, 1, seed, dtype)
        got = call_student(name, fn, q, K, hidden=hidden, names=("q", "K"), on_error=DOT_HINT, **HARNESS)
        want = ref.scaled_dot_scores(q, K) if scaled else ref.dot_scores(q, K)
        assert_ndarray("your score array", got, floats=False)
        _shape_hint("your score array", got, want.shape, B, T, "np.einsum('bd,btd->bt', q, K)",
                    named={(B, D): "you summed over the time axis; sum the products over the feature axis (the last)."})
        assert_close("your score array", got, want, mistakes=_dot_mistakes(q, K, scaled), hint=_describe(B, T, D, dtype))
    if hidden:
        # Closed form: q = k = ones(D) gives D, or sqrt(D) scaled.
        for D in (1, 4, 25):
            got = call_student(name, fn, np.ones((1, D)), np.ones((1, 2, D)), hidden=hidden, names=("q", "K"),
                               on_error=DOT_HINT, **HARNESS)
            assert_close(f"scores of q = k = ones({D})", got, np.full((1, 2), np.sqrt(D) if scaled else float(D)))


def check_dot_scores(dot_scores, hidden: bool = False) -> None:
    """dot_scores(q (B,D), K (B,T,D)) -> scores (B, T) = q . k."""
    _check_dot(dot_scores, "dot_scores", False, hidden)
    passed("dot_scores: q . k matches" + (" (hidden cases too)" if hidden else ""))


def check_scaled_dot_scores(scaled_dot_scores, hidden: bool = False) -> None:
    """scaled_dot_scores(q (B,D), K (B,T,D)) -> scores (B, T) = q . k / sqrt(D)."""
    _check_dot(scaled_dot_scores, "scaled_dot_scores", True, hidden)
    if hidden:
        # Statistics: for random unit-variance q and k, scaled scores have variance about 1 whatever D is.
        for D in (16, 256):
            q, K, _ = _qkv(400, 8, D, 1, 40 + D, np.float64)
            got = as_array("your score array", call_student("scaled_dot_scores", scaled_dot_scores, q, K, hidden=hidden,
                                                            names=("q", "K"), on_error=DOT_HINT, **HARNESS))
            if not 0.8 < float(got.var()) < 1.25:
                raise CheckFailed(f"For random q, k with D={D} your scaled scores have variance {float(got.var()):.3g}; "
                                  "q . k / sqrt(D) has variance about 1.")
    passed("scaled_dot_scores: q . k / sqrt(D) matches" + (" (hidden cases too)" if hidden else ""))


# --- exercise 4: masked softmax -------------------------------------------------------------------

def _softmax_all(s, axis=-1):
    with np.errstate(all="ignore"):
        e = np.exp(s - s.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)


def _softmax_cases(hidden: bool):
    """(description, scores, mask or None, flags) where flags name what the case stresses."""
    r = rng(50)
    base = (2 * r.standard_normal((3, 5)))
    cases = [
        ("3 sequences of lengths 5, 3, 1", base, _mask(r, 3, 5, [5, 3, 1]), set()),
        ("mask=None (every position real)", base, None, set()),
        ("large scores (hundreds to thousands)", 500 * base, _mask(r, 3, 5, [5, 2, 4]), {"large"}),
        ("a row with every position masked", base, _mask(r, 3, 5, [4, 0, 2]), {"full"}),
    ]
    if hidden:
        s = r.standard_normal((5, 5))
        huge = r.standard_normal((3, 6))
        m_huge = _mask(r, 3, 6, [2, 6, 4])
        huge_pad = np.where(m_huge, huge, 1e6)
        cases += [
            ("float32, mask with holes", (3 * r.standard_normal((4, 6))).astype(np.float32), _mask(r, 4, 6, holes=True), set()),
            ("B == T", s, _mask(r, 5, 5, [5, 1, 3, 2, 4]), set()),
            ("padding positions holding huge scores (1e6)", huge_pad, m_huge, {"pad"}),
            ("scores around 1e4", 1e4 + 30 * r.standard_normal((2, 7)), _mask(r, 2, 7, [7, 5]), {"large"}),
            ("float32 scores around 100", (60 * np.abs(r.standard_normal((3, 4))) + 60).astype(np.float32),
             _mask(r, 3, 4, [4, 3, 2]), {"large"}),
            ("large scores, mask=None", 800 * r.standard_normal((2, 3)), None, {"large"}),
            ("a batch of one sequence of length one", np.array([[2.5]]), np.array([[True]]), set()),
            ("equal scores (uniform over real positions)", np.full((2, 4), 7.0), _mask(r, 2, 4, [3, 1]), set()),
            ("several fully masked rows, float32", r.standard_normal((4, 3)).astype(np.float32),
             _mask(r, 4, 3, [0, 2, 0, 3]), {"full"}),
            # every kept score far below 0 (padding zeroed by `scores * mask` then wins the maximum), float64 and float32
            ("large negative scores (around -1000) with padding", -1000 + 20 * r.standard_normal((3, 5)),
             _mask(r, 3, 5, [3, 5, 1]), {"negative"}),
            ("float32 scores around -200 with padding", (-200 + 10 * r.standard_normal((2, 4))).astype(np.float32),
             _mask(r, 2, 4, [2, 4]), {"negative"}),
            # rows on very different scales: a maximum over the whole batch (not per row) underflows the low rows
            ("rows on very different scales (around 1000, 0 and -1000)",
             np.array([[1000.0], [0.0], [-1000.0]]) + 3 * r.standard_normal((3, 4)), None, {"rows"}),
        ]
    return cases


def _diagnose_nonfinite(arr, mask, flags) -> str:
    bad_rows = ~np.all(np.isfinite(arr), axis=-1)
    if mask is not None and bool(np.any(bad_rows & ~mask.any(-1))):
        return ("Your weights are NaN for a row with every position masked (0/0). Define that case: a row with "
                "nothing to attend to gets all-zero weights (guard the division when the sum is 0).")
    if "pad" in flags:
        return ("Your weights are NaN or inf when padding holds huge scores: subtract the maximum over the *kept* "
                "positions only (padding may hold any value), e.g. after setting masked scores to -inf.")
    if "large" in flags:
        return ("Your weights overflow on large scores: exp(1000) is inf (float64 overflows above about 709, float32 "
                "above about 88), and inf/inf is NaN. Subtract each row's maximum before exp: "
                "softmax(x) = softmax(x - max x).")
    return "Your weights contain NaN or inf: look for an exp that overflows or a division by zero."


def check_masked_softmax(masked_softmax, hidden: bool = False) -> None:
    """masked_softmax(scores (B,T), mask (B,T) bool or None) -> weights (B, T)."""
    for desc, scores, mask, flags in _softmax_cases(hidden):
        got = call_student("masked_softmax", masked_softmax, scores, mask, hidden=hidden, names=("scores", "mask"), **HARNESS,
                           on_error="Remember that mask may be None (no padding): then every position is kept.")
        want = ref.masked_softmax(scores, mask)
        B, T = scores.shape
        assert_ndarray("your weight array", got, floats=False)
        arr = as_array("your weight array", got)
        if arr.shape != want.shape:
            raise CheckFailed(f"Your weight array has shape {arr.shape}, expected {want.shape} (case: {desc}); "
                              "the weights have the shape of the scores.")
        keep = np.ones_like(want, dtype=bool) if mask is None else mask
        if not np.all(np.isfinite(arr)):
            raise CheckFailed(_diagnose_nonfinite(arr, mask, flags) + f" (case: {desc})")
        rtol, atol = tolerances(scores)
        s64 = scores.astype(np.float64)
        full_rows = ~keep.any(-1)
        mistakes = {}
        if mask is not None:
            mistakes.update({
                "You applied the mask after the softmax (multiplying by it) without renormalising: padding got "
                "its share first, so your weights no longer sum to 1. Mask the scores before the softmax "
                "(set them to -inf), or renormalise.": _softmax_all(s64) * mask,
                "Your weights ignore the mask: padding positions receive weight.": _softmax_all(s64),
                "You treat True as padding; in this course mask True = keep (a real position).": ref.masked_softmax(s64, ~mask),
                "Your softmax runs over the batch axis (each column sums to 1); it must run over the time "
                "axis, the last one (axis=-1).": ref.masked_softmax(s64.T, mask.T).T,
            })
            if full_rows.any():
                uniform = want.astype(np.float64).copy()
                uniform[full_rows] = 1.0 / T
                mistakes["For a row with every position masked your weights are uniform (1/T): filling masked "
                         "scores with a large negative number does that. Such a row has nothing to attend to and "
                         "must get all-zero weights."] = uniform
        with np.errstate(all="ignore"):
            kept = np.where(keep, s64, -np.inf)
            col_top = kept.max(axis=0, keepdims=True)
            e = np.where(keep, np.exp(kept - np.where(np.isfinite(col_top), col_top, 0.0)), 0.0)
            tot = e.sum(-1, keepdims=True)
            mistakes["You subtracted the maximum of each column (axis=0, over the batch); subtract each row's own "
                     "maximum, max(axis=-1, keepdims=True): a shift must be the same for every entry of a row."] = \
                e / np.where(tot > 0, tot, 1.0)
        axis_msg = ("Your softmax runs over the batch axis (each column sums to 1); it must run over the time "
                    "axis, the last one (axis=-1)")
        mistakes[axis_msg + ("." if mask is None else ", and ignores the mask.")] = _softmax_all(s64, axis=0)
        if np.allclose(arr, want, rtol=rtol, atol=atol):
            leak = arr[~keep]
            if leak.size and np.any(leak != 0):
                raise CheckFailed(f"Padding positions receive weight (up to {float(np.abs(leak).max()):.3g}): masked "
                                  "positions must get exactly 0. Filling masked scores with a finite number such as "
                                  "-100 leaves exp(-100) > 0; use -inf or np.where(mask, ..., 0).")
            continue
        underflow = bool(np.any(arr[keep.any(-1)].sum(-1) == 0))
        if underflow and "pad" in flags:
            raise CheckFailed("Rows with real positions get all-zero weights when padding holds huge scores: your exp "
                              "underflowed. Subtract the maximum over the *kept* positions only (padding may hold "
                              "any value).")
        if underflow and "negative" in flags:
            raise CheckFailed("Rows with real positions get all-zero weights when every kept score is far below 0: "
                              "your exp underflowed. The maximum you subtract must be taken over the *kept* positions "
                              "only; padding set to 0 (e.g. scores * mask) or any other filler must not take part in "
                              f"it. (case: {desc})")
        if underflow and "rows" in flags:
            raise CheckFailed("Some rows get all-zero weights when the rows lie on very different scales: your exp "
                              "underflowed. Subtract each row's own maximum (max(axis=-1, keepdims=True)), not one "
                              f"maximum of the whole batch. (case: {desc})")
        for message, wrong in mistakes.items():
            if matches(arr, wrong, rtol, atol):
                raise CheckFailed(message)
        if full_rows.any() and np.allclose(arr[~full_rows], want[~full_rows], rtol=rtol, atol=atol):
            raise CheckFailed("For a row with every position masked your weights are not all zero: such a row has "
                              f"nothing to attend to and must get weights 0 (got {arr[full_rows][0]}).")
        if underflow:
            raise CheckFailed("Some rows with real positions get all-zero weights: your exp underflowed. Subtract the "
                              "maximum over the *kept* positions only (padding may hold any value).")
        assert_close("your weight array", arr, want, rtol=rtol, atol=atol, hint=f"(case: {desc})")
    passed("masked_softmax: stable, masked and defined for every row" + (" (hidden cases too)" if hidden else ""))


# --- exercise 5: the context vector ---------------------------------------------------------------

def check_context_vector(context_vector, hidden: bool = False) -> None:
    """context_vector(weights (B,T), V (B,T,Dv)) -> context (B, Dv) = sum_t weights[:, t] V[:, t]."""
    cases = [("softmax weights, 2 sequences", 2, 5, 3, 0, np.float64, "softmax")]
    if hidden:
        cases += [("B == T", 4, 4, 2, 61, np.float64, "softmax"),
                  ("T == Dv, float32", 3, 5, 5, 62, np.float32, "softmax"),
                  ("weights that do not sum to 1", 3, 4, 6, 63, np.float64, "raw"),
                  ("a fully masked row (all-zero weights)", 3, 6, 2, 64, np.float64, "zero-row"),
                  ("one sequence, one step", 1, 1, 3, 65, np.float64, "softmax")]
    for desc, B, T, Dv, seed, dtype, kind in cases:
        r = rng(seed + 300)
        V = r.standard_normal((B, T, Dv)).astype(dtype)
        if kind == "raw":
            w = r.uniform(0, 2, (B, T)).astype(dtype)
        else:
            lengths = r.integers(1, T + 1, B)
            if kind == "zero-row":
                lengths[1] = 0
            m = _mask(r, B, T, lengths)
            w = ref.masked_softmax(2 * r.standard_normal((B, T)), m).astype(dtype)
            V = np.where(m[..., None], V, 1e3).astype(dtype)       # padding values: zero weight must silence them
        got = call_student("context_vector", context_vector, w, V, hidden=hidden, names=("weights", "V"), **HARNESS,
                           on_error="weights has shape (B, T) and V (B, T, Dv): weights[:, :, None] * V lines them up.")
        want = ref.context_vector(w, V)
        assert_ndarray("your context vector", got, floats=False)
        _shape_hint("your context vector", got, want.shape, B, T, "(weights[:, :, None] * V).sum(1)",
                    named={(T, Dv): "you summed over the batch axis; sum over time (axis 1)."})
        arr = as_array("your context vector", got)
        if arr.shape == want.shape and not np.all(np.isfinite(arr)):
            raise CheckFailed("Your context is NaN for a row whose weights are all zero: the context vector is the "
                              "weighted sum sum_t a_t v_t, with no division (the softmax already normalised).")
        wv = w[..., None].astype(np.float64) * V
        mistakes = {
            "Your context ignores the weights (a plain average of the values); weight each v_t by a_t.": V.mean(1),
            "Your context ignores the weights (a plain sum of the values); weight each v_t by a_t.": V.sum(1),
            "Your context takes the value with the largest weight (hard attention); the context vector is the "
            "weighted sum sum_t a_t v_t.": V[np.arange(B), w.argmax(1)],
            "Your context divides by T (a mean over time); the weights already sum to 1, so sum over t.": wv.mean(1),
            "Your context divides by the sum of the weights; the context vector is sum_t a_t v_t as given, "
            "with no renormalisation.": wv.sum(1) / np.where(w.sum(1) == 0, 1, w.sum(1))[:, None],
        }
        w64 = w.astype(np.float64)
        soft = np.exp(w64 - w64.max(1, keepdims=True))
        soft = soft / soft.sum(1, keepdims=True)
        mistakes["Your context applies a softmax to the weights again; they are already the attention weights: "
                 "sum_t a_t v_t with a_t as given."] = np.einsum("bt,btd->bd", soft, V.astype(np.float64))
        if B > 1:
            mistakes["Your context uses the weights of the first sequence for every sequence: sequence b's values "
                     "are weighted by weights[b]."] = np.einsum("t,btd->bd", w64[0], V.astype(np.float64))
        if B == T:
            mistakes["Your context sums over the batch axis; sum over time (axis 1)."] = wv.sum(0)
            mistakes["Your context pairs weight row b with time step b: use weights[:, :, None] * V."] = \
                (w.T[:, :, None] * V).sum(1)
        assert_close("your context vector", arr, want, mistakes=mistakes,
                     hint=f"(case: {desc}, B={B}, T={T}, Dv={Dv}, {np.dtype(dtype).name})")
    passed("context_vector: the weighted sum of the values matches" + (" (hidden cases too)" if hidden else ""))


# --- exercise 6: scaled dot-product attention -----------------------------------------------------

def _torch_sdpa(q, K, V, mask):
    import torch
    import torch.nn.functional as F

    t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))
    m = None if mask is None else torch.as_tensor(mask)[:, None, :]
    with torch.no_grad():
        ctx = F.scaled_dot_product_attention(t(q)[:, None, :], t(K), t(V), attn_mask=m)[:, 0]
    return ctx.numpy()


def check_attention(attention, hidden: bool = False) -> None:
    """attention(q (B,D), K (B,T,D), V (B,T,Dv), mask (B,T) bool or None) -> (context (B,Dv), weights (B,T))."""
    cases = [("2 sequences with padding", 2, 5, 4, 3, 0, np.float64, [5, 3])]
    if hidden:
        cases += [("mask=None", 3, 4, 6, 2, 71, np.float64, None),
                  ("float32", 3, 6, 5, 4, 72, np.float32, [6, 2, 4]),
                  ("a fully masked row", 3, 4, 3, 3, 73, np.float64, [4, 0, 1]),
                  ("large queries and keys (scores in the thousands)", 2, 5, 8, 2, 74, np.float64, [5, 4]),
                  ("B == T == D == Dv: context and weights have the same shape", 4, 4, 4, 4, 75, np.float64,
                   [4, 3, 2, 1]),
                  ("one sequence of one step", 1, 1, 3, 2, 76, np.float64, [1]),
                  ("large negative scores with padding", 3, 5, 8, 3, 77, np.float64, [2, 5, 3])]
    for desc, B, T, D, Dv, seed, dtype, lengths in cases:
        q, K, V = _qkv(B, T, D, Dv, seed, dtype)
        if desc.startswith("large queries"):
            q, K = 30 * q, 30 * K
        if desc.startswith("large negative"):   # every score near -1000: the keys point away from the query
            K = -300 * q[:, None, :] + K
        mask = None if lengths is None else _mask(rng(seed), B, T, lengths)
        got = call_student("attention", attention, q, K, V, mask, hidden=hidden, names=("q", "K", "V", "mask"), **HARNESS,
                           on_error="Check scaled_dot_scores, masked_softmax and context_vector first.")
        ctx, w = unpack("attention", got, 2, "(context, weights)")
        want_w = ref.masked_softmax(ref.scaled_dot_scores(q.astype(np.float64), K.astype(np.float64)), mask)
        want_ctx = _torch_sdpa(q, K, V, mask)
        if np.shape(ctx) == want_w.shape and np.shape(w) == want_ctx.shape and want_w.shape != want_ctx.shape:
            raise CheckFailed("attention returned its values in the wrong order: (weights, context) instead of "
                              "(context, weights).")
        rtol, atol = tolerances(q)
        assert_order("attention", (ctx, w), (want_ctx, want_w), ("context", "weights"), rtol=rtol, atol=atol)
        assert_ndarray("your weight array", w, floats=False)
        assert_ndarray("your context vector", ctx, floats=False)
        w_arr = as_array("your weight array", w)
        if w_arr.shape == want_w.shape and not np.all(np.isfinite(w_arr)):
            flags = {"large"} if "large" in desc else set()
            raise CheckFailed(_diagnose_nonfinite(w_arr, mask, flags) + f" (case: {desc})")
        if w_arr.shape == want_w.shape and mask is not None and "negative" in desc and bool(
                np.any(w_arr[mask.any(-1)].sum(-1) == 0)):
            raise CheckFailed("Rows with real positions get all-zero weights when every score is far below 0: your "
                              "exp underflowed. Subtract the maximum over the kept positions only (padding must not "
                              f"take part in it). (case: {desc})")
        s = np.einsum("bd,btd->bt", q.astype(np.float64), K.astype(np.float64))
        w_mistakes = {
            "Your attention weights are missing the 1/sqrt(D) scale: use the scaled dot scores.": ref.masked_softmax(s, mask),
            "You returned the scores as the weights; the weights are their (masked) softmax.": s / np.sqrt(D),
            "Your softmax runs over the batch axis (each column sums to 1); it must run over the time axis, the last "
            "one.": _softmax_all(np.where(mask, s / np.sqrt(D), -np.inf) if mask is not None else s / np.sqrt(D), axis=0),
        }
        if mask is not None:
            w_mistakes["Your attention ignores the mask: pass it to masked_softmax."] = ref.masked_softmax(s / np.sqrt(D))
            w_mistakes["Your attention applies the mask after the softmax, so the weights of the real positions no "
                       "longer sum to 1: pass the mask to masked_softmax instead."] = ref.masked_softmax(s / np.sqrt(D)) * mask
        hint = f"(case: {desc}, B={B}, T={T}, D={D}, Dv={Dv}, {np.dtype(dtype).name}). Check scaled_dot_scores and masked_softmax first."
        w_got = assert_close("your weight array", w, want_w, rtol=rtol, atol=atol, mistakes=w_mistakes, hint=hint)
        if mask is not None and np.any(w_got[~mask] != 0):
            raise CheckFailed("Your attention gives padding positions weight: they must get exactly 0.")
        ctx_mistakes = {
            "Your context averages the keys K; attention averages the values V.": ref.context_vector(want_w, K)
            if K.shape[-1] == V.shape[-1] else np.zeros(0),
        }
        assert_close("your context vector (compared with torch.nn.functional.scaled_dot_product_attention)", ctx, want_ctx,
                     rtol=rtol, atol=atol, mistakes=ctx_mistakes, hint=hint)
    passed("attention matches torch's scaled_dot_product_attention" + (" (hidden cases too)" if hidden else ""))


# A student's exception out of any check_* shows the student's frames only (lstmlab.checking.harness).
student_facing(globals())
