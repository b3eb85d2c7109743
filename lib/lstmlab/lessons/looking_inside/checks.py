"""Checks for lesson 11 (looking inside an LSTM), with diagnoses of the common mistakes.

The exercises take recorded activations A (..., U) -- units on the last axis, any leading axes
(B sequences x T steps, or one sequence of T steps) -- and a feature with A's leading shape.
Each check builds seeded cases from Dyck-1 depths, compares with lstmlab.interpret, and when the
student's answer equals what a known mistake produces, says which mistake. `hidden=True` adds
float32 inputs, a single sequence (T, U), other thresholds, closed-form cases and the from-scratch
rule (no calling lstmlab.interpret's reference functions).
"""
from __future__ import annotations

import numpy as np

from lstmlab import interpret as ref
from lstmlab.lessons.looking_inside.tasks import depth, dyck1
from lstmlab.fixtures import rng
from lstmlab.i18n import N_, _
from lstmlab.checking import (CheckFailed, as_array, assert_close, assert_order, call_student, student_facing, is_torch_tensor, passed,
                              reference_functions, unpack)

# Calling one of lstmlab.interpret's references in a from-scratch (hidden) test fails with its name.
READY_MADE = reference_functions(ref)
# What every call of a student's function here passes to call_student besides the arguments:
# the arguments' names (for an in-place change), the guard targets, and what to do instead of `A -= ...`.
MUTATION_HINT = N_("work on new arrays (e.g. `A = A - A.mean(0)`, not `A -= A.mean(0)`) so the caller's recording "
                   "stays intact.")
ON_A_FEATURE = ("A", "feature")   # unit_correlations and tracking_unit
ON_GATE = ("gate",)               # saturation


def _on(names: tuple) -> dict:
    """call_student's keyword arguments for a call with these argument names (the hint in the current language)."""
    return dict(names=names, ready_made=READY_MADE, mutation_hint=_(MUTATION_HINT))



# --- the data -----------------------------------------------------------------------------------

def correlation_case(B: int, T: int, U: int, seed: int, dtype=np.float64, constant: bool = False):
    """Activations A (B, T, U) and the depth feature (B, T) of seeded Dyck-1 strings.

    Unit roles (positions depend on the seed): one unit falls with depth (the strongest, r about -0.95),
    one rises with depth (r about +0.8), one has a large variance but is noise, the rest are noise with
    non-zero means. With constant=True one unit never changes (its r must be 0).
    Returns A, feature, roles = {"down", "up", "loud", "constant"} -> unit index.
    """
    r = rng(seed)
    feature = depth(dyck1(B, T, max_depth=5, seed=seed)).astype(float)
    A = 0.4 * r.standard_normal((B, T, U)) + r.uniform(-1, 1, U)
    units = r.permutation(U)
    roles = {"down": int(units[0]), "up": int(units[1]), "loud": int(units[2])}
    A[..., roles["down"]] = 0.7 - 0.5 * feature + 0.45 * r.standard_normal((B, T))
    A[..., roles["up"]] = -0.3 + 0.3 * feature + 0.6 * r.standard_normal((B, T))
    A[..., roles["loud"]] = 5.0 * r.standard_normal((B, T))
    if constant:
        roles["constant"] = int(units[3])
        A[..., roles["constant"]] = 0.25
    return A.astype(dtype), feature.astype(dtype), roles


def _pearson(X, y):
    """Columns of X (N, U) against y (N,), float64; 0 where a norm is 0 (the reference formula)."""
    return ref.unit_correlations(X, y)


