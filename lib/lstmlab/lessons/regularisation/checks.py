"""Checks for lesson 09 (recurrent regularisation), with diagnoses of the common mistakes.

Dropout and zoneout are random: any way of drawing the masks from the given Generator is right (rng.random,
rng.binomial, rng.uniform, ...), so their checks test the STRUCTURE of the answer instead of exact values:
every entry is either dropped or scaled by exactly 1/(1-p) (dropout), either the previous or the new state
(zoneout); the mask is the same at every time step, differs between sequences and features; the fraction
dropped (zoned) is p within 5 standard deviations of a binomial count; the same seed gives the same answer; and
at test time the answer is exact (x itself; the expectation z*prev + (1-z)*new). The layer-normalised LSTM
step is deterministic and compared with torch (F.layer_norm, float64) on the same weights.

Conventions (the notebook states them): zoneout's probability p is the probability of KEEPING the previous
value; h and c get independent masks; h_new = o * tanh(c_new) uses the un-zoned new cell (Krueger et al. 2017,
eq. 9-10). Layer norm uses the biased variance and eps inside the square root, as torch.nn.LayerNorm; eps added
after the square root differs from it by about eps / (2 var) relatively, which fails the float64 cases (and is
named) but is within the float32 tolerance, where it is accepted.

`hidden=True` adds float32, a batch of one, T = 1, p = 0 and p -> 1 edge cases, rows on very different scales,
other eps, every default argument, and the from-scratch rule (lstmlab.regularisation's references, torch's
dropout and layer norm earn nothing).
"""
from __future__ import annotations

import numpy as np

from lstmlab import regularisation as ref
from lstmlab.checking import (CheckFailed, assert_close, assert_ndarray, assert_order, call_student, passed,
                             reference_functions, student_facing, tolerances, unpack)
from lstmlab.fixtures import rng
from lstmlab.i18n import N_, _
from lstmlab.lstm import sigmoid

MUTATION_HINT = N_("compute a new array (x * mask / (1 - p)) instead of `*=` or assigning into x.")


def ready_made() -> list:
    """Guard targets: the textbook's references and torch's dropout and layer norm."""
    import torch
    import torch.nn.functional as F

    targets = reference_functions(ref)
    for owner, attr, label in ((F, "dropout", "torch.nn.functional.dropout"), (F, "layer_norm", "torch.nn.functional.layer_norm"),
                               (torch, "dropout", "torch.dropout"), (torch, "layer_norm", "torch.layer_norm"),
                               (torch.nn.LayerNorm, "__init__", "torch.nn.LayerNorm"),
                               (torch.nn.Dropout, "__init__", "torch.nn.Dropout")):
        if hasattr(owner, attr):
            targets.append((owner, attr, label))
    return targets


def _binomial_off(frac: float, p: float, n: int) -> bool:
    """True when an observed fraction frac of n Bernoulli(p) draws is more than 5 standard deviations from p."""
    return abs(frac - p) > 5 * np.sqrt(max(p * (1 - p), 1e-12) / n) + 1e-9


def _away_from_zero(shape, seed, dtype):
    """Seeded entries with |x| >= 0.5, so that a dropped (zero) entry is never confused with a small one."""
    r = rng(seed)
    return (np.sign(r.standard_normal(shape)) * (0.5 + np.abs(r.standard_normal(shape)))).astype(dtype)


# --- exercise: locked (variational) dropout -----------------------------------------------------

def _call_dropout(fn, x, p, seed, training, hidden, default_training=False):
    kwargs = {} if default_training else {"training": training}
    got = call_student("locked_dropout", fn, x, p, rng(seed), hidden=hidden, ready_made=ready_made(),
                       names=("x", "p", "rng"), mutation_hint=_(MUTATION_HINT), **kwargs)
    return assert_ndarray(_("{name}'s result").format(name="locked_dropout"), got,
                          hint=_("return x * mask / (1 - p), a numpy array."))


