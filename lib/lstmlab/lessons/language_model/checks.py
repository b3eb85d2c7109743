"""Checks for lesson 08 (a character-level language model), with diagnoses of the common mistakes.

Each check_* runs the student's function on seeded cases, compares with the textbook's
lstmlab.language_model (itself tested against torch's cross_entropy, nn.Embedding and autograd in
tests/test_language_model.py) and, when a result is wrong, computes what each typical mistake would return
and names the one that matches. `hidden=True` adds: float32, a batch of one, T = 1, logits at +-1000 (and
+-100 in float32), a sequence that is all padding, masks given as 0/1 integers, B = T = V (a wrong axis no
longer fails by shape), ids repeated many times, both sides of the greedy threshold 1e-8, and the
from-scratch rule (torch's cross_entropy / softmax / embedding / multinomial, scipy's softmax, or the
textbook's lstmlab.language_model earn nothing).
"""
from __future__ import annotations

import numpy as np

from lstmlab import language_model as ref
from lstmlab.checking import (CheckFailed, as_array, assert_close, assert_ndarray, assert_number, call_student, passed,
                             reference_functions, student_facing, tolerances, torch_softmax_and_attention, unpack)
from lstmlab.fixtures import rng
from lstmlab.i18n import N_, _


def _ready_made():
    import torch
    import torch.nn.functional as F

    targets = reference_functions(ref) + torch_softmax_and_attention()
    for owner, attr, label in ((F, "cross_entropy", "torch.nn.functional.cross_entropy"),
                               (F, "nll_loss", "torch.nn.functional.nll_loss"),
                               (F, "embedding", "torch.nn.functional.embedding"),
                               (torch, "multinomial", "torch.multinomial"),
                               (torch.nn.CrossEntropyLoss, "__init__", "torch.nn.CrossEntropyLoss"),
                               (torch.nn.Embedding, "__init__", "torch.nn.Embedding")):
        if hasattr(owner, attr):
            targets.append((owner, attr, label))
    try:
        import scipy.special as sp
        targets += [(sp, "softmax", "scipy.special.softmax"), (sp, "log_softmax", "scipy.special.log_softmax")]
    except ImportError:   # pragma: no cover
        pass
    return targets


ADVICE = N_("Write it with numpy operations (np.exp, np.log, np.add.at, ...).")
IN_PLACE = N_("compute new arrays instead (e.g. `z = logits - m` rather than `logits -= m`); the caller still needs them.")


def _call(exercise, fn, *args, hidden, names, mutation_hint=None, **kw):
    mutation_hint = _(IN_PLACE) if mutation_hint is None else mutation_hint
    return call_student(exercise, fn, *args, hidden=hidden, names=names, ready_made=_ready_made(), advice=_(ADVICE),
                        mutation_hint=mutation_hint, **kw)


def _lengths_mask(B, T, lengths):
    return np.arange(T)[None, :] < np.asarray(lengths)[:, None]


def _desc(**kv) -> str:
    """The case a message is about, e.g. "(case: B=3, T=5, V=7, dtype=float64)"; a note is given translated."""
    return _("(case: {items})").format(items=", ".join(f"{k}={v}" for k, v in kv.items()))



# --- exercise: the masked temporal softmax loss -----------------------------------------------

def _softmax64(logits):
    return np.exp(ref.log_softmax(logits.astype(np.float64)))


def _loss_parts(logits, targets, mask, onehot_targets=None):
    """(B, T) per-token NLL and (B, T, V) softmax - onehot, in float64, mask not applied."""
    logp = ref.log_softmax(logits.astype(np.float64))
    nll = -np.take_along_axis(logp, targets[..., None], -1)[..., 0]
    V = logits.shape[-1]
    t = targets if onehot_targets is None else onehot_targets
    return nll, np.exp(logp) - np.eye(V)[t]


