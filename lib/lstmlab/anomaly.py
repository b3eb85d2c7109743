"""Anomaly detection from forecast errors (Malhotra et al., ESANN 2015): score, threshold, evaluation.

A forecaster trained on normal data predicts each next value; where the signal does something the
model has never seen, the error is unusually large. With e = actual - pred,

    score_t   = |e_t - mu| / sigma          mu, sigma: mean and std of the errors on clean calibration data
    flag_t    = score_t > tau               tau: chosen on clean calibration scores for a false-alarm rate
    precision = TP / (TP + FP)              of the flagged steps, how many are anomalous
    recall    = TP / (TP + FN)              of the anomalous steps, how many are flagged

All arrays are 1-D over time steps (N,).
"""
from __future__ import annotations

import numpy as np


def anomaly_scores(pred, actual, clean_pred, clean_actual):
    """Standardized absolute forecast error.

    pred, actual (N,): forecasts and observed values to score.
    clean_pred, clean_actual (M,): forecasts and values on calibration data known to be normal.
    Returns (N,) scores |e - mu| / sigma with e = actual - pred, mu and sigma (ddof=0) the mean and
    standard deviation of clean_actual - clean_pred.
    """
    clean = np.asarray(clean_actual, dtype=float) - np.asarray(clean_pred, dtype=float)
    e = np.asarray(actual, dtype=float) - np.asarray(pred, dtype=float)
    return np.abs(e - clean.mean()) / clean.std()


def threshold(clean_scores, false_alarm_rate: float) -> float:
    """The score above which a normal step is flagged with probability false_alarm_rate.

    clean_scores (M,): scores on normal calibration data. Returns the (1 - false_alarm_rate) quantile of
    clean_scores as a float (numpy's default linear interpolation; any value between the neighbouring
    order statistics keeps the calibration false-alarm rate).
    """
    return float(np.quantile(np.asarray(clean_scores, dtype=float), 1.0 - false_alarm_rate))


def precision_recall(flags, truth):
    """Point-wise precision and recall of boolean flags against boolean ground truth, both (N,).

    Returns (precision, recall) as floats; precision is 0.0 when nothing is flagged and recall is 0.0
    when there is no anomaly (no division by zero).
    """
    flags, truth = np.asarray(flags, dtype=bool), np.asarray(truth, dtype=bool)
    tp = int(np.sum(flags & truth))
    n_flag, n_true = int(flags.sum()), int(truth.sum())
    return (tp / n_flag if n_flag else 0.0), (tp / n_true if n_true else 0.0)


def precision_recall_curve(scores, truth, thresholds):
    """(recall (K,), precision (K,)) of flags = scores > tau for the thresholds (K,) that flag at least one step
    (precision is undefined when nothing is flagged, so those thresholds are left out)."""
    scores = np.asarray(scores)
    pr = [precision_recall(scores > tau, truth) for tau in thresholds if np.any(scores > tau)]
    return np.array([r for _, r in pr]), np.array([p for p, _ in pr])


def events(truth):
    """Contiguous runs of True in a boolean (N,) array, as a list of (start, stop) index pairs."""
    t = np.concatenate([[0], np.asarray(truth, dtype=np.int8), [0]])
    d = np.diff(t)
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def event_recall(flags, truth) -> float:
    """Fraction of anomalous events (runs of True in truth) with at least one flagged step."""
    ev = events(truth)
    flags = np.asarray(flags, dtype=bool)
    return float(np.mean([flags[a:b].any() for a, b in ev])) if ev else 0.0