def _check_dropout_training(fn, x, p, seed, hidden, default_training=False):
    B, T, D = x.shape
    case = _("(case: x of shape {shape}, {dtype}, p={p}, training=True)").format(shape=x.shape, dtype=x.dtype.name, p=p)
    got = _call_dropout(fn, x, p, seed, True, hidden, default_training)
    if got.shape != x.shape:
        raise CheckFailed(_("locked_dropout returned shape {got}; it must keep x's shape {want}. {case}").format(
            got=got.shape, want=x.shape, case=case))
    rtol, atol = tolerances(x)
    dropped = np.abs(got) <= atol + 1e-6 * np.abs(x)
    kept = ~dropped
    if p > 0 and not dropped.any():
        raise CheckFailed(_("locked_dropout dropped nothing with p={p} and training=True: set a fraction p of the "
                            "units to zero. {case}").format(p=p, case=case))
    if kept.any():
        ratio = got[kept].astype(np.float64) / x[kept].astype(np.float64)
        scale = 1.0 / (1.0 - p)
        if not np.allclose(ratio, scale, rtol=max(rtol, 1e-6), atol=0):
            named = {_("You did not scale the kept units: inverted dropout divides them by (1 - p), so that the "
                       "expected value of every unit stays x."): 1.0,
                     _("You multiplied the kept units by (1 - p); inverted dropout DIVIDES by (1 - p) (the expectation "
                       "of mask / (1 - p) is 1)."): 1.0 - p}
            if p > 0:
                named[_("You scaled by 1/p: p is the probability of DROPPING a unit, so the kept ones are divided by "
                        "(1 - p), not by p.")] = 1.0 / p
            for message, s in named.items():
                if np.allclose(ratio, s, rtol=max(rtol, 1e-6), atol=0):
                    raise CheckFailed(_("{message} {case}").format(message=message, case=case))
            raise CheckFailed(_("Every entry of the result must be 0 (dropped) or x / (1 - p) = {scale:.4g} * x (kept); "
                                "yours has kept entries with ratios to x from {low:.4g} to {high:.4g}. {case}").format(
                                    scale=scale, low=ratio.min(), high=ratio.max(), case=case))
    if T > 1 and not np.array_equal(kept, np.broadcast_to(kept[:, :1, :], kept.shape)):
        raise CheckFailed(_("Your mask changes from one time step to the next: that is ordinary dropout. Locked "
                            "(variational) dropout draws ONE mask of shape (B, 1, D) per sequence and multiplies it "
                            "into every step (broadcasting over T). {case}").format(case=case))
    mask = kept[:, 0, :]
    if D > 1 and 0 < p and dropped.any() and np.array_equal(mask, np.broadcast_to(mask[:, :1], mask.shape)):
        raise CheckFailed(_("Your mask drops whole sequences (all D features together): draw one 0/1 value per "
                            "sequence AND feature, a mask of shape (B, 1, D), not (B, 1, 1). {case}").format(case=case))
    if B > 1 and 0 < p and np.array_equal(mask, np.broadcast_to(mask[:1], mask.shape)):
        raise CheckFailed(_("Every sequence of the batch got the same mask: draw one mask per sequence, shape "
                            "(B, 1, D), not (1, 1, D) shared by the whole batch. {case}").format(case=case))
    frac = float(dropped[:, 0, :].mean())
    if 0 < p < 1 and _binomial_off(frac, p, B * D):
        if not _binomial_off(frac, 1 - p, B * D):
            raise CheckFailed(_("You dropped {frac:.0%} of the units with p={p}: p is the probability of DROPPING a "
                                "unit (torch's convention), not of keeping it: keep = rng.random(...) >= p. "
                                "{case}").format(frac=frac, p=p, case=case))
        raise CheckFailed(_("You dropped {frac:.1%} of the units; with p={p} about {p:.0%} should be dropped "
                            "(each unit independently with probability p). {case}").format(frac=frac, p=p, case=case))
    again = _call_dropout(fn, x, p, seed, True, hidden, default_training)
    if again.shape != got.shape or not np.array_equal(again, got):
        raise CheckFailed(_("Two calls with generators of the same seed gave different masks: draw the mask from the "
                            "rng you are given (rng.random(...)), not from np.random or a new generator. {case}").format(
                                case=case))


