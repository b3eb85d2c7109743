"""Seeded data for lesson 10's anomaly detector: a normal periodic signal and labelled anomalies in it.

periodic_signal makes the normal data a forecaster is trained and calibrated on; inject_anomalies
copies a stretch of it with labelled events of four kinds (ANOMALY_KINDS), so that the detector's
precision and recall (lstmlab.anomaly) can be measured against known truth.
"""
from __future__ import annotations

import numpy as np

from lstmlab.fixtures import rng


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
