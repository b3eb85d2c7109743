"""lstmlab.lessons.training_stability: the cliff's BPTT against finite differences and autograd (experiments), the
echo task (tasks), truncated BPTT and its gradient reach (models, experiments), the plots, and how the checks call
an answer (checks)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from lstmlab import optim as O
from lstmlab.gradcheck import numerical_gradient, relative_error
from lstmlab.lessons.training_stability import checks
from lstmlab.lessons.training_stability.experiments import along_line, cliff_loss, gradient_reach
from lstmlab.lessons.training_stability.models import EchoLSTM, train_truncated
from lstmlab.lessons.training_stability.plots import (plot_cliff, plot_clipping_directions, plot_grad_norms,
                                                      plot_step_sizes, plot_truncation)
from lstmlab.lessons.training_stability.tasks import echo


# --- the cliff -----------------------------------------------------------------------------

def test_cliff_backward_matches_finite_differences_and_autograd():
    for w0, b0 in ((5.0, -3.0), (5.0, -2.0), (3.0, -1.0)):
        wb = np.array([w0, b0])
        _, dw, db = cliff_loss(wb[0], wb[1])
        num = numerical_gradient(lambda: float(cliff_loss(wb[0], wb[1])[0]), wb, h=1e-6)
        assert relative_error(np.array([float(dw), float(db)]), num) < 1e-6
        w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
        b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
        x = torch.tensor(0.5, dtype=torch.float64)
        for _ in range(50):
            x = w * torch.sigmoid(x) + b
        ((x - 0.7) ** 2).backward()
        np.testing.assert_allclose([float(dw), float(db)], [w.grad.item(), b.grad.item()], rtol=1e-10)


def test_cliff_has_a_wall_and_plot_returns_it():
    line = along_line((5.0, -4.0), (0.0, 1.0), np.linspace(0, 4, 2001))
    k = int(np.argmax(line["grad_norm"]))
    zoom = along_line((5.0, line["b"][k] - 2e-3), (0.0, 1.0), np.linspace(0, 4e-3, 2001))
    assert np.median(line["grad_norm"]) < 20
    assert zoom["grad_norm"].max() > 1e4                       # the wall: >1000x the typical norm
    b_wall = float(zoom["b"][int(np.argmax(zoom["grad_norm"]))])
    fig, data = plot_cliff(line, zoom, b_wall)
    assert data["b_wall"] == b_wall and data["zoom"] is zoom
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes[2:])
    matplotlib.pyplot.close(fig)


# --- truncated BPTT ------------------------------------------------------------------------

def test_echo_task_is_seeded_and_correct():
    X, Y = echo(4, 20, lag=3, seed=5)
    X2, Y2 = echo(4, 20, lag=3, seed=5)
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2)
    assert X.shape == (4, 20, 1) and Y.shape == (4, 20) and X.dtype == np.float32
    assert np.array_equal(Y[:, 3:], (X[:, :-3, 0] > 0).astype(np.float32))
    assert not Y[:, :3].any()


def test_gradient_reach_stops_at_chunk_boundaries():
    torch.manual_seed(0)
    model = EchoLSTM(hidden=4)
    full = gradient_reach(model, None, steps=12)
    cut = gradient_reach(model, 4, steps=12)
    assert np.all(np.triu(full, 1) == 0) and np.all(full[np.tril_indices(12)] > 0)
    for t in range(12):
        start = (t // 4) * 4
        assert np.all(cut[t, :start] == 0)                             # nothing before its chunk
        assert np.all(cut[t, start:t + 1] > 0)                         # everything inside it
        if start == 0:                                                 # the first chunk is not truncated at all
            np.testing.assert_allclose(cut[t], full[t], rtol=1e-12)


def test_train_truncated_is_deterministic_and_monitors_norms():
    torch.set_num_threads(1)
    seen = []

    def monitor(grads):
        seen.append(O.global_norm(grads))
        return seen[-1]

    a = train_truncated(8, lag=3, updates=6, steps=16, batch=4, hidden=4, progress=False, grad_norm=monitor)
    b = train_truncated(8, lag=3, updates=6, steps=16, batch=4, hidden=4, progress=False)
    assert np.array_equal(a["loss"], b["loss"]) and np.allclose(a["grad_norm"], b["grad_norm"])
    assert len(seen) == 6 and np.allclose(seen, a["grad_norm"])
    assert 0.0 <= a["accuracy"] <= 1.0
    fig, data = plot_truncation([a], {"K = 8": gradient_reach(a["model"], 8, steps=10)})
    assert data["K"] == [8] and data["accuracy"] == [a["accuracy"]]
    matplotlib.pyplot.close(fig)
    fig, data = plot_grad_norms([a], max_norm=1.0)
    assert np.array_equal(data["K=8"], a["grad_norm"])
    matplotlib.pyplot.close(fig)


# --- lesson plots --------------------------------------------------------------------------

def test_stability_plots_return_what_they_drew():
    g2 = np.array([-3.0, -5.0])
    fig, data = plot_clipping_directions(g2, {"value": np.array([-1.0, -1.0])}, ["a", "b"],
                                         {"original": [1.0, 2.0], "value": [0.5, 1.0]}, {"value": 0.9})
    np.testing.assert_allclose(data["arrows"]["original direction (unit length)"], g2 / np.linalg.norm(g2))
    assert data["cosines"] == {"value": 0.9}
    assert all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)
    matplotlib.pyplot.close(fig)
    fig, data = plot_step_sizes({"sgd": np.full(5, 0.01)}, lr=0.01, spike_at=2)
    np.testing.assert_allclose(data["sgd"], np.ones(5))
    matplotlib.pyplot.close(fig)


# --- the checks: how they call an answer ------------------------------------------------------

def test_checks_pass_the_references_and_reject_them_as_ready_made():
    checks.check_clip_by_global_norm(O.clip_by_global_norm)          # visible: any correct answer passes
    checks.check_adam_step(O.adam_step)                              # the state is fed back step by step
    with pytest.raises(checks.CheckFailed, match="called lstmlab.optim.adam_step"):
        checks.check_adam_step(lambda *a, **k: O.adam_step(*a, **k), hidden=True)
    with pytest.raises(checks.CheckFailed, match=r"called torch\.nn\.utils\.clip_grad_value_"):
        def via_torch(grads, clip):
            ps = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
            for p, g in zip(ps, grads):
                p.grad = torch.tensor(g, dtype=torch.float64)
            torch.nn.utils.clip_grad_value_(ps, clip)
            return [p.grad.numpy().astype(g.dtype) for p, g in zip(ps, grads)]
        checks.check_clip_by_value(via_torch, hidden=True)


def test_checks_let_the_students_exception_through():
    def unanswered(grads):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        checks.check_global_norm(unanswered)


def test_checks_tell_an_input_returned_from_a_new_array():
    def same_arrays_if_small(grads, max_norm):
        norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
        return list(grads) if norm <= max_norm else [g * (max_norm / norm) for g in grads]

    with pytest.raises(checks.CheckFailed, match="returned the input arrays themselves"):
        checks.check_clip_by_global_norm(same_arrays_if_small, hidden=True)

    def in_place(params, grads, state, lr=1e-3, alpha=0.99, eps=1e-8):
        new_params, new_state = O.rmsprop_step(params, grads, state, lr=lr, alpha=alpha, eps=eps)
        state["v"][0] += 1.0
        return new_params, new_state

    with pytest.raises(checks.CheckFailed, match="rmsprop_step changed its input state in place"):
        checks.check_rmsprop_step(in_place)


def test_checks_expect_the_exact_norm_of_exploded_float32_gradients():
    def float32_norm(grads):                                         # squares overflow float32 near 1e19
        return float(np.sqrt(sum(np.sum(g * g) for g in grads)))

    checks.check_global_norm(float32_norm)                            # visible: ordinary sizes pass
    with pytest.raises(checks.CheckFailed, match="overflow float32"):
        checks.check_global_norm(float32_norm, hidden=True)
    checks.check_global_norm(O.global_norm, hidden=False)


def test_clipping_compares_the_norm_itself_with_max_norm():
    def by_sum_of_squares(grads, max_norm):
        sq = sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads)
        return [g * (max_norm / np.sqrt(sq)) if sq > max_norm else g.copy() for g in grads]

    with pytest.raises(checks.CheckFailed, match="not its square"):
        checks.check_clip_by_global_norm(by_sum_of_squares, hidden=True)
