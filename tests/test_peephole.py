"""The numpy reference peephole LSTM (lstmlab.peephole): the equations by hand, zero peepholes against
torch.nn.LSTM, the backward pass against finite differences, the step against the sequence, the parameter
count and a closed form. (The torch module of lesson 04 is tested in tests/test_room_peephole.py.)"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lstmlab import peephole as P
from lstmlab.bridge import lstm_to_torch
from lstmlab.fixtures import lstm_inputs, lstm_params
from lstmlab.gradcheck import numerical_gradient, relative_error
from lstmlab.lstm import sigmoid

TORCH = {np.float64: torch.float64, np.float32: torch.float32}


def plain_lstm_case(dtype):
    """Seeded LSTM weights and inputs and torch.nn.LSTM's outputs on them, which a peephole LSTM with
    zero (or disabled) peepholes must reproduce: ((Wx, Wh, b), X, h0, c0, Hs (B, T, H) as numpy).
    Also used by tests/test_room_peephole.py."""
    B, T, D, H = 2, 6, 3, 5
    Wx, Wh, b = lstm_params(D, H, seed=3, dtype=dtype)
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=4, dtype=dtype)
    lstm = torch.nn.LSTM(D, H, batch_first=True).to(TORCH[dtype])
    lstm_to_torch((Wx, Wh, b), lstm)
    with torch.no_grad():
        want, _ = lstm(torch.from_numpy(X), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))
    return (Wx, Wh, b), X, h0, c0, want.numpy()


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_zero_peepholes_equal_torch_lstm(dtype, tol):
    (Wx, Wh, b), X, h0, c0, want = plain_lstm_case(dtype)
    zero = np.zeros(Wh.shape[0], dtype=dtype)
    Hs, _, _ = P.peephole_forward(X, h0, c0, Wx, Wh, b, zero, zero, zero)
    assert Hs.dtype == dtype and Hs.shape == want.shape
    np.testing.assert_allclose(Hs, want, rtol=0, atol=tol)


def test_step_follows_the_equations_by_hand():
    """i, f see c_(t-1); o sees c_t; the candidate sees no cell."""
    D, H = 2, 3
    p = P.peephole_params(D, H, seed=6, peephole_scale=2.0)
    x, h, c = (np.random.default_rng(7).standard_normal(s) for s in ((4, D), (4, H), (4, H)))
    a = x @ p.Wx + h @ p.Wh + p.b
    i = sigmoid(a[:, :H] + p.p_i * c)
    f = sigmoid(a[:, H:2 * H] + p.p_f * c)
    c_new = f * c + i * np.tanh(a[:, 2 * H:3 * H])
    h_new = sigmoid(a[:, 3 * H:] + p.p_o * c_new) * np.tanh(c_new)
    got_h, got_c, _ = P.peephole_step_forward(x, h, c, *p)
    np.testing.assert_allclose(got_h, h_new, atol=1e-14)
    np.testing.assert_allclose(got_c, c_new, atol=1e-14)


GRAD_NAMES = ["dX", "dh0", "dc0", "dWx", "dWh", "db", "dp_i", "dp_f", "dp_o"]


def backward_case():
    """A seeded sequence with strong peepholes, upstream gradients, and the reference's gradients
    {name: array}: (params, X, h0, c0, dHs, dhT, dcT, grads). Also used by tests/test_room_peephole.py."""
    B, T, D, H = 2, 5, 3, 4
    params = P.peephole_params(D, H, seed=8, scale=0.8, peephole_scale=1.5)
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=9)
    r = np.random.default_rng(10)
    dHs, dhT, dcT = r.standard_normal((B, T, H)), r.standard_normal((B, H)), r.standard_normal((B, H))
    _, _, cache = P.peephole_forward(X, h0, c0, *params)
    grads = dict(zip(GRAD_NAMES, P.peephole_backward(dHs, cache, dhT, dcT)))
    return params, X, h0, c0, dHs, dhT, dcT, grads


def test_backward_matches_finite_differences():
    params, X, h0, c0, dHs, dhT, dcT, grads = backward_case()

    def value():
        Hs, (hT, cT), _ = P.peephole_forward(X, h0, c0, *params)
        return float(np.sum(Hs * dHs) + np.sum(hT * dhT) + np.sum(cT * dcT))
    for (name, analytic), array in zip(grads.items(), (X, h0, c0, *params)):
        assert relative_error(analytic, numerical_gradient(value, array)) < 1e-7, name


def test_step_backward_agrees_with_sequence_backward():
    B, D, H = 2, 3, 4
    params = P.peephole_params(D, H, seed=11)
    X, h0, c0 = lstm_inputs(B, 1, D, H, seed=12)
    _, _, cache = P.peephole_step_forward(X[:, 0], h0, c0, *params)
    _, _, seq_cache = P.peephole_forward(X, h0, c0, *params)
    dh, dc = np.ones((B, H)), np.full((B, H), 0.5)
    step = P.peephole_step_backward(dh, dc, cache)
    seq = P.peephole_backward(dh[:, None], seq_cache, dcT=dc)
    for a, b in zip(step, seq):
        np.testing.assert_allclose(np.squeeze(a), np.squeeze(b), atol=1e-12)


def test_param_count_and_params_shapes():
    for D, H in ((1, 1), (3, 4), (64, 128)):
        assert P.peephole_param_count(D, H) == 4 * H * (D + H + 1) + 3 * H
        params = P.peephole_params(D, H, seed=15)
        assert sum(a.size for a in params) == P.peephole_param_count(D, H)
        assert (params.input_size, params.hidden_size) == (D, H)


def test_closed_form_forget_one_input_zero_keeps_the_cell():
    D, H = 2, 3
    X, h0, c0 = lstm_inputs(2, 6, D, H, seed=16)
    b = np.zeros(4 * H)
    b[:H], b[H:2 * H] = -60.0, 60.0
    z = np.zeros(H)
    _, (_, cT), _ = P.peephole_forward(X, h0, c0, np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), b, z, z, np.ones(H))
    np.testing.assert_allclose(cT, c0, atol=1e-12)
