"""Checks for lesson 10 (applications): forecasting hygiene, a row-by-row classifier, anomaly scores, padding.

The forecasting checks feed a strictly increasing series (value = 100 + index), so every window,
target and forecast tells which index it came from: a target inside its window, an off-by-one
horizon, a shuffled or reversed split or statistics of the wrong part are recognised exactly and
named. `hidden=True` adds held-back cases (other sizes, float32, a single window, random series,
levels that differ between the fitted and the held-out part, validation counts that round up, down or to 0,
rates below one item) and the from-scratch rule (the
library's own lstmlab.series / lstmlab.anomaly / lstmlab.lessons.applications.models do not count).
Every call of a student's function goes through lstmlab.checking.call_student.
The text is held to its word: ddof=0 for standardize and anomaly_scores (ddof=1 is named and rejected),
round(val_fraction * N) validation rows, np.quantile's (1 - rate) quantile (or an order statistic next to it).
The text checks (pad_batch, masked_mean, last_valid) feed states whose padding steps hold large values, so
padding counted, a mask off by one or a state read at T - 1 is named; the pooling checks call the function
again with extra padding and require the same result.
"""
from __future__ import annotations

import math

import numpy as np

from lstmlab import anomaly as ref_anomaly
from lstmlab import series as ref_series
from lstmlab.checking import (CheckFailed, assert_ndarray, assert_close, call_student, student_facing, matches, passed,
                              reference_functions, tolerances, unpack)
from lstmlab.fixtures import lstm_params, rng
from lstmlab.i18n import N_, SOURCE_LANGUAGE, _, language
from lstmlab.lessons.applications import models as ref_classifier

BASE = 100.0
REFERENCES = reference_functions(ref_series) + reference_functions(ref_anomaly)
IN_PLACE = N_("work on new arrays instead (e.g. np.sort(a) rather than a.sort()).")


def _scalar(name, got) -> float:
    if got is None:
        raise CheckFailed(_("{name} is None: did your function forget to `return` it?").format(name=name))
    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    arr = np.asarray(got)
    if arr.ndim != 0 or arr.dtype.kind not in "fiu":
        if arr.size == 1:
            raise CheckFailed(_("{name} should be a single number (a float), got {type} with shape {shape}: use "
                                "float(...) or index the one element.").format(name=name, type=type(got).__name__,
                                                                               shape=arr.shape))
        raise CheckFailed(_("{name} should be a single number (a float), got {type} with shape {shape}.").format(
            name=name, type=type(got).__name__, shape=arr.shape))
    value = float(arr.reshape(()))
    if not math.isfinite(value):
        raise CheckFailed(_("{name} is {value}: look for a division by zero.").format(name=name, value=value))
    return value


def _at(message: str, where: str) -> str:
    """A diagnosis followed by the case it was found in."""
    return _("{message} {where}").format(message=message, where=where)


# --- exercise 1: windows ---------------------------------------------------------------------

def _window_mistakes(s, W, h):
    """{message: (X or y it would give)} for the typical windowing mistakes on series s."""
    L = len(s)
    N = L - W - h + 1
    n = np.arange(N)
    idx = n[:, None] + np.arange(W)
    y_mistakes = {}
    if h == 1:
        y_mistakes[_("Your target is the last value of its own window (y[n] = series[n+W-1]): the model would "
                     "see the answer in its input. With horizon 1 the target is the next value, series[n+W].")] = s[idx[:, -1]]
    else:
        y_mistakes[_("Your horizon is off by one, one step early: y[n] = series[n+W+h-2]. Horizon h counts from the "
                     "last input series[n+W-1], so the target is series[n+W-1+h].")] = s[n + W + h - 2]
        y_mistakes[_("Your target ignores the horizon: you always take the next value series[n+W]; the target is "
                     "series[n+W-1+h].")] = s[n + W]
        y_mistakes[_("You counted the horizon from the first value of the window (series[n+h]); count it from the "
                     "last one: series[n+W-1+h].")] = s[n + h]
    if N >= 2:
        y_mistakes[_("Your horizon is off by one, one step late: y[n] = series[n+W+h] skips a step. The target is "
                     "series[n+W-1+h] (horizon 1 = the value right after the window).")] = s[n[:-1] + W + h]
        y_mistakes[_("You dropped the last (input, target) pair: there are N = L - W - h + 1 of them "
                     "(check the range of your loop).")] = s[n[:-1] + W - 1 + h]
    X_mistakes = {
        _("Your windows are reversed: X[n] must run forward in time, series[n], ..., series[n+W-1]."): s[idx[:, ::-1]],
    }
    if h > 1:
        all_idx = np.arange(L - W + 1)[:, None] + np.arange(W)
        X_mistakes[_("You made L - W + 1 windows, one per start; with horizon h only N = L - W - h + 1 of them have a "
                     "target inside the series.")] = s[all_idx]
        X_mistakes[_("You made L - W windows (the count for horizon 1); with horizon h there are N = L - W - h + 1.")] = \
            s[all_idx[:-1]]
    if N >= 2:
        X_mistakes[_("You dropped the last (input, target) pair: there are N = L - W - h + 1 of them "
                     "(check the range of your loop).")] = s[idx[:-1]]
    if N >= 2 and W >= 2:
        X_mistakes[_("Your windows are shifted one step late (X[n] starts at series[n+1]); X[n] = series[n:n+W].")] = \
            s[idx[:-1] + 1]
    return X_mistakes, y_mistakes


def check_make_windows(make_windows, hidden: bool = False) -> None:
    """make_windows(series (L,), window W, horizon h) -> X (N, W), y (N,) with y[n] = series[n+W-1+h]."""
    cases = [(10, 3, 1, "ramp", np.float64), (12, 4, 3, "ramp", np.float64)]
    if hidden:
        cases += [(7, 1, 1, "ramp", np.float64), (9, 8, 1, "ramp", np.float64), (20, 5, 5, "ramp", np.float64),
                  (15, 2, 9, "ramp", np.float64), (30, 6, 2, "random", np.float32), (25, 7, 1, "random", np.float64),
                  (8, 5, 3, "ramp", np.float64)]   # L = W + h: exactly one pair
    for L, W, h, kind, dtype in cases:
        s = (BASE + np.arange(L) if kind == "ramp" else rng(L + W + h).standard_normal(L)).astype(dtype)
        got = call_student("make_windows", make_windows, s, W, h, hidden=hidden, ready_made=REFERENCES,
                           names=("series", "window", "horizon"), mutation_hint=_(IN_PLACE))
        X, y = unpack("make_windows", got, 2, "(X, y)")
        X_want, y_want = ref_series.make_windows(s, W, h)
        if np.ndim(X) == 1 and np.ndim(y) == 2:
            raise CheckFailed(_("make_windows returned its values in the wrong order: (y, X) instead of (X, y)."))
        assert_ndarray(_("X (the input windows)"), X, floats=False)
        assert_ndarray(_("y (the targets)"), y, floats=False)
        where = _("(case L={L}, window={W}, horizon={h})").format(L=L, W=W, h=h)
        X_mistakes, y_mistakes = _window_mistakes(s, W, h)
        if np.shape(y) == (len(y_want), 1):
            raise CheckFailed(_("y has shape {shape}; return a 1-D array of shape (N,) = ({n},).").format(
                shape=np.shape(y), n=len(y_want)))
        rtol, atol = tolerances(s)
        assert_close(_("X (the input windows)"), X, X_want, rtol=rtol, atol=atol, mistakes=X_mistakes,
                     hint=_("X[n] = series[n:n+W], N = L - W - h + 1 rows. {where}").format(where=where))
        if kind == "ramp" and y is not None and np.shape(y) == y_want.shape:
            Xa, ya = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
            for message, wrong in y_mistakes.items():   # a named mistake first, the general leak after
                if matches(ya, wrong, rtol, atol) and not matches(ya, y_want, rtol, atol):
                    raise CheckFailed(_at(message, where))
            if all(ya[n] in Xa[n] for n in range(len(ya))) and not np.allclose(ya, y_want):
                raise CheckFailed(_("Your target lies inside its own input window: the model would be shown the answer. "
                                    "The target of X[n] is series[n+W-1+h], after the window. {where}").format(where=where))
        assert_close(_("y (the targets)"), y, y_want, rtol=rtol, atol=atol, mistakes=y_mistakes,
                     hint=_("y[n] = series[n+W-1+h]. {where}").format(where=where))
    passed(_("make_windows: windows and targets line up, no target inside its window (hidden cases too)") if hidden
           else _("make_windows: windows and targets line up, no target inside its window"))