def _corr_mistakes(A, feature) -> dict[str, np.ndarray]:
    """What typical wrong unit_correlations return on (A, feature) -> the diagnosis."""
    dtype = np.asarray(A).dtype if np.asarray(A).dtype in (np.float32, np.float64) else np.float64
    A = np.asarray(A, dtype=np.float64)
    feature = np.asarray(feature, dtype=np.float64)
    U = A.shape[-1]
    X, y = A.reshape(-1, U), feature.reshape(-1)
    N = len(y)
    Xc, yc = X - X.mean(0), y - y.mean()
    r = _pearson(X, y)
    nx, ny = np.sqrt((X ** 2).sum(0)), np.sqrt((y ** 2).sum())
    nxc, nyc = np.sqrt((Xc ** 2).sum(0)), np.sqrt((yc ** 2).sum())
    out = {
        _("Your r is not centred: Pearson r multiplies the *deviations from the mean*, "
          "r = sum((a - mean a)(y - mean y)) / sqrt(sum((a - mean a)^2) * sum((y - mean y)^2)). "
          "Without subtracting the means you computed a cosine similarity."): (X * y[:, None]).sum(0) / (nx * ny),
        _("Your r centres the feature but not the activations: subtract each unit's mean over all samples too."):
            (X * yc[:, None]).sum(0) / (nx * nyc),
        _("Your r centres the activations but not the feature: subtract the feature's mean too."):
            (Xc * y[:, None]).sum(0) / (nxc * ny),
    }
    Xw = X - X.mean(1, keepdims=True)  # centred across units at each sample: the wrong axis
    with np.errstate(all="ignore"):
        out[_("You took the means over the wrong axis: each unit's mean is over all (sequence, step) samples "
              "(axis 0 of A.reshape(-1, U)), not over the units of one sample.")] = (Xw * yc[:, None]).sum(0) / (
            np.sqrt((Xw ** 2).sum(0)) * nyc)
    if A.ndim >= 3:
        B, T = A.shape[0], A.shape[1]
        y_time_major = np.swapaxes(feature, 0, 1).reshape(-1)
        out[_("Your activations and feature are flattened in different orders, so samples are paired with the "
              "wrong depths: flatten both the same way, A.reshape(-1, U) with feature.reshape(-1).")] = _pearson(X, y_time_major)
        out[_("You reshaped A to (U, N) without moving the unit axis first, which mixes units together: use "
              "A.reshape(-1, U) (units stay on the last axis).")] = _pearson(A.reshape(U, -1).T, y)
        out[_("You averaged one correlation per sequence; pool all (sequence, step) samples into a single r per unit.")] = \
            np.mean([_pearson(A[b], feature[b]) for b in range(B)], axis=0)
        out[_("You used only the first sequence; pool all sequences (every leading axis) into the correlation.")] = \
            _pearson(A[0], feature[0])
        out[_("You computed one r per sequence (shape (B, U)); pool all sequences into one r per unit.")] = \
            np.stack([_pearson(A[b], feature[b]) for b in range(B)])
        out[_("You computed one r per time step, across sequences (shape (T, U)); pool all steps and sequences.")] = \
            np.stack([_pearson(A[:, t], feature[:, t]) for t in range(T)])
    out[_("Your covariance and standard deviations use different ddof (e.g. np.cov, which divides by N - 1, "
          "with np.std, which divides by N): r is off by N/(N-1). Use the same normalisation for both, "
          "or none (it cancels).")] = r * N / (N - 1)
    out[_("Your covariance and standard deviations use different ddof (N vs N - 1): r is off by (N-1)/N. "
          "Use the same normalisation for both, or none.")] = r * (N - 1) / N
    with np.errstate(all="ignore"):
        pooled_sd = np.sqrt((Xc ** 2).sum() / U)        # one spread for all units together
        out[_("You divided every unit's covariance by one standard deviation for all units; each unit needs its own: "
              "r_u = cov(a_u, y) / (std(a_u) std(y)), the std taken per unit (axis 0).")] = (Xc * yc[:, None]).sum(0) / (
            pooled_sd * nyc)
        # the one-pass formula E[ay] - E[a]E[y] over sqrt(E[a^2] - E[a]^2 ...), in the dtype it was given
        Xd, yd = A.reshape(-1, U).astype(dtype), feature.reshape(-1).astype(dtype)
        cov1 = (Xd * yd[:, None]).mean(0) - Xd.mean(0) * yd.mean()
        var1 = (Xd * Xd).mean(0) - Xd.mean(0) ** 2
        vary = (yd * yd).mean() - yd.mean() ** 2
        one_pass = (cov1 / np.sqrt(np.abs(var1) * abs(vary))).astype(np.float64)
    if np.all(np.isfinite(one_pass)) and not np.allclose(one_pass, r, rtol=1e-4, atol=1e-5):
        out[_("Your r uses the one-pass formula (E[a y] - E[a] E[y]) / sqrt(E[a^2] - E[a]^2 ...): when the activations "
              "sit far from 0 the two large terms nearly cancel and their difference loses its digits. Centre first "
              "(subtract the means), then multiply.")] = one_pass
    out[_("Your r lost its sign: a unit that goes *down* with the feature has r < 0; do not take abs() or square it.")] = np.abs(r)
    out[_("You returned r squared; return r itself (with its sign).")] = r ** 2
    return out