def _check_dropout_identity(fn, x, p, seed, hidden, training):
    case = _("(case: x of shape {shape}, {dtype}, p={p}, training={training})").format(
        shape=x.shape, dtype=x.dtype.name, p=p, training=training)
    got = _call_dropout(fn, x, p, seed, training, hidden)
    mistakes = {}
    if not training and p > 0:
        mistakes = {_("At test time (training=False) inverted dropout returns x unchanged: the 1/(1-p) scaling during "
                      "training already keeps the expectation. Multiplying by (1 - p) at test time is the old, "
                      "non-inverted convention."): x * (1 - p),
                    _("At test time (training=False) return x unchanged; do not scale it by 1/(1-p)."): x / (1 - p)}
        if got.shape == x.shape and np.any(got == 0):
            raise CheckFailed(_("Your function drops units at test time: with training=False it must return x "
                                "unchanged. {case}").format(case=case))
    assert_close(_("{name}'s result").format(name="locked_dropout"), got, x, mistakes=mistakes,
                 hint=(_("With p=0 the result is x itself. {case}") if training
                       else _("With training=False the result is x itself. {case}")).format(case=case))


def check_locked_dropout(locked_dropout, hidden: bool = False) -> None:
    """locked_dropout(x (B, T, D), p, rng, training=True) -> x * mask / (1 - p), one mask (B, 1, D)."""
    _check_dropout_training(locked_dropout, _away_from_zero((16, 6, 40), 0, np.float64), 0.3, 1, hidden)
    _check_dropout_identity(locked_dropout, _away_from_zero((4, 5, 6), 2, np.float64), 0.3, 3, hidden, False)
    if hidden:
        _check_dropout_training(locked_dropout, _away_from_zero((64, 3, 64), 4, np.float32), 0.5, 5, hidden)
        _check_dropout_training(locked_dropout, _away_from_zero((1, 7, 300), 6, np.float64), 0.25, 7, hidden)
        _check_dropout_training(locked_dropout, _away_from_zero((40, 1, 30), 8, np.float64), 0.6, 9, hidden)
        _check_dropout_training(locked_dropout, _away_from_zero((32, 4, 50), 10, np.float64), 0.1, 11, hidden,
                                default_training=True)
        _check_dropout_training(locked_dropout, _away_from_zero((200, 2, 50), 14, np.float64), 0.97, 15, hidden)
        _check_dropout_identity(locked_dropout, _away_from_zero((3, 4, 5), 12, np.float64), 0.0, 13, hidden, True)
        _check_dropout_identity(locked_dropout, _away_from_zero((3, 4, 5), 16, np.float32), 0.5, 17, hidden, False)
    passed(_("locked_dropout: one mask per sequence, inverted scaling, identity at test time (hidden cases too)")
           if hidden else _("locked_dropout: one mask per sequence, inverted scaling, identity at test time"))


# --- exercise: an LSTM step with zoneout ---------------------------------------------------------

def _lstm_case(B, D, H, seed, dtype):
    r = rng(seed)
    x = r.standard_normal((B, D))
    h = np.tanh(r.standard_normal((B, H)))
    c = r.standard_normal((B, H))
    Wx = 0.5 * r.standard_normal((D, 4 * H))
    Wh = 0.5 * r.standard_normal((H, 4 * H))
    b = 0.2 * r.standard_normal(4 * H)
    return tuple(a.astype(dtype) for a in (x, h, c, Wx, Wh, b))


def _lstm_parts(x, h, c, Wx, Wh, b):
    """(o, h_new, c_new) in float64: the plain LSTM step's output gate and new states."""
    x, h, c, Wx, Wh, b = (a.astype(np.float64) for a in (x, h, c, Wx, Wh, b))
    H = h.shape[1]
    a = x @ Wx + h @ Wh + b
    i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c_new = f * c + i * g
    return o, o * np.tanh(c_new), c_new


