"""The bptt room (lesson 02): its checks (the dict-cache forward, the correct 'variants', torch_grads, the harness's
messages), its task (delayed_recall), experiments (per-step gradient norms) and plot."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from lstmlab import lstm as L
from lstmlab import rnn as R
from lstmlab.checking import CheckFailed
from lstmlab.fixtures import lstm_inputs, lstm_params, rng
from lstmlab.lessons.bptt import checks as bptt
from lstmlab.lessons.bptt import experiments, plots, tasks


# --- checks ------------------------------------------------------------------------------------

def _case(B=2, T=5, D=3, H=4, seed=0):
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=seed)
    return X, h0, c0, lstm_params(D, H, seed=seed + 1, scale=0.8)


def test_forward_equals_the_reference():
    X, h0, c0, params = _case()
    Hs, (hT, cT), cache = bptt.forward(X, h0, c0, *params)
    Hr, (hr, cr), _ = L.lstm_forward(X, h0, c0, *params)
    np.testing.assert_allclose(Hs, Hr, atol=1e-14)
    np.testing.assert_allclose(cT, cr, atol=1e-14)
    assert len(cache) == X.shape[1] and set(cache[0]) == {"x", "h_prev", "c_prev", "Wx", "Wh", "i", "f", "g", "o", "c", "tanh_c"}


def test_correct_variants_equal_the_reference_and_torch():
    X, h0, c0, params = _case()
    dHs = rng(9).standard_normal(X.shape[:2] + (4,))
    _, _, cache = bptt.forward(X, h0, c0, *params)
    _, _, ref_cache = L.lstm_forward(X, h0, c0, *params)
    ref = L.lstm_backward(dHs, ref_cache)
    mine = bptt.sequence_backward_variant(dHs, cache)
    theirs = bptt.torch_grads(params, X, h0, c0, dHs)
    for a, b, c in zip(mine, ref, theirs):
        np.testing.assert_allclose(a, b, atol=1e-12)
        np.testing.assert_allclose(c, b, atol=1e-12)
    dh, dc = rng(10).standard_normal((2, 4)), rng(11).standard_normal((2, 4))
    step = bptt.step_backward_variant(dh, dc, cache[2])
    k = cache[2]
    tup = (k["x"], k["h_prev"], k["c_prev"], k["Wx"], k["Wh"], k["i"], k["f"], k["g"], k["o"], k["tanh_c"], k["c"])
    for a, b in zip(step, L.lstm_step_backward(dh, dc, tup)):
        np.testing.assert_allclose(a, b, atol=1e-13)


def test_every_mistake_changes_the_result():
    X, h0, c0, params = _case(D=4, H=4)
    _, _, cache = bptt.forward(X, h0, c0, *params)
    dh, dc = rng(12).standard_normal((2, 4)), rng(13).standard_normal((2, 4))
    right = bptt.step_backward_variant(dh, dc, cache[1])
    for m in bptt.STEP_MISTAKES:
        wrong = bptt.step_backward_variant(dh, dc, cache[1], m)
        assert any(not np.allclose(a, b) for a, b in zip(wrong, right)), m
    dHs = rng(14).standard_normal((2, 5, 4))
    right = bptt.sequence_backward_variant(dHs, cache)
    for m in bptt.SEQ_MISTAKES:
        wrong = bptt.sequence_backward_variant(dHs, cache, m)
        assert any(not np.allclose(a, b) for a, b in zip(wrong, right)), m


def test_checks_fail_a_blank_answer_with_a_clear_message():
    def blank(*args):
        raise NotImplementedError()

    for check in (bptt.check_numerical_gradient, bptt.check_step_backward, bptt.check_backward):
        with pytest.raises(NotImplementedError):
            check(blank)
    with pytest.raises(CheckFailed, match="None"):
        bptt.check_numerical_gradient(lambda f, x, h=1e-5: None)


def _step_backward(dh, dc, cache):
    k = cache
    tup = (k["x"], k["h_prev"], k["c_prev"], k["Wx"], k["Wh"], k["i"], k["f"], k["g"], k["o"], k["tanh_c"], k["c"])
    return L.lstm_step_backward(dh, dc, tup)


def test_in_place_changes_are_named_through_the_harness():
    def adds_into_dc(dh, dc, cache):
        out = _step_backward(dh, dc, cache)
        dc += 1.0
        return out

    with pytest.raises(CheckFailed, match=r"lstm_step_backward changed its input dc in place; the caller still needs it"):
        bptt.check_step_backward(adds_into_dc)

    def writes_into_dhs(dHs, cache):
        dHs[:, 0] += 1.0
        return L.lstm_backward(dHs, [tuple(k[n] for n in ("x", "h_prev", "c_prev", "Wx", "Wh", "i", "f", "g", "o",
                                                           "tanh_c", "c")) for k in cache])

    with pytest.raises(CheckFailed, match=r"lstm_backward changed its input dHs in place.*writes into dHs"):
        bptt.check_backward(writes_into_dhs)


def test_the_checker_may_perturb_x_in_place_and_the_reference_passes():
    from lstmlab.gradcheck import numerical_gradient

    bptt.check_numerical_gradient(numerical_gradient)   # visible: no from-scratch guard
    with pytest.raises(CheckFailed, match="must be written from scratch, but it called lstmlab.gradcheck.numerical_gradient"):
        bptt.check_numerical_gradient(numerical_gradient, hidden=True)


def test_student_exceptions_propagate_unchanged():
    def broken(dh, dc, cache):
        return cache["no such key"]

    with pytest.raises(KeyError, match="no such key"):
        bptt.check_step_backward(broken)


def _central(f, x, h=1e-5, step=None):
    """A correct central difference; `step` overrides the h it uses (to play a student who ignores h)."""
    h = h if step is None else step
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f()
        x[idx] = old - h
        down = f()
        x[idx] = old
        grad[idx] = (up - down) / (2 * h)
    return grad


def test_the_checker_uses_the_step_it_is_given_and_its_type():
    bptt.check_numerical_gradient(_central, hidden=True)
    with pytest.raises(CheckFailed, match="ignores the step h it is given"):
        bptt.check_numerical_gradient(lambda f, x, h=1e-5: _central(f, x, step=1e-5), hidden=True)
    with pytest.raises(CheckFailed, match="is float32"):
        bptt.check_numerical_gradient(lambda f, x, h=1e-5: _central(f, x, h).astype(np.float32))
    with pytest.raises(CheckFailed, match="should be a numpy array, got a list"):
        bptt.check_numerical_gradient(lambda f, x, h=1e-5: _central(f, x, h).tolist())
    with pytest.raises(CheckFailed, match="multiplied by h\\*\\*2"):
        bptt.check_numerical_gradient(lambda f, x, h=1e-5: _central(f, x, h) * (2 * h) / 2 * h)


def test_swapped_gradients_are_named_as_wrong_order():
    def swapped(dh, dc, cache):
        dx, dh_prev, dc_prev, dWx, dWh, db = bptt.step_backward_variant(dh, dc, cache)
        return dx, dc_prev, dh_prev, dWx, dWh, db

    with pytest.raises(CheckFailed, match=r"wrong order: \(dx, dc_prev, dh_prev, dWx, dWh, db\)"):
        bptt.check_step_backward(swapped)


# --- experiments, tasks, plots -----------------------------------------------------------------

def _lstm_case(T=12, seed=0):
    B, D, H = 2, 3, 5
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=seed)
    return lstm_params(D, H, seed=seed + 1), X, h0, c0, rng(seed + 2).standard_normal((B, H))


def test_lstm_norms_at_step_zero_equal_the_full_backward():
    params, X, h0, c0, dhT = _lstm_case()
    out = experiments.lstm_grad_norms(params, X, h0, c0, dhT)
    dHs = np.zeros(X.shape[:2] + (dhT.shape[1],))
    # Index 0 is the gradient w.r.t. h at step 0's output: backprop over steps 1..T-1 starting from that state.
    _, _, cache1 = L.lstm_forward(X[:, 1:], *L.lstm_forward(X[:, :1], h0, c0, *params)[1], *params)
    _, dh_first, *_ = L.lstm_backward(dHs[:, 1:], cache1, dhT=dhT)
    assert out["h"][0] == pytest.approx(np.linalg.norm(dh_first), rel=1e-12)
    assert out["h"][-1] == pytest.approx(np.linalg.norm(dhT), rel=1e-12)
    assert out["f"].shape == (X.shape[1],) + dhT.shape


def test_cell_route_is_the_forget_gate_product_and_hidden_route_differs():
    params, X, h0, c0, dhT = _lstm_case(T=15, seed=3)
    cell = experiments.lstm_grad_norms(params, X, h0, c0, dhT, path="cell")
    np.testing.assert_allclose(cell["c"], cell["f_product"], rtol=1e-12)
    assert np.all(cell["h"][:-1] == 0)
    full = experiments.lstm_grad_norms(params, X, h0, c0, dhT)
    hidden = experiments.lstm_grad_norms(params, X, h0, c0, dhT, path="hidden")
    assert hidden["c"][0] < full["c"][0]
    with pytest.raises(ValueError):
        experiments.lstm_grad_norms(params, X, h0, c0, dhT, path="both")


def test_constant_error_carousel_closed_form():
    D, H, T = 3, 4, 50
    b = np.zeros(4 * H)
    b[:H], b[H:2 * H], b[3 * H:] = -50.0, 50.0, 50.0
    params = L.LSTMParams(np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), b)
    X = rng(4).standard_normal((1, T, D))
    c0 = rng(5).standard_normal((1, H))
    dhT = rng(6).standard_normal((1, H))
    out = experiments.lstm_grad_norms(params, X, np.zeros((1, H)), c0, dhT)
    np.testing.assert_allclose(out["c"], np.linalg.norm(dhT * (1 - np.tanh(c0) ** 2)), rtol=1e-12)


def test_rnn_norms_match_the_full_backward():
    D, H, T = 3, 4, 9
    params = R.rnn_params(D, H, seed=7)
    X = rng(8).standard_normal((2, T, D))
    h0, dhT = np.zeros((2, H)), rng(9).standard_normal((2, H))
    norms = experiments.rnn_grad_norms(params, X, h0, dhT)
    assert norms[-1] == pytest.approx(np.linalg.norm(dhT))
    _, _, cache_rest = R.rnn_forward(X[:, 1:], R.rnn_forward(X[:, :1], h0, *params)[1], *params)
    _, dh_first, *_ = R.rnn_backward(np.zeros((2, T - 1, H)), cache_rest, dhT=dhT)
    assert norms[0] == pytest.approx(np.linalg.norm(dh_first), rel=1e-12)


def test_forget_bias_only_changes_the_forget_block():
    p = lstm_params(3, 4, seed=10)
    q = experiments.with_forget_bias(p, 1.0)
    np.testing.assert_array_equal(q.b[4:8], 1.0)
    np.testing.assert_array_equal(np.delete(q.b, range(4, 8)), np.delete(p.b, range(4, 8)))
    assert q.Wx is p.Wx and not np.shares_memory(q.b, p.b)


def test_delayed_recall_is_seeded_and_correct():
    X, y = tasks.delayed_recall(50, 12, n_classes=4, seed=3)
    X2, y2 = tasks.delayed_recall(50, 12, n_classes=4, seed=3)
    np.testing.assert_array_equal(X, X2)
    assert X.shape == (50, 12, 5) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(X[:, 0, :4].argmax(1), y)
    np.testing.assert_array_equal(X[:, 0].sum(1), 1.0)
    np.testing.assert_array_equal(X[:, -1, 4], 1.0)
    assert set(np.unique(y)) <= {0, 1, 2, 3}


def test_plot_returns_what_it_drew():
    curves = {"a": np.array([1e-3, 1e-2, 1.0]), "b": np.array([0.5, 0.7, 1.0])}
    fig, data = plots.plot_grad_norms(curves, "title")
    ax = fig.axes[0]
    assert ax.get_title() == "title" and ax.get_xlabel() and ax.get_ylabel() and ax.get_yscale() == "log"
    for label, values in curves.items():
        np.testing.assert_array_equal(data[label], values)
    assert [l.get_label() for l in ax.get_lines()] == ["a", "b"]
