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


def _naive_gates(x, h_prev, Wx, Wh, b):
    """Right formula, a sigmoid and tanh that overflow: exp(a) / (1 + exp(a)) is inf / inf past |a| ~ 710."""
    H = h_prev.shape[1]
    s = lambda z: np.exp(z) / (1 + np.exp(z))
    a = x @ Wx + h_prev @ Wh + b
    return s(a[:, :H]), s(a[:, H:2 * H]), (np.exp(2 * a[:, 2 * H:3 * H]) - 1) / (np.exp(2 * a[:, 2 * H:3 * H]) + 1), s(a[:, 3 * H:])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_case_overflows_a_naive_exp_in_every_gate_both_signs(dtype):
    from lstmlab import lstm as ref

    x, h, c, (Wx, Wh, b) = checks._extreme_case(dtype)
    assert x.dtype == dtype and Wx.dtype == dtype
    a = checks._pre64(x, h, Wx, Wh, b)
    for gate, s in ref.gate_slices(h.shape[1]).items():
        assert a[:, s].max() > checks.OVERFLOW[dtype] and a[:, s].min() < -checks.OVERFLOW[dtype], gate
    assert np.abs(a[0]).max() < 10          # and a row of moderate values, where precision shows


def test_a_naive_sigmoid_passes_the_visible_case_and_fails_the_hidden_ones():
    checks.check_gates(_naive_gates)                       # moderate values: nothing overflows
    with pytest.raises(CheckFailed, match="NaN or inf"):
        checks.check_gates(_naive_gates, hidden=True)


def test_swaps_are_named_as_wrong_order():
    with pytest.raises(CheckFailed, match=r"wrong order: \(h, c\) instead of \(c, h\)"):
        checks.check_cell_update(lambda c_prev, i, f, g, o: _cell_update(c_prev, i, f, g, o)[::-1])
    with pytest.raises(CheckFailed, match=r"wrong order: \(c, h\) instead of \(h, c\)"):
        checks.check_step(lambda *args: _step(*args)[::-1])
    with pytest.raises(CheckFailed, match=r"wrong order: \(f, i, g, o\).*or you cut a gate"):
        checks.check_gates(lambda *args: (lambda i, f, g, o: (f, i, g, o))(*_gates(*args)))
    with pytest.raises(CheckFailed, match=r"wrong order: \(c_T, h_T\)"):
        checks.check_forward(lambda *args: (lambda Hs, f: (Hs, f[::-1]))(*_forward(*args)))


def test_return_types_are_checked():
    with pytest.raises(CheckFailed, match="should be a numpy array, got a list"):
        checks.check_forward(lambda *args: (lambda Hs, f: (list(Hs), f))(*_forward(*args)))
    with pytest.raises(CheckFailed, match="default is bias_vectors=1"):
        checks.check_param_count(lambda D, H, bias_vectors=2: _param_count(D, H, bias_vectors))


def test_inputs_changed_after_computing_the_right_answer_still_fail():
    def sneaky(c_prev, i, f, g, o):
        out = _cell_update(c_prev, i, f, g, o)
        for a in (c_prev, i, f, g, o):
            a *= 0.0                                         # the check's reference must not see this
        return out

    with pytest.raises(CheckFailed, match="changed its input c_prev in place"):
        checks.check_cell_update(sneaky, hidden=True)


# --- plots -------------------------------------------------------------------------------------

def test_plot_gates_returns_what_it_drew():
    acts = {"i": np.full((5, 2), 0.2), "c": np.linspace(-2, 2, 10).reshape(5, 2)}
    fig, data = plot_gates(acts, inputs=np.zeros((5, 1)))
    assert set(data) == {"i", "c", "inputs"}
    np.testing.assert_array_equal(data["c"], acts["c"])
    panels = fig.axes[:3]               # inputs, i, c; their colour bars follow
    assert panels[0].get_title() and panels[-1].get_xlabel() == "time step t"
    np.testing.assert_array_equal(panels[1].images[0].get_array().T, acts["i"])
