"""Lesson 08 library: lstmlab.series, lstmlab.anomaly, lstmlab.lessons.applications.sequence_classifier, lstmlab.datasets."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from lstmlab import anomaly as A
from lstmlab import series as S
from lstmlab.bridge import lstm_from_torch
from lstmlab.checking import CheckFailed
from lstmlab.datasets import SOURCES, load_digits, load_sunspots
from lstmlab.fixtures import lstm_params, rng
from lstmlab.lessons.applications.sequence_classifier import RowLSTMClassifier, classify_rows, plot_image_as_sequence


# --- datasets ------------------------------------------------------------------------------

def test_sunspots_shipped_and_known_values():
    years, s = load_sunspots()
    assert years.shape == s.shape == (309,)
    assert years[0] == 1700 and years[-1] == 2008 and np.all(np.diff(years) == 1)
    assert s[:5].tolist() == [5.0, 11.0, 16.0, 23.0, 36.0]
    assert s.max() == pytest.approx(190.2) and years[np.argmax(s)] == 1957
    assert "public domain" in SOURCES["sunspots"]


def test_digits_shipped_and_balanced():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.min() == 0 and images.max() == 16
    assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert labels[:10].tolist() == list(range(10))
    assert "CC BY 4.0" in SOURCES["digits"]


# --- series ---------------------------------------------------------------------------------

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


def test_plot_forecasts_returns_what_it_drew():
    t = np.arange(5)
    fig, data = S.plot_forecasts(t, t * 2.0, {"a": t * 1.0}, title="x", xlabel="year", ylabel="count")
    assert set(data) == {"time", "actual", "a"}
    np.testing.assert_array_equal(data["actual"], t * 2.0)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    matplotlib.pyplot.close(fig)


# --- anomaly ----------------------------------------------------------------------------------

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


def test_signal_and_injection_are_seeded_and_labelled():
    x1, x2 = A.periodic_signal(1000, seed=3), A.periodic_signal(1000, seed=3)
    np.testing.assert_array_equal(x1, x2)
    y, truth, kinds = A.inject_anomalies(x1, n_events=8, seed=4)
    assert len(kinds) == 8 and {k for _, _, k in kinds} == set(A.ANOMALY_KINDS)
    assert np.array_equal(y != x1, truth & (y != x1))               # changes only inside labelled events
    for start, stop, kind in kinds:
        assert truth[start:stop].all()
        if kind == "stuck sensor":
            assert np.all(y[start:stop] == x1[start])
        if kind == "spike":
            assert stop - start == 1 and abs(y[start] - x1[start]) >= 0.8
    assert [(a, b) for a, b, _ in kinds] == A.events(truth)          # events are separate runs


def test_precision_recall_curve_skips_empty_thresholds_and_plots():
    scores = np.array([0.1, 0.5, 2.0, 3.0])
    truth = np.array([0, 0, 1, 1], bool)
    rec, prec = A.precision_recall_curve(scores, truth, [0.0, 1.0, 2.5, 10.0])
    np.testing.assert_allclose(rec, [1.0, 1.0, 0.5])
    np.testing.assert_allclose(prec, [0.5, 1.0, 1.0])
    fig, data = A.plot_precision_recall({"d": (rec, prec)}, {"d at tau": (1.0, 1.0)})
    assert data["curves"]["d"][0] is rec and fig.axes[0].get_xlabel()
    matplotlib.pyplot.close(fig)
    fig, data = A.plot_detections(np.arange(4), scores, scores, 1.0, truth, scores > 1.0, title="t")
    assert data["flags"].tolist() == [False, False, True, True]
    matplotlib.pyplot.close(fig)


# --- sequence classifier ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_classify_rows_matches_torch(dtype, tol):
    torch.manual_seed(0)
    model = RowLSTMClassifier(row_size=8, hidden_size=6, n_classes=10)
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    model = model.to(tdt)
    images = rng(5).uniform(0, 1, (4, 8, 8)).astype(dtype)
    with torch.no_grad():
        want = model(torch.as_tensor(images)).numpy()
    params = lstm_from_torch(model.lstm, dtype=dtype)
    W_out = model.readout.weight.detach().numpy().T
    b_out = model.readout.bias.detach().numpy()
    np.testing.assert_allclose(classify_rows(images, params, W_out, b_out), want, rtol=tol, atol=tol)


def test_classify_rows_reads_rows_in_order():
    p = lstm_params(8, 4, seed=1, scale=0.9)
    images = rng(6).uniform(0, 1, (3, 8, 8))
    W_out, b_out = rng(7).standard_normal((4, 3)), np.zeros(3)
    a = classify_rows(images, p, W_out, b_out)
    b = classify_rows(images[:, ::-1], p, W_out, b_out)
    assert not np.allclose(a, b)


def test_plot_image_as_sequence():
    image = rng(8).uniform(0, 1, (8, 8))
    fig, data = plot_image_as_sequence(image, 3)
    np.testing.assert_array_equal(data["steps"], image)
    assert all(ax.get_xlabel() for ax in fig.axes[:1]) and fig.axes[1].get_ylabel()
    matplotlib.pyplot.close(fig)


# --- checks -------------------------------------------------------------------------------------

def test_checks_accept_the_references_and_name_a_leak():
    from lstmlab.lessons.applications import checks as check

    check.check_make_windows(S.make_windows)             # visible cases: no from-scratch rule
    check.check_time_split(S.time_split)
    check.check_standardize(S.standardize)
    with pytest.raises(CheckFailed, match="whole series"):
        check.check_standardize(lambda s, n: S.standardize(s, len(s)))
    with pytest.raises(CheckFailed, match="must be written from scratch"):
        check.check_make_windows(S.make_windows, hidden=True)
