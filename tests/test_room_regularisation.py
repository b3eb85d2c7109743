"""lstmlab.lessons.regularisation: the char task (tasks), CharLM's regularisers (models), a short seeded run
(experiments), the plots, measured.json, and the checks on the textbook's references."""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from lstmlab import regularisation as R
from lstmlab.checking import CheckFailed
from lstmlab.lessons.regularisation import checks
from lstmlab.lessons.regularisation.experiments import REGULARISERS, summary, train_lm
from lstmlab.lessons.regularisation.models import METHODS, CharLM, locked_dropout_torch
from lstmlab.lessons.regularisation.plots import plot_live, plot_measured
from lstmlab.lessons.regularisation.tasks import all_windows, char_corpus, random_windows

MEASURED = Path(checks.__file__).parent / "measured.json"


def test_char_corpus_and_windows():
    c = char_corpus()
    assert len(c["train"]) == 4000 and len(c["val"]) == 2000 and len(c["vocab"]) == 55
    assert "".join(c["vocab"][k] for k in c["train"][:50]) == c["text"][:50]
    X, Y = random_windows(c["train"], 32, 8, np.random.default_rng(0))
    assert X.shape == Y.shape == (8, 32)
    np.testing.assert_array_equal(X[:, 1:], Y[:, :-1])
    X, Y = all_windows(c["val"], 32)
    assert X.shape == (62, 32) and Y[0, -1] == c["val"][32]


def test_every_method_is_the_same_function_without_regularisation():
    torch.manual_seed(0)
    X = torch.randint(0, 20, (3, 9))
    outs = []
    for method in METHODS:
        torch.manual_seed(1)
        model = CharLM(20, method=method, p=(0.0, 0.0) if method == "zoneout" else 0.0)
        outs.append(model(X))
    for out in outs[1:]:
        torch.testing.assert_close(out, outs[0], rtol=1e-5, atol=1e-6)


def test_regularisers_act_only_in_training_and_zoneout_expectation_in_eval():
    torch.manual_seed(2)
    X = torch.randint(0, 20, (4, 6))
    for method, p in (("dropout", 0.5), ("variational", 0.5), ("zoneout", (0.3, 0.5))):
        torch.manual_seed(3)
        model = CharLM(20, method=method, p=p)
        model.eval()
        a, b = model(X), model(X)
        torch.testing.assert_close(a, b)                                   # deterministic at eval time
        model.train()
        assert not torch.allclose(model(X), model(X))                      # random while training
    x = torch.ones(5, 7, 11)
    out = locked_dropout_torch(x, 0.5, True)
    assert torch.equal(out, out[:, :1].expand_as(out)) and set(out.unique().tolist()) <= {0.0, 2.0}
    assert torch.equal(locked_dropout_torch(x, 0.5, False), x)


def test_train_lm_is_seeded_and_learns():
    c = char_corpus()
    a = train_lm(steps=20, eval_every=10, seed=0, corpus=c)
    b = train_lm(steps=20, eval_every=10, seed=0, corpus=c)
    assert a == b
    assert a["steps"] == [0, 10, 20] and a["val"][-1] < a["val"][0] and len(a["train_batch"]) == 20
    s = summary([a, b])
    assert s["best"] == [min(a["val"])] * 2


def test_plots_return_what_they_draw():
    run = {"steps": [0, 1], "val": [2.0, 1.5], "train": [2.0, 1.0]}
    fig, drawn = plot_live({"none": run})
    assert drawn["none"]["val"] == [2.0, 1.5] and fig.axes[0].get_xlabel() == "updates"
    measured = json.loads(MEASURED.read_text())
    fig, drawn = plot_measured(measured, "regularisers", "val")
    assert set(drawn) == set(REGULARISERS)
    fig, drawn = plot_measured(measured, "optimisers", "train")
    assert set(drawn) == {"sgd", "momentum", "rmsprop", "adam"}


def test_measured_json_has_every_method_and_three_seeds():
    m = json.loads(MEASURED.read_text())
    assert len(m["config"]["seeds"]) >= 3
    for group, names in (("regularisers", REGULARISERS), ("optimisers", ("sgd", "momentum", "rmsprop", "adam"))):
        for name in names:
            entry = m[group][name]
            key = "val" if group == "regularisers" else "train"
            assert len(entry[key]["best"]) == len(m["config"]["seeds"])
            assert len(entry[key]["mean"]) == len(entry["steps"])
    assert {"regularisers_seconds", "optimisers_seconds", "torch"} <= set(m["run"])


def test_checks_accept_the_references_and_refuse_them_in_hidden_tests(capsys):
    checks.check_locked_dropout(R.locked_dropout)
    checks.check_zoneout_lstm_step(R.zoneout_lstm_step)
    checks.check_ln_lstm_step(R.ln_lstm_step)
    assert capsys.readouterr().out.count("✔") == 3
    with pytest.raises(CheckFailed, match="lstmlab.regularisation"):
        checks.check_locked_dropout(lambda x, p, rng, training=True: R.locked_dropout(x, p, rng, training), hidden=True)


def test_checks_see_a_mask_that_changes_over_time():
    def per_step(x, p, rng, training=True):
        return x * (rng.random(x.shape) >= p) / (1 - p) if training and p else x.copy()

    with pytest.raises(CheckFailed, match="changes from one time step to the next"):
        checks.check_locked_dropout(per_step)
