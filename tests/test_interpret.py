"""Tests of the textbook module lstmlab.interpret: recording an LSTM's gates and states, and the statistics
(per-unit correlation, the tracking unit, saturation, LSTMVis-style select/match, tuning curves).

Lesson 11's room (checks, tasks, models, plots, explorer) is tested in tests/test_room_looking_inside.py.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from lstmlab import interpret
from lstmlab.bridge import lstm_as_torch
from lstmlab.fixtures import lstm_params, rng
from lstmlab.lstm import lstm_step_forward


def _case(B: int, T: int, U: int, seed: int, constant: bool = False):
    """Activations A (B, T, U) and a depth-like feature (B, T) (a random walk that stays >= 0).

    One unit falls with the feature, one rises with it, the rest are noise; with constant=True one unit
    never changes. Returns A, feature, roles = {"down", "up"(, "constant")} -> unit index.
    """
    r = rng(seed)
    steps = np.where(r.random((B, T)) < 0.5, 1.0, -1.0)
    feature = np.abs(np.cumsum(steps, axis=1))
    A = 0.4 * r.standard_normal((B, T, U)) + r.uniform(-1, 1, U)
    roles = {"down": 1, "up": 3}
    A[..., 1] = 0.7 - 0.5 * feature + 0.45 * r.standard_normal((B, T))
    A[..., 3] = -0.3 + 0.3 * feature + 0.6 * r.standard_normal((B, T))
    if constant:
        roles["constant"] = 4
        A[..., 4] = 0.25
    return A, feature, roles


# --- recording -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_record_matches_torch(dtype, tol):
    params = lstm_params(3, 5, seed=0, dtype=dtype, scale=0.8)
    X = rng(1).standard_normal((4, 9, 3)).astype(dtype)
    rec = interpret.record(params, X)
    assert set(rec) == set(interpret.QUANTITIES)
    assert all(v.shape == (4, 9, 5) and v.dtype == dtype for v in rec.values())
    lstm = lstm_as_torch(params, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():
        out, (hn, cn) = lstm(torch.as_tensor(X))
    np.testing.assert_allclose(rec["h"], out.numpy(), atol=tol, rtol=tol)
    np.testing.assert_allclose(rec["c"][:, -1], cn[0].numpy(), atol=tol, rtol=tol)


def test_record_gates_equal_the_reference_step():
    params = lstm_params(2, 4, seed=5, scale=0.9)
    X = rng(6).standard_normal((3, 6, 2))
    h0, c0 = rng(7).standard_normal((3, 4)), rng(8).standard_normal((3, 4))
    rec = interpret.record(params, X, h0, c0)
    h, c = h0, c0
    for t in range(6):
        h, c, cache = lstm_step_forward(X[:, t], h, c, *params)
        i, f, g, o = cache[5:9]
        for name, want in zip("ifgoch", (i, f, g, o, c, h)):
            np.testing.assert_allclose(rec[name][:, t], want, atol=1e-12)


def test_record_clamp_silences_one_hidden_unit():
    params = lstm_params(2, 6, seed=0)
    X = rng(0).standard_normal((4, 15, 2))
    rec = interpret.record(params, X)
    clamped = interpret.record(params, X, clamp={2: 0.5})
    assert (clamped["h"][..., 2] == 0.5).all()
    assert not np.allclose(clamped["h"][..., 0], rec["h"][..., 0])   # the others see the change
    assert np.array_equal(clamped["h"][:, 0, 0], rec["h"][:, 0, 0])  # ... from the second step on
    assert np.array_equal(clamped["c"][:, 0], rec["c"][:, 0])        # c is untouched at the first step


# --- statistics ------------------------------------------------------------------------------------

def test_unit_correlations_against_corrcoef():
    A, feature, roles = _case(4, 20, 6, 0)
    r = interpret.unit_correlations(A, feature)
    X, y = A.reshape(-1, 6), feature.reshape(-1)
    want = [np.corrcoef(X[:, u], y)[0, 1] for u in range(6)]
    np.testing.assert_allclose(r, want, atol=1e-12)
    assert r[roles["down"]] < -0.7 and r[roles["up"]] > 0.3
    # One sequence (T, U) works too, and equals pooling that sequence alone.
    np.testing.assert_allclose(interpret.unit_correlations(A[1], feature[1]),
                               [np.corrcoef(A[1][:, u], feature[1])[0, 1] for u in range(6)], atol=1e-12)
    with pytest.raises(ValueError):
        interpret.unit_correlations(A, feature.T)


def test_constant_units_and_features_give_zero_without_warnings():
    A, feature, roles = _case(3, 24, 6, 4, constant=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = interpret.unit_correlations(A, feature)
        assert r[roles["constant"]] == 0.0 and np.isfinite(r).all()
        assert (interpret.unit_correlations(A, np.ones_like(feature)) == 0).all()
    f = np.arange(10.0)
    lin = np.stack([3 * f + 1, -2 * f], axis=-1)
    np.testing.assert_allclose(interpret.unit_correlations(lin, f), [1.0, -1.0])


def test_tracking_unit_uses_absolute_r_and_keeps_the_sign():
    A, feature, roles = _case(3, 24, 6, 0)
    unit, r = interpret.tracking_unit(A, feature)
    assert isinstance(unit, int) and isinstance(r, float)
    assert unit == roles["down"] and r < -0.8


def test_saturation_is_strict_and_per_unit():
    G = np.array([[0.1, 0.05, 0.9], [0.95, 0.5, 0.9], [0.0, 1.0, 0.2], [0.5, 0.5, 0.5]])  # (T=4, U=3)
    left, right = interpret.saturation(G)
    np.testing.assert_allclose(left, [0.25, 0.25, 0.0])
    np.testing.assert_allclose(right, [0.25, 0.25, 0.0])   # 0.9 itself is not right-saturated
    left, right = interpret.saturation(np.stack([G, G]), low=0.2, high=0.6)
    np.testing.assert_allclose(left, [0.5, 0.25, 0.0])
    np.testing.assert_allclose(right, [0.25, 0.25, 0.5])


def test_select_units_and_match_ranges():
    A = np.zeros((2, 10, 3))
    A[0, 3:6, 0] = 1.0           # unit 0 on at steps 3..5 of string 0
    A[0, 2:6, 1] = 1.0           # unit 1 already on before the selection
    A[1, 6:9, 0] = 1.0           # unit 0 on again in string 1
    A[0, 3:6, 2] = 1.0
    A[1, 6:8, 2] = 1.0
    sel = interpret.select_units(A[0], 3, 6, threshold=0.5)
    assert sel.tolist() == [0, 2]
    assert interpret.match_ranges(A, sel, threshold=0.5) == [(0, 3, 6), (1, 6, 8)]
    assert interpret.match_ranges(A, sel, threshold=0.5, min_length=3) == [(0, 3, 6)]
    assert interpret.match_ranges(A, [], threshold=0.5) == []


def test_tuning_curve():
    feature = np.array([0, 1, 1, 2, 2, 2])
    values = np.array([0.0, 1.0, 3.0, 4.0, 4.0, 4.0])
    levels, mean, std = interpret.tuning(values, feature)
    assert levels.tolist() == [0, 1, 2] and mean.tolist() == [0.0, 2.0, 4.0] and std.tolist() == [0.0, 1.0, 0.0]
