"""lstmlab.stacked (deep, bidirectional, masked LSTM) against torch.nn.LSTM on packed batches
(its torch bridges are tested in tests/test_bridge.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lstmlab import bridge
from lstmlab import lstm as L
from lstmlab import stacked as S
from lstmlab.fixtures import lstm_params
from lstmlab.gradcheck import numerical_gradient_array, relative_error


def _batch(B, T, D, H, layers, bidirectional, lengths, dtype, seed=0):
    r = np.random.default_rng(seed)
    dirs = 2 if bidirectional else 1
    X = r.standard_normal((B, T, D))
    X[~S.length_mask(lengths, T)] = 7.0                  # garbage that would show if it leaked
    h0 = 0.5 * r.standard_normal((layers * dirs, B, H))
    c0 = r.standard_normal((layers * dirs, B, H))
    return X.astype(dtype), h0.astype(dtype), c0.astype(dtype)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_stack_matches_torch_on_a_packed_batch(num_layers, bidirectional, dtype, tol):
    torch.manual_seed(num_layers)
    B, T, D, H = 5, 7, 3, 4
    lstm = torch.nn.LSTM(D, H, num_layers=num_layers, bidirectional=bidirectional, batch_first=True)
    lstm = lstm.to(torch.float64 if dtype == np.float64 else torch.float32)
    lengths = np.array([7, 3, 1, 5, 6])                  # unsorted, no two alike but the full one
    X, h0, c0 = _batch(B, T, D, H, num_layers, bidirectional, lengths, dtype)
    out, h_n, c_n = bridge.torch_packed_forward(lstm, X, lengths, h0, c0)
    mine, (my_h, my_c) = S.stacked_lstm_forward(X, h0, c0, bridge.stacked_from_torch(lstm), lengths, bidirectional)
    assert mine.dtype == dtype and my_h.shape == h_n.shape == (num_layers * (2 if bidirectional else 1), B, H)
    for a, b in ((mine, out), (my_h, h_n), (my_c, c_n)):
        np.testing.assert_allclose(a, b, rtol=0, atol=tol)
    assert np.all(mine[~S.length_mask(lengths, T)] == 0)


def test_no_lengths_means_full_length_and_plain_torch():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True).double()
    X, h0, c0 = _batch(2, 5, 3, 4, 2, True, np.array([5, 5]), np.float64)
    with torch.no_grad():
        out, (h_n, c_n) = lstm(torch.from_numpy(X), (torch.from_numpy(h0), torch.from_numpy(c0)))
    mine, (my_h, my_c) = S.stacked_lstm_forward(X, h0, c0, bridge.stacked_from_torch(lstm), bidirectional=True)
    np.testing.assert_allclose(mine, out.numpy(), atol=1e-12)
    np.testing.assert_allclose(my_h, h_n.numpy(), atol=1e-12)


def test_reverse_padded_definition_involution_and_any_shape():
    X = np.arange(2 * 4 * 3).reshape(2, 4, 3).astype(float)
    Y = S.reverse_padded(X, [4, 2])
    np.testing.assert_array_equal(Y[0], X[0, ::-1])
    np.testing.assert_array_equal(Y[1], X[1, [1, 0, 2, 3]])
    np.testing.assert_array_equal(S.reverse_padded(Y, [4, 2]), X)
    Z = np.random.default_rng(0).standard_normal((3, 5))
    np.testing.assert_array_equal(S.reverse_padded(Z, np.array([1, 5, 3]))[2], Z[2, [2, 1, 0, 3, 4]])
    assert S.reverse_padded(X, [4, 2]) is not X


def test_masked_layer_equals_each_sequence_run_alone():
    D, H = 3, 4
    params = lstm_params(D, H, seed=1)
    lengths = np.array([6, 2, 4])
    X, h0, c0 = _batch(3, 6, D, H, 1, False, lengths, np.float64)
    Hs, (hT, cT) = S.masked_lstm_forward(X, lengths, h0[0], c0[0], *params)
    for b, n in enumerate(lengths):
        alone, (h, c), _ = L.lstm_forward(X[b:b + 1, :n], h0[0, b:b + 1], c0[0, b:b + 1], *params)
        np.testing.assert_allclose(Hs[b, :n], alone[0], atol=1e-14)
        np.testing.assert_allclose(hT[b], h[0], atol=1e-14)
        np.testing.assert_allclose(cT[b], c[0], atol=1e-14)
        assert np.all(Hs[b, n:] == 0)


def test_bidirectional_final_states_sit_where_torch_says():
    fwd, bwd = lstm_params(3, 4, seed=1), lstm_params(3, 4, seed=2)
    lengths = np.array([5, 3])
    X, h0, c0 = _batch(2, 5, 3, 4, 1, True, lengths, np.float64)
    out, (h_n, _) = S.bidirectional_forward(X, lengths, h0, c0, fwd, bwd)
    np.testing.assert_allclose(h_n[0], out[np.arange(2), lengths - 1, :4], atol=1e-15)
    np.testing.assert_allclose(h_n[1], out[:, 0, 4:], atol=1e-15)


def test_dropout_forward_eval_identity_training_statistics_and_seed():
    Y = np.random.default_rng(0).uniform(0.5, 1.5, (400, 100))
    out, mask = S.dropout_forward(Y, 0.3, training=False)
    np.testing.assert_array_equal(out, Y)
    assert mask is None
    out, mask = S.dropout_forward(Y, 0.3, True, np.random.default_rng(1))
    assert abs(mask.mean() - 0.7) < 0.01
    np.testing.assert_allclose(out[mask], Y[mask] / 0.7)
    assert np.all(out[~mask] == 0)
    assert abs(out.mean() - Y.mean()) < 0.01                      # inverted: expectation unchanged
    again, _ = S.dropout_forward(Y, 0.3, True, np.random.default_rng(1))
    np.testing.assert_array_equal(out, again)
    assert S.dropout_forward(Y.astype(np.float32), 0.5, True, np.random.default_rng(2))[0].dtype == np.float32
    with pytest.raises(ValueError):
        S.dropout_forward(Y, 1.0, True, np.random.default_rng(0))


def test_dropout_backward_matches_finite_differences():
    Y = np.random.default_rng(3).standard_normal((4, 5))
    _, mask = S.dropout_forward(Y, 0.4, True, np.random.default_rng(4))
    dout = np.random.default_rng(5).standard_normal((4, 5))
    f = lambda: Y * mask / (1 - 0.4)                               # the forward pass with this mask fixed
    assert relative_error(S.dropout_backward(dout, mask, 0.4), numerical_gradient_array(f, Y, dout)) < 1e-8
    np.testing.assert_array_equal(S.dropout_backward(dout, None, 0.4), dout)


def test_dropout_in_a_stack_acts_between_layers_only():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True, dropout=0.5).double().eval()
    layers = bridge.stacked_from_torch(lstm)
    lengths = np.array([5, 2, 4])
    X, h0, c0 = _batch(3, 5, 3, 4, 2, True, lengths, np.float64)
    ref_out, ref_h, _ = bridge.torch_packed_forward(lstm, X, lengths, h0, c0)
    ev, (ev_h, _) = S.stacked_lstm_forward(X, h0, c0, layers, lengths, True, dropout=0.5, training=False)
    np.testing.assert_allclose(ev, ref_out, atol=1e-12)
    tr, (tr_h, tr_c) = S.stacked_lstm_forward(X, h0, c0, layers, lengths, True, 0.5, True, np.random.default_rng(0))
    np.testing.assert_allclose(tr_h[:2], ref_h[:2], atol=1e-12)   # layer 0 untouched
    assert not np.allclose(tr, ev)
    assert (tr[S.length_mask(lengths, 5)] == 0).mean() < 0.05    # nothing dropped after the last layer
    tr2, _ = S.stacked_lstm_forward(X, h0, c0, layers, lengths, True, 0.5, True, np.random.default_rng(0))
    np.testing.assert_array_equal(tr, tr2)
