"""lstmlab.attention (the textbook's attention) against torch (float64 to 1e-10, float32 to 1e-5) and finite
differences; the 1/sqrt(d) statistic."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lstmlab import attention as A
from lstmlab.gradcheck import numerical_gradient_array, relative_error

TOL = {np.float64: 1e-10, np.float32: 1e-5}
TORCH = {np.float64: torch.float64, np.float32: torch.float32}


def _inputs(B=3, T=6, D=4, Dv=5, seed=0, dtype=np.float64, Dk=None):
    r = np.random.default_rng(seed)
    q = r.standard_normal((B, D)).astype(dtype)
    K = r.standard_normal((B, T, Dk or D)).astype(dtype)
    V = r.standard_normal((B, T, Dv)).astype(dtype)
    lengths = np.array([T] + list(r.integers(1, T + 1, B - 1)))
    mask = np.arange(T)[None] < lengths[:, None]
    return q, K, V, mask


def _t(a, dtype):
    return torch.as_tensor(np.asarray(a), dtype=TORCH[dtype])


# --- scores -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_scores_match_torch(dtype):
    q, K, _, _ = _inputs(dtype=dtype, Dk=3)
    r = np.random.default_rng(1)
    Wq, Wk, v = (r.standard_normal(s).astype(dtype) for s in ((4, 7), (3, 7), (7,)))
    tq, tK = _t(q, dtype), _t(K, dtype)
    want = (torch.tanh((tq @ _t(Wq, dtype))[:, None, :] + tK @ _t(Wk, dtype)) @ _t(v, dtype)).numpy()
    got = A.additive_scores(q, K, Wq, Wk, v)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL[dtype] * 10)

    q, K, _, _ = _inputs(dtype=dtype, D=16)
    tq, tK = _t(q, dtype), _t(K, dtype)
    dot = torch.bmm(tK, tq[:, :, None])[..., 0].numpy()
    np.testing.assert_allclose(A.dot_scores(q, K), dot, rtol=0, atol=TOL[dtype] * 10)
    np.testing.assert_allclose(A.scaled_dot_scores(q, K), dot / 4.0, rtol=0, atol=TOL[dtype] * 10)


# --- masked softmax -----------------------------------------------------------------------------

def _torch_masked_softmax(scores, mask, dtype):
    s = _t(scores, dtype)
    if mask is not None:
        s = s.masked_fill(~torch.as_tensor(mask), float("-inf"))
    return F.softmax(s, dim=-1).numpy()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [1.0, 1000.0, 1e4])
def test_masked_softmax_matches_torch_and_is_stable(dtype, scale):
    r = np.random.default_rng(2)
    scores = (scale * r.standard_normal((5, 7))).astype(dtype)
    _, _, _, mask = _inputs(B=5, T=7, seed=3)
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # no overflow, no 0/0, not even internally
        got = A.masked_softmax(scores, mask)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, _torch_masked_softmax(scores, mask, dtype), rtol=0, atol=TOL[dtype])
    assert np.all(got[~mask] == 0.0), "padding must get exactly 0"
    np.testing.assert_allclose(got.sum(-1), 1.0, atol=TOL[dtype])
    np.testing.assert_allclose(A.masked_softmax(scores), _torch_masked_softmax(scores, None, dtype), rtol=0, atol=TOL[dtype])


def test_masked_softmax_fully_masked_rows_are_zero_and_padding_values_are_ignored():
    r = np.random.default_rng(4)
    scores = r.standard_normal((4, 5))
    mask = np.array([[True] * 5, [False] * 5, [True, False, True, False, False], [False] * 5])
    huge = np.where(mask, scores, 1e300)              # whatever padding holds must not matter
    for s in (scores, huge):
        w = A.masked_softmax(s, mask)
        assert np.all(np.isfinite(w))
        assert np.all(w[[1, 3]] == 0.0)
        assert np.all(w[~mask] == 0.0)
        ok = mask.any(-1)
        np.testing.assert_allclose(w[ok], _torch_masked_softmax(scores, mask, np.float64)[ok], atol=1e-12)
    # torch's -inf softmax gives NaN there; our defined answer is what scaled_dot_product_attention returns.
    assert np.isnan(_torch_masked_softmax(scores, mask, np.float64)[1]).all()


def test_masked_softmax_leading_axes_and_inputs_untouched():
    r = np.random.default_rng(5)
    scores = r.standard_normal((2, 3, 4))
    mask = r.random((2, 3, 4)) < 0.7
    before = scores.copy()
    w = A.masked_softmax(scores, mask)
    np.testing.assert_array_equal(scores, before)
    for i in range(2):
        np.testing.assert_allclose(w[i], A.masked_softmax(scores[i], mask[i]), atol=1e-15)


# --- attention vs torch's scaled_dot_product_attention ----------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_attention_matches_scaled_dot_product_attention(dtype):
    q, K, V, mask = _inputs(B=4, T=6, D=8, Dv=3, seed=6, dtype=dtype)
    mask[2] = False                                    # a fully masked row: torch returns 0 too
    ctx, w = A.attention(q, K, V, mask)
    want = F.scaled_dot_product_attention(_t(q, dtype)[:, None], _t(K, dtype), _t(V, dtype),
                                          attn_mask=torch.as_tensor(mask)[:, None])[:, 0].numpy()
    np.testing.assert_allclose(ctx, want, rtol=0, atol=TOL[dtype])
    assert np.all(ctx[2] == 0) and np.all(w[2] == 0)
    want_nomask = F.scaled_dot_product_attention(_t(q, dtype)[:, None], _t(K, dtype), _t(V, dtype))[:, 0].numpy()
    np.testing.assert_allclose(A.attention(q, K, V)[0], want_nomask, rtol=0, atol=TOL[dtype])


def test_context_vector_is_the_weighted_sum():
    _, _, V, _ = _inputs(seed=7)
    w = np.random.default_rng(8).random((3, 6))
    np.testing.assert_allclose(A.context_vector(w, V), (_t(w, np.float64)[:, None] @ _t(V, np.float64))[:, 0].numpy(),
                               atol=1e-12)


# --- forward / backward -------------------------------------------------------------------------

@pytest.mark.parametrize("score", A.SCORES)
def test_attention_backward_matches_torch_autograd(score):
    q, K, V, mask = _inputs(B=3, T=5, D=4, Dv=2, seed=9)
    mask[1, :] = False
    r = np.random.default_rng(10)
    params = tuple(r.standard_normal(s) for s in ((4, 6), (4, 6), (6,))) if score == "additive" else None
    dctx = r.standard_normal((3, 2))
    ctx, w, cache = A.attention_forward(q, K, V, mask, score=score, params=params)
    grads = A.attention_backward(dctx, cache)

    leaves = {n: torch.tensor(a, requires_grad=True) for n, a in (("q", q), ("K", K), ("V", V))}
    if score == "additive":
        leaves.update({n: torch.tensor(a, requires_grad=True) for n, a in zip(("Wq", "Wk", "v"), params)})
        s = torch.tanh((leaves["q"] @ leaves["Wq"])[:, None] + leaves["K"] @ leaves["Wk"]) @ leaves["v"]
    else:
        s = torch.einsum("bd,btd->bt", leaves["q"], leaves["K"])
        if score == "scaled_dot":
            s = s / 2.0
    tw = torch.nan_to_num(torch.softmax(s.masked_fill(~torch.as_tensor(mask), float("-inf")), -1))
    tctx = torch.einsum("bt,btd->bd", tw, leaves["V"])
    np.testing.assert_allclose(ctx, tctx.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(w, tw.detach().numpy(), atol=1e-12)
    (tctx * torch.as_tensor(dctx)).sum().backward()
    for name, leaf in leaves.items():
        np.testing.assert_allclose(grads["d" + name], leaf.grad.numpy(), rtol=0, atol=1e-10, err_msg=name)


def test_attention_backward_matches_finite_differences():
    q, K, V, mask = _inputs(B=2, T=4, D=3, Dv=2, seed=11)
    r = np.random.default_rng(12)
    params = tuple(r.standard_normal(s) for s in ((3, 5), (3, 5), (5,)))
    dctx = r.standard_normal((2, 2))
    _, _, cache = A.attention_forward(q, K, V, mask, score="additive", params=params)
    grads = A.attention_backward(dctx, cache)
    run = lambda: A.attention_forward(q, K, V, mask, score="additive", params=params)[0]
    for name, x in (("dq", q), ("dK", K), ("dV", V), ("dWq", params[0]), ("dWk", params[1]), ("dv", params[2])):
        assert relative_error(grads[name], numerical_gradient_array(run, x, dctx)) < 1e-7, name


def test_masked_softmax_backward_gives_padding_no_gradient():
    _, _, _, mask = _inputs(seed=13)
    r = np.random.default_rng(14)
    w = A.masked_softmax(r.standard_normal(mask.shape), mask)
    ds = A.masked_softmax_backward(r.standard_normal(mask.shape), w)
    assert np.all(ds[~mask] == 0)
    np.testing.assert_allclose(ds.sum(-1), 0, atol=1e-12)   # softmax is shift-invariant


# --- the 1/sqrt(d) demo -------------------------------------------------------------------------

def test_dot_product_spread():
    spread = A.dot_product_spread([4, 64], n=400, T=8, seed=0)
    np.testing.assert_allclose(spread["var_dot"] / spread["d"], 1.0, rtol=0.15)
    np.testing.assert_allclose(spread["var_scaled"], 1.0, rtol=0.15)
    assert spread["max_weight_dot"][1] > 0.8 > 0.5 > spread["max_weight_scaled"][1]
    assert list(spread["d"]) == [4, 64]
