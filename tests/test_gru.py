"""The numpy reference GRU (lstmlab.gru) against torch.nn.GRU, Keras and the chapter's equations."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lstmlab import bridge
from lstmlab import gru as G
from lstmlab.fixtures import lstm_inputs


def _torch_gru_run(params, X, h0, dtype):
    gru = bridge.gru_as_torch(params, dtype=dtype)
    with torch.no_grad():
        out, hn = gru(torch.as_tensor(X), torch.as_tensor(h0)[None])
    return out.numpy(), hn[0].numpy()


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_torch_convention_matches_torch_gru(dtype, tol):
    B, T, D, H = 3, 9, 5, 4
    params = G.gru_params(D, H, seed=1, dtype=dtype, scale=0.8)
    X, h0, _ = lstm_inputs(B, T, D, H, seed=2, dtype=dtype)
    Hs, hT = G.gru_forward(X, h0, *params, convention="torch")
    assert Hs.dtype == dtype and Hs.shape == (B, T, H)
    out, hn = _torch_gru_run(params, X, h0, torch.float64 if dtype == np.float64 else torch.float32)
    np.testing.assert_allclose(Hs, out, rtol=0, atol=tol)
    np.testing.assert_allclose(hT, hn, rtol=0, atol=tol)


@pytest.mark.parametrize("convention", G.CONVENTIONS)
def test_step_and_sequence_agree(convention):
    B, T, D, H = 2, 6, 3, 5
    params = G.gru_params(D, H, seed=3)
    X, h0, _ = lstm_inputs(B, T, D, H, seed=4)
    Hs, hT = G.gru_forward(X, h0, *params, convention=convention)
    h = h0
    for t in range(T):
        h, (r, z, n) = G.gru_step_forward(X[:, t], h, *params, convention=convention)
        np.testing.assert_allclose(Hs[:, t], h, atol=1e-14)
        assert ((0 < r) & (r < 1)).all() and ((0 < z) & (z < 1)).all() and (np.abs(n) < 1).all()
    np.testing.assert_array_equal(hT, Hs[:, -1])


def test_chapter_convention_is_the_chapter_equations_word_for_word():
    D, H = 4, 3
    params = G.gru_params(D, H, seed=5, scale=0.9)
    X, h0, _ = lstm_inputs(2, 1, D, H, seed=6)
    x = X[:, 0]
    W = bridge.gru_to_chapter(params)
    assert {k: v.shape for k, v in W.items()} == {"W_z": (H, H + D), "b_z": (H,), "W_r": (H, H + D), "b_r": (H,),
                                                  "W": (H, H + D), "b": (H,)}
    sig = lambda a: 1 / (1 + np.exp(-a))
    hx = np.concatenate([h0, x], axis=1)
    z = sig(hx @ W["W_z"].T + W["b_z"])
    r = sig(hx @ W["W_r"].T + W["b_r"])
    h_tilde = np.tanh(np.concatenate([r * h0, x], axis=1) @ W["W"].T + W["b"])
    want = (1 - z) * h0 + z * h_tilde
    got, _ = G.gru_step_forward(x, h0, *params, convention="chapter")
    np.testing.assert_allclose(got, want, atol=1e-14)


def test_flip_update_gate_turns_cho_into_chapter_exactly():
    D, H = 3, 4
    params = G.gru_params(D, H, seed=7, scale=0.8)
    X, h0, _ = lstm_inputs(2, 8, D, H, seed=8)
    cho, _ = G.gru_forward(X, h0, *params, convention="cho")
    chapter, _ = G.gru_forward(X, h0, *G.flip_update_gate(params), convention="chapter")
    np.testing.assert_allclose(cho, chapter, atol=1e-14)
    for a, b in zip(params, G.flip_update_gate(G.flip_update_gate(params))):
        np.testing.assert_array_equal(a, b)
    # ... but it does not make the chapter's GRU into torch's: the reset gate sits elsewhere.
    torch_form, _ = G.gru_forward(X, h0, *params, convention="torch")
    assert np.abs(torch_form - cho).max() > 1e-2


def test_reset_placement_only_matters_when_the_reset_gate_is_not_open():
    D, H = 3, 4
    params = G.gru_params(D, H, seed=9, scale=0.8)
    X, h0, _ = lstm_inputs(2, 6, D, H, seed=10)
    bx = params.bx.copy()
    bx[:H] = 60.0                                       # r = 1
    opened = params._replace(bx=bx)
    a, _ = G.gru_forward(X, h0, *opened, convention="torch")
    b, _ = G.gru_forward(X, h0, *opened, convention="cho")
    np.testing.assert_allclose(a, b, atol=1e-13)


def test_b_hn_is_a_parameter_of_its_own_only_in_the_torch_convention():
    D, H = 3, 4
    params = G.gru_params(D, H, seed=11, scale=0.8)
    X, h0, _ = lstm_inputs(2, 5, D, H, seed=12)
    moved = params._replace(bx=params.bx + params.bh, bh=np.zeros_like(params.bh))   # all bias into bx
    for convention in ("cho", "chapter"):
        np.testing.assert_allclose(G.gru_forward(X, h0, *params, convention=convention)[0],
                                   G.gru_forward(X, h0, *moved, convention=convention)[0], atol=1e-14)
    assert np.abs(G.gru_forward(X, h0, *params)[0] - G.gru_forward(X, h0, *moved)[0]).max() > 1e-3
    # Moving only the r and z biases is harmless in torch's convention too.
    H3 = slice(0, 2 * H)
    rz_moved = params._replace(bx=params.bx.copy(), bh=params.bh.copy())
    rz_moved.bx[H3] += rz_moved.bh[H3]
    rz_moved.bh[H3] = 0
    np.testing.assert_allclose(G.gru_forward(X, h0, *params)[0], G.gru_forward(X, h0, *rz_moved)[0], atol=1e-14)


def test_unknown_convention_is_refused():
    params = G.gru_params(2, 3)
    with pytest.raises(ValueError, match="convention"):
        G.gru_forward(np.zeros((1, 2, 2)), np.zeros((1, 3)), *params, convention="keras")
    with pytest.raises(ValueError, match="convention"):
        G.gru_step_forward(np.zeros((1, 2)), np.zeros((1, 3)), *params, convention="Torch")


@pytest.mark.parametrize("D, H", [(1, 1), (3, 4), (64, 128)])
def test_param_count_matches_torch(D, H):
    assert G.gru_param_count(D, H, 2) == sum(p.numel() for p in torch.nn.GRU(D, H).parameters())
    assert G.gru_param_count(D, H, 0) == sum(p.numel() for p in torch.nn.GRU(D, H, bias=False).parameters())
    assert G.gru_param_count(D, H, 1) == G.gru_param_count(D, H, 2) - 3 * H
