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

Beam search (check_beam_search) is driven through a step function: hand-made and seeded random "tree" models
whose state is the prefix itself (so the check sees every hypothesis the search extends: finished ones fed
back, hypotheses past max_len), and, hidden, a small seeded date model of this lesson. The answer is compared
with lstmlab.decoding.beam_search; a wrong one is matched against the known mistakes, each re-run on the same
model (products of probabilities, averaged scores, dropped finished hypotheses, top-k per beam, the last beam
returned, an unsorted list, off-by-one max_len, reversed ties, a wrong length penalty), and its scores are
checked against the model's own log-probabilities of the returned tokens (states kept with the wrong hypothesis).
"""
from __future__ import annotations

import numpy as np

from lstmlab import attention as ref
from lstmlab import decoding as ref_dec
from lstmlab.fixtures import rng
from lstmlab.i18n import N_, _
from lstmlab.checking import (CheckFailed, as_array, assert_close, assert_ndarray, assert_number, assert_order, call_student, student_facing,
                             matches, passed, reference_functions, tolerances, torch_softmax_and_attention, unpack)


# Guard targets beyond torch's recurrent layers and the LSTM reference: the library's attention
# reference and torch's softmax / attention.
READY_MADE = reference_functions(ref) + reference_functions(ref_dec) + torch_softmax_and_attention()
ADVICE = N_("Use numpy operations instead.")
IN_PLACE = N_("compute new arrays instead (e.g. np.where(mask, scores, -np.inf) rather than writing -inf into the "
              "scores); the caller still needs them.")


def _harness() -> dict:
    """The keyword arguments of every call_student here, its messages in the current language."""
    return {"ready_made": READY_MADE, "advice": _(ADVICE), "mutation_hint": _(IN_PLACE)}


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
    return _("(case B={B}, T={T}, D={D}{extra}, {dtype})").format(B=B, T=T, D=D, extra=extra,
                                                                   dtype=np.dtype(dtype).name)


def _shape_hint(name: str, got, want_shape, B, T, example: str, named=None) -> None:
    """Name the usual broadcasting mistakes when the shape is wrong; `example` shows a right way;
    named: {wrong shape: message} for mistakes recognisable by their shape alone (name and messages translated
    by the caller)."""
    shape = np.shape(got)
    if shape == tuple(want_shape):
        return
    if named and tuple(shape) in named and tuple(shape) != tuple(want_shape):
        raise CheckFailed(_("{name} has shape {shape}, expected {want}: {why}").format(
            name=name, shape=shape, want=tuple(want_shape), why=named[tuple(shape)]))
    if shape in ((B, T, 1), (B, 1, T), (B, 1) + tuple(want_shape[1:])):
        raise CheckFailed(_("{name} has shape {shape}, expected {want}: drop the extra axis "
                            "(e.g. [..., 0] or np.squeeze).").format(name=name, shape=shape, want=tuple(want_shape)))
    if len(shape) == 3 and shape[0] == shape[1] == B:
        raise CheckFailed(_("{name} has shape {shape}, expected {want}: your matrix product paired "
                            "every sequence with every other one. Pair sequence b only with itself, e.g. {example}.")
                          .format(name=name, shape=shape, want=tuple(want_shape), example=example))


# --- exercise 1: additive (Bahdanau) scores -------------------------------------------------------

ADDITIVE_HINT = N_("q @ Wq has shape (B, A) and K @ Wk has shape (B, T, A): give the query a time axis, "
                    "(q @ Wq)[:, None, :], so q[b] is added to every step of sequence b. The query goes with Wq (Dq, A), "
                    "the keys with Wk (Dk, A).")
SCORE_ARGS = ("q", "K", "Wq", "Wk", "v")
DOT_HINT = N_("q has shape (B, D) and K (B, T, D): pair q[b] with every K[b, t], e.g. (q[:, None, :] * K).sum(-1).")


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
        q, K, _unused = _qkv(B, T, Dq, 1, seed, dtype, Dk=Dk)
        if scale:
            q, K = (scale[0] * q).astype(dtype), (scale[0] * K).astype(dtype)
        Wq = (r.standard_normal((Dq, A)) / np.sqrt(Dq)).astype(dtype)
        Wk = (r.standard_normal((Dk, A)) / np.sqrt(Dk)).astype(dtype)
        v = r.standard_normal(A).astype(dtype)
        got = call_student("additive_scores", additive_scores, q, K, Wq, Wk, v, hidden=hidden, names=SCORE_ARGS,
                           on_error=_(ADDITIVE_HINT), **_harness())
        want = ref.additive_scores(q, K, Wq, Wk, v)
        assert_ndarray(_("your score array"), got, floats=False)
        _shape_hint(_("your score array"), got, want.shape, B, T, "np.tanh((q @ Wq)[:, None, :] + K @ Wk) @ v")
        if np.shape(got) == want.shape and not np.all(np.isfinite(np.asarray(got, dtype=float))):
            case = _describe(B, T, Dq, dtype, Dk=Dk, A=A)
            if scale:
                raise CheckFailed(_("Your scores contain NaN or inf when tanh's argument is large (up to {top:.0f} "
                                    "here): a tanh written with exp, (e^2x - 1) / (e^2x + 1), overflows (inf / inf = "
                                    "NaN). Use np.tanh, which saturates at +-1. {case}").format(
                    top=float(np.abs((q @ Wq)[:, None, :] + K @ Wk).max()), case=case))
            raise CheckFailed(_("Your scores contain NaN or inf. {case}").format(case=case))
        qp, kp = (q @ Wq)[:, None, :], K @ Wk
        sig = lambda z: 0.5 + 0.5 * np.tanh(0.5 * z)
        mistakes = {
            _("Your scores skip the tanh: e = v . tanh(q Wq + k Wk); without it the score is linear and "
              "cannot express 'this query matches that key'."): (qp + kp) @ v,
            _("Your scores use the sigmoid where Bahdanau's score uses tanh."): sig(qp + kp) @ v,
            _("Your scores use ReLU where Bahdanau's score uses tanh."): np.maximum(qp + kp, 0) @ v,
            _("Your scores sum the A features instead of taking their dot product with v: "
              "e = v . tanh(...), i.e. tanh(...) @ v."): np.tanh(qp + kp).sum(-1),
            _("Your scores ignore the query: add q Wq inside the tanh (otherwise every decoder step "
              "attends the same way)."): np.tanh(kp) @ v,
            _("Your scores ignore the keys: add K Wk inside the tanh."): np.broadcast_to(np.tanh(qp) @ v, (B, T)),
            _("Your scores apply tanh to the query and key terms separately; add them first, then tanh: "
              "v . tanh(q Wq + k Wk). A sum of separate terms cannot depend on how q and k match."):
                np.tanh(qp) @ v + np.tanh(kp) @ v,
            _("Your scores put v inside the tanh: e = v . tanh(q Wq + k Wk), the tanh comes first."):
                np.tanh((qp + kp) @ v),
        }
        if Dq == Dk:
            mistakes[_("Your scores swap the projections: the query goes with Wq, the keys with Wk.")] = \
                np.tanh((q @ Wk)[:, None, :] + K @ Wq) @ v
        if B == T:
            mistakes[_("Your scores add query b to time step b of every sequence: (q @ Wq) has shape (B, A); "
                       "give it a time axis, (q @ Wq)[:, None, :], so q[b] is added to every step of sequence b.")] = \
                np.tanh((q @ Wq)[None, :, :] + kp) @ v
        assert_close(_("your score array"), got, want, mistakes=mistakes, hint=_describe(B, T, Dq, dtype, Dk=Dk, A=A))
    if hidden:
        # Closed form: v = 0 gives zero scores; Wk = 0 gives the same score at every position.
        q, K, _unused = _qkv(2, 3, 2, 1, 21, np.float64)
        Wq, Wk, v = rng(22).standard_normal((2, 4)), np.zeros((2, 4)), rng(23).standard_normal(4)
        got = call_student("additive_scores", additive_scores, q, K, Wq, Wk, v, hidden=hidden, names=SCORE_ARGS,
                           on_error=_(ADDITIVE_HINT), **_harness())
        assert_close(_("scores with Wk = 0 (every position the same)"), got,
                     np.repeat(np.tanh(q @ Wq) @ v, 3).reshape(2, 3))
    passed(_("additive_scores: Bahdanau's v . tanh(q Wq + k Wk) matches (hidden cases too)") if hidden
           else _("additive_scores: Bahdanau's v . tanh(q Wq + k Wk) matches"))


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
        _("Your scores use the first query q[0] for every sequence: score the keys of sequence b with its own "
          "query q[b]."): np.einsum("d,btd->bt", q[0], K),
        _("Your scores are cosine similarities (you normalised q and k); the dot score uses them as they are."):
            s / (np.linalg.norm(q, axis=-1)[:, None] * np.linalg.norm(K, axis=-1)),
        _("Your scores are negative squared distances -|q - k|^2; the dot score is q . k."):
            -((q[:, None, :] - K) ** 2).sum(-1),
    }
    if T == D:
        out[_("Your scores sum over the time axis; sum over the feature axis, the last one.")] = \
            (q[:, None, :] * K).sum(1) / (np.sqrt(D) if scaled else 1.0)
    if B == T:
        out[_("Your scores pair query b with time step b: give q a time axis, q[:, None, :] * K, "
              "so q[b] meets every key of sequence b.")] = (q[None, :, :] * K).sum(-1) / (np.sqrt(D) if scaled else 1.0)
    if scaled:
        out.update({
            _("Your scaled scores are missing the 1/sqrt(D) scale: divide q . k by sqrt(D), D the size of q and k."): s,
            _("Your scaled scores divide by D; the scale is 1/sqrt(D) (it makes the variance 1, not 1/D)."): s / D,
            _("Your scaled scores multiply by sqrt(D); divide by it."): s * np.sqrt(D),
            _("Your scaled scores divide by sqrt(T), the number of keys; the scale uses D, the size of q and k."):
                s / np.sqrt(T),
            _("Your scaled scores divide by sqrt(B), the batch size; the scale uses D, the size of q and k."):
                s / np.sqrt(B),
            _("Your scaled scores divide by 2 * D: in Python s / D ** 1/2 is (s / D) / 2, because ** binds before / ; "
              "write D ** 0.5 or np.sqrt(D)."): s / (2 * D),
            _("Your scaled scores divide by sqrt(B * D) (the size of the whole query array, q.size); the scale uses "
              "D = q.shape[-1], the size of one query."): s / np.sqrt(B * D),
        })
    else:
        out[_("Your dot scores divide by sqrt(D): that is the *scaled* dot score of the next exercise; "
              "here return plain q . k.")] = s / np.sqrt(D)
    return out


def _check_dot(fn, name: str, scaled: bool, hidden: bool) -> None:
    for B, T, D, seed, dtype in _DOT_CASES + (_DOT_HIDDEN if hidden else []):
        q, K, _unused = _qkv(B, T, D, 1, seed, dtype)
        got = call_student(name, fn, q, K, hidden=hidden, names=("q", "K"), on_error=_(DOT_HINT), **_harness())
        want = ref.scaled_dot_scores(q, K) if scaled else ref.dot_scores(q, K)
        assert_ndarray(_("your score array"), got, floats=False)
        _shape_hint(_("your score array"), got, want.shape, B, T, "np.einsum('bd,btd->bt', q, K)",
                    named={(B, D): _("you summed over the time axis; sum the products over the feature axis (the last).")})
        assert_close(_("your score array"), got, want, mistakes=_dot_mistakes(q, K, scaled), hint=_describe(B, T, D, dtype))
    if hidden:
        # Closed form: q = k = ones(D) gives D, or sqrt(D) scaled.
        for D in (1, 4, 25):
            got = call_student(name, fn, np.ones((1, D)), np.ones((1, 2, D)), hidden=hidden, names=("q", "K"),
                               on_error=_(DOT_HINT), **_harness())
            assert_close(_("scores of q = k = ones({D})").format(D=D), got,
                         np.full((1, 2), np.sqrt(D) if scaled else float(D)))


def check_dot_scores(dot_scores, hidden: bool = False) -> None:
    """dot_scores(q (B,D), K (B,T,D)) -> scores (B, T) = q . k."""
    _check_dot(dot_scores, "dot_scores", False, hidden)
    passed(_("dot_scores: q . k matches (hidden cases too)") if hidden else _("dot_scores: q . k matches"))


def check_scaled_dot_scores(scaled_dot_scores, hidden: bool = False) -> None:
    """scaled_dot_scores(q (B,D), K (B,T,D)) -> scores (B, T) = q . k / sqrt(D)."""
    _check_dot(scaled_dot_scores, "scaled_dot_scores", True, hidden)
    if hidden:
        # Statistics: for random unit-variance q and k, scaled scores have variance about 1 whatever D is.
        for D in (16, 256):
            q, K, _unused = _qkv(400, 8, D, 1, 40 + D, np.float64)
            got = as_array(_("your score array"), call_student("scaled_dot_scores", scaled_dot_scores, q, K,
                                                               hidden=hidden, names=("q", "K"), on_error=_(DOT_HINT),
                                                               **_harness()))
            if not 0.8 < float(got.var()) < 1.25:
                raise CheckFailed(_("For random q, k with D={D} your scaled scores have variance {var:.3g}; "
                                    "q . k / sqrt(D) has variance about 1.").format(D=D, var=float(got.var())))
    passed(_("scaled_dot_scores: q . k / sqrt(D) matches (hidden cases too)") if hidden
           else _("scaled_dot_scores: q . k / sqrt(D) matches"))


# --- exercise 4: masked softmax -------------------------------------------------------------------

def _softmax_all(s, axis=-1):
    with np.errstate(all="ignore"):
        e = np.exp(s - s.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)


def _softmax_cases(hidden: bool):
    """(description, scores, mask or None, flags) where flags name what the case stresses.

    Descriptions are marked for translation (N_) and shown with _(desc)."""
    r = rng(50)
    base = (2 * r.standard_normal((3, 5)))
    cases = [
        (N_("3 sequences of lengths 5, 3, 1"), base, _mask(r, 3, 5, [5, 3, 1]), set()),
        (N_("mask=None (every position real)"), base, None, set()),
        (N_("large scores (hundreds to thousands)"), 500 * base, _mask(r, 3, 5, [5, 2, 4]), {"large"}),
        (N_("a row with every position masked"), base, _mask(r, 3, 5, [4, 0, 2]), {"full"}),
    ]
    if hidden:
        s = r.standard_normal((5, 5))
        huge = r.standard_normal((3, 6))
        m_huge = _mask(r, 3, 6, [2, 6, 4])
        huge_pad = np.where(m_huge, huge, 1e6)
        cases += [
            (N_("float32, mask with holes"), (3 * r.standard_normal((4, 6))).astype(np.float32),
             _mask(r, 4, 6, holes=True), set()),
            (N_("B == T"), s, _mask(r, 5, 5, [5, 1, 3, 2, 4]), set()),
            (N_("padding positions holding huge scores (1e6)"), huge_pad, m_huge, {"pad"}),
            (N_("scores around 1e4"), 1e4 + 30 * r.standard_normal((2, 7)), _mask(r, 2, 7, [7, 5]), {"large"}),
            (N_("float32 scores around 100"), (60 * np.abs(r.standard_normal((3, 4))) + 60).astype(np.float32),
             _mask(r, 3, 4, [4, 3, 2]), {"large"}),
            (N_("large scores, mask=None"), 800 * r.standard_normal((2, 3)), None, {"large"}),
            (N_("a batch of one sequence of length one"), np.array([[2.5]]), np.array([[True]]), set()),
            (N_("equal scores (uniform over real positions)"), np.full((2, 4), 7.0), _mask(r, 2, 4, [3, 1]), set()),
            (N_("several fully masked rows, float32"), r.standard_normal((4, 3)).astype(np.float32),
             _mask(r, 4, 3, [0, 2, 0, 3]), {"full"}),
            # every kept score far below 0 (padding zeroed by `scores * mask` then wins the maximum), float64 and float32
            (N_("large negative scores (around -1000) with padding"), -1000 + 20 * r.standard_normal((3, 5)),
             _mask(r, 3, 5, [3, 5, 1]), {"negative"}),
            (N_("float32 scores around -200 with padding"), (-200 + 10 * r.standard_normal((2, 4))).astype(np.float32),
             _mask(r, 2, 4, [2, 4]), {"negative"}),
            # rows on very different scales: a maximum over the whole batch (not per row) underflows the low rows
            (N_("rows on very different scales (around 1000, 0 and -1000)"),
             np.array([[1000.0], [0.0], [-1000.0]]) + 3 * r.standard_normal((3, 4)), None, {"rows"}),
        ]
    return cases


def _diagnose_nonfinite(arr, mask, flags) -> str:
    bad_rows = ~np.all(np.isfinite(arr), axis=-1)
    if mask is not None and bool(np.any(bad_rows & ~mask.any(-1))):
        return _("Your weights are NaN for a row with every position masked (0/0). Define that case: a row with "
                 "nothing to attend to gets all-zero weights (guard the division when the sum is 0).")
    if "pad" in flags:
        return _("Your weights are NaN or inf when padding holds huge scores: subtract the maximum over the *kept* "
                 "positions only (padding may hold any value), e.g. after setting masked scores to -inf.")
    if "large" in flags:
        return _("Your weights overflow on large scores: exp(1000) is inf (float64 overflows above about 709, float32 "
                 "above about 88), and inf/inf is NaN. Subtract each row's maximum before exp: "
                 "softmax(x) = softmax(x - max x).")
    return _("Your weights contain NaN or inf: look for an exp that overflows or a division by zero.")


def _case(desc: str) -> str:
    """' (case: desc)', the description translated: the tail of the masked-softmax and attention messages."""
    return " " + _("(case: {desc})").format(desc=_(desc))


def check_masked_softmax(masked_softmax, hidden: bool = False) -> None:
    """masked_softmax(scores (B,T), mask (B,T) bool or None) -> weights (B, T)."""
    for desc, scores, mask, flags in _softmax_cases(hidden):
        got = call_student("masked_softmax", masked_softmax, scores, mask, hidden=hidden, names=("scores", "mask"),
                           **_harness(),
                           on_error=_("Remember that mask may be None (no padding): then every position is kept."))
        want = ref.masked_softmax(scores, mask)
        B, T = scores.shape
        assert_ndarray(_("your weight array"), got, floats=False)
        arr = as_array(_("your weight array"), got)
        if arr.shape != want.shape:
            raise CheckFailed(_("Your weight array has shape {shape}, expected {want} (case: {desc}); "
                                "the weights have the shape of the scores.").format(shape=arr.shape, want=want.shape,
                                                                                    desc=_(desc)))
        keep = np.ones_like(want, dtype=bool) if mask is None else mask
        if not np.all(np.isfinite(arr)):
            raise CheckFailed(_diagnose_nonfinite(arr, mask, flags) + _case(desc))
        rtol, atol = tolerances(scores)
        s64 = scores.astype(np.float64)
        full_rows = ~keep.any(-1)
        mistakes = {}
        if mask is not None:
            mistakes.update({
                _("You applied the mask after the softmax (multiplying by it) without renormalising: padding got "
                  "its share first, so your weights no longer sum to 1. Mask the scores before the softmax "
                  "(set them to -inf), or renormalise."): _softmax_all(s64) * mask,
                _("Your weights ignore the mask: padding positions receive weight."): _softmax_all(s64),
                _("You treat True as padding; in this course mask True = keep (a real position)."):
                    ref.masked_softmax(s64, ~mask),
                _("Your softmax runs over the batch axis (each column sums to 1); it must run over the time "
                  "axis, the last one (axis=-1)."): ref.masked_softmax(s64.T, mask.T).T,
            })
            if full_rows.any():
                uniform = want.astype(np.float64).copy()
                uniform[full_rows] = 1.0 / T
                mistakes[_("For a row with every position masked your weights are uniform (1/T): filling masked "
                           "scores with a large negative number does that. Such a row has nothing to attend to and "
                           "must get all-zero weights.")] = uniform
        with np.errstate(all="ignore"):
            kept = np.where(keep, s64, -np.inf)
            col_top = kept.max(axis=0, keepdims=True)
            e = np.where(keep, np.exp(kept - np.where(np.isfinite(col_top), col_top, 0.0)), 0.0)
            tot = e.sum(-1, keepdims=True)
            mistakes[_("You subtracted the maximum of each column (axis=0, over the batch); subtract each row's own "
                       "maximum, max(axis=-1, keepdims=True): a shift must be the same for every entry of a row.")] = \
                e / np.where(tot > 0, tot, 1.0)
        if mask is None:
            axis_msg = _("Your softmax runs over the batch axis (each column sums to 1); it must run over the time "
                         "axis, the last one (axis=-1).")
        else:
            axis_msg = _("Your softmax runs over the batch axis (each column sums to 1); it must run over the time "
                         "axis, the last one (axis=-1), and ignores the mask.")
        mistakes[axis_msg] = _softmax_all(s64, axis=0)
        if np.allclose(arr, want, rtol=rtol, atol=atol):
            leak = arr[~keep]
            if leak.size and np.any(leak != 0):
                raise CheckFailed(_("Padding positions receive weight (up to {top:.3g}): masked "
                                    "positions must get exactly 0. Filling masked scores with a finite number such as "
                                    "-100 leaves exp(-100) > 0; use -inf or np.where(mask, ..., 0).")
                                  .format(top=float(np.abs(leak).max())))
            continue
        underflow = bool(np.any(arr[keep.any(-1)].sum(-1) == 0))
        if underflow and "pad" in flags:
            raise CheckFailed(_("Rows with real positions get all-zero weights when padding holds huge scores: your exp "
                                "underflowed. Subtract the maximum over the *kept* positions only (padding may hold "
                                "any value)."))
        if underflow and "negative" in flags:
            raise CheckFailed(_("Rows with real positions get all-zero weights when every kept score is far below 0: "
                                "your exp underflowed. The maximum you subtract must be taken over the *kept* positions "
                                "only; padding set to 0 (e.g. scores * mask) or any other filler must not take part in "
                                "it. (case: {desc})").format(desc=_(desc)))
        if underflow and "rows" in flags:
            raise CheckFailed(_("Some rows get all-zero weights when the rows lie on very different scales: your exp "
                                "underflowed. Subtract each row's own maximum (max(axis=-1, keepdims=True)), not one "
                                "maximum of the whole batch. (case: {desc})").format(desc=_(desc)))
        for message, wrong in mistakes.items():
            if matches(arr, wrong, rtol, atol):
                raise CheckFailed(message)
        if full_rows.any() and np.allclose(arr[~full_rows], want[~full_rows], rtol=rtol, atol=atol):
            raise CheckFailed(_("For a row with every position masked your weights are not all zero: such a row has "
                                "nothing to attend to and must get weights 0 (got {row}).").format(row=arr[full_rows][0]))
        if underflow:
            raise CheckFailed(_("Some rows with real positions get all-zero weights: your exp underflowed. Subtract the "
                                "maximum over the *kept* positions only (padding may hold any value)."))
        assert_close(_("your weight array"), arr, want, rtol=rtol, atol=atol,
                     hint=_("(case: {desc})").format(desc=_(desc)))
    passed(_("masked_softmax: stable, masked and defined for every row (hidden cases too)") if hidden
           else _("masked_softmax: stable, masked and defined for every row"))


# --- exercise 5: the context vector ---------------------------------------------------------------

def check_context_vector(context_vector, hidden: bool = False) -> None:
    """context_vector(weights (B,T), V (B,T,Dv)) -> context (B, Dv) = sum_t weights[:, t] V[:, t]."""
    cases = [(N_("softmax weights, 2 sequences"), 2, 5, 3, 0, np.float64, "softmax")]
    if hidden:
        cases += [(N_("B == T"), 4, 4, 2, 61, np.float64, "softmax"),
                  (N_("T == Dv, float32"), 3, 5, 5, 62, np.float32, "softmax"),
                  (N_("weights that do not sum to 1"), 3, 4, 6, 63, np.float64, "raw"),
                  (N_("a fully masked row (all-zero weights)"), 3, 6, 2, 64, np.float64, "zero-row"),
                  (N_("one sequence, one step"), 1, 1, 3, 65, np.float64, "softmax")]
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
        got = call_student("context_vector", context_vector, w, V, hidden=hidden, names=("weights", "V"), **_harness(),
                           on_error=_("weights has shape (B, T) and V (B, T, Dv): weights[:, :, None] * V lines them up."))
        want = ref.context_vector(w, V)
        assert_ndarray(_("your context vector"), got, floats=False)
        _shape_hint(_("your context vector"), got, want.shape, B, T, "(weights[:, :, None] * V).sum(1)",
                    named={(T, Dv): _("you summed over the batch axis; sum over time (axis 1).")})
        arr = as_array(_("your context vector"), got)
        if arr.shape == want.shape and not np.all(np.isfinite(arr)):
            raise CheckFailed(_("Your context is NaN for a row whose weights are all zero: the context vector is the "
                                "weighted sum sum_t a_t v_t, with no division (the softmax already normalised)."))
        wv = w[..., None].astype(np.float64) * V
        mistakes = {
            _("Your context ignores the weights (a plain average of the values); weight each v_t by a_t."): V.mean(1),
            _("Your context ignores the weights (a plain sum of the values); weight each v_t by a_t."): V.sum(1),
            _("Your context takes the value with the largest weight (hard attention); the context vector is the "
              "weighted sum sum_t a_t v_t."): V[np.arange(B), w.argmax(1)],
            _("Your context divides by T (a mean over time); the weights already sum to 1, so sum over t."): wv.mean(1),
            _("Your context divides by the sum of the weights; the context vector is sum_t a_t v_t as given, "
              "with no renormalisation."): wv.sum(1) / np.where(w.sum(1) == 0, 1, w.sum(1))[:, None],
        }
        w64 = w.astype(np.float64)
        soft = np.exp(w64 - w64.max(1, keepdims=True))
        soft = soft / soft.sum(1, keepdims=True)
        mistakes[_("Your context applies a softmax to the weights again; they are already the attention weights: "
                   "sum_t a_t v_t with a_t as given.")] = np.einsum("bt,btd->bd", soft, V.astype(np.float64))
        if B > 1:
            mistakes[_("Your context uses the weights of the first sequence for every sequence: sequence b's values "
                       "are weighted by weights[b].")] = np.einsum("t,btd->bd", w64[0], V.astype(np.float64))
        if B == T:
            mistakes[_("Your context sums over the batch axis; sum over time (axis 1).")] = wv.sum(0)
            mistakes[_("Your context pairs weight row b with time step b: use weights[:, :, None] * V.")] = \
                (w.T[:, :, None] * V).sum(1)
        assert_close(_("your context vector"), arr, want, mistakes=mistakes,
                     hint=_("(case: {desc}, B={B}, T={T}, Dv={Dv}, {dtype})").format(
                         desc=_(desc), B=B, T=T, Dv=Dv, dtype=np.dtype(dtype).name))
    passed(_("context_vector: the weighted sum of the values matches (hidden cases too)") if hidden
           else _("context_vector: the weighted sum of the values matches"))


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
    cases = [(N_("2 sequences with padding"), 2, 5, 4, 3, 0, np.float64, [5, 3])]
    if hidden:
        cases += [(N_("mask=None"), 3, 4, 6, 2, 71, np.float64, None),
                  (N_("float32"), 3, 6, 5, 4, 72, np.float32, [6, 2, 4]),
                  (N_("a fully masked row"), 3, 4, 3, 3, 73, np.float64, [4, 0, 1]),
                  (N_("large queries and keys (scores in the thousands)"), 2, 5, 8, 2, 74, np.float64, [5, 4]),
                  (N_("B == T == D == Dv: context and weights have the same shape"), 4, 4, 4, 4, 75, np.float64,
                   [4, 3, 2, 1]),
                  (N_("one sequence of one step"), 1, 1, 3, 2, 76, np.float64, [1]),
                  (N_("large negative scores with padding"), 3, 5, 8, 3, 77, np.float64, [2, 5, 3])]
    for desc, B, T, D, Dv, seed, dtype, lengths in cases:
        # desc stays English here (it selects the case's inputs); messages show _(desc)
        q, K, V = _qkv(B, T, D, Dv, seed, dtype)
        if desc.startswith("large queries"):
            q, K = 30 * q, 30 * K
        if desc.startswith("large negative"):   # every score near -1000: the keys point away from the query
            K = -300 * q[:, None, :] + K
        mask = None if lengths is None else _mask(rng(seed), B, T, lengths)
        got = call_student("attention", attention, q, K, V, mask, hidden=hidden, names=("q", "K", "V", "mask"),
                           **_harness(), on_error=_("Check scaled_dot_scores, masked_softmax and context_vector first."))
        ctx, w = unpack("attention", got, 2, "(context, weights)")
        want_w = ref.masked_softmax(ref.scaled_dot_scores(q.astype(np.float64), K.astype(np.float64)), mask)
        want_ctx = _torch_sdpa(q, K, V, mask)
        if np.shape(ctx) == want_w.shape and np.shape(w) == want_ctx.shape and want_w.shape != want_ctx.shape:
            raise CheckFailed(_("attention returned its values in the wrong order: (weights, context) instead of "
                                "(context, weights)."))
        rtol, atol = tolerances(q)
        assert_order("attention", (ctx, w), (want_ctx, want_w), ("context", "weights"), rtol=rtol, atol=atol)
        assert_ndarray(_("your weight array"), w, floats=False)
        assert_ndarray(_("your context vector"), ctx, floats=False)
        w_arr = as_array(_("your weight array"), w)
        if w_arr.shape == want_w.shape and not np.all(np.isfinite(w_arr)):
            flags = {"large"} if "large" in desc else set()
            raise CheckFailed(_diagnose_nonfinite(w_arr, mask, flags) + _case(desc))
        if w_arr.shape == want_w.shape and mask is not None and "negative" in desc and bool(
                np.any(w_arr[mask.any(-1)].sum(-1) == 0)):
            raise CheckFailed(_("Rows with real positions get all-zero weights when every score is far below 0: your "
                                "exp underflowed. Subtract the maximum over the kept positions only (padding must not "
                                "take part in it). (case: {desc})").format(desc=_(desc)))
        s = np.einsum("bd,btd->bt", q.astype(np.float64), K.astype(np.float64))
        w_mistakes = {
            _("Your attention weights are missing the 1/sqrt(D) scale: use the scaled dot scores."):
                ref.masked_softmax(s, mask),
            _("You returned the scores as the weights; the weights are their (masked) softmax."): s / np.sqrt(D),
            _("Your softmax runs over the batch axis (each column sums to 1); it must run over the time axis, the last "
              "one."): _softmax_all(np.where(mask, s / np.sqrt(D), -np.inf) if mask is not None else s / np.sqrt(D),
                                    axis=0),
        }
        if mask is not None:
            w_mistakes[_("Your attention ignores the mask: pass it to masked_softmax.")] = ref.masked_softmax(s / np.sqrt(D))
            w_mistakes[_("Your attention applies the mask after the softmax, so the weights of the real positions no "
                         "longer sum to 1: pass the mask to masked_softmax instead.")] = \
                ref.masked_softmax(s / np.sqrt(D)) * mask
        hint = _("(case: {desc}, B={B}, T={T}, D={D}, Dv={Dv}, {dtype}). Check scaled_dot_scores and masked_softmax "
                 "first.").format(desc=_(desc), B=B, T=T, D=D, Dv=Dv, dtype=np.dtype(dtype).name)
        w_got = assert_close(_("your weight array"), w, want_w, rtol=rtol, atol=atol, mistakes=w_mistakes, hint=hint)
        if mask is not None and np.any(w_got[~mask] != 0):
            raise CheckFailed(_("Your attention gives padding positions weight: they must get exactly 0."))
        ctx_mistakes = {
            _("Your context averages the keys K; attention averages the values V."): ref.context_vector(want_w, K)
            if K.shape[-1] == V.shape[-1] else np.zeros(0),
        }
        assert_close(_("your context vector (compared with torch.nn.functional.scaled_dot_product_attention)"), ctx,
                     want_ctx, rtol=rtol, atol=atol, mistakes=ctx_mistakes, hint=hint)
    passed(_("attention matches torch's scaled_dot_product_attention (hidden cases too)") if hidden
           else _("attention matches torch's scaled_dot_product_attention"))


# --- exercise 7: beam search ------------------------------------------------------------------------

class _TreeModel:
    """A hand-made language model over V tokens whose state is the tuple of tokens read so far (bos first).

    log p(next | context) comes from `table[context]` (probabilities, for the hand-made cases) or, for any
    other context, from a seeded random distribution of that context (scale: how peaked; eos_bias: how
    likely the end token). `fed` records every (context before the token, token) the search asked about.
    """

    def __init__(self, V: int, eos, seed: int, table=None, scale: float = 1.5, eos_bias: float = 0.0):
        self.V, self.eos, self.seed, self.scale, self.eos_bias = V, eos, seed, scale, eos_bias
        self.table = {k: np.log(np.asarray(v, dtype=np.float64) / np.sum(v)) for k, v in (table or {}).items()}
        self.fed: list[tuple[tuple, int]] = []
        self.rows = 0

    def log_probs(self, context: tuple) -> np.ndarray:
        if context in self.table:
            return self.table[context]
        key = context if len(context) <= 12 else (len(context),) + context[-4:]   # long outputs: a 4th-order chain
        z = self.scale * np.random.default_rng([self.seed, *key]).standard_normal(self.V)
        if self.eos is not None:
            z[self.eos] += self.eos_bias
        z = z - z.max()
        return z - np.log(np.exp(z).sum())

    def score(self, bos: int, tokens) -> float:
        """Summed log-probability of `tokens` (bos excluded) under the model."""
        context, total = (bos,), 0.0
        for tok in tokens:
            total += float(self.log_probs(context)[tok])
            context = context + (int(tok),)
        return total

    def step_fn(self, record: bool = True):
        def step_fn(tokens, states):
            tokens = [int(t) for t in np.asarray(tokens).reshape(-1)]
            states = list(states)
            if len(tokens) != len(states):
                raise ValueError(_("step_fn got {tokens} tokens but {states} states: pass one state per "
                                   "hypothesis, in the same order as the tokens").format(tokens=len(tokens),
                                                                                         states=len(states)))
            out, new = np.zeros((len(tokens), self.V)), []
            for i, (tok, state) in enumerate(zip(tokens, states)):
                if record:
                    self.fed.append((tuple(state), tok))
                    self.rows += 1
                context = tuple(int(x) for x in state) + (tok,)
                out[i] = self.log_probs(context)
                new.append(context)
            return out, new
        return step_fn


def _variant(model: _TreeModel, bos, eos, k, max_len, alpha=0.0, mistake=None):
    """lstmlab.decoding.beam_search's algorithm, or the same with one known mistake (for the diagnoses)."""
    step = model.step_fn(record=False)
    if mistake == "max_len-1":
        return ref_dec.beam_search(step, (), bos, eos, k, max_len - 1, alpha)
    if mistake == "max_len+1":
        return ref_dec.beam_search(step, (), bos, eos, k, max_len + 1, alpha)
    alive, finished, last_kept = [([], 0.0, ())], [], []
    for t in range(max_len):
        lp, states = step(np.array([h[-1] if h else bos for h, _, _ in alive]), [s for _, _, s in alive])
        scores = np.array([sc for _, sc, _ in alive])
        if mistake == "product":
            total = scores[:, None] * np.exp(lp) if t else np.exp(lp)
        else:
            total = scores[:, None] + lp
        V = lp.shape[1]
        slots = k if mistake == "drop_finished" else k - len(finished)
        if mistake == "per_beam" and t:
            order = [i * V + int(np.argmax(total[i])) for i in range(len(alive))]
        elif mistake == "ties_reversed":
            order = np.argsort(total.ravel(), kind="stable")[::-1][:slots]
        else:
            order = np.argsort(-total.ravel(), kind="stable")[:slots]
        nxt, last_kept = [], []
        for flat in order:
            i, v = divmod(int(flat), V)
            hyp = (alive[i][0] + [v], float(total[i, v]))
            last_kept.append(hyp)
            if v == eos:
                if mistake != "drop_finished":
                    finished.append(hyp)
            else:
                nxt.append(hyp + (states[i],))
        alive = nxt
        if not alive:
            break
    if mistake == "last_beam":
        finished = last_kept
    else:
        finished = finished + [(h, sc) for h, sc, _ in alive]
    if mistake == "average":
        ranked = [(h, sc / len(h)) for h, sc in finished]
    elif mistake == "penalty_ignored":
        ranked = list(finished)
    elif mistake == "penalty_power":
        ranked = [(h, sc / len(h) ** alpha) for h, sc in finished]
    elif mistake == "penalty_multiplied":
        ranked = [(h, sc * ref_dec.length_penalty(len(h), alpha)) for h, sc in finished]
    elif mistake == "product":
        ranked = list(finished)
    else:
        ranked = [(h, sc / ref_dec.length_penalty(len(h), alpha)) for h, sc in finished]
    if mistake != "unsorted":
        ranked.sort(key=lambda hyp: -hyp[1])
    return ranked[:k]


