"""lstmlab.lstm (the reference) and lstmlab.lstm_fast against torch (float64 to 1e-10, float32 to 1e-5) and finite differences."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lstmlab import lstm as L
from lstmlab import lstm_fast
from lstmlab.bridge import lstm_as_torch
from lstmlab.fixtures import lstm_inputs, lstm_params
from lstmlab.gradcheck import numerical_gradient, relative_error


def _torch_run(params, X, h0, c0, dtype, dHs, dhT, dcT):
    lstm = lstm_as_torch(params, dtype=dtype)
    Xt = torch.tensor(X, dtype=dtype, requires_grad=True)
    h0t = torch.tensor(h0, dtype=dtype)[None].requires_grad_()
    c0t = torch.tensor(c0, dtype=dtype)[None].requires_grad_()
    out, (hn, cn) = lstm(Xt, (h0t, c0t))
    loss = (out * torch.tensor(dHs, dtype=dtype)).sum() + (hn[0] * torch.tensor(dhT, dtype=dtype)).sum() \
        + (cn[0] * torch.tensor(dcT, dtype=dtype)).sum()
    loss.backward()
    grads = dict(dX=Xt.grad, dh0=h0t.grad[0], dc0=c0t.grad[0], dWx=lstm.weight_ih_l0.grad.T,
                 dWh=lstm.weight_hh_l0.grad.T, db=lstm.bias_ih_l0.grad)
    return out.detach().numpy(), hn[0].detach().numpy(), cn[0].detach().numpy(), {k: v.numpy() for k, v in grads.items()}


IMPLEMENTATIONS = {"reference": (L.lstm_forward, L.lstm_backward),
                   "fast": (lstm_fast.lstm_forward_fast, lstm_fast.lstm_backward_fast)}


@pytest.mark.parametrize("impl", sorted(IMPLEMENTATIONS))
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_forward_and_backward_match_torch(dtype, tol, impl):
    forward, backward = IMPLEMENTATIONS[impl]
    B, T, D, H = 3, 7, 5, 4
    params = lstm_params(D, H, seed=1, dtype=dtype, scale=0.7)
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=2, dtype=dtype)
    r = np.random.default_rng(3)
    dHs, dhT, dcT = (r.standard_normal(s).astype(dtype) for s in ((B, T, H), (B, H), (B, H)))
    Hs, (hT, cT), cache = forward(X, h0, c0, *params)
    assert Hs.dtype == dtype
    out, hn, cn, tg = _torch_run(params, X, h0, c0, torch.float64 if dtype == np.float64 else torch.float32, dHs, dhT, dcT)
    for mine, theirs in ((Hs, out), (hT, hn), (cT, cn)):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=tol)
    grads = dict(zip(["dX", "dh0", "dc0", "dWx", "dWh", "db"], backward(dHs, cache, dhT, dcT)))
    for name, value in grads.items():
        assert value.dtype == dtype, name
        scale = max(1.0, np.abs(tg[name]).max())
        np.testing.assert_allclose(value, tg[name], rtol=0, atol=tol * scale, err_msg=name)


def test_fast_path_equals_the_reference_to_rounding():
    params = lstm_params(6, 5, seed=7)
    X, h0, c0 = lstm_inputs(4, 9, 6, 5, seed=8)
    dHs = np.random.default_rng(9).standard_normal((4, 9, 5))
    ref_out = L.lstm_forward(X, h0, c0, *params)
    fast_out = lstm_fast.lstm_forward_fast(X, h0, c0, *params)
    for a, b in ((ref_out[0], fast_out[0]), *zip(ref_out[1], fast_out[1])):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13)
    for a, b in zip(L.lstm_backward(dHs, ref_out[2]), lstm_fast.lstm_backward_fast(dHs, fast_out[2])):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_sequence_functions_are_loops_over_the_step_functions():
    """The reference a student reads first runs lstm_step_forward / lstm_step_backward at every step."""
    from lstmlab.checking import ready_made_guard

    params = lstm_params(3, 4, seed=1)
    X, h0, c0 = lstm_inputs(2, 5, 3, 4, seed=2)
    with ready_made_guard() as called:
        _, _, cache = L.lstm_forward(X, h0, c0, *params)
        L.lstm_backward(np.ones((2, 5, 4)), cache)
    assert called.count("lstmlab.lstm.lstm_step_forward") == 5
    assert called.count("lstmlab.lstm.lstm_step_backward") == 5


def test_step_functions_agree_with_sequence_functions():
    B, D, H = 2, 3, 4
    params = lstm_params(D, H, seed=4)
    X, h0, c0 = lstm_inputs(B, 1, D, H, seed=5)
    h, c, cache = L.lstm_step_forward(X[:, 0], h0, c0, *params)
    Hs, (hT, cT), seq_cache = L.lstm_forward(X, h0, c0, *params)
    np.testing.assert_allclose(h, Hs[:, 0], atol=1e-14)
    dh, dc = np.ones((B, H)), np.full((B, H), 0.5)
    step_grads = L.lstm_step_backward(dh, dc, cache)
    seq_grads = L.lstm_backward(dh[:, None], seq_cache, dcT=dc)
    for a, b in zip(step_grads, seq_grads):
        np.testing.assert_allclose(np.squeeze(a), np.squeeze(b), atol=1e-12)


def test_backward_matches_finite_differences():
    B, T, D, H = 2, 4, 3, 3
    params = lstm_params(D, H, seed=6)
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=7)
    dHs = np.random.default_rng(8).standard_normal((B, T, H))
    loss = lambda: float(np.sum(L.lstm_forward(X, h0, c0, *params)[0] * dHs))
    _, _, cache = L.lstm_forward(X, h0, c0, *params)
    dX, dh0, dc0, dWx, dWh, db = L.lstm_backward(dHs, cache)
    for analytic, array in ((dX, X), (dh0, h0), (dc0, c0), (dWx, params.Wx), (dWh, params.Wh), (db, params.b)):
        assert relative_error(analytic, numerical_gradient(loss, array)) < 1e-7


def test_closed_form_forget_one_input_zero_keeps_the_cell():
    D, H = 2, 3
    X, h0, c0 = lstm_inputs(2, 6, D, H, seed=9)
    b = np.zeros(4 * H)
    b[:H], b[H:2 * H] = -60.0, 60.0
    _, (_, cT), _ = L.lstm_forward(X, h0, c0, np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), b)
    np.testing.assert_allclose(cT, c0, atol=1e-12)


def test_sigmoid_is_stable_and_exact():
    x = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    with np.errstate(all="raise"):
        s = L.sigmoid(x)
    # Absolute accuracy is what a gate needs (it multiplies values of order 1); tiny outputs such as
    # sigmoid(-30) ~ 9e-14 carry relative error from the tanh form, but absolute error within one ulp of 1.
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-np.clip(x, -700, 700))), rtol=0, atol=2.3e-16)
    assert L.sigmoid(np.float32(2.0)).dtype == np.float32


def test_param_count_matches_torch():
    for D, H in [(1, 1), (3, 5), (64, 128)]:
        assert L.lstm_param_count(D, H, 2) == sum(p.numel() for p in torch.nn.LSTM(D, H).parameters())


def test_gate_slices_cover_the_4h_axis():
    sl = L.gate_slices(3)
    assert list(sl) == ["i", "f", "g", "o"]
    assert [s.start for s in sl.values()] == [0, 3, 6, 9] and sl["o"].stop == 12