# --- exercise 2: split in time order ---------------------------------------------------------

def _n_val_allowed(N: int, f: float) -> set[int]:
    """round(f * N), as the text says; at an exact tie (x.5) both neighbours (Python rounds ties to even)."""
    x = f * N
    if abs(x - math.floor(x) - 0.5) < 1e-9:
        return {math.floor(x), math.floor(x) + 1}
    return {int(round(x))}


def check_time_split(time_split, hidden: bool = False) -> None:
    """time_split(X (N, ...), y (N, ...), val_fraction) -> X_train, y_train, X_val, y_val, in time order.

    The validation part has exactly round(val_fraction * N) rows (either neighbour at an exact .5 tie). Hidden cases
    put val_fraction * N just above and below .5 (rounding, not truncating, in either direction) and at 0.4, where
    the validation part is empty (X[-0:] is the whole array).
    """
    cases = [(20, 4, 0.2, np.float64, False), (17, 3, 0.3, np.float64, False)]
    if hidden:
        cases += [(10, 2, 0.25, np.float64, False), (7, 3, 0.5, np.float32, False), (40, 5, 0.1, np.float64, True),
                  (3, 2, 0.34, np.float64, False), (101, 6, 0.2, np.float32, True),
                  (13, 3, 0.2, np.float64, False),     # 2.6 rows: round to 3 (int() truncates to 2)
                  (19, 2, 0.3, np.float64, True),      # 5.7 rows: 6 (int((1 - f) * N) = 13 gives 6 as well; floor 5)
                  (23, 2, 0.1, np.float64, False),     # 2.3 rows: 2 (ceil, or int((1 - f) * N) = 20, gives 3)
                  (10, 3, 0.04, np.float64, False)]    # 0.4 rows: no validation row at all
    for N, W, f, dtype, three_d in cases:
        s = (BASE + np.arange(N + W)).astype(dtype)
        X, y = ref_series.make_windows(s, W, 1)
        if three_d:  # (N, W, 1) inputs and (N, 1) targets, as a torch model wants them
            X, y = X[..., None], y[:, None]
        got = call_student("time_split", time_split, X, y, f, hidden=hidden, ready_made=REFERENCES,
                           names=("X", "y", "val_fraction"), mutation_hint=_(IN_PLACE))
        parts = unpack("time_split", got, 4, "(X_train, y_train, X_val, y_val)")
        where = _("(case N={N}, val_fraction={f})").format(N=N, f=f)
        arrs = []
        for name, part in zip(("X_train", "y_train", "X_val", "y_val"), parts):
            arrs.append(np.asarray(assert_ndarray(name, part, floats=False), dtype=float))
        Xtr, ytr, Xva, yva = arrs
        if X.shape[1:] != y.shape[1:] and ytr.shape[1:] == X.shape[1:] and Xva.shape[1:] == y.shape[1:]:
            raise CheckFailed(_("time_split returned its values in the wrong order: (X_train, X_val, y_train, y_val), "
                                "scikit-learn's order, instead of (X_train, y_train, X_val, y_val)."))
        for name, part, like in (("X_train", Xtr, X), ("X_val", Xva, X), ("y_train", ytr, y), ("y_val", yva, y)):
            if part.shape[1:] != like.shape[1:]:
                raise CheckFailed(_("{name} has shape {shape}; its rows should have shape {row_shape} like "
                                    "{other}'s. {where}").format(name=name, shape=part.shape, row_shape=like.shape[1:],
                                                                 other='X' if like is X else 'y', where=where))
        if len(Xtr) != len(ytr) or len(Xva) != len(yva):
            raise CheckFailed(_("X_train has {n_xtr} rows but y_train {n_ytr}, X_val {n_xva} but y_val "
                                "{n_yva}: split X and y at the same place.").format(
                n_xtr=len(Xtr), n_ytr=len(ytr), n_xva=len(Xva), n_yva=len(yva)))
        # row index of each window (an empty part has none)
        first = lambda A: (np.asarray(A).reshape(len(A), -1)[:, 0] - BASE) if len(A) else np.zeros(0)
        i_tr, i_va = first(Xtr), first(Xva)
        allowed = _n_val_allowed(N, f)
        rounded = f"round(val_fraction * N) = round({f} * {N}) = round({f * N:.4g}) = {min(allowed)}"
        if np.intersect1d(i_tr, i_va).size:
            if allowed == {0} and len(i_va) == N:
                raise CheckFailed(_("Your validation part is the whole data set: here {rounded}, and X[-0:] is all of X "
                                    "(-0 == 0). Split at k = N - n_val instead: X[:k] and X[k:]. {where}").format(
                    rounded=rounded, where=where))
            raise CheckFailed(_("Some rows are in both the training and the validation part. {where}").format(where=where))
        if len(i_tr) + len(i_va) != N:
            raise CheckFailed(_("Your parts hold {n_tr} + {n_va} rows, but there are {N}: every row goes to "
                                "exactly one part. {where}").format(n_tr=len(i_tr), n_va=len(i_va), N=N, where=where))
        if not np.array_equal(i_tr, np.sort(i_tr)) or not np.array_equal(i_va, np.sort(i_va)) or \
                (len(i_tr) and len(i_va) and i_tr.max() > i_va.min() and i_tr.min() < i_va.min()):
            raise CheckFailed(_("Your split shuffled the rows (or mixed them): in a time series the validation rows must "
                                "all come after the training rows, in time order. Shuffling puts future values into "
                                "training and flatters the validation score. {where}").format(where=where))
        if len(i_tr) and len(i_va) and i_va.max() < i_tr.min():
            raise CheckFailed(_("Your validation part comes first in time: validate on the *last* rows, train on the "
                                "earlier ones. {where}").format(where=where))
        k = len(Xtr)
        n_val = N - k
        if n_val not in allowed:
            if k in allowed and n_val not in allowed:
                raise CheckFailed(_("Your training part holds val_fraction of the rows ({k} of {N}): val_fraction is the "
                                    "share of the validation part, which comes last. {where}").format(k=k, N=N, where=where))
            if n_val == math.floor(f * N + 1e-9) and n_val < min(allowed):
                how = _("you truncated (int(...) or np.floor) where the text says round")
            elif n_val == math.ceil(f * N - 1e-9) and n_val > max(allowed):
                how = _("you rounded up (np.ceil, or you truncated the training share, int((1 - val_fraction) * N), "
                        "which rounds the validation share up)")
            else:
                how = _("count the validation rows as round(val_fraction * N)")
            raise CheckFailed(_("Your validation part has {n_val} rows; it should have {rounded}: {how}. {where}").format(
                n_val=n_val, rounded=rounded, how=how, where=where))
        rtol, atol = tolerances(X)
        assert_close("y_train", ytr, y[:k], rtol=rtol, atol=atol,
                     mistakes={_("y_train is not aligned with X_train: split y with the same rows as X."): y[-k:]})
        assert_close("y_val", yva, y[k:], rtol=rtol, atol=atol,
                     mistakes={_("y_val is not aligned with X_val: split y with the same rows as X."): y[:N - k]})
        assert_close("X_train", Xtr, X[:k], rtol=rtol, atol=atol)
        assert_close("X_val", Xva, X[k:], rtol=rtol, atol=atol)
    passed(_("time_split: training rows first, validation rows last, nothing shuffled (hidden cases too)") if hidden
           else _("time_split: training rows first, validation rows last, nothing shuffled"))


# --- exercise 3: scaling fitted on the past --------------------------------------------------

def _level_shift_series(L, n_fit, seed, dtype):
    """A series whose fitted part and later part have very different levels (10 vs 100)."""
    r = rng(seed)
    s = np.concatenate([10 + 2 * r.standard_normal(n_fit), 100 + 5 * r.standard_normal(L - n_fit)])
    return s.astype(dtype)


