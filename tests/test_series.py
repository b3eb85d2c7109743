"""lstmlab.series: windows, the time-ordered split, scaling, naive forecasts, metrics, the AR baseline."""
from __future__ import annotations

import numpy as np
import pytest

from lstmlab import series as S
from lstmlab.fixtures import rng


@pytest.mark.parametrize("L, W, h", [(10, 3, 1), (12, 4, 3), (7, 1, 1), (9, 8, 1), (15, 2, 9)])
def test_make_windows_on_a_ramp(L, W, h):
    s = np.arange(L, dtype=float)
    X, y = S.make_windows(s, W, h)
    N = L - W - h + 1
    assert X.shape == (N, W) and y.shape == (N,)
    np.testing.assert_array_equal(X[:, 0], np.arange(N))
    np.testing.assert_array_equal(y - X[:, -1], np.full(N, h))      # target strictly after the window
    assert not np.isin(y, X).all() or h > W                          # never inside its own window


def test_make_windows_rejects_too_short_series():
    with pytest.raises(ValueError):
        S.make_windows(np.arange(4.0), 4, 1)


@pytest.mark.parametrize("N, f, n_val", [(20, 0.2, 4), (17, 0.3, 5), (3, 0.34, 1), (10, 0.25, 2)])
def test_time_split_keeps_order(N, f, n_val):
    X, y = np.arange(N * 2.0).reshape(N, 2), np.arange(N)
    Xtr, ytr, Xva, yva = S.time_split(X, y, f)
    assert len(Xva) == len(yva) == n_val
    np.testing.assert_array_equal(np.concatenate([ytr, yva]), y)
    np.testing.assert_array_equal(np.concatenate([Xtr, Xva]), X)


def test_standardize_uses_only_the_fitted_part():
    s = np.concatenate([np.full(5, 1.0), np.full(5, 3.0), np.full(10, 100.0)])
    z, mean, std = S.standardize(s, 10)
    assert mean == 2.0 and std == 1.0
    np.testing.assert_allclose(z, (s - 2.0) / 1.0)
    assert isinstance(mean, float) and isinstance(std, float)


@pytest.mark.parametrize("W, h, m, offset", [(12, 1, 1, 0), (12, 3, 1, 0), (12, 1, 4, -3), (12, 3, 4, -1),
                                             (12, 4, 4, 0), (12, 6, 4, -2), (12, 13, 12, -11)])
def test_naive_forecast_offsets(W, h, m, offset):
    s = np.arange(40.0)
    X, y = S.make_windows(s, W, h)
    np.testing.assert_array_equal(S.naive_forecast(X, h, m) - X[:, -1], np.full(len(X), offset))
    assert np.all(S.naive_forecast(X, h, m) <= X[:, -1])             # always a known value


def test_naive_forecast_is_exact_on_a_periodic_series():
    s = np.tile([1.0, 5.0, 2.0, 7.0], 10)
    for h in (1, 2, 5, 9):
        X, y = S.make_windows(s, 8, h)
        np.testing.assert_array_equal(S.naive_forecast(X, h, 4), y)


def test_mase_closed_forms_and_metrics():
    y = np.cumsum(rng(0).standard_normal(50))
    assert S.mase(y[3:], y[:-3], y, period=3) == pytest.approx(1.0)
    assert S.mase(y[10:], y[10:], y[:10]) == 0.0
    a, b = np.array([1.0, 2.0, 4.0]), np.array([1.0, 3.0, 1.0])
    assert S.mae(a, b) == pytest.approx(4 / 3)
    assert S.rmse(a, b) == pytest.approx(np.sqrt(10 / 3))


def test_autoregression_recovers_a_linear_process():
    r = rng(1)
    s = np.zeros(3000)
    for t in range(2, 3000):
        s[t] = 0.6 * s[t - 1] - 0.3 * s[t - 2] + 0.5 + r.standard_normal()
    X, y = S.make_windows(s[50:], 2, 1)
    w, b = S.fit_autoregression(X, y)
    np.testing.assert_allclose(w, [-0.3, 0.6], atol=0.05)
    assert abs(b - 0.5) < 0.15
