"""Lesson 03's room (lstmlab.lessons.gru): its checks and their mistake generator, the a^n b^n counting task,
its taggers, the plots and the LSTM vs GRU timing experiment."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np
import pytest
import torch

from lstmlab import gru as G
from lstmlab.checking import CheckFailed
from lstmlab.fixtures import lstm_inputs
from lstmlab.lessons.gru import checks
from lstmlab.lessons.gru.experiments import compare_lstm_gru
from lstmlab.lessons.gru.models import Tagger, counter_lstm, evaluate, exact_up_to
from lstmlab.lessons.gru.plots import plot_lstm_gru_speed, plot_states, plot_switch_errors
from lstmlab.lessons.gru.tasks import anbn, anbn_test


# --- the checks -----------------------------------------------------------------------------------

def test_chapter_literal_is_the_chapter_convention():
    D, H = 4, 3
    params = G.gru_params(D, H, seed=5, scale=0.9)
    X, h0, _ = lstm_inputs(2, 1, D, H, seed=6)
    want, _ = G.gru_step_forward(X[:, 0], h0, *params, convention="chapter")
    np.testing.assert_allclose(checks.chapter_literal(X[:, 0], h0, params), want, atol=1e-14)


def test_mistake_generator_defaults_are_the_two_correct_cells():
    D, H = 3, 4
    params = G.gru_params(D, H, seed=16, scale=0.8)
    X, h0, _ = lstm_inputs(3, 1, D, H, seed=17)
    x = X[:, 0]
    for convention, knobs in (("torch", dict(reset="after", mix="cho")), ("chapter", dict(reset="before", mix="chapter")),
                              ("cho", dict(reset="before", mix="cho"))):
        np.testing.assert_allclose(checks.variant(x, h0, *params, **knobs),
                                   G.gru_step_forward(x, h0, *params, convention=convention)[0], atol=1e-14)
    # Every listed mistake really differs from the right answer (else it could never be named).
    right = {"torch": G.gru_step_forward(x, h0, *params, convention="torch")[0],
             "chapter": G.gru_step_forward(x, h0, *params, convention="chapter")[0]}
    for convention, mistakes in (("torch", checks.torch_mistakes(x, h0, *params)),
                                 ("chapter", checks.chapter_mistakes(x, h0, *params))):
        arrays = list(mistakes.values())
        for message, wrong in mistakes.items():
            assert np.abs(wrong - right[convention]).max() > 1e-6, message
        for i in range(len(arrays)):                 # and from each other, so the message is unambiguous
            for j in range(i + 1, len(arrays)):
                assert np.abs(arrays[i] - arrays[j]).max() > 1e-6, (list(mistakes)[i], list(mistakes)[j])


def _torch_step(x, h_prev, Wx, Wh, bx, bh):
    """A from-scratch torch-convention step (the reference's code, not a call of it)."""
    H = h_prev.shape[1]
    a, b = x @ Wx + bx, h_prev @ Wh + bh
    r = 1 / (1 + np.exp(-(a[:, :H] + b[:, :H])))
    z = 1 / (1 + np.exp(-(a[:, H:2 * H] + b[:, H:2 * H])))
    n = np.tanh(a[:, 2 * H:] + r * b[:, 2 * H:])
    return (1 - z) * n + z * h_prev


def test_checks_call_the_student_through_the_harness(capsys):
    checks.check_step_torch(_torch_step, hidden=True)
    assert "✔ gru_step_torch matches torch.nn.GRU (hidden cases too)" in capsys.readouterr().out

    def mutates(x, h_prev, Wx, Wh, bx, bh):
        out = _torch_step(x, h_prev.copy(), Wx, Wh, bx, bh)
        h_prev += 1.0
        return out

    with pytest.raises(CheckFailed, match="gru_step_torch changed its input h_prev in place"):
        checks.check_step_torch(mutates)

    def unanswered(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        checks.check_forward(unanswered)
    with pytest.raises(CheckFailed, match="must be written from scratch, but it called lstmlab.gru.gru_forward"):
        checks.check_forward(G.gru_forward, hidden=True)
    with pytest.raises(CheckFailed, match="must be written from scratch"):
        checks.check_param_count(lambda D, H, bias_vectors=1: sum(p.numel() for p in torch.nn.GRU(D, H).parameters()),
                                 hidden=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_case_overflows_a_naive_exp_in_every_block_both_signs(dtype):
    x, h, params = checks._extreme_case(dtype)
    assert x.dtype == dtype and params.Wx.dtype == dtype
    a = np.asarray(x, np.float64) @ np.asarray(params.Wx, np.float64)
    for name, s in G.gate_slices(h.shape[1]).items():
        assert a[:, s].max() > checks.OVERFLOW[dtype] and a[:, s].min() < -checks.OVERFLOW[dtype], name
    assert np.abs(a[0]).max() < 10


def test_a_naive_sigmoid_fails_the_hidden_cases_only():
    def naive(x, h_prev, Wx, Wh, bx, bh):
        H = h_prev.shape[1]
        s = lambda v: np.exp(v) / (1 + np.exp(v))
        a, b = x @ Wx + bx, h_prev @ Wh + bh
        r, z = s(a[:, :H] + b[:, :H]), s(a[:, H:2 * H] + b[:, H:2 * H])
        return (1 - z) * np.tanh(a[:, 2 * H:] + r * b[:, 2 * H:]) + z * h_prev

    checks.check_step_torch(naive)
    with pytest.raises(CheckFailed, match="NaN or inf"):
        checks.check_step_torch(naive, hidden=True)


def test_defaults_of_the_signatures_are_checked():
    def forward(X, h0, Wx, Wh, bx, bh, convention="chapter"):
        return G.gru_forward(X, h0, Wx, Wh, bx, bh, convention=convention)

    with pytest.raises(CheckFailed, match="Called without `convention`, your gru_forward ran the chapter's GRU"):
        checks.check_forward(forward)
    with pytest.raises(CheckFailed, match="default is bias_vectors=1"):
        checks.check_param_count(lambda D, H, bias_vectors=0: 3 * (H * D + H * H + bias_vectors * H))


# --- the counting task ----------------------------------------------------------------------------

def test_anbn_is_seeded_and_its_targets_count():
    X, Y, n = anbn(50, n_max=7, seed=3)
    X2, Y2, n2 = anbn(50, n_max=7, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    assert X.shape == (50, 18, 2) and Y.shape == (50, 18) and X.dtype == np.float32
    assert n.min() >= 1 and n.max() <= 7 and not np.array_equal(n, anbn(50, n_max=7, seed=4)[2])
    np.testing.assert_array_equal(X.sum(-1), 1)
    for k in range(50):
        a_count = np.cumsum(X[k, :, 0])
        b_count = np.cumsum(X[k, :, 1])
        assert (X[k, : n[k], 0] == 1).all() and (X[k, n[k]:, 1] == 1).all()
        np.testing.assert_array_equal(Y[k], (b_count >= a_count).astype(np.float32))
    with pytest.raises(ValueError):
        anbn(5, n_max=10, steps=15)


def test_anbn_test_mask_and_a_hand_wired_counter_is_exact():
    X, Y, mask = anbn_test([1, 3, 5], margin=4)
    assert X.shape == (3, 14, 2) and mask.sum(1).tolist() == [6, 10, 14]
    res = evaluate(counter_lstm(), np.arange(1, 61))
    assert res["exact"].all() and not res["switch_error"].any()
    assert exact_up_to(res) == 60
    assert evaluate(counter_lstm(), [2000])["exact"].all()


def test_evaluate_measures_switch_errors_of_a_biased_counter():
    class EagerCounter(torch.nn.Module):
        """Says 'matched' once 1.5 * #b >= #a - 0.25: every b counts one and a half."""

        def forward(self, x):
            return 1.5 * x[..., 1].cumsum(1) - x[..., 0].cumsum(1) + 0.25

    res = evaluate(EagerCounter(), np.arange(1, 41))
    want = np.ceil((np.arange(1, 41) - 0.25) / 1.5) - np.arange(1, 41)
    np.testing.assert_array_equal(res["switch_error"], want)
    assert exact_up_to(res) == 2 and res["exact"].dtype == bool and res["exact"].sum() == 2


def test_taggers_and_plots_return_what_they_draw():
    for kind in ("LSTM", "GRU"):
        assert Tagger(kind, 3)(torch.zeros(2, 5, 2)).shape == (2, 5)
    res = evaluate(counter_lstm(), np.arange(1, 11))
    fig, data = plot_switch_errors({"LSTM": [res], "GRU": [res]}, n_train=5)
    assert set(data) == {"LSTM", "GRU"} and np.array_equal(data["LSTM"][0][1], res["switch_error"])
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    trace = np.linspace(-1, 1, 30)
    fig, data = plot_states({"a": trace, "b": -trace}, n=10)
    assert np.array_equal(data["a"], trace) and all(a.get_xlabel() and a.get_ylabel() for a in fig.axes)
    plt.close("all")


# --- the timing experiment ------------------------------------------------------------------------

def test_speed_experiment_and_its_plot():
    timings = compare_lstm_gru(batch=2, steps=3, input_size=2, hidden=3, repeats=1)
    assert len(timings) == 8 and all(v > 0 for v in timings.values())
    fig, data = plot_lstm_gru_speed(timings, steps=3)
    assert data[("GRU", "forward", True)] == pytest.approx(timings[("GRU", "forward", True)] / 3)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    plt.close("all")