BEAM_MISTAKES = {
    "product": N_("Your scores multiply probabilities: sum the log-probabilities instead (score + log_probs[i, v]). "
                  "The ranking is the same in exact arithmetic, but the returned score must be a log-probability, and "
                  "a product of a few hundred probabilities underflows to 0.0, after which every hypothesis ties."),
    "average": N_("Your scores average the log-probabilities (divide by the length): the score is their sum, with no "
                  "normalisation unless length_penalty > 0."),
    "drop_finished": N_("Your search drops the hypotheses that end with eos: keep them aside in a finished list "
                        "(they are not extended, and the beam has one slot fewer), and rank them with the others at "
                        "the end."),
    "per_beam": N_("Your search extends each hypothesis by its own best token (top-k per beam): the k hypotheses "
                   "kept at each step are the k best of ALL candidates, every alive hypothesis times every token "
                   "(N * V of them), e.g. np.argsort(-total.ravel(), kind='stable')[:k]."),
    "last_beam": N_("Your search returns the hypotheses of its last step instead of the best finished ones: "
                    "collect every hypothesis that ends with eos (at any step) and return the best of them."),
    "unsorted": N_("Your list is not sorted best first: sort the finished hypotheses by score, highest first "
                   "(a stable sort, so equal scores keep the order in which they finished)."),
    "max_len-1": N_("Your hypotheses stop one token short: max_len is the most tokens a hypothesis may hold, eos "
                    "included, so the search runs max_len steps."),
    "max_len+1": N_("Your search runs one step too many: max_len is the most tokens a hypothesis may hold, eos "
                    "included (range(max_len) steps)."),
    "ties_reversed": N_("Ties go the wrong way: on equal scores keep the candidate of the better-ranked hypothesis, "
                        "then the smaller token id (a stable sort of -scores: np.argsort(-total.ravel(), "
                        "kind='stable')); np.argsort(total)[::-1] prefers the larger id."),
    "penalty_ignored": N_("Your search ignores length_penalty: with alpha > 0 rank the finished hypotheses by "
                          "score / lp, lp = ((5 + len(tokens)) / 6) ** alpha (Wu et al. 2016), and return that score."),
    "penalty_power": N_("Your length penalty is len ** alpha; Wu et al.'s is lp = ((5 + len(tokens)) / 6) ** alpha."),
    "penalty_multiplied": N_("Your search multiplies the score by the length penalty; divide it: score / lp "
                             "(log-probabilities are negative, so dividing by lp > 1 favours longer hypotheses)."),
}
BEAM_HINT = N_("step_fn(tokens, states) takes the last token of each alive hypothesis (bos at the first step) and a "
               "list with one state per hypothesis, and returns (log_probs (N, V), new_states list of N).")


