"""The lstm_cell room (lesson 01): its checks (through the harness) and its plot (plot_gates)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from lstmlab.checking import CheckFailed
from lstmlab.lessons.lstm_cell import checks
from lstmlab.lessons.lstm_cell.plots import plot_gates
from lstmlab.lstm import sigmoid


# --- checks ------------------------------------------------------------------------------------

def _gates(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])


def _cell_update(c_prev, i, f, g, o):
    c = f * c_prev + i * g
    return c, o * np.tanh(c)


def _step(x, h_prev, c_prev, Wx, Wh, b):
    c, h = _cell_update(c_prev, *_gates(x, h_prev, Wx, Wh, b))
    return h, c


def _forward(X, h0, c0, Wx, Wh, b):
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        h, c = _step(X[:, t], h, c, Wx, Wh, b)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)


def _param_count(input_size, hidden_size, bias_vectors=1):
    return 4 * (hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size)


CHECKS = [(checks.check_gates, _gates), (checks.check_cell_update, _cell_update), (checks.check_step, _step),
          (checks.check_forward, _forward), (checks.check_param_count, _param_count)]


@pytest.mark.parametrize("check, answer", CHECKS, ids=lambda v: getattr(v, "__name__", ""))
def test_correct_answers_pass_hidden_cases_too(check, answer, capsys):
    check(answer, hidden=True)
    assert capsys.readouterr().out.startswith("✔")


@pytest.mark.parametrize("check, answer", CHECKS, ids=lambda v: getattr(v, "__name__", ""))
def test_unanswered_exercise_raises_not_implemented(check, answer):
    def blank(*args, **kwargs):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check(blank)


def test_in_place_change_is_named_by_the_harness():
    def scales_h_prev(x, h_prev, Wx, Wh, b):
        h_prev *= 1.0001
        return _gates(x, h_prev, Wx, Wh, b)

    with pytest.raises(CheckFailed, match="lstm_gates changed its input h_prev in place"):
        checks.check_gates(scales_h_prev)


def test_calling_the_reference_fails_the_hidden_tests_only():
    from lstmlab import lstm as ref

    def step(x, h_prev, c_prev, Wx, Wh, b):
        return ref.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)[:2]

    checks.check_step(step)
    with pytest.raises(CheckFailed, match="lstm_step must be written from scratch, but it called lstmlab.lstm.lstm_step_forward"):
        checks.check_step(step, hidden=True)


# --- plots -------------------------------------------------------------------------------------

def test_plot_gates_returns_what_it_drew():
    acts = {"i": np.full((5, 2), 0.2), "c": np.linspace(-2, 2, 10).reshape(5, 2)}
    fig, data = plot_gates(acts, inputs=np.zeros((5, 1)))
    assert set(data) == {"i", "c", "inputs"}
    np.testing.assert_array_equal(data["c"], acts["c"])
    panels = fig.axes[:3]               # inputs, i, c; their colour bars follow
    assert panels[0].get_title() and panels[-1].get_xlabel() == "time step t"
    np.testing.assert_array_equal(panels[1].images[0].get_array().T, acts["i"])