def _loss_mistakes(logits, targets, mask):
    B, T, V = logits.shape
    m = mask.astype(bool)
    n = max(int(m.sum()), 1)
    nll, g = _loss_parts(logits, targets, mask)
    mf = m[..., None].astype(np.float64)
    lengths = m.sum(1)
    per_seq = np.where(lengths > 0, (nll * m).sum(1) / np.maximum(lengths, 1), 0.0)
    loss_mistakes = {
        _("Your loss divides by B*T, padding included: the mean must be over the real (unmasked) positions only, "
          "sum of -log p over real positions / number of real positions."): np.array((nll * m).sum() / (B * T)),
        _("Your loss averages each sequence first and then the batch (a mean of per-sequence means): short sequences "
          "then weigh as much as long ones. Divide the sum over all real positions by their total number."):
            np.array(per_seq.mean()),
        _("Your loss ignores the mask: padding positions add their -log p. Keep only the real positions."):
            np.array(nll.mean()),
        _("Your loss is the sum over real positions, not their mean: divide by the number of real positions."):
            np.array((nll * m).sum()),
        _("Your loss has the wrong sign: it is the NEGATIVE log-probability of the targets (a number >= 0)."):
            np.array(-(nll * m).sum() / n),
    }
    grad_mistakes = {
        _("Your gradient is not zero at padding: multiply (softmax - one_hot) by the mask as well, so that padded "
          "positions get no gradient."): g / n,
        _("Your gradient is not divided by the number of real positions: the loss is a mean, so each position's "
          "(softmax - one_hot) is divided by N."): g * mf,
        _("Your gradient divides by B*T instead of the number of real positions N."): g * mf / (B * T),
        _("Your gradient has the wrong sign: d loss / d logits = softmax - one_hot (not one_hot - softmax)."): -g * mf / n,
        _("Your gradient follows a mean of per-sequence means; the loss here is one mean over all real positions."):
            g * mf / np.maximum(lengths, 1)[:, None, None] / B,
    }
    for shift, word in ((-1, N_("one below")), (1, N_("one above"))):
        _nll, g_off = _loss_parts(logits, targets, mask, (targets + shift) % V)
        grad_mistakes[_("Your one-hot is off by one (it marks the id {word} the target): the 1 goes at "
                        "index targets[b, t] itself.").format(word=_(word))] = g_off * mf / n
    grad_mistakes[_("Your gradient ignores the mask and divides by B*T.")] = g / (B * T)
    return loss_mistakes, grad_mistakes


def _loss_cases(hidden):
    # (B, T, V, seed, dtype, scale, lengths or "holes"/"int", note)
    cases = [(3, 5, 7, 0, np.float64, 1.0, [5, 3, 2], "")]
    if hidden:
        cases += [
            (4, 4, 4, 1, np.float64, 2.0, [4, 1, 3, 2], "B = T = V"),
            (2, 6, 5, 2, np.float32, 1.0, [6, 4], "float32"),
            (3, 4, 6, 3, np.float64, 1000.0, [4, 2, 3], N_("logits at +-1000")),
            (2, 3, 5, 4, np.float32, 100.0, [3, 2], N_("float32 logits at +-100")),
            (1, 1, 3, 5, np.float64, 1.0, [1], "B = T = 1"),
            (3, 4, 5, 6, np.float64, 1.0, [4, 0, 2], N_("a sequence that is all padding")),
            (2, 5, 4, 7, np.float64, 1.0, "holes-int", N_("mask of 0/1 integers with holes")),
            (2, 3, 4, 8, np.float64, 1.0, [3, 3], N_("no padding")),
        ]
    return cases