def _beam_mistake(name: str) -> str:
    """BEAM_MISTAKES[name] in the current language."""
    return _(BEAM_MISTAKES[name])


def _hyps(got, k: int, max_len: int, eos) -> list[tuple[list[int], float]]:
    """The student's result as [(tokens, score)], checked for type and the limits every answer obeys."""
    if got is None:
        raise CheckFailed(_("beam_search returned None: did it forget to `return` the list of hypotheses?"))
    if not isinstance(got, (list, tuple)) or not got:
        if isinstance(got, (list, tuple)):
            raise CheckFailed(_("beam_search should return a non-empty list of (tokens, score) pairs, got "
                                "{kind} of length 0.").format(kind=type(got).__name__))
        raise CheckFailed(_("beam_search should return a non-empty list of (tokens, score) pairs, got "
                            "{kind}.").format(kind=type(got).__name__))
    out = []
    for n, item in enumerate(got):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise CheckFailed(_("beam_search's item {n} should be a (tokens, score) pair, got {kind}.").format(
                n=n, kind=type(item).__name__))
        toks, score = item
        if isinstance(toks, (int, float, np.number)) and isinstance(score, (list, tuple, np.ndarray)):
            raise CheckFailed(_("beam_search's pairs are in the wrong order: (score, tokens) instead of (tokens, score)."))
        arr = np.asarray(toks)
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            if arr.dtype.kind not in "iuO":
                raise CheckFailed(_("beam_search's tokens should be a list of ints, got {kind} of dtype {dtype}.")
                                  .format(kind=type(toks).__name__, dtype=arr.dtype))
            raise CheckFailed(_("beam_search's tokens should be a list of ints, got {kind}.").format(
                kind=type(toks).__name__))
        score = assert_number(_("the score of hypothesis {n}").format(n=n), score)
        out.append(([int(t) for t in arr], score))
    if len(out) > k:
        raise CheckFailed(_("beam_search returned {n} hypotheses; with beam width k = {k} it returns at most k.")
                          .format(n=len(out), k=k))
    for toks, _score in out:
        if eos is not None and eos in toks[:-1]:
            raise CheckFailed(_("A hypothesis you returned goes on after eos ({tokens}): a hypothesis that ends with eos "
                                "is finished; keep it aside and never extend it.").format(tokens=toks))
        if len(toks) > max_len:
            raise CheckFailed(_beam_mistake("max_len+1") + " " + _("(a hypothesis of {n} tokens, max_len = {max_len})")
                              .format(n=len(toks), max_len=max_len))
    return out


