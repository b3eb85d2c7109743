"""lstmlab.linear_recurrence: linear attention computed in parallel equals its recurrence, and minGRU's
scan equals its loop. Seeded and offline."""
from __future__ import annotations

import numpy as np

from lstmlab.linear_recurrence import (elu_plus_one, linear_attention_parallel, linear_attention_recurrent,
                                       min_gru_scan, min_gru_sequential)


def test_linear_attention_parallel_equals_recurrent_and_formula():
    r = np.random.default_rng(0)
    Q, K, V = r.standard_normal((2, 9, 3)), r.standard_normal((2, 9, 3)), r.standard_normal((2, 9, 4))
    par = linear_attention_parallel(Q, K, V)
    rec, state = linear_attention_recurrent(Q, K, V)
    np.testing.assert_allclose(par, rec, atol=1e-12)
    assert state == 3 * 4 + 3
    i = 5
    w = np.array([elu_plus_one(Q[0, i]) @ elu_plus_one(K[0, j]) for j in range(i + 1)])
    np.testing.assert_allclose(par[0, i], w @ V[0, :i + 1] / w.sum(), atol=1e-12)
    assert np.all(elu_plus_one(np.array([-50.0, 0.0, 2.0])) > 0)


def test_min_gru_scan_equals_the_loop():
    r = np.random.default_rng(1)
    X = r.standard_normal((2, 40, 3))
    Wz, Wh = r.standard_normal((3, 4)), r.standard_normal((3, 4))
    bz, bh, h0 = r.standard_normal(4), r.standard_normal(4), r.standard_normal((2, 4))
    np.testing.assert_allclose(min_gru_scan(X, h0, Wz, bz, Wh, bh), min_gru_sequential(X, h0, Wz, bz, Wh, bh),
                               rtol=1e-9, atol=1e-10)
