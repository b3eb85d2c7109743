"""lstmlab.bridge: every weight converter (LSTM, GRU, RNN, stacked) against torch, Keras and the chapter's form."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from lstmlab import bridge, lstm as L
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