def _float_array(name: str, got, float64: bool = False) -> None:
    """Fail unless got is a numpy array of floats (float64 when the exercise promises it)."""
    if got is None:
        raise CheckFailed(_("{name} is None: did your function forget to `return` it?").format(name=name))
    if not isinstance(got, np.ndarray):
        kind = _("a torch tensor") if is_torch_tensor(got) else _("a {type}").format(type=type(got).__name__)
        raise CheckFailed(_("{name} should be a numpy array, got {kind}.").format(name=name, kind=kind))
    if got.dtype.kind != "f":
        if got.dtype.kind in "biu":
            raise CheckFailed(_("{name} should hold floats, got dtype {dtype}: a fraction of True values is "
                                "np.mean(mask, axis=0), not a count or a bool.").format(name=name, dtype=got.dtype))
        raise CheckFailed(_("{name} should hold floats, got dtype {dtype}.").format(name=name, dtype=got.dtype))
    if float64 and got.dtype != np.float64:
        raise CheckFailed(_("{name} has dtype {dtype}; the exercise returns float64 (work in float64: "
                            "np.asarray(A, dtype=np.float64)), also for float32 recordings.").format(
            name=name, dtype=got.dtype))


def _per_unit_shape(exercise: str, got, A) -> None:
    """Name the wrong-axis mistake when a result has one value per sample instead of one per unit."""
    shape = np.shape(got)
    U = A.shape[-1]
    if shape != (U,) and shape in (A.shape[:-1], (int(np.prod(A.shape[:-1])),)):
        raise CheckFailed(_("{exercise} returned one value per (sequence, step) sample, shape {shape}: you reduced over "
                            "the unit axis. Units are the last axis of A; return one value per unit, shape ({U},)."
                            ).format(exercise=exercise, shape=shape, U=U))


# --- exercise 1: unit_correlations -------------------------------------------------------------

CORR_VISIBLE = [(3, 24, 6, 0, np.float64, 0.0)]
CORR_HIDDEN = [(5, 17, 9, 1, np.float64, 0.0), (2, 40, 4, 2, np.float32, 0.0), (1, 30, 7, 3, np.float64, 0.0),
               # activations far from 0 (cell states of a few hundred, float32; 1e5 in float64), every unit at its own
               # level: the one-pass formula E[ay] - E[a]E[y] cancels catastrophically, centring first does not
               (3, 24, 6, 6, np.float32, 300.0), (3, 24, 6, 7, np.float64, 1e5)]


