"""Forecasting a univariate series without fooling yourself: windows, a split in time order,
scaling fitted on the past only, naive baselines and scale-free error metrics.

Conventions (all functions, numpy, 1-D series of length L):

    window W, horizon h >= 1
    X[n] = series[n : n + W]               the W values known at time t = n + W - 1
    y[n] = series[n + W - 1 + h]           the value h steps after the last input
    N    = L - W - h + 1                   number of (input, target) pairs

so a horizon of 1 is the next value and the target never lies inside its own window.
Rows of X stay in time order; the validation rows are the last ones (see time_split).
"""
from __future__ import annotations

import numpy as np

from .i18n import _


def make_windows(series, window: int, horizon: int = 1):
    """Cut a series into (input window, target) pairs.

    series: (L,) values in time order; window W >= 1; horizon h >= 1.
    Returns X (N, W) and y (N,) with X[n] = series[n:n+W], y[n] = series[n+W-1+h], N = L-W-h+1,
    in the series' dtype. Raises ValueError when N < 1.
    """
    series = np.asarray(series)
    if window < 1 or horizon < 1:
        raise ValueError(_("window and horizon must be >= 1"))
    N = len(series) - window - horizon + 1
    if N < 1:
        raise ValueError(_("a series of length {length} has no window of {window} with horizon {horizon}").format(
            length=len(series), window=window, horizon=horizon))
    idx = np.arange(N)[:, None] + np.arange(window)[None, :]
    return series[idx], series[np.arange(N) + window - 1 + horizon]


def n_validation(n: int, val_fraction: float) -> int:
    """How many of n rows go to validation: round(val_fraction * n), at least 1 and at most n - 1."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(_("val_fraction must lie strictly between 0 and 1"))
    return int(min(max(round(val_fraction * n), 1), n - 1))


def time_split(X, y, val_fraction: float):
    """Split (X, y) in time order: the first rows train, the last val_fraction of the rows validate.

    X (N, ...), y (N, ...). No shuffling: the model is judged on the future of what it learned from.
    Returns X_train, y_train, X_val, y_val with N - n_validation(N, val_fraction) training rows.
    """
    k = len(X) - n_validation(len(X), val_fraction)
    return X[:k], y[:k], X[k:], y[k:]


def standardize(series, n_fit: int):
    """Standardize a whole series with the mean and standard deviation of its first n_fit values.

    series (L,), n_fit in 1..L. Returns (z (L,), mean, std) with z = (series - mean) / std, where mean and
    std (population std, ddof=0) are floats computed from series[:n_fit] only: the later values play the
    future, which the scaler must not have seen.
    """
    series = np.asarray(series, dtype=float)
    mean = float(series[:n_fit].mean())
    std = float(series[:n_fit].std())
    return (series - mean) / std, mean, std


def naive_forecast(X, horizon: int = 1, period: int = 1):
    """The (seasonal) naive forecast of y = series[t + horizon] from each window X[n] (t = its last step).

    X (N, W) windows as in make_windows. period m = 1: the last value (a random walk forecast).
    period m > 1: the value one whole season before the target, or k seasons before when the horizon
    is longer than a season: series[t + h - m * k] with k = ceil(h / m) = (h - 1) // m + 1, which is
    X[:, W - 1 + h - m * k]. Requires m * k - h < W. Returns (N,).
    """
    X = np.asarray(X)
    k = (horizon - 1) // period + 1
    col = X.shape[1] - 1 + horizon - period * k
    if col < 0:
        raise ValueError(_("a window of {window} is too short for period {period} and horizon {horizon}").format(
            window=X.shape[1], period=period, horizon=horizon))
    return X[:, col]


def mae(y_true, y_pred) -> float:
    """Mean absolute error of two (N,) arrays."""
    return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error of two (N,) arrays."""
    return float(np.sqrt(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)))


def mase(y_true, y_pred, y_train, period: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler, 2006).

    y_true, y_pred (N,): evaluation targets and forecasts; y_train (L,): the training series in time order.
    MASE = MAE(y_true, y_pred) / mean(|y_train[t] - y_train[t - m]|), the denominator being the in-sample
    MAE of the (seasonal, m = period) naive forecast on the training series. Below 1: better than naive.
    """
    y_train = np.asarray(y_train, dtype=float)
    scale = np.mean(np.abs(y_train[period:] - y_train[:-period]))
    return mae(y_true, y_pred) / float(scale)


def fit_autoregression(X, y, ridge: float = 1e-6):
    """Least-squares linear forecaster y ~ X @ w + b (an AR(W) model), a strong classical baseline.

    X (N, W), y (N,). Returns (w (W,), b float). `ridge` adds a tiny penalty for numerical safety.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    A = np.hstack([X, np.ones((len(X), 1))])
    P = ridge * np.eye(A.shape[1])
    P[-1, -1] = 0.0
    coef = np.linalg.solve(A.T @ A + P, A.T @ y)
    return coef[:-1], float(coef[-1])