def check_standardize(standardize, hidden: bool = False) -> None:
    """standardize(series (L,), n_fit) -> (z (L,), mean, std), statistics from series[:n_fit] only."""
    cases = [(30, 20, 0, np.float64), (12, 9, 1, np.float64)]
    if hidden:
        cases += [(40, 5, 2, np.float32), (8, 2, 3, np.float64), (15, 15, 4, np.float64), (200, 160, 5, np.float32)]
    for L, n_fit, seed, dtype in cases:
        s = _level_shift_series(L, n_fit, seed, dtype)
        got = call_student("standardize", standardize, s, n_fit, hidden=hidden, ready_made=REFERENCES,
                           names=("series", "n_fit"), mutation_hint=_(IN_PLACE))
        z, mean, std = unpack("standardize", got, 3, "(z, mean, std)")
        s64 = s.astype(np.float64)
        where = _("(case L={L}, n_fit={n_fit})").format(L=L, n_fit=n_fit)
        fit = s64[:n_fit]
        m_want = fit.mean()
        stds = [fit.std()]                      # ddof=0, as the text says (np.std's default)
        if np.ndim(z) == 0 and np.ndim(std) == 1:
            raise CheckFailed(_("standardize returned its values in the wrong order: z must come first, (z, mean, std)."))
        assert_ndarray("z", z, floats=False)
        mean, std = _scalar("mean", mean), _scalar("std", std)
        rtol, atol = (1e-4, 1e-4) if dtype == np.float32 else (1e-7, 1e-9)
        close = lambda a, b: abs(a - b) <= atol + rtol * abs(b)
        if close(std, m_want) and any(close(mean, v) for v in stds + [fit.std(ddof=1)]):
            raise CheckFailed(_("standardize returned its values in the wrong order: (z, std, mean) instead of "
                                "(z, mean, std)."))
        if not close(mean, m_want):
            diag = {
                s64.mean(): _("Your mean uses the whole series, the future included: the validation part leaked into "
                              "the scaling. Fit mean and std on series[:n_fit] only."),
                s64[n_fit:].mean() if n_fit < L else np.nan: _("Your mean comes from series[n_fit:], the part the model "
                                                               "must not see; fit on series[:n_fit]."),
                s64[:n_fit + 1].mean() if n_fit < L else np.nan: _("Off by one: your mean uses n_fit + 1 values "
                                                                   "(series[:n_fit+1]); use series[:n_fit]."),
                s64[:n_fit - 1].mean() if n_fit > 1 else np.nan: _("Off by one: your mean uses n_fit - 1 values; use "
                                                                   "series[:n_fit]."),
                s64.min(): _("You returned the minimum as the mean: this exercise standardizes (mean and standard "
                             "deviation), it does not min-max scale."),
                fit.min(): _("You returned the minimum as the mean: this exercise standardizes (mean and standard "
                             "deviation), it does not min-max scale."),
            }
            for value, message in diag.items():
                if np.isfinite(value) and close(mean, value):
                    raise CheckFailed(_at(message, where))
            raise CheckFailed(_("mean is {got:.6g}, expected {want:.6g} = the mean of series[:n_fit]. {where}").format(
                got=mean, want=m_want, where=where))
        if not any(close(std, v) for v in stds):
            diag = {
                fit.std(ddof=1): _("Your std uses ddof=1 (the sample standard deviation: pandas' .std(), "
                                   "statistics.stdev, or dividing by n_fit - 1); this exercise uses ddof=0, np.std's "
                                   "default: divide by n_fit."),
                s64.std(): _("Your std uses the whole series, the future included: fit it on series[:n_fit] only."),
                s64.std(ddof=1): _("Your std uses the whole series, the future included: fit it on series[:n_fit] only."),
                fit.var(): _("You returned the variance; std is its square root."),
                fit.max() - fit.min(): _("Your scale is max - min (min-max scaling); use the standard deviation."),
                s64[:n_fit + 1].std() if n_fit < L else np.nan: _("Off by one: your std uses n_fit + 1 values "
                                                                  "(series[:n_fit+1]); use series[:n_fit]."),
                s64[:n_fit - 1].std() if n_fit > 2 else np.nan: _("Off by one: your std uses n_fit - 1 values; use "
                                                                  "series[:n_fit]."),
            }
            for value, message in diag.items():
                if np.isfinite(value) and close(std, value):
                    raise CheckFailed(_at(message, where))
            raise CheckFailed(_("std is {got:.6g}, expected {want:.6g} = the standard deviation of series[:n_fit]. "
                                "{where}").format(got=std, want=stds[0], where=where))
        z_want = (s64 - mean) / std
        z_mistakes = {
            _("z covers only the fitted part: standardize the whole series (the validation part with the training "
              "statistics)."): z_want[:n_fit],
            _("Your z is not divided by std: z = (series - mean) / std."): s64 - mean,
            _("Your z is not centred: z = (series - mean) / std."): s64 / std,
            _("Your z uses the whole series' statistics, not the mean and std you returned."):
                (s64 - s64.mean()) / s64.std(),
        }
        if n_fit < L:
            z_mistakes[_("z covers only the part after n_fit: standardize the whole series.")] = z_want[n_fit:]
            rest = s64[n_fit:]
            if rest.std() > 0:
                z_mistakes[_("You standardized the part after n_fit with its own mean and std: the whole series uses the "
                             "statistics of series[:n_fit].")] = \
                    np.concatenate([z_want[:n_fit], (rest - rest.mean()) / rest.std()])
        assert_close("z", z, z_want, rtol=rtol, atol=atol, mistakes=z_mistakes,
                     hint=_("z = (series - mean) / std over the whole series. {where}").format(where=where))
    passed(_("standardize: statistics from the fitted part only, applied to the whole series (hidden cases too)")
           if hidden else _("standardize: statistics from the fitted part only, applied to the whole series"))


# --- exercise 4: naive forecasts -------------------------------------------------------------

def check_naive_forecast(naive_forecast, hidden: bool = False) -> None:
    """naive_forecast(X (N, W), horizon, period) -> (N,) = series[t + h - m*k], k = ceil(h / m)."""
    cases = [(12, 5, 1, 1, np.float64), (12, 5, 1, 4, np.float64)]
    if hidden:
        cases += [(10, 3, 3, 1, np.float64), (12, 4, 3, 4, np.float64), (12, 4, 6, 4, np.float64),
                  (12, 4, 4, 4, np.float64), (9, 1, 2, 3, np.float32), (11, 6, 11, 11, np.float64),
                  (24, 3, 13, 12, np.float64)]
    for W, N, h, m, dtype in cases:
        s = (BASE + np.arange(N + W + h - 1)).astype(dtype)
        X, _targets = ref_series.make_windows(s, W, h)
        where = _("(case window={W}, horizon={h}, period={m})").format(W=W, h=h, m=m)
        got = call_student("naive_forecast", naive_forecast, X, hidden=hidden, ready_made=REFERENCES, names=("X",),
                           mutation_hint=_(IN_PLACE), horizon=h, period=m,
                           on_error=_("An IndexError here means naive_forecast indexed outside the window {where}. "
                                      "For a horizon longer than the period go back k = ceil(h/m) whole seasons: "
                                      "column W-1+h-m*k.").format(where=where))
        want = ref_series.naive_forecast(X, h, m)
        assert_ndarray(_("the naive forecast"), got, floats=False)
        t = X[:, -1].astype(np.float64)          # on this ramp, value = step index + 100: offsets show as values
        k = (h - 1) // m + 1
        mistakes = {}
        if m > 1:
            mistakes[_("Your seasonal forecast ignores the period: it repeats the last value. With period m it repeats "
                       "the value one season before the target, series[t+h-m*k] with k = ceil(h/m).")] = t
            mistakes[_("Your forecast is one season before the last input (series[t-m], X[:, -m-1]); it should be one "
                       "season before the *target* t+h: series[t+h-m*k].")] = t - m
            mistakes[_("Your forecast ignores the horizon: X[:, -m] is one season before t+1 only; for horizon h take "
                       "series[t+h-m*k] with k = ceil(h/m).")] = t - m + 1
        if h > 1:
            mistakes[_("Your forecast goes back h steps from the target's side of the window (X[:, -h]); a naive "
                       "forecast repeats the last value for every horizon (period 1).")] = t - h + 1
            mistakes[_("Your forecast goes back h steps from the last input (series[t-h]); a naive forecast repeats the "
                       "last value for every horizon (period 1).")] = t - h
        mistakes[_("Your forecast is the first value of the window; the naive forecast uses the latest values.")] = X[:, 0]
        mistakes[_("Your forecast is the window's mean; the naive forecast repeats one observed value.")] = X.mean(1)
        mistakes = {_at(msg, where): val for msg, val in mistakes.items() if not np.allclose(val, want)}
        rtol, atol = tolerances(X)
        try:
            assert_close(_("the naive forecast"), got, want, rtol=rtol, atol=atol, mistakes=mistakes)
        except CheckFailed as exc:
            arr = np.asarray(got, dtype=float) if got is not None else None
            # Which failure it was is read from the English message, so the verdict is the same in every language.
            with language(SOURCE_LANGUAGE):
                try:
                    assert_close("the naive forecast", got, want, rtol=rtol, atol=atol, mistakes=mistakes)
                    english = str(exc)
                except CheckFailed as exc_en:
                    english = str(exc_en)
            if english.startswith("the naive forecast has the right shape") and arr is not None:
                off = arr - t
                if np.allclose(off, off[0]):
                    raise CheckFailed(_("Your forecast is series[t{off:+d}] (t = the last input step); "
                                        "expected series[t{want_off:+d}] = series[t+h-m*k] with k = ceil(h/m). "
                                        "{where}").format(off=int(round(off[0])), want_off=h - m * k,
                                                          where=where)) from None
            raise
    passed(_("naive_forecast: last value and seasonal naive, every horizon (hidden cases too)") if hidden
           else _("naive_forecast: last value and seasonal naive, every horizon"))


