"""The numpy vanilla RNN (lstmlab.rnn) against torch.nn.RNN (float64 to 1e-10, float32 to 1e-5) and finite differences."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lstmlab import bridge
from lstmlab import rnn as R
from lstmlab.fixtures import rng
from lstmlab.gradcheck import numerical_gradient, relative_error


def _case(B, T, D, H, seed, dtype=np.float64):
    r = rng(seed)
    X = r.standard_normal((B, T, D)).astype(dtype)
    h0 = (0.5 * r.standard_normal((B, H))).astype(dtype)
    return X, h0, R.rnn_params(D, H, seed=seed + 1, dtype=dtype, scale=0.7)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_forward_and_backward_match_torch(dtype, tol):
    B, T, D, H = 3, 6, 4, 5
    X, h0, params = _case(B, T, D, H, seed=0, dtype=dtype)
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    m = torch.nn.RNN(D, H, batch_first=True).to(tdtype)
    bridge.rnn_to_torch(params, m)
    Xt = torch.tensor(X, requires_grad=True)
    h0t = torch.tensor(h0)[None].requires_grad_()
    out, hn = m(Xt, h0t)
    Hs, hT, cache = R.rnn_forward(X, h0, *params)
    assert Hs.dtype == dtype
    np.testing.assert_allclose(Hs, out.detach().numpy(), rtol=0, atol=tol)
    np.testing.assert_allclose(hT, hn[0].detach().numpy(), rtol=0, atol=tol)
    r = rng(1)
    dHs, dhT = r.standard_normal((B, T, H)).astype(dtype), r.standard_normal((B, H)).astype(dtype)
    ((out * torch.tensor(dHs)).sum() + (hn[0] * torch.tensor(dhT)).sum()).backward()
    want = [Xt.grad, h0t.grad[0], m.weight_ih_l0.grad.T, m.weight_hh_l0.grad.T, m.bias_ih_l0.grad]
    for name, mine, theirs in zip(["dX", "dh0", "dWx", "dWh", "db"], R.rnn_backward(dHs, cache, dhT), want):
        theirs = theirs.numpy()
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=tol * max(1.0, np.abs(theirs).max()), err_msg=name)


def test_backward_matches_finite_differences():
    B, T, D, H = 2, 4, 3, 3
    X, h0, params = _case(B, T, D, H, seed=2)
    dHs = rng(3).standard_normal((B, T, H))
    loss = lambda: float(np.sum(R.rnn_forward(X, h0, *params)[0] * dHs))
    _, _, cache = R.rnn_forward(X, h0, *params)
    grads = R.rnn_backward(dHs, cache)
    for analytic, array in zip(grads, (X, h0, *params)):
        assert relative_error(analytic, numerical_gradient(loss, array)) < 1e-7


def test_params_are_seeded_and_scaled():
    a, b = R.rnn_params(3, 16, seed=7), R.rnn_params(3, 16, seed=7)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert np.abs(a.Wh).max() <= 1 / np.sqrt(16)
    assert (a.input_size, a.hidden_size) == (3, 16)
