"""lstmlab.self_attention (the textbook's causal self-attention) against torch (float64 to 1e-10, float32
to 1e-5) and finite differences; the sinusoidal positional encoding. Seeded and offline."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lstmlab import self_attention as sa
from lstmlab.gradcheck import numerical_gradient_array, relative_error


def _case(B=3, T=7, D=5, dk=4, dv=6, seed=0, dtype=np.float64, gain=1.0):
    r = np.random.default_rng(seed)
    X = r.standard_normal((B, T, D)).astype(dtype)
    Wq, Wk = (gain * r.standard_normal((D, dk)) / np.sqrt(D) for _ in range(2))
    Wv = r.standard_normal((D, dv)) / np.sqrt(D)
    return X, Wq.astype(dtype), Wk.astype(dtype), Wv.astype(dtype)


# --- the reference --------------------------------------------------------------------------------

def test_causal_mask_is_the_lower_triangle_with_the_diagonal():
    m = sa.causal_mask(5)
    assert m.dtype == bool and m.shape == (5, 5)
    assert np.array_equal(m, torch.ones(5, 5, dtype=torch.bool).tril().numpy())
    assert m.diagonal().all() and not m[0, 1:].any() and m[4].all()
    assert np.array_equal(sa.causal_mask(1), [[True]])


def test_qkv_projection_matches_torch_matmul():
    X, Wq, Wk, Wv = _case()
    for got, W in zip(sa.qkv_projection(X, Wq, Wk, Wv), (Wq, Wk, Wv)):
        want = (torch.from_numpy(X) @ torch.from_numpy(W)).numpy()
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
@pytest.mark.parametrize("causal", [True, False])
def test_self_attention_matches_torch_sdpa(dtype, tol, causal):
    X, Wq, Wk, Wv = _case(dtype=dtype, gain=2.0)
    out, weights = sa.self_attention(X, Wq, Wk, Wv, causal=causal)
    assert out.dtype == dtype and weights.dtype == dtype
    Q, K, V = (torch.from_numpy(a) for a in sa.qkv_projection(X, Wq, Wk, Wv))
    want = F.scaled_dot_product_attention(Q, K, V, is_causal=causal).numpy()
    np.testing.assert_allclose(out, want, rtol=tol, atol=tol)
    scores = Q @ K.transpose(1, 2) / np.sqrt(Wq.shape[1])
    if causal:
        scores = scores.masked_fill(~torch.ones(7, 7, dtype=torch.bool).tril(), float("-inf"))
    np.testing.assert_allclose(weights, torch.softmax(scores, -1).numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=tol)
    if causal:
        assert np.all(weights[:, ~sa.causal_mask(7)] == 0)


def test_self_attention_is_exact_on_huge_scores():
    X, Wq, Wk, Wv = _case(gain=60.0)                    # scores in the thousands
    out, w = sa.self_attention(X, Wq, Wk, Wv)
    assert np.all(np.isfinite(out)) and np.allclose(w.sum(-1), 1)
    Q, K, V = (torch.from_numpy(a) for a in sa.qkv_projection(X, Wq, Wk, Wv))
    np.testing.assert_allclose(out, F.scaled_dot_product_attention(Q, K, V, is_causal=True).numpy(), atol=1e-10)


def test_masked_softmax_fully_masked_row_is_zero():
    w = sa.masked_softmax(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[True, False], [False, False]]))
    assert np.array_equal(w, [[1.0, 0.0], [0.0, 0.0]])


def test_self_attention_backward_matches_autograd_and_finite_differences():
    X, Wq, Wk, Wv = _case(B=2, T=5, D=4, dk=3, dv=2, seed=3, gain=1.5)
    out, _, cache = sa.self_attention_forward(X, Wq, Wk, Wv)
    dout = np.random.default_rng(4).standard_normal(out.shape)
    grads = sa.self_attention_backward(dout, cache)
    tensors = [torch.from_numpy(a.copy()).requires_grad_() for a in (X, Wq, Wk, Wv)]
    Xt, Wqt, Wkt, Wvt = tensors
    Q, K, V = Xt @ Wqt, Xt @ Wkt, Xt @ Wvt
    F.scaled_dot_product_attention(Q, K, V, is_causal=True).backward(torch.from_numpy(dout))
    for g, t in zip(grads, tensors):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-10, atol=1e-10)
    arrays = [X.copy(), Wq.copy(), Wk.copy(), Wv.copy()]
    for k in range(4):
        num = numerical_gradient_array(lambda: sa.self_attention(*arrays)[0], arrays[k], dout)
        assert relative_error(num, grads[k]) < 1e-6


def test_positional_encoding_formula_and_properties():
    T, d = 50, 16
    pe = sa.positional_encoding(T, d)
    assert pe.shape == (T, d)
    assert np.allclose(pe[0, 0::2], 0) and np.allclose(pe[0, 1::2], 1)
    # the PyTorch tutorial's exp-log form
    div = np.exp(np.arange(0, d, 2) * (-np.log(10000.0) / d))
    pos = np.arange(T)[:, None]
    np.testing.assert_allclose(pe[:, 0::2], np.sin(pos * div), atol=1e-12)
    np.testing.assert_allclose(pe[:, 1::2], np.cos(pos * div), atol=1e-12)
    # PE[p + k] is a rotation of PE[p] in every (sin, cos) pair
    k = 7
    for i, w in enumerate(div):
        R = np.array([[np.cos(k * w), -np.sin(k * w)], [np.sin(k * w), np.cos(k * w)]])
        np.testing.assert_allclose(pe[:-k, 2 * i:2 * i + 2] @ R, pe[k:, 2 * i:2 * i + 2], atol=1e-10)
    with pytest.raises(ValueError):
        sa.positional_encoding(3, 5)


def test_attention_without_positions_is_permutation_equivariant():
    X, Wq, Wk, Wv = _case(B=1, T=6, D=4, dk=4, dv=4)
    perm = np.random.default_rng(1).permutation(6)
    out, _ = sa.self_attention(X, Wq, Wk, Wv, causal=False)
    out_p, _ = sa.self_attention(X[:, perm], Wq, Wk, Wv, causal=False)
    np.testing.assert_allclose(out_p, out[:, perm], atol=1e-12)
