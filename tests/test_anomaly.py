"""lstmlab.anomaly: scores, threshold, precision and recall, events."""
from __future__ import annotations

import numpy as np
import pytest

from lstmlab import anomaly as A
from lstmlab.fixtures import rng


def test_anomaly_scores_standardize_with_clean_errors():
    clean_actual = np.array([1.0, 2.0, 3.0, 4.0])
    clean_pred = clean_actual - np.array([0.0, 2.0, 0.0, 2.0])       # errors: mean 1, std 1
    scores = A.anomaly_scores(np.array([0.0, 0.0]), np.array([1.0, 4.0]), clean_pred, clean_actual)
    np.testing.assert_allclose(scores, [0.0, 3.0])


def test_threshold_false_alarm_rate():
    s = rng(2).exponential(size=10_000)
    for rate in (0.01, 0.05, 0.2):
        tau = A.threshold(s, rate)
        assert abs(np.mean(s > tau) - rate) < 1e-3
        assert isinstance(tau, float)


def test_precision_recall_and_zero_denominators():
    flags = np.array([1, 1, 0, 0, 1], bool)
    truth = np.array([1, 0, 1, 0, 1], bool)
    assert A.precision_recall(flags, truth) == (2 / 3, 2 / 3)
    assert A.precision_recall(np.zeros(5, bool), truth) == (0.0, 0.0)
    assert A.precision_recall(truth, np.zeros(5, bool)) == (0.0, 0.0)


def test_events_and_event_recall():
    truth = np.array([0, 1, 1, 0, 0, 1, 0, 1, 1, 1], bool)
    assert A.events(truth) == [(1, 3), (5, 6), (7, 10)]
    flags = np.zeros(10, bool)
    flags[[2, 9]] = True
    assert A.event_recall(flags, truth) == pytest.approx(2 / 3)


def test_precision_recall_curve_skips_empty_thresholds():
    scores = np.array([0.1, 0.5, 2.0, 3.0])
    truth = np.array([0, 0, 1, 1], bool)
    rec, prec = A.precision_recall_curve(scores, truth, [0.0, 1.0, 2.5, 10.0])
    np.testing.assert_allclose(rec, [1.0, 1.0, 0.5])
    np.testing.assert_allclose(prec, [0.5, 1.0, 1.0])