# --- exercise 5: MASE ------------------------------------------------------------------------

def check_mase(mase, hidden: bool = False) -> None:
    """mase(y_true (N,), y_pred (N,), y_train (L,), period=1) -> float."""
    cases = [(10, 12, 1, 0, np.float64), (8, 16, 4, 1, np.float64)]
    if hidden:
        cases += [(1, 3, 1, 2, np.float64), (30, 50, 7, 3, np.float32), (5, 9, 2, 4, np.float64),
                  (6, 5, 4, 5, np.float64)]   # L = m + 1: a single in-sample difference
    for N, L, m, seed, dtype in cases:
        r = rng(seed + 500)
        y_train = np.cumsum(r.standard_normal(L) + 0.3).astype(dtype)
        y_true = (y_train[-1] + np.cumsum(r.standard_normal(N))).astype(dtype)
        y_pred = (y_true + 0.7 * r.standard_normal(N) + 0.2).astype(dtype)
        got = _scalar("mase", call_student("mase", mase, y_true, y_pred, y_train, hidden=hidden, ready_made=REFERENCES,
                                           names=("y_true", "y_pred", "y_train"), mutation_hint=_(IN_PLACE), period=m))
        yt, yp, ytr = (a.astype(np.float64) for a in (y_true, y_pred, y_train))
        err = np.abs(yt - yp).mean()
        d = np.abs(ytr[m:] - ytr[:-m])
        want = err / d.mean()
        where = _("(case N={N}, L={L}, period={m})").format(N=N, L=L, m=m)
        diag = {
            err / np.abs(np.diff(ytr)).mean() if m > 1 else np.nan:
                _("Your scale ignores the period: with period m the naive forecast repeats y[t-m], so the scale is "
                  "mean |y_train[t] - y_train[t-m]|."),
            err / np.abs(yt[m:] - yt[:-m]).mean() if N > m else np.nan:
                _("You scaled by the naive error on the evaluation data; MASE scales by the naive forecast's in-sample "
                  "error on the training series y_train."),
            err / np.abs(np.concatenate([ytr, yt])[m:] - np.concatenate([ytr, yt])[:-m]).mean():
                _("You scaled by the naive error over training and evaluation data together; use y_train only."),
            err / np.abs(ytr).mean(): _("You scaled by the size of the training values; scale by the error of the "
                                        "naive forecast, mean |y_train[t] - y_train[t-m]|."),
            np.mean((yt - yp) ** 2) / np.mean((ytr[m:] - ytr[:-m]) ** 2):
                _("You used squared errors; MASE uses absolute errors, numerator and denominator."),
            err / abs(np.mean(ytr[m:] - ytr[:-m])):
                _("The scale must average *absolute* differences |y_train[t] - y_train[t-m]|."),
            err: _("You returned the MAE without scaling it: divide by the in-sample naive MAE of y_train."),
            d.mean() / err: _("Your ratio is upside down: MASE = MAE(forecast) / MAE(naive on the training series)."),
            err / (d.sum() / len(ytr)): _("Your scale averages the {n_diff} differences over {n_values} values; divide "
                                          "by the number of differences, L - m.").format(n_diff=len(d), n_values=len(ytr)),
            err / np.abs(ytr[m + 1:] - ytr[:-m - 1]).mean() if L > m + 1 else np.nan:
                _("Your scale uses a lag of m + 1; the seasonal naive forecast is y[t-m]."),
            np.median(np.abs(yt - yp)) / np.median(d): _("You used medians; MASE uses mean absolute errors, numerator "
                                                        "and denominator."),
            err / np.abs(np.diff(ytr, n=m)).mean() if m > 1 else np.nan:
                _("np.diff(y_train, n=period) is the period-th *order* difference (differences of differences), not "
                  "the lag-period difference: use y_train[period:] - y_train[:-period]."),
            err / (d.sum() / max(len(d) - 1, 1)) if len(d) > 1 else np.nan:
                _("Your scale divides the sum of the {n_diff} differences by {n_less}; divide by their number, "
                  "L - m.").format(n_diff=len(d), n_less=len(d) - 1),
        }
        rtol = 1e-4 if dtype == np.float32 else 1e-7
        if abs(got - want) > rtol * abs(want) + 1e-12:
            for value, message in diag.items():
                if np.isfinite(value) and abs(got - value) <= rtol * abs(value) + 1e-12:
                    raise CheckFailed(_at(message, where))
            raise CheckFailed(_("mase returned {got:.6g}, expected {want:.6g}. {where}").format(got=got, want=want,
                                                                                                  where=where))
    if hidden:
        # Closed forms: a perfect forecast scores 0; the naive forecast on the training series itself scores 1.
        y = np.cumsum(rng(9).standard_normal(20))
        perfect = call_student("mase", mase, y[15:], y[15:].copy(), y[:15], hidden=hidden, ready_made=REFERENCES,
                               names=("y_true", "y_pred", "y_train"), mutation_hint=_(IN_PLACE))
        naive = call_student("mase", mase, y[3:], y[:-3], y, hidden=hidden, ready_made=REFERENCES,
                             names=("y_true", "y_pred", "y_train"), mutation_hint=_(IN_PLACE), period=3)
        assert_close(_("MASE of a perfect forecast"), _scalar("mase", perfect), 0.0, atol=1e-12)
        assert_close(_("MASE of the in-sample naive forecast"), _scalar("mase", naive), 1.0)
    passed(_("mase: scaled by the in-sample naive error (hidden cases too)") if hidden
           else _("mase: scaled by the in-sample naive error"))


# --- exercise 6: the row-by-row classifier ---------------------------------------------------

def _torch_logits(images, params, W_out, b_out):
    import torch

    from lstmlab.bridge import lstm_as_torch

    dt = torch.float32 if images.dtype == np.float32 else torch.float64
    lstm = lstm_as_torch(params, dtype=dt)
    with torch.no_grad():
        out, (hn, cn) = lstm(torch.as_tensor(images.copy()))   # a copy: a view may have negative strides
    return hn[0].numpy() @ W_out + b_out, out.numpy(), cn[0].numpy()


