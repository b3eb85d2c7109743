"""Anomaly detection from forecast errors (Malhotra et al., ESANN 2015): score, threshold, evaluation.

A forecaster trained on normal data predicts each next value; where the signal does something the
model has never seen, the error is unusually large. With e = actual - pred,

    score_t   = |e_t - mu| / sigma          mu, sigma: mean and std of the errors on clean calibration data
    flag_t    = score_t > tau               tau: chosen on clean calibration scores for a false-alarm rate
    precision = TP / (TP + FP)              of the flagged steps, how many are anomalous
    recall    = TP / (TP + FN)              of the anomalous steps, how many are flagged

All arrays are 1-D over time steps (N,). The generator below makes a seeded periodic signal and
injects labelled anomalies into it, so precision and recall can be measured.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .fixtures import rng


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


def periodic_signal(n: int, seed: int = 0, noise: float = 0.05):
    """A seeded normal signal: two sines (periods 40 and 13 steps, slowly varying amplitude) plus noise.

    Returns (n,) float64. Stationary, so a model trained on its start applies to its end.
    """
    r = rng(seed)
    t = np.arange(n)
    amp = 1.0 + 0.2 * np.sin(2 * np.pi * t / 400 + r.uniform(0, 2 * np.pi))
    x = amp * np.sin(2 * np.pi * t / 40 + r.uniform(0, 2 * np.pi)) + 0.4 * np.sin(2 * np.pi * t / 13 + r.uniform(0, 2 * np.pi))
    return x + noise * r.standard_normal(n)


ANOMALY_KINDS = ("spike", "level shift", "stuck sensor", "noise burst")


def inject_anomalies(signal, n_events: int = 16, seed: int = 0, margin: int = 30):
    """Copy of `signal` with n_events labelled anomalies, cycling through ANOMALY_KINDS:

    spike:        one step moved by +-(0.8 to 1.5)
    level shift:  15 to 30 steps moved by +-(0.5 to 0.8)
    stuck sensor: 15 to 30 steps frozen at the value where it starts
    noise burst:  15 to 30 steps with added noise of std 0.3
    Events are placed at seeded positions at least `margin` steps apart.
    Returns (x (N,), truth (N,) bool, kinds: list of (start, stop, kind)).
    """
    r = rng(seed)
    x = np.array(signal, dtype=float)
    truth = np.zeros(len(x), dtype=bool)
    slots = np.sort(r.choice(np.arange(margin, len(x) - 2 * margin, 2 * margin), n_events, replace=False))
    kinds = []
    for k, start in enumerate(slots.tolist()):
        kind = ANOMALY_KINDS[k % len(ANOMALY_KINDS)]
        length = 1 if kind == "spike" else int(r.integers(15, 31))
        stop = start + length
        if kind == "spike":
            x[start] += r.choice([-1, 1]) * r.uniform(0.8, 1.5)
        elif kind == "level shift":
            x[start:stop] += r.choice([-1, 1]) * r.uniform(0.5, 0.8)
        elif kind == "stuck sensor":
            x[start:stop] = x[start]
        else:
            x[start:stop] += 0.3 * r.standard_normal(length)
        truth[start:stop] = True
        kinds.append((start, stop, kind))
    return x, truth, kinds


def plot_detections(time, x, scores, tau, truth, flags, title: str):
    """Signal with true anomalies shaded and flagged steps marked (top); scores and threshold (bottom).

    time, x, scores (N,), tau float, truth and flags (N,) bool. Returns (fig, data).
    """
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 4.6), sharex=True)
    ax1.plot(time, x, color="black", lw=0.8, label="signal")
    for a, b in events(truth):
        ax1.axvspan(time[a] - 0.5, time[b - 1] + 0.5, color="tab:orange", alpha=0.3, lw=0)
    ax1.plot(np.asarray(time)[flags], np.asarray(x)[flags], "o", ms=3, color="tab:red", label="flagged")
    ax1.set_ylabel("signal value\n(arbitrary units)")
    ax1.set_title(title)
    ax1.legend(fontsize=8, loc="upper right")
    ax2.plot(time, scores, lw=0.8, color="tab:blue", label="anomaly score")
    ax2.axhline(tau, color="tab:red", ls="--", lw=1, label=f"threshold {tau:.2f}")
    ax2.set_xlabel("time step")
    ax2.set_ylabel("score |e - mu| / sigma\n(in clean-error stds)")
    ax2.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig, {"time": np.asarray(time), "x": np.asarray(x), "scores": np.asarray(scores), "tau": tau,
                 "truth": np.asarray(truth), "flags": np.asarray(flags)}


def plot_precision_recall(curves: dict, marks: dict | None = None, title: str = "Precision-recall"):
    """Precision-recall curves, e.g. one per detector.

    curves {label: (recall (K,), precision (K,))}; marks {label: (recall, precision)} operating points.
    Returns (fig, data) with data = {"curves": curves, "marks": marks}.
    """
    fig, ax = plt.subplots(figsize=(5.5, 4))
    colors = {}
    for label, (rec, prec) in curves.items():
        colors[label] = ax.plot(rec, prec, lw=1.5, label=label)[0].get_color()
    for label, (rec, prec) in (marks or {}).items():
        color = next((c for name, c in colors.items() if label.startswith(name)), None)
        ax.plot([rec], [prec], "o", ms=7, color=color, markeredgecolor="black", label=label)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("recall (fraction of anomalous steps flagged)")
    ax.set_ylabel("precision (fraction of flags that are right)")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig, {"curves": curves, "marks": marks or {}}