def _same(a, b) -> bool:
    return len(a) == len(b) and all(ta == tb and np.isclose(sa, sb, rtol=1e-7, atol=1e-9)
                                    for (ta, sa), (tb, sb) in zip(a, b))


def _show(hyps) -> str:
    return "; ".join(_("{tokens} (score {score:.4f})").format(tokens=toks, score=score) for toks, score in hyps)


def _beam_case(beam_search, model: _TreeModel, bos, eos, k, max_len, alpha, desc, hidden, mistakes=()):
    model.fed, model.rows = [], 0
    kwargs = {} if alpha is None else {"length_penalty": alpha}
    got = call_student("beam_search", beam_search, model.step_fn(), (), bos, eos, k, max_len, hidden=hidden,
                       names=("step_fn", "start_state", "bos", "eos", "k", "max_len"), **_harness(),
                       on_error=_(BEAM_HINT), **kwargs)
    alpha = alpha or 0.0
    if alpha:
        case = _("(case: {desc}; k={k}, max_len={max_len}, eos={eos}, length_penalty={alpha})").format(
            desc=_(desc), k=k, max_len=max_len, eos=eos, alpha=alpha)
    else:
        case = _("(case: {desc}; k={k}, max_len={max_len}, eos={eos})").format(desc=_(desc), k=k, max_len=max_len,
                                                                              eos=eos)
    for context, tok in model.fed:
        if eos is not None and (tok == eos or eos in context[1:]):
            raise CheckFailed(_("Your search extends a finished hypothesis (it fed eos back into step_fn): a "
                                "hypothesis that ends with eos goes to the finished list and is never extended. "
                                "{case}").format(case=case))
        if len(context) >= max_len + 1:
            raise CheckFailed(_beam_mistake("max_len+1") + " " + case)
    if isinstance(got, (list, tuple)) and not got and eos is not None:
        raise CheckFailed(_("beam_search returned an empty list.") + " " + _beam_mistake("drop_finished") + " " + case)
    hyps = _hyps(got, k, max_len, eos)
    want = ref_dec.beam_search(model.step_fn(record=False), (), bos, eos, k, max_len, alpha)
    if _same(hyps, want):
        return
    if all(toks and toks[0] == bos for toks, _s in hyps) and _same([(t[1:], sc) for t, sc in hyps], want):
        raise CheckFailed(_("Your hypotheses start with bos: bos is only the first input to step_fn, not part of the "
                            "output; return the generated tokens (eos included when a hypothesis finished). {case}")
                          .format(case=case))
    for toks, score in hyps:
        true = model.score(bos, toks)
        ranked = true / ref_dec.length_penalty(len(toks), alpha)
        if not np.isclose(score, ranked, rtol=1e-7, atol=1e-9):
            if np.isclose(score, np.exp(true), rtol=1e-7, atol=1e-300):
                raise CheckFailed(_beam_mistake("product") + " " + case)
            if alpha and np.isclose(score, true, rtol=1e-7, atol=1e-9):
                raise CheckFailed(_beam_mistake("penalty_ignored") + " " + case)
            if alpha and toks and np.isclose(score, true / len(toks) ** alpha, rtol=1e-7, atol=1e-9):
                raise CheckFailed(_beam_mistake("penalty_power") + " " + case)
            if alpha and np.isclose(score, true * ref_dec.length_penalty(len(toks), alpha), rtol=1e-7, atol=1e-9):
                raise CheckFailed(_beam_mistake("penalty_multiplied") + " " + case)
            if toks and np.isclose(score, true / len(toks), rtol=1e-7, atol=1e-9) and len(toks) > 1:
                raise CheckFailed(_beam_mistake("average") + " " + case)
            if alpha:
                raise CheckFailed(_("The score you return for {tokens} is {score:.6g}, but its summed log-probability "
                                    "under the model is {true:.6g} (divided by lp: {ranked:.6g}): when you keep a "
                                    "candidate, keep its tokens, its score and its state together (the state of the "
                                    "hypothesis it extends, from new_states). {case}").format(
                    tokens=toks, score=score, true=true, ranked=ranked, case=case))
            raise CheckFailed(_("The score you return for {tokens} is {score:.6g}, but its summed log-probability under "
                                "the model is {true:.6g}: when you keep a candidate, keep its tokens, its score and its "
                                "state together (the state of the hypothesis it extends, from new_states). {case}")
                              .format(tokens=toks, score=score, true=true, case=case))
    for name in mistakes:
        if _same(hyps, _variant(model, bos, eos, k, max_len, alpha, name)):
            raise CheckFailed(_beam_mistake(name) + " " + case)
    if k == 1:
        greedy = ref_dec.greedy_decode(model.step_fn(record=False), (), bos, eos, max_len)
        raise CheckFailed(_("With k = 1 beam search must be greedy decoding (the most likely token at every step, first "
                            "maximum on ties): greedy writes {tokens} (score {score:.4f}), yours {yours}. {case}")
                          .format(tokens=greedy[0], score=greedy[1], yours=_show(hyps), case=case))
    if eos is not None and any(t and t[-1] == eos for t, _s in want) and not any(t and t[-1] == eos for t, _s in hyps):
        raise CheckFailed(_beam_mistake("drop_finished") + " " + case)
    if sorted(hyps, key=lambda h: -h[1]) != hyps:
        raise CheckFailed(_beam_mistake("unsorted") + " " + case)
    raise CheckFailed(_("beam_search returned {got}; expected {want} {case}").format(got=_show(hyps), want=_show(want),
                                                                                    case=case))