def _call_zoneout(fn, args, zh, zc, seed, training, hidden, default_training=False):
    kwargs = {} if default_training else {"training": training}
    got = call_student("zoneout_lstm_step", fn, *args, zh, zc, rng(seed), hidden=hidden, ready_made=ready_made(),
                       names=("x", "h_prev", "c_prev", "Wx", "Wh", "b", "zoneout_h", "zoneout_c", "rng"), **kwargs)
    h, c = unpack("zoneout_lstm_step", got, 2, "(h, c)")
    return (assert_ndarray("h", h, hint=_("return (h, c), two numpy arrays.")),
            assert_ndarray("c", c, hint=_("return (h, c), two numpy arrays.")))


def _check_zoneout_training(fn, args, zh, zc, seed, hidden, default_training=False):
    x, h_prev, c_prev = args[:3]
    B, H = h_prev.shape
    case = _("(case: B={B}, H={H}, {dtype}, zoneout_h={zh}, zoneout_c={zc}, training=True)").format(
        B=B, H=H, dtype=x.dtype.name, zh=zh, zc=zc)
    o, h_new, c_new = _lstm_parts(*args)
    h, c = _call_zoneout(fn, args, zh, zc, seed, True, hidden, default_training)
    assert_order("zoneout_lstm_step", (h, c), (h_new, c_new), ("h", "c"))
    rtol, atol = tolerances(*args)
    for name, got in (("h", h), ("c", c)):
        if got.shape != (B, H):
            raise CheckFailed(_("{name} has shape {got}, expected {want}. {case}").format(
                name=name, got=got.shape, want=(B, H), case=case))
        if not np.all(np.isfinite(got)):
            raise CheckFailed(_("{name} contains NaN or inf. {case}").format(name=name, case=case))
    c_keep = np.isclose(c, c_prev, rtol=rtol, atol=atol)
    c_upd = np.isclose(c, c_new, rtol=rtol, atol=atol)
    if (not np.all(c_keep | c_upd) and np.all(np.isclose(h, c_prev, rtol=rtol, atol=atol) | np.isclose(h, c_new, rtol=rtol, atol=atol))
            and np.all(np.isclose(c, h_prev, rtol=rtol, atol=atol) | np.isclose(c, h_new, rtol=rtol, atol=atol))):
        raise CheckFailed(_("zoneout_lstm_step returned its values in the wrong order: (c, h) instead of (h, c). "
                            "{case}").format(case=case))
    if not np.all(c_keep | c_upd):
        z = zc
        for message, wrong in (
                (_("Your zoned-out c is rescaled like dropout (divided by (1 - zoneout_c)): zoneout copies the old "
                   "value where the mask says keep and the new value elsewhere, with no scaling."),
                 c_new / (1 - z) if z < 1 else c_new),
                (_("Your c is the test-time expectation z*c_prev + (1-z)*c_new: while training each unit is EITHER "
                   "c_prev OR the new c (a random mask)."), zc * c_prev + (1 - zc) * c_new)):
            if np.any(~(c_keep | c_upd) & np.isclose(c, wrong, rtol=rtol, atol=atol)):
                raise CheckFailed(_("{message} {case}").format(message=message, case=case))
        raise CheckFailed(_("Some entries of your c are neither c_prev nor the LSTM's new cell f*c_prev + i*g: zoneout "
                            "acts on the STATES (choose, per unit, the previous or the new value), not on the gates or "
                            "the pre-activations. {case}").format(case=case))
    o_tanh_c = o * np.tanh(c.astype(np.float64))
    h_keep = np.isclose(h, h_prev, rtol=rtol, atol=atol)
    h_upd = np.isclose(h, h_new, rtol=rtol, atol=atol)
    if not np.all(h_keep | h_upd):
        if np.all(h_keep | np.isclose(h, o_tanh_c, rtol=rtol, atol=atol)):
            raise CheckFailed(_("Your new h is o * tanh(c) of the ZONED c. In Krueger et al. (eq. 9-10, the convention "
                                "of this lesson) the candidate h is o * tanh(c_new) of the un-zoned new cell f*c_prev + "
                                "i*g; zoneout then picks h_prev or that candidate per unit. {case}").format(case=case))
        if zh < 1 and np.any(~(h_keep | h_upd) & np.isclose(h, h_new / (1 - zh), rtol=rtol, atol=atol)):
            raise CheckFailed(_("Your zoned-out h is rescaled like dropout (divided by (1 - zoneout_h)): zoneout uses "
                                "the old or the new value as it is. {case}").format(case=case))
        raise CheckFailed(_("Some entries of your h are neither h_prev nor o * tanh(c_new) of the LSTM step: zoneout "
                            "acts on the states h and c, not on the gates. {case}").format(case=case))
    # Entries where the old and new values coincide cannot tell which was taken.
    c_sure, h_sure = c_keep ^ c_upd, h_keep ^ h_upd
    c_zoned, h_zoned = c_keep & c_sure, h_keep & h_sure
    fc = float(c_zoned.sum() / max(c_sure.sum(), 1))
    fh = float(h_zoned.sum() / max(h_sure.sum(), 1))
    nc, nh = int(c_sure.sum()), int(h_sure.sum())
    if 0 < zh < 1 and 0 < zc < 1 and np.array_equal(c_zoned & h_sure & c_sure, h_zoned & h_sure & c_sure):
        raise CheckFailed(_("h and c were zoned out at exactly the same units: this lesson (like Krueger et al.) "
                            "draws INDEPENDENT masks for h and c, one rng draw each, with their own rates "
                            "zoneout_h and zoneout_c. {case}").format(case=case))
    if _binomial_off(fc, zc, nc) or _binomial_off(fh, zh, nh):
        if not _binomial_off(fc, zh, nc) and not _binomial_off(fh, zc, nh) and zh != zc:
            raise CheckFailed(_("You swapped the rates: c kept its old value in {fc:.0%} of the units and h in {fh:.0%}; "
                                "zoneout_c = {zc} is c's rate and zoneout_h = {zh} is h's. {case}").format(
                                    fc=fc, fh=fh, zc=zc, zh=zh, case=case))
        if not _binomial_off(fc, 1 - zc, nc) and not _binomial_off(fh, 1 - zh, nh):
            raise CheckFailed(_("Your zoneout is the wrong way round: c kept its previous value in {fc:.0%} of the units "
                                "with zoneout_c = {zc}. The rate is the probability of KEEPING the previous value "
                                "(the unit is 'zoned out', not updated); the new value is taken with 1 - z. "
                                "{case}").format(fc=fc, zc=zc, case=case))
        raise CheckFailed(_("c kept its previous value in {fc:.1%} of the units and h in {fh:.1%}; with zoneout_c = {zc} "
                            "and zoneout_h = {zh} these fractions should be about {zc:.0%} and {zh:.0%}. "
                            "{case}").format(fc=fc, fh=fh, zc=zc, zh=zh, case=case))
    if 0 < zh < 1 and 0 < zc < 1:
        both = c_sure & h_sure
        given_c, given_not_c = h_zoned[both & c_zoned], h_zoned[both & ~c_zoned]
        if len(given_c) > 20 and len(given_not_c) > 20:
            gap = abs(given_c.mean() - given_not_c.mean())
            sd = np.sqrt(zh * (1 - zh) * (1 / len(given_c) + 1 / len(given_not_c)))
            if gap > 5 * sd:
                raise CheckFailed(_("h is zoned out in {where_c:.0%} of the units where c is, but only in "
                                    "{elsewhere:.0%} of the others: your two masks are made from the same "
                                    "random numbers (u < zoneout_h and u < zoneout_c). Draw h's mask and c's mask "
                                    "separately. {case}").format(where_c=given_c.mean(), elsewhere=given_not_c.mean(),
                                                                 case=case))
    h2, c2 = _call_zoneout(fn, args, zh, zc, seed, True, hidden, default_training)
    if not (np.array_equal(h2, h) and np.array_equal(c2, c)):
        raise CheckFailed(_("Two calls with generators of the same seed gave different masks: draw them from the rng "
                            "you are given, not from np.random or a new generator. {case}").format(case=case))


