"""The beyond_lstm room (lstmlab.lessons.beyond_lstm): the associative-recall generator, the LSTM and
self-attention models, accuracy by pairs, timings and state sizes, the plots, and the checks (they accept a
numpy answer, reject ready-made ones, and their hardest case is what it claims). Seeded and offline."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lstmlab import self_attention as sa
from lstmlab.checking import CheckFailed
from lstmlab.lessons.beyond_lstm import checks as check
from lstmlab.lessons.beyond_lstm.experiments import accuracy_by_pairs, state_sizes, time_forward
from lstmlab.lessons.beyond_lstm.models import CausalSelfAttention, RecallAttention, RecallLSTM, parameter_count
from lstmlab.lessons.beyond_lstm.plots import plot_attention_weights, plot_cost_vs_length, plot_recall_accuracy
from lstmlab.lessons.beyond_lstm.tasks import associative_recall, describe, recall_features
from lstmlab.timing import torch_threads


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


# --- checks --------------------------------------------------------------------------------------

def test_checks_accept_numpy_answers_and_reject_ready_made_ones():
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


def test_the_checks_future_case_is_exact_for_the_reference():
    # every future score 800+ above the allowed ones: masking the scores first gives the exact answer
    X, Wq, Wk, Wv = check._future_case()
    out, w = sa.self_attention(X, Wq, Wk, Wv)
    Q, K, V = (torch.from_numpy(a) for a in sa.qkv_projection(X, Wq, Wk, Wv))
    np.testing.assert_allclose(out, F.scaled_dot_product_attention(Q, K, V, is_causal=True).numpy(), atol=1e-10)
    assert np.allclose(np.diagonal(w, axis1=1, axis2=2), 1.0)   # the diagonal is each row's allowed maximum


def test_student_exceptions_propagate_with_the_hint():
    def unanswered(T):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check.check_causal_mask(unanswered)

    def broken(X, Wq, Wk, Wv):
        return X @ Wq.T, X @ Wk, X @ Wv      # (B, T, D) @ (dk, D): the visible case has D != dk

    with pytest.raises(ValueError) as info:
        check.check_qkv_projection(broken)
    assert any("X @ Wq applies the same projection" in note for note in info.value.__notes__)


def test_self_attention_needs_each_rows_own_maximum_and_a_numpy_mask():
    def global_max(X, Wq, Wk, Wv, causal=True):                     # numpy only: the hidden guard bans sa.*
        Q, K, V = X @ Wq, X @ Wk, X @ Wv
        S = Q @ K.transpose(0, 2, 1) / np.sqrt(Q.shape[-1])
        if causal:
            S = np.where(np.tri(X.shape[1], dtype=bool), S, -np.inf)
        e = np.exp(S - S.max())
        w = e / e.sum(-1, keepdims=True)
        return w @ V, w

    check.check_self_attention(global_max)                           # visible: rows alike, passes
    with pytest.raises(CheckFailed, match="each row's own maximum"):
        check.check_self_attention(global_max, hidden=True)
    with pytest.raises(CheckFailed, match="numpy array"):
        check.check_causal_mask(lambda T: [[j <= i for j in range(T)] for i in range(T)])