# greedy misses the best: after bos, 'a' (0.5) beats 'b' (0.4), but 'b' is almost always followed by eos
# (0.4 * 0.9 = 0.36) while everything after 'a' is at most 0.5 * 0.4 = 0.2.  Tokens: 0 bos, 1 a, 2 b, 3 eos.
GREEDY_MISSES = {(0,): [0.001, 0.5, 0.4, 0.099], (0, 1): [0.001, 0.3, 0.3, 0.399], (0, 2): [0.001, 0.05, 0.05, 0.9]}
# ties: three tokens equally likely after bos; which two a width-2 beam keeps decides the answer
TIES = {(0,): [0.02, 0.3, 0.3, 0.3, 0.08]}
ALL_MISTAKES = ("product", "average", "drop_finished", "per_beam", "last_beam", "unsorted", "max_len-1", "max_len+1",
                "ties_reversed")
PENALTY_MISTAKES = ALL_MISTAKES + ("penalty_ignored", "penalty_power", "penalty_multiplied")


def beam_cases(hidden: bool):
    """(desc, model, bos, eos, k, max_len, alpha) of the beam-search check; alpha None: not passed (the default).

    desc is English, marked for translation (N_); the messages show _(desc)."""
    cases = [(N_("hand-made model whose best sequence greedy misses, k = 1 (greedy)"),
              _TreeModel(4, 3, 5, GREEDY_MISSES), 0, 3, 1, 5, None),
             (N_("the same model, k = 2"), _TreeModel(4, 3, 5, GREEDY_MISSES), 0, 3, 2, 5, None),
             (N_("random model, 6 tokens"), _TreeModel(6, 5, 23, eos_bias=0.2), 0, 5, 4, 7, None)]
    if hidden:
        cases += [(N_("random model, k = 1"), _TreeModel(7, 6, 22, eos_bias=0.5), 0, 6, 1, 8, None),
                  (N_("random model, 6 tokens, k = 3"), _TreeModel(6, 5, 21, eos_bias=0.3), 0, 5, 3, 6, None),
                  (N_("random model, k = 3"), _TreeModel(5, 4, 31, eos_bias=0.6), 0, 4, 3, 6, None),
                  (N_("random model, k = 3, another seed"), _TreeModel(5, 4, 36), 0, 4, 3, 6, None),
                  (N_("ties broken by the smaller token id"), _TreeModel(5, 4, 24, TIES, scale=2.0), 0, 4, 2, 4, None),
                  (N_("no end token (eos=None): every hypothesis runs max_len tokens"), _TreeModel(4, None, 25), 0,
                   None, 3, 5, None),
                  (N_("k larger than the vocabulary"), _TreeModel(3, 2, 26), 0, 2, 5, 4, None),
                  (N_("max_len = 1"), _TreeModel(5, 4, 27, eos_bias=1.0), 0, 4, 3, 1, None),
                  (N_("length_penalty = 0 passed explicitly"), _TreeModel(6, 5, 21, eos_bias=0.3), 0, 5, 3, 6, 0.0),
                  (N_("length_penalty = 1.0"), _TreeModel(6, 5, 28, eos_bias=0.8), 0, 5, 3, 8, 1.0),
                  (N_("length_penalty = 0.6"), _TreeModel(5, 4, 29, eos_bias=0.8), 0, 4, 4, 8, 0.6),
                  (N_("170-token outputs from 300 symbols: a product of their probabilities underflows to 0.0"),
                   _TreeModel(300, None, 30, scale=0.3), 0, None, 2, 170, None)]
    return cases


