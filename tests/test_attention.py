"""lstmlab.attention against torch (float64 to 1e-10, float32 to 1e-5) and finite differences;
lstmlab.lessons.attention.tasks (seeded, correct by the standard library); lstmlab.lessons.attention.seq2seq (shapes, masking, parity with
the numpy reference and with a packed bidirectional nn.LSTM, plots return what they drew)."""
from __future__ import annotations

import datetime as dt

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lstmlab import attention as A
from lstmlab.lessons.attention import tasks as dates
from lstmlab.gradcheck import numerical_gradient_array, relative_error

matplotlib.use("Agg")

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

def test_dot_product_spread_and_its_plot():
    spread = A.dot_product_spread([4, 64], n=400, T=8, seed=0)
    np.testing.assert_allclose(spread["var_dot"] / spread["d"], 1.0, rtol=0.15)
    np.testing.assert_allclose(spread["var_scaled"], 1.0, rtol=0.15)
    assert spread["max_weight_dot"][1] > 0.8 > 0.5 > spread["max_weight_scaled"][1]
    fig, data = A.plot_dot_product_spread(spread)
    assert data is spread and len(fig.axes) == 2
    assert all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), spread["var_dot"])


# --- the date task ------------------------------------------------------------------------------

def test_dates_are_seeded_and_correct():
    a, b = dates.make_dates(300, seed=3), dates.make_dates(300, seed=3)
    assert a["source"] == b["source"] and np.array_equal(a["X"], b["X"])
    assert a["source"] != dates.make_dates(300, seed=4)["source"]
    assert set(a["format"]) == set(dates.FORMATS)
    for src, tgt, fmt, d in zip(a["source"], a["target"], a["format"], a["date"]):
        assert dates.FIRST <= d <= dates.LAST
        assert dates.parse(src, fmt) == d == dt.date.fromisoformat(tgt)
        if fmt == "dd/mm/yy":  # the %y convention the task states is Python's own
            assert dt.datetime.strptime(src, "%d/%m/%y").date() == d
        for field, (s0, s1) in dates.field_spans(d, fmt).items():
            piece = src[s0:s1]
            if field == "year":
                assert piece == (f"{d.year % 100:02d}" if fmt == "dd/mm/yy" else str(d.year))
            elif field == "day":
                assert int(piece) == d.day
            else:
                assert piece.isdigit() and int(piece) == d.month or dates.MONTHS[d.month - 1].startswith(piece)
    assert dates.decode_target(a["Y"]) == a["target"]
    X, mask = dates.encode_source(a["source"])
    assert np.array_equal(X, a["X"]) and np.array_equal(mask.sum(1), [len(s) for s in a["source"]])
    assert "".join(dates.SRC_VOCAB[k] for k in X[0, :len(a["source"][0])]) == a["source"][0]


def test_held_out_dates_are_disjoint_and_sources_fit():
    train = dates.make_dates(2000, seed=0)
    test = dates.make_dates(500, seed=1, exclude=train["date"])
    assert not set(train["date"]) & set(test["date"])
    assert len(set(train["date"])) == 2000
    longest = max(len(dates.render(dt.date(2000, m, 28), f)) for m in range(1, 13) for f in dates.FORMATS)
    assert longest == dates.MAX_SRC_LEN == len("September 28, 2000")


# --- the seq2seq model --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_data():
    return dates.make_dates(64, seed=5)


