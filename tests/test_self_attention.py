"""Library tests for lesson 10: the numpy self-attention reference (vs torch and finite differences),
the associative-recall generator, the LSTM-vs-attention models, timings and plots, and the linear
recurrences. Seeded and offline."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lstmlab import self_attention as sa
from lstmlab.gradcheck import numerical_gradient_array, relative_error
from lstmlab.linear_recurrence import (elu_plus_one, linear_attention_parallel, linear_attention_recurrent,
                                       min_gru_scan, min_gru_sequential)
from lstmlab.lessons.beyond_lstm.lstm_vs_attention import (CausalSelfAttention, RecallAttention, RecallLSTM, accuracy_by_pairs,
                                       parameter_count, plot_attention_weights, plot_cost_vs_length,
                                       plot_recall_accuracy, state_sizes, time_forward, torch_threads)
from lstmlab.lessons.beyond_lstm.tasks import associative_recall, describe, recall_features


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


def test_self_attention_is_exact_on_huge_scores_and_a_dominant_future():
    X, Wq, Wk, Wv = _case(gain=60.0)                    # scores in the thousands
    out, w = sa.self_attention(X, Wq, Wk, Wv)
    assert np.all(np.isfinite(out)) and np.allclose(w.sum(-1), 1)
    Q, K, V = (torch.from_numpy(a) for a in sa.qkv_projection(X, Wq, Wk, Wv))
    np.testing.assert_allclose(out, F.scaled_dot_product_attention(Q, K, V, is_causal=True).numpy(), atol=1e-10)
    # every future score 800+ above the allowed ones: masking the scores first gives the exact answer
    from lstmlab.lessons.beyond_lstm.checks import _future_case
    X, Wq, Wk, Wv = _future_case()
    out, w = sa.self_attention(X, Wq, Wk, Wv)
    Q, K, V = (torch.from_numpy(a) for a in sa.qkv_projection(X, Wq, Wk, Wv))
    np.testing.assert_allclose(out, F.scaled_dot_product_attention(Q, K, V, is_causal=True).numpy(), atol=1e-10)
    assert np.allclose(np.diagonal(w, axis1=1, axis2=2), 1.0)   # the diagonal is each row's allowed maximum


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


# --- the task --------------------------------------------------------------------------------------

def test_associative_recall_is_seeded_and_correct():
    X, y, P = associative_recall(300, max_pairs=6, n_keys=8, n_values=5, seed=0)
    X2, y2, P2 = associative_recall(300, max_pairs=6, n_keys=8, n_values=5, seed=0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2) and np.array_equal(P, P2)
    assert not np.array_equal(X, associative_recall(300, max_pairs=6, n_keys=8, n_values=5, seed=1)[0])
    assert X.shape == (300, 7, recall_features(8, 5)) and X.dtype == np.float32 and y.dtype == np.int64
    assert P.min() >= 1 and P.max() <= 6 and set(np.unique(P)) == set(range(1, 7))
    for b in range(300):
        x, T = X[b], 7
        filled = x.sum(-1) > 0
        assert not filled[: T - 1 - P[b]].any() and filled[T - 1 - P[b]:].all()   # empties first
        assert x[-1, -1] == 1 and x[:-1, -1].sum() == 0 and x[-1, 8:13].sum() == 0  # the query
        keys = x[T - 1 - P[b]:-1, :8].argmax(-1)
        assert len(set(keys)) == P[b]                                               # distinct keys
        asked = x[-1, :8].argmax()
        row = x[T - 1 - P[b]:-1][keys == asked][0]
        assert row[8:13].argmax() == y[b]                                           # the stored value
    assert describe(X[0], 8, 5)[-1].endswith("?")


# --- models, timings, plots -----------------------------------------------------------------------

def test_causal_self_attention_module_equals_numpy_reference():
    torch.manual_seed(0)
    layer = CausalSelfAttention(6, 4, 3).double()
    X = np.random.default_rng(0).standard_normal((2, 5, 6))
    with torch.no_grad():
        out, w = layer(torch.from_numpy(X))
    ref_out, ref_w = sa.self_attention(X, *(p.detach().numpy() for p in (layer.Wq, layer.Wk, layer.Wv)))
    np.testing.assert_allclose(out.numpy(), ref_out, atol=1e-12)
    np.testing.assert_allclose(w.numpy(), ref_w, atol=1e-12)


def test_recall_models_shapes_and_accuracy_by_pairs():
    X, y, P = associative_recall(64, max_pairs=4, seed=0)
    torch.manual_seed(0)
    att, lstm = RecallAttention(recall_features(), 8, max_len=5), RecallLSTM(recall_features(), 8)
    d = att.details(torch.as_tensor(X))
    assert d["weights"].shape == (64, 5, 5) and d["logits"].shape == (64, 16)
    assert lstm(torch.as_tensor(X)).shape == (64, 16)
    assert parameter_count(lstm) == 4 * 8 * (recall_features() + 8 + 2) + 8 * 16 + 16
    acc = accuracy_by_pairs(att, X, y, P)
    assert set(acc) == {0, 1, 2, 3, 4} and all(0 <= a <= 1 for a in acc.values())


def test_time_forward_and_state_sizes():
    before = torch.get_num_threads()
    t = time_forward([4, 8], batch=2, width=4, repeats=1)
    assert torch.get_num_threads() == before
    assert list(t["T"]) == [4, 8] and np.all(t["LSTM"] > 0) and np.all(t["self-attention"] > 0)
    s = state_sizes([10, 20], hidden=3, d_model=5, layers=2)
    assert list(s["LSTM state"]) == [12, 12] and list(s["KV cache"]) == [200, 400]
    assert list(s["attention weights"]) == [200, 800]
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_plots_return_what_they_drew():
    fig, data = plot_recall_accuracy({"a": {0: 0.5, 1: 1.0, 2: 0.0}})
    assert np.array_equal(data["a"][0], [1, 2]) and np.array_equal(data["a"][1], [1.0, 0.0])
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    W = np.tril(np.ones((3, 3))) / np.arange(1, 4)[:, None]
    fig, drawn = plot_attention_weights(W, ["a", "b", "c"])
    assert np.array_equal(drawn, W) and fig.axes[0].get_xlabel()
    timings = {"T": np.array([8, 16, 32, 64]), "LSTM": np.array([1.0, 2, 4, 8]),
               "self-attention": np.array([1.0, 4, 16, 64])}
    sizes = state_sizes([8, 16, 32, 64])
    fig, drawn = plot_cost_vs_length(timings, sizes)
    assert drawn["time"] is timings and drawn["size"] is sizes
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    matplotlib.pyplot.close("all")


# --- linear recurrences ---------------------------------------------------------------------------

def test_linear_attention_parallel_equals_recurrent_and_formula():
    r = np.random.default_rng(0)
    Q, K, V = r.standard_normal((2, 9, 3)), r.standard_normal((2, 9, 3)), r.standard_normal((2, 9, 4))
    par = linear_attention_parallel(Q, K, V)
    rec, state = linear_attention_recurrent(Q, K, V)
    np.testing.assert_allclose(par, rec, atol=1e-12)
    assert state == 3 * 4 + 3
    i = 5
    w = np.array([elu_plus_one(Q[0, i]) @ elu_plus_one(K[0, j]) for j in range(i + 1)])
    np.testing.assert_allclose(par[0, i], w @ V[0, :i + 1] / w.sum(), atol=1e-12)
    assert np.all(elu_plus_one(np.array([-50.0, 0.0, 2.0])) > 0)


def test_min_gru_scan_equals_the_loop():
    r = np.random.default_rng(1)
    X = r.standard_normal((2, 40, 3))
    Wz, Wh = r.standard_normal((3, 4)), r.standard_normal((3, 4))
    bz, bh, h0 = r.standard_normal(4), r.standard_normal(4), r.standard_normal((2, 4))
    np.testing.assert_allclose(min_gru_scan(X, h0, Wz, bz, Wh, bh), min_gru_sequential(X, h0, Wz, bz, Wh, bh),
                               rtol=1e-9, atol=1e-10)


# --- the checks accept a from-scratch answer and reject the reference -------------------------------

def test_checks_accept_numpy_answers_and_reject_ready_made_ones():
    from lstmlab.lessons.beyond_lstm import checks as check
    from lstmlab.checking import CheckFailed

    check.check_causal_mask(lambda T: np.tril(np.ones((T, T), dtype=bool)), hidden=True)
    check.check_qkv_projection(lambda X, Wq, Wk, Wv: (X @ Wq, X @ Wk, X @ Wv), hidden=True)

    def numpy_attention(X, Wq, Wk, Wv, causal=True):
        S = (X @ Wq) @ (X @ Wk).transpose(0, 2, 1) / np.sqrt(Wq.shape[1])
        if causal:
            S = np.where(np.tril(np.ones(S.shape[1:], dtype=bool)), S, -np.inf)
        E = np.exp(S - S.max(-1, keepdims=True))
        W = E / E.sum(-1, keepdims=True)
        return W @ (X @ Wv), W

    check.check_self_attention(numpy_attention, hidden=True)
    with pytest.raises(CheckFailed, match="from scratch"):
        check.check_self_attention(lambda *a, **k: sa.self_attention(*a, **k), hidden=True)
    with pytest.raises(CheckFailed, match="from scratch"):
        check.check_positional_encoding(lambda T, d: sa.positional_encoding(T, d), hidden=True)
