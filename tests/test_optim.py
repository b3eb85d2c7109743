"""lstmlab.optim: the references against torch (float64 to 1e-10, float32 to 1e-5) and the Keras conventions the
lesson states against Keras 3."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from lstmlab import optim as O

# Keras 3.15 on numpy 2 warns about __array__'s copy keyword when we read its variables back: noise here.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")

SHAPES = [(3, 4), (5,), (2, 2, 3)]
TOL = {np.float64: 1e-10, np.float32: 1e-5}


def _arrays(seed, dtype=np.float64, scales=(1.0, 1.0, 1.0), shapes=SHAPES):
    r = np.random.default_rng(seed)
    return [(s * r.standard_normal(sh)).astype(dtype) for sh, s in zip(shapes, scales)]


def _torch_params(arrays):
    return [torch.nn.Parameter(torch.tensor(a)) for a in arrays]


def _close(mine, theirs, dtype):
    for a, b in zip(mine, theirs):
        b = b.detach().numpy() if hasattr(b, "detach") else b
        scale = max(1.0, float(np.abs(b).max()))
        np.testing.assert_allclose(a, b, rtol=0, atol=TOL[dtype] * scale)


# --- clipping ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_global_norm_matches_torch(dtype):
    grads = _arrays(0, dtype, (3.0, 0.1, 1.0))
    want = float(torch.nn.utils.get_total_norm([torch.tensor(g) for g in grads]))
    assert abs(O.global_norm(grads) - want) <= TOL[dtype] * want
    assert isinstance(O.global_norm(grads), float)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("max_norm", [0.3, 2.0, 1e3])
def test_clip_by_global_norm_matches_torch_and_leaves_input(dtype, max_norm):
    grads = _arrays(1, dtype, (2.0, 0.5, 1.0))
    before = [g.copy() for g in grads]
    params = _torch_params([np.zeros_like(g) for g in grads])
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    out = O.clip_by_global_norm(grads, max_norm)
    _close(out, [p.grad for p in params], dtype)
    assert all(np.array_equal(a, b) for a, b in zip(grads, before)), "input changed"
    assert not any(np.shares_memory(a, b) for a, b in zip(out, grads)), "returned the input arrays"
    assert all(o.dtype == g.dtype for o, g in zip(out, grads))
    # The direction is kept exactly; the norm is at most max_norm.
    assert O.cosine(grads, out) == pytest.approx(1.0, abs=1e-6)
    assert O.global_norm(out) <= max_norm * (1 + 1e-6)


def test_clip_by_global_norm_tensorflow_form_and_zero_gradients():
    grads = _arrays(2)
    norm = O.global_norm(grads)
    tf = [g * 0.5 / max(norm, 0.5) for g in grads]
    _close(O.clip_by_global_norm(grads, 0.5, eps=0.0), tf, np.float64)
    zeros = [np.zeros(3), np.zeros((2, 2))]
    assert all(np.array_equal(a, b) for a, b in zip(O.clip_by_global_norm(zeros, 1.0), zeros))
    assert all(np.array_equal(a, b) for a, b in zip(O.clip_by_global_norm(zeros, 1.0, eps=0.0), zeros))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_clip_by_value_matches_torch(dtype):
    grads = _arrays(3, dtype)
    params = _torch_params([np.zeros_like(g) for g in grads])
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(params, 0.4)
    before = [g.copy() for g in grads]
    _close(O.clip_by_value(grads, 0.4), [p.grad for p in params], dtype)
    assert all(np.array_equal(a, b) for a, b in zip(grads, before))


def test_per_tensor_and_value_clipping_change_the_direction():
    grads = _arrays(4, scales=(5.0, 0.1, 1.0))
    assert O.cosine(grads, O.clip_by_tensor_norm(grads, 0.5)) < 0.99
    assert O.cosine(grads, O.clip_by_value(grads, 0.2)) < 0.99
    assert O.cosine(grads, O.clip_by_global_norm(grads, 0.5)) == pytest.approx(1.0, abs=1e-12)
    for g in O.clip_by_tensor_norm(grads, 0.5):
        assert np.linalg.norm(g) <= 0.5 + 1e-12


# --- penalties -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_penalties_match_torch_autograd(dtype):
    params = _arrays(5, dtype)
    params[1][::2] = 0.0                                    # exact zeros: torch's d|p|/dp there is 0
    for fn, torch_value in ((O.l1_penalty, lambda ts: 0.3 * sum(t.abs().sum() for t in ts)),
                            (O.l2_penalty, lambda ts: 0.5 * 0.3 * sum((t * t).sum() for t in ts))):
        ts = [torch.tensor(p, requires_grad=True) for p in params]
        value = torch_value(ts)
        value.backward()
        mine_value, mine_grads = fn(params, 0.3)
        assert mine_value == pytest.approx(float(value.detach()), rel=TOL[dtype])
        _close(mine_grads, [t.grad for t in ts], dtype)


def test_l2_gradient_is_torchs_weight_decay():
    params = _arrays(6)
    ps = _torch_params(params)
    for p in ps:
        p.grad = torch.zeros_like(p)
    torch.optim.SGD(ps, lr=1.0, weight_decay=0.05).step()          # p <- p - (0 + 0.05 p)
    _, grads = O.l2_penalty(params, 0.05)
    _close([p - g for p, g in zip(params, grads)], ps, np.float64)


# --- optimizers against torch --------------------------------------------------------------

def _grad_seq(n, dtype, seed=10):
    r = np.random.default_rng(seed)
    return [[(r.standard_normal(s) * 10.0 ** -(3 * ((t + k) % 3))).astype(dtype) for k, s in enumerate(SHAPES)]
            for t in range(n)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind, hyper, torch_cls, torch_kw", [
    ("adam", dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8), torch.optim.Adam, dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8)),
    ("adam", dict(lr=0.1, betas=(0.8, 0.99), eps=1e-3), torch.optim.Adam, dict(lr=0.1, betas=(0.8, 0.99), eps=1e-3)),
    ("adam", dict(lr=1e-2, weight_decay=0.1), torch.optim.Adam, dict(lr=1e-2, weight_decay=0.1)),
    ("adam", dict(lr=1e-2, weight_decay=0.1, decoupled=True), torch.optim.AdamW, dict(lr=1e-2, weight_decay=0.1)),
    ("rmsprop", dict(lr=1e-2, alpha=0.99, eps=1e-8), torch.optim.RMSprop, dict(lr=1e-2)),
    ("rmsprop", dict(lr=0.05, alpha=0.9, eps=1e-3), torch.optim.RMSprop, dict(lr=0.05, alpha=0.9, eps=1e-3)),
])
def test_optimizers_match_torch_step_by_step(dtype, kind, hyper, torch_cls, torch_kw):
    params = _arrays(7, dtype)
    before = [p.copy() for p in params]
    step, init = (O.adam_step, O.adam_init) if kind == "adam" else (O.rmsprop_step, O.rmsprop_init)
    state = init(params)
    mine = params
    ps = _torch_params(params)
    opt = torch_cls(ps, **torch_kw)
    for grads in _grad_seq(10, dtype):
        old_state = {k: (list(v) if isinstance(v, list) else v) for k, v in state.items()}
        mine, state = step(mine, grads, state, **hyper)
        for p, g in zip(ps, grads):
            p.grad = torch.tensor(g)
        opt.step()
        _close(mine, ps, dtype)
        if kind == "adam":
            assert state["t"] == old_state["t"] + 1
            _close(state["m"], [opt.state[p]["exp_avg"] for p in ps], dtype)
            _close(state["v"], [opt.state[p]["exp_avg_sq"] for p in ps], dtype)
        else:
            _close(state["v"], [opt.state[p]["square_avg"] for p in ps], dtype)
    assert all(np.array_equal(a, b) for a, b in zip(params, before)), "params changed in place"


def test_adam_without_bias_correction_would_step_3x_too_far():
    p, g = [np.zeros(1)], [np.array([0.7])]
    new, _ = O.adam_step(p, g, O.adam_init(p), lr=1.0, eps=0.0)
    assert float(new[0][0]) == pytest.approx(-1.0)                     # first step = lr * sign(g)
    m, v = 0.1 * 0.7, 0.001 * 0.49
    assert m / np.sqrt(v) == pytest.approx(np.sqrt(10), rel=1e-12)   # what it would be without correction


# --- the Keras conventions stated in the lesson --------------------------------------------

@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("needs Keras on the torch backend")
    return keras


def _keras_run(keras, optimizer, params, grad_seq):
    vs = [keras.Variable(p, dtype="float64") for p in params]
    for grads in grad_seq:
        optimizer.apply_gradients(zip([keras.ops.convert_to_tensor(g, dtype="float64") for g in grads], vs))
    return [np.asarray(v.numpy()) for v in vs]


LR = 2.0 ** -7   # exactly representable in float32, which is how Keras stores the learning rate


def test_keras_adam_is_the_epsilon_hat_form(keras):
    params, seq = _arrays(8), _grad_seq(6, np.float64, seed=11)
    got = _keras_run(keras, keras.optimizers.Adam(learning_rate=LR, epsilon=1e-7), params, seq)
    mine, state = params, O.adam_init(params)
    for grads in seq:
        mine, state = O.keras_adam_step(mine, grads, state, lr=LR, eps=1e-7)
    _close(mine, got, np.float64)
    # ... which is torch's rule with eps / sqrt(1 - beta2^t): different from torch's for tiny gradients.
    torch_rule, _ = O.adam_step(params, seq[0], O.adam_init(params), lr=LR, eps=1e-7)
    keras_rule, _ = O.keras_adam_step(params, seq[0], O.adam_init(params), lr=LR, eps=1e-7)
    assert max(float(np.abs(a - b).max()) for a, b in zip(torch_rule, keras_rule)) > 1e-4


def test_keras_rmsprop_puts_epsilon_inside_the_root(keras):
    params, seq = _arrays(9), _grad_seq(6, np.float64, seed=12)
    got = _keras_run(keras, keras.optimizers.RMSprop(learning_rate=LR), params, seq)
    mine, state = params, O.rmsprop_init(params)
    for grads in seq:
        mine, state = O.keras_rmsprop_step(mine, grads, state, lr=LR)
    _close(mine, got, np.float64)
    defaults = keras.optimizers.RMSprop().get_config()
    assert (defaults["rho"], defaults["epsilon"]) == (0.9, 1e-7)


def test_keras_weight_decay_is_decoupled(keras):
    params, seq = _arrays(10), _grad_seq(4, np.float64, seed=13)
    got = _keras_run(keras, keras.optimizers.Adam(learning_rate=LR, epsilon=1e-7, weight_decay=0.125), params, seq)
    mine, state = params, O.adam_init(params)
    for grads in seq:
        mine = [p * (1 - LR * 0.125) for p in mine]                  # p <- p - lr * wd * p, then the Adam step
        mine, state = O.keras_adam_step(mine, grads, state, lr=LR, eps=1e-7)
    _close(mine, got, np.float64)


@pytest.mark.parametrize("kw, ours", [
    (dict(clipnorm=0.5), lambda g: O.clip_by_tensor_norm(g, 0.5)),
    (dict(global_clipnorm=0.5), lambda g: O.clip_by_global_norm(g, 0.5, eps=0.0)),
    (dict(clipvalue=0.5), lambda g: O.clip_by_value(g, 0.5)),
])
def test_keras_clipping_options(keras, kw, ours):
    grads = _arrays(11)
    got = _keras_run(keras, keras.optimizers.SGD(learning_rate=1.0, **kw), [np.zeros_like(g) for g in grads], [grads])
    # Keras's norm clipping loses float64 precision somewhere (about 1e-8 seen): compare to 1e-7.
    for a, b in zip(ours(grads), got):
        np.testing.assert_allclose(-b, a, rtol=1e-7, atol=1e-9)