@pytest.fixture
def one_thread():
    """Small models on a busy machine: one torch thread is faster and deterministic (restored after)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_encoder_equals_a_packed_bidirectional_lstm(small_data):
    from lstmlab.lessons.attention.seq2seq import DateSeq2Seq

    torch.manual_seed(0)
    model = DateSeq2Seq(emb=8, hidden=5).double()
    X, M = torch.as_tensor(small_data["X"]), torch.as_tensor(small_data["mask"])
    bi = torch.nn.LSTM(8, 5, batch_first=True, bidirectional=True).double()
    with torch.no_grad():
        for direction, lstm in (("", model.enc_fwd), ("_reverse", model.enc_bwd)):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(bi, f"{name}_l0{direction}").copy_(getattr(lstm, f"{name}_l0"))
        K, summary = model.encode(X, M)
        packed = torch.nn.utils.rnn.pack_padded_sequence(model.src_emb(X), M.sum(1), batch_first=True,
                                                         enforce_sorted=False)
        out, (h, _) = bi(packed)
        want, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=X.shape[1])
    real = M[..., None].expand_as(K)
    np.testing.assert_allclose(K[real].numpy(), want[real].numpy(), atol=1e-12)
    np.testing.assert_allclose(summary.numpy(), torch.cat([h[0], h[1]], -1).numpy(), atol=1e-12)


def test_model_attention_is_the_numpy_reference(small_data):
    from lstmlab.lessons.attention.seq2seq import DateSeq2Seq

    torch.manual_seed(1)
    model = DateSeq2Seq(emb=8, hidden=6, attn_size=7).double()
    X, M = torch.as_tensor(small_data["X"]), torch.as_tensor(small_data["mask"])
    with torch.no_grad():
        logits, weights, seen = model(X, M, trace=True)
    assert logits.shape == (64, 10, len(dates.TGT_VOCAB)) and weights.shape == (64, 10, X.shape[1])
    w = weights.numpy()
    assert np.all(w.transpose(1, 0, 2)[:, ~small_data["mask"]] == 0), "padding gets exactly 0"
    np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-12)
    Wq, Wk, v = (p.detach().numpy() for p in (model.Wq.weight.T, model.Wk.weight.T, model.v.weight[0]))
    K = seen["keys"].numpy()
    for t in range(10):
        ref = A.masked_softmax(A.additive_scores(seen["queries"][:, t].numpy(), K, Wq, Wk, v), small_data["mask"])
        np.testing.assert_allclose(w[:, t], ref, atol=1e-12)
        np.testing.assert_allclose(seen["contexts"][:, t].numpy(), A.context_vector(ref, K), atol=1e-12)


def test_model_without_attention_and_training_reduce_the_loss(small_data, one_thread):
    from lstmlab.lessons.attention.seq2seq import DateSeq2Seq, accuracy, predict, train

    torch.manual_seed(2)
    model = DateSeq2Seq(emb=8, hidden=8, attention=False)
    hist = train(model, small_data, steps=30, batch_size=16, lr=2e-2, eval_data=small_data, eval_every=10)
    assert len(hist["loss"]) == 30 and hist["eval_step"] == [10, 20, 30]
    assert np.mean(hist["loss"][-5:]) < hist["loss"][0]
    pred, w = predict(model, small_data)
    assert pred.shape == (64, 10) and np.all(w == 0)
    acc = accuracy(pred, small_data)
    assert acc["exact"] == pytest.approx(hist["eval_exact"][-1])
    assert 0 <= acc["exact"] <= acc["char"] <= 1


def test_accuracy_and_alignment_mass_on_known_answers(small_data):
    from lstmlab.lessons.attention.seq2seq import accuracy, alignment_mass

    Y = small_data["Y"].copy()
    acc = accuracy(Y, small_data)
    assert acc["exact"] == acc["char"] == 1.0 and np.all(acc["by_position"] == 1)
    wrong = Y.copy()
    wrong[:32, 9] = (wrong[:32, 9] % 10) + 1          # another digit in the last position of half the dates
    acc = accuracy(wrong, small_data)
    assert acc["exact"] == 0.5 and acc["char"] == pytest.approx(1 - 32 / 640) and acc["by_position"][9] == 0.5
    # Perfect alignment: every output character of a field puts all its weight on the first source character of it.
    T = small_data["X"].shape[1]
    w = np.zeros((64, 10, T))
    for k, (d, fmt) in enumerate(zip(small_data["date"], small_data["format"])):
        for field, (o0, o1) in dates.TARGET_FIELDS.items():
            w[k, o0:o1, dates.field_spans(d, fmt)[field][0]] = 1.0
    mass = alignment_mass(w, small_data)
    assert all(m == 1.0 and 0 < u < 1 for m, u in mass.values())


def test_plots_return_what_they_drew(small_data):
    from lstmlab.lessons.attention.seq2seq import plot_attention, plot_by_position, plot_training

    r = np.random.default_rng(0)
    w = r.random((3, 10, small_data["X"].shape[1]))
    fig, drawn = plot_attention(w, small_data["source"][:3], small_data["target"][:3], ncols=2)
    assert len(drawn) == 3 and drawn[0].shape == (10, len(small_data["source"][0]))
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), drawn[0])
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel() and fig.axes[0].get_title()
    results = {"a": {"by_position": np.linspace(0, 1, 10)}, "b": {"by_position": np.ones(10)}}
    fig, data = plot_by_position(results)
    assert [p.get_height() for p in fig.axes[0].patches[:10]] == pytest.approx(list(data["a"]))
    hist = {"m": {"loss": [2.0, 1.0, 0.5], "eval_step": [3], "eval_exact": [0.25]}}
    fig, data = plot_training(hist)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), data["m"]["loss"])
    assert all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)