def _check_zoneout_test(fn, args, zh, zc, seed, hidden):
    x, h_prev, c_prev = args[:3]
    case = _("(case: B={B}, H={H}, {dtype}, zoneout_h={zh}, zoneout_c={zc}, training=False)").format(
        B=h_prev.shape[0], H=h_prev.shape[1], dtype=x.dtype.name, zh=zh, zc=zc)
    o, h_new, c_new = _lstm_parts(*args)
    h_prev64, c_prev64 = h_prev.astype(np.float64), c_prev.astype(np.float64)
    want_c = zc * c_prev64 + (1 - zc) * c_new
    want_h = zh * h_prev64 + (1 - zh) * h_new
    h, c = _call_zoneout(fn, args, zh, zc, seed, False, hidden)
    assert_order("zoneout_lstm_step", (h, c), (want_h, want_c), ("h", "c"))
    new_msg = _("At test time (training=False) zoneout uses the expectation of the random choice, z * prev + (1 - z) * "
                "new, not the new state alone.")
    assert_close(_("c at test time"), c, want_c, hint=case, mistakes={
        new_msg: c_new,
        _("Your test-time c is the wrong way round: z is the weight of the PREVIOUS value, c = z * c_prev + (1 - z) * "
          "c_new."): (1 - zc) * c_prev64 + zc * c_new,
        _("Your test-time c uses zoneout_h; c's rate is zoneout_c."): zh * c_prev64 + (1 - zh) * c_new})
    assert_close(_("h at test time"), h, want_h, hint=case, mistakes={
        new_msg: h_new,
        _("Your test-time h is the wrong way round: h = z * h_prev + (1 - z) * o * tanh(c_new)."):
            (1 - zh) * h_prev64 + zh * h_new,
        _("Your test-time h uses zoneout_c; h's rate is zoneout_h."): zc * h_prev64 + (1 - zc) * h_new,
        _("Your test-time h is o * tanh of the averaged c; the candidate h is o * tanh(c_new) of the un-zoned new cell, "
          "then averaged with h_prev."): zh * h_prev64 + (1 - zh) * o * np.tanh(want_c)})


