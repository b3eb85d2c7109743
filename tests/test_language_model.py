"""lstmlab.language_model: the loss, embedding, sampling and perplexity against torch and closed forms; the numpy
model's backward against finite differences; pluggable pieces."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lstmlab import language_model as lm
from lstmlab.gradcheck import numerical_gradient, relative_error


def _case(seed=0, B=3, T=5, V=7, scale=1.0):
    r = np.random.default_rng(seed)
    logits = scale * r.standard_normal((B, T, V))
    targets = r.integers(0, V, (B, T))
    mask = np.arange(T)[None, :] < np.array([T, 2, 1][:B] + [T] * max(0, B - 3))[:, None]
    return logits, targets, mask


@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_loss_and_gradient_match_torch(scale):
    logits, targets, mask = _case(scale=scale)
    loss, d = lm.temporal_softmax_loss(logits, targets, mask)
    z = torch.tensor(logits, requires_grad=True)
    per = torch.nn.functional.cross_entropy(z.reshape(-1, 7), torch.tensor(targets).reshape(-1), reduction="none")
    m = torch.tensor(mask.reshape(-1), dtype=torch.float64)
    want = (per * m).sum() / m.sum()
    want.backward()
    assert abs(loss - want.item()) < 1e-10 * max(1, abs(loss))
    np.testing.assert_allclose(d, z.grad.numpy(), atol=1e-12)
    assert (d[~mask] == 0).all()


def test_loss_with_no_real_position_is_zero_and_float32_stays_float32():
    logits, targets, mask = _case()
    loss, d = lm.temporal_softmax_loss(logits, targets, np.zeros_like(mask))
    assert loss == 0.0 and not d.any()
    _, d32 = lm.temporal_softmax_loss(logits.astype(np.float32), targets, mask)
    assert d32.dtype == np.float32


def test_embedding_matches_torch_and_accumulates_repeats():
    r = np.random.default_rng(1)
    W = r.standard_normal((6, 3))
    idx = np.array([[1, 1, 2], [1, 5, 2]])
    out, cache = lm.embedding_forward(idx, W)
    emb = torch.nn.Embedding(6, 3).double()
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(W))
    t_out = emb(torch.tensor(idx))
    np.testing.assert_array_equal(out, t_out.detach().numpy())
    assert not np.shares_memory(out, W)
    dout = r.standard_normal((2, 3, 3))
    (t_out * torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(lm.embedding_backward(dout, cache), emb.weight.grad.numpy(), atol=1e-12)


def test_sample_next_is_inverse_cdf_greedy_and_stable():
    logits = np.array([[0.0, 1.0, 2.0], [5.0, 0.0, 0.0]])
    assert lm.sample_next(logits, 0, None).tolist() == [2, 0]
    assert lm.sample_next(logits, 1e-8, None).tolist() == [2, 0]
    u = np.random.default_rng(3).random(2)
    p = lm.softmax(logits, 0.7)
    want = [int(np.searchsorted(np.cumsum(row), x, side="right")) for row, x in zip(p, u)]
    assert lm.sample_next(logits, 0.7, np.random.default_rng(3)).tolist() == want
    big = np.array([[1000.0, 999.0, -1000.0]])
    counts = np.bincount(lm.sample_next(np.repeat(big, 20000, 0), 1.0, np.random.default_rng(0)), minlength=3)
    assert counts[2] == 0 and abs(counts[0] / 20000 - 1 / (1 + np.exp(-1))) < 0.02


def test_perplexity_closed_forms():
    V = 9
    ll = np.full((2, 4), -np.log(V))
    assert abs(lm.perplexity(ll, np.ones((2, 4), bool)) - V) < 1e-12
    ll[1, 2:] = -100.0                         # padding values do not count
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]])
    assert abs(lm.perplexity(ll, mask) - V) < 1e-12


def test_model_backward_matches_finite_differences():
    r = np.random.default_rng(0)
    params = lm.init_params(V=6, D=3, H=4, rng=r)
    inputs, targets = r.integers(0, 6, (2, 5)), r.integers(0, 6, (2, 5))
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], bool)
    _, cache = lm.model_forward(params, inputs, targets, mask)
    grads = lm.model_backward(params, cache)
    for name in lm.PARAM_NAMES:
        num = numerical_gradient(lambda: lm.model_forward(params, inputs, targets, mask)[0], params[name], h=1e-5)
        assert relative_error(grads[name], num) < 1e-5, name


def test_pieces_are_pluggable_and_train_step_matches_the_torch_twin():
    from lstmlab.lessons.language_model import models

    calls = []

    def loss(*a):
        calls.append("loss")
        return lm.temporal_softmax_loss(*a)

    r = np.random.default_rng(0)
    params = lm.init_params(V=8, D=4, H=5, rng=r)
    batch = (r.integers(0, 8, (3, 6)), r.integers(0, 8, (3, 6)), np.ones((3, 6), bool))
    twin = models.from_numpy(params)
    t_losses, _ = models.train_torch(twin, [batch, batch], lr=1e-2, max_norm=0.5)
    p, s = params, None
    for k in range(2):
        p, s, l, _ = lm.train_step(p, s, batch, lm.pieces_with(loss=loss), lr=1e-2, max_norm=0.5)
        assert abs(l - t_losses[k]) < 1e-12
    assert calls == ["loss", "loss"]
    back = models.to_numpy(twin)
    for name in lm.PARAM_NAMES:
        np.testing.assert_allclose(p[name], back[name], atol=1e-12)
    with pytest.raises(KeyError):
        lm.pieces_with(softmax=loss)


def test_generate_feeds_its_samples_back():
    r = np.random.default_rng(0)
    params = lm.init_params(V=6, D=3, H=4, rng=r)
    out = lm.generate(params, np.array([[1, 2]]), 7, 0.0, r)
    assert out.shape == (1, 7) and out.dtype == np.int64
    # greedy free running = argmax of the teacher-forced logits on its own output
    full = np.concatenate([[[1, 2]], out], axis=1)
    np.testing.assert_array_equal(lm.logits_of(params, full[:, :-1])[:, 1:].argmax(-1), out)


def test_generate_never_produces_a_forbidden_id():
    r = np.random.default_rng(0)
    params = lm.init_params(V=6, D=3, H=4, rng=r)
    params["b_out"][1] = 50.0                   # id 1 would win every time
    out = lm.generate(params, np.array([[2], [3]]), 20, 1.0, r, forbid=[1])
    assert not (out == 1).any()
