"""lstmlab.lessons.bptt.checks: its forward, its correct 'variants' and torch_grads equal the library reference."""
from __future__ import annotations

import numpy as np
import pytest

from lstmlab import lstm as L
from lstmlab.lessons.bptt import checks as bptt
from lstmlab.checking import CheckFailed
from lstmlab.fixtures import lstm_inputs, lstm_params, rng


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
    tup = (k["x"], k["h_prev"], k["c_prev"], k["Wx"], k["Wh"], k["i"], k["f"], k["g"], k["o"], k["tanh_c"])
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
