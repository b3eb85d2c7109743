"""lstmlab.lessons.language_model: the torch twin's weight copies, its loss against the textbook's, the experiments
(teacher forcing vs free running, line shapes) and the plots."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import torch

from lstmlab import language_model as lm
from lstmlab import text
from lstmlab.lessons.language_model import checks, experiments, models, plots


def test_twin_round_trip_and_same_logits():
    params = lm.init_params(V=7, D=3, H=4, rng=np.random.default_rng(0))
    twin = models.from_numpy(params)
    back = models.to_numpy(twin)
    for name in lm.PARAM_NAMES:
        np.testing.assert_array_equal(back[name], params[name])
    ids = np.random.default_rng(1).integers(0, 7, (2, 5))
    logits, _ = twin(torch.tensor(ids))
    np.testing.assert_allclose(logits.detach().numpy(), lm.logits_of(params, ids), atol=1e-12)
    assert not twin.lstm.bias_hh_l0.requires_grad and len(twin.trainable()) == 6


def test_masked_loss_and_perplexity_agree_with_the_textbook():
    r = np.random.default_rng(2)
    logits = r.standard_normal((2, 4, 5))
    targets = r.integers(0, 5, (2, 4))
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]], bool)
    got = models.masked_loss(torch.tensor(logits), torch.tensor(targets), torch.tensor(mask)).item()
    assert abs(got - lm.temporal_softmax_loss(logits, targets, mask)[0]) < 1e-12
    params = lm.init_params(V=5, D=2, H=3, rng=r)
    ppl = models.perplexity_of(models.from_numpy(params), targets, targets, mask)
    ll = lm.token_log_likelihoods(lm.logits_of(params, targets), targets)
    assert abs(ppl - lm.perplexity(ll, mask)) < 1e-10


def test_curves_and_teacher_forcing_experiment():
    torch.manual_seed(0)
    ids = np.random.default_rng(0).integers(4, 10, 400)
    model = models.CharLSTM(10, 4, 8)
    val = text.consecutive_windows(ids[300:], 20)
    curves = experiments.train_with_curves(model, ids[:300], val, steps=6, batch_size=4, seq_len=10, seed=0, every=3)
    assert curves["step"] == [3, 6] and len(curves["train"]) == len(curves["val"]) == 2
    tf, free = experiments.teacher_forcing_vs_free_running(models.to_numpy(model), ids, [0, 50, 100], 5, 6)
    assert tf.shape == free.shape == (6,)
    assert tf[0] == free[0]             # the first prediction has the same input both ways
    fig, drawn = plots.plot_perplexity(curves)
    assert drawn["step"] == [3, 6]
    fig, drawn = plots.plot_positions(tf, free)
    np.testing.assert_array_equal(drawn["free_running"], free)


def test_line_shapes():
    assert experiments.line_shapes("兰叶春葳蕤，桂华秋皎洁。欣欣此生，") == {5: 2, 4: 1}


def test_checks_fail_a_wrong_answer_with_its_diagnosis():
    import pytest

    from lstmlab.checking import CheckFailed

    def perplexity(ll, mask):
        return float(np.exp(-np.mean(ll)))

    with pytest.raises(CheckFailed, match="counts the padding"):
        checks.check_perplexity(perplexity)