def check_temporal_softmax_loss(temporal_softmax_loss, hidden: bool = False) -> None:
    """temporal_softmax_loss(logits (B,T,V), targets (B,T) int, mask (B,T)) -> (loss float, dlogits (B,T,V))."""
    for B, T, V, seed, dtype, scale, lengths, note in _loss_cases(hidden):
        r = rng(seed)
        logits = (scale * r.standard_normal((B, T, V))).astype(dtype)
        targets = r.integers(0, V, (B, T))
        if isinstance(lengths, str):
            mask = (r.random((B, T)) < 0.6).astype(np.int64)
            mask[:, 0] = 1
        else:
            mask = _lengths_mask(B, T, lengths)
        desc = _desc(B=B, T=T, V=V, dtype=np.dtype(dtype).name, **({"note": _(note)} if note else {}))
        got = _call("temporal_softmax_loss", temporal_softmax_loss, logits, targets, mask, hidden=hidden,
                    names=("logits", "targets", "mask"))
        loss, dlogits = unpack("temporal_softmax_loss", got, 2, "(loss, dlogits)")
        if isinstance(loss, np.ndarray) and loss.ndim == 3:
            raise CheckFailed(_("temporal_softmax_loss returned its values in the wrong order: (dlogits, loss) instead "
                                "of (loss, dlogits)."))
        want_loss, want_grad = ref.temporal_softmax_loss(logits.astype(np.float64), targets, mask)
        value = assert_number(_("your loss"), loss, _("one number (a float): the mean over real positions"))
        loss_mistakes, grad_mistakes = _loss_mistakes(logits, targets, mask)
        if not np.isfinite(value):
            if scale >= 100:
                raise CheckFailed(_("Your loss is {value} for logits of size ~{scale:g} {desc}: exp overflowed. Subtract "
                                    "each row's maximum over V (max(axis=-1, keepdims=True)) before exp, and compute "
                                    "log softmax as z - max - log(sum(exp(z - max)))."
                                    ).format(value=value, scale=scale, desc=desc))
            if lengths is not None and not isinstance(lengths, str) and 0 in lengths:
                raise CheckFailed(_("Your loss is {value} when one sequence is all padding {desc}: a per-sequence "
                                    "mean divides 0 by 0. Divide the sum over ALL real positions by their total number."
                                    ).format(value=value, desc=desc))
            raise CheckFailed(_("Your loss is {value} {desc}: look for log(0) or a division by zero.").format(
                value=value, desc=desc))
        rtol, atol = tolerances(logits)
        assert_close(_("your loss"), np.array(value), np.array(want_loss), rtol=rtol, atol=atol, mistakes=loss_mistakes,
                     hint=desc)
        assert_ndarray(_("your dlogits"), dlogits)
        grad = as_array(_("your dlogits"), dlogits)
        if grad.shape != (B, T, V):
            raise CheckFailed(_("Your dlogits has shape {shape}, expected {expected} (the shape of logits) {desc}.").format(
                shape=grad.shape, expected=(B, T, V), desc=desc))
        if not np.all(np.isfinite(grad)) and scale >= 100:
            raise CheckFailed(_("Your dlogits contains NaN or inf for logits of size ~{scale:g} {desc}: the softmax "
                                "overflowed. Subtract each row's maximum before exp.").format(scale=scale, desc=desc))
        assert_close(_("your dlogits"), grad, want_grad, rtol=rtol, atol=atol, mistakes=grad_mistakes, hint=desc)
    passed(_("temporal_softmax_loss matches the masked mean cross-entropy and its "
             "gradient (hidden cases too)") if hidden else
           _("temporal_softmax_loss matches the masked mean cross-entropy and its "
             "gradient"))


# --- exercise: the embedding ------------------------------------------------------------------

def _embedding_cases(hidden):
    # (B, T, V, D, seed, dtype, kind)
    cases = [(2, 4, 6, 3, 0, np.float64, "repeats")]
    if hidden:
        cases += [(3, 3, 3, 3, 1, np.float64, "repeats"), (2, 5, 10, 4, 2, np.float32, "repeats"),
                  (1, 1, 4, 2, 3, np.float64, "one"), (3, 6, 5, 1, 4, np.float64, "same"),
                  (2, 3, 40, 2, 5, np.float64, "sparse"), (2, 4, 6, 3, 6, np.float64, "int32")]
    return cases


