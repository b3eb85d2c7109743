"""Weight bridges (torch, Keras, the chapter), fixtures, tasks, plots, gradcheck and the check helpers."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from lstmlab import bridge, lstm as L, tasks
from lstmlab.checking import CheckFailed, assert_close, assert_from_scratch, ready_made_guard
from lstmlab.fixtures import lstm_inputs, lstm_params


def test_torch_round_trip_is_exact():
    p = lstm_params(3, 4, seed=0)
    m = torch.nn.LSTM(3, 4).double()
    bridge.lstm_to_torch(p, m)
    q = bridge.lstm_from_torch(m)
    for a, b in zip(p, q):
        np.testing.assert_array_equal(a, b)


def test_to_torch_rejects_wrong_shapes():
    with pytest.raises(ValueError, match="weight_ih_l0"):
        bridge.lstm_to_torch(lstm_params(5, 4), torch.nn.LSTM(3, 4))


def test_chapter_form_round_trip_and_meaning():
    p = lstm_params(3, 2, seed=1)
    ch = bridge.lstm_to_chapter(p)
    assert set(ch) == {"W_f", "b_f", "W_i", "b_i", "W_C", "b_C", "W_o", "b_o"}
    assert ch["W_f"].shape == (2, 5)
    q = bridge.lstm_from_chapter(ch)
    for a, b in zip(p, q):
        np.testing.assert_array_equal(a, b)
    # The chapter's forget gate on [h, x] equals block 1 of our layout.
    x, h, _ = lstm_inputs(1, 1, 3, 2, seed=2)
    hx = np.concatenate([h, x[:, 0]], axis=1)
    np.testing.assert_allclose(L.sigmoid(hx @ ch["W_f"].T + ch["b_f"]),
                               L.sigmoid(x[:, 0] @ p.Wx[:, 2:4] + h @ p.Wh[:, 2:4] + p.b[2:4]), atol=1e-14)
    with pytest.raises(ValueError):
        bridge.lstm_from_chapter({**ch, "W_o": np.zeros((3, 5))})


def test_keras_weights_map_onto_ours():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    keras.utils.set_random_seed(0)
    layer = keras.layers.LSTM(5)
    model = keras.Sequential([keras.Input((6, 3)), layer])
    X = np.random.default_rng(0).standard_normal((2, 6, 3)).astype(np.float32)
    zeros = np.zeros((2, 5), np.float32)
    p = bridge.lstm_from_keras(layer)
    _, (hT, _), _ = L.lstm_forward(X, zeros, zeros, *p)
    np.testing.assert_allclose(hT, np.asarray(model.predict(X, verbose=0)), atol=1e-5)
    q = lstm_params(3, 5, seed=3, dtype=np.float32)
    bridge.lstm_to_keras(q, layer)
    for a, b in zip(q, bridge.lstm_from_keras(layer)):
        np.testing.assert_array_equal(a, b)


def test_fixtures_are_seeded():
    a, b = lstm_params(3, 4, seed=7), lstm_params(3, 4, seed=7)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(lstm_params(3, 4, seed=8).Wx, a.Wx)


def test_tasks_are_seeded_and_correct():
    X, Y = tasks.remember_marked(4, 30, seed=1)
    assert X.shape == (4, 30, 2) and Y.shape == (4, 30)
    for n in range(4):
        held = 0.0
        for t in range(30):
            if X[n, t, 1] > 0:
                held = X[n, t, 0]
            assert Y[n, t] == held
    X2, _ = tasks.remember_marked(4, 30, seed=1)
    np.testing.assert_array_equal(X, X2)
    Xs, y = tasks.first_symbol(5, 8, seed=0)
    np.testing.assert_array_equal(Xs[:, 0].argmax(1), y)
    Xa, ya = tasks.adding_problem(6, 10, seed=0)
    assert np.all(Xa[..., 1].sum(1) == 2)
    np.testing.assert_allclose((Xa[..., 0] * Xa[..., 1]).sum(1), ya, rtol=1e-6)


def test_plot_gates_returns_what_it_drew():
    import matplotlib

    matplotlib.use("Agg")
    from lstmlab.lessons.lstm_cell.plots import plot_gates

    acts = {"i": np.full((5, 2), 0.2), "c": np.linspace(-2, 2, 10).reshape(5, 2)}
    fig, data = plot_gates(acts, inputs=np.zeros((5, 1)))
    assert set(data) == {"i", "c", "inputs"}
    np.testing.assert_array_equal(data["c"], acts["c"])
    axes = fig.axes
    assert axes[0].get_title() and axes[-1].get_xlabel() == "time step t" or fig.axes


def test_assert_close_messages():
    with pytest.raises(CheckFailed, match="forget to `return`"):
        assert_close("h", None, np.zeros(2))
    with pytest.raises(CheckFailed, match=r"shape \(3,\), expected \(2,\)"):
        assert_close("h", np.zeros(3), np.zeros(2))
    with pytest.raises(CheckFailed, match="NaN"):
        assert_close("h", np.array([np.nan, 0]), np.zeros(2))
    with pytest.raises(CheckFailed, match="named mistake"):
        assert_close("h", np.ones(2), np.zeros(2), mistakes={"named mistake": np.ones(2)})
    assert_close("h", np.zeros(2) + 1e-12, np.zeros(2))


def test_ready_made_guard_catches_aliases_and_restores_everything():
    from lstmlab.lstm import lstm_step_forward as alias

    original_code = L.lstm_step_forward.__code__
    original_forward = torch.nn.LSTM.forward
    p = lstm_params(2, 3)
    X, h0, c0 = lstm_inputs(1, 1, 2, 3)

    def sneaky():
        return alias(X[:, 0], h0, c0, *p)[0]

    with pytest.raises(CheckFailed, match="lstm_step_forward"):
        assert_from_scratch("sneaky", sneaky)
    with ready_made_guard() as called:
        torch.nn.LSTM(2, 3)
    assert called == ["torch.nn.LSTM"]
    assert L.lstm_step_forward.__code__ is original_code and torch.nn.LSTM.forward is original_forward
    # still works normally afterwards, with its default arguments intact
    assert np.allclose(sneaky(), L.lstm_step_forward(X[:, 0], h0, c0, *p)[0])
    assert L.lstm_param_count(3, 4) == 4 * (12 + 16 + 4)


def test_reference_functions_trap_a_whole_module_once():
    from lstmlab.checking import reference_functions

    targets = reference_functions(L)
    names = {t[1] for t in targets}
    assert "lstm_forward" in names and "sigmoid" not in names
    p = lstm_params(2, 3)
    X, h0, c0 = lstm_inputs(1, 2, 2, 3)
    # Listed twice (defaults + extra): trapped once, no recursion, restored after.
    with pytest.raises(CheckFailed, match="lstmlab.lstm.lstm_forward"):
        assert_from_scratch("x", lambda: L.lstm_forward(X, h0, c0, *p), extra=targets)
    assert L.lstm_forward(X, h0, c0, *p)[0].shape == (1, 2, 3)


def test_guard_sees_torch_functions_imported_under_another_name():
    from torch.nn.functional import softmax as sm

    t = torch.ones(2, 3)
    with pytest.raises(CheckFailed, match="torch.nn.functional.softmax"):
        assert_from_scratch("x", lambda: sm(t, dim=-1), extra=[(torch.nn.functional, "softmax", "torch.nn.functional.softmax")])
    assert torch.nn.functional.softmax(t, dim=-1).shape == (2, 3)