def check_classify_rows(classify_rows, hidden: bool = False) -> None:
    """classify_rows(images (N, R, C), params, W_out (H, K), b_out (K,)) -> logits (N, K)."""
    cases = [(5, 8, 8, 6, 10, 0, np.float64)]
    if hidden:
        cases += [(8, 8, 8, 4, 10, 1, np.float64), (1, 8, 8, 3, 10, 2, np.float64), (6, 5, 7, 4, 3, 3, np.float32),
                  (7, 6, 6, 5, 4, 4, np.float64), (3, 1, 5, 4, 3, 5, np.float64)]   # R = 1: a one-row image
    for N, R, C, H, K, seed, dtype in cases:
        r = rng(seed + 800)
        images = r.uniform(0, 1, (N, R, C)).astype(dtype)
        images[:, : R // 2] *= 0.3      # top and bottom differ, so reading order matters
        params = lstm_params(C, H, seed=seed + 900, dtype=dtype, scale=0.9)
        W_out = r.standard_normal((H, K)).astype(dtype)
        b_out = r.standard_normal(K).astype(dtype)
        args = (images, params, W_out, b_out)
        names = ("images", "params", "W_out", "b_out")
        # Building on an LSTM (yours, lstmlab.lstm's or torch's) is allowed here; only the lesson's own ready
        # classifier is not: the guard runs with that target alone (in the sandbox too, where the call runs).
        got = call_student("classify_rows", classify_rows, *args, hidden=hidden, names=names, mutation_hint=_(IN_PLACE),
                           ready_made=reference_functions(ref_classifier), default_ready_made=False,
                           advice=_("Write the row-by-row loop yourself (on top of an LSTM forward pass)."))
        want, Hs, c_T = _torch_logits(images, params, W_out, b_out)
        where = _("(case N={N}, image {R}x{C}, H={H}, {dtype})").format(N=N, R=R, C=C, H=H, dtype=np.dtype(dtype).name)
        assert_ndarray(_("the logits"), got, floats=False)
        mistakes = {
            _("You returned the last hidden state h_T; the logits are the readout h_T @ W_out + b_out."): Hs[:, -1],
            _("You returned the readout of every step, (N, R, K); classify once, from the last step: "
              "h_T @ W_out + b_out."): Hs @ W_out + b_out,
            _("You read the rows bottom to top; step 0 is the top row, images[:, 0, :]."):
                _torch_logits(np.ascontiguousarray(images[:, ::-1]), params, W_out, b_out)[0],
            _("You classified the average of h_t over all steps; use the last hidden state h_T."):
                Hs.mean(1) @ W_out + b_out,
            _("You classified the hidden state after the first row; use the last one, h_T."): Hs[:, 0] @ W_out + b_out,
            _("Your logits are missing the readout bias b_out."): Hs[:, -1] @ W_out,
            _("You classified the cell state c_T; the readout uses the hidden state h_T."): c_T @ W_out + b_out,
        }
        if R == C:
            mistakes[_("You read the image column by column; read it row by row: step t is images[:, t, :].")] = \
                _torch_logits(np.ascontiguousarray(images.transpose(0, 2, 1)), params, W_out, b_out)[0]
        if N == R:
            mistakes[_("You fed the images time-major (rows as the batch, images as the steps); the course is "
                       "batch-first: X[:, t] is row t of every image.")] = \
                _torch_logits(np.ascontiguousarray(images.transpose(1, 0, 2)), params, W_out, b_out)[0]
        mistakes = {msg: val for msg, val in mistakes.items() if val.shape != want.shape or not np.allclose(val, want)}
        logits = want - want.max(1, keepdims=True)
        probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        mistakes[_("You returned probabilities (a softmax); return the logits h_T @ W_out + b_out.")] = probs
        mistakes[_("You returned log-probabilities; return the logits h_T @ W_out + b_out.")] = np.log(probs)
        rtol, atol = tolerances(images)
        assert_close(_("the logits (compared with torch.nn.LSTM on the same weights)"), got, want, rtol=rtol, atol=atol,
                     mistakes=mistakes,
                     hint=_("Start from zero states, feed row t at step t, classify h_T. {where}").format(where=where))
    passed(_("classify_rows: rows in order, last hidden state, linear readout (hidden cases too)") if hidden
           else _("classify_rows: rows in order, last hidden state, linear readout"))


# --- exercise 10: anomaly scores -------------------------------------------------------------

def _score_case(N, M, seed, dtype):
    r = rng(seed + 1000)
    clean_actual = r.standard_normal(M)
    clean_pred = clean_actual - (0.4 + 0.3 * r.standard_normal(M))          # biased errors: mu = 0.4, sigma = 0.3
    actual = r.standard_normal(N)
    pred = actual - (0.4 + 0.3 * r.standard_normal(N))
    pred[:: 3] += r.choice([-2.0, 2.0], size=len(pred[::3]))                 # anomalies: big errors either way
    return tuple(a.astype(dtype) for a in (pred, actual, clean_pred, clean_actual))


def check_anomaly_scores(anomaly_scores, hidden: bool = False) -> None:
    """anomaly_scores(pred (N,), actual (N,), clean_pred (M,), clean_actual (M,)) -> (N,) |e - mu| / sigma."""
    cases = [(12, 50, 0, np.float64)]
    if hidden:
        cases += [(1, 10, 1, np.float64), (40, 200, 2, np.float32), (7, 3, 3, np.float64)]
    for N, M, seed, dtype in cases:
        arrays = _score_case(N, M, seed, dtype)
        got = call_student("anomaly_scores", anomaly_scores, *arrays, hidden=hidden, ready_made=REFERENCES,
                           names=("pred", "actual", "clean_pred", "clean_actual"), mutation_hint=_(IN_PLACE))
        pred, actual, cp, ca = (a.astype(np.float64) for a in arrays)
        e, ce = actual - pred, ca - cp
        mu = ce.mean()
        want = np.abs(e - mu) / ce.std()          # sigma with ddof=0, as the text says
        rtol, atol = tolerances(arrays[0])
        assert_ndarray(_("the anomaly scores"), got, floats=False)
        sd = ce.std()
        with np.errstate(all="ignore"):
            mistakes = {_("Your sigma uses ddof=1 (the sample standard deviation, dividing by M - 1); this exercise uses "
                          "ddof=0, np.std's default: divide by M."): np.abs(e - mu) / ce.std(ddof=1),
                        **_score_mistakes(e, ce, ca, mu, sd)}
        assert_close(_("the anomaly scores"), got, want, rtol=rtol, atol=atol, mistakes=mistakes,
                     hint=_("score = |e - mu| / sigma with e = actual - pred; mu, sigma from the clean errors. "
                            "(case N={N}, M={M})").format(N=N, M=M))
    passed(_("anomaly_scores: standardized absolute forecast errors (hidden cases too)") if hidden
           else _("anomaly_scores: standardized absolute forecast errors"))


def _score_mistakes(e, ce, ca, mu, sd):
    """{message: scores a typical wrong anomaly_scores returns}; e scored errors, ce clean errors, ca clean values."""
    return {
        _("Your score is not centred: subtract the mean clean error mu before taking |.|: a model with a constant "
          "bias would flag everything."): np.abs(e) / sd,
        _("Your score keeps the sign: take the absolute value |e - mu| / sigma (an error far below is as "
          "anomalous as one far above)."): (e - mu) / sd,
        _("Your score is squared; the exercise asks for |e - mu| / sigma."): ((e - mu) / sd) ** 2,
        _("Your score is not divided by sigma, the standard deviation of the clean errors."): np.abs(e - mu),
        _("You divided by the variance of the clean errors; divide by their standard deviation."):
            np.abs(e - mu) / ce.var(),
        _("Your mu and sigma come from the errors you are scoring: anomalies then inflate sigma and hide "
          "themselves. Estimate them on the clean calibration errors."): np.abs(e - e.mean()) / e.std(),
        _("Your sigma is the spread of the clean *values*; use the spread of the clean *errors* "
          "clean_actual - clean_pred."): np.abs(e - mu) / ca.std(),
        _("Your clean errors and scored errors use opposite signs (actual - pred for one, pred - actual for the "
          "other): use the same e = actual - pred for both."): np.abs(e + mu) / sd,
        _("Your score divides only mu by sigma, |e - mu / sigma|: parenthesise, |e - mu| / sigma."):
            np.abs(e - mu / sd),
        _("Your score takes |e| before subtracting mu, (|e| - mu) / sigma; subtract first: |e - mu| / sigma."):
            (np.abs(e) - mu) / sd,
        _("Your mu is the median of the clean errors; use their mean."): np.abs(e - np.median(ce)) / sd,
    }


# --- exercise 11: threshold ------------------------------------------------------------------

def check_threshold(threshold, hidden: bool = False) -> None:
    """threshold(clean_scores (M,), false_alarm_rate) -> float; flags on normal data at about that rate.

    Accepted: np.quantile(clean_scores, 1 - rate) or any value between the two order statistics around it (the
    'lower', 'higher', 'nearest' and inverted-CDF quantiles), nothing beyond them. Hidden cases include rates below
    one item (M * rate < 1: int(M * rate) == 0) and a quantile that falls exactly on an order statistic.
    """
    cases = [(200, 0.05, 0, np.float64), (200, 0.2, 0, np.float64), (150, 0.01, 1, np.float64)]
    if hidden:
        cases += [(1000, 0.001, 2, np.float32), (37, 0.1, 3, np.float64), (500, 0.5, 4, np.float64),
                  (80, 0.025, 5, np.float64),
                  (40, 0.01, 6, np.float64),     # 0.4 of one item may be a false alarm
                  (7, 0.1, 7, np.float32),       # 0.7 of one item, float32
                  (101, 0.3, 8, np.float64)]     # position (M - 1) * 0.7 = 70 exactly
    for M, rate, seed, dtype in cases:
        scores = np.abs(rng(seed + 1200).standard_normal(M) * 1.3 + 0.2).astype(dtype)
        tau = _scalar("threshold", call_student("threshold", threshold, scores, rate, hidden=hidden,
                                                ready_made=REFERENCES, names=("clean_scores", "false_alarm_rate"),
                                                mutation_hint=_(IN_PLACE)))
        s64 = scores.astype(np.float64)
        srt = np.sort(s64)
        pos = (M - 1) * (1 - rate)
        want = float(np.quantile(s64, 1 - rate))
        lo, hi = srt[int(math.floor(pos + 1e-9))], srt[min(int(math.ceil(pos - 1e-9)), M - 1)]
        tol = 1e-6 * max(1.0, abs(want)) if dtype == np.float32 else 1e-9 * max(1.0, abs(want))
        where = _("(case M={M}, false_alarm_rate={rate}, M * rate = {items:g})").format(M=M, rate=rate, items=M * rate)
        if min(lo, want) - tol <= tau <= max(hi, want) + tol:
            continue
        diag = [
            (np.quantile(s64, rate), _("Your threshold is the false_alarm_rate quantile; it must be the (1 - rate) "
                                       "quantile: only a fraction `rate` of normal scores may lie above it.")),
            (np.percentile(s64, 1 - rate), _("np.percentile takes percent (0-100): use "
                                             "np.percentile(s, 100 * (1 - rate)) or np.quantile(s, 1 - rate).")),
            (srt[0], _("Your threshold is the smallest clean score, which flags almost everything. With M * rate = "
                       "{items:g} < 1, int(M * rate) is 0 and s[-0] is s[0], the first element, not the last: "
                       "use np.quantile(s, 1 - rate).").format(items=M * rate) if M * rate < 1 else
                     _("Your threshold is the smallest clean score, which flags almost everything.")),
            (s64.max(), _("You returned the largest clean score: that allows no false alarms at all, whatever the rate.")),
            (s64.mean() + 3 * s64.std(), _("mean + 3 std ignores false_alarm_rate: use the (1 - rate) quantile of the "
                                           "clean scores.")),
            (s64.mean() + 2 * s64.std(), _("mean + 2 std ignores false_alarm_rate: use the (1 - rate) quantile of the "
                                           "clean scores.")),
            (np.median(s64), _("You returned the median, the 0.5 quantile; use the (1 - rate) quantile.")),
        ]
        if int(M * rate) >= 1:
            diag.append((srt[M - int(M * rate)], _("Your threshold is off by one order statistic: s[M - int(M * rate)] "
                                                   "leaves only int(M * rate) - 1 scores above it. Use "
                                                   "np.quantile(s, 1 - rate).")))
        for value, message in diag:
            if abs(tau - value) <= 1e-6 * max(1.0, abs(value)):
                raise CheckFailed(_at(message, where))
        above = float(np.mean(s64 > tau))
        raise CheckFailed(_("Your threshold {tau:.6g} is not the (1 - rate) quantile of the clean scores, "
                            "np.quantile(s, 1 - rate) = {want:.6g} (accepted: {lo:.6g} to {hi:.6g}, the order statistics "
                            "around it); {above:.1%} of the clean scores lie above yours, for a false-alarm rate of "
                            "{rate:.1%}. {where}").format(tau=tau, want=want, lo=lo, hi=hi, above=above, rate=rate,
                                                          where=where))
    passed(_("threshold: the (1 - rate) quantile of the clean scores (hidden cases too)") if hidden
           else _("threshold: the (1 - rate) quantile of the clean scores"))


# --- exercise 12: precision and recall -------------------------------------------------------

def _pr_case(N, seed):
    r = rng(seed + 1400)
    truth = r.random(N) < 0.2
    flags = np.where(truth, r.random(N) < 0.6, r.random(N) < 0.1)
    return flags, truth


def check_precision_recall(precision_recall, hidden: bool = False) -> None:
    """precision_recall(flags (N,) bool, truth (N,) bool) -> (precision, recall) floats; 0.0 for 0/0."""
    cases = [_pr_case(60, 0), _pr_case(25, 1)]
    if hidden:
        n = 12
        truth = np.zeros(n, bool)
        truth[3:6] = True
        cases += [_pr_case(300, 2), _pr_case(7, 3),
                  (np.zeros(n, bool), truth),            # nothing flagged: precision 0.0 by convention
                  (truth.copy(), np.zeros(n, bool)),     # no anomaly at all: recall 0.0 by convention
                  (np.ones(n, bool), truth),             # everything flagged: recall 1, precision = share of anomalies
                  (truth.copy(), truth.copy())]          # perfect
    for flags, truth in cases:
        got = call_student("precision_recall", precision_recall, flags, truth, hidden=hidden, ready_made=REFERENCES,
                           names=("flags", "truth"), mutation_hint=_(IN_PLACE))
        got = unpack("precision_recall", got, 2, "(precision, recall)")
        p_want, r_want = ref_anomaly.precision_recall(flags, truth)
        for name in ("precision", "recall"):
            v = got[0] if name == "precision" else got[1]
            if v is None:
                raise CheckFailed(_("{name} is None: did your function forget to `return` it?").format(name=name))
            arr = np.asarray(v, dtype=float)
            if arr.size == 1 and not np.isfinite(arr.reshape(())):
                if name == "precision":
                    raise CheckFailed(_("Your precision is {value} when its denominator is 0 (nothing flagged); "
                                        "return 0.0 then.").format(value=float(arr.reshape(()))))
                raise CheckFailed(_("Your recall is {value} when its denominator is 0 (no anomaly); "
                                    "return 0.0 then.").format(value=float(arr.reshape(()))))
        p, r = _scalar("precision", got[0]), _scalar("recall", got[1])
        tp = int(np.sum(flags & truth))
        fp, fn = int(np.sum(flags & ~truth)), int(np.sum(~flags & truth))
        tn = len(flags) - tp - fp - fn
        where = _("(case with TP={tp}, FP={fp}, FN={fn}, TN={tn})").format(tp=tp, fp=fp, fn=fn, tn=tn)
        if np.isclose(p, p_want) and np.isclose(r, r_want):
            continue
        if np.isclose(p, r_want) and np.isclose(r, p_want):
            raise CheckFailed(_("precision_recall returned its values in the wrong order: (recall, precision) instead of "
                                "(precision, recall). {where}").format(where=where))
        for name, v, want, denom in (("precision", p, p_want, tp + fp), ("recall", r, r_want, tp + fn)):
            if denom == 0 and v != 0:
                if name == "precision":
                    raise CheckFailed(_("Your precision is {value:g} when its denominator is 0 (nothing flagged); "
                                        "this course defines that case as 0.0. {where}").format(value=v, where=where))
                raise CheckFailed(_("Your recall is {value:g} when its denominator is 0 (no anomaly at all); "
                                    "this course defines that case as 0.0. {where}").format(value=v, where=where))
            if denom and 0 < want < 1 and v == 0 and tp > 0:
                raise CheckFailed(_("Your {name} is 0 although TP = {tp}: integer division (//) rounds "
                                    "{tp} / {denom} down to 0. Use / (true division). {where}").format(
                    name=name, tp=tp, denom=denom, where=where))
        if (np.isclose(p, 100 * p_want) and p_want) or (np.isclose(r, 100 * r_want) and r_want):
            raise CheckFailed(_("You returned percentages; return fractions between 0 and 1. {where}").format(where=where))
        acc = (tp + tn) / len(flags)
        if np.isclose(p, acc) or np.isclose(r, acc):
            raise CheckFailed(_("You computed accuracy, (TP + TN) / N: with rare anomalies it is high even for a "
                                "detector that flags nothing. Precision = TP / (TP + FP), recall = TP / (TP + FN). "
                                "{where}").format(where=where))
        diag_p = {fp / max(fp + tn, 1): _("Your precision is the false-positive rate FP / (FP + TN)."),
                  tp / len(flags): _("Your precision divides by all N steps; divide by the number flagged, TP + FP."),
                  tp / max(tp + fn, 1): _("Your precision divides by the number of anomalies (that is recall); divide "
                                          "by the number flagged, TP + FP.")}
        diag_r = {tp / len(flags): _("Your recall divides by all N steps; divide by the number of anomalies, TP + FN."),
                  tp / max(tp + fp, 1): _("Your recall divides by the number flagged (that is precision); divide by the "
                                          "number of anomalies, TP + FN."),
                  tn / max(tn + fp, 1): _("Your recall is the specificity TN / (TN + FP); recall is TP / (TP + FN).")}
        if not np.isclose(p, p_want):
            for value, message in diag_p.items():
                if np.isclose(p, value):
                    raise CheckFailed(_at(message, where))
            raise CheckFailed(_("precision is {got:.4g}, expected TP / (TP + FP) = {want:.4g}. {where}").format(
                got=p, want=p_want, where=where))
        for value, message in diag_r.items():
            if np.isclose(r, value):
                raise CheckFailed(_at(message, where))
        raise CheckFailed(_("recall is {got:.4g}, expected TP / (TP + FN) = {want:.4g}. {where}").format(
            got=r, want=r_want, where=where))
    passed(_("precision_recall: TP / flagged and TP / anomalous (hidden cases too)") if hidden
           else _("precision_recall: TP / flagged and TP / anomalous"))


# --- exercises 7-9: padding, masked mean, last valid state -----------------------------------

def _pad_case(lengths, seed, pad_id=0, as_arrays=False):
    r = rng(seed + 1600)
    # real tokens never equal pad_id (the vocabulary reserves it), and they are never 0 either, so
    # padding with 0 instead of pad_id shows
    tokens = [[int(v) for v in r.integers(1, 50, L)] for L in lengths]
    tokens = [[v + 50 if v == pad_id else v for v in seq] for seq in tokens]
    return [np.array(t, dtype=np.int64) for t in tokens] if as_arrays else tokens


def _int_array(name, got, shape, what):
    if isinstance(got, (list, tuple)):
        raise CheckFailed(_("{name} should be a numpy array of shape {shape}, got a {type}: "
                            "build it with numpy (np.array(...), np.full(...)).").format(
            name=name, shape=shape, type=type(got).__name__))
    if not isinstance(got, np.ndarray):
        raise CheckFailed(_("{name} should be a numpy array of shape {shape}, got {type}.").format(
            name=name, shape=shape, type=type(got).__name__))
    if got.dtype.kind not in what:
        if what == "iu":
            raise CheckFailed(_("{name} should be an integer array, got dtype {dtype}: token ids index an embedding "
                                "table: use dtype=np.int64 (np.zeros and np.full make floats by default).").format(
                name=name, dtype=got.dtype))
        raise CheckFailed(_("{name} should be a boolean array, got dtype {dtype}: compare, e.g. "
                            "np.arange(T) < lengths[:, None], or use .astype(bool).").format(name=name, dtype=got.dtype))
    return got


def check_pad_batch(pad_batch, hidden: bool = False) -> None:
    """pad_batch(sequences, pad_id) -> ids (B, T) int, mask (B, T) bool, lengths (B,) int; right padding."""
    cases = [([3, 1, 5, 2], 0, 0, False)]
    if hidden:
        cases += [([2, 4, 4, 1, 3], 7, 1, False),      # another pad_id: padding with 0 shows
                  ([4, 4, 4], 0, 2, False),            # nothing to pad
                  ([1], 3, 3, False), ([6], 0, 4, True),
                  ([5, 1, 9, 2, 2, 7, 3, 8], 1, 5, True)]
    for lengths, pad_id, seed, as_arrays in cases:
        seqs = _pad_case(lengths, seed, pad_id, as_arrays)
        got = call_student("pad_batch", pad_batch, seqs, pad_id, hidden=hidden, ready_made=reference_functions(ref_classifier),
                           names=("sequences", "pad_id"), mutation_hint=_("build a new array; do not append the "
                                                                          "padding to the input sequences."))
        got = unpack("pad_batch", got, 3, "(ids, mask, lengths)")
        ids_w, mask_w, len_w = ref_classifier.pad_batch(seqs, pad_id)
        B, T = ids_w.shape
        where = _("(case: lengths {lengths}, pad_id {pad_id})").format(lengths=list(lengths), pad_id=pad_id)
        shapes = [np.shape(g) for g in got]
        if shapes[0] == (B, T) and shapes[1] == (B,) and shapes[2] == (B, T):
            raise CheckFailed(_("pad_batch returned its values in the wrong order: (ids, lengths, mask) instead of "
                                "(ids, mask, lengths). {where}").format(where=where))
        if shapes[0] == (B, T) and shapes[1] == (B, T) and np.array_equal(np.asarray(got[0]), mask_w) \
                and np.array_equal(np.asarray(got[1]), ids_w):
            raise CheckFailed(_("pad_batch returned (mask, ids, ...) instead of (ids, mask, lengths). {where}").format(
                where=where))
        ids, mask, lens = got
        if np.shape(ids) == (B, T + 1) or np.shape(mask) == (B, T + 1):
            raise CheckFailed(_("Your batch has T = {wide} columns, one more than the longest sequence ({T}): "
                                "T = max(lengths). {where}").format(wide=T + 1, T=T, where=where))
        if np.shape(ids) == (B, min(lengths)) and min(lengths) < T:
            raise CheckFailed(_("Your batch is {narrow} columns wide: you cut every sequence to the shortest one. "
                                "Pad the short ones up to the longest, T = max(lengths) = {T}. {where}").format(
                narrow=min(lengths), T=T, where=where))
        if np.shape(ids) == (T, B) and B != T:
            raise CheckFailed(_("Your ids have shape (T, B) = {shape}: the course is batch-first, ids[b] is sequence b. "
                                "{where}").format(shape=(T, B), where=where))
        _int_array("ids", ids, (B, T), "iu")
        if ids.shape != (B, T):
            raise CheckFailed(_("ids has shape {shape}, expected (B, T) = {want} (T = the longest length). {where}").format(
                shape=ids.shape, want=(B, T), where=where))
        if not np.array_equal(ids, ids_w):
            left = np.full_like(ids_w, pad_id)
            for b, seq in enumerate(seqs):
                left[b, T - len(seq):] = seq
            zero_pad = np.where(mask_w, ids_w, 0)
            if np.array_equal(ids, left):
                raise CheckFailed(_("Your batch is padded on the left (the padding comes first); this lesson pads on the "
                                    "right: ids[b, :L_b] = sequences[b], then pad_id. {where}").format(where=where))
            if pad_id != 0 and np.array_equal(ids, zero_pad):
                raise CheckFailed(_("You padded with 0 instead of pad_id = {pad_id}. {where}").format(pad_id=pad_id,
                                                                                                       where=where))
            raise CheckFailed(_("ids should hold sequence b in ids[b, :L_b] and pad_id after it; yours differ at "
                                "{n_wrong} of {size} places. {where}").format(n_wrong=int((ids != ids_w).sum()),
                                                                              size=ids.size, where=where))
        _int_array("mask", mask, (B, T), "b")
        if mask.shape != (B, T):
            raise CheckFailed(_("mask has shape {shape}, expected (B, T) = {want}. {where}").format(
                shape=mask.shape, want=(B, T), where=where))
        if not np.array_equal(mask, mask_w):
            t = np.arange(T)[None, :]
            L = np.asarray(lengths)[:, None]
            if np.array_equal(mask, ~mask_w):
                raise CheckFailed(_("Your mask is True at the padding; it marks the real tokens: mask[b, t] = t < L_b. "
                                    "{where}").format(where=where))
            if np.array_equal(mask, t <= L):
                raise CheckFailed(_("Your mask is off by one: it also marks the first padding step (t <= L_b); "
                                    "mask[b, t] = t < L_b. {where}").format(where=where))
            if np.array_equal(mask, t < L - 1):
                raise CheckFailed(_("Your mask is off by one: it misses each sequence's last token (t < L_b - 1); "
                                    "mask[b, t] = t < L_b. {where}").format(where=where))
            if np.array_equal(mask, t >= T - L):
                raise CheckFailed(_("Your mask marks the last L_b steps, as for left padding; with right padding the real "
                                    "tokens are the first L_b: mask[b, t] = t < L_b. {where}").format(where=where))
            raise CheckFailed(_("mask should be True exactly at the real tokens (t < L_b); yours differs at "
                                "{n_wrong} places. {where}").format(n_wrong=int((mask != mask_w).sum()), where=where))
        lens = _int_array("lengths", lens, (B,), "iu")
        if lens.shape != (B,) or not np.array_equal(lens, len_w):
            if lens.shape == (B,) and np.array_equal(lens, len_w - 1):
                raise CheckFailed(_("Your lengths are one short: the length of a sequence is its number of tokens L_b, "
                                    "not its last index. {where}").format(where=where))
            if lens.shape == (B,) and np.all(lens == T):
                raise CheckFailed(_("Every length you returned is T = {T}; return each sequence's own length L_b. "
                                    "{where}").format(T=T, where=where))
            raise CheckFailed(_("lengths should be the (B,) array of token counts {want}, got {got}. {where}").format(
                want=len_w.tolist(), got=np.asarray(lens).tolist(), where=where))
    passed(_("pad_batch: right padding, mask of real tokens, lengths (hidden cases too)") if hidden
           else _("pad_batch: right padding, mask of real tokens, lengths"))


def _states_case(lengths, T, D, seed, dtype):
    """H (B, T, D) with values at padding steps that would change a pooled result, and its mask."""
    r = rng(seed + 1700)
    B = len(lengths)
    H = r.uniform(-1, 1, (B, T, D))
    mask = np.arange(T)[None, :] < np.asarray(lengths)[:, None]
    H = np.where(mask[..., None], H, H + 3.0)          # an LSTM's states after the end: not zero, not ignorable
    return H.astype(dtype), mask


def _extra_padding(H, mask, extra, seed):
    r = rng(seed + 1800)
    B, _steps, D = H.shape
    H2 = np.concatenate([H, (r.uniform(-1, 1, (B, extra, D)) + 5.0).astype(H.dtype)], axis=1)
    return H2, np.concatenate([mask, np.zeros((B, extra), bool)], axis=1)


_POOL_CASES = [([6, 2, 4, 1], 6, 3, 0, np.float64)]
_POOL_HIDDEN = [([3, 3], 5, 2, 1, np.float64), ([1], 4, 5, 2, np.float64), ([4, 4, 4], 4, 3, 3, np.float64),
                ([7, 1, 5, 2, 6], 7, 4, 4, np.float32), ([2, 9, 5], 12, 6, 5, np.float64)]


def check_masked_mean(masked_mean, hidden: bool = False) -> None:
    """masked_mean(H (B, T, D), mask (B, T) bool) -> (B, D), the mean over valid steps; padding changes nothing."""
    cases = _POOL_CASES + (_POOL_HIDDEN if hidden else [])
    for lengths, T, D, seed, dtype in cases:
        H, mask = _states_case(lengths, T, D, seed, dtype)
        H2, mask2 = _extra_padding(H, mask, 5, seed)
        kw = dict(hidden=hidden, ready_made=reference_functions(ref_classifier), names=("H", "mask"),
                  mutation_hint=_(IN_PLACE))
        got = call_student("masked_mean", masked_mean, H, mask, **kw)
        want = ref_classifier.masked_mean(H.astype(float), mask)
        where = _("(case: lengths {lengths}, T = {T}, D = {D}, {dtype})").format(lengths=list(lengths), T=T, D=D,
                                                                                 dtype=np.dtype(dtype).name)
        assert_ndarray(_("the pooled states"), got)
        L = np.asarray(lengths, dtype=float)[:, None]
        Hf = H.astype(float)
        m = mask[..., None]
        t = np.arange(T)[None, :, None]
        masked_sum = np.where(m, Hf, 0).sum(1)
        mistakes = {
            _("Your mean counts the padding steps (H.mean(axis=1) over all T steps): average only where mask is True, "
              "and divide by each sequence's length."): Hf.mean(1),
            _("You summed the valid steps but divided by T; divide by each sequence's own number of valid steps, "
              "mask.sum(1)."): masked_sum / T,
            _("You returned the sum over valid steps; the mean divides it by the number of valid steps, "
              "mask.sum(1)."): masked_sum,
            _("You divided by the number of valid steps of the whole batch (mask.sum()); divide each row by its own, "
              "mask.sum(1)."): masked_sum / mask.sum(),
            _("You averaged the padding steps (the mask is True at real tokens, False at padding)."):
                np.where(~m, Hf, 0).sum(1) / np.maximum((~mask).sum(1), 1)[:, None],
            _("Your mean is off by one step: it leaves out each sequence's last valid step (t < L_b - 1)."):
                np.where(t < L[..., None] - 1, Hf, 0).sum(1) / np.maximum(L - 1, 1),
            _("Your mean is off by one step: it takes in the first padding step (t <= L_b)."):
                np.where(t <= L[..., None], Hf, 0).sum(1) / np.minimum(L + 1, T),
            _("You returned the last valid state; this exercise averages over all valid steps."):
                Hf[np.arange(len(lengths)), np.asarray(lengths) - 1],
        }
        mistakes = {k: v for k, v in mistakes.items() if v.shape != want.shape or not np.allclose(v, want)}
        got_arr = np.asarray(got, dtype=float)
        if got_arr.shape == want.shape and np.allclose(got_arr, want, rtol=1e-4, atol=1e-5):
            got2 = call_student("masked_mean", masked_mean, H2, mask2, **kw)
            assert_close(_("the pooled states with 5 extra padding steps"), got2, want, mistakes={
                _("Your result changes when the batch gets 5 more padding steps: the padding must not change the "
                  "pooled state (average only where mask is True)."): Hf.mean(1)}, hint=where)
        assert_close(_("the pooled states"), got, want, mistakes=mistakes,
                     hint=_("mean over t with mask[b, t]. {where}").format(where=where))
    passed(_("masked_mean: the mean over valid steps only, unchanged by extra padding (hidden cases too)") if hidden
           else _("masked_mean: the mean over valid steps only, unchanged by extra padding"))


def check_last_valid(last_valid, hidden: bool = False) -> None:
    """last_valid(H (B, T, D), lengths (B,)) -> (B, D) = H[b, lengths[b] - 1]; padding changes nothing."""
    cases = [([3, 2, 5, 1], 6, 3, 10, np.float64)] + _POOL_CASES + (_POOL_HIDDEN if hidden else [])
    for lengths, T, D, seed, dtype in cases:
        H, mask = _states_case(lengths, T, D, seed, dtype)
        H2, _mask2 = _extra_padding(H, mask, 4, seed)
        L = np.asarray(lengths, dtype=np.int64)
        B = len(L)
        kw = dict(hidden=hidden, ready_made=reference_functions(ref_classifier), names=("H", "lengths"),
                  mutation_hint=_(IN_PLACE))
        got = call_student("last_valid", last_valid, H, L, **kw)
        want = ref_classifier.last_valid(H, L)
        where = _("(case: lengths {lengths}, T = {T}, D = {D}, {dtype})").format(lengths=list(lengths), T=T, D=D,
                                                                                 dtype=np.dtype(dtype).name)
        assert_ndarray(_("the last valid states"), got)
        rows = np.arange(B)
        mistakes = {
            _("You read the state at the last column, H[:, T - 1]: a shorter sequence has been reading padding by "
              "then. Read each sequence at its own last token, H[b, lengths[b] - 1]."): H[:, -1],
            _("You read the state one step early, H[b, lengths[b] - 2]; the last token is at index lengths[b] - 1."):
                H[rows, L - 2],
            _("You read the first step's state, H[:, 0]; read the last valid one, H[b, lengths[b] - 1]."): H[:, 0],
            _("You read H[b, T - lengths[b]], where the first token would be if the batch were padded on the left; "
              "the batch is padded on the right, so the last token is at H[b, lengths[b] - 1]."): H[rows, T - L],
            _("You averaged over the valid steps; this exercise picks the state at the last valid step."):
                ref_classifier.masked_mean(H, mask),
            _("Your result is (B, B, D): H[:, lengths - 1] pairs every row with every length. Pair row b with its own "
              "length: H[np.arange(B), lengths - 1]."): H[:, L - 1],
        }
        if L.max() <= B:
            mistakes[_("Your result is (B, T, D): H[lengths - 1] indexes the batch axis. Index the batch and the time "
                       "axes together: H[np.arange(B), lengths - 1].")] = H[L - 1]
        if np.all(L < T):
            mistakes[_("You read the state one step late, H[b, lengths[b]], the first padding step; the last token is "
                       "at index lengths[b] - 1.")] = H[rows, L]
        mistakes = {k: v for k, v in mistakes.items() if v.shape != want.shape or not np.allclose(v, want)}
        got_arr = np.asarray(got, dtype=float)
        if got_arr.shape == want.shape and np.allclose(got_arr, want, rtol=1e-4, atol=1e-5):
            got2 = call_student("last_valid", last_valid, H2, L, **kw)
            assert_close(_("the last valid states with 4 extra padding steps"), got2, want, mistakes={
                _("Your result changes when the batch gets 4 more padding steps: you read the last column, which is "
                  "padding; read H[b, lengths[b] - 1]."): H2[:, -1]}, hint=where)
        assert_close(_("the last valid states"), got, want, mistakes=mistakes,
                     hint=_("H[b, lengths[b] - 1]. {where}").format(where=where))
    passed(_("last_valid: each sequence's state at its last token, unchanged by extra padding (hidden cases too)")
           if hidden else _("last_valid: each sequence's state at its last token, unchanged by extra padding"))



# A student's exception out of any check_* shows the student's frames only (lstmlab.checking.harness).
student_facing(globals())
