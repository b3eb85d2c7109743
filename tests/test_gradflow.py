"""lstmlab.lessons.bptt.gradflow: per-step gradient norms agree with full backward passes, routes, task, plot."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from lstmlab.lessons.bptt import gradflow as G
from lstmlab import lstm as L
from lstmlab import rnn as R
from lstmlab.fixtures import lstm_inputs, lstm_params, rng


def _lstm_case(T=12, seed=0):
    B, D, H = 2, 3, 5
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=seed)
    return lstm_params(D, H, seed=seed + 1), X, h0, c0, rng(seed + 2).standard_normal((B, H))


def test_lstm_norms_at_step_zero_equal_the_full_backward():
    params, X, h0, c0, dhT = _lstm_case()
    out = G.lstm_grad_norms(params, X, h0, c0, dhT)
    dHs = np.zeros(X.shape[:2] + (dhT.shape[1],))
    # Index 0 is the gradient w.r.t. h at step 0's output: backprop over steps 1..T-1 starting from that state.
    _, _, cache1 = L.lstm_forward(X[:, 1:], *L.lstm_forward(X[:, :1], h0, c0, *params)[1], *params)
    _, dh_first, *_ = L.lstm_backward(dHs[:, 1:], cache1, dhT=dhT)
    assert out["h"][0] == pytest.approx(np.linalg.norm(dh_first), rel=1e-12)
    assert out["h"][-1] == pytest.approx(np.linalg.norm(dhT), rel=1e-12)
    assert out["f"].shape == (X.shape[1],) + dhT.shape


def test_cell_route_is_the_forget_gate_product_and_hidden_route_differs():
    params, X, h0, c0, dhT = _lstm_case(T=15, seed=3)
    cell = G.lstm_grad_norms(params, X, h0, c0, dhT, path="cell")
    np.testing.assert_allclose(cell["c"], cell["f_product"], rtol=1e-12)
    assert np.all(cell["h"][:-1] == 0)
    full = G.lstm_grad_norms(params, X, h0, c0, dhT)
    hidden = G.lstm_grad_norms(params, X, h0, c0, dhT, path="hidden")
    assert hidden["c"][0] < full["c"][0]
    with pytest.raises(ValueError):
        G.lstm_grad_norms(params, X, h0, c0, dhT, path="both")


def test_constant_error_carousel_closed_form():
    D, H, T = 3, 4, 50
    b = np.zeros(4 * H)
    b[:H], b[H:2 * H], b[3 * H:] = -50.0, 50.0, 50.0
    params = L.LSTMParams(np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), b)
    X = rng(4).standard_normal((1, T, D))
    c0 = rng(5).standard_normal((1, H))
    dhT = rng(6).standard_normal((1, H))
    out = G.lstm_grad_norms(params, X, np.zeros((1, H)), c0, dhT)
    np.testing.assert_allclose(out["c"], np.linalg.norm(dhT * (1 - np.tanh(c0) ** 2)), rtol=1e-12)


def test_rnn_norms_match_the_full_backward():
    D, H, T = 3, 4, 9
    params = R.rnn_params(D, H, seed=7)
    X = rng(8).standard_normal((2, T, D))
    h0, dhT = np.zeros((2, H)), rng(9).standard_normal((2, H))
    norms = G.rnn_grad_norms(params, X, h0, dhT)
    assert norms[-1] == pytest.approx(np.linalg.norm(dhT))
    _, _, cache_rest = R.rnn_forward(X[:, 1:], R.rnn_forward(X[:, :1], h0, *params)[1], *params)
    _, dh_first, *_ = R.rnn_backward(np.zeros((2, T - 1, H)), cache_rest, dhT=dhT)
    assert norms[0] == pytest.approx(np.linalg.norm(dh_first), rel=1e-12)


def test_forget_bias_only_changes_the_forget_block():
    p = lstm_params(3, 4, seed=10)
    q = G.with_forget_bias(p, 1.0)
    np.testing.assert_array_equal(q.b[4:8], 1.0)
    np.testing.assert_array_equal(np.delete(q.b, range(4, 8)), np.delete(p.b, range(4, 8)))
    assert q.Wx is p.Wx and not np.shares_memory(q.b, p.b)


def test_delayed_recall_is_seeded_and_correct():
    X, y = G.delayed_recall(50, 12, n_classes=4, seed=3)
    X2, y2 = G.delayed_recall(50, 12, n_classes=4, seed=3)
    np.testing.assert_array_equal(X, X2)
    assert X.shape == (50, 12, 5) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(X[:, 0, :4].argmax(1), y)
    np.testing.assert_array_equal(X[:, 0].sum(1), 1.0)
    np.testing.assert_array_equal(X[:, -1, 4], 1.0)
    assert set(np.unique(y)) <= {0, 1, 2, 3}


def test_plot_returns_what_it_drew():
    curves = {"a": np.array([1e-3, 1e-2, 1.0]), "b": np.array([0.5, 0.7, 1.0])}
    fig, data = G.plot_grad_norms(curves, "title")
    ax = fig.axes[0]
    assert ax.get_title() == "title" and ax.get_xlabel() and ax.get_ylabel() and ax.get_yscale() == "log"
    for label, values in curves.items():
        np.testing.assert_array_equal(data[label], values)
    assert [l.get_label() for l in ax.get_lines()] == ["a", "b"]