def _check_date_model(beam_search, hidden: bool) -> None:
    """The lesson's own date model (a small untrained one, seeded) through date_step_fn: eos=None, 10 characters."""
    import torch

    from lstmlab.lessons.attention.models import DateSeq2Seq, date_step_fn
    from lstmlab.lessons.attention.tasks import TARGET_LEN, make_dates

    torch.manual_seed(3)
    model = DateSeq2Seq(emb=6, hidden=6, attn_size=6)
    with torch.no_grad():
        model.out.weight.mul_(8.0)      # peaked next-character distributions: no near-ties
    data = make_dates(2, seed=7)
    for row in range(2):
        step_fn, start, bos, eos = date_step_fn(model, data["X"][row], data["mask"][row])
        # hidden=False: the model's own torch layers run inside this call, which the from-scratch guard would
        # count against the student (the tree-model cases above apply the guard)
        got = call_student("beam_search", beam_search, step_fn, start, bos, eos, 3, TARGET_LEN, hidden=False,
                           names=("step_fn", "start_state", "bos", "eos", "k", "max_len"), **_harness(),
                           on_error=_(BEAM_HINT))
        hyps = _hyps(got, 3, TARGET_LEN, eos)
        want = ref_dec.beam_search(step_fn, start, bos, eos, 3, TARGET_LEN)
        if not (len(hyps) == len(want) and all(a[0] == b[0] and np.isclose(a[1], b[1], rtol=1e-6, atol=1e-8)
                                               for a, b in zip(hyps, want))):
            raise CheckFailed(_("On the lesson's date model (untrained, seeded; source {source!r}, k=3, "
                                "eos=None) beam_search returned {got}; expected {want}.").format(
                source=data['source'][row], got=_show(hyps), want=_show(want)))


def check_beam_search(beam_search, hidden: bool = False) -> None:
    """beam_search(step_fn, start_state, bos, eos, k, max_len, length_penalty=0.0) -> [(tokens, score)], best first."""
    for desc, model, bos, eos, k, max_len, alpha in beam_cases(hidden):
        _beam_case(beam_search, model, bos, eos, k, max_len, alpha, desc, hidden,
                   mistakes=PENALTY_MISTAKES if alpha else ALL_MISTAKES)
    if hidden:
        _check_date_model(beam_search, hidden)
    passed(_("beam_search: the best hypotheses, scored and ranked as specified (hidden cases too)") if hidden
           else _("beam_search: the best hypotheses, scored and ranked as specified"))


# A student's exception out of any check_* shows the student's frames only (lstmlab.checking.harness).
student_facing(globals())