def check_zoneout_lstm_step(zoneout_lstm_step, hidden: bool = False) -> None:
    """zoneout_lstm_step(x, h_prev, c_prev, Wx, Wh, b, zoneout_h, zoneout_c, rng, training=True) -> (h, c)."""
    _check_zoneout_training(zoneout_lstm_step, _lstm_case(32, 5, 40, 0, np.float64), 0.1, 0.25, 1, hidden)
    _check_zoneout_test(zoneout_lstm_step, _lstm_case(4, 3, 5, 2, np.float64), 0.1, 0.25, 3, hidden)
    if hidden:
        _check_zoneout_training(zoneout_lstm_step, _lstm_case(24, 4, 50, 4, np.float32), 0.3, 0.5, 5, hidden)
        _check_zoneout_training(zoneout_lstm_step, _lstm_case(1, 3, 400, 6, np.float64), 0.2, 0.4, 7, hidden)
        _check_zoneout_training(zoneout_lstm_step, _lstm_case(30, 2, 40, 8, np.float64), 0.15, 0.15, 9, hidden,
                                default_training=True)
        _check_zoneout_training(zoneout_lstm_step, _lstm_case(8, 3, 6, 10, np.float64), 0.0, 0.0, 11, hidden)
        _check_zoneout_training(zoneout_lstm_step, _lstm_case(8, 3, 6, 12, np.float64), 1.0, 1.0, 13, hidden)
        _check_zoneout_test(zoneout_lstm_step, _lstm_case(1, 2, 7, 14, np.float32), 0.3, 0.6, 15, hidden)
        _check_zoneout_test(zoneout_lstm_step, _lstm_case(3, 4, 1, 16, np.float64), 0.0, 1.0, 17, hidden)
    passed(_("zoneout_lstm_step: independent masks on h and c, the right rates, the expectation at test time "
             "(hidden cases too)") if hidden
           else _("zoneout_lstm_step: independent masks on h and c, the right rates, the expectation at test time"))