def check_unit_correlations(unit_correlations, hidden: bool = False) -> None:
    """unit_correlations(A (..., U), feature (...)) -> r (U,) float64: Pearson r per unit, pooled over all samples."""
    cases = CORR_VISIBLE + (CORR_HIDDEN if hidden else [])
    for B, T, U, seed, dtype, offset in cases:
        A, feature, _roles = correlation_case(B, T, U, seed, dtype)
        if offset:
            A = (A.astype(np.float64) + offset * (1 + 0.1 * np.arange(U))).astype(dtype)
        want = ref.unit_correlations(A, feature)
        got = call_student("unit_correlations", unit_correlations, A, feature, hidden=hidden, **_on(ON_A_FEATURE))
        tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-7, atol=1e-9)
        _per_unit_shape("unit_correlations", got, A)
        _float_array("r", got, float64=True)
        if offset:
            hint = _("(case A of shape {shape}, feature {feature_shape}, {dtype}, activations around {offset:g}: "
                     "subtract the means before multiplying; the one-pass formula E[a y] - E[a] E[y] loses its digits "
                     "when the values sit far from 0)")
        else:
            hint = _("(case A of shape {shape}, feature {feature_shape}, {dtype})")
        hint = hint.format(shape=A.shape, feature_shape=feature.shape, dtype=np.dtype(dtype).name, offset=offset)
        assert_close("r", got, want, mistakes=_corr_mistakes(A, feature), hint=hint, **tol)
    # A unit that never changes: its r is 0, not NaN (a 0/0 warning is harmless; the NaN is the mistake).
    A, feature, roles = correlation_case(3, 24, 6, 4, np.float64, constant=True)
    got = call_student("unit_correlations", unit_correlations, A, feature, hidden=hidden, **_on(ON_A_FEATURE))
    got = np.asarray(got, dtype=float)
    k = roles["constant"]
    if got.shape == (6,) and not np.isfinite(got[k]):
        raise CheckFailed(_("Your r is {value} for unit {k}, which never changes (its standard deviation is 0, "
                            "so Pearson's formula is 0/0). Define r = 0 for such a unit: divide only where the "
                            "denominator is > 0 (a mask, or np.divide(..., where=den > 0)).").format(value=got[k], k=k))
    assert_close(_("r with a constant unit"), got, ref.unit_correlations(A, feature),
                 hint=_("Unit {k} is constant: its r must be 0; the others are unaffected.").format(k=k))
    if hidden:
        # One sequence (T, U) with feature (T,).
        A, feature, _roles = correlation_case(1, 33, 5, 5, np.float64)
        got = call_student("unit_correlations", unit_correlations, A[0], feature[0], hidden=True,
                           **_on(ON_A_FEATURE))
        assert_close(_("r for one sequence (A of shape (T, U), feature (T,))"), got, ref.unit_correlations(A[0], feature[0]),
                     mistakes=_corr_mistakes(A[0], feature[0]))
        # Closed form: a unit that is an exact linear function of the feature has r = +-1.
        f = feature[0]
        lin = np.stack([3 * f + 2, -0.5 * f + 7, np.cos(np.arange(33.0))], axis=-1)
        got = call_student("unit_correlations", unit_correlations, lin, f, hidden=True, **_on(ON_A_FEATURE))
        assert_close(_("r of units a*feature + b (must be +1, -1, and the third unit's r)"), got,
                     ref.unit_correlations(lin, f))
        # One unit (U = 1): r still has shape (1,) (no squeeze).
        A1, f1, roles1 = correlation_case(2, 20, 4, 8, np.float64)
        A1 = A1[..., [roles1["down"]]]
        got = call_student("unit_correlations", unit_correlations, A1, f1, hidden=True, **_on(ON_A_FEATURE))
        if np.shape(got) == ():
            raise CheckFailed(_("For A with a single unit, (B, T, 1), your r has shape (): keep the unit axis, r has "
                                "shape (U,) = (1,) (no np.squeeze, no float(...))."))
        assert_close(_("r for a single unit (A of shape (2, 20, 1))"), got, ref.unit_correlations(A1, f1))
        # A constant feature: every r is 0.
        got = call_student("unit_correlations", unit_correlations, A, np.full(feature.shape, 2.0), hidden=True,
                           **_on(ON_A_FEATURE))
        if np.shape(got) == (5,) and not np.isfinite(as_array("r", got)).all():
            raise CheckFailed(_("Your r contains NaN for a feature that never changes (its standard deviation is 0, so "
                                "every unit's r is 0/0). Define r = 0 there too: divide only where the denominator "
                                "is > 0."))
        assert_close(_("r with a feature that never changes (must be all 0)"), got, np.zeros(5), atol=1e-12, rtol=0)
    passed(_("unit_correlations: Pearson r per unit matches (hidden cases too)") if hidden else
           _("unit_correlations: Pearson r per unit matches"))


# --- exercise 2: tracking_unit ------------------------------------------------------------------

TRACK_VISIBLE = [(3, 24, 6, 10, np.float64, -1)]
TRACK_HIDDEN = [(4, 30, 8, 11, np.float64, +1), (2, 35, 5, 12, np.float32, -1), (1, 40, 7, 13, np.float64, +1)]


def _track_case(B, T, U, seed, dtype, sign):
    """A case whose best unit by |r| has the given sign; the other direction's best is weaker."""
    A, feature, roles = correlation_case(B, T, U, seed, np.float64)
    if sign > 0:  # make the rising unit the strongest and the falling one weaker
        A[..., roles["up"]] = -0.2 + 0.5 * feature + 0.3 * rng(seed + 50).standard_normal(feature.shape)
        A[..., roles["down"]] = 0.4 - 0.3 * feature + 0.9 * rng(seed + 51).standard_normal(feature.shape)
    # Reorder the units until every typical wrong pick (largest r, most negative r, smallest |r|, largest
    # variance, off by one) names a different unit from the right one and from each other: then the
    # diagnosis is unambiguous.
    U = A.shape[-1]
    shuffle = rng(seed + 99)
    fallback = None
    for _attempt in range(500):
        perm = shuffle.permutation(U)
        Ar = A[..., perm]
        r = ref.unit_correlations(Ar, feature)
        best = int(np.argmax(np.abs(r)))
        wrong = [int(np.argmax(r)) if sign < 0 else int(np.argmin(r)), int(np.argmin(np.abs(r))),
                 int(np.argmax(Ar.reshape(-1, U).var(0))), best + 1]
        if best + 1 >= U or best in wrong:
            continue
        where = {int(old): new for new, old in enumerate(perm)}
        found = (Ar.astype(dtype), feature.astype(dtype), {k: where[v] for k, v in roles.items()})
        if len(set(wrong)) == 4:
            return found
        if fallback is None and wrong.count(best + 1) == 1:
            fallback = found
    if fallback is None:  # pragma: no cover - the seeds in this module all find one
        raise AssertionError("no usable arrangement of the tracking case")
    return fallback


