"""lstmlab.fixtures and lstmlab.tasks: seeded, and the tasks compute what they say."""
from __future__ import annotations

import numpy as np

from lstmlab import tasks
from lstmlab.fixtures import lstm_params


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