# --- exercise: the layer-normalised LSTM step ------------------------------------------------------

def _ln_case(B, D, H, seed, dtype, row_scales=None):
    r = rng(seed)
    x = r.standard_normal((B, D))
    if row_scales is not None:
        x = x * np.asarray(row_scales, dtype=float)[:, None]
    h = np.tanh(r.standard_normal((B, H)))
    c = 2.0 * r.standard_normal((B, H))
    Wx, Wh = 0.5 * r.standard_normal((D, 4 * H)), 0.5 * r.standard_normal((H, 4 * H))
    b = 0.2 * r.standard_normal(4 * H)
    gx, gh = 1 + 0.3 * r.standard_normal(4 * H), 1 + 0.3 * r.standard_normal(4 * H)
    bx, bh = 0.2 * r.standard_normal(4 * H), 0.2 * r.standard_normal(4 * H)
    gc, bc = 1 + 0.3 * r.standard_normal(H), 0.2 * r.standard_normal(H)
    return tuple(a.astype(dtype) for a in (x, h, c, Wx, Wh, b, gx, bx, gh, bh, gc, bc))


def _torch_ln_step(args, eps):
    import torch

    from .models import ln_lstm_step_torch

    h, c = ln_lstm_step_torch(*(torch.tensor(a.astype(np.float64)) for a in args), eps=eps)
    return h.numpy(), c.numpy()


def _ln_variant(args, eps, kind):
    """(h, c) of one wrong layer-normalised step (float64)."""
    x, h_prev, c_prev, Wx, Wh, b, gx, bx, gh, bh, gc, bc = (a.astype(np.float64) for a in args)
    H = h_prev.shape[1]

    def ln(v, g, beta, axis=-1, ddof=0, outside=False, affine=True):
        mu = v.mean(axis=axis, keepdims=True)
        var = v.var(axis=axis, keepdims=True, ddof=ddof) if v.shape[axis] > ddof else np.zeros_like(mu)
        vhat = (v - mu) / (np.sqrt(var) + eps if outside else np.sqrt(var + eps))
        return g * vhat + beta if affine else vhat

    opts = {"batch_axis": dict(axis=0), "unbiased": dict(ddof=1), "eps_outside": dict(outside=True),
            "no_affine": dict(affine=False)}.get(kind, {})
    px, ph = x @ Wx, h_prev @ Wh
    if kind == "one_ln_x":
        a = ln(px + ph, gx, bx) + b
    elif kind == "one_ln_h":
        a = ln(px + ph, gh, bh) + b
    else:
        a = ln(px, gx, bx, **opts) + ln(ph, gh, bh, **opts) + b
    i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * c_prev + i * g
    if kind == "no_ln_c":
        return o * np.tanh(c), c
    cn = ln(c, gc, bc, **opts)
    if kind == "c_normalised":
        return o * np.tanh(cn), cn
    return o * np.tanh(cn), c