def check_tracking_unit(tracking_unit, hidden: bool = False) -> None:
    """tracking_unit(A (..., U), feature (...)) -> (unit, r): the unit with the largest |r|, and its signed r."""
    cases = TRACK_VISIBLE + (TRACK_HIDDEN if hidden else [])
    for B, T, U, seed, dtype, sign in cases:
        A, feature, roles = _track_case(B, T, U, seed, dtype, sign)
        if B == 1:
            A, feature = A[0], feature[0]
        r = ref.unit_correlations(A, feature)
        best = int(np.argmax(np.abs(r)))
        got = call_student("tracking_unit", tracking_unit, A, feature, hidden=hidden, **_on(ON_A_FEATURE))
        got = unpack("tracking_unit", got, 2, "(unit, r)")
        unit, r_got = got
        where = _("(case A of shape {shape}, {dtype})").format(shape=A.shape, dtype=np.dtype(dtype).name)
        if isinstance(unit, (float, np.floating)) and not float(unit).is_integer():
            raise CheckFailed(_("tracking_unit returned its values in the wrong order: (r, unit) instead of (unit, r), "
                                "the unit index first, then its r."))
        if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)):
            if np.ndim(unit) != 0:
                raise CheckFailed(_("The unit should be one index (an int), got an array of shape {shape}.").format(
                    shape=np.shape(unit)))
            raise CheckFailed(_("The unit should be an int index, got {type}: use int(...).").format(
                type=type(unit).__name__))
        if np.ndim(r_got) != 0:
            raise CheckFailed(_("r should be one number (the chosen unit's r), got an array of shape {shape}.").format(
                shape=np.shape(r_got)))
        unit = int(unit)
        if unit != best:
            by_r = int(np.argmax(r))
            most_negative = int(np.argmin(r))
            loud = int(np.argmax(np.asarray(A, float).reshape(-1, A.shape[-1]).var(0)))
            diag = {  # _track_case makes these five units distinct
                by_r: _("You picked the unit with the largest r (unit {by_r}, r = {r_by_r:+.3f}); the unit that tracks "
                        "the feature best may go *down* with it: unit {best} has r = {r_best:+.3f}. Compare |r|."
                        ).format(by_r=by_r, r_by_r=r[by_r], best=best, r_best=r[best]),
                most_negative: _("You picked the most negative r (unit {unit}); compare |r|: here the "
                                 "best unit, {best}, has r = {r_best:+.3f}.").format(unit=most_negative, best=best,
                                                                                      r_best=r[best]),
                int(np.argmin(np.abs(r))): _("You picked the unit with the smallest |r|: use argmax, not argmin."),
                loud: _("You picked the unit with the largest variance (unit {loud}); a big swing is not tracking: "
                        "rank the units by |r|.").format(loud=loud),
                best + 1: _("Your index is off by one: Python counts units from 0."),
            }
            if unit not in diag:
                raise CheckFailed(_("You returned unit {unit} (r = {r_unit:+.3f}); the unit with the "
                                    "largest |r| is {best} (r = {r_best:+.3f}). {where}").format(
                    unit=unit, r_unit=r[unit], best=best, r_best=r[best], where=where))
            raise CheckFailed(diag[unit])
        if np.isclose(float(r_got), abs(r[best])) and r[best] < 0:
            raise CheckFailed(_("You returned |r| = {got:.3f}; return the signed r ({r_best:+.3f}): the sign "
                                "says whether the unit rises or falls with the feature.").format(got=float(r_got),
                                                                                                  r_best=r[best]))
        assert_close(_("r of the tracking unit"), np.float64(r_got), np.float64(r[best]),
                     rtol=1e-4 if dtype == np.float32 else 1e-7, atol=1e-5 if dtype == np.float32 else 1e-9,
                     mistakes={_("You returned r squared; return r itself."): np.float64(r[best] ** 2)}, hint=where)
    if hidden:
        # A unit that never changes (its r is 0, not NaN): it must not be picked (np.argmax picks a NaN).
        A, feature, roles = correlation_case(3, 24, 6, 14, np.float64, constant=True)
        r = ref.unit_correlations(A, feature)
        best = int(np.argmax(np.abs(r)))
        got = unpack("tracking_unit", call_student("tracking_unit", tracking_unit, A, feature, hidden=True,
                                                    **_on(ON_A_FEATURE)), 2, "(unit, r)")
        if isinstance(got[0], (int, np.integer)) and int(got[0]) == roles["constant"]:
            raise CheckFailed(_("You picked unit {unit}, which never changes: its r is 0/0. np.argmax "
                                "treats a NaN as the largest value; give such a unit r = 0 (as unit_correlations "
                                "does).").format(unit=roles["constant"]))
        if not isinstance(got[0], (int, np.integer)) or int(got[0]) != best or not np.isfinite(float(got[1])) \
                or not np.isclose(float(got[1]), r[best], rtol=1e-7, atol=1e-9):
            raise CheckFailed(_("With a constant unit in A, tracking_unit should return ({best}, {r_best:+.4f}), got "
                                "{got!r:.80}.").format(best=best, r_best=r[best], got=got))
    passed(_("tracking_unit: picks the unit with the largest |r| and returns its "
             "signed r (hidden cases too)") if hidden else
           _("tracking_unit: picks the unit with the largest |r| and returns its "
             "signed r"))


