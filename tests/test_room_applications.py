"""Lesson 10's room, lstmlab.lessons.applications: its checks, tasks, models and plots."""
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
from lstmlab.fixtures import lstm_params, rng
from lstmlab.lessons.applications import checks as check
from lstmlab.lessons.applications import plots, tasks
from lstmlab.lessons.applications.models import RowLSTMClassifier, classify_rows


# --- tasks ------------------------------------------------------------------------------------

def test_signal_and_injection_are_seeded_and_labelled():
    x1, x2 = tasks.periodic_signal(1000, seed=3), tasks.periodic_signal(1000, seed=3)
    np.testing.assert_array_equal(x1, x2)
    y, truth, kinds = tasks.inject_anomalies(x1, n_events=8, seed=4)
    assert len(kinds) == 8 and {k for _, _, k in kinds} == set(tasks.ANOMALY_KINDS)
    assert np.array_equal(y != x1, truth & (y != x1))               # changes only inside labelled events
    for start, stop, kind in kinds:
        assert truth[start:stop].all()
        if kind == "stuck sensor":
            assert np.all(y[start:stop] == x1[start])
        if kind == "spike":
            assert stop - start == 1 and abs(y[start] - x1[start]) >= 0.8
    assert [(a, b) for a, b, _ in kinds] == A.events(truth)          # events are separate runs


# --- models -------------------------------------------------------------------------------------

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


# --- plots --------------------------------------------------------------------------------------

def test_plot_forecasts_returns_what_it_drew():
    t = np.arange(5)
    fig, data = plots.plot_forecasts(t, t * 2.0, {"a": t * 1.0}, title="x", xlabel="year", ylabel="count")
    assert set(data) == {"time", "actual", "a"}
    np.testing.assert_array_equal(data["actual"], t * 2.0)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    matplotlib.pyplot.close(fig)


def test_plot_image_as_sequence():
    image = rng(8).uniform(0, 1, (8, 8))
    fig, data = plots.plot_image_as_sequence(image, 3)
    np.testing.assert_array_equal(data["steps"], image)
    assert all(ax.get_xlabel() for ax in fig.axes[:1]) and fig.axes[1].get_ylabel()
    matplotlib.pyplot.close(fig)


def test_plot_precision_recall_and_detections():
    scores = np.array([0.1, 0.5, 2.0, 3.0])
    truth = np.array([0, 0, 1, 1], bool)
    rec, prec = A.precision_recall_curve(scores, truth, [0.0, 1.0, 2.5, 10.0])
    fig, data = plots.plot_precision_recall({"d": (rec, prec)}, {"d at tau": (1.0, 1.0)})
    assert data["curves"]["d"][0] is rec and fig.axes[0].get_xlabel()
    matplotlib.pyplot.close(fig)
    fig, data = plots.plot_detections(np.arange(4), scores, scores, 1.0, truth, scores > 1.0, title="t")
    assert data["flags"].tolist() == [False, False, True, True]
    matplotlib.pyplot.close(fig)


# --- checks -------------------------------------------------------------------------------------

def test_checks_accept_the_references_and_name_a_leak():
    check.check_make_windows(S.make_windows)             # visible cases: no from-scratch rule
    check.check_time_split(S.time_split)
    check.check_standardize(S.standardize)
    with pytest.raises(CheckFailed, match="whole series"):
        check.check_standardize(lambda s, n: S.standardize(s, len(s)))
    with pytest.raises(CheckFailed, match="must be written from scratch"):
        check.check_make_windows(S.make_windows, hidden=True)


def test_checks_name_an_input_changed_in_place():
    def sorting_threshold(clean_scores, false_alarm_rate):
        clean_scores.sort()
        return A.threshold(clean_scores, false_alarm_rate)

    with pytest.raises(CheckFailed, match="threshold changed its input clean_scores in place; work on new arrays"):
        check.check_threshold(sorting_threshold)


def test_classify_rows_may_build_on_an_lstm_but_not_on_the_ready_classifier():
    from lstmlab.lstm import lstm_forward

    def own(images, params, W_out, b_out):
        zeros = np.zeros((images.shape[0], params.Wh.shape[0]), dtype=images.dtype)
        _, (h_T, _), _ = lstm_forward(images, zeros, zeros, *params)
        return h_T @ W_out + b_out

    check.check_classify_rows(own, hidden=True)
    with pytest.raises(CheckFailed, match="lstmlab.lessons.applications.models.classify_rows"):
        check.check_classify_rows(classify_rows, hidden=True)


def test_a_student_exception_propagates_with_the_hint_as_a_note():
    def too_far_back(X, horizon=1, period=1):
        return X[:, X.shape[1] - 1 + horizon - period]

    with pytest.raises(IndexError) as info:
        check.check_naive_forecast(too_far_back, hidden=True)
    assert any("ceil(h/m)" in note for note in info.value.__notes__)


def test_checks_hold_the_text_to_its_word_ddof_and_rounding():
    def ddof1(series, n_fit):
        s = np.asarray(series, dtype=float)
        return (s - s[:n_fit].mean()) / s[:n_fit].std(ddof=1), float(s[:n_fit].mean()), float(s[:n_fit].std(ddof=1))

    with pytest.raises(CheckFailed, match="ddof=1"):
        check.check_standardize(ddof1)

    def truncating(X, y, val_fraction):
        k = len(X) - int(val_fraction * len(X))
        return X[:k], y[:k], X[k:], y[k:]

    with pytest.raises(CheckFailed, match="truncated"):
        check.check_time_split(truncating, hidden=True)

    def count_from_the_end(clean_scores, false_alarm_rate):      # s[-0] is the smallest score when M * rate < 1
        return float(np.sort(clean_scores)[-int(len(clean_scores) * false_alarm_rate)])

    with pytest.raises(CheckFailed):
        check.check_threshold(count_from_the_end, hidden=True)