LN_MISTAKES = {
    "batch_axis": N_("You normalised over the BATCH axis (axis 0): layer norm normalises each row (one example) over "
                     "its features, mean and variance along the last axis (keepdims=True)."),
    "unbiased": N_("You used the unbiased variance (ddof=1): layer norm, like torch.nn.LayerNorm, divides by the number "
                   "of features, np.var(..., ddof=0)."),
    "eps_outside": N_("Your eps is outside the square root, (v - mean) / (sqrt(var) + eps): this lesson follows "
                      "torch.nn.LayerNorm, (v - mean) / sqrt(var + eps)."),
    "no_affine": N_("You left out the gains and biases of the layer norms: LN(v) = gain * vhat + bias."),
    "one_ln_x": N_("You applied ONE layer norm to the summed projections x@Wx + h@Wh: Ba et al. normalise the input "
                   "projection and the recurrent projection SEPARATELY, LN(x@Wx; gx, bx) + LN(h@Wh; gh, bh) + b."),
    "one_ln_h": N_("You applied ONE layer norm (with gh, bh) to the summed projections x@Wx + h@Wh: Ba et al. normalise "
                   "the input projection and the recurrent projection SEPARATELY, LN(x@Wx; gx, bx) + LN(h@Wh; gh, bh) + b."),
    "no_ln_c": N_("Your h has no layer norm on the cell: h = o * tanh(LN(c; gc, bc))."),
    "c_normalised": N_("You returned the NORMALISED cell as the state: the state carried to the next step is c itself, "
                       "c = f * c_prev + i * g; LN(c) is used only inside h = o * tanh(LN(c))."),
}


def _check_ln_case(fn, args, eps, hidden, pass_eps=True):
    x, h_prev = args[0], args[1]
    case = (_("(case: B={B}, D={D}, H={H}, {dtype}, eps={eps})") if pass_eps
            else _("(case: B={B}, D={D}, H={H}, {dtype}, eps={eps}, eps left at its default)")).format(
                B=x.shape[0], D=x.shape[1], H=h_prev.shape[1], dtype=x.dtype.name, eps=eps)
    kwargs = {"eps": eps} if pass_eps else {}
    got = call_student("ln_lstm_step", fn, *args, hidden=hidden, ready_made=ready_made(),
                       names=("x", "h_prev", "c_prev", "Wx", "Wh", "b", "gx", "bx", "gh", "bh", "gc", "bc"), **kwargs)
    h, c = unpack("ln_lstm_step", got, 2, "(h, c)")
    want_h, want_c = _torch_ln_step(args, eps)
    assert_order("ln_lstm_step", (h, c), (want_h, want_c), ("h", "c"))
    wrong = {kind: _ln_variant(args, eps, kind) for kind in LN_MISTAKES}
    assert_close(_("c (the new cell state)"), assert_ndarray("c", c), want_c, hint=case,
                 mistakes={_(LN_MISTAKES[k]): v[1] for k, v in wrong.items()})
    assert_close(_("h (compared with torch's F.layer_norm step)"), assert_ndarray("h", h), want_h, hint=case,
                 mistakes={_(LN_MISTAKES[k]): v[0] for k, v in wrong.items()})


def check_ln_lstm_step(ln_lstm_step, hidden: bool = False) -> None:
    """ln_lstm_step(x, h_prev, c_prev, Wx, Wh, b, gx, bx, gh, bh, gc, bc, eps=1e-5) -> (h, c), against torch."""
    _check_ln_case(ln_lstm_step, _ln_case(4, 5, 6, 0, np.float64), 1e-5, hidden)
    if hidden:
        _check_ln_case(ln_lstm_step, _ln_case(3, 4, 5, 1, np.float64), 0.1, hidden)
        _check_ln_case(ln_lstm_step, _ln_case(5, 3, 4, 2, np.float32), 1e-5, hidden)
        _check_ln_case(ln_lstm_step, _ln_case(1, 6, 3, 3, np.float64), 1e-5, hidden)
        _check_ln_case(ln_lstm_step, _ln_case(4, 3, 1, 4, np.float64), 1e-3, hidden)
        _check_ln_case(ln_lstm_step, _ln_case(3, 4, 4, 5, np.float64, row_scales=[1e-3, 1.0, 1e3]), 1e-5, hidden)
        _check_ln_case(ln_lstm_step, _ln_case(2, 3, 4, 6, np.float64), 1e-5, hidden, pass_eps=False)
    passed(_("ln_lstm_step matches the layer-normalised LSTM step built on torch's F.layer_norm (hidden cases too)")
           if hidden else _("ln_lstm_step matches the layer-normalised LSTM step built on torch's F.layer_norm"))


# A student's exception out of any check_* shows the student's frames only (lstmlab.checking.harness).
student_facing(globals())