# --- exercise 3: saturation -----------------------------------------------------------------------

SAT_VISIBLE = [(3, 20, 5, 20, np.float64, 0.1, 0.9)]
SAT_HIDDEN = [(4, 15, 7, 21, np.float64, 0.2, 0.7), (2, 30, 4, 22, np.float32, 0.1, 0.9),
              (1, 25, 6, 23, np.float64, 0.3, 0.95)]


def saturation_case(B, T, U, seed, dtype, low, high):
    """Gate activations (B, T, U) in (0, 1): units from mostly left- to mostly right-saturated,
    with about one value in ten exactly equal to low or to high (to tell < from <=)."""
    from lstmlab.lstm import sigmoid

    r = rng(seed)
    G = sigmoid(r.normal(np.linspace(-3, 3, U), 2.5, (B, T, U)))
    exact = r.random((B, T, U))
    G[exact < 0.06] = low
    G[exact > 0.94] = high
    return G.astype(dtype)


def _sat_mistakes(G, low, high, which: str) -> dict[str, np.ndarray]:
    G = np.asarray(G, dtype=np.float64)
    U = G.shape[-1]
    F = G.reshape(-1, U)
    want_left, want_right = (F < low).mean(0), (F > high).mean(0)
    base_left, base_right = (F < 0.1).mean(0), (F > 0.9).mean(0)
    out: dict[str, np.ndarray] = {}
    if which == "left":
        out[_("Your left fraction counts values equal to low = {low} as saturated: left-saturated is strictly "
              "gate < low (Karpathy et al.: less than 0.1).").format(low=low)] = (F <= low).mean(0)
        out[_("Your left fraction counts values above high: left-saturated means gate < low "
              "(did you swap left and right?).")] = want_right
        out[_("Your left fraction is a count, not a fraction: divide by the number of (sequence, step) samples.")] = \
            (F < low).sum(0)
        out[_("Your left fraction counts values *above* low: left-saturated means gate < low.")] = (F > low).mean(0)
        if (low, high) != (0.1, 0.9):
            out[_("Your left fraction ignores the `low` argument (it uses 0.1): compare with low.")] = base_left
        out[_("Your left fraction is averaged over the units (shape = the leading axes): give one fraction per unit, "
              "averaging over all sequences and steps.")] = (G < low).mean(-1)
        if G.ndim >= 3:
            out[_("Your left fraction is averaged over the first axis only (shape (T, U)): average over every "
                  "leading axis (sequences and steps).")] = (G < low).mean(0)
            out[_("Your left fraction is averaged over time only (shape (B, U)): average over sequences too.")] = \
                (G < low).mean(1)
        out[_("Your left fraction is one number for the whole gate: give one fraction per unit (shape (U,)).")] = \
            np.float64((G < low).mean())
    else:
        out[_("Your right fraction counts values equal to high = {high} as saturated: right-saturated is strictly "
              "gate > high (Karpathy et al.: more than 0.9).").format(high=high)] = (F >= high).mean(0)
        out[_("Your right fraction counts values below low: right-saturated means gate > high "
              "(did you swap left and right?).")] = want_left
        out[_("Your right fraction is a count, not a fraction: divide by the number of (sequence, step) samples.")] = \
            (F > high).sum(0)
        out[_("Your right fraction is 1 - left: that also counts the unsaturated values; right-saturated is gate > high.")] = \
            1 - want_left
        if (low, high) != (0.1, 0.9):
            out[_("Your right fraction ignores the `high` argument (it uses 0.9): compare with high.")] = base_right
            out[_("Your right fraction uses 1 - low as its threshold; use the `high` argument.")] = (F > 1 - low).mean(0)
        out[_("Your right fraction is averaged over the units (shape = the leading axes): give one fraction per unit, "
              "averaging over all sequences and steps.")] = (G > high).mean(-1)
        if G.ndim >= 3:
            out[_("Your right fraction is averaged over the first axis only (shape (T, U)): average over every "
                  "leading axis (sequences and steps).")] = (G > high).mean(0)
            out[_("Your right fraction is averaged over time only (shape (B, U)): average over sequences too.")] = \
                (G > high).mean(1)
        out[_("Your right fraction is one number for the whole gate: give one fraction per unit (shape (U,)).")] = \
            np.float64((G > high).mean())
    return out