def check_embedding(embedding_forward, embedding_backward, hidden: bool = False) -> None:
    """embedding_forward(idx (B,T) int, W (V,D)) -> (out (B,T,D), cache); embedding_backward(dout, cache) -> dW (V,D)."""
    for B, T, V, D, seed, dtype, kind in _embedding_cases(hidden):
        r = rng(seed)
        W = r.standard_normal((V, D)).astype(dtype)
        idx = r.integers(0, min(V, 3) if kind == "repeats" else V, (B, T))
        if kind == "same":
            idx[:] = 2
        if kind == "int32":
            idx = idx.astype(np.int32)
        desc = _desc(B=B, T=T, V=V, D=D, dtype=np.dtype(dtype).name, ids=idx.tolist())
        got = _call("embedding_forward", embedding_forward, idx, W, hidden=hidden, names=("idx", "W"),
                    mutation_hint=_("look rows up without changing W (W[idx] makes a new array)."))
        out, cache = unpack("embedding_forward", got, 2, "(out, cache)")
        assert_ndarray(_("embedding_forward's out"), out)
        want = W[idx]
        arr = as_array(_("embedding_forward's out"), out)
        if arr.shape == (B * T, D):
            raise CheckFailed(_("embedding_forward's out has shape {shape}: keep the batch and time axes, "
                                "out is (B, T, D) = {expected} (W[idx] with idx of shape (B, T)) {desc}.").format(
                shape=arr.shape, expected=(B, T, D), desc=desc))
        assert_close(_("embedding_forward's out"), arr, want, mistakes={
            _("Your out looks up the columns of W (W.T[idx]?): out[b, t] is the ROW W[idx[b, t]]."):
                W.T[idx % D] if D else want,
        }, hint=desc)
        # does out alias W? Call once more with W itself (the checked call above showed W is left unchanged)
        W_given = W.copy()
        again = call_student("embedding_forward", embedding_forward, idx, W_given, names=("idx", "W"), may_change=("W",))
        out_again = again[0] if isinstance(again, (tuple, list)) else again
        if isinstance(out_again, np.ndarray) and np.shares_memory(out_again, W_given):
            raise CheckFailed(_("embedding_forward's out is a view of W (it shares W's memory): changing one would "
                                "change the other. Return a new array (W[idx] copies)."))
        dout = rng(seed + 100).standard_normal((B, T, D)).astype(dtype)
        dW = _call("embedding_backward", embedding_backward, dout, cache, hidden=hidden, names=("dout", "cache"),
                   mutation_hint=_("build a new dW (np.zeros) and accumulate into it; leave dout and the cache alone."))
        assert_ndarray(_("embedding_backward's dW"), dW)
        want_dW = np.zeros((V, D))
        np.add.at(want_dW, idx, dout.astype(np.float64))
        dW_arr = as_array(_("embedding_backward's dW"), dW)
        if dW_arr.shape == (D, V) and V != D:
            raise CheckFailed(_("embedding_backward's dW has shape {shape}; it has the shape of W, (V, D) = {expected}."
                                ).format(shape=dW_arr.shape, expected=(V, D)))
        if dW_arr.shape == (B, T, D):
            raise CheckFailed(_("embedding_backward's dW has shape {shape}, the shape of dout: dW has the shape of "
                                "W, (V, D) = {expected}; scatter-add dout[b, t] into row idx[b, t].").format(
                shape=dW_arr.shape, expected=(V, D)))
        dropped = np.zeros((V, D))
        dropped[idx] += dout.astype(np.float64)
        counts = np.bincount(idx.ravel(), minlength=V).astype(np.float64)
        mean_rows = np.where(counts[:, None] > 0, want_dW / np.maximum(counts, 1)[:, None], 0.0)
        assert_close(_("embedding_backward's dW"), dW_arr, want_dW, mistakes={
            _("Your dW keeps only one of the repeats of an id (`dW[idx] += dout` or `dW[idx] = dout` write each row "
              "once): an id used at several positions must receive the SUM of their gradients. Use "
              "np.add.at(dW, idx, dout) or a loop over positions."): dropped,
            _("Your dW averages the gradients of a repeated id; they must be summed."): mean_rows,
            _("Your dW counts how often each id occurs instead of summing dout."): np.repeat(counts[:, None], D, 1),
        }, hint=desc)
    passed(_("embedding_forward and embedding_backward match W[idx] and np.add.at (hidden cases too)") if hidden else
           _("embedding_forward and embedding_backward match W[idx] and np.add.at"))


# --- exercise: sampling with temperature ------------------------------------------------------

def _chi_square_ok(samples, p) -> bool:
    """Seeded-free bound: the counts of `samples` fit p (chi-square with a very wide margin; no false failures)."""
    n = len(samples)
    counts = np.bincount(samples, minlength=len(p))[:len(p)]
    if counts.sum() != n or np.any(counts[p < 1e-12] > 0):
        return False
    keep = p * n >= 5
    expected = p[keep] * n
    stat = float(((counts[keep] - expected) ** 2 / expected).sum())
    dof = max(int(keep.sum()) - 1, 1)
    return stat < dof + 10 * np.sqrt(2 * dof) + 20


def _sample_cases(hidden):
    # (B, V, seed, temperature, scale, dtype, note)
    cases = [(6, 5, 0, 1.0, 1.0, np.float64, ""), (6, 5, 1, 0.5, 2.0, np.float64, ""),
             (4, 6, 2, 0.0, 1.0, np.float64, N_("greedy"))]
    if hidden:
        cases += [(5, 7, 3, 2.0, 1.0, np.float64, ""), (4, 5, 4, 1e-9, 1.0, np.float64, N_("greedy")),
                  (3, 4, 5, 0, 1.0, np.float64, N_("greedy, integer 0")),
                  (6, 4, 6, 1e-7, 1e-7, np.float64, N_("just above the threshold")),
                  (5, 6, 7, 1.0, 1000.0, np.float64, N_("logits at +-1000")),
                  (5, 6, 11, 1.0, 1.0, np.float64, N_("logits near 1000")),
                  (5, 6, 8, 0.01, 10.0, np.float64, N_("small temperature")),
                  (1, 3, 9, 1.0, 1.0, np.float64, "B = 1"), (6, 5, 10, 0.8, 1.0, np.float32, "float32")]
    return cases


