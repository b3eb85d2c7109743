"""lstmlab.bridge: every weight converter (LSTM, GRU, RNN, stacked) against torch, Keras and the chapter's form."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from lstmlab import bridge, gru as G, lstm as L, rnn as R
from lstmlab.bridge import lstm_from_torch
from lstmlab.fixtures import lstm_inputs, lstm_params


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    return keras


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


# --- from test_gru.py ------------------------------------------------------------

def test_torch_round_trip_other_layers_and_shape_errors():
    gru = torch.nn.GRU(3, 4, num_layers=2, bidirectional=True).double()
    p = bridge.gru_from_torch(gru, layer=1, reverse=True)
    assert p.Wx.shape == (8, 12) and p.Wh.shape == (4, 12)
    np.testing.assert_array_equal(p.Wh, gru.weight_hh_l1_reverse.detach().numpy().T)
    q = G.gru_params(8, 4, seed=13)
    bridge.gru_to_torch(q, gru, layer=1, reverse=True)
    for a, b in zip(q, bridge.gru_from_torch(gru, layer=1, reverse=True)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="weight_ih_l0"):
        bridge.gru_to_torch(G.gru_params(5, 4), torch.nn.GRU(3, 4))
    no_bias = bridge.gru_from_torch(torch.nn.GRU(3, 4, bias=False), dtype=np.float64)
    assert not no_bias.bx.any() and not no_bias.bh.any() and no_bias.Wx.dtype == np.float64


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("reset_after, convention", [(True, "torch"), (False, "cho")])
def test_keras_gru_is_ours_with_blocks_reordered(reset_after, convention):
    keras = _keras()
    B, T, D, H = 2, 7, 3, 4
    keras.utils.set_random_seed(0)
    layer = keras.layers.GRU(H, reset_after=reset_after, return_sequences=True)
    layer.build((None, T, D))
    params = G.gru_params(D, H, seed=14, scale=0.8, dtype=np.float32)
    if not reset_after:                     # one bias vector: ours must carry it in bx alone to round-trip
        params = params._replace(bh=np.zeros_like(params.bh))
    bridge.gru_to_keras(params, layer)
    for a, b in zip(params, bridge.gru_from_keras(layer)):
        np.testing.assert_allclose(a, b, atol=0)
    X, h0, _ = lstm_inputs(B, T, D, H, seed=15, dtype=np.float32)
    out = np.asarray(layer(X, initial_state=[h0]).detach())
    ours, _ = G.gru_forward(X, h0, *params, convention=convention)
    np.testing.assert_allclose(out, ours, atol=1e-5)
    assert layer.count_params() == G.gru_param_count(D, H, bias_vectors=2 if reset_after else 1)
    if not reset_after:                     # Keras's reset-before GRU is the chapter's with z flipped
        chapter, _ = G.gru_forward(X, h0, *G.flip_update_gate(params), convention="chapter")
        np.testing.assert_allclose(out, chapter, atol=1e-5)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_keras_layer_without_bias():
    keras = _keras()
    layer = keras.layers.GRU(3, use_bias=False)
    layer.build((None, 4, 2))
    p = bridge.gru_from_keras(layer)
    assert p.Wx.shape == (2, 9) and not p.bx.any() and not p.bh.any()


# --- from test_stacked.py ------------------------------------------------------------

def test_torch_module_from_layers_round_trips():
    layers = [(lstm_params(3, 4, seed=1), lstm_params(3, 4, seed=2)), (lstm_params(8, 4, seed=3), lstm_params(8, 4, seed=4))]
    lstm = bridge.stacked_as_torch(layers, bidirectional=True)
    assert lstm.num_layers == 2 and lstm.bidirectional and lstm.batch_first
    for (f, b), (f2, b2) in zip(layers, bridge.stacked_from_torch(lstm)):
        for x, y in zip((*f, *b), (*f2, *b2)):
            np.testing.assert_array_equal(x, y)
    uni = bridge.stacked_as_torch([lstm_params(3, 4, seed=5)], bidirectional=False)
    np.testing.assert_array_equal(bridge.stacked_from_torch(uni)[0].Wx, lstm_params(3, 4, seed=5).Wx)


# --- from test_rnn.py ------------------------------------------------------------

def test_torch_round_trip_and_shape_errors():
    p = R.rnn_params(3, 4, seed=5)
    m = torch.nn.RNN(3, 4).double()
    bridge.rnn_to_torch(p, m)
    for a, b in zip(p, bridge.rnn_from_torch(m)):
        np.testing.assert_array_equal(a, b)
    assert bridge.rnn_from_torch(m, dtype=np.float32).Wx.dtype == np.float32
    with pytest.raises(ValueError, match="weight_ih_l0"):
        bridge.rnn_to_torch(R.rnn_params(5, 4), m)


# --- from test_lstm.py ------------------------------------------------------------

def test_from_torch_reads_the_reverse_direction_and_later_layers():
    lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True).double()
    p = lstm_from_torch(lstm, layer=1, reverse=True)
    assert p.Wx.shape == (8, 16) and p.Wh.shape == (4, 16)
    np.testing.assert_array_equal(p.b, (lstm.bias_ih_l1_reverse + lstm.bias_hh_l1_reverse).detach().numpy())