def check_saturation(saturation, hidden: bool = False) -> None:
    """saturation(gate (..., U), low=0.1, high=0.9) -> (left (U,), right (U,)): fractions of steps < low and > high."""
    cases = SAT_VISIBLE + (SAT_HIDDEN if hidden else [])
    for B, T, U, seed, dtype, low, high in cases:
        G = saturation_case(B, T, U, seed, dtype, low, high)
        if B == 1:
            G = G[0]
        kwargs = {} if (low, high) == (0.1, 0.9) else {"low": low, "high": high}  # the defaults are Karpathy's
        got = call_student("saturation", saturation, G, hidden=hidden, **_on(ON_GATE), **kwargs)
        got = unpack("saturation", got, 2, "(left, right)")
        want_left, want_right = ref.saturation(G, low, high)
        where = _("(case gate of shape {shape}, low={low}, high={high}, {dtype})").format(
            shape=G.shape, low=low, high=high, dtype=np.dtype(dtype).name)
        assert_order("saturation", got, (want_left, want_right), ("left", "right"), rtol=1e-9, atol=1e-12)
        for name, part in (("left", got[0]), ("right", got[1])):   # counts and single numbers are diagnosed below
            if isinstance(part, (list, tuple)) or is_torch_tensor(part):
                _float_array(name, part)
        assert_close(_("left (fraction of steps below low)"), got[0], want_left, rtol=1e-9, atol=1e-12,
                     mistakes=_sat_mistakes(G, low, high, "left"), hint=where)
        assert_close(_("right (fraction of steps above high)"), got[1], want_right, rtol=1e-9, atol=1e-12,
                     mistakes=_sat_mistakes(G, low, high, "right"), hint=where)
    if hidden:
        # Closed forms: all zeros is always left-saturated; all 0.5 is never saturated.
        for value, left, right in ((0.0, 1.0, 0.0), (0.5, 0.0, 0.0), (1.0, 0.0, 1.0)):
            G = np.full((2, 5, 3), value)
            got = call_student("saturation", saturation, G, hidden=True, **_on(ON_GATE))
            got = unpack("saturation", got, 2, "(left, right)")
            assert_close(_("left for a gate stuck at {value}").format(value=value), got[0], np.full(3, left))
            assert_close(_("right for a gate stuck at {value}").format(value=value), got[1], np.full(3, right))
    passed(_("saturation: left and right fractions per unit match (hidden cases too)") if hidden else
           _("saturation: left and right fractions per unit match"))


# A student's exception out of any check_* shows the student's frames only (lstmlab.checking.harness).
student_facing(globals())