def check_sample_next(sample_next, hidden: bool = False) -> None:
    """sample_next(logits (B,V), temperature, rng) -> (B,) int: u = rng.random(B), inverse CDF of softmax(logits/T)."""
    for B, V, seed, temperature, scale, dtype, note in _sample_cases(hidden):
        logits = scale * rng(seed).standard_normal((B, V)) + (1000.0 if note == "logits near 1000" else 0.0)
        logits = logits.astype(dtype)
        desc = _desc(B=B, V=V, temperature=temperature, dtype=np.dtype(dtype).name, **({"note": _(note)} if note else {}))
        got = _call("sample_next", sample_next, logits, temperature, rng(1000 + seed), hidden=hidden,
                    names=("logits", "temperature", "rng"),
                    on_error=_("A temperature of 0 (or <= 1e-8) means greedy decoding: return the argmax without "
                               "dividing."))
        want = ref.sample_next(logits, temperature, rng(1000 + seed))
        if not isinstance(got, np.ndarray):
            raise CheckFailed(_("sample_next should return a numpy array of {B} ids, got {kind} {desc}.").format(
                B=B, kind=type(got).__name__, desc=desc))
        if got.dtype.kind not in "iu":
            raise CheckFailed(_("sample_next should return integer ids, got an array of dtype {dtype} {desc} "
                                "(ids index the vocabulary: use an integer array).").format(dtype=got.dtype, desc=desc))
        if got.shape != (B,):
            raise CheckFailed(_("sample_next returned shape {shape}, expected ({B},): one id per row {desc}.").format(
                shape=got.shape, B=B, desc=desc))
        if np.array_equal(got, want):
            continue
        greedy = temperature <= ref.GREEDY_BELOW
        argmax = logits.argmax(-1)
        if greedy:
            raise CheckFailed(_("At temperature {temperature!r} sample_next must be greedy (return each row's argmax, "
                                "{argmax}), got {got} {desc}. Treat temperature <= 1e-8 as greedy "
                                "before dividing by it.").format(temperature=temperature, argmax=argmax.tolist(),
                                                                 got=got.tolist(), desc=desc))
        if np.array_equal(got, argmax):
            raise CheckFailed(_("At temperature {temperature:g} you returned the argmax of every row; only temperature "
                                "<= 1e-8 is greedy, above it you sample {desc}.").format(temperature=temperature,
                                                                                          desc=desc))
        second = call_student("sample_next", sample_next, logits, temperature, rng(1000 + seed),
                              names=("logits", "temperature", "rng"))
        if not np.array_equal(np.asarray(second), got):
            raise CheckFailed(_("sample_next returned different ids for the same logits and the same seeded rng: it "
                                "ignores the rng it was given (np.random.* uses numpy's global generator). Draw with "
                                "the argument: u = rng.random(B)."))
        if temperature > 0 and np.array_equal(got, ref.sample_next(logits, 1.0 / temperature, rng(1000 + seed))):
            raise CheckFailed(_("You multiplied the logits by the temperature; divide them by it: softmax(logits / "
                                "temperature) {desc}.").format(desc=desc))
        top = float(np.abs(logits.astype(np.float64)).max() / temperature)
        if top > 700:
            raise CheckFailed(_("Your ids differ from the expected {want} where |logits / temperature| reaches "
                                "{top:.0f} {desc}: exp(logits / temperature) overflows. Subtract each row's maximum "
                                "of logits / temperature before exp.").format(want=want.tolist(), top=top, desc=desc))
        # a correct distribution drawn another way? (tested on the first row that differs)
        b = int(np.flatnonzero(got != want)[0])
        row = logits[b:b + 1].repeat(4000, axis=0)
        many = call_student("sample_next", sample_next, row, temperature, rng(7), names=("logits", "temperature", "rng"))
        p = ref.softmax(row[0].astype(np.float64), temperature)
        if isinstance(many, np.ndarray) and many.shape == (4000,) and _chi_square_ok(many.astype(np.int64), p):
            raise CheckFailed(_("Your samples follow the right distribution, but not the rule this exercise fixes (so "
                                "that it can be checked exactly): one call u = rng.random(B), then row b's id is the "
                                "first k with p_0 + ... + p_k > u[b]. Expected {want}, got {got} {desc}.").format(
                want=want.tolist(), got=got.tolist(), desc=desc))
        raise CheckFailed(_("sample_next returned {got}, expected {want} {desc}: check the softmax "
                            "(over the last axis, of logits / temperature) and the inverse-CDF step.").format(
            got=got.tolist(), want=want.tolist(), desc=desc))
    passed(_("sample_next draws exactly the reference's ids (same rng) and is "
             "greedy at temperature <= 1e-8 (hidden cases too)") if hidden else
           _("sample_next draws exactly the reference's ids (same rng) and is "
             "greedy at temperature <= 1e-8"))


# --- exercise: perplexity ---------------------------------------------------------------------

def _perplexity_cases(hidden):
    # (B, T, V, seed, dtype, lengths, note)
    cases = [(3, 6, 5, 0, np.float64, [6, 4, 1], "")]
    if hidden:
        cases += [(4, 4, 8, 1, np.float64, [4, 1, 2, 3], ""), (2, 5, 6, 2, np.float32, [5, 2], "float32"),
                  (1, 1, 4, 3, np.float64, [1], N_("one token")), (2, 3, 5, 4, np.float64, [3, 3], N_("no padding")),
                  (3, 8, 3000, 5, np.float64, [8, 2, 5], "V = 3000"), (3, 5, 6, 6, np.float64, "int", N_("0/1 mask"))]
    return cases


def check_perplexity(perplexity, hidden: bool = False) -> None:
    """perplexity(log_likelihoods (B,T), mask (B,T)) -> float: exp(-sum over real tokens / their number)."""
    for B, T, V, seed, dtype, lengths, note in _perplexity_cases(hidden):
        r = rng(seed)
        logits = 1.5 * r.standard_normal((B, T, V))
        ll = ref.token_log_likelihoods(logits, r.integers(0, V, (B, T))).astype(dtype)
        if isinstance(lengths, str):
            mask = (r.random((B, T)) < 0.6).astype(np.int64)
            mask[:, 0] = 1
        else:
            mask = _lengths_mask(B, T, lengths)
        # padding holds log-likelihoods too (of whatever the model predicted there), and they differ from the rest
        ll = np.where(mask.astype(bool), ll, ll - 3.0).astype(dtype)
        desc = _desc(B=B, T=T, dtype=np.dtype(dtype).name, **({"note": _(note)} if note else {}))
        got = _call("perplexity", perplexity, ll, mask, hidden=hidden, names=("log_likelihoods", "mask"))
        value = assert_number(_("your perplexity"), got, _("one number (a float)"))
        m = mask.astype(bool)
        l64 = ll.astype(np.float64)
        nll = -l64[m].mean()
        per_seq_nll = np.array([-l64[b][m[b]].mean() for b in range(B)])
        mistakes = {
            _("You used base 2 (2 ** mean NLL): the log-likelihoods are natural logs, so perplexity is exp(mean NLL)."):
                np.array(2.0 ** nll),
            _("You used base 10 (10 ** mean NLL): the log-likelihoods are natural logs, so perplexity is exp(mean NLL)."):
                np.array(10.0 ** nll),
            _("You returned the mean negative log-likelihood itself; perplexity is its exp."): np.array(nll),
            _("You returned the mean log-likelihood (no minus sign, no exp); perplexity is exp(-mean)."): np.array(-nll),
            _("Your perplexity is 1 / perplexity: exp(mean log-likelihood); it is exp(-mean), a number >= 1."):
                np.array(np.exp(-nll)),
            _("Your perplexity counts the padding: average over the real tokens only (mask True)."):
                np.array(np.exp(-l64.mean())),
            _("You divided the sum over real tokens by B*T (padding counted in the number of tokens): divide by the "
              "number of real tokens."): np.array(np.exp(-l64[m].sum() / (B * T))),
            _("You averaged per sequence first (a mean of per-sequence means): perplexity is per TOKEN, one mean over "
              "all real tokens of the batch."): np.array(np.exp(per_seq_nll.mean())),
            _("You averaged the per-sequence perplexities: perplexity is exp of one mean over all real tokens."):
                np.array(np.exp(per_seq_nll).mean()),
        }
        rtol, atol = tolerances(ll)
        assert_close(_("your perplexity"), np.array(value), np.array(ref.perplexity(ll, mask)), rtol=rtol, atol=atol,
                     mistakes=mistakes, hint=desc)
    passed(_("perplexity is exp of the mean NLL per real token (hidden cases too)") if hidden else
           _("perplexity is exp of the mean NLL per real token"))


student_facing(globals())
